package engine

import (
	"maps"
	"path"
	"slices"
)

// Dir returns the name the rule set's files are known by: the directory
// it was loaded from, as rules, facts and diagnostics name their files
// (path.Join(Dir(), the file's path in it)).
func (rs *RuleSet) Dir() string { return rs.dir }

// RuleFile is one file of a loaded rule set: a rule file or the scale.
type RuleFile struct {
	// Path is the file's path relative to the rule set's directory, with
	// forward slashes (courses/4-sales.yaml).
	Path string
	Data []byte
}

// Name returns the file's name as rules and diagnostics give it, below
// the rule set's directory dir.
func (f RuleFile) Name(dir string) string { return path.Join(dir, f.Path) }

// Files returns the files the rule set was loaded from, the ones its
// revision hashes (rule files and the scale; not the rule tests), sorted
// by path. The contents are shared: do not modify them.
func (rs *RuleSet) Files() []RuleFile {
	out := make([]RuleFile, 0, len(rs.files))
	for _, p := range slices.Sorted(maps.Keys(rs.files)) {
		out = append(out, RuleFile{Path: p, Data: rs.files[p]})
	}
	return out
}
