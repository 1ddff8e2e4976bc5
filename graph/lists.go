package graph

import (
	"context"
	"io"
	"maps"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
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
	elements := elementContexts(ctx, length)
	for i := range length {
		if i == 1 && elements[0].fc.Load() != nil {
			// The first element needed its field context: so will the
			// others, whose field contexts are allocated together.
			fieldContexts(elements[1:])
		}
		ctx := elements[i].context()
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

// elementContext is the context of an element of a list: its list's
// context with the element's field context, which holds its index, as
// graphql.WithFieldContext makes it. The contexts of a list's elements
// are allocated together by elementContexts (WithFieldContext allocated
// one for every element, and its field context and index two more), and
// an element's field context is made only when asked for: the elements
// of a person's attainments and gaps, whose fields are trivial or lean
// (see internal/leanexec), need none unless a field fails. When the
// first element of a list needs its field context, those of the others
// are made together (fieldContexts) before they are written.
type elementContext struct {
	context.Context
	parent *graphql.FieldContext // the list's
	index  int
	result any // the element, for its field context (setElementResult)
	fc     atomic.Pointer[graphql.FieldContext]
}

// elementContexts returns the contexts of the n elements of a list whose
// context is ctx.
func elementContexts(ctx context.Context, n int) []elementContext {
	parent := graphql.GetFieldContext(ctx)
	elements := make([]elementContext, n)
	for i := range elements {
		elements[i].Context, elements[i].parent, elements[i].index = ctx, parent, i
	}
	return elements
}

// fieldContexts makes the field contexts of elements, not yet written,
// in one allocation.
func fieldContexts(elements []elementContext) {
	fcs := make([]graphql.FieldContext, len(elements))
	for i := range elements {
		e := &elements[i]
		fcs[i].Parent, fcs[i].Index = e.parent, &e.index
		e.fc.Store(&fcs[i])
	}
}

// fieldContext returns the element's field context, made the first time
// it is asked for (deferred fields may ask from other goroutines).
func (c *elementContext) fieldContext() *graphql.FieldContext {
	if fc := c.fc.Load(); fc != nil {
		return fc
	}
	fc := &graphql.FieldContext{Parent: c.parent, Index: &c.index, Result: c.result}
	if c.fc.CompareAndSwap(nil, fc) {
		return fc
	}
	return c.fc.Load()
}

// setElementResult sets the Result of the field context of the element
// whose context is ctx: the generated executor calls it before it writes
// the element, rather than getting the field context to set it (see
// internal/leanexec), which would make it.
func setElementResult(ctx context.Context, result any) {
	c, ok := ctx.(*elementContext)
	if !ok {
		graphql.GetFieldContext(ctx).Result = result
		return
	}
	c.result = result
	if fc := c.fc.Load(); fc != nil {
		fc.Result = result
	}
}

// context returns the element's context: c itself, unless the key of
// field contexts is unknown (see fieldContextKey), when it is made by
// graphql.WithFieldContext.
func (c *elementContext) context() context.Context {
	if fieldContextKey == nil {
		return graphql.WithFieldContext(c.Context, c.fieldContext())
	}
	return c
}

// Value returns the element's field context for the key of field
// contexts, as the context graphql.WithFieldContext makes, and the list
// context's value for any other key.
func (c *elementContext) Value(key any) any {
	if key == fieldContextKey {
		return c.fieldContext()
	}
	return c.Context.Value(key)
}

// fieldContextKey is the key under which graphql.WithFieldContext keeps a
// field context in a context (gqlgen does not export it): the key
// graphql.GetFieldContext asks a context for. It is nil if
// GetFieldContext asks for none, or if a context answering it with a field
// context does not give GetFieldContext that field context.
var fieldContextKey = func() any {
	probe := &keyProbe{}
	graphql.GetFieldContext(probe)
	fc := &graphql.FieldContext{}
	if probe.key == nil || graphql.GetFieldContext(&keyProbe{key: probe.key, fc: fc}) != fc {
		return nil
	}
	return probe.key
}()

// keyProbe is a context that notes the key it is asked for, and answers
// fc for key.
type keyProbe struct {
	context.Context
	key any
	fc  *graphql.FieldContext
}

// Value answers p.fc for p.key, and notes any other key asked for.
func (p *keyProbe) Value(key any) any {
	if p.fc != nil && key == p.key {
		return p.fc
	}
	p.key = key
	return nil
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

// newObject returns the object with fields, in one allocation with its
// values for up to 4 fields: the generated executor resolves the fields'
// values into it, as into the graphql.FieldSet it calls it in place of,
// and returns it (see internal/leanexec). A FieldSet, with its writer,
// cost three allocations and 192 bytes for every object, and would write
// the same JSON with a map and iterator closures per object. An object
// of one field (a sub-competency's code) takes 80 bytes, of two 96.
func newObject(fields []graphql.CollectedField) *object {
	var o *object
	switch len(fields) {
	case 0:
		o = &object{}
	case 1:
		v := &objectOf[[1]graphql.Marshaler]{}
		v.Values = v.values[:]
		o = &v.object
	case 2:
		v := &objectOf[[2]graphql.Marshaler]{}
		v.Values = v.values[:]
		o = &v.object
	case 3:
		v := &objectOf[[3]graphql.Marshaler]{}
		v.Values = v.values[:]
		o = &v.object
	case 4:
		v := &objectOf[[4]graphql.Marshaler]{}
		v.Values = v.values[:]
		o = &v.object
	default:
		o = &object{Values: make([]graphql.Marshaler, len(fields))}
	}
	o.fields = fields
	return o
}

// objectOf is an object allocated with its values, an array.
type objectOf[V any] struct {
	object
	values V
}

// object is an object's fields and their values, made by newObject. It
// has the fields and methods of graphql.FieldSet the generated executor
// uses: a field set (set) is made only for the fields it resolves later,
// the root fields of an operation and the deferred fields.
type object struct {
	fields []graphql.CollectedField
	// Values are the fields' values, in order.
	Values []graphql.Marshaler
	// Invalids counts the values that make the object null.
	Invalids uint32
	set      *graphql.FieldSet // the fields resolved later, on Values
}

// fieldSet returns the field set that schedules the fields of o resolved
// later, which it writes in o.Values. Scheduling a deferred field needs
// the fields (withFields), a root field does not.
func (o *object) fieldSet(withFields bool) *graphql.FieldSet {
	switch {
	case o.set == nil && withFields:
		o.set = graphql.NewFieldSet(o.fields)
		o.set.Values = o.Values
	case o.set == nil:
		o.set = &graphql.FieldSet{Values: o.Values}
	}
	return o.set
}

// ResolveConcurrently is graphql.FieldSet.ResolveConcurrently: the
// generated executor calls it for the deferred fields only (see
// internal/leanexec).
func (o *object) ResolveConcurrently(oc *graphql.OperationContext, deferred *graphql.DeferredGroup, i int,
	recoverFromPanic, nonNull bool, resolve func(ctx context.Context) graphql.Marshaler) {
	o.fieldSet(true).ResolveConcurrently(oc, deferred, i, recoverFromPanic, nonNull, resolve)
}

// ResolveRootConcurrently is graphql.FieldSet.ResolveRootConcurrently, for
// the root fields of an operation.
func (o *object) ResolveRootConcurrently(ctx context.Context, oc *graphql.OperationContext, i int,
	recoverFromPanic, nonNull bool, resolve func(ctx context.Context) graphql.Marshaler) {
	o.fieldSet(false).ResolveRootConcurrently(ctx, oc, i, recoverFromPanic, nonNull, resolve)
}

// Dispatch resolves the fields scheduled by ResolveRootConcurrently (and
// by ResolveConcurrently, unless deferred), as graphql.FieldSet.Dispatch
// does, and counts the values among them that make the object null.
func (o *object) Dispatch(ctx context.Context) {
	if o.set != nil {
		o.set.Dispatch(ctx)
		o.Invalids += o.set.Invalids
	}
}

// MarshalGQL writes the object as JSON, the first field of an alias only,
// as graphql.FieldSet does. Aliases are GraphQL names, which JSON strings
// hold without escaping.
func (o *object) MarshalGQL(w io.Writer) {
	sw, ok := w.(io.StringWriter) // the executor's bytes.Buffer: asked once, not for every write
	if !ok {
		sw = stringWriter{w}
	}
	sep := `{"`
	for i, f := range o.fields {
		if o.repeated(i) {
			continue
		}
		sw.WriteString(sep)
		sep = `,"`
		sw.WriteString(f.Alias)
		sw.WriteString(`":`)
		o.Values[i].MarshalGQL(w)
	}
	if sep == `{"` { // no field
		sw.WriteString("{")
	}
	sw.WriteString("}")
}

// stringWriter writes strings to a Writer that has no WriteString.
type stringWriter struct{ io.Writer }

// WriteString writes s.
func (w stringWriter) WriteString(s string) (int, error) { return w.Write([]byte(s)) }

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

// collectedFields are the fields an operation selects in each of its
// selection sets for each object type, as graphql.CollectFields answers:
// those of the selection sets without directives from documentFields,
// the others kept per execution context (one operation), looked up by
// the selection set and the type's implementors without allocating.
// gqlgen's own cache makes a key of an FNV hash (one allocation) and
// takes a lock for every object written: 80 of them for one person's
// readiness.
type collectedFields struct {
	mu     sync.Mutex
	fields map[collectedKey][]graphql.CollectedField
}

// collectedKey names a selection set, by its first element and length
// (the operation's syntax tree outlives its execution), and an object
// type, by its implementors (a variable of the generated code).
type collectedKey struct {
	first      *ast.Selection
	n          int
	implements *string
}

// collect returns graphql.CollectFields(oc, sel, implementors), computed
// once per operation, or once per document when sel has no directive.
// The generated executor calls it (see internal/leanexec).
func (c *collectedFields) collect(oc *graphql.OperationContext, sel ast.SelectionSet, implementors []string) []graphql.CollectedField {
	if len(sel) == 0 || len(implementors) == 0 {
		return graphql.CollectFields(oc, sel, implementors)
	}
	if f, ok := documentFields.get(sel, implementors); ok {
		return f
	}
	key := collectedKey{&sel[0], len(sel), &implementors[0]}
	c.mu.Lock()
	defer c.mu.Unlock()
	if f, ok := c.fields[key]; ok {
		return f
	}
	f := graphql.CollectFields(oc, sel, implementors)
	if !hasDirectives(oc.Doc, sel) {
		documentFields.put(sel, implementors, f)
		return f
	}
	if c.fields == nil {
		c.fields = map[collectedKey][]graphql.CollectedField{}
	}
	c.fields[key] = f
	return f
}

// hasDirectives reports whether a selection of sel, or of a fragment it
// spreads, has a directive (@skip, @include, @defer): what
// graphql.CollectFields collects from sel then depends on the
// operation's variables.
func hasDirectives(doc *ast.QueryDocument, sel ast.SelectionSet) bool {
	for _, s := range sel {
		switch s := s.(type) {
		case *ast.Field:
			if len(s.Directives) > 0 {
				return true
			}
		case *ast.InlineFragment:
			if len(s.Directives) > 0 || hasDirectives(doc, s.SelectionSet) {
				return true
			}
		case *ast.FragmentSpread:
			f := doc.Fragments.ForName(s.Name)
			if len(s.Directives) > 0 || f == nil || len(f.Directives) > 0 || hasDirectives(doc, f.SelectionSet) {
				return true
			}
		default:
			return true
		}
	}
	return false
}

// documentFields keeps, across operations, the fields collected from the
// selection sets without directives: they depend on the operation's
// document only, which the query cache (queryCacheSize) hands to every
// request of the same query. Collecting them again cost about a dozen
// allocations and 5% of the CPU time of one person's readiness.
var documentFields documentCache

// maxDocumentFields bounds documentFields: when full, it starts again
// empty, dropping the documents it kept alive.
const maxDocumentFields = 4096

// documentCache is the type of documentFields. It is read without locks
// (a lock, even a read lock, on every object written cost 5% of the CPU
// time of one person's readiness): readers load a map that is never
// changed; new entries wait in pending until a new map is published with
// them, as soon as they are an eighth as many as the published ones, so
// that copying stays within a few entries per entry kept.
type documentCache struct {
	entries atomic.Pointer[map[documentKey]documentEntry]
	mu      sync.Mutex
	pending map[documentKey]documentEntry
}

// documentKey names a selection set by its first selection (a node of
// its document) and length, and an object type by its implementors.
// Selection sets merged from several fields of one name can share
// their first selection and length: an entry holds its selection set,
// compared on every look-up.
type documentKey struct {
	first      ast.Selection
	n          int
	implements *string
}

type documentEntry struct {
	sel    ast.SelectionSet
	fields []graphql.CollectedField
}

// get returns the fields kept for sel and implementors.
func (c *documentCache) get(sel ast.SelectionSet, implementors []string) ([]graphql.CollectedField, bool) {
	m := c.entries.Load()
	if m == nil {
		return nil, false
	}
	e, ok := (*m)[documentKey{sel[0], len(sel), &implementors[0]}]
	if !ok || !slices.Equal(e.sel, sel) {
		return nil, false
	}
	return e.fields, true
}

// put keeps the fields of sel for implementors.
func (c *documentCache) put(sel ast.SelectionSet, implementors []string, fields []graphql.CollectedField) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.pending == nil {
		c.pending = map[documentKey]documentEntry{}
	}
	c.pending[documentKey{sel[0], len(sel), &implementors[0]}] = documentEntry{sel, fields}
	var published map[documentKey]documentEntry
	if m := c.entries.Load(); m != nil {
		published = *m
	}
	if len(c.pending) < max(1, len(published)/8) {
		return
	}
	next := make(map[documentKey]documentEntry, len(published)+len(c.pending))
	if len(published)+len(c.pending) <= maxDocumentFields {
		maps.Copy(next, published)
	}
	maps.Copy(next, c.pending)
	c.entries.Store(&next)
	clear(c.pending)
}

// trivialOnly reports whether the fields sel selects of an object type
// (named by its implementors) are written without a field context: none is
// deferred, and each is __typename or one of trivial, the type's trivial
// fields (see internal/leanexec). The generated executor calls it for a
// lean field whose value is an object: the field's context is needed only
// by the fields below it that are not trivial.
func (c *collectedFields) trivialOnly(oc *graphql.OperationContext, sel ast.SelectionSet, implementors []string, trivial ...string) bool {
	for _, f := range c.collect(oc, sel, implementors) {
		if f.IsDeferred() || f.Name != "__typename" && !slices.Contains(trivial, f.Name) {
			return false
		}
	}
	return true
}

// leanResolvable reports whether a lean field (see internal/leanexec) may
// be resolved without its field context and field middleware: unless ctx
// is done, when the middleware (stopWhenDone) fails the field, and the
// generated executor resolves it through graphql.ResolveField.
func leanResolvable(ctx context.Context) bool {
	select {
	case <-ctx.Done():
		return false
	default:
		return true
	}
}

// recoverLean reports the panic r of a lean field (see
// internal/leanexec), resolved under its parent's ctx, as
// graphql.ResolveField reports the panic of a field: under the field's
// context, made by fieldContext. It returns Null, the field's value.
func recoverLean(ctx context.Context, oc *graphql.OperationContext, field graphql.CollectedField,
	fieldContext func(context.Context, graphql.CollectedField) (*graphql.FieldContext, error), r any) graphql.Marshaler {
	if fc, err := fieldContext(ctx, field); err == nil {
		ctx = graphql.WithFieldContext(ctx, fc)
	}
	oc.Error(ctx, oc.Recover(ctx, r))
	return graphql.Null
}

// stringAt is a string written as JSON from where it is held, as
// graphql.MarshalString writes it, without the closure MarshalString
// allocates for every string written: the generated executor writes the
// trivial String and ID fields of an object, and nullable strings, as
// *stringAt (see internal/leanexec). Like the list elements written in
// place, the string must not change before the answer is written: no
// resolver changes what it is given or what it answered.
type stringAt string

// MarshalGQL writes the string as a JSON string.
func (s *stringAt) MarshalGQL(w io.Writer) { graphql.MarshalString(string(*s)).MarshalGQL(w) }
