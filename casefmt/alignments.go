package casefmt

import (
	"cmp"
	"slices"
	"time"

	"cmap/analysis"
)

// AlignmentsOf returns the coverage of every active course in ix as
// alignments: by course code, then in model order, each at the level the
// rules give, dated at the course's last write.
func AlignmentsOf(ix *analysis.Index) ([]Alignment, error) {
	m, err := ix.Matrix(analysis.MatrixFilter{})
	if err != nil {
		return nil, err
	}
	titles := map[string]string{}
	for _, c := range m.Courses {
		titles[c.Code] = c.Title
	}
	var out []Alignment
	for _, row := range m.Rows {
		for _, cell := range row.Cells {
			a := Alignment{Course: cell.Course, CourseTitle: titles[cell.Course], SubCompetency: row.SubCompetency, Level: cell.Level}
			if c, ok := ix.Course(cell.Course); ok {
				a.Changed = c.UpdatedAt
			}
			out = append(out, a)
		}
	}
	// Rows come in model order: a stable sort by course keeps it within a
	// course.
	slices.SortStableFunc(out, func(a, b Alignment) int { return cmp.Compare(a.Course, b.Course) })
	return out, nil
}

// LatestChange returns the latest Changed of alignments, the zero time
// when there are none or none is dated.
func LatestChange(alignments []Alignment) time.Time {
	var latest time.Time
	for _, a := range alignments {
		if a.Changed.After(latest) {
			latest = a.Changed
		}
	}
	return latest
}
