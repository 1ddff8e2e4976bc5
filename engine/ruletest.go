package engine

import (
	"cmap/domain"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
	yamlast "github.com/goccy/go-yaml/ast"

	"cmap/diag"
	"cmap/yamldiag"
)

// Rule tests live beside the rules, in files named *_test.yaml, in the
// spirit of `opa test`:
//
//	tests:
//	  - name: an estimating course covers 4.C at its tier
//	    course:                      # an inline fixture...
//	      code: SCM-201
//	      title: FMS Case Estimating
//	      objectives: [Prepare price and availability data.]
//	    expect: {4.C: Intermediate}  # facts expected, at exactly that level
//	    absent: [4.D, 6.*]           # facts expected absent
//	  - name: the seeded key SCO billet
//	    position: POS-0001           # ...or a seeded record, by key
//	    expect: {1.A-1.E: Advanced}
//
// An inline course with no status is active. Codes may be ranges and
// whole competencies, as in rules.

// Fixtures finds the seeded records that rule tests name by key. The
// engine does not read seeds itself; the caller (the CLI, a test) does.
type Fixtures interface {
	Course(code string) (*domain.Course, bool)
	Position(id string) (*domain.Position, bool)
}

// TestOptions tune RunTests. The zero value runs every test, with no
// seeded records.
type TestOptions struct {
	// Run, if set, runs only the tests whose name it matches.
	Run *regexp.Regexp
	// Fixtures resolves seeded records; nil means tests may not name any.
	Fixtures Fixtures
}

// TestResult is the outcome of one rule test.
type TestResult struct {
	Name string `json:"name"`
	File string `json:"file"`
	Line int    `json:"line"`
	// Subject is "course CODE" or "position ID".
	Subject string `json:"subject"`
	Passed  bool   `json:"passed"`
	// Failures say, one per line, what was expected and what came out.
	Failures []string `json:"failures,omitempty"`
	// Duration is how long the test took to run (in JSON, nanoseconds).
	Duration time.Duration `json:"duration"`
}

// TestReport is the outcome of a test run.
type TestReport struct {
	Results []TestResult `json:"tests"`
	Passed  int          `json:"passed"`
	Failed  int          `json:"failed"`
	// Unexercised are the rules no test that ran made fire (to give a
	// fact or to exclude), in rule order.
	Unexercised []domain.RuleRef `json:"unexercised"`
	// Duration is how long the tests took to run, all together.
	Duration time.Duration `json:"duration"`
}

// RunTestsDir runs the rule tests in directory dir against rs, naming
// files as LoadRuleSet does.
func (rs *RuleSet) RunTestsDir(dir string, opts TestOptions) (*TestReport, error) {
	return rs.RunTests(os.DirFS(dir), filepath.ToSlash(filepath.Clean(dir)), opts)
}

// RunTests runs the rule tests (*_test.yaml) of fsys against rs. File
// names are path.Join(name, path in fsys). A problem in a test file (bad
// YAML, unknown keys or codes, a seeded record that does not exist) is an
// error: a diag.List of every such problem, and no test runs.
func (rs *RuleSet) RunTests(fsys fs.FS, name string, opts TestOptions) (*TestReport, error) {
	var files []string
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && p != "." && strings.HasPrefix(d.Name(), ".") {
			return fs.SkipDir
		}
		if !d.IsDir() && isTestFile(p) {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return nil, domain.Errorf(domain.EINVALID, "read rule tests: %v", err)
	}
	fixtures := opts.Fixtures
	if fixtures == nil {
		fixtures = noFixtures{}
	}
	var tests []*ruleTest
	var diags diag.List
	for _, rel := range files {
		data, err := fs.ReadFile(fsys, rel)
		if err != nil {
			return nil, domain.Errorf(domain.EINVALID, "read rule tests: %v", err)
		}
		f := newYAMLFile(path.Join(name, rel), data)
		tests = append(tests, rs.parseTestFile(f, fixtures)...)
		diags = append(diags, f.diags...)
	}
	if err := diags.Err(); err != nil {
		return nil, err
	}
	report := &TestReport{Results: []TestResult{}, Unexercised: []domain.RuleRef{}}
	exercised := map[*Rule]bool{}
	e := rs.getEvaluator()
	defer rs.putEvaluator(e)
	began := time.Now()
	for _, t := range tests {
		if opts.Run != nil && !opts.Run.MatchString(t.name) {
			continue
		}
		start := time.Now()
		res := TestResult{Name: t.name, File: t.pos.File, Line: t.pos.Line}
		var got map[string]fact
		var o *outcome
		if t.course != nil {
			res.Subject = "course " + t.course.Code
			o = e.course(t.course)
			got = factsOf(o.coverage(t.course.Code))
		} else {
			res.Subject = "position " + t.position.ID
			v := newPositionView(t.position)
			o = e.position(&v, nil, 0)
			got = factsOf(o.requirements(t.position.ID))
		}
		for _, r := range o.fired {
			exercised[r] = true
		}
		if o.err != nil {
			res.Failures = append(res.Failures, "error: "+o.err.Error())
		}
		res.Failures = append(res.Failures, t.compare(got)...)
		res.Passed = len(res.Failures) == 0
		res.Duration = time.Since(start)
		if res.Passed {
			report.Passed++
		} else {
			report.Failed++
		}
		report.Results = append(report.Results, res)
	}
	report.Duration = time.Since(began)
	for _, r := range rs.rules {
		if !exercised[r] {
			report.Unexercised = append(report.Unexercised, r.Ref())
		}
	}
	return report, nil
}

// noFixtures stands for Fixtures when the caller has no seeded records.
type noFixtures struct{}

// Course finds no course.
func (noFixtures) Course(string) (*domain.Course, bool) { return nil, false }

// Position finds no position.
func (noFixtures) Position(string) (*domain.Position, bool) { return nil, false }

// fact is a derived fact as a test sees it.
type fact struct {
	level string
	rules []string
}

// factsOf indexes coverage or requirements by sub-competency code.
func factsOf[T domain.Coverage | domain.Requirement](facts []T) map[string]fact {
	out := map[string]fact{}
	for _, f := range facts {
		sub, ft := factOf(f)
		out[sub] = ft
	}
	return out
}

// factOf is the sub-competency of a coverage or requirement and its fact.
func factOf[T domain.Coverage | domain.Requirement](f T) (string, fact) {
	var sub, lv string
	var refs []domain.RuleRef
	switch f := any(f).(type) {
	case domain.Coverage:
		sub, lv, refs = f.SubCompetency, f.Level, f.Rules
	case domain.Requirement:
		sub, lv, refs = f.SubCompetency, f.Level, f.Rules
	}
	ids := make([]string, len(refs))
	for i, r := range refs {
		ids[i] = r.ID
	}
	return sub, fact{level: lv, rules: ids}
}

type ruleTest struct {
	name     string
	pos      diag.Pos
	course   *domain.Course
	position *domain.Position
	// expect are the facts expected, in file order; absent the codes
	// expected to have none.
	expect []Yield
	absent []string
}

// compare returns what differs between the expected facts and got.
func (t *ruleTest) compare(got map[string]fact) []string {
	var out []string
	for _, y := range t.expect {
		g, ok := got[y.SubCompetency]
		switch {
		case !ok:
			out = append(out, fmt.Sprintf("%s: expected %s, got nothing", y.SubCompetency, y.Level))
		case g.level != y.Level:
			out = append(out, fmt.Sprintf("%s: expected %s, got %s (rules: %s)", y.SubCompetency, y.Level, g.level, strings.Join(g.rules, ", ")))
		}
	}
	for _, code := range t.absent {
		if g, ok := got[code]; ok {
			out = append(out, fmt.Sprintf("%s: expected absent, got %s (rules: %s)", code, g.level, strings.Join(g.rules, ", ")))
		}
	}
	return out
}

func (rs *RuleSet) parseTestFile(f *yamlFile, fixtures Fixtures) []*ruleTest {
	body := f.parse()
	if body == nil {
		return nil
	}
	entries, ok := f.mapping(body, "a rule test file")
	if !ok {
		return nil
	}
	var tests []*ruleTest
	names := map[string]diag.Pos{}
	for _, mv := range entries {
		if keyOf(mv) != "tests" {
			f.unknownKey(mv, "a rule test file", ruleTestFileKeys)
			continue
		}
		items, ok := f.sequence(mv.Value, "tests")
		if !ok {
			continue
		}
		for _, it := range items {
			t := rs.parseTest(f, it, fixtures)
			if t == nil {
				continue
			}
			if prev, dup := names[t.name]; dup {
				f.add(t.pos, "duplicate test name %q (first at line %d)", t.name, prev.Line)
				continue
			}
			names[t.name] = t.pos
			tests = append(tests, t)
		}
	}
	return tests
}

func (rs *RuleSet) parseTest(f *yamlFile, n yamlast.Node, fixtures Fixtures) *ruleTest {
	entries, ok := f.mapping(n, "a test")
	if !ok {
		return nil
	}
	t := &ruleTest{pos: f.nodePos(n)}
	before := len(f.diags)
	subjects, expectations := 0, 0
	for _, mv := range entries {
		switch keyOf(mv) {
		case "name":
			t.name, _ = f.str(mv.Value, "name")
		case "course":
			subjects++
			t.course = fixture(f, mv.Value, "course", fixtures.Course)
			if t.course != nil && t.course.Status == "" {
				t.course.Status = domain.CourseActive
			}
		case "position":
			subjects++
			t.position = fixture(f, mv.Value, "position", fixtures.Position)
		case "expect":
			expectations++
			entries, ok := f.mapping(mv.Value, "expect")
			if !ok {
				continue
			}
			for _, e := range entries {
				codes := rs.testCodes(f, e.Key)
				lv, ok := f.str(e.Value, "a level")
				if !ok {
					continue
				}
				canon, ok := rs.scale.Canonical(lv)
				if !ok || lv == "" {
					f.nodeErrorf(e.Value, "unknown level %q (the scale has %s)", lv, strings.Join(rs.scale.Levels, ", "))
					continue
				}
				for _, c := range codes {
					t.expect = append(t.expect, Yield{SubCompetency: c, Level: canon})
				}
			}
		case "absent":
			expectations++
			items, ok := f.sequence(mv.Value, "absent")
			if !ok {
				continue
			}
			for _, it := range items {
				t.absent = append(t.absent, rs.testCodes(f, it)...)
			}
		default:
			f.unknownKey(mv, "a test", testKeys)
		}
	}
	if t.name == "" {
		f.add(t.pos, "test has no name")
	}
	if subjects != 1 {
		f.add(t.pos, "test %q needs exactly one of course: and position:", t.name)
	}
	if expectations == 0 {
		f.add(t.pos, "test %q expects nothing: give expect: or absent:", t.name)
	}
	if len(f.diags) > before || (t.course == nil && t.position == nil) {
		return nil
	}
	return t
}

// testCodes expands a code, range or competency of a test.
func (rs *RuleSet) testCodes(f *yamlFile, n yamlast.Node) []string {
	spec, ok := f.str(n, "a sub-competency code")
	if !ok {
		return nil
	}
	codes, msg := expandCodes(rs.fw, spec)
	if msg != "" {
		// A test that names a former code tests what the model no longer
		// has: an error, with the crosswalk's suggestion.
		if fc, _, ok := rs.formerSpec(strings.TrimSpace(spec)); ok {
			msg = rs.formerMessage(fc)
		}
		f.nodeErrorf(n, "%s", msg)
	}
	return codes
}

// fixture reads a test's subject: a mapping of fields, or the key of a
// seeded record that lookup finds.
func fixture[T any](f *yamlFile, n yamlast.Node, kind string, lookup func(string) (*T, bool)) *T {
	if key, ok := scalar(n); ok {
		rec, found := lookup(key)
		if !found {
			f.nodeErrorf(n, "no seeded %s %q", kind, key)
			return nil
		}
		c := *rec
		return &c
	}
	rec := new(T)
	if err := yaml.NodeToValue(n, rec, yaml.DisallowUnknownField()); err != nil {
		d := yamldiag.Error(f.name, err)
		if d.Line == 0 {
			d.Pos = f.nodePos(n)
		}
		f.add(d.Pos, "%s: %s", kind, d.Message)
		return nil
	}
	return rec
}
