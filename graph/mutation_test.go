package graph_test

import (
	"strings"
	"testing"
)

const courseFields = `code title objectives hours deliveryMode status version prerequisites { code }`

type courseResult struct {
	Code, Title, DeliveryMode, Status string
	Objectives                        []string
	Hours                             float64
	Version                           int
	Prerequisites                     []struct{ Code string }
}

func TestCourseMutations(t *testing.T) {
	t.Parallel()
	c, _ := serve(t, frameworkOnly(t))
	create := `mutation($input: CreateCourseInput!) { createCourse(input: $input) { ` + courseFields + ` } }`

	var created struct{ CreateCourse courseResult }
	c.query(create, map[string]any{"input": map[string]any{
		"code": "SCO-101", "title": "Familiarization", "hours": 8, "deliveryMode": "ONLINE",
	}}).decode(t, &created)
	if g := created.CreateCourse; g.Code != "SCO-101" || g.Version != 1 || g.Status != "ACTIVE" || g.Objectives == nil {
		t.Errorf("created = %+v", g)
	}

	for _, tc := range []struct {
		name  string
		input map[string]any
		field string
	}{
		{"bad code", map[string]any{"code": "bad code!", "title": "X", "hours": 1, "deliveryMode": "ONLINE"}, "input.code"},
		{"empty objective", map[string]any{"code": "SCO-201", "title": "X", "hours": 1, "deliveryMode": "ONLINE",
			"objectives": []string{"Explain", "Plan", " "}}, "input.objectives[2]"},
		{"unknown prerequisite", map[string]any{"code": "SCO-201", "title": "X", "hours": 1, "deliveryMode": "ONLINE",
			"prerequisites": []string{"SCO-101", "SCO-999"}}, "input.prerequisites[1]"},
		{"negative hours", map[string]any{"code": "SCO-201", "title": "X", "hours": -1, "deliveryMode": "ONLINE"}, "input.hours"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c.query(create, map[string]any{"input": tc.input}).wantError(t, "BAD_USER_INPUT", tc.field)
		})
	}
	dup := c.query(create, map[string]any{"input": map[string]any{"code": "SCO-101", "title": "Again", "hours": 1, "deliveryMode": "ONLINE"}})
	dup.wantError(t, "CONFLICT", "")

	c.query(create, map[string]any{"input": map[string]any{
		"code": "SCO-201", "title": "Orientation", "hours": 16, "deliveryMode": "BLENDED", "prerequisites": []string{"SCO-101"},
	}}).decode(t, &created)
	if g := created.CreateCourse; len(g.Prerequisites) != 1 || g.Prerequisites[0].Code != "SCO-101" {
		t.Errorf("prerequisites = %+v", g.Prerequisites)
	}

	update := `mutation($code: String!, $version: Int!, $input: UpdateCourseInput!) {
		updateCourse(code: $code, version: $version, input: $input) { ` + courseFields + ` } }`
	var updated struct{ UpdateCourse courseResult }
	c.query(update, map[string]any{"code": "SCO-201", "version": 1, "input": map[string]any{
		"title": "Orientation II", "status": "RETIRED", "objectives": []string{"Describe"},
	}}).decode(t, &updated)
	if g := updated.UpdateCourse; g.Title != "Orientation II" || g.Status != "RETIRED" || g.Version != 2 ||
		g.Hours != 16 || len(g.Prerequisites) != 1 || len(g.Objectives) != 1 {
		t.Errorf("updated = %+v (fields left out must keep their values)", g)
	}
	c.query(update, map[string]any{"code": "SCO-201", "version": 2, "input": map[string]any{"prerequisites": []string{}}}).decode(t, &updated)
	if g := updated.UpdateCourse; len(g.Prerequisites) != 0 || g.Version != 3 {
		t.Errorf("an empty list did not clear the prerequisites: %+v", g)
	}

	stale := c.query(update, map[string]any{"code": "SCO-201", "version": 2, "input": map[string]any{"title": "Lost"}})
	e := stale.wantError(t, "CONFLICT", "")
	if !contains(e.Message, "version 2", "version is 3") {
		t.Errorf("conflict message %q does not state both versions", e.Message)
	}
	bad := c.query(update, map[string]any{"code": "SCO-201", "version": 3, "input": map[string]any{"topics": []string{"ok", ""}}})
	bad.wantError(t, "BAD_USER_INPUT", "input.topics[1]")
	c.query(update, map[string]any{"code": "ZZZ-404", "version": 1, "input": map[string]any{}}).wantError(t, "NOT_FOUND", "")

	del := `mutation($code: String!, $version: Int!) { deleteCourse(code: $code, version: $version) { code } }`
	c.query(update, map[string]any{"code": "SCO-201", "version": 3, "input": map[string]any{"prerequisites": []string{"SCO-101"}}})
	refused := c.query(del, map[string]any{"code": "SCO-101", "version": 1}).wantError(t, "CONFLICT", "")
	if !strings.Contains(refused.Message, "SCO-201") {
		t.Errorf("refusal %q does not name the course that requires it", refused.Message)
	}
	c.query(del, map[string]any{"code": "SCO-201", "version": 1}).wantError(t, "CONFLICT", "")
	var deleted struct{ DeleteCourse struct{ Code string } }
	c.query(del, map[string]any{"code": "SCO-201", "version": 4}).decode(t, &deleted)
	if deleted.DeleteCourse.Code != "SCO-201" {
		t.Errorf("deleted = %+v", deleted)
	}
	c.query(del, map[string]any{"code": "SCO-201", "version": 4}).wantError(t, "NOT_FOUND", "")
	var after struct{ Course *struct{ Code string } }
	c.query(`{ course(code: "SCO-201") { code } }`, nil).decode(t, &after)
	if after.Course != nil {
		t.Errorf("deleted course still answers: %+v", after.Course)
	}
}

func TestPositionAndPersonMutations(t *testing.T) {
	t.Parallel()
	c, _ := serve(t, frameworkOnly(t))
	var pos struct {
		CreatePosition struct {
			ID      string
			Version int
		}
	}
	createPosition := `mutation($input: CreatePositionInput!) { createPosition(input: $input) { id version } }`
	c.query(createPosition, map[string]any{"input": map[string]any{
		"id": "POS-1", "title": "Desk Officer", "organization": "DSCA", "grade": "GS-13", "category": "HQ", "keyBillet": true,
	}}).decode(t, &pos)
	if pos.CreatePosition.ID != "POS-1" || pos.CreatePosition.Version != 1 {
		t.Errorf("created position = %+v", pos)
	}
	c.query(createPosition, map[string]any{"input": map[string]any{
		"id": "POS-2", "title": "Desk Officer", "organization": "DSCA", "grade": "GS-99x", "category": "HQ",
	}}).wantError(t, "BAD_USER_INPUT", "input.grade")
	c.query(`mutation { createCourse(input: {code: "SCO-101", title: "Familiarization", hours: 8, deliveryMode: ONLINE}) { code } }`, nil)

	createPerson := `mutation($input: CreatePersonInput!) { createPerson(input: $input) { id positionId version } }`
	c.query(createPerson, map[string]any{"input": map[string]any{"id": "P-1", "name": "Ada", "positionId": "POS-404"}}).
		wantError(t, "BAD_USER_INPUT", "input.positionId")
	c.query(createPerson, map[string]any{"input": map[string]any{"id": "P-1", "name": "Ada",
		"completions": []any{map[string]any{"courseCode": "SCO-404", "completedOn": "2024-01-02"}}}}).
		wantError(t, "BAD_USER_INPUT", "input.completions[0].courseCode")
	c.query(createPerson, map[string]any{"input": map[string]any{"id": "P-1", "name": "Ada",
		"completions": []any{map[string]any{"courseCode": "SCO-101", "completedOn": "2999-01-02"}}}}).
		wantError(t, "BAD_USER_INPUT", "input.completions[0].completedOn")
	c.query(createPerson, map[string]any{"input": map[string]any{"id": "P-1", "name": "Ada",
		"completions": []any{map[string]any{"courseCode": "SCO-101", "completedOn": "January 2nd"}}}}).
		wantError(t, "BAD_USER_INPUT", "input.completions[0].completedOn")
	var person struct {
		CreatePerson struct {
			ID, PositionID string
			Version        int
		}
	}
	c.query(createPerson, map[string]any{"input": map[string]any{"id": "P-1", "name": "Ada", "positionId": "POS-1"}}).decode(t, &person)
	if person.CreatePerson.PositionID != "POS-1" {
		t.Errorf("created person = %+v", person)
	}

	deletePosition := `mutation($id: ID!, $version: Int!) { deletePosition(id: $id, version: $version) { id } }`
	c.query(deletePosition, map[string]any{"id": "POS-1", "version": 1}).wantError(t, "CONFLICT", "")

	// recordCompletion
	record := `mutation($p: ID!, $c: String!, $d: Date!) { recordCompletion(personId: $p, courseCode: $c, completedOn: $d) {
		version completions { courseCode completedOn course { title } } } }`
	c.query(record, map[string]any{"p": "P-1", "c": "SCO-404", "d": "2024-05-01"}).wantError(t, "BAD_USER_INPUT", "courseCode")
	c.query(record, map[string]any{"p": "P-404", "c": "SCO-101", "d": "2024-05-01"}).wantError(t, "NOT_FOUND", "")
	c.query(record, map[string]any{"p": "P-1", "c": "SCO-101", "d": "2024-5-1"}).wantError(t, "BAD_USER_INPUT", "completedOn")
	c.query(`mutation { recordCompletion(personId: "P-1", courseCode: "SCO-101", completedOn: "yesterday") { id } }`, nil).
		wantError(t, "BAD_USER_INPUT", "completedOn")
	var recorded struct {
		RecordCompletion struct {
			Version     int
			Completions []struct {
				CourseCode, CompletedOn string
				Course                  struct{ Title string }
			}
		}
	}
	c.query(record, map[string]any{"p": "P-1", "c": "SCO-101", "d": "2024-05-01"}).decode(t, &recorded)
	if g := recorded.RecordCompletion; g.Version != 2 || len(g.Completions) != 1 ||
		g.Completions[0].CompletedOn != "2024-05-01" || g.Completions[0].Course.Title != "Familiarization" {
		t.Errorf("recorded = %+v", g)
	}

	// updatePerson: null unassigns, a field left out is kept.
	updatePerson := `mutation($id: ID!, $version: Int!, $input: UpdatePersonInput!) {
		updatePerson(id: $id, version: $version, input: $input) { name positionId version completions { courseCode } } }`
	var updated struct {
		UpdatePerson struct {
			Name        string
			PositionID  *string
			Version     int
			Completions []struct{ CourseCode string }
		}
	}
	c.query(updatePerson, map[string]any{"id": "P-1", "version": 2, "input": map[string]any{"name": "Ada L."}}).decode(t, &updated)
	if g := updated.UpdatePerson; g.Name != "Ada L." || g.PositionID == nil || len(g.Completions) != 1 || g.Version != 3 {
		t.Errorf("updated = %+v", g)
	}
	c.query(updatePerson, map[string]any{"id": "P-1", "version": 3, "input": map[string]any{"positionId": nil}}).decode(t, &updated)
	if g := updated.UpdatePerson; g.PositionID != nil || g.Name != "Ada L." {
		t.Errorf("positionId: null did not unassign: %+v", g)
	}
	c.query(updatePerson, map[string]any{"id": "P-1", "version": 3, "input": map[string]any{"name": "Stale"}}).wantError(t, "CONFLICT", "")

	var deleted struct{ DeletePosition struct{ ID string } }
	c.query(deletePosition, map[string]any{"id": "POS-1", "version": 1}).decode(t, &deleted)
	if deleted.DeletePosition.ID != "POS-1" {
		t.Errorf("deleted = %+v", deleted)
	}
	var gone struct{ DeletePerson struct{ ID string } }
	c.query(`mutation { deletePerson(id: "P-1", version: 4) { id } }`, nil).decode(t, &gone)
	c.query(`mutation { deletePerson(id: "P-1", version: 4) { id } }`, nil).wantError(t, "NOT_FOUND", "")
}
