package seed

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"cmap/diag"
	"cmap/diag/diagtest"
)

// The fuzz targets of the seed files, one per kind of catalogue file (the
// competency model has its own, modelfile's FuzzReadText). Each reads one
// file of arbitrary bytes beside the valid files of testdata/valid, so
// that references between files are checked too. A reader never panics;
// every problem is a diagnostic at a line of the file it is about (and a
// column of that line when it has one); every record it returns is valid.
// Their seed corpus is the files of that kind in testdata, and
// testdata/fuzz/FuzzXxx, which go test runs as regression cases; run
// one for a while with
//
//	go test -run '^$' -fuzz '^FuzzCourses$' -fuzztime 60s -fuzzminimizetime 100x -parallel 1 ./seed/

func FuzzCourses(f *testing.F) {
	addSeedFiles(f, CoursesFile)
	f.Add([]byte("courses:\n  - {code: A-1, prerequisites: [A-1]}\n"))
	base := validChecker(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		c, diags := base.fresh()
		courses := c.courses(CoursesFile, data)
		checkFile(t, *diags, CoursesFile, data)
		seen := map[string]bool{}
		for _, course := range courses {
			if err := course.Validate(); err != nil {
				t.Errorf("returned an invalid course: %v", err)
			}
			if seen[course.Code] {
				t.Errorf("returned course %s twice", course.Code)
			}
			seen[course.Code] = true
		}
		if len(*diags) == 0 && prerequisiteCycle(courses) != nil {
			t.Errorf("accepted prerequisites that form a cycle: %v", prerequisiteCycle(courses))
		}
	})
}

func FuzzPositions(f *testing.F) {
	addSeedFiles(f, PositionsFile)
	base := validChecker(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		c, diags := base.fresh()
		positions := c.positions(PositionsFile, data)
		checkFile(t, *diags, PositionsFile, data)
		seen := map[string]bool{}
		for _, p := range positions {
			if err := p.Validate(); err != nil {
				t.Errorf("returned an invalid position: %v", err)
			}
			if seen[p.ID] {
				t.Errorf("returned position %s twice", p.ID)
			}
			seen[p.ID] = true
		}
	})
}

func FuzzPeople(f *testing.F) {
	addSeedFiles(f, PeopleFile)
	base := validChecker(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		c, diags := base.fresh()
		people := c.people(PeopleFile, data)
		checkFile(t, *diags, PeopleFile, data)
		seen := map[string]bool{}
		for _, p := range people {
			if err := p.Validate(); err != nil {
				t.Errorf("returned an invalid person: %v", err)
			}
			if seen[p.ID] {
				t.Errorf("returned person %s twice", p.ID)
			}
			seen[p.ID] = true
			if _, ok := c.positionLines[p.PositionID]; p.PositionID != "" && !ok {
				t.Errorf("person %s holds position %q, which positions.csv lacks", p.ID, p.PositionID)
			}
		}
	})
}

func FuzzCompletions(f *testing.F) {
	addSeedFiles(f, CompletionsFile)
	base := validChecker(f)
	var none diag.List
	valid := (&checker{diags: &none}).people(PeopleFile, readValid(f, PeopleFile))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, diags := base.fresh()
		people := slices.Clone(valid) // without completions: those read are appended to copies
		c.completions(CompletionsFile, data, people)
		checkFile(t, *diags, CompletionsFile, data)
		for _, p := range people {
			if err := p.Validate(); err != nil {
				t.Errorf("a person with the completions read is invalid: %v", err)
			}
			for _, comp := range p.Completions {
				if _, ok := c.courseLines[comp.CourseCode]; !ok {
					t.Errorf("person %s completed %q, which courses.yaml lacks", p.ID, comp.CourseCode)
				}
			}
		}
	})
}

// validDir holds the files the fuzzed file is read beside.
const validDir = "testdata/valid"

// validChecker returns a checker that has read the valid files, to be
// copied (fresh) for each file fuzzed.
func validChecker(f *testing.F) checker {
	f.Helper()
	var diags diag.List
	c := checker{diags: &diags}
	c.courses(CoursesFile, readValid(f, CoursesFile))
	c.positions(PositionsFile, readValid(f, PositionsFile))
	c.people(PeopleFile, readValid(f, PeopleFile))
	if len(diags) > 0 {
		f.Fatalf("the files of %s have errors: %v", validDir, diags.Err())
	}
	return c
}

// fresh returns a copy of c that adds its diagnostics to a new list, and
// the list. A reader replaces the maps of keys it reads rather than write
// to them, so the copies share them safely.
func (c checker) fresh() (*checker, *diag.List) {
	var diags diag.List
	c.diags = &diags
	return &c, &diags
}

func readValid(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(validDir, name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// addSeedFiles adds every file called name in testdata/*: small files,
// each with its own mistakes. (The sample seeds are large: mutations of
// them take the fuzzer long to minimize, and TestLoadSampleSeeds reads
// them.)
func addSeedFiles(f *testing.F, name string) {
	f.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "*", name))
	if err != nil {
		f.Fatal(err)
	}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
}

// checkFile fails t unless every diagnostic is about file and at a line
// of src.
func checkFile(t *testing.T, diags diag.List, file string, src []byte) {
	t.Helper()
	if len(diags) > 0 {
		diagtest.Check(t, diags.Err(), file, src, diagtest.Line)
	}
}
