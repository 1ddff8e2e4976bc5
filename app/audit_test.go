package app_test

import (
	"cmap/domain"
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"cmap/app"
	"cmap/app/apptest"
	"cmap/memstore"
)

var (
	editor  = &domain.Principal{ID: "key:editor000001", Name: "catalogue sync", Roles: []domain.Role{domain.RoleEditor}}
	records = &domain.Principal{ID: "jwt:dana", Name: "Dana", Roles: []domain.Role{domain.RoleRecords}}
)

// logged returns every entry of the audit log, newest first.
func logged(t *testing.T, store domain.Store) []*domain.AuditEntry {
	t.Helper()
	l, err := store.AuditLog(context.Background(), domain.AuditFilter{}, domain.Page{})
	must(t, err)
	return l.Items
}

func TestWritesRecordTheirAuditEntries(t *testing.T) {
	a, store := newApp(t)
	ctx := domain.WithPrincipal(t.Context(), editor)
	c := course("SCO-101")
	must(t, a.CreateCourse(ctx, c))
	updated, err := a.UpdateCourse(ctx, "SCO-101", 1, func(c *domain.Course) { c.Title = "Security Cooperation Basics"; c.Hours = 12 })
	must(t, err)
	must(t, a.CreatePosition(ctx, position("POS-1")))

	ctx = domain.WithPrincipal(t.Context(), records)
	p := &domain.Person{ID: "P-1", Name: "Alex", PositionID: "POS-1"}
	must(t, a.CreatePerson(ctx, p))
	recorded, err := a.RecordCompletion(ctx, "P-1", "SCO-101", day("2024-06-02"))
	must(t, err)
	again, err := a.RecordCompletion(ctx, "P-1", "SCO-101", day("2024-06-02"))
	must(t, err)
	if again.Version != recorded.Version {
		t.Errorf("recording a completion again wrote version %d", again.Version)
	}
	must(t, a.DeletePerson(ctx, "P-1", recorded.Version))
	must(t, a.DeleteCourse(domain.WithPrincipal(t.Context(), editor), "SCO-101", updated.Version))
	_, err = a.UpdateCourse(ctx, "SCO-101", 2, func(*domain.Course) {})
	wantError(t, err, domain.ENOTFOUND, "") // refused before anything is written: no entry

	type row struct {
		actor, op, kind, key string
		before, after        int64
		state                domain.AuditState
	}
	var got []row
	for _, e := range logged(t, store) {
		got = append(got, row{e.Actor, e.Operation, e.Kind, e.Key, e.VersionBefore, e.VersionAfter, e.State})
	}
	want := []row{ // newest first
		{editor.ID, domain.OpDelete, domain.AuditCourse, "SCO-101", 2, 0, domain.AuditDone},
		{records.ID, domain.OpDelete, domain.AuditPerson, "P-1", 2, 0, domain.AuditDone},
		{records.ID, domain.OpCompletion, domain.AuditPerson, "P-1", 1, 2, domain.AuditDone},
		{records.ID, domain.OpCreate, domain.AuditPerson, "P-1", 0, 1, domain.AuditDone},
		{editor.ID, domain.OpCreate, domain.AuditPosition, "POS-1", 0, 1, domain.AuditDone},
		{editor.ID, domain.OpUpdate, domain.AuditCourse, "SCO-101", 1, 2, domain.AuditDone},
		{editor.ID, domain.OpCreate, domain.AuditCourse, "SCO-101", 0, 1, domain.AuditDone},
	}
	if !slices.Equal(got, want) {
		t.Fatalf("audit log:\n%v\nwant\n%v", got, want)
	}

	history, err := a.History(t.Context(), domain.AuditCourse, "SCO-101", domain.Page{First: 2})
	must(t, err)
	if len(history.Items) != 2 || !history.HasNext {
		t.Fatalf("first page of the course's history: %d entries, next %v", len(history.Items), history.HasNext)
	}
	del, upd := history.Items[0], history.Items[1]
	if upd.Prior == "" || del.Prior != upd.ID || updated.Audit != upd.ID {
		t.Errorf("chain: create ... update %s (prior %s) <- delete prior %s; the updated course carries %s",
			upd.ID, upd.Prior, del.Prior, updated.Audit)
	}
	wantChanges := []domain.FieldChange{
		{Field: "title", Old: `"Course SCO-101"`, New: `"Security Cooperation Basics"`},
		{Field: "hours", Old: "8", New: "12"},
	}
	if !slices.Equal(upd.Changes, wantChanges) {
		t.Errorf("changes of the update: %v, want %v", upd.Changes, wantChanges)
	}
	if upd.ActorName != "catalogue sync" || upd.Time.IsZero() {
		t.Errorf("update entry: actor name %q, time %v", upd.ActorName, upd.Time)
	}
	completion := logged(t, store)[2]
	if want := (domain.FieldChange{Field: "completions", Old: "[]",
		New: `[{"courseCode":"SCO-101","completed":"2024-06-02T00:00:00Z"}]`}); !slices.Equal(completion.Changes, []domain.FieldChange{want}) {
		t.Errorf("changes of the completion: %v, want %v", completion.Changes, want)
	}
}

func TestKeyChangesAndReloadsAreAudited(t *testing.T) {
	_, store := newApp(t)
	rules := apptest.CopyRules(t, "../rules")
	a := openApp(t, store, app.Options{RulesDir: rules})
	admin := &domain.Principal{ID: "key:admin0000001", Name: "ops", Roles: []domain.Role{domain.RoleAdmin}}
	ctx := domain.WithPrincipal(t.Context(), admin)
	key, token, err := a.Keys().Create(ctx, "portal", []domain.Role{domain.RoleViewer})
	must(t, err)
	if key.CreatedBy != admin.ID {
		t.Errorf("CreatedBy %q, want %q", key.CreatedBy, admin.ID)
	}
	if _, err := a.Keys().Authenticate(t.Context(), token); err != nil {
		t.Fatalf("a new key does not authenticate: %v", err)
	}
	_, err = a.Keys().Revoke(ctx, key.ID)
	must(t, err)
	_, err = a.Keys().Authenticate(t.Context(), token)
	wantError(t, err, domain.EUNAUTHENTICATED, "")
	_, err = a.Keys().Revoke(ctx, key.ID) // changes nothing, records nothing
	must(t, err)

	apptest.EditFile(t, filepath.Join(rules, "courses", "4-sales-and-transfers.yaml"), "description: ", "description: Edited. ")
	_, err = a.ReloadRules(domain.WithPrincipal(t.Context(), &domain.Principal{ID: "jwt:ruth", Name: "Ruth", Roles: []domain.Role{domain.RoleRuleAuthor}}))
	must(t, err)

	entries := logged(t, store)
	if len(entries) != 3 {
		t.Fatalf("%d entries, want the reload, the revocation and the creation: %+v", len(entries), entries)
	}
	reload, revoke, create := entries[0], entries[1], entries[2]
	if reload.Operation != domain.OpReload || reload.Actor != "jwt:ruth" || len(reload.Changes) != 2 || reload.Changes[0].Field != "revision" ||
		reload.Changes[0].Old == reload.Changes[0].New {
		t.Errorf("reload entry: %+v", reload)
	}
	if revoke.Operation != domain.OpRevoke || revoke.Key != key.ID || revoke.VersionBefore != 1 || revoke.VersionAfter != 2 ||
		len(revoke.Changes) != 1 || revoke.Changes[0].Field != "revokedAt" || revoke.Changes[0].Old != "null" {
		t.Errorf("revocation entry: %+v", revoke)
	}
	for _, c := range create.Changes {
		if c.Field == "hash" || c.New == fmt.Sprintf("%q", token) {
			t.Errorf("the creation entry holds the key's secret: %+v", c)
		}
	}
}

func TestBootstrapMakesTheFirstAdminKeyOnce(t *testing.T) {
	a, store := newApp(t)
	token, err := a.Keys().Bootstrap(t.Context())
	must(t, err)
	p, err := a.Keys().Authenticate(t.Context(), token)
	must(t, err)
	if p.ID != "key:"+app.FirstAdminKeyID || !p.Has(domain.RoleAdmin) {
		t.Errorf("first key's principal: %+v", p)
	}
	_, err = a.Keys().Revoke(t.Context(), app.FirstAdminKeyID)
	must(t, err)
	for range 2 {
		again, err := app.NewKeys(store, slog.New(slog.DiscardHandler)).Bootstrap(t.Context())
		must(t, err)
		if again != "" {
			t.Fatal("a second start made another first admin key")
		}
	}
	if e := logged(t, store)[1]; e.Operation != domain.OpCreate || e.Actor != domain.System.ID {
		t.Errorf("the first key's entry: %+v", e)
	}
}

// dyingStore passes calls to the store beneath it until the call named
// dieAfter has returned: from then on every write and DataVersion fail
// with EINTERNAL, as they would once the process was killed. Reads still
// pass, which is harmless: the App of a dead process is thrown away.
type dyingStore struct {
	domain.Store
	dieAfter string
	dead     atomic.Bool
}

func (s *dyingStore) call(name string, f func() error) error {
	if s.dead.Load() {
		return &domain.Error{Code: domain.EINTERNAL, Message: "the process was killed"}
	}
	err := f()
	if name == s.dieAfter {
		s.dead.Store(true)
	}
	return err
}

func (s *dyingStore) DataVersion(ctx context.Context) (int64, error) {
	var v int64
	err := s.call("DataVersion", func() (err error) { v, err = s.Store.DataVersion(ctx); return err })
	return v, err
}
func (s *dyingStore) BeginAudit(ctx context.Context, e *domain.AuditEntry) error {
	return s.call("BeginAudit", func() error { return s.Store.BeginAudit(ctx, e) })
}
func (s *dyingStore) EndAudit(ctx context.Context, e *domain.AuditEntry) error {
	return s.call("EndAudit", func() error { return s.Store.EndAudit(ctx, e) })
}
func (s *dyingStore) CreateCourse(ctx context.Context, c *domain.Course) error {
	return s.call("CreateCourse", func() error { return s.Store.CreateCourse(ctx, c) })
}
func (s *dyingStore) UpdateCourse(ctx context.Context, c *domain.Course) error {
	return s.call("UpdateCourse", func() error { return s.Store.UpdateCourse(ctx, c) })
}
func (s *dyingStore) DeleteCourse(ctx context.Context, code string, version int64) error {
	return s.call("DeleteCourse", func() error { return s.Store.DeleteCourse(ctx, code, version) })
}
func (s *dyingStore) CreatePerson(ctx context.Context, p *domain.Person) error {
	return s.call("CreatePerson", func() error { return s.Store.CreatePerson(ctx, p) })
}
func (s *dyingStore) UpdatePerson(ctx context.Context, p *domain.Person) error {
	return s.call("UpdatePerson", func() error { return s.Store.UpdatePerson(ctx, p) })
}
func (s *dyingStore) DeletePerson(ctx context.Context, id string, version int64) error {
	return s.call("DeletePerson", func() error { return s.Store.DeletePerson(ctx, id, version) })
}
func (s *dyingStore) CreatePosition(ctx context.Context, p *domain.Position) error {
	return s.call("CreatePosition", func() error { return s.Store.CreatePosition(ctx, p) })
}
func (s *dyingStore) UpdatePosition(ctx context.Context, p *domain.Position) error {
	return s.call("UpdatePosition", func() error { return s.Store.UpdatePosition(ctx, p) })
}
func (s *dyingStore) DeletePosition(ctx context.Context, id string, version int64) error {
	return s.call("DeletePosition", func() error { return s.Store.DeletePosition(ctx, id, version) })
}
func (s *dyingStore) CreateAPIKey(ctx context.Context, k *domain.APIKey) error {
	return s.call("CreateAPIKey", func() error { return s.Store.CreateAPIKey(ctx, k) })
}
func (s *dyingStore) UpdateAPIKey(ctx context.Context, k *domain.APIKey) error {
	return s.call("UpdateAPIKey", func() error { return s.Store.UpdateAPIKey(ctx, k) })
}
func (s *dyingStore) SaveCourseFacts(ctx context.Context, facts []domain.CourseFacts) error {
	return s.call("SaveCourseFacts", func() error { return s.Store.SaveCourseFacts(ctx, facts) })
}
func (s *dyingStore) SavePositionFacts(ctx context.Context, facts []domain.PositionFacts) error {
	return s.call("SavePositionFacts", func() error { return s.Store.SavePositionFacts(ctx, facts) })
}
func (s *dyingStore) DeleteFacts(ctx context.Context, courses, positions []string) error {
	return s.call("DeleteFacts", func() error { return s.Store.DeleteFacts(ctx, courses, positions) })
}

// crashStore returns a store holding the sample framework, course
// SCO-101 (version 1, with an audit entry), position POS-1 and person P-1
// holding it, and API key "portal".
func crashStore(t *testing.T) *memstore.Store {
	t.Helper()
	base := memstore.New()
	must(t, base.PutFramework(t.Context(), sampleSeeds(t).Framework))
	a := openApp(t, base, app.Options{})
	ctx := t.Context()
	must(t, a.CreateCourse(ctx, course("SCO-101")))
	must(t, a.CreatePosition(ctx, position("POS-1")))
	must(t, a.CreatePerson(ctx, &domain.Person{ID: "P-1", Name: "Alex", PositionID: "POS-1"}))
	key, _ := domain.NewAPIKeyWithID("portal", "portal", []domain.Role{domain.RoleViewer})
	key.CreatedAt, key.CreatedBy = time.Now(), "test"
	must(t, base.CreateAPIKey(ctx, key))
	must(t, a.Close())
	return base
}

// crashOp is a write made by an App whose process dies partway.
type crashOp struct {
	name string
	// write makes the change through a.
	write func(ctx context.Context, a *app.App) error
	// writeMethod is the Store method that writes the record.
	writeMethod string
	// made reports whether the change is in store.
	made func(store domain.Store) bool
}

var crashOps = []crashOp{
	{"create course", func(ctx context.Context, a *app.App) error { return a.CreateCourse(ctx, course("SCO-201")) }, "CreateCourse",
		func(s domain.Store) bool { _, err := s.Course(context.Background(), "SCO-201"); return err == nil }},
	{"update course", func(ctx context.Context, a *app.App) error {
		_, err := a.UpdateCourse(ctx, "SCO-101", 1, func(c *domain.Course) { c.Hours = 40 })
		return err
	}, "UpdateCourse", func(s domain.Store) bool { c, _ := s.Course(context.Background(), "SCO-101"); return c.Hours == 40 }},
	{"delete course", func(ctx context.Context, a *app.App) error { return a.DeleteCourse(ctx, "SCO-101", 1) }, "DeleteCourse",
		func(s domain.Store) bool { _, err := s.Course(context.Background(), "SCO-101"); return err != nil }},
	{"update position", func(ctx context.Context, a *app.App) error {
		_, err := a.UpdatePosition(ctx, "POS-1", 1, func(p *domain.Position) { p.Grade = "GS-14" })
		return err
	}, "UpdatePosition", func(s domain.Store) bool {
		p, _ := s.Position(context.Background(), "POS-1")
		return p.Grade == "GS-14"
	}},
	{"record completion", func(ctx context.Context, a *app.App) error {
		_, err := a.RecordCompletion(ctx, "P-1", "SCO-101", day("2024-06-02"))
		return err
	}, "UpdatePerson", func(s domain.Store) bool {
		p, _ := s.Person(context.Background(), "P-1")
		return len(p.Completions) == 1
	}},
	{"create key", func(ctx context.Context, a *app.App) error {
		_, _, err := a.Keys().Create(ctx, "exports", []domain.Role{domain.RolePersonnel})
		return err
	}, "CreateAPIKey", func(s domain.Store) bool { keys, _ := s.ListAPIKeys(context.Background()); return len(keys) == 2 }},
	{"revoke key", func(ctx context.Context, a *app.App) error { _, err := a.Keys().Revoke(ctx, "portal"); return err }, "UpdateAPIKey",
		func(s domain.Store) bool { k, _ := s.APIKey(context.Background(), "portal"); return k.Revoked() }},
}

// TestAuditSurvivesACrashBetweenSteps kills the process (as far as the
// store can tell) after each step of an audited write: after its entry is
// stored pending, and after its record is written. Reconciliation, as the
// next start runs it, must find the entry done exactly when the record
// holds the change, and leave no record version without a done entry.
func TestAuditSurvivesACrashBetweenSteps(t *testing.T) {
	for _, op := range crashOps {
		for _, dieAfter := range []string{"BeginAudit", op.writeMethod} {
			t.Run(op.name+" dies after "+dieAfter, func(t *testing.T) {
				base := crashStore(t)
				before := len(logged(t, base))
				dying := &dyingStore{Store: base, dieAfter: dieAfter}
				a := openApp(t, dying, app.Options{})
				_ = op.write(domain.WithPrincipal(t.Context(), editor), a) // the caller never hears back
				if !dying.dead.Load() {
					t.Fatalf("the write never called %s", dieAfter)
				}
				made := op.made(base)
				if made != (dieAfter == op.writeMethod) {
					t.Fatalf("change made: %v after dying after %s", made, dieAfter)
				}
				pending, err := base.PendingAudit(t.Context())
				must(t, err)
				if len(pending) != 1 {
					t.Fatalf("%d entries pending after the crash, want 1", len(pending))
				}

				done, failed, err := app.ReconcileAudit(t.Context(), base, 0, slog.New(slog.DiscardHandler))
				must(t, err)
				if made && (done != 1 || failed != 0) || !made && (done != 0 || failed != 1) {
					t.Errorf("reconciled %d done, %d failed; the change was made: %v", done, failed, made)
				}
				entries := logged(t, base)
				if len(entries) != before+1 || entries[0].ID != pending[0].ID {
					t.Fatalf("the log holds %d entries, newest %s; want %d, newest %s", len(entries), entries[0].ID, before+1, pending[0].ID)
				}
				checkEveryVersionHasItsEntry(t, base)
			})
		}
	}
}

// checkEveryVersionHasItsEntry fails t unless nothing is pending and every
// record written with an entry names a done entry about it.
func checkEveryVersionHasItsEntry(t *testing.T, store domain.Store) {
	t.Helper()
	problems, err := apptest.AuditTrailProblems(context.Background(), store)
	must(t, err)
	for _, p := range problems {
		t.Error(p)
	}
}

// TestAuditReconcilesAfterOthersWroteTheRecord: instance A dies partway
// through a write; instance B, on the same database, goes on writing the
// same record before A's entry is settled. The chain of Prior IDs tells
// whether A's write was made.
func TestAuditReconcilesAfterOthersWroteTheRecord(t *testing.T) {
	edit := func(hours float64) func(*domain.Course) { return func(c *domain.Course) { c.Hours = hours } }
	tests := []struct {
		name     string
		dieAfter string
		// a is A's write; b is B's, after A died.
		a, b func(ctx context.Context, a *app.App) error
		made bool
	}{
		{"A's update was made, B updated after it", "UpdateCourse",
			func(ctx context.Context, a *app.App) error {
				_, err := a.UpdateCourse(ctx, "SCO-101", 1, edit(20))
				return err
			},
			func(ctx context.Context, b *app.App) error {
				_, err := b.UpdateCourse(ctx, "SCO-101", 2, edit(30))
				return err
			},
			true},
		{"A's update was not made, B updated instead", "BeginAudit",
			func(ctx context.Context, a *app.App) error {
				_, err := a.UpdateCourse(ctx, "SCO-101", 1, edit(20))
				return err
			},
			func(ctx context.Context, b *app.App) error {
				_, err := b.UpdateCourse(ctx, "SCO-101", 1, edit(30))
				return err
			},
			false},
		{"A's create was made, B deleted the course", "CreateCourse",
			func(ctx context.Context, a *app.App) error { return a.CreateCourse(ctx, course("SCO-201")) },
			func(ctx context.Context, b *app.App) error { return b.DeleteCourse(ctx, "SCO-201", 1) },
			true},
		{"A's delete was made, B created the course again", "DeleteCourse",
			func(ctx context.Context, a *app.App) error { return a.DeleteCourse(ctx, "SCO-101", 1) },
			func(ctx context.Context, b *app.App) error { return b.CreateCourse(ctx, course("SCO-101")) },
			true},
		{"A's delete was not made, B updated the course", "BeginAudit",
			func(ctx context.Context, a *app.App) error { return a.DeleteCourse(ctx, "SCO-101", 1) },
			func(ctx context.Context, b *app.App) error {
				_, err := b.UpdateCourse(ctx, "SCO-101", 1, edit(30))
				return err
			},
			false},
		{"A's delete was not made, B deleted the course", "BeginAudit",
			func(ctx context.Context, a *app.App) error { return a.DeleteCourse(ctx, "SCO-101", 1) },
			func(ctx context.Context, b *app.App) error { return b.DeleteCourse(ctx, "SCO-101", 1) },
			false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := crashStore(t)
			dying := &dyingStore{Store: base, dieAfter: tt.dieAfter}
			_ = tt.a(t.Context(), openApp(t, dying, app.Options{}))
			if !dying.dead.Load() {
				t.Fatalf("A never called %s", tt.dieAfter)
			}
			pending, err := base.PendingAudit(t.Context())
			must(t, err)
			must(t, tt.b(t.Context(), openApp(t, base, app.Options{})))

			_, _, err = app.ReconcileAudit(t.Context(), base, 0, slog.New(slog.DiscardHandler))
			must(t, err)
			l, err := base.AuditLog(t.Context(), domain.AuditFilter{Actor: domain.System.ID, Kind: domain.AuditCourse}, domain.Page{})
			must(t, err)
			var a *domain.AuditEntry
			for _, e := range l.Items {
				if e.ID == pending[0].ID {
					a = e
				}
			}
			if want := map[bool]domain.AuditState{true: domain.AuditDone, false: domain.AuditFailed}[tt.made]; a == nil || a.State != want {
				t.Fatalf("A's entry: %+v, want %s", a, want)
			}
			checkEveryVersionHasItsEntry(t, base)
		})
	}
}

func TestReconcileLeavesYoungEntriesToTheirWriters(t *testing.T) {
	base := crashStore(t)
	dying := &dyingStore{Store: base, dieAfter: "UpdateCourse"}
	_, _ = openApp(t, dying, app.Options{}).UpdateCourse(t.Context(), "SCO-101", 1, func(c *domain.Course) { c.Hours = 9 })
	done, failed, err := app.ReconcileAudit(t.Context(), base, time.Hour, slog.New(slog.DiscardHandler))
	must(t, err)
	pending, _ := base.PendingAudit(t.Context())
	if done+failed != 0 || len(pending) != 1 {
		t.Fatalf("a young entry was settled: %d done, %d failed, %d pending", done, failed, len(pending))
	}
	// The next start settles it once it is old enough: here, at once.
	openApp(t, base, app.Options{AuditGrace: time.Nanosecond})
	checkEveryVersionHasItsEntry(t, base)
}

// TestRevocationReachesEveryInstance: Authenticate keeps the keys it read
// for KeyCacheTTL. A key revoked through the same Keys is refused at once;
// one revoked elsewhere (another instance, cmap keys) once the TTL passed.
func TestRevocationReachesEveryInstance(t *testing.T) {
	store := memstore.New()
	must(t, store.PutFramework(t.Context(), sampleSeeds(t).Framework))
	a := openApp(t, store, app.Options{KeyCacheTTL: 200 * time.Millisecond})
	elsewhere := app.NewKeys(store, slog.New(slog.DiscardHandler))
	ctx := t.Context()
	here, hereToken, err := a.Keys().Create(ctx, "here", []domain.Role{domain.RoleViewer})
	must(t, err)
	there, thereToken, err := a.Keys().Create(ctx, "there", []domain.Role{domain.RoleViewer})
	must(t, err)
	for _, token := range []string{hereToken, thereToken} {
		_, err := a.Keys().Authenticate(ctx, token)
		must(t, err)
	}

	_, err = a.Keys().Revoke(ctx, here.ID)
	must(t, err)
	_, err = a.Keys().Authenticate(ctx, hereToken)
	wantError(t, err, domain.EUNAUTHENTICATED, "")

	revoked := time.Now()
	_, err = elsewhere.Revoke(ctx, there.ID)
	must(t, err)
	apptest.WaitUntil(t, "a key revoked elsewhere to be refused", func() bool {
		_, err := a.Keys().Authenticate(ctx, thereToken)
		return domain.ErrorCode(err) == domain.EUNAUTHENTICATED
	})
	if waited := time.Since(revoked); waited > 2*time.Second {
		t.Errorf("a key revoked elsewhere was accepted for %v", waited)
	}
}
