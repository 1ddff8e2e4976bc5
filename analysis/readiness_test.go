package analysis_test

import (
	"cmap/domain"
	"fmt"
	"slices"
	"testing"

	"cmap/analysis"
)

func TestReadiness(t *testing.T) {
	ix := mustBuild(t, fixture())
	get := func(id string) *analysis.Readiness {
		r, err := ix.Readiness(id)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}

	// P-1 completed A-101 (1.A Basic, 1.B Basic); POS-1 needs 1.A Advanced, 2.A Intermediate.
	check(t, "P-1", get("P-1"), &analysis.Readiness{PersonID: "P-1", Name: "Person P-1", PositionID: "POS-1", HasPosition: true,
		Organization: "EUCOM-SCO", Requirements: 2,
		Gaps:     []analysis.Gap{{SubCompetency: "1.A", Required: "Advanced", Attained: "Basic"}, {SubCompetency: "2.A", Required: "Intermediate"}},
		Attained: []analysis.Attainment{{SubCompetency: "1.A", Level: "Basic", Courses: []string{"A-101"}}, {SubCompetency: "1.B", Level: "Basic", Courses: []string{"A-101"}}}})

	// P-3's only course is retired, and still counts: 2.A Expert, 1.A Intermediate meet POS-3.
	p3 := get("P-3")
	check(t, "P-3 ready", p3.Ready, true)
	check(t, "P-3 attained", p3.Attained, []analysis.Attainment{
		{SubCompetency: "1.A", Level: "Intermediate", Courses: []string{"C-401"}}, {SubCompetency: "2.A", Level: "Expert", Courses: []string{"C-401"}}})

	// P-4 holds no position: ready, nothing required.
	check(t, "P-4", get("P-4"), &analysis.Readiness{PersonID: "P-4", Name: "Person P-4", Ready: true, Gaps: []analysis.Gap{}, Attained: []analysis.Attainment{}})

	if _, err := ix.Readiness("P-99"); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("Readiness(P-99) = %v, want ENOTFOUND", err)
	}

	var ready []string
	for _, r := range ix.PeopleReadiness() {
		if r.Ready {
			ready = append(ready, r.PersonID)
		}
	}
	check(t, "ready people", ready, []string{"P-2", "P-3", "P-4"})
}

func TestReadinessOfPersonWhosePositionIsGone(t *testing.T) {
	s := fixture()
	s.People[4].PositionID = "POS-404"
	ix := mustBuild(t, s)
	r, err := ix.Readiness("P-5")
	if err != nil {
		t.Fatal(err)
	}
	if r.HasPosition || !r.Ready || r.PositionID != "POS-404" {
		t.Errorf("P-5 with a missing position = %+v, want no position, ready, POS-404 kept", r)
	}
}

func TestOrganizationReadiness(t *testing.T) {
	ix := mustBuild(t, fixture())
	check(t, "organizations", ix.Organizations(), []string{"DSCA", "EUCOM-SCO"})

	eu, err := ix.OrganizationReadiness("EUCOM-SCO", 0)
	if err != nil {
		t.Fatal(err)
	}
	// P-1 and P-5 (POS-1) both miss 1.A Advanced and 2.A Intermediate; P-2 is ready.
	check(t, "EUCOM-SCO", eu, &analysis.OrganizationReadiness{Organization: "EUCOM-SCO", People: 3, Ready: 1, Share: 1.0 / 3,
		CommonGaps: []analysis.GapCount{{SubCompetency: "1.A", Required: "Advanced", People: 2}, {SubCompetency: "2.A", Required: "Intermediate", People: 2}}})

	top, err := ix.OrganizationReadiness("EUCOM-SCO", 1)
	if err != nil {
		t.Fatal(err)
	}
	check(t, "top 1", len(top.CommonGaps), 1)

	dsca, err := ix.OrganizationReadiness("DSCA", 0)
	if err != nil {
		t.Fatal(err)
	}
	// P-3 is ready through a retired course; P-6 misses 2.A Expert.
	check(t, "DSCA", dsca, &analysis.OrganizationReadiness{Organization: "DSCA", People: 2, Ready: 1, Share: 0.5,
		CommonGaps: []analysis.GapCount{{SubCompetency: "2.A", Required: "Expert", People: 1}}})

	if _, err := ix.OrganizationReadiness("NAVY", 0); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("unknown organization: %v, want ENOTFOUND", err)
	}
}

// Each attainment lists the completed courses (known to the index) that
// reach its level, sorted, as a brute force over the facts finds them.
func TestAttainmentCoursesByBruteForce(t *testing.T) {
	several := 0 // the instances must have lists of several courses
	for seed := uint64(1); seed <= 60; seed++ {
		s := generate(seed, smallSizes)
		ix := mustBuild(t, s)
		m := newModel(s)
		for _, p := range s.People {
			r, err := ix.Readiness(p.ID)
			if err != nil {
				t.Fatal(err)
			}
			want := []analysis.Attainment{}
			for _, c := range s.Framework.Competencies {
				for _, sub := range c.SubCompetencies {
					best, courses := 0, []string(nil)
					for _, done := range p.Completions {
						if _, known := m.courses[done.CourseCode]; !known {
							continue
						}
						switch l := m.levelOn(done.CourseCode, sub.Code); {
						case l > best:
							best, courses = l, []string{done.CourseCode}
						case l == best && l > 0 && !slices.Contains(courses, done.CourseCode):
							courses = append(courses, done.CourseCode)
						}
					}
					if best > 0 {
						slices.Sort(courses)
						want = append(want, analysis.Attainment{SubCompetency: sub.Code, Level: s.Scale.Levels[best-1], Courses: courses})
						if len(courses) > 1 {
							several++
						}
					}
				}
			}
			check(t, fmt.Sprintf("seed %d %s attained", seed, p.ID), r.Attained, want)
		}
	}
	if several == 0 {
		t.Error("no attainment of several courses: the instances do not exercise the lists")
	}
}
