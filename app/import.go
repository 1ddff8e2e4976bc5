package app

import (
	"cmap/domain"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"time"

	"cmap/analysis"
	"cmap/importer"
)

// Imports
//
// An import (package importer reads the files and makes the plan) writes
// many records, all or nothing, without transactions (FerretDB has none),
// through a journal written ahead of it:
//
//  1. the plan is made against the generation being served, once the App
//     has caught up with the store (holding rebuildMu and updateMu, so
//     that no other write of the App's, rebuild or catch-up interleaves);
//     any rejection, and nothing is written;
//  2. the import's audit entry is stored pending (one entry for the whole
//     import: kind and operation "import", key its own ID, the counts as
//     its changes; every record the import writes carries its ID);
//  3. the journal, every write of the import, is stored; the store's last
//     write of it, one document, commits it (domain.Store's WriteImport);
//  4. the writes are applied, idempotently: a record that already carries
//     the import's ID is left alone, a bulk create cut off part way is
//     finished one record at a time;
//  5. the audit entry is ended done, then the journal removed.
//
// A process that dies before step 3 ends leaves no committed journal: the
// entry is settled failed (ReconcileAudit) and nothing was written. One
// that dies after leaves a committed journal whose entry is pending: the
// next Open rolls it forward (steps 4 and 5), and so does any running
// instance once it is older than Options.AuditGrace. So the records are as
// before the import or, once it is rolled forward, as after it. A journal
// whose entry is done was applied: it is only removed.
//
// A record written by someone else between steps 3 and 4 (another
// instance) is overwritten by the journal's version: the import was
// committed first.

// ImportPlan is an import's plan, with what it would change.
type ImportPlan struct {
	*importer.Plan
	// Impact is what the import changes in coverage, gaps and readiness,
	// computed as the import's own state is; nil when the plan has
	// rejections or writes nothing.
	Impact *analysis.Comparison
	// DryRun reports a plan of PlanImport, which never writes.
	DryRun bool
	// Applied reports that the import was made (Import, not PlanImport).
	Applied bool
	// Journal is the ID of the applied import's journal and audit entry.
	Journal string
	// Times says where the time went.
	Times ImportTimes
}

// ImportTimes are the durations of an import's steps.
type ImportTimes struct {
	// Check is the plan: the rows read into records, checked and compared
	// with the stored ones (importer.MakePlan).
	Check time.Duration `json:"check"`
	// Predict is the derivation of every fact and the index of the state
	// the import gives, and its comparison with the served one.
	Predict time.Duration `json:"predict"`
	// Journal is the journal's write, Apply the records' writes.
	Journal time.Duration `json:"journal"`
	Apply   time.Duration `json:"apply"`
	// State is the state served after the import, derived and indexed
	// from the records as written.
	State time.Duration `json:"state"`
}

// importAttempts bounds how often Import catches up with writes of other
// instances that land while it plans.
const importAttempts = 3

// PlanImport plans the batch against the generation being served and
// predicts its impact, writing nothing: a dry run. Its plan and impact are
// those Import would make and give on the same generation.
func (a *App) PlanImport(b *importer.Batch, opts importer.PlanOptions) (*ImportPlan, error) {
	plan, _, err := a.planImport(a.current(), b, opts)
	if plan != nil {
		plan.DryRun = true
	}
	return plan, err
}

// planImport plans b against cur and, when the plan writes something and
// rejects nothing, derives the state it gives.
func (a *App) planImport(cur *state, b *importer.Batch, opts importer.PlanOptions) (*ImportPlan, *snapshot, error) {
	start := time.Now()
	plan := &ImportPlan{Plan: importer.MakePlan(b, storedOf(cur), opts)}
	plan.Times.Check = time.Since(start)
	if len(plan.Rejections) > 0 || !plan.Changed() {
		return plan, nil, nil
	}
	start = time.Now()
	snap := withOps(cur, plan.Ops)
	next, err := a.buildState(cur.rules, snap, cur.rejected)
	if err != nil {
		return nil, nil, err
	}
	plan.Impact = cur.index.Compare(next.index)
	plan.Times.Predict = time.Since(start)
	return plan, snap, nil
}

// storedOf returns the records of a state, for planning against.
func storedOf(s *state) importer.Stored {
	all := domain.Page{}
	courses, _ := s.index.Courses(domain.CourseFilter{}, all)
	positions, _ := s.index.Positions(domain.PositionFilter{}, all)
	people, _ := s.index.People(domain.PersonFilter{}, all)
	return importer.Stored{Courses: courses.Items, Positions: positions.Items, People: people.Items}
}

// withOps returns the records of s with the ops applied: the snapshot an
// import leaves.
func withOps(s *state, ops []domain.ImportOp) *snapshot {
	stored := storedOf(s)
	courses := keyedRecords(stored.Courses, func(c *domain.Course) string { return c.Code })
	positions := keyedRecords(stored.Positions, func(p *domain.Position) string { return p.ID })
	people := keyedRecords(stored.People, func(p *domain.Person) string { return p.ID })
	for _, op := range ops {
		switch {
		case op.Course != nil:
			applyOp(courses, op.Op, op.Course.Code, op.Course)
		case op.Position != nil:
			applyOp(positions, op.Op, op.Position.ID, op.Position)
		case op.Person != nil:
			applyOp(people, op.Op, op.Person.ID, op.Person)
		}
	}
	return &snapshot{framework: s.rules.Framework(), dataVersion: s.dataVersion, dataID: s.dataID,
		courses: sortedRecords(courses), positions: sortedRecords(positions), people: sortedRecords(people)}
}

// Import plans the batch as PlanImport does, after catching up with the
// store, and, when nothing is rejected and something changes, makes the
// import as the package documentation describes, then serves the state it
// gives. progress, if not nil, is told how many of the plan's writes are
// applied, as they are. Errors: ECONFLICT when other instances kept
// writing while it planned; the store's.
func (a *App) Import(ctx context.Context, b *importer.Batch, opts importer.PlanOptions, progress func(done, total int)) (*ImportPlan, error) {
	a.rebuildMu.Lock()
	defer a.rebuildMu.Unlock()
	for attempt := 1; ; attempt++ {
		v, err := a.store.Versions(ctx)
		if err != nil {
			return nil, err
		}
		if v.Data != a.current().dataVersion {
			if _, err := a.catchUpTo(ctx, v.Data); err != nil {
				return nil, err
			}
		}
		plan, done, err := a.importAt(ctx, b, opts, progress)
		if done || err != nil {
			return plan, err
		}
		if attempt == importAttempts {
			return nil, domain.Errorf(domain.ECONFLICT, "the records kept changing while the import was planned; try again")
		}
	}
}

// importAt plans and makes the import holding updateMu, if the state
// accounts for every write the store reports; done is false when it does
// not (another instance wrote since the catch-up). The caller holds
// rebuildMu.
func (a *App) importAt(ctx context.Context, b *importer.Batch, opts importer.PlanOptions, progress func(done, total int)) (*ImportPlan, bool, error) {
	a.updateMu.Lock()
	defer a.updateMu.Unlock()
	before, err := a.store.Versions(ctx)
	if err != nil {
		return nil, true, err
	}
	// Versions.Unsettled is not waited for: it is set while the facts
	// keeper writes facts, which an import does not read. A write of
	// another instance in flight and not yet counted is the case the
	// package documentation describes: the journal, committed first, wins.
	cur := a.current()
	if before.Data != cur.dataVersion {
		return nil, false, nil
	}
	plan, snap, err := a.planImport(cur, b, opts)
	if err != nil || snap == nil {
		return plan, true, err
	}

	e := newEntry(ctx, domain.OpImport, domain.AuditImport, "")
	e.Key = e.ID
	e.Changes = importChanges(plan.Plan)
	j := &domain.ImportJournal{ID: e.ID, Time: e.Time, Ops: plan.Ops}
	start := time.Now()
	if err := a.store.BeginAudit(ctx, e); err != nil {
		return nil, true, err
	}
	err = a.store.WriteImport(ctx, j)
	plan.Times.Journal = time.Since(start)
	if err != nil {
		// Not committed: nothing was written. An EINTERNAL may hide a
		// committed journal: the entry stays pending, and the journal, if
		// any, is rolled forward.
		if domain.ErrorCode(err) != domain.EINTERNAL {
			e.State = domain.AuditFailed
			if endErr := a.store.EndAudit(context.WithoutCancel(ctx), e); endErr != nil {
				a.logger.Error("ending an import's audit entry failed", "entry", e.ID, "error", endErr)
			}
		}
		return nil, true, err
	}
	start = time.Now()
	writes, err := applyJournal(ctx, a.store, j, progress)
	plan.Times.Apply = time.Since(start)
	if err != nil {
		// Committed: the journal is rolled forward by the next Open or
		// reconciliation. Serve what the store holds meanwhile.
		a.markStale()
		return nil, true, fmt.Errorf("applying import %s (it will be finished from its journal): %w", j.ID, err)
	}
	a.writes++
	a.finishJournal(ctx, j, e)
	plan.Applied, plan.Journal = true, j.ID

	// The records of the ops now carry their stored versions and times:
	// the state the import gives is built from them, as planned.
	start = time.Now()
	after, err := a.store.Versions(ctx)
	next, buildErr := a.buildState(cur.rules, withOps(cur, j.Ops), cur.rejected)
	plan.Times.State = time.Since(start)
	switch {
	case buildErr != nil:
		a.logger.Error("deriving the state after an import failed; the next poll rebuilds it", "error", buildErr)
		a.markStale()
		return plan, true, nil
	case err == nil && after.Data == before.Data+int64(writes):
		next.dataVersion, next.dataID = after.Data, after.DataID
	default:
		next.dataVersion, next.dataID = cur.dataVersion, cur.dataID // someone else wrote too: the next poll catches up
	}
	a.state.Store(next)
	a.kickFacts()
	a.saveSnapshotLater(next)
	return plan, true, nil
}

// markStale marks the serving state stale, for the next poll to rebuild.
// The caller holds updateMu.
func (a *App) markStale() {
	s := a.current().clone()
	s.dataVersion, s.dataID = staleVersion, ""
	a.state.Store(s)
}

// finishJournal ends the import's audit entry done, then removes its
// journal; a failure is logged (the journal is rolled forward again, which
// writes nothing, and removed).
func (a *App) finishJournal(ctx context.Context, j *domain.ImportJournal, e *domain.AuditEntry) {
	ctx = context.WithoutCancel(ctx)
	e.State = domain.AuditDone
	if err := a.store.EndAudit(ctx, e); err != nil {
		a.logger.Error("ending an import's audit entry failed; its journal is kept and finished later", "entry", e.ID, "error", err)
		return
	}
	if err := a.store.DeleteImport(ctx, j.ID); err != nil {
		a.logger.Error("removing an applied import's journal failed; it is removed later", "journal", j.ID, "error", err)
	}
}

// importChanges summarizes a plan as the changes of its audit entry: per
// kind, the counts as JSON.
func importChanges(p *importer.Plan) []domain.FieldChange {
	var out []domain.FieldChange
	for _, k := range []struct {
		field string
		n     importer.Counts
	}{{"courses", p.Courses}, {"positions", p.Positions}, {"people", p.People}, {"completions", p.Completions}} {
		if k.n.Created+k.n.Updated+k.n.Deleted == 0 {
			continue
		}
		data, _ := json.Marshal(k.n)
		out = append(out, domain.FieldChange{Field: k.field, Old: "null", New: string(data)})
	}
	return out
}

// RollForwardImports finishes the committed import journals of store that
// are older than grace: the writes of those whose audit entry is pending
// are applied (idempotently), the entry ended done and the journal
// removed; a journal whose entry is done is only removed. It returns how
// many journals it applied.
func RollForwardImports(ctx context.Context, store domain.Store, grace time.Duration, logger *slog.Logger) (int, error) {
	journals, err := store.Imports(ctx)
	if err != nil || len(journals) == 0 {
		return 0, err
	}
	pending, err := store.PendingAudit(ctx)
	if err != nil {
		return 0, err
	}
	cutoff := time.Now().Add(-grace)
	applied := 0
	for _, j := range journals {
		if j.Time.After(cutoff) {
			continue
		}
		var entry *domain.AuditEntry
		for _, e := range pending {
			if e.ID == j.ID {
				entry = e
			}
		}
		if entry != nil {
			if _, err := applyJournal(ctx, store, j, nil); err != nil {
				return applied, fmt.Errorf("rolling import %s forward: %w", j.ID, err)
			}
			entry.State = domain.AuditDone
			if err := store.EndAudit(ctx, entry); err != nil {
				return applied, err
			}
			applied++
			logger.Warn("finished an import cut off by a crash, from its journal", "journal", j.ID, "writes", len(j.Ops))
		}
		if err := store.DeleteImport(ctx, j.ID); err != nil {
			return applied, err
		}
	}
	return applied, nil
}

// rollForward runs RollForwardImports over the App's store, logging a
// failure; it reports whether it applied any journal.
func (a *App) rollForward(ctx context.Context, grace time.Duration) bool {
	n, err := RollForwardImports(ctx, a.store, grace, a.logger)
	if err != nil && ctx.Err() == nil {
		a.logger.Error("finishing import journals failed; trying again later", "error", err)
	}
	return n > 0
}

// applyJournal makes the writes of j, idempotently, and returns how many
// store writes it made (each increments the data version once). Records
// are written carrying j.ID in their Audit field, and the op's records
// get their stored version and time.
func applyJournal(ctx context.Context, store domain.Store, j *domain.ImportJournal, progress func(done, total int)) (int, error) {
	w := &journalWriter{ctx: ctx, store: store, id: j.ID, total: len(j.Ops), progress: progress}
	courses := kindWriter[domain.Course]{
		get:       store.Course,
		createAll: store.CreateCourses,
		create:    store.CreateCourse,
		update:    store.UpdateCourse,
		del:       store.DeleteCourse,
		meta:      func(c *domain.Course) (string, *int64, *string) { return c.Code, &c.Version, &c.Audit },
	}
	positions := kindWriter[domain.Position]{
		get:       store.Position,
		createAll: store.CreatePositions,
		create:    store.CreatePosition,
		update:    store.UpdatePosition,
		del:       store.DeletePosition,
		meta:      func(p *domain.Position) (string, *int64, *string) { return p.ID, &p.Version, &p.Audit },
	}
	people := kindWriter[domain.Person]{
		get:       store.Person,
		createAll: store.CreatePeople,
		create:    store.CreatePerson,
		update:    store.UpdatePerson,
		del:       store.DeletePerson,
		meta:      func(p *domain.Person) (string, *int64, *string) { return p.ID, &p.Version, &p.Audit },
	}
	var cs []domain.ImportOp
	var ps []domain.ImportOp
	var hs []domain.ImportOp
	for _, op := range j.Ops {
		switch {
		case op.Course != nil:
			cs = append(cs, op)
		case op.Position != nil:
			ps = append(ps, op)
		default:
			hs = append(hs, op)
		}
	}
	// Creations and updates: courses, positions, then people (whose
	// positions and completed courses must exist); deletions the other
	// way round.
	err := errors.Join(
		writeAll(w, courses, cs, func(op domain.ImportOp) *domain.Course { return op.Course }, false),
		writeAll(w, positions, ps, func(op domain.ImportOp) *domain.Position { return op.Position }, false),
		writeAll(w, people, hs, func(op domain.ImportOp) *domain.Person { return op.Person }, false),
	)
	if err != nil {
		return w.writes, err
	}
	err = errors.Join(
		writeAll(w, people, hs, func(op domain.ImportOp) *domain.Person { return op.Person }, true),
		writeAll(w, positions, ps, func(op domain.ImportOp) *domain.Position { return op.Position }, true),
		writeAll(w, courses, cs, func(op domain.ImportOp) *domain.Course { return op.Course }, true),
	)
	return w.writes, err
}

// journalWriter counts the writes of one journal's application.
type journalWriter struct {
	ctx         context.Context
	store       domain.Store
	id          string
	writes      int
	done, total int
	progress    func(done, total int)
}

// advance counts n ops applied and tells the progress function.
func (w *journalWriter) advance(n int) {
	w.done += n
	if w.progress != nil {
		w.progress(w.done, w.total)
	}
}

// kindWriter is the store's writes of one kind of record.
type kindWriter[T any] struct {
	get       func(context.Context, string) (*T, error)
	createAll func(context.Context, []*T) error
	create    func(context.Context, *T) error
	update    func(context.Context, *T) error
	del       func(context.Context, string, int64) error
	// meta returns the record's key, and its Version and Audit fields.
	meta func(*T) (string, *int64, *string)
}

// importChunk is how many records one bulk create of an import stores:
// each call increments the data version once, and the progress bar moves
// by it.
const importChunk = 2000

// writeAll applies the ops of one kind: with deletions false, its
// creations (in bulk) and updates; with deletions true, its deletions.
func writeAll[T any](w *journalWriter, k kindWriter[T], ops []domain.ImportOp, rec func(domain.ImportOp) *T, deletions bool) error {
	var creates []*T
	for _, op := range ops {
		if op.Op == domain.OpCreate && !deletions {
			r := rec(op)
			_, version, tag := k.meta(r)
			*version, *tag = 0, w.id
			creates = append(creates, r)
		}
	}
	for i := 0; i < len(creates); i += importChunk {
		chunk := creates[i:min(i+importChunk, len(creates))]
		err := k.createAll(w.ctx, chunk)
		switch domain.ErrorCode(err) {
		case "":
			w.writes++
		case domain.ECONFLICT:
			// Some exist: a cut-off run of this journal stored them, or
			// someone else did. One at a time.
			for _, r := range chunk {
				if err := put(w, k, r, 0); err != nil {
					return err
				}
			}
		default:
			return err
		}
		w.advance(len(chunk))
	}
	for _, op := range ops {
		switch {
		case op.Op == domain.OpUpdate && !deletions:
			if err := put(w, k, rec(op), op.Version); err != nil {
				return err
			}
			w.advance(1)
		case op.Op == domain.OpDelete && deletions:
			if err := remove(w, k, rec(op), op.Version); err != nil {
				return err
			}
			w.advance(1)
		}
	}
	return nil
}

// put stores rec over the stored version version (0: none), unless the
// stored record already carries the journal's ID (then rec takes the
// stored record's version and time); a record found at another version is
// overwritten.
func put[T any](w *journalWriter, k kindWriter[T], rec *T, version int64) error {
	key, v, tag := k.meta(rec)
	*tag = w.id
	if version > 0 {
		*v = version
		err := k.update(w.ctx, rec)
		switch domain.ErrorCode(err) {
		case "":
			w.writes++
			return nil
		case domain.ECONFLICT, domain.ENOTFOUND:
		default:
			return err
		}
	}
	stored, err := k.get(w.ctx, key)
	switch domain.ErrorCode(err) {
	case "":
	case domain.ENOTFOUND:
		*v = 0
		if err := k.create(w.ctx, rec); err != nil {
			return err
		}
		w.writes++
		return nil
	default:
		return err
	}
	_, sv, stag := k.meta(stored)
	if *stag == w.id {
		*rec = *stored // written by this journal before
		return nil
	}
	*v = *sv
	if err := k.update(w.ctx, rec); err != nil {
		return err
	}
	w.writes++
	return nil
}

// remove deletes the record with rec's key at the stored version version,
// or at whatever version it has since; none is no error.
func remove[T any](w *journalWriter, k kindWriter[T], rec *T, version int64) error {
	key, _, _ := k.meta(rec)
	for range importAttempts {
		err := k.del(w.ctx, key, version)
		switch domain.ErrorCode(err) {
		case "":
			w.writes++
			return nil
		case domain.ENOTFOUND:
			return nil
		case domain.ECONFLICT:
			stored, err := k.get(w.ctx, key)
			if domain.ErrorCode(err) == domain.ENOTFOUND {
				return nil
			}
			if err != nil {
				return err
			}
			_, sv, _ := k.meta(stored)
			version = *sv
		default:
			return err
		}
	}
	return domain.Errorf(domain.ECONFLICT, "%s kept changing while the import deleted it", key)
}

// keyedRecords maps records by key.
func keyedRecords[T any](records []*T, key func(*T) string) map[string]*T {
	m := make(map[string]*T, len(records))
	for _, r := range records {
		m[key(r)] = r
	}
	return m
}

// applyOp applies one op to records by key.
func applyOp[T any](records map[string]*T, op, key string, r *T) {
	if op == domain.OpDelete {
		delete(records, key)
		return
	}
	records[key] = r
}

// sortedRecords returns the records in key order.
func sortedRecords[T any](records map[string]*T) []*T {
	out := make([]*T, 0, len(records))
	for _, k := range slices.Sorted(maps.Keys(records)) {
		out = append(out, records[k])
	}
	return out
}
