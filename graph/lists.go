package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
)

// marshalSliceInOrder is graphql.MarshalSliceConcurrently without the
// goroutines: it writes the elements of a list of objects one after
// another, each under a field context holding its index, and turns an
// element whose writing panics into null with the panic reported (unless
// omitPanicHandler), as MarshalSliceConcurrently does. workerLimit, which
// bounds MarshalSliceConcurrently's goroutines, has nothing to bound.
//
// The generated executor calls it in place of MarshalSliceConcurrently
// (see internal/listsinorder): every resolver of cmap answers from the
// in-memory read model, so there is nothing for concurrent elements to
// wait on together, and a goroutine per element cost a third of the CPU
// time of large answers.
func marshalSliceInOrder(ctx context.Context, length int, _ int64, omitPanicHandler bool,
	marshalElement func(ctx context.Context, i int) graphql.Marshaler) graphql.Array {
	ret := make(graphql.Array, length)
	for i := range length {
		ctx := graphql.WithFieldContext(ctx, &graphql.FieldContext{Index: &i})
		if omitPanicHandler {
			ret[i] = marshalElement(ctx, i)
			continue
		}
		func() {
			defer func() {
				if r := recover(); r != nil {
					graphql.AddError(ctx, graphql.Recover(ctx, r))
					ret[i] = graphql.Null
				}
			}()
			ret[i] = marshalElement(ctx, i)
		}()
	}
	return ret
}

// deferredGroup returns the group of the @defer fields of an object's
// fields: graphql.NewDeferredGroup when one of them is deferred, an empty
// group otherwise. The generated executor calls it in place of
// graphql.NewDeferredGroup (see internal/leanexec), which builds the
// object's path, a map and a field set for every object written; the
// executor uses the group only for deferred fields and when it has
// Defers.
func deferredGroup(ctx context.Context, fields []graphql.CollectedField) graphql.DeferredGroup {
	for _, f := range fields {
		if f.IsDeferred() {
			return graphql.NewDeferredGroup(ctx)
		}
	}
	return graphql.DeferredGroup{}
}
