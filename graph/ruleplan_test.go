package graph_test

import (
	"cmap/domain"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"cmap/engine"
)

const planQuery = `query($files: [RuleFileInput!]!) { ruleSetPlan(files: $files) {
	base { revision rules } head { revision rules }
	errors { file line column message }
	changed summary
	rules { id change file line facts { subject subCompetency { code } } }
	facts { kind subject subCompetency { code } change before after beforeRules { id } afterRules { id } }
	gaps { level opened { code } closed { code } }
	demand { subCompetency { code } level change positionsBefore positionsAfter }
	people { total otherGaps changes(first: 2) { personId gaps { subCompetency { code } change requiredAfter attainedAfter } } }
	markdown
} }`

type planResult struct {
	RuleSetPlan struct {
		Base, Head struct {
			Revision string
			Rules    int
		}
		Errors []struct {
			File, Message string
			Line, Column  int
		}
		Changed bool
		Summary string
		Rules   []struct {
			ID, Change, File string
			Line             int
			Facts            []struct{ Subject string }
		}
		Facts []struct {
			Kind, Subject, Change   string
			SubCompetency           struct{ Code string }
			Before, After           *string
			BeforeRules, AfterRules []struct{ ID string }
		}
		Gaps []struct {
			Level          string
			Opened, Closed []struct{ Code string }
		}
		Demand []struct {
			SubCompetency                   struct{ Code string }
			Level, Change                   string
			PositionsBefore, PositionsAfter int
		}
		People struct {
			Total, OtherGaps int
			Changes          []struct{ PersonID string }
		}
		Markdown string
	}
}

func TestRuleSetPlanOfSentFiles(t *testing.T) {
	t.Parallel()
	store, ds := seeded(t)
	c, _ := serve(t, store)

	var set struct {
		RuleSet struct {
			Revision string
			Files    []struct {
				Path, Content string
				Rules         int
			}
		}
	}
	c.query(`{ ruleSet { revision files { path content rules } } }`, nil).decode(t, &set)
	const name = "../rules/courses/7-assessment-monitoring-evaluation.yaml"
	var content string
	total := 0
	for _, f := range set.RuleSet.Files {
		total += f.Rules
		if f.Path == name {
			content = f.Content
		}
	}
	disk, err := os.ReadFile(name)
	if err != nil || content != string(disk) {
		t.Fatalf("ruleSet.files: %s is not as on disk (%v)", name, err)
	}

	// The narrowed rule, derived for each course on its own, says which
	// facts change.
	narrowed := strings.Replace(content, `mentions("initial assessment", "initial assessments")`, `mentions("initial assessment")`, 1)
	if narrowed == content {
		t.Fatal("the rule file no longer holds the phrase the test narrows")
	}
	files := fstest.MapFS{}
	for _, f := range set.RuleSet.Files {
		files[strings.TrimPrefix(f.Path, "../rules/")] = &fstest.MapFile{Data: []byte(f.Content)}
	}
	base, err := engine.LoadRuleSetFS(files, "../rules", ds.Framework)
	if err != nil {
		t.Fatal(err)
	}
	if len(base.Rules()) != total || base.Revision() != set.RuleSet.Revision {
		t.Fatalf("the files hold %d rules, revision %s; the serving set %d, %s", total, base.Revision(), len(base.Rules()), set.RuleSet.Revision)
	}
	files[strings.TrimPrefix(name, "../rules/")] = &fstest.MapFile{Data: []byte(narrowed)}
	head, err := engine.LoadRuleSetFS(files, "../rules", ds.Framework)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for i := range ds.Courses {
		before, _ := base.CourseCoverage(&ds.Courses[i])
		after, _ := head.CourseCoverage(&ds.Courses[i])
		if has7A(before) && !has7A(after) {
			want = append(want, ds.Courses[i].Code)
		}
	}
	vars := map[string]any{"files": []map[string]any{{"path": name, "content": narrowed}}}
	var got planResult
	c.query(planQuery, vars).decode(t, &got)
	p := got.RuleSetPlan
	var courses []string
	for _, f := range p.Facts {
		if f.Kind != "COURSE" || f.SubCompetency.Code != "7.A" || f.Change != "REMOVED" || f.After != nil ||
			len(f.BeforeRules) != 1 || f.BeforeRules[0].ID != "7a-initial-assessment" || len(f.AfterRules) != 0 {
			t.Errorf("fact %+v, want a 7.A coverage removed, given before by 7a-initial-assessment", f)
		}
		courses = append(courses, f.Subject)
	}
	if len(want) == 0 || !slices.Equal(courses, want) {
		t.Errorf("courses losing 7.A: %v, want %v", courses, want)
	}
	if !p.Changed || len(p.Errors) != 0 || p.Base.Revision != set.RuleSet.Revision || p.Head.Revision == p.Base.Revision || p.Head.Rules != p.Base.Rules {
		t.Errorf("changed %v, errors %v, sides %+v -> %+v", p.Changed, p.Errors, p.Base, p.Head)
	}
	if len(p.Rules) != 1 || p.Rules[0].ID != "7a-initial-assessment" || p.Rules[0].File != name || p.Rules[0].Change != "CHANGED" || len(p.Rules[0].Facts) != len(want) {
		t.Errorf("rules %+v", p.Rules)
	}
	if len(p.Gaps) == 0 || len(p.Demand) == 0 || p.People.Total == 0 || len(p.People.Changes) != min(2, p.People.Total) {
		t.Errorf("gaps %+v, demand %+v, people %+v: the edit opens a gap, a blocking demand and people's gaps", p.Gaps, p.Demand, p.People)
	}
	if !strings.Contains(p.Markdown, "| `7a-initial-assessment` | changed course rule |") || !strings.Contains(p.Markdown, "|---|") {
		t.Errorf("markdown:\n%s", p.Markdown)
	}

	// Nothing was written or swapped: the serving rules and facts stay.
	var after struct {
		RuleSet struct{ Revision string }
		Course  struct{ Coverage []coverageResult }
	}
	c.query(fmt.Sprintf(`{ ruleSet { revision } course(code: %q) { coverage { subCompetency { code } level } } }`, want[0]), nil).decode(t, &after)
	if after.RuleSet.Revision != set.RuleSet.Revision || levelIn(after.Course.Coverage, "7.A") == "" {
		t.Errorf("after the plan: revision %s, %s covers 7.A at %q", after.RuleSet.Revision, want[0], levelIn(after.Course.Coverage, "7.A"))
	}

	t.Run("the same files plan no change", func(t *testing.T) {
		var same planResult
		c.query(planQuery, map[string]any{"files": []map[string]any{{"path": name, "content": content}}}).decode(t, &same)
		if same.RuleSetPlan.Changed || len(same.RuleSetPlan.Facts) != 0 || same.RuleSetPlan.Head.Revision != set.RuleSet.Revision {
			t.Errorf("%+v", same.RuleSetPlan)
		}
	})

	t.Run("files that do not load", func(t *testing.T) {
		var broken planResult
		vars := map[string]any{"files": []map[string]any{{"path": "../rules/courses/new.yaml", "content": "rules:\n  - id: x\n    course: course.hourz > 1\n    covers: {1.A: Basic}\n"}}}
		c.query(planQuery, vars).decode(t, &broken)
		b := broken.RuleSetPlan
		if len(b.Errors) != 1 || b.Errors[0].File != "../rules/courses/new.yaml" || b.Errors[0].Line != 3 || !strings.Contains(b.Errors[0].Message, "course.hourz") ||
			b.Changed || len(b.Facts) != 0 || b.Head.Revision == "" || b.Head.Revision == b.Base.Revision {
			t.Errorf("%+v", b)
		}
	})

	t.Run("a file removed", func(t *testing.T) {
		var removed planResult
		c.query(planQuery, map[string]any{"files": []map[string]any{{"path": name, "delete": true}}}).decode(t, &removed)
		r := removed.RuleSetPlan
		n := 0
		for _, f := range set.RuleSet.Files {
			if f.Path == name {
				n = f.Rules
			}
		}
		if !r.Changed || len(r.Rules) != n || r.Head.Rules != r.Base.Rules-n {
			t.Errorf("%d rules changed, head %d rules, want the file's %d removed from %d", len(r.Rules), r.Head.Rules, n, r.Base.Rules)
		}
		for _, rc := range r.Rules {
			if rc.Change != "REMOVED" || rc.File != name {
				t.Errorf("%+v, want removed from %s", rc, name)
			}
		}
	})

	for _, tc := range []struct {
		files []map[string]any
		field string
	}{
		{[]map[string]any{{"path": "elsewhere/x.yaml", "content": "rules: []"}}, "files[0].path"},
		{[]map[string]any{{"path": "../rules/../x.yaml", "content": "rules: []"}}, "files[0].path"},
		{[]map[string]any{{"path": "../rules/courses/x.txt", "content": "rules: []"}}, "files[0].path"},
		{[]map[string]any{{"path": "../rules/courses/x_test.yaml", "content": "tests: []"}}, "files[0].path"},
		{[]map[string]any{{"path": name, "content": content}, {"path": name, "content": content}}, "files[1].path"},
		{[]map[string]any{{"path": "../rules/courses/none.yaml", "delete": true}}, "files[0].path"},
		{[]map[string]any{{"path": name, "content": content, "delete": true}}, "files[0].content"},
	} {
		c.query(planQuery, map[string]any{"files": tc.files}).wantError(t, "BAD_USER_INPUT", tc.field)
	}
}

func has7A(cov []domain.Coverage) bool {
	return slices.ContainsFunc(cov, func(c domain.Coverage) bool { return c.SubCompetency == "7.A" })
}
