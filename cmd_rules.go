package main

import (
	"cmap/domain"
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
  cmap rules check [flags] [DIR]
      Check every rule file in DIR (default: --rules): every problem as
      file:line:col. Exit 0 when clean, 1 with errors.
  cmap rules test [flags] [DIR]
      Run the rule tests (*_test.yaml) beside the rules: each failure, then
      "N passed, N failed". Exit 1 on a failure.
  cmap rules explain [flags] RULE (--course CODE | --position ID)
      Show why a rule fires or not for a seeded course or position: the
      value of every sub-condition.
  cmap rules lint [flags] [DIR]
      Find rules that load but look wrong on the catalogue: rules that
      never fire, redundant rules, fragile coverage... Exit 1 on a finding.
  cmap rules fmt [flags] [DIR|FILE...]
      Rewrite rule files in the canonical layout, keeping comments; with
      --check, list the files not in it. Exit 1 if --check lists any.
  cmap rules diff [flags] [BASE] [HEAD]
      Plan a rule change: the facts, gaps, demand, positions, people and
      organizations it changes. Exit 0 with no change, 3 with changes.
  cmap rules suggest [flags]
      Suggest mappings the rules may have missed: the courses whose text
      matches a sub-competency's statement that no rule maps to it.

Run 'cmap rules VERB -h' (or 'cmap help rules VERB') for the flags and
examples of a verb.

Examples:
  cmap rules check
  cmap help rules explain
`

// runRules is the `cmap rules` verb.
func runRules(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return runVerbs("cmap rules", rulesUsage, "missing verb: check, test, explain, lint, fmt, diff or suggest", args, stdout, stderr, map[string]func([]string) int{
		"check":   func(args []string) int { return runRulesCheck(args, stdout, stderr) },
		"test":    func(args []string) int { return runRulesTest(args, stdout, stderr) },
		"explain": func(args []string) int { return runRulesExplain(args, stdout, stderr) },
		"lint":    func(args []string) int { return runRulesLint(ctx, args, stdout, stderr) },
		"fmt":     func(args []string) int { return runRulesFmt(args, stdout, stderr) },
		"diff":    func(args []string) int { return runRulesDiff(ctx, args, stdout, stderr) },
		"suggest": func(args []string) int { return runRulesSuggest(ctx, args, stdout, stderr) },
	})
}

// rulesFlags are the flags every rules command takes.
type rulesFlags struct {
	fs     *flag.FlagSet
	rules  string
	seeds  string
	format string
	// formats are the values --format takes: text and json, unless set.
	formats []string
}

// newRulesFlags returns the flags of `cmap rules NAME`, whose help is
// usage and then the flags.
func newRulesFlags(name, usage string) *rulesFlags {
	f := &rulesFlags{fs: flag.NewFlagSet("cmap rules "+name, flag.ContinueOnError)}
	f.fs.StringVar(&f.rules, "rules", "rules", "read the rule files from `DIR` ($CMAP_RULES)")
	f.fs.StringVar(&f.seeds, "seeds", "seeds", "read the competency model and the sample catalogue from `DIR` ($CMAP_SEEDS)")
	f.fs.StringVar(&f.format, "format", "text", "write `FORMAT`: text or json")
	setUsage(f.fs, usage)
	return f
}

// parse parses args, flags and positional arguments in any order, takes
// --rules and --seeds from the environment when args leave them out, and
// returns the positional arguments. When ok is false the command stops
// with code: help was asked for (0) or the command line is wrong (2).
func (f *rulesFlags) parse(args []string, stdout, stderr io.Writer) (pos []string, code int, ok bool) {
	pos, code, ok = parseFlagsEnv(f.fs, args, os.Getenv, stdout, stderr)
	if !ok {
		return nil, code, false
	}
	formats := f.formats
	if formats == nil {
		formats = []string{"text", "json"}
	}
	if code, ok := checkFormat(f.fs, stderr, f.format, formats...); !ok {
		return nil, code, false
	}
	return pos, exitOK, true
}

// dirArg returns the one optional DIR argument, or the --rules default.
func (f *rulesFlags) dirArg(pos []string, stderr io.Writer) (string, int, bool) {
	switch len(pos) {
	case 0:
		return f.rules, exitOK, true
	case 1:
		return pos[0], exitOK, true
	}
	return "", usageError(f.fs, stderr, "one rule directory at most, got %s", strings.Join(pos, " ")), false
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
func printDiagnostics(w io.Writer, l diag.List) { printNoted(w, l, "error") }

// printNoted prints each diagnostic as file:line:col: message, with its
// snippet, and a count of them as nouns: "3 warnings".
func printNoted(w io.Writer, l diag.List, noun string) {
	for _, d := range l {
		fmt.Fprintln(w, d.Error())
		if d.Snippet != "" {
			fmt.Fprintln(w, d.Snippet)
		}
	}
	fmt.Fprintln(w, count(len(l), noun))
}

func writeJSON(w io.Writer, v any) {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

// printProblems ends a line that names what failed to load: with the
// diagnostics of err on the lines below when it has some, or with err.
func printProblems(w io.Writer, err error) {
	if l := diag.AsList(err); l != nil {
		fmt.Fprintln(w)
		printDiagnostics(w, l)
		return
	}
	fmt.Fprintln(w, err)
}

// loadErrors turns a load error into diagnostics, or reports it plainly.
func loadErrors(err error) diag.List {
	if l := diag.AsList(err); l != nil {
		return l
	}
	return diag.List{{Message: err.Error()}}
}

const rulesCheckUsage = `Usage: cmap rules check [flags] [DIR]

Checks every rule file in DIR (default: --rules) against the competency
model and the scale in DIR/scale.yaml, and reports every problem at once,
each as file:line:col with the line and a caret under the fault.

The model is the one in --seeds; with --data or --mongo-uri, the active
revision of the model in that database; with --model, a revised model
about to be applied over the one in --seeds, with the crosswalk in
--crosswalk. Under a revised model, a rule that names a code the revision
no longer has (retired, or moved to another code by a crosswalk) is
reported as a warning with the crosswalk's suggestion ("4.C was retired in
revision 2; the crosswalk maps it to 4.M"): the entry yields nothing until
it is updated. A code no revision had is an error.

--format sarif writes SARIF 2.1.0 for GitHub code scanning and editors:
errors as results of the rule check-error (level error), warnings of
stale-code (level warning), each at its file:line:col, files relative to
the working directory.

Exit 0 when the rules are clean, 1 with errors or warnings.

Examples:
  cmap rules check
  cmap rules check rules --format json
  cmap rules check --format sarif
  cmap rules check --model testdata/revision/revision-2-competency-model.yaml --crosswalk testdata/revision/crosswalk.yaml
`

func runRulesCheck(args []string, stdout, stderr io.Writer) int {
	f := newRulesFlags("check", rulesCheckUsage)
	f.formats = []string{"text", "json", "sarif"}
	f.fs.Lookup("format").Usage = "write `FORMAT`: text, json or sarif (SARIF 2.1.0, for code scanning)"
	var db catalogueFlags
	db.addFlags(f.fs)
	model := f.fs.String("model", "", "check against the revised model in `FILE`, as if applied over the one in --seeds")
	crosswalk := f.fs.String("crosswalk", "", "with --model: the crosswalk from the model in --seeds to it, in `FILE`")
	pos, code, ok := f.parse(args, stdout, stderr)
	if !ok {
		return code
	}
	dir, code, ok := f.dirArg(pos, stderr)
	if !ok {
		return code
	}
	switch {
	case *crosswalk != "" && *model == "":
		return usageError(f.fs, stderr, "--crosswalk goes with --model")
	case *model != "" && (db.data != "" || db.mongoURI != ""):
		return usageError(f.fs, stderr, "--model checks against a model file; --data and --mongo-uri against a database: give one or the other")
	}
	fw, ok := db.framework(f.seeds, *model, *crosswalk, stderr)
	if !ok {
		if f.format == "sarif" {
			log := newSarifLog()
			log.fail("the competency model did not load (the standard error says why)")
			writeJSON(stdout, log)
		}
		return exitFail
	}
	rs, err := engine.LoadRuleSet(dir, fw)
	var warnings diag.List
	if err == nil {
		warnings = rs.Warnings()
	}
	switch f.format {
	case "sarif":
		log := newSarifLog()
		if err != nil {
			log.addAll(sarifCheckError, "error", loadErrors(err))
		}
		log.addAll(sarifStaleCode, "warning", warnings)
		writeJSON(stdout, log)
	case "json":
		out := struct {
			Errors   []jsonDiagnostic `json:"errors"`
			Warnings []jsonDiagnostic `json:"warnings"`
			Rules    int              `json:"rules"`
			Revision string           `json:"revision,omitempty"`
		}{Errors: []jsonDiagnostic{}, Warnings: jsonDiagnostics(warnings)}
		if err != nil {
			out.Errors = jsonDiagnostics(loadErrors(err))
		} else {
			out.Rules, out.Revision = len(rs.Rules()), rs.Revision()
		}
		writeJSON(stdout, out)
	default:
		if err != nil {
			printDiagnostics(stderr, loadErrors(err))
			break
		}
		courses := 0
		for _, r := range rs.Rules() {
			if r.Kind == engine.KindCourse {
				courses++
			}
		}
		problems := "no problems"
		if len(warnings) > 0 {
			problems = fmt.Sprintf("%s naming codes revision %d of the model no longer has", count(len(warnings), "entry"), fw.Revision)
			printNoted(stderr, warnings, "warning")
		}
		fmt.Fprintf(stdout, "%s: %d rules (%d course, %d position), revision %s: %s\n",
			dir, len(rs.Rules()), courses, len(rs.Rules())-courses, rs.Revision(), problems)
	}
	if err != nil || len(warnings) > 0 {
		return exitFail
	}
	return exitOK
}

// framework returns the model rules check checks against: the active
// revision in the database when c names one; the revised model in the
// file model, revised from the one in seeds with the crosswalk in the
// file crosswalk (none when ""), when model is given; the model in seeds
// otherwise. It prints what went wrong when ok is false.
func (c catalogueFlags) framework(seeds, model, crosswalk string, stderr io.Writer) (*domain.Framework, bool) {
	if c.data != "" || c.mongoURI != "" {
		fw, err := c.activeFramework(context.Background(), stderr)
		if err != nil {
			fmt.Fprintf(stderr, "cmap rules check: the database: %v\n", err)
		}
		return fw, err == nil
	}
	if model == "" {
		fw, err := loadFramework(seeds)
		if err != nil {
			fmt.Fprintf(stderr, "cmap rules check: the competency model in %s: ", seeds)
			printProblems(stderr, err)
		}
		return fw, err == nil
	}
	seedsModel, err := modelfile.FindModelFile(seeds)
	if err != nil {
		fmt.Fprintf(stderr, "cmap rules check: %v\n", err)
		return nil, false
	}
	old, next, cw, ok := readRevisionFiles(seedsModel, model, crosswalk, "cmap rules check", stderr)
	if !ok {
		return nil, false
	}
	rev, err := domain.Revise(old, next, cw)
	if err != nil {
		fmt.Fprintf(stderr, "cmap rules check: %v\n", err)
		return nil, false
	}
	return rev.Framework, true
}

// loadFramework reads the competency model in the seed directory.
func loadFramework(seeds string) (*domain.Framework, error) {
	p, err := modelfile.FindModelFile(seeds)
	if err != nil {
		return nil, err
	}
	return modelfile.ReadFile(p)
}

// seedFixtures resolves the records that rule tests and explain name.
type seedFixtures struct {
	courses   map[string]*domain.Course
	positions map[string]*domain.Position
}

func newSeedFixtures(ds *seed.Dataset) *seedFixtures {
	f := &seedFixtures{courses: map[string]*domain.Course{}, positions: map[string]*domain.Position{}}
	for i := range ds.Courses {
		f.courses[ds.Courses[i].Code] = &ds.Courses[i]
	}
	for i := range ds.Positions {
		f.positions[ds.Positions[i].ID] = &ds.Positions[i]
	}
	return f
}

func (f *seedFixtures) Course(code string) (*domain.Course, bool) {
	c, ok := f.courses[code]
	return c, ok
}

func (f *seedFixtures) Position(id string) (*domain.Position, bool) {
	p, ok := f.positions[id]
	return p, ok
}

// loadSeededRules loads the seed data set and the rules checked against
// its framework, printing any problem.
func loadSeededRules(cmd, dir, seeds string, stderr io.Writer) (*engine.RuleSet, *seedFixtures, bool) {
	ds, err := seed.Load(seeds)
	if err != nil {
		fmt.Fprintf(stderr, "cmap rules %s: the seeds in %s: ", cmd, seeds)
		printProblems(stderr, err)
		return nil, nil, false
	}
	rs, err := engine.LoadRuleSet(dir, ds.Framework)
	if err != nil {
		printDiagnostics(stderr, loadErrors(err))
		return nil, nil, false
	}
	return rs, newSeedFixtures(ds), true
}

const rulesTestUsage = `Usage: cmap rules test [flags] [DIR]

Runs the rule tests (*_test.yaml) beside the rules in DIR (default:
--rules). A test names a record of the sample catalogue in --seeds, or
writes one inline, and lists the facts expected and those expected absent.
Prints each failure with what was expected, what came out and how long
the test took, then "N passed, N failed" (-v lists passing tests too).
Exit 1 on a failure; with --coverage it also lists the rules no test
exercised, and exits 1 if there are any. --format json gives each test
with its duration in nanoseconds; --format junit writes JUnit XML for CI
(a testsuite per test file, a testcase per test with its file, line and
time, a failure with what differs).

Examples:
  cmap rules test
  cmap rules test rules --coverage
  cmap rules test --run 'key billet' -v
  cmap rules test --run 'key billet below' --format junit
`

func runRulesTest(args []string, stdout, stderr io.Writer) int {
	f := newRulesFlags("test", rulesTestUsage)
	f.formats = []string{"text", "json", "junit"}
	f.fs.Lookup("format").Usage = "write `FORMAT`: text, json or junit (JUnit XML)"
	coverage := f.fs.Bool("coverage", false, "list the rules no test exercised; fail if any")
	run := f.fs.String("run", "", "run only the tests whose name matches the regular expression `REGEX`")
	verbose := f.fs.Bool("v", false, "list passing tests too")
	pos, code, ok := f.parse(args, stdout, stderr)
	if !ok {
		return code
	}
	dir, code, ok := f.dirArg(pos, stderr)
	if !ok {
		return code
	}
	var opts engine.TestOptions
	if *run != "" {
		re, err := regexp.Compile(*run)
		if err != nil {
			return usageError(f.fs, stderr, "--run: %v", err)
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
	switch f.format {
	case "json":
		if !*coverage {
			report.Unexercised = nil
		}
		writeJSON(stdout, report)
	case "junit":
		writeJUnit(stdout, report, *coverage)
	default:
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
				fmt.Fprintf(w, "PASS %s:%d: %s (%s)\n", t.File, t.Line, t.Name, testDuration(t.Duration))
			}
			continue
		}
		fmt.Fprintf(w, "FAIL %s:%d: %s (%s, %s)\n", t.File, t.Line, t.Name, t.Subject, testDuration(t.Duration))
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

const rulesExplainUsage = `Usage: cmap rules explain [flags] RULE (--course CODE | --position ID)

Shows why the rule RULE fires or not for a course or a position of the
sample catalogue in --seeds: the value of every sub-condition, where it
is in the rule file, and the facts the rule yields (or would yield). A
course rule explains a course, a position rule a position.

Examples:
  cmap rules explain 4c-price-and-availability --course SCM-201
  cmap rules explain sco-key-billet-senior --position POS-0004
  cmap rules explain sco-core --position POS-0001 --format json
`

func runRulesExplain(args []string, stdout, stderr io.Writer) int {
	f := newRulesFlags("explain", rulesExplainUsage)
	course := f.fs.String("course", "", "explain for the seeded course `CODE`")
	position := f.fs.String("position", "", "explain for the seeded position `ID`")
	pos, code, ok := f.parse(args, stdout, stderr)
	if !ok {
		return code
	}
	if len(pos) != 1 || (*course == "") == (*position == "") {
		return usageError(f.fs, stderr, "give one RULE and one of --course CODE, --position ID")
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
	if domain.ErrorCode(err) == domain.EINVALID {
		return usageError(f.fs, stderr, "%s", domain.ErrorMessage(err))
	}
	if err != nil {
		fmt.Fprintf(stderr, "cmap rules explain: %s\n", domain.ErrorMessage(err))
		return exitFail
	}
	if f.format == "json" {
		writeJSON(stdout, e)
	} else {
		fmt.Fprint(stdout, e.Text())
	}
	return exitOK
}
