package tabular

import (
	"fmt"
	"strings"
	"time"
)

// Columns of each kind of record, in the order files use.
var (
	// CourseColumns are the fields of a course in courses.yaml, each a
	// column of the tabular layout; a list field (objectives, topics,
	// prerequisites) is one cell, its items joined by JoinList.
	CourseColumns = []string{"code", "title", "description", "objectives", "topics", "hours", "deliveryMode", "provider", "status", "prerequisites"}
	// PositionColumns are the columns of positions.csv; key_billet is
	// true or false.
	PositionColumns = []string{"id", "title", "organization", "grade", "category", "key_billet", "region"}
	// PersonColumns are the columns of people.csv; position_id is empty
	// for a person who holds no position.
	PersonColumns = []string{"id", "name", "position_id"}
	// CompletionColumns are the columns of completions.csv; completed is
	// a date in DateLayout.
	CompletionColumns = []string{"person_id", "course_code", "completed"}
)

// Table is one kind of catalogue record in the tabular layout.
type Table struct {
	// Name names the kind: the base name of its file (courses.csv), the
	// name of its sheet in a workbook and its key in a JSON document.
	Name    string
	Columns []string
}

// Tables lists the kinds of catalogue record, in the order a workbook
// holds their sheets: a record refers only to kinds before it.
var Tables = []Table{
	{Name: "courses", Columns: CourseColumns},
	{Name: "positions", Columns: PositionColumns},
	{Name: "people", Columns: PersonColumns},
	{Name: "completions", Columns: CompletionColumns},
}

// DateLayout is the form of a date in a cell: ISO 8601, 2023-04-17.
const DateLayout = time.DateOnly

// ListSeparator separates the items of a list in one cell: one item a
// line, as a spreadsheet shows a cell's lines.
const ListSeparator = "\n"

// JoinList returns the cell of a list field: its items, one a line. An
// item that is empty or holds a line break cannot be told apart from the
// separator, and is an error naming field[i].
func JoinList(field string, items []string) (string, error) {
	for i, s := range items {
		if s == "" || strings.ContainsAny(s, "\r\n") {
			return "", fmt.Errorf("%s[%d]: %q is empty or holds a line break, which a cell of one item a line cannot keep", field, i, s)
		}
	}
	return strings.Join(items, ListSeparator), nil
}

// SplitList returns the items of a list cell: its lines, a carriage
// return before a line break ignored and empty lines skipped. An empty
// cell is an empty list.
func SplitList(cell string) []string {
	items := []string{}
	for line := range strings.SplitSeq(cell, ListSeparator) {
		if line = strings.TrimSuffix(line, "\r"); line != "" {
			items = append(items, line)
		}
	}
	return items
}

// Spreadsheet safety of CSV cells. A spreadsheet takes a CSV cell that
// starts with =, +, -, @, a tab or a carriage return for a formula (CSV
// injection: a person named =HYPERLINK("http://...") would become a live
// link). NeutralizeCell writes such a cell with a single quote before it,
// as OWASP recommends; the spreadsheet shows the text without the quote,
// and RestoreCell, which every reader of cmap's CSV files applies, takes
// it off again. So that the pair is exact, a text that already starts
// with quotes followed by one of those characters gets one quote more.

// NeutralizeCell returns the CSV cell of the text s (see above).
func NeutralizeCell(s string) string {
	if formulaLike(strings.TrimLeft(s, "'")) {
		return "'" + s
	}
	return s
}

// RestoreCell returns the text of a CSV cell NeutralizeCell wrote: cell
// without the quote NeutralizeCell put before it, and any other cell
// unchanged.
func RestoreCell(cell string) string {
	if strings.HasPrefix(cell, "'") && formulaLike(strings.TrimLeft(cell, "'")) {
		return cell[1:]
	}
	return cell
}

// formulaLike reports whether a spreadsheet would take a cell starting
// as s does for a formula.
func formulaLike(s string) bool {
	if s == "" {
		return false
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return true
	}
	return false
}
