package main

import (
	"encoding/json"
	"os"
	"os/exec"
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

// --diff writes nothing; patch applies what it prints, and the files are
// then their golden layout, as fmt would have written them.
func TestRulesFmtDiffPatchesToTheLayout(t *testing.T) {
	patchTool, err := exec.LookPath("patch")
	if err != nil {
		t.Fatal("the test applies the diff with patch(1):", err)
	}
	golden, err := filepath.Abs(filepath.Join("testdata", "fmt"))
	if err != nil {
		t.Fatal(err)
	}
	dir := copyFmtFixture(t)
	t.Chdir(filepath.Dir(dir))
	// A file that ends without a newline: the diff must say so.
	if err := os.WriteFile(filepath.Join("fmt", "courses", "bare.yaml"), []byte("rules: []"), 0o644); err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(filepath.Join("fmt", "courses", "sales.yaml"))
	if err != nil {
		t.Fatal(err)
	}

	code, diff, stderr := runCmd(t, "rules", "fmt", "--diff", "fmt")
	if code != exitFail || stderr != "" {
		t.Fatalf("--diff: exit %d\nstderr: %s", code, stderr)
	}
	for _, header := range []string{"--- fmt/courses/sales.yaml.orig\n+++ fmt/courses/sales.yaml\n", "--- fmt/scale.yaml.orig\n+++ fmt/scale.yaml\n", "-rules: []\n\\ No newline at end of file\n+rules: []\n"} {
		if !strings.Contains(diff, header) {
			t.Errorf("the diff has no %q:\n%s", header, diff)
		}
	}
	if after, _ := os.ReadFile(filepath.Join("fmt", "courses", "sales.yaml")); string(after) != string(before) {
		t.Error("--diff wrote a file")
	}

	cmd := exec.Command(patchTool, "-p0", "--batch")
	cmd.Stdin = strings.NewReader(diff)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("patch -p0: %v\n%s", err, out)
	}
	for _, rel := range []string{"courses/edge.yaml", "courses/sales.yaml", "courses/sales_test.yaml", "scale.yaml"} {
		got, _ := os.ReadFile(filepath.Join("fmt", filepath.FromSlash(rel)))
		want, _ := os.ReadFile(filepath.Join(golden, filepath.FromSlash(rel)+".golden"))
		if string(got) != string(want) {
			t.Errorf("%s patched is not its golden file:\n%s", rel, got)
		}
	}
	if got, _ := os.ReadFile(filepath.Join("fmt", "courses", "bare.yaml")); string(got) != "rules: []\n" {
		t.Errorf("bare.yaml patched: %q", got)
	}
	if code, stdout, stderr := runCmd(t, "rules", "fmt", "--diff", "fmt"); code != exitOK || stdout != "" || stderr != "" {
		t.Errorf("--diff after patching: exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
}
