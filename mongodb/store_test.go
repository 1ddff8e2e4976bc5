package mongodb_test

import (
	"cmap/domain"
	"context"
	"reflect"
	"testing"

	"cmap/mongodb"
	"cmap/mongodb/mongotest"
	"cmap/storetest"
)

// TestStore runs the Store conformance suite on the embedded FerretDB.
func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) domain.Store { return mongotest.Open(t) })
}

// Two cmap instances sharing one database race as two clients do: on
// FerretDB the write lease, not a process's mutex, keeps them apart.
func TestConcurrentUpdatesAcrossInstances(t *testing.T) {
	db := mongotest.Open(t)
	storetest.RaceUpdates(t, db, secondInstance(t, db))
}

func TestConcurrentCompletionsAcrossInstances(t *testing.T) {
	db := mongotest.Open(t)
	storetest.RaceCompletions(t, db, secondInstance(t, db))
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

// Saves larger than one bulk chunk take another path on FerretDB (delete
// and insert): they must still replace exactly the records given.
func TestSaveManyPositionFacts(t *testing.T) {
	ctx := context.Background()
	db := mongotest.Open(t)
	first := positionFactsAtScale(120, "r1")
	if err := db.SavePositionFacts(ctx, first); err != nil {
		t.Fatal(err)
	}
	second := positionFactsAtScale(200, "r2")[60:] // the last 60 of first, and 80 new
	if err := db.SavePositionFacts(ctx, second); err != nil {
		t.Fatal(err)
	}
	got, err := db.PositionFacts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	assertEqual(t, got, append(first[:60:60], second...))
}

// assertEqual fails t unless got and want are deeply equal.
func assertEqual(t *testing.T, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got  %+v\nwant %+v", got, want)
	}
}
