package graph

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"unsafe"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

// go generate ./graph rewrote the executor gqlgen generated: no list is
// written with a goroutine per element.
func TestGeneratedExecutorWritesListsInOrder(t *testing.T) {
	src, err := os.ReadFile("generated.go")
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(src, []byte("graphql.MarshalSliceConcurrently(")) || !bytes.Contains(src, []byte("marshalSliceInOrder(")) {
		t.Error("generated.go writes lists with graphql.MarshalSliceConcurrently: regenerate with `go generate ./graph`, not gqlgen alone")
	}
}

// go generate ./graph rewrote the executor for trivial and lean fields and
// deferred groups (internal/leanexec).
func TestGeneratedExecutorIsLean(t *testing.T) {
	src, err := os.ReadFile("generated.go")
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(src, []byte("graphql.NewDeferredGroup(ctx)")) || !bytes.Contains(src, []byte("deferred := deferredGroup(ctx, fields)")) ||
		!bytes.Contains(src, []byte("// trivial: see internal/leanexec")) || !bytes.Contains(src, []byte("// lean: see internal/leanexec")) || bytes.Contains(src, []byte("graphql.NewFieldSet(")) {
		t.Error("generated.go is not rewritten by internal/leanexec: regenerate with `go generate ./graph`, not gqlgen alone")
	}
}

func TestDeferredGroup(t *testing.T) {
	ctx := graphql.WithFieldContext(context.Background(), &graphql.FieldContext{Field: graphql.CollectedField{Field: &ast.Field{Alias: "a"}}})
	plain := []graphql.CollectedField{{Field: &ast.Field{Name: "x"}}}
	if g := deferredGroup(ctx, plain); g.Defers != nil || g.FieldSet != nil || g.Path != nil {
		t.Errorf("without @defer: group %+v, want an empty one", g)
	}
	deferred := append(plain, graphql.CollectedField{Field: &ast.Field{Name: "y"}, Deferrables: []*graphql.Deferrable{{Label: "l"}}})
	if g := deferredGroup(ctx, deferred); g.Defers == nil || g.FieldSet == nil || len(g.Path) != 1 {
		t.Errorf("with @defer: group %+v, want graphql.NewDeferredGroup's", g)
	}
}

// newObject's object writes what graphql.FieldSet writes, the first field
// of an alias only, with few fields or many, deferred or not; it schedules
// deferred and root fields as a FieldSet does.
func TestNewObject(t *testing.T) {
	field := func(alias string) graphql.CollectedField {
		return graphql.CollectedField{Field: &ast.Field{Alias: alias}}
	}
	deferred := field("d")
	deferred.Deferrables = []*graphql.Deferrable{{Label: "l"}}
	many := make([]graphql.CollectedField, 9)
	for i := range many {
		many[i] = field(fmt.Sprint("f", i))
	}
	for _, fields := range [][]graphql.CollectedField{
		{field("a"), field("b"), field("a"), field("c")},
		{field("a"), field("b"), field("c")},
		{field("a")},
		{field("a"), field("a")},
		nil,
		many,
		{field("a"), deferred},
	} {
		fs := graphql.NewFieldSet(fields)
		o := newObject(fields)
		if len(o.Values) != len(fields) {
			t.Fatalf("%d fields: %d values", len(fields), len(o.Values))
		}
		for i := range fields {
			fs.Values[i] = graphql.MarshalInt(i)
			o.Values[i] = graphql.MarshalInt(i)
		}
		var want, got, plain bytes.Buffer
		fs.MarshalGQL(&want)
		o.MarshalGQL(&got)
		o.MarshalGQL(writerOnly{&plain})
		if got.String() != want.String() || plain.String() != want.String() {
			t.Errorf("%d fields: wrote %s (%s to a plain io.Writer), want %s as graphql.FieldSet writes", len(fields), got.String(), plain.String(), want.String())
		}
	}

	// A deferred field is scheduled on the object's field set, which
	// must know it.
	o := newObject([]graphql.CollectedField{field("a"), deferred})
	group := graphql.NewDeferredGroup(context.Background())
	o.ResolveConcurrently(&graphql.OperationContext{}, &group, 1, false, false, func(context.Context) graphql.Marshaler { return graphql.MarshalInt(7) })
	o.Values[0] = graphql.MarshalInt(1)
	o.Dispatch(context.Background())
	var got bytes.Buffer
	o.MarshalGQL(&got)
	if got.String() != `{"a":1,"d":null}` || len(group.Defers) != 1 || o.Invalids != 0 {
		t.Errorf("with a deferred field: wrote %s, %d deferred groups and %d invalid values, want {\"a\":1,\"d\":null}, 1 and 0", got.String(), len(group.Defers), o.Invalids)
	}

	// Root fields are resolved when the object is dispatched, under the
	// root middleware, and their values that make the object null are
	// counted with those counted before.
	o = newObject([]graphql.CollectedField{field("a"), field("b"), field("c"), field("d")})
	var roots atomic.Int32 // root fields are resolved concurrently
	oc := &graphql.OperationContext{RootResolverMiddleware: func(ctx context.Context, next graphql.RootResolver) graphql.Marshaler {
		roots.Add(1)
		return next(ctx)
	}}
	o.Values[0] = graphql.Null
	o.Invalids++
	o.ResolveRootConcurrently(context.Background(), oc, 1, false, true, func(context.Context) graphql.Marshaler { return graphql.MarshalInt(2) })
	o.ResolveRootConcurrently(context.Background(), oc, 2, false, true, func(context.Context) graphql.Marshaler { return graphql.Null })
	o.ResolveRootConcurrently(context.Background(), oc, 3, false, false, func(context.Context) graphql.Marshaler { return graphql.Null })
	o.Dispatch(context.Background())
	got.Reset()
	o.MarshalGQL(&got)
	if got.String() != `{"a":null,"b":2,"c":null,"d":null}` || o.Invalids != 2 || roots.Load() != 3 {
		t.Errorf("with root fields: wrote %s, %d invalid values, %d through the middleware; want {\"a\":null,\"b\":2,\"c\":null,\"d\":null}, 2 and 3", got.String(), o.Invalids, roots.Load())
	}
}

// writerOnly is an io.Writer without WriteString.
type writerOnly struct{ w io.Writer }

func (w writerOnly) Write(p []byte) (int, error) { return w.w.Write(p) }

func TestResolveInOrder(t *testing.T) {
	recovered := func(_ context.Context, v any) error { return fmt.Errorf("recovered %v", v) }
	ctx := graphql.WithResponseContext(context.Background(), graphql.DefaultErrorPresenter, recovered)
	ctx = graphql.WithFieldContext(ctx, &graphql.FieldContext{Field: graphql.CollectedField{Field: &ast.Field{Alias: "f"}}})
	oc := &graphql.OperationContext{RecoverFunc: recovered}
	value := graphql.True
	for _, c := range []struct {
		name              string
		nonNull           bool
		resolve           graphql.Marshaler // nil: panics
		want              graphql.Marshaler
		invalids, errored int
	}{
		{"a value", true, value, value, 0, 0},
		{"null, non-null field", true, graphql.Null, graphql.Null, 1, 0},
		{"null, nullable field", false, graphql.Null, graphql.Null, 0, 0},
		{"a null the field's object must not have", false, graphql.RequiredNull, graphql.RequiredNull, 1, 0},
		{"a panic, non-null field", true, nil, graphql.Null, 1, 1},
		{"a panic, nullable field", false, nil, graphql.Null, 0, 1},
	} {
		var invalids uint32
		before := len(graphql.GetErrors(ctx))
		got := resolveInOrder(ctx, oc, true, c.nonNull, &invalids, func(context.Context) graphql.Marshaler {
			if c.resolve == nil {
				panic("resolver")
			}
			return c.resolve
		})
		if got != c.want || int(invalids) != c.invalids || len(graphql.GetErrors(ctx))-before != c.errored {
			t.Errorf("%s: value %v, %d invalid, %d errors; want %v, %d, %d", c.name, got, invalids, len(graphql.GetErrors(ctx))-before, c.want, c.invalids, c.errored)
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("without recoverFromPanic, a panic went unnoticed")
		}
	}()
	var invalids uint32
	resolveInOrder(ctx, oc, false, true, &invalids, func(context.Context) graphql.Marshaler { panic("resolver") })
}

func TestMarshalSliceInOrder(t *testing.T) {
	recovered := func(_ context.Context, v any) error { return fmt.Errorf("recovered %v", v) }
	ctx := graphql.WithResponseContext(context.Background(), graphql.DefaultErrorPresenter, recovered)
	ctx = graphql.WithFieldContext(ctx, &graphql.FieldContext{Field: graphql.CollectedField{}})
	var indexes []int
	got := marshalSliceInOrder(ctx, 4, 0, false, func(ctx context.Context, i int) graphql.Marshaler {
		indexes = append(indexes, *graphql.GetFieldContext(ctx).Index)
		if i == 2 {
			panic("element 2")
		}
		return graphql.MarshalInt(i * 10)
	})
	var buf bytes.Buffer
	got.MarshalGQL(&buf)
	if buf.String() != "[0,10,null,30]" {
		t.Errorf("wrote %s, want [0,10,null,30]", buf.String())
	}
	if len(indexes) != 4 || indexes[0] != 0 || indexes[3] != 3 {
		t.Errorf("elements saw the indexes %v, want 0, 1, 2, 3 in order", indexes)
	}
	errs := graphql.GetErrors(ctx)
	if len(errs) != 1 || errs[0].Message != "recovered element 2" || len(errs[0].Path) != 1 || errs[0].Path[0] != ast.PathIndex(2) {
		t.Errorf("errors %v, want one at index 2", errs)
	}

	defer func() {
		if recover() == nil {
			t.Error("with omitPanicHandler, a panic went unnoticed")
		}
	}()
	marshalSliceInOrder(ctx, 1, 0, true, func(context.Context, int) graphql.Marshaler { panic("element 0") })
}

// An element's context answers as graphql.WithFieldContext's would: its
// field context, below the list's, with its index; the list context's
// values, deadline and cancellation.
func TestElementContexts(t *testing.T) {
	if fieldContextKey == nil {
		t.Fatal("the key of gqlgen's field contexts was not found: every element of a list allocates its context (has gqlgen changed graphql.GetFieldContext?)")
	}
	type key struct{}
	list := &graphql.FieldContext{Field: graphql.CollectedField{Field: &ast.Field{Alias: "gaps"}}}
	parent, cancel := context.WithCancel(context.WithValue(context.Background(), key{}, "v"))
	parent = graphql.WithFieldContext(parent, list)
	elements := elementContexts(parent, 3)
	results := []string{"a", "b", "c"}
	for i := range elements {
		ctx := elements[i].context()
		if i == 1 {
			graphql.GetFieldContext(ctx) // made before the element is given
		}
		setElementResult(ctx, &results[i])
		fc := graphql.GetFieldContext(ctx)
		if fc == nil || fc != graphql.GetFieldContext(ctx) || fc.Parent != list || *fc.Index != i || fc.Result != &results[i] || ctx.Value(key{}) != "v" {
			t.Errorf("element %d: field context %+v, value %v; want one, below the list's, index %d, result %s, value v", i, fc, ctx.Value(key{}), i, results[i])
		}
		if got, want := graphql.GetPath(ctx).String(), fmt.Sprintf("gaps[%d]", i); got != want {
			t.Errorf("element %d: path %s, want %s", i, got, want)
		}
		child := &graphql.FieldContext{Field: graphql.CollectedField{Field: &ast.Field{Alias: "attained"}}}
		if got, want := graphql.GetPath(graphql.WithFieldContext(ctx, child)).String(), fmt.Sprintf("gaps[%d].attained", i); got != want || child.Parent != fc {
			t.Errorf("element %d: a field below it has the path %s, want %s", i, got, want)
		}
	}
	cancel()
	if err := elements[2].context().Err(); err != context.Canceled {
		t.Errorf("the list's context canceled, an element's error is %v", err)
	}

	// Made by fieldContexts, before the elements are written, the field
	// contexts are those the elements give.
	elements = elementContexts(parent, 3)
	fieldContexts(elements)
	for i := range elements {
		ctx := elements[i].context()
		setElementResult(ctx, &results[i])
		if fc := graphql.GetFieldContext(ctx); fc != elements[i].fc.Load() || fc.Parent != list || *fc.Index != i || fc.Result != &results[i] {
			t.Errorf("element %d: field context %+v, want the one made, index %d, result %s", i, fc, i, results[i])
		}
	}
}

// The elements of a list make no field context unless one is asked for;
// when the first element asks for its own, the others' are made together
// before they are written.
func TestElementFieldContextsOnDemand(t *testing.T) {
	ctx := graphql.WithFieldContext(context.Background(), &graphql.FieldContext{})
	for _, ask := range []bool{false, true} {
		var made []*graphql.FieldContext
		marshalSliceInOrder(ctx, 4, 0, false, func(ctx context.Context, i int) graphql.Marshaler {
			e := ctx.(*elementContext)
			if i > 0 && (e.fc.Load() != nil) != ask {
				t.Errorf("asked for the first element's field context: %v; element %d has one: %v", ask, i, e.fc.Load() != nil)
			}
			if ask {
				made = append(made, graphql.GetFieldContext(ctx))
			}
			return graphql.Null
		})
		for i := 2; i < len(made); i++ {
			if uintptr(unsafe.Pointer(made[i]))-uintptr(unsafe.Pointer(made[i-1])) != unsafe.Sizeof(graphql.FieldContext{}) {
				t.Errorf("the field contexts of elements %d and %d are not together", i-1, i)
			}
		}
	}
}

// The fields of a selection set without directives are collected once
// for every operation of its document; those of one with a directive
// once per operation, with its variables.
func TestCollectedFieldsAcrossOperations(t *testing.T) {
	// Empty, documentFields publishes the first fields it keeps at once.
	documentFields.mu.Lock()
	documentFields.entries.Store(nil)
	clear(documentFields.pending)
	documentFields.mu.Unlock()
	doc, errs := gqlparser.LoadQuery(parsedSchema, `query($v: Boolean!) {
		a: person(id: "x") { id name }
		b: person(id: "y") { id name @include(if: $v) }
		c: person(id: "z") { ...F ... on Person { name } }
	}
	fragment F on Person { id }`)
	if errs != nil {
		t.Fatal(errs)
	}
	sel := func(alias string) ast.SelectionSet {
		for _, s := range doc.Operations[0].SelectionSet {
			if f := s.(*ast.Field); f.Alias == alias {
				return f.SelectionSet
			}
		}
		t.Fatalf("no field %s", alias)
		return nil
	}
	op := func(v bool) *graphql.OperationContext {
		return &graphql.OperationContext{Doc: doc, Operation: doc.Operations[0], Variables: map[string]any{"v": v}}
	}
	names := func(fields []graphql.CollectedField) string {
		var out []string
		for _, f := range fields {
			out = append(out, f.Alias)
		}
		return strings.Join(out, " ")
	}
	var first, second collectedFields
	for _, alias := range []string{"a", "c"} {
		f1, f2 := first.collect(op(true), sel(alias), personImplementors), second.collect(op(false), sel(alias), personImplementors)
		if names(f1) != "id name" || &f1[0] != &f2[0] {
			t.Errorf("%s: collected %q, then %q apart; want id name, collected once", alias, names(f1), names(f2))
		}
	}
	if got, want := names(first.collect(op(true), sel("b"), personImplementors)), "id name"; got != want {
		t.Errorf("with $v true: collected %q, want %q", got, want)
	}
	if got, want := names(second.collect(op(false), sel("b"), personImplementors)), "id"; got != want {
		t.Errorf("with $v false: collected %q, want %q", got, want)
	}

	// Selection sets of one first selection and length (merged from
	// fields of one name) are told apart.
	x, y, z := sel("a")[0], sel("a")[1], sel("c")[0]
	xy, xz := ast.SelectionSet{x, y}, ast.SelectionSet{x, z}
	for range 2 {
		if got := names(first.collect(op(true), xy, personImplementors)); got != "id name" {
			t.Errorf("collected %q from id name", got)
		}
		if got := names(first.collect(op(true), xz, personImplementors)); got != "id" {
			t.Errorf("collected %q from id ...F (F: id)", got)
		}
	}
}

// documentFields publishes the fields it keeps in batches: as soon as
// they are an eighth as many as those published, all of them kept while
// it holds fewer than maxDocumentFields.
func TestDocumentCachePublishes(t *testing.T) {
	var c documentCache
	implementors := []string{"T"}
	sets := make([]ast.SelectionSet, 100)
	for i := range sets {
		sets[i] = ast.SelectionSet{&ast.Field{Name: fmt.Sprint("f", i)}}
		c.put(sets[i], implementors, []graphql.CollectedField{{Field: sets[i][0].(*ast.Field)}})
	}
	published := 0
	for i, sel := range sets {
		if f, ok := c.get(sel, implementors); ok {
			published++
			if f[0].Name != fmt.Sprint("f", i) {
				t.Errorf("set %d: fields of %s", i, f[0].Name)
			}
		}
	}
	if published+len(c.pending) != len(sets) || len(c.pending) >= max(1, published/8) {
		t.Errorf("%d sets kept: %d published, %d pending", len(sets), published, len(c.pending))
	}
}
