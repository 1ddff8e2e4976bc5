package engine

import (
	"strings"
	"testing"

	"cmap/diag"
)

// checkErrors loads files and returns the load error's diagnostics, one
// "file:line:col: message" per line.
func checkErrors(t *testing.T, files map[string]string) string {
	t.Helper()
	_, err := LoadRuleSetFS(ruleFS(files), "rules", testFramework())
	if err == nil {
		return ""
	}
	l := diag.AsList(err)
	if l == nil {
		t.Fatalf("load error carries no diagnostics: %v", err)
	}
	return l.Error()
}

// The acceptance case of the rules engine: a misspelled field, a wrong
// type and an unknown code give exactly three errors, each pointing at the
// offending characters.
func TestCheckPointsIntoTheRuleFile(t *testing.T) {
	src := `rules:
  - id: estimating
    course: mentions("price and availability") && course.hourz > 8
    covers: {4.C: Intermediate}
  - id: long-courses
    course: course.hours > "forty"
    covers: {4.Z: Basic}
`
	_, err := LoadRuleSetFS(ruleFS(map[string]string{"courses/sales.yaml": src}), "rules", testFramework())
	l := diag.AsList(err)
	want := []string{
		"rules/courses/sales.yaml:3:58: unknown field course.hourz (did you mean course.hours?)\n" +
			" |     course: mentions(\"price and availability\") && course.hourz > 8\n" +
			" |                                                          ^",
		"rules/courses/sales.yaml:6:26: invalid operation: > (mismatched types float64 and string)\n" +
			" |     course: course.hours > \"forty\"\n" +
			" |                          ^",
		"rules/courses/sales.yaml:7:14: unknown sub-competency 4.Z\n" +
			" |     covers: {4.Z: Basic}\n" +
			" |              ^",
	}
	if len(l) != len(want) {
		t.Fatalf("got %d diagnostics, want %d:\n%v", len(l), len(want), err)
	}
	for i, d := range l {
		if got := d.Error() + "\n" + d.Snippet; got != want[i] {
			t.Errorf("diagnostic %d:\ngot:\n%s\nwant:\n%s", i, got, want[i])
		}
	}
}

func TestCheck(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  string
	}{
		{
			name:  "YAML syntax",
			files: map[string]string{"a.yaml": "rules:\n  - id: a\n    course: [x\n"},
			want:  "rules/a.yaml:3:13: YAML: sequence end token ']' not found",
		},
		{
			name:  "two documents, reported at the second one's marker",
			files: map[string]string{"a.yaml": "rules: []\n---\nrules: []\n"},
			want:  "rules/a.yaml:2:1: a rule file holds one YAML document",
		},
		{
			name:  "columns count characters, not bytes",
			files: map[string]string{"a.yaml": "rules:\n  - {id: r, description: «ça», course: \"true\", covrs: {1.A: Basic}}\n"},
			want: `rules/a.yaml:2:5: rule "r" yields nothing: give covers: {CODE: LEVEL} or exclude: true
rules/a.yaml:2:48: unknown key "covrs" in a rule (known: id, description, course, position, covers, requires, exclude, lint)`,
		},
		{
			name: "unknown keys, missing id, condition and yield",
			files: map[string]string{"a.yaml": `rules:
  - description: no id
    cover: {1.A: Basic}
  - id: b
    course: "true"
rulez: []
`},
			want: `rules/a.yaml:2:5: rule has no condition: give course: (what courses it covers) or position: (what positions it requires)
rules/a.yaml:2:5: rule has no id
rules/a.yaml:3:5: unknown key "cover" in a rule (known: id, description, course, position, covers, requires, exclude, lint)
rules/a.yaml:4:5: rule "b" yields nothing: give covers: {CODE: LEVEL} or exclude: true
rules/a.yaml:6:1: unknown key "rulez" in a rule file (known: rules, lint)`,
		},
		{
			name: "both kinds, the wrong yield key, unknown level, bad ranges",
			files: map[string]string{"a.yaml": `rules:
  - id: a
    course: "true"
    position: "true"
    covers: {1.A: Basic}
  - id: b
    position: position.keyBillet
    covers: {1.E-1.A: Expret, 1.A-2.B: Basic, 10.*: Basic, 1.F: Basic, x: Basic}
`},
			want: `rules/a.yaml:4:5: a rule has one condition: course: or position:, not both (a rule is about courses or about positions)
rules/a.yaml:8:5: a position rule yields with requires:, not covers:
rules/a.yaml:8:14: range 1.E-1.A is backwards: write 1.A-1.E
rules/a.yaml:8:23: unknown level "Expret" (the scale has Basic, Intermediate, Advanced, Expert)
rules/a.yaml:8:31: range 1.A-2.B spans competencies: a range stays within one (1.0)
rules/a.yaml:8:47: unknown competency 10.0
rules/a.yaml:8:60: unknown sub-competency 1.F
rules/a.yaml:8:72: "x" is not a sub-competency (4.C), a range within one competency (1.A-1.E) or a whole competency (1.* or 1.0)`,
		},
		{
			name:  "a rule id states its rule",
			files: map[string]string{"a.yaml": "rules:\n  - id: -dash-first\n    course: \"true\"\n    covers: {1.A: Basic}\n  - id: has space\n    course: \"true\"\n    covers: {1.B: Basic}\n"},
			want: `rules/a.yaml:2:9: rule id "-dash-first": letters, digits, dashes, underscores or dots, starting with a letter or digit
rules/a.yaml:5:9: rule id "has space": letters, digits, dashes, underscores or dots, starting with a letter or digit`,
		},
		{
			name: "duplicate ids point at the second and name the first",
			files: map[string]string{
				"a.yaml": "rules:\n  - id: same\n    course: \"true\"\n    covers: {1.A: Basic}\n",
				"b.yaml": "rules:\n  - id: same\n    course: \"true\"\n    covers: {1.B: Basic}\n",
			},
			want: `rules/b.yaml:2:9: duplicate rule id "same" (first defined at rules/a.yaml:2)`,
		},
		{
			name: "never fires, not boolean, unknown level literal, grades as strings",
			files: map[string]string{"a.yaml": `rules:
  - id: never
    course: course.hours > 10 && 1 > 2
    covers: {1.A: Basic}
  - id: number
    course: course.hours
    covers: {1.A: Basic}
  - id: level
    course: course.level >= "Advnced" || course.level in ["Basic"]
    covers: {1.A: Basic}
  - id: grade
    position: position.grade >= "GS-13"
    requires: {1.A: Basic}
`},
			want: `rules/a.yaml:3:13: rule "never" can never fire: its condition is always false
rules/a.yaml:6:13: expected bool, but got float64
rules/a.yaml:9:29: unknown level "Advnced" (the scale has Basic, Intermediate, Advanced, Expert)
rules/a.yaml:9:42: course.level can only be compared with a level name, e.g. course.level >= "Intermediate"
rules/a.yaml:12:15: compare grades with gradeAtLeast("GS-13"): compared as strings, GS-9 would rank above GS-13`,
		},
		{
			name: "helpers take literals of their own kind",
			files: map[string]string{"a.yaml": `rules:
  - id: a
    course: mentions(course.title) || gradeAtLeast("GS-13")
    covers: {1.A: Basic}
  - id: b
    position: mentions("x") || gradeAtLeast("GS13")
    requires: {1.A: Basic}
`},
			want: `rules/a.yaml:3:22: mentions() takes string literals (they are known when the rules load)
rules/a.yaml:3:39: gradeAtLeast() is a helper of position rules, and this is a course rule
rules/a.yaml:6:15: mentions() is a helper of course rules, and this is a position rule
rules/a.yaml:6:45: "GS13" is not a grade (a pay plan (GS, O, E, W, SES, GG or NH), a dash and a 1- or 2-digit number: GS-13, O-5)`,
		},
		{
			name: "block and quoted scalars map expr positions to the file",
			files: map[string]string{"a.yaml": `rules:
  - id: literal
    course: |
      course.hours > 3 &&
        course.titel == "x"
    covers: {1.A: Basic}
  - id: folded
    course: >-
      course.hours > 3
      && course.statuss == "x"
    covers: {1.A: Basic}
  - id: quoted
    course: "course.hours > 3 && \"a\" == course.codee"
    covers: {1.A: Basic}
  - id: single
    course: 'course.code == ''x'' && course.provder == ''y'''
    covers: {1.A: Basic}
`},
			want: `rules/a.yaml:5:16: unknown field course.titel (did you mean course.title?)
rules/a.yaml:10:17: unknown field course.statuss (did you mean course.status?)
rules/a.yaml:13:50: unknown field course.codee (did you mean course.code?)
rules/a.yaml:16:45: unknown field course.provder (did you mean course.provider?)`,
		},
		{
			name: "tier is for course rules; exclusions yield nothing else",
			files: map[string]string{"a.yaml": `rules:
  - id: a
    position: "true"
    requires: {1.A: tier}
  - id: b
    course: "true"
    covers: {1.A: Basic}
    exclude: true
  - id: c
    course: "true"
    exclude: [1.Q]
`},
			want: `rules/a.yaml:4:21: rule "a": only course rules can yield at the course's tier; give a level of the scale (Basic, Intermediate, Advanced, Expert)
rules/a.yaml:8:14: rule "b" both excludes and yields: an exclusion rule has no covers: or requires:
rules/a.yaml:11:15: unknown sub-competency 1.Q`,
		},
		{
			name: "scale file",
			files: map[string]string{
				"scale.yaml": "name: S\nlevels: [Low, low]\ncolour: red\n",
				"a.yaml":     "rules:\n  - id: a\n    course: \"true\"\n    covers: {1.A: Low}\n",
			},
			want: `rules/scale.yaml:2:9: duplicate level "low"
rules/scale.yaml:3:1: unknown key "colour" in the scale file (known: name, levels)`,
		},
		{
			name: "a clean set",
			files: map[string]string{
				"courses/a.yaml": "rules:\n  - id: a\n    course: mentions(\"x\") && course.level >= \"Intermediate\"\n    covers: {1.*: tier}\n",
				"a_test.yaml":    "this is not even checked by a load: tests are run by RunTests",
			},
			want: "",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Twice: loading is deterministic.
			for range 2 {
				if got := checkErrors(t, tt.files); got != tt.want {
					t.Errorf("got:\n%s\nwant:\n%s", got, tt.want)
				}
			}
		})
	}
}

func TestRevision(t *testing.T) {
	files := map[string]string{"a.yaml": "rules:\n  - id: a\n    course: \"true\"\n    covers: {1.A: Basic}\n"}
	a, b := mustLoad(t, files), mustLoad(t, files)
	if a.Revision() != b.Revision() || len(a.Revision()) != 12 {
		t.Errorf("revisions %q and %q: want equal, 12 hex digits", a.Revision(), b.Revision())
	}
	files["a.yaml"] = strings.Replace(files["a.yaml"], "Basic", "Expert", 1)
	if c := mustLoad(t, files); c.Revision() == a.Revision() {
		t.Errorf("revision %q did not change with the rules", c.Revision())
	}
	files["a_test.yaml"] = "tests: []\n"
	if d := mustLoad(t, files); d.Revision() == a.Revision() {
		t.Errorf("revision changed by a test file")
	}
}

func TestRulesAccessors(t *testing.T) {
	rs := mustLoad(t, map[string]string{
		"scale.yaml": "name: Three\nlevels: [Low, Mid, High]\n",
		"b.yaml":     "rules:\n  - id: b\n    description: B.\n    position: position.keyBillet\n    requires: {1.B-1.C: High}\n",
		"a.yaml":     "rules:\n  - id: a\n    course: \"true\"\n    covers: {1.C: mid, 1.A: Low}\n",
	})
	if got := rs.Scale().Levels; strings.Join(got, ",") != "Low,Mid,High" {
		t.Errorf("scale levels %v", got)
	}
	var got []string
	for _, r := range rs.Rules() {
		got = append(got, r.ID+"@"+r.File+":"+string(r.Kind))
	}
	if strings.Join(got, " ") != "a@rules/a.yaml:course b@rules/b.yaml:position" {
		t.Errorf("rules %v", got)
	}
	a := rs.Rule("a")
	if len(a.Yields) != 2 || a.Yields[0] != (Yield{"1.A", "Low"}) || a.Yields[1] != (Yield{"1.C", "Mid"}) {
		t.Errorf("yields of a: %v, want 1.A Low, 1.C Mid (framework order, canonical names)", a.Yields)
	}
	if b := rs.Rule("b"); b.fields != 1<<5 || b.Line != 2 || b.Description != "B." {
		t.Errorf("rule b: fields %b, line %d, description %q", b.fields, b.Line, b.Description)
	}
	if rs.Rule("nope") != nil {
		t.Error("Rule of an unknown id is not nil")
	}
}
