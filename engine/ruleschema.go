package engine

import (
	"cmap/domain"
	"encoding/json"
	"reflect"
	"strings"
)

// JSON Schemas of rule files, rule-test files and the scale file, for
// editors (the YAML language server reads a file's schema from a modeline
// comment, "# yaml-language-server: $schema=URL"). They are generated
// from the types of ruledoc.go, which the loaders take their keys from,
// and from Course and Position, which inline test fixtures decode into.
// cmap serve serves them at /schema/rules.json, /schema/rule-tests.json
// and /schema/scale.json, and they are committed under schema/ (`go test
// -run TestSchemasAreGenerated -update .` rewrites them; the test fails
// when they differ).
//
// They are written in draft-07, the draft the YAML language server
// (redhat-developer/yaml-language-server, behind VS Code's YAML
// extension and most editors' YAML support) validates in full; its support
// of 2019-09 and 2020-12 is partial.
//
// A schema checks the shape of a file: keys, types, the form of codes and
// ids, one condition per rule. What needs the competency model or the
// scale (does 4.Z exist, is Master a level) is left to `cmap rules
// check`: levels are only suggested, from the default scale.

// SchemaDraft is the JSON Schema draft of RuleFileSchema and
// RuleTestFileSchema.
const SchemaDraft = "http://json-schema.org/draft-07/schema#"

// RuleFileSchema returns the JSON Schema of rule files, indented JSON.
func RuleFileSchema() []byte {
	return schemaDocument[ruleFileDoc]("cmap rule file",
		"A file of cmap rules: course rules (course: a condition, covers: what it gives) and position rules (position:, requires:). See cmap rules check -h.")
}

// RuleTestFileSchema returns the JSON Schema of rule-test files
// (*_test.yaml), indented JSON.
func RuleTestFileSchema() []byte {
	return schemaDocument[ruleTestFileDoc]("cmap rule tests",
		"Tests of cmap rules: a course or position, the facts expected and those expected absent. See cmap rules test -h.")
}

// ScaleFileSchema returns the JSON Schema of the scale file (ScaleFile),
// indented JSON.
func ScaleFileSchema() []byte {
	return schemaDocument[scaleFileDoc]("cmap proficiency scale",
		"The proficiency scale of a cmap rule directory (scale.yaml at its root): its name and levels, lowest first. See cmap rules check -h.")
}

func schemaDocument[T any](title, description string) []byte {
	s := schemaOf(reflect.TypeFor[T]())
	s["$schema"] = SchemaDraft
	s["title"] = title
	s["description"] = description
	out, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		panic(err) // maps of strings, bools and numbers always marshal
	}
	return append(out, '\n')
}

// schemaShaper is a type that gives its own schema.
type schemaShaper interface{ jsonSchema() map[string]any }

// schemaConstrainer is a struct type that adds constraints across its
// keys to its schema (under allOf).
type schemaConstrainer interface{ schemaConstraints() []any }

var (
	shaperType      = reflect.TypeFor[schemaShaper]()
	constrainerType = reflect.TypeFor[schemaConstrainer]()
)

// schemaOf returns the schema of values of t: a struct is an object of
// its YAML keys, no others.
func schemaOf(t reflect.Type) map[string]any {
	if t.Implements(shaperType) {
		return reflect.Zero(t).Interface().(schemaShaper).jsonSchema()
	}
	switch t.Kind() {
	case reflect.Pointer:
		return schemaOf(t.Elem())
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.Int, reflect.Int32, reflect.Int64:
		return map[string]any{"type": "integer"}
	case reflect.Slice:
		return map[string]any{"type": "array", "items": schemaOf(t.Elem())}
	case reflect.Struct:
		props := map[string]any{}
		var required []string
		for i := range t.NumField() {
			f := t.Field(i)
			key := yamlKey(f)
			if key == "" {
				continue
			}
			p := schemaOf(f.Type)
			if doc := f.Tag.Get("doc"); doc != "" {
				p["description"] = doc
			}
			props[key] = p
			if f.Tag.Get("required") == "true" {
				required = append(required, key)
			}
		}
		s := map[string]any{"type": "object", "properties": props, "additionalProperties": false}
		if len(required) > 0 {
			s["required"] = required
		}
		if t.Implements(constrainerType) {
			s["allOf"] = reflect.Zero(t).Interface().(schemaConstrainer).schemaConstraints()
		}
		return s
	}
	panic("engine: no JSON Schema for " + t.String())
}

// requiredKey is the schema of an object that has key.
func requiredKey(key string) map[string]any { return map[string]any{"required": []string{key}} }

// schemaConstraints: a rule has one condition, course: or position:; a
// course rule yields with covers:, a position rule with requires:; a rule
// yields or excludes.
func (ruleDoc) schemaConstraints() []any {
	forbid := func(key string) map[string]any {
		return map[string]any{"properties": map[string]any{key: false}}
	}
	return []any{
		map[string]any{"oneOf": []any{requiredKey("course"), requiredKey("position")}},
		map[string]any{"if": requiredKey("course"), "then": forbid("requires")},
		map[string]any{"if": requiredKey("position"), "then": forbid("covers")},
		map[string]any{"anyOf": []any{requiredKey("covers"), requiredKey("requires"), requiredKey("exclude")}},
	}
}

// schemaConstraints: a test has one subject and expects something.
func (ruleTestDoc) schemaConstraints() []any {
	return []any{
		map[string]any{"oneOf": []any{requiredKey("course"), requiredKey("position")}},
		map[string]any{"anyOf": []any{requiredKey("expect"), requiredKey("absent")}},
	}
}

// unanchored returns a regular expression without its ^ and $.
func unanchored(pattern string) string {
	return strings.TrimSuffix(strings.TrimPrefix(pattern, "^"), "$")
}

func (ruleID) jsonSchema() map[string]any {
	return map[string]any{"type": "string", "pattern": ruleIDRe.String()}
}

func (codeSpec) jsonSchema() map[string]any {
	return map[string]any{
		"type": "string",
		"pattern": "^(" + unanchored(domain.SubCompetencyCodePattern.String()) + "|" + unanchored(rangeSpec.String()) +
			"|" + unanchored(competencySpec.String()) + ")$",
		"description": "A sub-competency (4.C), a range within one competency (1.A-1.E) or a whole competency (1.* or 1.0).",
	}
}

// levelSchema is a level of the scale, with the default scale's levels
// (and more) as suggestions.
func levelSchema(more ...string) map[string]any {
	return map[string]any{
		"type":        "string",
		"minLength":   1,
		"examples":    append(domain.DefaultScale().Levels, more...),
		"description": "A level of the scale in scale.yaml (by default " + strings.Join(domain.DefaultScale().Levels, " < ") + ").",
	}
}

func (levelMap) jsonSchema() map[string]any {
	return map[string]any{
		"type":                 "object",
		"propertyNames":        codeSpec("").jsonSchema(),
		"additionalProperties": levelSchema(),
		"minProperties":        1,
	}
}

func (yieldMap) jsonSchema() map[string]any {
	level := levelSchema(TierLevel)
	level["description"] = level["description"].(string) + " In covers:, tier is the course's catalogue tier."
	return map[string]any{
		"type":                 "object",
		"propertyNames":        codeSpec("").jsonSchema(),
		"additionalProperties": level,
		"minProperties":        1,
	}
}

func (excludeSpec) jsonSchema() map[string]any {
	return map[string]any{"anyOf": []any{
		map[string]any{"type": "boolean"},
		map[string]any{"type": "array", "items": codeSpec("").jsonSchema(), "minItems": 1},
	}}
}

// jsonSchema: at least one level, each a non-empty name, none twice and
// none tier (rules use it for the course's tier). Levels compare without
// case, which a schema cannot say: Basic and basic twice is left to
// cmap rules check.
func (scaleLevels) jsonSchema() map[string]any {
	return map[string]any{
		"type":        "array",
		"minItems":    1,
		"uniqueItems": true,
		"items": map[string]any{
			"type":      "string",
			"minLength": 1,
			"not":       map[string]any{"pattern": caseless(TierLevel)},
		},
		"examples": []any{domain.DefaultScale().Levels},
	}
}

// caseless returns a pattern that matches word in any case, in the
// syntax of ECMA-262, which schemas use (it has no (?i)): [Tt][Ii]...
func caseless(word string) string {
	var b strings.Builder
	b.WriteString("^")
	for _, r := range word {
		b.WriteString("[" + strings.ToUpper(string(r)) + strings.ToLower(string(r)) + "]")
	}
	b.WriteString("$")
	return b.String()
}

func (lintCode) jsonSchema() map[string]any {
	var codes []string
	for _, c := range LintChecks {
		if c.Code != LintUnusedIgnore {
			codes = append(codes, string(c.Code))
		}
	}
	return map[string]any{"type": "string", "enum": codes}
}

func (courseFixture) jsonSchema() map[string]any {
	return map[string]any{"anyOf": []any{
		map[string]any{"type": "string", "pattern": domain.CourseCodePattern.String(), "description": "The code of a course of the sample catalogue."},
		schemaOf(reflect.TypeFor[domain.Course]()),
	}}
}

func (positionFixture) jsonSchema() map[string]any {
	return map[string]any{"anyOf": []any{
		map[string]any{"type": "string", "pattern": domain.IDPattern.String(), "description": "The id of a position of the sample catalogue."},
		schemaOf(reflect.TypeFor[domain.Position]()),
	}}
}
