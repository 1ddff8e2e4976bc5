package mongodb

import (
	"cmap/domain"
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// openEmbedded opens a DB on a new embedded FerretDB in a temporary folder.
func openEmbedded(tb testing.TB) *DB {
	tb.Helper()
	return openEmbeddedAt(tb, tb.TempDir())
}

// openEmbeddedAt opens the embedded server on the data folder dir, closed
// when tb ends.
func openEmbeddedAt(tb testing.TB, dir string) *DB {
	tb.Helper()
	ctx := context.Background()
	db, err := Open(ctx, Config{DataDir: dir})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close(ctx) })
	return db
}

// insertPeople inserts n people in bulk, bypassing the Store's one-by-one
// writes, to make a large collection quickly.
func insertPeople(tb testing.TB, db *DB, n int) {
	tb.Helper()
	docs := make([]any, n)
	for i := range docs {
		docs[i] = personToDoc(&domain.Person{
			ID: fmt.Sprintf("P-%05d", i), Name: fmt.Sprintf("Person %d", i), PositionID: fmt.Sprintf("POS-%04d", i%1000),
			Version: 1, UpdatedAt: time.Unix(0, 0).UTC(),
		})
	}
	for start := 0; start < n; start += 1000 {
		if _, err := db.people.InsertMany(context.Background(), docs[start:min(start+1000, n)]); err != nil {
			tb.Fatal(err)
		}
	}
}

// TestEmbeddedLookupByKeyUsesIndex asks SQLite how it runs the query
// FerretDB sends for a lookup by _id, on every collection: through the
// index indexIDPaths made, never a scan.
func TestEmbeddedLookupByKeyUsesIndex(t *testing.T) {
	db := openEmbedded(t)
	insertPeople(t, db, 50)
	if _, err := db.Person(context.Background(), "P-00007"); err != nil {
		t.Fatal(err)
	}
	conn, err := sql.Open("sqlite", "file:"+filepath.ToSlash(filepath.Join(db.embedded.dir, DefaultDatabase+".sqlite")))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	tables, err := collectionTables(context.Background(), conn)
	if err != nil {
		t.Fatal(err)
	}
	if len(tables) != len(db.collections()) {
		t.Fatalf("%d collection tables, want one for each of the %d collections", len(tables), len(db.collections()))
	}
	for _, table := range tables {
		// The statement of FerretDB's sqlite backend for a lone _id
		// filter (backends/sqlite/collection.go, Query).
		q := fmt.Sprintf(`EXPLAIN QUERY PLAN SELECT _ferretdb_sjson FROM %s WHERE %s = ?`, quoteIdent(table), idPath)
		var plan []string
		rows, err := conn.Query(q, `"P-00007"`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id, parent, notUsed int
			var detail string
			if err := rows.Scan(&id, &parent, &notUsed, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		got := strings.Join(plan, "; ")
		if want := "USING INDEX " + table + idPathIndexSuffix; !strings.Contains(got, want) {
			t.Errorf("table %s: plan %q, want it %s", table, got, want)
		}
	}
}

// TestIndexIDPathsIsIdempotent reopens a data folder: the indexes exist
// and opening again neither fails nor adds any.
func TestIndexIDPathsIsIdempotent(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	for range 2 {
		db, err := Open(ctx, Config{DataDir: dir})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Close(ctx); err != nil {
			t.Fatal(err)
		}
	}
	conn, err := sql.Open("sqlite", "file:"+filepath.ToSlash(filepath.Join(dir, DefaultDatabase+".sqlite")))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var n int
	if err := conn.QueryRow(`SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name LIKE '%' || ?`, idPathIndexSuffix).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if want := len((&DB{}).collections()); n != want {
		t.Errorf("%d _id path indexes after two opens, want %d", n, want)
	}
}

// BenchmarkPersonByKey20k looks one person up by id among 20,000 on the
// embedded FerretDB (issue 7 measured 55 ms a lookup before the index).
func BenchmarkPersonByKey20k(b *testing.B) {
	db := openEmbedded(b)
	insertPeople(b, db, 20000)
	ctx := context.Background()
	i := 0
	for b.Loop() {
		if _, err := db.Person(ctx, fmt.Sprintf("P-%05d", i%20000)); err != nil {
			b.Fatal(err)
		}
		i += 7919
	}
}
