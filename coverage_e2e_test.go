package main

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
)

// The viewports the coverage page is tested at: a laptop and a phone.
var coverageViewports = []struct{ width, height int }{{1400, 900}, {400, 800}}

// coverageAPI holds the GraphQL API's answers that the page's must match.
type coverageAPI struct {
	ProficiencyScale struct{ Levels []string }
	Competencies     []struct {
		Code            string
		SubCompetencies []struct {
			Code string
			// The sub-competency's coverage by courses of each status.
			Active, Retired, Any []struct{ Level string }
		}
	}
	// The gap reports at the lowest level and at Expert.
	Uncovered, Expert struct {
		Uncovered []struct {
			SubCompetency struct{ Code string }
			Highest       *string
		}
	}
	RuleSet struct {
		Rules []struct {
			ID, File, Description string
			Line                  int
			Exclude               bool
			ExcludeCodes          []string
		}
	}
	ActiveCourses  struct{ TotalCount int }
	RetiredCourses struct {
		TotalCount int
		Edges      []struct{ Node struct{ Code string } }
	}
	// The matrix of the active courses, and the columns of the retired ones.
	Matrix struct {
		Courses []struct{ Code string }
		Rows    []struct {
			SubCompetency struct{ Code string }
			Cells         []struct {
				CourseCode string
				Level      string
				Rules      []struct {
					ID   string
					File string
					Line int
				}
			}
		}
	}
	RetiredMatrix struct{ Courses []struct{ Code string } }
}

const coverageQuery = `{
	proficiencyScale { levels }
	competencies { code subCompetencies { code
		active: coveredBy(status: ACTIVE) { level }
		retired: coveredBy(status: RETIRED) { level }
		any: coveredBy(status: ANY) { level } } }
	uncovered: gaps { uncovered { subCompetency { code } highest } }
	expert: gaps(minLevel: "Expert") { uncovered { subCompetency { code } highest } }
	ruleSet { rules(kind: COURSE) { id file line description exclude excludeCodes } }
	activeCourses: courses(first: 1, filter: { status: ACTIVE }) { totalCount }
	retiredCourses: courses(first: 100, filter: { status: RETIRED }) { totalCount edges { node { code } } }
	matrix: coverageMatrix { courses { code } rows { subCompetency { code } cells { courseCode level rules { id file line } } } }
	retiredMatrix: coverageMatrix(filter: { status: RETIRED }) { courses { code } }
}`

// subs returns the sub-competency codes in model order.
func (a *coverageAPI) subs() []string {
	var out []string
	for _, c := range a.Competencies {
		for _, s := range c.SubCompetencies {
			out = append(out, s.Code)
		}
	}
	return out
}

// reach returns, for each sub-competency, the highest level at which a
// course of the status (ACTIVE, RETIRED or ANY) covers it, "" when none
// does: what the page's Highest column must show whatever the minimum level.
func (a *coverageAPI) reach(status string) map[string]string {
	out := map[string]string{}
	for _, c := range a.Competencies {
		for _, s := range c.SubCompetencies {
			facts := map[string][]struct{ Level string }{"ACTIVE": s.Active, "RETIRED": s.Retired, "ANY": s.Any}[status]
			best := -1
			for _, f := range facts {
				best = max(best, slices.Index(a.ProficiencyScale.Levels, f.Level))
			}
			if best >= 0 {
				out[s.Code] = a.ProficiencyScale.Levels[best]
			}
		}
	}
	return out
}

// loadPage opens url and returns the page's DOM once it has rendered; it
// fails the test when the page reports an error or recorded a
// Content-Security-Policy violation.
func loadPage(t *testing.T, b *browser, url string) *html.Node {
	t.Helper()
	b.open(t, url)
	b.waitFor(t, url+" to render", `document.body && document.body.dataset.state && document.body.dataset.state !== "loading"`)
	b.frames(t)
	doc := b.dom(t)
	body := find(doc, func(n *html.Node) bool { return n.Data == "body" })
	if len(body) != 1 {
		t.Fatalf("%s: no body", url)
	}
	if state := attr(body[0], "data-state"); state != "ready" {
		msg := ""
		if errs := byID(doc, "error"); errs != nil {
			msg = text(errs)
		}
		t.Fatalf("%s: the page is %q, not ready: %s", url, state, msg)
	}
	if v := attr(body[0], "data-csp-violations"); v != "" {
		t.Errorf("%s: the Content-Security-Policy blocked: %s", url, v)
	}
	return doc
}

// find returns the element nodes under n that match, in document order.
func find(n *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	for d := range n.Descendants() {
		if d.Type == html.ElementNode && match(d) {
			out = append(out, d)
		}
	}
	return out
}

// byID returns the element with the id, nil when there is none.
func byID(n *html.Node, id string) *html.Node {
	if found := find(n, func(n *html.Node) bool { return attr(n, "id") == id }); len(found) > 0 {
		return found[0]
	}
	return nil
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasAttr(n *html.Node, key string) bool {
	return slices.ContainsFunc(n.Attr, func(a html.Attribute) bool { return a.Key == key })
}

func hasClass(n *html.Node, class string) bool {
	return slices.Contains(strings.Fields(attr(n, "class")), class)
}

func text(n *html.Node) string {
	var b strings.Builder
	for d := range n.Descendants() {
		if d.Type == html.TextNode {
			b.WriteString(d.Data)
		}
	}
	return b.String()
}

// pageRows returns the sub-competency rows of the coverage table.
func pageRows(doc *html.Node) []*html.Node {
	return find(doc, func(n *html.Node) bool { return n.Data == "tr" && attr(n, "data-sub") != "" })
}

// pageColumns returns the course codes of the table's columns.
func pageColumns(doc *html.Node) []string {
	var out []string
	for _, th := range find(doc, func(n *html.Node) bool { return n.Data == "th" && hasClass(n, "course") }) {
		out = append(out, text(th))
	}
	return out
}

// rowCell returns the row's cell of the class (count, highest).
func rowCell(tr *html.Node, class string) *html.Node {
	if cells := find(tr, func(n *html.Node) bool { return n.Data == "td" && hasClass(n, class) }); len(cells) == 1 {
		return cells[0]
	}
	return nil
}

// note is the page's note on why a view is empty.
type note struct {
	reasons []string
	text    string
	// The number of courses of the status, and of those that cover
	// anything; "" when the note does not rest on them.
	courses, covering string
}

// emptyNote returns the page's note on why the view is empty, with nil
// reasons when the note is hidden.
func emptyNote(t *testing.T, doc *html.Node) note {
	t.Helper()
	el := byID(doc, "empty")
	if el == nil {
		t.Fatal("the page has no #empty note")
	}
	if hasAttr(el, "hidden") {
		return note{}
	}
	return note{reasons: strings.Fields(attr(el, "data-reason")), text: strings.Join(strings.Fields(text(el)), " "),
		courses: attr(el, "data-courses"), covering: attr(el, "data-covering")}
}

// TestCoveragePageInChromium starts cmap as `cmap serve` does (fresh data
// folder, the shipped rules and seeds) and checks /coverage in headless
// Chromium, at a laptop's and a phone's width, against the GraphQL API:
// every sub-competency as a row under its competency, the gap rows, the
// totals and the Highest column under several filters, the rules behind a
// cell with their descriptions, why a view has no column, the sticky
// columns and the count of course columns off-screen while the courses
// scroll, that nothing sticks out of the viewport, and a screenshot; and
// that meanwhile the console shows no error, warning or policy violation
// and the page throws nothing. With CMAP_SCREENSHOTS set to a directory it
// saves the screenshots there.
func TestCoveragePageInChromium(t *testing.T) {
	chromium(t)
	s := start(t, serveConfig{Addr: "127.0.0.1:0", DataDir: t.TempDir(), RulesDir: "rules", SeedsDir: "seeds"})
	defer stop(t, s)
	var api coverageAPI
	post(t, s.URL(), coverageQuery, &api)
	if n := len(api.subs()); n != 58 {
		t.Fatalf("the API lists %d sub-competencies, want the model's 58", n)
	}
	b := startBrowser(t, coverageViewports[0].width, coverageViewports[0].height)
	checkConsole := func(t *testing.T) { b.checkConsole(t) }
	giveKey(t, b, s.URL()+"/coverage", s.firstKey)
	for _, vp := range coverageViewports {
		t.Run(fmt.Sprintf("%dpx", vp.width), func(t *testing.T) {
			b.resize(t, vp.width, vp.height)
			p := coveragePage{b: b, server: s.URL(), base: s.URL() + "/coverage", key: s.firstKey, api: &api, width: vp.width}
			run := func(name string, check func(*testing.T)) {
				t.Run(name, func(t *testing.T) {
					defer checkConsole(t)
					check(t)
				})
			}
			run("rows and totals", p.rowsAndTotals)
			run("gaps", p.gaps)
			run("highest", p.highest)
			run("cell, fit and screenshot", p.cell)
			run("sticky columns and off-screen count", p.sticky)
			run("why a view is empty", p.empty)
		})
	}

	// With every retired course made active again, "retired only" says the
	// catalogue has none.
	t.Run("no retired course", func(t *testing.T) {
		defer checkConsole(t)
		if api.RetiredCourses.TotalCount == 0 {
			t.Fatal("the shipped catalogue has no retired course: the test cannot tell the two explanations apart")
		}
		for _, e := range api.RetiredCourses.Edges {
			var c struct{ Course struct{ Version int } }
			post(t, s.URL(), fmt.Sprintf(`{ course(code: %q) { version } }`, e.Node.Code), &c)
			postAs(t, s.URL(), s.firstKey, fmt.Sprintf(`mutation { updateCourse(code: %q, version: %d, input: { status: ACTIVE }) { code } }`,
				e.Node.Code, c.Course.Version), nil, &struct{}{})
		}
		var left struct{ Courses struct{ TotalCount int } }
		post(t, s.URL(), `{ courses(filter: { status: RETIRED }) { totalCount } }`, &left)
		if left.Courses.TotalCount != 0 {
			t.Fatalf("%d retired courses are left", left.Courses.TotalCount)
		}
		for _, vp := range coverageViewports {
			b.resize(t, vp.width, vp.height)
			doc := loadPage(t, b, s.URL()+"/coverage#status=retired")
			n := emptyNote(t, doc)
			if !slices.Equal(n.reasons, []string{"no-courses"}) || n.courses != "0" || !strings.Contains(n.text, "no retired courses") {
				t.Errorf("%dpx: the note says %+v, want no-courses saying there are no retired courses", vp.width, n)
			}
			if cols := pageColumns(doc); len(cols) != 0 {
				t.Errorf("%dpx: columns %v without a retired course", vp.width, cols)
			}
		}
	})
}

// coveragePage checks the coverage page at one viewport.
type coveragePage struct {
	b *browser
	// The server's URL and the page's.
	server, base string
	// key is the API key the page is given (an admin's: it explains why
	// rules exclude courses, which needs the rule-author role).
	key   string
	api   *coverageAPI
	width int // of the viewport, in CSS pixels
}

// rowsAndTotals checks that every sub-competency is a row under its
// competency, that the columns are the API's, and that each row's count
// is the number of its courses.
func (p coveragePage) rowsAndTotals(t *testing.T) {
	doc := loadPage(t, p.b, p.base)
	var got []string
	rows := pageRows(doc)
	for _, tr := range rows {
		got = append(got, attr(tr, "data-sub"))
	}
	if want := p.api.subs(); !slices.Equal(got, want) {
		t.Errorf("the page shows %d rows %v,\nwant the 58 sub-competencies in model order %v", len(got), got, want)
	}
	var groups, competencies []string
	for _, c := range p.api.Competencies {
		competencies = append(competencies, c.Code)
	}
	for _, g := range find(doc, func(n *html.Node) bool { return n.Data == "tbody" && attr(n, "data-competency") != "" }) {
		groups = append(groups, attr(g, "data-competency"))
		for _, tr := range pageRows(g) {
			if sub := attr(tr, "data-sub"); !strings.HasPrefix(sub, strings.TrimSuffix(attr(g, "data-competency"), "0")) {
				t.Errorf("row %s is grouped under competency %s", sub, attr(g, "data-competency"))
			}
		}
	}
	if !slices.Equal(groups, competencies) {
		t.Errorf("competency groups %v, want %v", groups, competencies)
	}
	var want []string
	for _, c := range p.api.Matrix.Courses {
		want = append(want, c.Code)
	}
	if cols := pageColumns(doc); !slices.Equal(cols, want) {
		t.Errorf("columns %v, want the API's %v", cols, want)
	}
	counts := map[string]int{}
	for _, r := range p.api.Matrix.Rows {
		counts[r.SubCompetency.Code] = len(r.Cells)
	}
	for _, tr := range rows {
		sub := attr(tr, "data-sub")
		cells := find(tr, func(n *html.Node) bool { return n.Data == "td" && hasClass(n, "cell") })
		count := rowCell(tr, "count")
		n := find(count, func(n *html.Node) bool { return hasClass(n, "n") })
		if len(cells) != counts[sub] || len(n) != 1 || text(n[0]) != strconv.Itoa(counts[sub]) {
			t.Errorf("row %s: %d cells, count %q, want the API's %d courses", sub, len(cells), text(count), counts[sub])
		}
	}
	if n := emptyNote(t, doc); n.reasons != nil {
		t.Errorf("a view with columns says it is empty: %+v", n)
	}
}

// gaps checks the rows marked as gaps at Expert against the gap report.
func (p coveragePage) gaps(t *testing.T) {
	var want []string
	for _, u := range p.api.Expert.Uncovered {
		want = append(want, u.SubCompetency.Code)
	}
	if len(want) == 0 {
		t.Fatal("the shipped catalogue has no gap at Expert: the test cannot tell marked rows from unmarked ones")
	}
	doc := loadPage(t, p.b, p.base+"#minLevel=Expert")
	var got []string
	rows := pageRows(doc)
	for _, tr := range rows {
		if attr(tr, "data-gap") == "true" && hasClass(tr, "gap") {
			got = append(got, attr(tr, "data-sub"))
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("rows marked as gaps at Expert: %v,\nwant the API's uncovered sub-competencies %v", got, want)
	}
	if len(rows) != 58 {
		t.Errorf("%d rows at Expert, want 58", len(rows))
	}
	only := pageRows(loadPage(t, p.b, p.base+"#minLevel=Expert&gaps=1"))
	if len(only) != len(want) {
		t.Errorf("'only gaps' shows %d rows, want %d", len(only), len(want))
	}
}

// highest checks the Highest column under filters of every kind: it must
// say how far the courses of the chosen status get, whatever the minimum
// level, as the API's coveredBy does, and, for the active catalogue, as
// its gap report does.
func (p coveragePage) highest(t *testing.T) {
	below := 0
	for _, u := range p.api.Expert.Uncovered {
		if u.Highest != nil {
			below++
		}
	}
	if below == 0 {
		t.Fatal("no gap at Expert is covered at a lower level: the test cannot tell a reach from no coverage")
	}
	for _, v := range []struct{ fragment, status string }{
		{"#minLevel=Expert", "ACTIVE"},
		{"#minLevel=Advanced&status=all", "ANY"},
		{"#minLevel=Intermediate&status=retired", "RETIRED"},
		{"#competency=4.0&minLevel=Expert&gaps=1", "ACTIVE"},
	} {
		doc := loadPage(t, p.b, p.base+v.fragment)
		reach := p.api.reach(v.status)
		rows := pageRows(doc)
		if len(rows) == 0 {
			t.Fatalf("%s shows no row", v.fragment)
		}
		for _, tr := range rows {
			sub := attr(tr, "data-sub")
			cell := rowCell(tr, "highest")
			if cell == nil {
				t.Fatalf("%s: row %s has no Highest cell", v.fragment, sub)
			}
			if got := attr(cell, "data-level"); got != reach[sub] {
				t.Errorf("%s: row %s shows Highest %q (%q), want %q as coveredBy(status: %s) says",
					v.fragment, sub, got, text(cell), reach[sub], v.status)
			}
			if reach[sub] == "" && strings.TrimSpace(text(cell)) != "—" {
				t.Errorf("%s: row %s shows %q for no coverage, want —", v.fragment, sub, text(cell))
			}
		}
		if v.fragment == "#minLevel=Expert" {
			shown := map[string]string{}
			for _, tr := range rows {
				shown[attr(tr, "data-sub")] = attr(rowCell(tr, "highest"), "data-level")
			}
			for _, u := range p.api.Expert.Uncovered {
				if want := deref(u.Highest); shown[u.SubCompetency.Code] != want {
					t.Errorf("gap %s shows Highest %q, but gaps(minLevel: Expert) says %q", u.SubCompetency.Code, shown[u.SubCompetency.Code], want)
				}
			}
		}
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// The JavaScript that lists what sticks out of the viewport or clips its
// content, outside the grid (which scrolls), and the geometry of the
// filters and the legend.
const fitScript = `(() => {
  const grid = document.getElementById("grid");
  const width = document.documentElement.clientWidth;
  const name = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.className ? "." + el.className : "") +
    " " + JSON.stringify((el.textContent || "").trim().slice(0, 30));
  const problems = [];
  if (document.documentElement.scrollWidth > width) problems.push("the page is " + document.documentElement.scrollWidth + "px wide");
  for (const el of document.querySelectorAll("body *")) {
    if (el !== grid && grid.contains(el)) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    if (r.left < -0.5 || r.right > width + 0.5) problems.push(name(el) + " spans " + r.left + " to " + r.right);
    if (el !== grid && getComputedStyle(el).overflowX !== "visible" && el.tagName !== "SELECT" && el.scrollWidth > el.clientWidth + 1)
      problems.push(name(el) + " clips its content (" + el.scrollWidth + " > " + el.clientWidth + ")");
  }
  const corner = document.querySelector("#matrix thead th.subject");
  const off = document.getElementById("offscreen").getBoundingClientRect();
  const c = corner.getBoundingClientRect();
  if (off.left < c.left - 0.5 || off.right > c.right + 0.5) problems.push("the off-screen count sticks out of its corner");
  const box = (el) => { const r = el.getBoundingClientRect(); return { top: r.top, bottom: r.bottom }; };
  return {
    problems,
    filters: [...document.querySelectorAll("#filters label")].map(box),
    legend: [...document.querySelectorAll("#legend li")].map(box),
    gridScrolls: grid.scrollWidth > grid.clientWidth,
  };
})()`

// cell loads the view of the cell with the most rules among those at
// Advanced or above, checks the rules panel against the API, checks that
// nothing sticks out of the viewport, and takes a screenshot.
func (p coveragePage) cell(t *testing.T) {
	levels := p.api.ProficiencyScale.Levels
	var sub, course, level string
	var rules []string
	for _, r := range p.api.Matrix.Rows {
		for _, c := range r.Cells {
			if slices.Index(levels, c.Level) >= slices.Index(levels, "Advanced") && (rules == nil || len(c.Rules) > len(rules)) {
				sub, course, level, rules = r.SubCompetency.Code, c.CourseCode, c.Level, nil
				for _, rule := range c.Rules {
					rules = append(rules, fmt.Sprintf("%s %s:%d", rule.ID, rule.File, rule.Line))
				}
			}
		}
	}
	if sub == "" {
		t.Fatal("the API's coverage matrix has no cell at Advanced or above")
	}
	described := map[string]string{}
	for _, r := range p.api.RuleSet.Rules {
		described[r.ID] = r.Description
	}
	url := fmt.Sprintf("%s#minLevel=Advanced&cell=%s/%s", p.base, sub, course)
	doc := loadPage(t, p.b, url)

	panel := byID(doc, "panel")
	if panel == nil {
		t.Fatal("the page has no side panel")
	}
	if hasAttr(panel, "hidden") {
		t.Fatalf("%s: the side panel is hidden", url)
	}
	if got, want := attr(panel, "data-cell"), sub+"/"+course; got != want {
		t.Errorf("the panel shows cell %q, want %q", got, want)
	}
	var got []string
	for _, li := range find(panel, func(n *html.Node) bool { return n.Data == "li" && attr(n, "data-rule") != "" }) {
		id := attr(li, "data-rule")
		where := find(li, func(n *html.Node) bool { return hasClass(n, "where") })
		description := find(li, func(n *html.Node) bool { return hasClass(n, "description") })
		if len(where) != 1 || len(description) != 1 {
			t.Fatalf("rule %s shows %d file:line and %d descriptions, want one of each", id, len(where), len(description))
		}
		got = append(got, id+" "+text(where[0]))
		if text(description[0]) != described[id] || described[id] == "" {
			t.Errorf("rule %s is described as %q, the API's ruleSet says %q", id, text(description[0]), described[id])
		}
	}
	if !slices.Equal(got, rules) {
		t.Errorf("the panel of %s/%s lists rules %q, want %q", sub, course, got, rules)
	}
	if !strings.Contains(text(panel), level) {
		t.Errorf("the panel does not name the level %s", level)
	}
	selected := find(doc, func(n *html.Node) bool { return n.Data == "td" && hasClass(n, "selected") })
	if len(selected) != 1 || attr(selected[0], "data-course") != course {
		t.Errorf("the chosen cell is not marked as selected")
	}

	var fit struct {
		Problems    []string
		Filters     []struct{ Top, Bottom float64 }
		Legend      []struct{ Top, Bottom float64 }
		GridScrolls bool
	}
	p.b.eval(t, fitScript, &fit)
	for _, problem := range fit.Problems {
		t.Errorf("at %dpx: %s", p.width, problem)
	}
	if p.width <= 600 {
		// A phone: the filters stack, the legend wraps, the table scrolls
		// inside its container.
		for i := 1; i < len(fit.Filters); i++ {
			if fit.Filters[i].Top < fit.Filters[i-1].Bottom-1 {
				t.Errorf("filter %d is beside filter %d, not under it: %+v", i+1, i, fit.Filters)
			}
		}
		tops := map[float64]bool{}
		for _, li := range fit.Legend {
			tops[li.Top] = true
		}
		if len(tops) < 2 {
			t.Errorf("the legend is on one line at %dpx: it does not wrap", p.width)
		}
		if !fit.GridScrolls {
			t.Errorf("the table fits a %dpx screen: the test cannot see it scroll inside its container", p.width)
		}
	}

	p.b.screenshot(t, fmt.Sprintf("coverage-%d", p.width))
}

// The JavaScript that measures, in the grid as it is scrolled now, which
// course columns the sticky columns or the grid's edge hide (more than a
// pixel of them), from the cells of the first row, and whether the sticky
// cells are where they belong and on top.
const scrollScript = `(() => {
  const grid = document.getElementById("grid");
  const g = grid.getBoundingClientRect();
  const visibleRight = g.left + grid.clientLeft + grid.clientWidth;
  const rows = [...document.querySelectorAll("#matrix tr[data-sub]")];
  const first = rows[0];
  const head = first.querySelector("th").getBoundingClientRect();
  const count = first.querySelector("td.count");
  const highest = first.querySelector("td.highest");
  const from = head.right, to = count.getBoundingClientRect().left;
  const side = (td) => { const r = td.getBoundingClientRect(); return r.left < from - 1 ? -1 : r.right > to + 1 ? 1 : 0; };
  const columns = [...first.querySelectorAll("td")].filter((td) => td !== count && td !== highest);
  const sides = columns.map(side);
  const onTop = (el) => { const r = el.getBoundingClientRect(); const at = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2); return !!at && el.contains(at); };
  const inGrid = (el) => { const r = el.getBoundingClientRect(); return r.left >= g.left - 1 && r.right <= visibleRight + 1; };
  const off = document.getElementById("offscreen");
  return {
    scrollLeft: grid.scrollLeft,
    maxScroll: grid.scrollWidth - grid.clientWidth,
    pageScrollLeft: Number(off.dataset.scrollLeft),
    sides,
    // Columns said to be in view that something covers, or that lie out of the grid.
    covered: columns.filter((td, i) => sides[i] === 0 && (!onTop(td) || !inGrid(td))).length,
    headAtLeft: Math.abs(head.left - g.left) <= 1 && onTop(first.querySelector("th")),
    totalsInView: onTop(count) && onTop(highest) && inGrid(count) && inGrid(highest) &&
      [...document.querySelectorAll("#matrix thead th.count, #matrix thead th.highest")].every((th) => onTop(th) && inGrid(th)),
    page: { left: Number(off.dataset.left), right: Number(off.dataset.right), total: Number(off.dataset.total),
      text: off.querySelector(".what").textContent },
    rows: rows.map((tr) => {
      let left = 0, right = 0;
      for (const td of tr.querySelectorAll("td.cell")) {
        const s = side(td);
        if (s < 0) left++; else if (s > 0) right++;
      }
      return { sub: tr.dataset.sub, left, right, pageLeft: Number(tr.dataset.offLeft || 0), pageRight: Number(tr.dataset.offRight || 0) };
    }),
  };
})()`

// scrollState is what scrollScript measures.
type scrollState struct {
	ScrollLeft, MaxScroll, PageScrollLeft float64
	Sides                                 []int
	Covered                               int
	HeadAtLeft, TotalsInView              bool
	Page                                  struct {
		Left, Right, Total int
		Text               string
	}
	Rows []struct {
		Sub                              string
		Left, Right, PageLeft, PageRight int
	}
}

// sticky scrolls the full matrix from its start to its end and checks at
// each stop that the sub-competency column and the totals stay in view on
// top of the courses, and that the corner and each row say how many course
// columns (of the row's) are off-screen on each side.
func (p coveragePage) sticky(t *testing.T) {
	loadPage(t, p.b, p.base)
	measure := func(stop string) scrollState {
		t.Helper()
		var st scrollState
		deadline := time.Now().Add(browserTimeout)
		for {
			p.b.frames(t)
			p.b.eval(t, scrollScript, &st)
			if int(st.PageScrollLeft+0.5) == int(st.ScrollLeft+0.5) || time.Now().After(deadline) {
				break
			}
		}
		left, right := 0, 0
		for _, s := range st.Sides {
			if s < 0 {
				left++
			} else if s > 0 {
				right++
			}
		}
		inView := len(st.Sides) - left - right
		if !st.HeadAtLeft {
			t.Errorf("%s: the sub-competency column left the grid's left edge or is covered", stop)
		}
		if !st.TotalsInView {
			t.Errorf("%s: the totals are out of view or covered", stop)
		}
		if st.Covered > 0 {
			t.Errorf("%s: %d columns counted in view are covered or out of the grid", stop, st.Covered)
		}
		if st.Page.Left != left || st.Page.Right != right || st.Page.Total != len(st.Sides) {
			t.Errorf("%s: the page says %d left and %d right of %d off-screen, the grid shows %d left and %d right of %d",
				stop, st.Page.Left, st.Page.Right, st.Page.Total, left, right, len(st.Sides))
		}
		if want := fmt.Sprintf("%d of %d course columns off-screen", left+right, len(st.Sides)); left+right > 0 && st.Page.Text != want {
			t.Errorf("%s: the header says %q, want %q", stop, st.Page.Text, want)
		}
		for _, r := range st.Rows {
			if r.PageLeft != r.Left || r.PageRight != r.Right {
				t.Errorf("%s: row %s marks %d left and %d right of its courses off-screen, the grid shows %d and %d",
					stop, r.Sub, r.PageLeft, r.PageRight, r.Left, r.Right)
			}
		}
		// Fewer columns than this would leave a phone's screen to the
		// sticky columns.
		if inView < 5 {
			t.Errorf("%s: only %d course columns in view at %dpx", stop, inView, p.width)
		}
		return st
	}
	scroll := func(to string) {
		t.Helper()
		p.b.eval(t, `document.getElementById("grid").scrollLeft = `+to, nil)
	}

	st := measure("at the start")
	if st.Page.Right == 0 || st.MaxScroll <= 0 {
		t.Fatalf("every course column fits %dpx: the test cannot scroll", p.width)
	}
	end := strconv.FormatFloat(st.MaxScroll, 'f', -1, 64)
	scroll(end + " / 2")
	if st = measure("half way"); st.Page.Left == 0 || st.Page.Right == 0 {
		t.Errorf("half way: %d left and %d right off-screen, want some on each side", st.Page.Left, st.Page.Right)
	}
	scroll(end)
	if st = measure("at the end"); st.Page.Left == 0 || st.Page.Right != 0 {
		t.Errorf("at the end: %d left and %d right off-screen, want some left and none right", st.Page.Left, st.Page.Right)
	}

	// The corner's left button scrolls back towards the start (smoothly:
	// wait until the grid stops).
	p.b.eval(t, `document.querySelector("#offscreen button[data-dir='-1']").click()`, nil)
	last := st.ScrollLeft
	for deadline := time.Now().Add(10 * time.Second); ; {
		time.Sleep(200 * time.Millisecond)
		var now float64
		p.b.eval(t, `document.getElementById("grid").scrollLeft`, &now)
		if now == last && now < st.MaxScroll-1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the left button did not scroll the grid back: scrollLeft %v of %v", now, st.MaxScroll)
		}
		last = now
	}
	if st = measure("after the left button"); st.Page.Right == 0 {
		t.Errorf("after the left button: no column off-screen to the right")
	}
}

// empty checks what the page says when a view has no course column or no
// row: "retired only" as the API answers it (columns when retired courses
// cover something; otherwise none, naming the exclusion rules that fire),
// filters that select nothing, and "only gaps" without a gap.
func (p coveragePage) empty(t *testing.T) {
	doc := loadPage(t, p.b, p.base+"#status=retired")
	var want []string
	for _, c := range p.api.RetiredMatrix.Courses {
		want = append(want, c.Code)
	}
	n := emptyNote(t, doc)
	retired := strconv.Itoa(p.api.RetiredCourses.TotalCount)
	switch {
	case len(want) > 0:
		if cols := pageColumns(doc); !slices.Equal(cols, want) || n.reasons != nil {
			t.Errorf("retired only: columns %v and note %+v, want the API's %v and no note", cols, n, want)
		}
	case p.api.RetiredCourses.TotalCount == 0:
		if !slices.Equal(n.reasons, []string{"no-courses"}) {
			t.Errorf("retired only, none retired: note %+v, want no-courses", n)
		}
	default:
		if !slices.Equal(n.reasons, []string{"covers-nothing"}) || n.courses != retired {
			t.Errorf("retired only: note %+v, want covers-nothing resting on the %s retired courses", n, retired)
		}
		// Each exclusion rule that fires for a retired course is named,
		// with where it is written and what it says.
		named := 0
		for _, r := range p.api.RuleSet.Rules {
			if !r.Exclude || len(r.ExcludeCodes) > 0 {
				continue
			}
			fired := false
			for _, e := range p.api.RetiredCourses.Edges {
				var x struct{ Explain struct{ Fired bool } }
				postAs(t, p.server, p.key, fmt.Sprintf(`{ explain(rule: %q, course: %q) { fired } }`, r.ID, e.Node.Code), nil, &x)
				fired = fired || x.Explain.Fired
			}
			if mentioned := strings.Contains(n.text, r.ID); fired != mentioned {
				t.Errorf("retired only: rule %s fires for a retired course: %v, the note names it: %v (%q)", r.ID, fired, mentioned, n.text)
			}
			if fired {
				named++
				if where := fmt.Sprintf("%s:%d", r.File, r.Line); !strings.Contains(n.text, where) || !strings.Contains(n.text, r.Description) {
					t.Errorf("retired only: the note does not say where rule %s is (%s) and what it says: %q", r.ID, where, n.text)
				}
			}
		}
		if named == 0 && !strings.Contains(n.text, "No rule gives") {
			t.Errorf("retired only: no exclusion fires, but the note does not say that no rule gives them coverage: %q", n.text)
		}
	}

	// A competency no active course covers at Expert, though active
	// courses cover other things; and one with no gap at the lowest level.
	atExpert, atAll := map[string]bool{}, map[string]bool{}
	for _, u := range p.api.Expert.Uncovered {
		atExpert[u.SubCompetency.Code] = true
	}
	for _, u := range p.api.Uncovered.Uncovered {
		atAll[u.SubCompetency.Code] = true
	}
	bare, covered := "", ""
	for _, c := range p.api.Competencies {
		all, none := true, true
		for _, s := range c.SubCompetencies {
			all = all && atExpert[s.Code]
			none = none && !atAll[s.Code]
		}
		if all && bare == "" {
			bare = c.Code
		}
		if none && covered == "" {
			covered = c.Code
		}
	}
	if bare == "" || covered == "" {
		t.Fatalf("the shipped catalogue has no competency without an active course at Expert (%q) or none without a gap (%q)", bare, covered)
	}
	doc = loadPage(t, p.b, p.base+"#competency="+bare+"&minLevel=Expert")
	n = emptyNote(t, doc)
	if !slices.Equal(n.reasons, []string{"filtered"}) || !strings.Contains(n.text, bare) ||
		n.courses != strconv.Itoa(p.api.ActiveCourses.TotalCount) || n.covering != strconv.Itoa(len(p.api.Matrix.Courses)) {
		t.Errorf("competency %s at Expert: note %+v, want filtered naming %s, resting on the %d active courses of which %d cover something",
			bare, n, bare, p.api.ActiveCourses.TotalCount, len(p.api.Matrix.Courses))
	}

	doc = loadPage(t, p.b, p.base+"#competency="+covered+"&gaps=1")
	n = emptyNote(t, doc)
	if !slices.Equal(n.reasons, []string{"no-gaps"}) || len(pageRows(doc)) != 0 {
		t.Errorf("only the gaps of %s: %d rows, note %+v, want none and no-gaps", covered, len(pageRows(doc)), n)
	}
}
