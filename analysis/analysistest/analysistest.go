// Package analysistest holds what the tests of the analysis index and of
// the packages built on it share: every answer of an Index as one value
// (Answers), a short readable diff of two values (Diff), and the impact of
// a course change worked out by definition from the state before and the
// state after it (ExpectedImpact), to check what-ifs against.
package analysistest

import (
	"cmap/domain"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"cmap/analysis"
)

// Answers is every answer an Index gives: two indexes with equal Answers
// answer every question alike.
type Answers struct {
	// Matrix shows the active courses, AllStatuses every course.
	Matrix, AllStatuses *analysis.Matrix
	// Gaps has one report per level of the scale, lowest first, with an
	// over-served threshold of 1 (the matrix's counts give the rest).
	Gaps   []*analysis.GapReport
	Demand []analysis.SubCompetencyDemand
	// Readiness is every person's readiness with what they attained, by id.
	Readiness []*analysis.Readiness
	// Recommendations is every person's recommendation, by id.
	Recommendations    []*analysis.Recommendation
	Organizations      []string
	OrgReadiness       []*analysis.OrganizationReadiness
	OrgRecommendations [][]analysis.CourseGapClosure
	// Courses, Positions and People are the records, by key.
	Courses   []*domain.Course
	Positions []*domain.Position
	People    []*domain.Person
}

// AnswersOf asks ix every question.
func AnswersOf(ix *analysis.Index) (Answers, error) {
	var a Answers
	var err error
	if a.Matrix, err = ix.Matrix(analysis.MatrixFilter{}); err != nil {
		return a, err
	}
	if a.AllStatuses, err = ix.Matrix(analysis.MatrixFilter{Status: analysis.AnyStatus}); err != nil {
		return a, err
	}
	for _, level := range ix.Scale().Levels {
		g, err := ix.Gaps(level, 1)
		if err != nil {
			return a, err
		}
		a.Gaps = append(a.Gaps, g)
	}
	a.Demand = ix.Demand()
	for _, p := range ix.PeopleReadiness() {
		r, err := ix.Readiness(p.PersonID)
		if err != nil {
			return a, err
		}
		a.Readiness = append(a.Readiness, r)
		rec, err := ix.Recommend(p.PersonID)
		if err != nil {
			return a, err
		}
		a.Recommendations = append(a.Recommendations, rec)
	}
	a.Organizations = ix.Organizations()
	for _, org := range a.Organizations {
		r, err := ix.OrganizationReadiness(org, 0)
		if err != nil {
			return a, err
		}
		a.OrgReadiness = append(a.OrgReadiness, r)
		c, err := ix.OrganizationRecommendations(org, 0)
		if err != nil {
			return a, err
		}
		a.OrgRecommendations = append(a.OrgRecommendations, c)
	}
	courses, err := ix.Courses(domain.CourseFilter{}, domain.Page{})
	if err != nil {
		return a, err
	}
	positions, err := ix.Positions(domain.PositionFilter{}, domain.Page{})
	if err != nil {
		return a, err
	}
	people, err := ix.People(domain.PersonFilter{}, domain.Page{})
	if err != nil {
		return a, err
	}
	a.Courses, a.Positions, a.People = courses.Items, positions.Items, people.Items
	return a, nil
}

// World is an index, its answers, and the facts its answers do not show:
// what ExpectedImpact needs.
type World struct {
	Index *analysis.Index
	// Answers are those of Index (AnswersOf).
	Answers Answers
	// Requirements holds each position's requirement facts, by id.
	Requirements map[string][]domain.Requirement
}

// ExpectedImpact works out, from its definition, the impact of the change
// of the course with code that turned before into after: the
// sub-competencies on which the course's active level changed, every
// person whose readiness differs, every position whose meetability
// differs. Unlike the index it looks at everyone, not only at those the
// change can reach.
func ExpectedImpact(before, after World, code string) (*analysis.CourseImpact, error) {
	ab, aa := before.Answers, after.Answers
	scale := before.Index.Scale()
	rank := func(level string) int { r, _ := scale.Rank(level); return r }
	cb, ca := courseIn(ab.Courses, code), courseIn(aa.Courses, code)
	imp := &analysis.CourseImpact{Course: code, Change: analysis.ChangeUpdate}
	switch {
	case cb == nil:
		imp.Change = analysis.ChangeCreate
	case ca == nil:
		imp.Change = analysis.ChangeDelete
	case cb.Active() && !ca.Active():
		imp.Change = analysis.ChangeRetire
	}

	highB, highA := map[string]int{}, map[string]int{}
	for i, d := range ab.Demand {
		highB[d.SubCompetency], highA[d.SubCompetency] = rank(d.Highest), rank(aa.Demand[i].Highest)
	}
	for i, row := range ab.Matrix.Rows {
		lb, la := levelOf(row, code), levelOf(aa.Matrix.Rows[i], code)
		if lb == la {
			continue
		}
		sub := row.SubCompetency
		ch := analysis.CoverageChange{SubCompetency: sub, Competency: row.Competency, CourseBefore: lb, CourseAfter: la,
			HighestBefore: scale.Level(highB[sub]), HighestAfter: scale.Level(highA[sub])}
		var changed []string
		for r := min(highB[sub], highA[sub]) + 1; r <= max(highB[sub], highA[sub]); r++ {
			changed = append(changed, scale.Level(r))
		}
		if highA[sub] < highB[sub] {
			ch.GapsOpened = changed
		} else {
			ch.GapsClosed = changed
		}
		for _, p := range aa.Readiness {
			for _, g := range p.Gaps {
				if g.SubCompetency == sub && slices.Contains(changed, g.Required) {
					ch.PersonGaps++
				}
			}
		}
		imp.SubCompetencies = append(imp.SubCompetencies, ch)
	}

	for i, pb := range ab.Readiness {
		pa := aa.Readiness[i]
		if Diff(pa, pb) == "" {
			continue
		}
		ch := analysis.ReadinessChange{PersonID: pb.PersonID, ReadyBefore: pb.Ready, ReadyAfter: pa.Ready,
			GapsAdded: missingFrom(pa.Gaps, pb.Gaps), GapsRemoved: missingFrom(pb.Gaps, pa.Gaps)}
		for _, sub := range before.Index.Framework().SubCompetencyCodes() {
			b, a := attainmentOn(pb, sub), attainmentOn(pa, sub)
			if Diff(b, a) != "" {
				ch.Attainment = append(ch.Attainment, analysis.AttainmentChange{SubCompetency: sub, Before: b, After: a})
			}
		}
		imp.People = append(imp.People, ch)
	}

	subs := before.Index.Framework().SubCompetencyCodes()
	for _, p := range ab.Positions {
		reqs := map[string]int{} // the highest level each sub-competency is required at
		for _, r := range before.Requirements[p.ID] {
			reqs[r.SubCompetency] = max(reqs[r.SubCompetency], rank(r.Level))
		}
		ch := analysis.PositionChange{PositionID: p.ID, Organization: p.Organization, MeetableBefore: true, MeetableAfter: true}
		for _, sub := range subs {
			r, ok := reqs[sub]
			if !ok {
				continue
			}
			mb, ma := r <= highB[sub], r <= highA[sub]
			ch.MeetableBefore, ch.MeetableAfter = ch.MeetableBefore && mb, ch.MeetableAfter && ma
			lr := analysis.LevelRequirement{SubCompetency: sub, Level: scale.Level(r)}
			switch {
			case mb && !ma:
				ch.NowUnmeetable = append(ch.NowUnmeetable, lr)
			case !mb && ma:
				ch.NowMeetable = append(ch.NowMeetable, lr)
			}
		}
		if len(ch.NowMeetable)+len(ch.NowUnmeetable) > 0 {
			imp.Positions = append(imp.Positions, ch)
		}
	}

	if cb != nil && cb.Active() && (ca == nil || !ca.Active()) {
		for _, c := range aa.Courses {
			if c.Active() && slices.Contains(c.Prerequisites, code) {
				imp.DependentCourses = append(imp.DependentCourses, c.Code)
			}
		}
		slices.Sort(imp.DependentCourses)
	}
	return imp, nil
}

// ExpectedRecommendations returns every person's recommendation before
// and after a change, from the answers before and after it, by id; the
// same people must hold both.
func ExpectedRecommendations(before, after Answers) []analysis.RecommendationChange {
	out := make([]analysis.RecommendationChange, len(before.Recommendations))
	for i, b := range before.Recommendations {
		a := after.Recommendations[i]
		out[i] = analysis.RecommendationChange{PersonID: b.PersonID, Changed: Diff(a, b) != "", Before: b, After: a}
	}
	return out
}

func courseIn(courses []*domain.Course, code string) *domain.Course {
	for _, c := range courses {
		if c.Code == code {
			return c
		}
	}
	return nil
}

// levelOf returns the level of the course with code in a matrix row, ""
// when it has no cell there.
func levelOf(row analysis.MatrixRow, code string) string {
	for _, c := range row.Cells {
		if c.Course == code {
			return c.Level
		}
	}
	return ""
}

// missingFrom returns the gaps of a that are not in b, in a's order.
func missingFrom(a, b []analysis.Gap) []analysis.Gap {
	var out []analysis.Gap
	for _, g := range a {
		if !slices.Contains(b, g) {
			out = append(out, g)
		}
	}
	return out
}

// attainmentOn returns a person's attainment on sub, nil when none.
func attainmentOn(r *analysis.Readiness, sub string) *analysis.Attainment {
	for i := range r.Attained {
		if r.Attained[i].SubCompetency == sub {
			return &r.Attained[i]
		}
	}
	return nil
}

// maxDiffLines caps the lines of a Diff.
const maxDiffLines = 20

// keyFields name the fields that identify an element of a list, tried in
// this order: lists whose elements have one, with distinct values, are
// compared by key, so that one element added or removed reads as such.
var keyFields = []string{"PersonID", "PositionID", "Organization", "Code", "Course", "SubCompetency", "Subject"}

// Diff describes how got differs from want, one line per differing value
// with its path (lists are matched by key when their elements have one),
// at most maxDiffLines lines; "" when they are equal. Unexported fields
// are ignored, and a nil list equals an empty one.
func Diff(got, want any) string {
	if reflect.DeepEqual(got, want) {
		return "" // the common case, much faster than a walk
	}
	d := &differ{}
	d.walk("", reflect.ValueOf(got), reflect.ValueOf(want))
	if d.n > maxDiffLines {
		d.lines = append(d.lines, fmt.Sprintf("... and %d more differences", d.n-maxDiffLines))
	}
	return strings.Join(d.lines, "\n")
}

type differ struct {
	lines []string
	n     int
}

func (d *differ) report(path, format string, args ...any) {
	d.n++
	if d.n <= maxDiffLines {
		if path == "" {
			path = "(value)"
		}
		d.lines = append(d.lines, path+": "+fmt.Sprintf(format, args...))
	}
}

func (d *differ) walk(path string, g, w reflect.Value) {
	if !g.IsValid() || !w.IsValid() {
		if g.IsValid() != w.IsValid() {
			d.report(path, "got %s, want %s", show(g), show(w))
		}
		return
	}
	switch g.Kind() {
	case reflect.Pointer, reflect.Interface:
		if g.IsNil() || w.IsNil() {
			if g.IsNil() != w.IsNil() {
				d.report(path, "got %s, want %s", show(g), show(w))
			}
			return
		}
		d.walk(path, g.Elem(), w.Elem())
	case reflect.Struct:
		for i := 0; i < g.NumField(); i++ {
			if f := g.Type().Field(i); f.IsExported() {
				d.walk(path+"."+f.Name, g.Field(i), w.Field(i))
			}
		}
	case reflect.Slice, reflect.Array:
		if key := listKey(g, w); key != "" {
			d.walkKeyed(path, key, g, w)
			return
		}
		for i := 0; i < max(g.Len(), w.Len()); i++ {
			p := fmt.Sprintf("%s[%d]", path, i)
			switch {
			case i >= g.Len():
				d.report(p, "missing, want %s", show(w.Index(i)))
			case i >= w.Len():
				d.report(p, "got %s, want nothing", show(g.Index(i)))
			default:
				d.walk(p, g.Index(i), w.Index(i))
			}
		}
	case reflect.Map:
		keys := append(g.MapKeys(), w.MapKeys()...)
		slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(fmt.Sprint(a), fmt.Sprint(b)) })
		keys = slices.CompactFunc(keys, func(a, b reflect.Value) bool { return fmt.Sprint(a) == fmt.Sprint(b) })
		for _, k := range keys {
			d.walk(fmt.Sprintf("%s[%v]", path, k), g.MapIndex(k), w.MapIndex(k))
		}
	default:
		if g.Interface() != w.Interface() {
			d.report(path, "got %s, want %s", show(g), show(w))
		}
	}
}

// walkKeyed compares two lists whose elements have distinct values of the
// field key, in the order of want, then got's extra elements.
func (d *differ) walkKeyed(path, key string, g, w reflect.Value) {
	index := func(list reflect.Value) map[string]int {
		m := map[string]int{}
		for i := 0; i < list.Len(); i++ {
			m[keyOf(list.Index(i), key)] = i
		}
		return m
	}
	gi, wi := index(g), index(w)
	for i := 0; i < w.Len(); i++ {
		k := keyOf(w.Index(i), key)
		p := fmt.Sprintf("%s[%s]", path, k)
		if j, ok := gi[k]; ok {
			d.walk(p, g.Index(j), w.Index(i))
		} else {
			d.report(p, "missing, want %s", show(w.Index(i)))
		}
	}
	for i := 0; i < g.Len(); i++ {
		k := keyOf(g.Index(i), key)
		if _, ok := wi[k]; !ok {
			d.report(fmt.Sprintf("%s[%s]", path, k), "got %s, want nothing", show(g.Index(i)))
		}
	}
}

// listKey returns the key field shared by the elements of g and w, "" when
// they have none or its values repeat in either list.
func listKey(g, w reflect.Value) string {
	t := g.Type().Elem()
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return ""
	}
	for _, key := range keyFields {
		if f, ok := t.FieldByName(key); !ok || f.Type.Kind() != reflect.String {
			continue
		}
		if distinct(g, key) && distinct(w, key) {
			return key
		}
		return ""
	}
	return ""
}

func distinct(list reflect.Value, key string) bool {
	seen := map[string]bool{}
	for i := 0; i < list.Len(); i++ {
		k := keyOf(list.Index(i), key)
		if seen[k] {
			return false
		}
		seen[k] = true
	}
	return true
}

func keyOf(v reflect.Value, key string) string {
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return "<nil>"
		}
		v = v.Elem()
	}
	return v.FieldByName(key).String()
}

// maxShown caps the length of a value shown in a diff line.
const maxShown = 300

// show prints a value for a diff line: composite values as JSON, cut
// short.
func show(v reflect.Value) string {
	if !v.IsValid() {
		return "nothing"
	}
	out := fmt.Sprintf("%+v", v.Interface())
	switch v.Kind() {
	case reflect.String:
		out = fmt.Sprintf("%q", v.String())
	case reflect.Pointer, reflect.Struct, reflect.Slice, reflect.Map, reflect.Interface:
		if b, err := json.Marshal(v.Interface()); err == nil {
			out = string(b)
		}
	}
	if len(out) > maxShown {
		out = out[:maxShown] + "..."
	}
	return out
}
