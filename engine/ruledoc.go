package engine

import (
	"reflect"
	"strings"
)

// The shapes of rule files, rule-test files and the scale file, declared
// once as Go types.
//
// The loaders read the files node by node, to report every problem at its
// line and column, but they take the keys they know from these types
// (ruleKeys, testKeys...), so a key exists for the loader exactly when it
// exists here. The JSON Schemas that editors use (RuleFileSchema,
// RuleTestFileSchema, in ruleschema.go) are generated from these types and
// from the Course and Position types that inline test fixtures decode into.
//
// Struct tags: yaml names the key; doc is the description an editor shows;
// required:"true" marks a key every such mapping must have. A type with a
// shape that a struct cannot say (a string or a list, a map from codes to
// levels) describes itself with a jsonSchema method.

// ruleFileDoc is a rule file.
type ruleFileDoc struct {
	Rules []ruleDoc `yaml:"rules" doc:"The rules of this file."`
	Lint  *lintDoc  `yaml:"lint" doc:"Lint findings to silence in every rule of this file, and in the findings about records (positions with no requirement), with the reason."`
}

// ruleDoc is one rule.
type ruleDoc struct {
	ID          ruleID      `yaml:"id" required:"true" doc:"The rule's id, unique across the rule set: letters, digits, dashes, underscores or dots, starting with a letter or digit."`
	Description string      `yaml:"description" doc:"What the rule means, in a sentence: shown by explain and beside every fact the rule gives."`
	Course      string      `yaml:"course" doc:"The condition of a course rule, an expr expression over course (code, title, description, objectives, topics, hours, deliveryMode, provider, status, prerequisites, level) with the helpers mentions(...) and hasTopic(...)."`
	Position    string      `yaml:"position" doc:"The condition of a position rule, an expr expression over position (id, title, organization, grade, category, keyBillet, region) with the helper gradeAtLeast(...)."`
	Covers      yieldMap    `yaml:"covers" doc:"What a course rule gives: sub-competencies (4.C), ranges (1.A-1.E) or whole competencies (1.*) mapped to a level of the scale, or to tier (the course's catalogue tier)."`
	Requires    yieldMap    `yaml:"requires" doc:"What a position rule gives: sub-competencies (4.C), ranges (1.A-1.E) or whole competencies (1.*) mapped to a level of the scale."`
	Exclude     excludeSpec `yaml:"exclude" doc:"Makes the rule an exclusion: true removes every fact of the records it matches, a list of codes only those."`
	Lint        *lintDoc    `yaml:"lint" doc:"Lint findings to silence on this rule, with the reason."`
}

// lintDoc silences lint findings.
type lintDoc struct {
	Ignore []lintCode `yaml:"ignore" required:"true" doc:"The codes of the findings to silence (see cmap rules lint -h)."`
	Reason string     `yaml:"reason" required:"true" doc:"Why the findings are expected: a silence without a reason is refused."`
}

// ruleTestFileDoc is a rule-test file (*_test.yaml).
type ruleTestFileDoc struct {
	Tests []ruleTestDoc `yaml:"tests" doc:"The tests of this file."`
}

// ruleTestDoc is one rule test.
type ruleTestDoc struct {
	Name     string          `yaml:"name" required:"true" doc:"The test's name, unique in its file; --run selects tests by it."`
	Course   courseFixture   `yaml:"course" doc:"The course the test evaluates: the code of a course of the sample catalogue, or a course written inline."`
	Position positionFixture `yaml:"position" doc:"The position the test evaluates: the id of a position of the sample catalogue, or a position written inline."`
	Expect   levelMap        `yaml:"expect" doc:"The facts expected, each at exactly that level: codes (4.C), ranges (1.A-1.E) or whole competencies (1.*) mapped to a level of the scale."`
	Absent   []codeSpec      `yaml:"absent" doc:"The codes, ranges or competencies expected to get no fact."`
}

// scaleFileDoc is the scale file (ScaleFile at the root of a rule
// directory).
type scaleFileDoc struct {
	Name   string      `yaml:"name" doc:"The scale's name, shown beside levels (e.g. Security Cooperation proficiency)."`
	Levels scaleLevels `yaml:"levels" required:"true" doc:"The levels of the scale, lowest first: rules name levels by these names (in any case), and levels compare by their place here, never alphabetically."`
}

// Value types with a shape of their own (see ruleschema.go for their
// schemas).
type (
	// ruleID is a rule's id.
	ruleID string
	// codeSpec is a sub-competency, a range or a whole competency.
	codeSpec string
	// levelMap maps code specs to levels of the scale.
	levelMap map[codeSpec]string
	// yieldMap maps code specs to levels of the scale, or to tier.
	yieldMap map[codeSpec]string
	// excludeSpec is true, or a list of code specs.
	excludeSpec struct{}
	// scaleLevels are the levels of a scale, lowest first.
	scaleLevels []string
	// lintCode is the code of a lint check.
	lintCode string
	// courseFixture is a seeded course's code, or a Course.
	courseFixture struct{}
	// positionFixture is a seeded position's id, or a Position.
	positionFixture struct{}
)

// The keys the loaders know, from the types above.
var (
	ruleFileKeys     = docKeys[ruleFileDoc]()
	ruleKeys         = docKeys[ruleDoc]()
	lintKeys         = docKeys[lintDoc]()
	ruleTestFileKeys = docKeys[ruleTestFileDoc]()
	testKeys         = docKeys[ruleTestDoc]()
	scaleFileKeys    = docKeys[scaleFileDoc]()
)

// docKeys returns the YAML keys of the fields of struct T, in field order.
func docKeys[T any]() []string {
	t := reflect.TypeFor[T]()
	var keys []string
	for i := range t.NumField() {
		if k := yamlKey(t.Field(i)); k != "" {
			keys = append(keys, k)
		}
	}
	return keys
}

// yamlKey returns the key of a struct field in YAML: its yaml tag's name,
// or "" for a field YAML leaves out.
func yamlKey(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
	if name == "-" || !f.IsExported() {
		return ""
	}
	if name == "" {
		return strings.ToLower(f.Name[:1]) + f.Name[1:]
	}
	return name
}
