package graph_test

import (
	"cmap/domain"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"cmap/app"
	"cmap/app/apptest"
	"cmap/graph"
)

// The App is what the endpoint serves in cmap.
var _ graph.Service = (*app.App)(nil)

// unreachableIdempotency is a Service whose idempotency records cannot be
// reached: Idempotent fails with an error full of internals before the
// mutation runs; everything else is the App's.
type unreachableIdempotency struct{ graph.Service }

func (unreachableIdempotency) Idempotent(context.Context, string, string, app.IdempotentRun) ([]byte, bool, error) {
	return nil, false, errors.New("dial tcp 10.20.30.40:27017: idempotency records unreachable")
}

func TestIdempotencyFailureBeforeTheMutationIsInternal(t *testing.T) {
	t.Parallel()
	logs := &apptest.LogBuffer{}
	a, err := app.Open(context.Background(), frameworkOnly(t), app.Options{RulesDir: "../rules", PollInterval: -1, Logger: slog.New(slog.NewTextHandler(logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	mux := http.NewServeMux()
	mux.Handle("/graphql", as(tester, graph.NewHandler(unreachableIdempotency{a})))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	r := postKeyed(t, srv.URL, key1, "", createCourse, map[string]any{"code": "SCO-101"})
	if r.status != http.StatusInternalServerError || r.errorCode(t) != "INTERNAL" {
		t.Errorf("HTTP %d %s, want 500 INTERNAL", r.status, r.body)
	}
	if contains(string(r.body), "10.20.30.40") {
		t.Errorf("the answer leaks the cause: %s", r.body)
	}
	if !contains(logs.String(), "an idempotent mutation failed before it ran", "10.20.30.40") {
		t.Errorf("the cause was not logged:\n%s", logs)
	}
	if _, err := a.View().Course("SCO-101"); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("the mutation ran although Idempotent failed: Course(SCO-101) = %v", err)
	}
}
