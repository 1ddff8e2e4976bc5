package main

import (
	"cmap/domain"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
)

// portalRequest is one thing a portal asks of cmap: a GraphQL operation
// (query) or a GET of a path, and what proves it was answered (a string in
// the answer).
type portalRequest struct {
	name  string
	query string // a GraphQL operation; empty for a GET of path
	path  string
	shows string
}

// send makes r with the API key key ("" for none) and reports whether it
// was answered and, when it was not, the refusal (extensions.code, or the
// HTTP status).
func (r portalRequest) send(t *testing.T, base, key string) (answered bool, refusal string) {
	t.Helper()
	if r.query == "" {
		req, _ := http.NewRequest(http.MethodGet, base+r.path, nil)
		if key != "" {
			req.Header.Set("Authorization", "Bearer "+key)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		raw, _ := io.ReadAll(res.Body)
		if res.StatusCode != http.StatusOK {
			return false, fmt.Sprint(res.StatusCode)
		}
		return strings.Contains(string(raw), r.shows), ""
	}
	body, _ := json.Marshal(map[string]string{"query": r.query})
	raw := postBody(t, base, key, "application/json", body)
	var answer struct {
		Data   json.RawMessage
		Errors []struct{ Extensions struct{ Code string } }
	}
	if err := json.Unmarshal(raw, &answer); err != nil {
		t.Fatalf("%s: %v: %s", r.name, err, raw)
	}
	if len(answer.Errors) > 0 {
		return false, answer.Errors[0].Extensions.Code
	}
	return strings.Contains(string(answer.Data), r.shows), ""
}

// TestPortalGetsWhatItsRoleAllows acts as the portals and scripts the
// issue names would, against a server that lets no one in anonymously:
// with no key, a viewer's key, a personnel key and an editor's key, each
// request is answered exactly when the key's role allows it, and refused
// otherwise (UNAUTHENTICATED or 401 without a key, FORBIDDEN or 403 with
// one). The pages themselves are static and served to all; their data
// comes through the API.
func TestPortalGetsWhatItsRoleAllows(t *testing.T) {
	s := start(t, serveConfig{Addr: "127.0.0.1:0", DataDir: t.TempDir(), RulesDir: "rules", SeedsDir: "seeds", Anonymous: "none"})
	defer stop(t, s)
	ctx := t.Context()
	keys := map[string]string{"none": ""}
	for _, who := range []domain.Role{domain.RoleViewer, domain.RolePersonnel, domain.RoleEditor} {
		_, token, err := s.app.Keys().Create(ctx, "portal as "+string(who), []domain.Role{who})
		if err != nil {
			t.Fatal(err)
		}
		keys[string(who)] = token
	}
	view := s.app.View()
	people, err := view.People(domain.PersonFilter{}, domain.Page{First: 1})
	if err != nil || len(people.Items) == 0 {
		t.Fatalf("no seeded person: %v", err)
	}
	person := people.Items[0]
	courses, err := view.Courses(domain.CourseFilter{}, domain.Page{First: 1})
	if err != nil {
		t.Fatal(err)
	}
	course := courses.Items[0]

	requests := []struct {
		portalRequest
		allowed []string // who it is answered for
	}{
		{portalRequest{"the competency model", `{ competencies { code } }`, "", `"1.0"`}, []string{"viewer", "personnel", "editor"}},
		{portalRequest{"the catalogue", `{ courses(first: 5) { totalCount edges { node { code } } } }`, "", course.Code}, []string{"viewer", "personnel", "editor"}},
		{portalRequest{"coverage", `{ coverageMatrix { rows { gap } } }`, "", `"gap"`}, []string{"viewer", "personnel", "editor"}},
		{portalRequest{"gaps and demand", `{ gaps { level } demand { highest } }`, "", `"level"`}, []string{"viewer", "personnel", "editor"}},
		{portalRequest{"people", `{ people(first: 3) { totalCount edges { node { name completions { courseCode } } } } }`, "", person.Name}, []string{"personnel"}},
		{portalRequest{"a person's readiness", fmt.Sprintf(`{ person(id: %q) { readiness { ready gaps { required } } } }`, person.ID), "", `"ready"`}, []string{"personnel"}},
		{portalRequest{"recommendations", fmt.Sprintf(`{ person(id: %q) { recommendations { totalHours } } }`, person.ID), "", `"totalHours"`}, []string{"personnel"}},
		{portalRequest{"the holders of positions", `{ positions(first: 3) { edges { node { people { name } } } } }`, "", `"people"`}, []string{"personnel"}},
		{portalRequest{"a person's history", fmt.Sprintf(`{ person(id: %q) { history { edges { cursor } } } }`, person.ID), "", `"edges"`}, []string{"personnel"}},
		{portalRequest{"a course's history", fmt.Sprintf(`{ course(code: %q) { history { edges { cursor } } } }`, course.Code), "", `"edges"`}, []string{"viewer", "personnel", "editor"}},
		{portalRequest{"edit a course", fmt.Sprintf(`mutation { updateCourse(code: %q, version: %d, input: {hours: 1}) { code } }`, course.Code, course.Version), "", course.Code}, []string{"editor"}},
		{portalRequest{"record a completion", fmt.Sprintf(`mutation { recordCompletion(personId: %q, courseCode: %q, completedOn: "2024-01-02") { id } }`, person.ID, course.Code), "", person.ID}, nil},
		{portalRequest{"create a position", `mutation { createPosition(input: {id: "POS-PORTAL", title: "Analyst", organization: "DSCA", grade: "GS-12", category: "HQ"}) { id } }`, "", "POS-PORTAL"}, []string{"editor"}},
		{portalRequest{"the audit log", `{ auditLog { edges { cursor } } }`, "", `"edges"`}, nil},
		{portalRequest{"API keys", `{ apiKeys { id } }`, "", `"id"`}, nil},
		{portalRequest{"reload the rules", `mutation { reloadRules { revision } }`, "", `"revision"`}, nil},
		{portalRequest{"the coverage export", "", "/export/coverage.csv", "subCompetency"}, []string{"viewer", "personnel", "editor"}},
		{portalRequest{"the gaps export", "", "/export/gaps.json", "level"}, []string{"viewer", "personnel", "editor"}},
		{portalRequest{"the readiness export", "", "/export/readiness.csv", person.ID}, []string{"personnel"}},
		{portalRequest{"the demand export", "", "/export/demand.csv", "blocking"}, []string{"viewer", "personnel", "editor"}},
		{portalRequest{"the courses export", "", "/export/courses.json", course.Code}, []string{"viewer", "personnel", "editor"}},
		{portalRequest{"the people export", "", "/export/people.csv", person.ID}, []string{"personnel"}},
		{portalRequest{"the catalogue export", "", "/export/catalogue.json", person.ID}, []string{"personnel"}},
		{portalRequest{"the coverage map page", "", "/coverage", "coverage map"}, []string{"none", "viewer", "personnel", "editor"}},
		{portalRequest{"the explorer page", "", "/", "explorer"}, []string{"none", "viewer", "personnel", "editor"}},
	}
	for _, r := range requests {
		for _, who := range []string{"none", "viewer", "personnel", "editor"} {
			answered, refusal := r.send(t, s.URL(), keys[who])
			allowed := strings.Contains(strings.Join(r.allowed, " "), who)
			switch {
			case allowed && !answered:
				t.Errorf("%s as %s: refused (%s), want it answered", r.name, who, refusal)
			case !allowed && answered:
				t.Errorf("%s as %s: answered, want it refused", r.name, who)
			case !allowed && who == "none" && refusal != "UNAUTHENTICATED" && refusal != "401":
				t.Errorf("%s without a key: refused with %s, want UNAUTHENTICATED or 401", r.name, refusal)
			case !allowed && who != "none" && refusal != "FORBIDDEN" && refusal != "403":
				t.Errorf("%s as %s: refused with %s, want FORBIDDEN or 403 (the key is good, its role is not)", r.name, who, refusal)
			}
		}
	}
}

// TestAnonymousDefaultsToViewerOnLoopbackOnly: without --anonymous,
// requests without credentials read as viewers only when the server
// listens on a loopback address.
func TestAnonymousDefaultsToViewerOnLoopbackOnly(t *testing.T) {
	for _, tc := range []struct {
		setting string
		ip      string
		want    bool
	}{
		{"", "127.0.0.1", true},
		{"", "::1", true},
		{"", "0.0.0.0", false},
		{"", "::", false},
		{"", "10.1.2.3", false},
		{"viewer", "10.1.2.3", true},
		{"none", "127.0.0.1", false},
	} {
		addr := &net.TCPAddr{IP: net.ParseIP(tc.ip), Port: 8080}
		if got := anonymousAllowed(tc.setting, addr); got != tc.want {
			t.Errorf("--anonymous %q on %s: anonymous viewers %v, want %v", tc.setting, addr, got, tc.want)
		}
	}
}
