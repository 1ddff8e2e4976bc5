package engine

import (
	"cmap/domain"
	"reflect"
	"strings"
	"testing"

	"cmap/diag"
)

// revisedFramework returns testFramework revised: 1.E retired, 2.D moved
// to a new 2.E, 3.A reworded.
func revisedFramework() *domain.Framework {
	fw := testFramework()
	fw.Competencies[0].SubCompetencies = fw.Competencies[0].SubCompetencies[:4]
	fw.Competencies[1].SubCompetencies[3].Code = "2.E"
	fw.Competencies[2].SubCompetencies[0].Statement = "Do A, reworded"
	return fw
}

// secondRevision returns revisedFramework as revision 2 of testFramework
// (revision 1), by the crosswalk that retires 1.E and moves 2.D to 2.E.
func secondRevision(t *testing.T) *domain.FrameworkRevision {
	t.Helper()
	first := testFramework()
	first.Revision = 1
	r2, err := domain.Revise(first, revisedFramework(), domain.Crosswalk{{Old: "1.E"}, {Old: "2.D", New: []string{"2.E"}}})
	if err != nil {
		t.Fatal(err)
	}
	return r2
}

func TestReviseNumbersTheRevisionAndCarriesFormerCodes(t *testing.T) {
	r2 := secondRevision(t)
	if r2.Number() != 2 {
		t.Errorf("revision %d, want 2", r2.Number())
	}
	want := []domain.FormerCode{{Code: "1.E", Revision: 2}, {Code: "2.D", Revision: 2, Successors: []string{"2.E"}}}
	if !reflect.DeepEqual(r2.Framework.Former, want) {
		t.Errorf("former codes of revision 2 = %+v, want %+v", r2.Framework.Former, want)
	}

	// Revision 3 moves 2.E again: 2.D's successor follows it, and a code
	// that comes back (1.E) is no longer former.
	third := r2.Framework.Clone()
	third.Revision, third.Former = 0, nil
	third.Competencies[1].SubCompetencies[3].Code = "2.F"
	third.Competencies[0].SubCompetencies = append(third.Competencies[0].SubCompetencies, domain.SubCompetency{Code: "1.E", Statement: "Do E anew"})
	r3, err := domain.Revise(r2.Framework, third, domain.Crosswalk{{Old: "2.E", New: []string{"2.F"}}})
	if err != nil {
		t.Fatal(err)
	}
	want = []domain.FormerCode{{Code: "2.D", Revision: 2, Successors: []string{"2.F"}}, {Code: "2.E", Revision: 3, Successors: []string{"2.F"}}}
	if !reflect.DeepEqual(r3.Framework.Former, want) {
		t.Errorf("former codes of revision 3 = %+v, want %+v", r3.Framework.Former, want)
	}
	if got := want[0].Suggestion(); got != "2.D was retired in revision 2; the crosswalk maps it to 2.F" {
		t.Errorf("suggestion %q", got)
	}
	if got := (domain.FormerCode{Code: "1.E", Revision: 2}).Suggestion(); got != "1.E was retired in revision 2; the crosswalk maps it to nothing: drop it" {
		t.Errorf("suggestion %q", got)
	}
}

func TestCrosswalkCheckReportsEveryProblem(t *testing.T) {
	old, next := testFramework(), revisedFramework()
	old.Revision = 1
	cw := domain.Crosswalk{
		{Old: "1.Z", New: []string{"1.A"}},
		{Old: "2.D", New: []string{"2.E", "2.E"}},
		{Old: "2.D", New: []string{"2.Q"}},
		{Old: "3.0", New: []string{"3.A"}},
		{Old: "x"},
	}
	got := cw.Check(old, next)
	want := []domain.CrosswalkProblem{
		{Index: 0, Field: "old", Message: "1.Z is not a code of revision 1 (the model being replaced)"},
		{Index: 1, Field: "new[1]", Message: "2.E is given twice for 2.D"},
		{Index: 2, Field: "old", Message: "2.D is mapped twice (entries 2 and 3): list every code it becomes in one entry"},
		{Index: 2, Field: "new[0]", Message: "2.Q is not a code of the new revision"},
		{Index: 3, Field: "new[0]", Message: "competency 3.0 cannot become sub-competency 3.A"},
		{Index: 4, Field: "old", Message: `"x" is not a code of revision 1 (the model being replaced)`},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Check:\n got %+v\nwant %+v", got, want)
	}
	if err := cw.Validate(old, next); domain.ErrorCode(err) != domain.EINVALID || domain.ErrorField(err) != "crosswalk[0].old" {
		t.Errorf("Validate: %v (field %q)", err, domain.ErrorField(err))
	}
	if _, err := domain.Revise(old, next, cw); domain.ErrorField(err) != "crosswalk[0].old" {
		t.Errorf("Revise with a bad crosswalk: %v", err)
	}
	bad := revisedFramework()
	bad.Competencies[0].Title = ""
	if _, err := domain.Revise(old, bad, nil); domain.ErrorField(err) != "framework.competencies[0].title" {
		t.Errorf("Revise with a bad model: %v", err)
	}
}

func TestUnaccountedNamesTheUsesOfDroppedCodes(t *testing.T) {
	rs := mustLoad(t, map[string]string{
		"courses/a.yaml": "rules:\n  - id: a\n    course: \"true\"\n    covers: {1.E: Basic, 2.D: Basic, 3.A: Basic}\n",
	})
	uses := rs.CodeUses()
	if len(uses) != 3 || uses[0] != (domain.CodeUse{Code: "1.E", Rule: "a", Pos: diag.Pos{File: "rules/courses/a.yaml", Line: 4, Col: 14}}) {
		t.Fatalf("CodeUses = %+v", uses)
	}
	got := domain.Unaccounted(revisedFramework(), domain.Crosswalk{{Old: "2.D", New: []string{"2.E"}}}, uses)
	if len(got) != 1 || got[0].Code != "1.E" {
		t.Errorf("Unaccounted = %+v, want the use of 1.E alone", got)
	}
	if got := domain.Unaccounted(revisedFramework(), domain.Crosswalk{{Old: "1.E"}, {Old: "2.D", New: []string{"2.E"}}}, uses); len(got) != 0 {
		t.Errorf("Unaccounted with every dropped code mapped = %+v", got)
	}

	// 3.A moved to 3.E, and the new revision gives 3.A to another item:
	// the rule naming 3.A now names that item.
	next := revisedFramework()
	next.Competencies[2].SubCompetencies = append(next.Competencies[2].SubCompetencies, domain.SubCompetency{Code: "3.E", Statement: "Do A"})
	cw := domain.Crosswalk{{Old: "1.E"}, {Old: "2.D", New: []string{"2.E"}}, {Old: "3.A", New: []string{"3.E"}}}
	if got := domain.Reused(next, cw, uses); len(got) != 1 || got[0].Code != "3.A" {
		t.Errorf("Reused = %+v, want the use of 3.A alone", got)
	}
	if got := domain.Reused(next, cw[:2], uses); len(got) != 0 {
		t.Errorf("Reused with no code moved away = %+v", got)
	}
}

func TestRulesNamingFormerCodesLoadWithWarnings(t *testing.T) {
	r2 := secondRevision(t)
	files := map[string]string{
		"courses/a.yaml": `rules:
  - id: a
    course: "true"
    covers: {1.E: Basic, 2.D: Basic, 3.A: Basic}
  - id: b
    course: course.title == "x"
    exclude: [2.D]
  - id: c
    course: course.title == "y"
    covers: {1.A-1.E: Basic}
`,
	}
	rs, err := LoadRuleSetFS(ruleFS(files), "rules", r2.Framework)
	if err != nil {
		t.Fatal(err)
	}
	var msgs []string
	for _, d := range rs.Warnings() {
		msgs = append(msgs, d.Pos.String()+": "+d.Message)
	}
	want := []string{
		"rules/courses/a.yaml:4:14: 1.E is not in revision 2 of the competency model: 1.E was retired in revision 2; the crosswalk maps it to nothing: drop it",
		"rules/courses/a.yaml:4:26: 2.D is not in revision 2 of the competency model: 2.D was retired in revision 2; the crosswalk maps it to 2.E",
		"rules/courses/a.yaml:7:15: 2.D is not in revision 2 of the competency model: 2.D was retired in revision 2; the crosswalk maps it to 2.E",
		"rules/courses/a.yaml:10:14: 1.A-1.E names 1.A, 1.B, 1.C, 1.D only: 1.E is not in revision 2 of the competency model: 1.E was retired in revision 2; the crosswalk maps it to nothing: drop it",
	}
	if strings.Join(msgs, "\n") != strings.Join(want, "\n") {
		t.Errorf("warnings:\n%s\nwant:\n%s", strings.Join(msgs, "\n"), strings.Join(want, "\n"))
	}
	// What is left of each rule: a's other yield; no exclusion (b would
	// otherwise exclude everything); c's range without its former end.
	if a := rs.Rule("a"); len(a.Yields) != 1 || a.Yields[0].SubCompetency != "3.A" {
		t.Errorf("rule a yields %+v, want 3.A alone", a.Yields)
	}
	if rs.Rule("b") != nil {
		t.Error("rule b, whose exclude: list names only a former code, loaded")
	}
	if c := rs.Rule("c"); c == nil || len(c.Yields) != 4 || c.Yields[3].SubCompetency != "1.D" {
		t.Errorf("rule c: %+v", c)
	}

	// A code no revision had stays an error, in a range too.
	for spec, want := range map[string]string{"2.Q": "unknown sub-competency 2.Q", "1.E-1.Q": "in range 1.E-1.Q"} {
		files["courses/a.yaml"] = "rules:\n  - id: a\n    course: \"true\"\n    covers: {" + spec + ": Basic}\n"
		if _, err := LoadRuleSetFS(ruleFS(files), "rules", r2.Framework); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", spec, err, want)
		}
	}
}

// A rule test that names a former code fails to load, with the crosswalk's
// suggestion: it tests what the model no longer has.
func TestRuleTestsNamingFormerCodesAreErrors(t *testing.T) {
	r2 := secondRevision(t)
	files := map[string]string{
		"rules.yaml": "rules:\n  - id: a\n    course: \"true\"\n    covers: {2.E: Basic}\n",
		"a_test.yaml": `tests:
  - name: a covers the moved item
    course: {code: SCM-101}
    expect: {2.D: Basic}
`,
	}
	rs, err := LoadRuleSetFS(ruleFS(files), "rules", r2.Framework)
	if err != nil {
		t.Fatal(err)
	}
	_, err = rs.RunTests(ruleFS(files), "rules", TestOptions{})
	want := "rules/a_test.yaml:4:14: 2.D is not in revision 2 of the competency model: 2.D was retired in revision 2; the crosswalk maps it to 2.E"
	if l := diag.AsList(err); l == nil || l.Error() != want {
		t.Errorf("got:\n%v\nwant:\n%s", err, want)
	}
}
