package mongodb

import (
	"context"
	"fmt"
	"testing"

	"cmap/engine"
	"cmap/storetest"
)

// The change log on FerretDB, read both ways (one _id at a time, as
// FerretDB does, and by range, as MongoDB does), with a short log: it is
// pruned, it stops at a hole, a write of several records logs what the
// log keeps; and FerretDB cannot watch it.
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

			// A write of several records: one version each, the last
			// length of them logged, the rest pruned.
			unlock, err := db.lockWrites(ctx)
			if err != nil {
				t.Fatal(err)
			}
			keys := make([]string, 25)
			for i := range keys {
				keys[i] = fmt.Sprintf("P-%05d", i)
			}
			err = db.logChanges(ctx, engine.ChangePerson, keys...)
			unlock()
			if err != nil {
				t.Fatal(err)
			}
			got, err := db.Changes(ctx, last+25-length, last+25)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != length || got[0] != (engine.Change{Version: last + 25 - length + 1, Kind: engine.ChangePerson, Key: keys[25-length]}) ||
				got[length-1] != (engine.Change{Version: last + 25, Kind: engine.ChangePerson, Key: keys[24]}) {
				t.Errorf("after logging %d people: %v", len(keys), got)
			}
			if _, err := db.Changes(ctx, last+25-length-1, last+25); engine.ErrorCode(err) != engine.ENOTFOUND {
				t.Errorf("Changes from a version the bulk write did not log: %v, want ENOTFOUND", err)
			}
			if n, err := db.changes.CountDocuments(ctx, map[string]any{}); err != nil || n != length {
				t.Errorf("the log holds %d entries (%v), want %d", n, err, length)
			}
		})
	}
	if _, err := server.WatchChanges(ctx); engine.ErrorCode(err) != engine.EINTERNAL {
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
