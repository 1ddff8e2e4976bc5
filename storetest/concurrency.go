package storetest

import (
	"cmap/domain"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"
)

// Sizes of RaceUpdates: enough writers to collide, few enough writes for
// a database that serializes them.
const (
	raceWriters = 6
	raceRounds  = 15
)

// RaceUpdates races writers that update one course with optimistic
// concurrency. In each round every writer reads the course, waits until
// all have read it (so all hold the same version), adds its mark to the
// objectives and updates: exactly one must win, every other must get
// ECONFLICT, and the winner's update must not be lost (the final course
// carries the winners' marks in order). The writers take turns over
// stores, which must all be clients of one database (one store will do).
// Every winning update must be in the change log once. Run it with -race.
func RaceUpdates(t *testing.T, stores ...domain.Store) {
	ctx := t.Context()
	c := SampleCourse("SCO-201")
	c.Objectives = nil
	must(t, stores[0].CreateCourse(ctx, c))
	since, err := stores[0].DataVersion(ctx)
	must(t, err)

	var winners []string
	for round := range raceRounds {
		errs := make([]error, raceWriters)
		var read, wrote sync.WaitGroup
		start := make(chan struct{})
		read.Add(raceWriters)
		for w := range raceWriters {
			s := stores[w%len(stores)]
			wrote.Go(func() {
				mine, err := s.Course(ctx, c.Code)
				read.Done()
				if err != nil {
					errs[w] = err
					return
				}
				<-start
				mine.Objectives = append(mine.Objectives, fmt.Sprintf("round %d, writer %d", round, w))
				errs[w] = s.UpdateCourse(ctx, mine)
			})
		}
		read.Wait()
		close(start)
		wrote.Wait()

		winner := -1
		for w, err := range errs {
			switch code := domain.ErrorCode(err); {
			case err == nil && winner < 0:
				winner = w
			case err == nil:
				t.Fatalf("round %d: writers %d and %d both updated version %d", round, winner, w, round+1)
			case code != domain.ECONFLICT:
				t.Fatalf("round %d: writer %d: %v, want ECONFLICT", round, w, err)
			}
		}
		if winner < 0 {
			t.Fatalf("round %d: no writer won: %v", round, errs)
		}
		winners = append(winners, fmt.Sprintf("round %d, writer %d", round, winner))
		stored, err := stores[0].Course(ctx, c.Code)
		must(t, err)
		if stored.Version != int64(round+2) || !slices.Equal(stored.Objectives, winners) {
			t.Fatalf("after round %d: version %d, objectives %q; want version %d, objectives %q",
				round, stored.Version, stored.Objectives, round+2, winners)
		}
	}
	wantCompleteLog(t, stores[0], since, domain.ChangeCourse, c.Code)
}

// RaceCompletions records completions of one person from concurrent
// writers spread over stores (clients of one database): none may be lost,
// and each counts once in the person's version, the data version and the
// change log.
func RaceCompletions(t *testing.T, stores ...domain.Store) {
	ctx := t.Context()
	p := SamplePerson("P-00001")
	p.Completions = nil
	must(t, stores[0].CreatePerson(ctx, p))
	before, err := stores[0].DataVersion(ctx)
	must(t, err)
	const writers = 8
	var wg sync.WaitGroup
	for i := range writers {
		wg.Go(func() {
			c := domain.Completion{CourseCode: fmt.Sprintf("SCO-%03d", 100+i), Completed: time.Now()}
			if _, err := stores[i%len(stores)].RecordCompletion(ctx, p.ID, c); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	got, err := stores[0].Person(ctx, p.ID)
	must(t, err)
	codes := slices.Sorted(slices.Values(keysOf(got.Completions, func(c domain.Completion) string { return c.CourseCode })))
	want := make([]string, writers)
	for i := range want {
		want[i] = fmt.Sprintf("SCO-%03d", 100+i)
	}
	if !slices.Equal(codes, want) || got.Version != 1+writers {
		t.Errorf("after %d concurrent completions: %v stored, version %d", writers, codes, got.Version)
	}
	if v, err := stores[0].DataVersion(ctx); err != nil || v != before+writers {
		t.Errorf("DataVersion = %d, %v; want %d", v, err, before+writers)
	}
	wantCompleteLog(t, stores[0], before, domain.ChangePerson, p.ID)
}
