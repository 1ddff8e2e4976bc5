package web_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"path"
	"regexp"
	"strings"
	"testing"

	"cmap/web"
)

// explorerClient gets paths of the explorer with the request headers given
// as name, value pairs, leaving the body as sent (no transparent gzip).
func explorerClient(t *testing.T) func(method, path string, header ...string) (*http.Response, []byte) {
	srv := httptest.NewServer(web.Explorer())
	t.Cleanup(srv.Close)
	client := &http.Client{
		Transport:     &http.Transport{DisableCompression: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return func(method, p string, header ...string) (*http.Response, []byte) {
		t.Helper()
		req, err := http.NewRequest(method, srv.URL+p, nil)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, err := io.ReadAll(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		return res, body
	}
}

var (
	scriptNonce = regexp.MustCompile(`<script src="explorer\.js" nonce="([^"]+)"`)
	pageLinks   = regexp.MustCompile(`(?:src|href)="([^"]+)"`)
	cssURLs     = regexp.MustCompile(`url\(([^)]*)\)`)
)

// The page is GraphiQL's host: it names its script's nonce, which the
// policy of that response (and only that response) lets style elements
// carry, while scripts come from the page's origin alone.
func TestExplorerPage(t *testing.T) {
	get := explorerClient(t)
	nonces := map[string]bool{}
	for range 2 {
		res, page := get("GET", "/")
		if res.StatusCode != 200 || res.Header.Get("Content-Type") != "text/html; charset=utf-8" {
			t.Fatalf("/: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
		}
		if got := res.Header.Get("Cache-Control"); got != "no-store" {
			t.Errorf("/: Cache-Control %q, want no-store: each response has its own nonce", got)
		}
		m := scriptNonce.FindSubmatch(page)
		if m == nil {
			t.Fatalf("the page names no nonce on its script:\n%s", page)
		}
		nonce := string(m[1])
		nonces[nonce] = true
		csp := res.Header.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'none'", "script-src 'self';", "style-src 'self' 'nonce-" + nonce + "';",
			"font-src 'self'", "connect-src 'self'", "img-src 'self'", "frame-ancestors 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("Content-Security-Policy %q lacks %q", csp, want)
			}
		}
		if strings.Contains(csp, "unsafe") || strings.Contains(csp, "data:") || strings.Contains(csp, "blob:") {
			t.Errorf("Content-Security-Policy %q allows more than the page's origin", csp)
		}
	}
	if len(nonces) != 2 {
		t.Errorf("two loads of the page got the nonces %v, want two different ones", nonces)
	}
}

// Every file the page and its stylesheet name is embedded and served from
// the page's origin with its content type and cache headers; none is
// fetched from elsewhere, so the explorer works offline.
func TestExplorerAssets(t *testing.T) {
	get := explorerClient(t)
	_, page := get("GET", "/")
	var names []string
	for _, m := range pageLinks.FindAllSubmatch(page, -1) {
		names = append(names, string(m[1]))
	}
	if !strings.Contains(strings.Join(names, " "), "explorer.js") || !strings.Contains(strings.Join(names, " "), "explorer.css") {
		t.Fatalf("the page names %v, not explorer.js and explorer.css", names)
	}
	_, css := get("GET", "/explorer.css")
	fonts := 0
	for _, m := range cssURLs.FindAllSubmatch(css, -1) {
		names = append(names, strings.Trim(string(m[1]), `"'`))
		fonts++
	}
	if fonts == 0 {
		t.Errorf("explorer.css names no font or image: GraphiQL's styles embed them")
	}
	names = append(names, "licenses.txt")

	types := map[string]string{
		".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8", ".txt": "text/plain; charset=utf-8",
		".svg": "image/svg+xml", ".png": "image/png", ".woff2": "font/woff2", ".woff": "font/woff",
	}
	for _, name := range names {
		if strings.Contains(name, ":") || strings.HasPrefix(name, "/") {
			t.Errorf("%s is not a file beside the page: the explorer must work offline and behind a path prefix", name)
			continue
		}
		res, body := get("GET", "/"+name, "Accept-Encoding", "identity")
		if want := types[path.Ext(name)]; res.StatusCode != 200 || res.Header.Get("Content-Type") != want {
			t.Errorf("%s: %d %q, want 200 %q", name, res.StatusCode, res.Header.Get("Content-Type"), want)
			continue
		}
		if len(body) == 0 {
			t.Errorf("%s is empty", name)
		}
		wantCache := "no-cache"
		if strings.HasPrefix(name, "assets/") {
			wantCache = "public, max-age=31536000, immutable"
		}
		if got := res.Header.Get("Cache-Control"); got != wantCache {
			t.Errorf("%s: Cache-Control %q, want %q", name, got, wantCache)
		}
		etag := res.Header.Get("ETag")
		if etag == "" {
			t.Errorf("%s has no ETag", name)
			continue
		}
		if again, body := get("GET", "/"+name, "If-None-Match", etag, "Accept-Encoding", "identity"); again.StatusCode != 304 || len(body) != 0 {
			t.Errorf("%s again with its ETag: %d and %d bytes, want 304 and none", name, again.StatusCode, len(body))
		}
		if res.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: no X-Content-Type-Options: nosniff", name)
		}
	}
}

// The bundle needs no eval, which the policy forbids (script-src 'self'
// without 'unsafe-eval'), and goes gzipped to clients that accept it.
func TestExplorerBundle(t *testing.T) {
	get := explorerClient(t)
	res, js := get("GET", "/explorer.js", "Accept-Encoding", "identity")
	if res.Header.Get("Content-Encoding") != "" {
		t.Fatalf("explorer.js is %s-encoded for a client that asked for identity", res.Header.Get("Content-Encoding"))
	}
	for _, banned := range []string{"eval(", "new Function("} {
		if bytes.Contains(js, []byte(banned)) {
			t.Errorf("explorer.js calls %s: the page's policy blocks it", banned)
		}
	}

	zres, zipped := get("GET", "/explorer.js", "Accept-Encoding", "br, gzip;q=0.8")
	if zres.Header.Get("Content-Encoding") != "gzip" || !strings.Contains(zres.Header.Get("Vary"), "Accept-Encoding") {
		t.Fatalf("explorer.js for a client accepting gzip: Content-Encoding %q, Vary %q",
			zres.Header.Get("Content-Encoding"), zres.Header.Get("Vary"))
	}
	zr, err := gzip.NewReader(bytes.NewReader(zipped))
	if err != nil {
		t.Fatal(err)
	}
	unzipped, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(unzipped, js) {
		t.Errorf("gunzipped explorer.js (%d bytes) differs from explorer.js (%d bytes)", len(unzipped), len(js))
	}
	if len(zipped) >= len(js)/2 {
		t.Errorf("gzipped explorer.js is %d bytes of %d", len(zipped), len(js))
	}
	if zres.Header.Get("ETag") == res.Header.Get("ETag") {
		t.Errorf("gzipped and plain explorer.js share the ETag %s", res.Header.Get("ETag"))
	}
	if again, _ := get("GET", "/explorer.js", "Accept-Encoding", "gzip;q=0"); again.Header.Get("Content-Encoding") != "" {
		t.Errorf("explorer.js is gzipped for a client that refuses gzip (q=0)")
	}
}

// The explorer answers only for its own files, and only to reads.
func TestExplorerRoutes(t *testing.T) {
	get := explorerClient(t)
	if res, _ := get("GET", "/no-such-file"); res.StatusCode != 404 {
		t.Errorf("/no-such-file: %d, want 404", res.StatusCode)
	}
	if res, _ := get("GET", "/assets/"); res.StatusCode != 404 {
		t.Errorf("/assets/: %d, want 404 (no listing)", res.StatusCode)
	}
	if res, _ := get("GET", "/index.html"); res.StatusCode != 301 || res.Header.Get("Location") != "./" {
		t.Errorf("/index.html: %d to %q, want 301 to ./", res.StatusCode, res.Header.Get("Location"))
	}
	if res, _ := get("POST", "/"); res.StatusCode != 405 {
		t.Errorf("POST /: %d, want 405", res.StatusCode)
	}
	if res, body := get("HEAD", "/explorer.css"); res.StatusCode != 200 || len(body) != 0 {
		t.Errorf("HEAD /explorer.css: %d with %d bytes, want 200 with none", res.StatusCode, len(body))
	}
}
