package analysis_test

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"cmap/analysis"
	"cmap/engine"
)

// answers is every public answer of an index, to compare two indexes.
type answers struct {
	Matrix, AllStatuses *analysis.Matrix
	Gaps                []*analysis.GapReport
	Demand              []analysis.SubCompetencyDemand
	People              []*analysis.Readiness
	Details             []*analysis.Readiness
	Recommendations     []*analysis.Recommendation
	Organizations       []string
	OrgReadiness        []*analysis.OrganizationReadiness
	OrgRecommendations  [][]analysis.CourseGapClosure
	CourseRecords       []*engine.Course
	PositionRecords     []*engine.Position
	PersonRecords       []*engine.Person
}

func answersOf(t *testing.T, ix *analysis.Index) answers {
	t.Helper()
	var a answers
	var err error
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	a.Matrix, err = ix.Matrix(analysis.MatrixFilter{})
	must(err)
	a.AllStatuses, err = ix.Matrix(analysis.MatrixFilter{Status: analysis.AnyStatus})
	must(err)
	for _, level := range ix.Scale().Levels {
		g, err := ix.Gaps(level, 1)
		must(err)
		a.Gaps = append(a.Gaps, g)
	}
	a.Demand = ix.Demand()
	a.People = ix.PeopleReadiness()
	for _, p := range a.People {
		r, err := ix.Readiness(p.PersonID)
		must(err)
		a.Details = append(a.Details, r)
		rec, err := ix.Recommend(p.PersonID)
		must(err)
		a.Recommendations = append(a.Recommendations, rec)
	}
	a.Organizations = ix.Organizations()
	for _, org := range a.Organizations {
		r, err := ix.OrganizationReadiness(org, 0)
		must(err)
		a.OrgReadiness = append(a.OrgReadiness, r)
		c, err := ix.OrganizationRecommendations(org, 0)
		must(err)
		a.OrgRecommendations = append(a.OrgRecommendations, c)
	}
	courses, err := ix.Courses(engine.CourseFilter{}, engine.Page{})
	must(err)
	positions, err := ix.Positions(engine.PositionFilter{}, engine.Page{})
	must(err)
	people, err := ix.People(engine.PersonFilter{}, engine.Page{})
	must(err)
	a.CourseRecords, a.PositionRecords, a.PersonRecords = courses.Items, positions.Items, people.Items
	return a
}

func sameAnswers(t *testing.T, what string, got, want answers) {
	t.Helper()
	gv, wv := reflect.ValueOf(got), reflect.ValueOf(want)
	for i := 0; i < gv.NumField(); i++ {
		if !reflect.DeepEqual(gv.Field(i).Interface(), wv.Field(i).Interface()) {
			t.Fatalf("%s: %s differ:\n got  %+v\n want %+v", what, gv.Type().Field(i).Name, gv.Field(i).Interface(), wv.Field(i).Interface())
		}
	}
}

// TestUpdatesEqualRebuilds applies random writes both through the With*
// methods and to the snapshot followed by a full Build, and compares every
// answer; it also checks that the index a write started from is unchanged.
func TestUpdatesEqualRebuilds(t *testing.T) {
	sizes := smallSizes
	sizes.courses, sizes.people, sizes.positions = 9, 14, 6
	for seed := uint64(1); seed <= 12; seed++ {
		s := generate(seed, sizes)
		rng := rand.New(rand.NewPCG(seed, 99))
		ix := mustBuild(t, s)
		for step := 0; step < 25; step++ {
			before := answersOf(t, ix)
			var next *analysis.Index
			var err error
			op := ""
			switch rng.IntN(6) {
			case 0: // edit or add a course
				var c engine.Course
				if i := rng.IntN(len(s.Courses) + 1); i < len(s.Courses) {
					c = *s.Courses[i]
				} else {
					c = engine.Course{Code: fmt.Sprintf("NEW-%d", step), Title: "New", Hours: 3, DeliveryMode: engine.DeliveryOnline}
				}
				c.Status = []string{engine.CourseActive, engine.CourseRetired}[rng.IntN(2)]
				var cov []engine.Coverage
				for _, sub := range s.Framework.SubCompetencyCodes() {
					if rng.IntN(3) == 0 {
						cov = append(cov, engine.Coverage{Course: c.Code, SubCompetency: sub, Level: s.Scale.Levels[rng.IntN(len(s.Scale.Levels))]})
					}
				}
				op = "WithCourse " + c.Code
				next, err = ix.WithCourse(&c, cov)
				s.Courses = replace(s.Courses, &c, func(x *engine.Course) string { return x.Code })
				s.Coverage[c.Code] = cov
			case 1: // delete a course
				if len(s.Courses) == 0 {
					continue
				}
				code := s.Courses[rng.IntN(len(s.Courses))].Code
				op = "WithoutCourse " + code
				next, err = ix.WithoutCourse(code)
				s.Courses = slices.DeleteFunc(slices.Clone(s.Courses), func(x *engine.Course) bool { return x.Code == code })
				delete(s.Coverage, code)
			case 2: // edit or add a person
				p := &engine.Person{ID: fmt.Sprintf("P-%05d", rng.IntN(len(s.People)+2)), Name: "Edited"}
				if n := rng.IntN(4); n > 0 && len(s.Positions) > 0 {
					p.PositionID = s.Positions[rng.IntN(len(s.Positions))].ID
				}
				for n := rng.IntN(4); n > 0 && len(s.Courses) > 0; n-- {
					p.Completions = append(p.Completions, engine.Completion{CourseCode: s.Courses[rng.IntN(len(s.Courses))].Code})
				}
				op = "WithPerson " + p.ID
				next, err = ix.WithPerson(p)
				s.People = replace(s.People, p, func(x *engine.Person) string { return x.ID })
			case 3: // delete a person
				if len(s.People) == 0 {
					continue
				}
				id := s.People[rng.IntN(len(s.People))].ID
				op = "WithoutPerson " + id
				next, err = ix.WithoutPerson(id)
				s.People = slices.DeleteFunc(slices.Clone(s.People), func(x *engine.Person) bool { return x.ID == id })
			case 4: // edit or add a position
				p := &engine.Position{ID: fmt.Sprintf("POS-%05d", rng.IntN(len(s.Positions)+2)), Title: "Edited",
					Organization: fmt.Sprintf("ORG-%02d", rng.IntN(3)), Grade: "GS-12", Category: "HQ"}
				var reqs []engine.Requirement
				for _, sub := range s.Framework.SubCompetencyCodes() {
					if rng.IntN(3) == 0 {
						reqs = append(reqs, engine.Requirement{Position: p.ID, SubCompetency: sub, Level: s.Scale.Levels[rng.IntN(len(s.Scale.Levels))]})
					}
				}
				op = "WithPosition " + p.ID
				next, err = ix.WithPosition(p, reqs)
				s.Positions = replace(s.Positions, p, func(x *engine.Position) string { return x.ID })
				s.Requirements[p.ID] = reqs
			case 5: // delete a position
				if len(s.Positions) == 0 {
					continue
				}
				id := s.Positions[rng.IntN(len(s.Positions))].ID
				op = "WithoutPosition " + id
				next, err = ix.WithoutPosition(id)
				s.Positions = slices.DeleteFunc(slices.Clone(s.Positions), func(x *engine.Position) bool { return x.ID == id })
				delete(s.Requirements, id)
			}
			if err != nil {
				t.Fatalf("seed %d step %d %s: %v", seed, step, op, err)
			}
			what := fmt.Sprintf("seed %d step %d %s", seed, step, op)
			sameAnswers(t, what+" (old index)", answersOf(t, ix), before)
			sameAnswers(t, what, answersOf(t, next), answersOf(t, mustBuild(t, s)))
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

// TestImpactEqualsRebuildDiff checks retirement and deletion impacts of
// every course of random instances against two full Builds.
func TestImpactEqualsRebuildDiff(t *testing.T) {
	for seed := uint64(1); seed <= 30; seed++ {
		s := generate(seed, smallSizes)
		ix := mustBuild(t, s)
		for _, c := range s.Courses {
			for _, kind := range []string{analysis.ChangeRetire, analysis.ChangeDelete} {
				after := s
				after.Courses = slices.Clone(s.Courses)
				var imp *analysis.CourseImpact
				var err error
				if kind == analysis.ChangeRetire {
					retired := *c
					retired.Status = engine.CourseRetired
					after.Courses = replace(after.Courses, &retired, func(x *engine.Course) string { return x.Code })
					imp, err = ix.ImpactOfRetirement(c.Code)
				} else {
					after.Courses = slices.DeleteFunc(after.Courses, func(x *engine.Course) bool { return x.Code == c.Code })
					after.Coverage = map[string][]engine.Coverage{}
					for k, v := range s.Coverage {
						if k != c.Code {
							after.Coverage[k] = v
						}
					}
					imp, err = ix.ImpactOfDeletion(c.Code)
				}
				if err != nil {
					t.Fatal(err)
				}
				compareImpact(t, fmt.Sprintf("seed %d %s %s", seed, kind, c.Code), imp, ix, mustBuild(t, after), s)
			}
		}
	}
}

func compareImpact(t *testing.T, what string, imp *analysis.CourseImpact, before, after *analysis.Index, s analysis.Snapshot) {
	t.Helper()
	hb, ha := map[string]string{}, map[string]string{}
	for _, d := range before.Demand() {
		hb[d.SubCompetency] = d.Highest
	}
	for _, d := range after.Demand() {
		ha[d.SubCompetency] = d.Highest
	}
	var wantLost, gotLost []string
	for _, sub := range s.Framework.SubCompetencyCodes() {
		if s.Scale.Compare(ha[sub], hb[sub]) < 0 {
			wantLost = append(wantLost, sub+":"+hb[sub]+">"+ha[sub])
		}
	}
	for _, ch := range imp.SubCompetencies {
		if len(ch.GapsOpened) > 0 {
			gotLost = append(gotLost, ch.SubCompetency+":"+ch.HighestBefore+">"+ch.HighestAfter)
		}
	}
	check(t, what+": sub-competencies losing coverage", gotLost, wantLost)

	var wantPeople, gotPeople []string
	rb, ra := before.PeopleReadiness(), after.PeopleReadiness()
	for i := range rb {
		if !reflect.DeepEqual(rb[i].Gaps, ra[i].Gaps) {
			wantPeople = append(wantPeople, fmt.Sprintf("%s %v>%v", rb[i].PersonID, rb[i].Ready, ra[i].Ready))
		}
	}
	for _, p := range imp.People {
		gotPeople = append(gotPeople, fmt.Sprintf("%s %v>%v", p.PersonID, p.ReadyBefore, p.ReadyAfter))
	}
	check(t, what+": people", gotPeople, wantPeople)

	var wantPositions, gotPositions []string
	for _, p := range s.Positions {
		changed, mb, ma := false, true, true
		for _, r := range s.Requirements[p.ID] {
			b, a := s.Scale.Compare(r.Level, hb[r.SubCompetency]) <= 0, s.Scale.Compare(r.Level, ha[r.SubCompetency]) <= 0
			changed = changed || a != b
			mb, ma = mb && b, ma && a
		}
		if changed {
			wantPositions = append(wantPositions, fmt.Sprintf("%s %v>%v", p.ID, mb, ma))
		}
	}
	slices.Sort(wantPositions)
	for _, p := range imp.Positions {
		gotPositions = append(gotPositions, fmt.Sprintf("%s %v>%v", p.PositionID, p.MeetableBefore, p.MeetableAfter))
	}
	check(t, what+": positions", gotPositions, wantPositions)
}

// TestConcurrentReadersAndDerivations runs readers on an index while other
// goroutines derive new indexes from it; with -race it proves that
// derivations never write what readers of the old index see.
func TestConcurrentReadersAndDerivations(t *testing.T) {
	s := generate(7, smallSizes)
	ix := mustBuild(t, s)
	want := answersOf(t, ix)
	done := make(chan answers)
	for range 3 {
		go func() { done <- answersOf(t, ix) }()
	}
	derived := make(chan error)
	go func() {
		c := *s.Courses[0]
		c.Status = engine.CourseRetired
		next, err := ix.WithCourse(&c, nil)
		if err == nil {
			_, err = next.WithPerson(&engine.Person{ID: s.People[0].ID, Name: "Renamed", PositionID: s.Positions[0].ID})
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
		sameAnswers(t, "concurrent reader", <-done, want)
	}
}
