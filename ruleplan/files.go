package ruleplan

import (
	"archive/tar"
	"cmap/domain"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"
	"testing/fstest"

	"cmap/engine"
)

// Files are rule files in memory: their content by path relative to the
// rule directory, with forward slashes (courses/4-sales.yaml).
type Files map[string][]byte

// Load loads the rule set of files as engine.LoadRuleSet loads a
// directory: dir is the name the files are known by, so that rules and
// diagnostics name them as dir/PATH (give the directory the files come
// from, and facts name the same files as those of the directory itself).
func (f Files) Load(dir string, fw *domain.Framework) (*engine.RuleSet, error) {
	return engine.LoadRuleSetFS(f.fs(), dir, fw)
}

// Revision returns the revision a rule set of files has or would have,
// whether or not they load.
func (f Files) Revision() (string, error) { return engine.RulesRevisionFS(f.fs()) }

// fs returns the files as a file system.
func (f Files) fs() fs.FS {
	// fstest.MapFS is the standard library's read-only file system in
	// memory; nothing of package testing comes with it.
	fsys := make(fstest.MapFS, len(f))
	for p, data := range f {
		fsys[p] = &fstest.MapFile{Data: data, Mode: 0o444}
	}
	return fsys
}

// FileChange is a change of one file of a rule set: its new content, or
// its removal.
type FileChange struct {
	// Path names the file as the rule set names its files, below its
	// directory (rules/courses/4-sales-and-transfers.yaml); a path the
	// set does not have adds a file.
	Path    string
	Content string
	// Delete removes the file.
	Delete bool
}

// Overlay returns the files of rs with the changes applied. A change that
// cannot apply is EINVALID on the field files[i].path (or .content): a
// path outside the rule directory or not a .yaml/.yml file, a rule test,
// a path given twice, content given with delete, or the removal of a file
// the set does not have.
func Overlay(rs *engine.RuleSet, changes []FileChange) (Files, error) {
	files := Files{}
	for _, f := range rs.Files() {
		files[f.Path] = f.Data
	}
	prefix := rs.Dir() + "/"
	if rs.Dir() == "." {
		prefix = ""
	}
	seen := map[string]bool{}
	for i, c := range changes {
		field := fmt.Sprintf("files[%d].path", i)
		rel, ok := strings.CutPrefix(c.Path, prefix)
		switch {
		case !ok || !fs.ValidPath(rel) || rel == ".":
			return nil, domain.Invalid(field, "%q is not a file of the rule directory: name it as the rule set does, e.g. %scourses/new.yaml", c.Path, prefix)
		case !strings.HasSuffix(rel, ".yaml") && !strings.HasSuffix(rel, ".yml"):
			return nil, domain.Invalid(field, "%q is not a rule file: rule files end in .yaml or .yml", c.Path)
		case strings.HasPrefix(rel, ".") || strings.Contains(rel, "/."):
			return nil, domain.Invalid(field, "%q is hidden: the rule set does not load hidden files and folders", c.Path)
		case strings.HasSuffix(strings.TrimSuffix(strings.TrimSuffix(rel, ".yaml"), ".yml"), "_test"):
			return nil, domain.Invalid(field, "%q is a rule test: tests are not part of the rule set", c.Path)
		case seen[rel]:
			return nil, domain.Invalid(field, "%q is given twice", c.Path)
		case c.Delete && c.Content != "":
			return nil, domain.Invalid(fmt.Sprintf("files[%d].content", i), "give the content of %q or delete it, not both", c.Path)
		}
		seen[rel] = true
		if !c.Delete {
			files[rel] = []byte(c.Content)
			continue
		}
		if _, ok := files[rel]; !ok {
			return nil, domain.Invalid(field, "%q is not a file of the rule set: there is nothing to delete", c.Path)
		}
		delete(files, rel)
	}
	return files, nil
}

// ReadTar reads the regular files of a tar archive (as `git archive`
// writes one) into Files, by their path in the archive.
func ReadTar(r io.Reader) (Files, error) {
	files := Files{}
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return files, nil
		}
		if err != nil {
			return nil, fmt.Errorf("reading the archive: %w", err)
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		name := path.Clean(strings.TrimPrefix(h.Name, "./"))
		if !fs.ValidPath(name) || name == "." {
			return nil, fmt.Errorf("reading the archive: a file outside the rule directory: %s", h.Name)
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			return nil, fmt.Errorf("reading %s from the archive: %w", h.Name, err)
		}
		files[name] = data
	}
}
