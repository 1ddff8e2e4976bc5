package apptest_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"cmap/app/apptest"
)

func TestCopyRulesCopiesTheTreeAndEditsStayInTheCopy(t *testing.T) {
	src := t.TempDir()
	must(t, os.MkdirAll(filepath.Join(src, "courses"), 0o755))
	must(t, os.WriteFile(filepath.Join(src, "scale.yaml"), []byte("levels: [Basic]\n"), 0o644))
	must(t, os.WriteFile(filepath.Join(src, "courses", "a.yaml"), []byte("rules:\n  - id: a\n    when: x\n"), 0o644))

	dst := apptest.CopyRules(t, src)
	if dst == src {
		t.Fatal("CopyRules returned the source directory")
	}
	file := filepath.Join(dst, "courses", "a.yaml")
	apptest.EditFile(t, file, "when: x", "when: y")
	if line, col := apptest.PositionOf(t, file, "y"); line != 3 || col != 11 {
		t.Errorf("PositionOf(y) = %d:%d, want 3:11", line, col)
	}
	original, err := os.ReadFile(filepath.Join(src, "courses", "a.yaml"))
	must(t, err)
	if !strings.Contains(string(original), "when: x") {
		t.Errorf("editing the copy changed the source: %q", original)
	}
	scale, err := os.ReadFile(filepath.Join(dst, "scale.yaml"))
	must(t, err)
	if string(scale) != "levels: [Basic]\n" {
		t.Errorf("copied scale.yaml = %q", scale)
	}
}

func TestReplaceInFileNamesWhatIsMissing(t *testing.T) {
	file := filepath.Join(t.TempDir(), "r.yaml")
	must(t, os.WriteFile(file, []byte("a a"), 0o644))
	must(t, apptest.ReplaceInFile(file, "a", "b"))
	data, err := os.ReadFile(file)
	must(t, err)
	if string(data) != "b a" {
		t.Errorf("after replacing the first a: %q, want %q", data, "b a")
	}
	err = apptest.ReplaceInFile(file, "zz", "b")
	if err == nil || !strings.Contains(err.Error(), `"zz"`) || !strings.Contains(err.Error(), file) {
		t.Errorf("replacing what is not there: %v, want an error naming the file and the text", err)
	}
}

func TestWaitUntilReturnsOnceTheConditionHolds(t *testing.T) {
	var calls atomic.Int32
	apptest.WaitUntil(t, "the third call", func() bool { return calls.Add(1) == 3 })
	if n := calls.Load(); n != 3 {
		t.Errorf("cond called %d times, want 3", n)
	}
}

func TestLogBufferKeepsConcurrentWritesWhole(t *testing.T) {
	var b apptest.LogBuffer
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() { fmt.Fprintf(&b, "line %d\n", i) })
	}
	wg.Wait()
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(lines) != 8 {
		t.Fatalf("%d lines, want 8: %q", len(lines), b.String())
	}
	for i := range 8 {
		if !strings.Contains(b.String(), fmt.Sprintf("line %d\n", i)) {
			t.Errorf("line %d is missing or torn: %q", i, b.String())
		}
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
