package apptest

import (
	"cmap/domain"
	"cmap/storemetrics"
	"maps"
	"sync"
	"time"
)

// CountingStore is a Store that counts, by method name, the calls of the
// methods it was told to count that reach the Store beneath it; it counts
// through storemetrics.Wrap. A test names the methods it is about, so that
// other callers of the store (the App's background facts keeper) do not
// blur its counts. It is a plain domain.Store: a ChangeWatcher beneath it
// is hidden, so an App over it polls rather than watches.
type CountingStore struct {
	domain.Store
	count map[string]bool
	mu    sync.Mutex
	calls map[string]int
}

// NewCountingStore returns a CountingStore over s that counts the calls
// of methods (names as in domain.Store, e.g. "ListCourses").
func NewCountingStore(s domain.Store, methods ...string) *CountingStore {
	c := &CountingStore{count: map[string]bool{}, calls: map[string]int{}}
	for _, m := range methods {
		c.count[m] = true
	}
	c.Store = storemetrics.Wrap(s, c.observe)
	return c
}

func (c *CountingStore) observe(method string, _ time.Duration, _ error) {
	if !c.count[method] {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls[method]++
}

// Calls returns the counts so far, by method; methods not called are
// absent.
func (c *CountingStore) Calls() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.calls)
}

// Reset forgets the counts and returns them.
func (c *CountingStore) Reset() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	calls := c.calls
	c.calls = map[string]int{}
	return calls
}
