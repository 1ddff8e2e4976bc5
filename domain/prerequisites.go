package domain

import (
	"maps"
	"slices"
)

// PrerequisiteCycle returns one cycle among the prerequisites of a whole
// catalogue (each course's code mapped to its prerequisites), as the codes
// along it with the first repeated at the end, or nil when there is none.
// Prerequisites that name no course of the catalogue are ignored. The
// cycle found is the same for the same catalogue: courses are visited in
// code order, prerequisites in their listed order. Every writer of many
// courses at once (seeding, imports) checks its catalogue with it.
func PrerequisiteCycle(prereqs map[string][]string) []string {
	codes := slices.Sorted(maps.Keys(prereqs))
	const (
		unvisited = iota
		onPath
		done
	)
	state := map[string]int{}
	var path []string
	var visit func(code string) []string
	visit = func(code string) []string {
		switch state[code] {
		case onPath:
			start := slices.Index(path, code)
			return append(slices.Clone(path[start:]), code)
		case done:
			return nil
		}
		state[code] = onPath
		path = append(path, code)
		for _, p := range prereqs[code] {
			if _, ok := prereqs[p]; !ok {
				continue
			}
			if cycle := visit(p); cycle != nil {
				return cycle
			}
		}
		path = path[:len(path)-1]
		state[code] = done
		return nil
	}
	for _, code := range codes {
		if cycle := visit(code); cycle != nil {
			return cycle
		}
	}
	return nil
}
