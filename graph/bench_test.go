package graph_test

import (
	"bytes"
	"cmap/domain"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"cmap/app"
	"cmap/auth"
	"cmap/graph"
	"cmap/memstore"
	"cmap/seed"
	"cmap/workload"
	"cmap/workload/workloadtest"
)

// The response benchmarks run the three queries of `cmap bench` through
// graph.NewHandler over an App on memstore seeded with the DoD-scale
// workload (package workload, scale 1, seed 1), in this process:
//
//	go test -run '^$' -bench Response -benchmem -count 6 ./graph/
//
// Besides ns/op (wall time) they report cpu-ns/op, the CPU time of the
// whole process per response (every goroutine and the garbage collector:
// what a response costs a loaded server), and bytes/response. The matrix
// queries run twice: as a load of one generation sends them (the same
// request again and again), and each after a write (the first answer of a
// new generation; the write itself is not measured).

// dodHandler is the GraphQL endpoint over the DoD-scale workload, built
// once per test binary, with the ids of the workload's people and the
// largest competency.
type dodHandler struct {
	app        *app.App
	handler    http.Handler
	people     []string
	position   string // one of the workload's positions
	competency string // with the most sub-competencies
	level      string // the third level of the scale, as cmap bench asks
	// subs and competencySubs count the rows of the full matrix and of
	// the competency's.
	subs, competencySubs int
}

var dod = sync.OnceValues(func() (*dodHandler, error) {
	w, fw, err := workloadtest.Shipped(workload.Config{Scale: 1, Seed: 1})
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "cmap-graph-bench-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir) // the App reads the rules once, in Open
	rulesDir := filepath.Join(dir, "rules")
	if err := w.Write(filepath.Join(dir, "seeds"), rulesDir); err != nil {
		return nil, err
	}
	ctx := context.Background()
	store := memstore.New()
	ds := &seed.Dataset{Name: "workload", Framework: fw, Courses: w.Courses, Positions: w.Positions, People: w.People}
	if _, err := seed.Apply(ctx, store, ds); err != nil {
		return nil, err
	}
	a, err := app.Open(ctx, store, app.Options{RulesDir: rulesDir, PollInterval: -1, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		return nil, err
	}
	_, token, err := a.Keys().Create(domain.WithPrincipal(ctx, domain.System), "bench", []domain.Role{domain.RoleAdmin})
	if err != nil {
		return nil, err
	}
	d := &dodHandler{app: a, handler: withKey(auth.Config{Keys: a.Keys()}.Middleware(graph.NewHandler(a)), token), position: w.Positions[0].ID, level: w.Scale.Levels[min(2, len(w.Scale.Levels)-1)]}
	for _, p := range w.People {
		d.people = append(d.people, p.ID)
	}
	for _, c := range fw.Competencies {
		d.subs += len(c.SubCompetencies)
		if len(c.SubCompetencies) > d.competencySubs {
			d.competency, d.competencySubs = c.Code, len(c.SubCompetencies)
		}
	}
	return d, nil
})

// withKey returns next with every request bearing the API key token.
func withKey(next http.Handler, token string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Header.Set("Authorization", "Bearer "+token)
		next.ServeHTTP(w, r)
	})
}

// benchReadinessQuery is one person's readiness, as cmap bench asks it.
const benchReadinessQuery = `query Readiness($id: ID!) { person(id: $id) { id name readiness { ready hasPosition requirements ` +
	`gaps { subCompetency { code } required attained } attained { subCompetency { code } level } } } }`

// coveragePageQuery returns the query the coverage page sends, read from
// web/coverage/coverage.js.
func coveragePageQuery(tb testing.TB) string {
	tb.Helper()
	src, err := os.ReadFile(filepath.Join("..", "web", "coverage", "coverage.js"))
	if err != nil {
		tb.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(src), "const query = `")
	q, _, ok2 := strings.Cut(rest, "`")
	if !ok || !ok2 {
		tb.Fatal("web/coverage/coverage.js has no `const query = `...``")
	}
	return q
}

// discard is a ResponseWriter that counts and drops the body.
type discard struct {
	header http.Header
	status int
	n      int
}

func (d *discard) Header() http.Header         { return d.header }
func (d *discard) WriteHeader(status int)      { d.status = status }
func (d *discard) Write(p []byte) (int, error) { d.n += len(p); return len(p), nil }

// cpuTime returns the CPU time (user and system) this process used so far.
func cpuTime(tb testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchResponses runs body(i) as the i-th request through h and reports
// the CPU time and the bytes of a response. The first response is checked:
// status 200, no errors, and data for which check returns nil. before, when
// not nil, runs before each request, outside the measurement.
func benchResponses(b *testing.B, h http.Handler, body func(i int) []byte, check func(data json.RawMessage) error, before func()) {
	b.Helper()
	serve := func(i int, w http.ResponseWriter) {
		r := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body(i)))
		r.Header.Set("Content-Type", "application/json")
		h.ServeHTTP(w, r)
	}
	first := httptest.NewRecorder()
	serve(0, first)
	var res struct {
		Data   json.RawMessage
		Errors []json.RawMessage
	}
	if err := json.Unmarshal(first.Body.Bytes(), &res); err != nil || first.Code != http.StatusOK || len(res.Errors) > 0 {
		b.Fatalf("HTTP %d, %v: %.500s", first.Code, err, first.Body.Bytes())
	}
	if err := check(res.Data); err != nil {
		b.Fatalf("%v: %.500s", err, first.Body.Bytes())
	}
	b.ReportAllocs()
	w := &discard{header: http.Header{}}
	i := 0
	var cpu time.Duration
	for b.Loop() {
		i++
		w.n = 0
		clear(w.header)
		if before != nil {
			b.StopTimer()
			before()
			b.StartTimer()
		}
		start := cpuTime(b)
		serve(i, w)
		cpu += cpuTime(b) - start
	}
	b.ReportMetric(float64(cpu)/float64(b.N), "cpu-ns/op")
	b.ReportMetric(float64(w.n), "bytes/response")
}

// write makes a new generation: it renames the position, which changes
// no fact.
func (d *dodHandler) write(b *testing.B) func() {
	n := 0
	return func() {
		n++
		p, err := d.app.View().Position(d.position)
		if err == nil {
			_, err = d.app.UpdatePosition(context.Background(), d.position, p.Version, func(p *domain.Position) { p.Title = fmt.Sprintf("Renamed %d", n) })
		}
		if err != nil {
			b.Fatal(err)
		}
	}
}

// graphqlRequest returns a GraphQL request body.
func graphqlRequest(b *testing.B, query string, vars map[string]any) []byte {
	data, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		b.Fatal(err)
	}
	return data
}

// rowsOf returns a check that the answer's matrix has n rows and a cell.
func rowsOf(n int) func(data json.RawMessage) error {
	return func(data json.RawMessage) error {
		var d struct {
			CoverageMatrix struct {
				Rows []struct{ Cells []json.RawMessage }
			}
		}
		if err := json.Unmarshal(data, &d); err != nil {
			return err
		}
		cells := 0
		for _, r := range d.CoverageMatrix.Rows {
			cells += len(r.Cells)
		}
		if len(d.CoverageMatrix.Rows) != n || cells == 0 {
			return fmt.Errorf("%d rows and %d cells, want %d rows and some cells", len(d.CoverageMatrix.Rows), cells, n)
		}
		return nil
	}
}

// BenchmarkResponse measures the three queries of `cmap bench` at DoD
// scale: one person's readiness (a different person each time), the
// coverage page's full matrix and the page's matrix of one competency at
// one level, the matrices also each after a write.
func BenchmarkResponse(b *testing.B) {
	d, err := dod()
	if err != nil {
		b.Fatal(err)
	}
	page := coveragePageQuery(b)
	b.Run("readiness", func(b *testing.B) {
		// Every person, in a scattered order: as in cmap bench, the
		// same request rarely comes again (no cost or answer kept
		// helps).
		bodies := make([][]byte, len(d.people))
		for i := range bodies {
			bodies[i] = graphqlRequest(b, benchReadinessQuery, map[string]any{"id": d.people[(i*7919)%len(d.people)]})
		}
		benchResponses(b, d.handler, func(i int) []byte { return bodies[i%len(bodies)] }, func(data json.RawMessage) error {
			var r struct {
				Person *struct{ Readiness *struct{ Requirements *int } }
			}
			if err := json.Unmarshal(data, &r); err != nil {
				return err
			}
			if r.Person == nil || r.Person.Readiness == nil || r.Person.Readiness.Requirements == nil {
				return fmt.Errorf("no person { readiness { requirements } }")
			}
			return nil
		}, nil)
	})
	full := graphqlRequest(b, page, map[string]any{"filter": map[string]any{"status": "ACTIVE"}})
	one := graphqlRequest(b, page, map[string]any{"filter": map[string]any{"status": "ACTIVE", "competencies": []string{d.competency}, "minLevel": d.level}})
	for _, bc := range []struct {
		name  string
		body  []byte
		rows  int
		write bool
	}{
		{"matrix", full, d.subs, false},
		{"matrix-after-write", full, d.subs, true},
		{"competency", one, d.competencySubs, false},
		{"competency-after-write", one, d.competencySubs, true},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var before func()
			if bc.write {
				before = d.write(b)
			}
			benchResponses(b, d.handler, func(int) []byte { return bc.body }, rowsOf(bc.rows), before)
		})
	}
}
