package domain

import "context"

// ChangeLogLength is how far back a Store's change log reaches: it keeps
// the entries of the last ChangeLogLength data versions and prunes older
// ones. A reader further behind than that reads everything again. A
// thousand is about where catching up one change at a time (0.5 ms a
// change in memory, 10 ms on the embedded FerretDB) costs what reading
// everything again does at DoD scale (0.8 s in memory, seconds on
// FerretDB): see app's BenchmarkCatchUp.
const ChangeLogLength = 1000

// ChangeKind names the kind of record a change log entry is about.
type ChangeKind string

// The kinds of change log entries.
const (
	ChangeFramework ChangeKind = "framework"
	ChangeCourse    ChangeKind = "course"
	ChangePosition  ChangeKind = "position"
	// ChangePerson is any write of a person, a recorded completion
	// included.
	ChangePerson ChangeKind = "person"
	// ChangeMany is one write of many records at once (a bulk create, an
	// import), logged as one entry with no key: readers read everything
	// again.
	ChangeMany ChangeKind = "many"
)

// Change is one entry of a Store's change log: a write of one record that
// made the data version Version. It names the record, not what happened to
// it: the record as stored now (or its absence, after a delete) is the
// truth, so that applying an entry late, or twice, does no harm.
type Change struct {
	Version int64
	Kind    ChangeKind
	// Key is the course code, position id or person id; "" for the
	// framework and ChangeMany.
	Key string
	// DataID is the data id drawn with Version (Versions.DataID), so that
	// a reader holding records labelled with a version and its id can tell
	// that they are this database's at that version, and catch up from
	// the entries after it. "" in an entry of an older cmap.
	DataID string
}

// ChangeWatcher is a Store that can announce the writes of every client of
// its database as they happen, so that a reader need not poll for them.
// Package mongodb implements it with change streams, which only MongoDB
// replica sets have; package memstore within the process.
type ChangeWatcher interface {
	// WatchChanges returns a channel that receives a value soon after
	// each change log entry is written, by this client or any other; one
	// value may stand for several entries, so the receiver reads the log
	// (Store.Changes) to learn which. The channel is closed when ctx is
	// done or the watch fails (the database went away and the watch could
	// not resume): watch again to go on receiving.
	//
	// It fails with EINTERNAL when the database cannot watch (FerretDB,
	// a MongoDB server that is not a replica set): poll DataVersion then.
	WatchChanges(ctx context.Context) (<-chan struct{}, error)
}

// CheckChangeRange returns the EINVALID error Store.Changes fails with for
// a range it refuses (after negative, through less than after), nil for a
// good one. Stores call it so that they refuse the same ranges alike.
func CheckChangeRange(after, through int64) error {
	switch {
	case after < 0:
		return Invalid("after", "the data version to read changes after must not be negative, not %d", after)
	case through < after:
		return Invalid("through", "the range of changes ends at %d, before it starts after %d", through, after)
	}
	return nil
}

// ChangesPruned returns the ENOTFOUND error Store.Changes fails with when
// the entry of version after+1 is missing because it was pruned: the
// store's data version is dataVersion and its log keeps the entries of the
// last length versions. It returns nil when the entry was not pruned (it
// is still to come, or will never come).
func ChangesPruned(after, dataVersion, length int64) error {
	if dataVersion-after <= length {
		return nil
	}
	return Errorf(ENOTFOUND, "the change log no longer holds version %d: it keeps the last %d versions and the data version is %d; read everything again",
		after+1, length, dataVersion)
}
