package memstore

import (
	"cmap/domain"
	"context"
	"fmt"
	"maps"
	"slices"
)

// SaveCourseFacts stores one facts record per course given, replacing what
// was stored for those courses. EINVALID when a record names no course or
// two name the same one; then nothing is saved.
func (s *Store) SaveCourseFacts(ctx context.Context, facts []domain.CourseFacts) error {
	if err := checkFactKeys(facts, "course", func(f domain.CourseFacts) string { return f.Course }); err != nil {
		return err
	}
	if err := live(ctx, "save course_facts"); err != nil {
		return err
	}
	stored := make([]domain.CourseFacts, len(facts))
	for i, f := range facts {
		stored[i] = copyCourseFacts(f)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, f := range stored {
		s.courseFacts[f.Course] = f
	}
	s.countFactWrite(len(stored))
	return nil
}

// SavePositionFacts stores one facts record per position given, replacing
// what was stored for those positions; errors as SaveCourseFacts.
func (s *Store) SavePositionFacts(ctx context.Context, facts []domain.PositionFacts) error {
	if err := checkFactKeys(facts, "position", func(f domain.PositionFacts) string { return f.Position }); err != nil {
		return err
	}
	if err := live(ctx, "save position_facts"); err != nil {
		return err
	}
	stored := make([]domain.PositionFacts, len(facts))
	for i, f := range facts {
		stored[i] = copyPositionFacts(f)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, f := range stored {
		s.positionFacts[f.Position] = f
	}
	s.countFactWrite(len(stored))
	return nil
}

// checkFactKeys returns EINVALID, with package mongodb's field path and
// message, when a facts record has no key or shares it with another.
// keyField names the key ("course").
func checkFactKeys[F any](facts []F, keyField string, key func(F) string) error {
	seen := make(map[string]bool, len(facts))
	for i, f := range facts {
		k := key(f)
		field := fmt.Sprintf("[%d].%s", i, keyField)
		switch {
		case k == "":
			return domain.Invalid(field, "%s facts name no %s", keyField, keyField)
		case seen[k]:
			return domain.Invalid(field, "%s %s has two facts records", keyField, k)
		}
		seen[k] = true
	}
	return nil
}

// DeleteFacts removes the facts records of the given courses and positions.
func (s *Store) DeleteFacts(ctx context.Context, courses, positions []string) error {
	if err := live(ctx, "delete facts"); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range courses {
		delete(s.courseFacts, c)
	}
	for _, p := range positions {
		delete(s.positionFacts, p)
	}
	s.countFactWrite(len(courses) + len(positions))
	return nil
}

// countFactWrite counts a call given n facts records or keys, if n > 0. The
// caller holds s.mu.
func (s *Store) countFactWrite(n int) {
	if n > 0 {
		s.factWrites++
	}
}

// CourseFacts returns every stored course facts record, in course order.
func (s *Store) CourseFacts(ctx context.Context) ([]domain.CourseFacts, error) {
	if err := live(ctx, "find course_facts"); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return sortedCopies(s.courseFacts, copyCourseFacts), nil
}

// PositionFacts returns every stored position facts record, in position
// order.
func (s *Store) PositionFacts(ctx context.Context) ([]domain.PositionFacts, error) {
	if err := live(ctx, "find position_facts"); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return sortedCopies(s.positionFacts, copyPositionFacts), nil
}

// sortedCopies returns copies of the values of m, in key order.
func sortedCopies[F any](m map[string]F, copyOf func(F) F) []F {
	out := make([]F, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, copyOf(m[k]))
	}
	return out
}

// copyCourseFacts returns a deep copy of f as package mongodb gives it
// back: every fact names f's course, empty lists are nil.
func copyCourseFacts(f domain.CourseFacts) domain.CourseFacts {
	out := domain.CourseFacts{Course: f.Course, Revision: f.Revision}
	for _, c := range f.Coverage {
		out.Coverage = append(out.Coverage, domain.Coverage{
			Course: f.Course, SubCompetency: c.SubCompetency, Level: c.Level, Rules: cloneList(c.Rules),
		})
	}
	return out
}

// copyPositionFacts is copyCourseFacts for a position.
func copyPositionFacts(f domain.PositionFacts) domain.PositionFacts {
	out := domain.PositionFacts{Position: f.Position, Revision: f.Revision}
	for _, r := range f.Requirements {
		out.Requirements = append(out.Requirements, domain.Requirement{
			Position: f.Position, SubCompetency: r.SubCompetency, Level: r.Level, Rules: cloneList(r.Rules),
		})
	}
	return out
}
