package app

import (
	"cmap/domain"
	"context"
	"log/slog"
	"time"
)

// The audit trail
//
// Every change made through the App (courses, positions, people,
// completions, API keys, revisions of the model) is recorded by an domain.AuditEntry written ahead
// of it, without transactions (FerretDB has none):
//
//  1. the entry is stored pending (Store.BeginAudit), naming the actor,
//     the record, its versions before and after, the Audit field of the
//     version it replaces (Prior) and the fields that change;
//  2. the record is written carrying the entry's ID in its Audit field,
//     atomically with the write itself (one document);
//  3. the entry is ended done, or failed when the store refused the write
//     (Store.EndAudit).
//
// A write is acknowledged only after step 2 succeeded, and its entry exists
// from step 1 on, so no acknowledged write lacks an entry. A process that
// dies (kill -9, a power cut) between the steps leaves its entry pending;
// so does a write whose outcome the database did not report (EINTERNAL: a
// timeout may hide an applied write). ReconcileAudit settles such entries
// from the records themselves, at start and every DefaultAuditReconcile:
//
//   - a create, update, completion or revocation happened if and only if
//     the record carries the entry's ID, or carries the ID of a later entry
//     whose chain of Prior IDs leads back to it, or some entry names it as
//     its Prior (a later write read the version it made; the record may be
//     gone since). Only the entry's own write ever stores its ID, so this
//     is exact;
//   - a delete happened unless the record still descends from the version
//     it meant to delete (its chain of Prior IDs reaches the entry's Prior
//     before it reaches a create), or another delete of that same version
//     is done. The one case left open is two deletes of one version racing
//     on two instances, one of which died mid-write with the other's entry
//     still pending too: both are then marked done.
//
// Entries younger than the grace period are left alone, since another
// instance may still be writing them. Seeding writes records without
// entries (their Audit field is empty): a seeded database's first state is
// the seed set, recorded by Store.MarkSeeded.

// Defaults of the audit trail's reconciliation.
const (
	// DefaultAuditGrace is how old a pending entry must be before it is
	// settled: far longer than any write takes, so that entries of writes
	// in flight on other instances are left to them.
	DefaultAuditGrace = 2 * time.Minute
	// DefaultAuditReconcile is how often pending entries are looked for.
	DefaultAuditReconcile = time.Minute
)

// auditor writes changes with their audit entries.
type auditor struct {
	store  domain.Store
	logger *slog.Logger
}

// actor returns who makes a change: the request's principal, domain.System
// when it has none (a write of cmap's own, or of a caller that did not
// authenticate one, such as a test).
func actor(ctx context.Context) *domain.Principal {
	if p := domain.PrincipalFrom(ctx); p != nil {
		return p
	}
	return domain.System
}

// newEntry returns a pending entry of op on the record of kind with key,
// made now by the request's actor.
func newEntry(ctx context.Context, op, kind, key string) *domain.AuditEntry {
	now := time.Now().UTC()
	p := actor(ctx)
	return &domain.AuditEntry{
		ID: domain.NewAuditID(now), Time: now, Actor: p.ID, ActorName: p.Name,
		Operation: op, Kind: kind, Key: key, State: domain.AuditPending, Request: requestOf(ctx),
	}
}

// recordEntry returns the pending entry of op on a record of kind with
// key, from before to after (nil for a create or a delete): its versions,
// its Prior and the fields that change. It tags after with the entry's ID
// (setTag) so that the store writes the two together.
func recordEntry[R any](ctx context.Context, op, kind, key string, before, after *R, meta func(*R) (version int64, tag *string)) *domain.AuditEntry {
	e := newEntry(ctx, op, kind, key)
	if before != nil {
		v, tag := meta(before)
		e.VersionBefore, e.Prior = v, *tag
	}
	if after != nil {
		e.VersionAfter = e.VersionBefore + 1
		_, tag := meta(after)
		*tag = e.ID
	}
	e.Changes = domain.FieldChanges(before, after)
	return e
}

func courseMeta(c *domain.Course) (int64, *string)     { return c.Version, &c.Audit }
func positionMeta(p *domain.Position) (int64, *string) { return p.Version, &p.Audit }
func personMeta(p *domain.Person) (int64, *string)     { return p.Version, &p.Audit }
func apiKeyMeta(k *domain.APIKey) (int64, *string)     { return k.Version, &k.Audit }

// do makes the write that e describes, e written ahead of it: e pending,
// then write, then e ended done, or failed when the store refused the
// write with a code other than EINTERNAL. After EINTERNAL the outcome is
// unknown and e stays pending for ReconcileAudit. A failure to end e after
// a successful write is logged, not returned: the write stands, and the
// entry, pending, is settled done by ReconcileAudit from the record.
func (au auditor) do(ctx context.Context, e *domain.AuditEntry, write func() error) error {
	if err := au.store.BeginAudit(ctx, e); err != nil {
		return err
	}
	err := write()
	switch {
	case err == nil:
		e.State = domain.AuditDone
	case domain.ErrorCode(err) == domain.EINTERNAL:
		return err
	default:
		e.State = domain.AuditFailed
	}
	if endErr := au.store.EndAudit(context.WithoutCancel(ctx), e); endErr != nil {
		au.logger.Error("ending an audit entry failed; it stays pending until reconciled", "entry", e.ID,
			"kind", e.Kind, "key", e.Key, "state", e.State, "error", endErr)
	}
	return err
}

// writeAudited is App.write with the write's audit entry e written ahead of
// it (auditor.do); the entry is begun and ended outside the App's write
// lock.
func (a *App) writeAudited(ctx context.Context, e *domain.AuditEntry, write func() error, next func(cur *state) (*state, factsChange, error)) error {
	return a.audit.do(ctx, e, func() error { return a.write(ctx, write, next) })
}

// done records a change that has no record to carry its entry's ID (a
// rule reload, which re-derives state from the rule files): the entry is
// stored done once the change is made.
func (au auditor) done(ctx context.Context, e *domain.AuditEntry) error {
	e.State = domain.AuditDone
	return au.store.EndAudit(context.WithoutCancel(ctx), e)
}

// ReconcileAudit settles the entries of store pending for longer than
// grace, as the package documentation describes, and returns how many it
// found done and failed. Entries it cannot settle (the store failed) stay
// pending for the next run; the first such error is returned.
func ReconcileAudit(ctx context.Context, store domain.Store, grace time.Duration, logger *slog.Logger) (done, failed int, err error) {
	pending, err := store.PendingAudit(ctx)
	if err != nil {
		return 0, 0, err
	}
	cutoff := time.Now().Add(-grace)
	var journals map[string]bool // committed import journals, read once if needed
	for _, e := range pending {
		if e.Time.After(cutoff) {
			continue
		}
		if e.Kind == domain.AuditImport && journals == nil {
			list, err := store.Imports(ctx)
			if err != nil {
				return done, failed, err
			}
			journals = map[string]bool{}
			for _, j := range list {
				journals[j.ID] = true
			}
		}
		if e.Kind == domain.AuditImport && journals[e.ID] {
			continue // committed: RollForwardImports finishes it
		}
		happened, settleErr := settle(ctx, store, e, pending)
		if settleErr == nil {
			e.State = domain.AuditFailed
			if happened {
				e.State = domain.AuditDone
			}
			settleErr = store.EndAudit(ctx, e)
		}
		if settleErr != nil {
			if err == nil {
				err = settleErr
			}
			continue
		}
		if happened {
			done++
		} else {
			failed++
		}
		logger.Warn("settled an audit entry left pending", "entry", e.ID, "operation", e.Operation,
			"kind", e.Kind, "key", e.Key, "actor", e.Actor, "state", e.State)
	}
	return done, failed, err
}

// settle reports whether the write pending entry e describes was made.
func settle(ctx context.Context, store domain.Store, e *domain.AuditEntry, pending []*domain.AuditEntry) (bool, error) {
	exists, tag, err := recordTag(ctx, store, e.Kind, e.Key)
	if err != nil {
		return false, err
	}
	// The common cases need nothing but the record.
	switch {
	case e.Operation == domain.OpDelete && exists && tag == e.Prior:
		return false, nil
	case e.Operation != domain.OpDelete && exists && tag == e.ID:
		return true, nil
	case e.Kind == domain.AuditRules:
		return false, nil // reloads are recorded when made, never pending
	case e.Kind == domain.AuditImport:
		// An import whose journal was never committed wrote nothing;
		// remove the ops its cut-off WriteImport may have left.
		return false, store.DeleteImport(ctx, e.Key)
	}
	history, err := store.AuditLog(ctx, domain.AuditFilter{Kind: e.Kind, Key: e.Key}, domain.Page{})
	if err != nil {
		return false, err
	}
	entries := map[string]*domain.AuditEntry{}
	for _, h := range history.Items {
		entries[h.ID] = h
	}
	for _, p := range pending {
		if p.Kind == e.Kind && p.Key == e.Key {
			entries[p.ID] = p
		}
	}
	// chainReaches reports whether following Prior from the version
	// tagged from reaches target before it reaches a create.
	chainReaches := func(from, target string) bool {
		for id, hops := from, 0; hops <= len(entries); hops++ {
			if id == target {
				return true
			}
			h := entries[id]
			if h == nil || h.Operation == domain.OpCreate {
				return false
			}
			id = h.Prior
		}
		return false
	}
	if e.Operation == domain.OpDelete {
		for _, h := range entries {
			if h.ID != e.ID && h.Operation == domain.OpDelete && h.Prior == e.Prior && h.State == domain.AuditDone {
				return false, nil
			}
		}
		return !exists || !chainReaches(tag, e.Prior), nil
	}
	if exists && chainReaches(tag, e.ID) {
		return true, nil
	}
	for _, h := range entries {
		if h.Prior == e.ID {
			return true, nil
		}
	}
	return false, nil
}

// recordTag reads the record of kind with key: whether it exists, and its
// Audit field.
func recordTag(ctx context.Context, store domain.Store, kind, key string) (bool, string, error) {
	var tag string
	var err error
	switch kind {
	case domain.AuditCourse:
		var c *domain.Course
		if c, err = store.Course(ctx, key); err == nil {
			tag = c.Audit
		}
	case domain.AuditPosition:
		var p *domain.Position
		if p, err = store.Position(ctx, key); err == nil {
			tag = p.Audit
		}
	case domain.AuditPerson:
		var p *domain.Person
		if p, err = store.Person(ctx, key); err == nil {
			tag = p.Audit
		}
	case domain.AuditAPIKey:
		var k *domain.APIKey
		if k, err = store.APIKey(ctx, key); err == nil {
			tag = k.Audit
		}
	case domain.AuditModel:
		// The model's "record" is its active revision; the revisions
		// before it carry the IDs of the entries that applied them, which
		// the chain of Prior IDs reaches.
		var revs []*domain.FrameworkRevision
		if revs, err = store.FrameworkRevisions(ctx); err == nil && len(revs) == 0 {
			return false, "", nil
		}
		if err == nil {
			tag = revs[len(revs)-1].Audit
		}
	default:
		return false, "", nil
	}
	switch domain.ErrorCode(err) {
	case "":
		return true, tag, nil
	case domain.ENOTFOUND:
		return false, "", nil
	}
	return false, "", err
}

// reconcileAudit runs ReconcileAudit over the App's store with its grace,
// logging the outcome.
func (a *App) reconcileAudit(ctx context.Context) {
	done, failed, err := ReconcileAudit(ctx, a.store, a.opts.AuditGrace, a.logger)
	if err != nil && ctx.Err() == nil {
		a.logger.Error("settling pending audit entries failed; trying again later", "error", err, "done", done, "failed", failed)
	}
}

// reconcileLoop settles pending audit entries every AuditReconcile, and
// deletes expired idempotency keys every IdempotencyPrune, until Close.
func (a *App) reconcileLoop() {
	defer a.done.Done()
	t := time.NewTicker(a.opts.AuditReconcile)
	defer t.Stop()
	prune := time.NewTicker(a.opts.IdempotencyPrune)
	defer prune.Stop()
	for {
		select {
		case <-a.ctx.Done():
			return
		case <-t.C:
			a.rollForward(a.ctx, a.opts.AuditGrace)
			a.reconcileAudit(a.ctx)
		case <-prune.C:
			a.pruneIdempotency(a.ctx)
		}
	}
}

// AuditLog returns one page of the audit log's entries that f selects,
// newest first (EINVALID on "first" when p.First is negative).
func (a *App) AuditLog(ctx context.Context, f domain.AuditFilter, p domain.Page) (domain.List[*domain.AuditEntry], error) {
	return a.store.AuditLog(ctx, f, p)
}

// History returns one page of the changes made to the record of kind with
// key (an engine.Audit* kind), newest first: the entries of writes that
// were made (done), not those refused or never made.
func (a *App) History(ctx context.Context, kind, key string, p domain.Page) (domain.List[*domain.AuditEntry], error) {
	return a.store.AuditLog(ctx, domain.AuditFilter{Kind: kind, Key: key, State: domain.AuditDone}, p)
}
