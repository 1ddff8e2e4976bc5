package analysis_test

import (
	"cmap/domain"
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"

	"cmap/analysis"
	"cmap/analysis/analysistest"
)

// answers asks ix every question.
func answers(t *testing.T, ix *analysis.Index) analysistest.Answers {
	t.Helper()
	a, err := analysistest.AnswersOf(ix)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// sameAnswers fails t, naming what, when got and want differ.
func sameAnswers(t *testing.T, what string, got, want analysistest.Answers) {
	t.Helper()
	if d := analysistest.Diff(got, want); d != "" {
		t.Fatalf("%s: the answers differ:\n%s", what, d)
	}
}

// TestUpdatesEqualRebuilds applies random writes both through the With*
// methods and to the snapshot followed by a full Build, and compares every
// answer and the impact of deleting each course; it also checks that the
// index a write started from is unchanged.
func TestUpdatesEqualRebuilds(t *testing.T) {
	sizes := smallSizes
	sizes.courses, sizes.people, sizes.positions = 9, 14, 6
	for seed := uint64(1); seed <= 12; seed++ {
		s := generate(seed, sizes)
		rng := rand.New(rand.NewPCG(seed, 99))
		ix := mustBuild(t, s)
		for step := 0; step < 25; step++ {
			before := answers(t, ix)
			var next *analysis.Index
			var err error
			op := ""
			switch rng.IntN(6) {
			case 0: // edit or add a course
				var c domain.Course
				if i := rng.IntN(len(s.Courses) + 1); i < len(s.Courses) {
					c = *s.Courses[i]
				} else {
					c = domain.Course{Code: fmt.Sprintf("NEW-%d", step), Title: "New", Hours: 3, DeliveryMode: domain.DeliveryOnline}
				}
				c.Status = []string{domain.CourseActive, domain.CourseRetired}[rng.IntN(2)]
				var cov []domain.Coverage
				for _, sub := range s.Framework.SubCompetencyCodes() {
					if rng.IntN(3) == 0 {
						cov = append(cov, domain.Coverage{Course: c.Code, SubCompetency: sub, Level: s.Scale.Levels[rng.IntN(len(s.Scale.Levels))]})
					}
				}
				op = "WithCourse " + c.Code
				next, err = ix.WithCourse(&c, cov)
				s.Courses = replace(s.Courses, &c, func(x *domain.Course) string { return x.Code })
				s.Coverage[c.Code] = cov
			case 1: // delete a course
				if len(s.Courses) == 0 {
					continue
				}
				code := s.Courses[rng.IntN(len(s.Courses))].Code
				op = "WithoutCourse " + code
				next, err = ix.WithoutCourse(code)
				s.Courses = slices.DeleteFunc(slices.Clone(s.Courses), func(x *domain.Course) bool { return x.Code == code })
				delete(s.Coverage, code)
			case 2: // edit or add a person
				p := &domain.Person{ID: fmt.Sprintf("P-%05d", rng.IntN(len(s.People)+2)), Name: "Edited"}
				if n := rng.IntN(4); n > 0 && len(s.Positions) > 0 {
					p.PositionID = s.Positions[rng.IntN(len(s.Positions))].ID
				}
				for n := rng.IntN(4); n > 0 && len(s.Courses) > 0; n-- {
					p.Completions = append(p.Completions, domain.Completion{CourseCode: s.Courses[rng.IntN(len(s.Courses))].Code})
				}
				op = "WithPerson " + p.ID
				next, err = ix.WithPerson(p)
				s.People = replace(s.People, p, func(x *domain.Person) string { return x.ID })
			case 3: // delete a person
				if len(s.People) == 0 {
					continue
				}
				id := s.People[rng.IntN(len(s.People))].ID
				op = "WithoutPerson " + id
				next, err = ix.WithoutPerson(id)
				s.People = slices.DeleteFunc(slices.Clone(s.People), func(x *domain.Person) bool { return x.ID == id })
			case 4: // edit or add a position
				p := &domain.Position{ID: fmt.Sprintf("POS-%05d", rng.IntN(len(s.Positions)+2)), Title: "Edited",
					Organization: fmt.Sprintf("ORG-%02d", rng.IntN(3)), Grade: "GS-12", Category: "HQ"}
				var reqs []domain.Requirement
				for _, sub := range s.Framework.SubCompetencyCodes() {
					if rng.IntN(3) == 0 {
						reqs = append(reqs, domain.Requirement{Position: p.ID, SubCompetency: sub, Level: s.Scale.Levels[rng.IntN(len(s.Scale.Levels))]})
					}
				}
				op = "WithPosition " + p.ID
				next, err = ix.WithPosition(p, reqs)
				s.Positions = replace(s.Positions, p, func(x *domain.Position) string { return x.ID })
				s.Requirements[p.ID] = reqs
			case 5: // delete a position
				if len(s.Positions) == 0 {
					continue
				}
				id := s.Positions[rng.IntN(len(s.Positions))].ID
				op = "WithoutPosition " + id
				next, err = ix.WithoutPosition(id)
				s.Positions = slices.DeleteFunc(slices.Clone(s.Positions), func(x *domain.Position) bool { return x.ID == id })
				delete(s.Requirements, id)
			}
			if err != nil {
				t.Fatalf("seed %d step %d %s: %v", seed, step, op, err)
			}
			what := fmt.Sprintf("seed %d step %d %s", seed, step, op)
			sameAnswers(t, what+" (old index)", answers(t, ix), before)
			rebuilt := mustBuild(t, s)
			sameAnswers(t, what, answers(t, next), answers(t, rebuilt))
			// Impacts read what no other answer does: the positions
			// requiring each level.
			for _, c := range s.Courses {
				got, err := next.ImpactOfDeletion(c.Code)
				if err != nil {
					t.Fatal(err)
				}
				want, err := rebuilt.ImpactOfDeletion(c.Code)
				if err != nil {
					t.Fatal(err)
				}
				checkImpact(t, fmt.Sprintf("%s: impact of deleting %s", what, c.Code), got, want)
			}
			if t.Failed() {
				return
			}
			ix = next
		}
	}
}

// replace returns list with the element whose key is key(x) replaced by x,
// or x appended.
func replace[T any](list []T, x T, key func(T) string) []T {
	out := slices.Clone(list)
	for i := range out {
		if key(out[i]) == key(x) {
			out[i] = x
			return out
		}
	}
	return append(out, x)
}

// TestImpactEqualsRebuildDiff makes random course changes (edits of
// coverage, hours, prerequisites and status, new courses, deletions) and
// checks each impact against the change made: the index After equals a
// full Build of the changed snapshot, and the impact and its
// recommendation changes equal what comparing every answer before and
// after finds.
func TestImpactEqualsRebuildDiff(t *testing.T) {
	for seed := uint64(1); seed <= 20; seed++ {
		s := generate(seed, smallSizes)
		rng := rand.New(rand.NewPCG(seed, 7))
		ix := mustBuild(t, s)
		for step := 0; step < 12; step++ {
			after := s
			after.Courses = slices.Clone(s.Courses)
			after.Coverage = maps.Clone(s.Coverage)
			var imp *analysis.CourseImpact
			var err error
			var op string
			if i := rng.IntN(len(s.Courses) + 2); i < len(s.Courses) && rng.IntN(4) == 0 {
				code := s.Courses[i].Code
				op = "delete " + code
				after.Courses = slices.Delete(after.Courses, i, i+1)
				delete(after.Coverage, code)
				imp, err = ix.ImpactOfDeletion(code)
			} else {
				c := &domain.Course{Code: fmt.Sprintf("NEW-%d", step), Title: "New", DeliveryMode: domain.DeliveryOnline, Hours: 2}
				if i < len(s.Courses) {
					c = new(*s.Courses[i])
				}
				c.Status = []string{domain.CourseActive, domain.CourseRetired}[rng.IntN(2)]
				if rng.IntN(3) == 0 {
					c.Hours = smallSizes.hours[rng.IntN(len(smallSizes.hours))]
				}
				if rng.IntN(4) == 0 && len(s.Courses) > 0 {
					c.Prerequisites = []string{s.Courses[rng.IntN(len(s.Courses))].Code}
				}
				cov := s.Coverage[c.Code]
				if rng.IntN(2) == 0 {
					cov = nil
					for _, sub := range s.Framework.SubCompetencyCodes() {
						if rng.IntN(3) == 0 {
							cov = append(cov, domain.Coverage{Course: c.Code, SubCompetency: sub, Level: s.Scale.Levels[rng.IntN(len(s.Scale.Levels))]})
						}
					}
				}
				op = fmt.Sprintf("%s %s as %s, %g hours, prerequisites %v, %d facts", []string{"create", "edit"}[min(i, 1)], c.Code, c.Status, c.Hours, c.Prerequisites, len(cov))
				after.Courses = replace(after.Courses, c, func(x *domain.Course) string { return x.Code })
				after.Coverage[c.Code] = cov
				imp, err = ix.ImpactOfCourse(c, cov)
			}
			what := fmt.Sprintf("seed %d step %d: %s", seed, step, op)
			if err != nil {
				t.Fatalf("%s: %v", what, err)
			}
			real := mustBuild(t, after)
			sameAnswers(t, what+": After()", answers(t, imp.After()), answers(t, real))
			wb, wa := world(t, ix, s), world(t, real, after)
			want, err := analysistest.ExpectedImpact(wb, wa, imp.Course)
			if err != nil {
				t.Fatal(err)
			}
			checkImpact(t, what+": impact", imp, want)
			recs, err := imp.Recommendations(context.Background(), personIDs(s))
			if err != nil {
				t.Fatal(err)
			}
			checkImpact(t, what+": recommendations", recs, analysistest.ExpectedRecommendations(wb.Answers, wa.Answers))
			if t.Failed() {
				return
			}
			s, ix = after, imp.After()
		}
	}
}

// personIDs returns the ids of the people of s, sorted.
func personIDs(s analysis.Snapshot) []string {
	var ids []string
	for _, p := range s.People {
		ids = append(ids, p.ID)
	}
	slices.Sort(ids)
	return ids
}

// world returns the World of an index built from s.
func world(t *testing.T, ix *analysis.Index, s analysis.Snapshot) analysistest.World {
	return analysistest.World{Index: ix, Answers: answers(t, ix), Requirements: s.Requirements}
}

// TestConcurrentReadersAndDerivations runs readers on an index while other
// goroutines derive new indexes from it; with -race it proves that
// derivations never write what readers of the old index see.
func TestConcurrentReadersAndDerivations(t *testing.T) {
	s := generate(7, smallSizes)
	ix := mustBuild(t, s)
	want := answers(t, ix)
	type result struct {
		a   analysistest.Answers
		err error
	}
	done := make(chan result)
	for range 3 {
		go func() {
			a, err := analysistest.AnswersOf(ix)
			done <- result{a, err}
		}()
	}
	derived := make(chan error)
	go func() {
		c := *s.Courses[0]
		c.Status = domain.CourseRetired
		next, err := ix.WithCourse(&c, nil)
		if err == nil {
			_, err = next.WithPerson(&domain.Person{ID: s.People[0].ID, Name: "Renamed", PositionID: s.Positions[0].ID})
		}
		if err == nil {
			_, err = ix.WithoutPosition(s.Positions[0].ID)
		}
		derived <- err
	}()
	if err := <-derived; err != nil {
		t.Fatal(err)
	}
	for range 3 {
		r := <-done
		if r.err != nil {
			t.Fatal(r.err)
		}
		sameAnswers(t, "concurrent reader", r.a, want)
	}
}
