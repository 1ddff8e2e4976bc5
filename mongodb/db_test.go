package mongodb_test

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cmap/mongodb"
	"cmap/mongodb/mongotest"
	"cmap/storetest"
)

func TestMain(m *testing.M) { mongotest.Main(m) }

func TestEmbeddedRestartKeepsData(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "data") // created by Open
	db, err := mongodb.Open(ctx, mongodb.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if !db.Embedded() || db.URI() != "mongodb://"+url.QueryEscape(filepath.Join(dir, "run", "db.sock"))+"/" {
		t.Errorf("embedded DB: Embedded() = %v, URI() = %q", db.Embedded(), db.URI())
	}
	c := storetest.SampleCourse("SCO-201")
	if err := db.CreateCourse(ctx, c); err != nil {
		t.Fatal(err)
	}
	if err := db.MarkSeeded(ctx, "sample"); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(ctx); err != nil {
		t.Fatalf("second Close: %v", err)
	}

	db, err = mongodb.Open(ctx, mongodb.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close(ctx)
	got, err := db.Course(ctx, "SCO-201")
	if err != nil {
		t.Fatal(err)
	}
	assertEqual(t, got, c)
	if name, err := db.SeededWith(ctx); err != nil || name != "sample" {
		t.Errorf("SeededWith after restart = %q, %v; want sample", name, err)
	}
}

func TestSecondClientSharesEmbeddedServer(t *testing.T) {
	ctx := context.Background()
	first := mongotest.Open(t)
	if first.Embedded() {
		t.Error("a DB opened by URI reports Embedded")
	}
	second, err := mongodb.Open(ctx, mongodb.Config{URI: first.URI(), Database: first.DatabaseName()})
	if err != nil {
		t.Fatal(err)
	}
	defer second.Close(ctx)
	c := storetest.SampleCourse("SCO-301")
	if err := first.CreateCourse(ctx, c); err != nil {
		t.Fatal(err)
	}
	got, err := second.Course(ctx, c.Code)
	if err != nil {
		t.Fatal(err)
	}
	assertEqual(t, got, c)
}

func TestOpenErrors(t *testing.T) {
	ctx := context.Background()
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		cfg  mongodb.Config
		want string
	}{
		{"no data dir", mongodb.Config{}, "no data folder"},
		{"data dir is a file", mongodb.Config{DataDir: file}, "cannot create data folder"},
		{"not a mongodb URI", mongodb.Config{URI: "http://localhost"}, "bad URI"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, err := mongodb.Open(ctx, tt.cfg)
			if err == nil {
				db.Close(ctx)
				t.Fatal("Open succeeded")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not say %q", err, tt.want)
			}
		})
	}
}

func TestOpenUnreachableFailsFast(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	// Port 1 on loopback refuses connections.
	_, err := mongodb.Open(ctx, mongodb.Config{URI: "mongodb://127.0.0.1:1/"})
	if err == nil || !strings.Contains(err.Error(), "does not answer") {
		t.Errorf("Open of an unreachable server: %v", err)
	}
}

func TestBackend(t *testing.T) {
	ctx := context.Background()
	db := mongotest.Open(t)
	backend, err := db.Backend(ctx)
	if err != nil || !strings.HasPrefix(backend, "FerretDB ") || strings.Contains(backend, " v") {
		t.Errorf("Backend() = %q, %v", backend, err)
	}
}
