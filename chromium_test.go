package main

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/html"
)

// chromiumBinary is Debian's headless-capable Chromium, which .ci/run
// installs.
const chromiumBinary = "/usr/bin/chromium"

// chromium returns the path of Chromium. Without it the test fails in CI
// (where the environment variable CI is set and Chromium must be there)
// and is skipped elsewhere, saying how to install it.
func chromium(t *testing.T) string {
	t.Helper()
	if _, err := os.Stat(chromiumBinary); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI is set but %s is missing: %v", chromiumBinary, err)
		}
		t.Skipf("%s is missing (install it with: apt-get install -y chromium)", chromiumBinary)
	}
	return chromiumBinary
}

// browser is a headless Chromium driven over the DevTools protocol on a
// pipe (--remote-debugging-pipe), which needs no port and no WebSocket
// library: each message is a JSON object ended by a NUL byte, written to
// the browser's file descriptor 3 and read from its descriptor 4. It
// drives one page and keeps every event the page sends, from which it
// tells the console's errors, Content-Security-Policy violations among
// them.
//
// Its methods take the test they act for, so that a browser started by a
// test serves its subtests too.
type browser struct {
	cmd     *exec.Cmd
	log     string // the file Chromium logs to
	send    *os.File
	replies chan cdpMessage // answers to commands, in order of arrival
	next    int             // the id of the last command
	session string          // the page's session, once attached
	// The viewport, in CSS pixels.
	width, height int

	mu      sync.Mutex
	events  []cdpMessage // every event so far
	checked int          // how many of events checkConsole has seen
}

// cdpMessage is a command's answer or an event of the DevTools protocol.
type cdpMessage struct {
	ID     int
	Method string
	Params json.RawMessage
	Result json.RawMessage
	Error  *protocolError
}

// protocolError is an error the browser answered a command with.
type protocolError struct {
	Code    int
	Message string
}

func (e *protocolError) Error() string { return fmt.Sprintf("%s (%d)", e.Message, e.Code) }

// browserTimeout bounds every exchange with the browser and every wait for
// the page. It is generous: the machines the tests run on can be loaded.
const browserTimeout = 60 * time.Second

// startBrowser starts Chromium with a blank page of width by height CSS
// pixels and attaches to it, with the page's runtime, log and lifecycle
// events on; the browser stops when the test ends.
func startBrowser(t *testing.T, width, height int) *browser {
	t.Helper()
	path := chromium(t)
	b := &browser{log: filepath.Join(t.TempDir(), "chromium.log"), replies: make(chan cdpMessage, 16)}
	logFile, err := os.Create(b.log)
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close() // Chromium has its own copy
	toBrowser, send, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	receive, fromBrowser, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	b.send = send
	b.cmd = exec.Command(path, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-dev-shm-usage", "--user-data-dir="+t.TempDir(), "--remote-debugging-pipe", "about:blank")
	b.cmd.ExtraFiles = []*os.File{toBrowser, fromBrowser}
	b.cmd.Stderr = logFile
	if err := b.cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", path, err)
	}
	toBrowser.Close()
	fromBrowser.Close()
	go b.read(receive)
	t.Cleanup(func() {
		b.exchange("Browser.close", nil, nil) // it may quit before it answers
		b.send.Close()                        // Chromium quits when its pipe closes, too
		done := make(chan struct{})
		go func() { b.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			b.cmd.Process.Kill()
			<-done
		}
		for range b.replies {
			// until read has seen the pipe close
		}
	})
	var target struct{ TargetID string }
	b.call(t, "Target.createTarget", map[string]any{"url": "about:blank"}, &target)
	var attached struct{ SessionID string }
	b.call(t, "Target.attachToTarget", map[string]any{"targetId": target.TargetID, "flatten": true}, &attached)
	b.session = attached.SessionID
	for _, domain := range []string{"Runtime", "Log", "Page"} {
		b.call(t, domain+".enable", nil, nil)
	}
	b.resize(t, width, height)
	return b
}

// read passes the browser's answers to replies and keeps its events, until
// the pipe closes.
func (b *browser) read(r io.ReadCloser) {
	defer close(b.replies)
	defer r.Close()
	in := bufio.NewReader(r)
	for {
		raw, err := in.ReadBytes(0)
		if err != nil {
			return
		}
		var m cdpMessage
		if err := json.Unmarshal(raw[:len(raw)-1], &m); err != nil {
			continue // not ours to judge: the protocol is Chromium's
		}
		if m.Method != "" {
			b.mu.Lock()
			b.events = append(b.events, m)
			b.mu.Unlock()
			continue
		}
		b.replies <- m
	}
}

// exchange sends a command to the page's session (to the browser for the
// methods of Browser and Target, and before there is a session) and
// decodes its result into result. An error the browser answers with is a
// *protocolError.
func (b *browser) exchange(method string, params, result any) error {
	b.next++
	msg := map[string]any{"id": b.next, "method": method}
	if params != nil {
		msg["params"] = params
	}
	if b.session != "" && !strings.HasPrefix(method, "Browser.") && !strings.HasPrefix(method, "Target.") {
		msg["sessionId"] = b.session
	}
	out, err := json.Marshal(msg)
	if err != nil {
		return err
	}
	if _, err := b.send.Write(append(out, 0)); err != nil {
		return fmt.Errorf("%s: writing to the browser: %w", method, err)
	}
	deadline := time.After(browserTimeout)
	for {
		select {
		case answer, ok := <-b.replies:
			if !ok {
				return fmt.Errorf("%s: the browser closed its pipe", method)
			}
			if answer.ID != b.next {
				continue // the answer to an earlier command that timed out
			}
			if answer.Error != nil {
				return fmt.Errorf("%s: %w", method, answer.Error)
			}
			if result == nil {
				return nil
			}
			if err := json.Unmarshal(answer.Result, result); err != nil {
				return fmt.Errorf("%s: decoding %s: %w", method, answer.Result, err)
			}
			return nil
		case <-deadline:
			return fmt.Errorf("%s: no answer within %v", method, browserTimeout)
		}
	}
}

// call is exchange that fails the test on error, with what Chromium
// logged.
func (b *browser) call(t *testing.T, method string, params, result any) {
	t.Helper()
	if err := b.exchange(method, params, result); err != nil {
		data, _ := os.ReadFile(b.log)
		t.Fatalf("chromium: %v\n%s", err, chromiumErrors(string(data)))
	}
}

// chromiumErrors drops from Chromium's log the lines about the system
// message bus, which containers lack and which say nothing about the page.
func chromiumErrors(log string) string {
	var kept []string
	for _, line := range strings.Split(log, "\n") {
		if !strings.Contains(line, "dbus") {
			kept = append(kept, line)
		}
	}
	return strings.Join(kept, "\n")
}

// resize gives the page a viewport of width by height CSS pixels.
func (b *browser) resize(t *testing.T, width, height int) {
	t.Helper()
	b.call(t, "Emulation.setDeviceMetricsOverride",
		map[string]any{"width": width, "height": height, "deviceScaleFactor": 1, "mobile": false}, nil)
	b.width, b.height = width, height
}

// eval runs the JavaScript expression in the page, awaits it when it is a
// promise, and decodes its value (as JSON) into result when result is not
// nil. An exception fails the test.
func (b *browser) eval(t *testing.T, expression string, result any) {
	t.Helper()
	var answer struct {
		Result struct {
			Value json.RawMessage
		}
		ExceptionDetails *struct {
			Text      string
			Exception struct{ Description string }
		}
	}
	b.call(t, "Runtime.evaluate",
		map[string]any{"expression": expression, "returnByValue": true, "awaitPromise": true}, &answer)
	if e := answer.ExceptionDetails; e != nil {
		t.Fatalf("evaluating %s: %s %s", expression, e.Text, e.Exception.Description)
	}
	if result != nil && answer.Result.Value != nil {
		if err := json.Unmarshal(answer.Result.Value, result); err != nil {
			t.Fatalf("evaluating %s: decoding %s: %v", expression, answer.Result.Value, err)
		}
	}
}

// waitFor evaluates a JavaScript condition in the page until it is true,
// failing the test, with what it waited for, after browserTimeout.
func (b *browser) waitFor(t *testing.T, what, condition string) {
	t.Helper()
	b.waitUntil(t, what, func() bool {
		var ok bool
		b.eval(t, "Boolean("+condition+")", &ok)
		return ok
	})
}

// waitUntil calls condition until it is true, failing the test, with what
// it waited for, after browserTimeout.
func (b *browser) waitUntil(t *testing.T, what string, condition func() bool) {
	t.Helper()
	deadline := time.Now().Add(browserTimeout)
	for !condition() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %v for %s", browserTimeout, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// open loads url afresh (by way of a blank page: a change of fragment
// alone would not reload it) and waits for the page's load event.
func (b *browser) open(t *testing.T, url string) {
	t.Helper()
	b.load(t, "Page.navigate", map[string]any{"url": "about:blank"})
	b.load(t, "Page.navigate", map[string]any{"url": url})
}

// reload reloads the page and waits for its load event.
func (b *browser) reload(t *testing.T) {
	t.Helper()
	b.load(t, "Page.reload", nil)
}

// load sends a command that loads a page (Page.navigate, Page.reload) and
// waits for the load event that follows it.
func (b *browser) load(t *testing.T, method string, params any) {
	t.Helper()
	before := len(b.eventsOf("Page.loadEventFired"))
	b.call(t, method, params, nil)
	b.waitUntil(t, fmt.Sprintf("the page to load after %s %v", method, params), func() bool {
		return len(b.eventsOf("Page.loadEventFired")) > before
	})
}

// frames waits until the page has drawn two more frames, so that work it
// scheduled for the next frame is done.
func (b *browser) frames(t *testing.T) {
	t.Helper()
	b.eval(t, `new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(() => done(true))))`, nil)
}

// dom returns the page's document as it is now.
func (b *browser) dom(t *testing.T) *html.Node {
	t.Helper()
	var source string
	b.eval(t, `document.documentElement.outerHTML`, &source)
	doc, err := html.Parse(strings.NewReader(source))
	if err != nil {
		t.Fatalf("parsing the page's DOM: %v", err)
	}
	return doc
}

// eventsOf returns the parameters of the events of a method so far.
func (b *browser) eventsOf(method string) []json.RawMessage {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []json.RawMessage
	for _, e := range b.events {
		if e.Method == method {
			out = append(out, e.Params)
		}
	}
	return out
}

// checkConsole fails the test if, since the last check, the page's
// console showed an error or a warning (a Content-Security-Policy
// violation among them, or a resource that failed to load) or the page
// threw an exception.
func (b *browser) checkConsole(t *testing.T) {
	t.Helper()
	b.mu.Lock()
	events := b.events[b.checked:]
	b.checked = len(b.events)
	b.mu.Unlock()
	for _, event := range events {
		switch event.Method {
		case "Log.entryAdded":
			var e struct {
				Entry struct{ Source, Level, Text, URL string }
			}
			json.Unmarshal(event.Params, &e)
			if e.Entry.Level == "error" || e.Entry.Level == "warning" || e.Entry.Source == "security" {
				t.Errorf("the console shows a %s %s: %s (%s)", e.Entry.Source, e.Entry.Level, e.Entry.Text, e.Entry.URL)
			}
		case "Runtime.consoleAPICalled":
			var e struct {
				Type string
				Args []struct{ Value any }
			}
			json.Unmarshal(event.Params, &e)
			if e.Type == "error" || e.Type == "warning" || e.Type == "assert" {
				t.Errorf("the page logged a console %s: %v", e.Type, e.Args)
			}
		case "Runtime.exceptionThrown":
			t.Errorf("the page threw: %s", event.Params)
		}
	}
}

// press sends a key press (down and up) to the focused element, with
// modifiers as the protocol counts them (2 is Ctrl).
func (b *browser) press(t *testing.T, key, code string, keyCode, modifiers int) {
	t.Helper()
	for _, kind := range []string{"rawKeyDown", "keyUp"} {
		b.call(t, "Input.dispatchKeyEvent", map[string]any{"type": kind, "key": key, "code": code,
			"windowsVirtualKeyCode": keyCode, "modifiers": modifiers}, nil)
	}
}

// typeText types text into the focused element, one key at a time, so
// that the page sees key events as from a keyboard.
func (b *browser) typeText(t *testing.T, text string) {
	t.Helper()
	for _, r := range text {
		s := string(r)
		b.call(t, "Input.dispatchKeyEvent", map[string]any{"type": "keyDown", "key": s, "text": s}, nil)
		b.call(t, "Input.dispatchKeyEvent", map[string]any{"type": "keyUp", "key": s}, nil)
	}
}

// screenshot takes a PNG of the viewport and fails the test unless it is
// the viewport's size and has at least 20 colours (a blank page has one; a
// drawn one has its text, controls and colours of data). With
// CMAP_SCREENSHOTS set to a folder, it saves the picture there as
// name.png for a person to look at.
func (b *browser) screenshot(t *testing.T, name string) {
	t.Helper()
	var shot struct{ Data string }
	b.call(t, "Page.captureScreenshot", map[string]any{"format": "png"}, &shot)
	data, err := base64.StdEncoding.DecodeString(shot.Data)
	if err != nil {
		t.Fatalf("the screenshot is not base64: %v", err)
	}
	if dir := os.Getenv("CMAP_SCREENSHOTS"); dir != "" {
		if err := os.WriteFile(filepath.Join(dir, name+".png"), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("the screenshot is not a PNG: %v", err)
	}
	bounds := img.Bounds()
	if bounds.Dx() != b.width || bounds.Dy() != b.height {
		t.Errorf("the screenshot is %dx%d, want the viewport's %dx%d", bounds.Dx(), bounds.Dy(), b.width, b.height)
	}
	colours := map[[4]uint32]bool{}
	for y := bounds.Min.Y; y < bounds.Max.Y; y += 4 {
		for x := bounds.Min.X; x < bounds.Max.X; x += 4 {
			r, g, bl, a := img.At(x, y).RGBA()
			colours[[4]uint32{r >> 8, g >> 8, bl >> 8, a >> 8}] = true
		}
	}
	if len(colours) < 20 {
		t.Errorf("the screenshot has %d colours: it looks blank", len(colours))
	}
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
