package importer

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/xuri/excelize/v2"

	"cmap/diag"
)

// readXLSX reads every sheet of a workbook. A sheet's kind is its name's
// ("Courses", "People") or its header's; sheets of neither (a legend, a
// cover page) are left out and listed in Batch.Ignored. Cells are read as
// stored, not as displayed: a date cell is its serial day (ParseDate reads
// it), a number cell its number, a text cell its text.
func readXLSX(b *Batch, name string, data []byte, opts Options, diags *diag.List) {
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		diags.Add(diag.Pos{File: name}, "not a readable XLSX workbook: %v", err)
		return
	}
	defer f.Close()
	date1904 := false
	if props, err := f.GetWorkbookProps(); err == nil && props.Date1904 != nil {
		date1904 = *props.Date1904
	}
	for _, sheet := range f.GetSheetList() {
		at := diag.Pos{File: name, Sheet: sheet}
		rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
		if err != nil {
			diags.Add(at, "cannot read the sheet: %v", err)
			continue
		}
		first := 0
		for first < len(rows) && blank(rows[first]) {
			first++
		}
		if first == len(rows) {
			b.Ignored = append(b.Ignored, fmt.Sprintf("%s: empty", at))
			continue
		}
		heads := rows[first]
		kind := tableKind(sheet, heads, opts)
		if kind == "" {
			b.Ignored = append(b.Ignored, fmt.Sprintf("%s: neither its name nor its header says it holds %s", at, kindsList()))
			continue
		}
		cellPos := func(r, c int) diag.Pos { return diag.Pos{File: name, Sheet: sheet, Line: r + 1, Col: c + 1} }
		names, ok := header(kind, heads, func(i int) diag.Pos {
			if i < 0 {
				return diag.Pos{File: name, Sheet: sheet, Line: first + 1}
			}
			return cellPos(first, i)
		}, opts, b, at.String(), diags)
		if !ok {
			continue
		}
		t := &table{kind: kind, at: at, columns: map[string]bool{}, date1904: date1904}
		for _, n := range names {
			if n != "" {
				t.columns[n] = true
			}
		}
		for r := first + 1; r < len(rows); r++ {
			rec := rows[r]
			if blank(rec) {
				continue
			}
			rw := row{pos: diag.Pos{File: name, Sheet: sheet, Line: r + 1}, cells: make(map[string]cell, len(names))}
			for c, n := range names {
				if n == "" {
					continue
				}
				v := ""
				if c < len(rec) {
					v = strings.TrimSpace(rec[c])
				}
				rw.cells[n] = cell{text: v, pos: cellPos(r, c)}
			}
			for c := len(names); c < len(rec); c++ {
				if strings.TrimSpace(rec[c]) != "" {
					diags.Add(cellPos(r, c), "a value in a column without a header")
				}
			}
			t.rows = append(t.rows, rw)
		}
		b.tables = append(b.tables, t)
	}
}
