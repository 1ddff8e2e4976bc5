package main

import (
	"cmap/domain"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"cmap/diag"
	"cmap/engine"
	"cmap/seed"
)

const rulesLintUsage = `Usage: cmap rules lint [flags] [DIR]

Lints the rules in DIR (default: --rules) on a catalogue: finds what loads
without error but looks wrong once the rules meet the records. The
catalogue is the sample one in --seeds, or the records of a database with
--data or --mongo-uri, opened as 'cmap export' opens it (an empty database
is seeded from --seeds first; lint writes nothing else). Each finding is
printed as file:line:col with its code, the line and a caret.

Checks (engine/lint.go defines each precisely):
%s
Silence findings with a lint: key, with the reason, on a rule (its
findings) or as a top-level key of a rule file (the findings about all its
rules, and about positions):

    lint:
      ignore: [L006]
      reason: Trade shows are taught by one course on purpose.

--format sarif writes SARIF 2.1.0 for GitHub code scanning and editors:
each finding a result of the rule of its code (the rules carry the
descriptions above in full), at level warning, or note for the checks
of a fragile catalogue (%s); rule files that do not load
give results of check-error (level error). Files are relative to the
working directory.

Exit 0 with no findings, 1 with findings or errors, 2 on a wrong command
line.

Examples:
  cmap rules lint
  cmap rules lint testdata/lint
  cmap rules lint testdata/lint --format json
  cmap rules lint testdata/lint --format sarif
`

// lintNoteCodes lists the codes of the checks at level note, for the
// help: "L006, L007, L008".
func lintNoteCodes() string {
	var codes []string
	for _, c := range engine.LintChecks {
		if c.Level == engine.LintNote {
			codes = append(codes, string(c.Code))
		}
	}
	return strings.Join(codes, ", ")
}

// lintCheckList lists the lint checks for the help.
func lintCheckList() string {
	var b strings.Builder
	for _, c := range engine.LintChecks {
		fmt.Fprintf(&b, "  %s %-15s %s\n", c.Code, c.Name, c.Summary)
	}
	return b.String()
}

// lintCatalogue is what lint judges rules on.
type lintCatalogue struct {
	framework *domain.Framework
	courses   []*domain.Course
	positions []*domain.Position
	// positionPos locates positions in their source, when it is a file.
	positionPos func(id string) diag.Pos
}

func runRulesLint(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	f := newRulesFlags("lint", fmt.Sprintf(rulesLintUsage, lintCheckList(), lintNoteCodes()))
	f.formats = []string{"text", "json", "sarif"}
	f.fs.Lookup("format").Usage = "write `FORMAT`: text, json or sarif (SARIF 2.1.0, for code scanning)"
	var db serveConfig
	f.fs.StringVar(&db.DataDir, "data", "", "lint on the records of the embedded database in `DIR` ($CMAP_DATA)")
	f.fs.StringVar(&db.MongoURI, "mongo-uri", "", "lint on the records of the MongoDB at `URI` ($CMAP_MONGO_URI)")
	pos, code, ok := f.parse(args, stdout, stderr)
	if !ok {
		return code
	}
	dir, code, ok := f.dirArg(pos, stderr)
	if !ok {
		return code
	}
	db.SeedsDir = f.seeds
	var cat *lintCatalogue
	var err error
	if db.DataDir != "" || db.MongoURI != "" {
		cat, err = databaseCatalogue(ctx, db, stderr)
	} else {
		cat, err = seedCatalogue(f.seeds)
	}
	sarif := f.format == "sarif"
	if err != nil {
		if sarif {
			log := newSarifLog()
			log.fail("reading the catalogue: " + err.Error())
			writeJSON(stdout, log)
		}
		fmt.Fprintf(stderr, "cmap rules lint: ")
		printProblems(stderr, err)
		return exitFail
	}
	rs, err := engine.LoadRuleSet(dir, cat.framework)
	if err != nil {
		if sarif {
			log := newSarifLog()
			log.addAll(sarifCheckError, "error", loadErrors(err))
			writeJSON(stdout, log)
			return exitFail
		}
		printDiagnostics(stderr, loadErrors(err))
		return exitFail
	}
	report, lintErr := rs.Lint(cat.courses, cat.positions, engine.LintOptions{PositionPos: cat.positionPos})
	sources := newSourceCache()
	switch f.format {
	case "sarif":
		writeJSON(stdout, sarifLintLog(report, lintErr))
	case "json":
		writeJSON(stdout, jsonLintReport(report, lintErr))
	default:
		for _, finding := range report.Findings {
			d := sources.snippet(finding.Diagnostic)
			d.Message = string(finding.Code) + " " + lintName(finding.Code) + ": " + d.Message
			fmt.Fprintln(stdout, d.Error())
			if d.Snippet != "" {
				fmt.Fprintln(stdout, d.Snippet)
			}
		}
		if lintErr != nil {
			fmt.Fprintf(stderr, "cmap rules lint: rules failed at run time (treated as not firing):\n%v\n", lintErr)
		}
		found := "no findings"
		if n := len(report.Findings); n > 0 {
			found = plural(n, "finding")
		}
		fmt.Fprintf(stdout, "%s: %s (%d silenced) on %s and %s\n", dir, found, report.Silenced,
			plural(report.Courses, "course"), plural(report.Positions, "position"))
	}
	if len(report.Findings) > 0 || lintErr != nil {
		return exitFail
	}
	return exitOK
}

// plural says n nouns: "1 finding", "2 findings".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// lintName returns the name of the check of code.
func lintName(code engine.LintCode) string {
	if c := engine.LintCheckOf(code); c != nil {
		return c.Name
	}
	return ""
}

// sarifLintLog is the lint report in SARIF: a result per finding, at the
// level of its check; rules that failed at run time as notifications.
func sarifLintLog(r *engine.LintReport, lintErr error) *sarifLog {
	log := newSarifLog()
	for _, f := range r.Findings {
		level := engine.LintWarning // a code of no check: not one of Lint's
		if c := engine.LintCheckOf(f.Code); c != nil {
			level = c.Level
		}
		log.add(string(f.Code), string(level), f.Diagnostic)
	}
	if lintErr != nil {
		for _, line := range strings.Split(lintErr.Error(), "\n") {
			log.notify("warning", "a rule failed at run time (treated as not firing): "+line)
		}
	}
	return log
}

// jsonLintFinding is a finding in --format json.
type jsonLintFinding struct {
	Code    engine.LintCode `json:"code"`
	Name    string          `json:"name"`
	File    string          `json:"file,omitempty"`
	Line    int             `json:"line,omitempty"`
	Column  int             `json:"column,omitempty"`
	Rule    string          `json:"rule,omitempty"`
	Message string          `json:"message"`
}

func jsonLintReport(r *engine.LintReport, lintErr error) any {
	out := struct {
		Findings  []jsonLintFinding `json:"findings"`
		Silenced  int               `json:"silenced"`
		Rules     int               `json:"rules"`
		Courses   int               `json:"courses"`
		Positions int               `json:"positions"`
		Errors    []string          `json:"errors,omitempty"`
	}{Findings: []jsonLintFinding{}, Silenced: r.Silenced, Rules: r.Rules, Courses: r.Courses, Positions: r.Positions}
	for _, f := range r.Findings {
		out.Findings = append(out.Findings, jsonLintFinding{
			Code: f.Code, Name: lintName(f.Code), File: f.File, Line: f.Line, Column: f.Col, Rule: f.Rule, Message: f.Message,
		})
	}
	if lintErr != nil {
		out.Errors = strings.Split(lintErr.Error(), "\n")
	}
	return out
}

// seedCatalogue reads the catalogue of the seeds folder dir; positions
// are located at their rows of its positions file.
func seedCatalogue(dir string) (*lintCatalogue, error) {
	ds, err := seed.Load(dir)
	if err != nil {
		return nil, fmt.Errorf("the seeds in %s: %w", dir, err)
	}
	cat := &lintCatalogue{framework: ds.Framework}
	cat.courses = domain.Refs(ds.Courses)
	cat.positions = domain.Refs(ds.Positions)
	rows, err := csvRows(filepath.Join(dir, seed.PositionsFile))
	if err != nil {
		return nil, err
	}
	cat.positionPos = func(id string) diag.Pos { return rows[id] }
	return cat, nil
}

// csvRows returns where each row of the CSV file at path starts, by the
// value of its first column.
func csvRows(path string) (map[string]diag.Pos, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	r := csv.NewReader(strings.NewReader(string(data)))
	r.FieldsPerRecord = -1
	rows := map[string]diag.Pos{}
	name := filepath.ToSlash(path)
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return rows, nil
		}
		if err != nil {
			return nil, err
		}
		if len(rec) > 0 {
			line, col := r.FieldPos(0)
			rows[rec[0]] = diag.Pos{File: name, Line: line, Col: col}
		}
	}
}

// databaseCatalogue reads the catalogue of the database of cfg, opened
// as 'cmap export' opens it; it writes nothing but the seeds of an empty
// database.
func databaseCatalogue(ctx context.Context, cfg serveConfig, stderr io.Writer) (*lintCatalogue, error) {
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	db, fw, err := openDatabase(ctx, cfg, logger)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err := db.Close(context.WithoutCancel(ctx)); err != nil {
			logger.Warn("closing the database", "error", err)
		}
	}()
	courses, err := db.ListCourses(ctx, domain.CourseFilter{}, domain.Page{})
	if err != nil {
		return nil, fmt.Errorf("reading the courses: %w", err)
	}
	positions, err := db.ListPositions(ctx, domain.PositionFilter{}, domain.Page{})
	if err != nil {
		return nil, fmt.Errorf("reading the positions: %w", err)
	}
	return &lintCatalogue{framework: fw, courses: courses.Items, positions: positions.Items}, nil
}

// sourceCache reads source files once, to cut snippets from them.
type sourceCache map[string][]byte

func newSourceCache() sourceCache { return sourceCache{} }

// snippet returns d with the snippet of its line, when its file reads.
func (c sourceCache) snippet(d diag.Diagnostic) diag.Diagnostic {
	if d.File == "" {
		return d
	}
	src, ok := c[d.File]
	if !ok {
		src, _ = os.ReadFile(filepath.FromSlash(d.File))
		c[d.File] = src
	}
	if src == nil {
		return d
	}
	return d.WithSnippet(src)
}
