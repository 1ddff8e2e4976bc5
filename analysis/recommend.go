package analysis

import (
	"cmp"
	"math"
	"math/bits"
	"slices"
	"strings"

	"cmap/engine"
)

// Methods by which a recommendation was found.
const (
	// MethodExact: branch and bound proved the set optimal.
	MethodExact = "exact"
	// MethodGreedy: the instance was too large for the exact search (more
	// than 64 gaps, or more than exactNodeBudget search nodes); the set is
	// the greedy cover (cheapest hours per newly closed gap, redundant
	// picks dropped), improved by as much of the exact search as the budget
	// allowed. It is not proven optimal; LowerBoundHours bounds how far it
	// can be from the optimum.
	MethodGreedy = "greedy"
)

// exactNodeBudget caps the nodes of one exact search. People at DoD scale
// need a few dozen; the cap keeps pathological instances (many courses with
// equal hours) within a few milliseconds.
const exactNodeBudget = 20000

// Recommendation is the cheapest set of active courses that closes every
// gap of a person that can be closed.
type Recommendation struct {
	PersonID string
	// Courses in an order to take them: every course after its
	// prerequisites, otherwise by code.
	Courses []RecommendedCourse
	// TotalHours is the sum of the courses' hours.
	TotalHours float64
	// Unclosable are the gaps no active course can close (none reaches the
	// level, or every course that does has a prerequisite that is neither
	// completed nor active), in model order.
	Unclosable []Gap
	// Method is MethodExact or MethodGreedy.
	Method string
	// LowerBoundHours is a proven lower bound on the hours of any set that
	// closes the closable gaps; it equals TotalHours when Method is
	// MethodExact.
	LowerBoundHours float64
}

// RecommendedCourse is one course of a recommendation and why it is there.
type RecommendedCourse struct {
	Code  string
	Title string
	Hours float64
	// Closes are the person's gaps this course closes by itself.
	Closes []Gap
	// PrerequisiteOf are the recommended courses that name this course as
	// a prerequisite, sorted.
	PrerequisiteOf []string
}

// bundle is a candidate: an active course plus the closure of its
// prerequisites the person has not completed.
type bundle struct {
	courses []int // indexes into problem.courses, sorted by code
	root    int
	milli   int64
	cover   []int // indexes of the gaps it closes
	mask    uint64
}

// problem is one person's weighted set cover instance.
type problem struct {
	gaps      []gap
	courses   []*courseEntry
	courseIdx map[string]int
	bundles   []bundle
}

// Recommend returns the recommendation for a person (ENOTFOUND for an
// unknown person). The set minimises total hours, then the number of
// courses, then compares the sorted course codes; prerequisites not yet
// completed are included (transitively) and count towards the hours.
func (ix *Index) Recommend(personID string) (*Recommendation, error) {
	p, ok := ix.people.get(personID)
	if !ok {
		return nil, engine.NotFound("person", personID)
	}
	return ix.recommend(p), nil
}

func (ix *Index) recommend(p *personEntry) *Recommendation {
	rec := &Recommendation{PersonID: p.id, Method: MethodExact}
	if len(p.gaps) == 0 {
		return rec
	}
	pr := ix.newProblem(p)
	closable := make([]bool, len(pr.gaps))
	for _, b := range pr.bundles {
		for _, g := range b.cover {
			closable[g] = true
		}
	}
	for i, g := range pr.gaps {
		if !closable[i] {
			rec.Unclosable = append(rec.Unclosable, ix.gapOf(g))
		}
	}
	if len(pr.bundles) == 0 {
		return rec
	}
	lower := pr.lowerBound(closable)
	pr.prune()
	var chosen []int // course indexes
	var exact bool
	greedy := pr.greedy(closable)
	if len(pr.gaps) <= 64 {
		chosen, exact = pr.exact(greedy, closable)
	} else {
		chosen = greedy
	}
	if !exact {
		rec.Method = MethodGreedy
		rec.LowerBoundHours = float64(lower) / 1000
	}
	set := map[string]bool{}
	var milli int64
	for _, c := range chosen {
		set[pr.courses[c].course.Code] = true
		milli += pr.courses[c].milli
	}
	rec.TotalHours = float64(milli) / 1000
	if exact {
		rec.LowerBoundHours = rec.TotalHours
	}
	for _, code := range takingOrder(pr, chosen) {
		c := pr.courses[pr.courseIdx[code]]
		rc := RecommendedCourse{Code: code, Title: c.course.Title, Hours: c.course.Hours}
		for _, g := range pr.gaps {
			if c.rankOn(g.sub) >= g.req {
				rc.Closes = append(rc.Closes, ix.gapOf(g))
			}
		}
		for other := range set {
			oc, _ := ix.courses.get(other)
			if slices.Contains(oc.course.Prerequisites, code) {
				rc.PrerequisiteOf = append(rc.PrerequisiteOf, other)
			}
		}
		slices.Sort(rc.PrerequisiteOf)
		rec.Courses = append(rec.Courses, rc)
	}
	return rec
}

// newProblem collects the candidate bundles of a person's gaps.
func (ix *Index) newProblem(p *personEntry) *problem {
	pr := &problem{gaps: p.gaps, courseIdx: map[string]int{}}
	var roots []string
	for _, g := range p.gaps {
		for _, c := range ix.closers[g.sub] {
			if c.rank >= g.req {
				roots = append(roots, c.code)
			}
		}
	}
	slices.Sort(roots)
	roots = slices.Compact(roots)
	seen := map[string]bool{}
	for _, root := range roots {
		codes, ok := ix.missingClosure(root, p.completed)
		if !ok {
			continue
		}
		key := strings.Join(codes, "\x00")
		if seen[key] {
			continue // a prerequisite cycle gives several roots one bundle
		}
		seen[key] = true
		b := bundle{}
		for _, code := range codes {
			i, ok := pr.courseIdx[code]
			if !ok {
				c, _ := ix.courses.get(code)
				i = len(pr.courses)
				pr.courseIdx[code] = i
				pr.courses = append(pr.courses, c)
			}
			b.courses = append(b.courses, i)
			b.milli += pr.courses[i].milli
			if code == root {
				b.root = i
			}
		}
		for gi, g := range pr.gaps {
			for _, ci := range b.courses {
				if pr.courses[ci].rankOn(g.sub) >= g.req {
					b.cover = append(b.cover, gi)
					if gi < 64 {
						b.mask |= 1 << gi
					}
					break
				}
			}
		}
		pr.bundles = append(pr.bundles, b)
	}
	return pr
}

// missingClosure returns root and the prerequisites, transitively, that a
// person who completed the sorted codes in completed has yet to take,
// sorted; false when one of them is not an active course.
func (ix *Index) missingClosure(root string, completed []string) ([]string, bool) {
	var out []string
	stack := []string{root}
	for len(stack) > 0 {
		code := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if slices.Contains(out, code) {
			continue
		}
		c, ok := ix.courses.get(code)
		if !ok || !c.active() {
			return nil, false
		}
		out = append(out, code)
		for _, pre := range c.course.Prerequisites {
			if _, done := slices.BinarySearch(completed, pre); !done {
				stack = append(stack, pre)
			}
		}
	}
	slices.Sort(out)
	return out, true
}

// lowerBound returns the largest, over closable gaps, of the cheapest
// bundle closing it: every solution holds such a bundle.
func (pr *problem) lowerBound(closable []bool) int64 {
	cheapest := make([]int64, len(pr.gaps))
	for i := range cheapest {
		cheapest[i] = math.MaxInt64
	}
	for _, b := range pr.bundles {
		for _, g := range b.cover {
			cheapest[g] = min(cheapest[g], b.milli)
		}
	}
	var lb int64
	for g, c := range cheapest {
		if closable[g] {
			lb = max(lb, c)
		}
	}
	return lb
}

// prune drops dominated bundles: A is dropped when another bundle B closes
// every gap A closes and B costs less than A's own course alone (then B
// adds fewer hours than A to any partial solution), or B is a single course
// costing exactly as much whose code sorts first (then B is never worse on
// hours, count or codes).
func (pr *problem) prune() {
	dominated := func(a, b *bundle) bool {
		if !coversAll(b.cover, a.cover) {
			return false
		}
		rootMilli := pr.courses[a.root].milli
		return b.milli < rootMilli || (b.milli == rootMilli && len(b.courses) == 1 &&
			pr.courses[b.root].course.Code < pr.courses[a.root].course.Code)
	}
	kept := pr.bundles[:0:0]
	for i := range pr.bundles {
		drop := false
		for j := range pr.bundles {
			if i != j && dominated(&pr.bundles[i], &pr.bundles[j]) {
				drop = true
				break
			}
		}
		if !drop {
			kept = append(kept, pr.bundles[i])
		}
	}
	pr.bundles = kept
	slices.SortStableFunc(pr.bundles, func(a, b bundle) int {
		return cmp.Or(cmp.Compare(a.milli, b.milli), cmp.Compare(len(a.courses), len(b.courses)))
	})
}

// coversAll reports whether the sorted set super contains the sorted set sub.
func coversAll(super, sub []int) bool {
	i := 0
	for _, x := range sub {
		for i < len(super) && super[i] < x {
			i++
		}
		if i == len(super) || super[i] != x {
			return false
		}
	}
	return true
}

// unionOf returns the sorted course indexes of the chosen bundles.
func unionOf(pr *problem, chosen []int) []int {
	var out []int
	for _, b := range chosen {
		out = append(out, pr.bundles[b].courses...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// greedy covers the closable gaps by repeatedly taking the bundle with the
// fewest added hours per newly closed gap, then drops picks the others make
// redundant. It returns the course indexes of the cover.
func (pr *problem) greedy(closable []bool) []int {
	covered := make([]bool, len(pr.gaps))
	inUnion := make([]bool, len(pr.courses))
	remaining := 0
	for _, c := range closable {
		if c {
			remaining++
		}
	}
	var chosen []int
	for remaining > 0 {
		best, bestNew, bestCost, bestAdded := -1, 0, int64(0), 0
		for i, b := range pr.bundles {
			n := 0
			for _, g := range b.cover {
				if !covered[g] {
					n++
				}
			}
			if n == 0 {
				continue
			}
			var cost int64
			added := 0
			for _, c := range b.courses {
				if !inUnion[c] {
					cost += pr.courses[c].milli
					added++
				}
			}
			// cost/n < bestCost/bestNew, then fewer added courses.
			if best < 0 || cost*int64(bestNew) < bestCost*int64(n) ||
				(cost*int64(bestNew) == bestCost*int64(n) && added < bestAdded) {
				best, bestNew, bestCost, bestAdded = i, n, cost, added
			}
		}
		chosen = append(chosen, best)
		for _, g := range pr.bundles[best].cover {
			if !covered[g] {
				covered[g] = true
				remaining--
			}
		}
		for _, c := range pr.bundles[best].courses {
			inUnion[c] = true
		}
	}
	// Drop picks whose gaps the other picks close, latest first.
	for i := len(chosen) - 1; i >= 0; i-- {
		others := append(slices.Clone(chosen[:i]), chosen[i+1:]...)
		if pr.closesAll(others, closable) {
			chosen = others
		}
	}
	return unionOf(pr, chosen)
}

// closesAll reports whether the chosen bundles close every closable gap.
func (pr *problem) closesAll(chosen []int, closable []bool) bool {
	covered := make([]bool, len(pr.gaps))
	for _, b := range chosen {
		for _, g := range pr.bundles[b].cover {
			covered[g] = true
		}
	}
	for g, c := range closable {
		if c && !covered[g] {
			return false
		}
	}
	return true
}

// solutionKey orders solutions: fewer hours, then fewer courses, then the
// sorted codes.
type solutionKey struct {
	milli   int64
	courses []int // course indexes
	codes   []string
}

func (pr *problem) keyOf(courses []int) solutionKey {
	k := solutionKey{courses: courses}
	for _, c := range courses {
		k.milli += pr.courses[c].milli
		k.codes = append(k.codes, pr.courses[c].course.Code)
	}
	slices.Sort(k.codes)
	return k
}

func (k solutionKey) less(o solutionKey) bool {
	return cmp.Or(cmp.Compare(k.milli, o.milli), cmp.Compare(len(k.codes), len(o.codes)), slices.Compare(k.codes, o.codes)) < 0
}

// search is the state of one branch and bound.
type search struct {
	pr        *problem
	full      uint64
	byGap     [][]int // bundles closing each gap, cheapest first
	refs      []int   // how many chosen bundles hold each course
	forbidden []bool
	chosen    int
	best      solutionKey
	nodes     int
}

// exact runs branch and bound from the incumbent cover; it returns the best
// cover found and whether the search finished (proving it optimal).
func (pr *problem) exact(incumbent []int, closable []bool) ([]int, bool) {
	s := &search{pr: pr, byGap: make([][]int, len(pr.gaps)), refs: make([]int, len(pr.courses)), forbidden: make([]bool, len(pr.bundles)), best: pr.keyOf(incumbent)}
	for g, c := range closable {
		if c {
			s.full |= 1 << g
		}
	}
	for i, b := range pr.bundles {
		for _, g := range b.cover {
			s.byGap[g] = append(s.byGap[g], i)
		}
	}
	finished := s.run(0, 0)
	return s.best.courses, finished
}

// marginal returns the hours bundle b adds to the current partial cover.
func (s *search) marginal(b int) int64 {
	var m int64
	for _, c := range s.pr.bundles[b].courses {
		if s.refs[c] == 0 {
			m += s.pr.courses[c].milli
		}
	}
	return m
}

// run explores the covers extending the current one (covered gaps, cost);
// it returns false when the node budget ran out.
func (s *search) run(covered uint64, cost int64) bool {
	s.nodes++
	if s.nodes > exactNodeBudget {
		return false
	}
	if covered == s.full {
		var courses []int
		for c, n := range s.refs {
			if n > 0 {
				courses = append(courses, c)
			}
		}
		if k := s.pr.keyOf(courses); k.less(s.best) {
			s.best = k
		}
		return true
	}
	// Branch on the open gap with the fewest allowed bundles; bound by the
	// dearest of the open gaps' cheapest additions.
	pick, pickN, bound := -1, math.MaxInt, cost
	for rest := s.full &^ covered; rest != 0; rest &= rest - 1 {
		g := bits.TrailingZeros64(rest)
		n, cheapest := 0, int64(math.MaxInt64)
		for _, b := range s.byGap[g] {
			if !s.forbidden[b] {
				n++
				cheapest = min(cheapest, s.marginal(b))
			}
		}
		if n == 0 {
			return true
		}
		bound = max(bound, cost+cheapest)
		if n < pickN {
			pick, pickN = g, n
		}
	}
	if bound > s.best.milli {
		return true
	}
	options := make([]int, 0, pickN)
	for _, b := range s.byGap[pick] {
		if !s.forbidden[b] {
			options = append(options, b)
		}
	}
	margins := make(map[int]int64, len(options))
	for _, b := range options {
		margins[b] = s.marginal(b)
	}
	slices.SortStableFunc(options, func(a, b int) int { return cmp.Compare(margins[a], margins[b]) })
	ok := true
	var banned []int
	for _, b := range options {
		for _, c := range s.pr.bundles[b].courses {
			s.refs[c]++
		}
		ok = s.run(covered|s.pr.bundles[b].mask, cost+margins[b])
		for _, c := range s.pr.bundles[b].courses {
			s.refs[c]--
		}
		if !ok {
			break
		}
		// Later branches are the covers without b.
		s.forbidden[b] = true
		banned = append(banned, b)
	}
	for _, b := range banned {
		s.forbidden[b] = false
	}
	return ok
}

// takingOrder returns the chosen courses' codes with every course after
// its chosen prerequisites, otherwise by code.
func takingOrder(pr *problem, chosen []int) []string {
	in := map[string]bool{}
	for _, c := range chosen {
		in[pr.courses[c].course.Code] = true
	}
	waiting := map[string]int{}
	dependents := map[string][]string{}
	var ready []string
	for code := range in {
		for _, pre := range pr.courses[pr.courseIdx[code]].course.Prerequisites {
			if in[pre] {
				waiting[code]++
				dependents[pre] = append(dependents[pre], code)
			}
		}
		if waiting[code] == 0 {
			ready = append(ready, code)
		}
	}
	var order []string
	for len(ready) > 0 {
		slices.Sort(ready)
		code := ready[0]
		ready = ready[1:]
		order = append(order, code)
		for _, d := range dependents[code] {
			if waiting[d]--; waiting[d] == 0 {
				ready = append(ready, d)
			}
		}
	}
	// Courses on a prerequisite cycle never become ready: take them last.
	var cyclic []string
	for code := range in {
		if !slices.Contains(order, code) {
			cyclic = append(cyclic, code)
		}
	}
	slices.Sort(cyclic)
	return append(order, cyclic...)
}

// CourseGapClosure is how many of an organization's person-gaps a course
// would close.
type CourseGapClosure struct {
	Course string
	Title  string
	Hours  float64
	// GapsClosed counts the (person, gap) pairs the course closes by
	// itself (its prerequisites are not counted).
	GapsClosed int
}

// OrganizationRecommendations returns the active courses that would close
// the most gaps of an organization's people, most first (then fewer hours,
// then by code); top limits the list (0 or less keeps all). It returns
// ENOTFOUND when no position belongs to org.
func (ix *Index) OrganizationRecommendations(org string, top int) ([]CourseGapClosure, error) {
	o, ok := ix.orgs[org]
	if !ok || o.positions == 0 {
		return nil, engine.NotFound("organization", org)
	}
	counts := ix.orgGapCounts(o)
	closed := map[string]int{}
	for s := range ix.subs {
		for r := 1; r <= ix.levels; r++ {
			n := counts[ix.slot(int32(s), uint8(r))]
			if n == 0 {
				continue
			}
			for _, c := range ix.closers[s] {
				if int(c.rank) >= r {
					closed[c.code] += int(n)
				}
			}
		}
	}
	out := make([]CourseGapClosure, 0, len(closed))
	for code, n := range closed {
		c, _ := ix.courses.get(code)
		out = append(out, CourseGapClosure{Course: code, Title: c.course.Title, Hours: c.course.Hours, GapsClosed: n})
	}
	slices.SortFunc(out, func(a, b CourseGapClosure) int {
		return cmp.Or(cmp.Compare(b.GapsClosed, a.GapsClosed), cmp.Compare(a.Hours, b.Hours), cmp.Compare(a.Course, b.Course))
	})
	if top > 0 && len(out) > top {
		out = out[:top]
	}
	return out, nil
}
