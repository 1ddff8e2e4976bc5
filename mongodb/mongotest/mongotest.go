// Package mongotest gives tests a real database: a fresh, uniquely named
// database inside one embedded FerretDB shared by the whole test process.
//
// Use it from any package's tests:
//
//	func TestMain(m *testing.M) { mongotest.Main(m) }
//
//	func TestSomething(t *testing.T) {
//		db := mongotest.Open(t) // an domain.Store, dropped when t ends
//		...
//	}
//
// The server starts on the first Open (a second or so) in a temporary
// folder. Main stops it and removes the folder after the tests ran; without
// Main the server lives until the process exits and the folder stays behind.
package mongotest

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"sync"
	"sync/atomic"
	"testing"

	"cmap/mongodb"
)

// shared is the process-wide embedded server.
var shared struct {
	once sync.Once
	dir  string
	db   *mongodb.DB // the connection that owns the embedded FerretDB
	err  error
}

// databases numbers the databases Open creates, to keep names unique.
var databases atomic.Int64

// start starts the shared server once.
func start() (*mongodb.DB, error) {
	shared.once.Do(func() {
		dir, err := os.MkdirTemp("", "cmap-mongotest-")
		if err != nil {
			shared.err = fmt.Errorf("mongotest: %w", err)
			return
		}
		shared.dir = dir
		shared.db, shared.err = mongodb.Open(context.Background(), mongodb.Config{DataDir: dir, Database: "mongotest"})
	})
	return shared.db, shared.err
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9_]+`)

// Open returns a DB on a new, empty database of the shared embedded
// FerretDB (started on first use). When tb ends, the database is dropped
// and the connection closed.
func Open(tb testing.TB) *mongodb.DB {
	tb.Helper()
	server, err := start()
	if err != nil {
		tb.Fatalf("mongotest: starting the embedded FerretDB: %v", err)
	}
	name := fmt.Sprintf("t%d_%s", databases.Add(1), unsafeName.ReplaceAllString(tb.Name(), "_"))
	if len(name) > 60 {
		name = name[:60]
	}
	ctx := context.Background()
	db, err := mongodb.Open(ctx, mongodb.Config{URI: server.URI(), Database: name})
	if err != nil {
		tb.Fatalf("mongotest: %v", err)
	}
	tb.Cleanup(func() {
		if err := db.DropDatabase(ctx); err != nil {
			tb.Errorf("mongotest: dropping %s: %v", name, err)
		}
		if err := db.Close(ctx); err != nil {
			tb.Errorf("mongotest: closing %s: %v", name, err)
		}
	})
	return db
}

// Main runs the tests of m, then stops the shared server (if any test
// started it), removes its folder and exits with the tests' status. Call it
// from TestMain.
func Main(m *testing.M) {
	code := m.Run()
	if err := stop(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		if code == 0 {
			code = 1
		}
	}
	os.Exit(code)
}

// stop stops the shared server and removes its folder.
func stop() error {
	if shared.db == nil && shared.dir == "" {
		return nil
	}
	var err error
	if shared.db != nil {
		err = shared.db.Close(context.Background())
	}
	if rmErr := os.RemoveAll(shared.dir); rmErr != nil && err == nil {
		err = rmErr
	}
	if err != nil {
		return fmt.Errorf("mongotest: stopping the embedded FerretDB: %w", err)
	}
	return nil
}
