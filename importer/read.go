package importer

import (
	"bytes"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"cmap/diag"
)

// File is one file to import: its name (for messages and to tell its
// format and kind) and its content.
type File struct {
	Name string
	Data []byte
}

// Options tune how files are read.
type Options struct {
	// Map renames headers: a normalized header (Normalize) to the
	// normalized names of columns, or to Ignore to leave the column out.
	// A header mapped to several columns is the one of them its table's
	// kind has ("Employee ID" is id among people, person_id among
	// completions). See ParseMap.
	Map map[string][]string
}

// mapped returns the column a header (normalized) names in a table of
// kind, after opts.Map: the first of its targets that kind has (or
// Ignore), the first target when kind has none of them, the header itself
// when it is not mapped. With kind "" (not known yet) it returns every
// target.
func (opts Options) mapped(kind Kind, norm string) []string {
	targets, ok := opts.Map[norm]
	if !ok {
		return []string{norm}
	}
	if kind == "" {
		return targets
	}
	for _, t := range targets {
		if t == Ignore || columnOf(kind, t) != nil {
			return []string{t}
		}
	}
	return targets[:1]
}

// Ignore is the target of a mapping that leaves a column out.
const Ignore = "-"

// ParseMap reads mappings written as "Header=column" (as --map takes
// them): the header as the file writes it, the column as the layouts name
// it (any spelling Normalize folds to it), or "-" to ignore the column. A
// header given several times maps to several columns, one per kind.
func ParseMap(specs []string) (map[string][]string, error) {
	out := map[string][]string{}
	for _, spec := range specs {
		from, to, ok := strings.Cut(spec, "=")
		from, to = strings.TrimSpace(from), strings.TrimSpace(to)
		if !ok || from == "" || to == "" {
			return nil, fmt.Errorf("mapping %q: want Header=column, e.g. 'Course Number=code', or 'Header=-' to ignore a column", spec)
		}
		if to != Ignore && !knownColumn(Normalize(to)) {
			return nil, fmt.Errorf("mapping %q: %q is not a column of any layout; the columns are %s", spec, to, allColumns())
		}
		if to != Ignore {
			to = Normalize(to)
		}
		out[Normalize(from)] = append(out[Normalize(from)], to)
	}
	return out, nil
}

// knownColumn reports whether norm is the normalized name of a column of
// some layout.
func knownColumn(norm string) bool {
	for _, k := range Kinds {
		if columnOf(k, norm) != nil {
			return true
		}
	}
	return false
}

// allColumns lists every layout's columns, for messages.
func allColumns() string {
	var parts []string
	for _, k := range Kinds {
		parts = append(parts, string(k)+": "+strings.Join(ColumnNames(k), ","))
	}
	return strings.Join(parts, "; ")
}

// columnOf returns kind k's column whose normalized name is norm, nil if
// none.
func columnOf(k Kind, norm string) *Column {
	for i, c := range Layout(k) {
		if Normalize(c.Name) == norm {
			return &Layout(k)[i]
		}
	}
	return nil
}

// Batch is what Read found in the files: tables of rows, by kind, not yet
// checked against the layouts' rules or the stored records (Plan does).
type Batch struct {
	// Files are the names of the files read, in the order given.
	Files  []string
	tables []*table
	// Ignored says which sheets and columns were left out and why.
	Ignored []string
}

// Kinds returns the kinds of record the batch holds, in apply order.
func (b *Batch) Kinds() []Kind {
	var out []Kind
	for _, k := range Kinds {
		if slices.ContainsFunc(b.tables, func(t *table) bool { return t.kind == k }) {
			out = append(out, k)
		}
	}
	return out
}

// Rows counts the data rows of every table.
func (b *Batch) Rows() int {
	n := 0
	for _, t := range b.tables {
		n += len(t.rows)
	}
	return n
}

// table is the rows of one kind from one file or sheet.
type table struct {
	kind Kind
	// at is the table's place: the file, or the sheet of a workbook.
	at diag.Pos
	// columns are the normalized names of the columns present.
	columns map[string]bool
	rows    []row
	// date1904 is set for a workbook whose serial dates count from 1904.
	date1904 bool
}

// row is one record's cells, by normalized column name.
type row struct {
	pos   diag.Pos // the row (its line), for problems of the whole row
	cells map[string]cell
}

// cell is one value of a row.
type cell struct {
	text string
	// list holds the items of an array (JSON, YAML); isList says it is one.
	list   []string
	isList bool
	pos    diag.Pos
}

// get returns the cell of column norm and whether the row has it.
func (r row) get(norm string) (cell, bool) {
	c, ok := r.cells[norm]
	return c, ok
}

// at returns the position of column norm's cell, the row's when it has
// none.
func (r row) at(norm string) diag.Pos {
	if c, ok := r.cells[norm]; ok {
		return c.pos
	}
	return r.pos
}

// Read reads the files: CSV (.csv), XLSX workbooks (.xlsx), JSON (.json)
// and YAML (.yaml, .yml). It returns every problem of syntax and layout
// (unknown, duplicate or missing key columns, a file or sheet of no known
// kind) as one diag.List; the values are checked by Plan.
func Read(files []File, opts Options) (*Batch, diag.List) {
	var diags diag.List
	b := &Batch{}
	for _, f := range files {
		b.Files = append(b.Files, f.Name)
		data := bytes.TrimPrefix(f.Data, []byte("\uFEFF")) // spreadsheet exports start with a byte order mark
		switch ext := strings.ToLower(filepath.Ext(f.Name)); ext {
		case ".csv":
			readCSV(b, f.Name, data, opts, &diags)
		case ".xlsx":
			readXLSX(b, f.Name, data, opts, &diags)
		case ".json", ".yaml", ".yml":
			readStructured(b, f.Name, data, opts, &diags)
		default:
			diags.Add(diag.Pos{File: f.Name}, "unknown format %q: import reads .csv, .xlsx, .json, .yaml and .yml files", ext)
		}
	}
	return b, diags
}

// kindByName returns the kind a file or sheet name says it holds
// ("courses.csv", "People", "completions-2024.json"), "" if none.
func kindByName(name string) Kind {
	n := Normalize(strings.TrimSuffix(filepath.Base(name), filepath.Ext(name)))
	for _, k := range []struct {
		kind  Kind
		words []string
	}{
		{Completions, []string{"completion", "training", "transcript"}},
		{Courses, []string{"course", "catalog"}},
		{Positions, []string{"position", "billet"}},
		{People, []string{"people", "person", "personnel", "staff", "employee"}},
	} {
		for _, w := range k.words {
			if strings.Contains(n, w) {
				return k.kind
			}
		}
	}
	return ""
}

// kindByColumns returns the kind whose layout best fits the normalized
// column names: every key column present, then the most columns of its
// layout; "" if no kind has its key columns.
func kindByColumns(cols []string) Kind {
	var best Kind
	bestScore := 0
	for _, k := range Kinds {
		score := 0
		keys := true
		for _, c := range Layout(k) {
			has := slices.Contains(cols, Normalize(c.Name))
			if has {
				score++
			} else if c.Key {
				keys = false
			}
		}
		if keys && score > bestScore {
			best, bestScore = k, score
		}
	}
	return best
}

// header maps the headers of a table to normalized column names of kind
// (after opts.Map) and reports unknown and duplicate ones and missing key
// columns. It returns the column name of each header ("" for an ignored
// one) and whether the header is usable.
func header(kind Kind, heads []string, pos func(i int) diag.Pos, opts Options, b *Batch, where string, diags *diag.List) ([]string, bool) {
	ok := true
	names := make([]string, len(heads))
	seen := map[string]bool{}
	for i, h := range heads {
		norm := opts.mapped(kind, Normalize(h))[0]
		switch {
		case norm == Ignore:
			b.Ignored = append(b.Ignored, fmt.Sprintf("%s: column %q (mapped to -)", where, h))
			continue
		case strings.TrimSpace(h) == "":
			diags.Add(pos(i), "a column without a header; the %s columns are %s", kind, strings.Join(ColumnNames(kind), ","))
			ok = false
		case columnOf(kind, norm) == nil:
			diags.Add(pos(i), "unknown column %q; the %s columns are %s (map another name with --map '%s=column', or leave it out with --map '%s=-')",
				h, kind, strings.Join(ColumnNames(kind), ","), h, h)
			ok = false
		case seen[norm]:
			diags.Add(pos(i), "column %q is given twice (as %s)", h, columnOf(kind, norm).Name)
			ok = false
		}
		seen[norm] = true
		names[i] = norm
	}
	for _, c := range Layout(kind) {
		if c.Key && !seen[Normalize(c.Name)] {
			diags.Add(pos(-1), "missing column %q, part of the key of %s; the %s columns are %s",
				c.Name, kind, kind, strings.Join(ColumnNames(kind), ","))
			ok = false
		}
	}
	return names, ok
}

// tableKind decides the kind of a table from its name and, failing that,
// its headers (mapped).
func tableKind(name string, heads []string, opts Options) Kind {
	if k := kindByName(name); k != "" {
		return k
	}
	var cols []string
	for _, h := range heads {
		cols = append(cols, opts.mapped("", Normalize(h))...)
	}
	return kindByColumns(cols)
}

// kindsList names the kinds, for messages.
func kindsList() string {
	names := make([]string, len(Kinds))
	for i, k := range Kinds {
		names[i] = string(k)
	}
	return strings.Join(names, ", ")
}
