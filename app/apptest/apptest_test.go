package apptest_test

import (
	"cmap/domain"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"cmap/app/apptest"
	"cmap/memstore"
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

func TestAuditTrailProblems(t *testing.T) {
	ctx := t.Context()
	s := memstore.New()
	c := &domain.Course{Code: "SCO-101", Title: "Basics", Hours: 8, DeliveryMode: domain.DeliveryOnline, Status: domain.CourseActive}
	must(t, s.CreateCourse(ctx, c)) // seeded: no entry, no problem
	problems, err := apptest.AuditTrailProblems(ctx, s)
	must(t, err)
	if len(problems) != 0 {
		t.Fatalf("a seeded store has problems: %v", problems)
	}

	e := &domain.AuditEntry{ID: domain.NewAuditID(time.Now()), Time: time.Now(), Actor: "test", Operation: domain.OpUpdate,
		Kind: domain.AuditCourse, Key: "SCO-101", State: domain.AuditPending}
	must(t, s.BeginAudit(ctx, e))
	c.Audit = e.ID
	must(t, s.UpdateCourse(ctx, c))
	other := &domain.Position{ID: "POS-1", Title: "Desk officer", Organization: "DSCA", Grade: "GS-13", Category: "HQ", Audit: "no-such-entry"}
	must(t, s.CreatePosition(ctx, other))
	problems, err = apptest.AuditTrailProblems(ctx, s)
	must(t, err)
	want := []string{
		fmt.Sprintf("entry %s (update course SCO-101) is pending", e.ID),
		fmt.Sprintf("course SCO-101 carries entry %s, which the log does not hold", e.ID),
		"position POS-1 carries entry no-such-entry, which the log does not hold",
	}
	if !slices.Equal(problems, want) {
		t.Errorf("problems:\n%s\nwant\n%s", strings.Join(problems, "\n"), strings.Join(want, "\n"))
	}

	e.State = domain.AuditFailed
	must(t, s.EndAudit(ctx, e))
	problems, err = apptest.AuditTrailProblems(ctx, s)
	must(t, err)
	if len(problems) != 2 || !strings.Contains(problems[0], "which is failed update course SCO-101") {
		t.Errorf("after the entry failed: %v", problems)
	}
}
