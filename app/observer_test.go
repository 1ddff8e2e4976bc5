package app_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"cmap/app"
	"cmap/app/apptest"
)

// observer records what an App tells its Observer, as "what outcome".
type observer struct {
	mu     sync.Mutex
	events []string
}

func (o *observer) add(d time.Duration, format string, args ...any) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if d <= 0 {
		format += " (no duration)"
	}
	o.events = append(o.events, fmt.Sprintf(format, args...))
}

func (o *observer) RulesReloaded(outcome string, d time.Duration) { o.add(d, "reload %s", outcome) }
func (o *observer) Rebuilt(cause string, d time.Duration)         { o.add(d, "rebuild %s", cause) }
func (o *observer) CaughtUp(result string, changes int, d time.Duration) {
	o.add(d, "catch-up %s %d", result, changes)
}

// take returns the events since the last take.
func (o *observer) take() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	events := o.events
	o.events = nil
	return events
}

// The Observer hears of every reload with its outcome, every rebuild with
// its cause and every catch-up that did something, each with its duration.
func TestObserverHearsOfReloadsRebuildsAndCatchUps(t *testing.T) {
	t.Parallel()
	store := smallCatalogue(t)
	ctx := context.Background()
	dir := apptest.CopyRules(t, "../rules")
	o := &observer{}
	a := openApp(t, store, app.Options{RulesDir: dir, Observer: o})
	other := openApp(t, store, app.Options{RulesDir: dir})
	file := filepath.Join(dir, "courses", "4-sales-and-transfers.yaml")

	steps := []struct {
		what string
		do   func()
		want []string
	}{
		{"open", func() {}, []string{"rebuild open"}},
		{"reload of the serving files", func() { _, err := a.ReloadRules(ctx); must(t, err) }, []string{"reload unchanged"}},
		{"reload of a broken file", func() {
			apptest.EditFile(t, file, "covers: {4.C: tier}", "covers: {4.Z: tier}")
			_, err := a.ReloadRules(ctx)
			must(t, err)
		}, []string{"reload rejected"}},
		{"reload of new rules", func() {
			apptest.EditFile(t, file, "covers: {4.Z: tier}", "covers: {4.C: Expert}")
			_, err := a.ReloadRules(ctx)
			must(t, err)
		}, []string{"rebuild rules", "reload applied"}},
		{"catch-up from the log", func() {
			must(t, other.CreateCourse(ctx, course("SCO-301")))
			a.CatchUp()
		}, []string{"catch-up applied 1"}},
		{"a poll with nothing new", func() { a.CatchUp() }, nil},
		{"catch-up the log cannot answer", func() {
			must(t, other.PutFramework(ctx, a.View().Framework()))
			a.CatchUp()
		}, []string{"rebuild catch-up", "catch-up rebuilt 0"}},
		{"a new framework", func() { must(t, a.PutFramework(ctx, a.View().Framework())) }, []string{"rebuild framework"}},
	}
	for _, s := range steps {
		s.do()
		if got := o.take(); !slices.Equal(got, s.want) {
			t.Errorf("%s: the observer heard %q, want %q", s.what, got, s.want)
		}
	}
}
