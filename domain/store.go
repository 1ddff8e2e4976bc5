package domain

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Page asks for one page of a list ordered by natural key: the records
// whose key sorts after After ("" for the first page), at most First of
// them (0 means all).
type Page struct {
	After string
	First int
}

// List is one page of records and whether more follow it.
type List[T any] struct {
	Items   []T
	HasNext bool
}

// CourseFilter selects courses; zero fields select everything.
type CourseFilter struct {
	// Status is CourseActive or CourseRetired.
	Status   string
	Provider string
	// Requires selects the courses that list this course code among their
	// prerequisites.
	Requires string
	// Search matches code or title, case-insensitively.
	Search string
}

// PositionFilter selects positions; zero fields select everything.
type PositionFilter struct {
	Organization string
	Category     string
	Grade        string
	Region       string
	KeyBillet    *bool
	// Search matches id or title, case-insensitively.
	Search string
}

// PersonFilter selects people; zero fields select everything.
type PersonFilter struct {
	PositionID string
	// PositionIDs selects the people holding any of these positions (one
	// query for a batch of positions, as the GraphQL dataloaders need);
	// when PositionID is set too, a person must match both.
	PositionIDs []string
	// Search matches id or name, case-insensitively.
	Search string
}

// Store keeps cmap's records. Implementations: package mongodb (MongoDB, or
// the embedded FerretDB) and package memstore (in memory, for tests); both
// pass storetest.Run. Errors are *Error values with these codes:
//   - ENOTFOUND when a record asked for by key does not exist;
//   - ECONFLICT when Create finds the key taken, or Update/Delete is given
//     a Version other than the stored one (someone else wrote since);
//   - EINVALID when the record fails Validate (stores validate too);
//   - EINTERNAL for anything else.
//
// Every write is atomic on its one record, except the bulk creates below;
// no write spans records. Every write of a record is logged in the change
// log (see Changes), so that another instance can catch up with the
// writes it did not make; a bulk create logs one engine.ChangeMany entry.
// A record's Audit field is stored as given, with the write (see
// AuditEntry).
//
// # Bulk creates
//
// CreateCourses, CreatePositions and CreatePeople store many new records
// in one call: few round trips and one DataVersion increment for the lot,
// for seeding and imports. A call
//   - validates every record and checks that no key is given twice before
//     it writes anything (EINVALID naming "[i].field", i the record's index
//     in the call, and nothing written; see ValidateBatch);
//   - fails with ECONFLICT naming the first key it finds taken, and leaves
//     none of its records stored: a store that cannot check every key
//     first removes again the records it stored before meeting the taken
//     key;
//   - on success gives every record Version 1 and the same UpdatedAt, and
//     increments DataVersion once; a call that stored anything, even what
//     it removed again, increments it once too, so that instances that may
//     have read those records reload;
//   - is not atomic against a crash or a lost connection: a call cut off
//     leaves the records it had stored in place (a prefix of the call, in
//     the order given) and may not have incremented DataVersion
//     (Versions.Unsettled tells, where the store can). Running the call
//     again then fails with ECONFLICT: read which keys exist and create
//     the others, as seed.Apply does.
//
// Package memstore applies a bulk create whole or not at all; package
// mongodb has no transaction to do so (FerretDB v1 has none; MongoDB only
// on replica sets) and writes in chunks.
//
// # Versions and the facts mark
//
// Stored facts records are a read model for other tools; cmap derives
// facts in memory and keeps the stored ones current. Versions counts the
// writes of records (Data) and of facts (Facts); MarkFacts records which
// rule revision the stored facts were derived with, at which counts. The
// mark is current (Versions.FactsCurrent) only while both counts are
// unchanged, so any later write of a record or of facts, by any instance
// or tool that goes through a Store, shows that the facts may be stale.
type Store interface {
	// Framework returns the active revision of the stored competency
	// framework, with its Revision and Former codes (ENOTFOUND if none).
	Framework(ctx context.Context) (*Framework, error)
	// PutFramework replaces the model of the active revision with f,
	// keeping the revision's number, former codes and crosswalk (f's
	// Revision and Former are ignored), or stores f as revision 1 when
	// there is none. It makes no new revision (that is
	// AddFrameworkRevision): seeding and tests use it. EINVALID when f
	// fails Validate.
	PutFramework(ctx context.Context, f *Framework) error
	// FrameworkRevisions returns every stored revision of the framework,
	// oldest first: the last is the active one. Empty when none is
	// stored.
	FrameworkRevisions(ctx context.Context) ([]*FrameworkRevision, error)
	// AddFrameworkRevision stores r as the next revision and makes it the
	// active one, in one atomic step: a crash leaves the previous
	// revision active or r, never a mix. r.Number() must be one more than
	// the active revision's (ECONFLICT otherwise: another revision was
	// applied since; revision 1 needs an empty store); EINVALID when
	// r.Framework fails Validate. It sets r.AppliedAt, and counts and
	// logs as PutFramework does (a ChangeFramework entry).
	AddFrameworkRevision(ctx context.Context, r *FrameworkRevision) error

	Course(ctx context.Context, code string) (*Course, error)
	// CoursesByCode returns the courses with the given codes that exist,
	// in any order.
	CoursesByCode(ctx context.Context, codes []string) ([]*Course, error)
	ListCourses(ctx context.Context, f CourseFilter, p Page) (List[*Course], error)
	CountCourses(ctx context.Context, f CourseFilter) (int, error)
	// CreateCourse stores a new course with Version 1 (ECONFLICT if the
	// code is taken) and sets c.Version and c.UpdatedAt.
	CreateCourse(ctx context.Context, c *Course) error
	// CreateCourses stores new courses in bulk (see Bulk creates) and sets
	// their Version and UpdatedAt.
	CreateCourses(ctx context.Context, cs []*Course) error
	// UpdateCourse replaces the course whose Version equals c.Version
	// (ECONFLICT otherwise), then increments c.Version.
	UpdateCourse(ctx context.Context, c *Course) error
	// DeleteCourse deletes the course if its stored version is version.
	DeleteCourse(ctx context.Context, code string, version int64) error

	Position(ctx context.Context, id string) (*Position, error)
	PositionsByID(ctx context.Context, ids []string) ([]*Position, error)
	ListPositions(ctx context.Context, f PositionFilter, p Page) (List[*Position], error)
	CountPositions(ctx context.Context, f PositionFilter) (int, error)
	CreatePosition(ctx context.Context, p *Position) error
	CreatePositions(ctx context.Context, ps []*Position) error
	UpdatePosition(ctx context.Context, p *Position) error
	DeletePosition(ctx context.Context, id string, version int64) error

	Person(ctx context.Context, id string) (*Person, error)
	PeopleByID(ctx context.Context, ids []string) ([]*Person, error)
	ListPeople(ctx context.Context, f PersonFilter, p Page) (List[*Person], error)
	CountPeople(ctx context.Context, f PersonFilter) (int, error)
	CreatePerson(ctx context.Context, p *Person) error
	CreatePeople(ctx context.Context, ps []*Person) error
	UpdatePerson(ctx context.Context, p *Person) error
	DeletePerson(ctx context.Context, id string, version int64) error
	// RecordCompletion appends a completion to a person atomically,
	// increments the version, clears the Audit field (the version has no
	// audit entry) and returns the person as stored.
	RecordCompletion(ctx context.Context, personID string, c Completion) (*Person, error)

	// SaveCourseFacts upserts one facts record per course given; a record
	// with no coverage is stored as such (the course covers nothing). A
	// call given any record increments Versions.Facts once, after its
	// write (and after a write that failed part way, as far as it can).
	SaveCourseFacts(ctx context.Context, facts []CourseFacts) error
	// SavePositionFacts upserts one facts record per position given, and
	// counts as SaveCourseFacts does.
	SavePositionFacts(ctx context.Context, facts []PositionFacts) error
	// DeleteFacts removes the facts records of the given courses and
	// positions; a call given any key counts as SaveCourseFacts does.
	DeleteFacts(ctx context.Context, courses, positions []string) error
	// CourseFacts returns every stored course facts record.
	CourseFacts(ctx context.Context) ([]CourseFacts, error)
	// PositionFacts returns every stored position facts record.
	PositionFacts(ctx context.Context) ([]PositionFacts, error)

	// DataVersion returns a counter that every write of a framework,
	// course, position or person increments. Instances that cache records
	// in memory compare it to know when to reload.
	DataVersion(ctx context.Context) (int64, error)
	// Versions returns DataVersion with the other counters and marks of
	// the store, read together (see Versions).
	Versions(ctx context.Context) (Versions, error)
	// MarkFacts records m as the facts mark if the store's DataVersion is
	// m.Data and its facts count is m.Facts, atomically with respect to
	// every write, and reports whether it did. EINVALID when m.Revision
	// is empty.
	MarkFacts(ctx context.Context, m FactsMark) (bool, error)
	// Changes returns the change log entries of the data versions after
	// after, up to and including through, in version order. Every write
	// that increments DataVersion also logs which record it wrote, under
	// the version it produced: the record is written first, then the
	// version, then the entry. The log keeps the entries of the last
	// ChangeLogLength versions.
	//
	// The result stops before the first version of the range that has no
	// entry, so it is always a prefix of the range. An entry is missing
	// for a moment while its write is between the version and the entry,
	// and for good when the writer died there (or through is past the
	// data version): a caller that finds the same version still missing a
	// while later should read everything again.
	//
	// Errors: EINVALID when after is negative or through is less than
	// after; ENOTFOUND when the entry of version after+1 was pruned (the
	// data version is more than ChangeLogLength past after): read
	// everything again.
	Changes(ctx context.Context, after, through int64) ([]Change, error)

	// SeededWith returns the seed set name recorded by MarkSeeded, or ""
	// when the database was never seeded.
	SeededWith(ctx context.Context) (string, error)
	// MarkSeeded records that the database was seeded with the named set,
	// so that later starts do not seed again (and never bring back records
	// that users deleted).
	MarkSeeded(ctx context.Context, name string) error

	// Ping checks that the database answers.
	Ping(ctx context.Context) error

	// API keys. Their writes leave DataVersion alone.

	// CreateAPIKey stores a new key with Version 1 (ECONFLICT if its ID is
	// taken, EINVALID if it fails Validate) and sets k.Version.
	CreateAPIKey(ctx context.Context, k *APIKey) error
	// APIKey returns the key with id (ENOTFOUND).
	APIKey(ctx context.Context, id string) (*APIKey, error)
	// ListAPIKeys returns every key, revoked ones too, ordered by ID.
	ListAPIKeys(ctx context.Context) ([]*APIKey, error)
	// UpdateAPIKey replaces the key whose stored version is k.Version
	// (ECONFLICT otherwise, ENOTFOUND if none, EINVALID), then increments
	// k.Version.
	UpdateAPIKey(ctx context.Context, k *APIKey) error

	// The audit trail (see AuditEntry). Its writes leave DataVersion
	// alone.

	// BeginAudit stores e, whose State must be AuditPending, among the
	// pending entries: the intent of a write about to be made. ECONFLICT
	// if an entry with e.ID is pending (IDs are made by NewAuditID and
	// never reused); EINVALID if e fails Validate.
	BeginAudit(ctx context.Context, e *AuditEntry) error
	// EndAudit stores e, whose State must be AuditDone or AuditFailed, in
	// the audit log (replacing an entry of the log with its ID) and then
	// removes the pending entry with its ID, if any. Ending an entry again
	// stores the later state; EINVALID for a pending state or an entry
	// that fails Validate.
	EndAudit(ctx context.Context, e *AuditEntry) error
	// PendingAudit returns the pending entries, oldest first.
	PendingAudit(ctx context.Context) ([]*AuditEntry, error)
	// AuditLog returns one page of the entries of the log (not the pending
	// ones) that f selects, in ID order: newest first.
	AuditLog(ctx context.Context, f AuditFilter, p Page) (List[*AuditEntry], error)

	// Import journals (see ImportJournal). Their writes leave DataVersion
	// alone.

	// WriteImport stores the journal j: its ops first, then, as its last
	// write and in one document, its header. The journal is committed
	// once the header is stored: a WriteImport cut off before that leaves
	// ops that no header names, which Imports does not return and
	// DeleteImport removes. ECONFLICT if a journal with j.ID is stored;
	// EINVALID if j fails Validate.
	WriteImport(ctx context.Context, j *ImportJournal) error
	// Imports returns the committed journals with their ops, oldest
	// first.
	Imports(ctx context.Context) ([]*ImportJournal, error)
	// DeleteImport removes the journal with id, committed or not: its
	// header first, then its ops. Removing none is no error.
	DeleteImport(ctx context.Context, id string) error
	// Idempotent requests (see IdempotencyRecord). Their writes leave
	// DataVersion alone; stores keep Response as given.

	// CreateIdempotency stores a new record with Version 1 (ECONFLICT if
	// its ID is taken, expired or not; EINVALID if it fails Validate) and
	// sets r.Version.
	CreateIdempotency(ctx context.Context, r *IdempotencyRecord) error
	// Idempotency returns the record with id, expired or not (ENOTFOUND).
	Idempotency(ctx context.Context, id string) (*IdempotencyRecord, error)
	// UpdateIdempotency replaces the record whose stored version is
	// r.Version (ECONFLICT otherwise, ENOTFOUND if none, EINVALID), then
	// increments r.Version.
	UpdateIdempotency(ctx context.Context, r *IdempotencyRecord) error
	// PruneIdempotency deletes the records that expired at or before t
	// and returns how many, atomically with respect to UpdateIdempotency
	// (a record renewed meanwhile is kept).
	PruneIdempotency(ctx context.Context, t time.Time) (int, error)
}

// Match reports whether the filter selects c, as every Store applies it:
// equal fields, a prerequisite among c's, and Search as a case-insensitive
// substring of the code or the title.
func (f CourseFilter) Match(c *Course) bool {
	return (f.Status == "" || c.Status == f.Status) &&
		(f.Provider == "" || c.Provider == f.Provider) &&
		(f.Requires == "" || slices.Contains(c.Prerequisites, f.Requires)) &&
		searchMatches(f.Search, c.Code, c.Title)
}

// Match reports whether the filter selects p (Search on the id or title).
func (f PositionFilter) Match(p *Position) bool {
	return (f.Organization == "" || p.Organization == f.Organization) &&
		(f.Category == "" || p.Category == f.Category) &&
		(f.Grade == "" || p.Grade == f.Grade) &&
		(f.Region == "" || p.Region == f.Region) &&
		(f.KeyBillet == nil || p.KeyBillet == *f.KeyBillet) &&
		searchMatches(f.Search, p.ID, p.Title)
}

// Match reports whether the filter selects p (Search on the id or name).
func (f PersonFilter) Match(p *Person) bool {
	return (f.PositionID == "" || p.PositionID == f.PositionID) &&
		(len(f.PositionIDs) == 0 || slices.Contains(f.PositionIDs, p.PositionID)) &&
		searchMatches(f.Search, p.ID, p.Name)
}

// searchMatches reports whether text is empty or a case-insensitive
// substring of any of fields.
func searchMatches(text string, fields ...string) bool {
	if text == "" {
		return true
	}
	text = strings.ToLower(text)
	for _, f := range fields {
		if strings.Contains(strings.ToLower(f), text) {
			return true
		}
	}
	return false
}

// Versions are a store's counters and marks, as Store.Versions reads them
// together.
type Versions struct {
	// Data is the DataVersion: it counts the writes of the framework and
	// of records.
	Data int64
	// DataID is a random id the store draws when it first opens a
	// database and again with every increment of Data. (Data, DataID)
	// names one state of the records in one database: another database,
	// or a restored copy that was written to since, never shows the same
	// pair. A cache of the records labelled with the pair can be trusted
	// while the store still reports it (and Unsettled is false).
	DataID string
	// Facts counts the calls that wrote facts records (SaveCourseFacts,
	// SavePositionFacts, DeleteFacts).
	Facts int64
	// FactsMark is the last mark MarkFacts recorded, zero if none.
	FactsMark FactsMark
	// Unsettled reports that a write may be under way, or was cut off by
	// a crash, and the counters may not count it yet: a cache labelled
	// with (Data, DataID) is not to be trusted now. Stores that cannot
	// tell report false (package mongodb on MongoDB; see its documentation).
	Unsettled bool
}

// FactsMark says that the stored facts records are exactly the facts that
// the rules of revision Revision derive from the records at DataVersion
// Data, and that Facts writes of facts had been made then.
type FactsMark struct {
	Revision string
	Data     int64
	Facts    int64
}

// FactsCurrent reports whether the stored facts are, now, exactly what
// the rules of revision derive from the stored records: the mark names
// revision and no write of a record or of facts happened since it was
// set, and none is under way.
func (v Versions) FactsCurrent(revision string) bool {
	m := v.FactsMark
	return !v.Unsettled && revision != "" && m.Revision == revision && m.Data == v.Data && m.Facts == v.Facts
}

// ValidateBatch checks the records of a bulk create as every Store does
// before it writes any: each record's Validate, its error's field path
// prefixed with the record's index ("[3].title"), then that no key is
// given twice (EINVALID on "[j].keyField" of the second). A nil record is
// EINVALID on "[i]".
func ValidateBatch[T any](records []*T, keyField string, key func(*T) string, validate func(*T) error) error {
	for i, r := range records {
		if r == nil {
			return Invalid(fmt.Sprintf("[%d]", i), "record %d is missing", i)
		}
		if err := validate(r); err != nil {
			var e *Error
			if errors.As(err, &e) {
				field := fmt.Sprintf("[%d]", i)
				if e.Field != "" {
					field += "." + e.Field
				}
				return &Error{Code: e.Code, Field: field, Message: e.Message, Err: e.Err}
			}
			return err
		}
	}
	first := make(map[string]int, len(records))
	for i, r := range records {
		k := key(r)
		if j, ok := first[k]; ok {
			return Invalid(fmt.Sprintf("[%d].%s", i, keyField), "%s %s is given twice, at [%d] and [%d]", keyField, k, j, i)
		}
		first[k] = i
	}
	return nil
}
