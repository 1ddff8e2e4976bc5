package graph_test

import (
	"slices"
	"testing"
)

type auditEntryResult struct {
	Operation, RecordType, RecordKey, Actor, ActorName, State string
	VersionBefore, VersionAfter                               *int
	Changes                                                   []struct{ Field, Old, New string }
}

type auditPage struct {
	Edges []struct {
		Cursor string
		Node   auditEntryResult
	}
	PageInfo struct {
		HasNextPage bool
		EndCursor   *string
	}
}

const auditEntryFields = `operation recordType recordKey actor actorName state versionBefore versionAfter changes { field old new }`

func TestHistoryAndAuditLog(t *testing.T) {
	t.Parallel()
	c, _ := serve(t, frameworkOnly(t))
	var ignored struct{}
	c.query(`mutation { createCourse(input: {code: "SCO-101", title: "Familiarization", hours: 8, deliveryMode: ONLINE}) { code } }`, nil).decode(t, &ignored)
	c.query(`mutation { updateCourse(code: "SCO-101", version: 1, input: {hours: 12, topics: ["orientation"]}) { code } }`, nil).decode(t, &ignored)
	c.query(`mutation { createPosition(input: {id: "POS-1", title: "Desk officer", organization: "DSCA", grade: "GS-13", category: "HQ"}) { id } }`, nil).decode(t, &ignored)
	c.query(`mutation { createPerson(input: {id: "P-1", name: "Alex", positionId: "POS-1"}) { id } }`, nil).decode(t, &ignored)
	c.query(`mutation { recordCompletion(personId: "P-1", courseCode: "SCO-101", completedOn: "2024-06-02") { id } }`, nil).decode(t, &ignored)

	var got struct {
		Course struct{ History auditPage }
		Person struct{ History auditPage }
	}
	c.query(`{ course(code: "SCO-101") { history(first: 1) { edges { cursor node { `+auditEntryFields+` } } pageInfo { hasNextPage endCursor } } }
		person(id: "P-1") { history { edges { node { `+auditEntryFields+` } } } } }`, nil).decode(t, &got)
	h := got.Course.History
	if len(h.Edges) != 1 || !h.PageInfo.HasNextPage {
		t.Fatalf("first page of the course's history: %+v", h)
	}
	update := h.Edges[0].Node
	if update.Operation != "UPDATE" || update.RecordType != "COURSE" || update.RecordKey != "SCO-101" || update.State != "DONE" ||
		update.Actor != "key:tester" || update.ActorName != "tester" || *update.VersionBefore != 1 || *update.VersionAfter != 2 {
		t.Errorf("the update: %+v", update)
	}
	wantChanges := []struct{ Field, Old, New string }{{"topics", "[]", `["orientation"]`}, {"hours", "8", "12"}}
	if !slices.Equal(update.Changes, wantChanges) {
		t.Errorf("the update's changes: %+v, want %+v", update.Changes, wantChanges)
	}
	var next struct{ Course struct{ History auditPage } }
	c.query(`query($after: String) { course(code: "SCO-101") { history(after: $after) { edges { node { `+auditEntryFields+` } } pageInfo { hasNextPage } } } }`,
		map[string]any{"after": *h.PageInfo.EndCursor}).decode(t, &next)
	if e := next.Course.History.Edges; len(e) != 1 || e[0].Node.Operation != "CREATE" || e[0].Node.VersionBefore != nil || *e[0].Node.VersionAfter != 1 {
		t.Errorf("second page: %+v", next.Course.History)
	}
	ops := []string{}
	for _, e := range got.Person.History.Edges {
		ops = append(ops, e.Node.Operation)
	}
	if !slices.Equal(ops, []string{"RECORD_COMPLETION", "CREATE"}) {
		t.Errorf("the person's history: %v", ops)
	}

	var log struct{ AuditLog auditPage }
	c.query(`{ auditLog(filter: {recordType: POSITION}) { edges { node { `+auditEntryFields+` } } } }`, nil).decode(t, &log)
	if e := log.AuditLog.Edges; len(e) != 1 || e[0].Node.RecordKey != "POS-1" {
		t.Errorf("the log of positions: %+v", log.AuditLog)
	}
	c.query(`{ auditLog(filter: {actor: "nobody"}) { edges { cursor } } }`, nil).decode(t, &log)
	if len(log.AuditLog.Edges) != 0 {
		t.Errorf("the log of an actor who did nothing: %+v", log.AuditLog)
	}
	c.query(`{ auditLog(first: 0) { edges { cursor } } }`, nil).wantError(t, "BAD_USER_INPUT", "first")
}

func TestAPIKeyMutations(t *testing.T) {
	t.Parallel()
	c, _ := serve(t, frameworkOnly(t))
	var created struct {
		CreateAPIKey struct {
			Token string
			Key   struct {
				ID, Name, CreatedBy string
				Roles               []string
				RevokedAt           *string
				Version             int
			}
		}
	}
	c.query(`mutation { createAPIKey(name: "portal", roles: [VIEWER, PERSONNEL]) { token key { id name createdBy roles revokedAt version } } }`, nil).decode(t, &created)
	k := created.CreateAPIKey
	if k.Token == "" || k.Key.Name != "portal" || k.Key.CreatedBy != "key:tester" || !slices.Equal(k.Key.Roles, []string{"VIEWER", "PERSONNEL"}) ||
		k.Key.RevokedAt != nil || k.Key.Version != 1 {
		t.Errorf("created: %+v", k)
	}
	c.query(`mutation { createAPIKey(name: "nothing", roles: []) { token } }`, nil).wantError(t, "BAD_USER_INPUT", "roles")

	var revoked struct {
		RevokeAPIKey struct {
			RevokedAt *string
			Version   int
		}
	}
	c.query(`mutation($id: ID!) { revokeAPIKey(id: $id) { revokedAt version } }`, map[string]any{"id": k.Key.ID}).decode(t, &revoked)
	if revoked.RevokeAPIKey.RevokedAt == nil || revoked.RevokeAPIKey.Version != 2 {
		t.Errorf("revoked: %+v", revoked)
	}
	c.query(`mutation { revokeAPIKey(id: "nosuchkey") { id } }`, nil).wantError(t, "NOT_FOUND", "")

	var keys struct {
		APIKeys []struct {
			ID        string
			RevokedAt *string
		}
	}
	c.query(`{ apiKeys { id revokedAt } }`, nil).decode(t, &keys)
	if len(keys.APIKeys) != 1 || keys.APIKeys[0].ID != k.Key.ID || keys.APIKeys[0].RevokedAt == nil {
		t.Errorf("keys: %+v", keys)
	}
}
