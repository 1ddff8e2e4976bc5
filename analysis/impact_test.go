package analysis_test

import (
	"cmap/domain"
	"context"
	"errors"
	"slices"
	"testing"

	"cmap/analysis"
	"cmap/analysis/analysistest"
)

// checkImpact fails t when got differs from want in an exported field.
func checkImpact(t *testing.T, what string, got, want any) {
	t.Helper()
	if d := analysistest.Diff(got, want); d != "" {
		t.Errorf("%s differs:\n%s", what, d)
	}
}

// changedRecommendations returns the recommendations of the fixture's
// people that imp changes.
func changedRecommendations(t *testing.T, imp *analysis.CourseImpact) []analysis.RecommendationChange {
	t.Helper()
	all, err := imp.Recommendations(context.Background(), personIDs(fixture()))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := imp.Recommendations(context.Background(), []string{"P-404"}); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("the recommendation of an unknown person: %v, want ENOTFOUND", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := imp.Recommendations(ctx, []string{"P-1"}); !errors.Is(err, context.Canceled) {
		t.Errorf("recommendations asked under a cancelled context: %v, want context.Canceled", err)
	}
	return slices.DeleteFunc(all, func(ch analysis.RecommendationChange) bool { return !ch.Changed })
}

// retired returns a copy of the fixture's course code, retired, and its
// coverage facts.
func retired(s analysis.Snapshot, code string) (*domain.Course, []domain.Coverage) {
	i := slices.IndexFunc(s.Courses, func(c *domain.Course) bool { return c.Code == code })
	c := *s.Courses[i]
	c.Status = domain.CourseRetired
	return &c, s.Coverage[code]
}

func TestImpactOfRetirementKeepingTheFacts(t *testing.T) {
	s := fixture()
	ix := mustBuild(t, s)
	before, _ := ix.Matrix(analysis.MatrixFilter{})
	c, cov := retired(s, "B-301")
	imp, err := ix.ImpactOfCourse(c, cov)
	if err != nil {
		t.Fatal(err)
	}
	// Without B-301, 1.B falls back to A-101's Basic and 2.A loses all
	// active coverage. P-1 and P-5 miss 2.A Intermediate: now unclosable.
	// POS-1 needs 2.A Intermediate: no longer meetable. P-2 completed
	// B-301 and keeps what they attained from it.
	checkImpact(t, "impact", imp, &analysis.CourseImpact{Course: "B-301", Change: analysis.ChangeRetire,
		SubCompetencies: []analysis.CoverageChange{
			{SubCompetency: "1.B", Competency: "1.0", CourseBefore: "Intermediate", HighestBefore: "Intermediate", HighestAfter: "Basic", GapsOpened: []string{"Intermediate"}},
			{SubCompetency: "2.A", Competency: "2.0", CourseBefore: "Intermediate", HighestBefore: "Intermediate", GapsOpened: []string{"Basic", "Intermediate"}, PersonGaps: 2},
		},
		Positions: []analysis.PositionChange{{PositionID: "POS-1", Organization: "EUCOM-SCO", MeetableBefore: true,
			NowUnmeetable: []analysis.LevelRequirement{{SubCompetency: "2.A", Level: "Intermediate"}}}},
	})
	after, _ := ix.Matrix(analysis.MatrixFilter{})
	check(t, "index unchanged", after, before)

	// P-1 was to take A-201 and B-301, P-5 and B-301: B-301
	// goes from both, and their 2.A gap becomes unclosable. P-6's 2.A
	// Expert was unclosable already, and stays so.
	var people []string
	for _, ch := range changedRecommendations(t, imp) {
		people = append(people, ch.PersonID)
		if len(ch.After.Unclosable) != 1 || ch.After.Unclosable[0].SubCompetency != "2.A" || slices.ContainsFunc(ch.After.Courses, func(c analysis.RecommendedCourse) bool { return c.Code == "B-301" }) {
			t.Errorf("%s's recommendation after retiring B-301: %+v", ch.PersonID, ch.After)
		}
	}
	check(t, "recommendations changed", people, []string{"P-1", "P-5"})

	// The answers of After are those of the retired catalogue.
	s.Courses = replace(s.Courses, c, func(x *domain.Course) string { return x.Code })
	checkImpact(t, "the index after", answers(t, imp.After()), answers(t, mustBuild(t, s)))

	c, cov = retired(fixture(), "A-101")
	imp, err = ix.ImpactOfCourse(c, cov)
	if err != nil {
		t.Fatal(err)
	}
	check(t, "dependent courses", imp.DependentCourses, []string{"A-201"})
}

// TestImpactFollowsTheFactsGiven: a rule set that takes a retired course's
// facts away makes its completers lose what they attained, and the impact
// says so.
func TestImpactFollowsTheFactsGiven(t *testing.T) {
	ix := mustBuild(t, fixture())
	c, _ := retired(fixture(), "B-301")
	imp, err := ix.ImpactOfCourse(c, nil)
	if err != nil {
		t.Fatal(err)
	}
	checkImpact(t, "people", imp.People, []analysis.ReadinessChange{{PersonID: "P-2", ReadyBefore: true, ReadyAfter: false,
		GapsAdded: []analysis.Gap{{SubCompetency: "1.B", Required: "Basic"}},
		Attainment: []analysis.AttainmentChange{
			{SubCompetency: "1.B", Before: &analysis.Attainment{SubCompetency: "1.B", Level: "Intermediate", Courses: []string{"B-301"}}},
			{SubCompetency: "2.A", Before: &analysis.Attainment{SubCompetency: "2.A", Level: "Intermediate", Courses: []string{"B-301"}}},
		}}})
}

// TestImpactReportsAttainmentChangesThatLeaveGaps: B-301 covering 1.B at
// Basic instead of Intermediate leaves P-2 ready (POS-2 needs Basic), but
// what they attained changes.
func TestImpactReportsAttainmentChangesThatLeaveGaps(t *testing.T) {
	s := fixture()
	ix := mustBuild(t, s)
	c := *s.Courses[0]
	imp, err := ix.ImpactOfCourse(&c, []domain.Coverage{{SubCompetency: "2.A", Level: "Intermediate"}, {SubCompetency: "1.B", Level: "Basic"}})
	if err != nil {
		t.Fatal(err)
	}
	checkImpact(t, "people", imp.People, []analysis.ReadinessChange{{PersonID: "P-2", ReadyBefore: true, ReadyAfter: true,
		Attainment: []analysis.AttainmentChange{{SubCompetency: "1.B",
			Before: &analysis.Attainment{SubCompetency: "1.B", Level: "Intermediate", Courses: []string{"B-301"}},
			After:  &analysis.Attainment{SubCompetency: "1.B", Level: "Basic", Courses: []string{"B-301"}}}}}})
	check(t, "change", imp.Change, analysis.ChangeUpdate)
}

func TestImpactOfDeletion(t *testing.T) {
	ix := mustBuild(t, fixture())
	imp, err := ix.ImpactOfDeletion("A-101")
	if err != nil {
		t.Fatal(err)
	}
	// P-1 and P-6 lose their Basic on 1.A (and 1.B); P-6's POS-3 needs 1.A Basic.
	basic := func(sub string) *analysis.Attainment {
		return &analysis.Attainment{SubCompetency: sub, Level: "Basic", Courses: []string{"A-101"}}
	}
	checkImpact(t, "people", imp.People, []analysis.ReadinessChange{
		{PersonID: "P-1", GapsAdded: []analysis.Gap{{SubCompetency: "1.A", Required: "Advanced"}}, GapsRemoved: []analysis.Gap{{SubCompetency: "1.A", Required: "Advanced", Attained: "Basic"}},
			Attainment: []analysis.AttainmentChange{{SubCompetency: "1.A", Before: basic("1.A")}, {SubCompetency: "1.B", Before: basic("1.B")}}},
		{PersonID: "P-6", ReadyBefore: false, GapsAdded: []analysis.Gap{{SubCompetency: "1.A", Required: "Basic"}},
			Attainment: []analysis.AttainmentChange{{SubCompetency: "1.A", Before: basic("1.A")}, {SubCompetency: "1.B", Before: basic("1.B")}}},
	})
	check(t, "change", imp.Change, analysis.ChangeDelete)
	// A-201 still reaches Advanced on 1.A; B-301 Intermediate on 1.B.
	for _, c := range imp.SubCompetencies {
		if c.HighestBefore != c.HighestAfter {
			t.Errorf("deleting A-101 changes the highest level of %s: %+v", c.SubCompetency, c)
		}
	}
	if _, err := ix.ImpactOfDeletion("Z-999"); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("deleting an unknown course: %v, want ENOTFOUND", err)
	}
}

func TestImpactOfNewCourse(t *testing.T) {
	ix := mustBuild(t, fixture())
	c := &domain.Course{Code: "E-500", Title: "Expert transfers", Hours: 8, DeliveryMode: domain.DeliveryOnline, Status: domain.CourseActive}
	imp, err := ix.ImpactOfCourse(c, []domain.Coverage{{Course: "E-500", SubCompetency: "2.A", Level: "Expert"}})
	if err != nil {
		t.Fatal(err)
	}
	// 2.A reaches Expert again; P-6's gap becomes closable; POS-3 meetable.
	checkImpact(t, "impact", imp, &analysis.CourseImpact{Course: "E-500", Change: analysis.ChangeCreate,
		SubCompetencies: []analysis.CoverageChange{{SubCompetency: "2.A", Competency: "2.0", CourseAfter: "Expert", HighestBefore: "Intermediate", HighestAfter: "Expert",
			GapsClosed: []string{"Advanced", "Expert"}, PersonGaps: 1}},
		Positions: []analysis.PositionChange{{PositionID: "POS-3", Organization: "DSCA", MeetableAfter: true,
			NowMeetable: []analysis.LevelRequirement{{SubCompetency: "2.A", Level: "Expert"}}}},
	})
	// Nobody completed it, but it closes P-6's 2.A Expert, unclosable so
	// far, and at 8 hours it replaces B-301 (15 hours) for P-1 and P-5.
	var people []string
	for _, ch := range changedRecommendations(t, imp) {
		people = append(people, ch.PersonID)
		if !slices.ContainsFunc(ch.After.Courses, func(c analysis.RecommendedCourse) bool { return c.Code == "E-500" }) ||
			slices.ContainsFunc(ch.After.Courses, func(c analysis.RecommendedCourse) bool { return c.Code == "B-301" }) || len(ch.After.Unclosable) != 0 {
			t.Errorf("%s's recommendation with E-500: %+v", ch.PersonID, ch.After)
		}
	}
	check(t, "recommendations changed", people, []string{"P-1", "P-5", "P-6"})
	if _, err := ix.ImpactOfCourse(c, []domain.Coverage{{SubCompetency: "2.A", Level: "Guru"}}); domain.ErrorField(err) != "coverage[0].level" {
		t.Errorf("bad level: %v, want an error on coverage[0].level", err)
	}
}
