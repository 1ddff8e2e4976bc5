// Package export writes cmap's analysis answers as files people open in a
// spreadsheet (CSV) or feed to other programs (JSON): the coverage matrix,
// the gap report and the readiness of every person.
//
// # Shapes
//
// Every CSV file is a rectangular table (RFC 4180, encoding/csv) with one
// header row; every JSON file is one object whose field names are spelled
// out here, in lower camel case, independently of the Go types of package
// analysis. Output is deterministic: the same answers give the same bytes.
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
// Readiness (one row per person, sorted by id):
//
//	id,name,position,organization,hasPosition,ready,requirements,gapCount,gaps
//
// gaps lists the person's gaps in model order, separated by "; ", each as
// SUB:REQUIRED<ATTAINED ("4.C:Advanced<Basic": Advanced is required, Basic
// attained) or SUB:REQUIRED when nothing is attained ("4.C:Advanced").
// Booleans are written true and false.
//
// # Spreadsheet safety
//
// A CSV cell that starts with =, +, -, @, a tab or a carriage return is a
// formula to a spreadsheet (CSV injection: a person named
// =HYPERLINK("http://...") would become a live link). Every text cell that
// starts so (names, titles, statements, codes, levels, headers) is written
// with a single quote before it, as OWASP recommends: '=HYPERLINK(...).
// The spreadsheet shows the quote-free text; a program reading the file
// sees the quote. Numeric cells (counts) and booleans are written by the
// exporter from numbers and never neutralized: the counts are never
// negative, and a number such as -1 in a numeric column would stay -1,
// a number to the spreadsheet, not a formula. A text cell that reads -1
// (a course title, say) is written '-1. JSON output is not changed.
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
//	readiness: {people: [{id, name, positionId, organization, hasPosition,
//	            ready, requirements,
//	            gaps: [{subCompetency, required, attained}]}]}
//
// The gaps document's level is null when the report is about every level;
// each finding names its level.
package export

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"cmap/analysis"
	"cmap/engine"
)

// Format is a file format of an export.
type Format string

// The formats an export can be written in.
const (
	CSV  Format = "csv"
	JSON Format = "json"
)

// Formats lists every format, for help texts and error messages.
var Formats = []Format{CSV, JSON}

// ParseFormat returns the format named s (case-insensitive). It fails with
// an EINVALID *engine.Error on the field "format" for any other name.
func ParseFormat(s string) (Format, error) {
	switch f := Format(strings.ToLower(s)); f {
	case CSV, JSON:
		return f, nil
	}
	return "", engine.Invalid("format", "unknown format %q: want csv or json", s)
}

// ContentType returns the media type of the format, for HTTP responses.
func (f Format) ContentType() string {
	if f == JSON {
		return "application/json"
	}
	return "text/csv; charset=utf-8"
}

// Kind names one of the answers that can be exported.
type Kind string

// The answers that can be exported.
const (
	KindCoverage  Kind = "coverage"
	KindGaps      Kind = "gaps"
	KindReadiness Kind = "readiness"
)

// Kinds lists every kind, in the order help texts name them.
var Kinds = []Kind{KindCoverage, KindGaps, KindReadiness}

// ParseKind returns the kind named s. It fails with an EINVALID
// *engine.Error on the field "kind" for any other name.
func ParseKind(s string) (Kind, error) {
	switch k := Kind(s); k {
	case KindCoverage, KindGaps, KindReadiness:
		return k, nil
	}
	return "", engine.Invalid("kind", "unknown export %q: want coverage, gaps or readiness", s)
}

// Options select what an export of the Index contains. The zero Options
// give the defaults.
type Options struct {
	// MinLevel is the level of the gap report and the lowest level of the
	// coverage cells; empty means every level (gaps) or every cell
	// (coverage). It is ignored by readiness.
	MinLevel string
	// Status selects the coverage matrix's courses as in
	// analysis.MatrixFilter.Status; empty means active courses.
	Status string
	// OverServedAbove is the gap report's threshold: a sub-competency more
	// active courses than this cover is over-served. 0 means
	// analysis.DefaultOverServedAbove; below 0 is EINVALID on
	// overServedAbove. ParseOverServedAbove reads it from text.
	OverServedAbove int
}

// ParseOverServedAbove reads the over-served threshold of a gap report
// from text: "" gives 0 (the default), otherwise a whole number of 1 or
// more. It fails with an EINVALID *engine.Error on the field
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
	return engine.Invalid("overServedAbove", "%q is not a number of courses: want a whole number of 1 or more", s)
}

// Write writes the answer of kind from ix in format f. It fails with the
// analysis error (EINVALID naming minLevel or status) when the options are
// not valid for the index, before writing anything.
func Write(w io.Writer, ix *analysis.Index, kind Kind, f Format, o Options) error {
	switch kind {
	case KindCoverage:
		m, err := ix.Matrix(analysis.MatrixFilter{MinLevel: o.MinLevel, Status: o.Status})
		if err != nil {
			return err
		}
		return Coverage(w, f, m)
	case KindGaps:
		if o.OverServedAbove < 0 {
			return overServedError(strconv.Itoa(o.OverServedAbove))
		}
		levels := []string{o.MinLevel}
		if o.MinLevel == "" {
			levels = ix.Scale().Levels
		}
		reports := make([]*analysis.GapReport, len(levels))
		for i, l := range levels {
			g, err := ix.Gaps(l, o.OverServedAbove)
			if err != nil {
				return err
			}
			reports[i] = g
		}
		return Gaps(w, f, reports...)
	case KindReadiness:
		return Readiness(w, f, ix.PeopleReadiness())
	}
	_, err := ParseKind(string(kind))
	return err
}

// Coverage writes the coverage matrix m.
func Coverage(w io.Writer, f Format, m *analysis.Matrix) error {
	if f == JSON {
		return writeJSON(w, coverageJSON(m))
	}
	header := []string{"subCompetency", "competency", "statement"}
	column := make(map[string]int, len(m.Courses))
	for _, c := range m.Courses {
		column[c.Code] = len(header)
		header = append(header, text(c.Code))
	}
	for _, l := range m.Levels {
		header = append(header, text(l+" courses"))
	}
	header = append(header, "highest")
	cw := csv.NewWriter(w)
	if err := cw.Write(header); err != nil {
		return err
	}
	for _, r := range m.Rows {
		rec := make([]string, len(header))
		rec[0], rec[1], rec[2] = text(r.SubCompetency), text(r.Competency), text(r.Statement)
		for _, c := range r.Cells {
			rec[column[c.Course]] = text(c.Level)
		}
		counts := 3 + len(m.Courses)
		for i, n := range r.CountByLevel {
			rec[counts+i] = strconv.Itoa(n)
		}
		rec[len(rec)-1] = text(r.Highest)
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// Gap kinds of the gaps export's "kind" column.
const (
	GapUncovered       = "uncovered"
	GapOverServed      = "over-served"
	GapCoveringNothing = "covering-nothing"
)

// Gaps writes the gap report of one level, or of several levels (reports
// in scale order, all with one threshold) as one report about each of
// them, as the package documentation describes.
func Gaps(w io.Writer, f Format, reports ...*analysis.GapReport) error {
	if len(reports) == 0 {
		return fmt.Errorf("export: no gap report to write")
	}
	if f == JSON {
		return writeJSON(w, gapsJSON(reports))
	}
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"kind", "level", "subCompetency", "competency", "highest", "courses", "course"}); err != nil {
		return err
	}
	for _, kind := range []string{GapUncovered, GapOverServed} {
		for _, g := range reports {
			subs := g.Uncovered
			if kind == GapOverServed {
				subs = g.OverServed
			}
			for _, s := range subs {
				if err := cw.Write([]string{kind, text(g.Level), text(s.SubCompetency), text(s.Competency), text(s.Highest), strconv.Itoa(s.Courses), ""}); err != nil {
					return err
				}
			}
		}
	}
	level := gapsLevel(reports)
	for _, code := range reports[0].CoveringNothing {
		if err := cw.Write([]string{GapCoveringNothing, text(level), "", "", "", "", text(code)}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// gapsLevel returns the level of the reports: the level of one report, ""
// for several.
func gapsLevel(reports []*analysis.GapReport) string {
	if len(reports) == 1 {
		return reports[0].Level
	}
	return ""
}

// Readiness writes the readiness of people, in the order given.
func Readiness(w io.Writer, f Format, people []*analysis.Readiness) error {
	if f == JSON {
		return writeJSON(w, readinessJSON(people))
	}
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"id", "name", "position", "organization", "hasPosition", "ready", "requirements", "gapCount", "gaps"}); err != nil {
		return err
	}
	for _, r := range people {
		rec := []string{text(r.PersonID), text(r.Name), text(r.PositionID), text(r.Organization),
			strconv.FormatBool(r.HasPosition), strconv.FormatBool(r.Ready),
			strconv.Itoa(r.Requirements), strconv.Itoa(len(r.Gaps)), text(CompactGaps(r.Gaps))}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// text returns s fit for a text cell: with a single quote before it when
// a spreadsheet would take it for a formula (see Spreadsheet safety).
func text(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
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
