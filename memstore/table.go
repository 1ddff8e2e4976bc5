package memstore

import (
	"cmap/domain"
	"context"
	"maps"
	"slices"
	"sync/atomic"
	"time"
)

// kind describes a versioned record type (course, position, person) to the
// table that holds it.
type kind[R any] struct {
	// name names the type in messages ("course").
	name string
	// keyField names the key in field paths ("code").
	keyField string
	// change is the kind of the change log entries of its writes.
	change domain.ChangeKind
	key    func(*R) string
	// validate is the record's Validate.
	validate func(*R) error
	// copy returns a deep copy of a record as the store keeps it (see
	// the package documentation); used on the way in and out.
	copy func(*R) *R
	// stamp returns the record's Version and UpdatedAt fields.
	stamp func(*R) (*int64, *time.Time)
}

// table holds the records of one kind by key. Its methods do not lock: the
// Store's methods hold s.mu around them.
type table[R any] struct {
	kind *kind[R]
	rows map[string]*R // never changed in place once stored
	// sorted caches the keys of rows in order; nil when a key was added or
	// removed since. Readers under s.mu.RLock fill it, hence the atomic.
	sorted atomic.Pointer[[]string]
}

func newTable[R any](k *kind[R]) *table[R] {
	return &table[R]{kind: k, rows: map[string]*R{}}
}

// clone returns a table with the same rows, independent of t.
func (t *table[R]) clone() *table[R] {
	c := &table[R]{kind: t.kind, rows: maps.Clone(t.rows)}
	c.sorted.Store(t.sorted.Load())
	return c
}

// keys returns the keys of every row in byte order, which is how MongoDB
// sorts string _ids.
func (t *table[R]) keys() []string {
	if k := t.sorted.Load(); k != nil {
		return *k
	}
	k := slices.Sorted(maps.Keys(t.rows))
	t.sorted.Store(&k)
	return k
}

// get returns a copy of record key (ENOTFOUND if none).
func (t *table[R]) get(key string) (*R, error) {
	r, ok := t.rows[key]
	if !ok {
		return nil, domain.NotFound(t.kind.name, key)
	}
	return t.kind.copy(r), nil
}

// byKeys returns copies of the records whose keys are in keys, each once,
// in key order.
func (t *table[R]) byKeys(keys []string) []*R {
	found := make([]string, 0, len(keys))
	for _, k := range keys {
		if _, ok := t.rows[k]; ok {
			found = append(found, k)
		}
	}
	slices.Sort(found)
	found = slices.Compact(found)
	out := make([]*R, len(found))
	for i, k := range found {
		out[i] = t.kind.copy(t.rows[k])
	}
	return out
}

// list returns copies of one page of the records that match accepts, in
// key order.
func (t *table[R]) list(match func(*R) bool, p domain.Page) (domain.List[*R], error) {
	if p.First < 0 {
		return domain.List[*R]{Items: []*R{}}, domain.Invalid("first", "first must not be negative, not %d", p.First)
	}
	keys := t.keys()
	start := 0
	if p.After != "" {
		start, _ = slices.BinarySearch(keys, p.After)
		if start < len(keys) && keys[start] == p.After {
			start++
		}
	}
	items := []*R{}
	for _, k := range keys[start:] {
		r := t.rows[k]
		if !match(r) {
			continue
		}
		if p.First > 0 && len(items) == p.First {
			return domain.List[*R]{Items: items, HasNext: true}, nil
		}
		items = append(items, t.kind.copy(r))
	}
	return domain.List[*R]{Items: items}, nil
}

// count counts the records that match accepts.
func (t *table[R]) count(match func(*R) bool) int {
	n := 0
	for _, r := range t.rows {
		if match(r) {
			n++
		}
	}
	return n
}

// put stores r, which the caller no longer touches, under its key.
func (t *table[R]) put(r *R) {
	key := t.kind.key(r)
	if _, ok := t.rows[key]; !ok {
		t.sorted.Store(nil)
	}
	t.rows[key] = r
}

// remove deletes record key.
func (t *table[R]) remove(key string) {
	delete(t.rows, key)
	t.sorted.Store(nil)
}

// checkVersion returns ENOTFOUND if record key does not exist and ECONFLICT
// if its stored version is not version, with package mongodb's messages.
func (t *table[R]) checkVersion(key string, version int64) error {
	r, ok := t.rows[key]
	if !ok {
		return domain.NotFound(t.kind.name, key)
	}
	if stored, _ := t.kind.stamp(r); *stored != version {
		return domain.Errorf(domain.ECONFLICT, "%s %s was changed by someone else: you have version %d, stored is %d",
			t.kind.name, key, version, *stored)
	}
	return nil
}

// The versioned writes below are the same for every kind. Each validates
// the record, then holds the write lock for the version check and the
// write, and increments the data version and logs the change when the
// write succeeds.

// create stores r with version 1 (ECONFLICT if its key is taken) and sets
// r's Version and UpdatedAt.
func create[R any](ctx context.Context, s *Store, t *table[R], r *R) error {
	if err := t.kind.validate(r); err != nil {
		return err
	}
	if err := live(ctx, "insert "+t.kind.name); err != nil {
		return err
	}
	stored := t.kind.copy(r)
	version, at := t.kind.stamp(stored)
	*version, *at = 1, now()
	key := t.kind.key(stored)
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := t.rows[key]; ok {
		return domain.Errorf(domain.ECONFLICT, "%s %s exists", t.kind.name, key)
	}
	t.put(stored)
	s.logChange(t.kind.change, key)
	v, a := t.kind.stamp(r)
	*v, *a = *version, *at
	return nil
}

// createAll stores the records rs with version 1 and one UpdatedAt, all or
// none (see domain.Store's bulk creates), and sets their Version and
// UpdatedAt.
func createAll[R any](ctx context.Context, s *Store, t *table[R], rs []*R) error {
	if err := domain.ValidateBatch(rs, t.kind.keyField, t.kind.key, t.kind.validate); err != nil {
		return err
	}
	if err := live(ctx, "insert "+t.kind.name); err != nil {
		return err
	}
	if len(rs) == 0 {
		return nil
	}
	at := now()
	stored := make([]*R, len(rs))
	for i, r := range rs {
		stored[i] = t.kind.copy(r)
		v, a := t.kind.stamp(stored[i])
		*v, *a = 1, at
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range stored {
		if key := t.kind.key(r); t.rows[key] != nil {
			return domain.Errorf(domain.ECONFLICT, "%s %s exists", t.kind.name, key)
		}
	}
	for _, r := range stored {
		t.put(r)
	}
	s.logChange(domain.ChangeMany, "")
	for _, r := range rs {
		v, a := t.kind.stamp(r)
		*v, *a = 1, at
	}
	return nil
}

// update replaces the record whose stored version is r's Version
// (ECONFLICT otherwise, ENOTFOUND if there is none), then increments r's
// Version and sets its UpdatedAt.
func update[R any](ctx context.Context, s *Store, t *table[R], r *R) error {
	if err := t.kind.validate(r); err != nil {
		return err
	}
	if err := live(ctx, "write "+t.kind.name); err != nil {
		return err
	}
	stored := t.kind.copy(r)
	version, at := t.kind.stamp(stored)
	key := t.kind.key(stored)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := t.checkVersion(key, *version); err != nil {
		return err
	}
	*version, *at = *version+1, now()
	t.put(stored)
	s.logChange(t.kind.change, key)
	v, a := t.kind.stamp(r)
	*v, *a = *version, *at
	return nil
}

// remove deletes record key if its stored version is version.
func remove[R any](ctx context.Context, s *Store, t *table[R], key string, version int64) error {
	if err := live(ctx, "write "+t.kind.name); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := t.checkVersion(key, version); err != nil {
		return err
	}
	t.remove(key)
	s.logChange(t.kind.change, key)
	return nil
}

// get returns record key of t (ENOTFOUND if none).
func get[R any](ctx context.Context, s *Store, t *table[R], key string) (*R, error) {
	if err := live(ctx, "read "+t.kind.name); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return t.get(key)
}

// byKeys returns the records of t whose keys are in keys, in key order.
func byKeys[R any](ctx context.Context, s *Store, t *table[R], keys []string) ([]*R, error) {
	if err := live(ctx, "find "+t.kind.name); err != nil {
		return []*R{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return t.byKeys(keys), nil
}

// list returns one page of the records of t that match accepts.
func list[R any](ctx context.Context, s *Store, t *table[R], match func(*R) bool, p domain.Page) (domain.List[*R], error) {
	if err := live(ctx, "find "+t.kind.name); err != nil {
		return domain.List[*R]{Items: []*R{}}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return t.list(match, p)
}

// count counts the records of t that match accepts.
func count[R any](ctx context.Context, s *Store, t *table[R], match func(*R) bool) (int, error) {
	if err := live(ctx, "count "+t.kind.name); err != nil {
		return 0, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return t.count(match), nil
}
