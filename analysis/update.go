package analysis

import (
	"cmap/domain"
	"cmp"
	"maps"
	"slices"
)

// The With*/Without* methods derive a new Index after one write, sharing
// every part the write leaves unchanged; the receiver is not modified and
// stays valid. Their cost is proportional to what the write touches (the
// people who completed a course, the holders of a position), not to the
// size of the catalogue. A framework or scale change needs a new Build.

// WithCourse returns the index with course c added or replaced, covering
// what cov says (the facts the rules derive for c). It fails with EINVALID
// when a fact names another course, an unknown sub-competency or a level
// off the scale.
func (ix *Index) WithCourse(c *domain.Course, cov []domain.Coverage) (*Index, error) {
	if c == nil {
		return nil, domain.Invalid("course", "no course given")
	}
	e, err := ix.newCourseEntry(c, cov, func() string { return "coverage" })
	if err != nil {
		return nil, err
	}
	old, _ := ix.courses.get(c.Code)
	return ix.replaceCourse(c.Code, old, e), nil
}

// WithoutCourse returns the index without the course (ENOTFOUND if it is
// not indexed). The completions of its people stay, but no longer count.
func (ix *Index) WithoutCourse(code string) (*Index, error) {
	old, ok := ix.courses.get(code)
	if !ok {
		return nil, domain.NotFound("course", code)
	}
	return ix.replaceCourse(code, old, nil), nil
}

// WithPerson returns the index with person p added or replaced.
func (ix *Index) WithPerson(p *domain.Person) (*Index, error) {
	if p == nil {
		return nil, domain.Invalid("person", "no person given")
	}
	old, _ := ix.people.get(p.ID)
	return ix.replacePerson(p.ID, old, ix.newPersonEntry(p)), nil
}

// WithoutPerson returns the index without the person (ENOTFOUND if unknown).
func (ix *Index) WithoutPerson(id string) (*Index, error) {
	old, ok := ix.people.get(id)
	if !ok {
		return nil, domain.NotFound("person", id)
	}
	return ix.replacePerson(id, old, nil), nil
}

// WithPosition returns the index with position p added or replaced,
// requiring what reqs says. It fails with EINVALID when a fact names
// another position, an unknown sub-competency or a level off the scale.
func (ix *Index) WithPosition(p *domain.Position, reqs []domain.Requirement) (*Index, error) {
	if p == nil {
		return nil, domain.Invalid("position", "no position given")
	}
	e, err := ix.newPositionEntry(p, reqs, func() string { return "requirements" })
	if err != nil {
		return nil, err
	}
	old, _ := ix.positions.get(p.ID)
	return ix.replacePosition(p.ID, old, e), nil
}

// WithoutPosition returns the index without the position (ENOTFOUND if
// unknown); its holders are left without a position.
func (ix *Index) WithoutPosition(id string) (*Index, error) {
	old, ok := ix.positions.get(id)
	if !ok {
		return nil, domain.NotFound("position", id)
	}
	return ix.replacePosition(id, old, nil), nil
}

// derivation is a new index under construction: a shallow copy whose
// shared parts are copied the first time they change.
type derivation struct {
	nx        *Index
	people    *tableWriter[*personEntry]
	gapsOwned bool
	orgsOwned map[string]bool
}

func (ix *Index) derive() *derivation {
	nx := *ix
	return &derivation{nx: &nx}
}

func (d *derivation) done() *Index {
	if d.people != nil {
		d.nx.people = d.people.done()
	}
	return d.nx
}

// org returns a private copy of an organization's entry.
func (d *derivation) org(name string) *orgEntry {
	if d.orgsOwned == nil {
		d.nx.orgs = maps.Clone(d.nx.orgs)
		d.orgsOwned = map[string]bool{}
	}
	if !d.orgsOwned[name] {
		o := &orgEntry{}
		if old := d.nx.orgs[name]; old != nil {
			*o = *old
		}
		d.nx.orgs[name] = o
		d.orgsOwned[name] = true
	}
	return d.nx.orgs[name]
}

// setPerson replaces old by np (either may be nil) in the people table and
// in the per-organization and per-gap rollups.
func (d *derivation) setPerson(id string, old, np *personEntry) {
	if d.people == nil {
		d.people = d.nx.people.edit()
	}
	if np == nil {
		d.people.del(id)
	} else {
		d.people.set(id, np)
	}
	if !d.gapsOwned {
		d.nx.gapCount = slices.Clone(d.nx.gapCount)
		d.gapsOwned = true
	}
	if old != nil {
		for _, g := range old.gaps {
			d.nx.gapCount[d.nx.slot(g.sub, g.req)]--
		}
	}
	if np != nil {
		for _, g := range np.gaps {
			d.nx.gapCount[d.nx.slot(g.sub, g.req)]++
		}
	}
	oldOrg, newOrg := old != nil && old.hasPosition, np != nil && np.hasPosition
	if oldOrg && newOrg && old.org == np.org {
		return
	}
	if oldOrg {
		o := d.org(old.org)
		o.people = removeSorted(o.people, id)
	}
	if newOrg {
		o := d.org(np.org)
		o.people = insertSorted(o.people, id)
	}
}

// reevaluate recomputes the readiness of the given people against the
// derivation's index.
func (d *derivation) reevaluate(ids []string) {
	for _, id := range ids {
		old, ok := d.nx.people.get(id)
		if d.people != nil {
			old, ok = d.people.get(id)
		}
		if ok {
			d.setPerson(id, old, d.nx.evaluate(old))
		}
	}
}

func sameCells(a, b []cell) bool {
	return slices.EqualFunc(a, b, sameLevel)
}

func activeCells(c *courseEntry) []cell {
	if c == nil || !c.active() {
		return nil
	}
	return c.cells
}

func (ix *Index) replaceCourse(code string, old, e *courseEntry) *Index {
	d := ix.derive()
	nx := d.nx
	w := ix.courses.edit()
	if e == nil {
		w.del(code)
		nx.courseCodes = removeSorted(ix.courseCodes, code)
	} else {
		w.set(code, e)
		nx.courseCodes = insertSorted(ix.courseCodes, code)
	}
	nx.courses = w.done()

	before, after := activeCells(old), activeCells(e)
	if !sameCells(before, after) {
		nx.activeCount = slices.Clone(ix.activeCount)
		nx.closers = slices.Clone(ix.closers)
		touched := map[int32]bool{}
		for _, cl := range before {
			nx.activeCount[nx.slot(cl.sub, cl.rank)]--
			touched[cl.sub] = true
		}
		for _, cl := range after {
			nx.activeCount[nx.slot(cl.sub, cl.rank)]++
			touched[cl.sub] = true
		}
		for sub := range touched {
			list := slices.DeleteFunc(slices.Clone(ix.closers[sub]), func(c closer) bool { return c.code == code })
			if e != nil && e.active() {
				if r := e.rankOn(sub); r > 0 {
					i, _ := slices.BinarySearchFunc(list, code, func(c closer, k string) int { return cmp.Compare(c.code, k) })
					list = slices.Insert(list, i, closer{code, r})
				}
			}
			nx.closers[sub] = list
		}
	}
	var oldCells, newCells []cell
	if old != nil {
		oldCells = old.cells
	}
	if e != nil {
		newCells = e.cells
	}
	if !sameCells(oldCells, newCells) {
		completers, _ := ix.completers.get(code)
		d.reevaluate(ix.personNumbers.keys(completers))
	}
	return d.done()
}

func (ix *Index) replacePerson(id string, old, np *personEntry) *Index {
	d := ix.derive()
	nx := d.nx
	if np != nil {
		if old != nil {
			np.number = old.number
		} else {
			nx.personNumbers, np.number = ix.personNumbers.with(id)
		}
	}
	var oldDone, newDone []string
	var oldPos, newPos string
	if old != nil {
		oldDone, oldPos = old.completed, old.record.PositionID
	}
	if np != nil {
		newDone, newPos = np.completed, np.record.PositionID
	}
	if !slices.Equal(oldDone, newDone) {
		w := ix.completers.edit()
		for _, code := range oldDone {
			if _, kept := slices.BinarySearch(newDone, code); !kept {
				removeFromList(w, code, old.number)
			}
		}
		for _, code := range newDone {
			if _, had := slices.BinarySearch(oldDone, code); !had {
				addToList(w, code, np.number)
			}
		}
		nx.completers = w.done()
	}
	if oldPos != newPos {
		w := ix.holders.edit()
		if oldPos != "" {
			removeFromList(w, oldPos, id)
		}
		if newPos != "" {
			addToList(w, newPos, id)
		}
		nx.holders = w.done()
	}
	if np == nil {
		nx.personIDs = removeSorted(ix.personIDs, id)
	} else {
		nx.personIDs = insertSorted(ix.personIDs, id)
	}
	d.setPerson(id, old, np)
	return d.done()
}

func (ix *Index) replacePosition(id string, old, e *positionEntry) *Index {
	d := ix.derive()
	nx := d.nx
	w := ix.positions.edit()
	if e == nil {
		w.del(id)
		nx.positionIDs = removeSorted(ix.positionIDs, id)
	} else {
		w.set(id, e)
		nx.positionIDs = insertSorted(ix.positionIDs, id)
		if old != nil {
			e.number = old.number
		} else {
			nx.positionNumbers, e.number = ix.positionNumbers.with(id)
		}
	}
	nx.positions = w.done()
	nx.demand = slices.Clone(ix.demand)
	nx.demandPositions = slices.Clone(ix.demandPositions)
	var oldReqs, newReqs []subRank
	if old != nil {
		d.org(old.position.Organization).positions--
		oldReqs = old.reqs
	}
	if e != nil {
		d.org(e.position.Organization).positions++
		newReqs = e.reqs
	}
	// Only the requirements that change touch the demand lists.
	for _, r := range oldReqs {
		if !hasRequirement(newReqs, r) {
			k := nx.slot(r.sub, r.rank)
			nx.demand[k]--
			nx.demandPositions[k] = removeSorted(nx.demandPositions[k], old.number)
		}
	}
	for _, r := range newReqs {
		if !hasRequirement(oldReqs, r) {
			k := nx.slot(r.sub, r.rank)
			nx.demand[k]++
			nx.demandPositions[k] = insertSorted(nx.demandPositions[k], e.number)
		}
	}
	holders, _ := ix.holders.get(id)
	d.reevaluate(holders)
	for org := range d.orgsOwned {
		if o := nx.orgs[org]; o.positions == 0 && len(o.people) == 0 {
			delete(nx.orgs, org)
		}
	}
	return d.done()
}

// hasRequirement reports whether reqs requires r's sub-competency at r's level.
func hasRequirement(reqs []subRank, r subRank) bool { return slices.Contains(reqs, r) }
