package analysis_test

import (
	"cmap/domain"
	"testing"

	"cmap/analysis"
)

func recommend(t *testing.T, ix *analysis.Index, id string) *analysis.Recommendation {
	t.Helper()
	r, err := ix.Recommend(id)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestRecommend(t *testing.T) {
	ix := mustBuild(t, fixture())

	// P-1 has A-101, so A-201 needs nothing more; 2.A Intermediate only
	// B-301 reaches among active courses (C-401 is retired).
	check(t, "P-1", recommend(t, ix, "P-1"), &analysis.Recommendation{PersonID: "P-1", Method: analysis.MethodExact, TotalHours: 35, LowerBoundHours: 35,
		Courses: []analysis.RecommendedCourse{
			{Code: "A-201", Title: "Course A-201", Hours: 20, Closes: []analysis.Gap{{SubCompetency: "1.A", Required: "Advanced", Attained: "Basic"}}},
			{Code: "B-301", Title: "Course B-301", Hours: 15, Closes: []analysis.Gap{{SubCompetency: "2.A", Required: "Intermediate"}}},
		}})

	// P-5 has nothing: A-201 brings its prerequisite A-101 (10 h), which
	// closes no gap itself and comes first.
	check(t, "P-5", recommend(t, ix, "P-5"), &analysis.Recommendation{PersonID: "P-5", Method: analysis.MethodExact, TotalHours: 45, LowerBoundHours: 45,
		Courses: []analysis.RecommendedCourse{
			{Code: "A-101", Title: "Course A-101", Hours: 10, PrerequisiteOf: []string{"A-201"}},
			{Code: "A-201", Title: "Course A-201", Hours: 20, Closes: []analysis.Gap{{SubCompetency: "1.A", Required: "Advanced"}}},
			{Code: "B-301", Title: "Course B-301", Hours: 15, Closes: []analysis.Gap{{SubCompetency: "2.A", Required: "Intermediate"}}},
		}})

	// P-6 misses 2.A Expert, which no active course reaches.
	check(t, "P-6", recommend(t, ix, "P-6"), &analysis.Recommendation{PersonID: "P-6", Method: analysis.MethodExact,
		Unclosable: []analysis.Gap{{SubCompetency: "2.A", Required: "Expert"}}})

	// A ready person needs nothing.
	check(t, "P-2", recommend(t, ix, "P-2"), &analysis.Recommendation{PersonID: "P-2", Method: analysis.MethodExact})

	if _, err := ix.Recommend("P-99"); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("Recommend(P-99) = %v, want ENOTFOUND", err)
	}
}

func TestRecommendPrefersFewerHoursOverFewerCourses(t *testing.T) {
	s := fixture()
	// E-900 closes both of P-5's gaps in one 50-hour course; the pair
	// A-101+A-201 and B-301 takes 45 hours and wins.
	s.Courses = append(s.Courses, &domain.Course{Code: "E-900", Title: "Capstone", Hours: 50, DeliveryMode: domain.DeliveryOnline, Status: domain.CourseActive})
	s.Coverage["E-900"] = []domain.Coverage{{Course: "E-900", SubCompetency: "1.A", Level: "Expert"}, {Course: "E-900", SubCompetency: "2.A", Level: "Advanced"}}
	ix := mustBuild(t, s)
	check(t, "P-5 hours", recommend(t, ix, "P-5").TotalHours, 45.0)

	// At 45 hours it ties on hours and wins on the number of courses.
	s.Courses[len(s.Courses)-1].Hours = 45
	ix = mustBuild(t, s)
	r := recommend(t, ix, "P-5")
	if len(r.Courses) != 1 || r.Courses[0].Code != "E-900" || len(r.Courses[0].Closes) != 2 {
		t.Errorf("P-5 with a 45-hour capstone = %+v, want E-900 alone closing both gaps", r)
	}
}

func TestRecommendSkipsCoursesWhosePrerequisiteIsRetired(t *testing.T) {
	s := fixture()
	s.Courses[1].Status = domain.CourseRetired // A-101, prerequisite of A-201
	ix := mustBuild(t, s)
	// P-5 cannot take A-201 any more; P-1 completed A-101 and still can.
	check(t, "P-5 unclosable", recommend(t, ix, "P-5").Unclosable, []analysis.Gap{{SubCompetency: "1.A", Required: "Advanced"}})
	check(t, "P-1 unclosable", recommend(t, ix, "P-1").Unclosable, []analysis.Gap(nil))
}

func TestOrganizationRecommendations(t *testing.T) {
	ix := mustBuild(t, fixture())
	got, err := ix.OrganizationRecommendations("EUCOM-SCO", 0)
	if err != nil {
		t.Fatal(err)
	}
	// P-1 and P-5 miss 1.A Advanced and 2.A Intermediate (B-301):
	// two person-gaps each; B-301 is shorter.
	check(t, "EUCOM-SCO", got, []analysis.CourseGapClosure{
		{Course: "B-301", Title: "Course B-301", Hours: 15, GapsClosed: 2},
		{Course: "A-201", Title: "Course A-201", Hours: 20, GapsClosed: 2},
	})
	got, err = ix.OrganizationRecommendations("DSCA", 5)
	if err != nil {
		t.Fatal(err)
	}
	check(t, "DSCA", got, []analysis.CourseGapClosure{})
	if _, err := ix.OrganizationRecommendations("NAVY", 5); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("unknown organization: %v, want ENOTFOUND", err)
	}
}
