package seed

import (
	"cmap/domain"
	"cmap/tabular"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"cmap/diag"
)

// seedsDir is the repository's seeds folder.
const seedsDir = "../seeds"

func loadSeeds(t *testing.T) *Dataset {
	t.Helper()
	ds, err := Load(seedsDir)
	if err != nil {
		t.Fatalf("Load(%s): %v", seedsDir, err)
	}
	return ds
}

func TestLoadSampleSeeds(t *testing.T) {
	ds := loadSeeds(t)

	if got := len(ds.Framework.Competencies); got != 9 {
		t.Errorf("competencies = %d, want 9", got)
	}
	if got := len(ds.Framework.SubCompetencyCodes()); got != 58 {
		t.Errorf("sub-competencies = %d, want 58", got)
	}
	completions := 0
	for _, p := range ds.People {
		completions += len(p.Completions)
	}
	for _, c := range []struct {
		what     string
		got, min int
	}{
		{"courses", len(ds.Courses), 45},
		{"positions", len(ds.Positions), 70},
		{"people", len(ds.People), 320},
		{"completions", completions, 320},
	} {
		if c.got < c.min {
			t.Errorf("%d %s, want at least %d", c.got, c.what, c.min)
		}
	}

	again, err := Load(seedsDir)
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^sample:[0-9a-f]{12}$`).MatchString(ds.Name) || again.Name != ds.Name {
		t.Errorf("names %q and %q: want the same sample:<12 hex digits> from the same files", ds.Name, again.Name)
	}
}

// TestSampleCatalogueIsConsistent checks the properties the sample data
// promises in seeds/README.md, independently of the checks Load makes.
func TestSampleCatalogueIsConsistent(t *testing.T) {
	ds := loadSeeds(t)
	courses := map[string]domain.Course{}
	for _, c := range ds.Courses {
		courses[c.Code] = c
	}
	tierOf := func(code string) byte { return code[strings.IndexByte(code, '-')+1] }

	retired := 0
	replacedBy := regexp.MustCompile(`replaced by ([A-Z]{3}-[0-9]{3})(?: \([^)]*\))?(?: and ([A-Z]{3}-[0-9]{3}))?`)
	for _, c := range ds.Courses {
		for _, p := range c.Prerequisites {
			pc, ok := courses[p]
			if !ok {
				t.Errorf("%s: prerequisite %s is not a course", c.Code, p)
			} else if tierOf(pc.Code) > tierOf(c.Code) {
				t.Errorf("%s: prerequisite %s is of a higher tier", c.Code, p)
			}
		}
		if n := len(c.Objectives); n < 4 || n > 8 {
			t.Errorf("%s has %d objectives, want 4 to 8", c.Code, n)
		}
		if c.Hours < 8 || c.Hours > 120 {
			t.Errorf("%s has %g hours, want 8 to 120", c.Code, c.Hours)
		}
		if c.Active() {
			continue
		}
		retired++
		m := replacedBy.FindStringSubmatch(c.Description)
		if m == nil {
			t.Errorf("retired %s: description names no replacement", c.Code)
			continue
		}
		for _, r := range m[1:] {
			if rc, ok := courses[r]; r != "" && (!ok || !rc.Active()) {
				t.Errorf("retired %s: replacement %s is not an active course", c.Code, r)
			}
		}
	}
	if retired == 0 {
		t.Error("no retired course in the sample")
	}

	positions := map[string]bool{}
	key := 0
	for _, p := range ds.Positions {
		positions[p.ID] = true
		if p.KeyBillet {
			key++
		}
	}
	if share := float64(key) / float64(len(ds.Positions)); share < 0.15 || share > 0.35 {
		t.Errorf("key billets are %.0f%% of positions, want about a quarter", share*100)
	}

	first, last := time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	unassigned, none := 0, 0
	for _, p := range ds.People {
		if p.PositionID == "" {
			unassigned++
		} else if !positions[p.PositionID] {
			t.Errorf("%s holds unknown position %s", p.ID, p.PositionID)
		}
		if len(p.Completions) == 0 {
			none++
		}
		done := map[string]time.Time{}
		for _, c := range p.Completions {
			course, ok := courses[c.CourseCode]
			if !ok {
				t.Errorf("%s completed unknown course %s", p.ID, c.CourseCode)
				continue
			}
			if c.Completed.Before(first) || !c.Completed.Before(last) {
				t.Errorf("%s completed %s on %s, outside 2015 to October 2026", p.ID, c.CourseCode, c.Completed.Format(time.DateOnly))
			}
			for _, pre := range course.Prerequisites {
				if d, ok := done[pre]; !ok || !d.Before(c.Completed) {
					t.Errorf("%s completed %s on %s without its prerequisite %s before it",
						p.ID, c.CourseCode, c.Completed.Format(time.DateOnly), pre)
				}
			}
			if _, ok := done[c.CourseCode]; !ok {
				done[c.CourseCode] = c.Completed
			}
		}
	}
	if unassigned == 0 || unassigned > len(ds.People)/10 {
		t.Errorf("%d people hold no position, want a few", unassigned)
	}
	if none == 0 || none > len(ds.People)/5 {
		t.Errorf("%d people completed nothing, want some but not many", none)
	}
}

func TestLoadReadsEveryField(t *testing.T) {
	ds, err := Load("testdata/valid")
	if err != nil {
		t.Fatal(err)
	}
	day := func(s string) time.Time {
		d, err := time.Parse(time.DateOnly, s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	if ds.Framework.Name != "Tiny" || !slices.Equal(ds.Framework.SubCompetencyCodes(), []string{"1.A", "1.B"}) {
		t.Errorf("framework = %+v", ds.Framework)
	}
	wantCourses := []domain.Course{
		{Code: "TST-100", Title: "Legacy Basics", Description: "Replaced by TST-101.",
			Objectives: []string{"Describe the sales process."}, Topics: []string{"foreign military sales"},
			Hours: 16, DeliveryMode: "resident", Provider: "Test School", Status: "retired", Prerequisites: []string{}},
		{Code: "TST-101", Title: "Basics", Description: "First course.",
			Objectives: []string{"Prepare Price and Availability estimates."}, Topics: []string{"price and availability"},
			Hours: 8, DeliveryMode: "online", Provider: "Test School", Status: "active", Prerequisites: []string{}},
		{Code: "TST-201", Title: "Case Closure", Description: "Second course.",
			Objectives: []string{"Conduct case closure.", "Reconcile case records."}, Topics: []string{"case closure"},
			Hours: 40.5, DeliveryMode: "blended", Provider: "Test School", Status: "active", Prerequisites: []string{"TST-101"}},
	}
	if !reflect.DeepEqual(ds.Courses, wantCourses) {
		t.Errorf("courses:\n got %+v\nwant %+v", ds.Courses, wantCourses)
	}
	// positions.csv starts with a byte order mark and orders its columns
	// differently from the sample.
	wantPositions := []domain.Position{
		{ID: "POS-1", Title: "Chief, Test Office", Organization: "ODC Test", Grade: "O-6", Category: "SCO", KeyBillet: true, Region: "EUCOM"},
		{ID: "POS-2", Title: "Case Manager", Organization: "USASAC", Grade: "GS-12", Category: "IA", KeyBillet: false, Region: "CONUS"},
	}
	if !reflect.DeepEqual(ds.Positions, wantPositions) {
		t.Errorf("positions:\n got %+v\nwant %+v", ds.Positions, wantPositions)
	}
	// Completions are folded into their people and ordered by date.
	wantPeople := []domain.Person{
		{ID: "P-1", Name: "Ann Smith", PositionID: "POS-1", Completions: []domain.Completion{
			{CourseCode: "TST-100", Completed: day("2016-05-06")},
			{CourseCode: "TST-101", Completed: day("2020-01-02")},
			{CourseCode: "TST-201", Completed: day("2021-03-04")},
		}},
		{ID: "P-2", Name: "Bob Jones", PositionID: "POS-2", Completions: []domain.Completion{
			{CourseCode: "TST-100", Completed: day("2016-05-06")},
		}},
		{ID: "P-3", Name: "Cy Young"},
	}
	if !reflect.DeepEqual(ds.People, wantPeople) {
		t.Errorf("people:\n got %+v\nwant %+v", ds.People, wantPeople)
	}
}

func TestLoadReportsEveryProblem(t *testing.T) {
	tests := []struct {
		dir  string
		want []string
	}{
		{"testdata/badcsv", []string{
			`testdata/badcsv/completions.csv:3:1: duplicate completion P-1 TST-101 2020-01-02 (first defined on line 2)`,
			`testdata/badcsv/completions.csv:4:5: course_code: course TST-999 is not in courses.yaml`,
			`testdata/badcsv/completions.csv:5:1: person_id: person P-7 is not in people.csv`,
			`testdata/badcsv/completions.csv:6:13: completed: "02/03/2021" is not a date (YYYY-MM-DD)`,
			`testdata/badcsv/completions.csv:7:13: completed: completion date 2099-01-01 is in the future`,
			`testdata/badcsv/completions.csv:9:5: course_code: "tst#101" is not a course code (1 to 32 of A-Z a-z 0-9 - _ . / and space; first a letter or digit, last not a space: SCO-201, MGT 101)`,
			`testdata/badcsv/people.csv:3:5: name: name is empty`,
			`testdata/badcsv/people.csv:4:15: position_id: position POS-9 is not in positions.csv`,
			`testdata/badcsv/people.csv:6:1: duplicate person P-1 (first defined on line 2)`,
			`testdata/badcsv/positions.csv:2:22: grade: "MAJ" is not a grade (a pay plan (GS, O, E, W, SES, GG or NH), a dash and a 1- or 2-digit number: GS-13, O-5)`,
			`testdata/badcsv/positions.csv:3:32: key_billet: "maybe" is not true or false`,
			`testdata/badcsv/positions.csv:4: the row has 6 fields, the header 7`,
			`testdata/badcsv/positions.csv:6:1: duplicate position POS-4 (first defined on line 5)`,
		}},
		{"testdata/badyaml", []string{
			`testdata/badyaml/completions.csv:4:5: course_code: course TST-500 is not in courses.yaml`,
			`testdata/badyaml/courses.yaml:7:5: course TST-101: unknown field "prerequisite"`,
			`testdata/badyaml/courses.yaml:10:12: course TST-201: hours: want a number, not "ten"`,
			`testdata/badyaml/courses.yaml:15:19: course TST-202: deliveryMode: delivery mode "classroom" is not one of resident, online, blended`,
			`testdata/badyaml/courses.yaml:21:30: course TST-203: prerequisite TST-999 is not a course in courses.yaml`,
			`testdata/badyaml/courses.yaml:22:11: duplicate course TST-203 (first defined on line 17)`,
			`testdata/badyaml/courses.yaml:26:11: prerequisites form a cycle: TST-301 -> TST-302 -> TST-301`,
			`testdata/badyaml/courses.yaml:37:12: course TST-401: title: title is empty`,
			`testdata/badyaml/courses.yaml:43:17: course TST-402: objectives: want a list of strings, not "Just one."`,
			`testdata/badyaml/courses.yaml:46:5: a course must be a mapping of fields (code, title, ...)`,
			`testdata/badyaml/courses.yaml:48:12: course TST-403: title: want a string, not a list`,
		}},
		{"testdata/syntax", []string{
			`testdata/syntax/completions.csv:1: the file is empty; want the header person_id,course_code,completed`,
			`testdata/syntax/courses.yaml:4:5: ',' or ']' must be specified`,
			`testdata/syntax/people.csv:1: missing column "name"; the columns are id,name,position_id`,
			`testdata/syntax/people.csv:1:4: unknown column "full_name"; the columns are id,name,position_id`,
			`testdata/syntax/people.csv:1:26: duplicate column "id"`,
			`testdata/syntax/positions.csv:2:47: extraneous or missing " in quoted-field`,
		}},
		// A file that could not be read in full defines records no one
		// can know: references to them are not reported, the one error
		// of the file is (and a reference into a complete file still is).
		{"testdata/cascade", []string{
			`testdata/cascade/completions.csv:3:1: person_id: person P-9 is not in people.csv`,
			`testdata/cascade/courses.yaml:4:5: ',' or ']' must be specified`,
			`testdata/cascade/positions.csv:4:42: extraneous or missing " in quoted-field`,
		}},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.dir), func(t *testing.T) {
			ds, err := Load(tt.dir)
			if ds != nil {
				t.Errorf("Load returned a dataset despite errors")
			}
			checkDiagnostics(t, err, tt.want)
		})
	}
}

// checkDiagnostics checks that err is a diag.List whose lines are want.
func checkDiagnostics(t *testing.T, err error, want []string) {
	t.Helper()
	if diag.AsList(err) == nil {
		t.Fatalf("error %v (%T) carries no diagnostics", err, err)
	}
	if got := strings.Split(err.Error(), "\n"); !slices.Equal(got, want) {
		t.Errorf("diagnostics:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// writeDir makes a seeds folder in a temporary directory from the files of
// testdata/valid with some replaced (an empty content removes the file),
// and returns its path.
func writeDir(t *testing.T, replace map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	entries, err := os.ReadDir("testdata/valid")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join("testdata/valid", e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for name, content := range replace {
		path := filepath.Join(dir, name)
		if content == "" {
			if err := os.Remove(path); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestLoadCoursesFileShape(t *testing.T) {
	tests := []struct {
		name, courses string
		want          string
	}{
		{"unknown top-level field", "courses: []\ncourse: []\n", `courses.yaml:2:1: unknown field "course" (the file holds one field, courses)`},
		{"list at the top", "- code: TST-101\n", `courses.yaml:1:1: want a mapping with the key courses`},
		{"no courses field", "other: 1\n", `courses.yaml:1:1: missing field courses` + "\n" +
			`courses.yaml:1:1: unknown field "other" (the file holds one field, courses)`},
		{"courses not a list", "courses: 3\n", `courses.yaml:1:10: courses must be a list of courses`},
		{"comments only", "# nothing yet\n", `courses.yaml:1: the file is empty; want a mapping with the key courses`},
		{"two documents", "courses: []\n---\ncourses: []\n", `courses.yaml:2:1: courses.yaml holds one YAML document, this is the second`},
		{"duplicate key", "courses: []\ncourses: []\n", `courses.yaml:2:1: mapping key "courses" already defined at [1:1]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeDir(t, map[string]string{
				CoursesFile:     tt.courses,
				CompletionsFile: "person_id,course_code,completed\n",
			})
			_, err := Load(dir)
			want := strings.Split(tt.want, "\n")
			for i := range want {
				want[i] = filepath.Join(dir, want[i])
			}
			checkDiagnostics(t, err, want)
		})
	}
}

func TestLoadMissingFiles(t *testing.T) {
	dir := writeDir(t, map[string]string{CoursesFile: "", PeopleFile: ""})
	_, err := Load(dir)
	checkDiagnostics(t, err, []string{
		filepath.Join(dir, CoursesFile) + ": file not found",
		filepath.Join(dir, PeopleFile) + ": file not found",
	})

	empty := t.TempDir()
	_, err = Load(empty)
	if err == nil || !strings.Contains(err.Error(), "no file matching *competency-model.*") {
		t.Errorf("Load of an empty folder: %v, want an error about the missing competency model", err)
	}

	// No folder at all is one problem, not one per file.
	missing := filepath.Join(empty, "seeds")
	_, err = Load(missing)
	checkDiagnostics(t, err, []string{missing + ": folder not found: the seeds folder holds the competency model and " +
		"courses.yaml, positions.csv, people.csv and completions.csv"})
	_, err = Load(filepath.Join(dir, PositionsFile))
	checkDiagnostics(t, err, []string{filepath.Join(dir, PositionsFile) + ": not a folder: the seeds folder holds the competency model and " +
		"courses.yaml, positions.csv, people.csv and completions.csv"})
}

func TestLoadNameFollowsContent(t *testing.T) {
	a, err := Load(writeDir(t, nil))
	if err != nil {
		t.Fatal(err)
	}
	people, err := os.ReadFile("testdata/valid/people.csv")
	if err != nil {
		t.Fatal(err)
	}
	b, err := Load(writeDir(t, map[string]string{PeopleFile: string(people) + "P-4,Dee Lopez,POS-2\n"}))
	if err != nil {
		t.Fatal(err)
	}
	c, err := Load("testdata/valid")
	if err != nil {
		t.Fatal(err)
	}
	if a.Name == b.Name {
		t.Errorf("different people.csv, same name %s", a.Name)
	}
	if a.Name != c.Name {
		t.Errorf("same files in two folders: names %s and %s", a.Name, c.Name)
	}
}

// A people.csv whose names a CSV export neutralized loads with the names
// as they were.
func TestLoadRestoresNeutralizedCells(t *testing.T) {
	names := []string{"=HYPERLINK(\"http://example.invalid\")", "-1", "'=quoted already", "O'Brien"}
	var b strings.Builder
	w := csv.NewWriter(&b)
	_ = w.Write(tabular.PersonColumns)
	for i, n := range names {
		_ = w.Write([]string{fmt.Sprintf("P-%d", i+1), tabular.NeutralizeCell(n), ""})
	}
	w.Flush()
	dir := writeDir(t, map[string]string{PeopleFile: b.String(), CompletionsFile: strings.Join(tabular.CompletionColumns, ",") + "\n"})
	ds, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range ds.People {
		got = append(got, p.Name)
	}
	if !slices.Equal(got, names) {
		t.Errorf("names = %q, want %q", got, names)
	}
}
