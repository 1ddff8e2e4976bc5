package web

import (
	"embed"
	"io/fs"
	"net/http"
)

//go:embed explorer
var explorerFiles embed.FS

// Explorer returns the handler of the GraphQL explorer: a page of our own
// (HTML, CSS, JavaScript embedded in the binary, nothing fetched from
// elsewhere) that runs queries against the endpoint "graphql" beside it.
// Mount it at "/".
func Explorer() http.Handler {
	files, err := fs.Sub(explorerFiles, "explorer")
	if err != nil {
		panic(err) // the embedded directory exists at compile time
	}
	return page(http.FileServerFS(files))
}
