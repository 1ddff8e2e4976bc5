// Package app is cmap's application layer: the one place where the GraphQL
// resolvers and the command line read and write records. It holds the
// Store, checks what a single record's Validate cannot (references between
// records, stale versions), and keeps what the rules derive current.
//
// Every write goes through an App method, so that work that must follow a
// write has a single place to live. Each write is recorded in the audit
// trail, its entry written ahead of it and settled after a crash (see
// audit.go), with the request's domain.Principal as its actor; API keys
// are made and revoked the same way (Keys). Errors are *domain.Error values with
// the codes documented on each method.
//
// # Derived state
//
// An App serves a state derived from the store and the rule files: the
// rule set, the coverage of every course, the requirements of every
// position, and the analysis.Index over records and facts. The state is
// immutable and swapped atomically, so a reader never sees half a rule set
// or half an update, and reads never lock.
//
//   - Open reads the framework and every record, from the snapshot file
//     (Options.SnapshotFile) when it holds the stored records, or held them
//     a few logged writes ago (it then catches up from the change log), and
//     from the store otherwise, loads the rules from Options.RulesDir (a
//     rule set with any error stops Open: there is no last good set yet),
//     derives every fact in memory and builds the index. It neither reads
//     nor writes stored facts: that is the facts keeper's, in the
//     background.
//   - A write through the App re-derives only what it touches (one course's
//     coverage, one position's requirements, a person's readiness), stores
//     that one facts record and updates the index incrementally.
//   - ReloadRules (and the file watcher, with Options.WatchRules) loads the
//     rules again: a set with any error is rejected whole, recorded with its
//     revision and diagnostics, and the serving set stays; a good set is
//     applied to everything and swapped in.
//   - The store is the truth shared by every instance: an App polls the
//     store's DataVersion (and, on a MongoDB replica set, is woken by a
//     change stream) and catches up in the background when another
//     instance (or a tool) wrote: it reads the store's change log, then
//     each record written since, and applies the same incremental update
//     as for its own writes, so that catching up costs what the change
//     does. A framework change, or a log that cannot say what changed,
//     rebuilds everything (see catchup.go). Its own writes are accounted
//     for and cause no catch-up.
//
// # Stored facts
//
// The facts records in the store are a read model for other tools that
// read the database (a report, a BI tool); cmap itself never serves them.
// The facts keeper brings them up to date after Open, after every rebuild
// and whenever a write finds them not known to be current, writing only
// the records that differ; the store's facts mark (domain.Store's
// MarkFacts) records when they are current, so that a start over current
// facts does not even read them. A tool that reads them can tell from the
// mark (meta document dataVersion, field factsMark, in package mongodb)
// whether they are current, and from each record's revision which rules
// derived it. See facts.go for how the mark is kept exact across a crash
// between a record and its facts, several instances and new rules.
//
// # The snapshot file
//
// With Options.SnapshotFile the App keeps a copy of the records it serves,
// labelled with the store's data version and data id, and starts from it
// instead of reading the store when the store still reports that label:
// see snapshot.go.
//
// # What-ifs
//
// A what-if (View.CourseEditImpact, View.NewCourseImpact,
// View.CourseDeletionImpact, App.PreviewCourse, App.PreviewPosition)
// predicts a write without making it, by taking the write's own path: the
// same checks, so the same errors (a what-if has no version to be stale;
// a preview of a stored record predicts its update, of a new one its
// creation); the changed record derived by the rules as the write would
// derive it, never its old facts carried over; the index updated as the
// write would update it; all from one generation. So a what-if answers
// what doing it would answer, even for rules that read a course's status.
// The View's what-ifs read the other courses from the View where the
// write reads the store, and the tests hold every what-if to this on
// random changes (app/whatif_test.go).
package app

import (
	"cmap/domain"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"cmap/engine"
)

// Defaults of Options.
const (
	// DefaultPollInterval is how often an App asks the store whether
	// another instance wrote (unless the store announces it sooner).
	DefaultPollInterval = 2 * time.Second
	// DefaultWatchDebounce is how long the rule watcher waits after the
	// last change of a burst (an editor's save is several events) before
	// it reloads.
	DefaultWatchDebounce = 250 * time.Millisecond
)

// Options configure an App; the zero value means defaults, except
// RulesDir, which is required.
type Options struct {
	// Logger receives the App's logs; nil means slog.Default().
	Logger *slog.Logger
	// RulesDir is the directory of the rule files and the scale.
	RulesDir string
	// WatchRules reloads the rules when a file below RulesDir changes.
	WatchRules bool
	// WatchDebounce is the quiet time after a change before the watcher
	// reloads; 0 means DefaultWatchDebounce.
	WatchDebounce time.Duration
	// PollInterval is how often the store's DataVersion is checked; 0
	// means DefaultPollInterval, a negative value turns polling and
	// watching off (for an App that is alone on its database). A store
	// that announces changes (domain.ChangeWatcher) wakes the App at once
	// besides. It is also how long a version may be missing from the
	// change log before the App gives up on it and rebuilds.
	PollInterval time.Duration
	// AuditGrace is how old a pending audit entry must be before the App
	// settles it (see ReconcileAudit); 0 means DefaultAuditGrace.
	AuditGrace time.Duration
	// AuditReconcile is how often the App looks for pending audit entries
	// to settle, besides at Open; 0 means DefaultAuditReconcile.
	AuditReconcile time.Duration
	// IdempotencyTTL is how long an idempotency key is kept after its
	// request began (see Idempotent); 0 means DefaultIdempotencyTTL.
	IdempotencyTTL time.Duration
	// IdempotencyInFlight is how long a request made with an idempotency
	// key is taken to be still running, so that a retry is refused rather
	// than settled: longer than any request may run. 0 means
	// DefaultIdempotencyInFlight.
	IdempotencyInFlight time.Duration
	// IdempotencyPrune is how often the App deletes expired idempotency
	// keys; 0 means DefaultIdempotencyPrune.
	IdempotencyPrune time.Duration
	// KeyCacheTTL is how long the App's Keys trust a key read from the
	// store (see Keys); 0 means DefaultKeyCacheTTL.
	KeyCacheTTL time.Duration
	// Observer is told of rule reloads, rebuilds and catch-ups, for
	// metrics; nil tells no one.
	Observer Observer
	// SnapshotFile is where the App keeps a copy of the records it serves,
	// to start from instead of reading the store when the copy is still
	// the store's (see snapshot.go); empty means none. Its folder must
	// exist.
	SnapshotFile string
}

// App serves reads and writes of cmap's records and the state derived from
// them. It is safe for concurrent use.
type App struct {
	store  domain.Store
	logger *slog.Logger
	opts   Options
	audit  auditor
	keys   *Keys

	state atomic.Pointer[state]
	// updateMu serializes the updates of the state: an update computes
	// the next state from the current one and swaps it while holding it.
	updateMu sync.Mutex
	// writes counts the state updates of the App's own writes; a full
	// rebuild that raced one of them builds again (guarded by updateMu).
	writes uint64
	// rebuildMu serializes full rebuilds (polls, reloads, a new framework),
	// which take long and run without updateMu until they swap, and
	// catch-ups from the change log.
	rebuildMu sync.Mutex
	// hole is the last version found missing from the change log
	// (guarded by rebuildMu; see catchup.go).
	hole hole

	// factsKick wakes the facts keeper (see facts.go); syncMu serializes
	// SyncFacts.
	factsKick chan struct{}
	syncMu    sync.Mutex
	// snapMu serializes writes of the snapshot file; snapWritten labels
	// the last one written or read (see snapshot.go).
	snapMu      sync.Mutex
	snapWritten snapshotLabel

	// ctx lives until Close: the poller, the watcher and the rebuilds
	// and reloads they start run under it.
	ctx    context.Context
	cancel context.CancelFunc
	done   sync.WaitGroup // the poller, the watcher, the facts keeper, snapshot writes
}

// Open returns an App over store serving the rules in opts.RulesDir, with
// every fact derived and indexed. It starts polling the store, the facts
// keeper (which stores the facts in the background) and, with
// opts.WatchRules, watching the rules; Close stops them.
//
// It fails with EINVALID when the store holds no framework or the rules
// do not load (the error is a diag.List of file:line:col diagnostics), and
// with the store's errors.
func Open(ctx context.Context, store domain.Store, opts Options) (*App, error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.WatchDebounce <= 0 {
		opts.WatchDebounce = DefaultWatchDebounce
	}
	if opts.PollInterval == 0 {
		opts.PollInterval = DefaultPollInterval
	}
	if opts.AuditGrace <= 0 {
		opts.AuditGrace = DefaultAuditGrace
	}
	if opts.AuditReconcile <= 0 {
		opts.AuditReconcile = DefaultAuditReconcile
	}
	if opts.IdempotencyTTL <= 0 {
		opts.IdempotencyTTL = DefaultIdempotencyTTL
	}
	if opts.IdempotencyInFlight <= 0 {
		opts.IdempotencyInFlight = DefaultIdempotencyInFlight
	}
	if opts.IdempotencyPrune <= 0 {
		opts.IdempotencyPrune = DefaultIdempotencyPrune
	}
	if opts.KeyCacheTTL <= 0 {
		opts.KeyCacheTTL = DefaultKeyCacheTTL
	}
	if opts.RulesDir == "" {
		return nil, domain.Errorf(domain.EINVALID, "no rule directory given")
	}
	if opts.Observer == nil {
		opts.Observer = nopObserver{}
	}
	a := &App{store: store, logger: opts.Logger, opts: opts, factsKick: make(chan struct{}, 1),
		audit: auditor{store: store, logger: opts.Logger}, keys: newKeys(store, opts.Logger, opts.KeyCacheTTL)}
	// A committed import cut off by a crash is finished before anything
	// is read (see import.go), whatever its age: no one else may be
	// finishing it, and if someone is, applying it is idempotent.
	a.rollForward(ctx, 0)
	a.reconcileAudit(ctx)
	start := time.Now()
	snap, fromFile, latest, err := a.openRecords(ctx)
	if err != nil {
		return nil, err
	}
	read := time.Since(start)
	a.reportInvalid(snap)
	rules, err := engine.LoadRuleSet(opts.RulesDir, snap.framework)
	if err != nil {
		return nil, rulesError(err)
	}
	a.warnFormerCodes(rules)
	s, err := a.buildState(rules, snap, nil)
	if err != nil {
		return nil, err
	}
	a.state.Store(s)
	if s.dataVersion < latest {
		if err := a.catchUpAtOpen(ctx, latest); err != nil {
			return nil, err
		}
		s = a.current()
	}
	opts.Observer.Rebuilt(RebuildOpen, time.Since(start))
	from := "database"
	if fromFile {
		from = opts.SnapshotFile
	}
	a.logger.Info("rules loaded", "dir", opts.RulesDir, "revision", rules.Revision(), "rules", len(rules.Rules()),
		"courses", len(s.coverage), "positions", s.requirements.len(), "people", len(snap.people),
		"source", from, "read", read, "duration", time.Since(start))
	a.ctx, a.cancel = context.WithCancel(context.WithoutCancel(ctx))
	if opts.WatchRules {
		if err := a.watchRules(); err != nil {
			a.cancel()
			return nil, err
		}
	}
	if opts.PollInterval > 0 {
		a.done.Add(1)
		go a.poll()
	}
	a.done.Add(1)
	go a.keepFacts()
	a.kickFacts()
	if !fromFile {
		a.saveSnapshotLater(s)
	}
	a.done.Add(1)
	go a.reconcileLoop()
	return a, nil
}

// catchUpAtOpen brings the state Open built from a snapshot file of an
// earlier version up to the store's version v from the change log, as a
// poll would, before the App serves. Where the log cannot answer after
// all (a hole: a writer died between the data version and its entry) it
// reads every record from the store, as a start without the file does.
func (a *App) catchUpAtOpen(ctx context.Context, v int64) error {
	a.rebuildMu.Lock()
	defer a.rebuildMu.Unlock()
	done, err := a.catchUpTo(ctx, v)
	if err != nil {
		return err
	}
	if done.rebuild == "" && a.current().dataVersion < v {
		done.rebuild = fmt.Sprintf("version %d is missing from the change log", a.current().dataVersion+1)
		if err := a.rebuild(ctx, RebuildCatchUp, nil, a.current().rejected); err != nil {
			return err
		}
	}
	a.logger.Info("caught up with the database's writes since the snapshot file", "from", done.from, "to", a.current().dataVersion,
		"changes", done.changes, "read everything", done.rebuild)
	a.saveSnapshotLater(a.current())
	return nil
}

// reportInvalid logs each stored record that its Validate refuses, such as
// one written before a size limit existed. Such a record is served as it
// is (refusing to start would lock its owners out of fixing it); the next
// update of it must pass.
func (a *App) reportInvalid(snap *snapshot) {
	report := func(kind, key string, err error) {
		if err != nil {
			a.logger.Warn("a stored record breaks the limits of the domain; it is served, and its next update must fix it",
				"kind", kind, "key", key, "field", domain.ErrorField(err), "error", domain.ErrorMessage(err))
		}
	}
	for _, c := range snap.courses {
		report("course", c.Code, c.Validate())
	}
	for _, p := range snap.positions {
		report("position", p.ID, p.Validate())
	}
	for _, p := range snap.people {
		report("person", p.ID, p.Validate())
	}
}

// Close stops polling, watching and storing facts, cancelling a rebuild,
// reload or facts sync they started, and waits for them. Then it writes
// the snapshot file (Options.SnapshotFile) of the serving state, if the
// state is labelled with the store's version and the file is not already
// that; a failure to write it is logged. The store is the caller's to
// close.
func (a *App) Close() error {
	a.cancel()
	a.done.Wait()
	if err := a.saveSnapshot(a.current()); err != nil {
		a.logger.Warn("writing the snapshot file failed; the next start reads the database", "file", a.opts.SnapshotFile, "error", err)
	}
	return nil
}

// current returns the state being served.
func (a *App) current() *state { return a.state.Load() }

// Logger returns the App's logger.
func (a *App) Logger() *slog.Logger { return a.logger }

// Ping checks that the store answers.
func (a *App) Ping(ctx context.Context) error { return a.store.Ping(ctx) }

// PutFramework validates f and replaces the stored framework with it, then
// derives everything again. A framework the rules do not fit (a rule names
// a sub-competency f lacks) is refused with EINVALID and the rules'
// diagnostics: change the rules first.
func (a *App) PutFramework(ctx context.Context, f *domain.Framework) error {
	if err := f.Validate(); err != nil {
		return err
	}
	// The rules are checked against f as the store keeps it: under the
	// active revision's number and former codes.
	f = f.Clone()
	f.Revision, f.Former = 1, nil
	switch cur, err := a.store.Framework(ctx); domain.ErrorCode(err) {
	case "":
		f.Revision, f.Former = cur.Revision, cur.Former
	case domain.ENOTFOUND:
	default:
		return err
	}
	rules, err := engine.LoadRuleSet(a.opts.RulesDir, f)
	if err != nil {
		return rulesError(err)
	}
	a.rebuildMu.Lock()
	defer a.rebuildMu.Unlock()
	if err := a.store.PutFramework(ctx, f); err != nil {
		return err
	}
	return a.rebuild(ctx, RebuildFramework, rules, nil)
}

// rulesError returns the error of a rule set that failed to load as an
// EINVALID *domain.Error whose message lists every diagnostic; diag.AsList
// still finds them.
func rulesError(err error) error {
	if domain.ErrorCode(err) != domain.EINTERNAL {
		return err
	}
	return &domain.Error{Code: domain.EINVALID, Message: "the rules have errors:\n" + err.Error(), Err: err}
}

// rebuild reads every record, derives every fact with rules (nil: the
// serving rules, or the rules loaded again when the stored framework
// changed) and swaps in the new state; a rejection is recorded in the new
// state (nil clears it). The Observer is told of a rebuild swapped in, with
// its cause. Then it wakes the facts keeper to store the facts that
// changed, and writes the snapshot file, both in the background. The
// caller holds rebuildMu.
//
// The work runs without updateMu, so the App's own writes go on; if one
// lands meanwhile, the state is built again holding updateMu, so that no
// write is lost by the swap.
func (a *App) rebuild(ctx context.Context, cause string, rules *engine.RuleSet, rejected *Rejection) error {
	start := time.Now()
	a.updateMu.Lock()
	writes := a.writes
	a.updateMu.Unlock()
	next, err := a.buildFromStore(ctx, rules, rejected)
	if err != nil {
		return err
	}
	a.updateMu.Lock()
	defer a.updateMu.Unlock()
	if a.writes != writes {
		if next, err = a.buildFromStore(ctx, rules, rejected); err != nil {
			return err
		}
	}
	a.state.Store(next)
	a.opts.Observer.Rebuilt(cause, time.Since(start))
	a.kickFacts()
	a.saveSnapshotLater(next)
	return nil
}

// buildFromStore reads a snapshot and builds a state from it, as rebuild
// describes.
func (a *App) buildFromStore(ctx context.Context, rules *engine.RuleSet, rejected *Rejection) (*state, error) {
	snap, err := a.readSnapshot(ctx)
	if err != nil {
		return nil, err
	}
	if rules == nil {
		if rules, err = a.rulesFor(snap.framework); err != nil {
			return nil, err
		}
	}
	return a.buildState(rules, snap, rejected)
}

// errFrameworkMismatch reports that the stored framework changed under the
// App and the rules do not fit it.
var errFrameworkMismatch = errors.New("the stored framework changed and the rules do not fit it; serving the previous state")

// rulesFor returns the serving rules when they were checked against a
// framework equal to fw, and the rules loaded again against fw otherwise
// (another instance changed the framework).
func (a *App) rulesFor(fw *domain.Framework) (*engine.RuleSet, error) {
	cur := a.current().rules
	if sameFramework(cur.Framework(), fw) {
		return cur, nil
	}
	rules, err := engine.LoadRuleSet(a.opts.RulesDir, fw)
	if err != nil {
		return nil, errors.Join(errFrameworkMismatch, err)
	}
	a.warnFormerCodes(rules)
	return rules, nil
}

// warnFormerCodes logs each rule entry that names a code the model's
// revision no longer has (engine.RuleSet.Warnings), with the crosswalk's
// suggestion.
func (a *App) warnFormerCodes(rules *engine.RuleSet) {
	for _, d := range rules.Warnings() {
		a.logger.Warn("a rule names a code the competency model no longer has; the entry yields nothing",
			"revision", rules.Framework().Revision, "at", d.Pos.String(), "warning", d.Message)
	}
}
