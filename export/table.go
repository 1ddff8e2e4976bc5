package export

import (
	"archive/zip"
	"bytes"
	"cmap/tabular"
	"encoding/csv"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"slices"
	"strconv"
	"time"
	"unicode/utf16"

	"github.com/xuri/excelize/v2"
)

// Every export but JSON is a table, or several: built once as cells that
// know their type, then written as CSV (text) or as a sheet of a workbook
// (typed cells).

// cellKind is the type of a cell's value.
type cellKind uint8

const (
	textCell cellKind = iota
	intCell
	numberCell
	boolCell
	dateCell
)

// cell is one cell of a table.
type cell struct {
	kind cellKind
	text string
	num  float64
	b    bool
	date time.Time
	// level, when set, colours the cell in a workbook as the coverage
	// page colours that level.
	level string
}

func textOf(s string) cell      { return cell{text: s} }
func intOf(n int) cell          { return cell{kind: intCell, num: float64(n)} }
func numberOf(f float64) cell   { return cell{kind: numberCell, num: f} }
func boolOf(b bool) cell        { return cell{kind: boolCell, b: b} }
func dateOf(t time.Time) cell   { return cell{kind: dateCell, date: t} }
func levelOf(level string) cell { return cell{text: level, level: level} }

// csvText returns the cell as CSV text: a text neutralized for
// spreadsheets (tabular.NeutralizeCell), a number, true or false, or a date
// in tabular.DateLayout. Numbers, booleans and dates are written by the
// exporter from values and never start a formula but as a number would.
func (c cell) csvText() string {
	switch c.kind {
	case intCell:
		return strconv.Itoa(int(c.num))
	case numberCell:
		return strconv.FormatFloat(c.num, 'f', -1, 64)
	case boolCell:
		return strconv.FormatBool(c.b)
	case dateCell:
		return c.date.Format(tabular.DateLayout)
	}
	return tabular.NeutralizeCell(c.text)
}

// table is one table of an export: a header row, then rows as wide as it.
type table struct {
	// name is the table's sheet in a workbook.
	name   string
	header []string
	rows   [][]cell
	// freezeColumns is how many columns a workbook keeps in view beside
	// the header row, which it always keeps.
	freezeColumns int
	// evenColumns are columns [from, to) that a workbook gives one width,
	// their widest (the coverage matrix's course columns).
	evenColumns [2]int
}

// writeCSV writes t as CSV (RFC 4180).
func writeCSV(w io.Writer, t *table) error {
	cw := csv.NewWriter(w)
	rec := make([]string, len(t.header))
	for i, h := range t.header {
		rec[i] = tabular.NeutralizeCell(h)
	}
	if err := cw.Write(rec); err != nil {
		return err
	}
	for _, r := range t.rows {
		for i, c := range r {
			rec[i] = c.csvText()
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// workbook is an XLSX file being written. A text goes into an inline
// string cell, which a spreadsheet never evaluates: a text that starts
// with = stays that text, so no quote is put before it as in CSV. Cells
// are never written as formulas.
type workbook struct {
	f      *excelize.File
	sheets int
	// styles caches the styles made, by a name of their own.
	styles map[string]int
	// levels colours the cells that carry a level (see levelColours).
	levels map[string]levelColour
}

func newWorkbook(levels []string) *workbook {
	f := excelize.NewFile()
	f.SetZipWriter(func(w io.Writer) excelize.ZipWriter {
		return &sortedZip{w: zip.NewWriter(w), entries: map[string]*bytes.Buffer{}}
	})
	return &workbook{f: f, styles: map[string]int{}, levels: levelColours(levels)}
}

// sortedZip writes the entries of a workbook's archive in the order of
// their names, so that a workbook is the same bytes each time: excelize
// writes the sheets it streamed in the order of a map.
type sortedZip struct {
	w       *zip.Writer
	entries map[string]*bytes.Buffer
}

// Create starts the entry name; it is written on Close.
func (z *sortedZip) Create(name string) (io.Writer, error) {
	b := new(bytes.Buffer)
	z.entries[name] = b
	return b, nil
}

// AddFS adds the files of fsys at once (excelize does not call it).
func (z *sortedZip) AddFS(fsys fs.FS) error { return z.w.AddFS(fsys) }

// Close writes the entries by name and closes the archive.
func (z *sortedZip) Close() error {
	for _, name := range slices.Sorted(maps.Keys(z.entries)) {
		w, err := z.w.Create(name)
		if err != nil {
			return err
		}
		if _, err := z.entries[name].WriteTo(w); err != nil {
			return err
		}
	}
	return z.w.Close()
}

// describe sets the workbook's document properties: made by cmap, its
// title the export's kind, created when made (when given).
func (b *workbook) describe(kind Kind, made time.Time) error {
	props := &excelize.DocProperties{Creator: "cmap", LastModifiedBy: "cmap", Title: "cmap " + string(kind)}
	if !made.IsZero() {
		props.Created = made.UTC().Format(time.RFC3339)
		props.Modified = props.Created
	}
	return b.f.SetDocProps(props)
}

// style returns the style named key, made by make the first time.
func (b *workbook) style(key string, make func() *excelize.Style) (int, error) {
	if id, ok := b.styles[key]; ok {
		return id, nil
	}
	id, err := b.f.NewStyle(make())
	if err != nil {
		return 0, err
	}
	b.styles[key] = id
	return id, nil
}

func (b *workbook) boldStyle() (int, error) {
	return b.style("bold", func() *excelize.Style { return &excelize.Style{Font: &excelize.Font{Bold: true}} })
}

func (b *workbook) dateStyle() (int, error) {
	return b.style("date", func() *excelize.Style {
		format := "yyyy-mm-dd"
		return &excelize.Style{CustomNumFmt: &format}
	})
}

// levelStyle returns the style of a cell at level: the level's colours,
// or none for a level off the scale.
func (b *workbook) levelStyle(level string) (int, error) {
	lc, ok := b.levels[level]
	if !ok {
		return 0, nil
	}
	return b.style("level:"+level, func() *excelize.Style {
		return &excelize.Style{
			Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{lc.background}},
			Font:      &excelize.Font{Color: lc.ink},
			Alignment: &excelize.Alignment{Horizontal: "center"},
		}
	})
}

// newSheet adds a sheet named name: the first sheet of the file renamed,
// then new ones.
func (b *workbook) newSheet(name string) error {
	b.sheets++
	if b.sheets == 1 {
		return b.f.SetSheetName(b.f.GetSheetName(0), name)
	}
	_, err := b.f.NewSheet(name)
	return err
}

// maxCellChars is the most UTF-16 code units a cell of a workbook holds;
// excelize would cut a longer text short.
const maxCellChars = excelize.TotalCellChars

// addTable writes t as a sheet: the header row in bold and frozen with
// t.freezeColumns columns, an autofilter over the whole table, columns
// about as wide as their texts.
func (b *workbook) addTable(t *table) error {
	if err := b.newSheet(t.name); err != nil {
		return err
	}
	sw, err := b.f.NewStreamWriter(t.name)
	if err != nil {
		return err
	}
	// Each call costs excelize time in the number of widths set already,
	// so columns of one width are set at once. excelize puts a width
	// before those set already: set them from the last so that they come
	// in order, as Excel wants.
	widths := columnWidths(t)
	for last := len(widths) - 1; last >= 0; {
		first := last
		for first > 0 && widths[first-1] == widths[last] {
			first--
		}
		if err := sw.SetColWidth(first+1, last+1, widths[last]); err != nil {
			return err
		}
		last = first - 1
	}
	topLeft, _ := excelize.CoordinatesToCellName(t.freezeColumns+1, 2)
	panes := &excelize.Panes{Freeze: true, XSplit: t.freezeColumns, YSplit: 1, TopLeftCell: topLeft, ActivePane: "bottomLeft"}
	if t.freezeColumns > 0 {
		panes.ActivePane = "bottomRight"
	}
	if err := sw.SetPanes(panes); err != nil {
		return err
	}
	bold, err := b.boldStyle()
	if err != nil {
		return err
	}
	values := make([]any, len(t.header))
	for i, h := range t.header {
		values[i] = excelize.Cell{StyleID: bold, Value: h}
	}
	if err := sw.SetRow("A1", values); err != nil {
		return err
	}
	for r, row := range t.rows {
		for i, c := range row {
			if values[i], err = b.value(c); err != nil {
				ref, _ := excelize.CoordinatesToCellName(i+1, r+2)
				return fmt.Errorf("%s!%s (%s): %w", t.name, ref, t.header[i], err)
			}
		}
		ref, _ := excelize.CoordinatesToCellName(1, r+2)
		if err := sw.SetRow(ref, values); err != nil {
			return err
		}
	}
	// The filter set on the sheet before Flush is written with it.
	last, _ := excelize.CoordinatesToCellName(len(t.header), len(t.rows)+1)
	if err := b.f.AutoFilter(t.name, "A1:"+last, nil); err != nil {
		return err
	}
	return sw.Flush()
}

// value returns what the stream writer writes for c: nil for an empty
// text (no cell), a string, number, boolean or date, with a style when
// it has one.
func (b *workbook) value(c cell) (any, error) {
	switch c.kind {
	case intCell:
		return int(c.num), nil
	case numberCell:
		return c.num, nil
	case boolCell:
		return c.b, nil
	case dateCell:
		style, err := b.dateStyle()
		return excelize.Cell{StyleID: style, Value: c.date}, err
	}
	if c.text == "" {
		return nil, nil
	}
	if len(c.text) > maxCellChars && len(utf16.Encode([]rune(c.text))) > maxCellChars {
		return nil, fmt.Errorf("a cell holds at most %d characters, this text has more", maxCellChars)
	}
	if c.level == "" {
		return c.text, nil
	}
	style, err := b.levelStyle(c.level)
	return excelize.Cell{StyleID: style, Value: c.text}, err
}

// columnWidths returns the width of each column of t: that of its
// longest text, header included, between 6 and 60 characters, with room
// for the filter button.
func columnWidths(t *table) []float64 {
	widths := make([]float64, len(t.header))
	for i, h := range t.header {
		widths[i] = float64(len([]rune(h))) + 3
	}
	for _, r := range t.rows {
		for i, c := range r {
			n := len(c.csvText())
			if c.kind == textCell {
				n = len([]rune(c.text))
			}
			widths[i] = max(widths[i], float64(n)+2)
		}
	}
	if from, to := t.evenColumns[0], t.evenColumns[1]; from < to {
		widest := slices.Max(widths[from:to])
		for i := from; i < to; i++ {
			widths[i] = widest
		}
	}
	for i := range widths {
		widths[i] = min(max(widths[i], 6), 60)
	}
	return widths
}

// levelColour is the colours of a level's cells.
type levelColour struct {
	// background and ink are #RRGGBB.
	background, ink string
}

// viridis is the colour ramp of the coverage page (web/coverage), from the
// lowest level (light) to the highest (dark): a perceptually uniform ramp
// that people with the common forms of colour blindness read in the same
// order. The page and the workbook colour a level alike.
var viridis = [][3]float64{{253, 231, 37}, {94, 201, 98}, {33, 145, 140}, {59, 82, 139}, {68, 1, 84}}

// levelColours returns the colours of each level of the scale levels, as
// the coverage page computes them: the level's place on the ramp (from a
// tenth of the way for the lowest to the end for the highest), and dark
// ink on a light background, white on a dark one.
func levelColours(levels []string) map[string]levelColour {
	out := make(map[string]levelColour, len(levels))
	for rank, level := range levels {
		t := 1.0
		if len(levels) > 1 {
			t = 0.1 + 0.9*float64(rank)/float64(len(levels)-1)
		}
		x := t * float64(len(viridis)-1)
		i := min(int(x), len(viridis)-2)
		f := x - float64(i)
		var rgb [3]int
		for k := range rgb {
			rgb[k] = int(jsRound(viridis[i][k] + (viridis[i+1][k]-viridis[i][k])*f))
		}
		luminance := (0.2126*float64(rgb[0]) + 0.7152*float64(rgb[1]) + 0.0722*float64(rgb[2])) / 255
		ink := "#FFFFFF"
		if luminance > 0.5 {
			ink = "#1D2330"
		}
		out[level] = levelColour{background: fmt.Sprintf("#%02X%02X%02X", rgb[0], rgb[1], rgb[2]), ink: ink}
	}
	return out
}

// jsRound rounds a non-negative x as JavaScript's Math.round does:
// halves up.
func jsRound(x float64) float64 {
	r := float64(int64(x))
	if x-r >= 0.5 {
		r++
	}
	return r
}
