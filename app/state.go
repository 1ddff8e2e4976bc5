package app

import (
	"context"
	"fmt"
	"maps"
	"reflect"
	"slices"
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
	coverage     map[string][]engine.Coverage
	requirements map[string][]engine.Requirement
	index        *analysis.Index
	// dataVersion is the store's DataVersion that the state accounts for;
	// staleVersion when an update could not be applied incrementally, so
	// that the next poll rebuilds.
	dataVersion int64
	// ruleErrors are the rules that failed at run time, by subject.
	ruleErrors map[subject]RuleError
	// rejected is the last rule set that failed to load since the serving
	// one was loaded, nil if none.
	rejected *Rejection

	// requiredBy indexes requirements by sub-competency, built on first
	// use: only the requiredBy lookups need it.
	requiredBy *lazyIndex[[]engine.Requirement]
}

// staleVersion is a data version no store reports: a state that carries
// it is rebuilt by the next poll.
const staleVersion = -1

// subject names a course or a position.
type subject struct {
	kind engine.RuleKind
	key  string
}

// lazyIndex is a value computed once, on first use.
type lazyIndex[T any] struct {
	once  sync.Once
	build func() map[string]T
	m     map[string]T
}

func newLazyIndex[T any](build func() map[string]T) *lazyIndex[T] {
	return &lazyIndex[T]{build: build}
}

func (l *lazyIndex[T]) get() map[string]T {
	l.once.Do(func() { l.m = l.build(); l.build = nil })
	return l.m
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
	s.requiredBy = newLazyIndex(s.indexRequirements)
}

// indexRequirements groups the requirements of every position by
// sub-competency, each list sorted by position id.
func (s *state) indexRequirements() map[string][]engine.Requirement {
	bySub := map[string][]engine.Requirement{}
	for _, id := range slices.Sorted(maps.Keys(s.requirements)) {
		for _, r := range s.requirements[id] {
			bySub[r.SubCompetency] = append(bySub[r.SubCompetency], r)
		}
	}
	return bySub
}

// snapshot is every record a full build reads from the store.
type snapshot struct {
	dataVersion int64
	framework   *engine.Framework
	courses     []*engine.Course
	positions   []*engine.Position
	people      []*engine.Person
}

// readSnapshot reads the framework and every record. It reads the data
// version first: a write that lands while the records are read makes the
// state look older than it is, and the next poll rebuilds, never the
// reverse.
func (a *App) readSnapshot(ctx context.Context) (*snapshot, error) {
	var s snapshot
	var err error
	if s.dataVersion, err = a.store.DataVersion(ctx); err != nil {
		return nil, err
	}
	if s.framework, err = a.store.Framework(ctx); err != nil {
		if engine.ErrorCode(err) == engine.ENOTFOUND {
			return nil, engine.Errorf(engine.EINVALID, "the database holds no competency framework: seed it first")
		}
		return nil, err
	}
	courses, err := a.store.ListCourses(ctx, engine.CourseFilter{}, engine.Page{})
	if err != nil {
		return nil, err
	}
	positions, err := a.store.ListPositions(ctx, engine.PositionFilter{}, engine.Page{})
	if err != nil {
		return nil, err
	}
	people, err := a.store.ListPeople(ctx, engine.PersonFilter{}, engine.Page{})
	if err != nil {
		return nil, err
	}
	s.courses, s.positions, s.people = courses.Items, positions.Items, people.Items
	return &s, nil
}

// buildState derives every fact of snap with rules, stores the facts that
// changed, and indexes the lot. The rejection is carried over.
func (a *App) buildState(ctx context.Context, rules *engine.RuleSet, snap *snapshot, rejected *Rejection) (*state, error) {
	d, err := rules.DeriveAll(snap.courses, snap.positions)
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
	if err := a.persistAll(ctx, d); err != nil {
		return nil, err
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
		rules: rules, coverage: d.Coverage, requirements: d.Requirements, index: ix,
		dataVersion: snap.dataVersion, ruleErrors: ruleErrors, rejected: rejected,
	}
	s.requirementsChanged()
	return s, nil
}

// persistAll makes the stored facts match d: it writes the records whose
// revision or content differ from the stored ones, in batches, and deletes
// the records of courses and positions that no longer exist.
func (a *App) persistAll(ctx context.Context, d *engine.Derived) error {
	storedCourses, err := a.store.CourseFacts(ctx)
	if err != nil {
		return err
	}
	storedPositions, err := a.store.PositionFacts(ctx)
	if err != nil {
		return err
	}
	courseWrites, goneCourses := factsDiff(storedCourses, d.Coverage,
		func(f engine.CourseFacts) string { return f.Course },
		func(code string, cov []engine.Coverage) engine.CourseFacts {
			return engine.CourseFacts{Course: code, Revision: d.Revision, Coverage: cov}
		}, sameCourseFacts)
	positionWrites, gonePositions := factsDiff(storedPositions, d.Requirements,
		func(f engine.PositionFacts) string { return f.Position },
		func(id string, reqs []engine.Requirement) engine.PositionFacts {
			return engine.PositionFacts{Position: id, Revision: d.Revision, Requirements: reqs}
		}, samePositionFacts)
	if len(courseWrites) > 0 {
		if err := a.store.SaveCourseFacts(ctx, courseWrites); err != nil {
			return err
		}
	}
	if len(positionWrites) > 0 {
		if err := a.store.SavePositionFacts(ctx, positionWrites); err != nil {
			return err
		}
	}
	if len(goneCourses) > 0 || len(gonePositions) > 0 {
		if err := a.store.DeleteFacts(ctx, goneCourses, gonePositions); err != nil {
			return err
		}
	}
	if n := len(courseWrites) + len(positionWrites) + len(goneCourses) + len(gonePositions); n > 0 {
		a.logger.Info("rule facts stored", "revision", d.Revision,
			"courses", len(courseWrites), "positions", len(positionWrites),
			"deleted", len(goneCourses)+len(gonePositions))
	}
	return nil
}

// factsDiff compares the facts derived for each item (by key) with the
// stored facts records: it returns the records to write, those of items
// with no stored record or a different one, in key order, and the keys of
// stored records whose item no longer exists.
func factsDiff[R, F any](stored []R, derived map[string][]F, keyOf func(R) string,
	record func(key string, facts []F) R, same func(a, b R) bool,
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
		r := record(k, derived[k])
		if old, ok := byKey[k]; !ok || !same(old, r) {
			writes = append(writes, r)
		}
	}
	return writes, gone
}

// sameCourseFacts reports whether two facts records say the same thing
// under the same revision.
func sameCourseFacts(a, b engine.CourseFacts) bool {
	return a.Course == b.Course && a.Revision == b.Revision &&
		slices.EqualFunc(a.Coverage, b.Coverage, func(x, y engine.Coverage) bool {
			return x.Course == y.Course && x.SubCompetency == y.SubCompetency && x.Level == y.Level && slices.Equal(x.Rules, y.Rules)
		})
}

// samePositionFacts is sameCourseFacts for positions.
func samePositionFacts(a, b engine.PositionFacts) bool {
	return a.Position == b.Position && a.Revision == b.Revision &&
		slices.EqualFunc(a.Requirements, b.Requirements, func(x, y engine.Requirement) bool {
			return x.Position == y.Position && x.SubCompetency == y.SubCompetency && x.Level == y.Level && slices.Equal(x.Rules, y.Rules)
		})
}

// sameFramework reports whether two frameworks are equal, field by field.
func sameFramework(a, b *engine.Framework) bool { return reflect.DeepEqual(a, b) }
