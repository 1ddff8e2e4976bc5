package app_test

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"runtime"
	"testing"

	"cmap/app"
	"cmap/memstore"
	"cmap/seed"
	"cmap/workload"
	"cmap/workload/workloadtest"
)

// BenchmarkViewMemory builds the read model of the reference workload
// (package workload; scale 1 is DoD scale, 10 the stress size) over an
// in-memory store and reports the heap one generation keeps: records,
// facts and the analysis index. Run with
//
//	go test -run '^$' -bench ViewMemory -benchtime 1x ./app/
func BenchmarkViewMemory(b *testing.B) {
	for _, scale := range []float64{1, 10} {
		b.Run(fmt.Sprintf("scale=%g", scale), func(b *testing.B) {
			ctx := context.Background()
			dir := b.TempDir()
			w, _, err := workloadtest.Shipped(workload.Config{Scale: scale, Seed: 1})
			if err != nil {
				b.Fatal(err)
			}
			seeds, rules := filepath.Join(dir, "seeds"), filepath.Join(dir, "rules")
			if err := w.Write(seeds, rules); err != nil {
				b.Fatal(err)
			}
			ds, err := seed.Load(seeds)
			if err != nil {
				b.Fatal(err)
			}
			store := memstore.New()
			if _, err := seed.Apply(ctx, store, ds); err != nil {
				b.Fatal(err)
			}
			w, ds = nil, nil
			// A first App stores the facts, so that the store holds as much
			// before an Open as after it.
			first, err := app.Open(ctx, store, app.Options{RulesDir: rules, PollInterval: -1, Logger: slog.New(slog.DiscardHandler)})
			if err != nil {
				b.Fatal(err)
			}
			first.Close()
			first = nil
			for b.Loop() {
				before := heapInUse()
				a, err := app.Open(ctx, store, app.Options{RulesDir: rules, PollInterval: -1, Logger: slog.New(slog.DiscardHandler)})
				if err != nil {
					b.Fatal(err)
				}
				v := a.View()
				b.ReportMetric(float64(heapInUse()-before)/1e6, "MB/generation")
				runtime.KeepAlive(v)
				a.Close()
			}
		})
	}
}

// heapInUse returns the bytes of live heap objects after a collection.
func heapInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
