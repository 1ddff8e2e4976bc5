package graph_test

import (
	"cmap/domain"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// catalogue is the active catalogue with its coverage facts, read through
// the course API, so that tests can reason about gaps and impact
// independently of the analysis package.
type catalogue struct {
	levels []string
	subs   []string // in model order
	// coverage[course][sub] is the course's level; active lists the
	// active courses.
	coverage map[string]map[string]string
	active   []string
	hours    map[string]float64
}

func (c catalogue) rank(level string) int { return slices.Index(c.levels, level) }

// highest returns the highest level that the active courses other than
// without reach on sub, -1 when none covers it.
func (c catalogue) highest(sub, without string) int {
	best := -1
	for _, code := range c.active {
		if code == without {
			continue
		}
		if l, ok := c.coverage[code][sub]; ok && c.rank(l) > best {
			best = c.rank(l)
		}
	}
	return best
}

func readCatalogue(t *testing.T, c client) catalogue {
	t.Helper()
	var data struct {
		ProficiencyScale struct{ Levels []string }
		Competencies     []struct{ SubCompetencies []struct{ Code string } }
		Courses          struct {
			Edges []struct {
				Node struct {
					Code, Status string
					Hours        float64
					Coverage     []struct {
						SubCompetency struct{ Code string }
						Level         string
					}
				}
			}
			PageInfo struct{ HasNextPage bool }
		}
	}
	c.query(`{ proficiencyScale { levels } competencies { subCompetencies { code } }
		courses(first: 100) { edges { node { code status hours coverage { subCompetency { code } level } } } pageInfo { hasNextPage } } }`, nil).decode(t, &data)
	if data.Courses.PageInfo.HasNextPage {
		t.Fatal("more than 100 courses: the test reads one page")
	}
	cat := catalogue{levels: data.ProficiencyScale.Levels, coverage: map[string]map[string]string{}, hours: map[string]float64{}}
	for _, comp := range data.Competencies {
		for _, s := range comp.SubCompetencies {
			cat.subs = append(cat.subs, s.Code)
		}
	}
	for _, e := range data.Courses.Edges {
		n := e.Node
		cat.coverage[n.Code] = map[string]string{}
		cat.hours[n.Code] = n.Hours
		for _, f := range n.Coverage {
			cat.coverage[n.Code][f.SubCompetency.Code] = f.Level
		}
		if n.Status == "ACTIVE" {
			cat.active = append(cat.active, n.Code)
		}
	}
	return cat
}

// TestGapsAtEachLevel checks gaps at every level of the scale against the
// coverage facts: uncovered are the sub-competencies no active course
// reaches at the level, over-served those more than the threshold reach,
// and covering-nothing the active courses without facts.
func TestGapsAtEachLevel(t *testing.T) {
	t.Parallel()
	store, _ := seeded(t)
	c, _ := serve(t, store)
	cat := readCatalogue(t, c)
	if len(cat.levels) != 4 || len(cat.subs) != 58 {
		t.Fatalf("scale %v, %d sub-competencies: want the shipped scale and model", cat.levels, len(cat.subs))
	}
	var wantNothing []string
	for _, code := range cat.active {
		if len(cat.coverage[code]) == 0 {
			wantNothing = append(wantNothing, code)
		}
	}
	const threshold = 2
	previous := -1
	for rank, level := range cat.levels {
		var wantUncovered, wantOver []string
		for _, sub := range cat.subs {
			if cat.highest(sub, "") < rank {
				wantUncovered = append(wantUncovered, sub)
			}
			n := 0
			for _, code := range cat.active {
				if l, ok := cat.coverage[code][sub]; ok && cat.rank(l) >= rank {
					n++
				}
			}
			if n > threshold {
				wantOver = append(wantOver, sub)
			}
		}
		var data struct {
			Gaps struct {
				Level           string
				OverServedAbove int
				Uncovered       []struct{ SubCompetency struct{ Code string } }
				OverServed      []struct {
					SubCompetency struct{ Code string }
					Courses       int
				}
				CoveringNothing []struct{ Code string }
			}
		}
		c.query(`query($level: String, $above: Int) { gaps(minLevel: $level, overServedAbove: $above) {
			level overServedAbove uncovered { subCompetency { code } } overServed { subCompetency { code } courses } coveringNothing { code } } }`,
			map[string]any{"level": level, "above": threshold}).decode(t, &data)
		g := data.Gaps
		var gotUncovered, gotOver, gotNothing []string
		for _, u := range g.Uncovered {
			gotUncovered = append(gotUncovered, u.SubCompetency.Code)
		}
		for _, o := range g.OverServed {
			gotOver = append(gotOver, o.SubCompetency.Code)
		}
		for _, n := range g.CoveringNothing {
			gotNothing = append(gotNothing, n.Code)
		}
		if g.Level != level || g.OverServedAbove != threshold {
			t.Errorf("gaps(%s): level %q, threshold %d", level, g.Level, g.OverServedAbove)
		}
		if !slices.Equal(gotUncovered, wantUncovered) {
			t.Errorf("gaps(%s).uncovered = %v,\nwant %v", level, gotUncovered, wantUncovered)
		}
		if !slices.Equal(gotOver, wantOver) {
			t.Errorf("gaps(%s).overServed = %v,\nwant %v", level, gotOver, wantOver)
		}
		if !slices.Equal(gotNothing, wantNothing) {
			t.Errorf("gaps(%s).coveringNothing = %v, want %v", level, gotNothing, wantNothing)
		}
		if len(gotUncovered) < previous {
			t.Errorf("gaps(%s): %d uncovered, fewer than at the level below (%d)", level, len(gotUncovered), previous)
		}
		previous = len(gotUncovered)
	}
	if previous == 0 {
		t.Error("no gap even at the highest level: the shipped sample is meant to have some")
	}

	var lowest struct{ Gaps struct{ Level string } }
	c.query(`{ gaps { level } }`, nil).decode(t, &lowest)
	if lowest.Gaps.Level != cat.levels[0] {
		t.Errorf("gaps without minLevel is at %q, want the lowest level %q", lowest.Gaps.Level, cat.levels[0])
	}
	c.query(`{ gaps(minLevel: "Master") { level } }`, nil).wantError(t, "BAD_USER_INPUT", "minLevel")
	c.query(`{ coverageMatrix(filter: { minLevel: "Master" }) { levels } }`, nil).wantError(t, "BAD_USER_INPUT", "filter.minLevel")
	c.query(`{ coverageMatrix(filter: { competencies: ["4.0", "10.0"] }) { levels } }`, nil).wantError(t, "BAD_USER_INPUT", "filter.competencies[1]")
}

// TestCoverageMatrix checks the matrix against the coverage facts: one row
// per sub-competency, cells with rules, and gap marks that agree with gaps.
func TestCoverageMatrix(t *testing.T) {
	t.Parallel()
	store, _ := seeded(t)
	c, _ := serve(t, store)
	cat := readCatalogue(t, c)
	var data struct {
		CoverageMatrix struct {
			Levels   []string
			MinLevel *string
			Courses  []struct{ Code, Status string }
			Rows     []struct {
				SubCompetency struct {
					Code       string
					Competency struct{ Code string }
				}
				Gap          bool
				Highest      *string
				Reach        *string
				CountByLevel []struct {
					Level   string
					Courses int
				}
				Cells []struct {
					CourseCode string
					Level      string
					Rules      []struct {
						ID   string
						File string
						Line int
					}
				}
			}
		}
		Gaps struct {
			Uncovered []struct {
				SubCompetency struct{ Code string }
				Highest       *string
			}
		}
	}
	c.query(`{ coverageMatrix(filter: { minLevel: "advanced" }) { levels minLevel courses { code status }
		rows { subCompetency { code competency { code } } gap highest reach countByLevel { level courses } cells { courseCode level rules { id file line } } } }
		gaps(minLevel: "Advanced") { uncovered { subCompetency { code } highest } } }`, nil).decode(t, &data)
	m := data.CoverageMatrix
	if m.MinLevel == nil || *m.MinLevel != "Advanced" {
		t.Errorf("minLevel = %v, want Advanced as spelled on the scale", m.MinLevel)
	}
	if len(m.Rows) != len(cat.subs) {
		t.Fatalf("%d rows, want %d", len(m.Rows), len(cat.subs))
	}
	gaps := map[string]bool{}
	gapHighest := map[string]*string{}
	for _, u := range data.Gaps.Uncovered {
		gaps[u.SubCompetency.Code] = true
		gapHighest[u.SubCompetency.Code] = u.Highest
	}
	for i, r := range m.Rows {
		sub := r.SubCompetency.Code
		if sub != cat.subs[i] || r.SubCompetency.Competency.Code != domain.CompetencyOf(sub) {
			t.Errorf("row %d is %s under %s, want %s", i, sub, r.SubCompetency.Competency.Code, cat.subs[i])
		}
		if r.Gap != gaps[sub] {
			t.Errorf("row %s: gap %v, but gaps(Advanced) says %v", sub, r.Gap, gaps[sub])
		}
		var want []string
		for _, code := range cat.active {
			if l, ok := cat.coverage[code][sub]; ok && cat.rank(l) >= cat.rank("Advanced") {
				want = append(want, code+":"+l)
			}
		}
		var got []string
		counts := make([]int, len(m.Levels))
		for _, cell := range r.Cells {
			got = append(got, cell.CourseCode+":"+cell.Level)
			counts[cat.rank(cell.Level)]++
			if len(cell.Rules) == 0 || cell.Rules[0].File == "" || cell.Rules[0].Line == 0 {
				t.Errorf("%s x %s: no rule with file and line behind it: %+v", sub, cell.CourseCode, cell.Rules)
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("row %s cells = %v, want %v", sub, got, want)
		}
		for j, lc := range r.CountByLevel {
			if lc.Level != m.Levels[j] || lc.Courses != counts[j] {
				t.Errorf("row %s countByLevel[%d] = %+v, want %s: %d", sub, j, lc, m.Levels[j], counts[j])
			}
		}
		if (r.Highest == nil) != (len(r.Cells) == 0) {
			t.Errorf("row %s: highest %v with %d cells", sub, r.Highest, len(r.Cells))
		}
		// The reach ignores minLevel: the highest level of any active course.
		reach := "<nil>"
		if h := cat.highest(sub, ""); h >= 0 {
			reach = cat.levels[h]
		}
		if got := levelOrNil(r.Reach); got != reach {
			t.Errorf("row %s: reach %s, want %s", sub, got, reach)
		}
		if h, ok := gapHighest[sub]; ok && levelOrNil(h) != levelOrNil(r.Reach) {
			t.Errorf("row %s: reach %s, but gaps(Advanced) says the highest is %s", sub, levelOrNil(r.Reach), levelOrNil(h))
		}
	}
	for _, col := range m.Courses {
		if col.Status != "ACTIVE" {
			t.Errorf("column %s is %s: the default status filter is ACTIVE", col.Code, col.Status)
		}
	}
}

// levelOrNil spells an optional level for messages: "<nil>" when absent.
func levelOrNil(l *string) string {
	if l == nil {
		return "<nil>"
	}
	return *l
}

// jsonOf writes v as JSON, to compare values that hold pointers.
func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

type gapJSON struct {
	SubCompetency struct{ Code string }
	Required      string
	Attained      *string
}

func (g gapJSON) key() string { return g.SubCompetency.Code + ":" + g.Required }

type personAnalysis struct {
	ID        string
	Version   int
	Readiness struct {
		Ready       bool
		HasPosition bool
		Gaps        []gapJSON
	}
	Recommendations struct {
		Courses []struct {
			Course struct {
				Code          string
				Hours         float64
				Status        string
				Prerequisites []struct{ Code string }
			}
			Closes         []gapJSON
			PrerequisiteOf []string
		}
		TotalHours  float64
		Unclosable  []gapJSON
		Method      string
		Explanation string
	}
	Completions []struct{ Course struct{ Code string } }
}

const personAnalysisFields = `id version
	readiness { ready hasPosition gaps { subCompetency { code } required attained } }
	recommendations {
		courses { course { code hours status prerequisites { code } } closes { subCompetency { code } required attained } prerequisiteOf }
		totalHours unclosable { subCompetency { code } required attained } method explanation }
	completions { course { code } }`

// TestRecommendationsCloseEveryClosableGap takes people with gaps, records
// the completion of every course recommended to them through the API, and
// checks that only the gaps the recommendation called unclosable remain.
func TestRecommendationsCloseEveryClosableGap(t *testing.T) {
	t.Parallel()
	store, _ := seeded(t)
	c, _ := serve(t, store)
	var page struct {
		People struct {
			Edges []struct{ Node personAnalysis }
		}
	}
	c.query(`{ people(first: 100) { edges { node { `+personAnalysisFields+` } } } }`, nil).decode(t, &page)
	tried, withUnclosable := 0, 0
	for _, e := range page.People.Edges {
		p := e.Node
		rec := p.Recommendations
		if len(p.Readiness.Gaps) == 0 || len(rec.Courses) == 0 || tried == 8 {
			continue
		}
		tried++
		if len(rec.Unclosable) > 0 {
			withUnclosable++
		}
		// The set is coherent: active courses, hours summed, every
		// prerequisite completed or recommended earlier.
		done := map[string]bool{}
		for _, comp := range p.Completions {
			done[comp.Course.Code] = true
		}
		hours := 0.0
		for _, rc := range rec.Courses {
			if rc.Course.Status != "ACTIVE" {
				t.Errorf("%s: recommended course %s is %s", p.ID, rc.Course.Code, rc.Course.Status)
			}
			for _, pre := range rc.Course.Prerequisites {
				if !done[pre.Code] {
					t.Errorf("%s: %s is recommended before its prerequisite %s", p.ID, rc.Course.Code, pre.Code)
				}
			}
			done[rc.Course.Code] = true
			hours += rc.Course.Hours
		}
		if hours != rec.TotalHours {
			t.Errorf("%s: totalHours %v, the courses sum to %v", p.ID, rec.TotalHours, hours)
		}
		if rec.Explanation == "" {
			t.Errorf("%s: no explanation", p.ID)
		}
		for _, rc := range rec.Courses {
			c.query(`mutation($id: ID!, $course: String!) { recordCompletion(personId: $id, courseCode: $course, completedOn: "2025-03-01") { id } }`,
				map[string]any{"id": p.ID, "course": rc.Course.Code}).decode(t, &struct{}{})
		}
		var after struct{ Person personAnalysis }
		c.query(`query($id: ID!) { person(id: $id) { `+personAnalysisFields+` } }`, map[string]any{"id": p.ID}).decode(t, &after)
		var remaining, unclosable []string
		for _, g := range after.Person.Readiness.Gaps {
			remaining = append(remaining, g.key())
		}
		for _, g := range rec.Unclosable {
			unclosable = append(unclosable, g.key())
		}
		if !slices.Equal(remaining, unclosable) {
			t.Errorf("%s after completing %d recommended courses: gaps %v, want only the unclosable %v", p.ID, len(rec.Courses), remaining, unclosable)
		}
		if after.Person.Readiness.Ready != (len(unclosable) == 0) {
			t.Errorf("%s: ready %v with gaps %v", p.ID, after.Person.Readiness.Ready, remaining)
		}
		if len(after.Person.Recommendations.Courses) != 0 {
			t.Errorf("%s: still recommended %d courses", p.ID, len(after.Person.Recommendations.Courses))
		}
	}
	if tried == 0 {
		t.Fatal("no person with a recommendation in the first page of the sample")
	}
	t.Logf("checked %d people, %d of them with unclosable gaps", tried, withUnclosable)
}

// TestCourseImpactOfRetirement retires, in a what-if, the active course
// whose retirement opens the most gaps, and checks the answer against the
// coverage facts: the sub-competencies it covers, the highest levels
// before and after, the gaps opened; and that nothing was written.
func TestCourseImpactOfRetirement(t *testing.T) {
	t.Parallel()
	store, _ := seeded(t)
	c, _ := serve(t, store)
	cat := readCatalogue(t, c)
	opened := func(code string) int {
		n := 0
		for sub := range cat.coverage[code] {
			if cat.highest(sub, code) < cat.highest(sub, "") {
				n++
			}
		}
		return n
	}
	course := ""
	for _, code := range cat.active {
		if course == "" || opened(code) > opened(course) {
			course = code
		}
	}
	if opened(course) == 0 {
		t.Fatal("no active course whose retirement opens a gap")
	}
	type change struct {
		SubCompetency               struct{ Code string }
		CourseBefore, CourseAfter   *string
		HighestBefore, HighestAfter *string
		GapsOpened, GapsClosed      []string
	}
	level := func(rank int) *string {
		if rank < 0 {
			return nil
		}
		return &cat.levels[rank]
	}
	var want []change
	for _, sub := range cat.subs {
		l, ok := cat.coverage[course][sub]
		if !ok {
			continue
		}
		before, after := cat.highest(sub, ""), cat.highest(sub, course)
		ch := change{CourseBefore: &l, HighestBefore: level(before), HighestAfter: level(after), GapsOpened: []string{}, GapsClosed: []string{}}
		ch.SubCompetency.Code = sub
		for r := after + 1; r <= before; r++ {
			ch.GapsOpened = append(ch.GapsOpened, cat.levels[r])
		}
		want = append(want, ch)
	}

	versionBefore, err := store.DataVersion(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var courseBefore, courseAfter struct {
		Course struct {
			Status  string
			Version int
		}
	}
	c.query(`query($code: String!) { course(code: $code) { status version } }`, map[string]any{"code": course}).decode(t, &courseBefore)

	const impactFields = `courseCode change subCompetencies { subCompetency { code } courseBefore courseAfter highestBefore highestAfter gapsOpened gapsClosed }
		people { personId readyBefore readyAfter } positions { position { id } meetableBefore meetableAfter } ruleError`
	var retired, edited struct {
		CourseImpact struct {
			CourseCode      string
			Change          string
			SubCompetencies []change
			RuleError       *string
		}
	}
	c.query(`query($code: String!) { courseImpact(code: $code, retire: true) { `+impactFields+` } }`, map[string]any{"code": course}).decode(t, &retired)
	got := retired.CourseImpact
	if got.CourseCode != course || got.Change != "RETIRE" || got.RuleError != nil {
		t.Errorf("impact of retiring %s: %+v", course, got)
	}
	if jsonOf(t, got.SubCompetencies) != jsonOf(t, want) {
		t.Errorf("retiring %s changes\n%s,\nwant\n%s", course, jsonOf(t, got.SubCompetencies), jsonOf(t, want))
	}

	// The same change as an edit of the status is a retirement too.
	c.query(`query($code: String!) { courseImpact(code: $code, input: { status: RETIRED }) { `+impactFields+` } }`, map[string]any{"code": course}).decode(t, &edited)
	if edited.CourseImpact.Change != "RETIRE" || jsonOf(t, edited.CourseImpact.SubCompetencies) != jsonOf(t, want) {
		t.Errorf("editing %s to RETIRED: %s with\n%s,\nwant RETIRE with\n%s", course, edited.CourseImpact.Change, jsonOf(t, edited.CourseImpact.SubCompetencies), jsonOf(t, want))
	}

	versionAfter, err := store.DataVersion(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	c.query(`query($code: String!) { course(code: $code) { status version } }`, map[string]any{"code": course}).decode(t, &courseAfter)
	if versionAfter != versionBefore || courseAfter != courseBefore {
		t.Errorf("a what-if wrote: data version %d -> %d, course %+v -> %+v", versionBefore, versionAfter, courseBefore, courseAfter)
	}

	var added struct {
		NewCourseImpact struct{ CourseCode, Change string }
	}
	c.query(`{ newCourseImpact(input: { code: "NEW-100", title: "New", hours: 4, deliveryMode: ONLINE }) { courseCode change } }`, nil).decode(t, &added)
	if added.NewCourseImpact.CourseCode != "NEW-100" || added.NewCourseImpact.Change != "CREATE" {
		t.Errorf("newCourseImpact = %+v, want NEW-100 CREATE", added.NewCourseImpact)
	}
	c.query(`query($code: String!) { newCourseImpact(input: { code: $code, title: "Again", hours: 4, deliveryMode: ONLINE }) { change } }`,
		map[string]any{"code": course}).wantError(t, "CONFLICT", "")
	c.query(`{ courseImpact(code: "NOPE-999", retire: true) { courseCode } }`, nil).wantError(t, "NOT_FOUND", "")
	c.query(`query($code: String!) { courseImpact(code: $code, retire: true, delete: true) { courseCode } }`, map[string]any{"code": course}).wantError(t, "BAD_USER_INPUT", "")
	c.query(`query($code: String!) { courseImpact(code: $code, input: { hours: -1 }) { courseCode } }`, map[string]any{"code": course}).wantError(t, "BAD_USER_INPUT", "input.hours")
}

// TestOrganizationReadiness checks an organization's rollup against the
// readiness of the people holding its positions.
func TestOrganizationReadiness(t *testing.T) {
	t.Parallel()
	store, _ := seeded(t)
	c, _ := serve(t, store)
	var orgs struct{ Organizations []string }
	c.query(`{ organizations }`, nil).decode(t, &orgs)
	if len(orgs.Organizations) == 0 || !slices.IsSorted(orgs.Organizations) {
		t.Fatalf("organizations = %v, want a sorted non-empty list", orgs.Organizations)
	}
	org := orgs.Organizations[0]
	var data struct {
		OrganizationReadiness struct {
			Organization string
			People       int
			Ready        int
			Share        float64
			CommonGaps   []struct {
				SubCompetency struct{ Code string }
				Required      string
				People        int
			}
			RecommendedCourses []struct {
				Course     struct{ Code string }
				GapsClosed int
			}
		}
		Positions struct {
			Edges []struct {
				Node struct {
					Organization string
					People       []struct {
						Readiness struct {
							Ready bool
							Gaps  []gapJSON
						}
					}
				}
			}
		}
	}
	c.query(`query($org: String!) {
		organizationReadiness(organization: $org) { organization people ready share
			commonGaps(top: 3) { subCompetency { code } required people } recommendedCourses(top: 2) { course { code } gapsClosed } }
		positions(first: 100) { edges { node { organization people { readiness { ready gaps { subCompetency { code } required } } } } } } }`,
		map[string]any{"org": org}).decode(t, &data)
	people, ready := 0, 0
	gapPeople := map[string]int{}
	for _, e := range data.Positions.Edges {
		if e.Node.Organization != org {
			continue
		}
		for _, p := range e.Node.People {
			people++
			if p.Readiness.Ready {
				ready++
			}
			for _, g := range p.Readiness.Gaps {
				gapPeople[g.key()]++
			}
		}
	}
	o := data.OrganizationReadiness
	if o.Organization != org || o.People != people || o.Ready != ready {
		t.Errorf("organizationReadiness(%s) = %d people, %d ready; the positions' holders are %d, %d ready", org, o.People, o.Ready, people, ready)
	}
	if people > 0 && o.Share != float64(ready)/float64(people) {
		t.Errorf("share %v, want %v", o.Share, float64(ready)/float64(people))
	}
	if len(o.CommonGaps) > 3 || len(o.RecommendedCourses) > 2 {
		t.Errorf("top is not applied: %d gaps, %d courses", len(o.CommonGaps), len(o.RecommendedCourses))
	}
	for i, g := range o.CommonGaps {
		key := g.SubCompetency.Code + ":" + g.Required
		if g.People != gapPeople[key] {
			t.Errorf("common gap %s: %d people, the holders' readiness says %d", key, g.People, gapPeople[key])
		}
		if i > 0 && g.People > o.CommonGaps[i-1].People {
			t.Errorf("common gaps are not most frequent first: %+v", o.CommonGaps)
		}
	}
	c.query(`{ organizationReadiness(organization: "Nowhere") { people } }`, nil).wantError(t, "NOT_FOUND", "")

	// Both lists read top alike: 0 is an empty list, a negative top is bad input.
	var none struct {
		OrganizationReadiness struct {
			CommonGaps, RecommendedCourses []struct{ Required string }
		}
	}
	c.query(`query($org: String!) { organizationReadiness(organization: $org) {
		commonGaps(top: 0) { required } recommendedCourses(top: 0) { gapsClosed } } }`, map[string]any{"org": org}).decode(t, &none)
	if n := none.OrganizationReadiness; len(n.CommonGaps) != 0 || len(n.RecommendedCourses) != 0 {
		t.Errorf("top: 0 gave %d gaps and %d courses, want none", len(n.CommonGaps), len(n.RecommendedCourses))
	}
	for _, field := range []string{"commonGaps(top: -1) { required }", "recommendedCourses(top: -1) { gapsClosed }"} {
		c.query(`query($org: String!) { organizationReadiness(organization: $org) { `+field+` } }`,
			map[string]any{"org": org}).wantError(t, "BAD_USER_INPUT", "top")
	}
}

// TestDemand checks that demand lists every sub-competency with one entry
// per level, and that a blocking level is one no active course reaches.
func TestDemand(t *testing.T) {
	t.Parallel()
	store, _ := seeded(t)
	c, _ := serve(t, store)
	cat := readCatalogue(t, c)
	var data struct {
		Demand []struct {
			SubCompetency struct{ Code string }
			Levels        []struct {
				Level              string
				Exactly, AtLeast   int
				Meetable, Blocking bool
			}
		}
	}
	c.query(`{ demand { subCompetency { code } levels { level exactly atLeast meetable blocking } } }`, nil).decode(t, &data)
	if len(data.Demand) != len(cat.subs) {
		t.Fatalf("%d demand rows, want %d", len(data.Demand), len(cat.subs))
	}
	blocking := 0
	for i, d := range data.Demand {
		if d.SubCompetency.Code != cat.subs[i] || len(d.Levels) != len(cat.levels) {
			t.Fatalf("demand[%d] = %s with %d levels", i, d.SubCompetency.Code, len(d.Levels))
		}
		for r, l := range d.Levels {
			meetable := cat.highest(d.SubCompetency.Code, "") >= r
			if l.Meetable != meetable || l.Blocking != (l.Exactly > 0 && !meetable) {
				t.Errorf("%s at %s: %+v, want meetable %v", d.SubCompetency.Code, l.Level, l, meetable)
			}
			if l.Blocking {
				blocking++
			}
		}
	}
	t.Logf("%d blocking demands in the sample", blocking)
}

// TestRetiringSCM201PredictsWhatRetiringDoes is issue 9 through the API:
// courseImpact(code: "SCM-201", retire: true) predicted that nobody's
// readiness changes, and retiring it for real changed the gaps of most of
// its completers. Now the prediction (nobody's readiness changes: they
// keep what they attained; the coverage the course keeps; the
// recommendations after) is what updateCourse does.
func TestRetiringSCM201PredictsWhatRetiringDoes(t *testing.T) {
	store, ds := seeded(t)
	c, _ := serve(t, store)
	var completers []string
	for _, p := range ds.People {
		if slices.ContainsFunc(p.Completions, func(c domain.Completion) bool { return c.CourseCode == "SCM-201" }) {
			completers = append(completers, p.ID)
		}
	}
	if len(completers) < 10 {
		t.Fatalf("SCM-201 has %d completers in the sample", len(completers))
	}
	const recommendation = `courses { code title hours closes { subCompetency { code } required attained } prerequisiteOf }
		totalHours unclosable { subCompetency { code } required attained } method lowerBoundHours`
	people := func() []json.RawMessage {
		return readPeople(t, c, completers, `id readiness { ready gaps { subCompetency { code } required attained }
			attained { subCompetency { code } level courses { code } } } recommendations { `+recommendation+` }`)
	}
	before := people()

	var impact struct {
		CourseImpact struct {
			Change          string
			Coverage        json.RawMessage
			People          []struct{ PersonID string }
			Recommendations []struct {
				PersonID string
				After    json.RawMessage
			}
		}
	}
	c.query(`query($people: [ID!]!) { courseImpact(code: "SCM-201", retire: true) { change
		coverage { subCompetency { code } level rules { id file line } } people { personId }
		recommendations(people: $people) { personId after { `+recommendation+` } } } }`,
		map[string]any{"people": completers}).decode(t, &impact)
	var retired struct {
		UpdateCourse struct{ Coverage json.RawMessage }
	}
	c.query(`mutation { updateCourse(code: "SCM-201", version: 1, input: { status: RETIRED }) {
		coverage { subCompetency { code } level rules { id file line } } } }`, nil).decode(t, &retired)
	after := people()

	imp := impact.CourseImpact
	if imp.Change != "RETIRE" || len(imp.People) != 0 {
		t.Errorf("courseImpact: a %s changing the readiness of %v, want a RETIRE changing nobody's", imp.Change, imp.People)
	}
	if string(imp.Coverage) != string(retired.UpdateCourse.Coverage) || len(imp.Coverage) < 10 {
		t.Errorf("predicted coverage %s, the retired course covers %s", imp.Coverage, retired.UpdateCourse.Coverage)
	}
	for i, id := range completers {
		var b, a struct {
			Readiness       json.RawMessage
			Recommendations json.RawMessage
		}
		if err := errors.Join(json.Unmarshal(before[i], &b), json.Unmarshal(after[i], &a)); err != nil {
			t.Fatal(err)
		}
		if string(a.Readiness) != string(b.Readiness) {
			t.Errorf("retiring SCM-201 changed %s's readiness:\n%s\n->\n%s", id, b.Readiness, a.Readiness)
		}
		if r := imp.Recommendations[i]; r.PersonID != id || string(r.After) != string(a.Recommendations) {
			t.Errorf("%s's recommendation after retiring SCM-201: predicted %s, got %s", id, r.After, a.Recommendations)
		}
	}
}

// TestCourseImpactPeopleAreThoseTheEditChanges asks courseImpact about an
// edit that empties the text of the active course with the most
// completers, makes the edit with updateCourse, and checks the impact's
// people against the readiness of every completer before and after, read
// through the API: who changes, their gaps added and removed, and every
// attainment that changes.
func TestCourseImpactPeopleAreThoseTheEditChanges(t *testing.T) {
	store, ds := seeded(t)
	c, _ := serve(t, store)
	completers := map[string][]string{}
	for _, p := range ds.People {
		for _, done := range p.Completions {
			completers[done.CourseCode] = append(completers[done.CourseCode], p.ID)
		}
	}
	code := ""
	for _, course := range ds.Courses {
		if course.Active() && len(completers[course.Code]) > len(completers[code]) {
			code = course.Code
		}
	}
	ids := completers[code]
	slices.Sort(ids)
	ids = slices.Compact(ids)

	type subRef struct{ Code string }
	type gap struct {
		SubCompetency subRef
		Required      string
		Attained      *string
	}
	type attainment struct {
		SubCompetency subRef
		Level         string
		Courses       []subRef
	}
	type readiness struct {
		Ready    bool
		Gaps     []gap
		Attained []attainment
	}
	const gapFields = `subCompetency { code } required attained`
	const attainmentFields = `subCompetency { code } level courses { code }`
	read := func() []readiness {
		out := make([]readiness, len(ids))
		for i, raw := range readPeople(t, c, ids, `readiness { ready gaps { `+gapFields+` } attained { `+attainmentFields+` } }`) {
			var p struct{ Readiness readiness }
			if err := json.Unmarshal(raw, &p); err != nil {
				t.Fatal(err)
			}
			out[i] = p.Readiness
		}
		return out
	}

	type attainmentChange struct {
		SubCompetency subRef
		Before, After *attainment
	}
	type change struct {
		PersonID                string
		ReadyBefore, ReadyAfter bool
		GapsAdded, GapsRemoved  []gap
		Attainment              []attainmentChange
	}
	const emptied = `{ title: "Untitled", description: "", objectives: [], topics: [] }`
	before := read()
	var impact struct{ CourseImpact struct{ People []change } }
	c.query(`query($code: String!) { courseImpact(code: $code, input: `+emptied+`) { people { personId readyBefore readyAfter
		gapsAdded { `+gapFields+` } gapsRemoved { `+gapFields+` }
		attainment { subCompetency { code } before { `+attainmentFields+` } after { `+attainmentFields+` } } } } }`,
		map[string]any{"code": code}).decode(t, &impact)
	c.query(`mutation($code: String!) { updateCourse(code: $code, version: 1, input: `+emptied+`) { code } }`, map[string]any{"code": code}).decode(t, &struct{}{})
	after := read()

	missing := func(a, b []gap) []gap {
		out := []gap{}
		for _, g := range a {
			if !slices.ContainsFunc(b, func(x gap) bool { return jsonOf(t, x) == jsonOf(t, g) }) {
				out = append(out, g)
			}
		}
		return out
	}
	on := func(r readiness, sub string) *attainment {
		if i := slices.IndexFunc(r.Attained, func(a attainment) bool { return a.SubCompetency.Code == sub }); i >= 0 {
			return &r.Attained[i]
		}
		return nil
	}
	subs := readCatalogue(t, c).subs
	want := []change{}
	for i, id := range ids {
		b, a := before[i], after[i]
		if jsonOf(t, b) == jsonOf(t, a) {
			continue
		}
		ch := change{PersonID: id, ReadyBefore: b.Ready, ReadyAfter: a.Ready, GapsAdded: missing(a.Gaps, b.Gaps), GapsRemoved: missing(b.Gaps, a.Gaps), Attainment: []attainmentChange{}}
		for _, sub := range subs {
			if x, y := on(b, sub), on(a, sub); jsonOf(t, x) != jsonOf(t, y) {
				ch.Attainment = append(ch.Attainment, attainmentChange{subRef{sub}, x, y})
			}
		}
		want = append(want, ch)
	}
	if len(want) < 2 {
		t.Fatalf("emptying %s (%d completers) changes the readiness of %d people: too few to tell", code, len(ids), len(want))
	}
	if got := impact.CourseImpact.People; jsonOf(t, got) != jsonOf(t, want) {
		t.Errorf("emptying %s: courseImpact says\n%s\nthe edit changed\n%s", code, jsonOf(t, got), jsonOf(t, want))
	}
}

// TestNewCourseImpactRecommendsTheProposedCourse proposes a cheaper copy
// of a course someone is recommended: newCourseImpact's recommendation of
// that person takes the copy, named by its code, title and hours, with no
// course record (it is not stored).
func TestNewCourseImpactRecommendsTheProposedCourse(t *testing.T) {
	store, _ := seeded(t)
	c, _ := serve(t, store)
	var people struct {
		People struct {
			Edges []struct {
				Node struct {
					ID              string
					Recommendations struct {
						Courses []struct {
							Code   string
							Course struct{ PrerequisiteCodes []string }
						}
					}
				}
			}
		}
	}
	c.query(`{ people(first: 100) { edges { node { id recommendations { courses { code course { prerequisiteCodes } } } } } } }`, nil).decode(t, &people)
	person, copied := "", ""
	for _, e := range people.People.Edges {
		for _, rc := range e.Node.Recommendations.Courses {
			if person == "" && len(rc.Course.PrerequisiteCodes) == 0 {
				person, copied = e.Node.ID, rc.Code
			}
		}
	}
	if person == "" {
		t.Fatal("nobody in the first 100 people is recommended a course without prerequisites")
	}
	var course struct {
		Course struct {
			Title, Description, DeliveryMode string
			Objectives, Topics               []string
		}
	}
	c.query(`query($code: String!) { course(code: $code) { title description objectives topics deliveryMode } }`, map[string]any{"code": copied}).decode(t, &course)
	code := "ZZZ-" + copied[strings.IndexByte(copied, '-')+1:] // the same tier
	input := map[string]any{"code": code, "title": course.Course.Title, "description": course.Course.Description,
		"objectives": course.Course.Objectives, "topics": course.Course.Topics, "hours": 0.25, "deliveryMode": course.Course.DeliveryMode}
	type recommended struct {
		Code, Title string
		Hours       float64
		Course      *struct{ Code string }
	}
	var impact struct {
		NewCourseImpact struct {
			Recommendations []struct {
				PersonID string
				Changed  bool
				After    struct{ Courses []recommended }
			}
		}
	}
	c.query(`query($input: CreateCourseInput!, $person: ID!) { newCourseImpact(input: $input) {
		recommendations(people: [$person]) { personId changed after { courses { code title hours course { code } } } } } }`,
		map[string]any{"input": input, "person": person}).decode(t, &impact)
	recs := impact.NewCourseImpact.Recommendations
	if len(recs) != 1 || recs[0].PersonID != person || !recs[0].Changed {
		t.Fatalf("newCourseImpact's recommendation of %s: %+v, want one that changed", person, recs)
	}
	i := slices.IndexFunc(recs[0].After.Courses, func(rc recommended) bool { return rc.Code == code })
	if i < 0 {
		t.Fatalf("%s would be recommended %+v, not the cheaper copy %s of %s", person, recs[0].After.Courses, code, copied)
	}
	if rc := recs[0].After.Courses[i]; rc.Title != course.Course.Title || rc.Hours != 0.25 || rc.Course != nil {
		t.Errorf("the proposed course in the recommendation: %+v, want its title, 0.25 hours and no course record", rc)
	}
}

// readPeople returns the fields of the people with the given ids, in that
// order, asking for 25 at a time (a query has at most 30 aliases).
func readPeople(t *testing.T, c client, ids []string, fields string) []json.RawMessage {
	t.Helper()
	var out []json.RawMessage
	for batch := range slices.Chunk(ids, 25) {
		var q strings.Builder
		q.WriteString("{")
		for i, id := range batch {
			fmt.Fprintf(&q, " p%d: person(id: %q) { %s }", i, id, fields)
		}
		q.WriteString("}")
		var got map[string]json.RawMessage
		c.query(q.String(), nil).decode(t, &got)
		for i := range batch {
			out = append(out, got[fmt.Sprintf("p%d", i)])
		}
	}
	return out
}
