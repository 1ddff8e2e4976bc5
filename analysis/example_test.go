package analysis_test

import (
	"cmap/domain"
	"fmt"

	"cmap/analysis"
)

func ExampleIndex_Gaps() {
	ix, err := analysis.Build(fixture())
	if err != nil {
		panic(err)
	}
	rep, err := ix.Gaps("Advanced", 0)
	if err != nil {
		panic(err)
	}
	for _, u := range rep.Uncovered {
		fmt.Printf("%s: no active course reaches %s (best: %s)\n", u.SubCompetency, rep.Level, u.Highest)
	}
	fmt.Println("covering nothing:", rep.CoveringNothing)
	// Output:
	// 1.B: no active course reaches Advanced (best: Intermediate)
	// 2.A: no active course reaches Advanced (best: Intermediate)
	// covering nothing: [D-100]
}

func ExampleIndex_Recommend() {
	ix, err := analysis.Build(fixture())
	if err != nil {
		panic(err)
	}
	rec, err := ix.Recommend("P-5")
	if err != nil {
		panic(err)
	}
	for _, c := range rec.Courses {
		fmt.Printf("%s (%g h) closes %d gap(s), prerequisite of %v\n", c.Code, c.Hours, len(c.Closes), c.PrerequisiteOf)
	}
	fmt.Printf("%g hours, %s\n", rec.TotalHours, rec.Method)
	// Output:
	// A-101 (10 h) closes 0 gap(s), prerequisite of [A-201]
	// A-201 (20 h) closes 1 gap(s), prerequisite of []
	// B-301 (15 h) closes 1 gap(s), prerequisite of []
	// 45 hours, exact
}

// Retiring B-301: the course record with its new status, and the facts
// the rules derive for it (here, those it had: the shipped rules do not
// look at a course's status).
func ExampleIndex_ImpactOfCourse() {
	s := fixture()
	ix, err := analysis.Build(s)
	if err != nil {
		panic(err)
	}
	retired := *s.Courses[0]
	retired.Status = domain.CourseRetired
	imp, err := ix.ImpactOfCourse(&retired, s.Coverage["B-301"])
	if err != nil {
		panic(err)
	}
	for _, c := range imp.SubCompetencies {
		fmt.Printf("%s: %s -> %q, gaps open at %v\n", c.SubCompetency, c.HighestBefore, c.HighestAfter, c.GapsOpened)
	}
	for _, p := range imp.Positions {
		fmt.Printf("%s no longer meetable: %v\n", p.PositionID, p.NowUnmeetable)
	}
	// Output:
	// 1.B: Intermediate -> "Basic", gaps open at [Intermediate]
	// 2.A: Intermediate -> "", gaps open at [Basic Intermediate]
	// POS-1 no longer meetable: [{2.A Intermediate}]
}
