// Command leanexec rewrites gqlgen's generated executor so that the
// commonest fields cost less to write, with the same answers:
//
//   - A trivial field (a scalar that is a struct field of its object: no
//     resolver, no method, no directive, written by a marshaller that
//     never fails, see trivialMarshallers) is written straight from the
//     struct field, without gqlgen's field context, field middleware and
//     panic guard: nothing can fail, panic or wait in it, and no field is
//     below it whose path or errors would need its context. A String or
//     ID is written from its place in its object (stringAt, package
//     graph), as are nullable strings by their marshaller, rather than by
//     graphql.MarshalString, which allocates a closure for each.
//   - A lean field, named with -lean Type.field, is a field whose
//     resolver (without arguments or directives) answers from its object
//     and the request's view, reads no field context but its ancestors'
//     and reports errors only by returning them: a sub-competency looked up
//     by its code, a level that is null when empty. Its resolver is called
//     under its parent's context, without the field's context and field
//     middleware, and its value written straight by its marshaller when
//     nothing can fail below it: its value is a scalar written by a
//     trivial marshaller, or an object whose selected fields are all
//     trivial (collectedFields.trivialOnly, package graph), none deferred.
//     Otherwise, and when the resolver fails, answers null for an object,
//     or panics, the field's context is made and the error reported in
//     it, at the field's path, as graphql.ResolveField reports it (the
//     value the resolver gave goes through ResolveField, which does not
//     call the resolver again; a panic is reported by recoverLean). Once
//     the request is done, the field is resolved through ResolveField,
//     whose middleware fails it (stopWhenDone). A resolver that reads its
//     own field context or adds errors to its context must not be lean:
//     it would see or add them at its parent's path. One person's
//     readiness resolves its sub-competencies and levels this way: gqlgen
//     spent about ten allocations on each, about 40% of the request's.
//   - An object whose selection has no @defer gets an empty
//     graphql.DeferredGroup (deferredGroup, package graph) instead of
//     graphql.NewDeferredGroup, which builds the object's path, a map and
//     a field set for every object written, used only for @defer.
//   - An object's values are resolved into, and the object written by,
//     an object made by newObject (package graph) in one allocation,
//     rather than a graphql.FieldSet, which allocates a map and iterator
//     closures for every object written; it makes a FieldSet only for the
//     fields resolved later (root and deferred fields).
//   - A field with a resolver, unless deferred, is resolved at once by
//     resolveInOrder (package graph) rather than scheduled on the object's
//     graphql.FieldSet, which costs closures and a slice per object and a
//     goroutine per field beyond the first: cmap's resolvers answer from
//     the in-memory read model (as for lists, see internal/listsinorder).
//     The root fields of a query are still resolved concurrently.
//   - The field context of an element of a list is made only when asked
//     for (elementContext, package graph): the element is given to it by
//     setElementResult rather than by getting the field context to set
//     its Result.
//   - An element of a list of structs (not pointers) is written from its
//     place in the list, rather than from a copy on the heap: gqlgen
//     passes the element by value to a marshaller that takes its address,
//     an allocation per element (a person's attainments, the matrix's
//     cells). Resolvers never change the objects they are given.
//   - The fields of an object's selection are collected once per
//     operation by collectedFields (package graph), held by the execution
//     context, rather than looked up in gqlgen's cache under a key it
//     allocates for every object written.
//   - The complexity of a field (asked for every field of an operation
//     when it is costed) makes an execution context, two allocations,
//     only for the fields whose arguments it parses, rather than for
//     every field.
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
//	go run ./internal/leanexec [-lean Type.field,...] generated.go
//
// It fails when the file has no trivial field nor deferred group it knows,
// rewritten or not, or a field named by -lean is not of the shape it
// knows, so that a gqlgen upgrade that writes fields differently (or a
// lean field given arguments, a directive or a list) is noticed. Running
// it again changes nothing.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
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

// inPlace are the marshallers of String and ID (non-null), whose trivial
// fields are written from their place in their object by stringAt
// (package graph), rather than by graphql.MarshalString, which allocates a
// closure for every string written.
var inPlace = map[string]bool{
	"marshalNString2string": true,
	"marshalNID2string":     true,
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
	// rewritten matches a trivial field function once rewritten: its
	// name.
	rewritten = regexp.MustCompile(`(?m)^func \(ec \*executionContext\) (_\w+)\(ctx context\.Context, field graphql\.CollectedField, obj \*[\w.]+\) \(ret graphql\.Marshaler\) \{\n` +
		`\treturn (?:ec\.\w+\(ctx, field\.Selections, obj\.\w+\)|\(\*stringAt\)\(&obj\.\w+\)) // trivial: see internal/leanexec\n\}\n`)
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
	newObject   = []byte("\tout := newObject(fields)\n")

	// newBuffer matches the buffer the executor writes an answer in.
	newBuffer    = regexp.MustCompile(`(?m)^(\t+)var buf bytes\.Buffer\n(\t+)data\.MarshalGQL\(&buf\)\n`)
	usesBytes    = regexp.MustCompile(`\bbytes\.[A-Z]`)
	pooledBuffer = []byte("buf := responseBuffer(ctx) // pooled: see internal/leanexec\n")

	// valueMarshaller matches a marshaller of a struct passed by value,
	// which writes it from its address: its name and the object function.
	valueMarshaller = regexp.MustCompile(`(?m)^func \(ec \*executionContext\) (marshalN[^\s(]+)\(ctx context\.Context, sel ast\.SelectionSet, v [\w.]+\) graphql\.Marshaler \{\n` +
		`\treturn ec\.(_\w+)\(ctx, sel, &v\)\n\}\n`)
	// elementResult matches the setting of a list element's Result in its
	// field context, in a list marshaller.
	elementResult = regexp.MustCompile(`(?m)^\t\tfc := graphql\.GetFieldContext\(ctx\)\n\t\tfc\.Result = (&?v\[i\])\n`)
	// listElement matches the call of an element's marshaller in a list
	// marshaller.
	listElement = regexp.MustCompile(`(?m)^\t\treturn ec\.(marshalN[^\s(]+)\(ctx, sel, v\[i\]\)\n`)

	// nullableString matches the writing of a nullable String or ID in its
	// marshaller, which writes it from where it is held by stringAt.
	nullableString = regexp.MustCompile(`(?m)^\tres := graphql\.Marshal(?:String|ID)\(\*v\)\n`)
	stringInPlace  = []byte("\tres := (*stringAt)(v) // in place: see internal/leanexec\n")

	// complexity matches the function of the fields' complexity: its
	// head, the execution context it makes and its body.
	complexity     = regexp.MustCompile(`(?ms)^(func \(e \*executableSchema\) Complexity\([^\n]*\{\n)(\tec := newExecutionContext\(nil, e, nil\)\n\t_ = ec\n)?(.*?\n)\}\n`)
	usesEC         = regexp.MustCompile(`\bec\.field_`)
	complexityArgs = []byte("newExecutionContext(nil, e, nil).field_") // the arguments' parsers need one

	// executionContext matches the generated execution context, which
	// gets the operation's collected fields.
	executionContext = regexp.MustCompile(`(?m)^type executionContext struct \{\n(\t\*graphql\.ExecutionContextState\[[^\n]+\]\n)\}\n`)
	collectFields    = []byte("graphql.CollectFields(ec.OperationContext, sel, ")
	collectedFields  = []byte("ec.fields.collect(ec.OperationContext, sel, ")

	// resolverFunc matches the function gqlgen writes for a field with a
	// resolver that takes no argument and has no directive: its name, its
	// field context function, the call of its resolver, its marshaller and
	// whether it is non-null.
	resolverFunc = regexp.MustCompile(`(?m)^(func \(ec \*executionContext\) (_\w+)\(ctx context\.Context, field graphql\.CollectedField, obj \*[\w.]+\) \(ret graphql\.Marshaler\) \{\n)` +
		`(\treturn graphql\.ResolveField\(\n` +
		`\t\tctx,\n\t\tec\.OperationContext,\n\t\tfield,\n` +
		`\t\tfunc\(ctx context\.Context, field graphql\.CollectedField\) \(\*graphql\.FieldContext, error\) \{\n` +
		`\t\t\treturn ec\.(fieldContext_\w+)\(ctx, field\)\n\t\t\},\n` +
		`\t\tfunc\(ctx context\.Context\) \(any, error\) \{\n` +
		`\t\t\treturn (ec\.Resolvers\.\w+\(\)\.\w+\(ctx, obj\))\n\t\t\},\n` +
		`\t\tnil,\n` +
		`\t\tfunc\(ctx context\.Context, selections ast\.SelectionSet, v [^)]+\) graphql\.Marshaler \{\n` +
		`\t\t\treturn ec\.(marshal[^\s(]+)\(ctx, selections, v\)\n\t\t\},\n` +
		`\t\ttrue,\n\t\t(true|false),\n\t\)\n\}\n)`)
	// leanMarker ends the first line of a lean field's function.
	leanMarker = "{ // lean: see internal/leanexec"
	// objectMarshaller matches the marshaller of a pointer to an object,
	// non-null or nullable: its name and the object's function.
	objectMarshaller = regexp.MustCompile(`(?m)^func \(ec \*executionContext\) (marshal[NO][^\s(]+)\(ctx context\.Context, sel ast\.SelectionSet, v \*[\w.]+\) graphql\.Marshaler \{\n` +
		`\tif v == nil \{\n(?:\t\t[^\n]*\n)*?\t\treturn graphql\.Null\n\t\}\n` +
		`\treturn ec\.(_\w+)\(ctx, sel, v\)\n\}\n`)
	// objectFunc matches an object's function once its fields are
	// collected by the execution context: its name, the variable of its
	// implementors and its body.
	objectFunc = regexp.MustCompile(`(?ms)^func \(ec \*executionContext\) (_\w+)\(ctx context\.Context, sel ast\.SelectionSet, obj \*[\w.]+\) graphql\.Marshaler \{\n` +
		`\tfields := ec\.fields\.collect\(ec\.OperationContext, sel, (\w+)\)\n(.*?)^\}\n`)
	// objectField matches a field of an object's function written by the
	// field's function without a resolver: its name and function.
	objectField = regexp.MustCompile(`(?m)^\t\tcase "(\w+)":\n\t\t\tout\.Values\[i\] = ec\.(_\w+)\(ctx, field, obj\)\n`)

	returnObject = []byte("\t\tec.ProcessDeferredGroup(deferred)\n\t}\n\n\treturn out\n}\n")
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintf(os.Stderr, "leanexec: %v\n", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	flags := flag.NewFlagSet("leanexec", flag.ContinueOnError)
	lean := flags.String("lean", "", "the fields to write as lean fields, as Type.field, separated by commas")
	if err := flags.Parse(args); err != nil {
		return err
	}
	if flags.NArg() != 1 {
		return fmt.Errorf("usage: leanexec [-lean Type.field,...] FILE")
	}
	path := flags.Arg(0)
	src, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	out, n := rewrite(src)
	var fields []string
	if *lean != "" {
		fields = strings.Split(*lean, ",")
	}
	if out, err = leanResolvers(out, fields); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if n == 0 && !rewritten.Match(src) {
		return fmt.Errorf("%s has no trivial field function of the shape leanexec knows: has gqlgen changed how it writes fields?", path)
	}
	if !bytes.Contains(out, lazyDeferred) || !bytes.Contains(out, returnObject) || bytes.Count(out, newObject) != bytes.Count(out, returnObject) ||
		bytes.Contains(out, newFieldSet) || !inOrderField.Match(out) {
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
		if inPlace[marshal] {
			return fmt.Appendf(head, "\treturn (*stringAt)(&%s) // trivial: see internal/leanexec\n}\n", value)
		}
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
	src = elementResult.ReplaceAll(src, []byte("\t\tsetElementResult(ctx, $1)\n"))
	src = listElement.ReplaceAllFunc(src, func(call []byte) []byte {
		obj, ok := objectOf[string(listElement.FindSubmatch(call)[1])]
		if !ok {
			return call
		}
		return fmt.Appendf(nil, "\t\treturn ec.%s(ctx, sel, &v[i]) // in place: see internal/leanexec\n", obj)
	})
	src = complexity.ReplaceAllFunc(src, func(fn []byte) []byte {
		m := complexity.FindSubmatch(fn)
		if m[2] == nil {
			return fn
		}
		return append(append(append([]byte{}, m[1]...), usesEC.ReplaceAll(m[3], complexityArgs)...), "}\n"...)
	})
	src = nullableString.ReplaceAll(src, stringInPlace)
	src = newBuffer.ReplaceAll(src, append(append([]byte("${1}"), pooledBuffer...), "${2}data.MarshalGQL(buf)\n"...))
	if !usesBytes.Match(src) {
		src = bytes.Replace(src, []byte("\t\"bytes\"\n"), nil, 1) // its last use was the buffer
	}
	return src, n
}

// leanResolvers rewrites the functions of the fields named in lean
// ("Type.field") as lean fields (see the package comment), and fails
// when one is neither rewritten nor lean already.
func leanResolvers(src []byte, lean []string) ([]byte, error) {
	named := map[string]string{} // field function -> Type.field
	for _, f := range lean {
		typ, field, ok := strings.Cut(f, ".")
		if !ok || typ == "" || field == "" {
			return nil, fmt.Errorf("-lean %q: want Type.field", f)
		}
		named["_"+typ+"_"+field] = f
	}
	if len(named) == 0 {
		return src, nil
	}
	trivial := map[string]bool{}
	for _, m := range rewritten.FindAllSubmatch(src, -1) {
		trivial[string(m[1])] = true
	}
	// The trivial fields of each object, by its function.
	type object struct {
		implementors string
		trivial      []string
	}
	objects := map[string]object{}
	for _, m := range objectFunc.FindAllSubmatch(src, -1) {
		o := object{implementors: string(m[2])}
		for _, f := range objectField.FindAllSubmatch(m[3], -1) {
			if trivial[string(f[2])] {
				o.trivial = append(o.trivial, strconv.Quote(string(f[1])))
			}
		}
		objects[string(m[1])] = o
	}
	objectOf := map[string]string{}
	for _, m := range objectMarshaller.FindAllSubmatch(src, -1) {
		objectOf[string(m[1])] = string(m[2])
	}
	var errs []error
	src = resolverFunc.ReplaceAllFunc(src, func(fn []byte) []byte {
		m := resolverFunc.FindSubmatch(fn)
		head, name, body := m[1], string(m[2]), m[3]
		fieldContext, call, marshal, nonNull := string(m[4]), string(m[5]), string(m[6]), string(m[7])
		f, ok := named[name]
		if !ok {
			return fn
		}
		delete(named, name)
		cond, valid := "leanResolvable(ctx)", "err == nil"
		if !trivialMarshallers[marshal] {
			o, ok := objects[objectOf[marshal]]
			if !ok {
				errs = append(errs, fmt.Errorf("-lean %s: its value is written by %s, which is neither a trivial scalar's marshaller nor an object's", f, marshal))
				return fn
			}
			cond = fmt.Sprintf("ec.fields.trivialOnly(ec.OperationContext, field.Selections, %s) && %s", strings.Join(append([]string{o.implementors}, o.trivial...), ", "), cond)
			valid += " && v != nil"
		}
		out := bytes.TrimSuffix(head, []byte("{\n"))
		out = fmt.Appendf(out, "{\n\tif %s %s\n", cond, leanMarker)
		out = fmt.Appendf(out, "\t\tdefer func() {\n\t\t\tif r := recover(); r != nil {\n"+
			"\t\t\t\tret = recoverLean(ctx, ec.OperationContext, field, ec.%s, r)\n\t\t\t}\n\t\t}()\n", fieldContext)
		out = fmt.Appendf(out, "\t\tv, err := %s\n\t\tif %s {\n\t\t\treturn ec.%s(ctx, field.Selections, v)\n\t\t}\n", call, valid, marshal)
		out = fmt.Appendf(out, "\t\treturn graphql.ResolveField(ctx, ec.OperationContext, field, ec.%s,\n"+
			"\t\t\tfunc(context.Context) (any, error) { return v, err }, nil, ec.%s, true, %s)\n\t}\n", fieldContext, marshal, nonNull)
		return append(out, body...)
	})
	for name, f := range named {
		if !bytes.Contains(src, fmt.Appendf(nil, "func (ec *executionContext) %s(", name)) || !isLean(src, name) {
			errs = append(errs, fmt.Errorf("-lean %s: no function %s of a field with a resolver, without arguments or directives, of the shape leanexec knows", f, name))
		}
	}
	return src, errors.Join(errs...)
}

// isLean reports whether the field function name in src is lean.
func isLean(src []byte, name string) bool {
	_, fn, ok := bytes.Cut(src, fmt.Appendf(nil, "func (ec *executionContext) %s(", name))
	_, fn, _ = bytes.Cut(fn, []byte("\n")) // after the signature
	line, _, _ := bytes.Cut(fn, []byte("\n"))
	return ok && bytes.HasPrefix(line, []byte("\tif ")) && bytes.HasSuffix(line, []byte(leanMarker))
}
