package app

import (
	"cmap/domain"
	"fmt"
	"slices"

	"cmap/analysis"
)

// CourseImpact is what a proposed course change would change: the
// analysis impact (with the index the change would give) and the changed
// course's coverage.
type CourseImpact struct {
	*analysis.CourseImpact
	// Coverage is the course's coverage after the change, as the rules
	// derive it; empty for a deletion.
	Coverage []domain.Coverage
	// RuleError names the rules that failed at run time on the changed
	// course (the facts of the others were used), "" when none did.
	RuleError string
}

// CourseEditImpact predicts App.UpdateCourse(ctx, code, version, edit)
// made on this view: edit is applied to the course as the view holds it
// and checked as UpdateCourse applies and checks it (against the view's
// courses). Retiring a course, or bringing it back, is an edit of its
// status. Errors: ENOTFOUND; EINVALID as for UpdateCourse.
func (v View) CourseEditImpact(code string, edit func(*domain.Course)) (*CourseImpact, error) {
	stored, err := v.Course(code)
	if err != nil {
		return nil, err
	}
	c := editable(stored)
	if err := applyEdit(v, c, edit); err != nil {
		return nil, err
	}
	return v.courseImpact(c)
}

// NewCourseImpact predicts App.CreateCourse(ctx, c) made on this view.
// Errors: EINVALID as for CreateCourse; ECONFLICT when the code is taken
// (CourseEditImpact predicts a change of a stored course).
func (v View) NewCourseImpact(c *domain.Course) (*CourseImpact, error) {
	if err := checkCourse(v, c); err != nil {
		return nil, err
	}
	if _, err := v.Course(c.Code); err == nil {
		return nil, domain.Errorf(domain.ECONFLICT, "course %s exists: ask for the impact of an edit of it instead", c.Code)
	}
	return v.courseImpact(c)
}

// CourseDeletionImpact predicts App.DeleteCourse(ctx, code, version) made
// on this view. Errors: ENOTFOUND; ECONFLICT when other courses list it as
// a prerequisite, as DeleteCourse refuses it then.
func (v View) CourseDeletionImpact(code string) (*CourseImpact, error) {
	if _, err := v.Course(code); err != nil {
		return nil, err
	}
	if err := checkDeletable(v, code); err != nil {
		return nil, err
	}
	imp, err := v.s.index.ImpactOfDeletion(code)
	if err != nil {
		return nil, err
	}
	return &CourseImpact{CourseImpact: imp, Coverage: []domain.Coverage{}}, nil
}

// courseImpact derives the coverage of c, the course as a write would
// store it, with the view's rules, and compares the view's index with the
// one the write would give.
func (v View) courseImpact(c *domain.Course) (*CourseImpact, error) {
	cov, ruleErr := v.s.rules.CourseCoverage(c)
	cov = nonNil(cov)
	imp, err := v.s.index.ImpactOfCourse(c, cov)
	if err != nil {
		return nil, fmt.Errorf("indexing the coverage the rules derive for course %s: %w", c.Code, err)
	}
	return &CourseImpact{CourseImpact: imp, Coverage: cov, RuleError: errorText(ruleErr)}, nil
}

// editable returns a copy of a shared course record that an edit may
// change, lists included.
func editable(c *domain.Course) *domain.Course {
	e := *c
	e.Objectives, e.Topics, e.Prerequisites = slices.Clone(c.Objectives), slices.Clone(c.Topics), slices.Clone(c.Prerequisites)
	return &e
}

// coursesByCode returns the view's courses with the given codes that
// exist, in the order of codes: its catalogue for the checks of a what-if.
func (v View) coursesByCode(codes []string) ([]*domain.Course, error) {
	var out []*domain.Course
	for _, code := range codes {
		if c, ok := v.s.index.Course(code); ok {
			out = append(out, c)
		}
	}
	return out, nil
}

// requiring returns the view's courses that list code among their
// prerequisites, by code.
func (v View) requiring(code string) ([]*domain.Course, error) {
	list, err := v.s.index.Courses(domain.CourseFilter{Requires: code}, domain.Page{})
	return list.Items, err
}
