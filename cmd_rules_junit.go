package main

import (
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"cmap/engine"
)

// JUnit XML, as CI systems read it (Jenkins, GitLab, GitHub Actions'
// test reporters): testsuites, a testsuite per rule-test file, a testcase
// per test with its file, line and time in seconds, and a failure holding
// what differs. With --coverage a last suite has one testcase, failing
// when a rule is exercised by no test.

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	File     string      `xml:"file,attr,omitempty"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Time     string      `xml:"time,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	File      string        `xml:"file,attr,omitempty"`
	Line      int           `xml:"line,attr,omitempty"`
	Time      string        `xml:"time,attr"`
	Failure   *junitFailure `xml:"failure"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// seconds formats d as JUnit's time attribute: seconds, to the
// microsecond.
func seconds(d time.Duration) string { return strconv.FormatFloat(d.Seconds(), 'f', 6, 64) }

// testDuration formats a test's duration for the text report.
func testDuration(d time.Duration) string { return d.Round(time.Microsecond).String() }

// writeJUnit writes r as JUnit XML; with coverage, the rules no test
// exercised are a failing testcase.
func writeJUnit(w io.Writer, r *engine.TestReport, coverage bool) {
	out := junitSuites{Name: "cmap rules test", Tests: len(r.Results), Failures: r.Failed, Time: seconds(r.Duration)}
	index := map[string]int{}
	var times []time.Duration
	for _, t := range r.Results {
		i, ok := index[t.File]
		if !ok {
			i = len(out.Suites)
			index[t.File] = i
			out.Suites = append(out.Suites, junitSuite{Name: t.File, File: t.File})
			times = append(times, 0)
		}
		s := &out.Suites[i]
		c := junitCase{Name: t.Name, Classname: t.File, File: t.File, Line: t.Line, Time: seconds(t.Duration)}
		if !t.Passed {
			c.Failure = &junitFailure{
				Message: t.Failures[0],
				Type:    "failure",
				Text:    fmt.Sprintf("%s:%d: %s (%s)\n%s\n", t.File, t.Line, t.Name, t.Subject, strings.Join(t.Failures, "\n")),
			}
			s.Failures++
		}
		s.Tests++
		times[i] += t.Duration
		s.Cases = append(s.Cases, c)
	}
	for i := range out.Suites {
		out.Suites[i].Time = seconds(times[i])
	}
	if coverage {
		c := junitCase{Name: "every rule is exercised by a test", Classname: "coverage", Time: seconds(0)}
		if n := len(r.Unexercised); n > 0 {
			var lines []string
			for _, ref := range r.Unexercised {
				lines = append(lines, fmt.Sprintf("%s:%d: %s", ref.File, ref.Line, ref.ID))
			}
			c.Failure = &junitFailure{
				Message: fmt.Sprintf("%d rules no test exercised", n),
				Type:    "coverage",
				Text:    strings.Join(lines, "\n") + "\n",
			}
			out.Failures++
		}
		out.Tests++
		suite := junitSuite{Name: "coverage", Tests: 1, Time: seconds(0), Cases: []junitCase{c}}
		if c.Failure != nil {
			suite.Failures = 1
		}
		out.Suites = append(out.Suites, suite)
	}
	io.WriteString(w, xml.Header)
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	_ = enc.Encode(out)
	io.WriteString(w, "\n")
}
