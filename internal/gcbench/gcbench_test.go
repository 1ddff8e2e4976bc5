package gcbench_test

import (
	"testing"

	"cmap/internal/gcbench"
)

// sink keeps what the test allocates reachable.
var sink [][]*int

// Live counts what is allocated and kept, pointers in the scannable part.
func TestLiveCountsWhatIsKept(t *testing.T) {
	before := gcbench.Live()
	sink = make([][]*int, 1000)
	for i := range sink {
		sink[i] = make([]*int, 1000) // 8 MB of pointer slots in all
	}
	use := gcbench.Live().Minus(before)
	if use.Live < 8e6 || use.Scannable < 8e6 {
		t.Errorf("8 MB of pointers kept: live %d, scannable %d bytes", use.Live, use.Scannable)
	}
	sink = nil
}
