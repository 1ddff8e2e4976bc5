package app_test

import (
	"context"
	"log/slog"
	"testing"

	"cmap/app"
	"cmap/memstore"
)

// BenchmarkPreviewRevision previews the revised copy of the shipped model
// in testdata/revision (4.C moved, 4.K retired, 9.E new) over the DoD-scale
// workload (1,000 courses, 15,000 positions, 20,000 people) in memstore:
// the rules loaded against the revision, every fact derived and indexed
// again, and the impact planned. Applying it does the same work after one
// store write.
func BenchmarkPreviewRevision(b *testing.B) {
	ctx := context.Background()
	store := memstore.New()
	rules := seedWorkload(b, store, 1)
	a, err := app.Open(ctx, store, app.Options{RulesDir: rules, PollInterval: -1, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	defer a.Close()
	next, cw := revisedModel(b, sampleCrosswalk)
	for b.Loop() {
		if _, err := a.PreviewRevision(ctx, next, cw); err != nil {
			b.Fatal(err)
		}
	}
}
