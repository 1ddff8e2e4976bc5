// Package diagtest checks, in tests and fuzz targets, that the diagnostics
// a reader reports point inside the source they are about: a line of the
// file, and a column of that line (counted in characters, as diag counts
// them) or just past its end.
package diagtest

import (
	"strings"
	"testing"
	"unicode/utf8"

	"cmap/diag"
)

// Precision is how precise a diagnostic's position must be.
type Precision int

const (
	// Line asks for file:line at least; a zero column (the whole line) is
	// allowed.
	Line Precision = iota
	// Column asks for file:line:col.
	Column
)

// Check fails t unless err carries diagnostics (diag.AsList), each about
// file and inside src as CheckPos has it.
func Check(t testing.TB, err error, file string, src []byte, p Precision) {
	t.Helper()
	l := diag.AsList(err)
	if len(l) == 0 {
		t.Fatalf("error without diagnostics: %v", err)
	}
	for _, d := range l {
		if d.File != file {
			t.Errorf("diagnostic about %q, want %q: %s", d.File, file, d.Error())
		}
		CheckPos(t, d, src, p)
	}
}

// CheckPos fails t unless d has a message and points at a line of src
// and, with precision Column, at a column of that line or just past its
// last character.
func CheckPos(t testing.TB, d diag.Diagnostic, src []byte, p Precision) {
	t.Helper()
	if strings.TrimSpace(d.Message) == "" {
		t.Errorf("diagnostic without a message at %s", d.Pos)
	}
	lines := strings.Split(string(src), "\n")
	if d.Line < 1 || d.Line > len(lines) {
		t.Errorf("line %d outside the file's %d lines: %s", d.Line, len(lines), d.Error())
		return
	}
	width := utf8.RuneCountInString(lines[d.Line-1])
	if d.Col > width+1 || d.Col < 0 || (p == Column && d.Col == 0) {
		t.Errorf("column %d outside line %d's %d characters: %s", d.Col, d.Line, width, d.Error())
	}
}
