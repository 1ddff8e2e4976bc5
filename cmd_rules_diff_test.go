package main

import (
	"cmap/domain"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"cmap/analysis"
	"cmap/engine"
	"cmap/ruleplan"
	"cmap/seed"
)

// narrowedRules copies the shipped rules into a temporary folder and
// narrows a phrase of one rule there: 7a-initial-assessment no longer
// takes the plural "initial assessments". It returns the folder.
func narrowedRules(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "rules")
	if err := os.CopyFS(dir, os.DirFS("rules")); err != nil {
		t.Fatal(err)
	}
	narrowRule(t, dir)
	return dir
}

// narrowRule narrows 7a-initial-assessment in the rule folder dir.
func narrowRule(t *testing.T, dir string) {
	t.Helper()
	f := filepath.Join(dir, "courses", "7-assessment-monitoring-evaluation.yaml")
	data, err := os.ReadFile(f)
	if err != nil {
		t.Fatal(err)
	}
	old := `mentions("initial assessment", "initial assessments")`
	if !strings.Contains(string(data), old) {
		t.Fatalf("%s no longer holds %s", f, old)
	}
	if err := os.WriteFile(f, []byte(strings.Replace(string(data), old, `mentions("initial assessment")`, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

// independentChanges derives both rule sets over the seeds and compares
// the results directly: the facts that differ ("course AME-201 7.A
// Intermediate -> "), the gaps that open or close at each level
// ("Intermediate +7.A"), the blocking demands that differ and the people
// whose gaps differ.
func independentChanges(t *testing.T, baseDir, headDir string) (facts, gaps, demand, people []string) {
	t.Helper()
	ds, err := seed.Load("seeds")
	if err != nil {
		t.Fatal(err)
	}
	courses, positions, persons := domain.Refs(ds.Courses), domain.Refs(ds.Positions), domain.Refs(ds.People)
	var derived [2]*engine.Derived
	var index [2]*analysis.Index
	for i, dir := range []string{baseDir, headDir} {
		rs, err := engine.LoadRuleSet(dir, ds.Framework)
		if err != nil {
			t.Fatal(err)
		}
		if derived[i], err = rs.DeriveAll(courses, positions); err != nil {
			t.Fatal(err)
		}
		index[i], err = analysis.Build(analysis.Snapshot{Framework: ds.Framework, Scale: rs.Scale(), Courses: courses, Positions: positions, People: persons,
			Coverage: derived[i].Coverage, Requirements: derived[i].Requirements})
		if err != nil {
			t.Fatal(err)
		}
	}
	levels := func(facts []domain.Coverage) map[string]string {
		m := map[string]string{}
		for _, f := range facts {
			m[f.SubCompetency] = f.Level
		}
		return m
	}
	for _, c := range courses {
		b, a := levels(derived[0].Coverage[c.Code]), levels(derived[1].Coverage[c.Code])
		for _, sub := range ds.Framework.SubCompetencyCodes() {
			if b[sub] != a[sub] {
				facts = append(facts, fmt.Sprintf("course %s %s %s -> %s", c.Code, sub, b[sub], a[sub]))
			}
		}
	}
	for _, p := range positions {
		b, a := map[string]string{}, map[string]string{}
		for _, r := range derived[0].Requirements[p.ID] {
			b[r.SubCompetency] = r.Level
		}
		for _, r := range derived[1].Requirements[p.ID] {
			a[r.SubCompetency] = r.Level
		}
		if !maps.Equal(a, b) {
			facts = append(facts, "position "+p.ID)
		}
	}
	for _, level := range domain.DefaultScale().Levels {
		var sets [2]map[string]bool
		for i, ix := range index {
			rep, err := ix.Gaps(level, 0)
			if err != nil {
				t.Fatal(err)
			}
			sets[i] = map[string]bool{}
			for _, u := range rep.Uncovered {
				sets[i][u.SubCompetency] = true
			}
		}
		for sub := range sets[1] {
			if !sets[0][sub] {
				gaps = append(gaps, level+" +"+sub)
			}
		}
		for sub := range sets[0] {
			if !sets[1][sub] {
				gaps = append(gaps, level+" -"+sub)
			}
		}
	}
	blocking := func(ix *analysis.Index) map[string]bool {
		m := map[string]bool{}
		for _, d := range ix.Demand() {
			for _, l := range d.Levels {
				if l.Blocking {
					m[d.SubCompetency+" "+l.Level] = true
				}
			}
		}
		return m
	}
	b, a := blocking(index[0]), blocking(index[1])
	for k := range a {
		if !b[k] {
			demand = append(demand, "+"+k)
		}
	}
	for k := range b {
		if !a[k] {
			demand = append(demand, "-"+k)
		}
	}
	for _, p := range persons {
		rb, err := index[0].Readiness(p.ID)
		if err != nil {
			t.Fatal(err)
		}
		ra, err := index[1].Readiness(p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(rb.Gaps, ra.Gaps) {
			people = append(people, p.ID)
		}
	}
	slices.Sort(facts)
	slices.Sort(gaps)
	slices.Sort(demand)
	slices.Sort(people)
	return facts, gaps, demand, people
}

func TestRulesDiffReportsWhatDerivingBothSetsChanges(t *testing.T) {
	head := narrowedRules(t)
	wantFacts, wantGaps, wantDemand, wantPeople := independentChanges(t, "rules", head)
	if len(wantFacts) == 0 || len(wantGaps) == 0 || len(wantDemand) == 0 || len(wantPeople) == 0 {
		t.Fatalf("the edit changes facts %v, gaps %v, demand %v, people %v: the test needs each to change", wantFacts, wantGaps, wantDemand, wantPeople)
	}

	code, stdout, stderr := runCmd(t, "rules", "diff", "rules", head, "--format", "json", "--people")
	if code != exitChanges {
		t.Fatalf("exit %d, want %d (changes); stderr:\n%s", code, exitChanges, stderr)
	}
	var plan ruleplan.Plan
	if err := json.Unmarshal([]byte(stdout), &plan); err != nil {
		t.Fatalf("%v\n%s", err, stdout)
	}
	var facts, gaps, demand, people []string
	for _, f := range plan.Facts {
		if f.Kind == engine.KindCourse {
			facts = append(facts, fmt.Sprintf("course %s %s %s -> %s", f.Subject, f.SubCompetency, f.Before, f.After))
		} else if !slices.Contains(facts, "position "+f.Subject) {
			facts = append(facts, "position "+f.Subject)
		}
	}
	for _, g := range plan.Gaps {
		for _, sub := range g.Opened {
			gaps = append(gaps, g.Level+" +"+sub)
		}
		for _, sub := range g.Closed {
			gaps = append(gaps, g.Level+" -"+sub)
		}
	}
	for _, d := range plan.Demand {
		sign := map[ruleplan.Change]string{ruleplan.Added: "+", ruleplan.Removed: "-"}[d.Change]
		demand = append(demand, sign+d.SubCompetency+" "+d.Level)
	}
	for _, p := range plan.People.Changes {
		people = append(people, p.Person)
	}
	for _, s := range [][]string{facts, gaps, demand, people} {
		slices.Sort(s)
	}
	for _, c := range []struct {
		what      string
		got, want []string
	}{{"facts", facts, wantFacts}, {"gaps", gaps, wantGaps}, {"blocking demand", demand, wantDemand}, {"people", people, wantPeople}} {
		if !slices.Equal(c.got, c.want) {
			t.Errorf("%s: the plan says\n  %v\nderiving both sets says\n  %v", c.what, c.got, c.want)
		}
	}
	if plan.People.Total() != len(wantPeople) {
		t.Errorf("people counted: %d, want %d", plan.People.Total(), len(wantPeople))
	}
	// The one rule edited explains every change, at its place in HEAD.
	if len(plan.Rules) != 1 || plan.Rules[0].ID != "7a-initial-assessment" || plan.Rules[0].Change != ruleplan.Changed ||
		plan.Rules[0].File != filepath.ToSlash(filepath.Join(head, "courses", "7-assessment-monitoring-evaluation.yaml")) ||
		plan.Rules[0].Line != 7 || len(plan.Rules[0].Facts) != len(plan.Facts) {
		t.Errorf("rules %+v, want 7a-initial-assessment changed, at line 7 of the edited file, explaining every fact change", plan.Rules)
	}
	if plan.Base.Source != "rules" || plan.Head.Source != head || plan.Base.Revision == plan.Head.Revision {
		t.Errorf("sides %+v -> %+v", plan.Base, plan.Head)
	}

	// Without --people, JSON counts the people but does not list them.
	_, stdout, _ = runCmd(t, "rules", "diff", "rules", head, "--format", "json")
	var counted ruleplan.Plan
	if err := json.Unmarshal([]byte(stdout), &counted); err != nil || counted.People.Changes != nil || counted.People.Total() != len(wantPeople) {
		t.Errorf("without --people: %+v (err %v), want the count of %d and no list", counted.People, err, len(wantPeople))
	}

	t.Run("markdown", func(t *testing.T) {
		code, stdout, stderr := runCmd(t, "rules", "diff", "rules", head, "--format", "markdown", "--people")
		if code != exitChanges {
			t.Fatalf("exit %d; stderr:\n%s", code, stderr)
		}
		tables := markdownTables(t, stdout)
		byHeader := map[string][][]string{}
		for _, tb := range tables {
			byHeader[tb[0][0]] = tb[1:]
		}
		rules := byHeader["rule"]
		if len(rules) != len(wantFacts) {
			t.Errorf("the rules table has %d rows, want one per fact change (%d):\n%s", len(rules), len(wantFacts), stdout)
		}
		for i, row := range rules {
			fact := fmt.Sprintf("%s %s %s -> %s", row[3], row[4], strings.TrimSuffix(row[5], "none"), strings.TrimSuffix(row[6], "none"))
			if row[0] != "`7a-initial-assessment`" || i >= len(wantFacts) || fact != wantFacts[i] {
				t.Errorf("rules table row %v, want 7a-initial-assessment and %s", row, wantFacts)
			}
		}
		if n := len(byHeader["level"]); n != len(wantGaps) { // one gap per level here
			t.Errorf("the gaps table has %d rows, want %d", n, len(wantGaps))
		}
		if n := len(byHeader["sub-competency"]); n != len(wantDemand) {
			t.Errorf("the demand table has %d rows, want %d", n, len(wantDemand))
		}
		var listed []string
		for _, row := range byHeader["person"] {
			listed = append(listed, row[0])
		}
		if !slices.Equal(listed, wantPeople) {
			t.Errorf("the people table lists %v, want %v", listed, wantPeople)
		}
	})

	t.Run("text", func(t *testing.T) {
		code, stdout, _ := runCmd(t, "rules", "diff", "rules", head)
		if code != exitChanges || !strings.Contains(stdout, "changed course rule 7a-initial-assessment") ||
			!strings.Contains(stdout, fmt.Sprintf("people whose readiness changes: %d", len(wantPeople))) {
			t.Errorf("exit %d:\n%s", code, stdout)
		}
	})
}

// markdownTables returns the tables of a Markdown text, each as its rows
// of cells, the header first. It fails the test when a table is not one:
// a header without its delimiter row, or a row whose number of cells
// differs from the header's.
func markdownTables(t *testing.T, text string) [][][]string {
	t.Helper()
	lines := strings.Split(text, "\n")
	pipe := regexp.MustCompile(`(?:^|[^\\])\|`)
	cells := func(line string) []string {
		line = strings.TrimSpace(line)
		inner := line[1 : len(line)-1]
		var out []string
		for _, c := range splitUnescaped(inner) {
			out = append(out, strings.TrimSpace(c))
		}
		return out
	}
	var tables [][][]string
	for i := 0; i < len(lines); i++ {
		if !strings.HasPrefix(lines[i], "|") {
			continue
		}
		if i > 0 && lines[i-1] != "" {
			t.Errorf("line %d: a table must follow a blank line:\n%s", i+1, text)
		}
		header := cells(lines[i])
		if i+1 >= len(lines) || !regexp.MustCompile(`^\|(---\|)+$`).MatchString(lines[i+1]) || len(cells(lines[i+1])) != len(header) {
			t.Fatalf("line %d: a table header without its delimiter row:\n%s", i+1, text)
		}
		table := [][]string{header}
		i += 2
		for ; i < len(lines) && strings.HasPrefix(lines[i], "|"); i++ {
			row := cells(lines[i])
			if len(row) != len(header) || len(pipe.FindAllString(lines[i], -1)) != len(header)+1 {
				t.Errorf("line %d: %d cells, the header has %d: %s", i+1, len(row), len(header), lines[i])
			}
			table = append(table, row)
		}
		tables = append(tables, table)
	}
	if len(tables) == 0 {
		t.Fatalf("no table:\n%s", text)
	}
	return tables
}

// splitUnescaped splits s at the pipes no backslash escapes.
func splitUnescaped(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\':
			i++
		case s[i] == '|':
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

func TestRulesDiffWithoutChange(t *testing.T) {
	code, stdout, stderr := runCmd(t, "rules", "diff", "rules", "rules")
	if code != exitOK || !strings.Contains(stdout, "no fact changes") {
		t.Errorf("exit %d:\n%s%s", code, stdout, stderr)
	}
}

// gitRepo makes a git repository holding a copy of the shipped rules and
// seeds, committed, and changes into it for the rest of the test.
func gitRepo(t *testing.T) {
	t.Helper()
	dir := t.TempDir()
	for _, src := range []string{"rules", "seeds"} {
		if err := os.CopyFS(filepath.Join(dir, src), os.DirFS(src)); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(dir)
	runGit(t, "init", "-q")
	runGit(t, "add", ".")
	runGit(t, "commit", "-q", "-m", "rules")
}

func TestRulesDiffOfGitRevisions(t *testing.T) {
	gitRepo(t)
	if code, stdout, stderr := runCmd(t, "rules", "diff"); code != exitOK || !strings.HasPrefix(stdout, "plan: HEAD:rules (") {
		t.Errorf("clean work tree: exit %d\n%s%s", code, stdout, stderr)
	}
	narrowRule(t, "rules")
	for _, args := range [][]string{{}, {"HEAD"}, {"HEAD", "rules"}, {"HEAD:rules", "rules"}} {
		code, stdout, stderr := runCmd(t, append([]string{"rules", "diff", "--format", "json"}, args...)...)
		var plan ruleplan.Plan
		if err := json.Unmarshal([]byte(stdout), &plan); err != nil || code != exitChanges {
			t.Fatalf("%v: exit %d, %v\n%s", args, code, err, stderr)
		}
		if plan.Base.Source != "HEAD:rules" || plan.Head.Source != "rules" || len(plan.Rules) != 1 ||
			plan.Rules[0].File != "rules/courses/7-assessment-monitoring-evaluation.yaml" {
			t.Errorf("%v: %+v -> %+v, rules %+v", args, plan.Base, plan.Head, plan.Rules)
		}
	}
	runGit(t, "commit", "-q", "-a", "-m", "narrow 7.A")
	if code, _, stderr := runCmd(t, "rules", "diff", "HEAD~1", "HEAD"); code != exitChanges {
		t.Errorf("HEAD~1 HEAD: exit %d\n%s", code, stderr)
	}
	if code, _, stderr := runCmd(t, "rules", "diff", "HEAD", "HEAD"); code != exitOK {
		t.Errorf("HEAD HEAD: exit %d\n%s", code, stderr)
	}
	code, _, stderr := runCmd(t, "rules", "diff", "no-such-revision")
	if code != exitFail || !strings.Contains(stderr, "BASE (no-such-revision:rules)") || !strings.Contains(stderr, "git archive") {
		t.Errorf("an unknown revision: exit %d\n%s", code, stderr)
	}
}

func TestRulesDiffErrors(t *testing.T) {
	code, _, stderr := runCmd(t, "rules", "diff", "rules", "testdata/broken-rules")
	if code != exitFail || !strings.Contains(stderr, "HEAD (testdata/broken-rules) does not load") ||
		!strings.Contains(stderr, "testdata/broken-rules/courses.yaml:4:20: unknown field course.hourz") {
		t.Errorf("broken HEAD: exit %d\n%s", code, stderr)
	}
	for _, args := range [][]string{{"a", "b", "c"}, {"--format", "xml"}, {"--nope"}} {
		code, stdout, stderr := runCmd(t, append([]string{"rules", "diff"}, args...)...)
		if code != exitUsage || stdout != "" || !strings.Contains(stderr, "Usage: cmap rules diff") {
			t.Errorf("%v: exit %d, stdout %q\n%s", args, code, stdout, stderr)
		}
	}
}
