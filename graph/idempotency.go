package graph

import (
	"bytes"
	"cmap/domain"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"cmap/app"
)

// Idempotent mutations
//
// A mutation sent with an Idempotency-Key header (the IETF draft "The
// Idempotency-Key HTTP Header Field"; a UUID, quoted or not) runs at most
// once for its principal and key: a retry with the same key, the same
// principal and the same request (query, operation name and variables)
// gets the first answer, status and body, with Idempotent-Replayed: true,
// from any instance on the database (app.App.Idempotent). The header is
// the one way in: cmap's mutations take arguments, not Relay's single
// input object, so a clientMutationId would fit none of them (and Relay no
// longer asks for one), and one header covers every mutation of a request.
// Queries ignore the header; so do callers who may write nothing (their
// mutations are FORBIDDEN), so that they cannot fill the store with keys.
//
// An idempotent mutation runs to its end even if its client goes away
// (within the request's deadline), since its answer is what a retry
// gets. Refusals are request errors, with the statuses of the draft:
//
//   - a malformed key: 400, BAD_REQUEST;
//   - the key sent before with another request: 422,
//     IDEMPOTENCY_KEY_REUSED;
//   - the first request with the key still running: 409,
//     IDEMPOTENCY_KEY_IN_USE, with Retry-After;
//   - the first request made its writes but its server stopped before it
//     kept the answer: 409, IDEMPOTENCY_ANSWER_LOST, naming the writes
//     and their audit entries.

// Values of extensions.code of idempotent mutations.
const (
	codeIdempotencyKeyReused = "IDEMPOTENCY_KEY_REUSED"
	codeIdempotencyKeyInUse  = "IDEMPOTENCY_KEY_IN_USE"
	codeIdempotencyLost      = "IDEMPOTENCY_ANSWER_LOST"
	// codeReplayed is the outcome RequestObserver is told of for an
	// answer given again to a retry.
	codeReplayed = "REPLAYED"
)

// idempotencyKey returns the request's Idempotency-Key, without the
// quotes of a structured field string, and whether it has one. A header
// given twice is one list, as HTTP combines fields: a key with a comma,
// which App.Idempotent refuses.
func idempotencyKey(r *http.Request) (string, bool) {
	v, ok := r.Header["Idempotency-Key"]
	if !ok || len(v) == 0 {
		return "", false
	}
	key := strings.TrimSpace(strings.Join(v, ","))
	if len(key) >= 2 && key[0] == '"' && key[len(key)-1] == '"' {
		key = key[1 : len(key)-1]
	}
	return key, true
}

// mayWrite reports whether p holds a role that some mutation needs.
func mayWrite(p *domain.Principal) bool {
	for _, r := range []domain.Role{domain.RoleEditor, domain.RoleRecords, domain.RoleRuleAuthor, domain.RoleAdmin} {
		if p.Has(r) {
			return true
		}
	}
	return false
}

// keptAnswer is the answer of an idempotent mutation as the App keeps it.
type keptAnswer struct {
	Status      int    `json:"status"`
	ContentType string `json:"contentType"`
	Body        []byte `json:"body"`
}

// answerRecorder is an http.ResponseWriter that keeps what is written.
type answerRecorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (a *answerRecorder) Header() http.Header         { return a.header }
func (a *answerRecorder) Write(b []byte) (int, error) { return a.body.Write(b) }
func (a *answerRecorder) WriteHeader(status int) {
	if a.status == 0 {
		a.status = status
	}
}

// idempotent runs the mutation of opCtx once for the request's principal
// and key (see above) and writes its answer, or the first one, to w.
func (t httpTransport) idempotent(w http.ResponseWriter, r *http.Request, key, mediaType string, exec graphql.GraphExecutor, opCtx *graphql.OperationContext) {
	fingerprint, err := requestFingerprint(opCtx)
	if err != nil {
		t.app.Logger().Error("fingerprinting a mutation failed", "error", err)
		refuse(w, r, mediaType, http.StatusInternalServerError, codeInternal, "internal error")
		return
	}
	// The mutation runs to its end, or its deadline, even if the client
	// goes away: a retry gets its answer.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), requestTimeout)
	defer cancel()
	answer, replayed, err := t.app.Idempotent(ctx, key, fingerprint, func(ctx context.Context) ([]byte, bool) {
		rec := &answerRecorder{header: http.Header{}}
		final := run(ctx, rec, mediaType, exec, opCtx)
		if rec.status == 0 {
			rec.status = http.StatusOK
		}
		b, err := json.Marshal(keptAnswer{Status: rec.status, ContentType: mediaType, Body: rec.body.Bytes()})
		if err != nil {
			panic(err) // a struct of an int, a string and bytes encodes
		}
		return b, final
	})
	if err != nil {
		refuseIdempotent(w, r, mediaType, err, t.app)
		return
	}
	var kept keptAnswer
	if err := json.Unmarshal(answer, &kept); err != nil {
		t.app.Logger().Error("reading the kept answer of an idempotent mutation failed", "error", err)
		refuse(w, r, mediaType, http.StatusInternalServerError, codeInternal, "internal error")
		return
	}
	w.Header().Set("Content-Type", kept.ContentType)
	if replayed {
		w.Header().Set("Idempotent-Replayed", "true")
		setOutcome(r.Context(), codeReplayed)
	}
	w.WriteHeader(kept.Status)
	w.Write(kept.Body)
}

// requestFingerprint returns a SHA-256 of the operation: its query, the
// name of the operation it runs and its variables.
func requestFingerprint(opCtx *graphql.OperationContext) (string, error) {
	b, err := json.Marshal(struct {
		Query         string         `json:"query"`
		OperationName string         `json:"operationName"`
		Variables     map[string]any `json:"variables"`
	}{opCtx.RawQuery, opCtx.OperationName, opCtx.Variables})
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

// refuseIdempotent answers an idempotent mutation that App.Idempotent
// refused with err.
func refuseIdempotent(w http.ResponseWriter, r *http.Request, mediaType string, err error, a Service) {
	msg := domain.ErrorMessage(err)
	switch domain.ErrorCode(err) {
	case domain.EINVALID:
		refuse(w, r, mediaType, http.StatusBadRequest, codeBadRequest, msg)
	case domain.EIDEMPOTENCYREUSED:
		refuse(w, r, mediaType, http.StatusUnprocessableEntity, codeIdempotencyKeyReused, msg)
	case domain.EIDEMPOTENCYINUSE:
		if wait, ok := errors.AsType[app.RetryAfter](err); ok {
			w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(time.Duration(wait).Seconds()))))
		}
		refuse(w, r, mediaType, http.StatusConflict, codeIdempotencyKeyInUse, msg)
	case domain.EIDEMPOTENCYLOST:
		refuse(w, r, mediaType, http.StatusConflict, codeIdempotencyLost, msg)
	default:
		a.Logger().Error("an idempotent mutation failed before it ran", "error", err)
		refuse(w, r, mediaType, http.StatusInternalServerError, codeInternal, "internal error")
	}
}

// refuse answers r with a request error of code and message, and status.
func refuse(w http.ResponseWriter, r *http.Request, mediaType string, status int, code, message string) {
	setOutcome(r.Context(), code)
	w.Header().Set("Content-Type", mediaType)
	w.WriteHeader(status)
	writeRequestError(w, &graphql.Response{Errors: gqlerror.List{{Message: message, Extensions: map[string]any{"code": code}}}})
}

// setOutcome tells the request's observation (see WithObserver), if any,
// the outcome code of an answer made outside GraphQL's execution.
func setOutcome(ctx context.Context, code string) {
	if rec, ok := ctx.Value(outcomeKey{}).(*outcome); ok {
		rec.code = code
	}
}
