package engine

import (
	"cmap/domain"
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/expr-lang/expr/ast"

	"cmap/diag"
)

// Lint finds what is legal in a rule set but probably wrong, judged on a
// catalogue: the rules and records as they are now. `cmap rules check`
// says whether rules load; lint says whether they make sense together.
//
// Every finding has a stable code. The checks, on the courses and
// positions given (every course, whatever its status, for L001-L005; the
// active ones for L006-L007, as coverage counts them), are LintChecks,
// each with its summary (which cmap rules lint -h lists) and its full
// description (Help, which the rules of its SARIF output carry).
//
// A finding about a rule is located in the rule's file: at its id (L001,
// L003), at the phrase (L002), at the entry of covers:/requires: that gives
// the sub-competency (L004, L006, L007), or at exclude: (L005). A finding
// about a position (L008) is located where LintOptions.PositionPos says.
//
// A lint: key silences findings, with a reason (see lintDirective): on a
// rule, the findings about that rule; at the top of a rule file, those
// about every rule of the file and those about records. L009 cannot be
// silenced.

// LintCode names a lint check; codes are stable from release to release.
type LintCode string

// The lint checks, as LintChecks describes them.
const (
	LintNeverFires    LintCode = "L001"
	LintDeadTerm      LintCode = "L002"
	LintRedundantRule LintCode = "L003"
	LintShadowedLevel LintCode = "L004"
	LintIdleExclusion LintCode = "L005"
	LintSingleCourse  LintCode = "L006"
	LintSingleRule    LintCode = "L007"
	LintNoRequirement LintCode = "L008"
	LintUnusedIgnore  LintCode = "L009"
)

// LintCheck describes one lint check.
type LintCheck struct {
	Code LintCode `json:"code"`
	// Name is a short name for the check, e.g. never-fires.
	Name string `json:"name"`
	// Summary says what the check finds, in one line.
	Summary string `json:"summary"`
	// Help says precisely what the check finds, and what it leaves out.
	Help string `json:"help"`
	// Level is how much a finding weighs: LintWarning for a rule that is
	// probably wrong, LintNote for a catalogue that is fragile or
	// incomplete but not wrong (the levels of SARIF, which CI and editors
	// show findings by).
	Level LintLevel `json:"level"`
}

// LintLevel is how much a finding of a check weighs.
type LintLevel string

// The levels of lint findings.
const (
	LintWarning LintLevel = "warning"
	LintNote    LintLevel = "note"
)

// LintChecks are the lint checks, by code.
var LintChecks = []LintCheck{
	{LintNeverFires, "never-fires", "a rule gives no fact to any record",
		"A rule gives no fact to any record of its kind (an exclusion: applies to none). " +
			"Not reported for a rule whose condition is only mentions() and hasTopic() calls: L002 names each of its terms.", LintWarning},
	{LintDeadTerm, "dead-term", "a phrase or topic that no course has",
		"A phrase given to mentions() occurs in no course's title, description or objectives; " +
			"a topic given to hasTopic() is a topic of no course.", LintWarning},
	{LintRedundantRule, "redundant-rule", "another rule gives what it gives, as high or higher",
		"Rule A is redundant given rule B: on every record, every fact A gives, B gives too, at the same or a higher level. " +
			"When A and B give exactly the same, the later of the two (in file and line order) is reported.", LintWarning},
	{LintShadowedLevel, "shadowed-level", "a level that another rule always beats",
		"Rule A gives a sub-competency, and wherever it does, one other rule B gives the same record the same sub-competency " +
			"at a strictly higher level: the level A gives never shows. Layering a general rule under a specific one is not reported: " +
			"the general rule's level shows on the records outside the specific one. Not reported for a rule that L003 reports.", LintWarning},
	{LintIdleExclusion, "idle-exclusion", "an exclusion that removes nothing",
		"An exclusion applies to some records, but none of them gets a fact (any fact, or one of the codes of an entry of its list) " +
			"from the other rules: it removes nothing.", LintWarning},
	{LintSingleCourse, "single-course", "a sub-competency that one active course covers",
		"A sub-competency is covered by one active course only: retire or change it, and it is a gap.", LintNote},
	{LintSingleRule, "single-rule", "a sub-competency that courses cover through one rule",
		"A sub-competency is covered by several active courses, all through one rule: a change to its condition can leave it uncovered.", LintNote},
	{LintNoRequirement, "no-requirement", "a position that gets no requirement",
		"A position gets no requirement from any rule.", LintNote},
	{LintUnusedIgnore, "unused-ignore", "a silence that silences nothing (cannot be silenced)",
		"A code in a lint: silence that silences nothing where the silence applies: remove it. This finding cannot be silenced.", LintWarning},
}

// LintCheckOf returns the check of code, or nil when there is none.
func LintCheckOf(code LintCode) *LintCheck {
	for i := range LintChecks {
		if LintChecks[i].Code == code {
			return &LintChecks[i]
		}
	}
	return nil
}

// lintCodeList names the codes that can be silenced, for messages.
func lintCodeList() string {
	return fmt.Sprintf("%s to %s", LintChecks[0].Code, LintChecks[len(LintChecks)-2].Code)
}

// LintOptions tune Lint. The zero value lints with no record locations.
type LintOptions struct {
	// PositionPos locates a position in its source (say, its row of a CSV
	// file), for the findings about it; nil, or a zero Pos, leaves them
	// without a location.
	PositionPos func(id string) diag.Pos
}

// LintFinding is one lint finding: a diagnostic (a location, a message,
// no snippet: the caller has the sources) with its code.
type LintFinding struct {
	diag.Diagnostic
	Code LintCode `json:"code"`
	// Rule is the id of the rule the finding is about; empty for a
	// finding about a record.
	Rule string `json:"rule,omitempty"`
}

// LintReport is the outcome of Lint.
type LintReport struct {
	// Findings sorted by file, line and column; those with no location
	// last.
	Findings []LintFinding `json:"findings"`
	// Silenced counts the findings that lint: keys silenced.
	Silenced int `json:"silenced"`
	// The numbers of rules and records linted.
	Rules     int `json:"rules"`
	Courses   int `json:"courses"`
	Positions int `json:"positions"`
}

// Lint runs the lint checks on rs over the catalogue given: every course
// and every position. A rule that fails at run time on a record is treated
// as not firing for it, and the failures are returned as the error, with
// the report. Safe for concurrent use.
func (rs *RuleSet) Lint(courses []*domain.Course, positions []*domain.Position, opts LintOptions) (*LintReport, error) {
	l := &linter{rs: rs, opts: opts, used: map[*lintDirective][]bool{}}
	e := rs.getEvaluator()
	defer rs.putEvaluator(e)

	cs := l.evalCourses(e, courses)
	ps := l.evalPositions(e, positions)
	for _, k := range []*lintKind{cs, ps} {
		l.neverFires(k)
		l.redundantAndShadowed(k)
		l.idleExclusions(k)
	}
	l.deadTerms(cs)
	l.fragile(cs, courses)
	l.noRequirement(ps, positions)
	l.unusedIgnores()

	slices.SortStableFunc(l.findings, func(a, b LintFinding) int {
		return cmp.Or(
			cmp.Compare(unlocated(a), unlocated(b)),
			cmp.Compare(a.File, b.File),
			cmp.Compare(a.Line, b.Line),
			cmp.Compare(a.Col, b.Col),
			cmp.Compare(a.Code, b.Code),
			cmp.Compare(a.Message, b.Message),
		)
	})
	report := &LintReport{
		Findings: l.findings, Silenced: l.silenced,
		Rules: len(rs.rules), Courses: len(courses), Positions: len(positions),
	}
	if report.Findings == nil {
		report.Findings = []LintFinding{}
	}
	return report, errors.Join(l.errs...)
}

// unlocated is 1 for a finding with no file, which sorts last.
func unlocated(f LintFinding) int {
	if f.File == "" {
		return 1
	}
	return 0
}

// linter is one run of Lint.
type linter struct {
	rs       *RuleSet
	opts     LintOptions
	findings []LintFinding
	silenced int
	// used marks the codes of each directive that silenced a finding.
	used map[*lintDirective][]bool
	errs []error
}

// lintKind is what the rules of one kind did to the records of that
// kind.
type lintKind struct {
	noun  string // "course" or "position"
	rules []*Rule
	// keys are the records' keys; tiers their tier ranks (0 for positions).
	keys  []string
	tiers []int
	// fired[i][x] is whether rules[i] fired for record x.
	fired [][]bool
	// pre[x] are the ranks record x gets before exclusions, by framework
	// index; facts[x] its facts after them, with the rules that gave each.
	pre   [][]int
	facts [][]lintFact
	// live are the terms that some course matches (courses only).
	live termSet
}

// lintFact is a derived fact as lint sees it: a framework index and the
// rules that gave it.
type lintFact struct {
	idx   int
	rules []*Rule
}

func (l *linter) newKind(noun string, rules []*Rule, n int) *lintKind {
	k := &lintKind{noun: noun, rules: rules, keys: make([]string, n), tiers: make([]int, n),
		fired: make([][]bool, len(rules)), pre: make([][]int, n), facts: make([][]lintFact, n)}
	for i := range rules {
		k.fired[i] = make([]bool, n)
	}
	return k
}

// record takes what outcome o, finished, gave record x.
func (k *lintKind) record(x int, o *outcome, index map[*Rule]int) {
	pre := make([]int, len(o.rank))
	for _, r := range o.fired {
		k.fired[index[r]][x] = true
		if r.Exclude {
			continue
		}
		for j, idx := range r.yieldIdx {
			pre[idx] = max(pre[idx], k.gives(r, x, j))
		}
	}
	k.pre[x] = pre
	for idx, rank := range o.rank {
		if rank > 0 {
			k.facts[x] = append(k.facts[x], lintFact{idx: idx, rules: slices.Clone(o.rules[idx])})
		}
	}
}

// gives returns the rank at which yield j of r gives its sub-competency
// to record x when r fires (0: nothing, a tier yield on a course with no
// tier).
func (k *lintKind) gives(r *Rule, x, j int) int {
	if rank := r.yieldRank[j]; rank != tierRank {
		return rank
	}
	return k.tiers[x]
}

// rankFrom returns the rank at which r gives framework index idx to
// record x: 0 if it does not fire for x or does not give idx.
func (k *lintKind) rankFrom(i int, x, idx int) int {
	r := k.rules[i]
	if !k.fired[i][x] {
		return 0
	}
	for j, yi := range r.yieldIdx {
		if yi == idx {
			return k.gives(r, x, j)
		}
	}
	return 0
}

func ruleIndex(rules []*Rule) map[*Rule]int {
	m := make(map[*Rule]int, len(rules))
	for i, r := range rules {
		m[r] = i
	}
	return m
}

func (l *linter) evalCourses(e *evaluator, courses []*domain.Course) *lintKind {
	k := l.newKind("course", l.rs.courseRules, len(courses))
	k.live = l.rs.terms.newSet()
	index := ruleIndex(k.rules)
	for x, c := range courses {
		o := e.course(c)
		k.keys[x], k.tiers[x] = c.Code, o.tier
		for w := range e.terms {
			k.live[w] |= e.terms[w]
		}
		if o.err != nil {
			l.errs = append(l.errs, fmt.Errorf("course %s: %w", c.Code, o.err))
		}
		k.record(x, o, index)
	}
	return k
}

func (l *linter) evalPositions(e *evaluator, positions []*domain.Position) *lintKind {
	k := l.newKind("position", l.rs.positionRules, len(positions))
	index := ruleIndex(k.rules)
	for x, p := range positions {
		v := newPositionView(p)
		o := e.position(&v, nil, 0)
		k.keys[x] = p.ID
		if o.err != nil {
			l.errs = append(l.errs, fmt.Errorf("position %s: %w", p.ID, o.err))
		}
		k.record(x, o, index)
	}
	return k
}

// report adds a finding about rule r (nil for a record) at pos, unless a
// lint: key silences it.
func (l *linter) report(code LintCode, r *Rule, pos diag.Pos, format string, args ...any) {
	f := LintFinding{Diagnostic: diag.Errorf(pos, format, args...), Code: code}
	var directives []*lintDirective
	if r != nil {
		f.Rule = r.ID
		directives = []*lintDirective{r.lint, l.rs.fileLint[r.File]}
	} else {
		for _, d := range l.rs.fileLint {
			directives = append(directives, d)
		}
	}
	if code != LintUnusedIgnore {
		silenced := false
		for _, d := range directives {
			if i := d.has(code); i >= 0 {
				if l.used[d] == nil {
					l.used[d] = make([]bool, len(d.codes))
				}
				l.used[d][i] = true
				silenced = true
			}
		}
		if silenced {
			l.silenced++
			return
		}
	}
	l.findings = append(l.findings, f)
}

// effective counts the records for which rule i has an effect: an
// exclusion that fires, a yielding rule that fires and gives a fact.
func (k *lintKind) effective(i int) int {
	r, n := k.rules[i], 0
	for x, fired := range k.fired[i] {
		if !fired {
			continue
		}
		if r.Exclude {
			n++
			continue
		}
		for j := range r.yieldIdx {
			if k.gives(r, x, j) > 0 {
				n++
				break
			}
		}
	}
	return n
}

// firedCount counts the records rule i fires for.
func (k *lintKind) firedCount(i int) int {
	n := 0
	for _, f := range k.fired[i] {
		if f {
			n++
		}
	}
	return n
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// neverFires reports L001.
func (l *linter) neverFires(k *lintKind) {
	for i, r := range k.rules {
		if k.effective(i) > 0 {
			continue
		}
		if fired := k.firedCount(i); fired > 0 {
			l.report(LintNeverFires, r, r.idPos, "rule %q gives no fact to any %s: it applies only to courses with no tier to cover at (%s)",
				r.ID, k.noun, plural(fired, k.noun))
			continue
		}
		if r.gateExact && k.live != nil && !k.live.hasAny(r.gate) {
			continue // L002 names each of its terms
		}
		verb := "gives no fact to"
		if r.Exclude {
			verb = "excludes nothing from"
		}
		l.report(LintNeverFires, r, r.idPos, "rule %q %s any %s: its condition holds for none of the %s",
			r.ID, verb, k.noun, plural(len(k.keys), k.noun))
	}
}

// deadTerms reports L002 for the course rules.
func (l *linter) deadTerms(k *lintKind) {
	for _, r := range k.rules {
		walkTree(r.tree, func(n ast.Node) {
			call, ok := n.(*ast.CallNode)
			if !ok {
				return
			}
			callee, ok := call.Callee.(*ast.IdentifierNode)
			if !ok || (callee.Value != "mentions" && callee.Value != "hasTopic") {
				return
			}
			kind := phraseTerm
			if callee.Value == "hasTopic" {
				kind = topicTerm
			}
			for _, a := range call.Arguments {
				lit, ok := a.(*ast.StringNode)
				if !ok {
					continue
				}
				id, ok := l.rs.terms.ids[termKey{kind, normalizeTerm(lit.Value)}]
				if !ok || k.live.has(id) {
					continue
				}
				pos := r.exprPos(lit.Location().From)
				if kind == phraseTerm {
					l.report(LintDeadTerm, r, pos, "phrase %q occurs in no course: no title, description or objective of the %s has it",
						lit.Value, plural(len(k.keys), "course"))
				} else {
					l.report(LintDeadTerm, r, pos, "topic %q is a topic of none of the %s", lit.Value, plural(len(k.keys), "course"))
				}
			}
		})
	}
}

// walkTree calls fn on n and every node below it.
func walkTree(n ast.Node, fn func(ast.Node)) {
	if n == nil {
		return
	}
	fn(n)
	for _, c := range childNodes(n) {
		walkTree(c, fn)
	}
}

// covers reports whether rule j gives record x, for every fact rule i
// gives it, the same sub-competency at the same or a higher level.
func (k *lintKind) covers(j, i int) bool {
	ri := k.rules[i]
	for x, fired := range k.fired[i] {
		if !fired {
			continue
		}
		for y, idx := range ri.yieldIdx {
			if g := k.gives(ri, x, y); g > 0 && k.rankFrom(j, x, idx) < g {
				return false
			}
		}
	}
	return true
}

// redundantAndShadowed reports L003 and L004.
func (l *linter) redundantAndShadowed(k *lintKind) {
	order := ruleIndex(l.rs.rules)
	for i, a := range k.rules {
		if a.Exclude || k.effective(i) == 0 {
			continue
		}
		redundant := false
		for j, b := range k.rules {
			if j == i || b.Exclude || !k.covers(j, i) {
				continue
			}
			if k.covers(i, j) && order[b] > order[a] {
				continue // the same effect: the later one is reported
			}
			l.report(LintRedundantRule, a, a.idPos, "rule %q is redundant: rule %q (%s:%d) gives every fact it gives, at the same or a higher level, wherever it applies (%s)",
				a.ID, b.ID, b.File, b.Line, plural(k.effective(i), k.noun))
			redundant = true
			break
		}
		if !redundant {
			l.shadowed(k, i)
		}
	}
}

// shadowed reports L004 for rule i: by entry of covers:/requires:, the
// sub-competencies whose level another rule always beats.
func (l *linter) shadowed(k *lintKind, i int) {
	a := k.rules[i]
	type group struct {
		pos   diag.Pos
		by    *Rule
		codes []string
	}
	var groups []*group
	for y, idx := range a.yieldIdx {
		for j, b := range k.rules {
			if j == i || b.Exclude || !k.beats(j, i, y) {
				continue
			}
			code := l.rs.subCodes[idx]
			if n := len(groups); n > 0 && groups[n-1].pos == a.yieldPos[y] && groups[n-1].by == b {
				groups[n-1].codes = append(groups[n-1].codes, code)
			} else {
				groups = append(groups, &group{pos: a.yieldPos[y], by: b, codes: []string{code}})
			}
			break
		}
	}
	for _, g := range groups {
		them := "them"
		if len(g.codes) == 1 {
			them = "it"
		}
		l.report(LintShadowedLevel, a, g.pos, "%s: wherever rule %q gives %s, rule %q (%s:%d) gives %s at a higher level, so the level given here never shows",
			strings.Join(g.codes, ", "), a.ID, them, g.by.ID, g.by.File, g.by.Line, them)
	}
}

// beats reports whether, on every record to which yield y of rule i gives
// a level (there is at least one), rule j gives the same sub-competency
// at a strictly higher level.
func (k *lintKind) beats(j, i, y int) bool {
	ri := k.rules[i]
	idx, some := ri.yieldIdx[y], false
	for x, fired := range k.fired[i] {
		if !fired {
			continue
		}
		g := k.gives(ri, x, y)
		if g == 0 {
			continue
		}
		if k.rankFrom(j, x, idx) <= g {
			return false
		}
		some = true
	}
	return some
}

// idleExclusions reports L005.
func (l *linter) idleExclusions(k *lintKind) {
	for i, r := range k.rules {
		if !r.Exclude || k.firedCount(i) == 0 {
			continue
		}
		n := k.firedCount(i)
		if len(r.excludeIdx) == 0 {
			removes := false
			for x, fired := range k.fired[i] {
				if fired && slices.ContainsFunc(k.pre[x], func(rank int) bool { return rank > 0 }) {
					removes = true
					break
				}
			}
			if !removes {
				l.report(LintIdleExclusion, r, r.excludePos[0], "exclusion %q removes nothing: no %s it applies to (%s) gets a fact from another rule",
					r.ID, k.noun, plural(n, k.noun))
			}
			continue
		}
		// A list: by entry, the codes it names.
		for start := 0; start < len(r.excludeIdx); {
			end := start + 1
			for end < len(r.excludeIdx) && r.excludePos[end] == r.excludePos[start] {
				end++
			}
			removes := false
			for x, fired := range k.fired[i] {
				if !fired {
					continue
				}
				for _, idx := range r.excludeIdx[start:end] {
					if k.pre[x][idx] > 0 {
						removes = true
					}
				}
			}
			if !removes {
				l.report(LintIdleExclusion, r, r.excludePos[start], "excluding %s removes nothing: no %s rule %q applies to (%s) gets it from another rule",
					strings.Join(r.ExcludeCodes[start:end], ", "), k.noun, r.ID, plural(n, k.noun))
			}
			start = end
		}
	}
}

// fragile reports L006 and L007: sub-competencies that the active courses
// cover through one course, or through one rule.
func (l *linter) fragile(k *lintKind, courses []*domain.Course) {
	type cover struct {
		courses []string
		rules   []*Rule
	}
	by := make([]cover, len(l.rs.subCodes))
	for x, facts := range k.facts {
		if courses[x].Status != domain.CourseActive {
			continue
		}
		for _, f := range facts {
			c := &by[f.idx]
			c.courses = append(c.courses, k.keys[x])
			for _, r := range f.rules {
				if !slices.Contains(c.rules, r) {
					c.rules = append(c.rules, r)
				}
			}
		}
	}
	order := ruleIndex(l.rs.rules)
	for idx, c := range by {
		if len(c.courses) == 0 {
			continue
		}
		slices.SortFunc(c.rules, func(a, b *Rule) int { return order[a] - order[b] })
		r := c.rules[0]
		code := l.rs.subCodes[idx]
		pos := r.yieldPos[slices.Index(r.yieldIdx, idx)]
		switch {
		case len(c.courses) == 1:
			l.report(LintSingleCourse, r, pos, "%s is covered by one active course only, %s: retire or change it and %s is a gap",
				code, c.courses[0], code)
		case len(c.rules) == 1:
			l.report(LintSingleRule, r, pos, "%s is covered by %d active courses, all through rule %q alone: a change to its condition can leave %s uncovered",
				code, len(c.courses), r.ID, code)
		}
	}
}

// noRequirement reports L008.
func (l *linter) noRequirement(k *lintKind, positions []*domain.Position) {
	for x, facts := range k.facts {
		if len(facts) > 0 {
			continue
		}
		p := positions[x]
		var pos diag.Pos
		if l.opts.PositionPos != nil {
			pos = l.opts.PositionPos(p.ID)
		}
		l.report(LintNoRequirement, nil, pos, "position %s (%s, %s, %s) gets no requirement from any rule",
			p.ID, p.Category, p.Grade, p.Region)
	}
}

// unusedIgnores reports L009: the codes of lint: keys that silenced
// nothing.
func (l *linter) unusedIgnores() {
	var directives []*lintDirective
	for _, r := range l.rs.rules {
		if r.lint != nil {
			directives = append(directives, r.lint)
		}
	}
	for _, d := range l.rs.fileLint {
		directives = append(directives, d)
	}
	for _, d := range directives {
		for i, code := range d.codes {
			if used := l.used[d]; used == nil || !used[i] {
				l.report(LintUnusedIgnore, nil, d.at[i], "lint: ignore %s silences nothing here: remove it", code)
			}
		}
	}
}
