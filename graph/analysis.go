package graph

import (
	"context"

	"cmap/analysis"
	"cmap/app"
	"cmap/engine"
	"cmap/graph/model"
)

// coverageMatrix answers the coverageMatrix query from the index: the
// analysis matrix, with each cell as the coverage fact it is.
func coverageMatrix(ix *analysis.Index, f analysis.MatrixFilter) (*model.CoverageMatrix, error) {
	m, err := ix.Matrix(f)
	if err != nil {
		return nil, err
	}
	out := &model.CoverageMatrix{Levels: m.Levels, MinLevel: optional(m.MinLevel), Courses: m.Courses, Rows: make([]model.CoverageRow, len(m.Rows))}
	for i, r := range m.Rows {
		row := model.CoverageRow{SubCompetency: r.SubCompetency, Gap: r.Gap, Highest: r.Highest,
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
// editing a stored course, as the App predicts the write. Nothing is
// written.
func (r *Resolver) courseImpact(ctx context.Context, code string, input *model.UpdateCourseInput, retire, del bool) (*app.CourseImpact, error) {
	changes := 0
	for _, given := range []bool{input != nil, retire, del} {
		if given {
			changes++
		}
	}
	if changes != 1 {
		return nil, engine.Invalid("", "give exactly one change: input, retire: true or delete: true")
	}
	var imp *app.CourseImpact
	var err error
	switch {
	case retire:
		imp, err = r.App.CourseEditImpact(ctx, code, func(c *engine.Course) { c.Status = engine.CourseRetired })
	case del:
		imp, err = r.App.CourseDeletionImpact(ctx, code)
	default:
		imp, err = r.App.CourseEditImpact(ctx, code, func(c *engine.Course) { editCourse(c, *input) })
		err = inputError("input", err)
	}
	return impactOf(ctx, imp, err)
}

// newCourseImpact answers newCourseImpact: the impact of creating the
// course input describes, as the App predicts it.
func (r *Resolver) newCourseImpact(ctx context.Context, input model.CreateCourseInput) (*app.CourseImpact, error) {
	imp, err := r.App.NewCourseImpact(ctx, courseOf(input))
	return impactOf(ctx, imp, inputError("input", err))
}

// impactOf returns the answer of an impact query, queueing the people its
// selection will load.
func impactOf(ctx context.Context, imp *app.CourseImpact, err error) (*app.CourseImpact, error) {
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(imp.People))
	for i, c := range imp.People {
		ids[i] = c.PersonID
	}
	prefetchPeople(ctx, ids, "people", "person")
	return imp, nil
}

// recommendationChanges answers the recommendations of a course impact:
// those of people, or of the people whose readiness changes; it queues
// the people its selection will load.
func recommendationChanges(ctx context.Context, imp *app.CourseImpact, people []string) ([]*analysis.RecommendationChange, error) {
	if people == nil {
		for _, c := range imp.People {
			people = append(people, c.PersonID)
		}
	}
	changes, err := imp.Recommendations(people)
	if err != nil {
		return nil, err
	}
	prefetchPeople(ctx, people, "person")
	return refs(changes), nil
}
