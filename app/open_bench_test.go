package app_test

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"

	"cmap/app"
	"cmap/memstore"
)

// BenchmarkOpen opens an App over the DoD-scale workload (1,000 courses,
// 15,000 positions, 20,000 people), reading the records from the store
// (memstore: the cost of the App's own work, not of a database's reads)
// and from a snapshot file. Rules, derivation and indexing are in both.
func BenchmarkOpen(b *testing.B) {
	ctx := context.Background()
	store := memstore.New()
	rules := seedWorkload(b, store, 1)
	file := filepath.Join(b.TempDir(), "snapshot")
	open := func(b *testing.B, snapshot string) *app.App {
		a, err := app.Open(ctx, store, app.Options{RulesDir: rules, PollInterval: -1, SnapshotFile: snapshot,
			Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			b.Fatal(err)
		}
		return a
	}
	// The facts stored once, so that no Open syncs them meanwhile.
	first := open(b, file)
	if err := first.SyncFacts(ctx); err != nil {
		b.Fatal(err)
	}
	first.Close() // writes the snapshot file
	for _, bb := range []struct{ name, file string }{{"from the store", ""}, {"from the snapshot file", file}} {
		b.Run(bb.name, func(b *testing.B) {
			for b.Loop() {
				open(b, bb.file).Close()
			}
		})
	}
}
