package analysis_test

import (
	"cmap/domain"
	"testing"

	"cmap/analysis"
)

// TestCompareRetirementAndNewPerson checks Compare on two changes of the
// fixture, reasoned out from its description: retiring A-201 (the only
// active course at Advanced on 1.A), then adding a person holding POS-2
// who completed nothing.
func TestCompareRetirementAndNewPerson(t *testing.T) {
	before, err := analysis.Build(fixture())
	if err != nil {
		t.Fatal(err)
	}
	if got := before.Compare(before); len(got.SubCompetencies) != 0 || got.ReadinessChanged != 0 || got.Uncovered.Before != got.Uncovered.After {
		t.Errorf("an index compared with itself: %+v", got)
	}
	c, cov := retired(fixture(), "A-201")
	after, err := before.WithCourse(c, cov)
	if err != nil {
		t.Fatal(err)
	}
	after, err = after.WithPerson(&domain.Person{ID: "P-7", Name: "Person P-7", PositionID: "POS-2"})
	if err != nil {
		t.Fatal(err)
	}
	want := &analysis.Comparison{
		Courses: analysis.Count{Before: 5, After: 5}, Positions: analysis.Count{Before: 3, After: 3},
		People: analysis.Count{Before: 6, After: 7}, ActiveCourses: analysis.Count{Before: 4, After: 3},
		SubCompetencies: []analysis.SubCompetencyChange{
			// 1.A: A-101 Basic is all that is left active; P-1 and P-5
			// (POS-1 wants Advanced) keep their gaps, the retired C-401
			// still counts for P-3.
			{SubCompetency: "1.A", Competency: "1.0", HighestBefore: "Advanced", HighestAfter: "Basic",
				Courses: analysis.Count{Before: 2, After: 1}, GapsOpened: []string{"Intermediate", "Advanced"},
				PersonGaps: analysis.Count{Before: 2, After: 2}},
			// 1.B: P-7 at POS-2 misses 1.B Basic.
			{SubCompetency: "1.B", Competency: "1.0", HighestBefore: "Intermediate", HighestAfter: "Intermediate",
				Courses: analysis.Count{Before: 2, After: 2}, PersonGaps: analysis.Count{Before: 0, After: 1}},
		},
		// Levels no active course reaches: 1.A Expert, 1.B and 2.A Advanced and Expert; then 1.A from Intermediate.
		Uncovered:         analysis.Count{Before: 5, After: 7},
		MeetablePositions: analysis.Count{Before: 2, After: 1},
		// Gaps: P-1 and P-5 miss 1.A and 2.A, P-6 misses 2.A Expert; P-2,
		// P-3 and P-4 are ready; P-7 adds one gap and is not ready.
		Ready: analysis.Count{Before: 3, After: 3},
		Gaps:  analysis.Count{Before: 5, After: 6},
	}
	checkImpact(t, "comparison", before.Compare(after), want)
}
