package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/pmezard/go-difflib/difflib"

	"cmap/diag"
	"cmap/engine"
)

const rulesFmtUsage = `Usage: cmap rules fmt [flags] [DIR|FILE...]

Rewrites rule files, rule tests and the scale in the canonical layout
(engine/fmt.go says it in full): a rule's keys in the order id,
description, course or position, covers or requires, exclude, lint;
covers:, requires: and expect: as flow mappings; two-space indentation;
scalars as written; comments kept, moving with their entries. A DIR
(default: --rules) means every YAML file below it. Lists the files it
rewrites; a file already in the layout is left alone.

With --check nothing is written: it lists the files that are not in the
layout, and exits 1 if there are any (for CI). With --diff nothing is
written either: it prints what it would change as a unified diff (like
gofmt -d; patch -p0 applies it), and exits 1 if it would change any file.

Exit 0 when done, 1 on a file that does not parse (or, with --check, one
not in the layout), 2 on a wrong command line.

Examples:
  cmap rules fmt --check
  cmap rules fmt --check testdata/fmt
  cmap rules fmt --diff testdata/fmt/scale.yaml
`

func runRulesFmt(args []string, stdout, stderr io.Writer) int {
	// The flags of the rules verbs but --seeds: fmt reads no catalogue.
	f := &rulesFlags{fs: flag.NewFlagSet("cmap rules fmt", flag.ContinueOnError)}
	f.fs.StringVar(&f.rules, "rules", "rules", "format the rule files in `DIR` when no argument names any ($CMAP_RULES)")
	f.fs.StringVar(&f.format, "format", "text", "list the files in `FORMAT`: text or json")
	check := f.fs.Bool("check", false, "write nothing: list the files not in the canonical layout, exit 1 if any")
	showDiff := f.fs.Bool("diff", false, "write nothing: print the changes as a unified diff, exit 1 if any")
	setUsage(f.fs, rulesFmtUsage)
	pos, code, ok := f.parse(args, stdout, stderr)
	if !ok {
		return code
	}
	if len(pos) == 0 {
		pos = []string{f.rules}
	}
	var files []fmtFile
	var problems diag.List
	for _, p := range pos {
		found, err := fmtFiles(p)
		if err != nil {
			problems.Add(diag.Pos{File: filepath.ToSlash(p)}, "%v", err)
			continue
		}
		files = append(files, found...)
	}
	dryRun := *check || *showDiff
	var changed []string
	diffs := map[string]string{}
	for _, file := range files {
		src, err := os.ReadFile(file.path)
		if err != nil {
			problems.Add(diag.Pos{File: file.name}, "%v", err)
			continue
		}
		out, err := engine.Format(file.kind, file.name, src)
		if err != nil {
			problems = append(problems, loadErrors(err)...)
			continue
		}
		if bytes.Equal(out, src) {
			continue
		}
		if *showDiff {
			d, err := unifiedDiff(file.name, src, out)
			if err != nil {
				problems.Add(diag.Pos{File: file.name}, "%v", err)
				continue
			}
			diffs[file.name] = d
		}
		if !dryRun {
			if err := writeKeepingMode(file.path, out); err != nil {
				problems.Add(diag.Pos{File: file.name}, "%v", err)
				continue
			}
		}
		changed = append(changed, file.name)
	}
	if f.format == "json" {
		out := struct {
			Files  []string          `json:"files"`
			Diffs  map[string]string `json:"diffs,omitempty"`
			Errors []jsonDiagnostic  `json:"errors"`
		}{Files: append([]string{}, changed...), Errors: jsonDiagnostics(problems)}
		if *showDiff {
			out.Diffs = diffs
		}
		writeJSON(stdout, out)
	} else {
		for _, name := range changed {
			if *showDiff {
				fmt.Fprint(stdout, diffs[name])
			} else {
				fmt.Fprintln(stdout, name)
			}
		}
		if len(problems) > 0 {
			printDiagnostics(stderr, problems)
		}
	}
	if len(problems) > 0 || (dryRun && len(changed) > 0) {
		return exitFail
	}
	return exitOK
}

// unifiedDiff returns the unified diff (three lines of context) that
// turns src into out, labelled as gofmt -d labels it: name.orig and name.
func unifiedDiff(name string, src, out []byte) (string, error) {
	return difflib.GetUnifiedDiffString(difflib.UnifiedDiff{
		A: diffLines(src), B: diffLines(out),
		FromFile: name + ".orig", ToFile: name, Context: 3,
	})
}

// diffLines splits text into lines, each with its newline. A last line
// without one gets the marker of unified diffs, so that it differs from
// the same line with a newline and the diff says so. (difflib.SplitLines
// would add an empty last line that neither file has.)
func diffLines(text []byte) []string {
	lines := strings.SplitAfter(string(text), "\n")
	if last := len(lines) - 1; lines[last] == "" {
		lines = lines[:last]
	} else {
		lines[last] += "\n\\ No newline at end of file\n"
	}
	return lines
}

// fmtFile is a file to format: its path, its name in messages (slashes)
// and its kind.
type fmtFile struct {
	path, name string
	kind       engine.SourceKind
}

// fmtFiles returns the file p, or the YAML files below the directory p
// (but those in hidden folders), sorted. A file's kind is told by its
// name, relative to the directory given: ScaleFile at its root is the
// scale; a file given alone is the scale if it is named so.
func fmtFiles(p string) ([]fmtFile, error) {
	info, err := os.Stat(p)
	if err != nil {
		return nil, err
	}
	if !info.IsDir() {
		name := filepath.ToSlash(p)
		return []fmtFile{{path: p, name: name, kind: engine.SourceKindOf(path.Base(name))}}, nil
	}
	var out []fmtFile
	err = filepath.WalkDir(p, func(file string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		hidden := strings.HasPrefix(d.Name(), ".") && file != p
		switch {
		case d.IsDir() && hidden:
			return fs.SkipDir
		case d.IsDir() || hidden || !(strings.HasSuffix(file, ".yaml") || strings.HasSuffix(file, ".yml")):
			return nil
		}
		rel, err := filepath.Rel(p, file)
		if err != nil {
			return err
		}
		out = append(out, fmtFile{path: file, name: filepath.ToSlash(file), kind: engine.SourceKindOf(filepath.ToSlash(rel))})
		return nil
	})
	return out, err
}

// writeKeepingMode replaces the content of the file at p, keeping its
// permissions. The new content is written to a hidden file beside it (the
// rule loader skips hidden files), then renamed over it: a server watching
// the folder never reads half a file.
func writeKeepingMode(p string, data []byte) error {
	info, err := os.Stat(p)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), ".cmap-fmt-*")
	if err != nil {
		return err
	}
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Chmod(info.Mode().Perm())
	}
	if closeErr := tmp.Close(); err == nil {
		err = closeErr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), p)
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
}
