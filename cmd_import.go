package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"cmap/analysis"
	"cmap/app"
	"cmap/diag"
	"cmap/importer"
)

const importUsage = `Usage: cmap import FILE... [flags]

Imports courses, positions, people and completions from CSV (.csv), Excel
workbooks (.xlsx: every sheet), JSON (.json) and YAML (.yaml, .yml), in the
layouts of the seed files (seeds/README.md): courses.yaml's fields, and
the headers of positions.csv, people.csv and completions.csv. A file's
kind is its name's (courses.csv, People.json) or its columns'; a sheet's
its name's or its header's. Headers match case- and space-insensitively
("Position ID", position_id and positionId are one column); --map names
others. Dates are read in ISO form (2023-04-17), as M/D/YYYY, D.M.YYYY,
17-Apr-2023, and as spreadsheet date cells.

Records match on their natural key (course code, position id, person id;
a completion on person, course and date): new ones are created, changed
ones updated (a column the file lacks keeps the stored value), identical
ones left alone. Nothing is deleted unless --prune.

First the plan: how many records are created, updated, unchanged and
rejected, each rejection as file:line:col (file:Sheet!B7 in a workbook),
every problem at once, and what the import does to coverage, gaps and
readiness. An import with any rejection writes nothing. Otherwise it is
made all or nothing: a crash part way is finished from the import's
journal at the next start. Running the same import again changes nothing.

The database is --data's (the embedded one) or --mongo-uri's, as for
serve; an empty one gets the competency model of --seeds and none of its
sample records. Do not import into the --data folder of a running
server: give its database with --mongo-uri (its log names the URI), or
import over GraphQL (importCatalogue for courses and positions,
importRecords for people and completions).

Exit 0 when the import was made or changes nothing, 1 on rejections or
errors, 2 for a wrong command line; with --dry-run, 3 when the import
would change something (as 'cmap rules diff' does).

Examples:
  cmap import seeds/courses.yaml seeds/positions.csv seeds/people.csv seeds/completions.csv
  cmap import testdata/import/billets.csv --dry-run
  cmap import testdata/import/training.csv --dry-run --map 'Employee ID=person_id' --map 'Course=course_code' --map 'Date=completed'
`

// importConfig is the configuration of `cmap import`.
type importConfig struct {
	state  serveConfig
	files  []string
	dryRun bool
	prune  bool
	format string
	maps   map[string][]string
}

// mapFlags collects --map values.
type mapFlags []string

func (m *mapFlags) String() string     { return strings.Join(*m, ", ") }
func (m *mapFlags) Set(v string) error { *m = append(*m, v); return nil }

func parseImportFlags(args []string, getenv func(string) string, stdout, stderr io.Writer) (c importConfig, code int, ok bool) {
	fs := flag.NewFlagSet("cmap import", flag.ContinueOnError)
	fs.BoolVar(&c.dryRun, "dry-run", false, "print the plan and write nothing")
	fs.BoolVar(&c.prune, "prune", false, "delete the stored records of each kind the files hold that they do not list")
	fs.StringVar(&c.format, "format", "text", "print the plan as `FORMAT`: text or json")
	var maps mapFlags
	fs.Var(&maps, "map", "read the column `'Header=column'` as that column ('Header=-' leaves it out); repeat for several, and name a header twice to map it to a column of each kind ('Employee ID=id' for people, 'Employee ID=person_id' for completions)")
	c.state.addStateFlags(fs)
	setUsage(fs, importUsage)
	pos, code, ok := parseFlags(fs, args, stdout, stderr)
	if !ok {
		return c, code, false
	}
	if len(pos) == 0 {
		return c, usageError(fs, stderr, "name the files to import"), false
	}
	c.files = pos
	if code, ok := checkFormat(fs, stderr, c.format, "text", "json"); !ok {
		return c, code, false
	}
	var err error
	if c.maps, err = importer.ParseMap(maps); err != nil {
		return c, usageError(fs, stderr, "--map: %v", err), false
	}
	if err := flagsFromEnv(fs, getenv); err != nil {
		return c, usageError(fs, stderr, "%v", err), false
	}
	c.state.ModelOnly = true
	return c, exitOK, true
}

// runImport runs `cmap import`.
func runImport(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	c, code, ok := parseImportFlags(args, os.Getenv, stdout, stderr)
	if !ok {
		return code
	}
	var files []importer.File
	for _, name := range c.files {
		data, err := os.ReadFile(name)
		if err != nil {
			fmt.Fprintf(stderr, "cmap import: %v\n", err)
			return exitFail
		}
		files = append(files, importer.File{Name: filepath.ToSlash(name), Data: data})
	}
	batch, problems := importer.Read(files, importer.Options{Map: c.maps})
	if len(problems) > 0 {
		// The files themselves are wrong: no need for the database.
		report := importReport{Files: c.files, Rejections: problems.Sort(), Ignored: batch.Ignored}
		report.print(c.format, stdout)
		return exitFail
	}

	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	db, a, err := openState(ctx, c.state, logger, nil)
	if err != nil {
		fmt.Fprintf(stderr, "cmap import: %v\n", err)
		return exitFail
	}
	defer func() {
		if err := errors.Join(a.Close(), db.Close(context.WithoutCancel(ctx))); err != nil {
			logger.Warn("closing the database", "error", err)
		}
	}()
	opts := importer.PlanOptions{Prune: c.prune}
	var plan *app.ImportPlan
	if c.dryRun {
		plan, err = a.PlanImport(batch, opts)
	} else {
		bar := newProgress(stderr)
		plan, err = a.Import(ctx, batch, opts, bar.update)
		bar.finish()
	}
	if err != nil {
		fmt.Fprintf(stderr, "cmap import: %v\n", err)
		return exitFail
	}
	report := reportOf(plan, c.dryRun)
	report.print(c.format, stdout)
	switch {
	case len(plan.Rejections) > 0:
		return exitFail
	case c.dryRun && plan.Changed():
		return exitChanges
	}
	return exitOK
}

// importReport is the plan as cmap import prints it.
type importReport struct {
	Files       []string             `json:"files"`
	DryRun      bool                 `json:"dryRun"`
	Courses     importer.Counts      `json:"courses"`
	Positions   importer.Counts      `json:"positions"`
	People      importer.Counts      `json:"people"`
	Completions importer.Counts      `json:"completions"`
	Rejections  diag.List            `json:"rejections"`
	Ignored     []string             `json:"ignored,omitempty"`
	Impact      *analysis.Comparison `json:"impact,omitempty"`
	// Applied reports that the import was made; Journal names its journal
	// and audit entry.
	Applied bool   `json:"applied"`
	Journal string `json:"journal,omitempty"`
	Writes  int    `json:"writes"`
	// Times says where the time went, in seconds.
	Times importTimes `json:"seconds"`
}

// importTimes are app.ImportTimes in seconds, for JSON readers.
type importTimes struct {
	Check   float64 `json:"check"`
	Predict float64 `json:"predict"`
	Journal float64 `json:"journal"`
	Apply   float64 `json:"apply"`
	State   float64 `json:"state"`
}

func reportOf(p *app.ImportPlan, dryRun bool) importReport {
	r := importReport{Files: p.Files, DryRun: dryRun, Courses: p.Courses, Positions: p.Positions, People: p.People,
		Completions: p.Completions, Rejections: p.Rejections, Ignored: p.Ignored, Impact: p.Impact,
		Applied: p.Applied, Journal: p.Journal, Writes: len(p.Ops),
		Times: importTimes{Check: p.Times.Check.Seconds(), Predict: p.Times.Predict.Seconds(), Journal: p.Times.Journal.Seconds(),
			Apply: p.Times.Apply.Seconds(), State: p.Times.State.Seconds()}}
	if r.Rejections == nil {
		r.Rejections = diag.List{}
	}
	return r
}

// print writes the report as text or JSON.
func (r importReport) print(format string, w io.Writer) {
	if format == "json" {
		writeJSON(w, r)
		return
	}
	fmt.Fprintf(w, "%-12s %8s %8s %10s %8s %9s\n", "", "created", "updated", "unchanged", "deleted", "rejected")
	for _, k := range []struct {
		name string
		n    importer.Counts
	}{{"courses", r.Courses}, {"positions", r.Positions}, {"people", r.People}, {"completions", r.Completions}} {
		fmt.Fprintf(w, "%-12s %8d %8d %10d %8d %9d\n", k.name, k.n.Created, k.n.Updated, k.n.Unchanged, k.n.Deleted, k.n.Rejected)
	}
	for _, ig := range r.Ignored {
		fmt.Fprintf(w, "ignored: %s\n", ig)
	}
	if len(r.Rejections) > 0 {
		fmt.Fprintln(w)
		printDiagnostics(w, r.Rejections)
		fmt.Fprintln(w, "nothing imported: fix the rejected rows and run the import again")
		return
	}
	if imp := r.Impact; imp != nil {
		fmt.Fprintln(w, "\nimpact:")
		writeImpact(w, imp)
	}
	fmt.Fprintln(w)
	switch {
	case r.Writes == 0:
		fmt.Fprintln(w, "nothing to import: every record is as stored")
	case r.DryRun:
		fmt.Fprintf(w, "dry run: %s would be written; nothing was\n", recordCount(r.Writes))
	case r.Applied:
		fmt.Fprintf(w, "imported: %s written (import %s); %.1f s: plan %.1f, impact %.1f, journal %.1f, writes %.1f, new state %.1f\n",
			recordCount(r.Writes), r.Journal, r.Times.Check+r.Times.Predict+r.Times.Journal+r.Times.Apply+r.Times.State,
			r.Times.Check, r.Times.Predict, r.Times.Journal, r.Times.Apply, r.Times.State)
	}
}

// writeImpact writes what an import changes in coverage, gaps and
// readiness.
func writeImpact(w io.Writer, imp *analysis.Comparison) {
	fmt.Fprintf(w, "  courses %d -> %d (active %d -> %d), positions %d -> %d, people %d -> %d\n",
		imp.Courses.Before, imp.Courses.After, imp.ActiveCourses.Before, imp.ActiveCourses.After,
		imp.Positions.Before, imp.Positions.After, imp.People.Before, imp.People.After)
	fmt.Fprintf(w, "  gaps (sub-competency levels no active course reaches): %d -> %d\n", imp.Uncovered.Before, imp.Uncovered.After)
	fmt.Fprintf(w, "  positions whose every requirement an active course meets: %d -> %d\n",
		imp.MeetablePositions.Before, imp.MeetablePositions.After)
	fmt.Fprintf(w, "  people ready: %d -> %d; their gaps: %d -> %d; readiness changed for %d (%d now ready, %d no longer)\n",
		imp.Ready.Before, imp.Ready.After, imp.Gaps.Before, imp.Gaps.After, imp.ReadinessChanged, imp.BecameReady, imp.BecameUnready)
	for _, s := range imp.SubCompetencies {
		line := fmt.Sprintf("  %-5s highest %s -> %s, courses %d -> %d, people's gaps %d -> %d",
			s.SubCompetency, orNone(s.HighestBefore), orNone(s.HighestAfter), s.Courses.Before, s.Courses.After,
			s.PersonGaps.Before, s.PersonGaps.After)
		if len(s.GapsClosed) > 0 {
			line += ", gaps closed at " + strings.Join(s.GapsClosed, ", ")
		}
		if len(s.GapsOpened) > 0 {
			line += ", gaps opened at " + strings.Join(s.GapsOpened, ", ")
		}
		fmt.Fprintln(w, line)
	}
}

// recordCount says n records.
func recordCount(n int) string {
	if n == 1 {
		return "1 record"
	}
	return fmt.Sprintf("%d records", n)
}

func orNone(level string) string {
	if level == "" {
		return "none"
	}
	return level
}

// progress draws a progress bar of an import's writes on a terminal, once
// the import has run for a second; elsewhere it draws nothing.
type progress struct {
	w     *os.File // nil: not a terminal
	start time.Time
	bar   *progressbar.ProgressBar
}

// progressDelay is how long an import runs before its bar appears.
const progressDelay = time.Second

func newProgress(w io.Writer) *progress {
	p := &progress{start: time.Now()}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.w = f
	}
	return p
}

// update shows done of total writes.
func (p *progress) update(done, total int) {
	if p.w == nil || time.Since(p.start) < progressDelay {
		return
	}
	if p.bar == nil {
		p.bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(p.w), progressbar.OptionSetDescription("importing"),
			progressbar.OptionShowCount(), progressbar.OptionSetPredictTime(true), progressbar.OptionClearOnFinish(),
			progressbar.OptionThrottle(100*time.Millisecond))
	}
	_ = p.bar.Set(done)
}

// finish removes the bar, if any.
func (p *progress) finish() {
	if p.bar != nil {
		_ = p.bar.Finish()
	}
}
