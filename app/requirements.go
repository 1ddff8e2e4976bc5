package app

import (
	"cmap/domain"
	"hash/maphash"
	"maps"
	"slices"
)

// positionFacts holds the requirement facts of every position, by id,
// compactly: the positions the rules give the same facts share one list
// (engine.DeriveShared), and the facts in the lists leave Position empty,
// the key naming the position. Kept one fact per position and
// sub-competency (261,532 facts of four pointers at DoD scale), they were
// what the collector marked most on every cycle, about 22 MB; kept so,
// they are 253 lists and a map, about 2.5 MB (BenchmarkLiveStateGC). get
// fills Position in when it hands facts out.
//
// A positionFacts is never modified once published: with and without
// return changed copies.
type positionFacts struct {
	lists map[string][]domain.Requirement
	// distinct are the distinct lists of the full build the facts come
	// from; an update that changes a position's facts takes the build's
	// list of its new facts, if the build has one.
	distinct *factLists
}

// newPositionFacts keeps the facts of every position as DeriveShared
// gives them (it takes facts over), one list for each distinct list of
// facts.
func newPositionFacts(facts map[string][]domain.Requirement) positionFacts {
	distinct := &factLists{seed: maphash.MakeSeed(), byHash: map[uint64][][]domain.Requirement{}}
	// The lists DeriveShared shares are looked up once each.
	seen := map[*domain.Requirement][]domain.Requirement{}
	for id, list := range facts {
		if len(list) == 0 {
			facts[id] = distinct.add(list)
			continue
		}
		one, ok := seen[&list[0]]
		if !ok {
			one = distinct.add(list)
			seen[&list[0]] = one
		}
		facts[id] = one
	}
	return positionFacts{lists: facts, distinct: distinct}
}

// len returns how many positions f holds the facts of (a position the
// rules require nothing of included).
func (f positionFacts) len() int { return len(f.lists) }

// get returns the facts of the position with id, Position filled in, in
// a list of the caller's; false when no such position is known.
func (f positionFacts) get(id string) ([]domain.Requirement, bool) {
	list, ok := f.lists[id]
	if !ok {
		return nil, false
	}
	return withPosition(id, list), true
}

// shared returns the facts of the position with id as f keeps them:
// shared, and with Position empty.
func (f positionFacts) shared(id string) ([]domain.Requirement, bool) {
	list, ok := f.lists[id]
	return list, ok
}

// with returns f with the facts of the position with id replaced by
// reqs (which it does not keep).
func (f positionFacts) with(id string, reqs []domain.Requirement) positionFacts {
	lists := maps.Clone(f.lists)
	lists[id] = f.distinct.share(reqs)
	return positionFacts{lists: lists, distinct: f.distinct}
}

// without returns f without the position with id.
func (f positionFacts) without(id string) positionFacts {
	lists := maps.Clone(f.lists)
	delete(lists, id)
	return positionFacts{lists: lists, distinct: f.distinct}
}

// withPosition returns a copy of list with Position set to id.
func withPosition(id string, list []domain.Requirement) []domain.Requirement {
	if len(list) == 0 {
		return list
	}
	out := make([]domain.Requirement, len(list))
	for i, r := range list {
		r.Position = id
		out[i] = r
	}
	return out
}

// factLists are distinct lists of requirement facts, with Position empty,
// found by their facts. It is filled by newPositionFacts and read only
// after: looking up needs no lock, and what it holds is what the full
// build derived.
type factLists struct {
	seed   maphash.Seed
	byHash map[uint64][][]domain.Requirement
}

// hash hashes the sub-competencies and levels of reqs; lists that differ
// only in their rules collide, and find tells them apart.
func (l *factLists) hash(reqs []domain.Requirement) uint64 {
	var h maphash.Hash
	h.SetSeed(l.seed)
	for _, r := range reqs {
		h.WriteString(r.SubCompetency)
		h.WriteByte(0)
		h.WriteString(r.Level)
		h.WriteByte(0)
	}
	return h.Sum64()
}

// find returns the list with the facts of reqs (whichever position they
// are of), nil if there is none.
func (l *factLists) find(h uint64, reqs []domain.Requirement) []domain.Requirement {
	for _, list := range l.byHash[h] {
		if slices.EqualFunc(list, reqs, sameRequirement) {
			return list
		}
	}
	return nil
}

// add returns the list with the facts of list, adding list (whose facts
// have Position empty) if there is none.
func (l *factLists) add(list []domain.Requirement) []domain.Requirement {
	h := l.hash(list)
	if found := l.find(h, list); found != nil {
		return found
	}
	list = slices.Clip(list)
	l.byHash[h] = append(l.byHash[h], list)
	return list
}

// share returns the list with the facts of reqs, or a copy of reqs with
// Position empty when l has none.
func (l *factLists) share(reqs []domain.Requirement) []domain.Requirement {
	if found := l.find(l.hash(reqs), reqs); found != nil {
		return found
	}
	list := make([]domain.Requirement, len(reqs))
	for i, r := range reqs {
		r.Position = ""
		list[i] = r
	}
	return list
}

// requiredByIndex lists the requirement facts on each sub-competency in
// position id order, without copying them: each fact as the number of
// its position (its place in ids and lists) and its place in the
// position's list, which the collector need not scan.
type requiredByIndex struct {
	ids   []string
	lists [][]domain.Requirement
	bySub map[string][]factRef
}

// factRef is where a fact is in a requiredByIndex.
type factRef struct{ position, fact int32 }

// requiredBy indexes the facts of f by sub-competency.
func (f positionFacts) requiredBy() *requiredByIndex {
	ix := &requiredByIndex{ids: slices.Sorted(maps.Keys(f.lists)), bySub: map[string][]factRef{}}
	ix.lists = make([][]domain.Requirement, len(ix.ids))
	for n, id := range ix.ids {
		ix.lists[n] = f.lists[id]
		for i, r := range ix.lists[n] {
			ix.bySub[r.SubCompetency] = append(ix.bySub[r.SubCompetency], factRef{int32(n), int32(i)})
		}
	}
	return ix
}

// facts returns the facts on the sub-competency with code whose level
// keep keeps, Position filled in, sorted by position id.
func (ix *requiredByIndex) facts(code string, keep func(level string) bool) []domain.Requirement {
	var out []domain.Requirement
	for _, ref := range ix.bySub[code] {
		r := ix.lists[ref.position][ref.fact]
		if keep(r.Level) {
			r.Position = ix.ids[ref.position]
			out = append(out, r)
		}
	}
	return out
}
