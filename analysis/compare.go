package analysis

import "slices"

// Comparison is how the answers of one index differ from those of another
// built over changed records: the impact of a change of many records at
// once, such as an import, where CourseImpact is that of one course. It
// is a summary (counts, and the sub-competencies whose coverage changes),
// since a bulk change may touch every person.
type Comparison struct {
	// Courses, Positions and People count the records before and after.
	Courses, Positions, People Count
	// ActiveCourses counts the active courses.
	ActiveCourses Count
	// SubCompetencies are those whose coverage changes (the highest level
	// of an active course, how many active courses cover it, or how many
	// people's gaps are on it), in model order.
	SubCompetencies []SubCompetencyChange
	// Uncovered counts the gaps of the gap report summed over the levels
	// of the scale: the (sub-competency, level) pairs no active course
	// reaches.
	Uncovered Count
	// MeetablePositions counts the positions whose every requirement some
	// active course meets.
	MeetablePositions Count
	// Ready counts the people without gaps; Gaps counts people's gaps.
	Ready, Gaps Count
	// ReadinessChanged counts the people on both sides whose gaps differ.
	ReadinessChanged int
	// BecameReady and BecameUnready count the people on both sides whose
	// readiness flips.
	BecameReady, BecameUnready int
}

// Count is a number before and after a change.
type Count struct {
	Before, After int
}

// SubCompetencyChange is the change of one sub-competency's coverage.
type SubCompetencyChange struct {
	SubCompetency string
	Competency    string
	// HighestBefore and HighestAfter are the highest level of any active
	// course ("" for none).
	HighestBefore, HighestAfter string
	// Courses counts the active courses covering it at any level.
	Courses Count
	// GapsOpened are the levels no active course reaches any more;
	// GapsClosed the levels some active course now reaches.
	GapsOpened, GapsClosed []string
	// PersonGaps counts the people's gaps on it.
	PersonGaps Count
}

// Compare summarizes how after's answers differ from ix's. Both must be
// built on the same framework and scale (an import changes records only).
func (ix *Index) Compare(after *Index) *Comparison {
	out := &Comparison{
		Courses:   Count{ix.courses.len(), after.courses.len()},
		Positions: Count{ix.positions.len(), after.positions.len()},
		People:    Count{ix.people.len(), after.people.len()},
		ActiveCourses: Count{ix.countCourses(func(c *courseEntry) bool { return c.active() }),
			after.countCourses(func(c *courseEntry) bool { return c.active() })},
		MeetablePositions: Count{ix.meetablePositions(), after.meetablePositions()},
	}
	for s, info := range ix.subs {
		sub := int32(s)
		hb, ha := ix.highest(sub), after.highest(sub)
		out.Uncovered.Before += ix.levels - int(hb)
		out.Uncovered.After += after.levels - int(ha)
		ch := SubCompetencyChange{SubCompetency: info.code, Competency: info.competency,
			HighestBefore: ix.scale.Level(int(hb)), HighestAfter: after.scale.Level(int(ha)),
			Courses: Count{len(ix.closers[sub]), len(after.closers[sub])}, PersonGaps: Count{ix.gapsOn(sub), after.gapsOn(sub)}}
		for r := min(hb, ha) + 1; r <= max(hb, ha); r++ {
			if ha < hb {
				ch.GapsOpened = append(ch.GapsOpened, ix.scale.Level(int(r)))
			} else {
				ch.GapsClosed = append(ch.GapsClosed, ix.scale.Level(int(r)))
			}
		}
		if hb != ha || ch.Courses.Before != ch.Courses.After || ch.PersonGaps.Before != ch.PersonGaps.After {
			out.SubCompetencies = append(out.SubCompetencies, ch)
		}
	}
	for _, id := range ix.personIDs {
		pb, _ := ix.people.get(id)
		out.Ready.Before += boolInt(len(pb.gaps) == 0)
		out.Gaps.Before += len(pb.gaps)
		pa, ok := after.people.get(id)
		if !ok {
			continue
		}
		if !slices.Equal(pb.gaps, pa.gaps) {
			out.ReadinessChanged++
		}
		switch rb, ra := len(pb.gaps) == 0, len(pa.gaps) == 0; {
		case !rb && ra:
			out.BecameReady++
		case rb && !ra:
			out.BecameUnready++
		}
	}
	for _, id := range after.personIDs {
		pa, _ := after.people.get(id)
		out.Ready.After += boolInt(len(pa.gaps) == 0)
		out.Gaps.After += len(pa.gaps)
	}
	return out
}

// countCourses counts the indexed courses that keep selects.
func (ix *Index) countCourses(keep func(*courseEntry) bool) int {
	n := 0
	for _, code := range ix.courseCodes {
		if c, _ := ix.courses.get(code); keep(c) {
			n++
		}
	}
	return n
}

// meetablePositions counts the positions whose every requirement some
// active course meets.
func (ix *Index) meetablePositions() int {
	n := 0
	for _, id := range ix.positionIDs {
		p, _ := ix.positions.get(id)
		meetable := true
		for _, r := range p.reqs {
			if r.rank > ix.highest(r.sub) {
				meetable = false
				break
			}
		}
		n += boolInt(meetable)
	}
	return n
}

// gapsOn counts the people's gaps on sub, at every required level.
func (ix *Index) gapsOn(sub int32) int {
	n := 0
	for r := 1; r <= ix.levels; r++ {
		n += int(ix.gapCount[ix.slot(sub, uint8(r))])
	}
	return n
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
