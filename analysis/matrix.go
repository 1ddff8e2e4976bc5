package analysis

import (
	"cmap/domain"
	"context"
	"fmt"
	"slices"
)

// AnyStatus in MatrixFilter.Status selects courses of every status.
const AnyStatus = "any"

// MatrixFilter selects the rows, columns and cells of a coverage matrix.
// The zero value selects every sub-competency and every active course.
type MatrixFilter struct {
	// Competencies restricts the rows to these competencies ("4.0") or
	// sub-competencies ("4.C"); empty means all.
	Competencies []string
	// Status is engine.CourseActive (the default when empty),
	// engine.CourseRetired or AnyStatus.
	Status string
	// Provider restricts the columns to courses of this provider.
	Provider string
	// MinLevel drops cells below this level; empty keeps every cell.
	MinLevel string
}

// Matrix is the coverage matrix: sub-competencies (rows, in model order)
// against courses (columns, sorted by code).
type Matrix struct {
	// Levels is the scale, lowest first; Row.CountByLevel follows it.
	Levels []string
	// MinLevel is the filter's minimum level as spelled on the scale, ""
	// when the filter gave none.
	MinLevel string
	// Courses are the columns: the courses that pass the status and
	// provider filters and have at least one cell in the matrix.
	Courses []MatrixCourse
	// Rows has one entry per selected sub-competency, including those no
	// course covers (the gaps).
	Rows []MatrixRow
}

// MatrixCourse describes a column of the matrix.
type MatrixCourse struct {
	Code     string
	Title    string
	Provider string
	Status   string
	Hours    float64
}

// MatrixRow is one sub-competency with its cells and their summary.
type MatrixRow struct {
	SubCompetency string
	Competency    string
	Statement     string
	// Cells are sorted by course code.
	Cells []Cell
	// CountByLevel[i] is the number of cells at level Levels[i].
	CountByLevel []int
	// Highest is the highest level of the row's cells, "" when none.
	Highest string
	// Reach is the highest level at which a course the status and provider
	// filters select covers the sub-competency, whatever MinLevel; "" when
	// none covers it. Where MinLevel drops a row's every cell, Highest is
	// empty and Reach still says how far its courses get: with the active
	// status it is the Highest that Gaps and Demand report.
	Reach string
	// Gap reports that no active course covers the sub-competency at or
	// above the filter's MinLevel (at all, when it gives none), whatever
	// the status and provider filters select: exactly the rows Gaps at
	// that level reports Uncovered.
	Gap bool
}

// Cell is one coverage fact: a course covers the row's sub-competency at
// Level because of Rules.
type Cell struct {
	Course string
	Level  string
	// Rules are the index's own, shared by every matrix and never
	// changed: read them, do not modify them (appending copies them).
	Rules []domain.RuleRef
}

// selectSubs returns the sub-competency indexes selected by codes
// (competency or sub-competency codes), all when empty.
func (ix *Index) selectSubs(codes []string, field string) ([]bool, error) {
	sel := make([]bool, len(ix.subs))
	if len(codes) == 0 {
		for i := range sel {
			sel[i] = true
		}
		return sel, nil
	}
	for i, code := range codes {
		if s, ok := ix.subByCode[code]; ok {
			sel[s] = true
			continue
		}
		if ix.framework.Competency(code) == nil {
			return nil, domain.Invalid(fmt.Sprintf("%s[%d]", field, i), "unknown competency or sub-competency %q", code)
		}
		for s, info := range ix.subs {
			if info.competency == code {
				sel[s] = true
			}
		}
	}
	return sel, nil
}

// Matrix returns the coverage matrix selected by f. It fails with EINVALID
// when a filter names an unknown competency, status or level.
func (ix *Index) Matrix(f MatrixFilter) (*Matrix, error) {
	return ix.MatrixContext(context.Background(), f)
}

// matrixCheckEvery is how many courses MatrixContext goes through between
// two looks at its context.
const matrixCheckEvery = 256

// MatrixContext is Matrix that stops, returning ctx's error, when ctx is
// done (a request's deadline passed, its client went away).
func (ix *Index) MatrixContext(ctx context.Context, f MatrixFilter) (*Matrix, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	sel, err := ix.selectSubs(f.Competencies, "competencies")
	if err != nil {
		return nil, err
	}
	switch f.Status {
	case "":
		f.Status = domain.CourseActive
	case domain.CourseActive, domain.CourseRetired, AnyStatus:
	default:
		return nil, domain.Invalid("status", "status %q is not one of active, retired, any", f.Status)
	}
	minRank := uint8(1)
	if f.MinLevel != "" {
		if minRank, err = ix.rank(f.MinLevel, "minLevel"); err != nil {
			return nil, err
		}
	}
	m := &Matrix{Levels: slices.Clone(ix.scale.Levels), Rows: make([]MatrixRow, 0, len(ix.subs))}
	if f.MinLevel != "" {
		m.MinLevel = ix.scale.Level(int(minRank))
	}
	rowOf := make([]int, len(ix.subs))
	for s, info := range ix.subs {
		rowOf[s] = -1
		if sel[s] {
			rowOf[s] = len(m.Rows)
			m.Rows = append(m.Rows, MatrixRow{SubCompetency: info.code, Competency: info.competency, Statement: info.statement,
				CountByLevel: make([]int, ix.levels), Gap: ix.activeAtOrAbove(int32(s), minRank) == 0})
		}
	}
	highest, reach := make([]uint8, len(m.Rows)), make([]uint8, len(m.Rows))
	for i, code := range ix.courseCodes {
		if i%matrixCheckEvery == matrixCheckEvery-1 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		c, _ := ix.courses.get(code)
		if (f.Status != AnyStatus && c.course.Status != f.Status) || (f.Provider != "" && c.course.Provider != f.Provider) {
			continue
		}
		shown := false
		for _, cl := range c.cells {
			row := rowOf[cl.sub]
			if row < 0 {
				continue
			}
			reach[row] = max(reach[row], cl.rank)
			if cl.rank < minRank {
				continue
			}
			shown = true
			r := &m.Rows[row]
			r.Cells = append(r.Cells, Cell{Course: code, Level: ix.scale.Level(int(cl.rank)), Rules: cl.rules[:len(cl.rules):len(cl.rules)]})
			r.CountByLevel[cl.rank-1]++
			highest[row] = max(highest[row], cl.rank)
		}
		if shown {
			m.Courses = append(m.Courses, MatrixCourse{Code: code, Title: c.course.Title, Provider: c.course.Provider, Status: c.course.Status, Hours: c.course.Hours})
		}
	}
	for i := range m.Rows {
		m.Rows[i].Highest = ix.scale.Level(int(highest[i]))
		m.Rows[i].Reach = ix.scale.Level(int(reach[i]))
	}
	return m, nil
}

// DefaultOverServedAbove is the number of active courses at or above the
// level beyond which a sub-competency counts as over-served when the caller
// gives no threshold.
const DefaultOverServedAbove = 10

// GapReport lists the holes and the redundancy of the active catalogue at
// one level.
type GapReport struct {
	// Level is the level the report is about.
	Level string
	// Uncovered are the sub-competencies no active course covers at or
	// above Level, in model order.
	Uncovered []SubCompetencyCoverage
	// OverServedAbove is the threshold used for OverServed.
	OverServedAbove int
	// OverServed are the sub-competencies covered at or above Level by
	// more than OverServedAbove active courses, in model order.
	OverServed []SubCompetencyCoverage
	// CoveringNothing are the codes of the active courses that cover no
	// sub-competency at any level, sorted.
	CoveringNothing []string
}

// SubCompetencyCoverage is how well the active catalogue covers one
// sub-competency.
type SubCompetencyCoverage struct {
	SubCompetency string
	Competency    string
	// Highest is the highest level any active course reaches, "" if none.
	Highest string
	// Courses is the number of active courses at or above the report's level.
	Courses int
}

// Gaps reports the sub-competencies no active course covers at or above
// minLevel (empty means the lowest level: not covered at all), those
// covered by more than overServedAbove active courses at or above it (0 or
// less means DefaultOverServedAbove), and the active courses that cover
// nothing. It fails with EINVALID on the field "minLevel" when minLevel is
// not on the scale.
func (ix *Index) Gaps(minLevel string, overServedAbove int) (*GapReport, error) {
	r := uint8(1)
	if minLevel != "" {
		var err error
		if r, err = ix.rank(minLevel, "minLevel"); err != nil {
			return nil, err
		}
	}
	if overServedAbove <= 0 {
		overServedAbove = DefaultOverServedAbove
	}
	rep := &GapReport{Level: ix.scale.Level(int(r)), OverServedAbove: overServedAbove}
	for s, info := range ix.subs {
		n := ix.activeAtOrAbove(int32(s), r)
		sc := SubCompetencyCoverage{SubCompetency: info.code, Competency: info.competency, Highest: ix.scale.Level(int(ix.highest(int32(s)))), Courses: n}
		if n == 0 {
			rep.Uncovered = append(rep.Uncovered, sc)
		}
		if n > overServedAbove {
			rep.OverServed = append(rep.OverServed, sc)
		}
	}
	for _, code := range ix.courseCodes {
		if c, _ := ix.courses.get(code); c.active() && len(c.cells) == 0 {
			rep.CoveringNothing = append(rep.CoveringNothing, code)
		}
	}
	return rep, nil
}

// activeAtOrAbove returns the number of active courses that cover
// sub-competency sub at rank r or higher.
func (ix *Index) activeAtOrAbove(sub int32, r uint8) int {
	n := 0
	for k := int(r); k <= ix.levels; k++ {
		n += int(ix.activeCount[ix.slot(sub, uint8(k))])
	}
	return n
}

// SubCompetencyDemand is how many positions require one sub-competency at
// each level, and whether the active catalogue can meet it.
type SubCompetencyDemand struct {
	SubCompetency string
	Competency    string
	// Highest is the highest level any active course reaches, "" if none.
	Highest string
	// Levels has one entry per level of the scale, lowest first.
	Levels []LevelDemand
}

// LevelDemand is the demand for one sub-competency at one level.
type LevelDemand struct {
	Level string
	// Exactly counts positions requiring exactly this level; AtLeast those
	// requiring this level or a higher one.
	Exactly, AtLeast int
	// Meetable reports whether some active course reaches this level.
	Meetable bool
	// Blocking reports a demand no active course can meet: positions
	// require exactly this level (Exactly > 0) and Meetable is false.
	Blocking bool
}

// Demand returns the position demand of every sub-competency, in model
// order.
func (ix *Index) Demand() []SubCompetencyDemand {
	out := make([]SubCompetencyDemand, len(ix.subs))
	levels := make([]LevelDemand, len(ix.subs)*ix.levels)
	for s, info := range ix.subs {
		h := ix.highest(int32(s))
		d := SubCompetencyDemand{SubCompetency: info.code, Competency: info.competency, Highest: ix.scale.Level(int(h)), Levels: levels[s*ix.levels : (s+1)*ix.levels : (s+1)*ix.levels]}
		atLeast := 0
		for r := ix.levels; r > 0; r-- {
			n := int(ix.demand[ix.slot(int32(s), uint8(r))])
			atLeast += n
			meetable := uint8(r) <= h
			d.Levels[r-1] = LevelDemand{Level: ix.scale.Level(r), Exactly: n, AtLeast: atLeast, Meetable: meetable, Blocking: n > 0 && !meetable}
		}
		out[s] = d
	}
	return out
}
