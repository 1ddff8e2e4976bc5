package modelfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cmap/diag"
)

func TestReadUnknownFormat(t *testing.T) {
	_, err := Read("model.csv", []byte("name,code"))
	want := `model.csv: unknown competency model format ".csv": use .txt, .text, .yaml, .yml or .json`
	if err == nil || err.Error() != want {
		t.Errorf("error = %v, want %s", err, want)
	}
	if len(diag.AsList(err)) != 1 {
		t.Errorf("error %T is not a diag.List", err)
	}
}

func TestReadFileMissing(t *testing.T) {
	_, err := ReadFile(filepath.Join(t.TempDir(), "nope.txt"))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("error = %v, want one wrapping fs.ErrNotExist", err)
	}
}

func TestFindModelFile(t *testing.T) {
	got, err := FindModelFile("../seeds")
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join("../seeds", "security-cooperation-competency-model.txt"); got != want {
		t.Errorf("FindModelFile = %q, want %q", got, want)
	}

	dir := t.TempDir()
	write := func(name string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := FindModelFile(dir); err == nil || !strings.Contains(err.Error(), "no file matching *competency-model.*") {
		t.Errorf("empty dir: error = %v", err)
	}
	write("cyber-competency-model.yaml")
	write("cyber-competency-model.yaml~") // an editor's backup does not count
	write("courses.csv")
	if got, err := FindModelFile(dir); err != nil || filepath.Base(got) != "cyber-competency-model.yaml" {
		t.Errorf("FindModelFile = %q, %v", got, err)
	}
	write("other-competency-model.txt")
	if _, err := FindModelFile(dir); err == nil || !strings.Contains(err.Error(), "2 files match") {
		t.Errorf("two models: error = %v", err)
	}
}

// diagAt returns the i-th diagnostic carried by err.
func diagAt(t *testing.T, err error, i int) diag.Diagnostic {
	t.Helper()
	l := diag.AsList(err)
	if len(l) <= i {
		t.Fatalf("error %v carries %d diagnostics, want more than %d", err, len(l), i)
	}
	return l[i]
}
