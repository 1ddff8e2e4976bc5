package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

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
		{[]string{"people"}, `unknown export "people"`},
		{[]string{"coverage", "--format", "xlsx"}, `--format: unknown format "xlsx"`},
		{[]string{"--format", "csv"}, "name one of coverage, gaps or readiness"},
	} {
		if code, _, stderr := runExportArgs(tc.args...); code != exitUsage || !strings.Contains(stderr, tc.says) {
			t.Errorf("export %v: exit %d, stderr %q; want %d saying %q", tc.args, code, stderr, exitUsage, tc.says)
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
