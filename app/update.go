package app

import (
	"context"
	"maps"

	"cmap/engine"
)

// write runs write, one write of a record to the store, then derives the
// state that follows from the current one with next and swaps it in. It
// holds updateMu throughout, so that the App's writes apply one at a time
// and in the order they were stored.
//
// The store's DataVersion is read before and after the write: when it
// moved by exactly one from what the current state accounts for, only this
// write happened and the new state accounts for it; otherwise another
// instance wrote too and the state keeps its older version, so that the
// next poll rebuilds. When next fails (the facts could not be stored, say)
// the record is written all the same: the error is logged and the state is
// marked stale for the next poll to rebuild.
func (a *App) write(ctx context.Context, write func() error, next func(cur *state) (*state, error)) error {
	a.updateMu.Lock()
	defer a.updateMu.Unlock()
	before, err := a.store.DataVersion(ctx)
	if err != nil {
		return err
	}
	if err := write(); err != nil {
		return err
	}
	a.writes++
	cur := a.current()
	s, err := next(cur)
	if err != nil {
		a.logger.Error("updating the rule facts after a write failed; the next poll rebuilds them", "error", err)
		s = cur.clone()
		s.dataVersion = staleVersion
		a.state.Store(s)
		return nil
	}
	s.dataVersion = cur.dataVersion
	if after, err := a.store.DataVersion(ctx); err == nil && before == cur.dataVersion && after == before+1 {
		s.dataVersion = after
	}
	a.state.Store(s)
	return nil
}

// withCourse returns the state that follows the store of course c: its
// coverage derived again, stored and indexed.
func (a *App) withCourse(ctx context.Context, cur *state, c *engine.Course) (*state, error) {
	cov, ruleErr := cur.rules.CourseCoverage(c)
	cov = nonNil(cov)
	if err := a.store.SaveCourseFacts(ctx, []engine.CourseFacts{{Course: c.Code, Revision: cur.rules.Revision(), Coverage: cov}}); err != nil {
		return nil, err
	}
	ix, err := cur.index.WithCourse(c, cov)
	if err != nil {
		return nil, err
	}
	s := cur.clone()
	s.index = ix
	s.coverage = maps.Clone(cur.coverage)
	s.coverage[c.Code] = cov
	s.ruleErrors = a.withRuleError(cur.ruleErrors, subject{engine.KindCourse, c.Code}, ruleErr)
	return s, nil
}

// withoutCourse returns the state that follows the deletion of the course
// with code.
func (a *App) withoutCourse(ctx context.Context, cur *state, code string) (*state, error) {
	if err := a.store.DeleteFacts(ctx, []string{code}, nil); err != nil {
		return nil, err
	}
	ix, err := cur.index.WithoutCourse(code)
	if err != nil {
		return nil, err
	}
	s := cur.clone()
	s.index = ix
	s.coverage = maps.Clone(cur.coverage)
	delete(s.coverage, code)
	s.ruleErrors = a.withRuleError(cur.ruleErrors, subject{engine.KindCourse, code}, nil)
	return s, nil
}

// withPosition returns the state that follows the store of position p.
func (a *App) withPosition(ctx context.Context, cur *state, p *engine.Position) (*state, error) {
	reqs, ruleErr := cur.rules.PositionRequirements(p)
	reqs = nonNil(reqs)
	if err := a.store.SavePositionFacts(ctx, []engine.PositionFacts{{Position: p.ID, Revision: cur.rules.Revision(), Requirements: reqs}}); err != nil {
		return nil, err
	}
	ix, err := cur.index.WithPosition(p, reqs)
	if err != nil {
		return nil, err
	}
	s := cur.clone()
	s.index = ix
	s.requirements = maps.Clone(cur.requirements)
	s.requirements[p.ID] = reqs
	s.requirementsChanged()
	s.ruleErrors = a.withRuleError(cur.ruleErrors, subject{engine.KindPosition, p.ID}, ruleErr)
	return s, nil
}

// withoutPosition returns the state that follows the deletion of the
// position with id.
func (a *App) withoutPosition(ctx context.Context, cur *state, id string) (*state, error) {
	if err := a.store.DeleteFacts(ctx, nil, []string{id}); err != nil {
		return nil, err
	}
	ix, err := cur.index.WithoutPosition(id)
	if err != nil {
		return nil, err
	}
	s := cur.clone()
	s.index = ix
	s.requirements = maps.Clone(cur.requirements)
	delete(s.requirements, id)
	s.requirementsChanged()
	s.ruleErrors = a.withRuleError(cur.ruleErrors, subject{engine.KindPosition, id}, nil)
	return s, nil
}

// withPerson returns the state that follows the store of person p: facts
// do not change, the readiness in the index does.
func withPerson(cur *state, p *engine.Person) (*state, error) {
	ix, err := cur.index.WithPerson(p)
	if err != nil {
		return nil, err
	}
	s := cur.clone()
	s.index = ix
	return s, nil
}

// withoutPerson returns the state that follows the deletion of the person
// with id.
func withoutPerson(cur *state, id string) (*state, error) {
	ix, err := cur.index.WithoutPerson(id)
	if err != nil {
		return nil, err
	}
	s := cur.clone()
	s.index = ix
	return s, nil
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
