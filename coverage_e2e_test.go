package main

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
)

// chromiumBinary is Debian's headless-capable Chromium, which .ci/run
// installs.
const chromiumBinary = "/usr/bin/chromium"

// Geometry of the screenshot.
const (
	screenWidth  = 1600
	screenHeight = 1200
)

// chromium returns the path of Chromium. Without it the test fails in CI
// (where the environment variable CI is set and Chromium must be there)
// and is skipped elsewhere, saying how to install it.
func chromium(t *testing.T) string {
	t.Helper()
	if _, err := os.Stat(chromiumBinary); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI is set but %s is missing: %v", chromiumBinary, err)
		}
		t.Skipf("%s is missing (install it with: apt-get install -y chromium)", chromiumBinary)
	}
	return chromiumBinary
}

// runChromium loads url in a fresh headless Chromium with the extra
// arguments and returns what it wrote to stdout. Virtual time lets the
// page's fetch and rendering finish before Chromium dumps or shoots it.
func runChromium(t *testing.T, url string, extra ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 90*time.Second)
	defer cancel()
	args := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
		"--run-all-compositor-stages-before-draw", "--disable-dev-shm-usage",
		"--user-data-dir=" + t.TempDir(), "--virtual-time-budget=20000",
		fmt.Sprintf("--window-size=%d,%d", screenWidth, screenHeight)}
	args = append(append(args, extra...), url)
	cmd := exec.CommandContext(ctx, chromium(t), args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			err = fmt.Errorf("%w: no answer within the time limit", ctx.Err())
		}
		t.Fatalf("chromium %s: %v\n%s", url, err, chromiumErrors(stderr.String()))
	}
	return stdout.Bytes()
}

// chromiumErrors drops from Chromium's log the lines about the system
// message bus, which containers lack and which say nothing about the page.
func chromiumErrors(log string) string {
	var kept []string
	for _, line := range strings.Split(log, "\n") {
		if !strings.Contains(line, "dbus") {
			kept = append(kept, line)
		}
	}
	return strings.Join(kept, "\n")
}

// loadPage returns the DOM of url once the coverage page has rendered; it
// fails the test when the page reports an error, is still loading, or
// recorded a Content-Security-Policy violation.
func loadPage(t *testing.T, url string) *html.Node {
	t.Helper()
	doc, err := html.Parse(bytes.NewReader(runChromium(t, url, "--dump-dom")))
	if err != nil {
		t.Fatalf("parsing the DOM of %s: %v", url, err)
	}
	body := find(doc, func(n *html.Node) bool { return n.Data == "body" })
	if len(body) != 1 {
		t.Fatalf("%s: no body", url)
	}
	if state := attr(body[0], "data-state"); state != "ready" {
		errs := find(doc, func(n *html.Node) bool { return attr(n, "id") == "error" })
		msg := ""
		if len(errs) > 0 {
			msg = text(errs[0])
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

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
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

// TestCoveragePageInChromium starts cmap as `cmap serve` does (fresh data
// folder, the shipped rules and seeds), loads /coverage in headless
// Chromium and checks what it renders against the GraphQL API: every
// sub-competency as a row under its competency, the gap rows at a level,
// the rules behind a cell, and a screenshot that is not blank.
func TestCoveragePageInChromium(t *testing.T) {
	chromium(t)
	s := start(t, serveConfig{Addr: "127.0.0.1:0", DataDir: t.TempDir(), RulesDir: "rules", SeedsDir: "seeds"})
	defer stop(t, s)

	var api struct {
		Competencies []struct {
			Code            string
			SubCompetencies []struct{ Code string }
		}
		Gaps struct {
			Uncovered []struct{ SubCompetency struct{ Code string } }
		}
		CoverageMatrix struct {
			Rows []struct {
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
	}
	post(t, s.URL(), `{
		competencies { code subCompetencies { code } }
		gaps(minLevel: "Expert") { uncovered { subCompetency { code } } }
		coverageMatrix { rows { subCompetency { code } cells { courseCode level rules { id file line } } } }
	}`, &api)
	var subs, competencies []string
	for _, c := range api.Competencies {
		competencies = append(competencies, c.Code)
		for _, sc := range c.SubCompetencies {
			subs = append(subs, sc.Code)
		}
	}
	if len(subs) != 58 {
		t.Fatalf("the API lists %d sub-competencies, want the model's 58", len(subs))
	}

	t.Run("rows", func(t *testing.T) {
		doc := loadPage(t, s.URL()+"/coverage")
		var got []string
		for _, tr := range pageRows(doc) {
			got = append(got, attr(tr, "data-sub"))
		}
		if !slices.Equal(got, subs) {
			t.Errorf("the page shows %d rows %v,\nwant the 58 sub-competencies in model order %v", len(got), got, subs)
		}
		var groups []string
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
		if cells := find(doc, func(n *html.Node) bool { return n.Data == "td" && hasClass(n, "cell") }); len(cells) == 0 {
			t.Errorf("the page shows no coverage cell")
		}
	})

	t.Run("gaps", func(t *testing.T) {
		var want []string
		for _, u := range api.Gaps.Uncovered {
			want = append(want, u.SubCompetency.Code)
		}
		if len(want) == 0 {
			t.Fatal("the shipped catalogue has no gap at Expert: the test cannot tell marked rows from unmarked ones")
		}
		doc := loadPage(t, s.URL()+"/coverage#minLevel=Expert")
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
		only := pageRows(loadPage(t, s.URL()+"/coverage#minLevel=Expert&gaps=1"))
		if len(only) != len(want) {
			t.Errorf("'only gaps' shows %d rows, want %d", len(only), len(want))
		}
	})

	// The cell with the most rules behind it.
	var sub, course, level string
	var rules []string
	for _, r := range api.CoverageMatrix.Rows {
		for _, c := range r.Cells {
			if len(c.Rules) > len(rules) || rules == nil {
				sub, course, level, rules = r.SubCompetency.Code, c.CourseCode, c.Level, nil
				for _, rule := range c.Rules {
					rules = append(rules, fmt.Sprintf("%s %s:%d", rule.ID, rule.File, rule.Line))
				}
			}
		}
	}
	if sub == "" {
		t.Fatal("the API's coverage matrix has no cell")
	}
	cellURL := fmt.Sprintf("%s/coverage#cell=%s/%s", s.URL(), sub, course)

	t.Run("rules of a cell", func(t *testing.T) {
		doc := loadPage(t, cellURL)
		panels := find(doc, func(n *html.Node) bool { return attr(n, "id") == "panel" })
		if len(panels) != 1 {
			t.Fatal("the page has no side panel")
		}
		panel := panels[0]
		if slices.ContainsFunc(panel.Attr, func(a html.Attribute) bool { return a.Key == "hidden" }) {
			t.Fatalf("%s: the side panel is hidden", cellURL)
		}
		if got, want := attr(panel, "data-cell"), sub+"/"+course; got != want {
			t.Errorf("the panel shows cell %q, want %q", got, want)
		}
		var got []string
		for _, li := range find(panel, func(n *html.Node) bool { return n.Data == "li" && attr(n, "data-rule") != "" }) {
			where := find(li, func(n *html.Node) bool { return hasClass(n, "where") })
			if len(where) != 1 {
				t.Fatalf("rule %s shows no file:line", attr(li, "data-rule"))
			}
			got = append(got, attr(li, "data-rule")+" "+text(where[0]))
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
	})

	t.Run("screenshot", func(t *testing.T) {
		dir := t.TempDir()
		runChromium(t, cellURL, "--screenshot="+filepath.Join(dir, "coverage.png"))
		data, err := os.ReadFile(filepath.Join(dir, "coverage.png"))
		if err != nil {
			t.Fatalf("no screenshot: %v", err)
		}
		if out := os.Getenv("CMAP_SCREENSHOT"); out != "" {
			if err := os.WriteFile(out, data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		img, err := png.Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("the screenshot is not a PNG: %v", err)
		}
		if b := img.Bounds(); b.Dx() != screenWidth || b.Dy() != screenHeight {
			t.Errorf("the screenshot is %dx%d, want %dx%d", b.Dx(), b.Dy(), screenWidth, screenHeight)
		}
		colours := map[[4]uint32]bool{}
		b := img.Bounds()
		for y := b.Min.Y; y < b.Max.Y; y += 4 {
			for x := b.Min.X; x < b.Max.X; x += 4 {
				r, g, bl, a := img.At(x, y).RGBA()
				colours[[4]uint32{r >> 8, g >> 8, bl >> 8, a >> 8}] = true
			}
		}
		// A blank page has one colour; the map has the page's own colours,
		// one per level of the scale, text and hatching.
		if len(colours) < 20 {
			t.Errorf("the screenshot has %d colours: it looks blank", len(colours))
		}
	})
}
