// Command leanexec rewrites gqlgen's generated executor so that the
// commonest fields cost less to write, with the same answers:
//
//   - A trivial field (a scalar that is a struct field of its object: no
//     resolver, no method, no directive, written by a marshaller that
//     never fails, see trivialMarshallers) is written straight from the
//     struct field, without gqlgen's field context, field middleware and
//     panic guard: nothing can fail, panic or wait in it, and no field is
//     below it whose path or errors would need its context.
//   - An object whose selection has no @defer gets an empty
//     graphql.DeferredGroup (deferredGroup, package graph) instead of
//     graphql.NewDeferredGroup, which builds the object's path, a map and
//     a field set for every object written, used only for @defer.
//   - An object's field set and writer are made by newObject (package
//     graph), in one allocation, and the object is written by the writer
//     rather than by its graphql.FieldSet, which allocates a map and
//     iterator closures for every object written.
//   - A field with a resolver, unless deferred, is resolved at once by
//     resolveInOrder (package graph) rather than scheduled on the object's
//     graphql.FieldSet, which costs closures and a slice per object and a
//     goroutine per field beyond the first: cmap's resolvers answer from
//     the in-memory read model (as for lists, see internal/listsinorder).
//     The root fields of a query are still resolved concurrently.
//   - An element of a list of structs (not pointers) is written from its
//     place in the list, rather than from a copy on the heap: gqlgen
//     passes the element by value to a marshaller that takes its address,
//     an allocation per element (a person's attainments, the matrix's
//     cells). Resolvers never change the objects they are given.
//   - The fields of an object's selection are collected once per
//     operation by collectedFields (package graph), held by the execution
//     context, rather than looked up in gqlgen's cache under a key it
//     allocates for every object written.
//   - The answer is written in a buffer from responseBuffer (package
//     graph), which lends a pooled one to a request served over HTTP,
//     rather than in a new bytes.Buffer grown step by step.
//
// gqlgen (v0.17.98) runs every field through graphql.ResolveField: about
// ten allocations and two closures of field middleware per field, even
// for `code` of a sub-competency. One person's readiness writes about two
// hundred fields, half of them trivial; these costs were about a third of
// its CPU time, garbage collection included.
//
// Usage, from the graph package (go generate runs it after gqlgen):
//
//	go run ./internal/leanexec generated.go
//
// It fails when the file has no trivial field nor deferred group it knows,
// rewritten or not, so that a gqlgen upgrade that writes fields
// differently is noticed. Running it again changes nothing.
package main

import (
	"bytes"
	"fmt"
	"os"
	"regexp"
)

// trivialMarshallers are the generated marshallers of the scalars that
// never answer null for a value and never add an error, so that they need
// no field context: String, ID, Boolean and Int (non-null, nullable
// pointers, lists of strings). Float (NaN is an error) and Time (the zero
// time is null) are not among them.
var trivialMarshallers = map[string]bool{
	"marshalNString2string":       true,
	"marshalOString2ᚖstring":      true,
	"marshalNID2string":           true,
	"marshalOID2ᚖstring":          true,
	"marshalNBoolean2bool":        true,
	"marshalOBoolean2bool":        true,
	"marshalNInt2int":             true,
	"marshalNInt2int64":           true,
	"marshalOInt2ᚖint":            true,
	"marshalNString2ᚕstringᚄ":     true,
	"marshalOString2ᚕstringᚄ":     true,
	"marshalNCourseStatus2string": true,
}

var (
	// fieldFunc matches the function gqlgen writes for a field whose value
	// is a struct field of its object, without directives: the name of
	// its field context function, the struct field and the marshaller.
	fieldFunc = regexp.MustCompile(`(?m)^(func \(ec \*executionContext\) _\w+\(ctx context\.Context, field graphql\.CollectedField, obj \*[\w.]+\) \(ret graphql\.Marshaler\) \{\n)` +
		`\treturn graphql\.ResolveField\(\n` +
		`\t\tctx,\n\t\tec\.OperationContext,\n\t\tfield,\n` +
		`\t\tfunc\(ctx context\.Context, field graphql\.CollectedField\) \(\*graphql\.FieldContext, error\) \{\n` +
		`\t\t\treturn ec\.(fieldContext_\w+)\(ctx, field\)\n\t\t\},\n` +
		`\t\tfunc\(ctx context\.Context\) \(any, error\) \{\n` +
		`\t\t\treturn (obj\.\w+), nil\n\t\t\},\n` +
		`\t\tnil,\n` +
		`\t\tfunc\(ctx context\.Context, selections ast\.SelectionSet, v [^)]+\) graphql\.Marshaler \{\n` +
		`\t\t\treturn ec\.(\w+)\(ctx, selections, v\)\n\t\t\},\n` +
		`\t\ttrue,\n\t\ttrue,\n\t\)\n\}\n`)
	// rewritten matches a trivial field function once rewritten.
	rewritten = regexp.MustCompile(`(?m)^func \(ec \*executionContext\) _\w+\(ctx context\.Context, field graphql\.CollectedField, obj \*[\w.]+\) \(ret graphql\.Marshaler\) \{\n` +
		`\treturn ec\.\w+\(ctx, field\.Selections, obj\.\w+\) // trivial: see internal/leanexec\n\}\n`)
	// scalarContext matches the field context function of a field that is
	// neither a method nor a resolver and has no selection.
	scalarContext = regexp.MustCompile(`(?m)^func \(ec \*executionContext\) (fieldContext_\w+)\(_ context\.Context, field graphql\.CollectedField\) \(fc \*graphql\.FieldContext, err error\) \{\n` +
		`\treturn graphql\.NewScalarFieldContext\("\w+", field, false, false, "\w+"\)\n\}\n`)

	newDeferredGroup = []byte("deferred := graphql.NewDeferredGroup(ctx)\n")
	lazyDeferred     = []byte("deferred := deferredGroup(ctx, fields)\n")

	// concurrentField matches the scheduling of a field with a resolver
	// in an object's function: its flags and its resolution.
	concurrentField = regexp.MustCompile(`(?m)^\t\t\tout\.ResolveConcurrently\(ec\.OperationContext, &deferred, i,\n` +
		`\t\t\t\t(true|false), (true|false),\n` +
		`\t\t\t\tfunc\(ctx context\.Context\) graphql\.Marshaler \{\n` +
		`\t\t\t\t\treturn (ec\._\w+\(ctx, field, obj\))\n` +
		`\t\t\t\t\}\)\n`)
	inOrderField = regexp.MustCompile(`(?m)^\t\t\tif field\.IsDeferred\(\) \{ // else in order: see internal/leanexec\n`)

	newFieldSet = []byte("\tout := graphql.NewFieldSet(fields)\n")
	newObject   = []byte("\tlean, out := newObject(fields)\n")

	// newBuffer matches the buffer the executor writes an answer in.
	newBuffer    = regexp.MustCompile(`(?m)^(\t+)var buf bytes\.Buffer\n(\t+)data\.MarshalGQL\(&buf\)\n`)
	usesBytes    = regexp.MustCompile(`\bbytes\.[A-Z]`)
	pooledBuffer = []byte("buf := responseBuffer(ctx) // pooled: see internal/leanexec\n")

	// valueMarshaller matches a marshaller of a struct passed by value,
	// which writes it from its address: its name and the object function.
	valueMarshaller = regexp.MustCompile(`(?m)^func \(ec \*executionContext\) (marshalN[^\s(]+)\(ctx context\.Context, sel ast\.SelectionSet, v [\w.]+\) graphql\.Marshaler \{\n` +
		`\treturn ec\.(_\w+)\(ctx, sel, &v\)\n\}\n`)
	// listElement matches the call of an element's marshaller in a list
	// marshaller.
	listElement = regexp.MustCompile(`(?m)^\t\treturn ec\.(marshalN[^\s(]+)\(ctx, sel, v\[i\]\)\n`)

	// executionContext matches the generated execution context, which
	// gets the operation's collected fields.
	executionContext = regexp.MustCompile(`(?m)^type executionContext struct \{\n(\t\*graphql\.ExecutionContextState\[[^\n]+\]\n)\}\n`)
	collectFields    = []byte("graphql.CollectFields(ec.OperationContext, sel, ")
	collectedFields  = []byte("ec.fields.collect(ec.OperationContext, sel, ")

	returnFieldSet = []byte("\t\tec.ProcessDeferredGroup(deferred)\n\t}\n\n\treturn out\n}\n")
	returnObject   = []byte("\t\tec.ProcessDeferredGroup(deferred)\n\t}\n\n\treturn lean\n}\n")
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintf(os.Stderr, "leanexec: %v\n", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) != 1 {
		return fmt.Errorf("usage: leanexec FILE")
	}
	path := args[0]
	src, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	out, n := rewrite(src)
	if n == 0 && !rewritten.Match(src) {
		return fmt.Errorf("%s has no trivial field function of the shape leanexec knows: has gqlgen changed how it writes fields?", path)
	}
	if !bytes.Contains(out, lazyDeferred) || !bytes.Contains(out, returnObject) || bytes.Count(out, newObject) != bytes.Count(out, returnObject) || !inOrderField.Match(out) {
		return fmt.Errorf("%s has no object function of the shape leanexec knows (%q, then %q): has gqlgen changed how it writes objects?",
			path, bytes.TrimSpace(newDeferredGroup), "return out")
	}
	if !bytes.Contains(out, collectedFields) || bytes.Contains(out, collectFields) || !bytes.Contains(out, []byte("\tfields collectedFields")) {
		return fmt.Errorf("%s has no execution context or collection of fields of the shape leanexec knows: has gqlgen changed how it collects fields?", path)
	}
	if !bytes.Contains(out, pooledBuffer) {
		return fmt.Errorf("%s writes no answer in a %q: has gqlgen changed how it writes answers?", path, "var buf bytes.Buffer")
	}
	return os.WriteFile(path, out, 0o644)
}

// rewrite returns src with its trivial fields and deferred groups
// rewritten, and the number of trivial fields rewritten.
func rewrite(src []byte) ([]byte, int) {
	scalars := map[string]bool{}
	for _, m := range scalarContext.FindAllSubmatch(src, -1) {
		scalars[string(m[1])] = true
	}
	n := 0
	src = fieldFunc.ReplaceAllFunc(src, func(fn []byte) []byte {
		m := fieldFunc.FindSubmatch(fn)
		head, fieldContext, value, marshal := m[1], string(m[2]), m[3], string(m[4])
		if !scalars[fieldContext] || !trivialMarshallers[marshal] {
			return fn
		}
		n++
		return fmt.Appendf(head, "\treturn ec.%s(ctx, field.Selections, %s) // trivial: see internal/leanexec\n}\n", marshal, value)
	})
	src = concurrentField.ReplaceAll(src, []byte("\t\t\tif field.IsDeferred() { // else in order: see internal/leanexec\n"+
		"\t\t\t\tout.ResolveConcurrently(ec.OperationContext, &deferred, i,\n"+
		"\t\t\t\t\t$1, $2,\n"+
		"\t\t\t\t\tfunc(ctx context.Context) graphql.Marshaler {\n"+
		"\t\t\t\t\t\treturn $3\n"+
		"\t\t\t\t\t})\n"+
		"\t\t\t} else {\n"+
		"\t\t\t\tout.Values[i] = resolveInOrder(ctx, ec.OperationContext, $1, $2, &out.Invalids,\n"+
		"\t\t\t\t\tfunc(ctx context.Context) graphql.Marshaler {\n"+
		"\t\t\t\t\t\treturn $3\n"+
		"\t\t\t\t\t})\n"+
		"\t\t\t}\n"))
	src = bytes.ReplaceAll(src, newDeferredGroup, lazyDeferred)
	src = bytes.ReplaceAll(src, newFieldSet, newObject)
	src = executionContext.ReplaceAll(src, []byte("type executionContext struct {\n${1}\tfields collectedFields // see internal/leanexec\n}\n"))
	src = bytes.ReplaceAll(src, collectFields, collectedFields)
	objectOf := map[string]string{}
	for _, m := range valueMarshaller.FindAllSubmatch(src, -1) {
		objectOf[string(m[1])] = string(m[2])
	}
	src = listElement.ReplaceAllFunc(src, func(call []byte) []byte {
		obj, ok := objectOf[string(listElement.FindSubmatch(call)[1])]
		if !ok {
			return call
		}
		return fmt.Appendf(nil, "\t\treturn ec.%s(ctx, sel, &v[i]) // in place: see internal/leanexec\n", obj)
	})
	src = newBuffer.ReplaceAll(src, append(append([]byte("${1}"), pooledBuffer...), "${2}data.MarshalGQL(buf)\n"...))
	if !usesBytes.Match(src) {
		src = bytes.Replace(src, []byte("\t\"bytes\"\n"), nil, 1) // its last use was the buffer
	}
	return bytes.ReplaceAll(src, returnFieldSet, returnObject), n
}
