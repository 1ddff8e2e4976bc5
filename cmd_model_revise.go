package main

import (
	"cmap/domain"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"

	"cmap/app"
	"cmap/diag"
	"cmap/modeldiff"
	"cmap/modelfile"
	"cmap/ruleplan"
)

const modelDiffHelp = `Usage: cmap model diff [flags] OLD NEW

Compares two revisions of a competency model, each a model file (.txt,
.yaml or .json): the items added and removed, the competencies renamed
(same code, new title), the items reworded (same code, new description or
statement). With --crosswalk, the codes it maps are shown as moved, split,
merged or retired. Without a crosswalk entry for a removed item, the added
item whose text is most alike is shown as a suggested move: a guess to
confirm and write into the crosswalk, never taken as a move.

A crosswalk file is YAML or CSV (see 'Revising the model' in the README):

  # YAML: old code: new code, [new codes] (a split), or retired
  4.C: 4.M
  4.K: retired

  old,new          (CSV: one row per old and new code)
  4.C,4.M
  4.K,retired

Exit status:
  0  the models are the same
  3  they differ
  1  a model or the crosswalk does not read, or the crosswalk does not fit
     the models (each problem as FILE:LINE:COL)
  2  the command line is wrong

Examples:
  cmap model diff seeds/security-cooperation-competency-model.txt testdata/revision/revision-2-competency-model.yaml
  cmap model diff seeds/security-cooperation-competency-model.txt testdata/revision/revision-2-competency-model.yaml --crosswalk testdata/revision/crosswalk.yaml --format markdown
`

// runModelDiff runs `cmap model diff OLD NEW [--crosswalk FILE] [--format
// text|json|markdown]`.
func runModelDiff(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("cmap model diff", flag.ContinueOnError)
	crosswalk := fs.String("crosswalk", "", "read the crosswalk from OLD to NEW in `FILE` (.yaml, .yml or .csv)")
	format := fs.String("format", "text", "write `FORMAT`: text, json or markdown")
	setUsage(fs, modelDiffHelp)
	files, code, ok := parseFlags(fs, args, stdout, stderr)
	if !ok {
		return code
	}
	if code, ok := checkFormat(fs, stderr, *format, "text", "json", "markdown"); !ok {
		return code
	}
	if len(files) != 2 {
		return usageError(fs, stderr, "give two model files, OLD and NEW; got %d", len(files))
	}
	old, next, cw, ok := readRevisionFiles(files[0], files[1], *crosswalk, "cmap model diff", stderr)
	if !ok {
		return exitFail
	}
	d := modeldiff.Compare(old, next, cw)
	d.Old, d.New, d.Crosswalk = files[0], files[1], *crosswalk
	switch *format {
	case "json":
		writeJSON(stdout, d)
	case "markdown":
		d.WriteMarkdown(stdout)
	default:
		d.WriteText(stdout)
	}
	if d.Changed() {
		return exitChanges
	}
	return exitOK
}

// readRevisionFiles reads the model files old and next and the crosswalk
// file (none when ""), and checks the crosswalk against the models,
// printing every problem when ok is false. The old model is numbered
// revision 1 for the messages.
func readRevisionFiles(oldPath, nextPath, crosswalkPath, cmd string, stderr io.Writer) (old, next *domain.Framework, cw domain.Crosswalk, ok bool) {
	var errs diag.List
	read := func(path string) *domain.Framework {
		fw, err := modelfile.ReadFile(path)
		if err != nil {
			errs = append(errs, loadErrors(err)...)
		}
		return fw
	}
	if old = read(oldPath); old != nil {
		old.Revision = 1
	}
	next = read(nextPath)
	if crosswalkPath != "" {
		c, err := modelfile.ReadCrosswalkFile(crosswalkPath)
		switch {
		case err != nil:
			errs = append(errs, loadErrors(err)...)
		case old != nil && next != nil:
			errs = append(errs, c.Check(old, next)...)
			cw = c.Crosswalk
		}
	}
	if len(errs) > 0 {
		fmt.Fprintf(stderr, "%s:\n", cmd)
		printDiagnostics(stderr, errs)
		return nil, nil, nil, false
	}
	return old, next, cw, true
}

const modelApplyHelp = `Usage: cmap model apply [flags] NEW

Loads the revised competency model in NEW (.txt, .yaml or .json) over the
active revision in the database, with the crosswalk from the active
revision to NEW in --crosswalk. The previous revisions stay readable
(GraphQL frameworkRevisions, framework(revision:)); the new one is what the
rules are checked against and what coverage, requirements and readiness
are computed against from then on. Courses, positions, people and
completions are not changed. The change is one atomic step, recorded in
the audit trail with your user name.

A revision is refused when a sub-competency that the rules name (in
covers:, requires: or exclude:) is not in NEW and the crosswalk does not
map it: the message names each such code and the rules that name it. A
code the crosswalk maps may still be named by the rules: such an entry
yields nothing under the new revision, and 'cmap rules check', the server's
log and the /rules page report it with the crosswalk's suggestion, for you
to update the rules.

With --dry-run nothing is written: the command prints what the revision
would do (the model diff, the rules naming codes it drops, and its impact
on coverage, gaps, demand, requirements and readiness), which is exactly
what applying it does.

The database is the embedded one in --data, or the MongoDB at --mongo-uri
(seeded from --seeds when empty, as cmap serve does). While cmap serve runs on the embedded database, give --mongo-uri the URI it
logged (or use the applyModelRevision mutation); a server on the database
switches to the new revision by itself.

Exit status:
  0  applied (or, with --dry-run, would apply)
  1  refused (each problem said), or the database failed
  2  the command line is wrong

Examples:
  cmap model apply testdata/revision/revision-2-competency-model.yaml --crosswalk testdata/revision/crosswalk.yaml --data revised --dry-run
  cmap model apply testdata/revision/revision-2-competency-model.yaml --crosswalk testdata/revision/crosswalk.csv --data revised
`

// runModelApply runs `cmap model apply NEW [--crosswalk FILE] [--dry-run]
// [--format text|json]` over the database.
func runModelApply(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("cmap model apply", flag.ContinueOnError)
	var state serveConfig
	state.addStateFlags(fs)
	crosswalk := fs.String("crosswalk", "", "read the crosswalk from the active revision to NEW in `FILE` (.yaml, .yml or .csv)")
	dryRun := fs.Bool("dry-run", false, "print what applying the revision would do, and write nothing")
	format := fs.String("format", "text", "write `FORMAT`: text or json")
	setUsage(fs, modelApplyHelp)
	files, code, ok := parseFlagsEnv(fs, args, os.Getenv, stdout, stderr)
	if !ok {
		return code
	}
	if code, ok := checkFormat(fs, stderr, *format, "text", "json"); !ok {
		return code
	}
	if len(files) != 1 {
		return usageError(fs, stderr, "give one model file, the revised model; got %d", len(files))
	}
	next, err := modelfile.ReadFile(files[0])
	if err != nil {
		fmt.Fprintln(stderr, "cmap model apply:")
		printDiagnostics(stderr, loadErrors(err))
		return exitFail
	}
	var cwFile *modelfile.Crosswalk
	if *crosswalk != "" {
		if cwFile, err = modelfile.ReadCrosswalkFile(*crosswalk); err != nil {
			fmt.Fprintln(stderr, "cmap model apply:")
			printDiagnostics(stderr, loadErrors(err))
			return exitFail
		}
	}

	// Only errors: the embedded database warns about what a short-lived
	// client does on exit.
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	db, a, err := openState(ctx, state, logger, nil)
	if err != nil {
		fmt.Fprintf(stderr, "cmap model apply: %v\n", err)
		return exitFail
	}
	defer func() {
		if err := errors.Join(a.Close(), db.Close(context.WithoutCancel(ctx))); err != nil {
			logger.Warn("closing the database", "error", err)
		}
	}()
	var cw domain.Crosswalk
	if cwFile != nil {
		// Place the crosswalk's problems in its file before the App
		// reports the first by field path.
		if problems := cwFile.Check(a.View().Framework(), next); len(problems) > 0 {
			fmt.Fprintln(stderr, "cmap model apply: the crosswalk does not fit the active revision and NEW:")
			printDiagnostics(stderr, problems)
			return exitFail
		}
		cw = cwFile.Crosswalk
	}
	ctx = domain.WithPrincipal(ctx, cliPrincipal("cmap model apply"))
	var plan *app.RevisionPlan
	if *dryRun {
		plan, err = a.PreviewRevision(ctx, next, cw)
	} else {
		plan, err = a.ApplyRevision(ctx, next, cw)
	}
	if err != nil {
		fmt.Fprintf(stderr, "cmap model apply: %s\n", messageOf(err))
		return exitFail
	}
	d := modeldiff.Compare(plan.Previous, plan.Revision.Framework, cw)
	d.Old, d.New, d.Crosswalk = fmt.Sprintf("revision %d (active)", max(plan.Previous.Revision, 1)), files[0], *crosswalk
	plan.Impact.Base.Source = fmt.Sprintf("model revision %d", max(plan.Previous.Revision, 1))
	plan.Impact.Head.Source = fmt.Sprintf("model revision %d", plan.Revision.Number())
	if *format == "json" {
		// People are counted, not listed, as by cmap rules diff without
		// --people.
		plan.Impact.People.Changes = nil
		writeJSON(stdout, struct {
			DryRun   bool             `json:"dryRun"`
			Revision int              `json:"revision"`
			Previous int              `json:"previous"`
			Diff     *modeldiff.Diff  `json:"diff"`
			Warnings []jsonDiagnostic `json:"warnings"`
			Impact   *ruleplan.Plan   `json:"impact"`
		}{*dryRun, plan.Revision.Number(), max(plan.Previous.Revision, 1), d, jsonDiagnostics(plan.Warnings), plan.Impact})
		return exitOK
	}
	verb := "applied"
	if *dryRun {
		verb = "would be applied (dry run: nothing was written)"
	}
	fmt.Fprintf(stdout, "revision %d of %q %s over revision %d\n\n", plan.Revision.Number(), plan.Revision.Framework.Name, verb, max(plan.Previous.Revision, 1))
	d.WriteText(stdout)
	if len(plan.Warnings) > 0 {
		fmt.Fprintf(stdout, "\nrules to review under revision %d (an entry naming a code it no longer has yields nothing until updated):\n", plan.Revision.Number())
		for _, w := range plan.Warnings {
			fmt.Fprintf(stdout, "  %s\n", w.Error())
		}
	}
	fmt.Fprintln(stdout)
	plan.Impact.WriteText(stdout, ruleplan.RenderOptions{})
	return exitOK
}
