package seed

import (
	"context"
	"fmt"

	"cmap/engine"
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
// key already exists), and finally marks s as seeded with ds.Name. An
// Apply that fails half-way leaves the store unmarked, and the next Apply
// completes it. ds is not modified.
func Apply(ctx context.Context, s engine.Store, ds *Dataset) (Result, error) {
	seeded, err := s.SeededWith(ctx)
	if err != nil {
		return Result{}, fmt.Errorf("seed: %w", err)
	}
	if seeded != "" {
		return Result{Skipped: true, SeededWith: seeded}, nil
	}

	res := Result{SeededWith: ds.Name}
	switch _, err := s.Framework(ctx); engine.ErrorCode(err) {
	case "":
	case engine.ENOTFOUND:
		if err := s.PutFramework(ctx, ds.Framework); err != nil {
			return res, fmt.Errorf("seed: storing the framework: %w", err)
		}
		res.FrameworkStored = true
	default:
		return res, fmt.Errorf("seed: reading the framework: %w", err)
	}

	for _, c := range ds.Courses {
		if err := create(&res.Courses, s.CreateCourse(ctx, &c)); err != nil {
			return res, fmt.Errorf("seed: course %s: %w", c.Code, err)
		}
	}
	for _, p := range ds.Positions {
		if err := create(&res.Positions, s.CreatePosition(ctx, &p)); err != nil {
			return res, fmt.Errorf("seed: position %s: %w", p.ID, err)
		}
	}
	for _, p := range ds.People {
		if err := create(&res.People, s.CreatePerson(ctx, &p)); err != nil {
			return res, fmt.Errorf("seed: person %s: %w", p.ID, err)
		}
	}

	if err := s.MarkSeeded(ctx, ds.Name); err != nil {
		return res, fmt.Errorf("seed: marking the store as seeded: %w", err)
	}
	return res, nil
}

// create counts the outcome of one Create call: created, or kept because
// the key exists (ECONFLICT). Any other error is returned.
func create(n *Counts, err error) error {
	switch engine.ErrorCode(err) {
	case "":
		n.Created++
	case engine.ECONFLICT:
		n.Kept++
	default:
		return err
	}
	return nil
}
