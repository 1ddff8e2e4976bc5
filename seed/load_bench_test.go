package seed_test

import (
	"os"
	"path/filepath"
	"testing"

	"cmap/modelfile"
	"cmap/seed"
	"cmap/workload"
)

// BenchmarkLoadDoDScale loads the seeds folder of the DoD-scale workload:
// 1,000 courses, 15,000 positions, 20,000 people, about 90,000
// completions.
func BenchmarkLoadDoDScale(b *testing.B) {
	path := filepath.Join("..", "seeds", "security-cooperation-competency-model.txt")
	model, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	fw, err := modelfile.Read(path, model)
	if err != nil {
		b.Fatal(err)
	}
	w, err := workload.Generate(workload.Config{Scale: 1, Seed: 1}, fw, filepath.Base(path), model)
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
