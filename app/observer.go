package app

import "time"

// Observer is told how the App's work on its read model went and how long
// it took, for metrics (package metrics keeps them for Prometheus). Its
// methods are called on the App's goroutines as each piece of work ends,
// and must be quick and safe for concurrent use.
type Observer interface {
	// RulesReloaded is told of each ReloadRules (the watcher's
	// included): its outcome, one of the Reload* values, and how long it
	// took once no other reload or rebuild held it up.
	RulesReloaded(outcome string, d time.Duration)
	// Rebuilt is told of each build of the read model from every record
	// that was swapped in: its cause, one of the Rebuild* values, and how
	// long reading the store, deriving, storing the facts that changed and
	// indexing took.
	Rebuilt(cause string, d time.Duration)
	// CaughtUp is told of each catch-up with the writes of other
	// instances that did something: its result, one of the CatchUp*
	// values, the change log entries it applied, and how long it took (a
	// rebuild it fell back to included). Polls that find nothing new are
	// not told.
	CaughtUp(result string, changes int, d time.Duration)
}

// Outcomes of a rule reload.
const (
	// ReloadApplied: a new rule set was loaded and applied to everything.
	ReloadApplied = "applied"
	// ReloadUnchanged: the files are the serving ones; nothing was done
	// (beyond clearing a rejection).
	ReloadUnchanged = "unchanged"
	// ReloadRejected: the files have errors; the serving set stays.
	ReloadRejected = "rejected"
	// ReloadFailed: the store failed while the new facts were derived
	// and stored; the serving set stays.
	ReloadFailed = "failed"
)

// Causes of a rebuild of the read model.
const (
	// RebuildOpen is the first build, when the App opens.
	RebuildOpen = "open"
	// RebuildRules is a reload that applied new rules.
	RebuildRules = "rules"
	// RebuildFramework is PutFramework.
	RebuildFramework = "framework"
	// RebuildCatchUp is a catch-up that the change log could not answer.
	RebuildCatchUp = "catch-up"
)

// Results of a catch-up.
const (
	// CatchUpApplied: change log entries were applied.
	CatchUpApplied = "applied"
	// CatchUpRebuilt: the log could not answer; everything was rebuilt.
	CatchUpRebuilt = "rebuilt"
	// CatchUpFailed: the store failed; the previous state is served.
	CatchUpFailed = "failed"
)

// nopObserver is the Observer of an App given none.
type nopObserver struct{}

func (nopObserver) RulesReloaded(string, time.Duration) {}
func (nopObserver) Rebuilt(string, time.Duration)       {}
func (nopObserver) CaughtUp(string, int, time.Duration) {}
