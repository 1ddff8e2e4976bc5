package app

import (
	"cmap/domain"
	"context"
	"maps"

	"cmap/engine"
)

// write runs write, one write of a record to the store, then derives the
// state that follows from the current one with next, stores the facts
// record next changed, and swaps the state in. It holds updateMu
// throughout, so that the App's writes apply one at a time and in the
// order they were stored.
//
// The store's versions are read before and after the write: when the data
// version moved by exactly one from what the current state accounts for,
// only this write happened and the new state accounts for it; otherwise
// another instance wrote too and the state keeps its older version, so
// that the next poll rebuilds. When the facts cannot be stored (or next
// fails) the record is written all the same: the error is logged and the
// state is marked stale for the next poll to rebuild.
//
// When the stored facts were current before the write (the facts mark
// says so, at the data version before it) and this write and its facts
// write are the only writes since, the mark is moved to the version after
// it: the stored facts stay known to be current without being read. When
// they were not, the facts keeper is woken to bring them up to date.
func (a *App) write(ctx context.Context, write func() error, next func(cur *state) (*state, factsChange, error)) error {
	a.updateMu.Lock()
	defer a.updateMu.Unlock()
	before, err := a.store.Versions(ctx)
	if err != nil {
		return err
	}
	if err := write(); err != nil {
		return err
	}
	a.writes++
	cur := a.current()
	s, change, err := next(cur)
	var factsWrites int
	if err == nil {
		factsWrites, err = a.storeFactsChange(ctx, change)
	}
	if err != nil {
		a.logger.Error("updating the rule facts after a write failed; the next poll rebuilds them", "error", err)
		s = cur.clone()
		s.dataVersion, s.dataID = staleVersion, ""
		a.state.Store(s)
		return nil
	}
	s.dataVersion, s.dataID = cur.dataVersion, cur.dataID
	after, err := a.store.Versions(ctx)
	if err == nil && before.Data == cur.dataVersion && after.Data == before.Data+1 {
		s.dataVersion, s.dataID = after.Data, after.DataID
	}
	a.state.Store(s)
	if err == nil {
		a.advanceFactsMark(ctx, cur.rules.Revision(), before, after, factsWrites)
	}
	return nil
}

// factsChange is the write of stored facts that follows a write of a
// record: the facts record to save, or the course or position whose
// facts record to delete; zero when the facts do not change.
type factsChange struct {
	course         *domain.CourseFacts
	position       *domain.PositionFacts
	deleteCourse   string
	deletePosition string
}

// storeFactsChange makes the write ch describes and returns how many
// writes of facts it made (Versions.Facts counts them).
func (a *App) storeFactsChange(ctx context.Context, ch factsChange) (int, error) {
	var err error
	switch {
	case ch.course != nil:
		err = a.store.SaveCourseFacts(ctx, []domain.CourseFacts{*ch.course})
	case ch.position != nil:
		err = a.store.SavePositionFacts(ctx, []domain.PositionFacts{*ch.position})
	case ch.deleteCourse != "":
		err = a.store.DeleteFacts(ctx, []string{ch.deleteCourse}, nil)
	case ch.deletePosition != "":
		err = a.store.DeleteFacts(ctx, nil, []string{ch.deletePosition})
	default:
		return 0, nil
	}
	return 1, err
}

// withCourse returns the state that follows the store of course c: its
// coverage derived again and indexed, and the facts record to store.
func (a *App) withCourse(cur *state, c *domain.Course) (*state, factsChange, error) {
	cov, ruleErr := cur.rules.CourseCoverage(c)
	cov = nonNil(cov)
	ix, err := cur.index.WithCourse(c, cov)
	if err != nil {
		return nil, factsChange{}, err
	}
	s := cur.clone()
	s.index = ix
	s.coverage = maps.Clone(cur.coverage)
	s.coverage[c.Code] = cov
	s.ruleErrors = a.withRuleError(cur.ruleErrors, subject{engine.KindCourse, c.Code}, ruleErr)
	return s, factsChange{course: &domain.CourseFacts{Course: c.Code, Revision: cur.rules.Revision(), Coverage: cov}}, nil
}

// withoutCourse returns the state that follows the deletion of the course
// with code.
func (a *App) withoutCourse(cur *state, code string) (*state, factsChange, error) {
	ix, err := cur.index.WithoutCourse(code)
	if err != nil {
		return nil, factsChange{}, err
	}
	s := cur.clone()
	s.index = ix
	s.coverage = maps.Clone(cur.coverage)
	delete(s.coverage, code)
	s.ruleErrors = a.withRuleError(cur.ruleErrors, subject{engine.KindCourse, code}, nil)
	return s, factsChange{deleteCourse: code}, nil
}

// withPosition returns the state that follows the store of position p.
func (a *App) withPosition(cur *state, p *domain.Position) (*state, factsChange, error) {
	reqs, ruleErr := cur.rules.PositionRequirements(p)
	reqs = nonNil(reqs)
	ix, err := cur.index.WithPosition(p, reqs)
	if err != nil {
		return nil, factsChange{}, err
	}
	s := cur.clone()
	s.index = ix
	s.requirements = cur.requirements.with(p.ID, reqs)
	s.requirementsChanged()
	s.ruleErrors = a.withRuleError(cur.ruleErrors, subject{engine.KindPosition, p.ID}, ruleErr)
	return s, factsChange{position: &domain.PositionFacts{Position: p.ID, Revision: cur.rules.Revision(), Requirements: reqs}}, nil
}

// withoutPosition returns the state that follows the deletion of the
// position with id.
func (a *App) withoutPosition(cur *state, id string) (*state, factsChange, error) {
	ix, err := cur.index.WithoutPosition(id)
	if err != nil {
		return nil, factsChange{}, err
	}
	s := cur.clone()
	s.index = ix
	s.requirements = cur.requirements.without(id)
	s.requirementsChanged()
	s.ruleErrors = a.withRuleError(cur.ruleErrors, subject{engine.KindPosition, id}, nil)
	return s, factsChange{deletePosition: id}, nil
}

// withPerson returns the state that follows the store of person p: facts
// do not change, the readiness in the index does.
func withPerson(cur *state, p *domain.Person) (*state, factsChange, error) {
	ix, err := cur.index.WithPerson(p)
	if err != nil {
		return nil, factsChange{}, err
	}
	s := cur.clone()
	s.index = ix
	return s, factsChange{}, nil
}

// withoutPerson returns the state that follows the deletion of the person
// with id.
func withoutPerson(cur *state, id string) (*state, factsChange, error) {
	ix, err := cur.index.WithoutPerson(id)
	if err != nil {
		return nil, factsChange{}, err
	}
	s := cur.clone()
	s.index = ix
	return s, factsChange{}, nil
}

// withRuleError returns errs with the run-time failure of the rules on
// subj set to err (removed when err is nil), logging a new failure. errs
// is not modified.
func (a *App) withRuleError(errs map[subject]RuleError, subj subject, err error) map[subject]RuleError {
	_, had := errs[subj]
	if err == nil && !had {
		return errs
	}
	out := make(map[subject]RuleError, len(errs)+1)
	maps.Copy(out, errs)
	delete(out, subj)
	if err != nil {
		out[subj] = RuleError{Kind: subj.kind, Subject: subj.key, Message: err.Error()}
		a.logger.Warn("rules failed at run time; the facts of the other rules are kept",
			"kind", subj.kind, "subject", subj.key, "error", err)
	}
	return out
}
