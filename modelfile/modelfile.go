// Package modelfile reads and writes competency models.
//
// A model comes in one of three formats, chosen by the file's extension:
//
//   - .txt or .text: the customer's text format, as extracted from the
//     published PDF (see ReadText for its rules);
//   - .yaml or .yml: the domain.Framework shape in YAML;
//   - .json: the same shape in JSON, or a CASE 1.1 CFPackage (a JSON
//     object with a CFDocument, or any file named *.case.json; see
//     ReadCASE and package casefmt).
//
// Every reader reports all the problems it can find in one pass as a
// diag.List of file:line[:col] diagnostics, and every model it returns
// passes (*domain.Framework).Validate. WriteYAML writes a model back out in
// the YAML form, which Read reads back identically.
//
// ReadCrosswalk reads a crosswalk file (YAML or CSV): how the codes of one
// revision of a model map to the next, for `cmap model diff` and `cmap
// model apply` (see Crosswalk).
//
// Check reads a model as Read does and also reports what the reader had to
// guess and what reads but looks wrong: each hyphen at a line end of the
// text format that it kept or dropped, with the evidence (see Join), and
// suspicions such as a statement that reads like two run together because
// a line lost its code.
package modelfile

import (
	"cmap/domain"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"cmap/diag"
)

// ModelFilePattern is the name pattern that FindModelFile looks for.
const ModelFilePattern = "*competency-model.*"

// Read reads a competency model from data, in the format that name's
// extension selects. name is used in diagnostics. Errors are diag.List
// values. Check reads the same way and also reports what the reader
// guessed and what looks suspicious.
func Read(name string, data []byte) (*domain.Framework, error) {
	r := Check(name, data)
	if len(r.Errors) > 0 {
		return nil, r.Errors
	}
	return r.Model, nil
}

// ReadFile reads the competency model in the file at path; see Read.
func ReadFile(path string) (*domain.Framework, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Read(path, data)
}

// FindModelFile returns the path of the one competency model file in dir:
// the file whose name matches ModelFilePattern and has an extension Read
// understands (so an editor's backup beside it does not count). It is an
// error if there is none or more than one.
func FindModelFile(dir string) (string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "", fmt.Errorf("find competency model: %w", err)
	}
	var found []string
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		if ok, _ := path.Match(ModelFilePattern, e.Name()); ok && supported(e.Name()) {
			found = append(found, filepath.Join(dir, e.Name()))
		}
	}
	switch len(found) {
	case 0:
		return "", fmt.Errorf("find competency model: no file matching %s (.txt, .yaml or .json) in %s", ModelFilePattern, dir)
	case 1:
		return found[0], nil
	default:
		slices.Sort(found)
		return "", fmt.Errorf("find competency model: %d files match %s in %s, keep one: %s",
			len(found), ModelFilePattern, dir, strings.Join(found, ", "))
	}
}

// supported reports whether Read understands name's extension.
func supported(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".txt", ".text", ".yaml", ".yml", ".json":
		return true
	}
	return false
}

// validate runs f.Validate and turns its error into a diagnostic at the
// position that locate gives for the offending field path, with the path in
// the message. With a nil locate the diagnostic is about the whole file.
func validate(f *domain.Framework, file string, locate func(field string) diag.Pos) error {
	err := f.Validate()
	if err == nil {
		return nil
	}
	field := domain.ErrorField(err)
	pos := diag.Pos{File: file}
	if locate != nil && field != "" {
		pos = locate(field)
	}
	return diag.List{diag.Errorf(pos, "%s", err.Error())}
}
