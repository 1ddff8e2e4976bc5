package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// browser is a headless Chromium driven through the DevTools protocol over
// --remote-debugging-pipe: JSON messages ended by a NUL byte, written to
// the browser's file descriptor 3 and read from its descriptor 4. It needs
// no port and no third-party client.
type browser struct {
	t       *testing.T
	cmd     *exec.Cmd
	stderr  string // the file Chromium logs to
	send    io.WriteCloser
	replies chan cdpMessage // answers to calls, in order of arrival
	nextID  int
	session string // the tab's session, once attached

	mu     sync.Mutex
	events []cdpMessage // every event so far
}

// cdpMessage is a call, an answer or an event of the DevTools protocol.
type cdpMessage struct {
	ID        int             `json:"id,omitempty"`
	SessionID string          `json:"sessionId,omitempty"`
	Method    string          `json:"method,omitempty"`
	Params    json.RawMessage `json:"params,omitempty"`
	Result    json.RawMessage `json:"result,omitempty"`
	Error     *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error,omitempty"`
}

// cdpTimeout bounds each call and each wait for the page.
const cdpTimeout = 30 * time.Second

// startBrowser starts Chromium (headless, no sandbox, no GPU, no network of
// its own) with one blank tab of screenWidth x screenHeight attached, and
// stops it when the test ends.
func startBrowser(t *testing.T) *browser {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	b := &browser{t: t, replies: make(chan cdpMessage, 16)}
	b.cmd = exec.CommandContext(ctx, chromium(t), "--headless", "--no-sandbox", "--disable-gpu",
		"--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
		"--disable-sync", "--hide-scrollbars", "--disable-dev-shm-usage", "--remote-debugging-pipe",
		"--user-data-dir="+t.TempDir(), fmt.Sprintf("--window-size=%d,%d", screenWidth, screenHeight), "about:blank")
	b.stderr = filepath.Join(t.TempDir(), "chromium.log")
	logFile, err := os.Create(b.stderr)
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close() // Chromium has its own copy
	b.cmd.Stderr = logFile
	toBrowser, send, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	receive, fromBrowser, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	b.cmd.ExtraFiles = []*os.File{toBrowser, fromBrowser}
	if err := b.cmd.Start(); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	toBrowser.Close()
	fromBrowser.Close()
	b.send = send
	go b.read(receive)
	t.Cleanup(func() {
		b.call("Browser.close", nil, nil)
		send.Close()
		wait := make(chan error, 1)
		go func() { wait <- b.cmd.Wait() }()
		select {
		case <-wait:
		case <-time.After(10 * time.Second):
			cancel() // kills Chromium
			<-wait
		}
		cancel()
		for range b.replies {
			// until read has seen the pipe close
		}
	})

	var target struct{ TargetID string }
	b.call("Target.createTarget", map[string]any{"url": "about:blank"}, &target)
	var attached struct{ SessionID string }
	b.call("Target.attachToTarget", map[string]any{"targetId": target.TargetID, "flatten": true}, &attached)
	b.session = attached.SessionID
	b.call("Emulation.setDeviceMetricsOverride", map[string]any{
		"width": screenWidth, "height": screenHeight, "deviceScaleFactor": 1, "mobile": false}, nil)
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

// call sends a command to the tab (to the browser before it is attached)
// and decodes its result into result, failing the test on an error.
func (b *browser) call(method string, params, result any) {
	b.t.Helper()
	b.nextID++
	m := map[string]any{"id": b.nextID, "method": method}
	if params != nil {
		m["params"] = params
	}
	if b.session != "" && !strings.HasPrefix(method, "Browser.") && !strings.HasPrefix(method, "Target.") {
		m["sessionId"] = b.session
	}
	msg, err := json.Marshal(m)
	if err != nil {
		b.t.Fatal(err)
	}
	if _, err := b.send.Write(append(msg, 0)); err != nil {
		if method == "Browser.close" {
			return
		}
		b.t.Fatalf("%s: writing to chromium: %v\n%s", method, err, b.log())
	}
	deadline := time.After(cdpTimeout)
	for {
		select {
		case r, ok := <-b.replies:
			if !ok {
				if method == "Browser.close" {
					return
				}
				b.t.Fatalf("%s: chromium closed the pipe\n%s", method, b.log())
			}
			if r.ID != b.nextID {
				continue // the answer to an earlier call that timed out
			}
			if r.Error != nil {
				b.t.Fatalf("%s: %s (%d)", method, r.Error.Message, r.Error.Code)
			}
			if result != nil {
				if err := json.Unmarshal(r.Result, result); err != nil {
					b.t.Fatalf("%s: decoding %s: %v", method, r.Result, err)
				}
			}
			return
		case <-deadline:
			b.t.Fatalf("%s: no answer within %s", method, cdpTimeout)
		}
	}
}

// log returns what Chromium logged so far, less the noise chromiumErrors
// drops.
func (b *browser) log() string {
	data, _ := os.ReadFile(b.stderr)
	return chromiumErrors(string(data))
}

// eval runs a JavaScript expression in the page, awaiting it if it is a
// promise, and decodes its value into result (when not nil). An exception
// fails the test.
func (b *browser) eval(expression string, result any) {
	b.t.Helper()
	var r struct {
		Result struct {
			Value json.RawMessage `json:"value"`
		} `json:"result"`
		ExceptionDetails *struct {
			Text      string `json:"text"`
			Exception struct {
				Description string `json:"description"`
			} `json:"exception"`
		} `json:"exceptionDetails"`
	}
	b.call("Runtime.evaluate", map[string]any{"expression": expression, "awaitPromise": true, "returnByValue": true}, &r)
	if e := r.ExceptionDetails; e != nil {
		b.t.Fatalf("evaluating %s: %s %s", expression, e.Text, e.Exception.Description)
	}
	if result != nil && len(r.Result.Value) > 0 {
		if err := json.Unmarshal(r.Result.Value, result); err != nil {
			b.t.Fatalf("evaluating %s: decoding %s: %v", expression, r.Result.Value, err)
		}
	}
}

// waitFor evaluates a JavaScript condition in the page until it is true.
func (b *browser) waitFor(what, condition string) {
	b.t.Helper()
	b.waitUntil(what, func() bool {
		var ok bool
		b.eval("Boolean("+condition+")", &ok)
		return ok
	})
}

// waitUntil calls condition until it is true, failing the test with what
// after cdpTimeout.
func (b *browser) waitUntil(what string, condition func() bool) {
	b.t.Helper()
	deadline := time.Now().Add(cdpTimeout)
	for !condition() {
		if time.Now().After(deadline) {
			b.t.Fatalf("waited %s for %s", cdpTimeout, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// load calls Page.navigate or Page.reload with params and waits for the
// page's load event.
func (b *browser) load(method string, params any) {
	b.t.Helper()
	before := len(b.eventsOf("Page.loadEventFired"))
	b.call(method, params, nil)
	b.waitUntil(method+" to load the page", func() bool { return len(b.eventsOf("Page.loadEventFired")) > before })
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

// press sends a key press (down and up) to the focused element, with
// modifiers as the protocol counts them (2 is Ctrl).
func (b *browser) press(key string, code string, keyCode, modifiers int) {
	b.t.Helper()
	for _, kind := range []string{"rawKeyDown", "keyUp"} {
		b.call("Input.dispatchKeyEvent", map[string]any{"type": kind, "key": key, "code": code,
			"windowsVirtualKeyCode": keyCode, "modifiers": modifiers}, nil)
	}
}

// typeText types text into the focused element, one key at a time, so
// that the page sees key events as from a keyboard.
func (b *browser) typeText(text string) {
	b.t.Helper()
	for _, r := range text {
		s := string(r)
		b.call("Input.dispatchKeyEvent", map[string]any{"type": "keyDown", "key": s, "text": s}, nil)
		b.call("Input.dispatchKeyEvent", map[string]any{"type": "keyUp", "key": s}, nil)
	}
}
