package mongodb

import (
	"cmap/domain"
	"context"
	"slices"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// versionsOf reads db's Versions, failing t on error.
func versionsOf(t *testing.T, db *DB) domain.Versions {
	t.Helper()
	v, err := db.Versions(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// reopen opens another client on db's server and database.
func reopen(t *testing.T, db *DB) *DB {
	t.Helper()
	other, err := Open(context.Background(), Config{URI: db.URI(), Database: db.DatabaseName()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close(context.Background()) })
	return other
}

// A process that dies holding the write lease may have stored a record or
// facts without counting them. While its lease is in the way, Versions
// says Unsettled and an instance that opens the database leaves it alone;
// whoever breaks it, the next writer once it went unrenewed for
// writeLeaseTTL or a process restarted on the data folder as it opens,
// counts one write of each kind.
func TestALeaseLeftByADeadWriterIsCounted(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := openEmbeddedAt(t, dir)
	if err := db.CreateCourse(ctx, &domain.Course{Code: "SCO-101", Title: "Basics", DeliveryMode: domain.DeliveryOnline, Status: domain.CourseActive}); err != nil {
		t.Fatal(err)
	}
	before := versionsOf(t, db)

	plantLease(t, db, "a dead process")
	if v := versionsOf(t, db); !v.Unsettled || v.Data != before.Data {
		t.Fatalf("with a lease in the way: %+v", v)
	}
	other := reopen(t, db)
	if v := versionsOf(t, other); !v.Unsettled || v.Data != before.Data || v.DataID != before.DataID {
		t.Fatalf("an instance opening while a lease is in the way changed the versions: %+v, before %+v", v, before)
	}
	other.Close(ctx)

	// The next writer breaks it and counts the lost write before its own.
	if err := db.SaveCourseFacts(ctx, []domain.CourseFacts{{Course: "SCO-101", Revision: "r1"}}); err != nil {
		t.Fatal(err)
	}
	after := versionsOf(t, db)
	if after.Unsettled || after.Data != before.Data+1 || after.DataID == before.DataID || after.Facts != before.Facts+2 {
		t.Fatalf("after a write that broke a dead lease: %+v, before %+v; want Data +1 and Facts +2", after, before)
	}

	// And a process restarted on the data folder, as it opens.
	plantLease(t, db, db.leaseOwner)
	if err := db.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if v := versionsOf(t, openEmbeddedAt(t, dir)); v.Unsettled || v.Data != after.Data+1 || v.Facts != after.Facts+1 {
		t.Fatalf("after a restart that broke its predecessor's lease: %+v, before %+v", v, after)
	}
}

// A database written by a cmap from before the data id and the facts count
// gets both when it is opened, keeping its data version.
func TestOpenCompletesTheVersionsOfAnOlderDatabase(t *testing.T) {
	ctx := context.Background()
	db := openEmbedded(t)
	_, err := db.meta.ReplaceOne(ctx, bson.D{{Key: "_id", Value: metaDataVersion}}, bson.D{{Key: "value", Value: int64(41)}})
	if err != nil {
		t.Fatal(err)
	}
	if v := versionsOf(t, db); v.DataID != "" {
		t.Fatalf("the old document has a data id: %+v", v)
	}
	other := reopen(t, db)
	v := versionsOf(t, other)
	if v.Data != 41 || v.DataID == "" || v.Facts != 0 {
		t.Fatalf("after opening an older database: %+v", v)
	}
	if again := versionsOf(t, reopen(t, db)); again != v {
		t.Errorf("a second open changed the versions: %+v, then %+v", v, again)
	}
	ok, err := other.MarkFacts(ctx, domain.FactsMark{Revision: "r1", Data: 41, Facts: 0})
	if err != nil || !ok {
		t.Fatalf("MarkFacts on the completed document = %v, %v", ok, err)
	}
}

// A lease that says what its holder was writing is counted as that and no
// more: a write of one person is logged as that person's change (other
// instances read that record again, not every record), a write of facts
// counts a write of facts and leaves the data version, and a holding that
// wrote neither counts nothing.
func TestALostWriteIsCountedAsItsLeaseSays(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := openEmbeddedAt(t, dir)
	for _, tc := range []struct {
		intent      writeIntent
		data, facts int64
	}{
		{recordIntent(changeKind(personKind), "P-1"), 1, 0},
		{factsIntent, 0, 1},
		{noIntent, 0, 0},
	} {
		before := versionsOf(t, db)
		lease := leaseDoc{ID: metaWriteLease, Owner: db.leaseOwner, Token: "dead-token", Intent: &tc.intent, Since: now()}
		if _, err := db.meta.InsertOne(ctx, lease); err != nil {
			t.Fatal(err)
		}
		if err := db.Close(ctx); err != nil {
			t.Fatal(err)
		}
		db = openEmbeddedAt(t, dir) // breaks its predecessor's lease
		after := versionsOf(t, db)
		if after.Unsettled || after.Data != before.Data+tc.data || after.Facts != before.Facts+tc.facts {
			t.Errorf("a lost write of %+v: versions %+v, before %+v", tc.intent, after, before)
		}
		if tc.data == 0 {
			continue
		}
		changes, err := db.Changes(ctx, before.Data, after.Data)
		want := []domain.Change{{Version: after.Data, Kind: tc.intent.Kind, Key: tc.intent.Key, DataID: after.DataID}}
		if err != nil || !slices.Equal(changes, want) {
			t.Errorf("a lost write of %+v is logged as %+v, %v; want %+v", tc.intent, changes, err, want)
		}
	}
}
