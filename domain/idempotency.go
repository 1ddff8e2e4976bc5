package domain

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"
)

// IdempotencyState is where an idempotent request stands.
type IdempotencyState string

// Idempotent request states.
const (
	// IdempotencyPending: the request is running, or was when its process
	// stopped or its outcome became unknown (see IdempotencyRecord).
	IdempotencyPending IdempotencyState = "pending"
	// IdempotencyDone: the request ran to its end; Response holds its
	// answer.
	IdempotencyDone IdempotencyState = "done"
	// IdempotencyLost: the request's writes were made (Entries names their
	// audit entries) but its answer was lost: the process that ran it
	// stopped before keeping it.
	IdempotencyLost IdempotencyState = "lost"
)

// Bounds of an idempotency key (the client's Idempotency-Key).
const (
	// MinIdempotencyKeyLength asks for a random key: a UUID has 36
	// characters. A short key would collide with the client's other
	// requests and would make the answer it seals guessable.
	MinIdempotencyKeyLength = 16
	// MaxIdempotencyKeyLength bounds what a client makes cmap hash.
	MaxIdempotencyKeyLength = 255
)

// IdempotencyRecord is what a Store keeps of a request made with an
// idempotency key, so that a retry of it (the same key, principal and
// request) gets the first answer instead of running again.
//
// The record is written before the request runs (pending), and ended with
// its answer (done) after it ran. Every write the request makes is
// recorded ahead of itself in the audit trail, its entry carrying Attempt
// in AuditEntry.Request; so a record left pending by a process that died is
// settled exactly from those entries: if none of its writes was made the
// request may run again under a new Attempt, otherwise the record ends
// lost. A record is done only after the request ran, so done implies its
// writes were made; and a write made under a key has an entry naming the
// attempt, so a retry never makes it again.
type IdempotencyRecord struct {
	// ID names the principal and the client's key together
	// (IdempotencyID); the key itself is not stored.
	ID string
	// Principal is the ID of the principal who sent the request.
	Principal string
	// Fingerprint is a hash of the request (operation and variables): a
	// retry must send the same.
	Fingerprint string
	// Attempt names the current run of the request; its audit entries
	// carry it in Request.
	Attempt string
	State   IdempotencyState
	// Response is the answer of a done request, sealed with the client's
	// key by the caller (stores keep it as given).
	Response []byte
	// Entries are the IDs of the audit entries of the writes of a lost
	// request.
	Entries []string
	// Started is when the current attempt began.
	Started time.Time
	// Expires is when the key may be used for another request.
	Expires time.Time
	// Version counts the writes of the record (optimistic concurrency).
	Version int64
}

// IdempotencyID returns the record ID of the idempotency key given by the
// principal with principalID: a SHA-256 of the two, so that keys are
// scoped per principal and not stored.
func IdempotencyID(principalID, key string) string {
	sum := sha256.Sum256([]byte("cmap idempotency key\x00" + principalID + "\x00" + key))
	return hex.EncodeToString(sum[:])
}

// CheckIdempotencyKey checks a client's idempotency key: 16 to 255
// characters among letters, digits and - _ . : ~ + / =, which UUIDs,
// ULIDs and base64 or hex strings use. EINVALID otherwise, naming the
// "Idempotency-Key" header.
func CheckIdempotencyKey(key string) error {
	const field = "Idempotency-Key"
	if n := len(key); n < MinIdempotencyKeyLength || n > MaxIdempotencyKeyLength {
		return Invalid(field, "an idempotency key has %d to %d characters (a UUID will do), not %d",
			MinIdempotencyKeyLength, MaxIdempotencyKeyLength, n)
	}
	if i := strings.IndexFunc(key, func(r rune) bool { return !idempotencyKeyChar(r) }); i >= 0 {
		return Invalid(field, "an idempotency key has only letters, digits and - _ . : ~ + / =; character %d is %q", i+1, key[i])
	}
	return nil
}

// idempotencyKeyChar reports whether r may appear in an idempotency key.
func idempotencyKeyChar(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_.:~+/=", r)
}

// Validate checks the record's fields.
func (r *IdempotencyRecord) Validate() error {
	switch {
	case r.ID == "":
		return Invalid("id", "id is empty")
	case r.Principal == "":
		return Invalid("principal", "principal is empty")
	case r.Fingerprint == "":
		return Invalid("fingerprint", "fingerprint is empty")
	case r.Attempt == "":
		return Invalid("attempt", "attempt is empty")
	case r.Started.IsZero():
		return Invalid("started", "started is missing")
	case r.Expires.IsZero():
		return Invalid("expires", "expires is missing")
	}
	switch r.State {
	case IdempotencyPending, IdempotencyDone, IdempotencyLost:
	default:
		return Invalid("state", "%q is not an idempotent request state", r.State)
	}
	return nil
}

// Expired reports whether the record's key may be used again at now.
func (r *IdempotencyRecord) Expired(now time.Time) bool { return !now.Before(r.Expires) }
