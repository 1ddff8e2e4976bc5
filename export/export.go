// Package export writes cmap's answers and records as files people open in
// a spreadsheet (CSV, XLSX) or feed to other programs (JSON): the coverage
// matrix, the gap report, the position demand and the readiness of every
// person, and the catalogue's courses, positions, people and completions.
//
// # Shapes
//
// Every CSV file is a rectangular table (RFC 4180, encoding/csv) with one
// header row; every JSON file is one object whose field names are spelled
// out here, in lower camel case, independently of the Go types of package
// analysis. Output is deterministic: the same answers (and, for a
// workbook, the same Options.Made) give the same bytes.
//
// Coverage (one row per sub-competency, in model order):
//
//	subCompetency,competency,statement,<course code>...,<level> courses...,highest
//
// A course column holds the level at which the course covers the row's
// sub-competency, empty when it does not. The count columns, one per level
// of the scale (lowest first, headed "Basic courses" and so on), count the
// row's cells at that level; highest is the highest level of the row, empty
// when no course covers it.
//
// Gaps (one row per finding, uncovered first, then over-served, then
// courses covering nothing):
//
//	kind,level,subCompetency,competency,highest,courses,course
//
// kind is "uncovered" (no active course reaches level), "over-served"
// (more than the report's threshold of active courses reach it) or
// "covering-nothing" (an active course that covers no sub-competency).
// For the first two, highest is the highest level any active course
// reaches and courses counts the active courses at or above level; course
// is empty. For covering-nothing, only kind, level and course are set.
//
// With a level (Options.MinLevel), the report is about that level. Without
// one it is about every level of the scale: its uncovered and over-served
// rows are those of the report at each level, lowest level first (a
// sub-competency no course teaches at Advanced is uncovered at Expert too,
// and has a row at both), and its covering-nothing rows, which no level
// changes, come once with an empty level. Keep the rows of one level for
// the report at that level.
//
// Demand (one row per sub-competency and level, in model order, levels
// lowest first):
//
//	subCompetency,competency,level,exactly,atLeast,meetable,blocking,highest
//
// exactly counts the positions requiring exactly the level, atLeast those
// requiring it or a higher one; meetable says whether some active course
// reaches the level; blocking that positions require exactly the level and
// no active course reaches it; highest is the highest level any active
// course reaches, empty when none covers the sub-competency.
//
// Readiness (one row per person, sorted by id):
//
//	id,name,position,organization,hasPosition,ready,requirements,gapCount,gaps
//
// gaps lists the person's gaps in model order, separated by "; ", each as
// SUB:REQUIRED<ATTAINED ("4.C:Advanced<Basic": Advanced is required, Basic
// attained) or SUB:REQUIRED when nothing is attained ("4.C:Advanced").
// Booleans are written true and false.
//
// # The catalogue
//
// Courses, positions, people and completions are written in the tabular
// layout of package seed (tabular.Tables: the columns of the seeds folder's
// positions.csv, people.csv and completions.csv, and for courses the
// fields of courses.yaml), which the seeds folder and cmap's import read,
// so that a file exported and read back changes nothing:
//
//	courses:     code,title,description,objectives,topics,hours,deliveryMode,provider,status,prerequisites
//	positions:   id,title,organization,grade,category,key_billet,region
//	people:      id,name,position_id
//	completions: person_id,course_code,completed
//
// A list (objectives, topics, prerequisites) is one cell, an item a line
// (tabular.JoinList); a course with an item that is empty or holds a line
// break has no such cell and is refused (EINVALID on format) in CSV and
// XLSX; JSON keeps it. completed is a date, 2023-04-17. Records come by
// key; completions by person, then date, then course. The catalogue kind
// is the four together: a workbook with a sheet of each, named as the
// kind, or a JSON document with a list of each; it has no CSV form.
//
// The JSON document of a kind is an object with one field, the kind's
// name, holding a list of records, each an object of the layout's columns
// in order: lists are arrays, hours a number, key_billet a boolean, dates
// strings. So a courses JSON export is also a courses.yaml for a seeds
// folder, and the catalogue document is the four fields in one object.
//
// # Workbooks
//
// An XLSX export is a workbook whose first sheet is the table the CSV file
// holds (named Coverage, Gaps, Demand, Readiness, or the catalogue kind),
// with typed cells: counts and hours are numbers, booleans booleans,
// completion dates dates (yyyy-mm-dd). Each table's header row is frozen,
// with its first column beside it where that names the row, and carries an
// autofilter over the whole table. Level cells (coverage cells, levels and
// highest) are coloured as the coverage page colours the level (viridis,
// light for the lowest level to dark for the highest) and keep the level's
// name. The coverage workbook adds a Courses sheet (the columns' codes,
// titles, providers, statuses and hours). Every analysis workbook ends with
// a Legend sheet: what it holds, when it was made and from which rules
// (Options.Made and Options.Rules, when given), the model and scale, the
// parameters, each level's colour, and what each column means.
//
// # Spreadsheet safety
//
// A CSV cell that starts with =, +, -, @, a tab or a carriage return is a
// formula to a spreadsheet (CSV injection: a person named
// =HYPERLINK("http://...") would become a live link). Every text cell that
// starts so (names, titles, statements, codes, levels, headers) is written
// with a single quote before it, as OWASP recommends: '=HYPERLINK(...),
// and one that starts with quotes before such a character gets one quote
// more (tabular.NeutralizeCell). The spreadsheet shows the quote-free text;
// cmap's readers of CSV take the quote off (tabular.RestoreCell), so the
// catalogue round-trips exactly. Numeric and boolean cells are written by
// the exporter from numbers and never neutralized: a number such as -1 in a
// numeric column stays a number, not a formula. A text cell that reads -1
// (a course title, say) is written '-1.
//
// A workbook needs no quote: every text is an inline string cell, which a
// spreadsheet never evaluates, and no cell is ever written as a formula;
// the text is kept exactly, quotes, tabs and carriage returns included.
// (A character XML 1.0 cannot hold, a control character other than tab,
// line feed and carriage return, comes back as U+FFFD; a text longer than
// a cell's 32,767 characters is refused.) JSON output is not changed.
//
// The JSON documents carry the same information with the rules behind
// each coverage cell; a value that is absent is null, a list is never null:
//
//	coverage:  {levels, courses: [{code, title, provider, status, hours}],
//	            rows: [{subCompetency, competency, statement,
//	                    cells: [{course, level, rules: [{id, file, line}]}],
//	                    countByLevel: [{level, courses}], highest}]}
//	gaps:      {level, overServedAbove,
//	            uncovered: [{level, subCompetency, competency, highest, courses}],
//	            overServed: [same], coveringNothing: [course code]}
//	demand:    {levels, subCompetencies: [{subCompetency, competency, highest,
//	            levels: [{level, exactly, atLeast, meetable, blocking}]}]}
//	readiness: {people: [{id, name, positionId, organization, hasPosition,
//	            ready, requirements,
//	            gaps: [{subCompetency, required, attained}]}]}
//
// The gaps document's level is null when the report is about every level;
// each finding names its level.
package export

import (
	"cmap/domain"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"cmap/analysis"
)

// Format is a file format of an export.
type Format string

// The formats an export can be written in.
const (
	CSV  Format = "csv"
	JSON Format = "json"
	XLSX Format = "xlsx"
)

// Formats lists every format, for help texts and error messages.
var Formats = []Format{CSV, XLSX, JSON}

// ParseFormat returns the format named s (case-insensitive). It fails with
// an EINVALID *domain.Error on the field "format" for any other name.
func ParseFormat(s string) (Format, error) {
	switch f := Format(strings.ToLower(s)); f {
	case CSV, JSON, XLSX:
		return f, nil
	}
	return "", domain.Invalid("format", "unknown format %q: want csv, xlsx or json", s)
}

// ContentType returns the media type of the format, for HTTP responses.
func (f Format) ContentType() string {
	switch f {
	case JSON:
		return "application/json"
	case XLSX:
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	return "text/csv; charset=utf-8"
}

// Kind names one of the answers or record kinds that can be exported.
type Kind string

// The analysis answers that can be exported.
const (
	KindCoverage  Kind = "coverage"
	KindGaps      Kind = "gaps"
	KindDemand    Kind = "demand"
	KindReadiness Kind = "readiness"
)

// The catalogue's records that can be exported, in the layout of the
// seeds folder (package seed): each kind alone, or the whole catalogue.
const (
	KindCourses     Kind = "courses"
	KindPositions   Kind = "positions"
	KindPeople      Kind = "people"
	KindCompletions Kind = "completions"
	// KindCatalogue is the four kinds together: a workbook with a sheet
	// of each, or a JSON document with a list of each. It has no CSV
	// form, a CSV file holding one table.
	KindCatalogue Kind = "catalogue"
)

// Kinds lists every kind, in the order help texts name them.
var Kinds = []Kind{KindCourses, KindPositions, KindPeople, KindCompletions, KindCatalogue,
	KindCoverage, KindGaps, KindDemand, KindReadiness}

// ParseKind returns the kind named s. It fails with an EINVALID
// *domain.Error on the field "kind" for any other name.
func ParseKind(s string) (Kind, error) {
	for _, k := range Kinds {
		if string(k) == s {
			return k, nil
		}
	}
	return "", domain.Invalid("kind", "unknown export %q: want %s", s, KindNames())
}

// KindNames lists the kinds in words, in the order of Kinds: "courses,
// positions, ... or readiness".
func KindNames() string {
	names := make([]string, len(Kinds))
	for i, k := range Kinds {
		names[i] = string(k)
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// Supports reports whether the kind can be written in format f: every kind
// in every format but the catalogue in CSV.
func (k Kind) Supports(f Format) bool { return k.Check(f) == nil }

// Check returns nil when the kind can be written in format f, else an
// EINVALID *domain.Error on the field "format" that says why.
func (k Kind) Check(f Format) error {
	if k == KindCatalogue && f == CSV {
		return domain.Invalid("format", "the catalogue is four tables and a CSV file holds one: export it as xlsx or json, or each of courses, positions, people and completions as csv")
	}
	return nil
}

// Options select what an export of the Index contains and say where it
// comes from. The zero Options give the defaults.
type Options struct {
	// MinLevel is the level of the gap report and the lowest level of the
	// coverage cells; empty means every level (gaps) or every cell
	// (coverage). The other kinds ignore it.
	MinLevel string
	// Status selects the coverage matrix's courses as in
	// analysis.MatrixFilter.Status; empty means active courses.
	Status string
	// OverServedAbove is the gap report's threshold: a sub-competency more
	// active courses than this cover is over-served. 0 means
	// analysis.DefaultOverServedAbove; below 0 is EINVALID on
	// overServedAbove. ParseOverServedAbove reads it from text.
	OverServedAbove int
	// Made is when the export was made and Rules the rule set that
	// derived the index's facts; a workbook's legend states them (each
	// left out when zero or nil).
	Made  time.Time
	Rules RuleSet
}

// RuleSet is what a legend says of the rules that derived an export's
// facts (*engine.RuleSet is one), so that exports do not link the rules
// engine.
type RuleSet interface {
	Revision() string
	RuleCount() int
	Dir() string
	LoadedAt() time.Time
}

// ParseOverServedAbove reads the over-served threshold of a gap report
// from text: "" gives 0 (the default), otherwise a whole number of 1 or
// more. It fails with an EINVALID *domain.Error on the field
// "overServedAbove".
func ParseOverServedAbove(s string) (int, error) {
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 0, overServedError(s)
	}
	return n, nil
}

func overServedError(s string) error {
	return domain.Invalid("overServedAbove", "%q is not a number of courses: want a whole number of 1 or more", s)
}

// answer is an export ready to write: its JSON document, or its tables
// (the CSV file's one table, or the workbook's sheets) and the legend of
// its workbook.
type answer struct {
	json   any
	tables []*table
	legend *legend
}

// Write writes the export of kind from ix in format f. It fails with an
// EINVALID *domain.Error before writing anything: on format for the
// catalogue in CSV or a course list item no cell can keep (see The
// catalogue), and with the analysis error (naming minLevel or status) when
// the options are not valid for the index.
func Write(w io.Writer, ix *analysis.Index, kind Kind, f Format, o Options) error {
	if _, err := ParseKind(string(kind)); err != nil {
		return err
	}
	if _, err := ParseFormat(string(f)); err != nil {
		return err
	}
	if err := kind.Check(f); err != nil {
		return err
	}
	a, err := answerOf(ix, kind, f, o)
	if err != nil {
		return err
	}
	switch f {
	case JSON:
		return writeJSON(w, a.json)
	case CSV:
		return writeCSV(w, a.tables[0])
	}
	wb := newWorkbook(ix.Scale().Levels)
	err = wb.build(kind, a, ix, o)
	if err == nil {
		// Its first sheet is the active one, as in a new file: setting
		// it would read every streamed sheet back.
		err = wb.f.Write(w)
	}
	// Close removes the files a large sheet was streamed to, on any path.
	return errors.Join(err, wb.f.Close())
}

// build adds the answer's sheets to the workbook, and its legend.
func (b *workbook) build(kind Kind, a *answer, ix *analysis.Index, o Options) error {
	if err := b.describe(kind, o.Made); err != nil {
		return err
	}
	for _, t := range a.tables {
		if err := b.addTable(t); err != nil {
			return err
		}
	}
	if a.legend != nil {
		return b.addLegend(a.legend, ix, o)
	}
	return nil
}

// answerOf builds the export of kind for format f: the JSON document or
// the tables, not both.
func answerOf(ix *analysis.Index, kind Kind, f Format, o Options) (*answer, error) {
	a := &answer{}
	switch kind {
	case KindCoverage:
		m, err := ix.Matrix(analysis.MatrixFilter{MinLevel: o.MinLevel, Status: o.Status})
		if err != nil {
			return nil, err
		}
		if f == JSON {
			a.json = coverageJSON(m)
		} else {
			a.tables = []*table{coverageTable(m), matrixCoursesTable(m)}
			a.legend = coverageLegend(m, o)
		}
	case KindGaps:
		if o.OverServedAbove < 0 {
			return nil, overServedError(strconv.Itoa(o.OverServedAbove))
		}
		levels := []string{o.MinLevel}
		if o.MinLevel == "" {
			levels = ix.Scale().Levels
		}
		reports := make([]*analysis.GapReport, len(levels))
		for i, l := range levels {
			g, err := ix.Gaps(l, o.OverServedAbove)
			if err != nil {
				return nil, err
			}
			reports[i] = g
		}
		if f == JSON {
			a.json = gapsJSON(reports)
		} else {
			a.tables = []*table{gapsTable(reports)}
			a.legend = gapsLegend(reports)
		}
	case KindDemand:
		if f == JSON {
			a.json = demandJSON(ix.Scale().Levels, ix.Demand())
		} else {
			a.tables = []*table{demandTable(ix.Demand())}
			a.legend = demandLegend()
		}
	case KindReadiness:
		if f == JSON {
			a.json = readinessJSON(ix.PeopleReadiness())
		} else {
			a.tables = []*table{readinessTable(ix.PeopleReadiness())}
			a.legend = readinessLegend()
		}
	default:
		kinds := []Kind{kind}
		if kind == KindCatalogue {
			kinds = catalogueKinds
		}
		if f == JSON {
			a.json = catalogueJSON(ix, kinds)
			return a, nil
		}
		for _, k := range kinds {
			t, err := catalogueTable(ix, k)
			if err != nil {
				return nil, err
			}
			a.tables = append(a.tables, t)
		}
	}
	return a, nil
}

// coverageTable is the coverage matrix m as a table (see Coverage in the
// package documentation).
func coverageTable(m *analysis.Matrix) *table {
	t := &table{name: "Coverage", header: []string{"subCompetency", "competency", "statement"}, freezeColumns: 1}
	column := make(map[string]int, len(m.Courses))
	for _, c := range m.Courses {
		column[c.Code] = len(t.header)
		t.header = append(t.header, c.Code)
	}
	counts := len(t.header)
	t.evenColumns = [2]int{3, counts}
	for _, l := range m.Levels {
		t.header = append(t.header, l+" courses")
	}
	t.header = append(t.header, "highest")
	t.rows = make([][]cell, len(m.Rows))
	for i, r := range m.Rows {
		row := make([]cell, len(t.header))
		row[0], row[1], row[2] = textOf(r.SubCompetency), textOf(r.Competency), textOf(r.Statement)
		for _, c := range r.Cells {
			row[column[c.Course]] = levelOf(c.Level)
		}
		for j, n := range r.CountByLevel {
			row[counts+j] = intOf(n)
		}
		row[len(row)-1] = levelOf(r.Highest)
		t.rows[i] = row
	}
	return t
}

// matrixCoursesTable lists the courses that are the matrix's columns, for
// the workbook: the column headers name only their codes.
func matrixCoursesTable(m *analysis.Matrix) *table {
	t := &table{name: "Courses", header: []string{"code", "title", "provider", "status", "hours"}, freezeColumns: 1}
	for _, c := range m.Courses {
		t.rows = append(t.rows, []cell{textOf(c.Code), textOf(c.Title), textOf(c.Provider), textOf(c.Status), numberOf(c.Hours)})
	}
	return t
}

// Gap kinds of the gaps export's "kind" column.
const (
	GapUncovered       = "uncovered"
	GapOverServed      = "over-served"
	GapCoveringNothing = "covering-nothing"
)

// gapsTable is the gap report of one level, or of several levels (reports
// in scale order, all with one threshold) as one report about each of
// them, as the package documentation describes.
func gapsTable(reports []*analysis.GapReport) *table {
	t := &table{name: "Gaps", header: []string{"kind", "level", "subCompetency", "competency", "highest", "courses", "course"}}
	for _, kind := range []string{GapUncovered, GapOverServed} {
		for _, g := range reports {
			subs := g.Uncovered
			if kind == GapOverServed {
				subs = g.OverServed
			}
			for _, s := range subs {
				t.rows = append(t.rows, []cell{textOf(kind), levelOf(g.Level), textOf(s.SubCompetency), textOf(s.Competency),
					levelOf(s.Highest), intOf(s.Courses), textOf("")})
			}
		}
	}
	level := gapsLevel(reports)
	for _, code := range reports[0].CoveringNothing {
		t.rows = append(t.rows, []cell{textOf(GapCoveringNothing), levelOf(level), textOf(""), textOf(""), textOf(""), textOf(""), textOf(code)})
	}
	return t
}

// gapsLevel returns the level of the reports: the level of one report, ""
// for several.
func gapsLevel(reports []*analysis.GapReport) string {
	if len(reports) == 1 {
		return reports[0].Level
	}
	return ""
}

// demandTable is the position demand, one row per sub-competency and
// level.
func demandTable(demand []analysis.SubCompetencyDemand) *table {
	t := &table{name: "Demand", header: []string{"subCompetency", "competency", "level", "exactly", "atLeast", "meetable", "blocking", "highest"}, freezeColumns: 1}
	for _, d := range demand {
		for _, l := range d.Levels {
			t.rows = append(t.rows, []cell{textOf(d.SubCompetency), textOf(d.Competency), levelOf(l.Level),
				intOf(l.Exactly), intOf(l.AtLeast), boolOf(l.Meetable), boolOf(l.Blocking), levelOf(d.Highest)})
		}
	}
	return t
}

// readinessTable is the readiness of people, in the order given.
func readinessTable(people []*analysis.Readiness) *table {
	t := &table{name: "Readiness", header: []string{"id", "name", "position", "organization", "hasPosition", "ready", "requirements", "gapCount", "gaps"}, freezeColumns: 1}
	t.rows = make([][]cell, len(people))
	for i, r := range people {
		t.rows[i] = []cell{textOf(r.PersonID), textOf(r.Name), textOf(r.PositionID), textOf(r.Organization),
			boolOf(r.HasPosition), boolOf(r.Ready), intOf(r.Requirements), intOf(len(r.Gaps)), textOf(CompactGaps(r.Gaps))}
	}
	return t
}

// CompactGaps writes gaps in the compact form of the readiness export:
// "4.C:Advanced<Basic; 5.A:Basic".
func CompactGaps(gaps []analysis.Gap) string {
	var b strings.Builder
	for i, g := range gaps {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(g.SubCompetency)
		b.WriteByte(':')
		b.WriteString(g.Required)
		if g.Attained != "" {
			b.WriteByte('<')
			b.WriteString(g.Attained)
		}
	}
	return b.String()
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// describeRules says which rules derived an export's facts, for a legend.
func describeRules(rs RuleSet) string {
	return fmt.Sprintf("revision %s: %d rules from %s, loaded %s", rs.Revision(), rs.RuleCount(), rs.Dir(), rs.LoadedAt().UTC().Format(time.RFC3339))
}
