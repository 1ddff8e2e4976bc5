package analysis

import "slices"

// numbering gives each record of a kind (positions, people) a number, for
// the large lists of records to hold instead of its key: a list of numbers
// (int32) holds no pointer for the garbage collector to scan, a list of
// keys one per entry. A record keeps its number in every index derived
// from the one that gave it, and the number of a removed record is not
// given again, so that a number always finds its key. Build numbers
// records in key order.
type numbering []string // the key of each number

// with returns the numbering with key added under the next number, and
// that number. m itself is unchanged: other indexes derived from the same
// one may add records of their own.
func (m numbering) with(key string) (numbering, int32) {
	return append(slices.Clip(m), key), int32(len(m))
}

// keys returns the keys of the distinct numbers nums, sorted.
func (m numbering) keys(nums []int32) []string {
	out := make([]string, len(nums))
	for i, n := range nums {
		out[i] = m[n]
	}
	if !slices.IsSorted(out) { // numbers follow keys unless records were added since Build
		slices.Sort(out)
	}
	return out
}
