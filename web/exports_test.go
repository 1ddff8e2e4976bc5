package web_test

import (
	"cmap/domain"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"cmap/analysis"
	"cmap/engine"
	"cmap/export"
	"cmap/web"
)

// exportIndex is a small model: 1.A covered at Basic by A-101 (active),
// 1.B at Expert by R-900 (retired), 2.A by nothing; nobody holds a
// position, so both people are ready.
func exportIndex(t *testing.T) *analysis.Index {
	t.Helper()
	ix, err := analysis.Build(analysis.Snapshot{
		Framework: &domain.Framework{Name: "Test", Competencies: []domain.Competency{
			{Code: "1.0", Title: "One", SubCompetencies: []domain.SubCompetency{{Code: "1.A", Statement: "First"}, {Code: "1.B", Statement: "Second"}}},
			{Code: "2.0", Title: "Two", SubCompetencies: []domain.SubCompetency{{Code: "2.A", Statement: "Third"}}},
		}},
		Scale: domain.DefaultScale(),
		Courses: []*domain.Course{
			{Code: "A-101", Title: "Intro", Hours: 4, DeliveryMode: domain.DeliveryOnline, Status: domain.CourseActive},
			{Code: "R-900", Title: "Old", Hours: 4, DeliveryMode: domain.DeliveryOnline, Status: domain.CourseRetired},
		},
		Coverage: map[string][]domain.Coverage{
			"A-101": {{Course: "A-101", SubCompetency: "1.A", Level: "Basic"}},
			"R-900": {{Course: "R-900", SubCompetency: "1.B", Level: "Expert"}},
		},
		People: []*domain.Person{{ID: "P-2", Name: "Bea"}, {ID: "P-1", Name: "Al"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return ix
}

// exportsOf is the exports handler of ix, without rules.
func exportsOf(ix *analysis.Index) http.Handler {
	return web.Exports(func() (*analysis.Index, export.RuleSet) { return ix, nil })
}

// admin holds every role.
var admin = &domain.Principal{ID: "key:admin", Name: "admin", Roles: []domain.Role{domain.RoleAdmin}}

// get sends a request made by admin.
func get(t *testing.T, h http.Handler, method, target string) *httptest.ResponseRecorder {
	t.Helper()
	return getAs(t, admin, h, method, target)
}

// getAs sends a request made by p (nil: without credentials).
func getAs(t *testing.T, p *domain.Principal, h http.Handler, method, target string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(method, target, nil)
	if p != nil {
		req = req.WithContext(domain.WithPrincipal(req.Context(), p))
	}
	h.ServeHTTP(rec, req)
	return rec
}

func TestExportsNeedTheirRoles(t *testing.T) {
	ix := exportIndex(t)
	h := exportsOf(ix)
	viewer := &domain.Principal{ID: "key:v", Name: "portal", Roles: []domain.Role{domain.RoleViewer, domain.RoleEditor}}
	personnel := &domain.Principal{ID: "key:p", Name: "hr", Roles: []domain.Role{domain.RolePersonnel}}
	nobody := &domain.Principal{ID: "jwt:n", Name: "Nobody"}
	for _, kind := range export.Kinds {
		if _, ok := web.ExportRoles[kind]; !ok {
			t.Errorf("export %s has no role", kind)
		}
	}
	for _, tc := range []struct {
		who    *domain.Principal
		target string
		status int
	}{
		{nil, "/export/coverage.csv", http.StatusUnauthorized},
		{nil, "/export/readiness.json", http.StatusUnauthorized},
		{nobody, "/export/gaps.csv", http.StatusForbidden},
		{viewer, "/export/coverage.csv", http.StatusOK},
		{viewer, "/export/gaps.json", http.StatusOK},
		{viewer, "/export/readiness.csv", http.StatusForbidden},
		{viewer, "/export/readiness.json", http.StatusForbidden},
		{personnel, "/export/readiness.csv", http.StatusOK},
		{personnel, "/export/coverage.json", http.StatusOK},
		{viewer, "/export/demand.xlsx", http.StatusOK},
		{viewer, "/export/courses.xlsx", http.StatusOK},
		{viewer, "/export/positions.csv", http.StatusOK},
		{viewer, "/export/people.csv", http.StatusForbidden},
		{viewer, "/export/completions.json", http.StatusForbidden},
		{viewer, "/export/catalogue.xlsx", http.StatusForbidden},
		{nil, "/export/people.xlsx", http.StatusUnauthorized},
		{personnel, "/export/people.csv", http.StatusOK},
		{personnel, "/export/catalogue.xlsx", http.StatusOK},
		{personnel, "/export/readiness.xlsx", http.StatusOK},
		{nil, "/export/nothing.csv", http.StatusNotFound},
	} {
		rec := getAs(t, tc.who, h, http.MethodGet, tc.target)
		if rec.Code != tc.status {
			t.Errorf("%s as %v: %d %s, want %d", tc.target, tc.who, rec.Code, rec.Body, tc.status)
		}
		if tc.status == http.StatusUnauthorized && rec.Header().Get("WWW-Authenticate") != `Bearer realm="cmap"` {
			t.Errorf("%s without credentials: WWW-Authenticate %q", tc.target, rec.Header().Get("WWW-Authenticate"))
		}
		if tc.status != http.StatusOK && (strings.Contains(rec.Body.String(), "1.A") || strings.Contains(rec.Body.String(), "P-1")) {
			t.Errorf("%s as %v: a refusal shows data: %s", tc.target, tc.who, rec.Body)
		}
	}
}

func TestExportsCSV(t *testing.T) {
	ix := exportIndex(t)
	h := exportsOf(ix)
	for _, tc := range []struct {
		target string
		want   [][]string
	}{
		{"/export/coverage.csv", [][]string{
			{"subCompetency", "competency", "statement", "A-101", "Basic courses", "Intermediate courses", "Advanced courses", "Expert courses", "highest"},
			{"1.A", "1.0", "First", "Basic", "1", "0", "0", "0", "Basic"},
			{"1.B", "1.0", "Second", "", "0", "0", "0", "0", ""},
			{"2.A", "2.0", "Third", "", "0", "0", "0", "0", ""},
		}},
		{"/export/coverage.csv?status=retired&minLevel=advanced", [][]string{
			{"subCompetency", "competency", "statement", "R-900", "Basic courses", "Intermediate courses", "Advanced courses", "Expert courses", "highest"},
			{"1.A", "1.0", "First", "", "0", "0", "0", "0", ""},
			{"1.B", "1.0", "Second", "Expert", "0", "0", "0", "1", "Expert"},
			{"2.A", "2.0", "Third", "", "0", "0", "0", "0", ""},
		}},
		{"/export/gaps.csv?minLevel=Intermediate", [][]string{
			{"kind", "level", "subCompetency", "competency", "highest", "courses", "course"},
			{"uncovered", "Intermediate", "1.A", "1.0", "Basic", "0", ""},
			{"uncovered", "Intermediate", "1.B", "1.0", "", "0", ""},
			{"uncovered", "Intermediate", "2.A", "2.0", "", "0", ""},
		}},
		// Without minLevel: every level (the fixture's 1.A reaches Basic).
		{"/export/gaps.csv?overServedAbove=1", [][]string{
			{"kind", "level", "subCompetency", "competency", "highest", "courses", "course"},
			{"uncovered", "Basic", "1.B", "1.0", "", "0", ""},
			{"uncovered", "Basic", "2.A", "2.0", "", "0", ""},
			{"uncovered", "Intermediate", "1.A", "1.0", "Basic", "0", ""},
			{"uncovered", "Intermediate", "1.B", "1.0", "", "0", ""},
			{"uncovered", "Intermediate", "2.A", "2.0", "", "0", ""},
			{"uncovered", "Advanced", "1.A", "1.0", "Basic", "0", ""},
			{"uncovered", "Advanced", "1.B", "1.0", "", "0", ""},
			{"uncovered", "Advanced", "2.A", "2.0", "", "0", ""},
			{"uncovered", "Expert", "1.A", "1.0", "Basic", "0", ""},
			{"uncovered", "Expert", "1.B", "1.0", "", "0", ""},
			{"uncovered", "Expert", "2.A", "2.0", "", "0", ""},
		}},
		{"/export/readiness.csv", [][]string{
			{"id", "name", "position", "organization", "hasPosition", "ready", "requirements", "gapCount", "gaps"},
			{"P-1", "Al", "", "", "false", "true", "0", "0", ""},
			{"P-2", "Bea", "", "", "false", "true", "0", "0", ""},
		}},
	} {
		rec := get(t, h, http.MethodGet, tc.target)
		if rec.Code != http.StatusOK {
			t.Errorf("GET %s: %d %s", tc.target, rec.Code, rec.Body)
			continue
		}
		if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
			t.Errorf("GET %s: Content-Type %q", tc.target, ct)
		}
		if cd := rec.Header().Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment; filename=\"cmap-") {
			t.Errorf("GET %s: Content-Disposition %q", tc.target, cd)
		}
		got, err := csv.NewReader(rec.Body).ReadAll()
		if err != nil {
			t.Errorf("GET %s: not a well-formed table: %v", tc.target, err)
			continue
		}
		if !slices.EqualFunc(got, tc.want, slices.Equal) {
			t.Errorf("GET %s =\n%q,\nwant\n%q", tc.target, got, tc.want)
		}
	}
}

func TestExportsJSON(t *testing.T) {
	ix := exportIndex(t)
	h := exportsOf(ix)
	rec := get(t, h, http.MethodGet, "/export/gaps.json?minLevel=Basic")
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "application/json" {
		t.Fatalf("GET gaps.json: %d %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	var doc struct {
		Level           string
		Uncovered       []struct{ SubCompetency string }
		CoveringNothing []string
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	var uncovered []string
	for _, u := range doc.Uncovered {
		uncovered = append(uncovered, u.SubCompetency)
	}
	if doc.Level != "Basic" || !slices.Equal(uncovered, []string{"1.B", "2.A"}) || len(doc.CoveringNothing) != 0 {
		t.Errorf("gaps.json = %s", rec.Body)
	}
	for _, target := range []string{"/export/coverage.json", "/export/readiness.json"} {
		rec := get(t, h, http.MethodGet, target)
		if rec.Code != http.StatusOK || !json.Valid(rec.Body.Bytes()) {
			t.Errorf("GET %s: %d, valid JSON %v", target, rec.Code, json.Valid(rec.Body.Bytes()))
		}
	}
}

func TestExportsErrors(t *testing.T) {
	ix := exportIndex(t)
	h := exportsOf(ix)
	for _, tc := range []struct {
		method, target string
		status         int
		says           string
	}{
		{http.MethodGet, "/export/gaps.csv?minLevel=Master", http.StatusBadRequest, "minLevel"},
		{http.MethodGet, "/export/coverage.csv?status=draft", http.StatusBadRequest, "status"},
		{http.MethodGet, "/export/gaps.csv?overServedAbove=0", http.StatusBadRequest, "overServedAbove"},
		{http.MethodGet, "/export/gaps.json?overServedAbove=many", http.StatusBadRequest, "overServedAbove"},
		{http.MethodGet, "/export/matrix.csv", http.StatusNotFound, "coverage.csv"},
		{http.MethodGet, "/export/coverage.ods", http.StatusNotFound, "coverage.xlsx"},
		{http.MethodGet, "/export/catalogue.csv", http.StatusNotFound, "catalogue.xlsx, catalogue.json,"},
		{http.MethodGet, "/export/coverage.CSV", http.StatusNotFound, "coverage.csv"},
		{http.MethodGet, "/export/coverage", http.StatusNotFound, "coverage.csv"},
		{http.MethodPost, "/export/coverage.csv", http.StatusMethodNotAllowed, "not allowed"},
	} {
		rec := get(t, h, tc.method, tc.target)
		if rec.Code != tc.status || !strings.Contains(rec.Body.String(), tc.says) {
			t.Errorf("%s %s: %d %q, want %d naming %q", tc.method, tc.target, rec.Code, rec.Body, tc.status, tc.says)
		}
	}
	if rec := get(t, h, http.MethodHead, "/export/coverage.csv"); rec.Code != http.StatusOK || rec.Body.Len() != 0 {
		t.Errorf("HEAD coverage.csv: %d with %d bytes", rec.Code, rec.Body.Len())
	}
}

// TestReadinessCSVHasNoLiveFormula: a person named like a formula is
// exported into readiness.csv as text, a quote before it.
func TestReadinessCSVHasNoLiveFormula(t *testing.T) {
	ix, err := analysis.Build(analysis.Snapshot{
		Framework: &domain.Framework{Name: "Test", Competencies: []domain.Competency{
			{Code: "1.0", Title: "One", SubCompetencies: []domain.SubCompetency{{Code: "1.A", Statement: "First"}}}}},
		Scale:  domain.DefaultScale(),
		People: []*domain.Person{{ID: "P-1", Name: `=HYPERLINK("http://evil.example","Click")`}},
	})
	if err != nil {
		t.Fatal(err)
	}
	rec := get(t, exportsOf(ix), http.MethodGet, "/export/readiness.csv")
	rows, err := csv.NewReader(rec.Body).ReadAll()
	if err != nil || len(rows) != 2 {
		t.Fatalf("readiness.csv: %v %q", err, rows)
	}
	if got := rows[1][1]; got != `'=HYPERLINK("http://evil.example","Click")` {
		t.Errorf("name cell %q, want the formula behind a quote", got)
	}
}

// The workbooks come as attachments of the spreadsheet media type, hold
// the answers, no formula, and a legend that names the rules of the
// generation the request read and when it was made.
func TestExportsXLSX(t *testing.T) {
	ix := exportIndex(t)
	rules, err := engine.LoadRuleSet(t.TempDir(), ix.Framework())
	if err != nil {
		t.Fatal(err)
	}
	h := web.Exports(func() (*analysis.Index, export.RuleSet) { return ix, rules })
	before := time.Now().UTC().Truncate(time.Second)
	for _, tc := range []struct {
		kind   string
		sheets []string
	}{
		{"coverage", []string{"Coverage", "Courses", "Legend"}},
		{"gaps", []string{"Gaps", "Legend"}},
		{"demand", []string{"Demand", "Legend"}},
		{"readiness", []string{"Readiness", "Legend"}},
		{"courses", []string{"courses"}},
		{"catalogue", []string{"courses", "positions", "people", "completions"}},
	} {
		rec := get(t, h, http.MethodGet, "/export/"+tc.kind+".xlsx")
		if rec.Code != http.StatusOK {
			t.Fatalf("GET %s.xlsx: %d %s", tc.kind, rec.Code, rec.Body)
		}
		if ct := rec.Header().Get("Content-Type"); ct != export.XLSX.ContentType() {
			t.Errorf("%s.xlsx: Content-Type %q", tc.kind, ct)
		}
		if cd, want := rec.Header().Get("Content-Disposition"), `attachment; filename="cmap-`+tc.kind+`.xlsx"`; cd != want {
			t.Errorf("%s.xlsx: Content-Disposition %q, want %q", tc.kind, cd, want)
		}
		f, err := excelize.OpenReader(rec.Body)
		if err != nil {
			t.Fatalf("%s.xlsx does not open: %v", tc.kind, err)
		}
		if got := f.GetSheetList(); !slices.Equal(got, tc.sheets) {
			t.Errorf("%s.xlsx: sheets %q, want %q", tc.kind, got, tc.sheets)
		}
		if !slices.Contains(tc.sheets, "Legend") {
			continue
		}
		legend, _ := f.GetRows("Legend")
		said := map[string]string{}
		for _, row := range legend {
			if len(row) == 2 {
				said[row[0]] = row[1]
			}
		}
		made, err := time.Parse(time.RFC3339, said["Made"])
		if err != nil || made.Before(before) || made.After(time.Now()) {
			t.Errorf("%s.xlsx: the legend says it was made %q, want the time of the request", tc.kind, said["Made"])
		}
		if !strings.Contains(said["Rules"], "revision "+rules.Revision()) {
			t.Errorf("%s.xlsx: the legend says the rules are %q, want revision %s", tc.kind, said["Rules"], rules.Revision())
		}
	}
}

// The demand export holds the index's demand, one row per sub-competency
// and level.
func TestExportsDemandCSV(t *testing.T) {
	ix := exportIndex(t)
	rec := get(t, exportsOf(ix), http.MethodGet, "/export/demand.csv")
	rows, err := csv.NewReader(rec.Body).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"subCompetency", "competency", "level", "exactly", "atLeast", "meetable", "blocking", "highest"}}
	for _, d := range ix.Demand() {
		for _, l := range d.Levels {
			want = append(want, []string{d.SubCompetency, d.Competency, l.Level, strconv.Itoa(l.Exactly), strconv.Itoa(l.AtLeast),
				strconv.FormatBool(l.Meetable), strconv.FormatBool(l.Blocking), d.Highest})
		}
	}
	if !slices.EqualFunc(rows, want, slices.Equal) {
		t.Errorf("demand.csv =\n%q,\nwant\n%q", rows, want)
	}
}
