package graph_test

import (
	"cmap/domain"
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestQueries reads every root field over HTTP from a database seeded with
// the sample seeds, and compares the answers with the seeds. It runs on the
// embedded FerretDB, not in memory: it is graph's end-to-end test of the
// wiring from GraphQL down to the real database.
func TestQueries(t *testing.T) {
	t.Parallel()
	store, ds := seededDatabase(t)
	c, _ := serve(t, store)

	t.Run("competencies", func(t *testing.T) {
		var got struct {
			Framework    struct{ Name string }
			Competencies []struct {
				Code, Title, Description string
				SubCompetencies          []struct{ Code, Statement string }
			}
		}
		c.query(`{ framework { name } competencies { code title description subCompetencies { code statement } } }`, nil).decode(t, &got)
		if got.Framework.Name != ds.Framework.Name {
			t.Errorf("framework name %q, want %q", got.Framework.Name, ds.Framework.Name)
		}
		if len(got.Competencies) != len(ds.Framework.Competencies) {
			t.Fatalf("%d competencies, want %d", len(got.Competencies), len(ds.Framework.Competencies))
		}
		for i, want := range ds.Framework.Competencies {
			g := got.Competencies[i]
			if g.Code != want.Code || g.Title != want.Title || g.Description != want.Description || len(g.SubCompetencies) != len(want.SubCompetencies) {
				t.Errorf("competency %d = %s %q, want %s %q", i, g.Code, g.Title, want.Code, want.Title)
				continue
			}
			for j, s := range want.SubCompetencies {
				if g.SubCompetencies[j].Code != s.Code || g.SubCompetencies[j].Statement != s.Statement {
					t.Errorf("sub-competency %s = %+v", s.Code, g.SubCompetencies[j])
				}
			}
		}
	})

	t.Run("competency and subCompetency", func(t *testing.T) {
		want := ds.Framework.Competencies[3]
		sub := want.SubCompetencies[len(want.SubCompetencies)-1]
		var got struct {
			Competency    struct{ Title string }
			SubCompetency struct {
				Statement  string
				Competency struct{ Code string }
			}
			Missing    *struct{ Code string }
			MissingSub *struct{ Code string }
		}
		c.query(`query($c: String!, $s: String!) {
			competency(code: $c) { title }
			subCompetency(code: $s) { statement competency { code } }
			missing: competency(code: "99.0") { code }
			missingSub: subCompetency(code: "1.Z") { code }
		}`, map[string]any{"c": want.Code, "s": sub.Code}).decode(t, &got)
		if got.Competency.Title != want.Title || got.SubCompetency.Statement != sub.Statement || got.SubCompetency.Competency.Code != want.Code {
			t.Errorf("got %+v", got)
		}
		if got.Missing != nil || got.MissingSub != nil {
			t.Errorf("unknown codes gave %+v and %+v, want null", got.Missing, got.MissingSub)
		}
	})

	t.Run("proficiencyScale", func(t *testing.T) {
		var got struct{ ProficiencyScale domain.Scale }
		c.query(`{ proficiencyScale { name levels } }`, nil).decode(t, &got)
		if want := domain.DefaultScale(); !slices.Equal(got.ProficiencyScale.Levels, want.Levels) || got.ProficiencyScale.Name != want.Name {
			t.Errorf("scale = %+v, want %+v", got.ProficiencyScale, want)
		}
	})

	t.Run("course", func(t *testing.T) {
		var want domain.Course
		for _, course := range ds.Courses {
			if len(course.Prerequisites) > 0 {
				want = course
				break
			}
		}
		if want.Code == "" {
			t.Fatal("the seeds have no course with prerequisites")
		}
		var got struct {
			Course struct {
				Code, Title, Description, Provider, DeliveryMode, Status string
				Objectives, Topics, PrerequisiteCodes                    []string
				Hours                                                    float64
				Version                                                  int
				Prerequisites                                            []struct{ Code, Title string }
			}
			Missing *struct{ Code string }
		}
		c.query(`query($code: String!) {
			course(code: $code) { code title description provider deliveryMode status objectives topics
				prerequisiteCodes hours version prerequisites { code title } }
			missing: course(code: "ZZZ-999") { code }
		}`, map[string]any{"code": want.Code}).decode(t, &got)
		g := got.Course
		if g.Code != want.Code || g.Title != want.Title || g.Description != want.Description || g.Provider != want.Provider ||
			g.Hours != want.Hours || !slices.Equal(g.Objectives, want.Objectives) || !slices.Equal(g.Topics, want.Topics) ||
			!slices.Equal(g.PrerequisiteCodes, want.Prerequisites) || g.Version != 1 {
			t.Errorf("course = %+v, want %+v", g, want)
		}
		if g.DeliveryMode != strings.ToUpper(want.DeliveryMode) || g.Status != strings.ToUpper(want.Status) {
			t.Errorf("enums = %s %s, want %s %s", g.DeliveryMode, g.Status, want.DeliveryMode, want.Status)
		}
		var prereqs []string
		for _, p := range g.Prerequisites {
			prereqs = append(prereqs, p.Code)
		}
		if !slices.Equal(prereqs, want.Prerequisites) {
			t.Errorf("prerequisites = %v, want %v", prereqs, want.Prerequisites)
		}
		if got.Missing != nil {
			t.Errorf("unknown course gave %+v, want null", got.Missing)
		}
	})

	t.Run("position and person", func(t *testing.T) {
		holders := map[string][]string{}
		for _, p := range ds.People {
			if p.PositionID != "" {
				holders[p.PositionID] = append(holders[p.PositionID], p.ID)
			}
		}
		var person domain.Person
		for _, p := range ds.People {
			if p.PositionID != "" && len(p.Completions) > 1 {
				person = p
				break
			}
		}
		var got struct {
			Person struct {
				Name        string
				PositionID  string
				Position    struct{ ID, Title string }
				Completions []struct {
					CourseCode  string
					CompletedOn string
					Course      struct{ Code, Title string }
				}
			}
			Position struct {
				ID, Title, Organization, Grade, Category, Region string
				KeyBillet                                        bool
				People                                           []struct{ ID string }
			}
			NoPerson   *struct{ ID string }
			NoPosition *struct{ ID string }
		}
		c.query(`query($person: ID!, $position: ID!) {
			person(id: $person) { name positionId position { id title } completions { courseCode completedOn course { code title } } }
			position(id: $position) { id title organization grade category region keyBillet people { id } }
			noPerson: person(id: "nobody") { id }
			noPosition: position(id: "nowhere") { id }
		}`, map[string]any{"person": person.ID, "position": person.PositionID}).decode(t, &got)
		if got.Person.Name != person.Name || got.Person.PositionID != person.PositionID || got.Person.Position.ID != person.PositionID {
			t.Errorf("person = %+v, want %+v", got.Person, person)
		}
		if len(got.Person.Completions) != len(person.Completions) {
			t.Fatalf("%d completions, want %d", len(got.Person.Completions), len(person.Completions))
		}
		for i, want := range person.Completions {
			g := got.Person.Completions[i]
			if g.CourseCode != want.CourseCode || g.Course.Code != want.CourseCode || g.CompletedOn != want.Completed.Format(time.DateOnly) {
				t.Errorf("completion %d = %+v, want %+v", i, g, want)
			}
		}
		var people []string
		for _, p := range got.Position.People {
			people = append(people, p.ID)
		}
		slices.Sort(holders[person.PositionID])
		if !slices.Equal(people, holders[person.PositionID]) {
			t.Errorf("position %s people = %v, want %v", person.PositionID, people, holders[person.PositionID])
		}
		if got.NoPerson != nil || got.NoPosition != nil {
			t.Errorf("unknown ids gave %+v %+v, want null", got.NoPerson, got.NoPosition)
		}
	})

	t.Run("filters", func(t *testing.T) {
		retired, keyBillets := 0, 0
		for _, c := range ds.Courses {
			if c.Status == domain.CourseRetired {
				retired++
			}
		}
		for _, p := range ds.Positions {
			if p.KeyBillet {
				keyBillets++
			}
		}
		var got struct {
			Courses   struct{ TotalCount int }
			Positions struct{ TotalCount int }
			People    struct{ TotalCount int }
		}
		c.query(`{
			courses(filter: { status: RETIRED }) { totalCount }
			positions(filter: { keyBillet: true }) { totalCount }
			people(filter: { search: "zzzz-no-such-name" }) { totalCount }
		}`, nil).decode(t, &got)
		if got.Courses.TotalCount != retired || got.Positions.TotalCount != keyBillets || got.People.TotalCount != 0 {
			t.Errorf("counts = %+v, want %d retired courses, %d key billets, 0 people", got, retired, keyBillets)
		}
	})
}

// walk pages through a connection with pages of size first and returns
// the keys in order, and the totalCount reported on each page.
func walk(t *testing.T, c client, field, key string, first int) (keys []string, totals []int) {
	t.Helper()
	var after any
	for page := 0; ; page++ {
		if page > 1000 {
			t.Fatal("pagination does not end")
		}
		var got map[string]struct {
			TotalCount int
			PageInfo   struct {
				HasNextPage bool
				EndCursor   *string
			}
			Edges []struct {
				Cursor string
				Node   map[string]string
			}
		}
		c.query(fmt.Sprintf(`query($first: Int, $after: String) {
			list: %s(first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { %s } } }
		}`, field, key), map[string]any{"first": first, "after": after}).decode(t, &got)
		list := got["list"]
		if len(list.Edges) > first {
			t.Fatalf("page of %d edges, asked for %d", len(list.Edges), first)
		}
		for _, e := range list.Edges {
			keys = append(keys, e.Node[key])
		}
		totals = append(totals, list.TotalCount)
		if !list.PageInfo.HasNextPage {
			return keys, totals
		}
		if list.PageInfo.EndCursor == nil || *list.PageInfo.EndCursor != list.Edges[len(list.Edges)-1].Cursor {
			t.Fatalf("endCursor %v is not the last edge's cursor", list.PageInfo.EndCursor)
		}
		after = *list.PageInfo.EndCursor
	}
}

func TestPagination(t *testing.T) {
	t.Parallel()
	store, ds := seeded(t)
	c, _ := serve(t, store)

	var want []string
	for _, course := range ds.Courses {
		want = append(want, course.Code)
	}
	slices.Sort(want)
	got, totals := walk(t, c, "courses", "code", 7)
	if !slices.Equal(got, want) {
		t.Errorf("walking courses by 7 gave %d codes %v,\nwant each of the %d once in order %v", len(got), got, len(want), want)
	}
	if wantPages := (len(want) + 6) / 7; len(totals) != wantPages {
		t.Errorf("%d pages, want %d", len(totals), wantPages)
	}
	for _, n := range totals {
		if n != len(want) {
			t.Errorf("totalCount %d, want %d", n, len(want))
		}
	}

	people, _ := walk(t, c, "people", "id", 100)
	if len(people) != len(ds.People) {
		t.Errorf("walking people by 100 gave %d, want %d", len(people), len(ds.People))
	}

	for _, first := range []int{101, 0, -1} {
		r := c.query(`query($first: Int) { courses(first: $first) { totalCount } }`, map[string]any{"first": first})
		r.wantError(t, "BAD_USER_INPUT", "first")
	}
	positionCursor := base64.RawURLEncoding.EncodeToString([]byte("position:POS-0001"))
	for _, cursor := range []string{"not a cursor!", "", positionCursor} {
		r := c.query(`query($after: String) { courses(after: $after) { totalCount } }`, map[string]any{"after": cursor})
		r.wantError(t, "BAD_USER_INPUT", "after")
	}
}
