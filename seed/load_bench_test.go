package seed_test

import (
	"path/filepath"
	"testing"

	"cmap/seed"
	"cmap/workload"
	"cmap/workload/workloadtest"
)

// BenchmarkLoadDoDScale loads the seeds folder of the DoD-scale workload:
// 1,000 courses, 15,000 positions, 20,000 people, about 90,000
// completions.
func BenchmarkLoadDoDScale(b *testing.B) {
	w, _, err := workloadtest.Shipped(workload.Config{Scale: 1, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	if err := w.Write(filepath.Join(dir, "seeds"), filepath.Join(dir, "rules")); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		ds, err := seed.Load(filepath.Join(dir, "seeds"))
		if err != nil {
			b.Fatal(err)
		}
		if len(ds.People) != 20000 {
			b.Fatalf("loaded %d people, want 20,000", len(ds.People))
		}
	}
}
