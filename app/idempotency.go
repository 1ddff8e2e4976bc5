package app

import (
	"cmap/domain"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Idempotent requests
//
// A client that sends a request with an idempotency key and loses the
// answer (a timeout, a dropped connection, a crash of the server) sends it
// again with the same key and gets the first answer, without a second
// effect, from any instance on the same database. Idempotent keeps one
// domain.IdempotencyRecord per principal and key in the store, written
// ahead of the request like an audit entry:
//
//  1. the record is created pending, naming a new attempt, before the
//     request runs; a record of the key that exists already answers the
//     retry instead (below);
//  2. the request runs; each write it makes is recorded ahead of itself in
//     the audit trail (see audit.go), its entry carrying the attempt in
//     Request;
//  3. the record is ended done with the answer, sealed with the client's
//     key (AES-GCM under a key derived from it): the database holds no
//     answer, the token of a new API key included, that its readers could
//     open without the client's key.
//
// A retry with the same principal and key reads the record:
//
//   - sent with another request (its fingerprint differs):
//     EIDEMPOTENCYREUSED;
//   - done: the first answer, opened again;
//   - pending and younger than IdempotencyInFlight: EIDEMPOTENCYINUSE (a
//     RetryAfter says when to try again), since the first request may
//     still be running;
//   - pending and older: the first attempt is over (requests stop long
//     before), so it died or its outcome was unknown (the database failed
//     or time ran out, see IdempotentRun). Its audit entries say exactly
//     what it wrote: the pending ones are settled as ReconcileAudit settles
//     them. If none of its writes was made the retry takes the record over
//     under a new attempt and runs; otherwise the record ends lost and the
//     retry gets EIDEMPOTENCYLOST naming the entries, not a second effect;
//   - expired (IdempotencyTTL after its attempt began): as if absent.
//
// Taking a record over, ending it and marking it lost are conditional
// updates of the version read, so two retries racing cannot both run. A
// record is done only after its request ran, and every write of a request
// has an entry naming its attempt before it is made: after kill -9 at any
// moment, a done record implies its writes, and a write made under a key
// keeps a retry from running again.
//
// Records expire by a stored time (FerretDB v1 has no TTL index): an
// expired record is treated as absent, and the App deletes expired records
// every IdempotencyPrune.

// Defaults of idempotent requests.
const (
	// DefaultIdempotencyTTL is how long a key is kept after its request
	// began: a retry later than that runs as a new request.
	DefaultIdempotencyTTL = 24 * time.Hour
	// DefaultIdempotencyInFlight is how long a pending request is taken to
	// be still running: twice the GraphQL endpoint's 15 s deadline.
	DefaultIdempotencyInFlight = 30 * time.Second
	// DefaultIdempotencyPrune is how often expired records are deleted.
	DefaultIdempotencyPrune = time.Hour
)

// IdempotentRun runs a request for Idempotent, under ctx, and returns its
// answer and whether the answer is final: false when the outcome of a write
// may be unknown (the database failed, time ran out), in which case the
// answer is given to this caller but not kept, and a retry settles the
// request from its audit entries instead.
type IdempotentRun func(ctx context.Context) (answer []byte, final bool)

// RetryAfter is the cause of an EIDEMPOTENCYINUSE error: how long to wait
// before the retry can be answered.
type RetryAfter time.Duration

// Error says how long to wait.
func (r RetryAfter) Error() string {
	return fmt.Sprintf("retry after %s", time.Duration(r).Round(time.Second))
}

// requestKey is the context key of the attempt of the idempotent request a
// context runs (see newEntry).
type requestKey struct{}

// requestOf returns the attempt of the idempotent request ctx runs, "" if
// none.
func requestOf(ctx context.Context) string {
	s, _ := ctx.Value(requestKey{}).(string)
	return s
}

// Idempotent runs the request that fingerprint names (a hash of the
// operation and its variables) once for the request's principal and the
// client's key, and answers a retry with the first answer; replayed
// reports the latter. See the section on idempotent requests above.
// Errors: EINVALID for a malformed key (see domain.CheckIdempotencyKey);
// EIDEMPOTENCYREUSED, EIDEMPOTENCYINUSE, EIDEMPOTENCYLOST; the store's.
func (a *App) Idempotent(ctx context.Context, key, fingerprint string, run IdempotentRun) (answer []byte, replayed bool, err error) {
	if err := domain.CheckIdempotencyKey(key); err != nil {
		return nil, false, err
	}
	principal := actor(ctx).ID
	id := domain.IdempotencyID(principal, key)
	// Each turn follows one change of the record by another request with
	// the key (a retry racing this one, a prune).
	for range 4 {
		now := time.Now().UTC()
		rec := &domain.IdempotencyRecord{
			ID: id, Principal: principal, Fingerprint: fingerprint, Attempt: domain.NewAuditID(now),
			State: domain.IdempotencyPending, Started: now, Expires: now.Add(a.opts.IdempotencyTTL),
		}
		err := a.store.CreateIdempotency(ctx, rec)
		if err == nil {
			return a.runIdempotent(ctx, rec, key, run), false, nil
		}
		if domain.ErrorCode(err) != domain.ECONFLICT {
			return nil, false, err
		}
		stored, err := a.store.Idempotency(ctx, id)
		switch domain.ErrorCode(err) {
		case "":
		case domain.ENOTFOUND:
			continue // pruned since
		default:
			return nil, false, err
		}
		if !stored.Expired(now) {
			switch {
			case stored.Fingerprint != fingerprint:
				return nil, false, domain.Errorf(domain.EIDEMPOTENCYREUSED,
					"this Idempotency-Key was sent before with another request (another operation or other variables): send a new key with a new request")
			case stored.State == domain.IdempotencyDone:
				answer, err := openAnswer(stored, key)
				return answer, err == nil, err
			case stored.State == domain.IdempotencyLost:
				made, err := a.store.AuditLog(ctx, domain.AuditFilter{Request: stored.Attempt, State: domain.AuditDone}, domain.Page{})
				if err != nil {
					return nil, false, err
				}
				return nil, false, lostError(stored, made.Items)
			case now.Before(stored.Started.Add(a.opts.IdempotencyInFlight)):
				wait := stored.Started.Add(a.opts.IdempotencyInFlight).Sub(now)
				return nil, false, &domain.Error{Code: domain.EIDEMPOTENCYINUSE, Err: RetryAfter(wait), Message: fmt.Sprintf(
					"the request sent with this Idempotency-Key at %s is still running: send it again in %s for its answer",
					stored.Started.Format(time.RFC3339), wait.Round(time.Second))}
			}
			made, err := a.settleAttempt(ctx, stored.Attempt)
			if err != nil {
				return nil, false, err
			}
			if len(made) > 0 {
				stored.State, stored.Entries = domain.IdempotencyLost, nil
				for _, e := range made {
					stored.Entries = append(stored.Entries, e.ID)
				}
				err := a.store.UpdateIdempotency(ctx, stored)
				switch domain.ErrorCode(err) {
				case "":
					a.logger.Warn("an idempotent request made its writes but lost its answer", "record", stored.ID,
						"principal", stored.Principal, "attempt", stored.Attempt, "entries", stored.Entries)
					return nil, false, lostError(stored, made)
				case domain.ECONFLICT, domain.ENOTFOUND:
					continue
				}
				return nil, false, err
			}
		}
		// Expired, or pending with nothing written: this request takes
		// the record over.
		rec.Version = stored.Version
		err = a.store.UpdateIdempotency(ctx, rec)
		switch domain.ErrorCode(err) {
		case "":
			return a.runIdempotent(ctx, rec, key, run), false, nil
		case domain.ECONFLICT, domain.ENOTFOUND:
			continue
		}
		return nil, false, err
	}
	return nil, false, &domain.Error{Code: domain.EIDEMPOTENCYINUSE, Err: RetryAfter(time.Second),
		Message: "other requests with this Idempotency-Key keep changing its record: send it again in a second"}
}

// runIdempotent runs the request that rec, just stored pending, records,
// and ends rec done with the answer when the answer is final. A failure to
// end it is logged: the answer stands, and a retry settles the request.
func (a *App) runIdempotent(ctx context.Context, rec *domain.IdempotencyRecord, key string, run IdempotentRun) []byte {
	answer, final := run(context.WithValue(ctx, requestKey{}, rec.Attempt))
	if !final {
		return answer
	}
	sealed, err := sealAnswer(rec, key, answer)
	if err == nil {
		rec.State, rec.Response = domain.IdempotencyDone, sealed
		err = a.store.UpdateIdempotency(context.WithoutCancel(ctx), rec)
	}
	if err != nil {
		a.logger.Error("keeping the answer of an idempotent request failed; a retry will settle it from the audit trail",
			"record", rec.ID, "attempt", rec.Attempt, "error", err)
	}
	return answer
}

// settleAttempt settles the pending audit entries of the writes of the
// idempotent request attempt, which is over, as ReconcileAudit settles
// entries, and returns the entries of the writes it made.
func (a *App) settleAttempt(ctx context.Context, attempt string) ([]*domain.AuditEntry, error) {
	pending, err := a.store.PendingAudit(ctx)
	if err != nil {
		return nil, err
	}
	for _, e := range pending {
		if e.Request != attempt {
			continue
		}
		happened, err := settle(ctx, a.store, e, pending)
		if err != nil {
			return nil, err
		}
		e.State = domain.AuditFailed
		if happened {
			e.State = domain.AuditDone
		}
		if err := a.store.EndAudit(ctx, e); err != nil {
			return nil, err
		}
		a.logger.Warn("settled an audit entry of an idempotent request left pending", "entry", e.ID, "operation", e.Operation,
			"kind", e.Kind, "key", e.Key, "actor", e.Actor, "state", e.State)
	}
	done, err := a.store.AuditLog(ctx, domain.AuditFilter{Request: attempt, State: domain.AuditDone}, domain.Page{})
	return done.Items, err
}

// lostError is the EIDEMPOTENCYLOST error of the lost record r, whose
// request made the writes of entries.
func lostError(r *domain.IdempotencyRecord, entries []*domain.AuditEntry) error {
	writes := make([]string, len(entries))
	for i, e := range entries {
		writes[i] = fmt.Sprintf("%s %s %s (audit entry %s)", e.Operation, e.Kind, e.Key, e.ID)
	}
	return domain.Errorf(domain.EIDEMPOTENCYLOST,
		"the request sent with this Idempotency-Key at %s made its writes, %s, but its answer was lost when its server stopped: read the records to see them",
		r.Started.Format(time.RFC3339), strings.Join(writes, "; "))
}

// answerCipher returns the AEAD that seals the answers of the client's key
// given by principal: AES-256-GCM under a SHA-256 of the two, which
// differs from the record's ID (domain.IdempotencyID).
func answerCipher(principal, key string) (cipher.AEAD, error) {
	k := sha256.Sum256([]byte("cmap idempotent answer\x00" + principal + "\x00" + key))
	block, err := aes.NewCipher(k[:])
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// sealAnswer returns answer sealed for rec with the client's key: a random
// nonce followed by the ciphertext, bound to the record's ID.
func sealAnswer(rec *domain.IdempotencyRecord, key string, answer []byte) ([]byte, error) {
	aead, err := answerCipher(rec.Principal, key)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(answer)+aead.Overhead())
	rand.Read(nonce)
	return aead.Seal(nonce, nonce, answer, []byte(rec.ID)), nil
}

// openAnswer returns the answer of the done record rec, opened with the
// client's key (EINTERNAL if it does not open).
func openAnswer(rec *domain.IdempotencyRecord, key string) ([]byte, error) {
	aead, err := answerCipher(rec.Principal, key)
	if err == nil {
		n := aead.NonceSize()
		if len(rec.Response) < n {
			err = errors.New("sealed answer too short")
		} else {
			var answer []byte
			if answer, err = aead.Open(nil, rec.Response[:n], rec.Response[n:], []byte(rec.ID)); err == nil {
				return answer, nil
			}
		}
	}
	return nil, &domain.Error{Code: domain.EINTERNAL, Err: fmt.Errorf("opening the answer of %s: %w", rec.ID, err)}
}

// pruneIdempotency deletes the records of idempotent requests that have
// expired, logging a failure.
func (a *App) pruneIdempotency(ctx context.Context) {
	n, err := a.store.PruneIdempotency(ctx, time.Now())
	switch {
	case err != nil && ctx.Err() == nil:
		a.logger.Error("deleting expired idempotency keys failed; trying again later", "error", err)
	case n > 0:
		a.logger.Info("deleted expired idempotency keys", "count", n)
	}
}
