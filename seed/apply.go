package seed

import (
	"cmap/domain"
	"context"
	"fmt"
)

// Result says what Apply did.
type Result struct {
	// Skipped is true when the store had been seeded before and Apply
	// wrote nothing.
	Skipped bool
	// SeededWith is the name of the dataset the store is seeded with: the
	// one recorded earlier when Skipped, the applied one otherwise.
	SeededWith string
	// FrameworkStored is true when Apply stored the framework; false
	// when a framework was stored already (it is kept) or Skipped.
	FrameworkStored bool
	// Per kind of record: how many Apply created, and how many it found
	// existing under the same key and kept as they were.
	Courses, Positions, People Counts
}

// Counts counts the records of one kind that Apply created or kept.
type Counts struct {
	Created int
	Kept    int
}

// Apply seeds s with ds unless s was seeded before. When s.SeededWith
// names a dataset, Apply writes nothing and returns a Result with Skipped
// set: seeding happens once, so records that users edited or deleted since
// are never overwritten or brought back.
//
// Otherwise it stores ds.Framework if s holds no framework, creates every
// course, position and person of ds (keeping, untouched, any record whose
// key already exists), and finally marks s as seeded with ds.Name. It
// creates each kind with one bulk create (domain.Store's CreateCourses
// and the like) of the records not stored yet, after listing the stored
// ones. An Apply that fails half-way, even in the middle of a bulk
// create, leaves the store unmarked, and the next Apply completes it. ds
// is not modified.
func Apply(ctx context.Context, s domain.Store, ds *Dataset) (Result, error) {
	seeded, err := s.SeededWith(ctx)
	if err != nil {
		return Result{}, fmt.Errorf("seed: %w", err)
	}
	if seeded != "" {
		return Result{Skipped: true, SeededWith: seeded}, nil
	}

	res := Result{SeededWith: ds.Name}
	switch _, err := s.Framework(ctx); domain.ErrorCode(err) {
	case "":
	case domain.ENOTFOUND:
		if err := s.PutFramework(ctx, ds.Framework); err != nil {
			return res, fmt.Errorf("seed: storing the framework: %w", err)
		}
		res.FrameworkStored = true
	default:
		return res, fmt.Errorf("seed: reading the framework: %w", err)
	}

	err = createMissing(ctx, &res.Courses, "course", ds.Courses, func(c *domain.Course) string { return c.Code },
		func() ([]*domain.Course, error) {
			l, err := s.ListCourses(ctx, domain.CourseFilter{}, domain.Page{})
			return l.Items, err
		}, func(cs []*domain.Course) error { return s.CreateCourses(ctx, cs) })
	if err != nil {
		return res, err
	}
	err = createMissing(ctx, &res.Positions, "position", ds.Positions, func(p *domain.Position) string { return p.ID },
		func() ([]*domain.Position, error) {
			l, err := s.ListPositions(ctx, domain.PositionFilter{}, domain.Page{})
			return l.Items, err
		}, func(ps []*domain.Position) error { return s.CreatePositions(ctx, ps) })
	if err != nil {
		return res, err
	}
	err = createMissing(ctx, &res.People, "person", ds.People, func(p *domain.Person) string { return p.ID },
		func() ([]*domain.Person, error) {
			l, err := s.ListPeople(ctx, domain.PersonFilter{}, domain.Page{})
			return l.Items, err
		}, func(ps []*domain.Person) error { return s.CreatePeople(ctx, ps) })
	if err != nil {
		return res, err
	}

	if err := s.MarkSeeded(ctx, ds.Name); err != nil {
		return res, fmt.Errorf("seed: marking the store as seeded: %w", err)
	}
	return res, nil
}

// createAttempts bounds how often createMissing lists the stored keys and
// creates the rest: each attempt after the first follows a conflict with
// another writer that created some of the same records meanwhile.
const createAttempts = 3

// createMissing creates, in bulk, copies of the records whose key is not
// stored yet (stored lists every stored record), and counts them in n
// with the records it keeps. When the bulk create meets a key that was
// taken since the list (another instance seeding the same database), it
// lists and tries again.
func createMissing[T any](ctx context.Context, n *Counts, kind string, records []T, key func(*T) string,
	stored func() ([]*T, error), createAll func([]*T) error,
) error {
	var err error
	for range createAttempts {
		var existing []*T
		if existing, err = stored(); err != nil {
			return fmt.Errorf("seed: listing the stored %s records: %w", kind, err)
		}
		exists := make(map[string]bool, len(existing))
		for _, r := range existing {
			exists[key(r)] = true
		}
		fresh := make([]*T, 0, len(records))
		for i := range records {
			if !exists[key(&records[i])] {
				r := records[i]
				fresh = append(fresh, &r)
			}
		}
		err = createAll(fresh)
		switch domain.ErrorCode(err) {
		case "":
			*n = Counts{Created: len(fresh), Kept: len(records) - len(fresh)}
			return nil
		case domain.ECONFLICT:
			continue
		}
		break
	}
	return fmt.Errorf("seed: creating %s records: %w", kind, err)
}
