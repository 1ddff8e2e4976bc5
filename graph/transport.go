package graph

import (
	"bytes"
	"cmap/domain"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// Media types of GraphQL over HTTP.
const (
	mediaJSON            = "application/json"
	mediaGraphQLResponse = "application/graphql-response+json"
)

// Values of extensions.code for requests refused before they reach GraphQL.
const (
	codeBadRequest      = "BAD_REQUEST"
	codePayloadTooLarge = "PAYLOAD_TOO_LARGE"
)

// httpTransport serves GraphQL over HTTP GET and POST as the
// GraphQL-over-HTTP specification has it (gqlgen's own transports answer
// 200 to a body over the limit and to one without a query, echo the body
// and the JSON decoder's message for a malformed one, and put "data": null
// in request errors):
//
//   - the answer is application/graphql-response+json when the Accept
//     header asks for it before application/json, application/json
//     otherwise;
//   - a request that is not a GraphQL request (a body that is not a JSON
//     object, a query that is missing or not a string, variables or
//     extensions that are not objects) gets 400 and BAD_REQUEST; a body
//     over MaxRequestBytes gets 413 and PAYLOAD_TOO_LARGE;
//   - a request that fails before it runs (parse, validation, variables,
//     the limits of limits.go) gets an answer without "data": 200 for
//     application/json, 400 for application/graphql-response+json;
//   - a mutation over GET gets 405 with "Allow: POST";
//   - a request that runs out of time gets TIMEOUT and no data (200, or
//     503 for application/graphql-response+json); one whose client went
//     away gets nothing;
//   - an answer's data is written as the executor wrote it (see
//     writeResponse);
//   - a mutation with an Idempotency-Key header runs at most once (see
//     idempotency.go).
type httpTransport struct {
	app Service
}

var _ graphql.Transport = httpTransport{}

// Supports takes GET and POST requests (overHTTP turned away POST bodies
// that are not JSON already).
func (httpTransport) Supports(r *http.Request) bool {
	return r.Method == http.MethodGet || r.Method == http.MethodPost
}

// Do answers one request.
func (t httpTransport) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	mediaType := responseType(r)
	w.Header().Set("Content-Type", mediaType)
	start := graphql.Now()
	var params *graphql.RawParams
	var err error
	if r.Method == http.MethodGet {
		params, err = paramsOfGet(r)
	} else {
		params, err = paramsOfPost(w, r)
	}
	if err != nil {
		status, code := http.StatusBadRequest, codeBadRequest
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			status, code = http.StatusRequestEntityTooLarge, codePayloadTooLarge
			err = fmt.Errorf("the request body is larger than %d bytes", MaxRequestBytes)
		}
		w.WriteHeader(status)
		writeRequestError(w, &graphql.Response{Errors: gqlerror.List{{Message: err.Error(), Extensions: map[string]any{"code": code}}}})
		return
	}
	params.Headers = r.Header
	params.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}

	ctx, cancel := context.WithTimeout(r.Context(), requestTimeout)
	defer cancel()
	opCtx, errs := exec.CreateOperationContext(ctx, params)
	if errs != nil {
		if mediaType == mediaGraphQLResponse {
			w.WriteHeader(http.StatusBadRequest)
		}
		writeRequestError(w, exec.DispatchError(graphql.WithOperationContext(ctx, opCtx), errs))
		return
	}
	if r.Method == http.MethodGet && opCtx.Operation.Operation != ast.Query {
		w.Header().Set("Allow", http.MethodPost)
		w.WriteHeader(http.StatusMethodNotAllowed)
		writeRequestError(w, &graphql.Response{Errors: gqlerror.List{{
			Message:    "only queries are served over GET: send a mutation with POST",
			Extensions: map[string]any{"code": codeBadRequest},
		}}})
		return
	}
	if key, ok := idempotencyKey(r); ok && opCtx.Operation.Operation == ast.Mutation && mayWrite(domain.PrincipalFrom(ctx)) {
		cancel()
		t.idempotent(w, r, key, mediaType, exec, opCtx)
		return
	}
	run(ctx, w, mediaType, exec, opCtx)
}

// run runs the operation of a request under ctx and writes its answer to
// w. It reports whether the answer is final: false when the operation
// may have stopped part way through a write (it ran out of time, or an
// error is INTERNAL), or gave no answer (its client went away).
func run(ctx context.Context, w http.ResponseWriter, mediaType string, exec graphql.GraphExecutor, opCtx *graphql.OperationContext) (final bool) {
	ctx, lease := withBufferLease(ctx)
	defer lease.release() // once the answer is written
	responses, ctx := exec.DispatchOperation(ctx, opCtx)
	resp := responses(ctx)
	switch err := ctx.Err(); {
	case errors.Is(err, context.DeadlineExceeded):
		if mediaType == mediaGraphQLResponse {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		timedOut := &graphql.Response{Errors: gqlerror.List{stoppedError()}}
		if resp != nil {
			timedOut.Extensions = resp.Extensions
		}
		writeRequestError(w, timedOut)
		return false
	case err != nil || resp == nil:
		return false // the client went away
	}
	writeResponse(w, resp)
	for _, e := range resp.Errors {
		if code := e.Extensions["code"]; code == codeInternal || code == codeTimeout {
			return false
		}
	}
	return true
}

// paramsOfGet reads the parameters of a GET request from its URL:
// query, operationName, and variables and extensions as JSON.
func paramsOfGet(r *http.Request) (*graphql.RawParams, error) {
	q := r.URL.Query()
	p := &graphql.RawParams{Query: q.Get("query"), OperationName: q.Get("operationName")}
	for _, param := range []struct {
		name string
		dst  *map[string]any
	}{{"variables", &p.Variables}, {"extensions", &p.Extensions}} {
		if s := q.Get(param.name); s != "" {
			if err := decodeObject(json.RawMessage(s), param.dst); err != nil {
				return nil, fmt.Errorf("%s: %w", param.name, err)
			}
		}
	}
	return p, checkQuery(p)
}

// postBody is a GraphQL POST body before its members are checked.
type postBody struct {
	Query         json.RawMessage `json:"query"`
	OperationName json.RawMessage `json:"operationName"`
	Variables     json.RawMessage `json:"variables"`
	Extensions    json.RawMessage `json:"extensions"`
}

// paramsOfPost reads the parameters of a POST request from its JSON body,
// at most MaxRequestBytes of it.
func paramsOfPost(w http.ResponseWriter, r *http.Request) (*graphql.RawParams, error) {
	if r.ContentLength > MaxRequestBytes {
		return nil, &http.MaxBytesError{Limit: MaxRequestBytes}
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxRequestBytes))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return nil, err
		}
		return nil, errors.New("the request body could not be read")
	}
	if len(bytes.TrimSpace(data)) == 0 || data[firstByte(data)] != '{' {
		return nil, errors.New("the request body is not a JSON object")
	}
	if p, ok := decodeParams(data); ok {
		return p, checkQuery(p)
	}
	var body postBody
	if json.Unmarshal(data, &body) != nil {
		return nil, errors.New("the request body is not a JSON object")
	}
	p := &graphql.RawParams{}
	if err := decodeString(body.Query, &p.Query); err != nil {
		return nil, fmt.Errorf("query: %w", err)
	}
	if err := decodeString(body.OperationName, &p.OperationName); err != nil {
		return nil, fmt.Errorf("operationName: %w", err)
	}
	if err := decodeObject(body.Variables, &p.Variables); err != nil {
		return nil, fmt.Errorf("variables: %w", err)
	}
	if err := decodeObject(body.Extensions, &p.Extensions); err != nil {
		return nil, fmt.Errorf("extensions: %w", err)
	}
	return p, checkQuery(p)
}

// typedBody is a GraphQL POST body whose members have their types.
type typedBody struct {
	Query         string         `json:"query"`
	OperationName string         `json:"operationName"`
	Variables     map[string]any `json:"variables"`
	Extensions    map[string]any `json:"extensions"`
}

// decodeParams decodes a body that is one JSON object whose members have
// their types (null included) in one pass, numbers as json.Number as
// decodeObject has them; ok is false for any other body, which
// paramsOfPost then reads member by member to say what is wrong. Decoding
// the body, then each member again, was half the CPU time of a request
// answered from answerCache.
func decodeParams(data []byte) (p *graphql.RawParams, ok bool) {
	var body typedBody
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if dec.Decode(&body) != nil || len(bytes.TrimSpace(data[dec.InputOffset():])) > 0 {
		return nil, false
	}
	return &graphql.RawParams{Query: body.Query, OperationName: body.OperationName, Variables: body.Variables, Extensions: body.Extensions}, true
}

// firstByte returns the index of the first byte of data that is not
// white space.
func firstByte(data []byte) int {
	return len(data) - len(bytes.TrimLeft(data, " \t\r\n"))
}

// checkQuery refuses a request without a query, unless it names a
// persisted query instead.
func checkQuery(p *graphql.RawParams) error {
	if p.Query != "" {
		return nil
	}
	if _, ok := p.Extensions["persistedQuery"]; ok {
		return nil
	}
	return errors.New("the request has no query: send {\"query\": \"{ ... }\"}")
}

// decodeString decodes a JSON string or null ("" then) into dst.
func decodeString(raw json.RawMessage, dst *string) error {
	if isNull(raw) {
		return nil
	}
	if err := json.Unmarshal(raw, dst); err != nil {
		return errors.New("not a string")
	}
	return nil
}

// decodeObject decodes a JSON object or null (nil then) into dst, with
// numbers as json.Number so that integers stay exact and Int and Float
// can tell them apart.
func decodeObject(raw json.RawMessage, dst *map[string]any) error {
	if isNull(raw) {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if raw[firstByte(raw)] != '{' || dec.Decode(dst) != nil {
		return errors.New("not a JSON object")
	}
	return nil
}

// isNull reports whether raw is missing or JSON null.
func isNull(raw json.RawMessage) bool {
	s := bytes.TrimSpace(raw)
	return len(s) == 0 || string(s) == "null"
}

// responseType returns the media type of the answer to r: the first of
// application/graphql-response+json and application/json its Accept
// header lists, application/json when it lists neither (or accepts any).
func responseType(r *http.Request) string {
	for part := range strings.SplitSeq(r.Header.Get("Accept"), ",") {
		mt, _, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		switch mt {
		case mediaGraphQLResponse:
			return mediaGraphQLResponse
		case mediaJSON, "application/*", "*/*":
			return mediaJSON
		}
	}
	return mediaJSON
}

// writeRequestError writes the answer to a request that did not run: its
// errors and extensions, without "data".
func writeRequestError(w io.Writer, resp *graphql.Response) {
	writeJSON(w, struct {
		Errors     gqlerror.List  `json:"errors"`
		Extensions map[string]any `json:"extensions,omitempty"`
	}{resp.Errors, resp.Extensions})
}

// writeResponse writes resp as encoding/json does, but without escaping
// <, > and & in strings (which JSON does not require) and copying
// resp.Data, which the executor wrote as compact JSON, as it is: json.Marshal
// would scan and compact it again, about 6 ms of CPU and two copies for the
// coverage matrix's 1.9 MB. Like writeJSON it panics when a part of resp
// cannot be written as JSON.
func writeResponse(w io.Writer, resp *graphql.Response) {
	marshal := func(v any) []byte {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			panic(fmt.Errorf("graph: marshalling a response: %w", err))
		}
		return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	}
	if resp.Label != "" || resp.Path != nil || resp.HasNext != nil {
		// An incremental payload (@defer), which this transport does not
		// deliver: written whole.
		w.Write(marshal(resp))
		return
	}
	head := []byte{'{'}
	if len(resp.Errors) > 0 {
		head = append(append(append(head, `"errors":`...), marshal(resp.Errors)...), ',')
	}
	head = append(head, `"data":`...)
	if resp.Data == nil {
		head = append(head, "null"...)
	}
	tail := []byte{'}'}
	if len(resp.Extensions) > 0 {
		tail = append(append([]byte(`,"extensions":`), marshal(resp.Extensions)...), '}')
	}
	if hw, ok := w.(http.ResponseWriter); ok {
		// Its length, known before it is written: net/http would
		// otherwise send an answer over 2 KB (one person's readiness)
		// in chunks.
		hw.Header().Set("Content-Length", strconv.Itoa(len(head)+len(resp.Data)+len(tail)))
	}
	w.Write(head)
	w.Write(resp.Data)
	w.Write(tail)
}

// writeJSON writes v as JSON.
func writeJSON(w io.Writer, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Errorf("graph: marshalling a response: %w", err))
	}
	w.Write(b)
}

// costReport puts the estimated cost of the operation, and the limit, in
// extensions.cost of every answer of an operation that parsed and
// validated (refused for its cost or not).
type costReport struct{}

var _ interface {
	graphql.HandlerExtension
	graphql.ResponseInterceptor
} = costReport{}

// ExtensionName names the extension for gqlgen.
func (costReport) ExtensionName() string { return "CostReport" }

// Validate accepts any schema.
func (costReport) Validate(graphql.ExecutableSchema) error { return nil }

// InterceptResponse registers extensions.cost before the response is made.
func (costReport) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	if st := extension.GetComplexityStats(ctx); st != nil {
		graphql.RegisterExtension(ctx, "cost", costExtension{Estimated: st.Complexity, Limit: st.ComplexityLimit})
	}
	return next(ctx)
}

// costExtension is extensions.cost: a struct, written as a map of the
// same members would be, without the reflection encoding/json spends on
// a map's keys and values (ten allocations for every answer).
type costExtension struct {
	Estimated int `json:"estimated"`
	Limit     int `json:"limit"`
}
