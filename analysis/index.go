package analysis

import (
	"cmap/domain"
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
)

// Snapshot is everything an Index is built from: the framework and scale,
// the records, and the facts the rules derived about them.
type Snapshot struct {
	Framework *domain.Framework
	// Scale orders the levels of the facts; facts whose level is not on
	// it are rejected.
	Scale     domain.Scale
	Courses   []*domain.Course
	Positions []*domain.Position
	People    []*domain.Person
	// Coverage holds the coverage facts of each course, by course code.
	// A course with no entry covers nothing.
	Coverage map[string][]domain.Coverage
	// Requirements holds the requirement facts of each position, by
	// position id. A position with no entry requires nothing.
	Requirements map[string][]domain.Requirement
}

// Index answers the analysis questions from precomputed in-memory
// structures. It is immutable: every method is safe for concurrent use, and
// the With*/Without* methods return a new Index that shares all unchanged
// parts with the receiver.
type Index struct {
	framework *domain.Framework
	scale     domain.Scale
	levels    int       // number of levels on the scale
	subs      []subInfo // in model order
	subByCode map[string]int32

	courses     table[*courseEntry]
	courseCodes []string // sorted
	// activeCount[slot(sub, r)] counts active courses covering sub at
	// exactly rank r.
	activeCount []int32
	// closers[sub] lists the active courses covering sub, sorted by code.
	closers [][]closer

	positions       table[*positionEntry]
	positionIDs     []string  // sorted
	positionNumbers numbering // see positionEntry.number
	// demand[slot(sub, r)] counts positions requiring sub at exactly r;
	// demandPositions holds their numbers, sorted.
	demand          []int32
	demandPositions [][]int32

	people        table[*personEntry]
	personIDs     []string  // sorted
	personNumbers numbering // see personEntry.number
	// completers maps a course code to the numbers of the people who
	// completed it, sorted.
	completers table[[]int32]
	// holders maps a position id to the sorted ids of the people whose
	// record names it, whether or not the position exists.
	holders table[[]string]
	orgs    map[string]*orgEntry
	// gapCount[slot(sub, r)] counts people with a gap on sub whose
	// required rank is r.
	gapCount []int32
}

type subInfo struct {
	code, competency, statement string
}

// cell is one coverage fact of a course: a sub-competency at a rank, and
// the rules behind it (the coverage matrix shows them).
type cell struct {
	sub   int32
	rank  uint8
	rules []domain.RuleRef
}

// sameLevel reports whether x and y give the same rank on the same
// sub-competency, whatever rules say so.
func sameLevel(x, y cell) bool { return x.sub == y.sub && x.rank == y.rank }

// mergeCell adds the fact c to cells as the rules engine merges facts: one
// cell per sub-competency, at the highest rank, with every rule. c.rules
// is copied.
func mergeCell(cells []cell, c cell) []cell {
	if j := slices.IndexFunc(cells, func(x cell) bool { return x.sub == c.sub }); j >= 0 {
		cells[j].rank = max(cells[j].rank, c.rank)
		cells[j].rules = append(cells[j].rules, c.rules...)
		return cells
	}
	return append(cells, cell{c.sub, c.rank, slices.Clone(c.rules)})
}

// sortCells sorts cells by sub-competency.
func sortCells(cells []cell) {
	slices.SortFunc(cells, func(a, b cell) int { return cmp.Compare(a.sub, b.sub) })
}

type courseEntry struct {
	course domain.Course
	milli  int64  // hours in thousandths, so that sums are exact
	cells  []cell // sorted by sub, one per sub
}

func (c *courseEntry) active() bool { return c.course.Status == domain.CourseActive }

// rankOn returns the course's level on sub, 0 when it does not cover it.
func (c *courseEntry) rankOn(sub int32) uint8 { return rankIn(c.cells, sub) }

// rankIn returns the rank of the cell on sub in cells (sorted by sub), 0
// when there is none.
func rankIn(cells []cell, sub int32) uint8 {
	i, ok := slices.BinarySearchFunc(cells, sub, func(x cell, s int32) int { return cmp.Compare(x.sub, s) })
	if !ok {
		return 0
	}
	return cells[i].rank
}

// closer is an active course covering a sub-competency at rank.
type closer struct {
	code string
	rank uint8
}

type positionEntry struct {
	position domain.Position
	// reqs are the levels the position requires, sorted by sub, one per
	// sub. Nothing reads the rules behind them, so they are not kept: a
	// slice without pointers is one the garbage collector never scans, and
	// the positions' requirements are most of the facts (about 250,000 at
	// DoD scale, against 10,000 coverage facts).
	reqs []subRank
	// number names the position in the demand lists (about 250,000
	// entries at DoD scale); see numbering.
	number int32
}

type personEntry struct {
	// record is the person as stored (a private copy), the source of the
	// fields below; its ID, Name and PositionID are read from it, not
	// copied, as every copied string is one more pointer to mark.
	record      *domain.Person
	completed   []string // distinct course codes, sorted
	hasPosition bool
	org         string
	attained    []subRank // rank > 0 only, sorted by sub
	gaps        []gap     // sorted by sub
	// number names the person in the lists of completers (about 90,000
	// entries at DoD scale); see numbering.
	number int32
}

// subRank is a level on a sub-competency: one a person attained, or one a
// position requires.
type subRank struct {
	sub  int32
	rank uint8
}

// mergeLevel adds the level l to levels (one per sub-competency) as the
// rules engine merges facts: at the highest rank given on each.
func mergeLevel(levels []subRank, l subRank) []subRank {
	if j := slices.IndexFunc(levels, func(x subRank) bool { return x.sub == l.sub }); j >= 0 {
		levels[j].rank = max(levels[j].rank, l.rank)
		return levels
	}
	return append(levels, l)
}

type gap struct {
	sub           int32
	req, attained uint8
}

type orgEntry struct {
	positions int
	people    []string // sorted
}

// slot is the index of (sub, rank) in the per-level arrays.
func (ix *Index) slot(sub int32, rank uint8) int { return int(sub)*(ix.levels+1) + int(rank) }

// Build indexes a snapshot. The records are copied: the caller may reuse
// them afterwards. It fails with an EINVALID *domain.Error naming the field
// path when the framework or scale is invalid, a key is duplicated, or a
// fact names an unknown course, position, sub-competency or level.
// Completions of courses that are not in the catalogue are kept (the course
// may come back) but contribute nothing; a person whose position is not in
// the snapshot has no position.
func Build(s Snapshot) (*Index, error) {
	ix, err := newIndex(s.Framework, s.Scale)
	if err != nil {
		return nil, err
	}
	courses := ix.courses.edit()
	for i, c := range s.Courses {
		if _, dup := courses.get(c.Code); dup {
			return nil, domain.Invalid(fmt.Sprintf("courses[%d].code", i), "duplicate course %s", c.Code)
		}
		e, err := ix.newCourseEntry(c, s.Coverage[c.Code], func() string { return fmt.Sprintf("coverage[%q]", c.Code) })
		if err != nil {
			return nil, err
		}
		courses.set(c.Code, e)
	}
	for code := range s.Coverage {
		if _, ok := courses.get(code); !ok && len(s.Coverage[code]) > 0 {
			return nil, domain.Invalid(fmt.Sprintf("coverage[%q]", code), "coverage of unknown course %s", code)
		}
	}
	ix.courses = courses.done()
	ix.courseCodes = ix.courses.keys()
	for _, code := range ix.courseCodes {
		c, _ := ix.courses.get(code)
		if !c.active() {
			continue
		}
		for _, cl := range c.cells {
			ix.activeCount[ix.slot(cl.sub, cl.rank)]++
			ix.closers[cl.sub] = append(ix.closers[cl.sub], closer{code, cl.rank})
		}
	}

	positions := ix.positions.edit()
	for i, p := range s.Positions {
		if _, dup := positions.get(p.ID); dup {
			return nil, domain.Invalid(fmt.Sprintf("positions[%d].id", i), "duplicate position %s", p.ID)
		}
		e, err := ix.newPositionEntry(p, s.Requirements[p.ID], func() string { return fmt.Sprintf("requirements[%q]", p.ID) })
		if err != nil {
			return nil, err
		}
		positions.set(p.ID, e)
	}
	for id := range s.Requirements {
		if _, ok := positions.get(id); !ok && len(s.Requirements[id]) > 0 {
			return nil, domain.Invalid(fmt.Sprintf("requirements[%q]", id), "requirements of unknown position %s", id)
		}
	}
	ix.positions = positions.done()
	ix.positionIDs = ix.positions.keys()
	// Neither slice is ever modified: they can be one. Numbered in id
	// order, the demand lists are filled in sorted order.
	ix.positionNumbers = numbering(ix.positionIDs)
	for n, id := range ix.positionIDs {
		p, _ := ix.positions.get(id)
		p.number = int32(n)
		ix.orgEntry(p.position.Organization).positions++
		for _, r := range p.reqs {
			k := ix.slot(r.sub, r.rank)
			ix.demand[k]++
			ix.demandPositions[k] = append(ix.demandPositions[k], p.number)
		}
	}

	people := ix.people.edit()
	for i, p := range s.People {
		if _, dup := people.get(p.ID); dup {
			return nil, domain.Invalid(fmt.Sprintf("people[%d].id", i), "duplicate person %s", p.ID)
		}
		people.set(p.ID, ix.newPersonEntry(p))
	}
	ix.people = people.done()
	ix.personIDs = ix.people.keys()
	ix.personNumbers = numbering(ix.personIDs)
	completers := map[string][]int32{}
	holders := map[string][]string{}
	for n, id := range ix.personIDs {
		p, _ := ix.people.get(id)
		p.number = int32(n)
		for _, code := range p.completed {
			completers[code] = append(completers[code], p.number)
		}
		if p.record.PositionID != "" {
			holders[p.record.PositionID] = append(holders[p.record.PositionID], id)
		}
		if p.hasPosition {
			o := ix.orgEntry(p.org)
			o.people = append(o.people, id)
		}
		for _, g := range p.gaps {
			ix.gapCount[ix.slot(g.sub, g.req)]++
		}
	}
	ix.completers = tableOf(completers)
	ix.holders = tableOf(holders)
	return ix, nil
}

func tableOf[V any](m map[string]V) table[V] {
	w := table[V]{}.edit()
	for k, v := range m {
		w.set(k, v)
	}
	return w.done()
}

// newIndex returns an empty index over a framework and scale.
func newIndex(f *domain.Framework, scale domain.Scale) (*Index, error) {
	if f == nil {
		return nil, domain.Invalid("framework", "no competency framework")
	}
	if err := f.Validate(); err != nil {
		return nil, err
	}
	if err := scale.Validate(); err != nil {
		return nil, err
	}
	if len(scale.Levels) > math.MaxUint8 {
		return nil, domain.Invalid("scale.levels", "a scale has at most %d levels, not %d", math.MaxUint8, len(scale.Levels))
	}
	ix := &Index{framework: f, scale: scale, levels: len(scale.Levels), subByCode: map[string]int32{}, orgs: map[string]*orgEntry{}}
	for _, c := range f.Competencies {
		for _, s := range c.SubCompetencies {
			ix.subByCode[s.Code] = int32(len(ix.subs))
			ix.subs = append(ix.subs, subInfo{s.Code, c.Code, s.Statement})
		}
	}
	n := len(ix.subs) * (ix.levels + 1)
	ix.activeCount = make([]int32, n)
	ix.demand = make([]int32, n)
	ix.demandPositions = make([][]int32, n)
	ix.gapCount = make([]int32, n)
	ix.closers = make([][]closer, len(ix.subs))
	return ix, nil
}

// orgEntry returns the (mutable) entry of org; only for indexes under
// construction or entries already copied.
func (ix *Index) orgEntry(org string) *orgEntry {
	o := ix.orgs[org]
	if o == nil {
		o = &orgEntry{}
		ix.orgs[org] = o
	}
	return o
}

// rank converts a level name to its rank, naming field in the error.
func (ix *Index) rank(level, field string) (uint8, error) {
	r, ok := ix.scale.Rank(level)
	if !ok || r == 0 {
		return 0, domain.Invalid(field, "level %q is not on the scale (%s)", level, strings.Join(ix.scale.Levels, ", "))
	}
	return uint8(r), nil
}

// factPath returns the path of a field of fact i of the list at field.
func factPath(field func() string, i int, name string) string {
	return fmt.Sprintf("%s[%d].%s", field(), i, name)
}

// fact converts the sub-competency and level of fact i of the list at field.
func (ix *Index) fact(sub, level string, field func() string, i int) (int32, uint8, error) {
	s, ok := ix.subByCode[sub]
	if !ok {
		return 0, 0, domain.Invalid(factPath(field, i, "subCompetency"), "unknown sub-competency %q", sub)
	}
	if r, ok := ix.scale.Rank(level); ok && r > 0 {
		return s, uint8(r), nil
	}
	_, err := ix.rank(level, factPath(field, i, "level"))
	return 0, 0, err
}

// newCourseEntry indexes a course and its facts; field names the facts in
// errors (computed only then: Build indexes about 10,000 facts).
func (ix *Index) newCourseEntry(c *domain.Course, cov []domain.Coverage, field func() string) (*courseEntry, error) {
	e := &courseEntry{course: *c, milli: int64(math.Round(c.Hours * 1000))}
	e.course.Prerequisites = slices.Clone(c.Prerequisites)
	e.course.Objectives = slices.Clone(c.Objectives)
	e.course.Topics = slices.Clone(c.Topics)
	for i, f := range cov {
		if f.Course != "" && f.Course != c.Code {
			return nil, domain.Invalid(factPath(field, i, "course"), "fact of course %s filed under %s", f.Course, c.Code)
		}
		s, r, err := ix.fact(f.SubCompetency, f.Level, field, i)
		if err != nil {
			return nil, err
		}
		e.cells = mergeCell(e.cells, cell{s, r, f.Rules})
	}
	sortCells(e.cells)
	return e, nil
}

// newPositionEntry indexes a position and its facts; field names the facts
// in errors.
func (ix *Index) newPositionEntry(p *domain.Position, reqs []domain.Requirement, field func() string) (*positionEntry, error) {
	e := &positionEntry{position: *p, reqs: make([]subRank, 0, len(reqs))}
	for i, f := range reqs {
		if f.Position != "" && f.Position != p.ID {
			return nil, domain.Invalid(factPath(field, i, "position"), "fact of position %s filed under %s", f.Position, p.ID)
		}
		s, r, err := ix.fact(f.SubCompetency, f.Level, field, i)
		if err != nil {
			return nil, err
		}
		e.reqs = mergeLevel(e.reqs, subRank{s, r})
	}
	slices.SortFunc(e.reqs, func(a, b subRank) int { return cmp.Compare(a.sub, b.sub) })
	return e, nil
}

// newPersonEntry computes a person's attainment and gaps from the courses
// and positions of ix.
func (ix *Index) newPersonEntry(p *domain.Person) *personEntry {
	record := *p
	record.Completions = slices.Clone(p.Completions)
	e := &personEntry{record: &record}
	e.completed = make([]string, 0, len(p.Completions))
	for _, c := range p.Completions {
		e.completed = append(e.completed, c.CourseCode)
	}
	slices.Sort(e.completed)
	e.completed = slices.Compact(e.completed)
	return ix.evaluate(e)
}

// evaluate returns a copy of e with attainment, position and gaps computed
// against ix.
func (ix *Index) evaluate(old *personEntry) *personEntry {
	e := &personEntry{record: old.record, completed: old.completed, number: old.number}
	att := make([]uint8, len(ix.subs))
	for _, code := range e.completed {
		c, ok := ix.courses.get(code)
		if !ok {
			continue
		}
		for _, cl := range c.cells {
			att[cl.sub] = max(att[cl.sub], cl.rank)
		}
	}
	for s, r := range att {
		if r > 0 {
			e.attained = append(e.attained, subRank{int32(s), r})
		}
	}
	if pos, ok := ix.positions.get(e.record.PositionID); ok && e.record.PositionID != "" {
		e.hasPosition = true
		e.org = pos.position.Organization
		for _, r := range pos.reqs {
			if att[r.sub] < r.rank {
				e.gaps = append(e.gaps, gap{r.sub, r.rank, att[r.sub]})
			}
		}
	}
	return e
}

// highest returns the highest rank at which an active course covers sub.
func (ix *Index) highest(sub int32) uint8 {
	for r := ix.levels; r > 0; r-- {
		if ix.activeCount[ix.slot(sub, uint8(r))] > 0 {
			return uint8(r)
		}
	}
	return 0
}

// Scale returns the scale the index ranks levels on.
func (ix *Index) Scale() domain.Scale { return ix.scale }

// Framework returns the framework the index was built on. It must not be
// modified.
func (ix *Index) Framework() *domain.Framework { return ix.framework }

// Organizations returns the organizations of the indexed positions, sorted.
func (ix *Index) Organizations() []string {
	out := make([]string, 0, len(ix.orgs))
	for o, e := range ix.orgs {
		if e.positions > 0 {
			out = append(out, o)
		}
	}
	slices.Sort(out)
	return out
}
