package app

import (
	"context"
	"fmt"

	"cmap/analysis"
	"cmap/engine"
)

// CourseImpact is what a proposed course change would change: the
// analysis impact (with the index the change would give) and the changed
// course's coverage.
type CourseImpact struct {
	*analysis.CourseImpact
	// Coverage is the course's coverage after the change, as the serving
	// rules derive it; empty for a deletion.
	Coverage []engine.Coverage
	// RuleError names the rules that failed at run time on the changed
	// course (the facts of the others were used), "" when none did.
	RuleError string
}

// CourseEditImpact predicts UpdateCourse(ctx, code, version, edit) for
// the stored version: edit is applied to the stored course and checked as
// UpdateCourse applies and checks it. Retiring a course, or bringing it
// back, is an edit of its status. Errors: ENOTFOUND; EINVALID as for
// UpdateCourse.
func (a *App) CourseEditImpact(ctx context.Context, code string, edit func(*engine.Course)) (*CourseImpact, error) {
	s := a.current()
	c, err := a.store.Course(ctx, code)
	if err != nil {
		return nil, err
	}
	if err := a.applyEdit(ctx, c, edit); err != nil {
		return nil, err
	}
	return courseImpact(s, c)
}

// NewCourseImpact predicts CreateCourse(ctx, c). Errors: EINVALID as for
// CreateCourse; ECONFLICT when the code is taken (CourseEditImpact
// predicts a change of a stored course).
func (a *App) NewCourseImpact(ctx context.Context, c *engine.Course) (*CourseImpact, error) {
	s := a.current()
	if err := a.checkCourse(ctx, c); err != nil {
		return nil, err
	}
	switch _, err := a.store.Course(ctx, c.Code); engine.ErrorCode(err) {
	case "":
		return nil, engine.Errorf(engine.ECONFLICT, "course %s exists: ask for the impact of an edit of it instead", c.Code)
	case engine.ENOTFOUND:
	default:
		return nil, err
	}
	return courseImpact(s, c)
}

// CourseDeletionImpact predicts DeleteCourse(ctx, code, version) for the
// stored version. Errors: ENOTFOUND; ECONFLICT when other courses list it
// as a prerequisite, as DeleteCourse refuses it then.
func (a *App) CourseDeletionImpact(ctx context.Context, code string) (*CourseImpact, error) {
	s := a.current()
	if _, err := a.store.Course(ctx, code); err != nil {
		return nil, err
	}
	if err := a.checkDeletable(ctx, code); err != nil {
		return nil, err
	}
	imp, err := s.index.ImpactOfDeletion(code)
	if err != nil {
		return nil, err
	}
	return &CourseImpact{CourseImpact: imp, Coverage: []engine.Coverage{}}, nil
}

// courseImpact derives the coverage of c, the course as a write would
// store it, with the rules of s, and compares the index of s with the one
// the write would give.
func courseImpact(s *state, c *engine.Course) (*CourseImpact, error) {
	cov, ruleErr := s.rules.CourseCoverage(c)
	cov = nonNil(cov)
	imp, err := s.index.ImpactOfCourse(c, cov)
	if err != nil {
		return nil, fmt.Errorf("indexing the coverage the rules derive for course %s: %w", c.Code, err)
	}
	return &CourseImpact{CourseImpact: imp, Coverage: cov, RuleError: errorText(ruleErr)}, nil
}
