package graph

import (
	"cmap/domain"
	"context"

	"cmap/analysis"
	"cmap/app"
	"cmap/graph/model"
)

// coverageMatrix answers the coverageMatrix query from v: the
// analysis matrix, with each cell as the coverage fact it is. It stops
// when ctx is done.
func coverageMatrix(ctx context.Context, v Snapshot, f analysis.MatrixFilter) (*model.CoverageMatrix, error) {
	m, err := v.MatrixContext(ctx, f)
	if err != nil {
		return nil, err
	}
	out := &model.CoverageMatrix{Levels: m.Levels, MinLevel: optional(&m.MinLevel), Courses: m.Courses, Rows: make([]model.CoverageRow, len(m.Rows))}
	for i, r := range m.Rows {
		row := model.CoverageRow{SubCompetency: r.SubCompetency, Gap: r.Gap, Highest: r.Highest, Reach: r.Reach,
			Counts: make([]model.LevelCount, len(r.CountByLevel)), Cells: make([]domain.Coverage, len(r.Cells))}
		for j, n := range r.CountByLevel {
			row.Counts[j] = model.LevelCount{Level: m.Levels[j], Courses: n}
		}
		for j, c := range r.Cells {
			row.Cells[j] = domain.Coverage{Course: c.Course, SubCompetency: r.SubCompetency, Level: c.Level, Rules: c.Rules}
		}
		out.Rows[i] = row
	}
	return out, nil
}

// courseImpact answers courseImpact: the impact of retiring, deleting or
// editing a stored course, as the request's view predicts the write.
// Nothing is written.
func courseImpact(ctx context.Context, code string, input *model.UpdateCourseInput, retire, del bool) (*app.CourseImpact, error) {
	changes := 0
	for _, given := range []bool{input != nil, retire, del} {
		if given {
			changes++
		}
	}
	if changes != 1 {
		return nil, domain.Invalid("", "give exactly one change: input, retire: true or delete: true")
	}
	v := viewOf(ctx)
	switch {
	case retire:
		return v.CourseEditImpact(code, func(c *domain.Course) { c.Status = domain.CourseRetired })
	case del:
		return v.CourseDeletionImpact(code)
	}
	imp, err := v.CourseEditImpact(code, func(c *domain.Course) { editCourse(c, *input) })
	return imp, inputError("input", err)
}

// newCourseImpact answers newCourseImpact: the impact of creating the
// course input describes, as the request's view predicts it.
func newCourseImpact(ctx context.Context, input model.CreateCourseInput) (*app.CourseImpact, error) {
	imp, err := viewOf(ctx).NewCourseImpact(courseOf(input))
	return imp, inputError("input", err)
}

// recommendationChanges answers the recommendations of people of a course
// impact.
func recommendationChanges(ctx context.Context, imp *app.CourseImpact, people []string) ([]*analysis.RecommendationChange, error) {
	changes, err := imp.Recommendations(ctx, people)
	if err != nil {
		return nil, err
	}
	return refs(changes), nil
}
