package engine

import (
	"cmap/domain"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
)

// facts renders coverage or requirements as "CODE Level [rule ids]", in
// the order given.
func facts[T domain.Coverage | domain.Requirement](fs []T) string {
	var out []string
	for _, f := range fs {
		sub, ft := factOf(f)
		out = append(out, fmt.Sprintf("%s %s %v", sub, ft.level, ft.rules))
	}
	return strings.Join(out, "; ")
}

const evalRules = `rules:
  - id: estimating
    course: mentions("price and availability", "letter of offer")
    covers: {4.C: tier, 4.D: Basic}
  - id: estimating-deep
    course: mentions("price and availability") && course.hours >= 40
    covers: {4.C: Expert}
  - id: regional
    course: hasTopic("Regional Studies") && course.level >= "Intermediate"
    covers: {1.A-1.C: Intermediate}
  - id: expert-tier-only
    course: course.level == "expert"
    covers: {9.A: Expert}
  - id: retired
    course: course.status == "retired"
    exclude: true
  - id: online-no-hands-on
    course: course.deliveryMode == "online"
    exclude: [4.D]
`

func TestCourseCoverage(t *testing.T) {
	rs := mustLoad(t, map[string]string{"courses.yaml": evalRules})
	tests := []struct {
		name string
		c    domain.Course
		want string
	}{
		{"tier level; highest level wins and every contributor is listed",
			domain.Course{Code: "SCM-201", Title: "Price and Availability", Hours: 40, Status: domain.CourseActive, DeliveryMode: domain.DeliveryResident},
			"4.C Expert [estimating estimating-deep]; 4.D Basic [estimating]"},
		{"a course below the tier level compare gets only its tier",
			domain.Course{Code: "SCM-101", Objectives: []string{"Prepare a letter of offer."}, Topics: []string{"regional studies"}, Status: domain.CourseActive, DeliveryMode: domain.DeliveryResident},
			"4.C Basic [estimating]; 4.D Basic [estimating]"},
		{"level compares by rank, not alphabetically (Advanced >= Intermediate)",
			domain.Course{Code: "SCR-301", Topics: []string{"REGIONAL  studies"}, Status: domain.CourseActive, DeliveryMode: domain.DeliveryResident},
			"1.A Intermediate [regional]; 1.B Intermediate [regional]; 1.C Intermediate [regional]"},
		{"level equality ignores case",
			domain.Course{Code: "SCR-401", Status: domain.CourseActive, DeliveryMode: domain.DeliveryResident},
			"9.A Expert [expert-tier-only]"},
		{"a code with no tier yields nothing at tier",
			domain.Course{Code: "SCM-X1", Title: "Price and availability", Status: domain.CourseActive, DeliveryMode: domain.DeliveryResident},
			"4.D Basic [estimating]"},
		{"an exclusion of listed codes removes only those",
			domain.Course{Code: "SCM-201", Title: "Price and availability", Status: domain.CourseActive, DeliveryMode: domain.DeliveryOnline},
			"4.C Intermediate [estimating]"},
		{"an exclusion of everything removes everything",
			domain.Course{Code: "SCM-201", Title: "Price and availability", Status: domain.CourseRetired, DeliveryMode: domain.DeliveryResident},
			""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cov, err := rs.CourseCoverage(&tt.c)
			if err != nil {
				t.Fatal(err)
			}
			if got := facts(cov); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
			for _, f := range cov {
				if f.Course != tt.c.Code {
					t.Errorf("fact for course %q, want %q", f.Course, tt.c.Code)
				}
			}
		})
	}
}

const positionRules = `rules:
  - id: everyone
    position: "true"
    requires: {1.A: Basic}
  - id: senior
    position: gradeAtLeast("GS-13", "O-5")
    requires: {1.A: Advanced}
  - id: key-sco
    position: position.keyBillet && position.category == "SCO"
    requires: {6.A-6.B: Intermediate}
  - id: abroad
    position: position.region != "CONUS"
    requires: {1.E: Intermediate}
  - id: vacant
    position: position.title == "Vacant"
    exclude: true
`

func TestPositionRequirements(t *testing.T) {
	rs := mustLoad(t, map[string]string{"positions.yaml": positionRules})
	tests := []struct {
		p    domain.Position
		want string
	}{
		{domain.Position{ID: "P1", Grade: "GS-13", Category: "SCO", KeyBillet: true, Region: "CONUS"},
			"1.A Advanced [everyone senior]; 6.A Intermediate [key-sco]; 6.B Intermediate [key-sco]"},
		{domain.Position{ID: "P2", Grade: "GS-9", Category: "SCO", Region: "EUCOM"},
			"1.A Basic [everyone]; 1.E Intermediate [abroad]"},
		{domain.Position{ID: "P3", Grade: "O-6", Category: "IA", Region: "CONUS"},
			"1.A Advanced [everyone senior]"},
		{domain.Position{ID: "P4", Grade: "E-9", Category: "IA", Region: "CONUS"},
			"1.A Basic [everyone]"},
		{domain.Position{ID: "P5", Title: "Vacant", Grade: "O-6", Region: "EUCOM"}, ""},
	}
	for _, tt := range tests {
		req, err := rs.PositionRequirements(&tt.p)
		if err != nil {
			t.Fatal(err)
		}
		if got := facts(req); got != tt.want {
			t.Errorf("%s: got  %s\nwant %s", tt.p.ID, got, tt.want)
		}
	}
}

// manyValuedRules read fields with a value per position, so that DeriveAll
// keeps no answers for some of them (see positionMemo).
const manyValuedRules = `rules:
  - id: sevens
    position: position.id endsWith "7" && gradeAtLeast("GS-13", "O-5")
    requires: {2.A: Basic}
  - id: org-chief
    position: position.organization == "ORG-3" || position.title == "Chief"
    requires: {2.B: Advanced}
`

// deriveFixture is a rule set whose position rules read few-valued fields
// and many-valued ones, over 200 courses and 500 positions.
func deriveFixture(t *testing.T) (*RuleSet, []*domain.Course, []*domain.Position) {
	rs := mustLoad(t, map[string]string{"courses.yaml": evalRules, "positions.yaml": positionRules, "many.yaml": manyValuedRules})
	var courses []*domain.Course
	var positions []*domain.Position
	grades := []string{"GS-9", "GS-13", "GS-15", "O-4", "O-5", "E-9"}
	for i := range 200 {
		courses = append(courses, &domain.Course{
			Code:         fmt.Sprintf("SCM-%d%03d", i%5, i),
			Title:        []string{"Price and availability", "Letters", "Regional"}[i%3],
			Topics:       []string{[]string{"regional studies", "x"}[i%2]},
			Hours:        float64(i % 60),
			DeliveryMode: []string{domain.DeliveryOnline, domain.DeliveryResident}[i%2],
			Status:       []string{domain.CourseActive, domain.CourseActive, domain.CourseRetired}[i%3],
		})
	}
	for i := range 500 {
		positions = append(positions, &domain.Position{
			ID: fmt.Sprintf("POS-%04d", i), Title: []string{"Analyst", "Vacant", "Chief"}[i%7%3],
			Grade: grades[i%len(grades)], Category: []string{"SCO", "IA"}[i%2], KeyBillet: i%3 == 0,
			Region: []string{"CONUS", "EUCOM", "INDOPACOM"}[i%3], Organization: fmt.Sprintf("ORG-%d", i%40),
		})
	}
	return rs, courses, positions
}

// DeriveAll memoises position rules by the fields they read and runs in
// parallel: its facts must equal those of one-by-one evaluation.
func TestDeriveAllAgreesWithOneByOne(t *testing.T) {
	rs, courses, positions := deriveFixture(t)
	views := make([]positionView, len(positions))
	for i, p := range positions {
		views[i] = newPositionView(p)
	}
	memo := rs.newPositionMemo(views)
	if memo.answers[slices.Index(rs.positionRules, rs.Rule("sevens"))] != nil || memo.answers[slices.Index(rs.positionRules, rs.Rule("senior"))] == nil {
		t.Fatal("the fixture does not exercise both rules with answers kept and rules without")
	}
	d, err := rs.DeriveAll(courses, positions)
	if err != nil {
		t.Fatal(err)
	}
	if d.Revision != rs.Revision() || len(d.Coverage) != 200 || len(d.Requirements) != 500 {
		t.Fatalf("derived %d coverage and %d requirement entries, revision %q", len(d.Coverage), len(d.Requirements), d.Revision)
	}
	nonEmpty := 0
	for _, c := range courses {
		want, _ := rs.CourseCoverage(c)
		if !reflect.DeepEqual(d.Coverage[c.Code], want) {
			t.Fatalf("course %s: DeriveAll %v, CourseCoverage %v", c.Code, d.Coverage[c.Code], want)
		}
	}
	for _, p := range positions {
		want, _ := rs.PositionRequirements(p)
		if !reflect.DeepEqual(d.Requirements[p.ID], want) {
			t.Fatalf("position %s: DeriveAll %v, PositionRequirements %v", p.ID, d.Requirements[p.ID], want)
		}
		if len(want) > 0 {
			nonEmpty++
		}
	}
	if nonEmpty == 0 || nonEmpty == len(positions) {
		t.Errorf("%d of %d positions have requirements: the fixture does not exercise both cases", nonEmpty, len(positions))
	}
}

// DeriveShared gives the facts of DeriveAll, but positions that agree on
// every field the rules read share one list of facts, which leave
// Position empty: with the fixture's rules, and without those that read
// ids (many positions to a profile).
func TestDeriveSharedAgreesWithDeriveAll(t *testing.T) {
	rs, courses, positions := deriveFixture(t)
	few := mustLoad(t, map[string]string{"courses.yaml": evalRules, "positions.yaml": positionRules})
	for _, rs := range []*RuleSet{rs, few} {
		all, err := rs.DeriveAll(courses, positions)
		if err != nil {
			t.Fatal(err)
		}
		shared, err := rs.DeriveShared(courses, positions)
		if err != nil {
			t.Fatal(err)
		}
		if shared.Revision != all.Revision || !reflect.DeepEqual(shared.Coverage, all.Coverage) || len(shared.Requirements) != len(all.Requirements) {
			t.Fatalf("DeriveShared gave revision %q, %d courses' and %d positions' facts; DeriveAll %q, %d and %d",
				shared.Revision, len(shared.Coverage), len(shared.Requirements), all.Revision, len(all.Coverage), len(all.Requirements))
		}
		byProfile := map[string][]domain.Requirement{}
		for _, p := range positions {
			got := shared.Requirements[p.ID]
			want := slices.Clone(all.Requirements[p.ID])
			for i := range want {
				want[i].Position = ""
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("position %s: DeriveShared %v, DeriveAll without positions %v", p.ID, got, want)
			}
			v := newPositionView(p)
			key := string(rs.positionFields.key(nil, &v))
			if first, ok := byProfile[key]; !ok {
				byProfile[key] = got
			} else if len(got) > 0 && &got[0] != &first[0] {
				t.Fatalf("position %s has the profile of another but not its list of facts", p.ID)
			}
		}
		if rs == few && len(byProfile) > len(positions)/4 {
			t.Errorf("%d positions make %d profiles: the fixture does not exercise sharing", len(positions), len(byProfile))
		}
	}
}

func TestEvaluationIsSafeForConcurrentUse(t *testing.T) {
	rs := mustLoad(t, map[string]string{"courses.yaml": evalRules, "positions.yaml": positionRules})
	c := &domain.Course{Code: "SCM-201", Title: "Price and Availability", Hours: 40, Status: domain.CourseActive, DeliveryMode: domain.DeliveryResident}
	p := &domain.Position{ID: "P1", Grade: "GS-13", Category: "SCO", KeyBillet: true, Region: "EUCOM"}
	wantC, _ := rs.CourseCoverage(c)
	wantP, _ := rs.PositionRequirements(p)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 200 {
				gotC, _ := rs.CourseCoverage(c)
				gotP, _ := rs.PositionRequirements(p)
				if !reflect.DeepEqual(gotC, wantC) || !reflect.DeepEqual(gotP, wantP) {
					t.Error("concurrent evaluation gave different facts")
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestRunTimeErrorsNameTheRule(t *testing.T) {
	rs := mustLoad(t, map[string]string{"a.yaml": `rules:
  - id: fine
    course: "true"
    covers: {1.A: Basic}
  - id: huge
    course: len(1..1000000) > 0
    covers: {1.B: Basic}
  - id: bad-level
    course: course.level >= course.title
    covers: {1.C: Basic}
`})
	cov, err := rs.CourseCoverage(&domain.Course{Code: "SCO-101", Title: "Not a level"})
	if got := facts(cov); got != "1.A Basic [fine]" {
		t.Errorf("facts %s, want those of the rule that ran", got)
	}
	if err == nil || !strings.Contains(err.Error(), "rule huge (rules/a.yaml:5): memory budget exceeded") ||
		!strings.Contains(err.Error(), `rule bad-level (rules/a.yaml:8): unknown level "Not a level"`) {
		t.Errorf("error %v: want both failing rules named", err)
	}
}

// A course rule is skipped for a course that matches none of its gate's
// terms, and given without running when its gate is exact: the gate must
// agree with the condition.
func TestTermGatesAgreeWithTheCondition(t *testing.T) {
	rs := mustLoad(t, map[string]string{"a.yaml": `rules:
  - id: one-call
    course: mentions("letter of offer", "end use")
    covers: {1.A: Basic}
  - id: call-or-topic
    course: mentions("letter of offer") || hasTopic("finance")
    covers: {1.A: Basic}
  - id: call-and-hours
    course: mentions("end use") && course.hours >= 40
    covers: {1.A: Basic}
  - id: or-of-and
    course: hasTopic("finance") || (mentions("end use") && course.hours >= 40)
    covers: {1.A: Basic}
  - id: call-or-hours
    course: mentions("end use") || course.hours >= 40
    covers: {1.A: Basic}
  - id: not-call
    course: not mentions("end use")
    covers: {1.A: Basic}
`})
	tests := map[string]struct{ gated, exact bool }{
		"one-call": {true, true}, "call-or-topic": {true, true}, "call-and-hours": {true, false},
		"or-of-and": {true, false}, "call-or-hours": {false, false}, "not-call": {false, false},
	}
	var courses []*domain.Course
	for _, title := range []string{"Letter of Offer basics", "End-use monitoring", "Nothing relevant"} {
		for _, topics := range [][]string{nil, {"Finance"}} {
			for _, hours := range []float64{8, 40} {
				courses = append(courses, &domain.Course{Code: "SCO-101", Title: title, Topics: topics, Hours: hours})
			}
		}
	}
	e := rs.getEvaluator()
	defer rs.putEvaluator(e)
	for id, want := range tests {
		r := rs.Rule(id)
		if (r.gate != nil) != want.gated || r.gateExact != want.exact {
			t.Errorf("%s: gated %v exact %v, want %v %v", id, r.gate != nil, r.gateExact, want.gated, want.exact)
			continue
		}
		for _, c := range courses {
			env := rs.newCourseEnv(c)
			holds, err := runRule(e.vm, r, env)
			if err != nil {
				t.Fatal(err)
			}
			if open := r.gate == nil || env.Terms.hasAny(r.gate); (holds && !open) || (r.gateExact && holds != open) {
				t.Errorf("%s on %q %v %v: condition %v, gate open %v", id, c.Title, c.Topics, c.Hours, holds, open)
			}
		}
	}
}

// TestDeriveAllWithoutPositions derives a catalogue with no positions (a
// new database, or one holding only courses): the position memo has no
// field values to number and must not divide by their count.
func TestDeriveAllWithoutPositions(t *testing.T) {
	rs := mustLoad(t, map[string]string{"courses.yaml": evalRules, "positions.yaml": positionRules})
	c := &domain.Course{Code: "SCM-201", Title: "Price and availability", Hours: 8, DeliveryMode: domain.DeliveryOnline, Status: domain.CourseActive}
	d, err := rs.DeriveAll([]*domain.Course{c}, nil)
	if err != nil {
		t.Fatal(err)
	}
	want, err := rs.CourseCoverage(c)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Requirements) != 0 || !reflect.DeepEqual(d.Coverage[c.Code], want) {
		t.Errorf("DeriveAll without positions = %+v, %+v; want no requirements and %+v", d.Coverage, d.Requirements, want)
	}
}
