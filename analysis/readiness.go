package analysis

import (
	"cmap/domain"
	"cmp"
	"slices"
)

// Readiness compares what a person attained with what their position
// requires.
type Readiness struct {
	PersonID string
	Name     string
	// PositionID is the position named on the person's record, "" if none.
	PositionID string
	// HasPosition reports whether the person holds a position known to
	// the index. A person without one has no requirements and is ready.
	HasPosition  bool
	Organization string
	// Ready reports that there are no gaps.
	Ready bool
	// Requirements counts the position's requirements.
	Requirements int
	// Gaps are the requirements not met, in model order.
	Gaps []Gap
	// Attained lists every sub-competency the person attained, in model
	// order, with the completed courses that reach that level.
	Attained []Attainment
}

// Gap is a requirement a person does not meet.
type Gap struct {
	SubCompetency string
	// Required is the level the position requires.
	Required string
	// Attained is the person's level, "" when they attained none.
	Attained string
}

// Attainment is the level a person attained on a sub-competency: the
// highest level of any course they completed that covers it. Retired
// courses count, with their facts (what a person attained from a course
// stays attained when it is retired); completions of courses no longer in
// the catalogue do not, as their coverage is gone.
type Attainment struct {
	SubCompetency string
	Level         string
	// Courses are the completed courses covering the sub-competency at
	// Level, sorted.
	Courses []string
}

func (ix *Index) gapOf(g gap) Gap {
	return Gap{SubCompetency: ix.subs[g.sub].code, Required: ix.scale.Level(int(g.req)), Attained: ix.scale.Level(int(g.attained))}
}

func (ix *Index) gapsOf(gs []gap) []Gap {
	out := make([]Gap, len(gs))
	for i, g := range gs {
		out[i] = ix.gapOf(g)
	}
	return out
}

// Readiness returns a person's readiness (ENOTFOUND for an unknown person).
func (ix *Index) Readiness(personID string) (*Readiness, error) {
	p, ok := ix.people.get(personID)
	if !ok {
		return nil, domain.NotFound("person", personID)
	}
	return ix.readinessOf(p, true), nil
}

func (ix *Index) readinessOf(p *personEntry, withAttained bool) *Readiness {
	r := &Readiness{PersonID: p.record.ID, Name: p.record.Name, PositionID: p.record.PositionID, HasPosition: p.hasPosition, Organization: p.org, Ready: len(p.gaps) == 0, Gaps: ix.gapsOf(p.gaps)}
	if pos, ok := ix.positions.get(p.record.PositionID); ok && p.hasPosition {
		r.Requirements = len(pos.reqs)
	}
	if !withAttained {
		return r
	}
	r.Attained = make([]Attainment, len(p.attained))
	for i, a := range p.attained {
		r.Attained[i] = Attainment{SubCompetency: ix.subs[a.sub].code, Level: ix.scale.Level(int(a.rank))}
	}
	// The courses behind each attainment, found in one pass over the
	// completions (sorted, so each list is too), then laid out by
	// attainment in one array: a list grown one course at a time was an
	// allocation per attainment.
	type hit struct{ at, completed int32 } // indexes in r.Attained, p.completed
	hits := make([]hit, 0, 2*len(p.attained))
	for k, code := range p.completed {
		c, ok := ix.courses.get(code)
		if !ok {
			continue
		}
		for _, cl := range c.cells {
			i, ok := slices.BinarySearchFunc(p.attained, cl.sub, func(a subRank, sub int32) int { return cmp.Compare(a.sub, sub) })
			if ok && p.attained[i].rank == cl.rank {
				hits = append(hits, hit{int32(i), int32(k)})
			}
		}
	}
	// bound[i] is where list i ends in courses, then, once the lists are
	// filled from their ends (the hits backwards, so that each keeps its
	// order), where it starts.
	bound := make([]int, len(p.attained))
	for _, h := range hits {
		bound[h.at]++
	}
	for i := 1; i < len(bound); i++ {
		bound[i] += bound[i-1]
	}
	courses := make([]string, len(hits))
	for j := len(hits) - 1; j >= 0; j-- {
		h := hits[j]
		bound[h.at]--
		courses[bound[h.at]] = p.completed[h.completed]
	}
	for i, start := range bound {
		stop := len(courses)
		if i+1 < len(bound) {
			stop = bound[i+1]
		}
		if stop > start {
			r.Attained[i].Courses = courses[start:stop:stop]
		}
	}
	return r
}

// PeopleReadiness returns the readiness of every person, sorted by id,
// without the Attained details (ask Readiness for one person's).
func (ix *Index) PeopleReadiness() []*Readiness {
	ids := ix.people.keys()
	out := make([]*Readiness, len(ids))
	for i, id := range ids {
		p, _ := ix.people.get(id)
		out[i] = ix.readinessOf(p, false)
	}
	return out
}

// OrganizationReadiness rolls up the readiness of the people holding an
// organization's positions.
type OrganizationReadiness struct {
	Organization string
	// People counts the people holding a position of the organization.
	People int
	// Ready counts those without gaps; Share is Ready/People (0 when
	// there are no people).
	Ready int
	Share float64
	// CommonGaps are the gaps of the organization's people, most frequent
	// first (then in model order, lowest level first).
	CommonGaps []GapCount
}

// GapCount is how many people miss a sub-competency at a required level.
type GapCount struct {
	SubCompetency string
	Required      string
	People        int
}

// OrganizationReadiness rolls up the readiness of an organization's people;
// top limits CommonGaps (0 or less keeps them all). It returns ENOTFOUND
// when no position belongs to org.
func (ix *Index) OrganizationReadiness(org string, top int) (*OrganizationReadiness, error) {
	o, ok := ix.orgs[org]
	if !ok || o.positions == 0 {
		return nil, domain.NotFound("organization", org)
	}
	counts := ix.orgGapCounts(o)
	out := &OrganizationReadiness{Organization: org, People: len(o.people)}
	for _, id := range o.people {
		if p, _ := ix.people.get(id); len(p.gaps) == 0 {
			out.Ready++
		}
	}
	if out.People > 0 {
		out.Share = float64(out.Ready) / float64(out.People)
	}
	for k, n := range counts {
		if n > 0 {
			s, r := k/(ix.levels+1), k%(ix.levels+1)
			out.CommonGaps = append(out.CommonGaps, GapCount{SubCompetency: ix.subs[s].code, Required: ix.scale.Level(r), People: int(n)})
		}
	}
	// counts is in (model order, level) order already; a stable sort by
	// count keeps that order among equals.
	slices.SortStableFunc(out.CommonGaps, func(a, b GapCount) int { return cmp.Compare(b.People, a.People) })
	if top > 0 && len(out.CommonGaps) > top {
		out.CommonGaps = out.CommonGaps[:top]
	}
	return out, nil
}

// orgGapCounts counts the gaps of an organization's people by slot.
func (ix *Index) orgGapCounts(o *orgEntry) []int32 {
	counts := make([]int32, len(ix.subs)*(ix.levels+1))
	for _, id := range o.people {
		p, _ := ix.people.get(id)
		for _, g := range p.gaps {
			counts[ix.slot(g.sub, g.req)]++
		}
	}
	return counts
}
