package storetest

import (
	"cmap/domain"
	"sync"
	"testing"
	"time"
)

// SampleIdempotency returns a valid pending record of the key named key
// given by "key:abcdefghijkl", started at t and expiring a day later.
func SampleIdempotency(key string, t time.Time) *domain.IdempotencyRecord {
	t = t.UTC().Truncate(time.Millisecond)
	return &domain.IdempotencyRecord{
		ID:          domain.IdempotencyID("key:abcdefghijkl", key),
		Principal:   "key:abcdefghijkl",
		Fingerprint: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
		Attempt:     domain.NewAuditID(t),
		State:       domain.IdempotencyPending,
		Started:     t,
		Expires:     t.Add(24 * time.Hour),
	}
}

func testIdempotency(t *testing.T, s domain.Store) {
	ctx := t.Context()
	before, err := s.DataVersion(ctx)
	must(t, err)
	start := time.Date(2025, time.June, 2, 8, 30, 0, 0, time.UTC)

	r := SampleIdempotency("0f6c2a6e-5d3b-4c1e-9a57-3e1f2b7c8d90", start)
	must(t, s.CreateIdempotency(ctx, r))
	if r.Version != 1 {
		t.Errorf("after create: version %d, want 1", r.Version)
	}
	got, err := s.Idempotency(ctx, r.ID)
	must(t, err)
	assertEqual(t, got, r)

	dup := *r
	dup.Attempt = "another"
	wantCode(t, s.CreateIdempotency(ctx, &dup), domain.ECONFLICT)
	bad := SampleIdempotency("1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed", start)
	bad.Fingerprint = ""
	err = s.CreateIdempotency(ctx, bad)
	wantCode(t, err, domain.EINVALID)
	wantField(t, err, "fingerprint")
	_, err = s.Idempotency(ctx, bad.ID)
	wantCode(t, err, domain.ENOTFOUND)

	// Ending the request stores its answer, bytes as given.
	got.State = domain.IdempotencyDone
	got.Response = []byte{0, 1, 2, 0xff, '{', '}'}
	must(t, s.UpdateIdempotency(ctx, got))
	if got.Version != 2 {
		t.Errorf("after update: version %d, want 2", got.Version)
	}
	again, err := s.Idempotency(ctx, r.ID)
	must(t, err)
	assertEqual(t, again, got)
	stale := *r
	stale.State = domain.IdempotencyLost
	wantCode(t, s.UpdateIdempotency(ctx, &stale), domain.ECONFLICT)
	missing := SampleIdempotency("6ba7b810-9dad-11d1-80b4-00c04fd430c8", start)
	missing.Version = 1
	wantCode(t, s.UpdateIdempotency(ctx, missing), domain.ENOTFOUND)
	again.State = "finished"
	err = s.UpdateIdempotency(ctx, again)
	wantCode(t, err, domain.EINVALID)
	wantField(t, err, "state")

	lost := SampleIdempotency("6ba7b811-9dad-11d1-80b4-00c04fd430c8", start)
	lost.State = domain.IdempotencyLost
	lost.Entries = []string{"0123-a", "0124-b"}
	must(t, s.CreateIdempotency(ctx, lost))
	gotLost, err := s.Idempotency(ctx, lost.ID)
	must(t, err)
	assertEqual(t, gotLost, lost)

	if v, err := s.DataVersion(ctx); err != nil || v != before {
		t.Errorf("DataVersion after idempotency writes = %d, %v; want %d", v, err, before)
	}
}

func testPruneIdempotency(t *testing.T, s domain.Store) {
	ctx := t.Context()
	now := time.Date(2025, time.June, 3, 12, 0, 0, 0, time.UTC)
	expired := SampleIdempotency("a-key-that-expired-an-hour-ago", now.Add(-25*time.Hour))
	atNow := SampleIdempotency("a-key-that-expires-exactly-now", now.Add(-24*time.Hour))
	live := SampleIdempotency("a-key-that-expires-in-an-hour", now.Add(-23*time.Hour))
	for _, r := range []*domain.IdempotencyRecord{expired, atNow, live} {
		must(t, s.CreateIdempotency(ctx, r))
	}
	if !atNow.Expired(now) || live.Expired(now) {
		t.Fatalf("Expired at %v: %v for %v, %v for %v", now, atNow.Expired(now), atNow.Expires, live.Expired(now), live.Expires)
	}
	n, err := s.PruneIdempotency(ctx, now)
	must(t, err)
	if n != 2 {
		t.Errorf("PruneIdempotency deleted %d records, want 2", n)
	}
	for _, r := range []*domain.IdempotencyRecord{expired, atNow} {
		_, err := s.Idempotency(ctx, r.ID)
		wantCode(t, err, domain.ENOTFOUND)
	}
	got, err := s.Idempotency(ctx, live.ID)
	must(t, err)
	assertEqual(t, got, live)
	n, err = s.PruneIdempotency(ctx, now)
	must(t, err)
	if n != 0 {
		t.Errorf("PruneIdempotency again deleted %d records, want 0", n)
	}

	// A record renewed before the prune (a new request under the key)
	// is kept.
	got.Expires = now.Add(24 * time.Hour)
	must(t, s.UpdateIdempotency(ctx, got))
	n, err = s.PruneIdempotency(ctx, now.Add(2*time.Hour))
	must(t, err)
	if n != 0 {
		t.Errorf("PruneIdempotency deleted %d renewed records, want 0", n)
	}
}

// testRaceIdempotency races updates of one version of a record: exactly
// one wins, as taking a request over after a crash needs.
func testRaceIdempotency(t *testing.T, s domain.Store) {
	ctx := t.Context()
	r := SampleIdempotency("a-key-raced-by-eight-retries", time.Now())
	must(t, s.CreateIdempotency(ctx, r))
	const racers = 8
	var wg sync.WaitGroup
	errs := make([]error, racers)
	for i := range racers {
		wg.Go(func() {
			mine := *r
			mine.Attempt = domain.NewAuditID(time.Now())
			errs[i] = s.UpdateIdempotency(ctx, &mine)
		})
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch domain.ErrorCode(err) {
		case "":
			won++
		case domain.ECONFLICT:
		default:
			t.Errorf("a racer failed: %v", err)
		}
	}
	if won != 1 {
		t.Errorf("%d of %d racers updated version 1, want exactly 1", won, racers)
	}
	got, err := s.Idempotency(ctx, r.ID)
	must(t, err)
	if got.Version != 2 {
		t.Errorf("version after the race: %d, want 2", got.Version)
	}
}

// testAuditRequest checks that an audit entry keeps the attempt of the
// idempotent request that wrote it, and that the log selects by it.
func testAuditRequest(t *testing.T, s domain.Store) {
	ctx := t.Context()
	start := time.Date(2025, time.May, 1, 9, 0, 0, 0, time.UTC)
	tagged := SampleAuditEntry("SCO-201", start)
	tagged.Request = "attempt-1"
	other := SampleAuditEntry("SCO-301", start.Add(time.Second))
	must(t, s.BeginAudit(ctx, tagged))
	must(t, s.BeginAudit(ctx, other))
	pending, err := s.PendingAudit(ctx)
	must(t, err)
	assertEqual(t, pending, []*domain.AuditEntry{tagged, other})
	tagged.State, other.State = domain.AuditDone, domain.AuditDone
	must(t, s.EndAudit(ctx, tagged))
	must(t, s.EndAudit(ctx, other))
	log, err := s.AuditLog(ctx, domain.AuditFilter{Request: "attempt-1"}, domain.Page{})
	must(t, err)
	assertEqual(t, log.Items, []*domain.AuditEntry{tagged})
}
