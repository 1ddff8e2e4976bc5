package app

import (
	"cmap/domain"
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"

	"cmap/analysis"
	"cmap/engine"
)

// state is what an App derives from the store and the rule files: the rule
// set, the facts it gives every course and position, and the analysis
// index over records and facts. A state is never modified once published:
// an update builds a new one (sharing what did not change) and swaps the
// App's pointer, so a reader sees a whole state, old or new, never half of
// one.
type state struct {
	rules *engine.RuleSet
	// coverage holds the facts of every course, by code; requirements
	// those of every position, by id. An item with no facts has an
	// empty entry.
	coverage     map[string][]domain.Coverage
	requirements positionFacts
	index        *analysis.Index
	// dataVersion is the store's DataVersion that the state accounts for;
	// staleVersion when an update could not be applied incrementally, so
	// that the next poll rebuilds. dataID is the store's DataID at
	// dataVersion, "" when stale: with dataVersion it labels the records
	// of a snapshot file written from the state.
	dataVersion int64
	dataID      string
	// ruleErrors are the rules that failed at run time, by subject.
	ruleErrors map[subject]RuleError
	// rejected is the last rule set that failed to load since the serving
	// one was loaded, nil if none.
	rejected *Rejection

	// requiredBy indexes requirements by sub-competency, built on first
	// use: only the requiredBy lookups need it.
	requiredBy *lazy[*requiredByIndex]
}

// staleVersion is a data version no store reports: a state that carries
// it is rebuilt by the next poll.
const staleVersion = -1

// subject names a course or a position.
type subject struct {
	kind engine.RuleKind
	key  string
}

// lazy is a value computed once, on first use.
type lazy[T any] struct {
	once  sync.Once
	build func() T
	v     T
}

func newLazy[T any](build func() T) *lazy[T] {
	return &lazy[T]{build: build}
}

func (l *lazy[T]) get() T {
	l.once.Do(func() { l.v = l.build(); l.build = nil })
	return l.v
}

// clone returns a shallow copy of s to modify before publishing it. It
// shares the lazy requirements index: an update that changes requirements
// calls requirementsChanged.
func (s *state) clone() *state {
	c := *s
	return &c
}

// requirementsChanged gives s a fresh lazy requirements index, after its
// requirements were replaced.
func (s *state) requirementsChanged() {
	s.requiredBy = newLazy(s.requirements.requiredBy)
}

// snapshot is every record a full build reads: from the store, or from a
// snapshot file.
type snapshot struct {
	dataVersion int64
	dataID      string
	framework   *domain.Framework
	courses     []*domain.Course
	positions   []*domain.Position
	people      []*domain.Person
}

// readSnapshot reads the framework and every record from the store. It
// reads the versions first: a write that lands while the records are read
// makes the state look older than it is, and the next poll rebuilds,
// never the reverse.
func (a *App) readSnapshot(ctx context.Context) (*snapshot, error) {
	v, err := a.store.Versions(ctx)
	if err != nil {
		return nil, err
	}
	return a.readRecords(ctx, v)
}

// readRecords reads the framework and every record from the store, after
// the store's versions were read as v.
func (a *App) readRecords(ctx context.Context, v domain.Versions) (*snapshot, error) {
	s := snapshot{dataVersion: v.Data, dataID: v.DataID}
	var err error
	if s.framework, err = a.store.Framework(ctx); err != nil {
		if domain.ErrorCode(err) == domain.ENOTFOUND {
			return nil, domain.Errorf(domain.EINVALID, "the database holds no competency framework: seed it first")
		}
		return nil, err
	}
	// The three lists at once: on the embedded FerretDB, decoding the
	// documents is most of the work and runs in this process, on every
	// core (BenchmarkReadAllRecords: about 20% less time on two cores).
	var wg sync.WaitGroup
	errs := make([]error, 3)
	wg.Go(func() {
		var l domain.List[*domain.Course]
		l, errs[0] = a.store.ListCourses(ctx, domain.CourseFilter{}, domain.Page{})
		s.courses = l.Items
	})
	wg.Go(func() {
		var l domain.List[*domain.Position]
		l, errs[1] = a.store.ListPositions(ctx, domain.PositionFilter{}, domain.Page{})
		s.positions = l.Items
	})
	wg.Go(func() {
		var l domain.List[*domain.Person]
		l, errs[2] = a.store.ListPeople(ctx, domain.PersonFilter{}, domain.Page{})
		s.people = l.Items
	})
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return &s, nil
}

// buildState derives every fact of snap with rules and indexes the lot, in
// memory: storing the facts is the facts keeper's (SyncFacts). The
// rejection is carried over.
func (a *App) buildState(rules *engine.RuleSet, snap *snapshot, rejected *Rejection) (*state, error) {
	d, err := rules.DeriveShared(snap.courses, snap.positions)
	ruleErrors := map[subject]RuleError{}
	if err != nil {
		// Rare: find out which records the failures belong to, one by one.
		for _, c := range snap.courses {
			if _, err := rules.CourseCoverage(c); err != nil {
				ruleErrors[subject{engine.KindCourse, c.Code}] = RuleError{Kind: engine.KindCourse, Subject: c.Code, Message: err.Error()}
			}
		}
		for _, p := range snap.positions {
			if _, err := rules.PositionRequirements(p); err != nil {
				ruleErrors[subject{engine.KindPosition, p.ID}] = RuleError{Kind: engine.KindPosition, Subject: p.ID, Message: err.Error()}
			}
		}
		a.logger.Warn("rules failed at run time; the facts of the other rules are kept",
			"revision", rules.Revision(), "records", len(ruleErrors), "error", err)
	}
	ix, err := analysis.Build(analysis.Snapshot{
		Framework: rules.Framework(), Scale: rules.Scale(),
		Courses: snap.courses, Positions: snap.positions, People: snap.people,
		Coverage: d.Coverage, Requirements: d.Requirements,
	})
	if err != nil {
		return nil, fmt.Errorf("indexing the facts of rules %s: %w", rules.Revision(), err)
	}
	s := &state{
		rules: rules, coverage: d.Coverage, requirements: newPositionFacts(d.Requirements), index: ix,
		dataVersion: snap.dataVersion, dataID: snap.dataID, ruleErrors: ruleErrors, rejected: rejected,
	}
	s.requirementsChanged()
	return s, nil
}

// sameFramework reports whether two frameworks are equal, field by field.
func sameFramework(a, b *domain.Framework) bool { return reflect.DeepEqual(a, b) }
