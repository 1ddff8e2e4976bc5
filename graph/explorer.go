package graph

import (
	"embed"
	"io/fs"
	"net/http"
)

//go:embed explorer
var explorerFiles embed.FS

// explorerPolicy lets the explorer page load only its own script and style
// and talk only to its own origin.
const explorerPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; " +
	"img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// Explorer returns the handler of the GraphQL explorer: a page of our own
// (HTML, CSS, JavaScript embedded in the binary, nothing fetched from
// elsewhere) that runs queries against the endpoint "graphql" beside it.
// Mount it at "/".
func Explorer() http.Handler {
	files, err := fs.Sub(explorerFiles, "explorer")
	if err != nil {
		panic(err) // the embedded directory exists at compile time
	}
	server := http.FileServerFS(files)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		h := w.Header()
		h.Set("Content-Security-Policy", explorerPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-cache")
		server.ServeHTTP(w, r)
	})
}
