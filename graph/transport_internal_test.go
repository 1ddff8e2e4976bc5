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
