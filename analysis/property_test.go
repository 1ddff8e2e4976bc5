package analysis_test

import (
	"cmap/domain"
	"cmp"
	"fmt"
	"slices"
	"testing"
	"time"

	"cmap/analysis"
)

// snapshotModel answers questions about a snapshot by brute force, straight
// from its definition, to check the index against.
type snapshotModel struct {
	s       analysis.Snapshot
	courses map[string]*domain.Course
}

func newModel(s analysis.Snapshot) *snapshotModel {
	m := &snapshotModel{s: s, courses: map[string]*domain.Course{}}
	for _, c := range s.Courses {
		m.courses[c.Code] = c
	}
	return m
}

func (m *snapshotModel) rank(level string) int { r, _ := m.s.Scale.Rank(level); return r }

// levelOn returns the level of course code on sub (0: none).
func (m *snapshotModel) levelOn(code, sub string) int {
	best := 0
	for _, f := range m.s.Coverage[code] {
		if f.SubCompetency == sub {
			best = max(best, m.rank(f.Level))
		}
	}
	return best
}

type modelGap struct {
	sub      string
	required int
}

// gaps returns a person's unmet requirements.
func (m *snapshotModel) gaps(p *domain.Person) []modelGap {
	var out []modelGap
	for _, r := range m.s.Requirements[p.PositionID] {
		attained := 0
		for _, c := range p.Completions {
			if _, known := m.courses[c.CourseCode]; known {
				attained = max(attained, m.levelOn(c.CourseCode, r.SubCompetency))
			}
		}
		if attained < m.rank(r.Level) {
			out = append(out, modelGap{r.SubCompetency, m.rank(r.Level)})
		}
	}
	return out
}

// cheapestCover enumerates every set of active courses the person has not
// completed whose prerequisites are completed or in the set, and returns
// the gaps some such set closes and the best set closing them all by
// (hours, number of courses, sorted codes).
func (m *snapshotModel) cheapestCover(p *domain.Person, gaps []modelGap) (closable map[modelGap]bool, best []string, bestHours float64) {
	done := map[string]bool{}
	for _, c := range p.Completions {
		done[c.CourseCode] = true
	}
	var pool []string
	for _, c := range m.s.Courses {
		if c.Active() && !done[c.Code] {
			pool = append(pool, c.Code)
		}
	}
	slices.Sort(pool)
	feasible := func(set []string) bool {
		for _, code := range set {
			for _, pre := range m.courses[code].Prerequisites {
				if !done[pre] && !slices.Contains(set, pre) {
					return false
				}
			}
		}
		return true
	}
	closes := func(set []string) map[modelGap]bool {
		out := map[modelGap]bool{}
		for _, g := range gaps {
			for _, code := range set {
				if m.levelOn(code, g.sub) >= g.required {
					out[g] = true
				}
			}
		}
		return out
	}
	var sets [][]string
	closable = map[modelGap]bool{}
	for mask := 0; mask < 1<<len(pool); mask++ {
		var set []string
		for i, code := range pool {
			if mask&(1<<i) != 0 {
				set = append(set, code)
			}
		}
		if feasible(set) {
			sets = append(sets, set)
			for g := range closes(set) {
				closable[g] = true
			}
		}
	}
	hours := func(set []string) float64 {
		h := 0.0
		for _, code := range set {
			h += m.courses[code].Hours
		}
		return h
	}
	found := false
	for _, set := range sets {
		if len(closes(set)) != len(closable) {
			continue
		}
		if !found || cmp.Or(cmp.Compare(hours(set), bestHours), cmp.Compare(len(set), len(best)), slices.Compare(set, best)) < 0 {
			best, bestHours, found = set, hours(set), true
		}
	}
	return closable, best, bestHours
}

func TestRecommendationIsTheCheapestCoverByBruteForce(t *testing.T) {
	withPrerequisites, several := 0, 0 // the instances must exercise both
	for seed := uint64(1); seed <= 60; seed++ {
		s := generate(seed, smallSizes)
		ix := mustBuild(t, s)
		m := newModel(s)
		for _, p := range s.People {
			name := fmt.Sprintf("seed %d %s", seed, p.ID)
			gaps := m.gaps(p)
			r, err := ix.Readiness(p.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Gaps) != len(gaps) {
				t.Fatalf("%s: index finds gaps %+v, brute force %+v", name, r.Gaps, gaps)
			}
			closable, best, bestHours := m.cheapestCover(p, gaps)
			rec, err := ix.Recommend(p.ID)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, c := range rec.Courses {
				got = append(got, c.Code)
			}
			slices.Sort(got)
			for _, c := range rec.Courses {
				if len(c.PrerequisiteOf) > 0 {
					withPrerequisites++
					break
				}
			}
			if len(got) > 1 {
				several++
			}
			if rec.Method != analysis.MethodExact || !slices.Equal(got, best) || rec.TotalHours != bestHours {
				t.Errorf("%s: recommended %v (%g h, %s), brute force %v (%g h)", name, got, rec.TotalHours, rec.Method, best, bestHours)
			}
			if len(rec.Unclosable) != len(gaps)-len(closable) {
				t.Errorf("%s: unclosable %+v, brute force closes %d of %d gaps", name, rec.Unclosable, len(closable), len(gaps))
			}

			// Taking the recommended courses leaves exactly the unclosable gaps.
			taken := *p
			taken.Completions = slices.Clone(p.Completions)
			for _, code := range got {
				taken.Completions = append(taken.Completions, domain.Completion{CourseCode: code, Completed: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)})
			}
			after, err := ix.WithPerson(&taken)
			if err != nil {
				t.Fatal(err)
			}
			ra, _ := after.Readiness(p.ID)
			// (Courses taken may raise the attained level of an unclosable gap.)
			required := func(gs []analysis.Gap) []string {
				var out []string
				for _, g := range gs {
					out = append(out, g.SubCompetency+"@"+g.Required)
				}
				return out
			}
			if !slices.Equal(required(ra.Gaps), required(rec.Unclosable)) {
				t.Errorf("%s: after the recommended courses the gaps are %+v, want the unclosable %+v", name, ra.Gaps, rec.Unclosable)
			}
		}
	}
	if withPrerequisites < 10 || several < 50 {
		t.Errorf("the random instances are too easy: %d recommendations with prerequisites, %d with several courses", withPrerequisites, several)
	}
}
