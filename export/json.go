package export

import (
	"cmap/analysis"
	"cmap/domain"
)

// The JSON documents. Their field names are part of the export format, so
// they are spelled out here rather than taken from the analysis types;
// slices are never nil, so that an empty list is written [] and not null.

// coverageDoc is the JSON form of the coverage matrix.
type coverageDoc struct {
	Levels  []string         `json:"levels"`
	Courses []courseColumn   `json:"courses"`
	Rows    []coverageRowDoc `json:"rows"`
}

// courseColumn is a column of the coverage matrix.
type courseColumn struct {
	Code     string  `json:"code"`
	Title    string  `json:"title"`
	Provider string  `json:"provider"`
	Status   string  `json:"status"`
	Hours    float64 `json:"hours"`
}

// coverageRowDoc is one sub-competency of the coverage matrix.
type coverageRowDoc struct {
	SubCompetency string       `json:"subCompetency"`
	Competency    string       `json:"competency"`
	Statement     string       `json:"statement"`
	Cells         []cellDoc    `json:"cells"`
	Counts        []levelCount `json:"countByLevel"`
	// Highest is null when no course covers the sub-competency.
	Highest *string `json:"highest"`
}

// cellDoc is one coverage fact with the rules behind it.
type cellDoc struct {
	Course string           `json:"course"`
	Level  string           `json:"level"`
	Rules  []domain.RuleRef `json:"rules"`
}

// levelCount counts a row's cells at one level.
type levelCount struct {
	Level   string `json:"level"`
	Courses int    `json:"courses"`
}

func coverageJSON(m *analysis.Matrix) coverageDoc {
	doc := coverageDoc{Levels: nonNil(m.Levels), Courses: make([]courseColumn, len(m.Courses)), Rows: make([]coverageRowDoc, len(m.Rows))}
	for i, c := range m.Courses {
		doc.Courses[i] = courseColumn{Code: c.Code, Title: c.Title, Provider: c.Provider, Status: c.Status, Hours: c.Hours}
	}
	for i, r := range m.Rows {
		row := coverageRowDoc{SubCompetency: r.SubCompetency, Competency: r.Competency, Statement: r.Statement,
			Cells: make([]cellDoc, len(r.Cells)), Counts: make([]levelCount, len(r.CountByLevel)), Highest: optional(r.Highest)}
		for j, c := range r.Cells {
			row.Cells[j] = cellDoc{Course: c.Course, Level: c.Level, Rules: nonNil(c.Rules)}
		}
		for j, n := range r.CountByLevel {
			row.Counts[j] = levelCount{Level: m.Levels[j], Courses: n}
		}
		doc.Rows[i] = row
	}
	return doc
}

// gapsDoc is the JSON form of a gap report.
type gapsDoc struct {
	// Level is null when the report is about every level.
	Level           *string          `json:"level"`
	OverServedAbove int              `json:"overServedAbove"`
	Uncovered       []subCoverageDoc `json:"uncovered"`
	OverServed      []subCoverageDoc `json:"overServed"`
	CoveringNothing []string         `json:"coveringNothing"`
}

// subCoverageDoc is how well the active catalogue covers a sub-competency
// at a level.
type subCoverageDoc struct {
	Level         string `json:"level"`
	SubCompetency string `json:"subCompetency"`
	Competency    string `json:"competency"`
	// Highest is null when no active course covers the sub-competency.
	Highest *string `json:"highest"`
	// Courses counts the active courses at or above the level.
	Courses int `json:"courses"`
}

// gapsJSON returns the document of the reports, one per level.
func gapsJSON(reports []*analysis.GapReport) gapsDoc {
	doc := gapsDoc{Level: optional(gapsLevel(reports)), OverServedAbove: reports[0].OverServedAbove,
		Uncovered: []subCoverageDoc{}, OverServed: []subCoverageDoc{}, CoveringNothing: nonNil(reports[0].CoveringNothing)}
	add := func(to []subCoverageDoc, level string, in []analysis.SubCompetencyCoverage) []subCoverageDoc {
		for _, s := range in {
			to = append(to, subCoverageDoc{Level: level, SubCompetency: s.SubCompetency, Competency: s.Competency,
				Highest: optional(s.Highest), Courses: s.Courses})
		}
		return to
	}
	for _, g := range reports {
		doc.Uncovered = add(doc.Uncovered, g.Level, g.Uncovered)
	}
	for _, g := range reports {
		doc.OverServed = add(doc.OverServed, g.Level, g.OverServed)
	}
	return doc
}

// readinessDoc is the JSON form of the readiness of people.
type readinessDoc struct {
	People []personReadinessDoc `json:"people"`
}

// personReadinessDoc is one person's readiness.
type personReadinessDoc struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// PositionID is null when the person's record names no position.
	PositionID   *string  `json:"positionId"`
	Organization *string  `json:"organization"`
	HasPosition  bool     `json:"hasPosition"`
	Ready        bool     `json:"ready"`
	Requirements int      `json:"requirements"`
	Gaps         []gapDoc `json:"gaps"`
}

// gapDoc is a requirement a person does not meet.
type gapDoc struct {
	SubCompetency string `json:"subCompetency"`
	Required      string `json:"required"`
	// Attained is null when the person attained no level.
	Attained *string `json:"attained"`
}

func readinessJSON(people []*analysis.Readiness) readinessDoc {
	doc := readinessDoc{People: make([]personReadinessDoc, len(people))}
	for i, r := range people {
		p := personReadinessDoc{ID: r.PersonID, Name: r.Name, PositionID: optional(r.PositionID), Organization: optional(r.Organization),
			HasPosition: r.HasPosition, Ready: r.Ready, Requirements: r.Requirements, Gaps: make([]gapDoc, len(r.Gaps))}
		for j, g := range r.Gaps {
			p.Gaps[j] = gapDoc{SubCompetency: g.SubCompetency, Required: g.Required, Attained: optional(g.Attained)}
		}
		doc.People[i] = p
	}
	return doc
}

// optional returns nil for "" (written null) and &s otherwise.
func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// demandDoc is the JSON form of the position demand.
type demandDoc struct {
	Levels          []string       `json:"levels"`
	SubCompetencies []subDemandDoc `json:"subCompetencies"`
}

// subDemandDoc is the demand for one sub-competency.
type subDemandDoc struct {
	SubCompetency string `json:"subCompetency"`
	Competency    string `json:"competency"`
	// Highest is null when no active course covers the sub-competency.
	Highest *string          `json:"highest"`
	Levels  []levelDemandDoc `json:"levels"`
}

// levelDemandDoc is the demand for one sub-competency at one level.
type levelDemandDoc struct {
	Level    string `json:"level"`
	Exactly  int    `json:"exactly"`
	AtLeast  int    `json:"atLeast"`
	Meetable bool   `json:"meetable"`
	Blocking bool   `json:"blocking"`
}

func demandJSON(levels []string, demand []analysis.SubCompetencyDemand) demandDoc {
	doc := demandDoc{Levels: nonNil(levels), SubCompetencies: make([]subDemandDoc, len(demand))}
	for i, d := range demand {
		s := subDemandDoc{SubCompetency: d.SubCompetency, Competency: d.Competency, Highest: optional(d.Highest),
			Levels: make([]levelDemandDoc, len(d.Levels))}
		for j, l := range d.Levels {
			s.Levels[j] = levelDemandDoc{Level: l.Level, Exactly: l.Exactly, AtLeast: l.AtLeast, Meetable: l.Meetable, Blocking: l.Blocking}
		}
		doc.SubCompetencies[i] = s
	}
	return doc
}
