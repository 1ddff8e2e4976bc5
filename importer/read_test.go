package importer_test

import (
	"bytes"
	"cmap/domain"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"cmap/importer"
)

// plan reads files and plans them against stored with the given maps.
func plan(t *testing.T, stored importer.Stored, maps []string, files ...importer.File) *importer.Plan {
	t.Helper()
	m, err := importer.ParseMap(maps)
	if err != nil {
		t.Fatal(err)
	}
	b, diags := importer.Read(files, importer.Options{Map: m})
	if len(diags) > 0 {
		t.Fatalf("reading: %v", diags)
	}
	return importer.MakePlan(b, stored, importer.PlanOptions{})
}

// rejections returns the plan's rejections, one per line.
func rejections(p *importer.Plan) string {
	var lines []string
	for _, d := range p.Rejections {
		lines = append(lines, d.Error())
	}
	return strings.Join(lines, "\n")
}

func catalogue() importer.Stored {
	return importer.Stored{
		Courses: []*domain.Course{{Code: "SCO-101", Title: "Basics", DeliveryMode: domain.DeliveryOnline, Status: domain.CourseActive, Version: 3}},
		Positions: []*domain.Position{{ID: "POS-1", Title: "Officer", Organization: "ODC Poland", Grade: "GS-13",
			Category: "SCO", Region: "EUCOM", Version: 2}},
		People: []*domain.Person{{ID: "P-1", Name: "Ann Lee", PositionID: "POS-1", Version: 5,
			Completions: []domain.Completion{{CourseCode: "SCO-101", Completed: time.Date(2021, 3, 4, 0, 0, 0, 0, time.UTC)}}}},
	}
}

// TestHeadersMatchLoosely checks that headers match whatever their case,
// spaces, underscores or camelCase, and that --map renames and drops
// columns.
func TestHeadersMatchLoosely(t *testing.T) {
	csv := "Person ID,Course Number,Date Completed,Notes\n" +
		"P-1,SCO-101,2021-03-04,first\n" +
		"P-1,SCO-101,4/17/2023,again\n"
	p := plan(t, catalogue(), []string{"Course Number=course_code", "date completed=completed", "Notes=-"},
		importer.File{Name: "training.csv", Data: []byte(csv)})
	if got := rejections(p); got != "" {
		t.Fatalf("rejections:\n%s", got)
	}
	if want := (importer.Counts{Created: 1, Unchanged: 1}); p.Completions != want {
		t.Errorf("completions %+v, want %+v", p.Completions, want)
	}
	if len(p.Ops) != 1 || p.Ops[0].Op != domain.OpUpdate || p.Ops[0].Version != 5 || len(p.Ops[0].Person.Completions) != 2 ||
		!p.Ops[0].Person.Completions[1].Completed.Equal(time.Date(2023, 4, 17, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("ops: %+v", p.Ops)
	}

	for _, h := range []string{"position_id", "Position ID", "positionId", "POSITION-ID"} {
		p := plan(t, catalogue(), nil, importer.File{Name: "people.csv", Data: []byte("ID,Name," + h + "\nP-1,Ann Lee,POS-1\n")})
		if p.People.Unchanged != 1 || p.Changed() {
			t.Errorf("header %q: %+v, %d ops", h, p.People, len(p.Ops))
		}
	}
}

// TestUnknownColumnsAreReported checks that a column no layout has is
// reported at its header cell with the way out.
func TestUnknownColumnsAreReported(t *testing.T) {
	_, diags := importer.Read([]importer.File{{Name: "courses.csv", Data: []byte("code,Course Name\nSCO-1,x\n")}}, importer.Options{})
	want := `courses.csv:1:6: unknown column "Course Name"; the courses columns are code,title,description,objectives,topics,hours,deliveryMode,provider,status,prerequisites (map another name with --map 'Course Name=column', or leave it out with --map 'Course Name=-')`
	if len(diags) != 1 || diags[0].Error() != want {
		t.Errorf("got %v\nwant %s", diags, want)
	}
}

// TestEveryProblemIsLocated checks that every problem of every row is
// reported at its cell, in one pass, and that nothing is planned.
func TestEveryProblemIsLocated(t *testing.T) {
	courses := "code,title,deliveryMode,status,hours,prerequisites\n" +
		"T-100,Intro,online,active,8,\n" + // fine: a code as real catalogues write them
		"MGT 101,Management,by pigeon,active,8,\n" +
		"SCO#1,Bad code,online,active,8,\n" +
		"ACQ/201,Acquisition,online,active,eight,\n" +
		"ACQ/301,Advanced,online,active,8,ACQ/999\n"
	positions := "id,title,organization,grade,category,key_billet,region\n" +
		"POS-2,Chief,OSC Japan,13,SCO,maybe,INDOPACOM\n"
	people := "id,name,position_id\n" +
		"P-2,Bo Chen,POS-404\n"
	p := plan(t, catalogue(), nil, importer.File{Name: "courses.csv", Data: []byte(courses)},
		importer.File{Name: "positions.csv", Data: []byte(positions)}, importer.File{Name: "people.csv", Data: []byte(people)})
	want := strings.Join([]string{
		`courses.csv:3:20: deliveryMode: delivery mode "by pigeon" is not one of resident, online, blended`,
		`courses.csv:4:1: code: "SCO#1" is not a course code (1 to 32 of A-Z a-z 0-9 - _ . / and space; first a letter or digit, last not a space: SCO-201, MGT 101)`,
		`courses.csv:5:35: hours: "eight" is not a number`,
		`courses.csv:6:34: prerequisites: course ACQ/999 does not exist (it is neither stored nor in the import)`,
		`people.csv:2:13: position_id: position POS-404 does not exist (it is neither stored nor in the import)`,
		`positions.csv:2:23: grade: "13" is not a grade (a pay plan (GS, O, E, W, SES, GG or NH), a dash and a 1- or 2-digit number: GS-13, O-5); a bare number needs its pay plan: GS-13`,
		`positions.csv:2:30: key_billet: "maybe" is not true or false (yes/no, y/n, 1/0 and x or empty are read too)`,
	}, "\n")
	if got := rejections(p); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if p.Ops != nil || p.Courses.Rejected != 4 || p.Positions.Rejected != 1 || p.People.Rejected != 1 {
		t.Errorf("ops %v, counts %+v %+v %+v", p.Ops, p.Courses, p.Positions, p.People)
	}
}

// TestBareGradeIsRejectedWithItsForm checks a grade written as a number.
func TestBareGradeIsRejectedWithItsForm(t *testing.T) {
	p := plan(t, catalogue(), nil, importer.File{Name: "positions.csv",
		Data: []byte("id,title,organization,grade,category,key_billet,region\nPOS-2,Chief,OSC Japan,13,SCO,yes,INDOPACOM\n")})
	if got := rejections(p); !strings.HasPrefix(got, `positions.csv:2:23: grade: "13" is not a grade (`) || !strings.HasSuffix(got, "a bare number needs its pay plan: GS-13") {
		t.Errorf("got %s", got)
	}
}

// TestWorkbook checks a workbook of several sheets: kinds by sheet name
// and by header, a legend sheet left out, date cells, number cells and
// text cells, and problems located as file:Sheet!B7.
func TestWorkbook(t *testing.T) {
	f := excelize.NewFile()
	must(t, f.SetSheetName("Sheet1", "Billets"))
	for i, row := range [][]any{
		{"ID", "Title", "Organization", "Grade", "Category", "Key Billet", "Region"},
		{"POS-1", "Officer", "ODC Poland", "GS-13", "SCO", false, "EUCOM"},
		{"POS-2", "Chief", "OSC Japan", "GS-14", "SCO", true, "INDOPACOM"},
	} {
		must(t, f.SetSheetRow("Billets", cellName(1, i+1), &row))
	}
	_, err := f.NewSheet("Legend")
	must(t, err)
	must(t, f.SetCellValue("Legend", "A1", "This workbook lists billets and training."))
	_, err = f.NewSheet("Records")
	must(t, err)
	dateStyle, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	must(t, err)
	for i, row := range [][]any{
		{"Employee", "Course", "Completed On"},
		{"P-1", "SCO-101", time.Date(2023, 4, 17, 0, 0, 0, 0, time.UTC)},
		{"P-1", "SCO-101", "2021-03-04"},
		{"P-1", 101, time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC)},
	} {
		must(t, f.SetSheetRow("Records", cellName(1, i+1), &row))
	}
	must(t, f.SetCellStyle("Records", "C2", "C4", dateStyle))
	var buf bytes.Buffer
	must(t, f.Write(&buf))

	p := plan(t, catalogue(), []string{"Employee=person_id", "Course=course_code", "Completed On=completed"},
		importer.File{Name: "book.xlsx", Data: buf.Bytes()})
	want := `book.xlsx:Records!B4: course_code: course 101 does not exist (it is neither stored nor in the import)`
	if got := rejections(p); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if want := (importer.Counts{Unchanged: 1, Created: 1}); p.Positions != want {
		t.Errorf("positions %+v, want %+v", p.Positions, want)
	}
	if want := (importer.Counts{Created: 1, Unchanged: 1, Rejected: 1}); p.Completions != want {
		t.Errorf("completions %+v, want %+v", p.Completions, want)
	}
	if len(p.Ignored) != 1 || !strings.HasPrefix(p.Ignored[0], "book.xlsx:Legend: ") {
		t.Errorf("ignored: %q", p.Ignored)
	}
}

func cellName(col, row int) string {
	name, _ := excelize.CoordinatesToCellName(col, row)
	return name
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestDates checks the written forms of a day that imports read.
func TestDates(t *testing.T) {
	want := time.Date(2023, 4, 17, 0, 0, 0, 0, time.UTC)
	for _, s := range []string{"2023-04-17", "2023-4-17", "2023/04/17", "4/17/2023", "04/17/2023", "17.4.2023", "17-Apr-2023",
		"17 Apr 2023", "Apr 17, 2023", "April 17, 2023", "2023-04-17T15:04:05Z", "2023-04-17 09:30", "45033", "45033.75"} {
		got, err := importer.ParseDate(s, false)
		if err != nil || !got.Equal(want) {
			t.Errorf("%q: %v, %v; want %v", s, got, err, want)
		}
	}
	if got, err := importer.ParseDate("43571", true); err != nil || !got.Equal(want) {
		t.Errorf("1904 serial: %v, %v", got, err)
	}
	for _, s := range []string{"17/04/2023", "2023-02-30", "yesterday", "", "0"} {
		if _, err := importer.ParseDate(s, false); err == nil {
			t.Errorf("%q read as a date", s)
		}
	}
}

// TestStructuredFiles checks JSON and YAML files: a mapping of kinds, and
// a list named by its file, with lists as arrays and positions of values.
func TestStructuredFiles(t *testing.T) {
	js := `{"courses": [{"code": "SCO-101", "title": "Basics", "deliveryMode": "online", "status": "active",
  "objectives": ["Explain the basics."], "hours": 12}],
 "people": [{"id": "P-3", "name": "Cy Diaz", "positionId": "POS-1"}]}`
	yml := "- person_id: P-3\n  course_code: SCO-101\n  completed: 2024-05-06\n- person_id: P-3\n  course_code: SCO-101\n  completed: May 6 2024\n"
	p := plan(t, catalogue(), nil, importer.File{Name: "catalogue.json", Data: []byte(js)}, importer.File{Name: "completions.yaml", Data: []byte(yml)})
	want := `completions.yaml:6:14: completed: "May 6 2024" is not a date: write YYYY-MM-DD (2023-04-17); M/D/YYYY, D.M.YYYY, D-Mon-YYYY, Mon D, YYYY and spreadsheet dates are read too`
	if got := rejections(p); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if p.Courses.Updated != 1 || p.People.Created != 1 || p.Completions.Created != 1 {
		t.Errorf("%+v %+v %+v", p.Courses, p.People, p.Completions)
	}
}
