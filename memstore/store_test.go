package memstore_test

import (
	"cmap/domain"
	"testing"

	"cmap/memstore"
	"cmap/storetest"
)

func TestStore(t *testing.T) {
	storetest.Run(t, func(*testing.T) domain.Store { return memstore.New() })
}

// A clone passes the suite too, whatever its original held.
func TestCloneStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) domain.Store {
		original := memstore.New()
		clone := original.Clone()
		// Writes to the original after the clone must not show in it.
		if err := original.CreateCourse(t.Context(), storetest.SampleCourse("SCO-201")); err != nil {
			t.Fatal(err)
		}
		if err := original.MarkSeeded(t.Context(), "sample"); err != nil {
			t.Fatal(err)
		}
		return clone
	})
}

// The log keeps its full length: a thousand writes take no time here.
func TestChangeLogPruning(t *testing.T) {
	storetest.ChangeLogPruning(t, memstore.New(), domain.ChangeLogLength)
}
