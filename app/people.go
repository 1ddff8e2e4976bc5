package app

import (
	"cmap/domain"
	"context"
	"fmt"
	"slices"
	"time"
)

// CreatePerson stores a new person with version 1. Errors: EINVALID when p
// is malformed, its position does not exist or a completion names a course
// that does not exist; ECONFLICT when the id is taken.
func (a *App) CreatePerson(ctx context.Context, p *domain.Person) error {
	if err := a.checkPerson(ctx, p, nil); err != nil {
		return err
	}
	e := recordEntry(ctx, domain.OpCreate, domain.AuditPerson, p.ID, nil, p, personMeta)
	return a.writeAudited(ctx, e, func() error { return a.store.CreatePerson(ctx, p) },
		func(cur *state) (*state, factsChange, error) { return withPerson(cur, p) })
}

// UpdatePerson applies edit to the stored person with id and stores the
// result, provided the stored version is version. The id cannot change.
// Completions already on the record are kept even if their course has
// been deleted since; new ones must name existing courses. Errors:
// ENOTFOUND; ECONFLICT when the stored version differs; EINVALID as for
// CreatePerson.
func (a *App) UpdatePerson(ctx context.Context, id string, version int64, edit func(*domain.Person)) (*domain.Person, error) {
	p, err := a.store.Person(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := checkVersion("person", id, version, p.Version); err != nil {
		return nil, err
	}
	before := *p
	before.Completions = slices.Clone(p.Completions)
	edit(p)
	p.ID = id
	if err := a.checkPerson(ctx, p, &before); err != nil {
		return nil, err
	}
	e := recordEntry(ctx, domain.OpUpdate, domain.AuditPerson, id, &before, p, personMeta)
	err = a.writeAudited(ctx, e, func() error { return a.store.UpdatePerson(ctx, p) },
		func(cur *state) (*state, factsChange, error) { return withPerson(cur, p) })
	if err != nil {
		return nil, err
	}
	return p, nil
}

// DeletePerson deletes the person with id if its stored version is
// version. Errors: ENOTFOUND; ECONFLICT.
func (a *App) DeletePerson(ctx context.Context, id string, version int64) error {
	p, err := a.store.Person(ctx, id)
	if err != nil {
		return err
	}
	if err := checkVersion("person", id, version, p.Version); err != nil {
		return err
	}
	e := recordEntry(ctx, domain.OpDelete, domain.AuditPerson, id, p, nil, personMeta)
	return a.writeAudited(ctx, e, func() error { return a.store.DeletePerson(ctx, id, version) },
		func(cur *state) (*state, factsChange, error) { return withoutPerson(cur, id) })
}

// completionAttempts bounds how often RecordCompletion reads the person
// again after someone else wrote it in between.
const completionAttempts = 5

// RecordCompletion records that the person with personID completed the
// course with courseCode on the given day, and returns the person as
// stored. Recording the same course on the same day again changes nothing.
// The completion is appended by a versioned update of the person, read
// again and retried when another write got there first, so that its audit
// entry names the exact version it replaced. Errors: EINVALID with field
// "courseCode" when the course does not exist, "completed" for a missing
// or future date, or "personId" when the person holds
// engine.MaxCompletions already; ENOTFOUND when the person does not
// exist; ECONFLICT when the person kept changing through every attempt.
func (a *App) RecordCompletion(ctx context.Context, personID, courseCode string, completed time.Time) (*domain.Person, error) {
	c := domain.Completion{CourseCode: courseCode, Completed: completed}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if _, err := a.store.Course(ctx, courseCode); err != nil {
		if domain.ErrorCode(err) == domain.ENOTFOUND {
			return nil, domain.Invalid("courseCode", "course %s does not exist", courseCode)
		}
		return nil, err
	}
	for attempt := 1; ; attempt++ {
		p, err := a.store.Person(ctx, personID)
		if err != nil {
			return nil, err
		}
		for _, done := range p.Completions {
			if done.CourseCode == courseCode && done.Completed.Equal(completed) {
				return p, nil
			}
		}
		if len(p.Completions) >= domain.MaxCompletions {
			return nil, domain.Invalid("personId", "person %s has %d completions, the most a record holds", personID, len(p.Completions))
		}
		before := *p
		p.Completions = append(slices.Clone(p.Completions), c)
		e := recordEntry(ctx, domain.OpCompletion, domain.AuditPerson, personID, &before, p, personMeta)
		err = a.writeAudited(ctx, e, func() error { return a.store.UpdatePerson(ctx, p) },
			func(cur *state) (*state, factsChange, error) { return withPerson(cur, p) })
		if domain.ErrorCode(err) == domain.ECONFLICT && attempt < completionAttempts {
			continue
		}
		if err != nil {
			return nil, err
		}
		return p, nil
	}
}

// checkPerson validates p and checks its references: its position and the
// courses of its completions must exist. Completions that were already on
// the stored record (before) are not checked again.
func (a *App) checkPerson(ctx context.Context, p, before *domain.Person) error {
	if err := p.Validate(); err != nil {
		return err
	}
	if p.PositionID != "" && (before == nil || p.PositionID != before.PositionID) {
		if _, err := a.store.Position(ctx, p.PositionID); err != nil {
			if domain.ErrorCode(err) == domain.ENOTFOUND {
				return domain.Invalid("positionId", "position %s does not exist", p.PositionID)
			}
			return err
		}
	}
	known := map[string]bool{}
	if before != nil {
		for _, c := range before.Completions {
			known[c.CourseCode] = true
		}
	}
	var codes []string
	for _, c := range p.Completions {
		if !known[c.CourseCode] {
			codes = append(codes, c.CourseCode)
		}
	}
	if len(codes) == 0 {
		return nil
	}
	courses, err := a.store.CoursesByCode(ctx, codes)
	if err != nil {
		return err
	}
	exists := make(map[string]bool, len(courses))
	for _, c := range courses {
		exists[c.Code] = true
	}
	for i, c := range p.Completions {
		if !known[c.CourseCode] && !exists[c.CourseCode] {
			return domain.Invalid(fmt.Sprintf("completions[%d].courseCode", i), "course %s does not exist", c.CourseCode)
		}
	}
	return nil
}
