package engine

import (
	"cmap/domain"
	"os"
	"path/filepath"
	"testing"
)

func TestRulesRevisionMatchesLoadedSetAndNamesBrokenOnes(t *testing.T) {
	files := map[string]string{
		"scale.yaml":     "name: Three\nlevels: [Low, Mid, High]\n",
		"courses/a.yaml": "rules:\n  - id: a\n    course: \"true\"\n    covers: {1.A: Low}\n",
		"a_test.yaml":    "tests: []\n",
	}
	rs := mustLoad(t, files)
	got, err := RulesRevisionFS(ruleFS(files))
	if err != nil {
		t.Fatal(err)
	}
	if got != rs.Revision() {
		t.Errorf("RulesRevisionFS = %q, the loaded set's revision is %q", got, rs.Revision())
	}

	files["courses/a.yaml"] = "rules:\n  - id: a\n    course: course.titel != \"\"\n    covers: {1.A: Low}\n"
	if _, err := LoadRuleSetFS(ruleFS(files), "rules", testFramework()); err == nil {
		t.Fatal("a misspelled field loaded")
	}
	broken, err := RulesRevisionFS(ruleFS(files))
	if err != nil {
		t.Fatal(err)
	}
	if broken == got || len(broken) != 12 {
		t.Errorf("revision of the broken set = %q, want 12 hex digits other than %q", broken, got)
	}

	dir := t.TempDir()
	for name, text := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if onDisk, err := RulesRevision(dir); err != nil || onDisk != broken {
		t.Errorf("RulesRevision(dir) = %q, %v; want %q as from the same files in memory", onDisk, err, broken)
	}
	if _, err := RulesRevision(filepath.Join(dir, "missing")); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("missing directory: error %v, want EINVALID", err)
	}
}
