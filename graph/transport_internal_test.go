package graph

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// writeResponse writes what encoding/json writes for a graphql.Response
// without escaping <, > and & (as an Encoder with SetEscapeHTML(false)
// does), incremental payloads included.
func TestWriteResponseWritesWhatEncodingJSONWrites(t *testing.T) {
	hasNext := false
	failure := &gqlerror.Error{Message: "course <X> not found", Path: ast.Path{ast.PathName("course")},
		Extensions: map[string]any{"code": "NOT_FOUND"}}
	for _, tc := range []struct {
		name string
		resp graphql.Response
	}{
		{"data", graphql.Response{Data: json.RawMessage(`{"course":{"title":"Arms <& Sales>","hours":40.5,"tags":["a","b"]}}`)}},
		{"no data", graphql.Response{Errors: gqlerror.List{failure}}},
		{"errors and data", graphql.Response{Errors: gqlerror.List{failure}, Data: json.RawMessage(`{"course":null}`)}},
		{"extensions", graphql.Response{Data: json.RawMessage(`{"a":1}`), Extensions: map[string]any{"cost": map[string]any{"requested": 12}}}},
		{"everything", graphql.Response{Errors: gqlerror.List{failure}, Data: json.RawMessage(`{"a":1}`), Extensions: map[string]any{"b": "<c>"}}},
		{"incremental", graphql.Response{Data: json.RawMessage(`{"a":"<b>"}`), Label: "l", Path: ast.Path{ast.PathName("x")}, HasNext: &hasNext}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var want bytes.Buffer
			enc := json.NewEncoder(&want)
			enc.SetEscapeHTML(false)
			if err := enc.Encode(&tc.resp); err != nil {
				t.Fatal(err)
			}
			var got bytes.Buffer
			writeResponse(&got, &tc.resp)
			if !bytes.Equal(got.Bytes(), bytes.TrimSuffix(want.Bytes(), []byte("\n"))) {
				t.Errorf("writeResponse wrote\n%s\nencoding/json writes\n%s", got.Bytes(), want.Bytes())
			}
		})
	}
}

// decodeParams reads in one pass what the members of a well-typed body
// say, read one by one (postBody, decodeString, decodeObject), and leaves
// every other body to be read that way.
func TestDecodeParams(t *testing.T) {
	for _, body := range []string{
		`{"query": "{ a }"}`,
		`{"query": "query Q($n: Int) { a(n: $n) }", "operationName": "Q", "variables": {"n": 12345678901234567890, "f": 1.5, "s": ["x"]}, "extensions": {"k": {"v": 1}}}`,
		`{"query": null, "operationName": null, "variables": null, "extensions": {"persistedQuery": {"version": 1}}}`,
		` {"query": "{ a }", "other": [1, 2]}` + "\n",
		`{"query": "a \u00e9 \" \\ b"}`,
		`{}`,
	} {
		got, ok := decodeParams([]byte(body))
		if !ok {
			t.Errorf("%s: not decoded", body)
			continue
		}
		var raw postBody
		want := &graphql.RawParams{}
		if json.Unmarshal([]byte(body), &raw) != nil || decodeString(raw.Query, &want.Query) != nil || decodeString(raw.OperationName, &want.OperationName) != nil ||
			decodeObject(raw.Variables, &want.Variables) != nil || decodeObject(raw.Extensions, &want.Extensions) != nil {
			t.Fatalf("%s: the members do not read", body)
		}
		g, _ := json.Marshal(got)
		w, _ := json.Marshal(want)
		if string(g) != string(w) || (got.Variables == nil) != (want.Variables == nil) {
			t.Errorf("%s: decoded %s, want %s", body, g, w)
		}
		if n, ok := got.Variables["n"].(json.Number); got.OperationName == "Q" && (!ok || n.String() != "12345678901234567890") {
			t.Errorf("%s: variable n is %#v, want the exact json.Number", body, got.Variables["n"])
		}
	}
	for _, body := range []string{
		`{"query": 5}`,
		`{"query": "{ a }", "variables": [1]}`,
		`{"query": "{ a }", "extensions": "x"}`,
		`{"query": "{ a }"} {"query": "{ b }"}`,
		`{"query": "{ a }"`,
		`[{"query": "{ a }"}]`,
	} {
		if p, ok := decodeParams([]byte(body)); ok {
			t.Errorf("%s: decoded as %+v, want it left to be read member by member", body, p)
		}
	}
}
