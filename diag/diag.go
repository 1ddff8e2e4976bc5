// Package diag holds source positions and diagnostics: the file:line:col
// errors that the competency-model reader and the rule loader report.
//
// It is the bottom of cmap's import graph and imports nothing of cmap.
package diag

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Pos is a position in a source file. Line and Col are 1-based; a zero Col
// means the whole line, a zero Line the whole file. In a spreadsheet
// workbook, Sheet names the sheet, Line is the row and Col the column.
type Pos struct {
	File  string `json:"file"`
	Sheet string `json:"sheet,omitempty"`
	Line  int    `json:"line"`
	Col   int    `json:"column"`
}

// String formats the position as file:line:col, leaving out zero parts;
// a position in a sheet as file:Sheet!B7 (file:Sheet!7 for a whole row,
// file:Sheet for the whole sheet), as spreadsheets name cells.
func (p Pos) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Sheet != "" {
		b.WriteString(":" + p.Sheet)
		if p.Line > 0 {
			b.WriteString("!" + ColumnName(p.Col) + strconv.Itoa(p.Line))
		}
		return b.String()
	}
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d", p.Line)
		if p.Col > 0 {
			fmt.Fprintf(&b, ":%d", p.Col)
		}
	}
	return b.String()
}

// ColumnName returns a spreadsheet's name of the 1-based column col: A
// to Z, then AA, AB...; "" for 0.
func ColumnName(col int) string {
	var name []byte
	for ; col > 0; col = (col - 1) / 26 {
		name = append([]byte{byte('A' + (col-1)%26)}, name...)
	}
	return string(name)
}

// Within returns p moved inside src when it points past it: onto the last
// line when its line is past the last, and just past the last character
// of its line when its column is past that. Columns count characters.
// Parsers place some positions beyond the text (go-yaml puts an empty
// list item at the end of a line one column past the end); a diagnostic
// points where the reader can look.
func (p Pos) Within(src []byte) Pos {
	if p.Line <= 0 {
		return p
	}
	return p.WithinLines(strings.Split(string(src), "\n"))
}

// WithinLines is Within for a source already split into lines at "\n",
// for callers that place many positions in one file.
func (p Pos) WithinLines(lines []string) Pos {
	if p.Line <= 0 {
		return p
	}
	if p.Line > len(lines) {
		p.Line = len(lines)
		p.Col = utf8.RuneCountInString(lines[p.Line-1]) + 1
	}
	if width := utf8.RuneCountInString(lines[p.Line-1]); p.Col > width+1 {
		p.Col = width + 1
	}
	return p
}

// Diagnostic is one problem found in a source file.
type Diagnostic struct {
	Pos
	// Message says what is wrong, in one line.
	Message string `json:"message"`
	// Snippet is the offending source line followed by a caret line under
	// the column, when the source is known; empty otherwise.
	Snippet string `json:"snippet,omitempty"`
}

// Error formats the diagnostic as "file:line:col: message".
func (d Diagnostic) Error() string {
	if d.Pos == (Pos{}) {
		return d.Message
	}
	return d.Pos.String() + ": " + d.Message
}

// Errorf returns a diagnostic at pos with a formatted message.
func Errorf(pos Pos, format string, args ...any) Diagnostic {
	return Diagnostic{Pos: pos, Message: fmt.Sprintf(format, args...)}
}

// WithSnippet returns d with a snippet cut from src: the line d points at,
// and a caret under its column.
func (d Diagnostic) WithSnippet(src []byte) Diagnostic {
	if d.Line <= 0 {
		return d
	}
	lines := strings.Split(string(src), "\n")
	if d.Line > len(lines) {
		return d
	}
	line := strings.TrimRight(lines[d.Line-1], "\r")
	d.Snippet = " | " + line
	if d.Col > 0 {
		// Keep tabs so the caret lines up with the source in a terminal.
		pad := make([]rune, 0, d.Col)
		for i, r := range []rune(line) {
			if i >= d.Col-1 {
				break
			}
			if r == '\t' {
				pad = append(pad, '\t')
			} else {
				pad = append(pad, ' ')
			}
		}
		d.Snippet += "\n | " + string(pad) + "^"
	}
	return d
}

// List is a set of diagnostics, reported together. A nil or empty List is
// no error; use Err to turn a List into an error value.
type List []Diagnostic

// Add appends a diagnostic at pos.
func (l *List) Add(pos Pos, format string, args ...any) {
	*l = append(*l, Errorf(pos, format, args...))
}

// Sort orders the diagnostics by file, line, column and message, and
// removes exact duplicates.
func (l List) Sort() List {
	slices.SortStableFunc(l, func(a, b Diagnostic) int {
		return cmp.Or(
			cmp.Compare(a.File, b.File),
			cmp.Compare(a.Sheet, b.Sheet),
			cmp.Compare(a.Line, b.Line),
			cmp.Compare(a.Col, b.Col),
			cmp.Compare(a.Message, b.Message),
		)
	})
	return slices.CompactFunc(l, func(a, b Diagnostic) bool {
		return a.Pos == b.Pos && a.Message == b.Message
	})
}

// Error prints one diagnostic per line.
func (l List) Error() string {
	msgs := make([]string, len(l))
	for i, d := range l {
		msgs[i] = d.Error()
	}
	return strings.Join(msgs, "\n")
}

// Err returns the sorted list as an error, or nil when it is empty.
func (l List) Err() error {
	if len(l) == 0 {
		return nil
	}
	return l.Sort()
}

// AsList extracts the diagnostics carried by err: a List, a single
// Diagnostic, or either wrapped. It returns nil when err carries none.
func AsList(err error) List {
	var l List
	if errors.As(err, &l) {
		return l
	}
	var d Diagnostic
	if errors.As(err, &d) {
		return List{d}
	}
	return nil
}

// ParentField returns the field path that encloses a field path such as
// the ones engine's Validate methods report: "a[2].b" -> "a[2]" -> "a" -> "".
func ParentField(field string) string {
	if strings.HasSuffix(field, "]") {
		return field[:strings.LastIndexByte(field, '[')]
	}
	if i := strings.LastIndexByte(field, '.'); i >= 0 {
		return field[:i]
	}
	return ""
}
