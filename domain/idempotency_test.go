package domain_test

import (
	"cmap/domain"
	"strings"
	"testing"
	"time"
)

func TestCheckIdempotencyKey(t *testing.T) {
	for _, tc := range []struct {
		key, wantMessage string // "" for a valid key
	}{
		{"8e03978e-40d5-43e8-bc93-6894a57f9324", ""},
		{"01ARZ3NDEKTSV4RRFFQ69G5FAV", ""},
		{"dGhpcyBpcyBhIGtleQ==+/:~._", ""},
		{strings.Repeat("k", 255), ""},
		{"", "an idempotency key has 16 to 255 characters (a UUID will do), not 0"},
		{"fifteen-chars-x", "an idempotency key has 16 to 255 characters (a UUID will do), not 15"},
		{strings.Repeat("k", 256), "an idempotency key has 16 to 255 characters (a UUID will do), not 256"},
		{"8e03978e 40d5 43e8 bc93", `an idempotency key has only letters, digits and - _ . : ~ + / =; character 9 is ' '`},
		{"first-key-given-here,second", `an idempotency key has only letters, digits and - _ . : ~ + / =; character 21 is ','`},
	} {
		err := domain.CheckIdempotencyKey(tc.key)
		switch {
		case tc.wantMessage == "" && err != nil:
			t.Errorf("%q: %v, want valid", tc.key, err)
		case tc.wantMessage != "" && (domain.ErrorCode(err) != domain.EINVALID || domain.ErrorField(err) != "Idempotency-Key" ||
			!strings.HasSuffix(err.Error(), tc.wantMessage)):
			t.Errorf("%q: %v, want EINVALID on Idempotency-Key: %s", tc.key, err, tc.wantMessage)
		}
	}
}

func TestIdempotencyIDIsPerPrincipal(t *testing.T) {
	const key = "8e03978e-40d5-43e8-bc93-6894a57f9324"
	a, b := domain.IdempotencyID("key:a", key), domain.IdempotencyID("key:b", key)
	if a == b || a != domain.IdempotencyID("key:a", key) || strings.Contains(a, key) {
		t.Errorf("IDs of one key for two principals: %s, %s", a, b)
	}
	// The separator keeps principal and key apart.
	if domain.IdempotencyID("key:a", "b"+key) == domain.IdempotencyID("key:ab", key) {
		t.Error("principal and key run together")
	}
}

func TestIdempotencyRecordExpires(t *testing.T) {
	now := time.Date(2025, time.June, 1, 12, 0, 0, 0, time.UTC)
	r := &domain.IdempotencyRecord{Expires: now}
	if r.Expired(now.Add(-time.Millisecond)) || !r.Expired(now) || !r.Expired(now.Add(time.Millisecond)) {
		t.Error("a record expires at its Expires, not before")
	}
}
