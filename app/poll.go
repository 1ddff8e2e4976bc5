package app

import (
	"time"
)

// poll checks the store's DataVersion every PollInterval until Close and
// catches up when it moved.
func (a *App) poll() {
	defer a.done.Done()
	t := time.NewTicker(a.opts.PollInterval)
	defer t.Stop()
	for {
		select {
		case <-a.ctx.Done():
			return
		case <-t.C:
			a.catchUp()
		}
	}
}

// catchUp rebuilds the state from the store when the store's DataVersion
// differs from the one the state accounts for: another instance (or a
// tool) wrote, or an update of this one could not be applied. The serving
// state stays until the new one is ready.
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
	// v may be the version of a write of ours still updating the state
	// (it holds updateMu until it swaps), or a rebuild that held
	// rebuildMu may have caught up: look again once both are done.
	a.updateMu.Lock()
	cur := a.current()
	a.updateMu.Unlock()
	if v == cur.dataVersion {
		return
	}
	start := time.Now()
	if err := a.rebuild(a.ctx, nil, cur.rejected); err != nil {
		if a.ctx.Err() == nil {
			a.logger.Error("catching up with the store failed; serving the previous state", "error", err)
		}
		return
	}
	a.logger.Info("caught up with the store", "from", cur.dataVersion, "to", a.current().dataVersion,
		"duration", time.Since(start))
}
