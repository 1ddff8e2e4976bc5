package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"cmap/modelfile"
)

// rulesAPI holds the GraphQL API's answers that the rules page must show.
type rulesAPI struct {
	RuleSet struct {
		Revision, Directory string
		Files               []struct {
			Path  string
			Rules int
		}
		Rules    []struct{ ID string }
		Rejected *struct {
			Revision string
			Errors   []struct {
				File         string
				Line, Column int
				Message      string
			}
		}
	}
}

// apiPlan is the part of a ruleSetPlan answer the page's tables must match.
type apiPlan struct {
	RuleSetPlan struct {
		Summary string
		Rules   []struct {
			ID    string
			Facts []struct {
				Subject       string
				SubCompetency struct{ Code string }
			}
		}
		Gaps   []struct{ Level string }
		People struct{ Total int }
		Errors []struct {
			File         string
			Line, Column int
		}
	}
}

// tableRows returns the rows of the body of the table with class cls,
// each as the text of its cells.
func tableRows(doc *html.Node, cls string) [][]string {
	var rows [][]string
	for _, t := range find(doc, func(n *html.Node) bool { return n.Data == "table" && (hasClass(n, cls) || attr(n, "id") == cls) }) {
		for _, tr := range find(t, func(n *html.Node) bool { return n.Data == "tr" && n.Parent != nil && n.Parent.Data == "tbody" }) {
			var cells []string
			for _, td := range find(tr, func(n *html.Node) bool { return n.Data == "td" }) {
				cells = append(cells, strings.TrimSpace(text(td)))
			}
			rows = append(rows, cells)
		}
	}
	return rows
}

func TestRulesPageInChromium(t *testing.T) {
	chromium(t)
	dir := filepath.Join(t.TempDir(), "rules")
	if err := os.CopyFS(dir, os.DirFS("rules")); err != nil {
		t.Fatal(err)
	}
	s := start(t, serveConfig{Addr: "127.0.0.1:0", DataDir: t.TempDir(), RulesDir: dir, SeedsDir: "seeds"})
	defer stop(t, s)
	// A broken file on disk, reloaded: the serving set stays, the broken
	// one is rejected with its errors.
	if err := os.WriteFile(filepath.Join(dir, "courses", "broken.yaml"), []byte("rules:\n  - id: broken\n    course: course.hourz > 1\n    covers: {1.A: Basic}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	postAs(t, s.URL(), s.firstKey, `mutation { reloadRules { revision } }`, nil, &struct{}{})
	var api rulesAPI
	post(t, s.URL(), `{ ruleSet { revision directory files { path rules } rules { id } rejected { revision errors { file line column message } } } }`, &api)
	if api.RuleSet.Rejected == nil || len(api.RuleSet.Rejected.Errors) == 0 {
		t.Fatal("the broken file was not rejected: the test cannot check the rejected set")
	}

	b := startBrowser(t, 1400, 900)
	// A plan lists people: the page is given the admin key.
	giveKey(t, b, s.URL()+"/rules", s.firstKey)
	doc := loadPage(t, b, s.URL()+"/rules")
	defer b.checkConsole(t)

	t.Run("serving set", func(t *testing.T) {
		if facts := text(byID(doc, "serving-facts")); !strings.Contains(facts, api.RuleSet.Revision) || !strings.Contains(facts, fmt.Sprintf("%d in", len(api.RuleSet.Rules))) {
			t.Errorf("serving facts %q, want revision %s and %d rules", facts, api.RuleSet.Revision, len(api.RuleSet.Rules))
		}
		files := tableRows(doc, "files")
		if len(files) != len(api.RuleSet.Files) {
			t.Fatalf("%d file rows, want %d", len(files), len(api.RuleSet.Files))
		}
		for i, f := range api.RuleSet.Files {
			if files[i][0] != f.Path || files[i][1] != fmt.Sprint(f.Rules) {
				t.Errorf("file row %d: %v, want %s with %d rules", i, files[i], f.Path, f.Rules)
			}
		}
		rules := tableRows(doc, "rules")
		if len(rules) != len(api.RuleSet.Rules) {
			t.Errorf("%d rule rows, want %d", len(rules), len(api.RuleSet.Rules))
		}
		for i, r := range api.RuleSet.Rules {
			if i < len(rules) && rules[i][0] != r.ID {
				t.Errorf("rule row %d: %v, want %s", i, rules[i], r.ID)
			}
		}
	})

	t.Run("rejected set", func(t *testing.T) {
		rej := api.RuleSet.Rejected
		if hasAttr(byID(doc, "rejected-set"), "hidden") || !strings.Contains(text(byID(doc, "rejected-summary")), rej.Revision) {
			t.Errorf("the rejected set is hidden or does not name revision %s", rej.Revision)
		}
		rows := tableRows(doc, "rejected-errors")
		if len(rows) != len(rej.Errors) {
			t.Fatalf("%d error rows, want %d", len(rows), len(rej.Errors))
		}
		for i, e := range rej.Errors {
			if rows[i][0] != fmt.Sprintf("%s:%d:%d", e.File, e.Line, e.Column) || !strings.Contains(rows[i][1], e.Message) {
				t.Errorf("error row %d: %v, want %s:%d:%d %s", i, rows[i], e.File, e.Line, e.Column, e.Message)
			}
		}
	})

	// plan submits the form and waits for the plan, whose state must be
	// want; it returns the page.
	plan := func(t *testing.T, want string) *html.Node {
		t.Helper()
		b.eval(t, `delete document.body.dataset.plan; document.getElementById("plan-form").requestSubmit(); true`, nil)
		b.waitFor(t, "the plan", `document.body.dataset.plan && document.body.dataset.plan !== "loading"`)
		var state string
		b.eval(t, `document.body.dataset.plan`, &state)
		doc := b.dom(t)
		if state != want {
			t.Fatalf("the plan is %q, want %q: %s", state, want, text(byID(doc, "plan-summary")))
		}
		return doc
	}
	const planFacts = `ruleSetPlan(files: $files) { summary rules { id facts { subject subCompetency { code } } } gaps { level } people { total } errors { file line column } }`

	t.Run("plan of an edited file", func(t *testing.T) {
		name := api.RuleSet.Directory + "/courses/7-assessment-monitoring-evaluation.yaml"
		b.eval(t, fmt.Sprintf(`(() => {
			const select = document.getElementById("plan-file");
			select.value = %s;
			select.dispatchEvent(new Event("change"));
			const area = document.getElementById("plan-content");
			const before = area.value;
			area.value = before.replace('mentions("initial assessment", "initial assessments")', 'mentions("initial assessment")');
			return area.value !== before;
		})()`, jsString(name)), nil)
		content, err := os.ReadFile(filepath.Join(dir, "courses", "7-assessment-monitoring-evaluation.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		edited := strings.Replace(string(content), `mentions("initial assessment", "initial assessments")`, `mentions("initial assessment")`, 1)
		var want apiPlan
		postAs(t, s.URL(), s.firstKey, `query($files: [RuleFileInput!]!) { `+planFacts+` }`, map[string]any{"files": []map[string]any{{"path": name, "content": edited}}}, &want)
		doc := plan(t, "ready")
		if got := text(byID(doc, "plan-summary")); !strings.Contains(got, want.RuleSetPlan.Summary) {
			t.Errorf("summary %q, want it to say %q", got, want.RuleSetPlan.Summary)
		}
		var wantRows []string
		for _, r := range want.RuleSetPlan.Rules {
			for _, f := range r.Facts {
				wantRows = append(wantRows, fmt.Sprintf("%s course %s %s", r.ID, f.Subject, f.SubCompetency.Code))
			}
		}
		var gotRows []string
		for _, row := range tableRows(doc, "plan-rules") {
			gotRows = append(gotRows, fmt.Sprintf("%s %s %s", row[0], row[3], row[4]))
		}
		if len(wantRows) == 0 || strings.Join(gotRows, "\n") != strings.Join(wantRows, "\n") {
			t.Errorf("the rules table says\n%s\nthe API\n%s", strings.Join(gotRows, "\n"), strings.Join(wantRows, "\n"))
		}
		if n := len(tableRows(doc, "plan-gaps")); n != len(want.RuleSetPlan.Gaps) || n == 0 {
			t.Errorf("%d gap rows, want %d", n, len(want.RuleSetPlan.Gaps))
		}
		if n := len(tableRows(doc, "plan-people")); n != want.RuleSetPlan.People.Total || n == 0 {
			t.Errorf("%d people rows, want %d", n, want.RuleSetPlan.People.Total)
		}
		if md := text(byID(doc, "plan-markdown")); !strings.Contains(md, "| `7a-initial-assessment` | changed course rule |") {
			t.Errorf("the Markdown lacks the rules table:\n%s", md)
		}
		b.eval(t, `document.getElementById("plan").scrollIntoView(); true`, nil)
		b.frames(t)
		b.screenshot(t, "rules-plan")
	})

	t.Run("plan of an uploaded file that does not load", func(t *testing.T) {
		upload := filepath.Join(t.TempDir(), "uploaded.yaml")
		if err := os.WriteFile(upload, []byte("rules:\n  - id: uploaded\n    course: course.hourz > 1\n    covers: {1.A: Basic}\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		b.eval(t, `(() => { const s = document.getElementById("plan-file"); s.value = ""; s.dispatchEvent(new Event("change")); return true; })()`, nil)
		var root struct{ Root struct{ NodeID int } }
		b.call(t, "DOM.getDocument", nil, &root)
		var input struct{ NodeID int }
		b.call(t, "DOM.querySelector", map[string]any{"nodeId": root.Root.NodeID, "selector": "#plan-upload"}, &input)
		b.call(t, "DOM.setFileInputFiles", map[string]any{"nodeId": input.NodeID, "files": []string{upload}}, nil)
		b.waitFor(t, "the uploaded file in the editor", `document.getElementById("plan-content").value.includes("id: uploaded")`)
		var path string
		b.eval(t, `document.getElementById("plan-path").value`, &path)
		if path != "uploaded.yaml" {
			t.Errorf("the path of the upload is %q, want uploaded.yaml", path)
		}
		doc := plan(t, "errors")
		rows := tableRows(doc, "plan-errors")
		want := api.RuleSet.Directory + "/uploaded.yaml:3:"
		if len(rows) != 1 || !strings.HasPrefix(rows[0][0], want) || !strings.Contains(rows[0][1], "course.hourz") {
			t.Errorf("error rows %v, want one at %s... naming course.hourz", rows, want)
		}
	})

	t.Run("rules naming codes a revision of the model retired", func(t *testing.T) {
		fw, err := modelfile.ReadFile(revisedModel)
		if err != nil {
			t.Fatal(err)
		}
		var comps []map[string]any
		for _, c := range fw.Competencies {
			var subs []map[string]any
			for _, sc := range c.SubCompetencies {
				subs = append(subs, map[string]any{"code": sc.Code, "statement": sc.Statement})
			}
			comps = append(comps, map[string]any{"code": c.Code, "title": c.Title, "description": c.Description, "subCompetencies": subs})
		}
		input := map[string]any{"framework": map[string]any{"name": fw.Name, "competencies": comps},
			"crosswalk": []map[string]any{{"old": "4.C", "new": []string{"4.M"}}, {"old": "4.K", "new": []string{}}}}
		var applied struct {
			ApplyModelRevision struct {
				Warnings []struct {
					File         string
					Line, Column int
					Message      string
				}
			}
		}
		// The revision serves with the rule files as they are on disk: the
		// broken one goes first.
		if err := os.Remove(filepath.Join(dir, "courses", "broken.yaml")); err != nil {
			t.Fatal(err)
		}
		postAs(t, s.URL(), s.firstKey, `mutation($input: ModelRevisionInput!) { applyModelRevision(input: $input) { warnings { file line column message } } }`,
			map[string]any{"input": input}, &applied)
		want := applied.ApplyModelRevision.Warnings
		if len(want) != 4 {
			t.Fatalf("applyModelRevision warns %+v, want 4 warnings", want)
		}
		doc = loadPage(t, b, s.URL()+"/rules")
		if hasAttr(byID(doc, "warnings"), "hidden") {
			t.Fatal("the warnings are hidden")
		}
		rows := tableRows(doc, "warning-list")
		if len(rows) != len(want) {
			t.Fatalf("%d warning rows, want %d", len(rows), len(want))
		}
		for i, w := range want {
			if rows[i][0] != fmt.Sprintf("%s:%d:%d", w.File, w.Line, w.Column) || !strings.Contains(rows[i][1], w.Message) {
				t.Errorf("warning row %d: %v, want %s:%d:%d %s", i, rows[i], w.File, w.Line, w.Column, w.Message)
			}
		}
		b.screenshot(t, "rules-warnings")
	})

	t.Run("400px", func(t *testing.T) {
		b.resize(t, 400, 800)
		b.frames(t)
		var overflow bool
		b.eval(t, `document.documentElement.scrollWidth > window.innerWidth + 1`, &overflow)
		if overflow {
			var widest string
			b.eval(t, `[...document.querySelectorAll("body *")].filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1 && !e.closest("table, pre")).map((e) => e.tagName + "#" + e.id + "." + e.className).slice(0, 5).join(" ")`, &widest)
			t.Errorf("the page is wider than a 400 px viewport: %s", widest)
		}
		b.screenshot(t, "rules-400px")
	})
}
