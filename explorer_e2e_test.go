package main

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// editorValue is a JavaScript expression: the text of the CodeMirror editor
// under the element that selector finds.
func editorValue(selector string) string {
	return `document.querySelector(` + jsString(selector+` .CodeMirror`) + `).CodeMirror.getValue()`
}

const (
	queryEditor    = ".graphiql-query-editor"
	headersEditor  = ".graphiql-editor-tool .graphiql-editor:not(.hidden)"
	responseEditor = ".result-window"
)

// TestExplorerInChromium starts cmap as `cmap serve` does, opens the
// explorer at / in headless Chromium and uses it as a person would:
// GraphiQL loads under the page's Content-Security-Policy, introspects the
// real /graphql (the documentation pane lists the schema's types and the
// fields of Query), runs its default query with Ctrl-Enter and shows the
// API's answer, completes a field name, sends the headers typed into the
// headers editor and still has them after a reload. No policy violation,
// exception or console error may happen on the way. With CMAP_SCREENSHOTS
// set to a folder it saves its screenshot there as explorer.png.
func TestExplorerInChromium(t *testing.T) {
	chromium(t)
	s := start(t, serveConfig{Addr: "127.0.0.1:0", DataDir: t.TempDir(), RulesDir: "rules", SeedsDir: "seeds"})
	defer stop(t, s)

	var api struct {
		Schema struct {
			QueryType struct{ Name string }
			Types     []struct {
				Name   string
				Fields []struct{ Name string }
			}
		} `json:"__schema"`
	}
	post(t, s.URL(), `{ __schema { queryType { name } types { name fields { name } } } }`, &api)
	var types, queryFields []string
	for _, typ := range api.Schema.Types {
		if strings.HasPrefix(typ.Name, "__") {
			continue // introspection's own types, which GraphiQL does not list
		}
		types = append(types, typ.Name)
		if typ.Name == api.Schema.QueryType.Name {
			for _, f := range typ.Fields {
				queryFields = append(queryFields, f.Name)
			}
		}
	}
	slices.Sort(types)
	slices.Sort(queryFields)

	b := startBrowser(t, 1600, 1200)      // a desktop's viewport
	b.call(t, "Network.enable", nil, nil) // to see the headers of its requests
	defer b.checkConsole(t)
	b.open(t, s.URL()+"/")
	b.waitFor(t, "GraphiQL's query editor", `document.querySelector('`+queryEditor+` .CodeMirror')`)

	// The documentation pane, built by introspection.
	b.eval(t, `document.querySelector('[aria-label="Show Documentation Explorer"]').click()`, nil)
	b.waitFor(t, "the documentation pane to list the schema's types",
		`document.querySelector('.graphiql-doc-explorer')?.textContent.includes('All Schema Types')`)
	var listed []string
	b.eval(t, `[...new Set([...document.querySelectorAll('.graphiql-doc-explorer a.graphiql-doc-explorer-type-name')].map((a) => a.textContent))].sort()`, &listed)
	if !slices.Equal(listed, types) {
		t.Errorf("the documentation pane lists the types\n%v,\nthe API's schema has\n%v", listed, types)
	}
	b.eval(t, `[...document.querySelectorAll('.graphiql-doc-explorer a.graphiql-doc-explorer-type-name')].find((a) => a.textContent === `+jsString(api.Schema.QueryType.Name)+`).click()`, nil)
	b.waitFor(t, "the documentation of Query", `document.querySelector('.graphiql-doc-explorer a.graphiql-doc-explorer-field-name')`)
	var fields []string
	b.eval(t, `[...document.querySelectorAll('.graphiql-doc-explorer a.graphiql-doc-explorer-field-name')].map((a) => a.textContent).sort()`, &fields)
	if !slices.Equal(fields, queryFields) {
		t.Errorf("the documentation of Query lists the fields\n%v,\nthe API's Query has\n%v", fields, queryFields)
	}

	// The default query, run from the keyboard, shows the API's answer.
	var query string
	b.eval(t, editorValue(queryEditor), &query)
	if !strings.Contains(query, "{") {
		t.Fatalf("the query editor holds no query: %q", query)
	}
	var want any
	post(t, s.URL(), query, &want)
	b.eval(t, `document.querySelector('`+queryEditor+` .CodeMirror').CodeMirror.focus()`, nil)
	b.press(t, "Enter", "Enter", 13, 2) // Ctrl-Enter
	b.waitFor(t, "the answer to the default query", editorValue(responseEditor)+`.includes('"data"')`)
	var shown string
	b.eval(t, editorValue(responseEditor), &shown)
	var answer struct {
		Data   any
		Errors []any
	}
	if err := json.Unmarshal([]byte(shown), &answer); err != nil {
		t.Fatalf("the result pane shows no JSON: %v\n%s", err, shown)
	}
	if len(answer.Errors) > 0 || !reflect.DeepEqual(answer.Data, want) {
		t.Errorf("the result pane shows\n%s\nthe API answers the same query with\n%v", shown, want)
	}
	b.screenshot(t, "explorer")

	// The settings dialog locks the page's scroll with a style element,
	// which the policy lets in by the nonce of the page.
	b.eval(t, `document.querySelector('[aria-label="Open settings dialog"]').click()`, nil)
	b.waitFor(t, "the settings dialog", `document.querySelector('[role="dialog"]')?.textContent.includes('Persist headers')`)
	b.waitFor(t, "the dialog's style element to apply", `[...document.querySelectorAll('style')].some((s) => s.nonce && s.sheet?.cssRules.length)`)
	b.press(t, "Escape", "Escape", 27, 0)
	b.waitFor(t, "the settings dialog to close", `!document.querySelector('[role="dialog"]')`)

	// Headers typed once are sent with every request.
	const headers = `{"X-Cmap-Explorer": "e2e"}`
	b.eval(t, `document.querySelector('`+headersEditor+` .CodeMirror').CodeMirror.focus()`, nil)
	b.typeText(t, headers) // CodeMirror closes brackets and quotes, and types over them
	var typed string
	b.eval(t, editorValue(headersEditor), &typed)
	if typed != headers {
		t.Fatalf("the headers editor holds %q after typing %q", typed, headers)
	}
	b.eval(t, `document.querySelector('.graphiql-execute-button').click()`, nil)
	b.waitUntil(t, "the query sent with the header of the headers editor", func() bool {
		for _, raw := range b.eventsOf("Network.requestWillBeSent") {
			var e struct {
				Request struct {
					URL, Method, PostData string
					Headers               map[string]string
				}
			}
			json.Unmarshal(raw, &e)
			if e.Request.URL == s.URL()+"/graphql" && e.Request.Method == "POST" &&
				strings.Contains(e.Request.PostData, `"operationName":"Overview"`) && e.Request.Headers["X-Cmap-Explorer"] == "e2e" {
				return true
			}
		}
		return false
	})

	// A new tab has the headers too. In it, typing "comp" offers the
	// fields of Query that start so.
	var completions []string
	for _, f := range queryFields {
		if strings.HasPrefix(f, "comp") {
			completions = append(completions, f)
		}
	}
	b.eval(t, `document.querySelector('[aria-label="New tab"]').click()`, nil)
	b.waitFor(t, "a second tab", `document.querySelectorAll('.graphiql-tab').length === 2`)
	b.eval(t, editorValue(headersEditor), &typed)
	if typed != headers {
		t.Errorf("a new tab starts with the headers %q, want those typed once, %q", typed, headers)
	}
	b.eval(t, `(() => { const cm = document.querySelector('`+queryEditor+` .CodeMirror').CodeMirror;
		cm.setValue('{\n  \n}'); cm.setCursor({line: 1, ch: 2}); cm.focus(); })()`, nil)
	b.typeText(t, "comp")
	b.waitFor(t, "completions", `document.querySelector('.CodeMirror-hints li')`)
	var offered []string
	b.eval(t, `[...document.querySelectorAll('.CodeMirror-hints li')].map((li) => li.textContent)`, &offered)
	for _, c := range completions {
		if !slices.Contains(offered, c) {
			t.Errorf("typing comp offers %v, not the field %s of Query", offered, c)
		}
	}
	if len(completions) == 0 {
		t.Errorf("the API's Query has no field starting with comp: the test cannot check completion")
	}
	b.press(t, "Escape", "Escape", 27, 0)

	// After a reload, the headers are still there: GraphiQL stores its
	// state half a second after the last edit.
	b.waitFor(t, "GraphiQL to store the headers", `JSON.parse(localStorage.getItem('graphiql:tabState')).tabs.every((tab) => tab.headers === `+jsString(headers)+`)`)
	b.reload(t)
	b.waitFor(t, "GraphiQL after the reload", `document.querySelector('`+headersEditor+` .CodeMirror')`)
	b.waitFor(t, "the stored headers", editorValue(headersEditor)+` !== ''`)
	b.eval(t, editorValue(headersEditor), &typed)
	if typed != headers {
		t.Errorf("after a reload the headers editor holds %q, want %q", typed, headers)
	}
}
