package importer_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/xuri/excelize/v2"

	"cmap/engine"
	"cmap/importer"
	"cmap/seed"
)

// exported is the sample catalogue as rows of each kind's layout, written
// by the layout's *Values functions, as an export writes them.
func exported(ds *seed.Dataset) map[importer.Kind][][]any {
	rows := map[importer.Kind][][]any{}
	for i := range ds.Courses {
		rows[importer.Courses] = append(rows[importer.Courses], importer.CourseValues(&ds.Courses[i]))
	}
	for i := range ds.Positions {
		rows[importer.Positions] = append(rows[importer.Positions], importer.PositionValues(&ds.Positions[i]))
	}
	for i := range ds.People {
		p := &ds.People[i]
		rows[importer.People] = append(rows[importer.People], importer.PersonValues(p))
		for _, c := range p.Completions {
			rows[importer.Completions] = append(rows[importer.Completions], importer.CompletionValues(p.ID, c))
		}
	}
	return rows
}

// TestExportLayoutsImportUnchanged writes the stored sample catalogue in
// the layouts, as CSV files, one JSON file and one workbook, and imports
// each over the same records: nothing changes. This is the promise an
// export in these layouts keeps: export, then import, is a no-op.
func TestExportLayoutsImportUnchanged(t *testing.T) {
	ds, err := seed.Load(filepath.Join("..", "seeds"))
	if err != nil {
		t.Fatal(err)
	}
	rows := exported(ds)

	var csvFiles []importer.File
	doc := map[string][]map[string]any{}
	book := excelize.NewFile()
	for i, k := range importer.Kinds {
		var buf bytes.Buffer
		w := csv.NewWriter(&buf)
		w.Write(importer.ColumnNames(k))
		sheet := string(k)
		if i == 0 {
			must(t, book.SetSheetName("Sheet1", sheet))
		} else {
			_, err := book.NewSheet(sheet)
			must(t, err)
		}
		header := make([]any, 0, len(importer.ColumnNames(k)))
		for _, name := range importer.ColumnNames(k) {
			header = append(header, name)
		}
		must(t, book.SetSheetRow(sheet, "A1", &header))
		for r, values := range rows[k] {
			record := map[string]any{}
			cells := make([]string, len(values))
			row := make([]any, len(values))
			for j, v := range values {
				cells[j] = importer.FormatCell(v)
				record[importer.ColumnNames(k)[j]] = v
				row[j] = v
				if l, ok := v.([]string); ok {
					row[j] = importer.FormatCell(l)
				}
			}
			w.Write(cells)
			doc[string(k)] = append(doc[string(k)], record)
			cell, _ := excelize.CoordinatesToCellName(1, r+2)
			must(t, book.SetSheetRow(sheet, cell, &row))
		}
		w.Flush()
		csvFiles = append(csvFiles, importer.File{Name: string(k) + ".csv", Data: buf.Bytes()})
	}
	js, err := json.Marshal(doc)
	must(t, err)
	var xlsx bytes.Buffer
	must(t, book.Write(&xlsx))

	for name, files := range map[string][]importer.File{
		"csv":  csvFiles,
		"json": {{Name: "catalogue.json", Data: js}},
		"xlsx": {{Name: "catalogue.xlsx", Data: xlsx.Bytes()}},
	} {
		b, diags := importer.Read(files, importer.Options{})
		if len(diags) > 0 {
			t.Fatalf("%s: %v", name, diags)
		}
		p := importer.MakePlan(b, stored(ds), importer.PlanOptions{Prune: true})
		if len(p.Rejections) > 0 || p.Changed() {
			t.Errorf("%s: rejections %v; %d writes, the first %+v", name, p.Rejections, len(p.Ops), firstOp(p.Ops))
		}
		if p.Courses.Unchanged != len(ds.Courses) || p.Positions.Unchanged != len(ds.Positions) || p.People.Unchanged != len(ds.People) {
			t.Errorf("%s: %+v %+v %+v", name, p.Courses, p.Positions, p.People)
		}
	}
}

func firstOp(ops []engine.ImportOp) any {
	if len(ops) == 0 {
		return nil
	}
	return ops[0]
}
