package mongodb_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"cmap/engine"
	"cmap/mongodb/mongotest"
)

// Two writers that read the same version: exactly one update wins, the
// other gets ECONFLICT, whatever the interleaving. Repeated to give races a
// chance; run with -race.
func TestConcurrentUpdatesOneWins(t *testing.T) {
	ctx := context.Background()
	db := mongotest.Open(t)
	c := sampleCourse("SCO-201")
	if err := db.CreateCourse(ctx, c); err != nil {
		t.Fatal(err)
	}
	for round := 0; round < 20; round++ {
		read, err := db.Course(ctx, c.Code)
		if err != nil {
			t.Fatal(err)
		}
		errs := make([]error, 2)
		var wg sync.WaitGroup
		for i := range errs {
			mine := *read
			mine.Title = fmt.Sprintf("Written by writer %d in round %d", i, round)
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = db.UpdateCourse(ctx, &mine)
			}()
		}
		wg.Wait()
		codes := map[string]int{}
		for _, err := range errs {
			codes[engine.ErrorCode(err)]++
		}
		if codes[""] != 1 || codes[engine.ECONFLICT] != 1 {
			t.Fatalf("round %d: errors %v, want one success and one conflict", round, errs)
		}
		stored, err := db.Course(ctx, c.Code)
		if err != nil {
			t.Fatal(err)
		}
		if stored.Version != read.Version+1 {
			t.Fatalf("round %d: version %d after one winning update of %d", round, stored.Version, read.Version)
		}
	}
}

// Concurrent completions are all kept: none is lost to a read-modify-write.
func TestConcurrentCompletionsAllKept(t *testing.T) {
	ctx := context.Background()
	db := mongotest.Open(t)
	p := samplePerson("P-00001")
	p.Completions = nil
	if err := db.CreatePerson(ctx, p); err != nil {
		t.Fatal(err)
	}
	const writers = 8
	var wg sync.WaitGroup
	for i := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := engine.Completion{CourseCode: fmt.Sprintf("SCO-%03d", 100+i), Completed: time.Now()}
			if _, err := db.RecordCompletion(ctx, p.ID, c); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	got, err := db.Person(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Completions) != writers || got.Version != 1+writers {
		t.Errorf("after %d concurrent completions: %d stored, version %d", writers, len(got.Completions), got.Version)
	}
	if v, err := db.DataVersion(ctx); err != nil || v != 1+writers {
		t.Errorf("DataVersion = %d, %v; want %d", v, err, 1+writers)
	}
}
