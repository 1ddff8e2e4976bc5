package engine

import (
	"cmap/domain"
	"testing"
)

// DoDScaleWorkload returns the rule set and catalogue of
// BenchmarkDeriveAllDoDScale, for the tests of package engine_test.
func DoDScaleWorkload(t testing.TB) (*RuleSet, []*domain.Course, []*domain.Position) {
	w := newSyntheticWorkload(1, 1000, 500, 15000, 200)
	return mustLoad(t, w.files), w.courses, w.positions
}
