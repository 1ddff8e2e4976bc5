package engine

import (
	"cmap/domain"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cmap/diag"
	"cmap/diag/diagtest"
)

// The fuzz targets of the rule loader. Their seed corpus is the shipped
// rules and the files in testdata/fuzz/FuzzXxx, which go test runs as
// regression cases; run one for a while with (a bounded minimization, as
// the default of 60 s per new input leaves little time to fuzz)
//
//	go test -run '^$' -fuzz '^FuzzLoadRuleSet$' -fuzztime 60s -fuzzminimizetime 100x -parallel 1 ./engine/

// fuzzCourse and fuzzPosition are what the fuzzed rules are run on: every
// field set, so that every condition has something to read.
var (
	fuzzCourse = &domain.Course{
		Code: "SCO-201", Title: "Trade shows and price and availability", Description: "Letters of offer.",
		Objectives: []string{"Plan U.S. participation in trade shows."}, Topics: []string{"FMS", "trade shows"},
		Hours: 40, DeliveryMode: domain.DeliveryResident, Provider: "DSCU", Status: domain.CourseActive, Prerequisites: []string{"SCO-101"},
	}
	fuzzPosition = &domain.Position{
		ID: "POS-1", Title: "Security cooperation officer", Organization: "ODC Paris", Grade: "GS-13",
		Category: "SCO", KeyBillet: true, Region: "EUCOM",
	}
)

// FuzzLoadRuleSet loads one rule file of arbitrary bytes. The loader never
// panics; a file it refuses gets a diag.List whose every diagnostic points
// inside the file (file:line:col, the column at most one past the line's
// last character); a file it accepts gives rules that say where they are
// and that evaluate on a course and a position without panicking.
func FuzzLoadRuleSet(f *testing.F) {
	addRuleFiles(f, "../rules", isRuleFile)
	addRuleFiles(f, "../testdata/broken-rules", isRuleFile)
	f.Fuzz(func(t *testing.T, data []byte) {
		rs, err := LoadRuleSetFS(ruleFS(map[string]string{"f.yaml": string(data)}), "rules", testFramework())
		if err != nil {
			diagtest.Check(t, err, "rules/f.yaml", data, diagtest.Column)
			return
		}
		for _, r := range rs.Rules() {
			if r.File != "rules/f.yaml" || r.Line < 1 || r.Line > lineCount(data) {
				t.Errorf("rule %q says it is at %s:%d, outside the file's %d lines", r.ID, r.File, r.Line, lineCount(data))
			}
		}
		// Rules may fail at run time (the error says which); they must
		// not panic.
		_, _ = rs.CourseCoverage(fuzzCourse)
		_, _ = rs.PositionRequirements(fuzzPosition)
	})
}

// FuzzLoadScale loads a scale file of arbitrary bytes beside a rule file
// that names levels. Diagnostics point inside the file they are about.
func FuzzLoadScale(f *testing.F) {
	data, err := os.ReadFile("../rules/" + ScaleFile)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Add([]byte("name: Bloom\nlevels: [Remember, Understand, Apply]\n"))
	rules := "rules:\n  - id: r\n    course: course.level >= \"Intermediate\"\n    covers: {1.A: tier, 1.B: Basic}\n"
	f.Fuzz(func(t *testing.T, data []byte) {
		files := map[string]string{ScaleFile: string(data), "r.yaml": rules}
		rs, err := LoadRuleSetFS(ruleFS(files), "rules", testFramework())
		if err != nil {
			l := diag.AsList(err)
			if len(l) == 0 {
				t.Fatalf("error without diagnostics: %v", err)
			}
			for _, d := range l {
				src := data
				if d.File == "rules/r.yaml" {
					src = []byte(rules)
				} else if d.File != "rules/"+ScaleFile {
					t.Errorf("diagnostic about %q: %s", d.File, d.Error())
				}
				diagtest.CheckPos(t, d, src, diagtest.Column)
			}
			return
		}
		if err := rs.Scale().Validate(); err != nil {
			t.Fatalf("accepted an invalid scale %v: %v", rs.Scale().Levels, err)
		}
		_, _ = rs.CourseCoverage(fuzzCourse)
	})
}

// addRuleFiles adds to the corpus the files below dir that keep accepts.
func addRuleFiles(f *testing.F, dir string, keep func(rel string) bool) {
	f.Helper()
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if !keep(filepath.ToSlash(rel)) {
			return nil
		}
		data, err := os.ReadFile(p)
		if err == nil {
			f.Add(data)
		}
		return err
	})
	if err != nil {
		f.Fatal(err)
	}
}

// lineCount returns the number of lines of src.
func lineCount(src []byte) int { return strings.Count(string(src), "\n") + 1 }
