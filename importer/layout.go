package importer

import (
	"cmap/tabular"
	"strings"
	"time"
)

// Kind is a kind of record a file or sheet holds.
type Kind string

// The kinds of record an import reads, in the order they are applied.
const (
	Courses     Kind = "courses"
	Positions   Kind = "positions"
	People      Kind = "people"
	Completions Kind = "completions"
)

// Kinds lists every kind, in the order an import applies them.
var Kinds = []Kind{Courses, Positions, People, Completions}

// Type is the type of a column's values.
type Type string

// Column types.
const (
	// Text is a string, trimmed.
	Text Type = "text"
	// Number is a decimal number.
	Number Type = "number"
	// Bool is true or false (yes/no, y/n, 1/0 are read too).
	Bool Type = "bool"
	// Date is a day: ISO 8601 (2023-04-17), and in spreadsheets the
	// common forms and date cells (see ParseDate).
	Date Type = "date"
	// List is a list of texts: an array in JSON and YAML, one item per
	// line of the cell (ListSeparator) in CSV and XLSX.
	List Type = "list"
)

// ListSeparator separates the items of a List column in one CSV or XLSX
// cell: the layout's (tabular.ListSeparator). Readers also split topics and
// prerequisites on ";".
const ListSeparator = tabular.ListSeparator

// Column is one column of a layout: one field of a record.
type Column struct {
	// Name is the column's name as the seed files and cmap's exports
	// write it. Headers match it case- and space-insensitively, and
	// "_" or "-" against camelCase (see Normalize).
	Name string
	Type Type
	// Key reports that the column is part of the record's natural key.
	Key bool
}

// The layouts: the columns of each kind, in the order exports write
// them, are the catalogue's tabular layout, defined once in package seed
// (tabular.Tables: the seed files' headers and courses.yaml's fields), which
// the catalogue exports (package export) write. This package adds each
// column's type and whether it is part of the key.
var (
	courseColumns     = columnsOf(tabular.CourseColumns)
	positionColumns   = columnsOf(tabular.PositionColumns)
	personColumns     = columnsOf(tabular.PersonColumns)
	completionColumns = columnsOf(tabular.CompletionColumns)
)

// columnTypes are the types of the columns that are not Text.
var columnTypes = map[string]Type{
	"objectives": List, "topics": List, "prerequisites": List, "hours": Number,
	"key_billet": Bool, "completed": Date,
}

// keyColumns are the columns of the natural keys: a course's code, a
// position's and a person's id, a completion's person, course and day.
var keyColumns = map[string]bool{"code": true, "id": true, "person_id": true, "course_code": true, "completed": true}

// columnsOf returns the columns of names, with their types and keys.
func columnsOf(names []string) []Column {
	out := make([]Column, len(names))
	for i, n := range names {
		t, ok := columnTypes[n]
		if !ok {
			t = Text
		}
		out[i] = Column{Name: n, Type: t, Key: keyColumns[n]}
	}
	return out
}

// Layout returns the columns of kind k, in export order; nil for an
// unknown kind. The slice is the package's: do not modify it.
func Layout(k Kind) []Column {
	switch k {
	case Courses:
		return courseColumns
	case Positions:
		return positionColumns
	case People:
		return personColumns
	case Completions:
		return completionColumns
	}
	return nil
}

// ColumnNames returns the names of kind k's columns, in export order: the
// header row of an export.
func ColumnNames(k Kind) []string {
	cols := Layout(k)
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.Name
	}
	return names
}

// Normalize returns the form in which header names are compared: lower
// case, without spaces, underscores and dashes, so that "Position ID",
// "position_id" and "positionId" are one name.
func Normalize(name string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(name)) {
		switch r {
		case ' ', '_', '-', '\t':
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// formatDay writes a day as the layout has it (tabular.DateLayout), in UTC.
func formatDay(t time.Time) string { return t.UTC().Format(tabular.DateLayout) }
