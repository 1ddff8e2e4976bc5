package app

import (
	"log/slog"
	"testing"
	"testing/fstest"

	"cmap/domain"
	"cmap/engine"
	"cmap/internal/gcbench"
	"cmap/workload"
	"cmap/workload/workloadtest"
)

// shippedState builds the state the server serves over the reference
// workload (package workload, scale 1, seed 1: DoD scale), from the
// records and rules as buildState derives and indexes them. The workload
// it was built from is dropped: the state is all that stays of it.
func shippedState(tb testing.TB) *state {
	w, fw, err := workloadtest.Shipped(workload.Config{Scale: 1, Seed: 1})
	if err != nil {
		tb.Fatal(err)
	}
	files := fstest.MapFS{}
	for name, content := range w.RuleFiles {
		files[name] = &fstest.MapFile{Data: []byte(content)}
	}
	rules, err := engine.LoadRuleSetFS(files, "rules", fw)
	if err != nil {
		tb.Fatal(err)
	}
	snap := &snapshot{framework: fw}
	snap.courses = domain.Refs(w.Courses)
	snap.positions = domain.Refs(w.Positions)
	snap.people = domain.Refs(w.People)
	a := &App{logger: slog.New(slog.DiscardHandler)}
	s, err := a.buildState(rules, snap, nil)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// BenchmarkLiveStateGC measures what keeping the DoD-scale serving state
// live costs the garbage collector, which marks all of it on every cycle
// while the server answers requests: each iteration is one full
// collection (runtime.GC) with the state reachable. It reports the live
// heap the state holds (live-MB: rules, facts and analysis index), the
// part of it the collector must scan for pointers (scan-MB), the wall
// time (gc-ms) and CPU time (gc-cpu-ms) of a collection; "requiredBy"
// once a RequiredBy lookup has built the state's requirements index by
// sub-competency. Each sub-benchmark builds its own state (a few seconds).
// Run it alone, as whatever else the test binary keeps live is marked
// too:
//
//	go test -run '^$' -bench LiveStateGC -count 6 ./app/
func BenchmarkLiveStateGC(b *testing.B) {
	for _, bb := range []struct {
		name string
		use  func(b *testing.B, v View)
	}{
		{"fresh", func(*testing.B, View) {}},
		{"requiredBy", func(b *testing.B, v View) {
			code := v.Framework().SubCompetencyCodes()[0]
			if facts, err := v.RequiredBy(code, ""); err != nil || len(facts) == 0 {
				b.Fatalf("RequiredBy(%s) = %d facts, %v; want some", code, len(facts), err)
			}
		}},
	} {
		b.Run(bb.name, func(b *testing.B) {
			before := gcbench.Live()
			s := shippedState(b)
			bb.use(b, View{s})
			use := gcbench.Live().Minus(before)
			gcbench.Collections(b, use, s)
		})
	}
}
