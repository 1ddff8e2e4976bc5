package mongotest_test

import (
	"cmap/domain"
	"context"
	"testing"

	"cmap/mongodb"
	"cmap/mongodb/mongotest"
)

func TestMain(m *testing.M) { mongotest.Main(m) }

func TestOpenGivesSeparateEmptyDatabases(t *testing.T) {
	ctx := context.Background()
	a, b := mongotest.Open(t), mongotest.Open(t)
	if a.DatabaseName() == b.DatabaseName() {
		t.Fatalf("both databases are named %s", a.DatabaseName())
	}
	if a.URI() != b.URI() {
		t.Errorf("two servers: %s and %s", a.URI(), b.URI())
	}
	if err := a.MarkSeeded(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if name, err := b.SeededWith(ctx); err != nil || name != "" {
		t.Errorf("a write to one database shows in the other: %q, %v", name, err)
	}
}

func TestCleanupDropsTheDatabase(t *testing.T) {
	ctx := context.Background()
	var uri, name string
	t.Run("writer", func(t *testing.T) {
		db := mongotest.Open(t)
		uri, name = db.URI(), db.DatabaseName()
		if err := db.MarkSeeded(ctx, "sample"); err != nil {
			t.Fatal(err)
		}
	})
	db, err := mongodb.Open(ctx, mongodb.Config{URI: uri, Database: name})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close(ctx)
	defer db.DropDatabase(ctx)
	if seeded, err := db.SeededWith(ctx); err != nil || seeded != "" {
		t.Errorf("database %s still holds data after its test ended: %q, %v", name, seeded, err)
	}
	_, err = db.Framework(ctx)
	if domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("Framework on a dropped database: %v", err)
	}
}
