package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cmap/modelfile"
)

// runCmd runs the cmap command line with args and returns its exit code,
// standard output and standard error.
func runCmd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestModelExport(t *testing.T) {
	code, out, errs := runCmd(t, "model", "export", "seeds/security-cooperation-competency-model.txt")
	if code != exitOK {
		t.Fatalf("exit %d, stderr:\n%s", code, errs)
	}
	f, err := modelfile.Read("out.yaml", []byte(out))
	if err != nil {
		t.Fatalf("the exported YAML does not read back: %v", err)
	}
	if len(f.Competencies) != 9 || len(f.SubCompetencyCodes()) != 58 {
		t.Errorf("exported %d competencies, %d sub-competencies; want 9, 58", len(f.Competencies), len(f.SubCompetencyCodes()))
	}
	if got := f.Competency("9.0").Title; got != "Security, Foreign Disclosure, and End-Use Controls" {
		t.Errorf("9.0 title = %q", got)
	}
}

// Without FILE the model comes from the seeds directory: --seeds wins over
// CMAP_SEEDS, which wins over ./seeds. -o writes a file, also after FILE.
func TestModelExportSeedsAndOutput(t *testing.T) {
	t.Setenv("CMAP_SEEDS", "modelfile/testdata")
	out := filepath.Join(t.TempDir(), "model.yaml")
	if code, _, errs := runCmd(t, "model", "export", "-o", out); code != exitOK {
		t.Fatalf("exit %d, stderr:\n%s", code, errs)
	}
	f, err := modelfile.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if f.Name != "Cyber Workforce" {
		t.Errorf("CMAP_SEEDS: exported %q, want the cyber workforce model", f.Name)
	}

	if code, _, errs := runCmd(t, "model", "export", "--seeds", "seeds", "-o", out); code != exitOK {
		t.Fatalf("exit %d, stderr:\n%s", code, errs)
	}
	if f, err = modelfile.ReadFile(out); err != nil || f.Name != "Security Cooperation" {
		t.Errorf("--seeds: exported %v, %v; want the Security Cooperation model", f, err)
	}

	json := filepath.Join(t.TempDir(), "m.json")
	if err := os.WriteFile(json, []byte(`{"name":"J","competencies":[{"code":"1.0","title":"T","subCompetencies":[{"code":"1.A","statement":"S"}]}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, errs := runCmd(t, "model", "export", json)
	if code != exitOK || !strings.Contains(stdout, "name: J\n") {
		t.Errorf("JSON input: exit %d, stdout %q, stderr %q", code, stdout, errs)
	}
}

func TestModelExportErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.txt")
	if err := os.WriteFile(bad, []byte("M\n1.0 Title\nDo it.\n1.B Act.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"malformed model", []string{"model", "export", bad}, exitFail,
			bad + ":4:1: sub-competency 1.B comes first under 1.0: missing 1.A\n"},
		{"missing file", []string{"model", "export", filepath.Join(dir, "none.txt")}, exitFail, "no such file"},
		{"no model in seeds", []string{"model", "export", "--seeds", dir}, exitFail,
			"cmap model export: find competency model: no file matching *competency-model.*"},
		{"two files", []string{"model", "export", "a.txt", "b.txt"}, exitUsage, "one model file at most, got 2"},
		{"unknown flag", []string{"model", "export", "--nope"}, exitUsage, "flag provided but not defined: -nope"},
		{"no verb", []string{"model"}, exitUsage, "cmap model: missing verb"},
		{"unknown verb", []string{"model", "import"}, exitUsage, `cmap model: unknown verb "import"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errs := runCmd(t, tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tt.code, errs)
			}
			if !strings.Contains(errs, tt.stderr) {
				t.Errorf("stderr:\n%s\nwant it to contain %q", errs, tt.stderr)
			}
		})
	}
}
