package ruleplan

import (
	"cmap/domain"
	"cmp"
	"fmt"
	"maps"
	"slices"

	"cmap/analysis"
	"cmap/diag"
	"cmap/engine"
)

// Catalogue is the records a rule set is applied to.
type Catalogue struct {
	// Framework is the competency model both rule sets were checked
	// against.
	Framework *domain.Framework
	Courses   []*domain.Course
	Positions []*domain.Position
	People    []*domain.Person
}

// Side is one rule set applied to the catalogue: the facts it derives and
// the analysis index over records and facts. Facts and index are read,
// never modified, so a Side may share them with a served generation.
type Side struct {
	Rules *engine.RuleSet
	// Coverage holds the facts of every course, by code; Requirements
	// those of every position, by id. A requirement's Position may be
	// empty, the key naming it, and positions may share a list (see
	// engine.DeriveShared).
	Coverage     map[string][]domain.Coverage
	Requirements map[string][]domain.Requirement
	Index        *analysis.Index
	// RunErrors names the rules that failed at run time on some record
	// (their other facts stand); nil when none did.
	RunErrors error
}

// Apply derives the facts of rules over cat and indexes them. A rule
// failing at run time is reported in the Side's RunErrors, not as an
// error; the error is for facts the index refuses (which a rule set
// checked against cat.Framework does not give).
func Apply(rules *engine.RuleSet, cat Catalogue) (*Side, error) {
	d, runErr := rules.DeriveShared(cat.Courses, cat.Positions)
	ix, err := analysis.Build(analysis.Snapshot{
		Framework: cat.Framework, Scale: rules.Scale(),
		Courses: cat.Courses, Positions: cat.Positions, People: cat.People,
		Coverage: d.Coverage, Requirements: d.Requirements,
	})
	if err != nil {
		return nil, fmt.Errorf("indexing the facts of rules %s: %w", rules.Revision(), err)
	}
	return &Side{Rules: rules, Coverage: d.Coverage, Requirements: d.Requirements, Index: ix, RunErrors: runErr}, nil
}

// Change says how a fact, a rule or a blocking demand changes.
type Change string

// Changes.
const (
	Added   Change = "added"
	Removed Change = "removed"
	Changed Change = "changed"
)

// Plan is what replacing the base rule set by the head would change. See
// the package documentation for what each part means.
type Plan struct {
	Base SetInfo `json:"base"`
	Head SetInfo `json:"head"`
	// Rules are the rules added, removed or changed, by file and line
	// (the head's place, or the base's for a removed rule), each with
	// the fact changes it explains.
	Rules []RuleChange `json:"rules"`
	// Facts are every fact that changes: courses first, then positions,
	// each by key, then in model order.
	Facts []FactChange `json:"facts"`
	// Unattributed are the fact changes no changed rule explains.
	Unattributed []FactChange `json:"unattributed"`
	// ScaleChanged reports that the proficiency scales differ.
	ScaleChanged bool `json:"scaleChanged"`
	// Gaps has an entry for each level at which some gap opens or closes.
	Gaps []LevelGaps `json:"gaps"`
	// Demand are the blocking demands gained and lost.
	Demand []DemandChange `json:"demand"`
	// Positions are the positions whose requirements change, by id.
	Positions []PositionChange `json:"positions"`
	// People counts the people whose readiness changes and lists them.
	People PeopleChange `json:"people"`
	// Organizations are those whose count of ready people moves.
	Organizations []OrganizationChange `json:"organizations"`
	// RunErrors names the head's rules that failed at run time.
	RunErrors string `json:"runErrors,omitempty"`
	// Errors are the problems of a head that does not load, sorted: the
	// plan is then empty (see Failed).
	Errors diag.List `json:"errors,omitempty"`
}

// Failed returns the plan of a head that does not load: its revision and
// problems, and nothing else.
func Failed(base *engine.RuleSet, headRevision string, errs diag.List) *Plan {
	p := newPlan(base)
	p.Head.Revision, p.Errors = headRevision, errs
	return p
}

// newPlan returns an empty plan from base.
func newPlan(base *engine.RuleSet) *Plan {
	return &Plan{
		Base:  SetInfo{Revision: base.Revision(), Rules: len(base.Rules())},
		Rules: []RuleChange{}, Facts: []FactChange{}, Unattributed: []FactChange{},
		Gaps: []LevelGaps{}, Demand: []DemandChange{}, Positions: []PositionChange{},
		People: PeopleChange{Changes: []PersonChange{}}, Organizations: []OrganizationChange{},
	}
}

// Changed reports whether some fact changes.
func (p *Plan) Changed() bool { return len(p.Facts) > 0 }

// SetInfo describes one side of a plan.
type SetInfo struct {
	// Source says where the rules come from (a directory, a revision);
	// the caller fills it in.
	Source   string `json:"source,omitempty"`
	Revision string `json:"revision"`
	Rules    int    `json:"rules"`
}

// FactChange is a fact that appears, disappears or changes level.
type FactChange struct {
	// Kind is engine.KindCourse for coverage, engine.KindPosition for a
	// requirement.
	Kind engine.RuleKind `json:"kind"`
	// Subject is the course code or the position id.
	Subject       string `json:"subject"`
	SubCompetency string `json:"subCompetency"`
	Change        Change `json:"change"`
	// Before and After are the levels, "" where there is no fact.
	Before string `json:"before,omitempty"`
	After  string `json:"after,omitempty"`
	// BeforeRules and AfterRules gave the fact on each side.
	BeforeRules []domain.RuleRef `json:"beforeRules,omitempty"`
	AfterRules  []domain.RuleRef `json:"afterRules,omitempty"`
}

// RuleChange is a rule added, removed or changed, and the fact changes it
// explains.
type RuleChange struct {
	ID     string          `json:"id"`
	Kind   engine.RuleKind `json:"kind"`
	Change Change          `json:"change"`
	// File and Line are where the head has the rule, or where the base
	// had it when it is removed.
	File        string `json:"file"`
	Line        int    `json:"line"`
	Description string `json:"description,omitempty"`
	// Facts are the fact changes the rule explains, in the order of
	// Plan.Facts; empty when the change has no effect on the catalogue.
	Facts []FactChange `json:"facts"`
}

// LevelGaps is the gaps that open and close at one level: the
// sub-competencies that no active course reaches at that level or above
// after the change but did before (Opened), or the reverse (Closed).
type LevelGaps struct {
	Level  string   `json:"level"`
	Opened []string `json:"opened"`
	Closed []string `json:"closed"`
}

// DemandChange is a blocking demand gained (positions require the level
// and no active course reaches it any more, or positions newly require
// it) or lost.
type DemandChange struct {
	SubCompetency string `json:"subCompetency"`
	Level         string `json:"level"`
	// Change is Added for a demand that becomes blocking, Removed for
	// one that stops being.
	Change Change `json:"change"`
	// PositionsBefore and PositionsAfter count the positions requiring
	// exactly this level.
	PositionsBefore int `json:"positionsBefore"`
	PositionsAfter  int `json:"positionsAfter"`
}

// LevelChange is the change of one sub-competency's level.
type LevelChange struct {
	SubCompetency string `json:"subCompetency"`
	Before        string `json:"before,omitempty"`
	After         string `json:"after,omitempty"`
}

// PositionChange is a position whose requirements change.
type PositionChange struct {
	Position string `json:"position"`
	Title    string `json:"title"`
	// Holders counts the people holding the position.
	Holders int           `json:"holders"`
	Changes []LevelChange `json:"changes"`
}

// PeopleChange counts the people whose readiness changes, and lists them.
type PeopleChange struct {
	// BecomeReady and BecomeUnready count the people whose readiness
	// flips; OtherGaps those who stay not ready with other gaps.
	BecomeReady   int `json:"becomeReady"`
	BecomeUnready int `json:"becomeUnready"`
	OtherGaps     int `json:"otherGaps"`
	// Changes lists each of them, by id.
	Changes []PersonChange `json:"changes"`
}

// Total returns the number of people whose readiness changes.
func (p PeopleChange) Total() int { return p.BecomeReady + p.BecomeUnready + p.OtherGaps }

// PersonChange is a person whose readiness changes.
type PersonChange struct {
	Person       string `json:"person"`
	Name         string `json:"name"`
	Position     string `json:"position"`
	Organization string `json:"organization"`
	ReadyBefore  bool   `json:"readyBefore"`
	ReadyAfter   bool   `json:"readyAfter"`
	// Gaps are the person's gaps that open, close or change, in model
	// order.
	Gaps []GapChange `json:"gaps"`
}

// GapChange is how a person's gap on one sub-competency changes: it opens
// (Added), closes (Removed), or the level required or attained moves
// (Changed). Levels are "" where there is no gap, or nothing attained.
type GapChange struct {
	SubCompetency  string `json:"subCompetency"`
	Change         Change `json:"change"`
	RequiredBefore string `json:"requiredBefore,omitempty"`
	AttainedBefore string `json:"attainedBefore,omitempty"`
	RequiredAfter  string `json:"requiredAfter,omitempty"`
	AttainedAfter  string `json:"attainedAfter,omitempty"`
}

// OrganizationChange is an organization whose number of ready people
// moves.
type OrganizationChange struct {
	Organization string  `json:"organization"`
	People       int     `json:"people"`
	ReadyBefore  int     `json:"readyBefore"`
	ReadyAfter   int     `json:"readyAfter"`
	ShareBefore  float64 `json:"shareBefore"`
	ShareAfter   float64 `json:"shareAfter"`
}

// Compare returns the plan of replacing base by head. Both sides must be
// over the same records and framework.
func Compare(base, head *Side) *Plan {
	p := newPlan(base.Rules)
	p.Head = SetInfo{Revision: head.Rules.Revision(), Rules: len(head.Rules.Rules())}
	p.ScaleChanged = !slices.Equal(base.Rules.Scale().Levels, head.Rules.Scale().Levels)
	if head.RunErrors != nil {
		p.RunErrors = head.RunErrors.Error()
	}
	subs := head.Index.Framework().SubCompetencyCodes()
	p.Facts = slices.Concat(p.Facts,
		factChanges(engine.KindCourse, subs, base.Coverage, head.Coverage, coverageFact),
		factChanges(engine.KindPosition, subs, base.Requirements, head.Requirements, requirementFact))
	p.Rules, p.Unattributed = attribute(base, head, p.Facts)
	p.Gaps = gapChanges(base.Index, head.Index)
	p.Demand = demandChanges(base.Index, head.Index)
	p.Positions = positionChanges(head.Index, p.Facts)
	p.People = peopleChanges(base.Index, head.Index)
	p.Organizations = organizationChanges(base.Index, head.Index)
	return p
}

// fact is the level of one fact and the rules that gave it.
type fact struct {
	level string
	rules []domain.RuleRef
}

func coverageFact(c domain.Coverage) (string, fact) { return c.SubCompetency, fact{c.Level, c.Rules} }
func requirementFact(r domain.Requirement) (string, fact) {
	return r.SubCompetency, fact{r.Level, r.Rules}
}

// factChanges compares the facts of each subject (by key) on both sides.
func factChanges[F any](kind engine.RuleKind, subs []string, base, head map[string][]F, of func(F) (string, fact)) []FactChange {
	keys := slices.Sorted(maps.Keys(base))
	for k := range head {
		if _, ok := base[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	var out []FactChange
	for _, key := range keys {
		if sameLevels(base[key], head[key], of) {
			continue // most subjects: no map needed
		}
		before, after := factsBySub(base[key], of), factsBySub(head[key], of)
		for _, sub := range subs {
			b, a := before[sub], after[sub]
			if b.level == a.level {
				continue
			}
			c := FactChange{Kind: kind, Subject: key, SubCompetency: sub, Before: b.level, After: a.level, BeforeRules: b.rules, AfterRules: a.rules, Change: Changed}
			switch {
			case b.level == "":
				c.Change = Added
			case a.level == "":
				c.Change = Removed
			}
			out = append(out, c)
		}
	}
	return out
}

// sameLevels reports whether two lists of facts give the same levels on
// the same sub-competencies, in the same order.
func sameLevels[F any](a, b []F, of func(F) (string, fact)) bool {
	return slices.EqualFunc(a, b, func(x, y F) bool {
		sx, fx := of(x)
		sy, fy := of(y)
		return sx == sy && fx.level == fy.level
	})
}

func factsBySub[F any](facts []F, of func(F) (string, fact)) map[string]fact {
	m := make(map[string]fact, len(facts))
	for _, f := range facts {
		sub, x := of(f)
		m[sub] = x
	}
	return m
}

// sameRule reports whether two rules derive alike: the same kind,
// condition, yields and exclusion.
func sameRule(a, b *engine.Rule) bool {
	return a.Kind == b.Kind && a.Condition == b.Condition && slices.Equal(a.Yields, b.Yields) &&
		a.Exclude == b.Exclude && slices.Equal(a.ExcludeCodes, b.ExcludeCodes)
}

// ruleChanges returns the rules added, removed or changed, by id.
func ruleChanges(base, head *engine.RuleSet) map[string]*RuleChange {
	out := map[string]*RuleChange{}
	for _, r := range head.Rules() {
		old := base.Rule(r.ID)
		switch {
		case old == nil:
			out[r.ID] = &RuleChange{ID: r.ID, Kind: r.Kind, Change: Added, File: r.File, Line: r.Line, Description: r.Description}
		case !sameRule(old, r):
			out[r.ID] = &RuleChange{ID: r.ID, Kind: r.Kind, Change: Changed, File: r.File, Line: r.Line, Description: r.Description}
		}
	}
	for _, r := range base.Rules() {
		if head.Rule(r.ID) == nil {
			out[r.ID] = &RuleChange{ID: r.ID, Kind: r.Kind, Change: Removed, File: r.File, Line: r.Line, Description: r.Description}
		}
	}
	return out
}

// attribute groups the fact changes by the changed rules that explain
// them (see the package documentation), and returns the changes none
// explains.
func attribute(base, head *Side, facts []FactChange) ([]RuleChange, []FactChange) {
	changed := ruleChanges(base.Rules, head.Rules)
	var exclusions []*RuleChange
	for _, id := range slices.Sorted(maps.Keys(changed)) {
		if r := ruleOf(base.Rules, head.Rules, id); r.Exclude {
			exclusions = append(exclusions, changed[id])
		}
	}
	unattributed := []FactChange{}
	for _, f := range facts {
		explained := false
		for _, refs := range [][]domain.RuleRef{f.BeforeRules, f.AfterRules} {
			for _, ref := range refs {
				if rc, ok := changed[ref.ID]; ok && !slices.ContainsFunc(rc.Facts, f.same) {
					rc.Facts = append(rc.Facts, f)
					explained = true
				}
			}
		}
		for _, rc := range exclusions {
			if excludes(base, rc.ID, f) || excludes(head, rc.ID, f) {
				rc.Facts = append(rc.Facts, f)
				explained = true
			}
		}
		if !explained {
			unattributed = append(unattributed, f)
		}
	}
	out := make([]RuleChange, 0, len(changed))
	for _, rc := range changed {
		if rc.Facts == nil {
			rc.Facts = []FactChange{}
		}
		out = append(out, *rc)
	}
	slices.SortFunc(out, func(a, b RuleChange) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line), cmp.Compare(a.ID, b.ID))
	})
	return out, unattributed
}

// same reports whether f and g are about the same fact.
func (f FactChange) same(g FactChange) bool {
	return f.Kind == g.Kind && f.Subject == g.Subject && f.SubCompetency == g.SubCompetency
}

// ruleOf returns the rule id of head, or of base when head lacks it.
func ruleOf(base, head *engine.RuleSet, id string) *engine.Rule {
	if r := head.Rule(id); r != nil {
		return r
	}
	return base.Rule(id)
}

// excludes reports whether exclusion rule id of side s fires on the
// subject of f and removes its sub-competency.
func excludes(s *Side, id string, f FactChange) bool {
	r := s.Rules.Rule(id)
	if r == nil || !r.Exclude || r.Kind != f.Kind || (len(r.ExcludeCodes) > 0 && !slices.Contains(r.ExcludeCodes, f.SubCompetency)) {
		return false
	}
	var e *engine.Explanation
	var err error
	if f.Kind == engine.KindCourse {
		c, ok := s.Index.Course(f.Subject)
		if !ok {
			return false
		}
		e, err = s.Rules.ExplainCourse(id, c)
	} else {
		p, ok := s.Index.Position(f.Subject)
		if !ok {
			return false
		}
		e, err = s.Rules.ExplainPosition(id, p)
	}
	return err == nil && e.Fired
}

// gapChanges compares the sub-competencies uncovered at each level, the
// head's levels first, then any the base alone has.
func gapChanges(base, head *analysis.Index) []LevelGaps {
	levels := slices.Clone(head.Scale().Levels)
	for _, l := range base.Scale().Levels {
		if !slices.Contains(levels, l) {
			levels = append(levels, l)
		}
	}
	out := []LevelGaps{}
	for _, level := range levels {
		before, after := uncovered(base, level), uncovered(head, level)
		g := LevelGaps{Level: level, Opened: []string{}, Closed: []string{}}
		for _, sub := range head.Framework().SubCompetencyCodes() {
			switch {
			case after[sub] && !before[sub]:
				g.Opened = append(g.Opened, sub)
			case before[sub] && !after[sub]:
				g.Closed = append(g.Closed, sub)
			}
		}
		if len(g.Opened)+len(g.Closed) > 0 {
			out = append(out, g)
		}
	}
	return out
}

// uncovered returns the sub-competencies ix reports as gaps at level; none
// when the level is not on its scale.
func uncovered(ix *analysis.Index, level string) map[string]bool {
	rep, err := ix.Gaps(level, 0)
	if err != nil {
		return nil
	}
	out := make(map[string]bool, len(rep.Uncovered))
	for _, u := range rep.Uncovered {
		out[u.SubCompetency] = true
	}
	return out
}

// demandChanges compares the blocking demands.
func demandChanges(base, head *analysis.Index) []DemandChange {
	type key struct{ sub, level string }
	before := map[key]analysis.LevelDemand{}
	for _, d := range base.Demand() {
		for _, l := range d.Levels {
			before[key{d.SubCompetency, l.Level}] = l
		}
	}
	out := []DemandChange{}
	seen := map[key]bool{}
	for _, d := range head.Demand() {
		for _, l := range d.Levels {
			k := key{d.SubCompetency, l.Level}
			seen[k] = true
			b := before[k]
			if b.Blocking != l.Blocking {
				c := DemandChange{SubCompetency: k.sub, Level: k.level, Change: Added, PositionsBefore: b.Exactly, PositionsAfter: l.Exactly}
				if b.Blocking {
					c.Change = Removed
				}
				out = append(out, c)
			}
		}
	}
	for _, d := range base.Demand() { // levels the head's scale lacks
		for _, l := range d.Levels {
			if k := (key{d.SubCompetency, l.Level}); !seen[k] && l.Blocking {
				out = append(out, DemandChange{SubCompetency: k.sub, Level: k.level, Change: Removed, PositionsBefore: l.Exactly})
			}
		}
	}
	return out
}

// positionChanges groups the requirement changes by position.
func positionChanges(head *analysis.Index, facts []FactChange) []PositionChange {
	out := []PositionChange{}
	for _, f := range facts {
		if f.Kind != engine.KindPosition {
			continue
		}
		if len(out) == 0 || out[len(out)-1].Position != f.Subject {
			pc := PositionChange{Position: f.Subject}
			if p, ok := head.Position(f.Subject); ok {
				pc.Title = p.Title
			}
			pc.Holders = head.CountPeople(domain.PersonFilter{PositionID: f.Subject})
			out = append(out, pc)
		}
		pc := &out[len(out)-1]
		pc.Changes = append(pc.Changes, LevelChange{SubCompetency: f.SubCompetency, Before: f.Before, After: f.After})
	}
	return out
}

// peopleChanges compares the readiness of every person.
func peopleChanges(base, head *analysis.Index) PeopleChange {
	before := map[string]*analysis.Readiness{}
	for _, r := range base.PeopleReadiness() {
		before[r.PersonID] = r
	}
	subs := head.Framework().SubCompetencyCodes()
	out := PeopleChange{Changes: []PersonChange{}}
	for _, a := range head.PeopleReadiness() {
		b, ok := before[a.PersonID]
		if !ok {
			continue // the same records on both sides: never
		}
		if slices.Equal(a.Gaps, b.Gaps) {
			continue // most people: no map needed
		}
		gaps := gapChangesOf(subs, b.Gaps, a.Gaps)
		if len(gaps) == 0 {
			continue
		}
		switch {
		case a.Ready && !b.Ready:
			out.BecomeReady++
		case b.Ready && !a.Ready:
			out.BecomeUnready++
		default:
			out.OtherGaps++
		}
		out.Changes = append(out.Changes, PersonChange{
			Person: a.PersonID, Name: a.Name, Position: a.PositionID, Organization: a.Organization,
			ReadyBefore: b.Ready, ReadyAfter: a.Ready, Gaps: gaps,
		})
	}
	return out
}

// gapChangesOf compares a person's gaps before and after, in the order
// of subs (a person has one gap a sub-competency at most).
func gapChangesOf(subs []string, before, after []analysis.Gap) []GapChange {
	bySub := func(gs []analysis.Gap) map[string]analysis.Gap {
		m := make(map[string]analysis.Gap, len(gs))
		for _, g := range gs {
			m[g.SubCompetency] = g
		}
		return m
	}
	b, a := bySub(before), bySub(after)
	var out []GapChange
	for _, sub := range subs {
		gb, inB := b[sub]
		ga, inA := a[sub]
		if gb == ga {
			continue
		}
		c := GapChange{SubCompetency: sub, Change: Changed,
			RequiredBefore: gb.Required, AttainedBefore: gb.Attained, RequiredAfter: ga.Required, AttainedAfter: ga.Attained}
		switch {
		case !inB:
			c.Change = Added
		case !inA:
			c.Change = Removed
		}
		out = append(out, c)
	}
	return out
}

// organizationChanges compares the ready people of every organization.
func organizationChanges(base, head *analysis.Index) []OrganizationChange {
	orgs := head.Organizations()
	for _, o := range base.Organizations() {
		if !slices.Contains(orgs, o) {
			orgs = append(orgs, o)
		}
	}
	slices.Sort(orgs)
	out := []OrganizationChange{}
	for _, org := range orgs {
		b, errB := base.OrganizationReadiness(org, 0)
		a, errA := head.OrganizationReadiness(org, 0)
		if errA != nil || errB != nil || a.Ready == b.Ready {
			continue
		}
		out = append(out, OrganizationChange{Organization: org, People: a.People,
			ReadyBefore: b.Ready, ReadyAfter: a.Ready, ShareBefore: b.Share, ShareAfter: a.Share})
	}
	return out
}
