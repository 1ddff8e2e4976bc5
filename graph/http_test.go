package graph_test

import (
	"cmap/domain"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestPagesOfPeopleNeverReachTheStore proves the read model: a page of 5
// or 100 people with their positions, the positions' holders and their
// completions' courses is answered from memory, with no store call.
func TestPagesOfPeopleNeverReachTheStore(t *testing.T) {
	t.Parallel()
	db, ds := seeded(t)
	store := newCountingStore(db)
	c, _ := serve(t, store)
	query := `query($first: Int) { people(first: $first) { totalCount edges { node {
		id name position { id title people { id } } completions { completedOn course { code title } } } } } }`

	for _, first := range []int{5, 100} {
		store.Reset()
		var got struct {
			People struct {
				TotalCount int
				Edges      []struct {
					Node struct {
						Position    *struct{ People []struct{ ID string } }
						Completions []struct{ Course *struct{ Code string } }
					}
				}
			}
		}
		c.query(query, map[string]any{"first": first}).decode(t, &got)
		calls := store.Reset()

		withPosition, completions := 0, 0
		for _, e := range got.People.Edges {
			if e.Node.Position != nil && len(e.Node.Position.People) > 0 {
				withPosition++
			}
			for _, cm := range e.Node.Completions {
				if cm.Course == nil {
					t.Fatalf("a completion lost its course")
				}
				completions++
			}
		}
		if len(got.People.Edges) != first || got.People.TotalCount != len(ds.People) || withPosition == 0 || completions == 0 {
			t.Fatalf("page of %d: %d people, total %d, %d with positions, %d completions: the test needs a richer page",
				first, len(got.People.Edges), got.People.TotalCount, withPosition, completions)
		}
		if len(calls) != 0 {
			t.Errorf("page of %d people (%d with positions, %d completions): store calls %v, want none",
				first, withPosition, completions, calls)
		}
	}
}

// TestCourseImpactPeopleWithoutTheStore: the records of every person whose
// readiness, or recommendation, a course impact changes come from the
// request's view, as does the course the impact is about: the store is not
// asked.
func TestCourseImpactPeopleWithoutTheStore(t *testing.T) {
	t.Parallel()
	db, _ := seeded(t)
	store := newCountingStore(db)
	c, _ := serve(t, store)
	type impact struct {
		CourseImpact struct {
			People, Recommendations []struct {
				PersonID string
				Person   struct{ ID, Name string }
			}
		}
	}
	// An edit that takes away every phrase the rules look for, so that
	// the course covers nothing: of the active courses, the one that
	// changes the readiness of the most people.
	const emptied = `input: { title: "Untitled", description: "", objectives: [], topics: [] }`
	course, affected := "", []string(nil)
	for _, code := range readCatalogue(t, c).active {
		var got impact
		c.query(`query($code: String!) { courseImpact(code: $code, `+emptied+`) { people { personId } } }`,
			map[string]any{"code": code}).decode(t, &got)
		if len(got.CourseImpact.People) > len(affected) {
			course, affected = code, nil
			for _, p := range got.CourseImpact.People {
				affected = append(affected, p.PersonID)
			}
		}
	}
	if len(affected) < 2 {
		t.Fatalf("no course whose emptying changes the readiness of two people or more (at most %d)", len(affected))
	}

	for _, field := range []string{"people", "recommendations(people: $people)"} {
		store.Reset()
		var got impact
		vars, params := map[string]any{"code": course}, "$code: String!"
		if field != "people" { // (the first 50: each costs two recommendations)
			vars["people"], params = affected[:min(len(affected), 50)], params+", $people: [ID!]!"
		}
		c.query(`query(`+params+`) { courseImpact(code: $code, `+emptied+`) { `+field+` { personId person { id name } } } }`, vars).decode(t, &got)
		calls := store.Reset()
		changes := got.CourseImpact.People
		if field != "people" {
			changes = got.CourseImpact.Recommendations
		}
		if len(changes) < 2 {
			t.Errorf("emptying %s changes the %s of %d people, want 2 or more", course, field, len(changes))
		}
		for _, p := range changes {
			if p.Person.ID != p.PersonID || p.Person.Name == "" {
				t.Errorf("%s change of %s came with the record %+v", field, p.PersonID, p.Person)
			}
		}
		if len(calls) != 0 {
			t.Errorf("emptying %s (%d %s changes): store calls %v, want none", course, len(changes), field, calls)
		}
	}
}

// failingStore fails one write with an error full of internals, and
// panics in the read an update starts with. (Queries never reach the
// store: they are answered from the read model.)
type failingStore struct{ domain.Store }

func (failingStore) CreateCourse(context.Context, *domain.Course) error {
	return errors.New("dial tcp 10.20.30.40:27017: password=hunter2 refused")
}

func (failingStore) Course(context.Context, string) (*domain.Course, error) {
	panic("index out of range in secret/internal/module.go")
}

func TestInternalErrorsHideDetails(t *testing.T) {
	t.Parallel()
	c, logs := serve(t, failingStore{frameworkOnly(t)})
	for _, q := range []string{
		`mutation { createCourse(input: {code: "ABC-101", title: "T", description: "D", hours: 8, deliveryMode: ONLINE, provider: "P"}) { code } }`,
		`mutation { updateCourse(code: "SCO-101", version: 1, input: {title: "T"}) { code } }`,
	} {
		r := c.query(q, nil)
		e := r.wantError(t, "INTERNAL", "")
		if e.Message != "internal error" {
			t.Errorf("%s: message %q, want \"internal error\"", q, e.Message)
		}
		if raw := fmt.Sprintf("%+v", r); contains(raw, "10.20.30.40") || contains(raw, "hunter2") || contains(raw, "secret/internal") {
			t.Errorf("%s: response leaks internals: %s", q, raw)
		}
	}
	if !contains(logs.String(), "10.20.30.40", "secret/internal/module.go") {
		t.Errorf("the causes were not logged:\n%s", logs)
	}
}

func TestGraphQLOverHTTP(t *testing.T) {
	t.Parallel()
	c, _ := serve(t, frameworkOnly(t))

	t.Run("GET query", func(t *testing.T) {
		var got struct{ ProficiencyScale struct{ Levels []string } }
		r := c.get(`{ proficiencyScale { levels } }`)
		r.decode(t, &got)
		if r.Status != http.StatusOK || r.ContentType != "application/json" || len(got.ProficiencyScale.Levels) == 0 {
			t.Errorf("GET: %d %s %+v", r.Status, r.ContentType, got)
		}
	})

	raw := func(method, path, contentType, accept, body string) *http.Response {
		req, _ := http.NewRequest(method, c.url+path, strings.NewReader(body))
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res
	}
	for _, tc := range []struct {
		name, method, path, contentType, accept, body string
		status                                        int
		header, value                                 string
	}{
		{"mutation over GET", "GET", "/graphql?query=" + `mutation%7BdeletePerson(id:"x",version:1)%7Bid%7D%7D`, "", "", "", 405, "Allow", "POST"},
		{"other method", "PUT", "/graphql", "application/json", "", `{"query":"{__typename}"}`, 405, "Allow", "GET, POST, OPTIONS"},
		{"not JSON", "POST", "/graphql", "text/plain", "", `{__typename}`, 415, "Accept-Post", "application/json, multipart/form-data"},
		{"malformed JSON", "POST", "/graphql", "application/json", "", `{"query":`, 400, "", ""},
		{"invalid query, application/json", "POST", "/graphql", "application/json", "application/json", `{"query":"{ nope }"}`, 200, "Content-Type", "application/json"},
		{"invalid query, graphql-response+json", "POST", "/graphql", "application/json", "application/graphql-response+json", `{"query":"{ nope }"}`, 400, "Content-Type", "application/graphql-response+json"},
		{"parse error", "POST", "/graphql", "application/json", "application/graphql-response+json", `{"query":"{"}`, 400, "", ""},
		{"OPTIONS", "OPTIONS", "/graphql", "", "", "", 200, "Allow", "GET, POST, OPTIONS"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := raw(tc.method, tc.path, tc.contentType, tc.accept, tc.body)
			if res.StatusCode != tc.status {
				t.Errorf("status %d, want %d", res.StatusCode, tc.status)
			}
			if tc.header != "" && res.Header.Get(tc.header) != tc.value {
				t.Errorf("%s: %q, want %q", tc.header, res.Header.Get(tc.header), tc.value)
			}
		})
	}

	t.Run("suggestions off", func(t *testing.T) {
		r := c.query(`{ competencie { code } }`, nil)
		if len(r.Errors) != 1 || r.Errors[0].Extensions.Code != "GRAPHQL_VALIDATION_FAILED" || strings.Contains(r.Errors[0].Message, "Did you mean") {
			t.Errorf("errors = %+v", r.Errors)
		}
	})

	t.Run("automatic persisted queries", func(t *testing.T) {
		query := `{ proficiencyScale { name } }`
		sum := sha256.Sum256([]byte(query))
		ext := fmt.Sprintf(`{"persistedQuery":{"version":1,"sha256Hash":%q}}`, hex.EncodeToString(sum[:]))
		send := func(body string) response {
			req, _ := http.NewRequest(http.MethodPost, c.url+"/graphql", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			return c.do(req)
		}
		if r := send(`{"extensions":` + ext + `}`); len(r.Errors) != 1 || r.Errors[0].Message != "PersistedQueryNotFound" {
			t.Fatalf("unknown hash: %+v", r.Errors)
		}
		send(fmt.Sprintf(`{"query":%q,"extensions":%s}`, query, ext)).decode(t, &struct{}{})
		var got struct{ ProficiencyScale struct{ Name string } }
		send(`{"extensions":`+ext+`}`).decode(t, &got)
		if got.ProficiencyScale.Name == "" {
			t.Errorf("persisted query answered %+v", got)
		}
	})
}
