package graph_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"cmap/app"
	"cmap/graph"
)

// requests records what a graph.RequestObserver is told, as
// "operation code" counts.
type requests struct {
	mu     sync.Mutex
	counts map[string]int
}

func (r *requests) ObserveRequest(operation, code string, d time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if d <= 0 {
		code += " (no duration)"
	}
	r.counts[operation+" "+code]++
}

// take returns the counts since the last take.
func (r *requests) take() map[string]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	counts := r.counts
	r.counts = map[string]int{}
	return counts
}

// observed returns the GraphQL endpoint over the sample seeds, observed.
func observed(t *testing.T) (http.Handler, *requests) {
	t.Helper()
	store, _ := seeded(t)
	a, err := app.Open(context.Background(), store, app.Options{
		RulesDir: "../rules", PollInterval: -1, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	r := &requests{counts: map[string]int{}}
	return as(tester, graph.NewHandler(a, graph.WithObserver(r))), r
}

// serveOnce serves one request with h and returns the HTTP status.
func serveOnce(h http.Handler, method, contentType, target, body string) int {
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code
}

// Every request is observed once, under the name of its operation and the
// code of its outcome, whether GraphQL ran it, refused it, or the server
// turned it away before.
func TestObserverHearsEveryRequestWithItsOperationAndOutcome(t *testing.T) {
	t.Parallel()
	h, obs := observed(t)
	post := func(body string) { serveOnce(h, http.MethodPost, "application/json", "/graphql", body) }
	get := func(query string) { serveOnce(h, http.MethodGet, "", "/graphql?query="+url.QueryEscape(query), "") }

	tests := []struct {
		what string
		do   func()
		want string
	}{
		{"a named query", func() { post(`{"query": "query Dashboard { ruleSet { revision } }"}`) }, "Dashboard ok"},
		{"an unnamed query", func() { get(`{ ruleSet { revision } }`) }, "anonymous ok"},
		{"the operation chosen by operationName", func() {
			post(`{"query": "query A { ruleSet { revision } } query B { framework { name } }", "operationName": "B"}`)
		}, "B ok"},
		{"a query that does not parse", func() { post(`{"query": "{ ruleSet {"}`) }, "anonymous GRAPHQL_PARSE_FAILED"},
		{"an invalid query under a name never valid", func() {
			post(`{"query": "query Made { nope }", "operationName": "Made"}`)
		}, "other GRAPHQL_VALIDATION_FAILED"},
		{"an invalid query under a name once valid", func() {
			post(`{"query": "query Dashboard { nope }", "operationName": "Dashboard"}`)
		}, "Dashboard GRAPHQL_VALIDATION_FAILED"},
		{"an invalid query named inside the document only", func() { post(`{"query": "query Dashboard { nope }"}`) }, "anonymous GRAPHQL_VALIDATION_FAILED"},
		{"bad input", func() {
			post(`{"query": "query Preview { previewPosition(input: {id: \"-\", title: \"T\", organization: \"O\", grade: \"GS-13\", category: \"SCO\"}) { stored } }"}`)
		}, "Preview BAD_USER_INPUT"},
		{"a record that does not exist", func() {
			post(`{"query": "mutation Gone { deleteCourse(code: \"NOPE-999\", version: 1) { code } }"}`)
		}, "Gone NOT_FOUND"},
		{"a mutation over GET", func() { get(`mutation Reload { reloadRules { revision } }`) }, "Reload METHOD_NOT_ALLOWED"},
		{"a body that is not a GraphQL request", func() { post(`[1]`) }, "anonymous BAD_REQUEST"},
		{"a body over the limit", func() {
			post(`{"query": "` + strings.Repeat(" ", graph.MaxRequestBytes) + `{ ruleSet { revision } }"}`)
		}, "anonymous PAYLOAD_TOO_LARGE"},
		{"a method GraphQL is not served over", func() { serveOnce(h, http.MethodPut, "", "/graphql", "") }, "anonymous METHOD_NOT_ALLOWED"},
		{"a body that is not JSON", func() { serveOnce(h, http.MethodPost, "text/plain", "/graphql", "{ ruleSet { revision } }") }, "anonymous UNSUPPORTED_MEDIA_TYPE"},
	}
	for _, tt := range tests {
		tt.do()
		if got, want := obs.take(), map[string]int{tt.want: 1}; !maps.Equal(got, want) {
			t.Errorf("%s: observed %v, want %v", tt.what, got, want)
		}
	}
}

// A request whose deadline passes is observed as TIMEOUT, and one whose
// client went away as CANCELLED.
func TestObserverHearsOfRequestsThatStopped(t *testing.T) {
	t.Parallel()
	h, obs := observed(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req := httptest.NewRequestWithContext(ctx, http.MethodPost, "/graphql", strings.NewReader(`{"query": "query Gone { ruleSet { revision } }"}`))
	req.Header.Set("Content-Type", "application/json")
	h.ServeHTTP(httptest.NewRecorder(), req)
	if got, want := obs.take(), map[string]int{"Gone CANCELLED": 1}; !maps.Equal(got, want) {
		t.Errorf("a request whose client went away: observed %v, want %v", got, want)
	}

	ctx, cancel = context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	req = httptest.NewRequestWithContext(ctx, http.MethodPost, "/graphql", strings.NewReader(`{"query": "query Late { ruleSet { revision } }"}`))
	req.Header.Set("Content-Type", "application/json")
	h.ServeHTTP(httptest.NewRecorder(), req)
	if got, want := obs.take(), map[string]int{"Late TIMEOUT": 1}; !maps.Equal(got, want) {
		t.Errorf("a request past its deadline: observed %v, want %v", got, want)
	}
}

// Names are told as they are up to graph.MaxOperationNames distinct ones;
// later names are "other", so a client cannot grow the set without bound.
func TestObserverCapsTheOperationNames(t *testing.T) {
	t.Parallel()
	h, obs := observed(t)
	query := func(name string) {
		body := fmt.Sprintf(`{"query": "query %s { ruleSet { revision } }"}`, name)
		serveOnce(h, http.MethodPost, "application/json", "/graphql", body)
	}
	want := map[string]int{}
	for i := range graph.MaxOperationNames {
		query(fmt.Sprintf("Q%d", i))
		want[fmt.Sprintf("Q%d ok", i)] = 1
	}
	query("OneTooMany")
	query("Q0")
	want["other ok"], want["Q0 ok"] = 1, 2
	if got := obs.take(); !maps.Equal(got, want) {
		t.Errorf("observed %d labels, want %d: got %v", len(got), len(want), got)
	}
}
