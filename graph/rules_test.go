package graph_test

import (
	"cmap/domain"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cmap/app"
	"cmap/app/apptest"
)

type ruleRef struct {
	ID, File string
	Line     int
}

type coverageResult struct {
	Course        *struct{ Code string }
	SubCompetency struct{ Code string }
	Level         string
	Rules         []ruleRef
}

// levelIn returns the level of the fact on sub, "" if none.
func levelIn(cov []coverageResult, sub string) string {
	for _, c := range cov {
		if c.SubCompetency.Code == sub {
			return c.Level
		}
	}
	return ""
}

func TestEverySubCompetencyIsCoveredWithProvenanceInOneBatch(t *testing.T) {
	t.Parallel()
	db, _ := seeded(t)
	store := newCountingStore(db)
	c, _ := serve(t, store)
	store.Reset()

	var got struct {
		Competencies []struct {
			SubCompetencies []struct {
				Code      string
				CoveredBy []coverageResult
			}
		}
	}
	c.query(`{ competencies { subCompetencies { code
		coveredBy { course { code } subCompetency { code } level rules { id file line } } } } }`, nil).decode(t, &got)
	subs := 0
	for _, comp := range got.Competencies {
		for _, s := range comp.SubCompetencies {
			subs++
			if len(s.CoveredBy) == 0 {
				t.Errorf("%s: no course covers it", s.Code)
			}
			for _, f := range s.CoveredBy {
				if f.Course == nil || f.SubCompetency.Code != s.Code || f.Level == "" || len(f.Rules) == 0 ||
					f.Rules[0].ID == "" || !strings.HasPrefix(f.Rules[0].File, "../rules/") || f.Rules[0].Line == 0 {
					t.Errorf("%s: fact %+v lacks its course or provenance", s.Code, f)
				}
			}
		}
	}
	if subs != 58 {
		t.Errorf("%d sub-competencies, want 58", subs)
	}
	// The courses of the facts came from the request's view of the read
	// model, not from the store.
	if calls := store.Reset(); len(calls) != 0 {
		t.Errorf("store calls %v, want none", calls)
	}

	var req struct {
		SubCompetency struct {
			RequiredBy []struct {
				Position *struct{ ID string }
				Level    string
				Rules    []ruleRef
			}
		}
	}
	c.query(`{ subCompetency(code: "1.A") { requiredBy(minLevel: "Advanced") { position { id } level rules { id } } } }`, nil).decode(t, &req)
	if len(req.SubCompetency.RequiredBy) == 0 {
		t.Fatal("no position requires 1.A at Advanced")
	}
	for _, r := range req.SubCompetency.RequiredBy {
		if r.Position == nil || r.Level != "Advanced" && r.Level != "Expert" || len(r.Rules) == 0 {
			t.Errorf("requiredBy(minLevel: Advanced) gave %+v", r)
		}
	}
	if calls := store.Reset(); len(calls) != 0 {
		t.Errorf("store calls %v, want none", calls)
	}

	r := c.query(`{ subCompetency(code: "1.A") { coveredBy(minLevel: "Master") { level } } }`, nil)
	if e := r.wantError(t, "BAD_USER_INPUT", "minLevel"); !strings.Contains(e.Message, "Master") {
		t.Errorf("message %q does not name the level", e.Message)
	}
	c.query(`{ subCompetency(code: "1.A") { requiredBy(minLevel: "Master") { level } } }`, nil).wantError(t, "BAD_USER_INPUT", "minLevel")
}

func TestEditingACourseChangesItsCoverageAtOnce(t *testing.T) {
	t.Parallel()
	store := frameworkOnly(t)
	c, _ := serve(t, store)
	var created struct {
		CreateCourse struct {
			Version  int
			Coverage []coverageResult
		}
	}
	c.query(`mutation { createCourse(input: { code: "SCO-201", title: "Orientation", hours: 16, deliveryMode: RESIDENT,
		objectives: ["Brief the country team."] }) { version coverage { subCompetency { code } level } } }`, nil).decode(t, &created)
	if levelIn(created.CreateCourse.Coverage, "4.C") != "" {
		t.Fatalf("coverage before the phrase: %+v", created.CreateCourse.Coverage)
	}

	update := `mutation($input: UpdateCourseInput!, $version: Int!) { updateCourse(code: "SCO-201", version: $version, input: $input) {
		version coverage { course { code } subCompetency { code } level rules { id file line } } } }`
	var updated struct {
		UpdateCourse struct {
			Version  int
			Coverage []coverageResult
		}
	}
	c.query(update, map[string]any{"version": 1, "input": map[string]any{
		"objectives": []string{"Prepare price and availability data for a partner nation."},
	}}).decode(t, &updated)
	cov := updated.UpdateCourse.Coverage
	if levelIn(cov, "4.C") != "Intermediate" {
		t.Fatalf("after adding the phrase, coverage = %+v; want 4.C at Intermediate (the 2xx tier)", cov)
	}
	for _, f := range cov {
		if f.SubCompetency.Code == "4.C" && (f.Course == nil || f.Course.Code != "SCO-201" || f.Rules[0].ID != "4c-price-and-availability" ||
			!strings.HasSuffix(f.Rules[0].File, "courses/4-sales-and-transfers.yaml")) {
			t.Errorf("4.C fact %+v", f)
		}
	}

	// The facts are stored with the serving revision.
	var rs struct{ RuleSet struct{ Revision string } }
	c.query(`{ ruleSet { revision } }`, nil).decode(t, &rs)
	facts, err := store.CourseFacts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(facts) != 1 || facts[0].Course != "SCO-201" || facts[0].Revision != rs.RuleSet.Revision || len(facts[0].Coverage) != len(cov) {
		t.Errorf("stored facts %+v, want SCO-201's %d facts at revision %s", facts, len(cov), rs.RuleSet.Revision)
	}

	// A retired course keeps what it teaches, and leaves the active
	// catalogue.
	c.query(update, map[string]any{"version": 2, "input": map[string]any{"status": "RETIRED"}}).decode(t, &updated)
	if levelIn(updated.UpdateCourse.Coverage, "4.C") != "Intermediate" {
		t.Errorf("the retired course covers %+v, want 4.C at Intermediate still", updated.UpdateCourse.Coverage)
	}
	var sub struct {
		SubCompetency struct {
			Active, Retired, Any []coverageResult
		}
	}
	c.query(`{ subCompetency(code: "4.C") { active: coveredBy { level } retired: coveredBy(status: RETIRED) { level }
		any: coveredBy(status: ANY) { level } } }`, nil).decode(t, &sub)
	if got := sub.SubCompetency; len(got.Active) != 0 || len(got.Retired) != 1 || len(got.Any) != 1 {
		t.Errorf("4.C after retiring its only course: %+v, want covered by one retired course and no active one", got)
	}

	var pos struct {
		CreatePosition struct {
			Requirements []struct {
				SubCompetency struct{ Code string }
				Level         string
				Rules         []struct{ ID string }
			}
		}
	}
	c.query(`mutation { createPosition(input: { id: "POS-1", title: "Chief", organization: "ODC Poland", grade: "O-6",
		category: "SCO", keyBillet: true, region: "EUCOM" }) { requirements { subCompetency { code } level rules { id } } } }`, nil).decode(t, &pos)
	found := false
	for _, r := range pos.CreatePosition.Requirements {
		if r.SubCompetency.Code == "1.A" && r.Level == "Advanced" {
			for _, rule := range r.Rules {
				found = found || rule.ID == "sco-key-billet-senior"
			}
		}
	}
	if !found {
		t.Errorf("an O-6 SCO key billet's requirements %+v lack 1.A at Advanced from sco-key-billet-senior", pos.CreatePosition.Requirements)
	}
}

const ruleSetQuery = `{ ruleSet { revision loadedAt rules { id kind file line description }
	rejected { revision rejectedAt errors { file line column message snippet } } runtimeErrors { subject } } }`

type ruleSetResult struct {
	Revision string
	LoadedAt time.Time
	Rules    []struct {
		ID, Kind, File, Description string
		Line                        int
	}
	Rejected *struct {
		Revision   string
		RejectedAt time.Time
		Errors     []struct {
			File         string
			Line, Column int
			Message      string
			Snippet      *string
		}
	}
	RuntimeErrors []struct{ Subject string }
}

func TestBrokenRulesOnDiskLeaveTheOldRulesServing(t *testing.T) {
	t.Parallel()
	dir := apptest.CopyRules(t, "../rules")
	c, _, _ := serveWith(t, frameworkOnly(t), app.Options{RulesDir: dir, WatchRules: true, WatchDebounce: 20 * time.Millisecond})
	c.query(`mutation { createCourse(input: { code: "SCO-201", title: "Orientation", hours: 16, deliveryMode: RESIDENT,
		objectives: ["Prepare price and availability data."] }) { code } }`, nil).decode(t, &struct{}{})

	var before struct{ RuleSet ruleSetResult }
	c.query(ruleSetQuery, nil).decode(t, &before)
	if before.RuleSet.Rejected != nil || len(before.RuleSet.Rules) == 0 || before.RuleSet.LoadedAt.IsZero() {
		t.Fatalf("ruleSet at start = %+v", before.RuleSet)
	}
	for _, r := range before.RuleSet.Rules {
		if r.ID == "" || (r.Kind != "COURSE" && r.Kind != "POSITION") || r.File == "" || r.Line == 0 || r.Description == "" {
			t.Errorf("rule %+v is missing a field", r)
		}
	}

	file := filepath.Join(dir, "courses", "4-sales-and-transfers.yaml")
	apptest.EditFile(t, file, `course: mentions("price and availability"`, `course: course.titel != "" && mentions("price and availability"`)
	var now struct{ RuleSet ruleSetResult }
	apptest.WaitUntil(t, "ruleSet.rejected shows the broken file", func() bool {
		c.query(ruleSetQuery, nil).decode(t, &now)
		return now.RuleSet.Rejected != nil
	})
	rej := now.RuleSet.Rejected
	if now.RuleSet.Revision != before.RuleSet.Revision || rej.Revision == before.RuleSet.Revision || rej.Revision == "" {
		t.Errorf("serving %s (was %s), rejected %s", now.RuleSet.Revision, before.RuleSet.Revision, rej.Revision)
	}
	line, col := apptest.PositionOf(t, file, "titel")
	if len(rej.Errors) != 1 || !strings.HasSuffix(rej.Errors[0].File, "courses/4-sales-and-transfers.yaml") ||
		rej.Errors[0].Line != line || rej.Errors[0].Column != col || !strings.Contains(rej.Errors[0].Message, "titel") ||
		rej.Errors[0].Snippet == nil {
		t.Errorf("errors %+v, want one at line %d column %d naming titel", rej.Errors, line, col)
	}
	// The old rules still answer.
	var cov struct {
		Course struct{ Coverage []coverageResult }
	}
	c.query(`{ course(code: "SCO-201") { coverage { subCompetency { code } level } } }`, nil).decode(t, &cov)
	if levelIn(cov.Course.Coverage, "4.C") == "" {
		t.Error("the serving coverage was lost with the broken rules")
	}

	// Fixed, with a new policy: the new revision serves and applies.
	apptest.EditFile(t, file, `course: course.titel != "" && mentions("price and availability"`, `course: mentions("price and availability"`)
	apptest.EditFile(t, file, "covers: {4.C: tier}", "covers: {4.C: Expert}")
	// The two edits are two saves: under load the watcher may serve the
	// first alone before the second lands, so wait for the last.
	apptest.WaitUntil(t, "the fixed rules serve 4.C at Expert", func() bool {
		c.query(ruleSetQuery, nil).decode(t, &now)
		c.query(`{ course(code: "SCO-201") { coverage { subCompetency { code } level } } }`, nil).decode(t, &cov)
		return now.RuleSet.Rejected == nil && now.RuleSet.Revision != before.RuleSet.Revision &&
			levelIn(cov.Course.Coverage, "4.C") == "Expert"
	})
}

func TestReloadRulesMutation(t *testing.T) {
	t.Parallel()
	dir := apptest.CopyRules(t, "../rules")
	c, _, _ := serveWith(t, frameworkOnly(t), app.Options{RulesDir: dir})
	reload := `mutation { reloadRules { revision rejected { revision errors { file line column message } } } }`
	var first struct{ ReloadRules ruleSetResult }
	c.query(reload, nil).decode(t, &first)
	if first.ReloadRules.Rejected != nil || first.ReloadRules.Revision == "" {
		t.Fatalf("reloading unchanged rules: %+v", first.ReloadRules)
	}

	file := filepath.Join(dir, "positions", "sco.yaml")
	apptest.EditFile(t, file, "requires: {1.*: Advanced, 6.*: Advanced}", "requires: {1.*: Advanced, 6.*: Supreme}")
	var broken struct{ ReloadRules ruleSetResult }
	r := c.query(reload, nil)
	r.decode(t, &broken) // a rejection is data, not an error
	rej := broken.ReloadRules.Rejected
	if broken.ReloadRules.Revision != first.ReloadRules.Revision || rej == nil || len(rej.Errors) != 1 ||
		!strings.HasSuffix(rej.Errors[0].File, "positions/sco.yaml") || !strings.Contains(rej.Errors[0].Message, "Supreme") {
		t.Fatalf("reload of a broken set = %+v", broken.ReloadRules)
	}
	if line, col := apptest.PositionOf(t, file, "Supreme"); rej.Errors[0].Line != line || rej.Errors[0].Column != col {
		t.Errorf("error at %d:%d, want %d:%d", rej.Errors[0].Line, rej.Errors[0].Column, line, col)
	}

	apptest.EditFile(t, file, "6.*: Supreme", "6.*: Expert")
	var fixed struct{ ReloadRules ruleSetResult }
	c.query(reload, nil).decode(t, &fixed)
	if fixed.ReloadRules.Rejected != nil || fixed.ReloadRules.Revision == first.ReloadRules.Revision {
		t.Errorf("reload of the fixed set = %+v", fixed.ReloadRules)
	}
}

func TestPreviewsWriteNothing(t *testing.T) {
	t.Parallel()
	store := frameworkOnly(t)
	c, _ := serve(t, store)
	c.query(`mutation { createCourse(input: { code: "SCO-201", title: "Orientation", hours: 16, deliveryMode: RESIDENT,
		objectives: ["Prepare price and availability data."] }) { code } }`, nil).decode(t, &struct{}{})
	version, err := store.DataVersion(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	before, err := store.CourseFacts(context.Background())
	if err != nil {
		t.Fatal(err)
	}

	preview := `query($input: CreateCourseInput!) { previewCourse(input: $input) {
		coverage { course { code } courseCode subCompetency { code } level rules { id } }
		stored changes { subCompetency { code } before after } ruleError } }`
	var got struct {
		PreviewCourse struct {
			Coverage []struct {
				Course        *struct{ Code string }
				CourseCode    string
				SubCompetency struct{ Code string }
				Level         string
			}
			Stored  bool
			Changes []struct {
				SubCompetency struct{ Code string }
				Before, After *string
			}
			RuleError *string
		}
	}
	c.query(preview, map[string]any{"input": map[string]any{
		"code": "SCO-201", "title": "Orientation", "hours": 16, "deliveryMode": "RESIDENT",
		"objectives": []string{"Prepare price and availability data.", "Track case closure."},
	}}).decode(t, &got)
	p := got.PreviewCourse
	if !p.Stored || p.RuleError != nil || len(p.Changes) != 1 || p.Changes[0].SubCompetency.Code != "4.I" ||
		p.Changes[0].Before != nil || p.Changes[0].After == nil || *p.Changes[0].After != "Intermediate" {
		t.Errorf("preview of SCO-201 with case closure = %+v, want one change: 4.I null -> Intermediate", p)
	}

	c.query(preview, map[string]any{"input": map[string]any{
		"code": "SCO-301", "title": "New", "hours": 16, "deliveryMode": "ONLINE", "objectives": []string{"Track case closure."},
	}}).decode(t, &got)
	p = got.PreviewCourse
	if p.Stored || len(p.Changes) != 0 || len(p.Coverage) != 1 || p.Coverage[0].Course != nil || p.Coverage[0].CourseCode != "SCO-301" ||
		p.Coverage[0].Level != "Advanced" {
		t.Errorf("preview of a new 3xx course = %+v, want 4.I at Advanced and no stored course", p)
	}
	c.query(preview, map[string]any{"input": map[string]any{
		"code": "SCO-301", "title": "New", "hours": -1, "deliveryMode": "ONLINE",
	}}).wantError(t, "BAD_USER_INPUT", "input.hours")

	var pos struct {
		PreviewPosition struct {
			Requirements []struct{ Level string }
			Stored       bool
		}
	}
	c.query(`{ previewPosition(input: { id: "POS-9", title: "Chief", organization: "ODC Poland", grade: "O-6", category: "SCO",
		keyBillet: true }) { requirements { level } stored } }`, nil).decode(t, &pos)
	if pos.PreviewPosition.Stored || len(pos.PreviewPosition.Requirements) == 0 {
		t.Errorf("preview of a new key billet = %+v", pos.PreviewPosition)
	}

	after, err := store.DataVersion(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	facts, err := store.CourseFacts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	positions, err := store.PositionFacts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if after != version || len(facts) != len(before) || len(positions) != 0 {
		t.Errorf("previews wrote: data version %d -> %d, %d -> %d course facts, %d position facts",
			version, after, len(before), len(facts), len(positions))
	}
}

func TestExplainOverGraphQL(t *testing.T) {
	t.Parallel()
	c, _ := serve(t, frameworkOnly(t))
	c.query(`mutation { createCourse(input: { code: "SCO-201", title: "Orientation", hours: 16, deliveryMode: RESIDENT,
		objectives: ["Prepare price and availability data."] }) { code } }`, nil).decode(t, &struct{}{})

	type node struct {
		Source, File, Value string
		Line, Column        int
		Skipped             bool
		Children            []struct {
			Source, Value string
			Line, Column  int
		}
	}
	var got struct {
		Explain struct {
			Rule    ruleRef
			Kind    string
			Subject string
			Fired   bool
			Yields  []struct {
				SubCompetency struct{ Code string }
				Level         string
			}
			Tier      *string
			Error     *string
			Text      string
			Condition node
		}
	}
	c.query(`{ explain(rule: "4c-price-and-availability", course: "SCO-201") { rule { id file line } kind subject fired
		yields { subCompetency { code } level } tier error text
		condition { source file line column value skipped children { source value line column } } } }`, nil).decode(t, &got)
	e := got.Explain
	if !e.Fired || e.Kind != "COURSE" || e.Subject != "SCO-201" || e.Rule.ID != "4c-price-and-availability" ||
		len(e.Yields) != 1 || e.Yields[0].SubCompetency.Code != "4.C" || e.Tier == nil || *e.Tier != "Intermediate" || e.Error != nil {
		t.Errorf("explanation = %+v", e)
	}
	if e.Condition.Value != "true" || !strings.HasPrefix(e.Condition.Source, "mentions(") ||
		!strings.HasSuffix(e.Condition.File, "courses/4-sales-and-transfers.yaml") || e.Condition.Line <= e.Rule.Line || e.Condition.Column == 0 {
		t.Errorf("condition node = %+v", e.Condition)
	}
	if !strings.Contains(e.Text, "price and availability") {
		t.Errorf("text does not show the condition:\n%s", e.Text)
	}

	for _, tc := range []struct{ query, code, field string }{
		{`{ explain(rule: "no-such-rule", course: "SCO-201") { fired } }`, "NOT_FOUND", ""},
		{`{ explain(rule: "4c-price-and-availability", course: "SCO-999") { fired } }`, "NOT_FOUND", ""},
		{`{ explain(rule: "sco-core", course: "SCO-201") { fired } }`, "BAD_USER_INPUT", "rule"},
		{`{ explain(rule: "sco-core") { fired } }`, "BAD_USER_INPUT", ""},
		{`{ explain(rule: "sco-core", course: "SCO-201", position: "POS-1") { fired } }`, "BAD_USER_INPUT", ""},
	} {
		c.query(tc.query, nil).wantError(t, tc.code, tc.field)
	}
}

// The run-time rule errors surface in ruleSet.runtimeErrors.
func TestRuntimeErrorsInRuleSet(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "greedy.yaml"), []byte(`rules:
  - id: greedy
    description: Builds a list far beyond the memory budget when a course has hours.
    course: "len(map(1..(int(course.hours) * 100000), # * 2)) > 0"
    covers: {1.A: Basic}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	store := frameworkOnly(t)
	if err := store.CreateCourse(context.Background(), &domain.Course{Code: "SCO-101", Title: "T", Hours: 8,
		DeliveryMode: domain.DeliveryOnline, Status: domain.CourseActive}); err != nil {
		t.Fatal(err)
	}
	c, logs, _ := serveWith(t, store, app.Options{RulesDir: dir})
	var got struct{ RuleSet ruleSetResult }
	c.query(ruleSetQuery, nil).decode(t, &got)
	if len(got.RuleSet.RuntimeErrors) != 1 || got.RuleSet.RuntimeErrors[0].Subject != "SCO-101" {
		t.Errorf("runtimeErrors = %+v", got.RuleSet.RuntimeErrors)
	}
	if !contains(logs.String(), "rules failed at run time", "greedy") {
		t.Errorf("the failure was not logged:\n%s", logs)
	}
}
