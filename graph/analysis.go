package graph

import (
	"context"

	"cmap/analysis"
	"cmap/engine"
	"cmap/graph/model"
)

// coverageMatrix answers the coverageMatrix query from the index: the
// analysis matrix, with each cell as the coverage fact it is. It stops
// when ctx is done.
func coverageMatrix(ctx context.Context, ix *analysis.Index, f analysis.MatrixFilter) (*model.CoverageMatrix, error) {
	m, err := ix.MatrixContext(ctx, f)
	if err != nil {
		return nil, err
	}
	out := &model.CoverageMatrix{Levels: m.Levels, MinLevel: optional(m.MinLevel), Courses: m.Courses, Rows: make([]model.CoverageRow, len(m.Rows))}
	for i, r := range m.Rows {
		row := model.CoverageRow{SubCompetency: r.SubCompetency, Gap: r.Gap, Highest: r.Highest, Reach: r.Reach,
			Counts: make([]model.LevelCount, len(r.CountByLevel)), Cells: make([]engine.Coverage, len(r.Cells))}
		for j, n := range r.CountByLevel {
			row.Counts[j] = model.LevelCount{Level: m.Levels[j], Courses: n}
		}
		for j, c := range r.Cells {
			row.Cells[j] = engine.Coverage{Course: c.Course, SubCompetency: r.SubCompetency, Level: c.Level, Rules: c.Rules}
		}
		out.Rows[i] = row
	}
	return out, nil
}

// courseImpact answers courseImpact: the impact of retiring, deleting or
// editing (as updateCourse would, checked as it checks) a stored course,
// from the serving index and rules. Nothing is written.
func (r *Resolver) courseImpact(ctx context.Context, code string, input *model.UpdateCourseInput, retire, del bool) (*model.CourseImpact, error) {
	changes := 0
	for _, given := range []bool{input != nil, retire, del} {
		if given {
			changes++
		}
	}
	if changes != 1 {
		return nil, engine.Invalid("", "give exactly one change: input, retire: true or delete: true")
	}
	ix := viewOf(ctx).Index()
	switch {
	case retire:
		imp, err := ix.ImpactOfRetirement(code)
		return impactOf(ctx, imp, "", err)
	case del:
		imp, err := ix.ImpactOfDeletion(code)
		return impactOf(ctx, imp, "", err)
	}
	stored, err := viewOf(ctx).Course(code)
	if err != nil {
		return nil, err
	}
	edited := *stored
	editCourse(&edited, *input)
	return r.impactOfCourse(ctx, ix, &edited)
}

// newCourseImpact answers newCourseImpact: the impact of adding a course
// that input describes. A code already in the catalogue is an edit, which
// courseImpact answers.
func (r *Resolver) newCourseImpact(ctx context.Context, input model.CreateCourseInput) (*model.CourseImpact, error) {
	c := courseOf(input)
	imp, err := r.impactOfCourse(ctx, viewOf(ctx).Index(), c)
	if err == nil && imp.Change != analysis.ChangeCreate {
		return nil, engine.Invalid("input.code", "course %s is in the catalogue: ask courseImpact(code:, input:) for an edit", c.Code)
	}
	return imp, err
}

// impactOfCourse checks c as a write of it would be checked, derives its
// coverage with the serving rules and compares the index with and without
// the change.
func (r *Resolver) impactOfCourse(ctx context.Context, ix *analysis.Index, c *engine.Course) (*model.CourseImpact, error) {
	preview, err := r.App.PreviewCourse(ctx, c)
	if err != nil {
		return nil, inputError("input", err)
	}
	imp, err := ix.ImpactOfCourse(c, preview.Coverage)
	return impactOf(ctx, imp, preview.RuleError, err)
}

// impactOf returns the answer of an impact query, queueing the people its
// selection will load.
func impactOf(ctx context.Context, imp *analysis.CourseImpact, ruleError string, err error) (*model.CourseImpact, error) {
	if err != nil {
		return nil, err
	}
	return &model.CourseImpact{CourseImpact: imp, RuleError: ruleError}, nil
}
