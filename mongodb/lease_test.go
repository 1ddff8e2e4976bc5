package mongodb

import (
	"cmap/domain"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"cmap/app/apptest"
)

// plantLease stores a lease of owner, as a process that died holding it
// leaves it.
func plantLease(t *testing.T, db *DB, owner string) {
	t.Helper()
	_, err := db.meta.InsertOne(context.Background(), leaseDoc{ID: metaWriteLease, Owner: owner, Token: "dead-token", Beat: 3, Since: now()})
	if err != nil {
		t.Fatal(err)
	}
}

// timedWrite marks the database seeded through db and returns how long it
// took.
func timedWrite(t *testing.T, db *DB) time.Duration {
	t.Helper()
	began := time.Now()
	if err := db.MarkSeeded(context.Background(), "sample"); err != nil {
		t.Fatal(err)
	}
	return time.Since(began)
}

// A lease that is never renewed, as one left by a process killed during a
// write, delays the next writer by writeLeaseTTL, not more than 2 s.
func TestALeaseNotRenewedIsBrokenAfterItsTTL(t *testing.T) {
	db := openEmbedded(t)
	plantLease(t, db, "a process that died")
	took := timedWrite(t, db)
	if took < writeLeaseTTL || took > 2*time.Second {
		t.Errorf("the write took %s with a dead lease in the way; want between %s and 2s", took, writeLeaseTTL)
	}
	if err := db.meta.FindOne(context.Background(), bson.D{{Key: "_id", Value: metaWriteLease}}).Err(); err == nil {
		t.Error("the lease is still there after the write")
	}
}

// A lease left by a cmap from before heartbeats (no token, no beat, an
// expiry a minute on) is watched like any other and broken after the TTL.
func TestALeaseOfAnOlderCmapIsBrokenAfterTheTTL(t *testing.T) {
	db := openEmbedded(t)
	_, err := db.meta.InsertOne(context.Background(), bson.D{
		{Key: "_id", Value: metaWriteLease}, {Key: "owner", Value: "an older cmap"}, {Key: "expires", Value: now().Add(time.Minute)},
	})
	if err != nil {
		t.Fatal(err)
	}
	if took := timedWrite(t, db); took < writeLeaseTTL || took > 2*time.Second {
		t.Errorf("the write took %s with an older cmap's lease in the way; want between %s and 2s", took, writeLeaseTTL)
	}
}

// A process that takes the data folder's lock knows that the previous
// owner is dead: its lease is broken at once.
func TestARestartBreaksItsPredecessorsLeaseAtOnce(t *testing.T) {
	dir := t.TempDir()
	first, err := Open(context.Background(), Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	plantLease(t, first, first.leaseOwner)
	// Close stands in for the kill: what matters is that the lease stays
	// and the folder's lock is released.
	first.Close(context.Background())

	logs := &apptest.LogBuffer{}
	again, err := Open(context.Background(), Config{DataDir: dir, Logger: slog.New(slog.NewTextHandler(logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close(context.Background())
	if again.predecessor != first.leaseOwner {
		t.Fatalf("the restarted process names %q as its predecessor, want %q", again.predecessor, first.leaseOwner)
	}
	if took := timedWrite(t, again); took > writeLeaseTTL/2 {
		t.Errorf("the first write after the restart took %s: the predecessor's lease was waited for", took)
	}
	// Another process's lease is not the predecessor's: it is watched.
	plantLease(t, again, "another instance")
	if took := timedWrite(t, again); took < writeLeaseTTL {
		t.Errorf("a lease of another instance was broken after %s, before its TTL", took)
	}
	// The operator is told of each break, and why.
	for _, why := range []string{`why="its holder ran the embedded database on this data folder before this process"`, `why="it went unrenewed for 1.5s"`} {
		if !strings.Contains(logs.String(), `msg="broke the write lease of a process that died or stalled while writing" `+why) {
			t.Errorf("no warning of a lease broken with %s in the log:\n%s", why, logs)
		}
	}
}

// A holder's heartbeat keeps its lease for as long as its write runs, far
// past the TTL: another process waits and does not break it.
func TestAWriteLongerThanTheTTLKeepsItsLease(t *testing.T) {
	ctx := context.Background()
	db := openEmbedded(t)
	other := reopen(t, db)
	hold := 2*writeLeaseTTL + writeLeaseBeat

	wctx, unlock, err := db.lockWrites(ctx, noIntent)
	if err != nil {
		t.Fatal(err)
	}
	began := time.Now()
	waited := make(chan time.Duration, 1)
	go func() {
		if err := other.MarkSeeded(ctx, "other"); err != nil {
			t.Error(err)
		}
		waited <- time.Since(began)
	}()
	select {
	case <-wctx.Done():
		t.Fatalf("the holder lost its lease: %v", context.Cause(wctx))
	case d := <-waited:
		t.Fatalf("another process wrote after %s while the lease was held", d)
	case <-time.After(hold):
	}
	unlock()
	if d := <-waited; d < hold {
		t.Errorf("the other process wrote after %s, before the holder released at %s", d, hold)
	}
	if wctx.Err() == nil {
		t.Error("the write's context is still live after unlock")
	}
}

// A holder that finds its lease gone or changed stops writing: its
// context ends with errLeaseBroken within a beat or two, and its write
// fails saying so. It breaks the lease it abandoned at once the next time.
func TestAHolderWhoseLeaseIsBrokenStops(t *testing.T) {
	ctx := context.Background()
	db := openEmbedded(t)
	err := db.withWriteLock(ctx, noIntent, func(wctx context.Context) error {
		// Someone else's renewal, as far as the holder can tell.
		_, err := db.meta.UpdateOne(ctx, bson.D{{Key: "_id", Value: metaWriteLease}}, bson.D{{Key: "$set", Value: bson.D{{Key: "beat", Value: int64(100)}}}})
		if err != nil {
			t.Fatal(err)
		}
		select {
		case <-wctx.Done():
		case <-time.After(3 * writeLeaseBeat):
			t.Fatal("the holder's context is live a while after its lease changed hands")
		}
		if !errors.Is(context.Cause(wctx), errLeaseBroken) {
			t.Errorf("the context ended with %v, want errLeaseBroken", context.Cause(wctx))
		}
		return db.meta.FindOne(wctx, bson.D{{Key: "_id", Value: metaSeed}}).Err()
	})
	if domain.ErrorCode(err) != domain.EINTERNAL || !errors.Is(err, errLeaseBroken) {
		t.Errorf("the write returned %v, want EINTERNAL for errLeaseBroken", err)
	}
	if len(db.abandoned) == 0 {
		t.Fatal("the lost lease is not remembered as abandoned")
	}
	if took := timedWrite(t, db); took > writeLeaseTTL/2 {
		t.Errorf("the next write took %s: the abandoned lease was waited for", took)
	}
}

// Writes through the heartbeat's context commit normally, and the lease
// is gone after each.
func TestWritesReleaseTheLease(t *testing.T) {
	ctx := context.Background()
	db := openEmbedded(t)
	for i := range 3 {
		if err := db.CreateCourse(ctx, &domain.Course{Code: fmt.Sprintf("SCO-%03d", i), Title: "Basics", DeliveryMode: domain.DeliveryOnline, Status: domain.CourseActive}); err != nil {
			t.Fatal(err)
		}
		if err := db.meta.FindOne(ctx, bson.D{{Key: "_id", Value: metaWriteLease}}).Err(); err == nil {
			t.Fatal("the lease is left after a write")
		}
	}
	if len(db.abandoned) != 0 {
		t.Errorf("a lease was abandoned: %s", db.abandoned)
	}
}

// A write that has started runs to its end when its caller gives up (the
// database would go on with it anyway): its context outlives the
// caller's. A caller that gave up before the lock was taken writes
// nothing.
func TestAStartedWriteOutlivesItsCaller(t *testing.T) {
	db := openEmbedded(t)
	ctx, cancel := context.WithCancel(context.Background())
	err := db.withWriteLock(ctx, noIntent, func(wctx context.Context) error {
		cancel()
		if wctx.Err() != nil {
			t.Errorf("the write's context ended with its caller's: %v", context.Cause(wctx))
		}
		_, err := db.meta.InsertOne(wctx, bson.D{{Key: "_id", Value: "written"}})
		return err
	})
	if err != nil {
		t.Fatalf("a write whose caller gave up midway: %v", err)
	}
	written := false
	err = db.withWriteLock(ctx, noIntent, func(context.Context) error {
		written = true
		return nil
	})
	if err == nil || written {
		t.Errorf("a write whose caller had given up before the lock ran (%v) or did not fail (%v)", written, err)
	}
	if err := db.meta.FindOne(context.Background(), bson.D{{Key: "_id", Value: "written"}}).Err(); err != nil {
		t.Errorf("the first write is not stored: %v", err)
	}
}

// On MongoDB no lease is taken (DB.serialized is false there): a lease
// document in meta neither delays a write nor is touched by it, and the
// version a write names is checked by the write's own filter, atomically
// in the database.
func TestUnserializedWritesTakeNoLease(t *testing.T) {
	ctx := context.Background()
	db := openEmbedded(t)
	db.serialized = false // as on MongoDB
	plantLease(t, db, "a process that died")
	began := time.Now()
	c := &domain.Course{Code: "SCO-101", Title: "Basics", DeliveryMode: domain.DeliveryOnline, Status: domain.CourseActive}
	if err := db.CreateCourse(ctx, c); err != nil {
		t.Fatal(err)
	}
	stale := *c
	c.Title = "Renamed"
	if err := db.UpdateCourse(ctx, c); err != nil {
		t.Fatal(err)
	}
	stale.Title = "Stale"
	if err := db.UpdateCourse(ctx, &stale); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Errorf("an update naming a replaced version: %v, want ECONFLICT", err)
	}
	if took := time.Since(began); took > writeLeaseTTL/2 {
		t.Errorf("three writes took %s: they waited for the lease", took)
	}
	var l leaseDoc
	if err := db.meta.FindOne(ctx, bson.D{{Key: "_id", Value: metaWriteLease}}).Decode(&l); err != nil || l.Token != "dead-token" || l.Beat != 3 {
		t.Errorf("the lease in meta was touched: %+v, %v", l, err)
	}
}
