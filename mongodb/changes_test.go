package mongodb

import (
	"cmap/domain"
	"context"
	"fmt"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"cmap/storetest"
)

// The change log on FerretDB, read both ways (one _id at a time, as
// FerretDB does, and by range, as MongoDB does), with a short log: it is
// pruned (leftovers too), it stops at a hole; and FerretDB cannot watch
// it.
func TestChangeLog(t *testing.T) {
	ctx := context.Background()
	server := openEmbedded(t)
	for _, byID := range []bool{true, false} {
		t.Run(fmt.Sprintf("byID=%v", byID), func(t *testing.T) {
			db, err := Open(ctx, Config{URI: server.uri, Database: fmt.Sprintf("changes_%v", byID)})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close(ctx) })
			const length = 10
			db.changeLogLength, db.changesByID = length, byID
			storetest.ChangeLogPruning(t, db, length)
			last, err := db.DataVersion(ctx)
			if err != nil {
				t.Fatal(err)
			}

			// A hole, as a writer that died after the data version leaves.
			if _, err := db.changes.DeleteOne(ctx, map[string]string{"_id": changeID(last - 3)}); err != nil {
				t.Fatal(err)
			}
			wantVersions(t, db, last-6, last, last-5, last-4)
			wantVersions(t, db, last-4, last)
			wantVersions(t, db, last-3, last, last-2, last-1, last)

			// Every keep versions, leftovers older than the log are swept.
			if _, err := db.changes.InsertOne(ctx, changeDoc{ID: changeID(1), Version: 1, Kind: "course", Key: "SCO-101"}); err != nil {
				t.Fatal(err)
			}
			p, err := db.Position(ctx, "POS-0001")
			if err != nil {
				t.Fatal(err)
			}
			for sweep := (last/length + 1) * length; last < sweep; last++ {
				if err := db.UpdatePosition(ctx, p); err != nil {
					t.Fatal(err)
				}
			}
			if n, err := db.changes.CountDocuments(ctx, bson.D{}); err != nil || n != length {
				t.Errorf("at version %d the log holds %d entries (%v), want %d", last, n, err, length)
			}
		})
	}
	if _, err := server.WatchChanges(ctx); domain.ErrorCode(err) != domain.EINTERNAL {
		t.Errorf("WatchChanges on FerretDB: %v, want EINTERNAL (it has no change streams)", err)
	}
}

// wantVersions fails t unless Changes(after, through) gives the entries of
// the versions want.
func wantVersions(t *testing.T, db *DB, after, through int64, want ...int64) {
	t.Helper()
	got, err := db.Changes(context.Background(), after, through)
	if err != nil {
		t.Fatalf("Changes(%d, %d): %v", after, through, err)
	}
	var versions []int64
	for _, c := range got {
		versions = append(versions, c.Version)
	}
	if fmt.Sprint(versions) != fmt.Sprint(want) {
		t.Errorf("Changes(%d, %d) gave versions %v, want %v", after, through, versions, want)
	}
}
