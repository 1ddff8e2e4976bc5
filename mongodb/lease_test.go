package mongodb

import (
	"context"
	"testing"
	"time"

	"cmap/storetest"
)

// TestRestartBreaksADeadProcessLease: a process killed while it held the
// write lease leaves the lease in the database; the next process to start
// the embedded server on the folder writes at once, instead of waiting
// writeLeaseTTL.
func TestRestartBreaksADeadProcessLease(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := Open(ctx, Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if !db.serialized {
		t.Fatal("the embedded server does not serialize writes")
	}
	// What a process that dies mid-write leaves behind.
	if _, err := db.meta.InsertOne(ctx, leaseDoc{ID: metaWriteLease, Owner: "dead", Expires: now().Add(writeLeaseTTL)}); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(ctx); err != nil {
		t.Fatal(err)
	}

	db, err = Open(ctx, Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close(ctx)
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.CreateCourse(wctx, storetest.SampleCourse("SCO-201")); err != nil {
		t.Fatalf("the first write after a restart: %v", err)
	}
}
