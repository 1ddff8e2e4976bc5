package graph_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"cmap/app"
	"cmap/graph"
)

// newHandler returns the GraphQL endpoint over the sample seeds, as cmap
// serve mounts it, for tests and benchmarks that call it directly.
func newHandler(b testing.TB) http.Handler {
	b.Helper()
	store, _ := seeded(b)
	a, err := app.Open(context.Background(), store, app.Options{RulesDir: "../rules", PollInterval: -1, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { a.Close() })
	return as(tester, graph.NewHandler(a))
}

// post serves one POST of body (of announced length, or chunked for -1)
// and returns the status.
func post(h http.Handler, body []byte, length int64) int {
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.ContentLength = length
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code
}

// BenchmarkRefusal measures the server's time to refuse each hostile shape
// of the issue (the goal: under 50 ms each):
//
//	go test -run '^$' -bench Refusal -benchmem ./graph/
func BenchmarkRefusal(b *testing.B) {
	h := newHandler(b)
	cases := []struct {
		name   string
		body   []byte
		length int64
		status int
		code   string
	}{
		{name: "body of 10 MB", length: 10 << 20, status: 413, code: "PAYLOAD_TOO_LARGE"},
		{name: "body of 10 MB chunked", length: -1, status: 413, code: "PAYLOAD_TOO_LARGE"},
	}
	cases[0].body = append([]byte(`{"query":"{ __typename }","pad":"`), bytes.Repeat([]byte("x"), 10<<20)...)
	cases[1].body = cases[0].body
	for _, hq := range hostile {
		body := queryBody(hq.query)
		cases = append(cases, struct {
			name   string
			body   []byte
			length int64
			status int
			code   string
		}{hq.name, body, int64(len(body)), 200, hq.code})
	}
	for _, tc := range cases {
		b.Run(strings.ReplaceAll(tc.name, " ", "_"), func(b *testing.B) {
			// Once, to check it is the refusal being measured.
			req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(tc.body))
			req.Header.Set("Content-Type", "application/json")
			req.ContentLength = tc.length
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tc.status || !strings.Contains(rec.Body.String(), tc.code) {
				b.Fatalf("HTTP %d %.200s, want %d and %s", rec.Code, rec.Body, tc.status, tc.code)
			}
			b.ReportAllocs()
			for b.Loop() {
				post(h, tc.body, tc.length)
			}
		})
	}
}

// BenchmarkQueryBesideAHostileClient measures an ordinary query alone and
// while a client sends the hostile shapes one after another without pause
// (each as soon as the previous one is refused): a refusal takes
// milliseconds at most, so the hostile client holds one core and the
// ordinary query runs on the other (this machine has two):
//
//	go test -run '^$' -bench BesideAHostile -count 6 ./graph/
func BenchmarkQueryBesideAHostileClient(b *testing.B) {
	h := newHandler(b)
	ordinary := queryBody(`{ course(code: "SCO-201") { code title coverage { subCompetency { code } level } } }`)
	run := func(b *testing.B) {
		for b.Loop() {
			if post(h, ordinary, int64(len(ordinary))) != 200 {
				b.Fatal("the ordinary query failed")
			}
		}
	}
	b.Run("alone", run)
	b.Run("beside_a_hostile_client", func(b *testing.B) {
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		wg.Go(func() {
			for i := 0; ctx.Err() == nil; i++ {
				body := queryBody(hostile[i%len(hostile)].query)
				post(h, body, int64(len(body)))
			}
		})
		run(b)
		cancel()
		wg.Wait()
	})
}
