// Package seed reads a seeds folder (a competency model and a sample
// catalogue of courses, positions, people and completions) and seeds an
// domain.Store with it, once.
//
// # The folder
//
// A seeds folder holds:
//
//   - the competency model: the one file matching *competency-model.*,
//     read by package modelfile;
//   - courses.yaml: a mapping whose key courses lists domain.Course records
//     in YAML (fields as in the Course type's yaml tags);
//   - positions.csv: columns id, title, organization, grade, category,
//     key_billet, region;
//   - people.csv: columns id, name, position_id (empty when unassigned);
//   - completions.csv: columns person_id, course_code, completed (an ISO
//     date), folded into the people they belong to.
//
// CSV columns are found by their header names, in any order; a cell that
// a CSV export neutralized for spreadsheets ('=...) is read without the
// quote (tabular.RestoreCell). The columns, the list and date forms and that
// quoting are the catalogue's tabular layout (package tabular), which
// the catalogue exports write: positions.csv, people.csv and
// completions.csv exported by cmap load here as they are, and so does a
// courses JSON export saved as courses.yaml. Load reports
// every problem it finds in one pass, as a diag.List of file:line:col
// diagnostics: YAML and CSV syntax, unknown fields and columns, values of
// the wrong type, records that fail Validate (the message names the field
// or column), duplicate keys, and references to a course or position that
// the folder does not define.
//
// # Seeding once
//
// Apply writes a Dataset into a store that was never seeded, then records
// the dataset's name with MarkSeeded; on every later call it does nothing.
// So records that users edit or delete are never overwritten or brought
// back by a restart. Within one Apply a record that already exists is kept
// as it is, which makes an interrupted seeding safe to run again.
package seed

import (
	"cmap/domain"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"cmap/diag"
	"cmap/modelfile"
)

// Names of the catalogue files in a seeds folder.
const (
	CoursesFile     = "courses.yaml"
	PositionsFile   = "positions.csv"
	PeopleFile      = "people.csv"
	CompletionsFile = "completions.csv"
)

// Dataset is the content of a seeds folder, checked and ready to store.
type Dataset struct {
	// Name identifies the data: "sample:" and a short hash of the
	// folder's files, so the seed marker names the exact data seeded.
	Name      string
	Framework *domain.Framework
	// Courses, Positions and People in file order. Each person carries
	// their completions, ordered by date.
	Courses   []domain.Course
	Positions []domain.Position
	People    []domain.Person
}

// Load reads the seeds folder dir. On any problem it returns a nil Dataset
// and an error; problems in the files are reported together as a
// diag.List sorted by file and position.
func Load(dir string) (*Dataset, error) {
	var diags diag.List
	if info, err := os.Stat(dir); err != nil || !info.IsDir() {
		msg := "not a folder"
		switch {
		case errors.Is(err, os.ErrNotExist):
			msg = "folder not found"
		case err != nil:
			msg = describeReadError(err)
		}
		diags.Add(diag.Pos{File: dir}, "%s: the seeds folder holds the competency model and %s, %s, %s and %s",
			msg, CoursesFile, PositionsFile, PeopleFile, CompletionsFile)
		return nil, diags.Err()
	}
	hash := sha256.New()
	// read returns the content of a catalogue file and adds it to the hash.
	read := func(name string) (string, []byte) {
		path := filepath.Join(dir, name)
		data, err := os.ReadFile(path)
		if err != nil {
			diags.Add(diag.Pos{File: path}, "%v", describeReadError(err))
			return path, nil
		}
		fmt.Fprintf(hash, "%s %d\n", name, len(data))
		hash.Write(data)
		return path, data
	}

	var fw *domain.Framework
	// The model is read from the bytes that are hashed, not read again.
	modelPath, err := modelfile.FindModelFile(dir)
	if err != nil {
		diags.Add(diag.Pos{File: dir}, "%v", err)
	} else if _, modelData := read(filepath.Base(modelPath)); modelData != nil {
		fw, err = modelfile.Read(modelPath, modelData)
		if err != nil {
			if l := diag.AsList(err); l != nil {
				diags = append(diags, l...)
			} else {
				diags.Add(diag.Pos{File: modelPath}, "%v", err)
			}
		}
	}

	ds := &Dataset{Framework: fw}
	c := checker{diags: &diags}
	if path, data := read(CoursesFile); data != nil {
		ds.Courses = c.courses(path, data)
	}
	if path, data := read(PositionsFile); data != nil {
		ds.Positions = c.positions(path, data)
	}
	if path, data := read(PeopleFile); data != nil {
		ds.People = c.people(path, data)
	}
	if path, data := read(CompletionsFile); data != nil {
		c.completions(path, data, ds.People)
	}
	if err := diags.Err(); err != nil {
		return nil, err
	}
	ds.Name = "sample:" + hex.EncodeToString(hash.Sum(nil))[:12]
	return ds, nil
}

// describeReadError shortens the error of a file that cannot be read; the
// diagnostic already names the file.
func describeReadError(err error) string {
	if errors.Is(err, os.ErrNotExist) {
		return "file not found"
	}
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// checker collects the diagnostics of one Load and the keys it has seen,
// for cross-checks between files.
type checker struct {
	diags *diag.List
	// courseLines, positionLines and personLines map each key to the
	// position where it was first defined; nil when the file could not be
	// read in full.
	courseLines   map[string]diag.Pos
	positionLines map[string]diag.Pos
	personLines   map[string]diag.Pos
	// rejected holds "kind key" for records that were reported as
	// invalid, so that references to them are not reported again.
	rejected map[string]bool
}

// reject notes that the record of kind with key was reported as invalid.
func (c *checker) reject(kind, key string) {
	if c.rejected == nil {
		c.rejected = map[string]bool{}
	}
	c.rejected[kind+" "+key] = true
}

// unknown reports whether a reference to the record of kind with key is
// an error to report: the file defining such records was read in full
// (defined is not nil), holds no such record, and did not reject one with
// that key. References into a file that could not be read in full are not
// reported: its one error says what to fix.
func (c *checker) unknown(defined map[string]diag.Pos, kind, key string) bool {
	if defined == nil {
		return false
	}
	_, ok := defined[key]
	return !ok && !c.rejected[kind+" "+key]
}

// duplicate reports key as a duplicate at pos if seen holds it, and
// records it otherwise. It returns whether key was a duplicate.
func (c *checker) duplicate(seen map[string]diag.Pos, pos diag.Pos, what, key string) bool {
	if first, ok := seen[key]; ok {
		c.diags.Add(pos, "duplicate %s %s (first defined on line %d)", what, key, first.Line)
		return true
	}
	seen[key] = pos
	return false
}
