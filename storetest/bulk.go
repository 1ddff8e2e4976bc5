package storetest

import (
	"cmap/domain"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

// bulkSize is the size of the large bulk creates: more than one chunk of
// a store that writes in chunks (package mongodb: 500 records).
const bulkSize = 620

// bulkKind is what the bulk create tests need of one kind of record.
type bulkKind[T any] struct {
	// sample returns a valid record with key number i.
	sample func(i int) *T
	key    func(*T) string
	// create, createAll, get and count call the store.
	createAll func(context.Context, domain.Store, []*T) error
	create    func(context.Context, domain.Store, *T) error
	get       func(context.Context, domain.Store, string) (*T, error)
	count     func(context.Context, domain.Store) (int, error)
	stamp     func(*T) (int64, time.Time)
	setStamp  func(*T, int64, time.Time)
	// breakIt makes a record invalid on field.
	breakIt func(*T) (field string)
	// keyField names the key in field paths.
	keyField string
}

var courseBulk = bulkKind[domain.Course]{
	sample:    func(i int) *domain.Course { return SampleCourse(fmt.Sprintf("BLK-%05d", i)) },
	key:       courseCode,
	createAll: func(ctx context.Context, s domain.Store, cs []*domain.Course) error { return s.CreateCourses(ctx, cs) },
	create:    func(ctx context.Context, s domain.Store, c *domain.Course) error { return s.CreateCourse(ctx, c) },
	get:       func(ctx context.Context, s domain.Store, k string) (*domain.Course, error) { return s.Course(ctx, k) },
	count: func(ctx context.Context, s domain.Store) (int, error) {
		return s.CountCourses(ctx, domain.CourseFilter{})
	},
	stamp:    func(c *domain.Course) (int64, time.Time) { return c.Version, c.UpdatedAt },
	setStamp: func(c *domain.Course, v int64, at time.Time) { c.Version, c.UpdatedAt = v, at },
	breakIt:  func(c *domain.Course) string { c.Objectives[1] = " "; return "objectives[1]" },
	keyField: "code",
}

var positionBulk = bulkKind[domain.Position]{
	sample: func(i int) *domain.Position { return SamplePosition(fmt.Sprintf("POS-%05d", i)) },
	key:    positionID,
	createAll: func(ctx context.Context, s domain.Store, ps []*domain.Position) error {
		return s.CreatePositions(ctx, ps)
	},
	create: func(ctx context.Context, s domain.Store, p *domain.Position) error { return s.CreatePosition(ctx, p) },
	get: func(ctx context.Context, s domain.Store, k string) (*domain.Position, error) {
		return s.Position(ctx, k)
	},
	count: func(ctx context.Context, s domain.Store) (int, error) {
		return s.CountPositions(ctx, domain.PositionFilter{})
	},
	stamp:    func(p *domain.Position) (int64, time.Time) { return p.Version, p.UpdatedAt },
	setStamp: func(p *domain.Position, v int64, at time.Time) { p.Version, p.UpdatedAt = v, at },
	breakIt:  func(p *domain.Position) string { p.Title = ""; return "title" },
	keyField: "id",
}

var personBulk = bulkKind[domain.Person]{
	sample:    func(i int) *domain.Person { return SamplePerson(fmt.Sprintf("P-%05d", i)) },
	key:       personID,
	createAll: func(ctx context.Context, s domain.Store, ps []*domain.Person) error { return s.CreatePeople(ctx, ps) },
	create:    func(ctx context.Context, s domain.Store, p *domain.Person) error { return s.CreatePerson(ctx, p) },
	get:       func(ctx context.Context, s domain.Store, k string) (*domain.Person, error) { return s.Person(ctx, k) },
	count: func(ctx context.Context, s domain.Store) (int, error) {
		return s.CountPeople(ctx, domain.PersonFilter{})
	},
	stamp:    func(p *domain.Person) (int64, time.Time) { return p.Version, p.UpdatedAt },
	setStamp: func(p *domain.Person, v int64, at time.Time) { p.Version, p.UpdatedAt = v, at },
	breakIt: func(p *domain.Person) string {
		p.Completions[1].CourseCode = "nope!"
		return "completions[1].courseCode"
	},
	keyField: "id",
}

// samples returns n sample records numbered from first.
func (k bulkKind[T]) samples(first, n int) []*T {
	out := make([]*T, n)
	for i := range out {
		out[i] = k.sample(first + i)
	}
	return out
}

// testBulkCreate checks one kind's bulk create: what it stores, what it
// refuses and what it leaves behind when it refuses.
func testBulkCreate[T any](t *testing.T, s domain.Store, k bulkKind[T]) {
	ctx := t.Context()
	version := func() int64 {
		t.Helper()
		v, err := s.DataVersion(ctx)
		must(t, err)
		return v
	}
	wantCount := func(want int) {
		t.Helper()
		if n, err := k.count(ctx, s); err != nil || n != want {
			t.Fatalf("%d records stored, %v; want %d", n, err, want)
		}
	}

	// Nothing to create: nothing written, nothing counted.
	before := version()
	must(t, k.createAll(ctx, s, nil))
	if v := version(); v != before {
		t.Errorf("an empty bulk create moved DataVersion from %d to %d", before, v)
	}

	// A large batch: every record stored as given, at version 1, with one
	// UpdatedAt, in one DataVersion increment.
	batch := k.samples(0, bulkSize)
	start := time.Now().Add(-time.Second)
	must(t, k.createAll(ctx, s, batch))
	if v := version(); v != before+1 {
		t.Errorf("DataVersion moved from %d to %d, want one increment for the batch", before, v)
	}
	// The change log names no record: readers read everything again.
	changes, err := s.Changes(ctx, before, before+1)
	must(t, err)
	vs, err := s.Versions(ctx)
	must(t, err)
	assertEqual(t, changes, []domain.Change{{Version: before + 1, Kind: domain.ChangeMany, DataID: vs.DataID}})
	wantCount(bulkSize)
	_, at := k.stamp(batch[0])
	if at.Before(start) {
		t.Errorf("UpdatedAt %v is before the call", at)
	}
	for _, i := range []int{0, 1, bulkSize / 2, bulkSize - 1} {
		if v, a := k.stamp(batch[i]); v != 1 || !a.Equal(at) {
			t.Errorf("record %d: version %d, updatedAt %v; want 1, %v", i, v, a, at)
		}
		got, err := k.get(ctx, s, k.key(batch[i]))
		must(t, err)
		assertEqual(t, got, batch[i])
	}
	// The store keeps copies: changing the caller's records changes nothing.
	k.breakIt(batch[0])
	got, err := k.get(ctx, s, k.key(batch[0]))
	must(t, err)
	want := k.sample(0)
	k.setStamp(want, 1, at)
	assertEqual(t, got, want)

	// An invalid record anywhere: EINVALID naming it, nothing written.
	before = version()
	bad := k.samples(bulkSize, 5)
	field := k.breakIt(bad[3])
	err = k.createAll(ctx, s, bad)
	wantCode(t, err, domain.EINVALID)
	wantField(t, err, "[3]."+field)
	bad = k.samples(bulkSize, 5)
	bad[4] = k.sample(bulkSize + 1)
	err = k.createAll(ctx, s, bad)
	wantCode(t, err, domain.EINVALID)
	wantField(t, err, "[4]."+k.keyField)
	wantCount(bulkSize)
	if v := version(); v != before {
		t.Errorf("refused batches moved DataVersion from %d to %d", before, v)
	}
	if v, _ := k.stamp(bad[0]); v != 0 {
		t.Errorf("a refused batch set version %d on its records", v)
	}

	// A taken key, after more than a chunk of new ones: ECONFLICT naming
	// it, and none of the batch stays stored.
	clash := k.samples(bulkSize, bulkSize)
	clash = append(clash, k.sample(bulkSize/2), k.sample(3*bulkSize))
	before = version()
	err = k.createAll(ctx, s, clash)
	wantCode(t, err, domain.ECONFLICT)
	if msg, key := domain.ErrorMessage(err), k.key(k.sample(bulkSize/2)); !strings.Contains(msg, key) {
		t.Errorf("conflict message %q does not name %s", msg, key)
	}
	wantCount(bulkSize)
	for _, r := range []*T{clash[0], clash[bulkSize-1], clash[len(clash)-1]} {
		_, err := k.get(ctx, s, k.key(r))
		wantCode(t, err, domain.ENOTFOUND)
	}
	if v := version(); v != before && v != before+1 {
		t.Errorf("a batch that conflicted moved DataVersion from %d to %d, want at most one increment", before, v)
	}
	// The same batch without the taken key goes in.
	clash = append(clash[:bulkSize], clash[bulkSize+1:]...)
	must(t, k.createAll(ctx, s, clash))
	wantCount(2*bulkSize + 1)
	// And one by one creates still conflict with bulk-created records.
	wantCode(t, k.create(ctx, s, k.sample(bulkSize)), domain.ECONFLICT)
}
