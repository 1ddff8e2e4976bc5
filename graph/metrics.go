package graph

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// RequestObserver is told of each request to the GraphQL endpoint once it
// is answered: its operation, its outcome code and how long it took
// (package metrics keeps them for Prometheus).
//
// The operation is the name of the request's operation when an operation
// of that name passed validation once, among the first MaxOperationNames
// distinct names to do so; "other" for any other name (past that cap, or
// never valid); "anonymous" when the request names none. A request whose
// document does not parse or validate is known by its operationName
// parameter alone (not by a name inside the document); one refused before
// GraphQL reads it (a body that is not a GraphQL request) is anonymous.
// So a client that makes up names cannot grow the set of names without
// bound.
//
// The code is the extensions.code of the answer's first error, or "ok"
// without errors. Requests answered before GraphQL runs have the code of
// their HTTP status: BAD_REQUEST (400), PAYLOAD_TOO_LARGE (413),
// METHOD_NOT_ALLOWED (405: a method other than GET, POST and OPTIONS, or
// a mutation over GET), UNSUPPORTED_MEDIA_TYPE (415), "ok" for OPTIONS;
// one whose client went away, CANCELLED.
type RequestObserver interface {
	ObserveRequest(operation, code string, d time.Duration)
}

// MaxOperationNames is how many distinct operation names RequestObserver
// is told of; later names are "other".
const MaxOperationNames = 100

// Operation labels that are not names.
const (
	operationAnonymous = "anonymous"
	operationOther     = "other"
)

// Outcome codes of requests that have no GraphQL error code.
const (
	codeOK                   = "ok"
	codeCancelled            = "CANCELLED"
	codeMethodNotAllowed     = "METHOD_NOT_ALLOWED"
	codeUnsupportedMediaType = "UNSUPPORTED_MEDIA_TYPE"
)

// HandlerOption configures NewHandler.
type HandlerOption func(*handlerOptions)

type handlerOptions struct {
	observer RequestObserver
}

// WithObserver tells o of every request (see RequestObserver).
func WithObserver(o RequestObserver) HandlerOption {
	return func(h *handlerOptions) { h.observer = o }
}

// withOptions returns next with what opts ask for: with WithObserver,
// each request observed (next is srv, wrapped).
func withOptions(opts []HandlerOption, srv *handler.Server, next http.Handler) http.Handler {
	var o handlerOptions
	for _, opt := range opts {
		opt(&o)
	}
	if o.observer == nil {
		return next
	}
	names := &operationNames{admitted: map[string]bool{}}
	srv.Use(names)
	srv.AroundResponses(func(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
		resp := next(ctx)
		if rec, ok := ctx.Value(outcomeKey{}).(*outcome); ok {
			rec.code = codeOf(ctx, resp)
			if rec.operation == "" {
				rec.operation = names.label(operationName(ctx))
			}
		}
		return resp
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &outcome{}
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r.WithContext(context.WithValue(r.Context(), outcomeKey{}, rec)))
		switch err := r.Context().Err(); {
		case rec.code != "":
		case errors.Is(err, context.DeadlineExceeded):
			rec.code = codeTimeout // out of time before an answer was made
		case err != nil:
			rec.code = codeCancelled // gone before an answer was made
		default:
			rec.code = codeOfStatus(sw.status)
		}
		if rec.operation == "" {
			rec.operation = operationAnonymous
		}
		o.observer.ObserveRequest(rec.operation, rec.code, time.Since(start))
	})
}

// outcome is what a request's observation learns on the way: set by the
// extensions, read once the request is answered.
type outcome struct {
	operation string
	code      string
}

type outcomeKey struct{}

// operationNames admits the names of operations that passed validation,
// up to MaxOperationNames; as a gqlgen extension it sees each valid
// operation once its context is complete.
type operationNames struct {
	mu       sync.Mutex
	admitted map[string]bool
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = (*operationNames)(nil)

// ExtensionName names the extension for gqlgen.
func (*operationNames) ExtensionName() string { return "OperationNames" }

// Validate accepts any schema.
func (*operationNames) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationContext admits the name of a valid operation and labels
// the request with it.
func (n *operationNames) MutateOperationContext(ctx context.Context, opCtx *graphql.OperationContext) *gqlerror.Error {
	if rec, ok := ctx.Value(outcomeKey{}).(*outcome); ok {
		rec.operation = n.admit(opCtx.Operation.Name)
	}
	return nil
}

// admit returns the label of the valid operation name, admitting it while
// fewer than MaxOperationNames are.
func (n *operationNames) admit(name string) string {
	if name == "" {
		return operationAnonymous
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if !n.admitted[name] && len(n.admitted) < MaxOperationNames {
		n.admitted[name] = true
	}
	if n.admitted[name] {
		return name
	}
	return operationOther
}

// label returns the label of an operation name that did not pass
// validation: the name when it was admitted before.
func (n *operationNames) label(name string) string {
	if name == "" {
		return operationAnonymous
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.admitted[name] {
		return name
	}
	return operationOther
}

// operationName returns the name of the request's operation: the
// operation the document selects, when it parsed, or the operationName
// the request gave.
func operationName(ctx context.Context) string {
	if !graphql.HasOperationContext(ctx) {
		return ""
	}
	opCtx := graphql.GetOperationContext(ctx)
	if opCtx.Operation != nil {
		return opCtx.Operation.Name
	}
	return opCtx.OperationName
}

// codeOf returns the outcome of an answer: TIMEOUT past the deadline,
// CANCELLED when the client went away, else the code of the first error,
// or ok.
func codeOf(ctx context.Context, resp *graphql.Response) string {
	switch err := ctx.Err(); {
	case errors.Is(err, context.DeadlineExceeded):
		return codeTimeout
	case err != nil:
		return codeCancelled
	case resp == nil || len(resp.Errors) == 0:
		return codeOK
	}
	if code, ok := resp.Errors[0].Extensions["code"].(string); ok && code != "" {
		return code
	}
	return codeInternal
}

// codeOfStatus returns the outcome of a request answered before GraphQL
// ran, from its HTTP status.
func codeOfStatus(status int) string {
	switch status {
	case http.StatusOK:
		return codeOK
	case http.StatusBadRequest:
		return codeBadRequest
	case http.StatusRequestEntityTooLarge:
		return codePayloadTooLarge
	case http.StatusMethodNotAllowed:
		return codeMethodNotAllowed
	case http.StatusUnsupportedMediaType:
		return codeUnsupportedMediaType
	}
	return "HTTP_" + strconv.Itoa(status)
}

// statusWriter remembers the status written.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(status int) {
	w.status = status
	w.ResponseWriter.WriteHeader(status)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
