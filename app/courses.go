package app

import (
	"cmap/domain"
	"context"
	"fmt"
	"slices"
	"strings"
)

// CreateCourse stores a new course with version 1 and derives its
// coverage. Errors: EINVALID when c is malformed or a prerequisite does
// not exist or would make a cycle; ECONFLICT when the code is taken.
func (a *App) CreateCourse(ctx context.Context, c *domain.Course) error {
	if err := checkCourse(a.stored(ctx), c); err != nil {
		return err
	}
	e := recordEntry(ctx, domain.OpCreate, domain.AuditCourse, c.Code, nil, c, courseMeta)
	return a.writeAudited(ctx, e, func() error { return a.store.CreateCourse(ctx, c) },
		func(cur *state) (*state, factsChange, error) { return a.withCourse(cur, c) })
}

// UpdateCourse applies edit to the stored course with code and stores the
// result, provided the stored version is version, and derives its coverage
// again. The code cannot change.
// Errors: ENOTFOUND; ECONFLICT when the stored version differs; EINVALID as
// for CreateCourse.
func (a *App) UpdateCourse(ctx context.Context, code string, version int64, edit func(*domain.Course)) (*domain.Course, error) {
	c, err := a.store.Course(ctx, code)
	if err != nil {
		return nil, err
	}
	if err := checkVersion("course", code, version, c.Version); err != nil {
		return nil, err
	}
	before := *c
	if err := applyEdit(a.stored(ctx), c, edit); err != nil {
		return nil, err
	}
	e := recordEntry(ctx, domain.OpUpdate, domain.AuditCourse, code, &before, c, courseMeta)
	err = a.writeAudited(ctx, e, func() error { return a.store.UpdateCourse(ctx, c) },
		func(cur *state) (*state, factsChange, error) { return a.withCourse(cur, c) })
	if err != nil {
		return nil, err
	}
	return c, nil
}

// applyEdit applies edit to the stored course c, keeping its code, and
// checks the result as a write of it is checked against cat.
func applyEdit(cat catalogue, c *domain.Course, edit func(*domain.Course)) error {
	code := c.Code
	edit(c)
	c.Code = code
	return checkCourse(cat, c)
}

// DeleteCourse deletes the course with code if its stored version is
// version, with its facts. A course that other courses list as a
// prerequisite is not deleted (ECONFLICT naming them): retire it, or edit
// those courses first. Completions of a deleted course stay on people's
// records as history. Errors: ENOTFOUND; ECONFLICT.
func (a *App) DeleteCourse(ctx context.Context, code string, version int64) error {
	c, err := a.store.Course(ctx, code)
	if err != nil {
		return err
	}
	if err := checkVersion("course", code, version, c.Version); err != nil {
		return err
	}
	if err := checkDeletable(a.stored(ctx), code); err != nil {
		return err
	}
	e := recordEntry(ctx, domain.OpDelete, domain.AuditCourse, code, c, nil, courseMeta)
	return a.writeAudited(ctx, e, func() error { return a.store.DeleteCourse(ctx, code, version) },
		func(cur *state) (*state, factsChange, error) { return a.withoutCourse(cur, code) })
}

// catalogue is where the checks of a course write read the other
// courses: the store for the write (App.stored), a View for a what-if of
// it, so that both check alike.
type catalogue interface {
	// coursesByCode returns the courses with the given codes that exist,
	// in any order.
	coursesByCode(codes []string) ([]*domain.Course, error)
	// requiring returns the courses that list code among their
	// prerequisites.
	requiring(code string) ([]*domain.Course, error)
}

// storeCatalogue is the catalogue of a store, read under ctx.
type storeCatalogue struct {
	ctx   context.Context
	store domain.Store
}

// stored returns the store's catalogue, read under ctx.
func (a *App) stored(ctx context.Context) catalogue { return storeCatalogue{ctx, a.store} }

func (s storeCatalogue) coursesByCode(codes []string) ([]*domain.Course, error) {
	return s.store.CoursesByCode(s.ctx, codes)
}

func (s storeCatalogue) requiring(code string) ([]*domain.Course, error) {
	list, err := s.store.ListCourses(s.ctx, domain.CourseFilter{Requires: code}, domain.Page{})
	return list.Items, err
}

// checkDeletable returns ECONFLICT, naming them, when other courses of
// cat list the course with code as a prerequisite.
func checkDeletable(cat catalogue, code string) error {
	requiring, err := cat.requiring(code)
	if err != nil {
		return err
	}
	var dependents []string
	for _, other := range requiring {
		dependents = append(dependents, other.Code)
	}
	if len(dependents) > 0 {
		return domain.Errorf(domain.ECONFLICT, "course %s is a prerequisite of %s: remove it there first, or retire it instead",
			code, strings.Join(dependents, ", "))
	}
	return nil
}

// checkCourse validates c and checks its prerequisites in cat: each must
// exist, and none may lead back to c through their own prerequisites. It
// reads the prerequisite graph one level per call.
func checkCourse(cat catalogue, c *domain.Course) error {
	if err := c.Validate(); err != nil {
		return err
	}
	if len(c.Prerequisites) == 0 {
		return nil
	}
	direct, err := cat.coursesByCode(c.Prerequisites)
	if err != nil {
		return err
	}
	found := make(map[string]bool, len(direct))
	for _, p := range direct {
		found[p.Code] = true
	}
	for i, code := range c.Prerequisites {
		if !found[code] {
			return domain.Invalid(fmt.Sprintf("prerequisites[%d]", i), "course %s does not exist", code)
		}
	}
	// Walk the prerequisites breadth first, in the order they are listed
	// (whatever order cat returns them in, so that the write and its
	// what-if name the same one), remembering through which direct
	// prerequisite each course was reached, to name it in the error.
	via := map[string]string{}
	level := inOrderOf(direct, c.Prerequisites)
	for _, p := range direct {
		via[p.Code] = p.Code
	}
	for len(level) > 0 {
		var next []string
		for _, p := range level {
			for _, q := range p.Prerequisites {
				if q == c.Code {
					i := slices.Index(c.Prerequisites, via[p.Code])
					return domain.Invalid(fmt.Sprintf("prerequisites[%d]", i),
						"prerequisite %s leads back to %s: prerequisites cannot form a cycle", via[p.Code], c.Code)
				}
				if _, seen := via[q]; !seen {
					via[q] = via[p.Code]
					next = append(next, q)
				}
			}
		}
		if len(next) == 0 {
			break
		}
		if level, err = cat.coursesByCode(next); err != nil {
			return err
		}
		level = inOrderOf(level, next)
	}
	return nil
}

// inOrderOf returns courses sorted by the position of their code in codes.
func inOrderOf(courses []*domain.Course, codes []string) []*domain.Course {
	at := make(map[string]int, len(codes))
	for i, code := range codes {
		if _, dup := at[code]; !dup {
			at[code] = i
		}
	}
	return slices.SortedStableFunc(slices.Values(courses), func(a, b *domain.Course) int {
		return at[a.Code] - at[b.Code]
	})
}

// checkVersion returns ECONFLICT when the version a caller read differs
// from the stored one.
func checkVersion(kind, key string, sent, stored int64) error {
	if sent == stored {
		return nil
	}
	return domain.Errorf(domain.ECONFLICT, "%s %s was changed by someone else: you sent version %d, the stored version is %d; read it again and retry",
		kind, key, sent, stored)
}
