package engine_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cmap/diag"
	"cmap/engine"
)

// yamlFiles returns the YAML files under dir, relative to it.
func yamlFiles(t testing.TB, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml")) {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestFormatGolden formats each file of ../testdata/fmt, a rule directory
// written every which way, compares the result with FILE.golden, then
// formats that again: the canonical layout is stable.
func TestFormatGolden(t *testing.T) {
	dir := filepath.Join("..", "testdata", "fmt")
	files := yamlFiles(t, dir)
	if len(files) < 4 {
		t.Fatalf("%d files in %s", len(files), dir)
	}
	for _, rel := range files {
		t.Run(rel, func(t *testing.T) {
			src, err := os.ReadFile(filepath.Join(dir, rel))
			if err != nil {
				t.Fatal(err)
			}
			kind := engine.SourceKindOf(rel)
			out, err := engine.Format(kind, rel, src)
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join(dir, rel+".golden")
			if *update {
				if err := os.WriteFile(golden, out, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if string(out) != string(want) {
				t.Errorf("formatted:\n%s\nwant (%s, rewritten by -update):\n%s", out, golden, want)
			}
			again, err := engine.Format(kind, rel, out)
			if err != nil || string(again) != string(out) {
				t.Errorf("formatting twice: %v\n%s", err, again)
			}
		})
	}
}

// The shipped files are in the canonical layout.
func TestFormatShippedFiles(t *testing.T) {
	dir := filepath.Join("..", "rules")
	for _, rel := range yamlFiles(t, dir) {
		src, err := os.ReadFile(filepath.Join(dir, rel))
		if err != nil {
			t.Fatal(err)
		}
		out, err := engine.Format(engine.SourceKindOf(rel), rel, src)
		if err != nil || string(out) != string(src) {
			t.Errorf("%s: %v\n%s", rel, err, out)
		}
	}
}

func TestFormatErrors(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"rules:\n  - id: a\n   course: x\n", "a.yaml:3:4: YAML: "},
		{"rules: []\n---\nrules: []\n", "a.yaml:2:1: a rule file holds one YAML document"},
		{"base: &b {4.C: tier}\nrules:\n  - id: a\n    covers: *b\n", "a.yaml:1:7: fmt leaves files with YAML anchors, aliases or tags as they are"},
	} {
		_, err := engine.Format(engine.RuleSource, "a.yaml", []byte(tc.src))
		l := diag.AsList(err)
		if len(l) != 1 || !strings.HasPrefix(l[0].Error(), tc.want) {
			t.Errorf("%q: %v, want %s...", tc.src, err, tc.want)
		}
	}
}

func TestSourceKindOf(t *testing.T) {
	for rel, want := range map[string]engine.SourceKind{
		"scale.yaml": engine.ScaleSource, "courses/scale.yaml": engine.RuleSource, "a_test.yaml": engine.TestSource,
		"courses/b_test.yml": engine.TestSource, "courses/b.yaml": engine.RuleSource,
	} {
		if got := engine.SourceKindOf(rel); got != want {
			t.Errorf("engine.SourceKindOf(%q) = %d, want %d", rel, got, want)
		}
	}
}
