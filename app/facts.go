package app

import (
	"cmap/domain"
	"context"
	"maps"
	"slices"
	"time"
)

// Stored facts
//
// The App serves facts it derives in memory; the facts records in the
// store are a read model for other tools that read the database. They
// are kept current off the request and start-up paths:
//
//   - each write of a course or position stores that record's facts, and
//     when the facts mark said the stored facts were current just before
//     the write, moves the mark past it (write, advanceFactsMark);
//   - otherwise (a first start, new rules, another instance's writes, a
//     crash between a record and its facts) the facts keeper, a
//     goroutine, compares every stored record with the serving state,
//     writes the difference and sets the mark (SyncFacts).
//
// Why a mark that holds is right. A mark (R, D, F) is set only while the
// store's data version is D and its count of facts writes F (MarkFacts
// checks both atomically), and holds only while both stay so
// (domain.Versions.FactsCurrent). SyncFacts sets it only at the data
// version its state accounts for, with F the count it read before reading
// the stored facts plus its own writes: if anyone wrote facts in between,
// the count differs and the mark is refused. advanceFactsMark moves (R, D,
// F) to (R, D+1, F+n) only when this App's write is the one record write
// since D (the data version moved by one between the App's reads around
// it) and its n facts writes the only ones since F. So:
//
//   - a crash between a record write and its facts write leaves the data
//     version moved past the mark, and the next sync (at the next start,
//     or after the next poll's rebuild) rewrites what differs;
//   - a facts write of another instance that lands late, with stale
//     content or other rules, moves the count past any mark set before it
//     landed;
//   - new rules do not match the mark's revision.
//
// The one gap is a process that dies after a facts write and before the
// store counts it: on FerretDB the write lease it held is broken by the
// next writer or opener, who counts a write of each kind; on MongoDB
// nothing tells (see package mongodb).
// factsBatch is how many facts records SyncFacts writes per store call:
// the store holds its write lock for one call, so other writers wait for
// a batch, not for the whole set.
const factsBatch = 1000

// Delays of the facts keeper after a failed sync: the first, and the cap
// of the doubling.
const (
	factsRetryDelay    = time.Second
	factsRetryMaxDelay = time.Minute
)

// kickFacts wakes the facts keeper; it never blocks.
func (a *App) kickFacts() {
	select {
	case a.factsKick <- struct{}{}:
	default:
	}
}

// keepFacts runs SyncFacts whenever kicked, until Close, retrying a sync
// that failed with growing delays.
func (a *App) keepFacts() {
	defer a.done.Done()
	retry := time.NewTimer(0)
	retry.Stop()
	defer retry.Stop()
	delay := factsRetryDelay
	for {
		select {
		case <-a.ctx.Done():
			return
		case <-a.factsKick:
		case <-retry.C:
		}
		if err := a.SyncFacts(a.ctx); err != nil {
			if a.ctx.Err() != nil {
				return
			}
			a.logger.Warn("storing the rule facts failed; retrying", "in", delay, "error", err)
			retry.Reset(delay)
			delay = min(2*delay, factsRetryMaxDelay)
			continue
		}
		delay = factsRetryDelay
	}
}

// SyncFacts brings the stored facts records up to date with the serving
// state, and returns when they are (or when it cannot tell yet). The App
// calls it in the background after it opens, after every full rebuild and
// after a write that found the stored facts not known to be current; it
// is exported for tools and tests that need the stored facts current now.
//
// It does nothing when the facts mark says the stored facts are current,
// nor when the serving state does not account for the store's data
// version (another instance wrote: the next poll catches up and syncs). It
// otherwise reads every stored facts record, writes those that differ
// from the state's facts and deletes those of records that are gone, then
// sets the mark, which holds if no one else wrote meanwhile. When someone
// wrote records or facts while it read, it writes nothing and leaves the
// work to the sync after the next catch-up.
func (a *App) SyncFacts(ctx context.Context) error {
	a.syncMu.Lock()
	defer a.syncMu.Unlock()
	s := a.current()
	revision := s.rules.Revision()
	v, err := a.store.Versions(ctx)
	if err != nil {
		return err
	}
	if v.FactsCurrent(revision) || s.dataVersion != v.Data {
		return nil
	}
	start := time.Now()
	storedCourses, err := a.store.CourseFacts(ctx)
	if err != nil {
		return err
	}
	storedPositions, err := a.store.PositionFacts(ctx)
	if err != nil {
		return err
	}
	courseWrites, goneCourses := factsDiff(storedCourses, s.coverage,
		func(f domain.CourseFacts) string { return f.Course },
		func(f domain.CourseFacts, cov []domain.Coverage) bool { return sameCourseFacts(f, revision, cov) },
		func(code string, cov []domain.Coverage) domain.CourseFacts {
			return domain.CourseFacts{Course: code, Revision: revision, Coverage: cov}
		})
	positionWrites, gonePositions := factsDiff(storedPositions, s.requirements.lists,
		func(f domain.PositionFacts) string { return f.Position },
		func(f domain.PositionFacts, list []domain.Requirement) bool {
			return samePositionFacts(f, revision, list)
		},
		func(id string, list []domain.Requirement) domain.PositionFacts {
			return domain.PositionFacts{Position: id, Revision: revision, Requirements: withPosition(id, list)}
		})
	// The store may have moved on while the stored facts were read:
	// another instance wrote records and their facts, which this state
	// does not know. Writing the difference now would undo those; the
	// sync that follows this instance's catch-up does it.
	if now, err := a.store.Versions(ctx); err != nil {
		return err
	} else if now.Data != v.Data || now.Facts != v.Facts {
		return nil
	}
	calls := 0
	for batch := range slices.Chunk(courseWrites, factsBatch) {
		calls++
		if err := a.store.SaveCourseFacts(ctx, batch); err != nil {
			return err
		}
	}
	for batch := range slices.Chunk(positionWrites, factsBatch) {
		calls++
		if err := a.store.SavePositionFacts(ctx, batch); err != nil {
			return err
		}
	}
	if len(goneCourses) > 0 || len(gonePositions) > 0 {
		calls++
		if err := a.store.DeleteFacts(ctx, goneCourses, gonePositions); err != nil {
			return err
		}
	}
	marked, err := a.store.MarkFacts(ctx, domain.FactsMark{Revision: revision, Data: s.dataVersion, Facts: v.Facts + int64(calls)})
	if err != nil {
		return err
	}
	a.logger.Info("rule facts stored", "revision", revision,
		"courses", len(courseWrites), "positions", len(positionWrites),
		"deleted", len(goneCourses)+len(gonePositions), "current", marked, "duration", time.Since(start))
	return nil
}

// advanceFactsMark moves the facts mark past a write of the App that read
// before and after around it and made factsWrites writes of facts with
// the rules of revision: when the mark said the stored facts were current
// at before.Data and the only writes since are this one's (one of a
// record, factsWrites of facts), they are current after it too. Otherwise
// it wakes the facts keeper. MarkFacts checks the counts again atomically,
// so a write of someone else that lands now leaves the mark alone.
func (a *App) advanceFactsMark(ctx context.Context, revision string, before, after domain.Versions, factsWrites int) {
	m := after.FactsMark
	if m.Revision != revision || m.Data != before.Data || after.Data != before.Data+1 || m.Facts != after.Facts-int64(factsWrites) {
		a.kickFacts()
		return
	}
	ok, err := a.store.MarkFacts(ctx, domain.FactsMark{Revision: revision, Data: after.Data, Facts: after.Facts})
	if err != nil || !ok {
		if err != nil {
			a.logger.Warn("moving the facts mark failed; the facts keeper checks the stored facts", "error", err)
		}
		a.kickFacts()
	}
}

// factsDiff compares the facts derived for each item (by key) with the
// stored facts records: it returns the records to write (made by record),
// those of items with no stored record or one that does not say the same
// (same tells), in key order, and the keys of stored records whose item
// no longer exists.
func factsDiff[R, F any](stored []R, derived map[string][]F, keyOf func(R) string,
	same func(r R, facts []F) bool, record func(key string, facts []F) R,
) (writes []R, gone []string) {
	byKey := make(map[string]R, len(stored))
	for _, r := range stored {
		k := keyOf(r)
		byKey[k] = r
		if _, ok := derived[k]; !ok {
			gone = append(gone, k)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(derived)) {
		if old, ok := byKey[k]; !ok || !same(old, derived[k]) {
			writes = append(writes, record(k, derived[k]))
		}
	}
	return writes, gone
}

// sameCourseFacts reports whether the facts record f says what the rules
// of revision derive for its course: cov.
func sameCourseFacts(f domain.CourseFacts, revision string, cov []domain.Coverage) bool {
	return f.Revision == revision &&
		slices.EqualFunc(f.Coverage, cov, func(x, y domain.Coverage) bool {
			return x.Course == y.Course && x.SubCompetency == y.SubCompetency && x.Level == y.Level && slices.Equal(x.Rules, y.Rules)
		})
}

// samePositionFacts is sameCourseFacts for positions, whose facts list
// keeps them (see positionFacts): with Position empty, the record's
// position.
func samePositionFacts(f domain.PositionFacts, revision string, list []domain.Requirement) bool {
	return f.Revision == revision &&
		slices.EqualFunc(f.Requirements, list, func(x, y domain.Requirement) bool {
			return x.Position == f.Position && sameRequirement(x, y)
		})
}

// sameRequirement reports whether two requirement facts require the same
// sub-competency at the same level by the same rules, whichever positions
// they are of.
func sameRequirement(x, y domain.Requirement) bool {
	return x.SubCompetency == y.SubCompetency && x.Level == y.Level && slices.Equal(x.Rules, y.Rules)
}
