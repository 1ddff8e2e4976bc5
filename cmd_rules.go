package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"

	"cmap/diag"
	"cmap/engine"
	"cmap/modelfile"
	"cmap/seed"
)

const rulesUsage = `Usage:
  cmap rules check [DIR] [--format text|json]
      Check every rule file in DIR (default: --rules) and report every
      problem as file:line:col. Exit 0 when clean, 1 with errors.
  cmap rules test [DIR] [--run REGEX] [--coverage] [--format text|json] [-v]
      Run the rule tests (*_test.yaml) beside the rules. Prints each failure,
      then "N passed, N failed". Exit 1 on a failure; with --coverage, list
      the rules no test exercised and exit 1 if there are any.
  cmap rules explain RULE (--course CODE | --position ID) [--format text|json]
      Show why a rule did or did not fire for a seeded course or position:
      the value of every sub-condition.

Flags common to all:
  --rules DIR   rule directory (env CMAP_RULES, default "rules")
  --seeds DIR   seed directory with the competency model and the sample
                catalogue (env CMAP_SEEDS, default "seeds")

Examples:
  cmap rules check rules/
  cmap rules test rules/ --coverage
  cmap rules explain pa-and-loa --course SCM-201
`

// runRules is the `cmap rules` verb.
func runRules(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stdout, rulesUsage)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	sub, args := args[0], args[1:]
	switch sub {
	case "check":
		return runRulesCheck(args, stdout, stderr)
	case "test":
		return runRulesTest(args, stdout, stderr)
	case "explain":
		return runRulesExplain(args, stdout, stderr)
	}
	fmt.Fprintf(stderr, "cmap rules: unknown command %q\n\n%s", sub, rulesUsage)
	return exitUsage
}

// rulesFlags are the flags every rules command takes.
type rulesFlags struct {
	fs     *flag.FlagSet
	rules  string
	seeds  string
	format string
}

func newRulesFlags(name string, stderr io.Writer) *rulesFlags {
	f := &rulesFlags{fs: flag.NewFlagSet("cmap rules "+name, flag.ContinueOnError)}
	f.fs.SetOutput(stderr)
	f.fs.StringVar(&f.rules, "rules", "rules", "rule directory ($CMAP_RULES)")
	f.fs.StringVar(&f.seeds, "seeds", "seeds", "seed directory: competency model, sample catalogue ($CMAP_SEEDS)")
	f.fs.StringVar(&f.format, "format", "text", "output format: text or json")
	f.fs.Usage = func() { fmt.Fprint(stderr, rulesUsage) }
	return f
}

// parse parses args, flags and positional arguments in any order, takes
// --rules and --seeds from the environment when args leave them out, and
// returns the positional arguments.
func (f *rulesFlags) parse(args []string, stderr io.Writer) ([]string, bool) {
	pos, err := parseInterspersed(f.fs, args)
	if err != nil {
		return nil, false
	}
	if err := flagsFromEnv(f.fs, os.Getenv); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", f.fs.Name(), err)
		return nil, false
	}
	if f.format != "text" && f.format != "json" {
		fmt.Fprintf(stderr, "cmap rules: --format must be text or json, not %q\n", f.format)
		return nil, false
	}
	return pos, true
}

// dirArg returns the one optional DIR argument, or the --rules default.
func (f *rulesFlags) dirArg(pos []string, stderr io.Writer) (string, bool) {
	switch len(pos) {
	case 0:
		return f.rules, true
	case 1:
		return pos[0], true
	}
	fmt.Fprintf(stderr, "cmap rules: one rule directory at most, got %s\n", strings.Join(pos, " "))
	return "", false
}

// jsonDiagnostic is a diagnostic in --format json.
type jsonDiagnostic struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Column  int    `json:"column"`
	Message string `json:"message"`
}

func jsonDiagnostics(l diag.List) []jsonDiagnostic {
	out := make([]jsonDiagnostic, len(l))
	for i, d := range l {
		out[i] = jsonDiagnostic{File: d.File, Line: d.Line, Column: d.Col, Message: d.Message}
	}
	return out
}

// printDiagnostics prints each problem as file:line:col: message, with its
// snippet, and a count.
func printDiagnostics(w io.Writer, l diag.List) {
	for _, d := range l {
		fmt.Fprintln(w, d.Error())
		if d.Snippet != "" {
			fmt.Fprintln(w, d.Snippet)
		}
	}
	noun := "errors"
	if len(l) == 1 {
		noun = "error"
	}
	fmt.Fprintf(w, "%d %s\n", len(l), noun)
}

func writeJSON(w io.Writer, v any) {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

// loadErrors turns a load error into diagnostics, or reports it plainly.
func loadErrors(err error) diag.List {
	if l := diag.AsList(err); l != nil {
		return l
	}
	return diag.List{{Message: err.Error()}}
}

func runRulesCheck(args []string, stdout, stderr io.Writer) int {
	f := newRulesFlags("check", stderr)
	pos, ok := f.parse(args, stderr)
	if !ok {
		return exitUsage
	}
	dir, ok := f.dirArg(pos, stderr)
	if !ok {
		return exitUsage
	}
	fw, err := loadFramework(f.seeds)
	if err != nil {
		fmt.Fprintf(stderr, "cmap rules check: %v\n", err)
		return exitFail
	}
	rs, err := engine.LoadRuleSet(dir, fw)
	if f.format == "json" {
		out := struct {
			Errors   []jsonDiagnostic `json:"errors"`
			Rules    int              `json:"rules"`
			Revision string           `json:"revision,omitempty"`
		}{Errors: []jsonDiagnostic{}}
		if err != nil {
			out.Errors = jsonDiagnostics(loadErrors(err))
		} else {
			out.Rules, out.Revision = len(rs.Rules()), rs.Revision()
		}
		writeJSON(stdout, out)
	} else if err != nil {
		printDiagnostics(stderr, loadErrors(err))
	} else {
		courses := 0
		for _, r := range rs.Rules() {
			if r.Kind == engine.KindCourse {
				courses++
			}
		}
		fmt.Fprintf(stdout, "%s: %d rules (%d course, %d position), revision %s: no problems\n",
			dir, len(rs.Rules()), courses, len(rs.Rules())-courses, rs.Revision())
	}
	if err != nil {
		return exitFail
	}
	return exitOK
}

// loadFramework reads the competency model in the seed directory.
func loadFramework(seeds string) (*engine.Framework, error) {
	p, err := modelfile.FindModelFile(seeds)
	if err != nil {
		return nil, err
	}
	return modelfile.ReadFile(p)
}

// seedFixtures resolves the records that rule tests and explain name.
type seedFixtures struct {
	courses   map[string]*engine.Course
	positions map[string]*engine.Position
}

func newSeedFixtures(ds *seed.Dataset) *seedFixtures {
	f := &seedFixtures{courses: map[string]*engine.Course{}, positions: map[string]*engine.Position{}}
	for i := range ds.Courses {
		f.courses[ds.Courses[i].Code] = &ds.Courses[i]
	}
	for i := range ds.Positions {
		f.positions[ds.Positions[i].ID] = &ds.Positions[i]
	}
	return f
}

func (f *seedFixtures) Course(code string) (*engine.Course, bool) {
	c, ok := f.courses[code]
	return c, ok
}

func (f *seedFixtures) Position(id string) (*engine.Position, bool) {
	p, ok := f.positions[id]
	return p, ok
}

// loadSeededRules loads the seed data set and the rules checked against
// its framework, printing any problem.
func loadSeededRules(cmd, dir, seeds string, stderr io.Writer) (*engine.RuleSet, *seedFixtures, bool) {
	ds, err := seed.Load(seeds)
	if err != nil {
		fmt.Fprintf(stderr, "cmap rules %s: seeds: %v\n", cmd, err)
		return nil, nil, false
	}
	rs, err := engine.LoadRuleSet(dir, ds.Framework)
	if err != nil {
		printDiagnostics(stderr, loadErrors(err))
		return nil, nil, false
	}
	return rs, newSeedFixtures(ds), true
}

func runRulesTest(args []string, stdout, stderr io.Writer) int {
	f := newRulesFlags("test", stderr)
	coverage := f.fs.Bool("coverage", false, "list the rules no test exercised; fail if any")
	run := f.fs.String("run", "", "run only the tests whose name matches this regular expression")
	verbose := f.fs.Bool("v", false, "list passing tests too")
	pos, ok := f.parse(args, stderr)
	if !ok {
		return exitUsage
	}
	dir, ok := f.dirArg(pos, stderr)
	if !ok {
		return exitUsage
	}
	var opts engine.TestOptions
	if *run != "" {
		re, err := regexp.Compile(*run)
		if err != nil {
			fmt.Fprintf(stderr, "cmap rules test: --run: %v\n", err)
			return exitUsage
		}
		opts.Run = re
	}
	rs, fixtures, ok := loadSeededRules("test", dir, f.seeds, stderr)
	if !ok {
		return exitFail
	}
	opts.Fixtures = fixtures
	report, err := rs.RunTestsDir(dir, opts)
	if err != nil {
		printDiagnostics(stderr, loadErrors(err))
		return exitFail
	}
	if f.format == "json" {
		if !*coverage {
			report.Unexercised = nil
		}
		writeJSON(stdout, report)
	} else {
		printTestReport(stdout, report, *coverage, *verbose)
	}
	if report.Failed > 0 || (*coverage && len(report.Unexercised) > 0) {
		return exitFail
	}
	return exitOK
}

func printTestReport(w io.Writer, r *engine.TestReport, coverage, verbose bool) {
	for _, t := range r.Results {
		if t.Passed {
			if verbose {
				fmt.Fprintf(w, "PASS %s:%d: %s\n", t.File, t.Line, t.Name)
			}
			continue
		}
		fmt.Fprintf(w, "FAIL %s:%d: %s (%s)\n", t.File, t.Line, t.Name, t.Subject)
		for _, f := range t.Failures {
			fmt.Fprintf(w, "    %s\n", f)
		}
	}
	if coverage {
		if len(r.Unexercised) == 0 {
			fmt.Fprintln(w, "coverage: every rule is exercised by a test")
		} else {
			fmt.Fprintf(w, "coverage: %d rules no test exercised:\n", len(r.Unexercised))
			for _, ref := range r.Unexercised {
				fmt.Fprintf(w, "    %s:%d: %s\n", ref.File, ref.Line, ref.ID)
			}
		}
	}
	fmt.Fprintf(w, "%d passed, %d failed\n", r.Passed, r.Failed)
}

func runRulesExplain(args []string, stdout, stderr io.Writer) int {
	f := newRulesFlags("explain", stderr)
	course := f.fs.String("course", "", "code of a seeded course")
	position := f.fs.String("position", "", "id of a seeded position")
	pos, ok := f.parse(args, stderr)
	if !ok {
		return exitUsage
	}
	if len(pos) != 1 || (*course == "") == (*position == "") {
		fmt.Fprintf(stderr, "cmap rules explain: give one RULE and one of --course CODE, --position ID\n")
		return exitUsage
	}
	rs, fixtures, ok := loadSeededRules("explain", f.rules, f.seeds, stderr)
	if !ok {
		return exitFail
	}
	var e *engine.Explanation
	var err error
	if *course != "" {
		c, found := fixtures.Course(*course)
		if !found {
			fmt.Fprintf(stderr, "cmap rules explain: no seeded course %q\n", *course)
			return exitFail
		}
		e, err = rs.ExplainCourse(pos[0], c)
	} else {
		p, found := fixtures.Position(*position)
		if !found {
			fmt.Fprintf(stderr, "cmap rules explain: no seeded position %q\n", *position)
			return exitFail
		}
		e, err = rs.ExplainPosition(pos[0], p)
	}
	if err != nil {
		fmt.Fprintf(stderr, "cmap rules explain: %s\n", engine.ErrorMessage(err))
		if engine.ErrorCode(err) == engine.EINVALID {
			return exitUsage
		}
		return exitFail
	}
	if f.format == "json" {
		writeJSON(stdout, e)
	} else {
		fmt.Fprint(stdout, e.Text())
	}
	return exitOK
}
