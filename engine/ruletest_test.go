package engine

import (
	"cmap/domain"
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"

	"cmap/diag"
)

// mapFixtures is a Fixtures over maps.
type mapFixtures struct {
	courses   map[string]*domain.Course
	positions map[string]*domain.Position
}

func (m mapFixtures) Course(code string) (*domain.Course, bool) {
	c, ok := m.courses[code]
	return c, ok
}

func (m mapFixtures) Position(id string) (*domain.Position, bool) {
	p, ok := m.positions[id]
	return p, ok
}

const runnerRules = `rules:
  - id: estimating
    course: mentions("price and availability")
    covers: {4.C: tier}
  - id: senior
    position: gradeAtLeast("GS-13")
    requires: {1.A-1.B: Advanced}
  - id: never-tested
    position: position.region == "MARS"
    requires: {9.D: Basic}
`

func TestRunTests(t *testing.T) {
	files := map[string]string{
		"rules.yaml": runnerRules,
		"rules_test.yaml": `tests:
  - name: inline course at its tier
    course:
      code: SCM-201
      title: Price and Availability
    expect: {4.C: Intermediate}
  - name: seeded course, wrong level expected
    course: SCM-301
    expect: {4.C: Basic, 4.D: Basic}
    absent: [4.*]
  - name: seeded position
    position: POS-1
    expect: {1.*: Advanced}
`,
	}
	rs := mustLoad(t, files)
	fixtures := mapFixtures{
		courses:   map[string]*domain.Course{"SCM-301": {Code: "SCM-301", Objectives: []string{"Give price and availability data."}, Status: domain.CourseActive}},
		positions: map[string]*domain.Position{"POS-1": {ID: "POS-1", Grade: "GS-14"}},
	}
	report, err := rs.RunTests(ruleFS(files), "rules", TestOptions{Fixtures: fixtures})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range report.Results {
		got = append(got, r.File+":"+strconv.Itoa(r.Line)+" "+r.Name+" "+r.Subject+" passed="+map[bool]string{true: "yes", false: "no"}[r.Passed])
		for _, f := range r.Failures {
			got = append(got, "  "+f)
		}
	}
	want := []string{
		"rules/rules_test.yaml:2 inline course at its tier course SCM-201 passed=yes",
		"rules/rules_test.yaml:7 seeded course, wrong level expected course SCM-301 passed=no",
		"  4.C: expected Basic, got Advanced (rules: estimating)",
		"  4.D: expected Basic, got nothing",
		"  4.C: expected absent, got Advanced (rules: estimating)",
		"rules/rules_test.yaml:11 seeded position position POS-1 passed=no",
		"  1.C: expected Advanced, got nothing",
		"  1.D: expected Advanced, got nothing",
		"  1.E: expected Advanced, got nothing",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if report.Passed != 1 || report.Failed != 2 {
		t.Errorf("passed %d, failed %d; want 1, 2", report.Passed, report.Failed)
	}
	// Each test is timed; the run takes at least as long as its tests.
	var sum time.Duration
	for _, r := range report.Results {
		if r.Duration <= 0 {
			t.Errorf("%s: duration %v", r.Name, r.Duration)
		}
		sum += r.Duration
	}
	if report.Duration < sum {
		t.Errorf("the run took %v, its tests %v", report.Duration, sum)
	}
	if len(report.Unexercised) != 1 || report.Unexercised[0] != (domain.RuleRef{ID: "never-tested", File: "rules/rules.yaml", Line: 8}) {
		t.Errorf("unexercised %v, want never-tested", report.Unexercised)
	}

	report, err = rs.RunTests(ruleFS(files), "rules", TestOptions{Fixtures: fixtures, Run: regexp.MustCompile("^inline")})
	if err != nil {
		t.Fatal(err)
	}
	if report.Passed != 1 || report.Failed != 0 || len(report.Unexercised) != 2 {
		t.Errorf("--run: passed %d, failed %d, unexercised %v", report.Passed, report.Failed, report.Unexercised)
	}
}

func TestRunTestsReportsBadTestFiles(t *testing.T) {
	files := map[string]string{
		"rules.yaml": runnerRules,
		"a_test.yaml": `tests:
  - name: unknown seed and field
    course: SCM-999
    expect: {4.C: Basic}
  - name: inline with a typo
    course:
      code: SCM-101
      titel: x
    expect: {4.Q: Basic, 4.C: Expret}
  - name: two subjects
    course: {code: SCM-101}
    position: {id: P}
    absent: [4.C]
  - course: {code: SCM-101}
    tests: 1
`,
	}
	rs := mustLoad(t, files)
	_, err := rs.RunTests(ruleFS(files), "rules", TestOptions{Fixtures: mapFixtures{}})
	want := `rules/a_test.yaml:3:13: no seeded course "SCM-999"
rules/a_test.yaml:8:7: course: unknown field "titel"
rules/a_test.yaml:9:14: unknown sub-competency 4.Q
rules/a_test.yaml:9:31: unknown level "Expret" (the scale has Basic, Intermediate, Advanced, Expert)
rules/a_test.yaml:10:5: test "two subjects" needs exactly one of course: and position:
rules/a_test.yaml:14:5: test "" expects nothing: give expect: or absent:
rules/a_test.yaml:14:5: test has no name
rules/a_test.yaml:15:5: unknown key "tests" in a test (known: name, course, position, expect, absent)`
	l := diag.AsList(err)
	if l == nil || l.Error() != want {
		t.Errorf("got:\n%v\nwant:\n%s", err, want)
	}
	// With no Fixtures at all, a seeded key is reported the same way.
	_, err = rs.RunTests(ruleFS(files), "rules", TestOptions{})
	if l := diag.AsList(err); l == nil || l.Error() != want {
		t.Errorf("without fixtures got:\n%v\nwant:\n%s", err, want)
	}
}

func TestTermMatching(t *testing.T) {
	terms := newTermTable()
	ids := map[string]int{}
	for _, p := range []string{"price and availability", "End-Use", "arms", "u.s. industry", "letter of offer and acceptance data", "letter of offer",
		"Zoll-Überprüfung", "défense", "übung"} {
		ids[p] = terms.add(phraseTerm, p)
	}
	ids["topic:ppbe"] = terms.add(topicTerm, "PPBE")
	if terms.add(phraseTerm, " -- ") != -1 {
		t.Error("a phrase with no words got an id")
	}
	c := &domain.Course{
		Title:       "PRICE and   availability; end use",
		Description: "Harms nobody. Working with U.S. industry. ZOLL ÜBERPRÜFUNG; Défense—Übungen",
		Objectives:  []string{"Draft a letter of offer", "and acceptance data"},
		Topics:      []string{" ppbe "},
	}
	set := terms.newSet()
	terms.match(set, c, new(textScratch))
	for phrase, want := range map[string]bool{
		"price and availability": true, "End-Use": true, "arms": false, "u.s. industry": true,
		"letter of offer and acceptance data": false, // split across two objectives
		"letter of offer":                     true, "topic:ppbe": true,
		"Zoll-Überprüfung": true, "défense": true, "übung": false,
	} {
		if got := set.has(ids[phrase]); got != want {
			t.Errorf("%q: matched %v, want %v", phrase, got, want)
		}
	}
}

// The phrase matcher finds a phrase exactly where its words occur in a
// row among the words of the text, checked here against that definition
// on random text: phrases that share words and prefixes, any case,
// punctuation, non-ASCII letters (some of which change when lower-cased),
// invalid UTF-8.
func TestPhraseMatcherFindsWordsInARow(t *testing.T) {
	vocab := []string{"a", "b", "ab", "ba", "aa", "end", "use", "Ü", "über", "ÜBER", "İx", "ß", "x9", "9"}
	seps := []string{" ", "  ", "-", ", ", ".", "—", "\xff", "\t", "İ"}
	rng := rand.New(rand.NewPCG(7, 7))
	phrase := func(n int) string {
		ws := make([]string, n)
		for i := range ws {
			ws[i] = vocab[rng.IntN(len(vocab))]
		}
		return strings.Join(ws, seps[rng.IntN(3)])
	}
	terms := newTermTable()
	var phrases []string
	for range 40 {
		p := phrase(1 + rng.IntN(3))
		if id := terms.add(phraseTerm, p); id == len(phrases) {
			phrases = append(phrases, p)
		}
	}
	wordsOf := func(s string) []string {
		return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	}
	found := 0
	for range 2000 {
		var b strings.Builder
		for range rng.IntN(12) {
			b.WriteString(vocab[rng.IntN(len(vocab))])
			b.WriteString(seps[rng.IntN(len(seps))])
		}
		text := b.String()
		set := terms.newSet()
		terms.match(set, &domain.Course{Title: text}, new(textScratch))
		words := " " + strings.Join(wordsOf(text), " ") + " "
		for id, p := range phrases {
			want := strings.Contains(words, " "+strings.Join(wordsOf(p), " ")+" ")
			if set.has(id) != want {
				t.Fatalf("phrase %q in %q: matched %v, want %v", p, text, set.has(id), want)
			}
			if want {
				found++
			}
		}
	}
	if found == 0 {
		t.Fatal("no phrase ever matched: the test exercises nothing")
	}
}
