package app

import (
	"cmap/domain"
	"cmap/suggest"
)

// Suggestions returns the mappings the generation's rules may have
// missed: for each sub-competency (or the one with code sub), the top
// active courses whose text matches its statement but that no rule maps
// to it (see package suggest). Errors: EINVALID on "subCompetency" for a
// code the model lacks, on "top" for a negative top.
func (v View) Suggestions(sub string, top int) ([]suggest.Suggestion, error) {
	courses, err := v.s.index.Courses(domain.CourseFilter{}, domain.Page{})
	if err != nil {
		return nil, err
	}
	return suggest.Suggest(v.Framework(), suggest.NewIndex(courses.Items), v.s.coverage, sub, top)
}
