package app

import (
	"cmap/domain"
	"time"
)

// poll catches up with the store every PollInterval until Close and, when
// the store can announce changes (domain.ChangeWatcher: a MongoDB replica
// set's change streams), also at once after each announcement. A store
// that cannot (FerretDB, a standalone MongoDB) is polled only; a watch
// that ends is opened again at the next tick, polling meanwhile. Once a
// watch is open the App catches up, with the writes made before it.
func (a *App) poll() {
	defer a.done.Done()
	t := time.NewTicker(a.opts.PollInterval)
	defer t.Stop()
	watcher, _ := a.store.(domain.ChangeWatcher)
	var events <-chan struct{}
	if watcher != nil {
		if events = a.watchChanges(watcher); events == nil {
			watcher = nil
		} else {
			a.catchUp() // with the writes made before the watch opened
		}
	}
	for {
		select {
		case <-a.ctx.Done():
			return
		case <-t.C:
			if watcher != nil && events == nil {
				events = a.watchChanges(watcher)
			}
			a.catchUp()
		case _, ok := <-events:
			if !ok {
				events = nil
				if a.ctx.Err() == nil {
					a.logger.Warn("watching the store's changes ended; polling until the watch opens again")
				}
				continue
			}
			a.catchUp()
		}
	}
}

// watchChanges opens a watch of the store's changes, or returns nil and
// logs why it cannot.
func (a *App) watchChanges(w domain.ChangeWatcher) <-chan struct{} {
	events, err := w.WatchChanges(a.ctx)
	if err != nil {
		if a.ctx.Err() == nil {
			a.logger.Info("the store cannot announce changes; polling its data version",
				"interval", a.opts.PollInterval, "reason", err)
		}
		return nil
	}
	a.logger.Info("watching the store's changes", "poll", a.opts.PollInterval)
	return events
}

// catchUp brings the state up to the store's DataVersion when it differs
// from the one the state accounts for: another instance (or a tool)
// wrote, or an update of this one could not be applied. It applies the
// change log when it can and rebuilds from everything otherwise (see
// catchup.go). The serving state stays until the new one is ready.
func (a *App) catchUp() {
	v, err := a.store.DataVersion(a.ctx)
	if err != nil {
		if a.ctx.Err() == nil {
			a.logger.Warn("polling the data version failed", "error", err)
		}
		return
	}
	if v == a.current().dataVersion {
		return
	}
	a.rebuildMu.Lock()
	defer a.rebuildMu.Unlock()
	start := time.Now()
	done, err := a.catchUpTo(a.ctx, v)
	switch {
	case err != nil:
		if a.ctx.Err() == nil {
			a.opts.Observer.CaughtUp(CatchUpFailed, done.changes, time.Since(start))
			a.logger.Error("catching up with the store failed; serving the previous state", "error", err)
		}
	case done.rebuild != "":
		a.opts.Observer.CaughtUp(CatchUpRebuilt, done.changes, time.Since(start))
		a.logger.Info("caught up with the store", "from", done.from, "to", done.to, "rebuilt", done.rebuild,
			"duration", time.Since(start))
	case done.changes > 0:
		a.opts.Observer.CaughtUp(CatchUpApplied, done.changes, time.Since(start))
		a.logger.Info("caught up with the store", "from", done.from, "to", done.to, "changes", done.changes,
			"duration", time.Since(start))
	case done.to < v:
		a.logger.Debug("waiting for the change log", "version", v, "missing", done.to+1)
	}
}
