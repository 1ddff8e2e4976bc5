package app

import (
	"cmap/domain"
	"context"
	"strconv"
	"time"

	"cmap/diag"
	"cmap/engine"
)

// Rejection is a rule set that failed to load. The set that was serving
// kept serving.
type Rejection struct {
	// Revision is the revision of the rejected files ("" when they could
	// not be read at all).
	Revision   string
	RejectedAt time.Time
	// Errors are every problem found, sorted by file, line and column.
	Errors diag.List
}

// RuleError is the failure at run time of one or more rules on one course
// or position (a memory budget exceeded, say). The record's facts are those
// of the rules that did not fail.
type RuleError struct {
	// Kind is engine.KindCourse or engine.KindPosition.
	Kind engine.RuleKind
	// Subject is the course code or the position id.
	Subject string
	// Message names each failed rule, its file and line, and the failure.
	Message string
}

// RulesStatus is the serving rule set and what went wrong around it.
type RulesStatus struct {
	Rules *engine.RuleSet
	// Rejected is the last rule set rejected since Rules was loaded, nil
	// when the files on disk are the serving ones or were never broken.
	Rejected *Rejection
	// RuntimeErrors are the records on which some rule failed at run
	// time, courses first, each kind sorted by key.
	RuntimeErrors []RuleError
}

// ruleWatcher is the actor of the reloads the rule watcher makes.
var ruleWatcher = &domain.Principal{ID: "system:rule-watcher", Name: "rule file watcher", Roles: []domain.Role{domain.RoleRuleAuthor}}

// ReloadRules loads the rule files again. A set with any problem is
// rejected whole: the serving set stays, and the status's Rejected holds
// the rejected revision and every diagnostic. A good set is applied to
// every course and position, the facts that changed are stored, and the
// new state is swapped in at once. Files identical to the serving ones
// change nothing (and clear a rejection). Reloads are serialized.
//
// A rejection is not an error: the error is for a store that failed while
// the new facts were derived and stored (the serving set then stays too),
// or that failed to record the reload in the audit trail (the new set then
// serves, but the caller is not told it succeeded).
func (a *App) ReloadRules(ctx context.Context) (RulesStatus, error) {
	a.rebuildMu.Lock()
	defer a.rebuildMu.Unlock()
	begin, outcome := time.Now(), ReloadFailed
	defer func() { a.opts.Observer.RulesReloaded(outcome, time.Since(begin)) }()
	dir := a.opts.RulesDir
	cur := a.current()
	revision, revErr := engine.RulesRevision(dir)
	if revErr == nil && revision == cur.rules.Revision() {
		if cur.rejected != nil {
			a.setRejection(nil)
			a.logger.Info("rules restored to the serving revision; rejection cleared", "dir", dir, "revision", revision)
		}
		outcome = ReloadUnchanged
		return a.View().RulesStatus(), nil
	}
	rules, err := engine.LoadRuleSet(dir, cur.rules.Framework())
	if err != nil {
		rej := &Rejection{Revision: revision, RejectedAt: time.Now(), Errors: diagnosticsOf(dir, err)}
		a.setRejection(rej)
		a.logger.Warn("rules rejected; the serving rules stay", "dir", dir, "rejected", revision,
			"serving", cur.rules.Revision(), "errors", len(rej.Errors), "first", rej.Errors[0].Error())
		outcome = ReloadRejected
		return a.View().RulesStatus(), nil
	}
	a.warnFormerCodes(rules)
	start := time.Now()
	if err := a.rebuild(ctx, RebuildRules, rules, nil); err != nil {
		return RulesStatus{}, err
	}
	outcome = ReloadApplied
	a.logger.Info("rules reloaded", "dir", dir, "revision", rules.Revision(), "previous", cur.rules.Revision(),
		"rules", len(rules.Rules()), "duration", time.Since(start))
	e := newEntry(ctx, domain.OpReload, domain.AuditRules, dir)
	e.Changes = []domain.FieldChange{
		{Field: "revision", Old: strconv.Quote(cur.rules.Revision()), New: strconv.Quote(rules.Revision())},
		{Field: "rules", Old: strconv.Itoa(len(cur.rules.Rules())), New: strconv.Itoa(len(rules.Rules()))},
	}
	if err := a.audit.done(ctx, e); err != nil {
		a.logger.Error("recording a rule reload in the audit trail failed", "revision", rules.Revision(), "error", err)
		return RulesStatus{}, err
	}
	return a.View().RulesStatus(), nil
}

// diagnosticsOf returns the diagnostics of a rule set that failed to load;
// an error without any (the directory cannot be read) becomes one about
// the directory.
func diagnosticsOf(dir string, err error) diag.List {
	if l := diag.AsList(err); len(l) > 0 {
		return l
	}
	return diag.List{diag.Errorf(diag.Pos{File: dir}, "%s", domain.ErrorMessage(err))}
}

// setRejection swaps in the current state with rej as its rejection.
func (a *App) setRejection(rej *Rejection) {
	a.updateMu.Lock()
	defer a.updateMu.Unlock()
	next := a.current().clone()
	next.rejected = rej
	a.state.Store(next)
}

// CourseCoverage derives the coverage of course c with the serving rules,
// without storing anything: a what-if for a course as it would be. c is
// not validated. As with engine.RuleSet.CourseCoverage, a rule failing at
// run time is named in the error and the facts of the others are returned.
func (a *App) CourseCoverage(c *domain.Course) ([]domain.Coverage, error) {
	return a.View().RuleSet().CourseCoverage(c)
}

// FactChange is how a previewed record's fact on one sub-competency
// differs from the stored record's.
type FactChange struct {
	SubCompetency string
	// Before is the stored record's level, "" when it has no fact there;
	// After the previewed record's, "" when it would have none.
	Before, After string
}

// CoursePreview is what the serving rules would derive for a course, and
// how that differs from what they derive for the stored course with the
// same code.
type CoursePreview struct {
	Coverage []domain.Coverage
	// Stored reports that a course with the code exists; Changes then
	// compares with its coverage (and is empty when there is no
	// difference in levels).
	Stored  bool
	Changes []FactChange
	// RuleError names the rules that failed at run time on the course,
	// "" when none did.
	RuleError string
}

// PositionPreview is CoursePreview for a position.
type PositionPreview struct {
	Requirements []domain.Requirement
	Stored       bool
	Changes      []FactChange
	RuleError    string
}

// PreviewCourse validates c as CreateCourse would (EINVALID with the field
// path), and returns the coverage the serving rules would give it. Nothing
// is written.
func (a *App) PreviewCourse(ctx context.Context, c *domain.Course) (*CoursePreview, error) {
	if err := checkCourse(a.stored(ctx), c); err != nil {
		return nil, err
	}
	s := a.current()
	cov, err := s.rules.CourseCoverage(c)
	stored, ok := s.coverage[c.Code]
	p := &CoursePreview{Coverage: nonNil(cov), Stored: ok, RuleError: errorText(err)}
	if ok {
		p.Changes = changesOf(s.rules.Framework(), levels(stored, coverageLevel), levels(cov, coverageLevel))
	}
	return p, nil
}

// PreviewPosition validates p as CreatePosition would and returns the
// requirements the serving rules would give it. Nothing is written.
func (a *App) PreviewPosition(_ context.Context, p *domain.Position) (*PositionPreview, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	s := a.current()
	reqs, err := s.rules.PositionRequirements(p)
	stored, ok := s.requirements.shared(p.ID)
	pv := &PositionPreview{Requirements: nonNil(reqs), Stored: ok, RuleError: errorText(err)}
	if ok {
		pv.Changes = changesOf(s.rules.Framework(), levels(stored, requirementLevel), levels(reqs, requirementLevel))
	}
	return pv, nil
}

func coverageLevel(c domain.Coverage) (string, string)       { return c.SubCompetency, c.Level }
func requirementLevel(r domain.Requirement) (string, string) { return r.SubCompetency, r.Level }

// levels maps the sub-competency of each fact to its level.
func levels[F any](facts []F, of func(F) (sub, level string)) map[string]string {
	m := make(map[string]string, len(facts))
	for _, f := range facts {
		sub, level := of(f)
		m[sub] = level
	}
	return m
}

// changesOf lists the sub-competencies whose level differs between before
// and after, in framework order.
func changesOf(fw *domain.Framework, before, after map[string]string) []FactChange {
	changes := []FactChange{}
	for _, code := range fw.SubCompetencyCodes() {
		if before[code] != after[code] {
			changes = append(changes, FactChange{SubCompetency: code, Before: before[code], After: after[code]})
		}
	}
	return changes
}

// ExplainCourse explains rule ruleID of the serving set for the stored
// course with code: why it did or did not fire. Errors: ENOTFOUND for an
// unknown rule or course; EINVALID (field "rule") when the rule is a
// position rule.
func (a *App) ExplainCourse(ctx context.Context, ruleID, code string) (*engine.Explanation, error) {
	rules := a.View().RuleSet()
	if err := checkRuleKind(rules, ruleID, engine.KindCourse); err != nil {
		return nil, err
	}
	c, err := a.store.Course(ctx, code)
	if err != nil {
		return nil, err
	}
	return rules.ExplainCourse(ruleID, c)
}

// ExplainPosition explains rule ruleID for the stored position with id.
// Errors: ENOTFOUND for an unknown rule or position; EINVALID (field
// "rule") when the rule is a course rule.
func (a *App) ExplainPosition(ctx context.Context, ruleID, id string) (*engine.Explanation, error) {
	rules := a.View().RuleSet()
	if err := checkRuleKind(rules, ruleID, engine.KindPosition); err != nil {
		return nil, err
	}
	p, err := a.store.Position(ctx, id)
	if err != nil {
		return nil, err
	}
	return rules.ExplainPosition(ruleID, p)
}

// checkRuleKind returns ENOTFOUND when rules has no rule ruleID and
// EINVALID when it is not of kind.
func checkRuleKind(rules *engine.RuleSet, ruleID string, kind engine.RuleKind) error {
	r := rules.Rule(ruleID)
	switch {
	case r == nil:
		return domain.NotFound("rule", ruleID)
	case r.Kind != kind:
		return domain.Invalid("rule", "rule %s is a %s rule: explain it for a %s", ruleID, r.Kind, r.Kind)
	}
	return nil
}

// nonNil returns facts, or an empty slice for nil: "no facts" is an empty
// list, in memory as in the store.
func nonNil[F any](facts []F) []F {
	if facts == nil {
		return []F{}
	}
	return facts
}

// errorText returns err's text, "" for nil.
func errorText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
