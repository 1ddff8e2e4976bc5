package seed

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"cmap/diag"
	"cmap/tabular"
)

// row is one data row of a CSV file, with the position of each field.
type row struct {
	file   string
	fields map[string]string
	pos    map[string]diag.Pos
	// line is the row's first line.
	line int
}

// get returns the trimmed value of column col.
func (r row) get(col string) string { return r.fields[col] }

// at returns the position of column col's value in the row.
func (r row) at(col string) diag.Pos { return r.pos[col] }

// readTable reads a CSV file whose first row names its columns, and calls
// fn for each data row that has as many fields as the header, each field
// restored (tabular.RestoreCell) and trimmed. The header
// must name each of columns once, in any order, and nothing else. Syntax
// errors, bad headers and rows of the wrong width are added to diags. It
// returns whether every row was read: false after an empty file, a bad
// header or a syntax error that stops the reading.
func readTable(path string, data []byte, columns []string, diags *diag.List, fn func(row)) bool {
	data = bytes.TrimPrefix(data, []byte("\uFEFF")) // spreadsheet exports start with a byte order mark
	text := csvText{path: path, lines: strings.Split(string(data), "\n")}
	r := csv.NewReader(bytes.NewReader(data))
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		diags.Add(diag.Pos{File: path, Line: 1}, "the file is empty; want the header %s", strings.Join(columns, ","))
		return false
	}
	if err != nil {
		addCSVError(text, err, diags)
		return false
	}
	names, ok := checkHeader(text, r, header, columns, diags)
	if !ok {
		return false
	}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return true
		}
		if errors.Is(err, csv.ErrFieldCount) {
			line, _ := r.FieldPos(0)
			diags.Add(diag.Pos{File: path, Line: line}, "the row has %d fields, the header %d", len(rec), len(header))
			continue // the next row may be fine
		}
		if err != nil {
			addCSVError(text, err, diags)
			return false // after a quoting error the rest of the file cannot be trusted
		}
		rw := row{file: path, fields: make(map[string]string, len(rec)), pos: make(map[string]diag.Pos, len(rec))}
		for i, v := range rec {
			rw.fields[names[i]] = strings.TrimSpace(tabular.RestoreCell(v))
			rw.pos[names[i]] = text.pos(r.FieldPos(i))
		}
		rw.line, _ = r.FieldPos(0)
		fn(rw)
	}
}

// checkHeader checks the header row against the expected columns and
// returns the column name of each field.
func checkHeader(text csvText, r *csv.Reader, header, columns []string, diags *diag.List) ([]string, bool) {
	ok := true
	names := make([]string, len(header))
	seen := map[string]bool{}
	for i, h := range header {
		name := strings.TrimSpace(h)
		names[i] = name
		pos := text.pos(r.FieldPos(i))
		switch {
		case !slices.Contains(columns, name):
			diags.Add(pos, "unknown column %q; the columns are %s", name, strings.Join(columns, ","))
			ok = false
		case seen[name]:
			diags.Add(pos, "duplicate column %q", name)
			ok = false
		}
		seen[name] = true
	}
	for _, c := range columns {
		if !seen[c] {
			diags.Add(diag.Pos{File: text.path, Line: 1}, "missing column %q; the columns are %s", c, strings.Join(columns, ","))
			ok = false
		}
	}
	return names, ok
}

// addCSVError adds a diagnostic for a syntax error of csv.Reader.Read.
func addCSVError(text csvText, err error, diags *diag.List) {
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		diags.Add(diag.Pos{File: text.path, Line: 1}, "%v", err)
		return
	}
	diags.Add(text.pos(pe.Line, pe.Column), "%v", pe.Err)
}

// csvText is the text of a CSV file, to turn the positions csv.Reader
// reports into diagnostics' positions.
type csvText struct {
	path  string
	lines []string
}

// pos returns the position of line and col as csv.Reader reports them:
// col counts bytes, and a quoted field left open to the end of the file
// is reported past its end. The position counts characters, as every
// diagnostic of cmap does, and stays inside the file (diag.Pos.Within),
// in time proportional to the line, not the file: it runs for every field.
func (t csvText) pos(line, col int) diag.Pos {
	if line >= 1 && line <= len(t.lines) && col > 1 {
		l := t.lines[line-1]
		col = utf8.RuneCountInString(l[:min(col-1, len(l))]) + 1
	}
	return diag.Pos{File: t.path, Line: line, Col: col}.WithinLines(t.lines)
}
