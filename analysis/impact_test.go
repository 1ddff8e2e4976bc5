package analysis_test

import (
	"testing"

	"cmap/analysis"
	"cmap/engine"
)

func TestImpactOfRetirement(t *testing.T) {
	ix := mustBuild(t, fixture())
	before, _ := ix.Matrix(analysis.MatrixFilter{})
	imp, err := ix.ImpactOfRetirement("B-301")
	if err != nil {
		t.Fatal(err)
	}
	// Without B-301, 1.B falls back to A-101's Basic and 2.A loses all
	// active coverage. P-1 and P-5 miss 2.A Intermediate: now unclosable.
	// POS-1 needs 2.A Intermediate: no longer meetable. P-2 completed
	// B-301 and keeps its credit.
	check(t, "impact", imp, &analysis.CourseImpact{Course: "B-301", Change: analysis.ChangeRetire,
		SubCompetencies: []analysis.CoverageChange{
			{SubCompetency: "1.B", Competency: "1.0", CourseBefore: "Intermediate", HighestBefore: "Intermediate", HighestAfter: "Basic", GapsOpened: []string{"Intermediate"}},
			{SubCompetency: "2.A", Competency: "2.0", CourseBefore: "Intermediate", HighestBefore: "Intermediate", GapsOpened: []string{"Basic", "Intermediate"}, PersonGaps: 2},
		},
		Positions: []analysis.PositionChange{{PositionID: "POS-1", Organization: "EUCOM-SCO", MeetableBefore: true,
			NowUnmeetable: []analysis.LevelRequirement{{SubCompetency: "2.A", Level: "Intermediate"}}}},
	})
	after, _ := ix.Matrix(analysis.MatrixFilter{})
	check(t, "index unchanged", after, before)

	imp, err = ix.ImpactOfRetirement("A-101")
	if err != nil {
		t.Fatal(err)
	}
	check(t, "dependent courses", imp.DependentCourses, []string{"A-201"})
	if _, err := ix.ImpactOfRetirement("Z-999"); engine.ErrorCode(err) != engine.ENOTFOUND {
		t.Errorf("retiring an unknown course: %v, want ENOTFOUND", err)
	}
}

func TestImpactOfDeletion(t *testing.T) {
	ix := mustBuild(t, fixture())
	imp, err := ix.ImpactOfDeletion("A-101")
	if err != nil {
		t.Fatal(err)
	}
	// P-1 and P-6 lose their Basic on 1.A (and 1.B); P-6's POS-3 needs 1.A Basic.
	check(t, "people", imp.People, []analysis.ReadinessChange{
		{PersonID: "P-1", GapsAdded: []analysis.Gap{{SubCompetency: "1.A", Required: "Advanced"}}, GapsRemoved: []analysis.Gap{{SubCompetency: "1.A", Required: "Advanced", Attained: "Basic"}}},
		{PersonID: "P-6", GapsAdded: []analysis.Gap{{SubCompetency: "1.A", Required: "Basic"}}, GapsRemoved: []analysis.Gap{}},
	})
	check(t, "change", imp.Change, analysis.ChangeDelete)
	// A-201 still reaches Advanced on 1.A; B-301 Intermediate on 1.B.
	for _, c := range imp.SubCompetencies {
		if c.HighestBefore != c.HighestAfter {
			t.Errorf("deleting A-101 changes the highest level of %s: %+v", c.SubCompetency, c)
		}
	}
}

func TestImpactOfNewCourse(t *testing.T) {
	ix := mustBuild(t, fixture())
	c := &engine.Course{Code: "E-500", Title: "Expert transfers", Hours: 8, DeliveryMode: engine.DeliveryOnline, Status: engine.CourseActive}
	imp, err := ix.ImpactOfCourse(c, []engine.Coverage{{Course: "E-500", SubCompetency: "2.A", Level: "Expert"}})
	if err != nil {
		t.Fatal(err)
	}
	// 2.A reaches Expert again; P-6's gap becomes closable; POS-3 meetable.
	check(t, "impact", imp, &analysis.CourseImpact{Course: "E-500", Change: analysis.ChangeCreate,
		SubCompetencies: []analysis.CoverageChange{{SubCompetency: "2.A", Competency: "2.0", CourseAfter: "Expert", HighestBefore: "Intermediate", HighestAfter: "Expert",
			GapsClosed: []string{"Advanced", "Expert"}, PersonGaps: 1}},
		Positions: []analysis.PositionChange{{PositionID: "POS-3", Organization: "DSCA", MeetableAfter: true,
			NowMeetable: []analysis.LevelRequirement{{SubCompetency: "2.A", Level: "Expert"}}}},
	})
	if _, err := ix.ImpactOfCourse(c, []engine.Coverage{{SubCompetency: "2.A", Level: "Guru"}}); engine.ErrorField(err) != "coverage[0].level" {
		t.Errorf("bad level: %v, want an error on coverage[0].level", err)
	}
}
