package app

import (
	"cmap/domain"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"
)

// watchRules starts watching the rule directory and every directory below
// it (fsnotify watches one directory at a time; new ones are added as
// they appear) and reloads the rules after each burst of changes.
func (a *App) watchRules() error {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return &domain.Error{Code: domain.EINTERNAL, Message: "watching the rules", Err: err}
	}
	if err := watchTree(w, a.opts.RulesDir); err != nil {
		w.Close()
		return domain.Errorf(domain.EINVALID, "watching the rules in %s: %v", a.opts.RulesDir, err)
	}
	a.done.Add(1)
	go a.watch(w)
	return nil
}

// watchTree adds root and the directories below it to w, skipping hidden
// ones as the rule loader does.
func watchTree(w *fsnotify.Watcher, root string) error {
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		if p != root && strings.HasPrefix(d.Name(), ".") {
			return filepath.SkipDir
		}
		return w.Add(p)
	})
}

// watch reloads the rules WatchDebounce after the last of a burst of
// changes (an editor's save is several events: write, rename, chmod) until
// Close. ReloadRules logs the outcome.
func (a *App) watch(w *fsnotify.Watcher) {
	defer a.done.Done()
	defer w.Close()
	quiet := time.NewTimer(a.opts.WatchDebounce)
	quiet.Stop()
	defer quiet.Stop()
	for {
		select {
		case <-a.ctx.Done():
			return
		case ev, ok := <-w.Events:
			if !ok {
				return
			}
			if ev.Op == fsnotify.Chmod {
				continue
			}
			if ev.Has(fsnotify.Create) {
				if fi, err := os.Stat(ev.Name); err == nil && fi.IsDir() {
					if err := watchTree(w, ev.Name); err != nil {
						a.logger.Warn("watching a new rule directory failed", "dir", ev.Name, "error", err)
					}
				}
			}
			quiet.Reset(a.opts.WatchDebounce)
		case err, ok := <-w.Errors:
			if !ok {
				return
			}
			a.logger.Warn("watching the rules", "error", err)
		case <-quiet.C:
			if _, err := a.ReloadRules(domain.WithPrincipal(a.ctx, ruleWatcher)); err != nil && a.ctx.Err() == nil {
				a.logger.Error("reloading the rules failed; the serving rules stay", "error", err)
			}
		}
	}
}
