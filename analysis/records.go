package analysis

import (
	"cmap/domain"
	"slices"
)

// The records of an index: every course, position and person it was built
// from, as of the same write as its answers, so that a reader who takes one
// Index answers every question, records included, from one generation.
// Records are shared by every reader of the index and must not be
// modified. Lists follow the Store's contract: ordered by natural key,
// filters as engine's Match methods apply them.

// Course returns the course with code.
func (ix *Index) Course(code string) (*domain.Course, bool) {
	e, ok := ix.courses.get(code)
	if !ok {
		return nil, false
	}
	return &e.course, true
}

// Position returns the position with id.
func (ix *Index) Position(id string) (*domain.Position, bool) {
	e, ok := ix.positions.get(id)
	if !ok {
		return nil, false
	}
	return &e.position, true
}

// Person returns the person with id.
func (ix *Index) Person(id string) (*domain.Person, bool) {
	e, ok := ix.people.get(id)
	if !ok {
		return nil, false
	}
	return e.record, true
}

// Courses returns one page of the courses f selects (EINVALID for a
// negative p.First).
func (ix *Index) Courses(f domain.CourseFilter, p domain.Page) (domain.List[*domain.Course], error) {
	return pageOf(ix.courseCodes, ix.Course, f.Match, p)
}

// CountCourses returns how many courses f selects.
func (ix *Index) CountCourses(f domain.CourseFilter) int {
	return countOf(ix.courseCodes, ix.Course, f.Match)
}

// Positions returns one page of the positions f selects.
func (ix *Index) Positions(f domain.PositionFilter, p domain.Page) (domain.List[*domain.Position], error) {
	return pageOf(ix.positionIDs, ix.Position, f.Match, p)
}

// CountPositions returns how many positions f selects.
func (ix *Index) CountPositions(f domain.PositionFilter) int {
	return countOf(ix.positionIDs, ix.Position, f.Match)
}

// People returns one page of the people f selects. A filter on positions
// reads only their holders.
func (ix *Index) People(f domain.PersonFilter, p domain.Page) (domain.List[*domain.Person], error) {
	return pageOf(ix.personCandidates(f), ix.Person, f.Match, p)
}

// CountPeople returns how many people f selects.
func (ix *Index) CountPeople(f domain.PersonFilter) int {
	return countOf(ix.personCandidates(f), ix.Person, f.Match)
}

// personCandidates returns the sorted ids of the people f can select: the
// holders of its positions when it names any, everyone otherwise.
func (ix *Index) personCandidates(f domain.PersonFilter) []string {
	positions := f.PositionIDs
	if f.PositionID != "" {
		positions = []string{f.PositionID}
	}
	if len(positions) == 0 {
		return ix.personIDs
	}
	var ids []string
	for _, pos := range positions {
		holders, _ := ix.holders.get(pos)
		ids = append(ids, holders...)
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

// pageOf returns the records under keys (sorted) that match selects, from
// the first key after p.After, at most p.First of them (all when 0).
func pageOf[T any](keys []string, get func(string) (T, bool), match func(T) bool, p domain.Page) (domain.List[T], error) {
	if p.First < 0 {
		return domain.List[T]{}, domain.Invalid("first", "first must not be negative, not %d", p.First)
	}
	i := 0
	if p.After != "" {
		var found bool
		if i, found = slices.BinarySearch(keys, p.After); found {
			i++
		}
	}
	var out domain.List[T]
	for ; i < len(keys); i++ {
		v, ok := get(keys[i])
		if !ok || !match(v) {
			continue
		}
		if p.First > 0 && len(out.Items) == p.First {
			out.HasNext = true
			break
		}
		out.Items = append(out.Items, v)
	}
	return out, nil
}

// countOf counts the records under keys that match selects.
func countOf[T any](keys []string, get func(string) (T, bool), match func(T) bool) int {
	n := 0
	for _, k := range keys {
		if v, ok := get(k); ok && match(v) {
			n++
		}
	}
	return n
}
