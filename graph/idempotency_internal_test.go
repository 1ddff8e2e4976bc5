package graph

import (
	"net/http/httptest"
	"testing"

	"cmap/app"
)

// A pending idempotent request is settled by a retry once
// app.DefaultIdempotencyInFlight has passed, on the ground that it is over
// by then: the deadline of a request must leave it a wide margin.
func TestRequestsEndWellWithinTheIdempotencyWindow(t *testing.T) {
	if 2*requestTimeout > app.DefaultIdempotencyInFlight {
		t.Errorf("requests may run %s, and a pending idempotent request is settled after %s: keep twice the one under the other",
			requestTimeout, app.DefaultIdempotencyInFlight)
	}
}

func TestIdempotencyKeyHeader(t *testing.T) {
	for _, tc := range []struct {
		values []string
		want   string
		ok     bool
	}{
		{nil, "", false},
		{[]string{"8e03978e-40d5-43e8-bc93-6894a57f9324"}, "8e03978e-40d5-43e8-bc93-6894a57f9324", true},
		{[]string{`"8e03978e-40d5-43e8-bc93-6894a57f9324"`}, "8e03978e-40d5-43e8-bc93-6894a57f9324", true},
		{[]string{"  spaced-key-of-some-length  "}, "spaced-key-of-some-length", true},
		{[]string{""}, "", true},
		{[]string{`"`}, `"`, true},
		{[]string{"first-key-given-here", "second-key-given-here"}, "first-key-given-here,second-key-given-here", true},
	} {
		r := httptest.NewRequest("POST", "/graphql", nil)
		for _, v := range tc.values {
			r.Header.Add("Idempotency-Key", v)
		}
		if got, ok := idempotencyKey(r); got != tc.want || ok != tc.ok {
			t.Errorf("Idempotency-Key %q: %q, %v; want %q, %v", tc.values, got, ok, tc.want, tc.ok)
		}
	}
}
