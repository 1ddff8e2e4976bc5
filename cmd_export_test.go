package main

import (
	"bytes"
	"cmap/domain"
	"cmap/tabular"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"cmap/analysis"
	"cmap/seed"
)

// modelSubCompetencies returns the sub-competency codes of the shipped
// model, in model order.
func modelSubCompetencies(t *testing.T) []string {
	t.Helper()
	ds, err := seed.Load("seeds")
	if err != nil {
		t.Fatal(err)
	}
	return ds.Framework.SubCompetencyCodes()
}

// checkCoverageTable parses a coverage CSV strictly (encoding/csv rejects
// rows of another length than the header's) and checks one row per
// sub-competency of the model, in model order.
func checkCoverageTable(t *testing.T, data []byte) {
	t.Helper()
	records, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatalf("the coverage export is not a well-formed table: %v", err)
	}
	subs := modelSubCompetencies(t)
	if len(records) != len(subs)+1 {
		t.Fatalf("%d records, want a header and one row per sub-competency (%d)", len(records), len(subs))
	}
	header := records[0]
	if header[0] != "subCompetency" || header[len(header)-1] != "highest" || len(header) < 10 {
		t.Errorf("header = %q", header)
	}
	var firsts []string
	covered := 0
	for _, r := range records[1:] {
		firsts = append(firsts, r[0])
		if r[len(r)-1] != "" {
			covered++
		}
	}
	if !slices.Equal(firsts, subs) {
		t.Errorf("rows %v, want the model's sub-competencies %v", firsts, subs)
	}
	if covered == 0 {
		t.Error("no row has a highest level: the shipped rules cover nothing?")
	}
}

// TestExportCommand runs `cmap export` as a user would, on a fresh data
// folder seeded from the shipped seeds.
func TestExportCommand(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	common := []string{"--data", data, "--rules", "rules", "--seeds", "seeds"}
	runExportArgs := func(args ...string) (int, string, string) {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), append(append([]string{"export"}, args...), common...), &stdout, &stderr)
		return code, stdout.String(), stderr.String()
	}

	out := filepath.Join(dir, "coverage.csv")
	if code, _, stderr := runExportArgs("coverage", "--format", "csv", "-o", out); code != exitOK {
		t.Fatalf("export coverage: exit %d\n%s", code, stderr)
	}
	written, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	checkCoverageTable(t, written)

	code, stdout, stderr := runExportArgs("gaps", "--format", "json", "--min-level", "expert")
	if code != exitOK {
		t.Fatalf("export gaps: exit %d\n%s", code, stderr)
	}
	var gaps struct {
		Level     string
		Uncovered []struct{ SubCompetency string }
	}
	if err := json.Unmarshal([]byte(stdout), &gaps); err != nil {
		t.Fatalf("export gaps --format json: %v\n%s", err, stdout)
	}
	if gaps.Level != "Expert" || len(gaps.Uncovered) == 0 {
		t.Errorf("gaps at Expert: level %q, %d uncovered", gaps.Level, len(gaps.Uncovered))
	}

	code, stdout, stderr = runExportArgs("readiness")
	if code != exitOK {
		t.Fatalf("export readiness: exit %d\n%s", code, stderr)
	}
	people, err := csv.NewReader(strings.NewReader(stdout)).ReadAll()
	if err != nil || len(people) < 2 || people[0][0] != "id" {
		t.Errorf("export readiness: %d records, %v", len(people), err)
	}

	for _, tc := range []struct {
		args []string
		says string
	}{
		{[]string{"gaps", "--min-level", "Master"}, `--min-level: level "Master" is not on the scale`},
		{[]string{"coverage", "--status", "draft"}, "--status:"},
		{[]string{"matrix"}, `unknown export "matrix": want courses, positions, people, completions, catalogue, coverage, gaps, demand or readiness`},
		{[]string{"coverage", "--format", "ods"}, `--format: unknown format "ods"`},
		{[]string{"catalogue", "--format", "csv"}, "--format: the catalogue is four tables and a CSV file holds one"},
		{[]string{"catalogue"}, "--format: the catalogue is four tables"},
		{[]string{"--format", "csv"}, "name the export (courses, positions"},
	} {
		if code, _, stderr := runExportArgs(tc.args...); code != exitUsage || !strings.Contains(stderr, tc.says) {
			t.Errorf("export %v: exit %d, stderr %q; want %d saying %q", tc.args, code, stderr, exitUsage, tc.says)
		}
	}
}

// TestExportWorkbooks runs `cmap export` for workbooks as a user would and
// reads them back: the format follows -o's extension, and the catalogue
// and the coverage matrix hold what the state's index answers.
func TestExportWorkbooks(t *testing.T) {
	dir := t.TempDir()
	cfg := serveConfig{DataDir: filepath.Join(dir, "data"), RulesDir: "rules", SeedsDir: "seeds"}
	for _, args := range [][]string{{"catalogue", "-o", "catalogue.xlsx"}, {"coverage", "-o", "coverage.xlsx"}, {"demand", "-o", "demand.json"}} {
		args[2] = filepath.Join(dir, args[2])
		var stdout, stderr bytes.Buffer
		if code := run(context.Background(), append(append([]string{"export"}, args...), "--data", cfg.DataDir, "--rules", "rules", "--seeds", "seeds"), &stdout, &stderr); code != exitOK {
			t.Fatalf("export %v: exit %d\n%s", args, code, stderr.String())
		}
	}
	db, a, err := openState(context.Background(), cfg, slog.New(slog.DiscardHandler), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { a.Close(); db.Close(context.Background()) }()
	ix := a.View().Index()

	open := func(name string) *excelize.File {
		f, err := excelize.OpenFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		t.Cleanup(func() { f.Close() })
		return f
	}
	rows := func(f *excelize.File, sheet string) [][]string {
		r, err := f.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	cat := open("catalogue.xlsx")
	courses, _ := ix.Courses(domain.CourseFilter{}, domain.Page{})
	sheet := rows(cat, "courses")
	if len(sheet) != len(courses.Items)+1 {
		t.Fatalf("%d course rows, the index has %d courses", len(sheet)-1, len(courses.Items))
	}
	for i, c := range courses.Items {
		r := sheet[i+1]
		if r[0] != c.Code || r[1] != c.Title || r[5] != strconv.FormatFloat(c.Hours, 'f', -1, 64) || !slices.Equal(tabular.SplitList(r[3]), c.Objectives) {
			t.Errorf("course row %d = %q, the index has %+v", i+2, r, c)
		}
	}
	people, _ := ix.People(domain.PersonFilter{}, domain.Page{})
	sheet = rows(cat, "people")
	completions := 0
	for i, p := range people.Items {
		completions += len(p.Completions)
		if r := append(sheet[i+1], ""); r[0] != p.ID || r[1] != p.Name || r[2] != p.PositionID {
			t.Errorf("people row %d = %q, the index has %s %q %s", i+2, sheet[i+1], p.ID, p.Name, p.PositionID)
		}
	}
	if n := len(rows(cat, "completions")) - 1; n != completions || completions == 0 {
		t.Errorf("%d completion rows, the index's people have %d completions", n, completions)
	}

	m, err := ix.Matrix(analysis.MatrixFilter{})
	if err != nil {
		t.Fatal(err)
	}
	sheet = rows(open("coverage.xlsx"), "Coverage")
	for i, r := range m.Rows {
		got := sheet[i+1]
		for _, c := range r.Cells {
			j := 3 + slices.IndexFunc(m.Courses, func(mc analysis.MatrixCourse) bool { return mc.Code == c.Course })
			if j >= len(got) || got[j] != c.Level {
				t.Errorf("coverage %s x %s: the workbook has %q, the index %q", r.SubCompetency, c.Course, got[min(j, len(got)-1)], c.Level)
			}
		}
	}

	var demand struct {
		SubCompetencies []struct {
			SubCompetency string
			Levels        []struct{ Exactly int }
		}
	}
	data, err := os.ReadFile(filepath.Join(dir, "demand.json"))
	if err != nil || json.Unmarshal(data, &demand) != nil {
		t.Fatalf("demand.json: %v %s", err, data)
	}
	for i, d := range ix.Demand() {
		for j, l := range d.Levels {
			if demand.SubCompetencies[i].SubCompetency != d.SubCompetency || demand.SubCompetencies[i].Levels[j].Exactly != l.Exactly {
				t.Errorf("demand.json %s at %s differs from the index's %d", d.SubCompetency, l.Level, l.Exactly)
			}
		}
	}
}

// A workbook may go to a file, a pipe or /dev/null, not to a terminal.
func TestIsTerminal(t *testing.T) {
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	for _, out := range []io.Writer{null, w, new(bytes.Buffer)} {
		if isTerminal(out) {
			t.Errorf("%T %v is taken for a terminal", out, out)
		}
	}
}

// TestExportFlagsFromEnvironment checks that export takes the state flags
// from the environment as serve does, and ignores serve's other variables.
func TestExportFlagsFromEnvironment(t *testing.T) {
	env := map[string]string{"CMAP_ADDR": "0.0.0.0:1", "CMAP_DATA": "/env/data", "CMAP_RULES": "/env/rules", "CMAP_POLL": "5s"}
	cfg, code, ok := parseExportFlags([]string{"coverage", "--rules", "r"}, func(k string) string { return env[k] }, io.Discard, io.Discard)
	if !ok {
		t.Fatalf("exit %d", code)
	}
	if cfg.state.DataDir != "/env/data" || cfg.state.RulesDir != "r" || cfg.state.SeedsDir != "seeds" || cfg.format != "csv" {
		t.Errorf("config = %+v", cfg)
	}
}

// TestExportOverHTTP checks the exports a running server serves.
func TestExportOverHTTP(t *testing.T) {
	s := start(t, serveConfig{Addr: "127.0.0.1:0", DataDir: t.TempDir(), RulesDir: "rules", SeedsDir: "seeds"})
	defer stop(t, s)
	res, err := http.Get(s.URL() + "/export/coverage.csv")
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("GET /export/coverage.csv: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	checkCoverageTable(t, body)
	if code, msg := getText(t, s.URL()+"/export/gaps.csv?minLevel=Master"); code != http.StatusBadRequest || !strings.Contains(msg, "minLevel") {
		t.Errorf("GET gaps.csv?minLevel=Master: %d %q", code, msg)
	}
}
