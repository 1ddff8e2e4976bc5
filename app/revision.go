package app

import (
	"cmap/domain"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"cmap/diag"
	"cmap/engine"
	"cmap/ruleplan"
)

// Model revisions
//
// ApplyRevision loads a revised competency model over the active one with
// a crosswalk (see domain.FrameworkRevision): the store keeps the previous
// revisions, and the new one becomes what the rules are checked against
// and every fact is derived against. Completions and people are records
// of courses, not of the model, and are untouched; so are courses and
// positions. PreviewRevision computes the same thing without storing it.
//
// Both refuse, with EINVALID, a revision whose crosswalk leaves a code in
// use unaccounted for: a sub-competency that the serving rules name (in
// covers:, requires: or exclude:, ranges and whole competencies
// expanded) which the new model lacks and the crosswalk does not map. The
// message names each code with the rule and the file:line:col that names
// it. A code the crosswalk maps (moved, or retired) may still be named by
// the rules: under the new revision such an entry yields nothing and is
// reported as a warning with the crosswalk's suggestion (RulesStatus,
// `cmap rules check`), for the rule author to fix.

// RevisionPlan is what applying a revision of the model does, or would do.
type RevisionPlan struct {
	// Previous is the revision it replaces.
	Previous *domain.Framework
	// Revision is the revision as stored (ApplyRevision) or as it would
	// be (PreviewRevision; its AppliedAt is zero).
	Revision *domain.FrameworkRevision
	// Warnings are the rule entries that name a code the new revision
	// no longer has (see engine.RuleSet.Warnings), and those that name a
	// code the crosswalk maps away from which the new revision gives to
	// another item (domain.Reused), sorted by position. The second kind
	// is said once, here: under the new revision the code is simply one
	// of its own.
	Warnings diag.List
	// View is the state after the revision: the facts and answers
	// computed against it.
	View View
	// Impact is what the revision changes over the records, in the terms
	// of the new revision (see package ruleplan): the facts, gaps and
	// blocking demand of its sub-competencies, the positions whose
	// requirements change, the people whose readiness changes. Facts of
	// codes the new revision no longer has are not listed: they go with
	// the codes (see Warnings).
	Impact *ruleplan.Plan
}

// side returns the view as one side of a rule plan.
func (v View) side() *ruleplan.Side {
	return &ruleplan.Side{Rules: v.s.rules, Coverage: v.s.coverage, Requirements: v.s.requirements.lists, Index: v.s.index}
}

// PreviewRevision returns what ApplyRevision(ctx, next, cw) would do now,
// storing nothing: the revision it would store and the state it would
// serve, derived from the records in the store as the apply derives them.
// Errors are those of ApplyRevision.
func (a *App) PreviewRevision(ctx context.Context, next *domain.Framework, cw domain.Crosswalk) (*RevisionPlan, error) {
	plan, rules, err := a.planRevision(ctx, next, cw)
	if err != nil {
		return nil, err
	}
	snap, err := a.readSnapshot(ctx)
	if err != nil {
		return nil, err
	}
	snap.framework = plan.Revision.Framework
	s, err := a.buildState(rules, snap, nil)
	if err != nil {
		return nil, err
	}
	plan.View = View{s}
	plan.Impact = ruleplan.Compare(a.View().side(), plan.View.side())
	return plan, nil
}

// ApplyRevision stores next as the next revision of the model, with the
// crosswalk cw from the active revision, and derives everything again
// against it, in one step: the store switches revisions atomically and
// the App swaps in the state derived against the new one. It is recorded
// in the audit trail (kind engine.AuditModel, key domain.AuditModelKey).
//
// The rules that serve with it are the files of Options.RulesDir as they
// are on disk, loaded against next (a reload, as for PutFramework): rule
// files prepared for the revision and rejected under the active one are
// taken up by it.
//
// Errors: EINVALID when next fails Validate (field "framework..."), cw
// fails its check (field "crosswalk[i]..."), cw leaves a code in use
// unaccounted for (field "crosswalk"), or the rule files do not load
// against next; ECONFLICT when another revision was applied meanwhile.
func (a *App) ApplyRevision(ctx context.Context, next *domain.Framework, cw domain.Crosswalk) (*RevisionPlan, error) {
	a.rebuildMu.Lock()
	defer a.rebuildMu.Unlock()
	plan, rules, err := a.planRevision(ctx, next, cw)
	if err != nil {
		return nil, err
	}
	rev, prev := plan.Revision, plan.Previous
	e := newEntry(ctx, domain.OpRevise, domain.AuditModel, domain.AuditModelKey)
	e.VersionBefore, e.VersionAfter = int64(max(prev.Revision, 1)), int64(rev.Number())
	crosswalk, err := json.Marshal(cw)
	if err != nil {
		return nil, err
	}
	e.Changes = []domain.FieldChange{
		{Field: "revision", Old: strconv.Itoa(max(prev.Revision, 1)), New: strconv.Itoa(rev.Number())},
		{Field: "name", Old: strconv.Quote(prev.Name), New: strconv.Quote(rev.Framework.Name)},
		{Field: "crosswalk", Old: "null", New: string(crosswalk)},
	}
	if revs, err := a.store.FrameworkRevisions(ctx); err == nil && len(revs) > 0 {
		e.Prior = revs[len(revs)-1].Audit
	}
	rev.Audit = e.ID
	before := a.View()
	err = a.audit.do(ctx, e, func() error {
		if err := a.store.AddFrameworkRevision(ctx, rev); err != nil {
			return err
		}
		return a.rebuild(ctx, RebuildFramework, rules, nil)
	})
	if err != nil {
		return nil, err
	}
	a.logger.Info("model revision applied", "revision", rev.Number(), "previous", prev.Revision,
		"name", rev.Framework.Name, "crosswalk", len(cw), "rule warnings", len(plan.Warnings))
	plan.View = a.View()
	plan.Impact = ruleplan.Compare(before.side(), plan.View.side())
	return plan, nil
}

// planRevision makes the revision that follows the active one with next
// and cw, checks that cw accounts for every code the serving rules name,
// and loads the rules against it.
func (a *App) planRevision(ctx context.Context, next *domain.Framework, cw domain.Crosswalk) (*RevisionPlan, *engine.RuleSet, error) {
	prev, err := a.store.Framework(ctx)
	if err != nil {
		return nil, nil, err
	}
	serving, err := a.rulesFor(prev)
	if err != nil {
		return nil, nil, err
	}
	rev, err := domain.Revise(prev, next, cw)
	if err != nil {
		return nil, nil, err
	}
	if un := domain.Unaccounted(next, cw, serving.CodeUses()); len(un) > 0 {
		return nil, nil, unaccountedError(rev.Number(), un)
	}
	rules, err := engine.LoadRuleSet(a.opts.RulesDir, rev.Framework)
	if err != nil {
		return nil, nil, rulesError(err)
	}
	warnings := slices.Clone(rules.Warnings())
	for _, u := range domain.Reused(next, cw, serving.CodeUses()) {
		e, _ := cw.Lookup(u.Code)
		warnings.Add(u.Pos, "rule %s names %s, which revision %d gives to another item (%q); the crosswalk maps the old %s to %s: check that the rule means the new one",
			u.Rule, u.Code, rev.Number(), next.SubCompetency(u.Code).Statement, u.Code, crosswalkTargets(e))
	}
	return &RevisionPlan{Previous: prev, Revision: rev, Warnings: warnings.Sort()}, rules, nil
}

// crosswalkTargets says where an entry maps its old code: "4.M", "4.M,
// 4.N" or "nothing (retired)".
func crosswalkTargets(e domain.CrosswalkEntry) string {
	if len(e.New) == 0 {
		return "nothing (retired)"
	}
	return strings.Join(e.New, ", ")
}

// unaccountedError is the EINVALID error of a crosswalk that leaves the
// codes of uses unaccounted for: one line per code, with every use.
func unaccountedError(revision int, uses []domain.CodeUse) error {
	var codes []string
	where := map[string][]string{}
	for _, u := range uses {
		if where[u.Code] == nil {
			codes = append(codes, u.Code)
		}
		where[u.Code] = append(where[u.Code], fmt.Sprintf("rule %s at %s", u.Rule, u.Pos))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "the crosswalk leaves %d %s in use unaccounted for: revision %d does not have %s, and the rules name %s; map each to its new code or to %s:",
		len(codes), plural(len(codes), "code", "codes"), revision, plural(len(codes), "it", "them"), plural(len(codes), "it", "them"), domain.CrosswalkRetired)
	for _, c := range codes {
		fmt.Fprintf(&b, "\n  %s, named by %s", c, strings.Join(where[c], ", "))
	}
	return domain.Invalid("crosswalk", "%s", b.String())
}

// plural returns one when n is 1, many otherwise.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// FrameworkRevisions returns every stored revision of the model, oldest
// first; the last is the active one.
func (a *App) FrameworkRevisions(ctx context.Context) ([]*domain.FrameworkRevision, error) {
	return a.store.FrameworkRevisions(ctx)
}
