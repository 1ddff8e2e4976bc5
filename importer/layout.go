package importer

import (
	"strconv"
	"strings"
	"time"

	"cmap/engine"
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
// cell. Readers also split topics and prerequisites on ";".
const ListSeparator = "\n"

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

// The layouts: the columns of each kind, in the order exports write them.
// They are the seed files' (seeds/README.md): courses.yaml's field names,
// and positions.csv, people.csv and completions.csv's headers.
var (
	courseColumns = []Column{
		{Name: "code", Type: Text, Key: true}, {Name: "title", Type: Text}, {Name: "description", Type: Text},
		{Name: "objectives", Type: List}, {Name: "topics", Type: List}, {Name: "hours", Type: Number},
		{Name: "deliveryMode", Type: Text}, {Name: "provider", Type: Text}, {Name: "status", Type: Text},
		{Name: "prerequisites", Type: List},
	}
	positionColumns = []Column{
		{Name: "id", Type: Text, Key: true}, {Name: "title", Type: Text}, {Name: "organization", Type: Text},
		{Name: "grade", Type: Text}, {Name: "category", Type: Text}, {Name: "key_billet", Type: Bool},
		{Name: "region", Type: Text},
	}
	personColumns = []Column{
		{Name: "id", Type: Text, Key: true}, {Name: "name", Type: Text}, {Name: "position_id", Type: Text},
	}
	completionColumns = []Column{
		{Name: "person_id", Type: Text, Key: true}, {Name: "course_code", Type: Text, Key: true},
		{Name: "completed", Type: Date, Key: true},
	}
)

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

// CourseValues returns the values of c's columns, in layout order: a
// string, a float64 for Number and a []string for List columns. Writers
// of CSV and XLSX join lists with ListSeparator; JSON and YAML writers
// write them as arrays, under a key per kind ({"courses": [...]}).
func CourseValues(c *engine.Course) []any {
	return []any{c.Code, c.Title, c.Description, listOrEmpty(c.Objectives), listOrEmpty(c.Topics), c.Hours,
		c.DeliveryMode, c.Provider, c.Status, listOrEmpty(c.Prerequisites)}
}

// PositionValues returns the values of p's columns, in layout order (a
// bool for key_billet).
func PositionValues(p *engine.Position) []any {
	return []any{p.ID, p.Title, p.Organization, p.Grade, p.Category, p.KeyBillet, p.Region}
}

// PersonValues returns the values of p's columns, in layout order; its
// completions are rows of their own (CompletionValues).
func PersonValues(p *engine.Person) []any {
	return []any{p.ID, p.Name, p.PositionID}
}

// CompletionValues returns the values of a completion's columns, in
// layout order: the date as an ISO date (FormatDate).
func CompletionValues(personID string, c engine.Completion) []any {
	return []any{personID, c.CourseCode, FormatDate(c.Completed)}
}

// FormatDate writes a day as imports read it back: YYYY-MM-DD, in UTC.
func FormatDate(t time.Time) string { return t.UTC().Format(time.DateOnly) }

// FormatCell writes one value of a *Values function as one CSV or XLSX
// cell: lists joined with ListSeparator, numbers in their shortest form.
func FormatCell(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case []string:
		return strings.Join(v, ListSeparator)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	}
	return ""
}

func listOrEmpty(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}
