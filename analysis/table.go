package analysis

import (
	"cmp"
	"maps"
	"slices"
)

// shardCount is the number of shards of a table. A write copies the array
// of shard pointers and the one shard it touches, so at DoD scale (20,000
// people) a single-record update copies about 150 map entries, not 20,000.
const shardCount = 128

// table is an immutable map from string keys to values, split into shards
// so that a derived table shares every shard it does not change. Readers
// never lock: a table is never modified once built.
type table[V any] struct {
	shards *[shardCount]map[string]V
	n      int
}

func shardOf(key string) int {
	h := uint32(2166136261) // FNV-1a
	for i := 0; i < len(key); i++ {
		h ^= uint32(key[i])
		h *= 16777619
	}
	return int(h % shardCount)
}

// get returns the value stored under key.
func (t table[V]) get(key string) (V, bool) {
	if t.shards == nil {
		var zero V
		return zero, false
	}
	v, ok := t.shards[shardOf(key)][key]
	return v, ok
}

// len returns the number of keys.
func (t table[V]) len() int { return t.n }

// keys returns every key, sorted.
func (t table[V]) keys() []string {
	keys := make([]string, 0, t.n)
	if t.shards == nil {
		return keys
	}
	for _, s := range t.shards {
		for k := range s {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

// tableWriter derives a new table from an old one, copying each shard the
// first time it is written.
type tableWriter[V any] struct {
	shards *[shardCount]map[string]V
	owned  [shardCount]bool
	n      int
}

// edit starts a derived table; t itself is left unchanged.
func (t table[V]) edit() *tableWriter[V] {
	w := &tableWriter[V]{shards: new([shardCount]map[string]V), n: t.n}
	if t.shards != nil {
		*w.shards = *t.shards
	}
	return w
}

func (w *tableWriter[V]) shard(key string) map[string]V {
	i := shardOf(key)
	if !w.owned[i] {
		if w.shards[i] == nil {
			w.shards[i] = map[string]V{}
		} else {
			w.shards[i] = maps.Clone(w.shards[i])
		}
		w.owned[i] = true
	}
	return w.shards[i]
}

// get reads through the writer (its own writes included).
func (w *tableWriter[V]) get(key string) (V, bool) {
	v, ok := w.shards[shardOf(key)][key]
	return v, ok
}

// set stores v under key.
func (w *tableWriter[V]) set(key string, v V) {
	s := w.shard(key)
	if _, ok := s[key]; !ok {
		w.n++
	}
	s[key] = v
}

// del removes key.
func (w *tableWriter[V]) del(key string) {
	if _, ok := w.get(key); !ok {
		return
	}
	delete(w.shard(key), key)
	w.n--
}

// done returns the derived table; the writer must not be used afterwards.
func (w *tableWriter[V]) done() table[V] {
	return table[V]{shards: w.shards, n: w.n}
}

// insertSorted returns a copy of the sorted slice s with v added (s itself
// is shared by older indexes and never modified).
func insertSorted[T cmp.Ordered](s []T, v T) []T {
	i, found := slices.BinarySearch(s, v)
	if found {
		return s
	}
	out := make([]T, 0, len(s)+1)
	out = append(out, s[:i]...)
	out = append(out, v)
	return append(out, s[i:]...)
}

// removeSorted returns a copy of the sorted slice s without v.
func removeSorted[T cmp.Ordered](s []T, v T) []T {
	i, found := slices.BinarySearch(s, v)
	if !found {
		return s
	}
	out := make([]T, 0, len(s)-1)
	out = append(out, s[:i]...)
	return append(out, s[i+1:]...)
}

// addToList adds v to the sorted list under key.
func addToList[T cmp.Ordered](w *tableWriter[[]T], key string, v T) {
	list, _ := w.get(key)
	w.set(key, insertSorted(list, v))
}

// removeFromList removes v from the sorted list under key, and the key
// with it when the list becomes empty.
func removeFromList[T cmp.Ordered](w *tableWriter[[]T], key string, v T) {
	list, _ := w.get(key)
	if list = removeSorted(list, v); len(list) == 0 {
		w.del(key)
	} else {
		w.set(key, list)
	}
}
