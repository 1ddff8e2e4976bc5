package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// testdata/generated.go.txt holds functions of graph/generated.go as
// gqlgen wrote them: an object (Attainment), one of its fields with a
// resolver (subCompetency), one trivial (level), a Float struct field
// (Course.hours), whose marshaller can fail, the marshaller of nullable
// strings, part of the complexity of fields, and for -lean (TestRunLean)
// SubCompetency and Gap.attained.
func TestRun(t *testing.T) {
	orig, err := os.ReadFile(filepath.Join("testdata", "generated.go.txt"))
	if err != nil {
		t.Fatal(err)
	}
	first := runTwice(t, orig)
	fn := func(src, name string) string { return funcBody(t, src, name) }
	// level, a String, is written from its place in its object.
	if got, want := fn(first, "_Attainment_level"), "\treturn (*stringAt)(&obj.Level) // trivial"; !strings.Contains(got, want) {
		t.Errorf("the trivial field level became\n%s\nwant it to hold\n%s", got, want)
	}
	if got, want := fn(first, "marshalOString2ᚖstring"), "\tres := (*stringAt)(v) // in place"; !strings.Contains(got, want) || strings.Contains(got, "graphql.MarshalString") {
		t.Errorf("the nullable strings' marshaller became\n%s\nwant it to hold\n%s", got, want)
	}
	for _, name := range []string{"_Attainment_subCompetency", "_Course_hours", "fieldContext_Attainment_level"} {
		if got, want := fn(first, name), fn(string(orig), name); got != want {
			t.Errorf("%s was rewritten to\n%s\nwant it as it was:\n%s", name, got, want)
		}
	}
	if obj := fn(first, "_Attainment"); strings.Contains(obj, "graphql.NewDeferredGroup") || !strings.Contains(obj, "deferred := deferredGroup(ctx, fields)") ||
		!strings.HasSuffix(obj, "\n\treturn out") || !strings.Contains(obj, "\tout := newObject(fields)\n") || strings.Contains(obj, "NewFieldSet") ||
		!strings.Contains(obj, "out.Values[i] = resolveInOrder(ctx, ec.OperationContext, true, true, &out.Invalids,\n\t\t\t\t\tfunc(ctx context.Context) graphql.Marshaler {\n\t\t\t\t\t\treturn ec._Attainment_subCompetency(ctx, field, obj)") ||
		strings.Count(obj, "out.ResolveConcurrently(") != 2 || strings.Count(obj, "if field.IsDeferred() {") != 2 {
		t.Errorf("the object's deferred group, writer or fields with resolvers were not rewritten:\n%s", obj)
	}
	// The complexity of fields makes an execution context only for the
	// fields with arguments.
	_, got, _ := strings.Cut(first, "func (e *executableSchema) Complexity(")
	if got, _, _ = strings.Cut(got, "\n}\n"); strings.Contains(got, "ec := ") || strings.Contains(got, "ec.") ||
		!strings.Contains(got, "\t\targs, err := newExecutionContext(nil, e, nil).field_Course_history_args(ctx, rawArgs)\n") {
		t.Errorf("the complexity became\n%s\nwant an execution context made for Course.history only", got)
	}
	// The execution context collects the fields of each selection once.
	if !strings.Contains(first, "\tfields collectedFields // see internal/leanexec\n}") || strings.Contains(first, "graphql.CollectFields(") ||
		!strings.Contains(fn(first, "_Attainment"), "fields := ec.fields.collect(ec.OperationContext, sel, attainmentImplementors)") {
		t.Errorf("the fields are not collected by the execution context:\n%s", first)
	}
	// An attainment of a list is written from its place in the list,
	// given to its field context without making it.
	if got, want := fn(first, "marshalNAttainment2ᚕcmapᚋanalysisᚐAttainmentᚄ"), "\t\tsetElementResult(ctx, &v[i])\n\t\treturn ec._Attainment(ctx, sel, &v[i]) // in place"; !strings.Contains(got, want) || strings.Contains(got, "GetFieldContext") {
		t.Errorf("the list of attainments became\n%s\nwant it to hold\n%s", got, want)
	}
	// The query's and the mutation's answers are written in a
	// responseBuffer, and bytes, no longer used, is no longer imported.
	_, exec, _ := strings.Cut(first, "func (e *executableSchema) Exec(")
	if strings.Count(exec, "buf := responseBuffer(ctx)") != 2 || strings.Count(exec, "data.MarshalGQL(buf)") != 2 || strings.Contains(exec, "bytes.Buffer") {
		t.Errorf("the answers' buffers were not rewritten:\n%s", exec)
	}
	if strings.Contains(first, `"bytes"`) {
		t.Errorf("bytes is still imported:\n%.200s", first)
	}
}

// A struct field that is a method, or has a directive, is not trivial.
func TestRewriteLeavesFieldsThatAreNotTrivial(t *testing.T) {
	orig, err := os.ReadFile(filepath.Join("testdata", "generated.go.txt"))
	if err != nil {
		t.Fatal(err)
	}
	for name, edit := range map[string]func(string) string{
		"a method": func(s string) string {
			return strings.Replace(s, `NewScalarFieldContext("Attainment", field, false, false, "String")`, `NewScalarFieldContext("Attainment", field, true, false, "String")`, 1)
		},
		"a directive": func(s string) string {
			_, level, _ := strings.Cut(s, "func (ec *executionContext) _Attainment_level(")
			withDirective := strings.Replace(level, "\t\tnil,\n", "\t\tec.authMiddleware,\n", 1)
			return strings.Replace(s, level, withDirective, 1)
		},
	} {
		src := edit(string(orig))
		if src == string(orig) {
			t.Fatalf("%s: the edit changed nothing", name)
		}
		out, _ := rewrite([]byte(src))
		_, level, _ := strings.Cut(string(out), "func (ec *executionContext) _Attainment_level(")
		if level, _, _ = strings.Cut(level, "\n}\n"); strings.Contains(level, "// trivial") {
			t.Errorf("%s: rewritten as trivial:\n%s", name, level)
		}
	}
}

func TestRunRefusesOtherFiles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "other.go")
	if err := os.WriteFile(path, []byte("package graph\n\nfunc f() {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := run([]string{path}); err == nil || !strings.Contains(err.Error(), "has gqlgen changed") {
		t.Errorf("a file without generated fields: error %v", err)
	}
	if err := run(nil); err == nil {
		t.Error("no argument: no error")
	}
}

// -lean rewrites the fields it names (testdata holds one whose value is an
// object, Attainment.subCompetency, and one whose value is a scalar,
// Gap.attained): resolved without their field context when nothing below
// them can fail, through graphql.ResolveField otherwise.
func TestRunLean(t *testing.T) {
	orig, err := os.ReadFile(filepath.Join("testdata", "generated.go.txt"))
	if err != nil {
		t.Fatal(err)
	}
	first := runTwice(t, orig, "-lean", "Attainment.subCompetency,Gap.attained")
	fn := func(src, name string) string { return funcBody(t, src, name) }
	for name, want := range map[string][]string{
		// SubCompetency's trivial fields in testdata: code (statement's
		// function is not there).
		"_Attainment_subCompetency": {
			"\tif ec.fields.trivialOnly(ec.OperationContext, field.Selections, subCompetencyImplementors, \"code\") && leanResolvable(ctx) { // lean: see internal/leanexec\n",
			"\t\t\t\tret = recoverLean(ctx, ec.OperationContext, field, ec.fieldContext_Attainment_subCompetency, r)\n",
			"\t\tv, err := ec.Resolvers.Attainment().SubCompetency(ctx, obj)\n\t\tif err == nil && v != nil {\n" +
				"\t\t\treturn ec.marshalNSubCompetency2ᚖcmapᚋdomainᚐSubCompetency(ctx, field.Selections, v)\n\t\t}\n",
			"\t\treturn graphql.ResolveField(ctx, ec.OperationContext, field, ec.fieldContext_Attainment_subCompetency,\n" +
				"\t\t\tfunc(context.Context) (any, error) { return v, err }, nil, ec.marshalNSubCompetency2ᚖcmapᚋdomainᚐSubCompetency, true, true)\n\t}\n",
		},
		"_Gap_attained": {
			"\tif leanResolvable(ctx) { // lean: see internal/leanexec\n",
			"\t\tv, err := ec.Resolvers.Gap().Attained(ctx, obj)\n\t\tif err == nil {\n\t\t\treturn ec.marshalOString2ᚖstring(ctx, field.Selections, v)\n\t\t}\n",
			"nil, ec.marshalOString2ᚖstring, true, false)\n\t}\n",
		},
	} {
		got := fn(first, name)
		for _, w := range want {
			if !strings.Contains(got, w) {
				t.Errorf("%s became\n%s\nwant it to hold\n%s", name, got, w)
			}
		}
		// Otherwise (a selection below that is not trivial, a request
		// done), the field is resolved as gqlgen wrote it.
		if orig := fn(string(orig), name); !strings.HasSuffix(got, "\t}\n"+strings.TrimPrefix(orig, strings.SplitAfterN(orig, "\n", 2)[0])) {
			t.Errorf("%s became\n%s\nwant it to end as gqlgen wrote it:\n%s", name, got, orig)
		}
	}
	// Fields not named stay as they were.
	if got, want := fn(first, "_SubCompetency_competency"), fn(string(orig), "_SubCompetency_competency"); got != want {
		t.Errorf("_SubCompetency_competency was rewritten to\n%s\nwant it as it was:\n%s", got, want)
	}
}

// -lean fails on a field it cannot rewrite: one without a resolver, one
// whose value is a list, one that does not exist, a name that is not
// Type.field.
func TestRunLeanRefusesOtherFields(t *testing.T) {
	orig, err := os.ReadFile(filepath.Join("testdata", "generated.go.txt"))
	if err != nil {
		t.Fatal(err)
	}
	for field, want := range map[string]string{
		"Attainment.level":   "no function _Attainment_level of a field with a resolver",
		"Attainment.courses": "is neither a trivial scalar's marshaller nor an object's",
		"Attainment.nothing": "no function _Attainment_nothing",
		"subCompetency":      "want Type.field",
	} {
		path := filepath.Join(t.TempDir(), "generated.go")
		if err := os.WriteFile(path, orig, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := run([]string{"-lean", field, path}); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("-lean %s: error %v, want one saying %q", field, err, want)
		}
	}
}

// runTwice runs leanexec with args on a copy of orig and returns what it
// wrote, failing unless a second run changes nothing.
func runTwice(t *testing.T, orig []byte, args ...string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "generated.go")
	if err := os.WriteFile(path, orig, 0o644); err != nil {
		t.Fatal(err)
	}
	var first string
	for i := range 2 {
		if err := run(append(args, path)); err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = string(data)
		} else if string(data) != first {
			t.Errorf("a second run changed the file:\n%s", data)
		}
	}
	return first
}

// funcBody returns the body of the executor's method name in src.
func funcBody(t *testing.T, src, name string) string {
	t.Helper()
	_, rest, ok := strings.Cut(src, "func (ec *executionContext) "+name+"(")
	if !ok {
		t.Fatalf("no function %s", name)
	}
	body, _, _ := strings.Cut(rest, "\n}\n")
	return body
}
