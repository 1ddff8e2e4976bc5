// Package gcbench measures, for benchmarks, what keeping a structure live
// costs the garbage collector, which marks everything live on every cycle
// while the server answers requests.
package gcbench

import (
	"runtime"
	"runtime/metrics"
	"testing"
)

// HeapUse is what a collection found live on the heap.
type HeapUse struct {
	// Live counts the bytes of live objects; Scannable those of the
	// spans that may hold pointers, which the collector must scan.
	Live, Scannable uint64
}

// Minus returns what h holds beyond o.
func (h HeapUse) Minus(o HeapUse) HeapUse {
	return HeapUse{h.Live - o.Live, h.Scannable - o.Scannable}
}

// Live collects garbage and returns what the collection found live.
func Live() HeapUse {
	runtime.GC()
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}, {Name: "/gc/scan/heap:bytes"}}
	metrics.Read(s)
	return HeapUse{s[0].Value.Uint64(), s[1].Value.Uint64()}
}

// cpuSeconds returns the CPU time the collector has spent so far (an
// estimate the runtime updates at the end of each cycle).
func cpuSeconds() float64 {
	s := []metrics.Sample{{Name: "/cpu/classes/gc/total:cpu-seconds"}}
	metrics.Read(s)
	return s[0].Value.Float64()
}

// Collections runs b's loop, one full collection (runtime.GC) an
// iteration with keep reachable, and reports what keep holds, use (as
// Live().Minus measured it): its live heap (live-MB) and the part of it
// the collector must scan (scan-MB); and the wall time (gc-ms) and CPU
// time (gc-cpu-ms) of a collection.
func Collections(b *testing.B, use HeapUse, keep any) {
	cpu := cpuSeconds()
	for b.Loop() {
		runtime.GC()
	}
	runtime.KeepAlive(keep)
	b.ReportMetric(float64(use.Live)/1e6, "live-MB")
	b.ReportMetric(float64(use.Scannable)/1e6, "scan-MB")
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1e3/float64(b.N), "gc-ms")
	b.ReportMetric((cpuSeconds()-cpu)*1e3/float64(b.N), "gc-cpu-ms")
}
