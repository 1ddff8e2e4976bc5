package graph

import (
	"context"
	"io"
	"sync/atomic"

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
	// The elements' field contexts and indexes, allocated together.
	fcs, indexes := make([]graphql.FieldContext, length), make([]int, length)
	for i := range length {
		indexes[i] = i
		fcs[i].Index = &indexes[i]
		ctx := graphql.WithFieldContext(ctx, &fcs[i])
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

// objectOf returns the writer of an object whose fields were resolved into
// out: it writes {"alias":value,...} as out would, the first of fields
// with one alias only, without the map and iterator closures
// graphql.FieldSet.MarshalGQL allocates for every object written (a third
// of the bytes allocated for one person's readiness). The generated
// executor returns it in place of out (see internal/leanexec); out's values
// are settled by then.
func objectOf(fields []graphql.CollectedField, out *graphql.FieldSet) graphql.Marshaler {
	return &object{fields: fields, values: out.Values}
}

// object is an object's fields and their values, as objectOf writes them.
type object struct {
	fields []graphql.CollectedField
	values []graphql.Marshaler
}

// MarshalGQL writes the object as JSON. Aliases are GraphQL names, which
// JSON strings hold without escaping.
func (o *object) MarshalGQL(w io.Writer) {
	io.WriteString(w, "{")
	first := true
	for i, f := range o.fields {
		if o.repeated(i) {
			continue
		}
		if !first {
			io.WriteString(w, ",")
		}
		first = false
		io.WriteString(w, `"`)
		io.WriteString(w, f.Alias)
		io.WriteString(w, `":`)
		o.values[i].MarshalGQL(w)
	}
	io.WriteString(w, "}")
}

// repeated reports whether a field before the i-th has its alias. The
// executor merges the fields of one alias, so none has; FieldSet checks
// all the same, and so does object, without a map: an object's fields are
// few (its type's fields plus at most maxAliases aliases).
func (o *object) repeated(i int) bool {
	alias := o.fields[i].Alias
	for _, f := range o.fields[:i] {
		if f.Alias == alias {
			return true
		}
	}
	return false
}

// resolveInOrder resolves a field of an object that has a resolver, in
// the request's goroutine and at once, as graphql.FieldSet.Dispatch would
// later (in a goroutine of its own when the object has several): it
// returns the value, Null when resolve panics (reported, unless
// !recoverFromPanic), and counts the value in invalids when it is the one
// that invalidates the object (Null for a non-null field, RequiredNull
// otherwise). The generated executor calls it in place of
// graphql.FieldSet.ResolveConcurrently for fields without @defer (see
// internal/leanexec): like the elements of lists (marshalSliceInOrder),
// cmap's resolvers answer from memory, and scheduling them cost closures
// and a slice per object.
func resolveInOrder(ctx context.Context, oc *graphql.OperationContext, recoverFromPanic, nonNull bool, invalids *uint32,
	resolve func(ctx context.Context) graphql.Marshaler) graphql.Marshaler {
	res := guarded(ctx, oc, recoverFromPanic, resolve)
	invalid := graphql.RequiredNull
	if nonNull {
		invalid = graphql.Null
	}
	if res == invalid {
		atomic.AddUint32(invalids, 1)
	}
	return res
}

// guarded returns resolve(ctx), or Null when it panics and
// recoverFromPanic, with the panic reported.
func guarded(ctx context.Context, oc *graphql.OperationContext, recoverFromPanic bool, resolve func(ctx context.Context) graphql.Marshaler) (res graphql.Marshaler) {
	if recoverFromPanic {
		defer func() {
			if r := recover(); r != nil {
				oc.Error(ctx, oc.Recover(ctx, r))
				res = graphql.Null
			}
		}()
	}
	return resolve(ctx)
}
