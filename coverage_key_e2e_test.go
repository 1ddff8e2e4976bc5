package main

import (
	"cmap/domain"
	"strings"
	"testing"
)

// giveKey opens the page at url (the coverage map or the rules page),
// types key into its API key field and chooses Use, as a person would; the
// pages keep it for the rest of the tab's life.
func giveKey(t *testing.T, b *browser, url, key string) {
	t.Helper()
	b.open(t, url)
	b.waitFor(t, "the key field", `document.getElementById("key")`)
	b.eval(t, `document.getElementById("key").focus()`, nil)
	b.typeText(t, key)
	b.eval(t, `document.querySelector("#key-form button[type=submit]").click()`, nil)
	b.waitFor(t, "the key to be kept", `sessionStorage.getItem("cmap.apiKey") && !document.getElementById("key-forget").hidden`)
}

// pageState waits until the coverage page has loaded and returns its state
// and error message.
func pageState(t *testing.T, b *browser) (state, message string) {
	t.Helper()
	b.waitFor(t, "the page to load", `document.body && document.body.dataset.state && document.body.dataset.state !== "loading"`)
	var got struct{ State, Message string }
	b.eval(t, `({state: document.body.dataset.state, message: document.getElementById("error").textContent})`, &got)
	return got.State, got.Message
}

// TestCoveragePageSendsTheKeyItIsGiven: on a server that lets no one in
// anonymously the coverage map asks for a key; the key typed into its
// field goes with every request (the matrix loads), stays for the tab
// (a reload keeps it, the field does not show it) and goes when forgotten.
func TestCoveragePageSendsTheKeyItIsGiven(t *testing.T) {
	chromium(t)
	s := start(t, serveConfig{Addr: "127.0.0.1:0", DataDir: t.TempDir(), RulesDir: "rules", SeedsDir: "seeds", Anonymous: "none"})
	defer stop(t, s)
	_, token, err := s.app.Keys().Create(t.Context(), "coverage map", []domain.Role{domain.RoleViewer})
	if err != nil {
		t.Fatal(err)
	}
	b := startBrowser(t, coverageViewports[0].width, coverageViewports[0].height)
	url := s.URL() + "/coverage"

	b.open(t, url)
	if state, msg := pageState(t, b); state != "error" || !strings.Contains(msg, "authentication required") || !strings.Contains(msg, "Enter an API key") {
		t.Fatalf("without a key: state %q, %q; want an error asking for a key", state, msg)
	}
	giveKey(t, b, url, token)
	if state, msg := pageState(t, b); state != "ready" {
		t.Fatalf("with a viewer key: state %q, %q", state, msg)
	}
	b.reload(t)
	if state, _ := pageState(t, b); state != "ready" {
		t.Fatalf("after a reload: state %q; the key was not kept", state)
	}
	var field string
	b.eval(t, `document.getElementById("key").value`, &field)
	if field != "" {
		t.Errorf("the key field shows %q after a reload", field)
	}
	b.eval(t, `document.getElementById("key-forget").click()`, nil)
	b.waitFor(t, "the key to be forgotten", `!sessionStorage.getItem("cmap.apiKey") && document.body.dataset.state === "error"`)
	b.checkConsole(t)
}
