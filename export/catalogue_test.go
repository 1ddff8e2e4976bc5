package export_test

import (
	"bytes"
	"cmap/domain"
	"cmap/tabular"
	"cmp"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"cmap/analysis"
	"cmap/export"
	"cmap/seed"
)

// sampleIndex is the shipped sample catalogue, and records whose texts a
// spreadsheet would take for formulas or that hold what a cell must keep
// (a tab, a line break, excelize's escape _x000D_), built into an index
// (no rules: the catalogue exports need none).
func sampleIndex(t *testing.T) *analysis.Index {
	t.Helper()
	ds, err := seed.Load("../seeds")
	if err != nil {
		t.Fatal(err)
	}
	snap := analysis.Snapshot{Framework: ds.Framework, Scale: domain.DefaultScale()}
	snap.Courses = domain.Refs(ds.Courses)
	snap.Positions = domain.Refs(ds.Positions)
	snap.People = domain.Refs(ds.People)
	snap.Courses = append(snap.Courses, &domain.Course{Code: "ZZZ-999", Title: "+Plus, and \"quotes\"",
		Description: "Two\tcolumns and _x000D_ as text.\nA second line.", Objectives: []string{"'=quoted", "=SUM(1)", "-1"},
		Topics: []string{"@topic"}, Hours: 12.5, DeliveryMode: domain.DeliveryBlended, Provider: "=School",
		Status: domain.CourseActive, Prerequisites: []string{"SCO-101", "SCO-201"}})
	snap.Positions = append(snap.Positions, &domain.Position{ID: "POS-9999", Title: "-Officer", Organization: "@ORG",
		Grade: "GS-13", Category: "+SCO", KeyBillet: true, Region: "=EUCOM"})
	done := func(s string) time.Time {
		d, err := time.Parse(tabular.DateLayout, s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	snap.People = append(snap.People, &domain.Person{ID: "P-99999", Name: `=HYPERLINK("http://evil.example","x")`, PositionID: "POS-9999",
		Completions: []domain.Completion{{CourseCode: "SCO-101", Completed: done("2020-02-29")}, {CourseCode: "ZZZ-999", Completed: done("2024-12-31")}}})
	ix, err := analysis.Build(snap)
	if err != nil {
		t.Fatal(err)
	}
	return ix
}

// catalogue is the records of an index, or of an exported file, as
// values: people carry their completions by date, then course.
type catalogue struct {
	Courses   []domain.Course
	Positions []domain.Position
	People    []domain.Person
}

func catalogueOf(ix *analysis.Index) catalogue {
	var c catalogue
	courses, _ := ix.Courses(domain.CourseFilter{}, domain.Page{})
	for _, x := range courses.Items {
		c.Courses = append(c.Courses, *x)
	}
	positions, _ := ix.Positions(domain.PositionFilter{}, domain.Page{})
	for _, x := range positions.Items {
		c.Positions = append(c.Positions, *x)
	}
	people, _ := ix.People(domain.PersonFilter{}, domain.Page{})
	for _, x := range people.Items {
		p := *x
		p.Completions = sortedCompletions(p.Completions)
		c.People = append(c.People, p)
	}
	return c
}

func sortedCompletions(cs []domain.Completion) []domain.Completion {
	if len(cs) == 0 {
		return nil
	}
	return slices.SortedFunc(slices.Values(cs), func(a, b domain.Completion) int {
		return cmp.Or(a.Completed.Compare(b.Completed), cmp.Compare(a.CourseCode, b.CourseCode))
	})
}

// compareCatalogues fails for each record of got that differs from want.
func compareCatalogues(t *testing.T, what string, got, want catalogue) {
	t.Helper()
	if len(got.Courses) != len(want.Courses) || len(got.Positions) != len(want.Positions) || len(got.People) != len(want.People) {
		t.Fatalf("%s: %d courses, %d positions, %d people; the index has %d, %d, %d", what,
			len(got.Courses), len(got.Positions), len(got.People), len(want.Courses), len(want.Positions), len(want.People))
	}
	for i := range want.Courses {
		if !reflect.DeepEqual(got.Courses[i], want.Courses[i]) {
			t.Errorf("%s: course\n got %+v\nwant %+v", what, got.Courses[i], want.Courses[i])
		}
	}
	for i := range want.Positions {
		if got.Positions[i] != want.Positions[i] {
			t.Errorf("%s: position\n got %+v\nwant %+v", what, got.Positions[i], want.Positions[i])
		}
	}
	for i := range want.People {
		if !reflect.DeepEqual(got.People[i], want.People[i]) {
			t.Errorf("%s: person\n got %+v\nwant %+v", what, got.People[i], want.People[i])
		}
	}
}

// records builds a catalogue from tables of cells in the tabular layout,
// as an importer would read them: sheets by name, columns by header.
func records(t *testing.T, tables map[string][][]string) catalogue {
	t.Helper()
	var c catalogue
	col := func(name string, header []string) int {
		i := slices.Index(header, name)
		if i < 0 {
			t.Fatalf("no column %q in %q", name, header)
		}
		return i
	}
	rows := func(name string) (func(string) int, [][]string) {
		tab := tables[name]
		if len(tab) == 0 {
			t.Fatalf("no table %s", name)
		}
		header := tab[0]
		return func(c string) int { return col(c, header) }, tab[1:]
	}
	at, courses := rows("courses")
	for _, r := range courses {
		hours, err := strconv.ParseFloat(r[at("hours")], 64)
		if err != nil {
			t.Fatal(err)
		}
		c.Courses = append(c.Courses, domain.Course{Code: r[at("code")], Title: r[at("title")], Description: r[at("description")],
			Objectives: tabular.SplitList(r[at("objectives")]), Topics: tabular.SplitList(r[at("topics")]), Hours: hours,
			DeliveryMode: r[at("deliveryMode")], Provider: r[at("provider")], Status: r[at("status")],
			Prerequisites: tabular.SplitList(r[at("prerequisites")])})
	}
	at, positions := rows("positions")
	for _, r := range positions {
		key, err := strconv.ParseBool(r[at("key_billet")])
		if err != nil {
			t.Fatal(err)
		}
		c.Positions = append(c.Positions, domain.Position{ID: r[at("id")], Title: r[at("title")], Organization: r[at("organization")],
			Grade: r[at("grade")], Category: r[at("category")], KeyBillet: key, Region: r[at("region")]})
	}
	at, people := rows("people")
	index := map[string]int{}
	for _, r := range people {
		index[r[at("id")]] = len(c.People)
		c.People = append(c.People, domain.Person{ID: r[at("id")], Name: r[at("name")], PositionID: r[at("position_id")]})
	}
	at, completions := rows("completions")
	for _, r := range completions {
		day, err := time.Parse(tabular.DateLayout, r[at("completed")])
		if err != nil {
			t.Fatal(err)
		}
		p := &c.People[index[r[at("person_id")]]]
		p.Completions = append(p.Completions, domain.Completion{CourseCode: r[at("course_code")], Completed: day})
	}
	for i := range c.People {
		c.People[i].Completions = sortedCompletions(c.People[i].Completions)
	}
	return c
}

// A catalogue exported as CSV files and a courses JSON document is a seeds
// folder: seed.Load reads it back to the index's records, formula-like
// texts included (the CSV's quotes are taken off).
func TestCatalogueCSVLoadsAsASeedsFolder(t *testing.T) {
	ix := sampleIndex(t)
	dir := t.TempDir()
	model, err := os.ReadFile("../seeds/security-cooperation-competency-model.txt")
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{
		"security-cooperation-competency-model.txt": model,
		seed.CoursesFile:     write(t, ix, export.KindCourses, export.JSON, export.Options{}),
		seed.PositionsFile:   write(t, ix, export.KindPositions, export.CSV, export.Options{}),
		seed.PeopleFile:      write(t, ix, export.KindPeople, export.CSV, export.Options{}),
		seed.CompletionsFile: write(t, ix, export.KindCompletions, export.CSV, export.Options{}),
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ds, err := seed.Load(dir)
	if err != nil {
		t.Fatalf("the exported catalogue does not load as a seeds folder: %v", err)
	}
	got := catalogue{Courses: ds.Courses, Positions: ds.Positions, People: ds.People}
	for i := range got.People {
		got.People[i].Completions = sortedCompletions(got.People[i].Completions)
	}
	compareCatalogues(t, "CSV through seed.Load", got, catalogueOf(ix))

	// The courses as CSV, read as an importer reads CSV: quotes off, then
	// the list cells split.
	tables := map[string][][]string{}
	for _, k := range []export.Kind{export.KindCourses, export.KindPositions, export.KindPeople, export.KindCompletions} {
		rows := readCSV(t, write(t, ix, k, export.CSV, export.Options{}))
		for _, r := range rows {
			for i := range r {
				r[i] = tabular.RestoreCell(r[i])
			}
		}
		if !slices.Equal(rows[0], layout(k).Columns) {
			t.Errorf("%s header %q, want the layout's %q", k, rows[0], layout(k).Columns)
		}
		tables[string(k)] = rows
	}
	compareCatalogues(t, "CSV", records(t, tables), catalogueOf(ix))
}

// layout returns the tabular layout of a catalogue kind.
func layout(k export.Kind) tabular.Table {
	for _, t := range tabular.Tables {
		if t.Name == string(k) {
			return t
		}
	}
	return tabular.Table{}
}

// The catalogue workbook has one sheet per kind, in the layout's order
// and columns; read back it gives the index's records, texts exact.
func TestCatalogueXLSXReadsBackAsTheIndex(t *testing.T) {
	ix := sampleIndex(t)
	f := openXLSX(t, ix, export.KindCatalogue, export.Options{})
	var names []string
	for _, tab := range tabular.Tables {
		names = append(names, tab.Name)
	}
	if got := f.GetSheetList(); !slices.Equal(got, names) {
		t.Fatalf("sheets %q, want %q", got, names)
	}
	checkNoFormulas(t, f)
	tables := map[string][][]string{}
	for _, tab := range tabular.Tables {
		rows := sheetRows(t, f, tab.Name)
		if !slices.Equal(rows[0], tab.Columns) {
			t.Errorf("sheet %s header %q, want %q", tab.Name, rows[0], tab.Columns)
		}
		panes, _ := f.GetPanes(tab.Name)
		if !panes.Freeze || panes.YSplit != 1 {
			t.Errorf("sheet %s: panes %+v, want the header row frozen", tab.Name, panes)
		}
		tables[tab.Name] = rows
	}
	compareCatalogues(t, "XLSX", records(t, tables), catalogueOf(ix))

	// Each kind alone is the same sheet.
	for _, k := range []export.Kind{export.KindCourses, export.KindPositions, export.KindPeople, export.KindCompletions} {
		one := openXLSX(t, ix, k, export.Options{})
		if got := one.GetSheetList(); !slices.Equal(got, []string{string(k)}) {
			t.Errorf("%s: sheets %q", k, got)
		}
		if got := sheetRows(t, one, string(k)); !slices.EqualFunc(got, tables[string(k)], slices.Equal) {
			t.Errorf("%s alone differs from its sheet of the catalogue", k)
		}
	}
	// Dates are dates to the spreadsheet, hours numbers, key billets
	// booleans.
	for _, c := range []struct{ sheet, ref, want string }{{"completions", "C2", "date"}, {"courses", "F2", "number"}, {"positions", "F2", "boolean"}, {"people", "B2", "text"}} {
		if got := cellTypeOf(t, f, c.sheet, c.ref); got != c.want {
			t.Errorf("%s!%s is of type %q, want %q", c.sheet, c.ref, got, c.want)
		}
	}
}

// cellTypeOf returns what a cell holds as a spreadsheet sees it:
// "boolean", "date" (a number shown as a date), "number" or "text".
func cellTypeOf(t *testing.T, f *excelize.File, sheet, ref string) string {
	t.Helper()
	if typ, _ := f.GetCellType(sheet, ref); typ == excelize.CellTypeBool {
		return "boolean"
	} else if typ == excelize.CellTypeInlineString || typ == excelize.CellTypeSharedString {
		return "text"
	}
	raw, err := f.GetCellValue(sheet, ref, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := strconv.ParseFloat(raw, 64); err != nil {
		return "text"
	}
	id, _ := f.GetCellStyle(sheet, ref)
	if style, _ := f.GetStyle(id); style != nil && style.CustomNumFmt != nil && strings.Contains(*style.CustomNumFmt, "yyyy") {
		return "date"
	}
	return "number"
}

// The catalogue JSON document: a list of each kind under its name, each
// record's fields its layout's columns in order, lists as arrays; read
// back, the index's records.
func TestCatalogueJSON(t *testing.T) {
	ix := sampleIndex(t)
	data := write(t, ix, export.KindCatalogue, export.JSON, export.Options{})
	var doc struct {
		Courses   []domain.Course `json:"courses"`
		Positions []struct {
			ID, Title, Organization, Grade, Category, Region string
			KeyBillet                                        bool `json:"key_billet"`
		} `json:"positions"`
		People []struct {
			ID         string `json:"id"`
			Name       string `json:"name"`
			PositionID string `json:"position_id"`
		} `json:"people"`
		Completions []struct {
			PersonID   string `json:"person_id"`
			CourseCode string `json:"course_code"`
			Completed  string `json:"completed"`
		} `json:"completions"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		t.Fatal(err)
	}
	got := catalogue{Courses: doc.Courses}
	for _, p := range doc.Positions {
		got.Positions = append(got.Positions, domain.Position{ID: p.ID, Title: p.Title, Organization: p.Organization, Grade: p.Grade,
			Category: p.Category, KeyBillet: p.KeyBillet, Region: p.Region})
	}
	index := map[string]int{}
	for _, p := range doc.People {
		index[p.ID] = len(got.People)
		got.People = append(got.People, domain.Person{ID: p.ID, Name: p.Name, PositionID: p.PositionID})
	}
	for _, c := range doc.Completions {
		day, err := time.Parse(tabular.DateLayout, c.Completed)
		if err != nil {
			t.Fatal(err)
		}
		p := &got.People[index[c.PersonID]]
		p.Completions = sortedCompletions(append(p.Completions, domain.Completion{CourseCode: c.CourseCode, Completed: day}))
	}
	compareCatalogues(t, "JSON", got, catalogueOf(ix))

	// The document's and each record's fields come in the layout's order.
	text := string(data)
	at := 0
	for _, tab := range tabular.Tables {
		i := strings.Index(text[at:], `"`+tab.Name+`": [`)
		if i < 0 {
			t.Fatalf("no list %s after offset %d", tab.Name, at)
		}
		at += i
		for _, c := range tab.Columns {
			j := strings.Index(text[at:], `"`+c+`":`)
			if j < 0 {
				t.Fatalf("%s: no field %s in the first record, in order", tab.Name, c)
			}
			at += j
		}
	}
}

// A course whose list item holds a line break has no cell of one item a
// line: CSV and XLSX refuse it naming the course and the item, before
// writing anything; JSON keeps it.
func TestCatalogueRefusesListItemsACellCannotKeep(t *testing.T) {
	ix, err := analysis.Build(analysis.Snapshot{
		Framework: &domain.Framework{Name: "Test", Competencies: []domain.Competency{{Code: "1.0", Title: "One",
			SubCompetencies: []domain.SubCompetency{{Code: "1.A", Statement: "First"}}}}},
		Scale: domain.DefaultScale(),
		Courses: []*domain.Course{{Code: "A-101", Title: "Intro", Objectives: []string{"one", "two\nlines"}, Hours: 4,
			DeliveryMode: domain.DeliveryOnline, Status: domain.CourseActive}},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []export.Format{export.CSV, export.XLSX} {
		var buf bytes.Buffer
		err := export.Write(&buf, ix, export.KindCourses, f, export.Options{})
		if domain.ErrorField(err) != "format" || !strings.Contains(err.Error(), "courses A-101: objectives[1]") || buf.Len() != 0 {
			t.Errorf("%s: %v after %d bytes, want EINVALID naming A-101's objectives[1] before writing", f, err, buf.Len())
		}
	}
	doc := decode(t, write(t, ix, export.KindCourses, export.JSON, export.Options{}))
	if got := canonical(t, doc["courses"].([]any)[0].(map[string]any)["objectives"]); got != `["one","two\nlines"]` {
		t.Errorf("JSON objectives %s", got)
	}
}
