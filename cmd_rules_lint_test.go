package main

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"cmap/engine"
)

// lintJSON is the --format json output of cmap rules lint.
type lintJSON struct {
	Findings []struct {
		Code    string `json:"code"`
		Name    string `json:"name"`
		File    string `json:"file"`
		Line    int    `json:"line"`
		Column  int    `json:"column"`
		Rule    string `json:"rule"`
		Message string `json:"message"`
	} `json:"findings"`
	Silenced  int `json:"silenced"`
	Rules     int `json:"rules"`
	Courses   int `json:"courses"`
	Positions int `json:"positions"`
}

func runLintJSON(t *testing.T, args ...string) (int, lintJSON) {
	t.Helper()
	code, stdout, stderr := runCmd(t, append([]string{"rules", "lint", "--format", "json"}, args...)...)
	var out lintJSON
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		t.Fatalf("exit %d, json: %v\n%s\nstderr: %s", code, err, stdout, stderr)
	}
	return code, out
}

// The fixture seeds one or more of each problem (its comments say which);
// lint finds exactly those, and every check finds something.
func TestRulesLintFindsEverySeededProblem(t *testing.T) {
	code, out := runLintJSON(t, "testdata/lint")
	type finding struct{ code, rule, file string }
	var got []finding
	for _, f := range out.Findings {
		got = append(got, finding{f.Code, f.Rule, filepath.Base(f.File)})
		if f.Name == "" || f.Message == "" || f.Line == 0 || f.Column == 0 {
			t.Errorf("finding %+v lacks a name, a message or a location", f)
		}
	}
	want := []finding{
		{"L008", "", "positions.csv"}, // POS-0072
		{"L003", "price-and-availability-basic", "sales.yaml"},
		{"L002", "trade-shows", "sales.yaml"},
		{"L006", "trade-shows", "sales.yaml"},
		{"L002", "basket-weaving", "sales.yaml"},
		{"L002", "astrology", "sales.yaml"},
		{"L007", "astrology", "sales.yaml"},
		{"L001", "long-residential-courses", "sales.yaml"},
		{"L007", "deliverables", "sales.yaml"},
		{"L009", "", "sales.yaml"},
		{"L005", "no-disclosure-in-estimating", "sales.yaml"},
		{"L004", "sco-key-billet", "billets.yaml"},
		{"L001", "navy-billets", "billets.yaml"},
	}
	if code != exitFail || !slices.Equal(got, want) {
		t.Errorf("exit %d, findings\n%v\nwant\n%v", code, got, want)
	}
	for _, c := range engine.LintChecks {
		if !slices.ContainsFunc(got, func(f finding) bool { return f.code == string(c.Code) }) {
			t.Errorf("the fixture seeds no %s %s", c.Code, c.Name)
		}
	}
	if out.Silenced != 1 || out.Courses != 57 || out.Positions != 93 || out.Rules != 14 {
		t.Errorf("silenced %d, %d courses, %d positions, %d rules", out.Silenced, out.Courses, out.Positions, out.Rules)
	}
}

// The shipped rules are clean on the sample catalogue: what lint would
// say is silenced, with a reason, where it is expected.
func TestRulesLintShippedRules(t *testing.T) {
	code, stdout, stderr := runCmd(t, "rules", "lint")
	if code != exitOK || !strings.HasPrefix(stdout, "rules: no findings (") || stderr != "" {
		t.Errorf("exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
}

func TestRulesLintUsage(t *testing.T) {
	for _, args := range [][]string{
		{"rules", "lint", "--format", "junit"},
		{"rules", "lint", "a", "b"},
		{"rules", "lint", "--nope"},
	} {
		code, stdout, stderr := runCmd(t, args...)
		if code != exitUsage || stdout != "" || !strings.Contains(stderr, "Usage: cmap rules lint") {
			t.Errorf("%v: exit %d\nstdout: %s\nstderr: %s", args, code, stdout, stderr)
		}
	}
	code, stdout, stderr := runCmd(t, "rules", "lint", "testdata/broken-rules")
	if code != exitFail || stdout != "" || !strings.Contains(stderr, "unknown sub-competency 4.Z") {
		t.Errorf("broken rules: exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
}

// With --data, lint reads the records of the database (seeding an empty
// one from --seeds, as export does): on the seeded sample it finds what it
// finds on the seeds folder, but records are not located in a file.
func TestRulesLintOnTheDatabase(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the embedded database")
	}
	data := filepath.Join(t.TempDir(), "data")
	code, fromDB := runLintJSON(t, "testdata/lint", "--data", data)
	_, fromSeeds := runLintJSON(t, "testdata/lint")
	if code != exitFail || len(fromDB.Findings) != len(fromSeeds.Findings) || fromDB.Courses != 57 || fromDB.Positions != 93 {
		t.Fatalf("exit %d: %d findings on %d courses and %d positions, want %d on 57 and 93",
			code, len(fromDB.Findings), fromDB.Courses, fromDB.Positions, len(fromSeeds.Findings))
	}
	type finding = struct {
		Code    string `json:"code"`
		Name    string `json:"name"`
		File    string `json:"file"`
		Line    int    `json:"line"`
		Column  int    `json:"column"`
		Rule    string `json:"rule"`
		Message string `json:"message"`
	}
	// Positions are not located in the database: their findings come last.
	split := func(fs []finding) (rules, positions []finding) {
		for _, f := range fs {
			if f.Code == "L008" {
				positions = append(positions, f)
			} else {
				rules = append(rules, f)
			}
		}
		return rules, positions
	}
	dbRules, dbPositions := split(fromDB.Findings)
	seedRules, seedPositions := split(fromSeeds.Findings)
	if !slices.Equal(dbRules, seedRules) || len(dbPositions) != 1 || dbPositions[0].File != "" ||
		dbPositions[0].Message != seedPositions[0].Message || seedPositions[0].File != "seeds/positions.csv" {
		t.Errorf("from the database:\n%+v\nfrom the seeds:\n%+v", fromDB.Findings, fromSeeds.Findings)
	}
}
