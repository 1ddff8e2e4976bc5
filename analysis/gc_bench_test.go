package analysis_test

import (
	"sync"
	"testing"
	"testing/fstest"

	"cmap/analysis"
	"cmap/domain"
	"cmap/engine"
	"cmap/internal/gcbench"
	"cmap/workload"
	"cmap/workload/workloadtest"
)

// shippedIndex is the Index of the reference workload (package workload,
// scale 1, seed 1: DoD scale) with the facts its rules derive, as the
// server builds it, and the heap it keeps live. It is built once per test
// binary; the snapshot it was built from is dropped, so the index is all
// that stays of the workload.
var shippedIndex = sync.OnceValues(func() (*analysis.Index, gcbench.HeapUse) {
	before := gcbench.Live()
	ix, err := buildShipped()
	if err != nil {
		panic(err)
	}
	return ix, gcbench.Live().Minus(before)
})

// buildShipped generates the reference workload, derives its facts with
// its rules and indexes them.
func buildShipped() (*analysis.Index, error) {
	w, fw, err := workloadtest.Shipped(workload.Config{Scale: 1, Seed: 1})
	if err != nil {
		return nil, err
	}
	files := fstest.MapFS{}
	for name, content := range w.RuleFiles {
		files[name] = &fstest.MapFile{Data: []byte(content)}
	}
	rules, err := engine.LoadRuleSetFS(files, "rules", fw)
	if err != nil {
		return nil, err
	}
	s := analysis.Snapshot{Framework: fw, Scale: rules.Scale()}
	s.Courses = domain.Refs(w.Courses)
	s.Positions = domain.Refs(w.Positions)
	s.People = domain.Refs(w.People)
	d, err := rules.DeriveAll(s.Courses, s.Positions)
	if err != nil {
		return nil, err
	}
	s.Coverage, s.Requirements = d.Coverage, d.Requirements
	return analysis.Build(s)
}

// BenchmarkLiveIndexGC measures what keeping the DoD-scale Index live
// costs the garbage collector, which marks all of it on every cycle while
// the server answers requests: each iteration is one full collection
// (runtime.GC) with the index reachable. It reports the live heap the
// index holds (live-MB), the part of it the collector must scan for
// pointers (scan-MB), the wall time (gc-ms) and CPU time (gc-cpu-ms) of a
// collection. Run it alone, as whatever else the test binary keeps live is
// marked too:
//
//	go test -run '^$' -bench LiveIndexGC -count 6 ./analysis/
func BenchmarkLiveIndexGC(b *testing.B) {
	ix, use := shippedIndex()
	gcbench.Collections(b, use, ix)
}
