package graph

import (
	"cmap/domain"
	"context"
	"sync/atomic"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/executor"
	"github.com/99designs/gqlgen/graphql/handler/extension"
)

// countingCosts is the cost schema counting the fields it costs.
type countingCosts struct {
	costSchema
	fields *atomic.Int32
}

func (s countingCosts) Complexity(ctx context.Context, typeName, field string, childComplexity int, args map[string]any) (int, bool) {
	s.fields.Add(1)
	return s.costSchema.Complexity(ctx, typeName, field, childComplexity, args)
}

// An operation is costed again for new numbers in its variables (a page's
// first), not for new strings (a person's id): a cost kept for a small
// page does not let a large one through.
func TestCostKeptAcrossVariablesItDoesNotRead(t *testing.T) {
	f := newLeanFixture(t)
	var fields atomic.Int32
	exec := executor.New(countingCosts{costSchema{ExecutableSchema: NewExecutableSchema(newConfig(f.app)), stats: &statsCache{}}, &fields})
	costs := newCostCache(f.app, 2000)
	exec.Use(costs)
	cost := func(query string, vars map[string]any) (int, bool) {
		t.Helper()
		rv := &requestView{}
		v := Snapshot(f.app.View())
		rv.v.Store(&v)
		ctx := graphql.StartOperationTrace(context.WithValue(domain.WithPrincipal(context.Background(), &domain.Principal{ID: "key:t", Roles: []domain.Role{domain.RoleAdmin}}), viewKey{}, rv))
		oc, errs := exec.CreateOperationContext(ctx, &graphql.RawParams{Query: query, Variables: vars})
		st, _ := oc.Stats.GetExtension(costs.ExtensionName()).(*extension.ComplexityStats)
		if st == nil {
			t.Fatalf("%s %v: no cost (%v)", query, vars, errs)
		}
		return st.Complexity, errs != nil
	}

	const readiness = `query R($id: ID!) { person(id: $id) { name readiness { gaps { required } } } }`
	first, _ := cost(readiness, map[string]any{"id": "P-0001"})
	costed := fields.Load()
	for _, id := range []string{"P-0002", "P-0003"} {
		if c, refused := cost(readiness, map[string]any{"id": id}); c != first || refused {
			t.Errorf("person %s: cost %d (refused: %v), want %d as for the first", id, c, refused, first)
		}
	}
	if fields.Load() != costed {
		t.Errorf("the readiness of other people was costed again: %d fields, then %d", costed, fields.Load())
	}

	const page = `query P($n: Int, $id: ID!) { courses(first: $n) { edges { node { code coverage { level } } } } person(id: $id) { name } }`
	small, refused := cost(page, map[string]any{"n": 1, "id": "P-0001"})
	if refused {
		t.Fatalf("a page of 1 course refused, at %d", small)
	}
	if again, _ := cost(page, map[string]any{"n": 1, "id": "P-0002"}); again != small {
		t.Errorf("a page of 1 course for another person costs %d, then %d", small, again)
	}
	large, refused := cost(page, map[string]any{"n": 1000, "id": "P-0001"})
	if large <= small || !refused {
		t.Errorf("a page of 1000 courses costs %d (refused: %v), one of 1 course %d: want it costed apart, and refused", large, refused, small)
	}
}
