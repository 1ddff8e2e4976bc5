// Package web serves cmap's pages for people: the GraphQL explorer at /,
// the coverage map at /coverage and the rules page at /rules, and the
// CSV, XLSX and JSON exports. Pages are plain HTML, CSS and JavaScript
// written for cmap and embedded in the binary; they load nothing from
// elsewhere, so they work offline, and they read the same GraphQL API as
// every other client.
package web

import (
	"embed"
	"io/fs"
	"net/http"
	"strings"
)

//go:embed coverage rules shared
var pageFiles embed.FS

// CoveragePath is where Coverage expects to be mounted.
const CoveragePath = "/coverage"

// RulesPath is where Rules expects to be mounted.
const RulesPath = "/rules"

// pagePolicy lets a page load only its own scripts and styles, talk only to
// its own origin, and be framed by nobody.
const pagePolicy = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; " +
	"img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// Coverage returns the handler of the coverage map: the page at
// CoveragePath ("/coverage") and its script and style under
// CoveragePath + "/". Mount it at both; "/coverage/" redirects to the page,
// whose state (filters, selected cell) lives in the URL fragment, e.g.
// /coverage#minLevel=Advanced&cell=4.C/SCM-201. The page reads the GraphQL
// endpoint at /graphql.
func Coverage() http.Handler { return pageAt(CoveragePath, "coverage") }

// Rules returns the handler of the rules page: the serving rule set (its
// files, rules, revision and load time), the last rejected set with its
// errors, and the plan of a change of a rule file pasted, edited or
// uploaded (GraphQL ruleSetPlan), rendered as tables. Mount it at
// RulesPath ("/rules") and RulesPath + "/", as Coverage.
func Rules() http.Handler { return pageAt(RulesPath, "rules") }

// pageAt serves the page in the embedded directory dir at path: its
// index.html at path, its assets below path + "/", which redirects to the
// page, and the scripts every page shares (shared: the API key field and the GraphQL request)
// below path + "/shared/".
func pageAt(path, dir string) http.Handler {
	files, err := fs.Sub(pageFiles, dir)
	if err != nil {
		panic(err) // the embedded directory exists at compile time
	}
	sharedFiles, err := fs.Sub(pageFiles, "shared")
	if err != nil {
		panic(err) // the embedded directory exists at compile time
	}
	assets := http.StripPrefix(path+"/", http.FileServerFS(files))
	shared := http.StripPrefix(path+"/shared/", http.FileServerFS(sharedFiles))
	return page(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == path:
			http.ServeFileFS(w, r, files, "index.html")
		case r.URL.Path == path+"/" || r.URL.Path == path+"/index.html":
			http.Redirect(w, r, path, http.StatusMovedPermanently)
		case strings.HasPrefix(r.URL.Path, path+"/shared/"):
			shared.ServeHTTP(w, r)
		case strings.HasPrefix(r.URL.Path, path+"/"):
			assets.ServeHTTP(w, r)
		default:
			http.NotFound(w, r)
		}
	}))
}

// page serves a page's files through next for GET and HEAD only, with the
// headers every page gets: a strict Content-Security-Policy, no sniffing,
// no referrer, and revalidation on each load.
func page(next http.Handler) http.Handler {
	return readOnly(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", pagePolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-cache")
		next.ServeHTTP(w, r)
	}))
}

// readOnly passes GET and HEAD requests to next and answers any other
// method 405 with "Allow: GET, HEAD".
func readOnly(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		next.ServeHTTP(w, r)
	})
}
