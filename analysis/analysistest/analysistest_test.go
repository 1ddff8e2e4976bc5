package analysistest_test

import (
	"cmap/domain"
	"strings"
	"testing"

	"cmap/analysis"
	"cmap/analysis/analysistest"
)

func TestDiffNamesEachDifferenceByPathAndKey(t *testing.T) {
	got := []*analysis.Readiness{
		{PersonID: "P-1", Ready: true},
		{PersonID: "P-2", Gaps: []analysis.Gap{{SubCompetency: "1.A", Required: "Advanced", Attained: "Basic"}}},
		{PersonID: "P-4"},
	}
	want := []*analysis.Readiness{
		{PersonID: "P-1", Ready: true, Gaps: []analysis.Gap{}}, // an empty list equals a nil one
		{PersonID: "P-2", Gaps: []analysis.Gap{{SubCompetency: "1.A", Required: "Advanced"}}},
		{PersonID: "P-3"},
	}
	d := analysistest.Diff(got, want)
	wantLines := []string{
		`[P-2].Gaps[1.A].Attained: got "Basic", want ""`,
		`[P-3]: missing, want {"PersonID":"P-3",`,
		`[P-4]: got {"PersonID":"P-4",`,
	}
	lines := strings.Split(d, "\n")
	if len(lines) != len(wantLines) {
		t.Fatalf("diff:\n%s\nwant %d lines", d, len(wantLines))
	}
	for i, w := range wantLines {
		if !strings.HasPrefix(lines[i], w) {
			t.Errorf("line %d: %q, want it to start with %q", i, lines[i], w)
		}
	}
	if d := analysistest.Diff(want, want); d != "" {
		t.Errorf("a value differs from itself:\n%s", d)
	}
}

func TestDiffIgnoresUnexportedFieldsAndCapsItsLines(t *testing.T) {
	// Two impacts of the same edit that changes nothing, asked of two
	// different indexes: the same in every exported field.
	c := &domain.Course{Code: "A-1", Title: "A", DeliveryMode: domain.DeliveryOnline, Status: domain.CourseActive}
	s := analysis.Snapshot{Scale: domain.DefaultScale(), Courses: []*domain.Course{c},
		Framework: &domain.Framework{Name: "F", Competencies: []domain.Competency{{Code: "1.0", Title: "One",
			SubCompetencies: []domain.SubCompetency{{Code: "1.A", Statement: "Plans"}}}}}}
	var impacts []*analysis.CourseImpact
	for _, people := range [][]*domain.Person{nil, {{ID: "P-1", Name: "One"}}} {
		s.People = people
		ix, err := analysis.Build(s)
		if err != nil {
			t.Fatal(err)
		}
		imp, err := ix.ImpactOfCourse(c, nil)
		if err != nil {
			t.Fatal(err)
		}
		impacts = append(impacts, imp)
	}
	if d := analysistest.Diff(impacts[0], impacts[1]); d != "" {
		t.Errorf("impacts that differ in unexported fields only differ:\n%s", d)
	}
	var got, want []int
	for i := range 50 {
		got, want = append(got, i), append(want, -i)
	}
	lines := strings.Split(analysistest.Diff(got, want), "\n")
	if len(lines) != 21 || lines[0] != "[1]: got 1, want -1" || lines[20] != "... and 29 more differences" {
		t.Errorf("diff of 49 differences: %d lines, first %q, last %q", len(lines), lines[0], lines[len(lines)-1])
	}
}
