package main

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
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
// drives one page.
type browser struct {
	cmd     *exec.Cmd
	send    *os.File
	recv    *bufio.Reader
	pipe    *os.File
	stderr  bytes.Buffer
	next    int
	session string
}

// browserTimeout bounds every exchange with the browser and every wait for
// the page.
const browserTimeout = 60 * time.Second

// startBrowser starts Chromium with a blank page and attaches to it; the
// browser stops when the test ends.
func startBrowser(t *testing.T) *browser {
	t.Helper()
	path := chromium(t)
	toBrowser, send, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	pipe, fromBrowser, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	b := &browser{send: send, pipe: pipe, recv: bufio.NewReader(pipe)}
	b.cmd = exec.Command(path, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-dev-shm-usage", "--user-data-dir="+t.TempDir(), "--remote-debugging-pipe", "about:blank")
	b.cmd.ExtraFiles = []*os.File{toBrowser, fromBrowser}
	b.cmd.Stderr = &b.stderr
	if err := b.cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", path, err)
	}
	toBrowser.Close()
	fromBrowser.Close()
	t.Cleanup(func() {
		b.send.Close() // Chromium quits when its pipe closes.
		done := make(chan struct{})
		go func() { b.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			b.cmd.Process.Kill()
			<-done
		}
		b.pipe.Close()
	})
	var target struct{ TargetID string }
	b.call(t, "Target.createTarget", map[string]any{"url": "about:blank"}, &target)
	var attached struct{ SessionID string }
	b.call(t, "Target.attachToTarget", map[string]any{"targetId": target.TargetID, "flatten": true}, &attached)
	b.session = attached.SessionID
	return b
}

// protocolError is an error the browser answered a command with.
type protocolError struct {
	Code    int
	Message string
}

func (e *protocolError) Error() string { return fmt.Sprintf("%s (%d)", e.Message, e.Code) }

// exchange sends a command to the page's session (or the browser's, before
// there is one) and decodes its result into result, skipping events.
func (b *browser) exchange(method string, params, result any) error {
	b.next++
	msg := map[string]any{"id": b.next, "method": method, "params": params}
	if b.session != "" {
		msg["sessionId"] = b.session
	}
	out, err := json.Marshal(msg)
	if err != nil {
		return err
	}
	if _, err := b.send.Write(append(out, 0)); err != nil {
		return fmt.Errorf("%s: writing to the browser: %w", method, err)
	}
	if err := b.pipe.SetReadDeadline(time.Now().Add(browserTimeout)); err != nil {
		return err
	}
	for {
		line, err := b.recv.ReadBytes(0)
		if err != nil {
			return fmt.Errorf("%s: reading from the browser: %w", method, err)
		}
		var answer struct {
			ID     int
			Result json.RawMessage
			Error  *protocolError
		}
		if err := json.Unmarshal(line[:len(line)-1], &answer); err != nil {
			return fmt.Errorf("%s: %w in %q", method, err, line)
		}
		if answer.ID != b.next {
			continue // an event, or the answer to nobody
		}
		if answer.Error != nil {
			return fmt.Errorf("%s: %w", method, answer.Error)
		}
		if result == nil {
			return nil
		}
		return json.Unmarshal(answer.Result, result)
	}
}

// call is exchange that fails the test on error.
func (b *browser) call(t *testing.T, method string, params, result any) {
	t.Helper()
	if err := b.exchange(method, params, result); err != nil {
		t.Fatalf("chromium: %v\n%s", err, chromiumErrors(b.stderr.String()))
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
}

// evaluate runs the JavaScript expression in the page, awaits it when it is
// a promise, and decodes its value (as JSON) into result.
func (b *browser) evaluate(expression string, result any) error {
	var answer struct {
		Result struct {
			Value json.RawMessage
		}
		ExceptionDetails *struct {
			Text      string
			Exception struct{ Description string }
		}
	}
	err := b.exchange("Runtime.evaluate",
		map[string]any{"expression": expression, "returnByValue": true, "awaitPromise": true}, &answer)
	if err != nil {
		return err
	}
	if e := answer.ExceptionDetails; e != nil {
		return fmt.Errorf("%s: %s", e.Text, e.Exception.Description)
	}
	if result == nil || answer.Result.Value == nil {
		return nil
	}
	return json.Unmarshal(answer.Result.Value, result)
}

// eval is evaluate that fails the test on error.
func (b *browser) eval(t *testing.T, expression string, result any) {
	t.Helper()
	if err := b.evaluate(expression, result); err != nil {
		t.Fatalf("evaluating %s: %v", expression, err)
	}
}

// open loads url afresh (a fragment change alone would not reload the page)
// and waits until the page says, on its body's data-state, that it is no
// longer loading and two frames have been drawn since.
func (b *browser) open(t *testing.T, url string) {
	t.Helper()
	b.call(t, "Page.navigate", map[string]any{"url": "about:blank"}, nil)
	b.call(t, "Page.navigate", map[string]any{"url": url}, nil)
	deadline := time.Now().Add(browserTimeout)
	for {
		var state string
		// While the document changes, evaluate may find no context: retry.
		err := b.evaluate(`location.href === `+jsString(url)+` && document.body ? document.body.dataset.state : ""`, &state)
		if err == nil && state != "" && state != "loading" {
			break
		}
		var pe *protocolError
		if err != nil && !errors.As(err, &pe) {
			t.Fatalf("loading %s: %v", url, err)
		}
		if time.Now().After(deadline) {
			t.Fatalf("loading %s: the page is still %q after %v (%v)", url, state, browserTimeout, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	b.frames(t)
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

// screenshot returns a PNG of the viewport.
func (b *browser) screenshot(t *testing.T) []byte {
	t.Helper()
	var shot struct{ Data string }
	b.call(t, "Page.captureScreenshot", map[string]any{"format": "png"}, &shot)
	data, err := base64.StdEncoding.DecodeString(shot.Data)
	if err != nil {
		t.Fatalf("the screenshot is not base64: %v", err)
	}
	return data
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
