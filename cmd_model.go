package main

import (
	"bytes"
	"cmap/domain"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"cmap/casefmt"
	"cmap/engine"
	"cmap/modelfile"
)

const modelUsage = `Usage:
  cmap model export [flags] [FILE]
  cmap model check [flags] [FILE]
  cmap model diff [flags] OLD NEW
  cmap model apply [flags] NEW

Verbs:
  export    read a competency model (text, YAML, JSON or CASE) and write it
            as YAML or as a CASE 1.1 CFPackage
  check     show how the model reads: the hyphens joined at line ends, with
            their evidence, and anything suspicious
  diff      compare two revisions of a model: items added, removed,
            renamed, reworded, and with a crosswalk moved, split, merged,
            retired. Exit 0 with no change, 3 with changes
  apply     load a revised model over the active one in the database, with
            a crosswalk; --dry-run shows what it would do

Run 'cmap model VERB -h' (or 'cmap help model VERB') for the flags and
examples of a verb.

Examples:
  cmap help model export
`

// runModel runs `cmap model VERB ...`.
func runModel(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return runVerbs("cmap model", modelUsage, "missing verb", args, stdout, stderr, map[string]func([]string) int{
		"export": func(args []string) int { return runModelExport(ctx, args, stdout, stderr) },
		"check":  func(args []string) int { return runModelCheck(args, stdout, stderr) },
		"diff":   func(args []string) int { return runModelDiff(args, stdout, stderr) },
		"apply":  func(args []string) int { return runModelApply(ctx, args, stdout, stderr) },
	})
}

// modelExportHelp is the help of `cmap model export`.
const modelExportHelp = `Usage: cmap model export [flags] [FILE]

Reads a competency model and writes it as YAML, or with --format case as a
CASE 1.1 CFPackage (JSON) for a CASE tool such as OpenSALT. FILE is read
by its extension: .txt/.text (the customer's text format), .yaml/.yml or
.json (cmap's JSON shape, or a CASE CFPackage). Without FILE, the model is
the one file matching *competency-model.* in the seeds directory.

The CASE package has a CFDocument, a CFItem per competency (CFItemType
"Competency") and sub-competency ("Sub-competency") with the code as
humanCodingScheme, isChildOf associations for the tree and the scale of
--rules (its scale.yaml) as a CFRubric. Identifiers are UUIDs derived from
the model's name and the codes: exporting again gives the same file.

--with-alignments adds each active course's coverage: an isRelatedTo
association from the course (urn:cmap:course:CODE) to the sub-competency,
its level in the association's grouping ("Coverage at Advanced") and in
extensions.level. The coverage is the rules' over the catalogue, so the
model, the scale and the courses then come from the database, as 'cmap
serve' builds them (--data or --mongo-uri, --rules, --seeds), and FILE is
not allowed.

Examples:
  cmap model export
  cmap model export seeds/security-cooperation-competency-model.txt -o model.yaml
  cmap model export --format case -o security-cooperation.case.json
  cmap model export --format case --with-alignments --base-url https://cmap.example.org -o aligned.case.json
`

// runModelExport runs `cmap model export [flags] [FILE]`: it reads the
// model in FILE, by default the one model file in the seeds directory, and
// writes it as YAML or as a CASE package.
func runModelExport(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("cmap model export", flag.ContinueOnError)
	var state serveConfig
	fs.StringVar(&state.SeedsDir, "seeds", "seeds", "the seeds `DIR` to take the model from when no FILE is given ($CMAP_SEEDS)")
	fs.StringVar(&state.RulesDir, "rules", "rules", "case: the rule `DIR`: its scale.yaml is written as a CFRubric, and with --with-alignments its rules give the coverage ($CMAP_RULES)")
	addDatabaseFlags(fs, &state.DataDir, &state.MongoURI, "--with-alignments: the embedded database's `DIR` ($CMAP_DATA)")
	output := fs.String("o", "", "write to `FILE` instead of standard output")
	format := fs.String("format", "yaml", "write `FORMAT`: yaml, or case (a CASE 1.1 CFPackage)")
	withAlignments := fs.Bool("with-alignments", false, "case: add each active course's coverage as associations (reads the database)")
	baseURL := fs.String("base-url", "", "case: the `URL` cmap serves the CASE endpoints at, for the objects' uris (default: urn:uuid:ID)")
	creator := fs.String("creator", "", "case: the CFDocument's creator, a `NAME` (default: the model file's, when it is a CASE package; else cmap)")
	changed := fs.String("changed", "", "case: the lastChangeDateTime, an RFC 3339 `TIME` (default: the model file's own when it is a CASE package, else its modification time; with --with-alignments, the latest write of a course)")
	setUsage(fs, modelExportHelp)
	files, code, ok := parseFlagsEnv(fs, args, os.Getenv, stdout, stderr)
	if !ok {
		return code
	}
	if len(files) > 1 {
		return usageError(fs, stderr, "one model file at most, got %d", len(files))
	}
	if code, ok := checkFormat(fs, stderr, *format, "yaml", "case"); !ok {
		return code
	}
	if *format != "case" {
		for _, name := range []string{"with-alignments", "base-url", "creator", "changed"} {
			if given(fs)[name] {
				return usageError(fs, stderr, "--%s goes with --format case", name)
			}
		}
	}
	if *withAlignments && len(files) > 0 {
		return usageError(fs, stderr, "--with-alignments exports the database's model: no FILE")
	}
	opts := casefmt.Options{BaseURL: *baseURL, Creator: *creator}
	if *changed != "" {
		t, err := time.Parse(time.RFC3339, *changed)
		if err != nil {
			return usageError(fs, stderr, "--changed: %q is not an RFC 3339 time such as 2026-11-30T08:00:00Z", *changed)
		}
		opts.Changed = t
	}

	var model *domain.Framework
	if *withAlignments {
		// Only errors: the embedded database warns about what a
		// short-lived client does on exit.
		logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelError}))
		db, a, err := openState(ctx, state, logger, nil)
		if err != nil {
			fmt.Fprintf(stderr, "cmap model export: %v\n", err)
			return exitFail
		}
		v := a.View()
		model, opts.Scale = v.Framework(), v.Scale()
		opts.Alignments, err = casefmt.AlignmentsOf(v.Index())
		if closeErr := errors.Join(a.Close(), db.Close(context.WithoutCancel(ctx))); closeErr != nil {
			logger.Warn("closing the database", "error", closeErr)
		}
		if err != nil {
			fmt.Fprintf(stderr, "cmap model export: %v\n", err)
			return exitFail
		}
		if *changed == "" {
			opts.Changed = casefmt.LatestChange(opts.Alignments)
		}
	} else {
		path := ""
		if len(files) == 1 {
			path = files[0]
		} else {
			var err error
			if path, err = modelfile.FindModelFile(state.SeedsDir); err != nil {
				fmt.Fprintf(stderr, "cmap model export: %v\n", err)
				return exitFail
			}
		}
		data, err := os.ReadFile(path)
		if err != nil {
			fmt.Fprintf(stderr, "cmap model export: %v\n", err)
			return exitFail
		}
		if model, err = modelfile.Read(path, data); err != nil {
			fmt.Fprintln(stderr, err)
			return exitFail
		}
		if *format == "case" {
			if opts.Scale, err = engine.LoadScale(state.RulesDir); err != nil {
				fmt.Fprintf(stderr, "cmap model export: the scale: %v\n", err)
				return exitFail
			}
			caseDefaults(&opts, path, data, given(fs))
		}
	}

	var buf bytes.Buffer
	var err error
	if *format == "case" {
		var p *casefmt.Package
		if p, err = casefmt.Build(model, opts); err == nil {
			err = casefmt.Write(&buf, p)
		}
	} else {
		err = modelfile.WriteYAML(&buf, model)
	}
	if err != nil {
		fmt.Fprintf(stderr, "cmap model export: %v\n", err)
		return exitFail
	}
	if *output == "" {
		_, err = stdout.Write(buf.Bytes())
	} else {
		err = os.WriteFile(*output, buf.Bytes(), 0o644)
	}
	if err != nil {
		fmt.Fprintf(stderr, "cmap model export: %v\n", err)
		return exitFail
	}
	return exitOK
}

// given returns the names of the flags the command line set.
func given(fs *flag.FlagSet) map[string]bool {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	return set
}

// caseDefaults fills in the creator and date of a CASE export of the model
// file at path that the command line left out (set): from the CFDocument
// when the file is itself a CASE package, so that exporting an export
// gives the same file; else the date is the file's modification time.
func caseDefaults(opts *casefmt.Options, path string, data []byte, set map[string]bool) {
	if casefmt.IsPackage(data) {
		if p, err := casefmt.Decode(data); err == nil {
			if !set["creator"] && p.CFDocument.Creator != "" {
				opts.Creator = p.CFDocument.Creator
			}
			if t, err := time.Parse(time.RFC3339, p.CFDocument.LastChangeDateTime); err == nil && !set["changed"] {
				opts.Changed = t
				return
			}
		}
	}
	if info, err := os.Stat(path); err == nil && !set["changed"] {
		opts.Changed = info.ModTime()
	}
}

// parseInterspersed parses flags that may come before or after the
// positional arguments (`export FILE -o out.yaml`), which the flag package
// alone stops at, and returns the positional arguments. A "--" ends the
// flags as usual.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			return append(positional, rest...), nil // "--" ends the flags
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

const modelCheckHelp = `Usage: cmap model check [flags] [FILE]

Reads a competency model as every cmap command does and shows how it read:
the model, each hyphen at a line end that the text reader joined (kept as
in "End-Use" or dropped as in "infor-mation" -> "information"), with the
evidence that decided it, and anything suspicious. FILE is read by its
extension: .txt/.text (the customer's text format), .yaml/.yml or .json
(cmap's JSON shape, or a CASE CFPackage). Without FILE, the model is the
one file matching *competency-model.* in the seeds directory.

A line-end hyphen is decided by how the document spells the word elsewhere
(the more frequent spelling wins), else kept: a continuation that is not
lower case ("End-" / "Use") keeps it as a rule of thumb; a lower-case one
("risk-" / "based") keeps it only because no character is dropped without
evidence, and that is reported as suspicious. Also suspicious: a statement
that reads like two run together (a sentence ends, then a verb that starts
other statements of the model), which is how a line that lost its code
reads: the reader cannot invent the code, so the line joins the statement
above it.

Errors go to standard error as FILE:LINE:COL: message.

Exit status:
  0  the model reads; suspicions are printed, not failed (unless --strict)
  1  the model does not read (errors), the file cannot be read, or, with
     --strict, something is suspicious
  2  the command line is wrong

Examples:
  cmap model check
  cmap model check seeds/security-cooperation-competency-model.txt --strict
  cmap model check seeds/security-cooperation-competency-model.txt --format json
`

// runModelCheck runs `cmap model check [--format text|json] [--strict]
// [--seeds DIR] [FILE]`: it reads the model in FILE, by default the one
// model file in the seeds directory, and reports the model, the line-end
// hyphens the reader joined and anything suspicious.
func runModelCheck(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("cmap model check", flag.ContinueOnError)
	seeds := fs.String("seeds", "seeds", "the seeds `DIR` to take the model from when no FILE is given ($CMAP_SEEDS)")
	format := fs.String("format", "text", "output `FORMAT`: text or json")
	strict := fs.Bool("strict", false, "exit 1 when anything is suspicious, not only on errors")
	setUsage(fs, modelCheckHelp)
	files, code, ok := parseFlagsEnv(fs, args, os.Getenv, stdout, stderr)
	if !ok {
		return code
	}
	if code, ok := checkFormat(fs, stderr, *format, "text", "json"); !ok {
		return code
	}
	if len(files) > 1 {
		return usageError(fs, stderr, "one model file at most, got %d", len(files))
	}

	var path string
	var err error
	if len(files) == 1 {
		path = files[0]
	} else if path, err = modelfile.FindModelFile(*seeds); err != nil {
		fmt.Fprintf(stderr, "cmap model check: %v\n", err)
		return exitFail
	}
	r, err := modelfile.CheckFile(path)
	if err != nil {
		fmt.Fprintf(stderr, "cmap model check: %v\n", err)
		return exitFail
	}
	if *format == "json" {
		writeJSON(stdout, modelCheckJSON(r))
	} else {
		printModelCheck(stdout, r)
		if len(r.Errors) > 0 {
			printDiagnostics(stderr, r.Errors)
		}
	}
	if len(r.Errors) > 0 || (*strict && len(r.Suspicions) > 0) {
		return exitFail
	}
	return exitOK
}

// modelCheckJSON is the --format json form of a check report. Lists are
// empty, never null; model is null when the model does not read.
func modelCheckJSON(r *modelfile.Report) any {
	joins := r.Joins
	if joins == nil {
		joins = []modelfile.Join{}
	}
	return struct {
		File       string            `json:"file"`
		Model      *domain.Framework `json:"model"`
		Joins      []modelfile.Join  `json:"joins"`
		Suspicions []jsonDiagnostic  `json:"suspicions"`
		Errors     []jsonDiagnostic  `json:"errors"`
	}{r.File, r.Model, joins, jsonDiagnostics(r.Suspicions), jsonDiagnostics(r.Errors)}
}

// printModelCheck prints a check report as text: the model when it reads,
// the line-end hyphens joined, the suspicions, and a summary line.
func printModelCheck(w io.Writer, r *modelfile.Report) {
	if m := r.Model; m != nil {
		fmt.Fprintf(w, "%s\n\n", m.Name)
		for _, c := range m.Competencies {
			fmt.Fprintf(w, "%s %s\n    %s\n", c.Code, c.Title, c.Description)
			for _, s := range c.SubCompetencies {
				fmt.Fprintf(w, "  %s %s\n", s.Code, s.Statement)
			}
		}
		fmt.Fprintln(w)
	}
	if len(r.Joins) > 0 {
		fmt.Fprintln(w, "Line-end hyphens joined:")
		for _, j := range r.Joins {
			fmt.Fprintf(w, "  %s\n", j)
		}
		fmt.Fprintln(w)
	}
	if len(r.Suspicions) > 0 {
		fmt.Fprintln(w, "Suspicious:")
		for _, d := range r.Suspicions {
			fmt.Fprintf(w, "  %s\n", d.Error())
		}
		fmt.Fprintln(w)
	}
	read := fmt.Sprintf("does not read (%s)", count(len(r.Errors), "error"))
	if r.Model != nil {
		read = fmt.Sprintf("%s and %s read",
			count(len(r.Model.Competencies), "competency"), count(len(r.Model.SubCompetencyCodes()), "sub-competency"))
	}
	fmt.Fprintf(w, "%s: %s; %s joined, %s\n", r.File, read,
		count(len(r.Joins), "line-end hyphen"), count(len(r.Suspicions), "suspicion"))
}

// count spells n things: "1 suspicion", "2 suspicions", "3 competencies".
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	if stem, ok := strings.CutSuffix(noun, "y"); ok {
		return fmt.Sprintf("%d %sies", n, stem)
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
