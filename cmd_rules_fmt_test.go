package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// copyFmtFixture copies testdata/fmt to a temporary folder and returns it.
func copyFmtFixture(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "fmt")
	if err := os.CopyFS(dir, os.DirFS(filepath.Join("testdata", "fmt"))); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestRulesFmtRewritesThenLeavesAlone(t *testing.T) {
	dir := copyFmtFixture(t)
	d := filepath.ToSlash(dir)
	want := []string{d + "/courses/edge.yaml", d + "/courses/sales.yaml", d + "/courses/sales_test.yaml", d + "/scale.yaml"}

	code, stdout, stderr := runCmd(t, "rules", "fmt", "--check", dir)
	if code != exitFail || !slices.Equal(strings.Fields(stdout), want) || stderr != "" {
		t.Errorf("--check: exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	before, _ := os.ReadFile(filepath.Join(dir, "scale.yaml"))
	if orig, _ := os.ReadFile(filepath.Join("testdata", "fmt", "scale.yaml")); string(before) != string(orig) {
		t.Error("--check wrote a file")
	}

	code, stdout, stderr = runCmd(t, "rules", "fmt", dir)
	if code != exitOK || !slices.Equal(strings.Fields(stdout), want) || stderr != "" {
		t.Errorf("fmt: exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	for _, name := range want {
		got, _ := os.ReadFile(filepath.FromSlash(name))
		rel, _ := filepath.Rel(dir, filepath.FromSlash(name))
		golden, _ := os.ReadFile(filepath.Join("testdata", "fmt", rel+".golden"))
		if string(got) != string(golden) {
			t.Errorf("%s differs from its golden file:\n%s", rel, got)
		}
	}
	for _, args := range [][]string{{"rules", "fmt", dir}, {"rules", "fmt", "--check", dir}} {
		if code, stdout, stderr := runCmd(t, args...); code != exitOK || stdout != "" || stderr != "" {
			t.Errorf("%v again: exit %d\nstdout: %s\nstderr: %s", args, code, stdout, stderr)
		}
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "courses"))
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("left a temporary file: %s", e.Name())
		}
	}
}

func TestRulesFmtFilesAndProblems(t *testing.T) {
	dir := copyFmtFixture(t)
	broken := filepath.Join(dir, "courses", "broken.yaml")
	if err := os.WriteFile(broken, []byte("rules:\n  - id: a\n   course: x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	sales := filepath.Join(dir, "courses", "sales.yaml")
	scale := filepath.Join(dir, "scale.yaml")
	code, stdout, stderr := runCmd(t, "rules", "fmt", "--format", "json", broken, sales, scale, filepath.Join(dir, "missing.yaml"))
	var out struct {
		Files  []string `json:"files"`
		Errors []struct {
			File    string `json:"file"`
			Line    int    `json:"line"`
			Message string `json:"message"`
		} `json:"errors"`
	}
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		t.Fatalf("exit %d, %v\n%s\n%s", code, err, stdout, stderr)
	}
	if code != exitFail || !slices.Equal(out.Files, []string{filepath.ToSlash(sales), filepath.ToSlash(scale)}) || len(out.Errors) != 2 ||
		out.Errors[0].File != filepath.ToSlash(filepath.Join(dir, "missing.yaml")) ||
		out.Errors[1].File != filepath.ToSlash(broken) || out.Errors[1].Line != 3 {
		t.Errorf("exit %d, %+v", code, out)
	}
	// A scale file given alone is formatted as the scale: name first.
	if got, _ := os.ReadFile(scale); !strings.HasPrefix(string(got), "name: ") {
		t.Errorf("scale.yaml:\n%s", got)
	}
}
