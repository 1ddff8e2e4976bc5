package app_test

import (
	"cmap/domain"
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"testing"

	"cmap/app"
	"cmap/memstore"
	"cmap/mongodb/mongotest"
	"cmap/seed"
	"cmap/workload"
	"cmap/workload/workloadtest"
)

// BenchmarkCatchUp measures how an instance catches up with one write of
// another (here straight to the store): from the change log ("log", one
// position read, its requirements derived and stored, the index updated)
// and, for comparison, by rebuilding everything as before the log existed
// ("rebuild", forced by storing the framework again). The catalogue is the
// reference workload: scale 1 (DoD scale: 1,000 courses, 15,000
// positions, 20,000 people) in memory, scale 0.05 on the embedded
// FerretDB (seeding it one record at a time takes long).
//
//	go test ./app -run '^$' -bench CatchUp -benchtime 20x
func BenchmarkCatchUp(b *testing.B) {
	for _, tc := range []struct {
		store string
		scale float64
	}{{"memstore", 1}, {"ferretdb", 0.05}} {
		b.Run(fmt.Sprintf("%s/scale=%g", tc.store, tc.scale), func(b *testing.B) {
			var store domain.Store = memstore.New()
			if tc.store == "ferretdb" {
				store = mongotest.Open(b)
			}
			rules := seedWorkload(b, store, tc.scale)
			ctx := context.Background()
			a, err := app.Open(ctx, store, app.Options{RulesDir: rules, PollInterval: -1, Logger: slog.New(slog.DiscardHandler)})
			if err != nil {
				b.Fatal(err)
			}
			defer a.Close()
			first, err := store.ListPositions(ctx, domain.PositionFilter{}, domain.Page{First: 1})
			if err != nil {
				b.Fatal(err)
			}
			p := first.Items[0]
			b.Run("log", func(b *testing.B) {
				for b.Loop() {
					b.StopTimer()
					p.KeyBillet = !p.KeyBillet
					if err := store.UpdatePosition(ctx, p); err != nil {
						b.Fatal(err)
					}
					b.StartTimer()
					a.CatchUp()
				}
			})
			b.Run("rebuild", func(b *testing.B) {
				fw := a.View().Framework()
				for b.Loop() {
					b.StopTimer()
					if err := store.PutFramework(ctx, fw); err != nil {
						b.Fatal(err)
					}
					b.StartTimer()
					a.CatchUp()
				}
			})
			if got, _ := a.View().Position(p.ID); got.KeyBillet != p.KeyBillet {
				b.Fatal("the catch-ups missed a write")
			}
		})
	}
}

// seedWorkload seeds store with the reference workload at scale and
// returns the folder of its rules.
func seedWorkload(b *testing.B, store domain.Store, scale float64) string {
	b.Helper()
	w, _, err := workloadtest.Shipped(workload.Config{Scale: scale, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	seeds, rules := filepath.Join(dir, "seeds"), filepath.Join(dir, "rules")
	if err := w.Write(seeds, rules); err != nil {
		b.Fatal(err)
	}
	ds, err := seed.Load(seeds)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := seed.Apply(context.Background(), store, ds); err != nil {
		b.Fatal(err)
	}
	return rules
}
