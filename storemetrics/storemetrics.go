// Package storemetrics times the calls to an domain.Store: Wrap returns a
// Store that calls the one it wraps and tells an observer each call's
// method, duration and error. It knows nothing of how the observations
// are kept (package metrics keeps them for Prometheus), so that the
// domain and the stores stay free of any metrics library.
package storemetrics

import (
	"cmap/domain"
	"context"
	"time"
)

// ObserveFunc is told of each call to the Store: the name of the method
// (as in domain.Store, e.g. "ListCourses"), how long it took and the
// error it returned (nil on success). It is called on the caller's
// goroutine, once the call returned, and must be quick and safe for
// concurrent use.
type ObserveFunc func(method string, d time.Duration, err error)

// Store is an domain.Store that observes every call to the Store it
// wraps.
type Store struct {
	store   domain.Store
	observe func(method string, start time.Time, err *error)
}

var _ domain.Store = (*Store)(nil)

// watchingStore is a Store whose wrapped Store is an domain.ChangeWatcher,
// which it stays: App looks for that interface to be woken by changes.
type watchingStore struct {
	*Store
	watcher domain.ChangeWatcher
}

var _ domain.ChangeWatcher = watchingStore{}

// WatchChanges calls the wrapped Store's WatchChanges, unobserved: it
// opens a stream that lasts, not a call whose time means anything.
func (s watchingStore) WatchChanges(ctx context.Context) (<-chan struct{}, error) {
	return s.watcher.WatchChanges(ctx)
}

// Wrap returns store with every call observed by observe. When store is
// an domain.ChangeWatcher, so is the Store returned.
func Wrap(store domain.Store, observe ObserveFunc) domain.Store {
	s := &Store{store: store, observe: func(method string, start time.Time, err *error) {
		observe(method, time.Since(start), *err)
	}}
	if w, ok := store.(domain.ChangeWatcher); ok {
		return watchingStore{Store: s, watcher: w}
	}
	return s
}

// Framework calls the wrapped Store's Framework and observes it.
func (s *Store) Framework(ctx context.Context) (_ *domain.Framework, err error) {
	defer s.observe("Framework", time.Now(), &err)
	return s.store.Framework(ctx)
}

// PutFramework calls the wrapped Store's PutFramework and observes it.
func (s *Store) PutFramework(ctx context.Context, f *domain.Framework) (err error) {
	defer s.observe("PutFramework", time.Now(), &err)
	return s.store.PutFramework(ctx, f)
}

// FrameworkRevisions calls the wrapped Store's FrameworkRevisions and
// observes it.
func (s *Store) FrameworkRevisions(ctx context.Context) (_ []*domain.FrameworkRevision, err error) {
	defer s.observe("FrameworkRevisions", time.Now(), &err)
	return s.store.FrameworkRevisions(ctx)
}

// AddFrameworkRevision calls the wrapped Store's AddFrameworkRevision and
// observes it.
func (s *Store) AddFrameworkRevision(ctx context.Context, r *domain.FrameworkRevision) (err error) {
	defer s.observe("AddFrameworkRevision", time.Now(), &err)
	return s.store.AddFrameworkRevision(ctx, r)
}

// Course calls the wrapped Store's Course and observes it.
func (s *Store) Course(ctx context.Context, code string) (_ *domain.Course, err error) {
	defer s.observe("Course", time.Now(), &err)
	return s.store.Course(ctx, code)
}

// CoursesByCode calls the wrapped Store's CoursesByCode and observes it.
func (s *Store) CoursesByCode(ctx context.Context, codes []string) (_ []*domain.Course, err error) {
	defer s.observe("CoursesByCode", time.Now(), &err)
	return s.store.CoursesByCode(ctx, codes)
}

// ListCourses calls the wrapped Store's ListCourses and observes it.
func (s *Store) ListCourses(ctx context.Context, f domain.CourseFilter, p domain.Page) (_ domain.List[*domain.Course], err error) {
	defer s.observe("ListCourses", time.Now(), &err)
	return s.store.ListCourses(ctx, f, p)
}

// CountCourses calls the wrapped Store's CountCourses and observes it.
func (s *Store) CountCourses(ctx context.Context, f domain.CourseFilter) (_ int, err error) {
	defer s.observe("CountCourses", time.Now(), &err)
	return s.store.CountCourses(ctx, f)
}

// CreateCourse calls the wrapped Store's CreateCourse and observes it.
func (s *Store) CreateCourse(ctx context.Context, c *domain.Course) (err error) {
	defer s.observe("CreateCourse", time.Now(), &err)
	return s.store.CreateCourse(ctx, c)
}

// UpdateCourse calls the wrapped Store's UpdateCourse and observes it.
func (s *Store) UpdateCourse(ctx context.Context, c *domain.Course) (err error) {
	defer s.observe("UpdateCourse", time.Now(), &err)
	return s.store.UpdateCourse(ctx, c)
}

// DeleteCourse calls the wrapped Store's DeleteCourse and observes it.
func (s *Store) DeleteCourse(ctx context.Context, code string, version int64) (err error) {
	defer s.observe("DeleteCourse", time.Now(), &err)
	return s.store.DeleteCourse(ctx, code, version)
}

// Position calls the wrapped Store's Position and observes it.
func (s *Store) Position(ctx context.Context, id string) (_ *domain.Position, err error) {
	defer s.observe("Position", time.Now(), &err)
	return s.store.Position(ctx, id)
}

// PositionsByID calls the wrapped Store's PositionsByID and observes it.
func (s *Store) PositionsByID(ctx context.Context, ids []string) (_ []*domain.Position, err error) {
	defer s.observe("PositionsByID", time.Now(), &err)
	return s.store.PositionsByID(ctx, ids)
}

// ListPositions calls the wrapped Store's ListPositions and observes it.
func (s *Store) ListPositions(ctx context.Context, f domain.PositionFilter, p domain.Page) (_ domain.List[*domain.Position], err error) {
	defer s.observe("ListPositions", time.Now(), &err)
	return s.store.ListPositions(ctx, f, p)
}

// CountPositions calls the wrapped Store's CountPositions and observes it.
func (s *Store) CountPositions(ctx context.Context, f domain.PositionFilter) (_ int, err error) {
	defer s.observe("CountPositions", time.Now(), &err)
	return s.store.CountPositions(ctx, f)
}

// CreatePosition calls the wrapped Store's CreatePosition and observes it.
func (s *Store) CreatePosition(ctx context.Context, p *domain.Position) (err error) {
	defer s.observe("CreatePosition", time.Now(), &err)
	return s.store.CreatePosition(ctx, p)
}

// UpdatePosition calls the wrapped Store's UpdatePosition and observes it.
func (s *Store) UpdatePosition(ctx context.Context, p *domain.Position) (err error) {
	defer s.observe("UpdatePosition", time.Now(), &err)
	return s.store.UpdatePosition(ctx, p)
}

// DeletePosition calls the wrapped Store's DeletePosition and observes it.
func (s *Store) DeletePosition(ctx context.Context, id string, version int64) (err error) {
	defer s.observe("DeletePosition", time.Now(), &err)
	return s.store.DeletePosition(ctx, id, version)
}

// Person calls the wrapped Store's Person and observes it.
func (s *Store) Person(ctx context.Context, id string) (_ *domain.Person, err error) {
	defer s.observe("Person", time.Now(), &err)
	return s.store.Person(ctx, id)
}

// PeopleByID calls the wrapped Store's PeopleByID and observes it.
func (s *Store) PeopleByID(ctx context.Context, ids []string) (_ []*domain.Person, err error) {
	defer s.observe("PeopleByID", time.Now(), &err)
	return s.store.PeopleByID(ctx, ids)
}

// ListPeople calls the wrapped Store's ListPeople and observes it.
func (s *Store) ListPeople(ctx context.Context, f domain.PersonFilter, p domain.Page) (_ domain.List[*domain.Person], err error) {
	defer s.observe("ListPeople", time.Now(), &err)
	return s.store.ListPeople(ctx, f, p)
}

// CountPeople calls the wrapped Store's CountPeople and observes it.
func (s *Store) CountPeople(ctx context.Context, f domain.PersonFilter) (_ int, err error) {
	defer s.observe("CountPeople", time.Now(), &err)
	return s.store.CountPeople(ctx, f)
}

// CreatePerson calls the wrapped Store's CreatePerson and observes it.
func (s *Store) CreatePerson(ctx context.Context, p *domain.Person) (err error) {
	defer s.observe("CreatePerson", time.Now(), &err)
	return s.store.CreatePerson(ctx, p)
}

// UpdatePerson calls the wrapped Store's UpdatePerson and observes it.
func (s *Store) UpdatePerson(ctx context.Context, p *domain.Person) (err error) {
	defer s.observe("UpdatePerson", time.Now(), &err)
	return s.store.UpdatePerson(ctx, p)
}

// DeletePerson calls the wrapped Store's DeletePerson and observes it.
func (s *Store) DeletePerson(ctx context.Context, id string, version int64) (err error) {
	defer s.observe("DeletePerson", time.Now(), &err)
	return s.store.DeletePerson(ctx, id, version)
}

// RecordCompletion calls the wrapped Store's RecordCompletion and observes it.
func (s *Store) RecordCompletion(ctx context.Context, personID string, c domain.Completion) (_ *domain.Person, err error) {
	defer s.observe("RecordCompletion", time.Now(), &err)
	return s.store.RecordCompletion(ctx, personID, c)
}

// SaveCourseFacts calls the wrapped Store's SaveCourseFacts and observes it.
func (s *Store) SaveCourseFacts(ctx context.Context, facts []domain.CourseFacts) (err error) {
	defer s.observe("SaveCourseFacts", time.Now(), &err)
	return s.store.SaveCourseFacts(ctx, facts)
}

// SavePositionFacts calls the wrapped Store's SavePositionFacts and observes it.
func (s *Store) SavePositionFacts(ctx context.Context, facts []domain.PositionFacts) (err error) {
	defer s.observe("SavePositionFacts", time.Now(), &err)
	return s.store.SavePositionFacts(ctx, facts)
}

// DeleteFacts calls the wrapped Store's DeleteFacts and observes it.
func (s *Store) DeleteFacts(ctx context.Context, courses, positions []string) (err error) {
	defer s.observe("DeleteFacts", time.Now(), &err)
	return s.store.DeleteFacts(ctx, courses, positions)
}

// CourseFacts calls the wrapped Store's CourseFacts and observes it.
func (s *Store) CourseFacts(ctx context.Context) (_ []domain.CourseFacts, err error) {
	defer s.observe("CourseFacts", time.Now(), &err)
	return s.store.CourseFacts(ctx)
}

// PositionFacts calls the wrapped Store's PositionFacts and observes it.
func (s *Store) PositionFacts(ctx context.Context) (_ []domain.PositionFacts, err error) {
	defer s.observe("PositionFacts", time.Now(), &err)
	return s.store.PositionFacts(ctx)
}

// DataVersion calls the wrapped Store's DataVersion and observes it.
func (s *Store) DataVersion(ctx context.Context) (_ int64, err error) {
	defer s.observe("DataVersion", time.Now(), &err)
	return s.store.DataVersion(ctx)
}

// Changes calls the wrapped Store's Changes and observes it.
func (s *Store) Changes(ctx context.Context, after, through int64) (_ []domain.Change, err error) {
	defer s.observe("Changes", time.Now(), &err)
	return s.store.Changes(ctx, after, through)
}

// SeededWith calls the wrapped Store's SeededWith and observes it.
func (s *Store) SeededWith(ctx context.Context) (_ string, err error) {
	defer s.observe("SeededWith", time.Now(), &err)
	return s.store.SeededWith(ctx)
}

// MarkSeeded calls the wrapped Store's MarkSeeded and observes it.
func (s *Store) MarkSeeded(ctx context.Context, name string) (err error) {
	defer s.observe("MarkSeeded", time.Now(), &err)
	return s.store.MarkSeeded(ctx, name)
}

// Ping calls the wrapped Store's Ping and observes it.
func (s *Store) Ping(ctx context.Context) (err error) {
	defer s.observe("Ping", time.Now(), &err)
	return s.store.Ping(ctx)
}

// CreateAPIKey calls the wrapped Store's CreateAPIKey and observes it.
func (s *Store) CreateAPIKey(ctx context.Context, k *domain.APIKey) (err error) {
	defer s.observe("CreateAPIKey", time.Now(), &err)
	return s.store.CreateAPIKey(ctx, k)
}

// APIKey calls the wrapped Store's APIKey and observes it.
func (s *Store) APIKey(ctx context.Context, id string) (_ *domain.APIKey, err error) {
	defer s.observe("APIKey", time.Now(), &err)
	return s.store.APIKey(ctx, id)
}

// ListAPIKeys calls the wrapped Store's ListAPIKeys and observes it.
func (s *Store) ListAPIKeys(ctx context.Context) (_ []*domain.APIKey, err error) {
	defer s.observe("ListAPIKeys", time.Now(), &err)
	return s.store.ListAPIKeys(ctx)
}

// UpdateAPIKey calls the wrapped Store's UpdateAPIKey and observes it.
func (s *Store) UpdateAPIKey(ctx context.Context, k *domain.APIKey) (err error) {
	defer s.observe("UpdateAPIKey", time.Now(), &err)
	return s.store.UpdateAPIKey(ctx, k)
}

// BeginAudit calls the wrapped Store's BeginAudit and observes it.
func (s *Store) BeginAudit(ctx context.Context, e *domain.AuditEntry) (err error) {
	defer s.observe("BeginAudit", time.Now(), &err)
	return s.store.BeginAudit(ctx, e)
}

// EndAudit calls the wrapped Store's EndAudit and observes it.
func (s *Store) EndAudit(ctx context.Context, e *domain.AuditEntry) (err error) {
	defer s.observe("EndAudit", time.Now(), &err)
	return s.store.EndAudit(ctx, e)
}

// PendingAudit calls the wrapped Store's PendingAudit and observes it.
func (s *Store) PendingAudit(ctx context.Context) (_ []*domain.AuditEntry, err error) {
	defer s.observe("PendingAudit", time.Now(), &err)
	return s.store.PendingAudit(ctx)
}

// AuditLog calls the wrapped Store's AuditLog and observes it.
func (s *Store) AuditLog(ctx context.Context, f domain.AuditFilter, p domain.Page) (_ domain.List[*domain.AuditEntry], err error) {
	defer s.observe("AuditLog", time.Now(), &err)
	return s.store.AuditLog(ctx, f, p)
}

// CreateCourses calls the wrapped Store's CreateCourses and observes it.
func (s *Store) CreateCourses(ctx context.Context, cs []*domain.Course) (err error) {
	defer s.observe("CreateCourses", time.Now(), &err)
	return s.store.CreateCourses(ctx, cs)
}

// CreatePositions calls the wrapped Store's CreatePositions and observes it.
func (s *Store) CreatePositions(ctx context.Context, ps []*domain.Position) (err error) {
	defer s.observe("CreatePositions", time.Now(), &err)
	return s.store.CreatePositions(ctx, ps)
}

// CreatePeople calls the wrapped Store's CreatePeople and observes it.
func (s *Store) CreatePeople(ctx context.Context, ps []*domain.Person) (err error) {
	defer s.observe("CreatePeople", time.Now(), &err)
	return s.store.CreatePeople(ctx, ps)
}

// Versions calls the wrapped Store's Versions and observes it.
func (s *Store) Versions(ctx context.Context) (_ domain.Versions, err error) {
	defer s.observe("Versions", time.Now(), &err)
	return s.store.Versions(ctx)
}

// MarkFacts calls the wrapped Store's MarkFacts and observes it.
func (s *Store) MarkFacts(ctx context.Context, m domain.FactsMark) (_ bool, err error) {
	defer s.observe("MarkFacts", time.Now(), &err)
	return s.store.MarkFacts(ctx, m)
}

// WriteImport calls the wrapped Store's WriteImport and observes it.
func (s *Store) WriteImport(ctx context.Context, j *domain.ImportJournal) (err error) {
	defer s.observe("WriteImport", time.Now(), &err)
	return s.store.WriteImport(ctx, j)
}

// Imports calls the wrapped Store's Imports and observes it.
func (s *Store) Imports(ctx context.Context) (_ []*domain.ImportJournal, err error) {
	defer s.observe("Imports", time.Now(), &err)
	return s.store.Imports(ctx)
}

// DeleteImport calls the wrapped Store's DeleteImport and observes it.
func (s *Store) DeleteImport(ctx context.Context, id string) (err error) {
	defer s.observe("DeleteImport", time.Now(), &err)
	return s.store.DeleteImport(ctx, id)
}

// CreateIdempotency calls the wrapped Store's CreateIdempotency and
// observes it.
func (s *Store) CreateIdempotency(ctx context.Context, r *domain.IdempotencyRecord) (err error) {
	defer s.observe("CreateIdempotency", time.Now(), &err)
	return s.store.CreateIdempotency(ctx, r)
}

// Idempotency calls the wrapped Store's Idempotency and observes it.
func (s *Store) Idempotency(ctx context.Context, id string) (_ *domain.IdempotencyRecord, err error) {
	defer s.observe("Idempotency", time.Now(), &err)
	return s.store.Idempotency(ctx, id)
}

// UpdateIdempotency calls the wrapped Store's UpdateIdempotency and
// observes it.
func (s *Store) UpdateIdempotency(ctx context.Context, r *domain.IdempotencyRecord) (err error) {
	defer s.observe("UpdateIdempotency", time.Now(), &err)
	return s.store.UpdateIdempotency(ctx, r)
}

// PruneIdempotency calls the wrapped Store's PruneIdempotency and observes
// it.
func (s *Store) PruneIdempotency(ctx context.Context, t time.Time) (_ int, err error) {
	defer s.observe("PruneIdempotency", time.Now(), &err)
	return s.store.PruneIdempotency(ctx, t)
}
