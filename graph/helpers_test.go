package graph_test

import (
	"bytes"
	"cmap/domain"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"cmap/app"
	"cmap/app/apptest"
	"cmap/graph"
	"cmap/memstore"
	"cmap/mongodb/mongotest"
	"cmap/seed"
)

func TestMain(m *testing.M) { mongotest.Main(m) }

// gqlError is one entry of a response's errors.
type gqlError struct {
	Message    string `json:"message"`
	Path       []any  `json:"path"`
	Extensions struct {
		Code  string `json:"code"`
		Field string `json:"field"`
	} `json:"extensions"`
}

// response is a GraphQL response with its HTTP status and content type.
type response struct {
	Status      int
	ContentType string
	Data        json.RawMessage `json:"data"`
	Errors      []gqlError      `json:"errors"`
}

// decode unmarshals the response's data into v, failing t on errors.
func (r response) decode(t *testing.T, v any) {
	t.Helper()
	if len(r.Errors) > 0 {
		t.Fatalf("unexpected errors: %+v", r.Errors)
	}
	if err := json.Unmarshal(r.Data, v); err != nil {
		t.Fatalf("decoding %s: %v", r.Data, err)
	}
}

// wantError fails t unless the response has exactly one error, with code
// and (when not empty) field, and returns it.
func (r response) wantError(t *testing.T, code, field string) gqlError {
	t.Helper()
	if len(r.Errors) != 1 {
		t.Fatalf("want one %s error, got %+v (data %s)", code, r.Errors, r.Data)
	}
	e := r.Errors[0]
	if e.Extensions.Code != code || e.Extensions.Field != field {
		t.Fatalf("error = %+v, want code %s field %q", e, code, field)
	}
	return e
}

// client posts GraphQL requests to a test server.
type client struct {
	t   *testing.T
	url string
}

func (c client) do(req *http.Request) response {
	c.t.Helper()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	r := response{Status: res.StatusCode, ContentType: res.Header.Get("Content-Type")}
	if err := json.Unmarshal(body, &r); err != nil {
		c.t.Fatalf("HTTP %d, body is not JSON: %s", res.StatusCode, body)
	}
	return r
}

// query POSTs a query with variables (nil for none).
func (c client) query(q string, vars map[string]any) response {
	c.t.Helper()
	body, err := json.Marshal(map[string]any{"query": q, "variables": vars})
	if err != nil {
		c.t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, c.url+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	return c.do(req)
}

// get sends a query with GET.
func (c client) get(q string) response {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.url+"/graphql?query="+url.QueryEscape(q), nil)
	return c.do(req)
}

// serve starts an HTTP server with the GraphQL endpoint
// over an App on store with the shipped rules, as cmap serve mounts them.
func serve(t *testing.T, store domain.Store) (client, *apptest.LogBuffer) {
	t.Helper()
	c, logs, _ := serveWith(t, store, app.Options{})
	return c, logs
}

// tester is the principal of the tests' requests: it holds every role
// (the tests of roles, in auth_test.go, choose their own).
var tester = &domain.Principal{ID: "key:tester", Name: "tester", Roles: []domain.Role{domain.RoleAdmin}}

// as returns next with every request made by principal p.
func as(p *domain.Principal, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(domain.WithPrincipal(r.Context(), p)))
	})
}

// serveWith is serve with App options: the shipped rules unless opts
// names others, and no polling unless opts asks for it. Requests are made
// by tester.
func serveWith(t *testing.T, store domain.Store, opts app.Options) (client, *apptest.LogBuffer, *app.App) {
	t.Helper()
	logs := &apptest.LogBuffer{}
	opts.Logger = slog.New(slog.NewTextHandler(logs, nil))
	if opts.RulesDir == "" {
		opts.RulesDir = "../rules"
	}
	if opts.PollInterval == 0 {
		opts.PollInterval = -1
	}
	a, err := app.Open(context.Background(), store, opts)
	if err != nil {
		t.Fatalf("app.Open: %v", err)
	}
	t.Cleanup(func() { a.Close() })
	mux := http.NewServeMux()
	mux.Handle("/graphql", as(tester, graph.NewHandler(a)))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return client{t: t, url: srv.URL}, logs, a
}

// sampleSeeds returns the sample seeds.
func sampleSeeds(t testing.TB) *seed.Dataset {
	t.Helper()
	ds, err := seed.Load("../seeds")
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

// seeded returns a fresh in-memory store holding the sample seeds, and the
// seeds.
func seeded(t testing.TB) (domain.Store, *seed.Dataset) {
	t.Helper()
	return seedInto(t, memstore.New())
}

// seededDatabase is seeded on a fresh database of the embedded FerretDB,
// for the tests whose point is the real store.
func seededDatabase(t *testing.T) (domain.Store, *seed.Dataset) {
	t.Helper()
	return seedInto(t, mongotest.Open(t))
}

// seedInto stores the sample seeds in the empty store s.
func seedInto(t testing.TB, s domain.Store) (domain.Store, *seed.Dataset) {
	t.Helper()
	ds := sampleSeeds(t)
	if _, err := seed.Apply(context.Background(), s, ds); err != nil {
		t.Fatal(err)
	}
	return s, ds
}

// frameworkOnly returns a fresh in-memory store holding the sample
// competency framework and no records.
func frameworkOnly(t *testing.T) domain.Store {
	t.Helper()
	s := memstore.New()
	if err := s.PutFramework(context.Background(), sampleSeeds(t).Framework); err != nil {
		t.Fatal(err)
	}
	return s
}

// newCountingStore returns s counting the reads of records and of the
// framework that reach it (the background facts keeper's calls are not
// counted).
func newCountingStore(s domain.Store) *apptest.CountingStore {
	return apptest.NewCountingStore(s, "Framework",
		"Course", "CoursesByCode", "ListCourses", "CountCourses",
		"Position", "PositionsByID", "ListPositions", "CountPositions",
		"Person", "PeopleByID", "ListPeople", "CountPeople")
}

// contains reports whether s contains every one of subs.
func contains(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}
