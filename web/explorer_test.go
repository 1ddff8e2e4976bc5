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

// The explorer is served from the binary with a strict policy and
// references nothing outside it, so it works offline.
func TestExplorer(t *testing.T) {
	srv := httptest.NewServer(web.Explorer())
	t.Cleanup(srv.Close)
	get := func(path string) (*http.Response, string) {
		res, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		return res, string(body)
	}
	res, page := get("/")
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("/: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	csp := res.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "script-src 'self'") || !strings.Contains(csp, "connect-src 'self'") {
		t.Errorf("Content-Security-Policy %q is not strict", csp)
	}
	assets := regexp.MustCompile(`(?:src|href)="([^"]+)"`).FindAllStringSubmatch(page, -1)
	if len(assets) < 2 {
		t.Fatalf("the page references %d assets", len(assets))
	}
	types := map[string]string{".js": "text/javascript", ".css": "text/css"}
	for _, m := range assets {
		if strings.Contains(m[1], "//") {
			t.Errorf("the page loads %s from elsewhere: it must work offline", m[1])
			continue
		}
		res, body := get("/" + m[1])
		ext := m[1][strings.LastIndexByte(m[1], '.'):]
		if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), types[ext]) || strings.Contains(body, "://") {
			t.Errorf("%s: %d %q (external references: %v)", m[1], res.StatusCode, res.Header.Get("Content-Type"), strings.Contains(body, "://"))
		}
	}
	if res, _ := get("/no-such-file"); res.StatusCode != 404 {
		t.Errorf("/no-such-file: %d, want 404", res.StatusCode)
	}
}
