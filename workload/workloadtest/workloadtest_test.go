package workloadtest_test

import (
	"path/filepath"
	"testing"

	"cmap/workload"
	"cmap/workload/workloadtest"
)

func TestShippedGeneratesTheConfiguredWorkloadOverTheShippedModel(t *testing.T) {
	// This package is two folders below the module's root, not one.
	workloadtest.ModelFile = filepath.Join("..", workloadtest.ModelFile)
	cfg := workload.Config{Scale: 0.01, Seed: 1}
	w, fw, err := workloadtest.Shipped(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if fw.Name != "Security Cooperation" || len(fw.Competencies) == 0 {
		t.Errorf("the model read is %q with %d competencies, want the shipped Security Cooperation model", fw.Name, len(fw.Competencies))
	}
	want := cfg.Sizes()
	if len(w.Courses) != want.Courses || len(w.Positions) != want.Positions || len(w.People) != want.People {
		t.Errorf("%d courses, %d positions, %d people; want %+v", len(w.Courses), len(w.Positions), len(w.People), want)
	}
}
