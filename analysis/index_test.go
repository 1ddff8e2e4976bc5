package analysis_test

import (
	"cmap/domain"
	"reflect"
	"strings"
	"testing"

	"cmap/analysis"
)

func check[T any](t *testing.T, what string, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\n got  %+v\n want %+v", what, got, want)
	}
}

func TestBuildRejectsBadFacts(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(*analysis.Snapshot)
		field  string
		reason string
	}{
		{"level off the scale", func(s *analysis.Snapshot) { s.Coverage["A-101"][0].Level = "Master" }, `coverage["A-101"][0].level`, "not on the scale"},
		{"unknown sub-competency", func(s *analysis.Snapshot) { s.Requirements["POS-2"][0].SubCompetency = "7.Z" }, `requirements["POS-2"][0].subCompetency`, "unknown sub-competency"},
		{"coverage of unknown course", func(s *analysis.Snapshot) {
			s.Coverage["Z-999"] = []domain.Coverage{{Course: "Z-999", SubCompetency: "1.A", Level: "Basic"}}
		}, `coverage["Z-999"]`, "unknown course"},
		{"fact filed under another course", func(s *analysis.Snapshot) { s.Coverage["A-201"][0].Course = "A-101" }, `coverage["A-201"][0].course`, "filed under"},
		{"duplicate course", func(s *analysis.Snapshot) { s.Courses = append(s.Courses, s.Courses[0]) }, "courses[5].code", "duplicate"},
		{"duplicate person", func(s *analysis.Snapshot) { s.People = append(s.People, s.People[3]) }, "people[6].id", "duplicate"},
		{"no framework", func(s *analysis.Snapshot) { s.Framework = nil }, "framework", "no competency framework"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := fixture()
			tt.edit(&s)
			_, err := analysis.Build(s)
			if domain.ErrorCode(err) != domain.EINVALID || domain.ErrorField(err) != tt.field {
				t.Fatalf("Build = %v (code %q, field %q), want EINVALID on %s", err, domain.ErrorCode(err), domain.ErrorField(err), tt.field)
			}
			if !strings.Contains(err.Error(), tt.reason) {
				t.Errorf("error %q does not say %q", err, tt.reason)
			}
		})
	}
}

func TestMatrix(t *testing.T) {
	ix := mustBuild(t, fixture())
	rule := func(id string) []domain.RuleRef {
		return []domain.RuleRef{{ID: id, File: "rules/courses.yaml", Line: 3}}
	}

	m, err := ix.Matrix(analysis.MatrixFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var cols []string
	for _, c := range m.Courses {
		cols = append(cols, c.Code)
	}
	// Active courses with a cell: D-100 covers nothing, C-401 is retired.
	check(t, "columns", cols, []string{"A-101", "A-201", "B-301"})
	check(t, "levels", m.Levels, []string{"Basic", "Intermediate", "Advanced", "Expert"})
	check(t, "rows", m.Rows, []analysis.MatrixRow{
		{SubCompetency: "1.A", Competency: "1.0", Statement: "Plans", Highest: "Advanced", Reach: "Advanced", CountByLevel: []int{1, 0, 1, 0},
			Cells: []analysis.Cell{{Course: "A-101", Level: "Basic", Rules: rule("intro")}, {Course: "A-201", Level: "Advanced", Rules: rule("planning-adv")}}},
		{SubCompetency: "1.B", Competency: "1.0", Statement: "Budgets", Highest: "Intermediate", Reach: "Intermediate", CountByLevel: []int{1, 1, 0, 0},
			Cells: []analysis.Cell{{Course: "A-101", Level: "Basic", Rules: rule("intro")}, {Course: "B-301", Level: "Intermediate", Rules: rule("budget")}}},
		{SubCompetency: "2.A", Competency: "2.0", Statement: "Transfers", Highest: "Intermediate", Reach: "Intermediate", CountByLevel: []int{0, 1, 0, 0},
			Cells: []analysis.Cell{{Course: "B-301", Level: "Intermediate", Rules: rule("transfers")}}},
	})

	// Every status, competency 2.0 only: the retired C-401 reaches Expert.
	m, err = ix.Matrix(analysis.MatrixFilter{Competencies: []string{"2.0"}, Status: analysis.AnyStatus})
	if err != nil {
		t.Fatal(err)
	}
	check(t, "2.0 any status rows", len(m.Rows), 1)
	check(t, "2.0 highest", m.Rows[0].Highest, "Expert")
	check(t, "2.0 reach", m.Rows[0].Reach, "Expert")
	check(t, "2.0 counts", m.Rows[0].CountByLevel, []int{0, 1, 0, 1})
	check(t, "2.0 columns", len(m.Courses), 2)

	// Intermediate and above, sub-competency 1.A and provider DSCU, retired only.
	m, err = ix.Matrix(analysis.MatrixFilter{Competencies: []string{"1.A"}, Status: domain.CourseRetired, Provider: "DSCU", MinLevel: "intermediate"})
	if err != nil {
		t.Fatal(err)
	}
	check(t, "retired 1.A cells", m.Rows[0].Cells, []analysis.Cell{{Course: "C-401", Level: "Intermediate", Rules: rule("legacy")}})

	// A provider with no course covering 1.A leaves the row empty but present.
	m, err = ix.Matrix(analysis.MatrixFilter{Competencies: []string{"1.A"}, Provider: "NPS"})
	if err != nil {
		t.Fatal(err)
	}
	check(t, "empty row", m.Rows, []analysis.MatrixRow{{SubCompetency: "1.A", Competency: "1.0", Statement: "Plans", CountByLevel: []int{0, 0, 0, 0}}})

	// Advanced and above drops 1.B's and 2.A's cells: they have no highest
	// level, but their reach is still the Intermediate of B-301, which is
	// what the gap report says the active catalogue reaches.
	m, err = ix.Matrix(analysis.MatrixFilter{MinLevel: "Advanced"})
	if err != nil {
		t.Fatal(err)
	}
	var summary []string
	for _, r := range m.Rows {
		summary = append(summary, r.SubCompetency+" highest "+r.Highest+" reach "+r.Reach)
	}
	check(t, "advanced highest and reach", summary, []string{"1.A highest Advanced reach Advanced", "1.B highest  reach Intermediate", "2.A highest  reach Intermediate"})
	for _, u := range mustGaps(t, ix, "Advanced").Uncovered {
		for _, r := range m.Rows {
			if r.SubCompetency == u.SubCompetency && r.Reach != u.Highest {
				t.Errorf("%s: reach %q, the gap report's highest %q", r.SubCompetency, r.Reach, u.Highest)
			}
		}
	}
	// Retired only at Advanced: the reach on 1.A is C-401's Intermediate,
	// not the Advanced of the active A-201.
	m, err = ix.Matrix(analysis.MatrixFilter{Competencies: []string{"1.A"}, Status: domain.CourseRetired, MinLevel: "Advanced"})
	if err != nil {
		t.Fatal(err)
	}
	check(t, "retired 1.A highest and reach", []string{m.Rows[0].Highest, m.Rows[0].Reach}, []string{"", "Intermediate"})

	for _, bad := range []struct {
		f     analysis.MatrixFilter
		field string
	}{
		{analysis.MatrixFilter{Competencies: []string{"1.0", "8.0"}}, "competencies[1]"},
		{analysis.MatrixFilter{Status: "archived"}, "status"},
		{analysis.MatrixFilter{MinLevel: "Master"}, "minLevel"},
	} {
		if _, err := ix.Matrix(bad.f); domain.ErrorField(err) != bad.field {
			t.Errorf("Matrix(%+v) = %v, want an error on %s", bad.f, err, bad.field)
		}
	}
}

func TestMatrixMarksGaps(t *testing.T) {
	ix := mustBuild(t, fixture())
	gapRows := func(f analysis.MatrixFilter) (string, []string) {
		t.Helper()
		m, err := ix.Matrix(f)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range m.Rows {
			if r.Gap {
				out = append(out, r.SubCompetency)
			}
		}
		return m.MinLevel, out
	}
	// Every sub-competency has an active course at Basic or above.
	level, gaps := gapRows(analysis.MatrixFilter{})
	check(t, "no filter level", level, "")
	check(t, "no filter gaps", gaps, []string(nil))
	// Only A-201 (1.A) reaches Advanced among active courses.
	level, gaps = gapRows(analysis.MatrixFilter{MinLevel: "advanced"})
	check(t, "advanced level", level, "Advanced")
	check(t, "advanced gaps", gaps, []string{"1.B", "2.A"})
	// The retired C-401 shows 2.A at Expert but closes no gap, and a
	// provider filter that hides A-201 does not open one on 1.A.
	_, gaps = gapRows(analysis.MatrixFilter{Status: domain.CourseRetired, MinLevel: "Expert"})
	check(t, "retired expert gaps", gaps, []string{"1.A", "1.B", "2.A"})
	_, gaps = gapRows(analysis.MatrixFilter{Provider: "NPS", MinLevel: "Advanced"})
	check(t, "other provider gaps", gaps, []string{"1.B", "2.A"})

	// The matrix and the gap report agree at every level.
	for _, l := range append([]string{""}, ix.Scale().Levels...) {
		var uncovered []string
		for _, u := range mustGaps(t, ix, l).Uncovered {
			uncovered = append(uncovered, u.SubCompetency)
		}
		_, gaps := gapRows(analysis.MatrixFilter{MinLevel: l, Status: analysis.AnyStatus})
		check(t, "gaps at "+l, gaps, uncovered)
	}
}

func TestGaps(t *testing.T) {
	ix := mustBuild(t, fixture())
	uncovered := func(level string) []string {
		rep, err := ix.Gaps(level, 0)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, u := range rep.Uncovered {
			out = append(out, u.SubCompetency+"<"+u.Highest)
		}
		return out
	}
	check(t, "Basic", uncovered("Basic"), []string(nil))
	check(t, "Intermediate", uncovered("Intermediate"), []string(nil))
	// Only A-201 reaches Advanced, on 1.A; C-401's Expert does not count, it is retired.
	check(t, "Advanced", uncovered("Advanced"), []string{"1.B<Intermediate", "2.A<Intermediate"})
	check(t, "Expert", uncovered("Expert"), []string{"1.A<Advanced", "1.B<Intermediate", "2.A<Intermediate"})

	rep, err := ix.Gaps("", 1)
	if err != nil {
		t.Fatal(err)
	}
	check(t, "default level", rep.Level, "Basic")
	// 1.A; 1.B: A-101, B-301; 2.A: B-301 alone.
	check(t, "over-served", rep.OverServed, []analysis.SubCompetencyCoverage{
		{SubCompetency: "1.A", Competency: "1.0", Highest: "Advanced", Courses: 2},
		{SubCompetency: "1.B", Competency: "1.0", Highest: "Intermediate", Courses: 2},
	})
	check(t, "covering nothing", rep.CoveringNothing, []string{"D-100"})
	check(t, "default threshold", mustGaps(t, ix, "Basic").OverServedAbove, analysis.DefaultOverServedAbove)
	if _, err := ix.Gaps("Grandmaster", 0); domain.ErrorCode(err) != domain.EINVALID || domain.ErrorField(err) != "minLevel" {
		t.Errorf("Gaps(Grandmaster) = %v, want EINVALID on minLevel", err)
	}
}

func mustGaps(t *testing.T, ix *analysis.Index, level string) *analysis.GapReport {
	t.Helper()
	rep, err := ix.Gaps(level, 0)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestDemand(t *testing.T) {
	ix := mustBuild(t, fixture())
	d := ix.Demand()
	check(t, "rows", len(d), 3)
	lv := func(level string, exactly, atLeast int, meetable, blocking bool) analysis.LevelDemand {
		return analysis.LevelDemand{Level: level, Exactly: exactly, AtLeast: atLeast, Meetable: meetable, Blocking: blocking}
	}
	// 1.A: POS-3 needs Basic, POS-1 Advanced; A-201 reaches Advanced.
	check(t, "1.A", d[0], analysis.SubCompetencyDemand{SubCompetency: "1.A", Competency: "1.0", Highest: "Advanced", Levels: []analysis.LevelDemand{
		lv("Basic", 1, 2, true, false), lv("Intermediate", 0, 1, true, false), lv("Advanced", 1, 1, true, false), lv("Expert", 0, 0, false, false)}})
	// 2.A: POS-1 needs Intermediate, POS-3 Expert, which only the retired C-401 reached: blocking.
	check(t, "2.A", d[2].Levels, []analysis.LevelDemand{
		lv("Basic", 0, 2, true, false), lv("Intermediate", 1, 2, true, false), lv("Advanced", 0, 1, false, false), lv("Expert", 1, 1, false, true)})
}
