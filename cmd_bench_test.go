package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"

	"cmap/workload"
)

// benchChildEnv, set to 1, makes this test binary run as cmap itself, so
// that the bench can start it as its server (os.Executable).
const benchChildEnv = "CMAPTEST_RUN_AS_CMAP"

func TestMain(m *testing.M) {
	if os.Getenv(benchChildEnv) == "1" {
		main() // exits
	}
	os.Exit(m.Run())
}

// issueGoals are the ids of the goals of issue 7, each a row of the report.
var issueGoals = []string{
	"readiness-paced-p99", "readiness-n-rate", "matrix-n-p99", "competency-1-p99",
	"cold-start", "first-start", "ready-rss", "load-rss", "derive",
}

// runTinyBench runs the bench at scale 0.01 with JSON output on the folder
// dir, and decodes the report.
func runTinyBench(t *testing.T, dir, duration string) *benchReport {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cfg, code, ok := parseBenchFlags([]string{"--scale", "0.01", "--clients", "4", "--duration", duration,
		"--rate", "400", "--format", "json", "--data", dir, "--start-timeout", "2m"}, io.Discard, &stderr)
	if !ok {
		t.Fatalf("flags: exit %d\n%s", code, stderr.String())
	}
	cfg.serverEnv = []string{benchChildEnv + "=1"}
	if code := benchWith(context.Background(), cfg, &stdout, &stderr); code != exitOK {
		t.Fatalf("cmap bench exited %d\n%s", code, stderr.String())
	}
	var rep benchReport
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		t.Fatalf("the JSON report does not decode: %v\n%s", err, stdout.String())
	}
	return &rep
}

// goal returns the report's row id, failing when it is missing.
func goal(t *testing.T, rep *benchReport, id string) benchMeasurement {
	t.Helper()
	for _, g := range rep.Goals {
		if g.ID == id {
			return g
		}
	}
	t.Fatalf("no goal %s in the report", id)
	return benchMeasurement{}
}

func TestBenchEndToEnd(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "bench")
	rep := runTinyBench(t, dir, "400ms")

	z := workload.Config{Scale: 0.01}.Sizes()
	if w := rep.Workload; w.Courses != z.Courses || w.Positions != z.Positions || w.People != z.People ||
		w.CourseRules != z.CourseRules || w.PositionRules != z.PositionRules || w.SubCompetencies != 58 || w.Completions == 0 {
		t.Errorf("workload %+v, want the sizes %+v over the 58 shipped sub-competencies", w, z)
	}
	if len(rep.Goals) != len(issueGoals) {
		t.Errorf("%d goals, want %d", len(rep.Goals), len(issueGoals))
	}
	for _, id := range issueGoals {
		g := goal(t, rep, id)
		switch {
		case g.Value == nil:
			t.Errorf("goal %s (%s): not measured", id, g.What)
		case *g.Value <= 0:
			t.Errorf("goal %s (%s): %g", id, g.What, *g.Value)
		case g.Met == nil || g.Target == "" || g.Limit <= 0:
			t.Errorf("goal %s (%s): target %q, limit %g, met %v", id, g.What, g.Target, g.Limit, g.Met)
		default:
			met := *g.Value <= g.Limit
			if g.AtLeast {
				met = *g.Value >= g.Limit
			}
			if *g.Met != met {
				t.Errorf("goal %s: %g against %s is reported met=%v", id, *g.Value, g.Target, *g.Met)
			}
		}
	}
	if g := goal(t, rep, "readiness-paced-p99"); !strings.Contains(g.What, "4 clients") || !strings.Contains(g.What, "400 req/s") {
		t.Errorf("goal %q does not name the number of clients and the rate", g.What)
	}

	// Two loads (1 client, 4 clients back to back) of each of the three
	// queries, the readiness paced too, and the smallest request, all
	// answered.
	want := map[string]bool{"readiness 1": true, "readiness 4": true, "readiness 4 at 400": true, "matrix 1": true, "matrix 4": true,
		"competency 1": true, "competency 4": true, "smallest 4": true}
	for _, l := range rep.Loads {
		key := l.Query + " " + map[int]string{1: "1", 4: "4"}[l.Clients]
		if l.Offered > 0 {
			key += fmt.Sprintf(" at %g", l.Offered)
		}
		if !want[key] {
			t.Errorf("unexpected or repeated load %s at %d clients", l.Query, l.Clients)
		}
		delete(want, key)
		if l.Requests == 0 || l.Errors != 0 || l.Rate <= 0 || l.Bytes == 0 {
			t.Errorf("load %s at %d clients: %d requests, %d errors (%s), %g req/s, %d bytes", l.Query, l.Clients, l.Requests, l.Errors, l.FirstError, l.Rate, l.Bytes)
		}
		// A paced load sends on its schedule: no more than the rate
		// allows in the load's duration (400 ms).
		if limit := int(math.Ceil(l.Offered * 0.4)); l.Offered > 0 && l.Requests+l.Errors > limit {
			t.Errorf("load %s at %g req/s: %d requests in 400 ms, more than %d", l.Query, l.Offered, l.Requests+l.Errors, limit)
		}
		if !(0 < l.P50 && l.P50 <= l.P90 && l.P90 <= l.P99 && l.P99 <= l.Max) {
			t.Errorf("load %s at %d clients: percentiles out of order: %+v", l.Query, l.Clients, l)
		}
	}
	for key := range want {
		t.Errorf("no load %s", key)
	}

	// The generated rules pass `cmap rules check` against the generated
	// seeds.
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"rules", "check", "--seeds", filepath.Join(dir, "seeds"), filepath.Join(dir, "rules")}, &stdout, &stderr); code != exitOK {
		t.Errorf("cmap rules check on the generated rules exited %d:\n%s%s", code, stdout.String(), stderr.String())
	}

	// The text table has a row per goal: what, target, a number, met or not.
	var text bytes.Buffer
	rep.writeText(&text)
	lines := strings.Split(text.String(), "\n")
	for _, g := range rep.Goals {
		found := false
		for _, line := range lines {
			if strings.HasPrefix(line, g.What+" ") && strings.Contains(line, g.Target) && strings.Contains(line, " "+g.Unit+" ") &&
				(strings.HasSuffix(line, " met") || strings.HasSuffix(line, " NOT MET")) {
				found = true
			}
		}
		if !found {
			t.Errorf("no table row for %q in\n%s", g.What, text.String())
		}
	}

	// A second run on the same folder reuses the seeded database: the
	// first start is reported as not measured, the rest is measured.
	again := runTinyBench(t, dir, "100ms")
	if g := goal(t, again, "first-start"); g.Value != nil || g.Met != nil {
		t.Errorf("first start on a seeded folder: %s, met %v; want not measured", g.format(), g.Met)
	}
	if g := goal(t, again, "cold-start"); g.Value == nil {
		t.Error("the second run did not measure the cold start")
	}
	if len(again.Notes) == 0 {
		t.Error("the second run does not say why the first start was not measured")
	}
}

func TestBenchCommandLine(t *testing.T) {
	for _, args := range [][]string{
		{"bench", "--clients", "0"},
		{"bench", "--scale", "0"},
		{"bench", "--format", "yaml"},
		{"bench", "--duration", "-1s"},
		{"bench", "--rate", "0"},
		{"bench", "extra"},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(context.Background(), args, &stdout, &stderr); code != exitUsage {
			t.Errorf("%q: exit %d, want %d", args, code, exitUsage)
		}
		if !strings.Contains(stderr.String(), "Usage: cmap bench") {
			t.Errorf("%q: no usage on stderr:\n%s", args, stderr.String())
		}
	}
	other := t.TempDir()
	if err := os.WriteFile(filepath.Join(other, "notes.txt"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"bench", "--data", other}, &stdout, &stderr); code != exitFail {
		t.Errorf("a folder that holds other files: exit %d, want %d", code, exitFail)
	}
	if !strings.Contains(stderr.String(), "not empty") {
		t.Errorf("a folder that holds other files: %s", stderr.String())
	}
}

// A reused headWriter keeps the first bytes of each answer and counts all
// of them, read through io.Copy in pieces smaller and larger than its
// buffer.
func TestHeadWriter(t *testing.T) {
	h := newHeadWriter(7)
	for _, answer := range []string{`{"data":{"a":1}}`, `{"errors":[]}`, strings.Repeat("x", 100<<10), ""} {
		h.reset()
		if _, err := io.Copy(h, iotest.HalfReader(strings.NewReader(answer))); err != nil {
			t.Fatal(err)
		}
		if want := answer[:min(7, len(answer))]; string(h.head) != want || h.n != len(answer) {
			t.Errorf("kept %q and counted %d, want %q and %d", h.head, h.n, want, len(answer))
		}
	}
	if _, err := io.Copy(h, iotest.ErrReader(errors.New("gone"))); err == nil || err.Error() != "gone" {
		t.Errorf("a failing read: error %v", err)
	}
}
