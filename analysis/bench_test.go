package analysis_test

import (
	"cmap/domain"
	"cmp"
	"context"
	"slices"
	"sync"
	"testing"

	"cmap/analysis"
)

// The benchmarks run at DoD scale (dodSizes): go test -bench . -benchmem
// -run '^$' ./analysis/

var dod = sync.OnceValues(func() (analysis.Snapshot, *analysis.Index) {
	s := generate(2024, dodSizes)
	ix, err := analysis.Build(s)
	if err != nil {
		panic(err)
	}
	return s, ix
})

// popularCourse returns the active course the most people completed.
func popularCourse(s analysis.Snapshot) *domain.Course {
	count := map[string]int{}
	for _, p := range s.People {
		for _, c := range p.Completions {
			count[c.CourseCode]++
		}
	}
	var best *domain.Course
	for _, c := range s.Courses {
		if c.Active() && (best == nil || count[c.Code] > count[best.Code]) {
			best = c
		}
	}
	return best
}

// largestOrganization returns the organization with the most people.
func largestOrganization(b *testing.B, ix *analysis.Index) string {
	var best *analysis.OrganizationReadiness
	for _, org := range ix.Organizations() {
		r, err := ix.OrganizationReadiness(org, 0)
		if err != nil {
			b.Fatal(err)
		}
		if best == nil || r.People > best.People {
			best = r
		}
	}
	return best.Organization
}

// peopleWithGaps returns the ids of people who are not ready.
func peopleWithGaps(ix *analysis.Index) []string {
	var ids []string
	for _, r := range ix.PeopleReadiness() {
		if !r.Ready {
			ids = append(ids, r.PersonID)
		}
	}
	return ids
}

func BenchmarkBuild(b *testing.B) {
	s, _ := dod()
	for b.Loop() {
		if _, err := analysis.Build(s); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMatrix(b *testing.B) {
	_, ix := dod()
	for _, bc := range []struct {
		name string
		f    analysis.MatrixFilter
	}{
		{"full", analysis.MatrixFilter{Status: analysis.AnyStatus}},
		{"competency-minlevel", analysis.MatrixFilter{Competencies: []string{"4.0"}, MinLevel: "Advanced"}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := ix.Matrix(bc.f); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkGaps(b *testing.B) {
	_, ix := dod()
	for b.Loop() {
		if _, err := ix.Gaps("Advanced", 0); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDemand(b *testing.B) {
	_, ix := dod()
	for b.Loop() {
		ix.Demand()
	}
}

func BenchmarkReadiness(b *testing.B) {
	_, ix := dod()
	ids := peopleWithGaps(ix)
	i := 0
	for b.Loop() {
		if _, err := ix.Readiness(ids[i%len(ids)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func BenchmarkOrganizationReadiness(b *testing.B) {
	_, ix := dod()
	org := largestOrganization(b, ix)
	for b.Loop() {
		if _, err := ix.OrganizationReadiness(org, 10); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRecommend(b *testing.B) {
	_, ix := dod()
	ids := peopleWithGaps(ix)
	i := 0
	for b.Loop() {
		if _, err := ix.Recommend(ids[i%len(ids)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func BenchmarkOrganizationRecommendations(b *testing.B) {
	_, ix := dod()
	org := largestOrganization(b, ix)
	for b.Loop() {
		if _, err := ix.OrganizationRecommendations(org, 10); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkImpactOfRetirement retires the most-completed course, keeping
// its facts (as the shipped rules do).
func BenchmarkImpactOfRetirement(b *testing.B) {
	s, ix := dod()
	c := *popularCourse(s)
	c.Status = domain.CourseRetired
	for b.Loop() {
		if _, err := ix.ImpactOfCourse(&c, s.Coverage[c.Code]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkImpactRecommendations answers the recommendations, before and
// after, of the people whose readiness changes when the most-completed
// course loses one of its facts.
func BenchmarkImpactRecommendations(b *testing.B) {
	s, ix := dod()
	c := popularCourse(s)
	imp, err := ix.ImpactOfCourse(c, s.Coverage[c.Code][1:])
	if err != nil {
		b.Fatal(err)
	}
	var ids []string
	for _, p := range imp.People {
		ids = append(ids, p.PersonID)
	}
	for b.Loop() {
		if _, err := imp.Recommendations(context.Background(), ids); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(ids)), "people")
}

// BenchmarkImpactOfCourse changes the popular course's coverage, so the
// readiness of everyone who completed it is recomputed.
func BenchmarkImpactOfCourse(b *testing.B) {
	s, ix := dod()
	c := popularCourse(s)
	cov := slices.Clone(s.Coverage[c.Code])
	cov[0].Level = s.Scale.Levels[0]
	for b.Loop() {
		if _, err := ix.ImpactOfCourse(c, cov); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWithCourse(b *testing.B) {
	s, ix := dod()
	c := popularCourse(s)
	cov := slices.Clone(s.Coverage[c.Code])
	cov[0].Level = s.Scale.Levels[0]
	for b.Loop() {
		if _, err := ix.WithCourse(c, cov); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWithPerson(b *testing.B) {
	s, ix := dod()
	p := *s.People[len(s.People)/2]
	p.Completions = append(slices.Clone(p.Completions), domain.Completion{CourseCode: popularCourse(s).Code})
	for b.Loop() {
		if _, err := ix.WithPerson(&p); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWithPosition(b *testing.B) {
	s, ix := dod()
	p := s.Positions[len(s.Positions)/2]
	reqs := slices.Clone(s.Requirements[p.ID])
	slices.SortFunc(reqs, func(a, b domain.Requirement) int { return cmp.Compare(a.SubCompetency, b.SubCompetency) })
	reqs[0].Level = s.Scale.Levels[len(s.Scale.Levels)-1]
	for b.Loop() {
		if _, err := ix.WithPosition(p, reqs); err != nil {
			b.Fatal(err)
		}
	}
}
