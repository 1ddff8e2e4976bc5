package main

import (
	"net/http"

	"cmap/engine"
)

// Schema paths: the JSON Schemas of rule files, rule-test files and the
// scale file that
// editors fetch (README: "# yaml-language-server: $schema=URL"). The same
// files are committed under schema/ for editors working offline.
const (
	ruleSchemaPath     = "/schema/rules.json"
	ruleTestSchemaPath = "/schema/rule-tests.json"
	scaleSchemaPath    = "/schema/scale.json"
)

// handleSchemas adds the schema routes to mux.
func handleSchemas(mux *http.ServeMux) {
	mux.Handle("GET "+ruleSchemaPath, schemaHandler(engine.RuleFileSchema()))
	mux.Handle("GET "+ruleTestSchemaPath, schemaHandler(engine.RuleTestFileSchema()))
	mux.Handle("GET "+scaleSchemaPath, schemaHandler(engine.ScaleFileSchema()))
}

// schemaHandler serves the JSON Schema doc.
func schemaHandler(doc []byte) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/schema+json")
		w.Header().Set("Cache-Control", "no-cache")
		w.Write(doc)
	})
}
