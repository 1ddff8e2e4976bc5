package analysis

import (
	"cmap/domain"
	"cmp"
	"context"
	"math"
	"math/bits"
	"slices"
	"strings"
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
const exactNodeBudget = 1000

// searchCheckEvery is how many nodes the exact search explores between two
// looks at its context.
const searchCheckEvery = 64

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
	gapOfSub  []int // index of the gap on each sub-competency, -1 if none
}

// closedBy returns the indexes of the gaps course c closes by itself.
func (pr *problem) closedBy(c int) []int {
	var out []int
	for _, cl := range pr.courses[c].cells {
		if g := pr.gapOfSub[cl.sub]; g >= 0 && cl.rank >= pr.gaps[g].req {
			out = append(out, g)
		}
	}
	return out
}

// Recommend returns the recommendation for a person (ENOTFOUND for an
// unknown person). The set minimises total hours, then the number of
// courses, then compares the sorted course codes; prerequisites not yet
// completed are included (transitively) and count towards the hours.
func (ix *Index) Recommend(personID string) (*Recommendation, error) {
	return ix.RecommendContext(context.Background(), personID)
}

// RecommendContext is Recommend that stops, returning ctx's error, when
// ctx is done (a request's deadline passed, its client went away): the
// branch and bound looks at ctx every searchCheckEvery nodes.
func (ix *Index) RecommendContext(ctx context.Context, personID string) (*Recommendation, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	p, ok := ix.people.get(personID)
	if !ok {
		return nil, domain.NotFound("person", personID)
	}
	rec := ix.recommendContext(ctx, p)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return rec, nil
}

// recommendContext returns the recommendation for p; once ctx is done the
// exact search stops as when its budget runs out (the caller drops the
// answer).
func (ix *Index) recommendContext(ctx context.Context, p *personEntry) *Recommendation {
	rec := &Recommendation{PersonID: p.record.ID, Method: MethodExact}
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
		chosen, exact = pr.exact(ctx, greedy, closable)
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
	pr := &problem{gaps: p.gaps, courseIdx: map[string]int{}, gapOfSub: make([]int, len(ix.subs))}
	for s := range pr.gapOfSub {
		pr.gapOfSub[s] = -1
	}
	for i, g := range p.gaps {
		pr.gapOfSub[g.sub] = i
	}
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
		if len(codes) > 1 {
			key := strings.Join(codes, "\x00")
			if seen[key] {
				continue // a prerequisite cycle gives several roots one bundle
			}
			seen[key] = true
		}
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
		closed := make([]bool, len(pr.gaps))
		for _, ci := range b.courses {
			for _, gi := range pr.closedBy(ci) {
				closed[gi] = true
			}
		}
		for gi, c := range closed {
			if c {
				b.cover = append(b.cover, gi)
				if gi < 64 {
					b.mask |= 1 << gi
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

// prune drops dominated bundles. A bundle A adds at least minAdd(A) to any
// partial solution it extends usefully: its root's hours plus those of its
// prerequisites no other bundle holds (were its root already chosen, A
// would close nothing new). A is dropped when another bundle B closes every
// gap A closes and costs less than minAdd(A) (B is then always the better
// pick), or B is a single course costing exactly minAdd(A) whose code sorts
// before A's root (then B is never worse on hours, count or codes). The
// bundles kept are sorted by cost, then size.
func (pr *problem) prune() {
	holders := make([]int, len(pr.courses))
	for _, b := range pr.bundles {
		for _, c := range b.courses {
			holders[c]++
		}
	}
	minAdd := make([]int64, len(pr.bundles))
	for i, b := range pr.bundles {
		minAdd[i] = pr.courses[b.root].milli
		for _, c := range b.courses {
			if c != b.root && holders[c] == 1 {
				minAdd[i] += pr.courses[c].milli
			}
		}
	}
	order := make([]int, len(pr.bundles))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		return cmp.Or(cmp.Compare(pr.bundles[a].milli, pr.bundles[b].milli), cmp.Compare(len(pr.bundles[a].courses), len(pr.bundles[b].courses)))
	})
	useMasks := len(pr.gaps) <= 64
	var kept []bundle
	for _, i := range order {
		a := &pr.bundles[i]
		drop := false
		// A dominating bundle costs at most minAdd(A) <= cost(A), so it
		// sorts before A; and a dominated dominator has a kept one.
		for j := range kept {
			b := &kept[j]
			if b.milli > minAdd[i] {
				break
			}
			covers := b.mask&a.mask == a.mask
			if !useMasks {
				covers = coversAll(b.cover, a.cover)
			}
			if covers && (b.milli < minAdd[i] || (len(b.courses) == 1 &&
				pr.courses[b.root].course.Code < pr.courses[a.root].course.Code)) {
				drop = true
				break
			}
		}
		if !drop {
			kept = append(kept, *a)
		}
	}
	pr.bundles = kept
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

// countWeight makes one course weigh less than the smallest difference in
// hours (a thousandth), so that a single integer weight, milli-hours times
// countWeight plus the number of courses, orders solutions by hours, then
// by the number of courses.
const countWeight = 1024

// weight returns the search weight of a course.
func (pr *problem) weight(c int) int64 { return pr.courses[c].milli*countWeight + 1 }

// solutionKey orders solutions: smaller weight (fewer hours, then fewer
// courses), then the sorted codes.
type solutionKey struct {
	weight  int64
	courses []int // course indexes
	codes   []string
}

func (pr *problem) keyOf(courses []int) solutionKey {
	k := solutionKey{courses: courses}
	for _, c := range courses {
		k.weight += pr.weight(c)
		k.codes = append(k.codes, pr.courses[c].course.Code)
	}
	slices.Sort(k.codes)
	return k
}

func (k solutionKey) less(o solutionKey) bool {
	return cmp.Or(cmp.Compare(k.weight, o.weight), slices.Compare(k.codes, o.codes)) < 0
}

// search is the state of one branch and bound.
type search struct {
	ctx       context.Context // the search stops when it is done
	pr        *problem
	full      uint64
	byGap     [][]int  // bundles closing each gap
	closersOf [][]int  // courses closing each gap by themselves
	closes    []uint64 // gaps each course closes by itself
	refs      []int    // how many chosen bundles hold each course
	forbidden []bool
	weights   []int64 // weight of each course
	margins   []int64 // per bundle: marginal weight, valid when stamp equals nodes
	stamp     []int
	best      solutionKey
	nodes     int
}

// exact runs branch and bound from the incumbent cover; it returns the best
// cover found and whether the search finished (proving it optimal).
func (pr *problem) exact(ctx context.Context, incumbent []int, closable []bool) ([]int, bool) {
	s := &search{ctx: ctx, pr: pr, byGap: make([][]int, len(pr.gaps)), closersOf: make([][]int, len(pr.gaps)),
		closes: make([]uint64, len(pr.courses)), refs: make([]int, len(pr.courses)),
		forbidden: make([]bool, len(pr.bundles)), weights: make([]int64, len(pr.courses)),
		margins: make([]int64, len(pr.bundles)), stamp: make([]int, len(pr.bundles)), best: pr.keyOf(incumbent)}
	for c := range pr.courses {
		s.weights[c] = pr.weight(c)
	}
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
	inKept := make([]bool, len(pr.courses))
	for _, b := range pr.bundles {
		for _, c := range b.courses {
			inKept[c] = true
		}
	}
	for c := range pr.courses {
		if !inKept[c] {
			continue // only courses of the kept bundles can be in a solution
		}
		for _, g := range pr.closedBy(c) {
			s.closes[c] |= 1 << g
			s.closersOf[g] = append(s.closersOf[g], c)
		}
	}
	finished := s.run(0, 0)
	return s.best.courses, finished
}

// marginal returns the weight bundle b adds to the current partial cover,
// computed once per node.
func (s *search) marginal(b int) int64 {
	if s.stamp[b] == s.nodes {
		return s.margins[b]
	}
	var m int64
	for _, c := range s.pr.bundles[b].courses {
		if s.refs[c] == 0 {
			m += s.weights[c]
		}
	}
	s.stamp[b], s.margins[b] = s.nodes, m
	return m
}

// lowerBound bounds the weight any completion of the current partial cover
// adds, as the larger of two bounds: the dearest, over open gaps, of the
// cheapest allowed bundle closing it; and the set cover bound over single
// courses, prerequisites ignored (a relaxation), where each open gap is
// charged the cheapest share w(c)/|open gaps c closes| of a course closing
// it. It also returns the open gap with the fewest allowed bundles (-1
// when some open gap has none: the branch is infeasible).
func (s *search) lowerBound(open uint64) (bound int64, pick int) {
	pick, pickN := -1, math.MaxInt
	var shares float64
	for rest := open; rest != 0; rest &= rest - 1 {
		g := bits.TrailingZeros64(rest)
		n, cheapest := 0, int64(math.MaxInt64)
		for _, b := range s.byGap[g] {
			if !s.forbidden[b] {
				n++
				cheapest = min(cheapest, s.marginal(b))
			}
		}
		if n == 0 {
			return 0, -1
		}
		bound = max(bound, cheapest)
		if n < pickN {
			pick, pickN = g, n
		}
		share := math.Inf(1)
		for _, c := range s.closersOf[g] {
			share = min(share, float64(s.weights[c])/float64(bits.OnesCount64(s.closes[c]&open)))
		}
		shares += share
	}
	// Weights are integers: round the share bound up, after allowing for
	// the rounding of the float sum.
	return max(bound, int64(math.Ceil(shares-1e-6*shares))), pick
}

// run explores the covers extending the current one (covered gaps, weight
// cost); it returns false when the node budget ran out.
func (s *search) run(covered uint64, cost int64) bool {
	s.nodes++
	if s.nodes > exactNodeBudget || (s.nodes%searchCheckEvery == 0 && s.ctx.Err() != nil) {
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
	bound, pick := s.lowerBound(s.full &^ covered)
	if pick < 0 || cost+bound > s.best.weight {
		return true
	}
	type option struct {
		bundle int
		margin int64
	}
	var options []option
	for _, b := range s.byGap[pick] {
		if !s.forbidden[b] {
			options = append(options, option{b, s.marginal(b)})
		}
	}
	slices.SortStableFunc(options, func(a, b option) int { return cmp.Compare(a.margin, b.margin) })
	ok := true
	var banned []int
	for _, o := range options {
		b := o.bundle
		for _, c := range s.pr.bundles[b].courses {
			s.refs[c]++
		}
		ok = s.run(covered|s.pr.bundles[b].mask, cost+o.margin)
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
		return nil, domain.NotFound("organization", org)
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
