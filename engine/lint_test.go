package engine

import (
	"cmap/domain"
	"slices"
	"strings"
	"testing"

	"cmap/diag"
)

// lintCatalogue is a small catalogue for the lint tests: courses by code
// with their title (the text rules match) and hours, and positions.
func lintCourses(specs ...string) []*domain.Course {
	var out []*domain.Course
	for _, s := range specs {
		code, title, _ := strings.Cut(s, " ")
		c := &domain.Course{Code: code, Title: title, Hours: 10, Status: domain.CourseActive}
		if strings.HasSuffix(code, "R") {
			c.Status = domain.CourseRetired
		}
		out = append(out, c)
	}
	return out
}

// lintRun lints the rule file src (rules/a.yaml) on courses and
// positions, and returns the findings as "line:col CODE message", and the
// number silenced.
func lintRun(t *testing.T, src string, courses []*domain.Course, positions []*domain.Position, opts LintOptions) ([]string, int) {
	t.Helper()
	rs := mustLoad(t, map[string]string{"a.yaml": src})
	report, err := rs.Lint(courses, positions, opts)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range report.Findings {
		where := f.Pos.String()
		if f.File != "" && f.File != "rules/a.yaml" {
			t.Errorf("finding in %s, not rules/a.yaml", f.File)
		}
		out = append(out, strings.TrimPrefix(where, "rules/a.yaml:")+" "+string(f.Code)+" "+f.Message)
	}
	return out, report.Silenced
}

func checkFindings(t *testing.T, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestLintChecks(t *testing.T) {
	courses := lintCourses(
		"SCO-101 Price and availability basics",
		"SCO-201 Price and availability and accounting",
		"SCO-301 Accounting for cases",
		"SCO-302 Trade shows",
		"SCO-100R Price and availability (retired)",
		"SCO-XX Interpreters at work", // no tier
	)
	positions := []*domain.Position{
		{ID: "P1", Category: "SCO", Grade: "GS-13", KeyBillet: true},
		{ID: "P2", Category: "SCO", Grade: "GS-12"},
		{ID: "P3", Category: "HQ", Grade: "GS-14"},
	}
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{"a rule that never fires, and one that fires only where it cannot give", `rules:
  - id: long
    course: course.hours > 100
    covers: {1.A: Basic}
  - id: tierless
    course: mentions("interpreters")
    covers: {1.E: tier}
  - id: no-one
    position: position.category == "NAVY"
    exclude: true
`, []string{
			`2:9 L001 rule "long" gives no fact to any course: its condition holds for none of the 6 courses`,
			`5:9 L001 rule "tierless" gives no fact to any course: it applies only to courses with no tier to cover at (1 course)`,
			`8:9 L001 rule "no-one" excludes nothing from any position: its condition holds for none of the 3 positions`,
		}},
		{"dead phrases and topics; a condition of phrases alone is not also L001", `rules:
  - id: weaving
    course: mentions("basket weaving")
    covers: {1.A: Basic}
  - id: mixed
    course: mentions("trade shows", "exhibitions") || hasTopic("astrology")
    covers: {1.B: Basic}
  - id: and-ed
    course: mentions("basket weaving") && course.hours > 1
    covers: {1.C: Basic}
`, []string{
			`3:22 L002 phrase "basket weaving" occurs in no course: no title, description or objective of the 6 courses has it`,
			`6:37 L002 phrase "exhibitions" occurs in no course: no title, description or objective of the 6 courses has it`,
			`6:64 L002 topic "astrology" is a topic of none of the 6 courses`,
			`7:14 L006 1.B is covered by one active course only, SCO-302: retire or change it and 1.B is a gap`,
			`8:9 L001 rule "and-ed" gives no fact to any course: its condition holds for none of the 6 courses`,
			`9:22 L002 phrase "basket weaving" occurs in no course: no title, description or objective of the 6 courses has it`,
		}},
		{"redundant rules: the weaker one, or the later of two that give the same", `rules:
  - id: pa-basic
    course: mentions("price and availability")
    covers: {4.A: Basic}
  - id: pa-tier
    course: mentions("price and availability")
    covers: {4.A: tier, 4.B: Basic}
  - id: trade-1
    course: mentions("trade shows")
    covers: {4.C: Advanced}
  - id: trade-2
    course: mentions("trade shows")
    covers: {4.C: Advanced}
`, []string{
			`2:9 L003 rule "pa-basic" is redundant: rule "pa-tier" (rules/a.yaml:5) gives every fact it gives, at the same or a higher level, wherever it applies (3 courses)`,
			`7:25 L007 4.B is covered by 2 active courses, all through rule "pa-tier" alone: a change to its condition can leave 4.B uncovered`,
			`10:14 L006 4.C is covered by one active course only, SCO-302: retire or change it and 4.C is a gap`,
			`11:9 L003 rule "trade-2" is redundant: rule "trade-1" (rules/a.yaml:8) gives every fact it gives, at the same or a higher level, wherever it applies (1 course)`,
		}},
		{"not redundant when the other rule misses a record or gives lower", `rules:
  - id: pa
    course: mentions("price and availability")
    covers: {4.A: Intermediate}
  - id: pa-or-accounting
    course: mentions("price and availability", "accounting")
    covers: {4.A: tier}
`, nil},
		{"a level another rule always beats, but not a general rule under a specific one", `rules:
  - id: sco
    position: position.category == "SCO"
    requires: {1.A-1.B: Intermediate, 2.A: Basic}
  - id: sco-key
    position: position.category == "SCO" && position.keyBillet
    requires: {1.A-1.B: Basic, 2.A: Advanced}
  - id: everyone
    position: "true"
    requires: {2.A: Basic}
`, []string{
			`7:16 L004 1.A, 1.B: wherever rule "sco-key" gives them, rule "sco" (rules/a.yaml:2) gives them at a higher level, so the level given here never shows`,
		}},
		{"exclusions that remove nothing, as a whole or by entry", `rules:
  - id: pa
    course: mentions("price and availability")
    covers: {4.A: tier}
  - id: no-trade-facts
    course: mentions("trade shows")
    exclude: true
  - id: pa-without
    course: mentions("price and availability")
    exclude: [4.A, 4.B-4.C]
`, []string{
			`7:14 L005 exclusion "no-trade-facts" removes nothing: no course it applies to (1 course) gets a fact from another rule`,
			`10:20 L005 excluding 4.B, 4.C removes nothing: no course rule "pa-without" applies to (3 courses) gets it from another rule`,
		}},
		{"coverage by one active course, or by one rule", `rules:
  - id: pa
    course: mentions("price and availability")
    covers: {4.A: tier}
  - id: accounting
    course: mentions("accounting")
    covers: {4.B: tier}
  - id: accounting-expert
    course: mentions("accounting") && course.code == "SCO-301"
    covers: {4.B: Expert}
  - id: trade
    course: mentions("trade shows")
    covers: {4.C: tier}
`, []string{
			`4:14 L007 4.A is covered by 2 active courses, all through rule "pa" alone: a change to its condition can leave 4.A uncovered`,
			`13:14 L006 4.C is covered by one active course only, SCO-302: retire or change it and 4.C is a gap`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _ := lintRun(t, tt.src, courses, positions, LintOptions{})
			// Positions with no requirement are the subject of their own
			// test.
			got = slices.DeleteFunc(got, func(s string) bool { return strings.Contains(s, " L008 ") })
			checkFindings(t, got, tt.want)
		})
	}
}

func TestLintPositionsWithoutRequirement(t *testing.T) {
	positions := []*domain.Position{
		{ID: "P1", Category: "SCO", Grade: "GS-13", Region: "EUCOM"},
		{ID: "P2", Category: "HQ", Grade: "GS-14", Region: "CONUS"},
		{ID: "P3", Category: "IA", Grade: "GS-12", Region: "CONUS"},
	}
	src := `rules:
  - id: sco
    position: position.category == "SCO"
    requires: {1.A: Basic}
  - id: not-ia
    position: position.category != "IA"
    requires: {1.B: Basic}
  - id: hq-excluded
    position: position.category == "HQ"
    exclude: true
`
	located := LintOptions{PositionPos: func(id string) diag.Pos {
		if id == "P2" {
			return diag.Pos{File: "positions.csv", Line: 3, Col: 1}
		}
		return diag.Pos{}
	}}
	rs := mustLoad(t, map[string]string{"a.yaml": src})
	report, err := rs.Lint(nil, positions, located)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range report.Findings {
		got = append(got, f.Error()+" "+string(f.Code))
	}
	checkFindings(t, got, []string{
		"positions.csv:3:1: position P2 (HQ, GS-14, CONUS) gets no requirement from any rule L008",
		"position P3 (IA, GS-12, CONUS) gets no requirement from any rule L008",
	})
}

func TestLintSilences(t *testing.T) {
	courses := lintCourses("SCO-101 Price and availability", "SCO-201 Price and availability", "SCO-301 Trade shows")
	positions := []*domain.Position{{ID: "P1", Category: "HQ", Grade: "GS-14"}}
	src := `rules:
  - id: pa
    course: mentions("price and availability")
    covers: {4.A: tier}
    lint:
      ignore: [L007, L003]
      reason: One subject, one name.
  - id: trade
    course: mentions("trade shows")
    covers: {4.C: tier}
lint:
  ignore: [L006, L008, L001]
  reason: A small catalogue.
`
	got, silenced := lintRun(t, src, courses, positions, LintOptions{})
	checkFindings(t, got, []string{
		`6:22 L009 lint: ignore L003 silences nothing here: remove it`,
		`12:24 L009 lint: ignore L001 silences nothing here: remove it`,
	})
	if silenced != 3 {
		t.Errorf("%d findings silenced, want 3 (L007 on pa, L006 on trade, L008 on P1)", silenced)
	}
}

func TestLintDirectiveErrors(t *testing.T) {
	tests := []struct{ src, want string }{
		{`lint: {ignore: [L099], reason: x}`, `rules/a.yaml:5:21: unknown lint code "L099" (the codes are L001 to L008)`},
		{`lint: {ignore: [L009], reason: x}`, `rules/a.yaml:5:21: L009 cannot be silenced: remove the silence that silences nothing`},
		{`lint: {ignore: [L001, L001], reason: x}`, `rules/a.yaml:5:27: L001 is given twice`},
		{`lint: {ignore: [l001], reason: x}`, `rules/a.yaml:5:21: unknown lint code "l001" (the codes are L001 to L008)`},
		{`lint: {ignore: [L001]}`, `rules/a.yaml:5:5: lint: needs a reason: say why the findings are expected`},
		{`lint: {reason: x}`, `rules/a.yaml:5:5: lint: needs ignore: [CODE, ...], the findings to silence`},
		{`lint: {ignore: [], reason: x}`, `rules/a.yaml:5:20: lint: ignore: lists no codes`},
		{`lint: {ignore: [L001], reason: x, because: y}`, `rules/a.yaml:5:39: unknown key "because" in lint: (known: ignore, reason)`},
	}
	for _, tt := range tests {
		src := "rules:\n  - id: a\n    course: \"true\"\n    covers: {1.A: Basic}\n    " + tt.src + "\n"
		_, err := LoadRuleSetFS(ruleFS(map[string]string{"a.yaml": src}), "rules", testFramework())
		l := diag.AsList(err)
		if len(l) != 1 || l[0].Error() != tt.want {
			t.Errorf("%s:\ngot  %v\nwant %s", tt.src, err, tt.want)
		}
	}
}

// BenchmarkLint lints the DoD-scale synthetic workload (about 1,000
// courses and 15,000 positions): what `cmap rules lint --data` costs on a
// large database, once the records are read.
func BenchmarkLint(b *testing.B) {
	rs, courses, positions := DoDScaleWorkload(b)
	for b.Loop() {
		if _, err := rs.Lint(courses, positions, LintOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
