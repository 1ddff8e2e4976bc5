package main

import (
	"bytes"
	"context"
	"encoding/json"
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

// checkedModel has both kinds of line-end hyphen, a title that shares its
// line with its description, and a last sub-competency that lost its code.
const checkedModel = "modelfile/testdata/hyphens-and-lost-code.txt"

// The text report of `cmap model check` on checkedModel, against a golden
// file written out and read over by hand (go test -run TestModelCheckGolden
// -update rewrites it). The report is produced twice to show it is stable.
func TestModelCheckGolden(t *testing.T) {
	golden := filepath.Join("testdata", "model-check.golden")
	code, out, errs := runCmd(t, "model", "check", checkedModel)
	if code != exitOK || errs != "" {
		t.Fatalf("exit %d, stderr:\n%s", code, errs)
	}
	if _, again, _ := runCmd(t, "model", "check", checkedModel); again != out {
		t.Errorf("a second run differs:\n%s", again)
	}
	checkGolden(t, golden, out)
}

// --format json carries the same report for machines: the model, every
// join with its evidence, the suspicions with their positions.
func TestModelCheckJSON(t *testing.T) {
	code, out, errs := runCmd(t, "model", "check", "--format", "json", checkedModel)
	if code != exitOK {
		t.Fatalf("exit %d, stderr:\n%s", code, errs)
	}
	var got struct {
		File  string
		Model struct {
			Name         string
			Competencies []struct {
				Title           string
				SubCompetencies []struct{ Code, Statement string }
			}
		}
		Joins []struct {
			File, Fragment, Continuation, Word, Rule, Evidence string
			Line, Column, NextLine, Closed, Hyphenated         int
			Kept                                               bool
		}
		Suspicions, Errors []jsonDiagnostic
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if got.File != checkedModel || got.Model.Name != "Records Management" || len(got.Model.Competencies) != 2 ||
		got.Model.Competencies[1].Title != "Archives and Preservation" {
		t.Errorf("file %q, model %+v", got.File, got.Model)
	}
	if len(got.Joins) != 6 {
		t.Fatalf("joins %+v, want 6", got.Joins)
	}
	infor := got.Joins[1]
	if infor.File != checkedModel || infor.Line != 8 || infor.Column != 62 || infor.NextLine != 10 ||
		infor.Fragment != "infor-" || infor.Continuation != "mation" || infor.Word != "information" || infor.Kept ||
		infor.Rule != modelfile.RuleEvidence || infor.Closed != 1 || infor.Hyphenated != 0 ||
		infor.Evidence != `the document spells "information" once elsewhere, "infor-mation" never` {
		t.Errorf("second join: %+v", infor)
	}
	if len(got.Suspicions) != 2 || got.Suspicions[1].Line != 38 || got.Suspicions[1].Column != 1 ||
		!strings.Contains(got.Suspicions[1].Message, "2.C reads like two statements run together") {
		t.Errorf("suspicions %+v", got.Suspicions)
	}
	if got.Errors == nil || len(got.Errors) != 0 {
		t.Errorf("errors %#v, want an empty list", got.Errors)
	}
}

// Exit codes: 0 when the model reads, suspicions or not; 1 with --strict
// and a suspicion, or when the model does not read (errors on stderr as
// file:line:col); 2 for a wrong command line. Help goes to stdout.
func TestModelCheckExitCodes(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.txt")
	if err := os.WriteFile(bad, []byte("M\n1.0 Title\nDo it.\n1.A Act.\nTrain staff.\n1.C Train more.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name           string
		args           []string
		code           int
		stdout, stderr string // substrings; "" for an empty stream
	}{
		{"suspicions alone do not fail", []string{checkedModel}, exitOK, "2 suspicions", ""},
		{"--strict fails on a suspicion", []string{checkedModel, "--strict"}, exitFail, "2 suspicions", ""},
		{"--strict passes the customer's model", []string{"--strict", "seeds/security-cooperation-competency-model.txt"}, exitOK,
			"9 competencies and 58 sub-competencies read; 1 line-end hyphen joined, 0 suspicions", ""},
		{"the model from --seeds", []string{"--seeds", "seeds"}, exitOK, `"End-" + "Use" = "End-Use", hyphen kept`, ""},
		{"errors", []string{bad}, exitFail, "1.A reads like two statements run together",
			bad + ":6:1: sub-competency 1.C follows 1.A: missing 1.B\n1 error\n"},
		{"errors in JSON", []string{bad, "--format=json"}, exitFail, `"message": "sub-competency 1.C follows 1.A: missing 1.B"`, ""},
		{"missing file", []string{filepath.Join(dir, "none.txt")}, exitFail, "", "cmap model check: open "},
		{"no model in seeds", []string{"--seeds", dir}, exitFail, "", "cmap model check: find competency model: no file matching"},
		{"help", []string{"-h"}, exitOK, "Usage: cmap model check [flags] [FILE]", ""},
		{"--help", []string{"--help"}, exitOK, "Exit status:", ""},
		{"unknown flag", []string{"--nope"}, exitUsage, "", "cmap model check: flag provided but not defined: -nope\n\nUsage: cmap model check"},
		{"bad format", []string{"--format", "xml", checkedModel}, exitUsage, "", `cmap model check: --format must be text or json, not "xml"`},
		{"two files", []string{checkedModel, bad}, exitUsage, "", "cmap model check: one model file at most, got 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errs := runCmd(t, append([]string{"model", "check"}, tt.args...)...)
			if code != tt.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tt.code, errs)
			}
			for _, s := range []struct{ name, got, want string }{{"stdout", out, tt.stdout}, {"stderr", errs, tt.stderr}} {
				if s.want == "" && s.got != "" {
					t.Errorf("%s is not empty:\n%s", s.name, s.got)
				}
				if !strings.Contains(s.got, s.want) {
					t.Errorf("%s:\n%s\nwant it to contain %q", s.name, s.got, s.want)
				}
			}
		})
	}
}
