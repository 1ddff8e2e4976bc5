package storetest

import (
	"cmap/domain"
	"testing"
	"time"
)

// SampleAuditEntry returns a valid pending entry of an update of course
// key made at t by "key:abcdefghijkl".
func SampleAuditEntry(key string, t time.Time) *domain.AuditEntry {
	return &domain.AuditEntry{
		ID:            domain.NewAuditID(t),
		Time:          t.UTC().Truncate(time.Millisecond),
		Actor:         "key:abcdefghijkl",
		ActorName:     "catalogue sync",
		Operation:     domain.OpUpdate,
		Kind:          domain.AuditCourse,
		Key:           key,
		VersionBefore: 3,
		VersionAfter:  4,
		Prior:         "0123-prior",
		Changes:       []domain.FieldChange{{Field: "title", Old: `"Old"`, New: `"New"`}, {Field: "hours", Old: "30", New: "37.5"}},
		State:         domain.AuditPending,
	}
}

func testAuditTrail(t *testing.T, s domain.Store) {
	ctx := t.Context()
	before, err := s.DataVersion(ctx)
	must(t, err)
	start := time.Date(2025, time.May, 1, 9, 0, 0, 0, time.UTC)
	first := SampleAuditEntry("SCO-201", start)
	second := SampleAuditEntry("SCO-301", start.Add(time.Minute))
	must(t, s.BeginAudit(ctx, first))
	must(t, s.BeginAudit(ctx, second))
	wantCode(t, s.BeginAudit(ctx, first), domain.ECONFLICT)
	done := SampleAuditEntry("SCO-401", start)
	done.State = domain.AuditDone
	err = s.BeginAudit(ctx, done)
	wantCode(t, err, domain.EINVALID)
	wantField(t, err, "state")
	bad := SampleAuditEntry("", start)
	err = s.BeginAudit(ctx, bad)
	wantCode(t, err, domain.EINVALID)
	wantField(t, err, "key")

	pending, err := s.PendingAudit(ctx)
	must(t, err)
	assertEqual(t, pending, []*domain.AuditEntry{first, second})
	log, err := s.AuditLog(ctx, domain.AuditFilter{}, domain.Page{})
	must(t, err)
	if len(log.Items) != 0 {
		t.Fatalf("the log holds pending entries: %+v", log.Items)
	}

	err = s.EndAudit(ctx, first)
	wantCode(t, err, domain.EINVALID)
	wantField(t, err, "state")
	first.State = domain.AuditDone
	must(t, s.EndAudit(ctx, first))
	pending, err = s.PendingAudit(ctx)
	must(t, err)
	assertEqual(t, pending, []*domain.AuditEntry{second})
	second.State = domain.AuditFailed
	must(t, s.EndAudit(ctx, second))
	second.State = domain.AuditDone // ending again stores the later state
	must(t, s.EndAudit(ctx, second))
	// An entry never begun can be ended: reconciliation may end an entry
	// whose pending copy another instance removed meanwhile.
	third := SampleAuditEntry("SCO-201", start.Add(2*time.Minute))
	third.Actor, third.Operation, third.State = "cli", domain.OpDelete, domain.AuditFailed
	must(t, s.EndAudit(ctx, third))

	pending, err = s.PendingAudit(ctx)
	must(t, err)
	if len(pending) != 0 {
		t.Errorf("pending after ending every entry: %+v", pending)
	}
	log, err = s.AuditLog(ctx, domain.AuditFilter{}, domain.Page{})
	must(t, err)
	assertEqual(t, log.Items, []*domain.AuditEntry{third, second, first}) // newest first
	if log.HasNext {
		t.Error("a whole log has a next page")
	}

	byID := func(e *domain.AuditEntry) string { return e.ID }
	assertEqual(t, walkPages(t, func(p domain.Page) (domain.List[*domain.AuditEntry], error) {
		return s.AuditLog(ctx, domain.AuditFilter{}, p)
	}, byID), []string{third.ID, second.ID, first.ID})

	filters := []struct {
		f    domain.AuditFilter
		want []*domain.AuditEntry
	}{
		{domain.AuditFilter{Kind: domain.AuditCourse, Key: "SCO-201"}, []*domain.AuditEntry{third, first}},
		{domain.AuditFilter{Key: "SCO-301"}, []*domain.AuditEntry{second}},
		{domain.AuditFilter{Actor: "cli"}, []*domain.AuditEntry{third}},
		{domain.AuditFilter{Operation: domain.OpUpdate}, []*domain.AuditEntry{second, first}},
		{domain.AuditFilter{State: domain.AuditFailed}, []*domain.AuditEntry{third}},
		{domain.AuditFilter{Kind: domain.AuditPerson}, nil},
	}
	for _, tt := range filters {
		got, err := s.AuditLog(ctx, tt.f, domain.Page{})
		must(t, err)
		if len(got.Items) != len(tt.want) || (len(tt.want) > 0 && !equalEntries(got.Items, tt.want)) {
			t.Errorf("AuditLog(%+v) = %v, want %v", tt.f, keysOf(got.Items, byID), keysOf(tt.want, byID))
		}
	}
	_, err = s.AuditLog(ctx, domain.AuditFilter{}, domain.Page{First: -1})
	wantCode(t, err, domain.EINVALID)
	wantField(t, err, "first")

	if v, err := s.DataVersion(ctx); err != nil || v != before {
		t.Errorf("DataVersion after audit writes = %d, %v; want %d", v, err, before)
	}
}

func equalEntries(got, want []*domain.AuditEntry) bool {
	for i := range got {
		if got[i].ID != want[i].ID || got[i].State != want[i].State {
			return false
		}
	}
	return true
}

// testAuditField: every versioned write stores the record's Audit field as
// given, and RecordCompletion, which writes no entry, clears it.
func testAuditField(t *testing.T, s domain.Store) {
	ctx := t.Context()
	c := SampleCourse("SCO-201")
	c.Audit = "entry-1"
	must(t, s.CreateCourse(ctx, c))
	c.Audit = "entry-2"
	must(t, s.UpdateCourse(ctx, c))
	gotCourse, err := s.Course(ctx, c.Code)
	must(t, err)
	assertEqual(t, gotCourse.Audit, "entry-2")

	p := SamplePosition("POS-0001")
	p.Audit = "entry-3"
	must(t, s.CreatePosition(ctx, p))
	gotPosition, err := s.Position(ctx, p.ID)
	must(t, err)
	assertEqual(t, gotPosition.Audit, "entry-3")

	person := SamplePerson("P-00001")
	person.Audit = "entry-4"
	must(t, s.CreatePerson(ctx, person))
	gotPerson, err := s.Person(ctx, person.ID)
	must(t, err)
	assertEqual(t, gotPerson.Audit, "entry-4")
	recorded, err := s.RecordCompletion(ctx, person.ID, domain.Completion{CourseCode: "SCO-301", Completed: day(2024, time.July, 1)})
	must(t, err)
	gotPerson, err = s.Person(ctx, person.ID)
	must(t, err)
	if recorded.Audit != "" || gotPerson.Audit != "" {
		t.Errorf("after RecordCompletion: Audit %q returned, %q stored; want both empty", recorded.Audit, gotPerson.Audit)
	}
}
