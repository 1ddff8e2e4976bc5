package main

import (
	"encoding/xml"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// junitDoc reads back what --format junit writes.
type junitDoc struct {
	XMLName  xml.Name `xml:"testsuites"`
	Tests    int      `xml:"tests,attr"`
	Failures int      `xml:"failures,attr"`
	Time     string   `xml:"time,attr"`
	Suites   []struct {
		Name     string `xml:"name,attr"`
		Tests    int    `xml:"tests,attr"`
		Failures int    `xml:"failures,attr"`
		Time     string `xml:"time,attr"`
		Cases    []struct {
			Name      string `xml:"name,attr"`
			Classname string `xml:"classname,attr"`
			File      string `xml:"file,attr"`
			Line      int    `xml:"line,attr"`
			Time      string `xml:"time,attr"`
			Failure   *struct {
				Message string `xml:"message,attr"`
				Text    string `xml:",chardata"`
			} `xml:"failure"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

// junitRules is a rule directory with a passing test, a failing one and
// a rule no test exercises.
func junitRules(t *testing.T) string {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"courses/sales.yaml": `rules:
  - id: estimating
    course: mentions("price and availability")
    covers: {4.C: tier}
  - id: untested
    course: mentions("trade shows")
    covers: {4.K: tier}
`,
		"courses/sales_test.yaml": `tests:
  - name: estimating at its tier
    course: SCM-201
    expect: {4.C: Intermediate}
  - name: estimating at the wrong level
    course: SCM-201
    expect: {4.C: Expert}
`,
	})
	return dir
}

func TestRulesTestJUnit(t *testing.T) {
	dir := junitRules(t)
	file := filepath.ToSlash(dir) + "/courses/sales_test.yaml"
	code, stdout, stderr := runCmd(t, "rules", "test", "--format", "junit", "--coverage", dir)
	if code != exitFail || stderr != "" || !strings.HasPrefix(stdout, `<?xml version="1.0" encoding="UTF-8"?>`) {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	var doc junitDoc
	if err := xml.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatalf("%v\n%s", err, stdout)
	}
	if doc.Tests != 3 || doc.Failures != 2 || len(doc.Suites) != 2 {
		t.Fatalf("%d tests, %d failures, %d suites:\n%s", doc.Tests, doc.Failures, len(doc.Suites), stdout)
	}
	tests, coverage := doc.Suites[0], doc.Suites[1]
	if tests.Name != file || tests.Tests != 2 || tests.Failures != 1 || len(tests.Cases) != 2 {
		t.Errorf("suite %+v", tests)
	}
	for i, c := range tests.Cases {
		if c.File != file || c.Classname != file || c.Line != 2+3*i {
			t.Errorf("testcase %q at %s:%d (classname %s)", c.Name, c.File, c.Line, c.Classname)
		}
		if s, err := strconv.ParseFloat(c.Time, 64); err != nil || s < 0 {
			t.Errorf("testcase %q: time %q", c.Name, c.Time)
		}
	}
	if f := tests.Cases[0].Failure; f != nil {
		t.Errorf("the passing test failed: %+v", f)
	}
	f := tests.Cases[1].Failure
	if f == nil || f.Message != "4.C: expected Expert, got Intermediate (rules: estimating)" ||
		!strings.HasPrefix(f.Text, file+":5: estimating at the wrong level (course SCM-201)\n") {
		t.Errorf("failure %+v", f)
	}
	if len(coverage.Cases) != 1 || coverage.Cases[0].Failure == nil ||
		!strings.Contains(coverage.Cases[0].Failure.Text, filepath.ToSlash(dir)+"/courses/sales.yaml:5: untested") {
		t.Errorf("coverage suite %+v", coverage)
	}
}

// The text report says how long each test shown took.
func TestRulesTestDurations(t *testing.T) {
	dir := junitRules(t)
	code, stdout, _ := runCmd(t, "rules", "test", "-v", dir)
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	pass := regexp.MustCompile(`^PASS .*:2: estimating at its tier \(\d+(\.\d+)?(ns|µs|ms|s)\)$`)
	fail := regexp.MustCompile(`^FAIL .*:5: estimating at the wrong level \(course SCM-201, \d+(\.\d+)?(ns|µs|ms|s)\)$`)
	if code != exitFail || len(lines) != 4 || !pass.MatchString(lines[0]) || !fail.MatchString(lines[1]) || lines[3] != "1 passed, 1 failed" {
		t.Errorf("exit %d\n%s", code, stdout)
	}
}

// The masks of the golden files touch durations only.
func TestMaskDurations(t *testing.T) {
	for in, want := range map[string]string{
		"PASS a.yaml:5: name (51µs)":                   "PASS a.yaml:5: name (DURATION)",
		"FAIL a.yaml:7: name (course SCO-201, 1.25ms)": "FAIL a.yaml:7: name (course SCO-201, DURATION)",
		`<testcase name="x" time="0.000042">`:          `<testcase name="x" time="SECONDS">`,
		"every INTERVAL (default 2s)":                  "every INTERVAL (default 2s)",
	} {
		if got := maskDurations(in); got != want {
			t.Errorf("maskDurations(%q) = %q, want %q", in, got, want)
		}
	}
}
