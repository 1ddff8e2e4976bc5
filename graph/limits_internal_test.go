package graph

import (
	"context"
	"testing"

	"github.com/vektah/gqlparser/v2/gqlerror"
)

// TestStopWhenDone: once the request's context is done, no resolver runs;
// before, they all do.
func TestStopWhenDone(t *testing.T) {
	t.Parallel()
	ran := 0
	next := func(context.Context) (any, error) { ran++; return "value", nil }
	if v, err := stopWhenDone(context.Background(), next); v != "value" || err != nil || ran != 1 {
		t.Fatalf("live context: %v, %v, ran %d", v, err, ran)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	v, err := stopWhenDone(ctx, next)
	gqlErr, ok := err.(*gqlerror.Error)
	if v != nil || !ok || gqlErr.Extensions["code"] != "TIMEOUT" || ran != 1 {
		t.Fatalf("done context: %v, %v, ran %d; want a TIMEOUT error and no run", v, err, ran)
	}
}
