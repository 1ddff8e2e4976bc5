// Package memstore is an domain.Store held in memory, for tests that need a
// store but not a database: it passes the same conformance suite
// (package storetest) as the MongoDB store and answers in microseconds.
//
// # Same answers as package mongodb
//
// It keeps what a round trip through MongoDB keeps and nothing more: times
// it stores are UTC at millisecond precision (BSON dates), empty lists come
// back as nil (the document structs omit them), a facts record's facts name
// the record's own course or position. Lists are in natural key order
// (byte order of the keys, as MongoDB sorts _id strings), searches are
// case-insensitive substring matches, errors carry the codes and messages
// of package mongodb, and a call whose context is done fails with
// EINTERNAL as a database call would. Records are copied in and out: a
// caller cannot change what is stored through a pointer it gave or got.
//
// # Concurrency and Clone
//
// A Store is safe for concurrent use; every method holds one lock, so each
// write is atomic and version checks cannot race. A stored record is never
// changed in place (a write stores a new copy), which lets Clone share them:
// Clone copies the maps that hold the records, not the records, in time
// proportional to their number, and the two stores are independent from
// then on.
//
// # Change log
//
// A write, its data version and its change log entry are one step under
// the lock, so the log has no holes (a test that needs one wraps the
// store). A Store is also an domain.ChangeWatcher: WatchChanges wakes its
// receivers after each write, as a MongoDB change stream would, so that
// two App instances over one Store learn of each other's writes without
// polling.
package memstore

import (
	"cmap/domain"
	"context"
	"crypto/rand"
	"fmt"
	"maps"
	"sync"
	"time"
)

// Store is an domain.Store in memory. Make one with New; the zero value is
// not ready for use.
type Store struct {
	mu sync.RWMutex
	// revisions are the framework's revisions, oldest first; the last is
	// the active one. Never changed in place once stored.
	revisions     []*domain.FrameworkRevision
	courses       *table[domain.Course]
	positions     *table[domain.Position]
	people        *table[domain.Person]
	courseFacts   map[string]domain.CourseFacts
	positionFacts map[string]domain.PositionFacts
	dataVersion   int64
	// dataID is drawn by New and again by every increment of dataVersion
	// (see domain.Versions).
	dataID string
	// factWrites counts the calls that wrote facts; factsMark is the last
	// mark MarkFacts recorded.
	factWrites   int64
	factsMark    domain.FactsMark
	seed         string
	apiKeys      map[string]*domain.APIKey // never changed in place once stored
	auditPending map[string]*domain.AuditEntry
	auditLog     map[string]*domain.AuditEntry
	// auditLogKeys caches the IDs of auditLog in order; nil when one was
	// added since.
	auditLogKeys []string
	// imports are the committed import journals, by ID, as JSON (a deep
	// copy).
	imports map[string][]byte
	// idempotency holds the records of idempotent requests by ID, never
	// changed in place once stored.
	idempotency map[string]*domain.IdempotencyRecord

	// changes is the change log by version, of the last
	// domain.ChangeLogLength versions.
	changes map[int64]domain.Change
	// watchers are the channels of WatchChanges, woken by every write.
	watchers map[chan struct{}]struct{}
}

var _ domain.Store = (*Store)(nil)

// New returns an empty store.
func New() *Store {
	return &Store{
		courses:       newTable(courseKind),
		positions:     newTable(positionKind),
		people:        newTable(personKind),
		courseFacts:   map[string]domain.CourseFacts{},
		positionFacts: map[string]domain.PositionFacts{},
		dataID:        rand.Text(),
		apiKeys:       map[string]*domain.APIKey{},
		auditPending:  map[string]*domain.AuditEntry{},
		auditLog:      map[string]*domain.AuditEntry{},
		imports:       map[string][]byte{},
		idempotency:   map[string]*domain.IdempotencyRecord{},

		changes:  map[int64]domain.Change{},
		watchers: map[chan struct{}]struct{}{},
	}
}

// Clone returns an independent copy of s: its records, facts, versions,
// facts mark, change log, seed mark, API keys, audit trail, idempotent
// requests and import journals, but none of its watchers. Writes to
// either store do not show in the other; the first
// write to either draws it a new DataID, as a restored copy of a database
// written to again does.
func (s *Store) Clone() *Store {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return &Store{
		revisions:     s.revisions[:len(s.revisions):len(s.revisions)],
		courses:       s.courses.clone(),
		positions:     s.positions.clone(),
		people:        s.people.clone(),
		courseFacts:   maps.Clone(s.courseFacts),
		positionFacts: maps.Clone(s.positionFacts),
		dataVersion:   s.dataVersion,
		dataID:        s.dataID,
		factWrites:    s.factWrites,
		factsMark:     s.factsMark,
		seed:          s.seed,
		apiKeys:       maps.Clone(s.apiKeys),
		auditPending:  maps.Clone(s.auditPending),
		auditLog:      maps.Clone(s.auditLog),
		auditLogKeys:  s.auditLogKeys,
		imports:       maps.Clone(s.imports),
		idempotency:   maps.Clone(s.idempotency),

		changes:  maps.Clone(s.changes),
		watchers: map[chan struct{}]struct{}{},
	}
}

// Ping checks that the store answers: it always does, unless ctx is done.
func (s *Store) Ping(ctx context.Context) error { return live(ctx, "ping") }

// live returns EINTERNAL when ctx is done, as a database call would fail.
func live(ctx context.Context, op string) error {
	if err := ctx.Err(); err != nil {
		return &domain.Error{Code: domain.EINTERNAL, Err: fmt.Errorf("memstore: %s: %w", op, err)}
	}
	return nil
}

// now returns the time stamped on a write, at the precision package
// mongodb stores (see storedTime).
func now() time.Time { return storedTime(time.Now()) }

// storedTime returns t as a BSON date gives it back: UTC, whole
// milliseconds, no monotonic clock reading.
func storedTime(t time.Time) time.Time { return t.UTC().Truncate(time.Millisecond) }

// Framework returns the active revision of the stored competency
// framework (ENOTFOUND if none).
func (s *Store) Framework(ctx context.Context) (*domain.Framework, error) {
	if err := live(ctx, "read framework"); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if len(s.revisions) == 0 {
		return nil, domain.Errorf(domain.ENOTFOUND, "no competency framework is stored")
	}
	return s.revisions[len(s.revisions)-1].Framework.Clone(), nil
}

// PutFramework validates f and replaces the model of the active revision
// with it (see domain.Store).
func (s *Store) PutFramework(ctx context.Context, f *domain.Framework) error {
	if err := f.Validate(); err != nil {
		return err
	}
	if err := live(ctx, "save framework"); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r := &domain.FrameworkRevision{Framework: f.Clone(), AppliedAt: now()}
	r.Framework.Revision, r.Framework.Former = 1, nil
	if n := len(s.revisions); n > 0 {
		cur := s.revisions[n-1]
		r.Framework.Revision, r.Framework.Former = cur.Framework.Revision, cur.Framework.Former
		r.Crosswalk, r.AppliedAt, r.Audit = cur.Crosswalk, cur.AppliedAt, cur.Audit
		s.revisions = append(s.revisions[:n-1:n-1], r)
	} else {
		s.revisions = []*domain.FrameworkRevision{r}
	}
	s.logChange(domain.ChangeFramework, "")
	return nil
}

// FrameworkRevisions returns every stored revision, oldest first.
func (s *Store) FrameworkRevisions(ctx context.Context) ([]*domain.FrameworkRevision, error) {
	if err := live(ctx, "read framework revisions"); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]*domain.FrameworkRevision, len(s.revisions))
	for i, r := range s.revisions {
		out[i] = copyRevision(r)
	}
	return out, nil
}

// AddFrameworkRevision stores r as the next revision and makes it active
// (see domain.Store).
func (s *Store) AddFrameworkRevision(ctx context.Context, r *domain.FrameworkRevision) error {
	if err := r.Framework.Validate(); err != nil {
		return err
	}
	if err := live(ctx, "save framework revision"); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if want := len(s.revisions) + 1; r.Number() != want {
		return domain.Errorf(domain.ECONFLICT, "framework revision %d cannot follow revision %d: the next is %d", r.Number(), want-1, want)
	}
	r.AppliedAt = now()
	s.revisions = append(s.revisions[:len(s.revisions):len(s.revisions)], copyRevision(r))
	s.logChange(domain.ChangeFramework, "")
	return nil
}

// DataVersion returns the counter that every write of a framework, course,
// position or person increments (0 before the first).
func (s *Store) DataVersion(ctx context.Context) (int64, error) {
	if err := live(ctx, "read data version"); err != nil {
		return 0, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.dataVersion, nil
}

// Versions returns the data version, its id, the count of facts writes
// and the facts mark, as of one moment. Unsettled is always false: every
// write is done whole under the store's lock.
func (s *Store) Versions(ctx context.Context) (domain.Versions, error) {
	if err := live(ctx, "read versions"); err != nil {
		return domain.Versions{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return domain.Versions{Data: s.dataVersion, DataID: s.dataID, Facts: s.factWrites, FactsMark: s.factsMark}, nil
}

// MarkFacts records m as the facts mark if the data version is m.Data and
// the count of facts writes m.Facts, and reports whether it did.
func (s *Store) MarkFacts(ctx context.Context, m domain.FactsMark) (bool, error) {
	if m.Revision == "" {
		return false, domain.Invalid("revision", "a facts mark names the rules revision")
	}
	if err := live(ctx, "mark facts"); err != nil {
		return false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if m.Data != s.dataVersion || m.Facts != s.factWrites {
		return false, nil
	}
	s.factsMark = m
	return true, nil
}

// SeededWith returns the seed set name recorded by MarkSeeded, or "".
func (s *Store) SeededWith(ctx context.Context) (string, error) {
	if err := live(ctx, "read seed marker"); err != nil {
		return "", err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.seed, nil
}

// MarkSeeded records that the store was seeded with the named set
// (EINVALID if name is empty).
func (s *Store) MarkSeeded(ctx context.Context, name string) error {
	if name == "" {
		return domain.Invalid("name", "seed set name is empty")
	}
	if err := live(ctx, "mark seeded"); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seed = name
	return nil
}
