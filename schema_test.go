package main

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"cmap/engine"
	"cmap/seed"
)

// The JSON Schemas of rule files, rule-test files and the scale file are
// generated from
// the engine's types (engine.RuleFileSchema) and committed under schema/
// for editors that read them from the repository; -update rewrites them.
// They are checked here with santhosh-tekuri/jsonschema, which implements
// draft-07 to the letter (it passes the JSON-Schema-Test-Suite) and checks
// each schema against its draft's meta-schema when it compiles it.

var schemaFiles = []struct {
	file     string
	generate func() []byte
}{
	{"schema/rules.json", engine.RuleFileSchema},
	{"schema/rule-tests.json", engine.RuleTestFileSchema},
	{"schema/scale.json", engine.ScaleFileSchema},
}

func TestSchemasAreGenerated(t *testing.T) {
	for _, s := range schemaFiles {
		checkGolden(t, s.file, string(s.generate()))
	}
}

// compileSchema compiles a committed schema, checking it against the
// meta-schema of its draft (draft-07 when it names none), and asserting
// formats (SARIF's uri-reference for artifact URIs; cmap's schemas use
// none).
func compileSchema(t *testing.T, file string) *jsonschema.Schema {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft7)
	c.AssertFormat()
	if err := c.AddResource(file, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(file)
	if err != nil {
		t.Fatalf("%s is not a valid schema of its draft: %v", file, err)
	}
	return sch
}

// yamlInstance reads YAML as the YAML language server hands it to a
// schema: mappings with keys as written, scalars typed.
func yamlInstance(t *testing.T, name string, src []byte) any {
	t.Helper()
	f, err := parser.ParseBytes(src, 0)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if len(f.Docs) == 0 || f.Docs[0].Body == nil {
		return nil
	}
	return yamlValue(f.Docs[0].Body)
}

func yamlValue(n ast.Node) any {
	switch n := n.(type) {
	case *ast.MappingNode:
		m := map[string]any{}
		for _, mv := range n.Values {
			m[mv.Key.GetToken().Value] = yamlValue(mv.Value)
		}
		return m
	case *ast.MappingValueNode:
		return map[string]any{n.Key.GetToken().Value: yamlValue(n.Value)}
	case *ast.SequenceNode:
		out := []any{}
		for _, v := range n.Values {
			out = append(out, yamlValue(v))
		}
		return out
	case *ast.StringNode:
		return n.Value
	case *ast.LiteralNode:
		return n.Value.Value
	case *ast.BoolNode:
		return n.Value
	case *ast.IntegerNode, *ast.FloatNode:
		return json.Number(n.GetToken().Value)
	case *ast.NullNode:
		return nil
	}
	return n.String()
}

// shippedRuleFiles returns the rule files and rule-test files under dir.
func shippedRuleFiles(t *testing.T, dir string) (rules, tests []string) {
	t.Helper()
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.IsDir() || !strings.HasSuffix(p, ".yaml") || d.Name() == engine.ScaleFile:
		case strings.HasSuffix(p, "_test.yaml"):
			tests = append(tests, p)
		default:
			rules = append(rules, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return rules, tests
}

func TestSchemasAcceptShippedFiles(t *testing.T) {
	ruleSchema := compileSchema(t, "schema/rules.json")
	testSchema := compileSchema(t, "schema/rule-tests.json")
	for _, dir := range []string{"rules", "testdata/lint"} {
		rules, tests := shippedRuleFiles(t, dir)
		if dir == "rules" && (len(rules) < 10 || len(tests) < 10) {
			t.Fatalf("%d rule files and %d test files under rules/", len(rules), len(tests))
		}
		for _, files := range []struct {
			names  []string
			schema *jsonschema.Schema
		}{{rules, ruleSchema}, {tests, testSchema}} {
			for _, name := range files.names {
				src, err := os.ReadFile(name)
				if err != nil {
					t.Fatal(err)
				}
				if err := files.schema.Validate(yamlInstance(t, name, src)); err != nil {
					t.Errorf("%s: %v", name, err)
				}
			}
		}
	}
}

// Each broken file is refused by its schema, as the loader refuses it:
// an editor flags what cmap rules check (or test) would.
func TestSchemasRejectWhatTheLoaderRejects(t *testing.T) {
	ruleSchema := compileSchema(t, "schema/rules.json")
	testSchema := compileSchema(t, "schema/rule-tests.json")
	ds, err := seed.Load("seeds")
	if err != nil {
		t.Fatal(err)
	}
	rs, err := engine.LoadRuleSet("rules", ds.Framework)
	if err != nil {
		t.Fatal(err)
	}
	rule := "rules:\n  - id: pa\n    course: mentions(\"price and availability\")\n"
	for _, tc := range []struct {
		name, src string
		test      bool
		// schemaSays is in the validation error.
		schemaSays string
	}{
		{"a misspelled key of a rule", rule + "    covrs: {4.C: tier}\n", false, "covrs"},
		{"a misspelled top-level key", "rulez: []\n", false, "rulez"},
		{"a condition of both kinds", rule + "    position: \"true\"\n    covers: {4.C: tier}\n", false, "oneOf"},
		{"a course rule that requires", rule + "    requires: {4.C: Basic}\n", false, "requires"},
		{"no yield", rule, false, "anyOf"},
		{"a malformed code", rule + "    covers: {4C: tier}\n", false, "4C"},
		{"an empty exclusion list", rule + "    exclude: []\n", false, "minItems"},
		{"a silence of an unknown code", rule + "    covers: {4.C: tier}\n    lint: {ignore: [L099], reason: x}\n", false, "/lint/ignore/0"},
		{"a silence without a reason", rule + "    covers: {4.C: tier}\n    lint: {ignore: [L001]}\n", false, "reason"},
		{"a malformed rule id", "rules:\n  - id: -pa\n    course: \"true\"\n    covers: {4.C: tier}\n", false, "-pa"},
		{"a misspelled key of a test", "tests:\n  - name: t\n    course: SCM-201\n    expct: {4.C: Basic}\n", true, "expct"},
		{"a misspelled field of an inline course", "tests:\n  - name: t\n    course: {code: SCM-999, titel: X}\n    absent: [4.C]\n", true, "titel"},
		{"a test of two subjects", "tests:\n  - name: t\n    course: SCM-201\n    position: POS-0001\n    absent: [4.C]\n", true, "oneOf"},
		{"a test that expects nothing", "tests:\n  - name: t\n    course: SCM-201\n", true, "anyOf"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			schema, file := ruleSchema, "broken.yaml"
			if tc.test {
				schema, file = testSchema, "broken_test.yaml"
			}
			err := schema.Validate(yamlInstance(t, file, []byte(tc.src)))
			if err == nil || !strings.Contains(err.Error(), tc.schemaSays) {
				t.Errorf("the schema says %v, want an error naming %q", err, tc.schemaSays)
			}
			fsys := fstest.MapFS{file: {Data: []byte(tc.src)}}
			if tc.test {
				_, err = rs.RunTests(fsys, "rules", engine.TestOptions{Fixtures: newSeedFixtures(ds)})
			} else {
				_, err = engine.LoadRuleSetFS(fsys, "rules", ds.Framework)
			}
			if err == nil {
				t.Error("the loader accepts it")
			}
		})
	}
}

// The scale schema accepts the shipped scale and refuses each broken one,
// as the loader does.
func TestScaleSchema(t *testing.T) {
	schema := compileSchema(t, "schema/scale.json")
	src, err := os.ReadFile(filepath.Join("rules", engine.ScaleFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := schema.Validate(yamlInstance(t, "rules/scale.yaml", src)); err != nil {
		t.Errorf("rules/scale.yaml: %v", err)
	}
	ds, err := seed.Load("seeds")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, src string
		// schemaSays is in the validation error.
		schemaSays string
	}{
		{"a misspelled key", "name: S\nlevles: [Basic, Expert]\n", "levles"},
		{"no levels", "name: S\n", "levels"},
		{"no level at all", "levels: []\n", "minItems"},
		{"a level twice", "levels: [Basic, Expert, Basic]\n", "are equal"},
		{"an empty level", "levels: [Basic, \"\"]\n", "minLength"},
		{"the reserved tier", "levels: [Basic, Tier]\n", "/levels/1"},
		{"levels not a list", "levels: Basic\n", "array"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := schema.Validate(yamlInstance(t, engine.ScaleFile, []byte(tc.src)))
			if err == nil || !strings.Contains(err.Error(), tc.schemaSays) {
				t.Errorf("the schema says %v, want an error naming %q", err, tc.schemaSays)
			}
			fsys := fstest.MapFS{engine.ScaleFile: {Data: []byte(tc.src)}}
			if _, err := engine.LoadRuleSetFS(fsys, ".", ds.Framework); err == nil {
				t.Error("the loader accepts it")
			}
		})
	}
}
