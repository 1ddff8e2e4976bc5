package importer

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strings"
	"unicode/utf8"

	"cmap/diag"
	"cmap/tabular"
)

// readCSV reads a CSV file whose first row names its columns. Its kind is
// its name's (courses.csv) or its header's.
func readCSV(b *Batch, name string, data []byte, opts Options, diags *diag.List) {
	lines := strings.Split(string(data), "\n")
	// pos turns csv.Reader's line and byte column into a position that
	// counts characters, as every diagnostic of cmap does.
	pos := func(line, col int) diag.Pos {
		if line >= 1 && line <= len(lines) && col > 1 {
			l := lines[line-1]
			col = utf8.RuneCountInString(l[:min(col-1, len(l))]) + 1
		}
		return diag.Pos{File: name, Line: line, Col: col}.WithinLines(lines)
	}
	r := csv.NewReader(bytes.NewReader(data))
	heads, err := r.Read()
	if errors.Is(err, io.EOF) {
		diags.Add(diag.Pos{File: name, Line: 1}, "the file is empty; want a header row naming the columns")
		return
	}
	if err != nil {
		addCSVError(name, pos, err, diags)
		return
	}
	kind := tableKind(name, heads, opts)
	if kind == "" {
		diags.Add(diag.Pos{File: name, Line: 1}, "cannot tell what the file holds: name it after its kind (%s) or give it the columns of one", kindsList())
		return
	}
	names, ok := header(kind, heads, func(i int) diag.Pos {
		if i < 0 {
			return diag.Pos{File: name, Line: 1}
		}
		return pos(r.FieldPos(i))
	}, opts, b, name, diags)
	if !ok {
		return
	}
	t := &table{kind: kind, at: diag.Pos{File: name}, columns: map[string]bool{}}
	for _, n := range names {
		if n != "" {
			t.columns[n] = true
		}
	}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if errors.Is(err, csv.ErrFieldCount) {
			line, _ := r.FieldPos(0)
			diags.Add(diag.Pos{File: name, Line: line}, "the row has %d fields, the header %d", len(rec), len(heads))
			continue
		}
		if err != nil {
			addCSVError(name, pos, err, diags)
			return // after a quoting error the rest of the file cannot be trusted
		}
		if blank(rec) {
			continue
		}
		line, _ := r.FieldPos(0)
		rw := row{pos: diag.Pos{File: name, Line: line}, cells: make(map[string]cell, len(rec))}
		for i, v := range rec {
			if names[i] != "" {
				// A cell a CSV export neutralized for spreadsheets ('=...)
				// is read without its quote, as every reader of cmap's CSV
				// files reads it (tabular.RestoreCell).
				rw.cells[names[i]] = cell{text: strings.TrimSpace(tabular.RestoreCell(v)), pos: pos(r.FieldPos(i))}
			}
		}
		t.rows = append(t.rows, rw)
	}
	b.tables = append(b.tables, t)
}

// blank reports whether every field of a record is empty: spreadsheets
// export trailing empty rows.
func blank(rec []string) bool {
	for _, v := range rec {
		if strings.TrimSpace(v) != "" {
			return false
		}
	}
	return true
}

// addCSVError adds a diagnostic for a syntax error of csv.Reader.Read.
func addCSVError(name string, pos func(line, col int) diag.Pos, err error, diags *diag.List) {
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		diags.Add(diag.Pos{File: name, Line: 1}, "%v", err)
		return
	}
	diags.Add(pos(pe.Line, pe.Column), "%v", pe.Err)
}
