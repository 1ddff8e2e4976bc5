package engine_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRuleSetKeepsItsFiles(t *testing.T) {
	rs, _, _ := sampleWorkload(t)
	if rs.Dir() != "../rules" {
		t.Errorf("Dir() = %q, want ../rules", rs.Dir())
	}
	var want []string
	err := fs.WalkDir(os.DirFS(filepath.Join("..", "rules")), ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".yaml") && !strings.HasSuffix(p, "_test.yaml") {
			want = append(want, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	files := rs.Files()
	if len(files) != len(want) {
		t.Fatalf("%d files, want the %d rule files and the scale: %v", len(files), len(want), want)
	}
	for i, f := range files {
		data, err := os.ReadFile(filepath.Join("..", "rules", want[i]))
		if err != nil {
			t.Fatal(err)
		}
		if f.Path != want[i] || string(f.Data) != string(data) {
			t.Errorf("file %d: %s (%d bytes), want %s as on disk", i, f.Path, len(f.Data), want[i])
		}
		if f.Name(rs.Dir()) != "../rules/"+want[i] {
			t.Errorf("Name = %q", f.Name(rs.Dir()))
		}
	}
}
