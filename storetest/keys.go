package storetest

import (
	"cmap/domain"
	"testing"
	"time"
)

// SampleAPIKey returns a valid key named name with the viewer and
// personnel roles, made by "cli" at a fixed time, and its token.
func SampleAPIKey(name string) (*domain.APIKey, string) {
	k, token := domain.NewAPIKey(name, []domain.Role{domain.RoleViewer, domain.RolePersonnel})
	k.CreatedAt = time.Date(2025, time.March, 3, 10, 4, 5, 123_000_000, time.UTC)
	k.CreatedBy = "cli"
	return k, token
}

func testAPIKeys(t *testing.T, s domain.Store) {
	ctx := t.Context()
	before, err := s.DataVersion(ctx)
	must(t, err)

	k, token := SampleAPIKey("portal")
	k.Audit = "entry-1"
	must(t, s.CreateAPIKey(ctx, k))
	if k.Version != 1 {
		t.Errorf("after create: version %d, want 1", k.Version)
	}
	got, err := s.APIKey(ctx, k.ID)
	must(t, err)
	assertEqual(t, got, k)
	if !got.Matches(token) || got.Revoked() {
		t.Errorf("stored key: matches its token %v, revoked %v", got.Matches(token), got.Revoked())
	}

	dup := *k
	dup.Version = 0
	wantCode(t, s.CreateAPIKey(ctx, &dup), domain.ECONFLICT)
	bad, _ := SampleAPIKey("bad")
	bad.Roles = []domain.Role{domain.RoleViewer, "owner"}
	err = s.CreateAPIKey(ctx, bad)
	wantCode(t, err, domain.EINVALID)
	wantField(t, err, "roles[1]")
	_, err = s.APIKey(ctx, bad.ID)
	wantCode(t, err, domain.ENOTFOUND)

	other, _ := SampleAPIKey("exports")
	must(t, s.CreateAPIKey(ctx, other))
	got.RevokedAt = time.Date(2025, time.April, 1, 8, 0, 0, 0, time.UTC)
	got.Audit = "entry-2"
	must(t, s.UpdateAPIKey(ctx, got))
	if got.Version != 2 {
		t.Errorf("after update: version %d, want 2", got.Version)
	}
	again, err := s.APIKey(ctx, k.ID)
	must(t, err)
	assertEqual(t, again, got)
	if !again.Revoked() {
		t.Error("the revoked key reads back valid")
	}
	stale := *k
	wantCode(t, s.UpdateAPIKey(ctx, &stale), domain.ECONFLICT)
	missing, _ := SampleAPIKey("missing")
	wantCode(t, s.UpdateAPIKey(ctx, missing), domain.ENOTFOUND)

	all, err := s.ListAPIKeys(ctx)
	must(t, err)
	want := []string{k.ID, other.ID}
	if other.ID < k.ID {
		want = []string{other.ID, k.ID}
	}
	assertEqual(t, keysOf(all, func(k *domain.APIKey) string { return k.ID }), want)

	if v, err := s.DataVersion(ctx); err != nil || v != before {
		t.Errorf("DataVersion after key writes = %d, %v; want %d", v, err, before)
	}
}
