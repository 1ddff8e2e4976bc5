package memstore

import (
	"cmap/domain"
	"context"
	"slices"
	"time"
)

// cloneList returns a copy of s, nil when s is empty (as a stored document
// omits an empty list).
func cloneList[T any](s []T) []T {
	if len(s) == 0 {
		return nil
	}
	return slices.Clone(s)
}

var courseKind = &kind[domain.Course]{
	name:     "course",
	keyField: "code",
	change:   domain.ChangeCourse,
	key:      func(c *domain.Course) string { return c.Code },
	validate: (*domain.Course).Validate,
	copy: func(c *domain.Course) *domain.Course {
		out := *c
		out.Objectives = cloneList(c.Objectives)
		out.Topics = cloneList(c.Topics)
		out.Prerequisites = cloneList(c.Prerequisites)
		out.UpdatedAt = storedTime(c.UpdatedAt)
		return &out
	},
	stamp: func(c *domain.Course) (*int64, *time.Time) { return &c.Version, &c.UpdatedAt },
}

var positionKind = &kind[domain.Position]{
	name:     "position",
	keyField: "id",
	change:   domain.ChangePosition,
	key:      func(p *domain.Position) string { return p.ID },
	validate: (*domain.Position).Validate,
	copy: func(p *domain.Position) *domain.Position {
		out := *p
		out.UpdatedAt = storedTime(p.UpdatedAt)
		return &out
	},
	stamp: func(p *domain.Position) (*int64, *time.Time) { return &p.Version, &p.UpdatedAt },
}

var personKind = &kind[domain.Person]{
	name:     "person",
	keyField: "id",
	change:   domain.ChangePerson,
	key:      func(p *domain.Person) string { return p.ID },
	validate: (*domain.Person).Validate,
	copy: func(p *domain.Person) *domain.Person {
		out := *p
		out.Completions = nil
		for _, c := range p.Completions {
			out.Completions = append(out.Completions, storedCompletion(c))
		}
		out.UpdatedAt = storedTime(p.UpdatedAt)
		return &out
	},
	stamp: func(p *domain.Person) (*int64, *time.Time) { return &p.Version, &p.UpdatedAt },
}

// storedCompletion returns c as the store keeps it.
func storedCompletion(c domain.Completion) domain.Completion {
	return domain.Completion{CourseCode: c.CourseCode, Completed: storedTime(c.Completed)}
}

// Course returns the course with code (ENOTFOUND if none).
func (s *Store) Course(ctx context.Context, code string) (*domain.Course, error) {
	return get(ctx, s, s.courses, code)
}

// CoursesByCode returns the courses with the given codes that exist, in
// code order.
func (s *Store) CoursesByCode(ctx context.Context, codes []string) ([]*domain.Course, error) {
	return byKeys(ctx, s, s.courses, codes)
}

// ListCourses returns one page of the courses f selects, in code order.
func (s *Store) ListCourses(ctx context.Context, f domain.CourseFilter, p domain.Page) (domain.List[*domain.Course], error) {
	return list(ctx, s, s.courses, f.Match, p)
}

// CountCourses counts the courses f selects.
func (s *Store) CountCourses(ctx context.Context, f domain.CourseFilter) (int, error) {
	return count(ctx, s, s.courses, f.Match)
}

// CreateCourse stores a new course with version 1 (ECONFLICT if the code is
// taken) and sets c.Version and c.UpdatedAt.
func (s *Store) CreateCourse(ctx context.Context, c *domain.Course) error {
	return create(ctx, s, s.courses, c)
}

// CreateCourses stores new courses in bulk, all or none (see domain.Store),
// and sets their Version and UpdatedAt.
func (s *Store) CreateCourses(ctx context.Context, cs []*domain.Course) error {
	return createAll(ctx, s, s.courses, cs)
}

// UpdateCourse replaces the course whose stored version is c.Version
// (ECONFLICT otherwise, ENOTFOUND if there is none), then increments
// c.Version and sets c.UpdatedAt.
func (s *Store) UpdateCourse(ctx context.Context, c *domain.Course) error {
	return update(ctx, s, s.courses, c)
}

// DeleteCourse deletes the course if its stored version is version.
func (s *Store) DeleteCourse(ctx context.Context, code string, version int64) error {
	return remove(ctx, s, s.courses, code, version)
}

// Position returns the position with id (ENOTFOUND if none).
func (s *Store) Position(ctx context.Context, id string) (*domain.Position, error) {
	return get(ctx, s, s.positions, id)
}

// PositionsByID returns the positions with the given ids that exist, in id
// order.
func (s *Store) PositionsByID(ctx context.Context, ids []string) ([]*domain.Position, error) {
	return byKeys(ctx, s, s.positions, ids)
}

// ListPositions returns one page of the positions f selects, in id order.
func (s *Store) ListPositions(ctx context.Context, f domain.PositionFilter, p domain.Page) (domain.List[*domain.Position], error) {
	return list(ctx, s, s.positions, f.Match, p)
}

// CountPositions counts the positions f selects.
func (s *Store) CountPositions(ctx context.Context, f domain.PositionFilter) (int, error) {
	return count(ctx, s, s.positions, f.Match)
}

// CreatePosition stores a new position with version 1 (ECONFLICT if the id
// is taken) and sets p.Version and p.UpdatedAt.
func (s *Store) CreatePosition(ctx context.Context, p *domain.Position) error {
	return create(ctx, s, s.positions, p)
}

// CreatePositions stores new positions in bulk, all or none, and sets
// their Version and UpdatedAt.
func (s *Store) CreatePositions(ctx context.Context, ps []*domain.Position) error {
	return createAll(ctx, s, s.positions, ps)
}

// UpdatePosition replaces the position whose stored version is p.Version
// (ECONFLICT otherwise, ENOTFOUND if there is none), then increments
// p.Version and sets p.UpdatedAt.
func (s *Store) UpdatePosition(ctx context.Context, p *domain.Position) error {
	return update(ctx, s, s.positions, p)
}

// DeletePosition deletes the position if its stored version is version.
func (s *Store) DeletePosition(ctx context.Context, id string, version int64) error {
	return remove(ctx, s, s.positions, id, version)
}

// Person returns the person with id (ENOTFOUND if none).
func (s *Store) Person(ctx context.Context, id string) (*domain.Person, error) {
	return get(ctx, s, s.people, id)
}

// PeopleByID returns the people with the given ids that exist, in id order.
func (s *Store) PeopleByID(ctx context.Context, ids []string) ([]*domain.Person, error) {
	return byKeys(ctx, s, s.people, ids)
}

// ListPeople returns one page of the people f selects, in id order.
func (s *Store) ListPeople(ctx context.Context, f domain.PersonFilter, p domain.Page) (domain.List[*domain.Person], error) {
	return list(ctx, s, s.people, f.Match, p)
}

// CountPeople counts the people f selects.
func (s *Store) CountPeople(ctx context.Context, f domain.PersonFilter) (int, error) {
	return count(ctx, s, s.people, f.Match)
}

// CreatePerson stores a new person with version 1 (ECONFLICT if the id is
// taken) and sets p.Version and p.UpdatedAt.
func (s *Store) CreatePerson(ctx context.Context, p *domain.Person) error {
	return create(ctx, s, s.people, p)
}

// CreatePeople stores new people in bulk, all or none, and sets their
// Version and UpdatedAt.
func (s *Store) CreatePeople(ctx context.Context, ps []*domain.Person) error {
	return createAll(ctx, s, s.people, ps)
}

// UpdatePerson replaces the person whose stored version is p.Version
// (ECONFLICT otherwise, ENOTFOUND if there is none), then increments
// p.Version and sets p.UpdatedAt.
func (s *Store) UpdatePerson(ctx context.Context, p *domain.Person) error {
	return update(ctx, s, s.people, p)
}

// DeletePerson deletes the person if its stored version is version.
func (s *Store) DeletePerson(ctx context.Context, id string, version int64) error {
	return remove(ctx, s, s.people, id, version)
}

// RecordCompletion appends c to the completions of person personID,
// increments the person's version and returns the person as stored
// (ENOTFOUND if there is none, EINVALID if c is not valid). Like package
// mongodb it appends even a completion the person already has.
func (s *Store) RecordCompletion(ctx context.Context, personID string, c domain.Completion) (*domain.Person, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if err := live(ctx, "record completion"); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.people.get(personID)
	if err != nil {
		return nil, err
	}
	p.Completions = append(p.Completions, storedCompletion(c))
	p.Audit = ""
	p.Version++
	p.UpdatedAt = now()
	s.people.put(p)
	s.logChange(domain.ChangePerson, p.ID)
	return personKind.copy(p), nil
}

// copyRevision returns a deep copy of r, its empty lists nil.
func copyRevision(r *domain.FrameworkRevision) *domain.FrameworkRevision {
	out := *r
	out.Framework = r.Framework.Clone()
	out.Crosswalk = nil
	for _, e := range r.Crosswalk {
		out.Crosswalk = append(out.Crosswalk, domain.CrosswalkEntry{Old: e.Old, New: cloneList(e.New)})
	}
	return &out
}
