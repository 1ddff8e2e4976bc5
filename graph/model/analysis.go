package model

import (
	"cmap/analysis"
	"cmap/domain"
)

// CoverageMatrix is the answer of the coverageMatrix query: the analysis
// matrix with each row's gap mark and cells as coverage facts.
type CoverageMatrix struct {
	Levels []string
	// MinLevel is the filter's minimum level as spelled on the scale, nil
	// when the filter gave none.
	MinLevel *string
	Courses  []analysis.MatrixCourse
	Rows     []CoverageRow
}

// CoverageRow is one sub-competency of the coverage matrix.
type CoverageRow struct {
	SubCompetency string
	// Gap reports that no active course reaches the filter's minimum level.
	Gap bool
	// Highest is the highest level of the row's cells, "" when none.
	Highest string
	// Reach is the highest level of the selected courses on the row,
	// whatever the minimum level, "" when none covers it.
	Reach string
	// Counts has one entry per level of the scale, lowest first.
	Counts []LevelCount
	// Cells are the row's coverage facts, by course code.
	Cells []domain.Coverage
}

// LevelCount is a number of courses at one level.
type LevelCount struct {
	Level   string
	Courses int
}
