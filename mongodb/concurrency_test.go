package mongodb_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"cmap/engine"
	"cmap/mongodb"
	"cmap/mongodb/mongotest"
)

// Two writers that read the same version: exactly one update wins, the
// other gets ECONFLICT, whatever the interleaving. Repeated to give races a
// chance; run with -race.
func TestConcurrentUpdatesOneWins(t *testing.T) {
	db := mongotest.Open(t)
	testConcurrentUpdatesOneWins(t, db, db)
}

// The same across two clients, as two cmap instances sharing one database
// are: on FerretDB the write lease, not a process's mutex, keeps them apart.
func TestConcurrentUpdatesAcrossInstancesOneWins(t *testing.T) {
	db := mongotest.Open(t)
	testConcurrentUpdatesOneWins(t, db, secondInstance(t, db))
}

// secondInstance opens another client on db's database.
func secondInstance(t *testing.T, db *mongodb.DB) *mongodb.DB {
	t.Helper()
	other, err := mongodb.Open(context.Background(), mongodb.Config{URI: db.URI(), Database: db.DatabaseName()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close(context.Background()) })
	return other
}

func testConcurrentUpdatesOneWins(t *testing.T, first, second *mongodb.DB) {
	ctx := context.Background()
	db := first
	writers := []*mongodb.DB{first, second}
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
				errs[i] = writers[i].UpdateCourse(ctx, &mine)
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

// Concurrent completions are all kept: none is lost to a read-modify-write,
// whether they come through one client or two.
func TestConcurrentCompletionsAllKept(t *testing.T) {
	db := mongotest.Open(t)
	testConcurrentCompletionsAllKept(t, db, db)
}

func TestConcurrentCompletionsAcrossInstancesAllKept(t *testing.T) {
	db := mongotest.Open(t)
	testConcurrentCompletionsAllKept(t, db, secondInstance(t, db))
}

func testConcurrentCompletionsAllKept(t *testing.T, first, second *mongodb.DB) {
	ctx := context.Background()
	db := first
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
			if _, err := []*mongodb.DB{first, second}[i%2].RecordCompletion(ctx, p.ID, c); err != nil {
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
