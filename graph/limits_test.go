package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// rawAnswer is an HTTP answer of the GraphQL endpoint, its body kept as
// its top-level members.
type rawAnswer struct {
	status  int
	header  http.Header
	members map[string]json.RawMessage
	errors  []gqlError
}

// send POSTs body to the endpoint with the Accept header accept ("" for
// none) and reads the answer, which must be a JSON object.
func send(t testing.TB, url, accept string, body io.Reader, length int64) rawAnswer {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url+"/graphql", body)
	req.Header.Set("Content-Type", "application/json")
	req.ContentLength = length
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	a := rawAnswer{status: res.StatusCode, header: res.Header}
	if err := json.Unmarshal(data, &a.members); err != nil {
		t.Fatalf("HTTP %d, the body is not a JSON object: %.300s", res.StatusCode, data)
	}
	if raw, ok := a.members["errors"]; ok {
		if err := json.Unmarshal(raw, &a.errors); err != nil {
			t.Fatalf("errors: %v", err)
		}
	}
	return a
}

// queryBody is the JSON body of a request for query.
func queryBody(query string) []byte {
	b, _ := json.Marshal(map[string]any{"query": query})
	return b
}

// nested returns a query that follows course -> coverage -> course ...
// pairs times, as deep as 2*pairs+2 fields.
func nested(pairs int) string {
	return `{ course(code: "SCO-201") { ` + strings.Repeat("coverage { course { ", pairs) + "code" + strings.Repeat(" } }", pairs) + " } }"
}

// aliases returns a query asking for the coverage matrix n times under
// aliases.
func aliases(n int) string {
	var q strings.Builder
	q.WriteString("{")
	for i := range n {
		fmt.Fprintf(&q, " m%d: coverageMatrix { levels }", i)
	}
	q.WriteString(" }")
	return q.String()
}

// repeated returns a query selecting one field n times.
func repeated(n int) string {
	return "{ proficiencyScale { " + strings.Repeat("name ", n) + "} }"
}

// fragmentFan returns a query whose fragments each spread the one below
// five times (no name repeated more than five times in a selection), so
// that the expanded query grows fivefold per level.
func fragmentFan(levels int) string {
	var q strings.Builder
	q.WriteString("{ competencies { ...F" + fmt.Sprint(levels) + " } }\nfragment F0 on Competency { code }\n")
	for l := 1; l <= levels; l++ {
		fmt.Fprintf(&q, "fragment F%d on Competency {", l)
		for range 5 {
			fmt.Fprintf(&q, " subCompetencies { competency { ...F%d } }", l-1)
		}
		q.WriteString(" }\n")
	}
	return q.String()
}

// hostile are the query shapes of the issue, each with the code that
// refuses it.
var hostile = []struct {
	name, query, code string
}{
	{"50 levels of course and coverage", nested(25), "DEPTH_LIMIT_EXCEEDED"},
	{"7 levels of course and coverage", nested(6), "COMPLEXITY_LIMIT_EXCEEDED"},
	{"1,000 aliases of the matrix", aliases(1000), "ALIAS_LIMIT_EXCEEDED"},
	{"8,000 repeats of a field", repeated(8000), "REPEATED_FIELD_LIMIT_EXCEEDED"},
	{"fragments spread fivefold, 5 levels", fragmentFan(5), "FIELD_LIMIT_EXCEEDED"},
}

// TestHostileQueriesAreRefused: each hostile shape is refused before it
// runs, with its code, no "data" member, the status GraphQL over HTTP
// gives a request error (200 for application/json, 400 for
// application/graphql-response+json), and the shapes just inside the
// limits run.
func TestHostileQueriesAreRefused(t *testing.T) {
	t.Parallel()
	store, _ := seeded(t)
	c, _ := serve(t, store)
	for _, tc := range hostile {
		t.Run(tc.name, func(t *testing.T) {
			for accept, status := range map[string]int{"application/json": 200, "application/graphql-response+json": 400} {
				body := queryBody(tc.query)
				a := send(t, c.url, accept, bytes.NewReader(body), int64(len(body)))
				if a.status != status || len(a.errors) != 1 || a.errors[0].Extensions.Code != tc.code {
					t.Fatalf("Accept %s: HTTP %d, errors %+v; want %d and %s", accept, a.status, a.errors, status, tc.code)
				}
				if _, ok := a.members["data"]; ok {
					t.Errorf("Accept %s: a refused request has a data member", accept)
				}
			}
		})
	}

	within := []string{nested(2), aliases(30), repeated(10), fragmentFan(1)}
	for _, q := range within {
		var got map[string]any
		c.query(q, nil).decode(t, &got)
	}
}

// TestCostIsReported: every answer of an operation that validated carries
// extensions.cost, the estimate and the limit; a list multiplies the cost
// of its selection by its size, so that an alias doubles the cost and a
// nested list multiplies it.
func TestCostIsReported(t *testing.T) {
	t.Parallel()
	store, _ := seeded(t)
	c, _ := serve(t, store)
	cost := func(q string) int {
		t.Helper()
		body := queryBody(q)
		a := send(t, c.url, "", bytes.NewReader(body), int64(len(body)))
		var ext struct {
			Cost struct{ Estimated, Limit int }
		}
		if err := json.Unmarshal(a.members["extensions"], &ext); err != nil || ext.Cost.Estimated < 1 || ext.Cost.Limit != 500_000 {
			t.Fatalf("%s: extensions %s (%v)", q, a.members["extensions"], err)
		}
		return ext.Cost.Estimated
	}
	scale := cost(`{ proficiencyScale { levels } }`)
	if scale < 4 {
		t.Errorf("a list of the 4 levels costs %d", scale)
	}
	matrix := cost(`{ coverageMatrix { rows { cells { level } } } }`)
	if two := cost(`{ a: coverageMatrix { rows { cells { level } } } b: coverageMatrix { rows { cells { level } } } }`); two != 2*matrix {
		t.Errorf("two aliases of the matrix cost %d, one %d", two, matrix)
	}
	if rows := cost(`{ coverageMatrix { rows { gap } } }`); matrix-rows < 58 {
		t.Errorf("the cells of 58 rows add %d to the matrix's cost", matrix-rows)
	}
	one := cost(`{ course(code: "SCO-201") { coverage { level } } }`)
	two := cost(`{ course(code: "SCO-201") { coverage { course { coverage { level } } } } }`)
	if two < (one-1)*(one-2) {
		t.Errorf("a course's coverage costs %d; nested once more it costs %d, want it multiplied", one, two)
	}
	page := func(n int) int { return cost(fmt.Sprintf(`{ courses(first: %d) { edges { node { code } } } }`, n)) }
	if p10, p50 := page(10), page(50); p50 < 4*p10 {
		t.Errorf("a page of 50 courses costs %d, of 10 %d", p50, p10)
	}

	// A refusal for its cost says what the cost was.
	body := queryBody(nested(6))
	a := send(t, c.url, "", bytes.NewReader(body), int64(len(body)))
	var ext struct {
		Cost struct{ Estimated, Limit int }
	}
	json.Unmarshal(a.members["extensions"], &ext)
	if ext.Cost.Estimated <= ext.Cost.Limit {
		t.Errorf("a query refused for its cost reports extensions %s", a.members["extensions"])
	}
}

// TestCostIsKeptPerGeneration: the same request to the same generation is
// costed and refused the same way again (the second time from the costs
// kept); other variables are costed apart; a write that adds a course
// makes a list of every course cost more.
func TestCostIsKeptPerGeneration(t *testing.T) {
	t.Parallel()
	store, _ := seeded(t)
	c, _ := serve(t, store)
	ask := func(q string, vars map[string]any) rawAnswer {
		t.Helper()
		body, err := json.Marshal(map[string]any{"query": q, "variables": vars})
		if err != nil {
			t.Fatal(err)
		}
		return send(t, c.url, "", bytes.NewReader(body), int64(len(body)))
	}
	cost := func(q string, vars map[string]any) int {
		t.Helper()
		var ext struct{ Cost struct{ Estimated int } }
		if a := ask(q, vars); json.Unmarshal(a.members["extensions"], &ext) != nil || ext.Cost.Estimated < 1 {
			t.Fatalf("%s: extensions %s", q, a.members["extensions"])
		}
		return ext.Cost.Estimated
	}

	first, again := ask(nested(6), nil), ask(nested(6), nil)
	if len(first.errors) != 1 || first.errors[0].Extensions.Code != "COMPLEXITY_LIMIT_EXCEEDED" ||
		len(again.errors) != 1 || again.errors[0].Extensions.Code != first.errors[0].Extensions.Code || again.errors[0].Message != first.errors[0].Message ||
		string(again.members["extensions"]) != string(first.members["extensions"]) {
		t.Errorf("refused for its cost, then again: %+v %s, then %+v %s", first.errors, first.members["extensions"], again.errors, again.members["extensions"])
	}

	const page = `query Page($n: Int) { courses(first: $n) { edges { node { code } } } }`
	if p10, p50, p10again := cost(page, map[string]any{"n": 10}), cost(page, map[string]any{"n": 50}), cost(page, map[string]any{"n": 10}); p50 < 4*p10 || p10again != p10 {
		t.Errorf("pages of 10, 50 and 10 courses cost %d, %d and %d", p10, p50, p10again)
	}

	const every = `{ coverageMatrix { courses { code title } } }`
	before := cost(every, nil)
	if again := cost(every, nil); again != before {
		t.Errorf("every course costs %d, then %d", before, again)
	}
	var ignored any
	c.query(`mutation { createCourse(input: {code: "ABC-101", title: "T", description: "D", hours: 8, deliveryMode: ONLINE, provider: "P"}) { code } }`, nil).decode(t, &ignored)
	if after := cost(every, nil); after <= before {
		t.Errorf("every course costs %d before a course is added and %d after", before, after)
	}
}

// TestBodyOverTheLimit: a body over a mebibyte is refused with 413 and
// PAYLOAD_TOO_LARGE, whether its length is announced or it is chunked.
func TestBodyOverTheLimit(t *testing.T) {
	t.Parallel()
	c, _ := serve(t, frameworkOnly(t))
	big := append(append([]byte(`{"query":"{ __typename }","pad":"`), bytes.Repeat([]byte("x"), 10<<20)...), '"', '}')
	for _, length := range []int64{int64(len(big)), -1} {
		a := send(t, c.url, "", bytes.NewReader(big), length)
		if a.status != http.StatusRequestEntityTooLarge || len(a.errors) != 1 || a.errors[0].Extensions.Code != "PAYLOAD_TOO_LARGE" {
			t.Errorf("length %d: HTTP %d, errors %+v", length, a.status, a.errors)
		}
	}
}

// TestDeadline: a request whose deadline has passed is answered TIMEOUT
// without data (503 for application/graphql-response+json); one whose
// client went away is answered nothing.
func TestDeadline(t *testing.T) {
	t.Parallel()
	h := newHandler(t)
	body := queryBody(`{ coverageMatrix { rows { cells { level } } } }`)
	for accept, status := range map[string]int{"application/json": 200, "application/graphql-response+json": 503} {
		ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
		req := httptest.NewRequestWithContext(ctx, http.MethodPost, "/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", accept)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		cancel()
		var got map[string]json.RawMessage
		json.Unmarshal(rec.Body.Bytes(), &got)
		if _, ok := got["data"]; rec.Code != status || ok || !strings.Contains(string(got["errors"]), `"code":"TIMEOUT"`) {
			t.Errorf("Accept %s: HTTP %d %s, want %d, TIMEOUT and no data", accept, rec.Code, rec.Body, status)
		}
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req := httptest.NewRequestWithContext(ctx, http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Body.Len() != 0 {
		t.Errorf("a client that went away was answered %s", rec.Body)
	}
}
