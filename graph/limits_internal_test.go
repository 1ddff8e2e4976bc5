package graph

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/99designs/gqlgen/graphql"
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

// The shape of variables that costCache keys costs by keeps what a cost
// can read (numbers, booleans, nulls, the lengths and shapes of lists and
// objects, names) and leaves out the values of strings.
func TestCostShape(t *testing.T) {
	shape := func(vars map[string]any) string {
		t.Helper()
		s, ok := costShape(vars)
		if !ok {
			t.Fatalf("costShape(%v): not ok", vars)
		}
		return s
	}
	same := [][2]map[string]any{
		{{"id": "P-00001"}, {"id": "P-19999"}},
		{{"filter": map[string]any{"status": "ACTIVE", "competencies": []any{"1.0"}}}, {"filter": map[string]any{"status": "RETIRED", "competencies": []any{"9.0"}}}},
		{{"n": json.Number("10"), "after": "Y3Vyc29yOjE="}, {"n": json.Number("10"), "after": "Y3Vyc29yOjk5"}},
		{nil, {}},
	}
	for _, p := range same {
		if a, b := shape(p[0]), shape(p[1]); a != b {
			t.Errorf("%v and %v have the shapes %q and %q, want one", p[0], p[1], a, b)
		}
	}
	apart := [][2]map[string]any{
		{{"n": json.Number("10")}, {"n": json.Number("50")}},
		{{"n": int64(10)}, {"n": int64(11)}},
		{{"n": 10}, {"n": 11}},
		{{"n": 1.5}, {"n": 2.5}},
		{{"people": []any{"P-1"}}, {"people": []any{"P-1", "P-2"}}},
		{{"filter": map[string]any{"top": json.Number("3")}}, {"filter": map[string]any{"top": json.Number("4")}}},
		{{"a": "x"}, {"b": "x"}},
		{{"a": true}, {"a": false}},
		{{"a": nil}, {"a": "x"}},
		{{"a": []any{}}, {"a": map[string]any{}}},
		{{"a": []any{[]any{"x"}, "y"}}, {"a": []any{"x", []any{"y"}}}},
	}
	for _, p := range apart {
		if a, b := shape(p[0]), shape(p[1]); a == b {
			t.Errorf("%v and %v have the same shape %q", p[0], p[1], a)
		}
	}
	if s, ok := costShape(map[string]any{"file": graphql.Upload{Filename: "c.csv"}}); ok {
		t.Errorf("a variable holding an upload has the shape %q; want it costed every time", s)
	}
}
