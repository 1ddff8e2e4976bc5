// Package model holds the GraphQL inputs, payloads and connections that
// gqlgen generates (models_gen.go), and the Date scalar.
package model

import (
	"cmap/domain"
	"io"
	"strconv"
	"time"

	"github.com/99designs/gqlgen/graphql"
)

// MarshalDate writes a time as the Date scalar: its calendar day in UTC,
// YYYY-MM-DD.
func MarshalDate(t time.Time) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		_, _ = io.WriteString(w, strconv.Quote(t.UTC().Format(time.DateOnly)))
	})
}

// UnmarshalDate reads the Date scalar, a YYYY-MM-DD string, as midnight UTC
// of that day. A malformed value is an EINVALID error, which the API reports
// as BAD_USER_INPUT at the argument's path.
func UnmarshalDate(v any) (time.Time, error) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, domain.Invalid("", "a Date is a string YYYY-MM-DD, not %T", v)
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, domain.Invalid("", "%q is not a date YYYY-MM-DD", s)
	}
	return t, nil
}
