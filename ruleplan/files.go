package ruleplan

import (
	"archive/tar"
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
func (f Files) Load(dir string, fw *engine.Framework) (*engine.RuleSet, error) {
	// fstest.MapFS is the standard library's read-only file system in
	// memory; nothing of package testing comes with it.
	fsys := make(fstest.MapFS, len(f))
	for p, data := range f {
		fsys[p] = &fstest.MapFile{Data: data, Mode: 0o444}
	}
	return engine.LoadRuleSetFS(fsys, dir, fw)
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
