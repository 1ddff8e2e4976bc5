// Package workloadtest generates the reference workload (package workload)
// over the shipped competency model, for the benchmarks of the packages
// that load, seed or serve it.
package workloadtest

import (
	"os"
	"path/filepath"

	"cmap/domain"
	"cmap/modelfile"
	"cmap/workload"
)

// ModelFile is the shipped competency model, as a benchmark in a package
// directory (one below the module's root) reaches it.
var ModelFile = filepath.Join("..", "seeds", "security-cooperation-competency-model.txt")

// Shipped generates the workload of cfg over the competency model in
// ModelFile, and returns it with the model it read.
func Shipped(cfg workload.Config) (*workload.Workload, *domain.Framework, error) {
	model, err := os.ReadFile(ModelFile)
	if err != nil {
		return nil, nil, err
	}
	fw, err := modelfile.Read(ModelFile, model)
	if err != nil {
		return nil, nil, err
	}
	w, err := workload.Generate(cfg, fw, filepath.Base(ModelFile), model)
	if err != nil {
		return nil, nil, err
	}
	return w, fw, nil
}
