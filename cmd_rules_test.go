package main

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"cmap/engine"
	"cmap/seed"
)

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestRulesCheckShippedRules(t *testing.T) {
	code, stdout, stderr := runCmd(t, "rules", "check", "rules")
	if code != exitOK || !regexp.MustCompile(`^rules: \d+ rules \(\d+ course, \d+ position\), revision [0-9a-f]{12}: no problems\n$`).MatchString(stdout) {
		t.Errorf("exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
}

// The acceptance case: a misspelled field, a wrong type and an unknown
// code give exactly three file:line:col errors at the right characters.
func TestRulesCheckReportsEveryProblem(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"courses/sales.yaml": `rules:
  - id: estimating
    course: mentions("price and availability") && course.hourz > 8
    covers: {4.C: Intermediate}
  - id: long-courses
    course: course.hours > "forty"
    covers: {4.Z: Basic}
`})
	code, stdout, stderr := runCmd(t, "rules", "check", dir)
	f := filepath.ToSlash(dir) + "/courses/sales.yaml"
	want := f + `:3:58: unknown field course.hourz (did you mean course.hours?)
 |     course: mentions("price and availability") && course.hourz > 8
 |                                                          ^
` + f + `:6:26: invalid operation: > (mismatched types float64 and string)
 |     course: course.hours > "forty"
 |                          ^
` + f + `:7:14: unknown sub-competency 4.Z
 |     covers: {4.Z: Basic}
 |              ^
3 errors
`
	if code != exitFail || stdout != "" || stderr != want {
		t.Errorf("exit %d\nstdout: %s\nstderr:\n%s\nwant:\n%s", code, stdout, stderr, want)
	}

	code, stdout, _ = runCmd(t, "rules", "check", "--format", "json", dir)
	var out struct {
		Errors []struct {
			File    string `json:"file"`
			Line    int    `json:"line"`
			Column  int    `json:"column"`
			Message string `json:"message"`
		} `json:"errors"`
	}
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		t.Fatalf("json: %v\n%s", err, stdout)
	}
	if code != exitFail || len(out.Errors) != 3 || out.Errors[2].File != f || out.Errors[2].Line != 7 || out.Errors[2].Column != 14 {
		t.Errorf("exit %d, json %+v", code, out)
	}
}

// The rules verbs take --rules and --seeds from CMAP_RULES and CMAP_SEEDS
// as serve does, a flag winning over its variable; after "--" everything
// is an argument, even what looks like a flag.
func TestRulesFlagsFromEnvironment(t *testing.T) {
	broken := t.TempDir()
	writeFiles(t, broken, map[string]string{"courses/x.yaml": "rules:\n  - id: x\n    course: course.hourz > 1\n    covers: {4.C: Basic}\n"})
	t.Setenv("CMAP_RULES", broken)
	t.Setenv("CMAP_SEEDS", "no-such-seeds")
	if code, _, stderr := runCmd(t, "rules", "check", "--seeds", "seeds"); code != exitFail || !strings.Contains(stderr, "course.hourz") {
		t.Errorf("rules check with CMAP_RULES of broken rules: exit %d, stderr:\n%s", code, stderr)
	}
	if code, stdout, stderr := runCmd(t, "rules", "check", "--rules", "rules", "--seeds", "seeds"); code != exitOK {
		t.Errorf("--rules over CMAP_RULES: exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	if code, _, stderr := runCmd(t, "rules", "check", "--rules", "rules"); code != exitFail || !strings.Contains(stderr, "no-such-seeds") {
		t.Errorf("rules check with CMAP_SEEDS of a missing directory: exit %d, stderr:\n%s", code, stderr)
	}
	if code, _, stderr := runCmd(t, "rules", "check", "--seeds", "seeds", "--", "rules", "--format", "json"); code != exitUsage {
		t.Errorf("arguments after --: exit %d, want %d (three directories); stderr:\n%s", code, exitUsage, stderr)
	}
}

func TestRulesTestShippedRules(t *testing.T) {
	code, stdout, stderr := runCmd(t, "rules", "test", "rules", "--coverage")
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	last := lines[len(lines)-1]
	m := regexp.MustCompile(`^(\d+) passed, 0 failed$`).FindStringSubmatch(last)
	if code != exitOK || m == nil || m[1] == "0" || !strings.Contains(stdout, "coverage: every rule is exercised by a test") {
		t.Errorf("exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
}

func TestRulesTestFailuresAndCoverage(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"scale.yaml": "name: S\nlevels: [Basic, Intermediate, Advanced, Expert]\n",
		"r.yaml": `rules:
  - id: estimating
    course: mentions("price and availability")
    covers: {4.C: tier}
  - id: untested
    position: position.keyBillet
    requires: {1.A: Basic}
`,
		"r_test.yaml": `tests:
  - name: the seeded estimating course
    course: SCM-201
    expect: {4.C: Advanced}
  - name: an inline course
    course: {code: SCM-101, title: Price and availability}
    expect: {4.C: Basic}
`,
	})
	code, stdout, _ := runCmd(t, "rules", "test", dir, "--coverage")
	d := filepath.ToSlash(dir)
	want := "FAIL " + d + `/r_test.yaml:2: the seeded estimating course (course SCM-201, DURATION)
    4.C: expected Advanced, got Intermediate (rules: estimating)
coverage: 1 rules no test exercised:
    ` + d + `/r.yaml:5: untested
1 passed, 1 failed
`
	if code != exitFail || maskDurations(stdout) != want {
		t.Errorf("exit %d\nstdout:\n%s\nwant:\n%s", code, stdout, want)
	}
	code, stdout, _ = runCmd(t, "rules", "test", dir, "--run", "inline", "--format", "json")
	var report engine.TestReport
	if err := json.Unmarshal([]byte(stdout), &report); err != nil {
		t.Fatal(err)
	}
	if code != exitOK || report.Passed != 1 || report.Failed != 0 || len(report.Results) != 1 {
		t.Errorf("exit %d, report %+v", code, report)
	}
}

func TestRulesExplain(t *testing.T) {
	code, stdout, stderr := runCmd(t, "rules", "explain", "4c-price-and-availability", "--course", "SCM-201")
	if code != exitOK || !strings.HasPrefix(stdout, "rule 4c-price-and-availability (rules/courses/4-sales-and-transfers.yaml:") ||
		!strings.Contains(stdout, "for course SCM-201: fired") || !strings.Contains(stdout, `has phrase "price and availability"`) ||
		!strings.Contains(stdout, "yields: 4.C tier (Intermediate)") {
		t.Errorf("exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	code, stdout, _ = runCmd(t, "rules", "explain", "sco-key-billet-senior", "--position", "POS-0001", "--format", "json")
	var e engine.Explanation
	if err := json.Unmarshal([]byte(stdout), &e); err != nil || code != exitOK || !e.Fired || len(e.Condition.Children) != 2 {
		t.Errorf("exit %d, %v, explanation %+v", code, err, e)
	}
	if code, _, stderr := runCmd(t, "rules", "explain", "no-such-rule", "--course", "SCM-201"); code != exitFail || !strings.Contains(stderr, `rule "no-such-rule" not found`) {
		t.Errorf("unknown rule: exit %d, %s", code, stderr)
	}
	if code, _, _ := runCmd(t, "rules", "explain", "sco-key-billet-senior", "--course", "SCM-201"); code != exitUsage {
		t.Errorf("wrong kind: exit %d", code)
	}
	if code, _, stderr := runCmd(t, "rules", "explain", "sco-core", "--position", "POS-9999"); code != exitFail || !strings.Contains(stderr, "no seeded position") {
		t.Errorf("unknown position: exit %d, %s", code, stderr)
	}
}

// loadShipped loads the sample catalogue and the shipped rules.
func loadShipped(t testing.TB) (*seed.Dataset, *engine.RuleSet) {
	t.Helper()
	ds, err := seed.Load("seeds")
	if err != nil {
		t.Fatal(err)
	}
	rs, err := engine.LoadRuleSet("rules", ds.Framework)
	if err != nil {
		t.Fatal(err)
	}
	return ds, rs
}

func pointers[T any](xs []T) []*T {
	out := make([]*T, len(xs))
	for i := range xs {
		out[i] = &xs[i]
	}
	return out
}

// Every one of the framework's sub-competencies is covered by at least one
// active sample course under the shipped rules.
func TestShippedRulesCoverEverySubCompetency(t *testing.T) {
	ds, rs := loadShipped(t)
	d, err := rs.DeriveAll(pointers(ds.Courses), pointers(ds.Positions))
	if err != nil {
		t.Fatal(err)
	}
	covered := map[string]bool{}
	for _, c := range ds.Courses {
		for _, f := range d.Coverage[c.Code] {
			if c.Active() { // retired courses keep their facts, but do not count here
				covered[f.SubCompetency] = true
			}
		}
	}
	codes := ds.Framework.SubCompetencyCodes()
	for _, code := range codes {
		if !covered[code] {
			t.Errorf("no active course covers %s", code)
		}
	}
	if len(codes) != 58 {
		t.Errorf("the framework has %d sub-competencies, want 58", len(codes))
	}
	for _, p := range ds.Positions {
		if len(d.Requirements[p.ID]) == 0 {
			t.Errorf("position %s has no requirements", p.ID)
		}
	}
}

// The shipped rules give exactly the coverage that seeds/CATALOGUE.md, an
// independent account written with the catalogue, says each course
// teaches, at its tier: active courses in the map's column of active
// courses, retired ones in its last column (a retired course keeps the
// facts of what it teaches).
func TestShippedRulesAgreeWithTheCatalogueMap(t *testing.T) {
	ds, rs := loadShipped(t)
	f, err := os.Open("seeds/CATALOGUE.md")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	row := regexp.MustCompile(`^\| (\d\.[A-Z]) \|.*\| (.*) \| (.*) \|$`)
	entry := regexp.MustCompile(`([A-Z]+-\d+) \((\w+)\)`)
	retired := regexp.MustCompile(`[A-Z]+-\d+`)
	tiers := map[byte]string{'1': "Basic", '2': "Intermediate", '3': "Advanced", '4': "Expert"}
	want := map[string][]string{} // course -> "SUB Level"
	rows := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		m := row.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		rows++
		for _, e := range entry.FindAllStringSubmatch(m[2], -1) {
			want[e[1]] = append(want[e[1]], m[1]+" "+e[2])
		}
		for _, code := range retired.FindAllString(m[3], -1) {
			want[code] = append(want[code], m[1]+" "+tiers[code[strings.IndexByte(code, '-')+1]])
		}
	}
	if rows != 58 {
		t.Fatalf("read %d rows from CATALOGUE.md, want 58", rows)
	}
	for _, c := range ds.Courses {
		cov, err := rs.CourseCoverage(&c)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, f := range cov {
			got = append(got, f.SubCompetency+" "+f.Level)
		}
		w := want[c.Code]
		slices.Sort(w)
		if !slices.Equal(got, w) {
			t.Errorf("%s (%s): rules give %v, CATALOGUE.md says %v", c.Code, c.Status, got, w)
		}
	}
}

// The whole shipped rule set over the whole sample catalogue.
func BenchmarkShippedRuleSet(b *testing.B) {
	ds, rs := loadShipped(b)
	courses, positions := pointers(ds.Courses), pointers(ds.Positions)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := rs.DeriveAll(courses, positions); err != nil {
			b.Fatal(err)
		}
	}
}
