// Package apptest holds the test fixtures shared by the tests of app and of
// the packages built on it (graph): a private copy of a rule directory to
// break and fix, edits of its files, positions in them, waiting for what
// happens in the background, a log buffer safe for concurrent writes, and
// the check of the audit trail's promise (AuditTrailProblems).
package apptest

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// CopyRules copies the rule directory src (the shipped rules: "../rules"
// from a package directory) to a temporary directory that a test may break
// and fix, removed when t ends.
func CopyRules(t testing.TB, src string) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	if err != nil {
		t.Fatalf("copying the rules in %s: %v", src, err)
	}
	return dst
}

// EditFile replaces the first old with new in the file at path, failing t
// when old is not there.
func EditFile(t testing.TB, path, old, new string) {
	t.Helper()
	if err := ReplaceInFile(path, old, new); err != nil {
		t.Fatal(err)
	}
}

// ReplaceInFile replaces the first old with new in the file at path; for
// goroutines, which must not call t.Fatal.
func ReplaceInFile(path, old, new string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if !bytes.Contains(data, []byte(old)) {
		return fmt.Errorf("%s does not contain %q", path, old)
	}
	return os.WriteFile(path, bytes.Replace(data, []byte(old), []byte(new), 1), 0o644)
}

// PositionOf returns the 1-based line and column of the first s in the
// file at path, failing t when there is none.
func PositionOf(t testing.TB, path, s string) (line, col int) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for i, text := range strings.Split(string(data), "\n") {
		if j := strings.Index(text, s); j >= 0 {
			return i + 1, j + 1
		}
	}
	t.Fatalf("%s has no %q", path, s)
	return 0, 0
}

// WaitTimeout is how long WaitUntil waits: generous, because what is
// awaited happens in the background of a machine running other tests.
const WaitTimeout = 2 * time.Minute

// WaitUntil polls cond every 10 ms until it holds, failing t after
// WaitTimeout.
func WaitUntil(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(WaitTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// LogBuffer collects what a logger writes, safe for concurrent writes
// (an App logs from its poller and watcher).
type LogBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write appends p.
func (b *LogBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns everything written so far.
func (b *LogBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
