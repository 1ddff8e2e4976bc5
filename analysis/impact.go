package analysis

import (
	"cmap/domain"
	"context"
	"reflect"
	"slices"
)

// Kinds of course change an impact is about.
const (
	ChangeCreate = "create"
	ChangeUpdate = "update"
	ChangeRetire = "retire"
	ChangeDelete = "delete"
)

// CourseImpact is what a proposed change to one course would change. The
// index is not modified: the impact holds the index the change would give
// (After), and summarizes how its answers differ.
type CourseImpact struct {
	Course string
	// Change is one of the Change* constants.
	Change string
	// SubCompetencies are those on which the course's active coverage
	// changes, in model order.
	SubCompetencies []CoverageChange
	// People are those whose readiness changes, gaps or attainment (only
	// people who completed the course can be affected), sorted by id.
	People []ReadinessChange
	// Positions are those whose requirements become meetable or
	// unmeetable by the active catalogue, sorted by id.
	Positions []PositionChange
	// DependentCourses are the active courses naming this course as a
	// prerequisite when the change takes it out of the active catalogue:
	// people who have not completed it can no longer be recommended them.
	DependentCourses []string

	// before is the index the impact was asked of, after the one the
	// change would give.
	before, after *Index
}

// After returns the index the change would give: every answer (gaps,
// demand, readiness, recommendations, the matrix) as it would be once the
// change is made.
func (imp *CourseImpact) After() *Index { return imp.after }

// CoverageChange is the effect of the change on one sub-competency.
type CoverageChange struct {
	SubCompetency string
	Competency    string
	// CourseBefore and CourseAfter are the course's level as an active
	// course ("" when it is not active or does not cover it).
	CourseBefore, CourseAfter string
	// HighestBefore and HighestAfter are the highest level of any active
	// course.
	HighestBefore, HighestAfter string
	// GapsOpened are the levels no active course reaches any more;
	// GapsClosed the levels some active course now reaches. At most one
	// of them is non-empty.
	GapsOpened, GapsClosed []string
	// PersonGaps counts the people's gaps on this sub-competency whose
	// required level is in GapsOpened (they become unclosable) or in
	// GapsClosed (they become closable).
	PersonGaps int
}

// ReadinessChange is the effect of the change on one person.
type ReadinessChange struct {
	PersonID                string
	ReadyBefore, ReadyAfter bool
	// GapsAdded and GapsRemoved are in model order; a gap whose attained
	// level changes is removed and added.
	GapsAdded, GapsRemoved []Gap
	// Attainment lists the sub-competencies whose attainment changes
	// (its level, or the completed courses that reach it), in model order.
	Attainment []AttainmentChange
}

// AttainmentChange is the change of a person's attainment on one
// sub-competency.
type AttainmentChange struct {
	SubCompetency string
	// Before and After are the attainment before and after the change,
	// nil when the person attains nothing there.
	Before, After *Attainment
}

// PositionChange is the effect of the change on one position's demand.
type PositionChange struct {
	PositionID   string
	Organization string
	// MeetableBefore and MeetableAfter report whether every requirement of
	// the position is met by some active course.
	MeetableBefore, MeetableAfter bool
	// NowUnmeetable and NowMeetable are the requirements whose
	// meetability changes, in model order.
	NowUnmeetable, NowMeetable []LevelRequirement
}

// LevelRequirement is a sub-competency at a level.
type LevelRequirement struct {
	SubCompetency string
	Level         string
}

// ImpactOfCourse reports what adding or replacing course c, covering what
// cov says, would change; a change of status (retiring a course, or
// bringing it back) is a replacement too. The caller derives cov by
// evaluating the rules on c, exactly as a write of c would: then the
// impact is what the write does. It fails with EINVALID on the same input
// as WithCourse.
func (ix *Index) ImpactOfCourse(c *domain.Course, cov []domain.Coverage) (*CourseImpact, error) {
	next, err := ix.WithCourse(c, cov)
	if err != nil {
		return nil, err
	}
	return ix.impact(next, c.Code), nil
}

// ImpactOfDeletion reports what deleting the course would change
// (ENOTFOUND if it is not indexed). Unlike retirement, people lose what
// they attained from it, as its coverage goes with it.
func (ix *Index) ImpactOfDeletion(code string) (*CourseImpact, error) {
	next, err := ix.WithoutCourse(code)
	if err != nil {
		return nil, err
	}
	return ix.impact(next, code), nil
}

// impact compares ix with next, which differs from it in course code only.
func (ix *Index) impact(next *Index, code string) *CourseImpact {
	old, hadOld := ix.courses.get(code)
	nc, hasNew := next.courses.get(code)
	out := &CourseImpact{Course: code, Change: ChangeUpdate, before: ix, after: next}
	switch {
	case !hadOld:
		out.Change = ChangeCreate
	case !hasNew:
		out.Change = ChangeDelete
	case old.active() && !nc.active():
		out.Change = ChangeRetire
	}
	if !hasNew {
		nc = nil
	}
	if !hadOld {
		old = nil
	}

	hb, ha := make([]uint8, len(ix.subs)), make([]uint8, len(ix.subs))
	for s := range ix.subs {
		hb[s], ha[s] = ix.highest(int32(s)), next.highest(int32(s))
	}
	activeRank := func(c *courseEntry, s int32) uint8 {
		if c == nil || !c.active() {
			return 0
		}
		return c.rankOn(s)
	}
	var affected []int32 // numbers of the positions requiring a level whose meetability changed
	for s, info := range ix.subs {
		sub := int32(s)
		before, after := activeRank(old, sub), activeRank(nc, sub)
		if before == after {
			continue
		}
		ch := CoverageChange{SubCompetency: info.code, Competency: info.competency,
			CourseBefore: ix.scale.Level(int(before)), CourseAfter: ix.scale.Level(int(after)),
			HighestBefore: ix.scale.Level(int(hb[s])), HighestAfter: ix.scale.Level(int(ha[s]))}
		for r := min(hb[s], ha[s]) + 1; r <= max(hb[s], ha[s]); r++ {
			if ha[s] < hb[s] {
				ch.GapsOpened = append(ch.GapsOpened, ix.scale.Level(int(r)))
			} else {
				ch.GapsClosed = append(ch.GapsClosed, ix.scale.Level(int(r)))
			}
			ch.PersonGaps += int(next.gapCount[next.slot(sub, r)])
			affected = append(affected, ix.demandPositions[ix.slot(sub, r)]...)
		}
		out.SubCompetencies = append(out.SubCompetencies, ch)
	}

	slices.Sort(affected)
	for _, id := range ix.positionNumbers.keys(slices.Compact(affected)) {
		p, _ := ix.positions.get(id)
		pc := PositionChange{PositionID: id, Organization: p.position.Organization, MeetableBefore: true, MeetableAfter: true}
		for _, r := range p.reqs {
			before, after := r.rank <= hb[r.sub], r.rank <= ha[r.sub]
			pc.MeetableBefore = pc.MeetableBefore && before
			pc.MeetableAfter = pc.MeetableAfter && after
			lr := LevelRequirement{SubCompetency: ix.subs[r.sub].code, Level: ix.scale.Level(int(r.rank))}
			switch {
			case before && !after:
				pc.NowUnmeetable = append(pc.NowUnmeetable, lr)
			case !before && after:
				pc.NowMeetable = append(pc.NowMeetable, lr)
			}
		}
		out.Positions = append(out.Positions, pc)
	}

	// A completer's attainment can change only on the sub-competencies
	// where the course's facts change level.
	var changed []int32
	var oldCells, newCells []cell
	if old != nil {
		oldCells = old.cells
	}
	if nc != nil {
		newCells = nc.cells
	}
	for s := range ix.subs {
		if sub := int32(s); rankIn(oldCells, sub) != rankIn(newCells, sub) {
			changed = append(changed, sub)
		}
	}
	var completers []string
	if len(changed) > 0 {
		nums, _ := ix.completers.get(code)
		completers = ix.personNumbers.keys(nums)
	}
	for _, id := range completers {
		pb, _ := ix.people.get(id)
		pa, _ := next.people.get(id)
		added, removed := diffGaps(pa.gaps, pb.gaps), diffGaps(pb.gaps, pa.gaps)
		var attained []AttainmentChange
		for _, sub := range changed {
			b, a := ix.attainmentOn(pb, sub), next.attainmentOn(pa, sub)
			if b != nil && a != nil && b.Level == a.Level && slices.Equal(b.Courses, a.Courses) || b == nil && a == nil {
				continue
			}
			attained = append(attained, AttainmentChange{SubCompetency: ix.subs[sub].code, Before: b, After: a})
		}
		if len(added) == 0 && len(removed) == 0 && len(attained) == 0 {
			continue
		}
		out.People = append(out.People, ReadinessChange{PersonID: id, ReadyBefore: len(pb.gaps) == 0, ReadyAfter: len(pa.gaps) == 0,
			GapsAdded: ix.gapsOf(added), GapsRemoved: ix.gapsOf(removed), Attainment: attained})
	}

	if old != nil && old.active() && (nc == nil || !nc.active()) {
		for _, other := range next.courseCodes {
			if c, _ := next.courses.get(other); c.active() && slices.Contains(c.course.Prerequisites, code) {
				out.DependentCourses = append(out.DependentCourses, other)
			}
		}
	}
	return out
}

// diffGaps returns the gaps of a that are not in b.
func diffGaps(a, b []gap) []gap {
	var out []gap
	for _, g := range a {
		if !slices.Contains(b, g) {
			out = append(out, g)
		}
	}
	return out
}

// attainmentOn returns a person's attainment on sub (as Readiness gives
// it), nil when they attain nothing there.
func (ix *Index) attainmentOn(p *personEntry, sub int32) *Attainment {
	var best uint8
	var courses []string
	for _, code := range p.completed { // sorted, so courses is too
		c, ok := ix.courses.get(code)
		if !ok {
			continue
		}
		switch r := c.rankOn(sub); {
		case r > best:
			best, courses = r, []string{code}
		case r == best && r > 0:
			courses = append(courses, code)
		}
	}
	if best == 0 {
		return nil
	}
	return &Attainment{SubCompetency: ix.subs[sub].code, Level: ix.scale.Level(int(best)), Courses: courses}
}

// RecommendationChange is the effect of the change on one person's
// recommended courses.
type RecommendationChange struct {
	PersonID string
	// Changed reports that After differs from Before in anything: the
	// courses, their order, titles and hours, what each closes, the
	// unclosable gaps.
	Changed       bool
	Before, After *Recommendation
}

// Recommendations returns the recommendations of the people with the
// given ids, in that order, before and after the change (ENOTFOUND for an
// unknown id). It stops, returning ctx's error, when ctx is done.
//
// The impact does not find everyone whose recommendation changes: anyone
// with a gap the course, or a course it is a prerequisite of, can close
// may be affected, and finding out costs two recommendations each (at
// DoD scale, tens of thousands of set covers). Ask about the people of
// interest, the impact's People for instance.
func (imp *CourseImpact) Recommendations(ctx context.Context, ids []string) ([]RecommendationChange, error) {
	out := make([]RecommendationChange, len(ids))
	for i, id := range ids {
		pb, ok := imp.before.people.get(id)
		if !ok {
			return nil, domain.NotFound("person", id)
		}
		pa, _ := imp.after.people.get(id)
		before, after := imp.before.recommendContext(ctx, pb), imp.after.recommendContext(ctx, pa)
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		out[i] = RecommendationChange{PersonID: id, Changed: !reflect.DeepEqual(before, after), Before: before, After: after}
	}
	return out, nil
}
