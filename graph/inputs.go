package graph

import (
	"cmap/domain"
	"cmap/graph/model"
)

// set stores *v in *dst when the input gave a value.
func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// setList stores v in *dst when the input gave a list (an empty list
// clears *dst; a missing one keeps it).
func setList(dst *[]string, v []string) {
	if v != nil {
		*dst = v
	}
}

// editCourse applies the fields an update input gives to c.
func editCourse(c *domain.Course, input model.UpdateCourseInput) {
	set(&c.Title, input.Title)
	set(&c.Description, input.Description)
	setList(&c.Objectives, input.Objectives)
	setList(&c.Topics, input.Topics)
	set(&c.Hours, input.Hours)
	set(&c.DeliveryMode, input.DeliveryMode)
	set(&c.Provider, input.Provider)
	set(&c.Status, input.Status)
	setList(&c.Prerequisites, input.Prerequisites)
}

// completionsOf converts completion inputs to the domain's completions.
func completionsOf(in []*model.CompletionInput) []domain.Completion {
	out := make([]domain.Completion, len(in))
	for i, c := range in {
		out[i] = domain.Completion{CourseCode: c.CourseCode, Completed: c.CompletedOn}
	}
	return out
}

// nilIfNotFound turns ENOTFOUND into a null result: a lookup by key of a
// record that does not exist answers null, not an error.
func nilIfNotFound[T any](v *T, err error) (*T, error) {
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return nil, nil
	}
	return v, err
}

// courseOf returns the course that a create (or preview) input describes.
func courseOf(input model.CreateCourseInput) *domain.Course {
	return &domain.Course{
		Code:          input.Code,
		Title:         input.Title,
		Description:   input.Description,
		Objectives:    input.Objectives,
		Topics:        input.Topics,
		Hours:         input.Hours,
		DeliveryMode:  input.DeliveryMode,
		Provider:      input.Provider,
		Status:        input.Status,
		Prerequisites: input.Prerequisites,
	}
}

// positionOf returns the position that a create (or preview) input
// describes.
func positionOf(input model.CreatePositionInput) *domain.Position {
	return &domain.Position{
		ID:           input.ID,
		Title:        input.Title,
		Organization: input.Organization,
		Grade:        input.Grade,
		Category:     input.Category,
		KeyBillet:    input.KeyBillet,
		Region:       input.Region,
	}
}

// revisionOf returns the model and the crosswalk that a revision input
// describes.
func revisionOf(input model.ModelRevisionInput) (*domain.Framework, domain.Crosswalk) {
	fw := &domain.Framework{}
	if f := input.Framework; f != nil {
		fw.Name = f.Name
		for _, c := range f.Competencies {
			comp := domain.Competency{Code: c.Code, Title: c.Title, Description: c.Description}
			for _, s := range c.SubCompetencies {
				comp.SubCompetencies = append(comp.SubCompetencies, domain.SubCompetency{Code: s.Code, Statement: s.Statement})
			}
			fw.Competencies = append(fw.Competencies, comp)
		}
	}
	var cw domain.Crosswalk
	for _, e := range input.Crosswalk {
		cw = append(cw, domain.CrosswalkEntry{Old: e.Old, New: e.New})
	}
	return fw, cw
}
