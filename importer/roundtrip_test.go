package importer_test

import (
	"bytes"
	"cmap/domain"
	"path/filepath"
	"testing"

	"cmap/analysis"
	"cmap/export"
	"cmap/importer"
	"cmap/seed"
)

// TestExportImportIsANoOp exports the sample catalogue with the catalogue
// exports (package export: CSV per kind, and the whole catalogue as a
// workbook and as JSON) and imports each export over the same records,
// --prune included: nothing changes. A course whose title a spreadsheet
// would take for a formula goes through the CSV export's quote and back.
func TestExportImportIsANoOp(t *testing.T) {
	ds, err := seed.Load(filepath.Join("..", "seeds"))
	if err != nil {
		t.Fatal(err)
	}
	ds.Courses[0].Title = "=Fundamentals, -2 and @home"
	s := stored(ds)
	ix, err := analysis.Build(analysis.Snapshot{Framework: ds.Framework, Scale: domain.DefaultScale(),
		Courses: s.Courses, Positions: s.Positions, People: s.People})
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, kind export.Kind, f export.Format) importer.File {
		var buf bytes.Buffer
		if err := export.Write(&buf, ix, kind, f, export.Options{}); err != nil {
			t.Fatalf("exporting %s: %v", name, err)
		}
		return importer.File{Name: name, Data: buf.Bytes()}
	}
	for name, files := range map[string][]importer.File{
		"csv": {write("courses.csv", export.KindCourses, export.CSV), write("positions.csv", export.KindPositions, export.CSV),
			write("people.csv", export.KindPeople, export.CSV), write("completions.csv", export.KindCompletions, export.CSV)},
		"json": {write("catalogue.json", export.KindCatalogue, export.JSON)},
		"xlsx": {write("catalogue.xlsx", export.KindCatalogue, export.XLSX)},
	} {
		b, diags := importer.Read(files, importer.Options{})
		if len(diags) > 0 {
			t.Fatalf("%s: %v", name, diags)
		}
		p := importer.MakePlan(b, s, importer.PlanOptions{Prune: true})
		if len(p.Rejections) > 0 || p.Changed() {
			t.Errorf("%s: rejections %v; %d writes, the first %+v", name, p.Rejections, len(p.Ops), firstOp(p.Ops))
		}
		if p.Courses.Unchanged != len(ds.Courses) || p.Positions.Unchanged != len(ds.Positions) || p.People.Unchanged != len(ds.People) {
			t.Errorf("%s: %+v %+v %+v", name, p.Courses, p.Positions, p.People)
		}
	}
}

func firstOp(ops []domain.ImportOp) any {
	if len(ops) == 0 {
		return nil
	}
	return ops[0]
}
