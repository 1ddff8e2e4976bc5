package app

import (
	"cmap/domain"
	"context"
	"fmt"
	"reflect"
	"time"
)

// Catching up with the writes of other instances (and tools) from the
// store's change log: each entry names a record written since the state's
// data version; the App reads that record by key and applies the same
// incremental update its own write of it would have. The cost is that of
// the change, not of the catalogue. What the log cannot answer is rebuilt
// from everything, as before the log existed:
//
//   - a change of the framework (the rules are checked against it again),
//     a write of many records at once (engine.ChangeMany);
//   - a state more than domain.ChangeLogLength versions behind (the log
//     was pruned), a state marked stale by a failed update, a data version
//     that went back (the database was replaced);
//   - a hole: a version whose entry is still missing a PollInterval after
//     it was first found missing (its writer died between the data version
//     and the entry, or an older cmap wrote it). An entry missing for a
//     moment is normal: a writer increments the version, then logs.
//
// Up to a hole, the entries before it are applied and the state's version
// moves to the last of them. Entries are applied catchUpBatch at a time,
// each batch a new state, so that the App's own writes, which wait while
// a batch is applied, wait for a hundred records at most.

// catchUpBatch is the most change log entries applied under updateMu.
const catchUpBatch = 100

// hole is a version found missing from the change log, and when.
type hole struct {
	version int64
	seen    time.Time
}

// caughtUp says what a catch-up did.
type caughtUp struct {
	from, to int64
	// changes is the number of log entries applied.
	changes int
	// rebuild, when not empty, says why the log could not be used.
	rebuild string
}

// catchUpTo brings the state up to v, the store's data version: from the
// change log, a batch at a time, up to a hole; or by a rebuild when the
// log cannot answer. The caller holds rebuildMu.
func (a *App) catchUpTo(ctx context.Context, v int64) (caughtUp, error) {
	var done caughtUp
	for first := true; ; first = false {
		batch, err := a.applyChanges(ctx, v)
		if first {
			done.from = batch.from
		}
		done.to, done.changes, done.rebuild = batch.to, done.changes+batch.changes, batch.rebuild
		switch {
		case err != nil:
			return done, err
		case done.rebuild != "":
			err := a.rebuild(ctx, RebuildCatchUp, nil, a.current().rejected)
			done.to = a.current().dataVersion
			return done, err
		case batch.changes < catchUpBatch || done.to >= v:
			return done, nil // caught up, or stopped at a hole
		}
	}
}

// applyChanges applies the change log from the state's data version up to
// v, at most catchUpBatch entries and only up to a hole, and swaps the new
// state in, holding updateMu so that the App's own writes wait. It applies
// nothing and returns the reason in caughtUp.rebuild when the state must
// be rebuilt instead. The caller holds rebuildMu, which guards a.hole.
func (a *App) applyChanges(ctx context.Context, v int64) (caughtUp, error) {
	a.updateMu.Lock()
	defer a.updateMu.Unlock()
	cur := a.current()
	done := caughtUp{from: cur.dataVersion, to: cur.dataVersion}
	switch {
	case cur.dataVersion == v:
		return done, nil // an own write or a rebuild got there first
	case cur.dataVersion == staleVersion:
		done.rebuild = "an update of this instance failed"
		return done, nil
	case v < cur.dataVersion:
		done.rebuild = fmt.Sprintf("the data version went back from %d to %d", cur.dataVersion, v)
		return done, nil
	}
	through := min(v, cur.dataVersion+catchUpBatch)
	changes, err := a.store.Changes(ctx, cur.dataVersion, through)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		done.rebuild = "the change log no longer reaches back to this instance's version"
		return done, nil
	}
	if err != nil {
		return done, err
	}
	if missing := cur.dataVersion + int64(len(changes)) + 1; missing <= through {
		switch {
		case a.hole.version != missing:
			a.hole = hole{version: missing, seen: time.Now()}
		case time.Since(a.hole.seen) >= a.opts.PollInterval:
			done.rebuild = fmt.Sprintf("version %d is missing from the change log", missing)
			return done, nil
		}
	}
	if len(changes) == 0 {
		return done, nil
	}
	next, why, err := a.withChanges(ctx, cur, changes)
	if err != nil || why != "" {
		done.rebuild = why
		return done, err
	}
	next.dataVersion, next.dataID = changes[len(changes)-1].Version, ""
	if v, err := a.store.Versions(ctx); err == nil && v.Data == next.dataVersion {
		next.dataID = v.DataID // the state holds the stored records: a snapshot may be written from it
	}
	a.state.Store(next)
	a.kickFacts()
	done.to, done.changes = next.dataVersion, len(changes)
	return done, nil
}

// withChanges returns the state that follows cur once changes are
// applied, reading each record they name once; or the reason to rebuild
// instead.
func (a *App) withChanges(ctx context.Context, cur *state, changes []domain.Change) (*state, string, error) {
	s := cur
	applied := make(map[domain.Change]bool, len(changes))
	for _, c := range changes {
		switch c.Kind {
		case domain.ChangeFramework:
			return nil, "the framework changed", nil
		case domain.ChangeMany:
			return nil, "many records were written at once", nil
		}
		key := domain.Change{Kind: c.Kind, Key: c.Key}
		if applied[key] {
			continue // the record was read as it is now, after this write too
		}
		applied[key] = true
		var err error
		switch c.Kind {
		case domain.ChangeCourse:
			s, err = applyRecord(ctx, s, c.Key, a.store.Course, s.index.Course, a.withCourse, a.withoutCourse)
		case domain.ChangePosition:
			s, err = applyRecord(ctx, s, c.Key, a.store.Position, s.index.Position, a.withPosition, a.withoutPosition)
		case domain.ChangePerson:
			s, err = applyRecord(ctx, s, c.Key, a.store.Person, s.index.Person, withPerson, withoutPerson)
		default:
			return nil, fmt.Sprintf("the change log names a kind of record this version of cmap does not know (%q)", c.Kind), nil
		}
		if err != nil {
			return nil, "", fmt.Errorf("catching up with the write of %s %s (data version %d): %w", c.Kind, c.Key, c.Version, err)
		}
	}
	if s == cur {
		s = cur.clone() // every record was as indexed; the version moves all the same
	}
	return s, "", nil
}

// applyRecord returns the state that follows s once the record with key is
// read as it is now: with applied when it exists and differs from the
// indexed one, without applied when it is gone but indexed; s itself when
// there is nothing to do (an own write read back, a record created and
// deleted since). The facts change with and without return is not stored:
// the instance that wrote the record stored it (and if it died first, the
// facts mark says so and the facts keeper stores it).
func applyRecord[R any](ctx context.Context, s *state, key string,
	read func(context.Context, string) (*R, error), indexed func(string) (*R, bool),
	with func(*state, *R) (*state, factsChange, error), without func(*state, string) (*state, factsChange, error),
) (*state, error) {
	r, err := read(ctx, key)
	old, known := indexed(key)
	switch {
	case err == nil && known && reflect.DeepEqual(r, old):
		return s, nil
	case err == nil:
		next, _, err := with(s, r)
		return next, err
	case domain.ErrorCode(err) != domain.ENOTFOUND:
		return nil, err
	case known:
		next, _, err := without(s, key)
		return next, err
	}
	return s, nil
}
