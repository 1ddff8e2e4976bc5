package web_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"cmap/web"
)

// serve answers a request as cmap serve routes the pages: the explorer
// (and its icon, which the coverage page links too) at /, the coverage
// page at /coverage.
func serve(t *testing.T, method, path string) *http.Response {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle("/", web.Explorer())
	mux.Handle(web.CoveragePath, web.Coverage())
	mux.Handle(web.CoveragePath+"/", web.Coverage())
	mux.Handle(web.RulesPath, web.Rules())
	mux.Handle(web.RulesPath+"/", web.Rules())
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest(method, path, nil))
	return rec.Result()
}

func body(t *testing.T, r *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestCoverageServesPageAndAssets(t *testing.T) {
	for _, tc := range []struct {
		path, contentType, contains string
	}{
		{"/coverage", "text/html", `<table id="matrix">`},
		{"/coverage/coverage.js", "text/javascript", "coverageMatrix(filter: $filter)"},
		{"/coverage/coverage.css", "text/css", "td.cell"},
		{"/rules", "text/html", `<form id="plan-form">`},
		{"/rules/rules.js", "text/javascript", "ruleSetPlan(files: $files)"},
		{"/rules/rules.css", "text/css", "#plan-content"},
	} {
		r := serve(t, http.MethodGet, tc.path)
		if r.StatusCode != http.StatusOK {
			t.Errorf("GET %s: status %d", tc.path, r.StatusCode)
			continue
		}
		if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, tc.contentType) {
			t.Errorf("GET %s: Content-Type %q, want %s", tc.path, ct, tc.contentType)
		}
		csp := r.Header.Get("Content-Security-Policy")
		for _, directive := range []string{"default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'", "frame-ancestors 'none'"} {
			if !strings.Contains(csp, directive) {
				t.Errorf("GET %s: Content-Security-Policy %q lacks %q", tc.path, csp, directive)
			}
		}
		if strings.Contains(csp, "unsafe") {
			t.Errorf("GET %s: Content-Security-Policy %q allows unsafe sources", tc.path, csp)
		}
		if got := r.Header.Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("GET %s: X-Content-Type-Options %q", tc.path, got)
		}
		if b := body(t, r); !strings.Contains(b, tc.contains) {
			t.Errorf("GET %s: body lacks %q", tc.path, tc.contains)
		}
	}
}

// TestPagesAreSelfContained checks that each page names only assets
// the handler serves, loads nothing from another origin and has no inline
// script or style, which the policy would block.
func TestPagesAreSelfContained(t *testing.T) {
	for _, name := range []string{"coverage", "rules"} {
		t.Run(name, func(t *testing.T) { selfContained(t, name) })
	}
}

// selfContained checks the page at /name, whose assets are name.js and
// name.css.
func selfContained(t *testing.T, name string) {
	page := body(t, serve(t, http.MethodGet, "/"+name))
	refs := regexp.MustCompile(`(?:src|href)="([^"]*)"`).FindAllStringSubmatch(page, -1)
	if len(refs) < 2 {
		t.Fatalf("the page names %d assets, want its script and style", len(refs))
	}
	for _, ref := range refs {
		u := ref[1]
		if strings.Contains(u, "//") {
			t.Errorf("the page loads %q from elsewhere", u)
			continue
		}
		if u == "./" { // the explorer link
			continue
		}
		// Relative to /coverage, "coverage/x" is /coverage/x.
		if r := serve(t, http.MethodGet, "/"+u); r.StatusCode != http.StatusOK {
			t.Errorf("the page names %q, which answers %d", u, r.StatusCode)
		}
	}
	if regexp.MustCompile(`<script>|<style|\sstyle="|\son[a-z]+="`).MatchString(page) {
		t.Errorf("the page has inline script or style")
	}
	for _, asset := range []string{"/" + name + "/" + name + ".js", "/" + name + "/" + name + ".css"} {
		if b := body(t, serve(t, http.MethodGet, asset)); regexp.MustCompile(`https?://`).MatchString(b) {
			t.Errorf("%s names another origin", asset)
		}
	}
}

func TestPageRoutes(t *testing.T) {
	for _, tc := range []struct {
		method, path string
		status       int
		location     string
	}{
		{http.MethodHead, "/coverage", http.StatusOK, ""},
		{http.MethodGet, "/coverage/", http.StatusMovedPermanently, "/coverage"},
		{http.MethodGet, "/coverage/index.html", http.StatusMovedPermanently, "/coverage"},
		{http.MethodGet, "/coverage/missing.js", http.StatusNotFound, ""},
		{http.MethodGet, "/coverageX", http.StatusNotFound, ""},
		{http.MethodPost, "/coverage", http.StatusMethodNotAllowed, ""},
		{http.MethodHead, "/rules", http.StatusOK, ""},
		{http.MethodGet, "/rules/", http.StatusMovedPermanently, "/rules"},
		{http.MethodGet, "/rules/missing.js", http.StatusNotFound, ""},
		{http.MethodPost, "/rules", http.StatusMethodNotAllowed, ""},
	} {
		r := serve(t, tc.method, tc.path)
		if r.StatusCode != tc.status {
			t.Errorf("%s %s: status %d, want %d", tc.method, tc.path, r.StatusCode, tc.status)
		}
		if got := r.Header.Get("Location"); got != tc.location {
			t.Errorf("%s %s: Location %q, want %q", tc.method, tc.path, got, tc.location)
		}
		if tc.status == http.StatusMethodNotAllowed && r.Header.Get("Allow") != "GET, HEAD" {
			t.Errorf("%s %s: Allow %q", tc.method, tc.path, r.Header.Get("Allow"))
		}
	}
}
