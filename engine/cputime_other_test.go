//go:build !unix

package engine

import "time"

// processCPUTime reports that the CPU time of the process is unknown here.
func processCPUTime() (time.Duration, bool) { return 0, false }
