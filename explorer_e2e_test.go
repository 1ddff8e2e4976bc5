package main

import (
	"bytes"
	"encoding/json"
	"image"
	"image/png"
	"os"
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

// jsString quotes s for JavaScript.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
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
// exception or console error may happen on the way.
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

	b := startBrowser(t)
	for _, domain := range []string{"Runtime", "Log", "Page", "Network"} {
		b.call(domain+".enable", nil, nil)
	}
	defer consoleClean(t, b)
	b.load("Page.navigate", map[string]any{"url": s.URL() + "/"})
	b.waitFor("GraphiQL's query editor", `document.querySelector('`+queryEditor+` .CodeMirror')`)

	// The documentation pane, built by introspection.
	b.eval(`document.querySelector('[aria-label="Show Documentation Explorer"]').click()`, nil)
	b.waitFor("the documentation pane to list the schema's types",
		`document.querySelector('.graphiql-doc-explorer')?.textContent.includes('All Schema Types')`)
	var listed []string
	b.eval(`[...new Set([...document.querySelectorAll('.graphiql-doc-explorer a.graphiql-doc-explorer-type-name')].map((a) => a.textContent))].sort()`, &listed)
	if !slices.Equal(listed, types) {
		t.Errorf("the documentation pane lists the types\n%v,\nthe API's schema has\n%v", listed, types)
	}
	b.eval(`[...document.querySelectorAll('.graphiql-doc-explorer a.graphiql-doc-explorer-type-name')].find((a) => a.textContent === `+jsString(api.Schema.QueryType.Name)+`).click()`, nil)
	b.waitFor("the documentation of Query", `document.querySelector('.graphiql-doc-explorer a.graphiql-doc-explorer-field-name')`)
	var fields []string
	b.eval(`[...document.querySelectorAll('.graphiql-doc-explorer a.graphiql-doc-explorer-field-name')].map((a) => a.textContent).sort()`, &fields)
	if !slices.Equal(fields, queryFields) {
		t.Errorf("the documentation of Query lists the fields\n%v,\nthe API's Query has\n%v", fields, queryFields)
	}

	// The default query, run from the keyboard, shows the API's answer.
	var query string
	b.eval(editorValue(queryEditor), &query)
	if !strings.Contains(query, "{") {
		t.Fatalf("the query editor holds no query: %q", query)
	}
	var want any
	post(t, s.URL(), query, &want)
	b.eval(`document.querySelector('`+queryEditor+` .CodeMirror').CodeMirror.focus()`, nil)
	b.press("Enter", "Enter", 13, 2) // Ctrl-Enter
	b.waitFor("the answer to the default query", editorValue(responseEditor)+`.includes('"data"')`)
	var shown string
	b.eval(editorValue(responseEditor), &shown)
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
	screenshot(t, b)

	// The settings dialog locks the page's scroll with a style element,
	// which the policy lets in by the nonce of the page.
	b.eval(`document.querySelector('[aria-label="Open settings dialog"]').click()`, nil)
	b.waitFor("the settings dialog", `document.querySelector('[role="dialog"]')?.textContent.includes('Persist headers')`)
	b.waitFor("the dialog's style element to apply", `[...document.querySelectorAll('style')].some((s) => s.nonce && s.sheet?.cssRules.length)`)
	b.press("Escape", "Escape", 27, 0)
	b.waitFor("the settings dialog to close", `!document.querySelector('[role="dialog"]')`)

	// Headers typed once are sent with every request.
	const headers = `{"X-Cmap-Explorer": "e2e"}`
	b.eval(`document.querySelector('`+headersEditor+` .CodeMirror').CodeMirror.focus()`, nil)
	b.typeText(headers) // CodeMirror closes brackets and quotes, and types over them
	var typed string
	b.eval(editorValue(headersEditor), &typed)
	if typed != headers {
		t.Fatalf("the headers editor holds %q after typing %q", typed, headers)
	}
	b.eval(`document.querySelector('.graphiql-execute-button').click()`, nil)
	b.waitUntil("the query sent with the header of the headers editor", func() bool {
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
	b.eval(`document.querySelector('[aria-label="New tab"]').click()`, nil)
	b.waitFor("a second tab", `document.querySelectorAll('.graphiql-tab').length === 2`)
	b.eval(editorValue(headersEditor), &typed)
	if typed != headers {
		t.Errorf("a new tab starts with the headers %q, want those typed once, %q", typed, headers)
	}
	b.eval(`(() => { const cm = document.querySelector('`+queryEditor+` .CodeMirror').CodeMirror;
		cm.setValue('{\n  \n}'); cm.setCursor({line: 1, ch: 2}); cm.focus(); })()`, nil)
	b.typeText("comp")
	b.waitFor("completions", `document.querySelector('.CodeMirror-hints li')`)
	var offered []string
	b.eval(`[...document.querySelectorAll('.CodeMirror-hints li')].map((li) => li.textContent)`, &offered)
	for _, c := range completions {
		if !slices.Contains(offered, c) {
			t.Errorf("typing comp offers %v, not the field %s of Query", offered, c)
		}
	}
	if len(completions) == 0 {
		t.Errorf("the API's Query has no field starting with comp: the test cannot check completion")
	}
	b.press("Escape", "Escape", 27, 0)

	// After a reload, the headers are still there: GraphiQL stores its
	// state half a second after the last edit.
	b.waitFor("GraphiQL to store the headers", `JSON.parse(localStorage.getItem('graphiql:tabState')).tabs.every((tab) => tab.headers === `+jsString(headers)+`)`)
	b.load("Page.reload", nil)
	b.waitFor("GraphiQL after the reload", `document.querySelector('`+headersEditor+` .CodeMirror')`)
	b.waitFor("the stored headers", editorValue(headersEditor)+` !== ''`)
	b.eval(editorValue(headersEditor), &typed)
	if typed != headers {
		t.Errorf("after a reload the headers editor holds %q, want %q", typed, headers)
	}
}

// consoleClean fails the test if the console of the page showed an error
// or a warning (a Content-Security-Policy violation among them), or if the
// page threw an exception.
func consoleClean(t *testing.T, b *browser) {
	for _, raw := range b.eventsOf("Log.entryAdded") {
		var e struct {
			Entry struct{ Source, Level, Text, URL string }
		}
		json.Unmarshal(raw, &e)
		if e.Entry.Level == "error" || e.Entry.Level == "warning" || e.Entry.Source == "security" {
			t.Errorf("the console shows a %s %s: %s (%s)", e.Entry.Source, e.Entry.Level, e.Entry.Text, e.Entry.URL)
		}
	}
	for _, raw := range b.eventsOf("Runtime.consoleAPICalled") {
		var e struct {
			Type string
			Args []struct{ Value any }
		}
		json.Unmarshal(raw, &e)
		if e.Type == "error" || e.Type == "warning" || e.Type == "assert" {
			t.Errorf("the page logged a console %s: %v", e.Type, e.Args)
		}
	}
	for _, raw := range b.eventsOf("Runtime.exceptionThrown") {
		t.Errorf("the page threw: %s", raw)
	}
}

// screenshot takes a picture of the page, writes it to the file
// $CMAP_EXPLORER_SCREENSHOT names (if any) for a person to look at, and
// fails the test if it is blank.
func screenshot(t *testing.T, b *browser) {
	t.Helper()
	var shot struct{ Data []byte }
	b.call("Page.captureScreenshot", map[string]any{"format": "png"}, &shot)
	if out := os.Getenv("CMAP_EXPLORER_SCREENSHOT"); out != "" {
		if err := os.WriteFile(out, shot.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	img, err := png.Decode(bytes.NewReader(shot.Data))
	if err != nil {
		t.Fatalf("the screenshot is not a PNG: %v", err)
	}
	if got := img.Bounds(); got != image.Rect(0, 0, screenWidth, screenHeight) {
		t.Errorf("the screenshot is %v, want %dx%d", got, screenWidth, screenHeight)
	}
	// A blank page has one colour; GraphiQL has its colours of syntax,
	// buttons and text.
	colours := map[[4]uint32]bool{}
	for y := 0; y < img.Bounds().Dy(); y += 4 {
		for x := 0; x < img.Bounds().Dx(); x += 4 {
			r, g, bl, a := img.At(x, y).RGBA()
			colours[[4]uint32{r >> 8, g >> 8, bl >> 8, a >> 8}] = true
		}
	}
	if len(colours) < 20 {
		t.Errorf("the screenshot has %d colours: it looks blank", len(colours))
	}
}
