package web

import (
	"bytes"
	"compress/gzip"
	"crypto/rand"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"
)

// explorerDist is the explorer: GraphiQL, bundled by explorer/build.mjs
// from the packages explorer/package-lock.json pins. The bundle is
// committed, so building cmap needs neither npm nor a network; CI rebuilds
// it (cd web/explorer && npm ci && npm run build) and fails if it differs.
//
//go:embed explorer/dist
var explorerDist embed.FS

// explorerPolicy is the Content-Security-Policy of the explorer page, a
// format whose one verb takes the nonce of the response. It is the pages'
// policy (pagePolicy) with two sources more: fonts from the page's origin
// (GraphiQL's Roboto and Fira Code, which the build takes out of data: URLs
// into files), and <style> elements that carry the nonce (GraphiQL's
// dialogs add one to lock the page's scroll; the nonce is written on the
// script's tag, where the script reads it). Scripts stay 'self' only:
// GraphiQL 4, on CodeMirror 5, needs neither eval nor workers.
const explorerPolicy = "default-src 'none'; script-src 'self'; style-src 'self' 'nonce-%s'; font-src 'self'; " +
	"connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// nonceMark is where index.html wants the nonce of its response.
var nonceMark = []byte("{{nonce}}")

// explorerTypes are the content types of the files explorer/dist holds, by
// extension (build.mjs makes no other kind); TestExplorerAssets checks
// those of the files the page names.
var explorerTypes = map[string]string{
	".html":  "text/html; charset=utf-8",
	".js":    "text/javascript; charset=utf-8",
	".css":   "text/css; charset=utf-8",
	".txt":   "text/plain; charset=utf-8",
	".woff2": "font/woff2",
	".woff":  "font/woff",
	".png":   "image/png",
	".svg":   "image/svg+xml",
}

// explorerAsset is one embedded file, ready to serve.
type explorerAsset struct {
	contentType string
	body, gzip  []byte // gzip is nil for small files and when it gains nothing
	etag        string // quoted; of body, "-gz" appended for gzip
	immutable   bool   // the name is a hash of the content
}

// explorerAssets reads explorer/dist once per process: the files by their
// path under it, with the gzip form of those worth compressing.
var explorerAssets = sync.OnceValue(func() map[string]*explorerAsset {
	dist, err := fs.Sub(explorerDist, "explorer/dist")
	if err != nil {
		panic(err) // the embedded directory exists at compile time
	}
	assets := map[string]*explorerAsset{}
	err = fs.WalkDir(dist, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := fs.ReadFile(dist, name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		a := &explorerAsset{
			contentType: explorerTypes[path.Ext(name)],
			body:        body,
			etag:        `"` + hex.EncodeToString(sum[:12]) + `"`,
			immutable:   strings.HasPrefix(name, "assets/"),
		}
		if a.contentType == "" {
			a.contentType = "application/octet-stream"
		}
		if len(body) >= 1024 && (strings.HasPrefix(a.contentType, "text/") || a.contentType == "image/svg+xml") {
			var buf bytes.Buffer
			zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
			zw.Write(body)
			zw.Close()
			if buf.Len() < len(body) {
				a.gzip = buf.Bytes()
			}
		}
		assets[name] = a
		return nil
	})
	if err != nil {
		panic(err) // reading an embedded file cannot fail
	}
	return assets
})

// Explorer returns the handler of the GraphQL explorer, GraphiQL against the
// endpoint "graphql" beside it: the page at "/" and its script, styles,
// fonts and third-party licences (licenses.txt), all embedded in the
// binary, nothing fetched from elsewhere. Mount it at "/"; any other path
// is 404.
//
// The page is never stored, as each response has a nonce of its own (see
// explorerPolicy). Every other file carries an ETag, so a reload
// revalidates it and gets 304, and the fonts and images under assets/,
// named by their content, are cached for a year. Text is sent gzipped to
// clients that accept it.
func Explorer() http.Handler {
	assets := explorerAssets()
	return page(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, "/")
		switch name {
		case "":
			name = "index.html"
		case "index.html":
			w.Header().Set("Location", "./") // relative, unlike http.Redirect's: right behind a path prefix too
			w.WriteHeader(http.StatusMovedPermanently)
			return
		}
		a, ok := assets[name]
		if !ok {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		h.Set("Content-Type", a.contentType)
		if name == "index.html" {
			nonce := rand.Text()
			h.Set("Content-Security-Policy", fmt.Sprintf(explorerPolicy, nonce))
			h.Set("Cache-Control", "no-store")
			http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(bytes.ReplaceAll(a.body, nonceMark, []byte(nonce))))
			return
		}
		if a.immutable {
			h.Set("Cache-Control", "public, max-age=31536000, immutable")
		}
		body, etag := a.body, a.etag
		if a.gzip != nil {
			h.Add("Vary", "Accept-Encoding")
			if acceptsGzip(r) {
				body, etag = a.gzip, strings.TrimSuffix(a.etag, `"`)+`-gz"`
				h.Set("Content-Encoding", "gzip")
			}
		}
		h.Set("ETag", etag)
		http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(body))
	}))
}

// acceptsGzip reports whether the request's Accept-Encoding lists gzip
// without refusing it (q=0).
func acceptsGzip(r *http.Request) bool {
	for _, field := range r.Header.Values("Accept-Encoding") {
		for coding := range strings.SplitSeq(field, ",") {
			name, params, _ := strings.Cut(coding, ";")
			if !strings.EqualFold(strings.TrimSpace(name), "gzip") {
				continue
			}
			for param := range strings.SplitSeq(params, ";") {
				key, value, _ := strings.Cut(strings.TrimSpace(param), "=")
				if q, err := strconv.ParseFloat(value, 64); strings.EqualFold(key, "q") && err == nil && q == 0 {
					return false
				}
			}
			return true
		}
	}
	return false
}
