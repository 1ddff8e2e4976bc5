package metrics_test

import (
	"cmap/domain"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"

	"cmap/app"
	"cmap/graph"
	"cmap/memstore"
	"cmap/metrics"
	"cmap/seed"
)

// Metrics is what the App and the GraphQL endpoint observe through.
var (
	_ app.Observer          = (*metrics.Metrics)(nil)
	_ graph.RequestObserver = (*metrics.Metrics)(nil)
)

// stack is a server as cmap serve wires it, on the sample seeds in memory:
// the App on the observed store, the observed GraphQL endpoint, and
// /metrics.
type stack struct {
	t   *testing.T
	app *app.App
	url string
}

func newStack(t *testing.T) stack {
	t.Helper()
	ds, err := seed.Load("../seeds")
	if err != nil {
		t.Fatal(err)
	}
	store := memstore.New()
	if _, err := seed.Apply(context.Background(), store, ds); err != nil {
		t.Fatal(err)
	}
	m := metrics.New()
	a, err := app.Open(context.Background(), m.Store(store), app.Options{
		RulesDir: "../rules", PollInterval: -1, Observer: m, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	mux := http.NewServeMux()
	admin := &domain.Principal{ID: "key:metrics", Name: "metrics test", Roles: []domain.Role{domain.RoleAdmin}}
	endpoint := graph.NewHandler(a, graph.WithObserver(m))
	mux.Handle("/graphql", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		endpoint.ServeHTTP(w, r.WithContext(domain.WithPrincipal(r.Context(), admin)))
	}))
	mux.Handle("GET /metrics", m.Handler())
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return stack{t: t, app: a, url: srv.URL}
}

// post sends a GraphQL request body.
func (s stack) post(body string) {
	s.t.Helper()
	res, err := http.Post(s.url+"/graphql", "application/json", strings.NewReader(body))
	if err != nil {
		s.t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
}

// scrape reads /metrics as Prometheus does.
func (s stack) scrape() scraped {
	s.t.Helper()
	res, err := http.Get(s.url + "/metrics")
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		s.t.Fatalf("/metrics: HTTP %d", res.StatusCode)
	}
	var p expfmt.TextParser
	families, err := p.TextToMetricFamilies(res.Body)
	if err != nil {
		s.t.Fatalf("/metrics is not in the text format: %v", err)
	}
	return scraped{t: s.t, families: families}
}

// scraped is one scrape of /metrics.
type scraped struct {
	t        *testing.T
	families map[string]*dto.MetricFamily
}

// value returns the value of the series name{labels} (a counter's value,
// a histogram's count), 0 when it is absent.
func (s scraped) value(name string, labels ...string) float64 {
	f, ok := s.families[name]
	if !ok {
		return 0
	}
	for _, m := range f.Metric {
		if hasLabels(m, labels) {
			switch {
			case m.Counter != nil:
				return m.Counter.GetValue()
			case m.Histogram != nil:
				return float64(m.Histogram.GetSampleCount())
			case m.Gauge != nil:
				return m.Gauge.GetValue()
			}
		}
	}
	return 0
}

// hasLabels reports whether m has the label pairs (name, value, ...).
func hasLabels(m *dto.Metric, pairs []string) bool {
	for i := 0; i+1 < len(pairs); i += 2 {
		found := false
		for _, l := range m.Label {
			found = found || (l.GetName() == pairs[i] && l.GetValue() == pairs[i+1])
		}
		if !found {
			return false
		}
	}
	return true
}

// The series move as requests, reloads and database calls happen, each by
// exactly what happened.
func TestScrapeShowsWhatHappened(t *testing.T) {
	s := newStack(t)
	before := s.scrape()
	for _, family := range []string{"go_goroutines", "go_memstats_heap_alloc_bytes", "process_resident_memory_bytes"} {
		if _, ok := before.families[family]; !ok {
			t.Errorf("no %s: the runtime and process collectors are missing", family)
		}
	}
	if got := before.value("cmap_readmodel_rebuild_duration_seconds", "cause", "open"); got != 1 {
		t.Errorf("%v rebuilds on open, want 1", got)
	}
	if before.value("cmap_store_call_duration_seconds", "method", "CourseFacts") != 1 {
		t.Errorf("the facts read on open were not timed")
	}

	s.post(`{"query": "query Dashboard { ruleSet { revision } }"}`)
	s.post(`{"query": "query Dashboard { ruleSet { revision } }"}`)
	s.post(`{"query": "{ course(code: \"SCO-201\") { title } }"}`)
	s.post(`{"query": "query Dashboard { nope }", "operationName": "Dashboard"}`)
	s.post(`{"query": "mutation Create { createCourse(input: {code: \"x!\", title: \"T\", hours: 1, deliveryMode: ONLINE}) { code } }"}`)
	s.post(`{"query": "mutation Create { createCourse(input: {code: \"TST-101\", title: \"T\", hours: 1, deliveryMode: ONLINE}) { code } }"}`)
	s.post(`{"query": "mutation Create { createCourse(input: {code: \"SCO-201\", title: \"T\", hours: 1, deliveryMode: ONLINE}) { code } }"}`)
	s.post(`{"query": "mutation Reload { reloadRules { revision } }"}`)
	if _, err := s.app.ReloadRules(context.Background()); err != nil {
		t.Fatal(err)
	}

	after := s.scrape()
	for _, c := range []struct {
		name   string
		labels []string
		want   float64
	}{
		{"cmap_graphql_requests_total", []string{"operation", "Dashboard", "code", "ok"}, 2},
		{"cmap_graphql_requests_total", []string{"operation", "anonymous", "code", "ok"}, 1},
		{"cmap_graphql_requests_total", []string{"operation", "Dashboard", "code", "GRAPHQL_VALIDATION_FAILED"}, 1},
		{"cmap_graphql_requests_total", []string{"operation", "Create", "code", "BAD_USER_INPUT"}, 1},
		{"cmap_graphql_requests_total", []string{"operation", "Create", "code", "ok"}, 1},
		{"cmap_graphql_requests_total", []string{"operation", "Reload", "code", "ok"}, 1},
		{"cmap_graphql_request_duration_seconds", []string{"operation", "Dashboard"}, 3},
		{"cmap_graphql_request_duration_seconds", []string{"operation", "Create"}, 3},
		{"cmap_rules_reloads_total", []string{"outcome", "unchanged"}, 2},
		{"cmap_rules_reload_duration_seconds", []string{"outcome", "unchanged"}, 2},
		// Reads are answered from memory: only the write reached the store.
		{"cmap_store_call_duration_seconds", []string{"method", "CreateCourse"}, 2},
		{"cmap_store_call_duration_seconds", []string{"method", "Course"}, 0},
		{"cmap_store_call_errors_total", []string{"method", "CreateCourse", "code", "conflict"}, 1},
		{"cmap_graphql_requests_total", []string{"operation", "Create", "code", "CONFLICT"}, 1},
	} {
		if got := after.value(c.name, c.labels...) - before.value(c.name, c.labels...); got != c.want {
			t.Errorf("%s%v moved by %v, want %v", c.name, c.labels, got, c.want)
		}
	}
}
