package storemetrics_test

import (
	"cmap/domain"
	"context"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"cmap/memstore"
	"cmap/storemetrics"
	"cmap/storetest"
)

// calls records the observations of a wrapped Store.
type calls struct {
	mu   sync.Mutex
	seen map[string]int
	errs map[string][]string
}

func (c *calls) observe(method string, d time.Duration, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if d < 0 {
		panic("negative duration")
	}
	c.seen[method]++
	if err != nil {
		c.errs[method] = append(c.errs[method], domain.ErrorCode(err))
	}
}

// A wrapped Store is a Store: it passes the conformance suite, and every
// method of domain.Store that the suite calls is observed under its name.
func TestWrappedStorePassesTheSuite(t *testing.T) {
	c := &calls{seen: map[string]int{}, errs: map[string][]string{}}
	storetest.Run(t, func(*testing.T) domain.Store { return storemetrics.Wrap(memstore.New(), c.observe) })

	store := reflect.TypeFor[domain.Store]()
	for i := range store.NumMethod() {
		if name := store.Method(i).Name; c.seen[name] == 0 {
			t.Errorf("%s was never observed", name)
		}
	}
	for name := range c.seen {
		if _, ok := store.MethodByName(name); !ok {
			t.Errorf("observed %q, which is no method of domain.Store", name)
		}
	}
	// The suite asks for records that do not exist and writes stale
	// versions: the observer sees those errors with their codes.
	if !slices.Contains(c.errs["Course"], domain.ENOTFOUND) {
		t.Errorf("Course errors observed: %v, want ENOTFOUND among them", c.errs["Course"])
	}
	if !slices.Contains(c.errs["UpdateCourse"], domain.ECONFLICT) {
		t.Errorf("UpdateCourse errors observed: %v, want ECONFLICT among them", c.errs["UpdateCourse"])
	}
}

// A Store that can announce changes stays one once wrapped; one that
// cannot does not pretend to.
func TestWrapKeepsChangeWatcher(t *testing.T) {
	nop := func(string, time.Duration, error) {}
	w, ok := storemetrics.Wrap(memstore.New(), nop).(domain.ChangeWatcher)
	if !ok {
		t.Fatal("a wrapped memstore is no domain.ChangeWatcher")
	}
	ctx, cancel := context.WithCancel(t.Context())
	events, err := w.WatchChanges(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	for range events {
	}
	if _, ok := storemetrics.Wrap(plainStore{memstore.New()}, nop).(domain.ChangeWatcher); ok {
		t.Error("a wrapped Store that cannot watch claims to be an domain.ChangeWatcher")
	}
}

// plainStore hides every method but those of domain.Store.
type plainStore struct{ domain.Store }
