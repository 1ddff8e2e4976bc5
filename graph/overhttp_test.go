package graph_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestGraphQLOverHTTPAudit runs the checks of the server audit of the
// graphql-http package (v1.23.1, src/audits/server.ts), the public
// conformance suite of the GraphQL-over-HTTP specification, by their ids:
// every MUST and SHOULD, and the MAYs cmap answers.
func TestGraphQLOverHTTPAudit(t *testing.T) {
	t.Parallel()
	c, _ := serve(t, frameworkOnly(t))
	const (
		gqlResponse = "application/graphql-response+json"
		json        = "application/json"
	)
	typename := `{"query":"{ __typename }"}`
	type want struct {
		status   int
		respType string // contained in the answer's Content-Type
		noErrors bool   // the body has no errors member
		noData   bool   // the body has no data member
	}
	for _, tc := range []struct {
		id, method, contentType, accept, body, query string
		want
	}{
		{"22EB", "POST", json, gqlResponse, typename, "", want{200, gqlResponse, false, false}},
		{"4655", "POST", json, json, typename, "", want{200, json, false, false}},
		{"47DE", "POST", json, "*/*", typename, "", want{200, json, false, false}},
		{"80D8", "POST", json, "", typename, "", want{200, json, false, false}},
		{"82A3/78D5/2C94/03D4", "POST", json, "", typename, "", want{200, "", false, false}},
		{"BF61", "POST", "application/json; charset=utf-8", "", `{"query":"{ __type(name: \"Run🏃Swim🏊\") { name } }"}`, "", want{200, "", false, false}},
		{"5A70", "GET", "", "", "", "query=" + url.QueryEscape("{ __typename }"), want{200, "", false, false}},
		{"9C48", "GET", "", gqlResponse, "", "query=" + url.QueryEscape("mutation { __typename }"), want{405, "", false, true}},
		{"9ABE", "POST", "", "", typename, "", want{415, "", false, false}},
		{"A5BF", "POST", json, "", "", "", want{400, "", false, true}},
		{"423L", "POST", json, gqlResponse, `{"notquery":"{ __typename }"}`, "", want{400, "", false, true}},
		{"LKJ0", "POST", json, "", `{"query":{"obj":"ect"}}`, "", want{400, "", false, true}},
		{"LKJ1", "POST", json, "", `{"query":0}`, "", want{400, "", false, true}},
		{"LKJ2", "POST", json, "", `{"query":false}`, "", want{400, "", false, true}},
		{"LKJ3", "POST", json, "", `{"query":["array"]}`, "", want{400, "", false, true}},
		{"34A2", "POST", json, gqlResponse, typename, "", want{200, "", true, false}},
		{"13EE", "POST", json, json, typename, "", want{200, "", true, false}},
		{"6C00", "POST", json, "", `{"operationName":{"obj":"ect"},"query":"{ __typename }"}`, "", want{400, "", false, true}},
		{"6C01", "POST", json, "", `{"operationName":0,"query":"{ __typename }"}`, "", want{400, "", false, true}},
		{"6C02", "POST", json, "", `{"operationName":false,"query":"{ __typename }"}`, "", want{400, "", false, true}},
		{"6C03", "POST", json, "", `{"operationName":["array"],"query":"{ __typename }"}`, "", want{400, "", false, true}},
		{"8161", "POST", json, gqlResponse, `{"operationName":"Query","query":"query Query { __typename }"}`, "", want{200, "", true, false}},
		{"B8B3", "POST", json, json, `{"operationName":"Query","query":"query Query { __typename }"}`, "", want{200, "", true, false}},
		{"94B0", "POST", json, gqlResponse, `{"query":"{ __typename }","variables":null}`, "", want{200, "", true, false}},
		{"0220", "POST", json, json, `{"query":"{ __typename }","variables":null}`, "", want{200, "", true, false}},
		{"94B1", "POST", json, gqlResponse, `{"query":"{ __typename }","operationName":null}`, "", want{200, "", true, false}},
		{"0221", "POST", json, json, `{"query":"{ __typename }","operationName":null}`, "", want{200, "", true, false}},
		{"94B2", "POST", json, gqlResponse, `{"query":"{ __typename }","extensions":null}`, "", want{200, "", true, false}},
		{"0222", "POST", json, json, `{"query":"{ __typename }","extensions":null}`, "", want{200, "", true, false}},
		{"4760", "POST", json, "", `{"query":"{ __typename }","variables":"string"}`, "", want{400, "", false, true}},
		{"4761", "POST", json, "", `{"query":"{ __typename }","variables":0}`, "", want{400, "", false, true}},
		{"4762", "POST", json, "", `{"query":"{ __typename }","variables":false}`, "", want{400, "", false, true}},
		{"4763", "POST", json, "", `{"query":"{ __typename }","variables":["array"]}`, "", want{400, "", false, true}},
		{"2EA1", "POST", json, gqlResponse, `{"query":"query Type($name: String!) { __type(name: $name) { name } }","variables":{"name":"sometype"}}`, "", want{200, "", false, false}},
		{"28B9", "POST", json, json, `{"query":"query Type($name: String!) { __type(name: $name) { name } }","variables":{"name":"sometype"}}`, "", want{200, "", true, false}},
		{"D6D5", "GET", "", gqlResponse, "", "query=" + url.QueryEscape("query Type($name: String!) { __type(name: $name) { name } }") + "&variables=" + url.QueryEscape(`{"name":"sometype"}`), want{200, "", true, false}},
		{"6A70", "GET", "", json, "", "query=" + url.QueryEscape("query Type($name: String!) { __type(name: $name) { name } }") + "&variables=" + url.QueryEscape(`{"name":"sometype"}`), want{200, "", true, false}},
		{"58B0", "POST", json, "", `{"query":"{ __typename }","extensions":"string"}`, "", want{400, "", false, true}},
		{"58B1", "POST", json, "", `{"query":"{ __typename }","extensions":0}`, "", want{400, "", false, true}},
		{"58B2", "POST", json, "", `{"query":"{ __typename }","extensions":false}`, "", want{400, "", false, true}},
		{"58B3", "POST", json, "", `{"query":"{ __typename }","extensions":["array"]}`, "", want{400, "", false, true}},
		{"428F", "POST", json, gqlResponse, `{"query":"{ __typename }","extensions":{"some":"value"}}`, "", want{200, "", false, false}},
		{"1B7A", "POST", json, json, `{"query":"{ __typename }","extensions":{"some":"value"}}`, "", want{200, "", true, false}},
		{"BCF8/B6DC", "POST", json, json, `{ "not a JSON`, "", want{400, "", false, true}},
		{"B7N8", "POST", json, gqlResponse, `{ "not a JSON`, "", want{400, "", false, true}},
		{"3E3A/8764", "POST", json, "", `{"qeury":"{ __typename }"}`, "", want{400, "", false, true}},
		{"572B", "POST", json, json, `{"query":"{"}`, "", want{200, "", false, true}},
		{"FDE2", "POST", json, json, `{"query":"{ 8f31403dfe404bccbb0e835f2629c6a7 }"}`, "", want{200, "", false, true}},
		{"7B9B", "POST", json, json, `{"query":"query CoerceFailure($id: ID!){ __typename }","variables":{"id":null}}`, "", want{200, "", false, true}},
		{"865D/556A/D586", "POST", json, gqlResponse, `{"query":"{"}`, "", want{400, "", false, true}},
		{"51FE/74FF/5E5B", "POST", json, gqlResponse, `{"query":"{ 8f31403dfe404bccbb0e835f2629c6a7 }"}`, "", want{400, "", false, true}},
		{"86EE", "POST", json, gqlResponse, `{"query":"query CoerceFailure($id: ID!){ __typename }","variables":{"id":null}}`, "", want{400, "", false, true}},
	} {
		t.Run(tc.id, func(t *testing.T) {
			target := c.url + "/graphql"
			if tc.query != "" {
				target += "?" + tc.query
			}
			var body io.Reader
			if tc.body != "" {
				body = strings.NewReader(tc.body)
			}
			req, _ := http.NewRequest(tc.method, target, body)
			if tc.contentType != "" {
				req.Header.Set("Content-Type", tc.contentType)
			}
			if tc.accept != "" {
				req.Header.Set("Accept", tc.accept)
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			data, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != tc.status {
				t.Errorf("HTTP %d, want %d: %s", res.StatusCode, tc.status, data)
			}
			if ct := res.Header.Get("Content-Type"); !strings.Contains(ct, tc.respType) {
				t.Errorf("Content-Type %q, want %q", ct, tc.respType)
			}
			if res.StatusCode == http.StatusUnsupportedMediaType {
				return // not a GraphQL answer
			}
			var members map[string]any
			if err := jsonUnmarshal(data, &members); err != nil {
				t.Fatalf("the body is not a JSON object: %s", data)
			}
			if _, ok := members["errors"]; ok && tc.noErrors {
				t.Errorf("errors in %s", data)
			}
			if _, ok := members["data"]; ok && tc.noData {
				t.Errorf("a data member in %s", data)
			}
			if strings.Contains(string(data), "json:") || strings.Contains(string(data), "invalid character") {
				t.Errorf("the answer shows the decoder's internals: %s", data)
			}
		})
	}
}

// jsonUnmarshal is json.Unmarshal (the test shadows the package's name).
func jsonUnmarshal(data []byte, v any) error { return json.Unmarshal(data, v) }

// TestNumbersAreNotStrings: Int and Float take numbers, as the
// specification coerces input: a string, or an Int out of 32 bits, is
// BAD_USER_INPUT at the argument's path (a fraction for an Int is refused
// sooner, as the variables are validated).
func TestNumbersAreNotStrings(t *testing.T) {
	t.Parallel()
	c, _ := serve(t, frameworkOnly(t))
	create := `mutation($input: CreateCourseInput!) { createCourse(input: $input) { code hours } }`
	course := func(hours any) map[string]any {
		return map[string]any{"input": map[string]any{"code": "ABC-101", "title": "T", "hours": hours, "deliveryMode": "ONLINE"}}
	}
	c.query(create, course("8")).wantError(t, "BAD_USER_INPUT", "input.hours")
	c.query(`query($n: Int) { courses(first: $n) { totalCount } }`, map[string]any{"n": "5"}).wantError(t, "BAD_USER_INPUT", "first")
	c.query(`query($n: Int) { courses(first: $n) { totalCount } }`, map[string]any{"n": 2.5}).wantError(t, "GRAPHQL_VALIDATION_FAILED", "")
	c.query(`query($n: Int) { courses(first: $n) { totalCount } }`, map[string]any{"n": int64(1) << 31}).wantError(t, "BAD_USER_INPUT", "first")

	var got struct{ CreateCourse struct{ Hours float64 } }
	c.query(create, course(8)).decode(t, &got)
	if got.CreateCourse.Hours != 8 {
		t.Errorf("hours 8 became %v", got.CreateCourse.Hours)
	}
	c.query(`mutation { updateCourse(code: "ABC-101", version: 1, input: {hours: 7.5}) { hours } }`, nil).decode(t, &got)
	c.query(`query($n: Int) { courses(first: $n) { totalCount } }`, map[string]any{"n": 5.0}).decode(t, &struct{}{})
}
