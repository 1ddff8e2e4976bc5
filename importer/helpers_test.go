package importer_test

import (
	"cmap/domain"
	"cmp"
	"reflect"
	"slices"
	"testing"
)

// checkSame reports the first difference between two lists of records.
func checkSame[T any](t *testing.T, what string, got, want []T) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d records, want %d", what, len(got), len(want))
		return
	}
	for i := range got {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("%s[%d]:\n got %+v\nwant %+v", what, i, got[i], want[i])
			return
		}
	}
}

// byID returns people sorted by id.
func byID(people []domain.Person) []domain.Person {
	return slices.SortedFunc(slices.Values(people), func(a, b domain.Person) int { return cmp.Compare(a.ID, b.ID) })
}
