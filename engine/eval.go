package engine

import (
	"cmap/domain"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/expr-lang/expr/vm"
)

// CourseCoverage derives the coverage facts of course c: for each
// sub-competency some rule gives, the highest level given and every rule
// that gave it, unless an exclusion rule fired. Facts come in framework
// order (by sub-competency code).
//
// A rule that fails at run time (its memory budget exceeded, a level name
// not on the scale) is skipped; the error names each such rule and the
// facts of the others are still returned. Safe for concurrent use.
func (rs *RuleSet) CourseCoverage(c *domain.Course) ([]domain.Coverage, error) {
	e := rs.getEvaluator()
	defer rs.putEvaluator(e)
	out := e.course(c)
	return out.coverage(c.Code), out.err
}

// PositionRequirements derives the requirement facts of position p, like
// CourseCoverage. Safe for concurrent use.
func (rs *RuleSet) PositionRequirements(p *domain.Position) ([]domain.Requirement, error) {
	e := rs.getEvaluator()
	defer rs.putEvaluator(e)
	v := newPositionView(p)
	out := e.position(&v, nil, 0)
	return out.requirements(p.ID), out.err
}

// Derived is every fact that a rule set derives for a catalogue, keyed by
// course code and by position id. An item with no facts has an empty
// (non-nil) entry.
type Derived struct {
	Revision     string
	Coverage     map[string][]domain.Coverage
	Requirements map[string][]domain.Requirement
}

// DeriveAll derives the facts of every course and position, in parallel
// over GOMAXPROCS goroutines (courses on all of them, positions on one
// at the same time). Position rules are evaluated once per distinct value
// of the fields they read (a rule that reads category and grade runs once
// per category and grade met), so many positions cost little more than
// few.
//
// Facts share memory: the Rules slices of facts may be shared (by all
// positions that read alike), and the requirement lists of all positions
// are cut from one array (each with its capacity limited to its length,
// so an append copies). Treat facts as read-only.
//
// Errors are as for CourseCoverage, joined; the facts of rules that did
// not fail are all returned.
func (rs *RuleSet) DeriveAll(courses []*domain.Course, positions []*domain.Position) (*Derived, error) {
	return rs.derive(courses, positions, false)
}

// DeriveShared is DeriveAll with the requirement facts kept as few lists:
// the positions that agree on every field some position rule reads share
// one list (its capacity limited to its length), and its facts leave
// Position empty, the key of the map naming the position. It is for those
// who keep the facts of many positions and hand them out one position at
// a time: at DoD scale 15,000 positions read as a few hundred profiles,
// whose lists are all there is to keep, and deriving copies nothing.
func (rs *RuleSet) DeriveShared(courses []*domain.Course, positions []*domain.Position) (*Derived, error) {
	return rs.derive(courses, positions, true)
}

// derive is DeriveAll, or DeriveShared when shared.
func (rs *RuleSet) derive(courses []*domain.Course, positions []*domain.Position, shared bool) (*Derived, error) {
	d := &Derived{
		Revision:     rs.revision,
		Coverage:     make(map[string][]domain.Coverage, len(courses)),
		Requirements: make(map[string][]domain.Requirement, len(positions)),
	}
	var positionErr error
	var positionsDone sync.WaitGroup
	positionsDone.Go(func() { positionErr = rs.derivePositions(positions, d.Requirements, shared) })
	cov := make([][]domain.Coverage, len(courses))
	var errs []error
	var mu sync.Mutex
	parallel(len(courses), func(e *evaluator, i int) {
		out := e.course(courses[i])
		cov[i] = out.coverage(courses[i].Code)
		if out.err != nil {
			mu.Lock()
			errs = append(errs, fmt.Errorf("course %s: %w", courses[i].Code, out.err))
			mu.Unlock()
		}
	}, rs)
	for i, c := range courses {
		d.Coverage[c.Code] = cov[i]
	}
	positionsDone.Wait()
	if positionErr != nil {
		errs = append(errs, positionErr)
	}
	return d, errors.Join(errs...)
}

// parallel calls fn(e, i) for i in [0, n) on GOMAXPROCS goroutines, each
// with an evaluator of its own.
func parallel(n int, fn func(e *evaluator, i int), rs *RuleSet) {
	workers := min(runtime.GOMAXPROCS(0), n)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e := rs.getEvaluator()
			defer rs.putEvaluator(e)
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				fn(e, i)
			}
		}()
	}
	wg.Wait()
}

// derivePositions evaluates the position rules over positions, once per
// profile: the values of the fields that some rule reads. Across profiles
// each rule's answer is memoised by the fields it reads itself (see
// positionMemo). It stores the facts of each position in into, by id.
//
// When shared, the positions of a profile share its list of facts, with
// Position empty. Otherwise the facts of all positions are cut from one
// slab: one allocation instead of one per position, which the garbage
// collector also scans as one object.
func (rs *RuleSet) derivePositions(positions []*domain.Position, into map[string][]domain.Requirement, shared bool) error {
	profileOf := make([]int, len(positions))
	var reps []positionView
	index := map[string]int{}
	var key []byte
	for i, p := range positions {
		v := newPositionView(p)
		key = rs.positionFields.key(key[:0], &v)
		k, ok := index[string(key)]
		if !ok {
			k = len(reps)
			index[string(key)] = k
			reps = append(reps, v)
		}
		profileOf[i] = k
	}
	memo := rs.newPositionMemo(reps)
	templates := make([][]domain.Requirement, len(reps))
	var errs []error
	e := rs.getEvaluator()
	for k := range reps {
		res := e.position(&reps[k], memo, k)
		templates[k] = res.requirements("")
		if res.err != nil {
			errs = append(errs, res.err)
		}
	}
	rs.putEvaluator(e)
	if shared {
		for i, p := range positions {
			into[p.ID] = templates[profileOf[i]]
		}
		return errors.Join(errs...)
	}
	total := 0
	for _, k := range profileOf {
		total += len(templates[k])
	}
	slab := make([]domain.Requirement, total)
	for i, p := range positions {
		t := templates[profileOf[i]]
		reqs := slab[:len(t):len(t)]
		slab = slab[len(t):]
		for j := range t {
			reqs[j] = domain.Requirement{Position: p.ID, SubCompetency: t[j].SubCompetency, Level: t[j].Level, Rules: t[j].Rules}
		}
		into[p.ID] = reqs
	}
	return errors.Join(errs...)
}

// evaluator evaluates rules on one goroutine: a VM, and scratch space that
// it reuses from item to item. The outcome it returns is valid until its
// next evaluation.
type evaluator struct {
	rs    *RuleSet
	vm    *vm.VM
	out   outcome
	terms termSet
	text  textScratch
}

// getEvaluator takes an evaluator from the rule set's pool; give it back
// with putEvaluator.
func (rs *RuleSet) getEvaluator() *evaluator {
	e, _ := rs.evaluators.Get().(*evaluator)
	if e == nil {
		n := len(rs.subCodes)
		e = &evaluator{
			rs: rs, vm: &vm.VM{},
			out:   outcome{rs: rs, rank: make([]int, n), rules: make([][]*Rule, n)},
			terms: rs.terms.newSet(),
		}
	}
	e.vm.MemoryBudget = memoryBudget
	return e
}

func (rs *RuleSet) putEvaluator(e *evaluator) { rs.evaluators.Put(e) }

// outcome is what the rules of a kind gave one item, by framework index.
type outcome struct {
	rs    *RuleSet
	rank  []int
	rules [][]*Rule
	// tier is the rank of a course's catalogue tier (0 for positions).
	tier int
	// fired are the rules whose condition held, in rule order.
	fired []*Rule
	err   error
}

// reset empties o for an item with catalogue tier rank tier, keeping its
// buffers.
func (o *outcome) reset(tier int) *outcome {
	clear(o.rank)
	for i := range o.rules {
		o.rules[i] = o.rules[i][:0]
	}
	o.tier, o.fired, o.err = tier, o.fired[:0], nil
	return o
}

// give records the facts of a rule that fired; exclusions are applied by
// finish, after every rule has run.
func (o *outcome) give(r *Rule) {
	o.fired = append(o.fired, r)
	for j, idx := range r.yieldIdx {
		rank := r.yieldRank[j]
		if rank == tierRank {
			rank = o.tier
		}
		if rank > 0 {
			o.rules[idx] = append(o.rules[idx], r)
			o.rank[idx] = max(o.rank[idx], rank)
		}
	}
}

func (o *outcome) fail(r *Rule, err error) {
	o.err = errors.Join(o.err, fmt.Errorf("rule %s (%s:%d): %w", r.ID, r.File, r.Line, err))
}

// finish applies the exclusions that fired.
func (o *outcome) finish() *outcome {
	for _, r := range o.fired {
		if !r.Exclude {
			continue
		}
		if len(r.excludeIdx) == 0 {
			clear(o.rank)
			continue
		}
		for _, idx := range r.excludeIdx {
			o.rank[idx] = 0
		}
	}
	return o
}

// collect makes one fact with fact for each sub-competency that o gives,
// in framework order. The facts' rule references are cut from one slab.
func collect[T any](o *outcome, fact func(sub, level string, rules []domain.RuleRef) T) []T {
	n, nrefs := 0, 0
	for idx, rank := range o.rank {
		if rank > 0 {
			n++
			nrefs += len(o.rules[idx])
		}
	}
	out := make([]T, 0, n)
	slab := make([]domain.RuleRef, nrefs)
	for idx, rank := range o.rank {
		if rank > 0 {
			rules := o.rules[idx]
			refs := slab[:len(rules):len(rules)]
			slab = slab[len(rules):]
			for i, r := range rules {
				refs[i] = r.Ref()
			}
			out = append(out, fact(o.rs.subCodes[idx], o.rs.scale.Level(rank), refs))
		}
	}
	return out
}

func (o *outcome) coverage(course string) []domain.Coverage {
	return collect(o, func(sub, level string, rules []domain.RuleRef) domain.Coverage {
		return domain.Coverage{Course: course, SubCompetency: sub, Level: level, Rules: rules}
	})
}

func (o *outcome) requirements(position string) []domain.Requirement {
	return collect(o, func(sub, level string, rules []domain.RuleRef) domain.Requirement {
		return domain.Requirement{Position: position, SubCompetency: sub, Level: level, Rules: rules}
	})
}

// course runs every course rule on c.
func (e *evaluator) course(c *domain.Course) *outcome {
	rs := e.rs
	clear(e.terms)
	rs.terms.match(e.terms, c, &e.text)
	ce := courseEnv{Course: rs.newCourseView(c), Terms: e.terms}
	o := e.out.reset(int(ce.Course.Level))
	env := any(ce)
	for _, r := range rs.courseRules {
		if r.gate != nil {
			if !ce.Terms.hasAny(r.gate) {
				continue
			}
			if r.gateExact {
				o.give(r)
				continue
			}
		}
		ok, err := runRule(e.vm, r, env)
		switch {
		case err != nil:
			o.fail(r, err)
		case ok:
			o.give(r)
		}
	}
	return o.finish()
}

// position runs every position rule on v. With memo, v is profile k of
// memo, and answers are reused for profiles that agree on the fields a
// rule reads.
func (e *evaluator) position(v *positionView, memo *positionMemo, k int) *outcome {
	o := e.out.reset(0)
	var env any
	for i, r := range e.rs.positionRules {
		var answer *int8
		if memo != nil {
			answer = memo.answer(i, k)
			if answer != nil && *answer != unknown {
				if *answer == holds {
					o.give(r)
				}
				continue
			}
		}
		if env == nil {
			env = positionEnv{Position: *v}
		}
		ok, err := runRule(e.vm, r, env)
		switch {
		case err != nil:
			o.fail(r, err)
			continue
		case ok:
			o.give(r)
		}
		if answer != nil {
			*answer = fails
			if ok {
				*answer = holds
			}
		}
	}
	return o.finish()
}

// Answers of a position rule in a positionMemo.
const (
	unknown int8 = iota
	fails
	holds
)

// positionMemo remembers the answers of the position rules for a list of
// profiles (positions that agree on every field some rule reads).
//
// The values of each field are numbered, and a rule's answers are kept in
// an array indexed by the numbers of the values it reads, in mixed radix:
// an answer is found by a few multiplications, not by hashing a key. A rule
// whose array would be much larger than the list of profiles (it reads
// fields with many values, such as ids) keeps no answers: it runs once per
// profile.
type positionMemo struct {
	// values holds the number of each field's value, by profile.
	values [][len(positionFields)]int32
	// strides of each field and answers, by position rule; a stride is 0
	// for a field the rule does not read.
	strides [][len(positionFields)]int32
	answers [][]int8
}

func (rs *RuleSet) newPositionMemo(profiles []positionView) *positionMemo {
	m := &positionMemo{
		values:  make([][len(positionFields)]int32, len(profiles)),
		strides: make([][len(positionFields)]int32, len(rs.positionRules)),
		answers: make([][]int8, len(rs.positionRules)),
	}
	var count [len(positionFields)]int
	var key []byte
	numbers := map[string]int32{}
	for f := range positionFields {
		field := fieldMask(1) << f
		if rs.positionFields&field == 0 {
			continue
		}
		clear(numbers)
		for k := range profiles {
			key = field.key(key[:0], &profiles[k])
			n, ok := numbers[string(key)]
			if !ok {
				n = int32(len(numbers))
				numbers[string(key)] = n
			}
			m.values[k][f] = n
		}
		count[f] = len(numbers)
	}
	limit := max(4*len(profiles), 1024)
	sizes := make([]int, len(rs.positionRules))
	total := 0
	for i, r := range rs.positionRules {
		size := 1
		for f := range positionFields {
			if r.fields&(1<<f) == 0 {
				continue
			}
			if count[f] > limit/size {
				size = 0
				break
			}
			m.strides[i][f] = int32(size)
			size *= max(count[f], 1) // 0 only when there are no positions
		}
		sizes[i] = size
		total += size
	}
	slab := make([]int8, total)
	for i, size := range sizes {
		if size > 0 {
			m.answers[i] = slab[:size:size]
			slab = slab[size:]
		}
	}
	return m
}

// answer returns where the answer of position rule i for profile k is
// kept, or nil if the rule keeps no answers.
func (m *positionMemo) answer(i, k int) *int8 {
	a := m.answers[i]
	if a == nil {
		return nil
	}
	idx := int32(0)
	for f, n := range m.values[k] {
		idx += n * m.strides[i][f]
	}
	return &a[idx]
}

// runRule evaluates r's condition over env on m.
func runRule(m *vm.VM, r *Rule, env any) (bool, error) {
	out, err := m.Run(r.program, env)
	if err != nil {
		return false, err
	}
	b, _ := out.(bool)
	return b, nil
}
