package model

import (
	"cmap/domain"
	"context"
	"encoding/json"
	"math"
	"strconv"

	"github.com/99designs/gqlgen/graphql"
)

// The Int and Float scalars coerce input as the GraphQL specification has
// it: a number, never a string ("8" is refused where gqlgen's own scalars
// take it), an Int a whole number in 32 bits. A refused value is an
// EINVALID error, which the API reports as BAD_USER_INPUT at the
// argument's path.

// MarshalInt writes an Int.
func MarshalInt(i int) graphql.Marshaler { return graphql.MarshalInt(i) }

// UnmarshalInt reads an Int input.
func UnmarshalInt(v any) (int, error) {
	n, err := wholeNumber(v)
	return int(n), err
}

// MarshalInt64 writes an Int held in an int64 (record versions).
func MarshalInt64(i int64) graphql.Marshaler { return graphql.MarshalInt64(i) }

// UnmarshalInt64 reads an Int input into an int64.
func UnmarshalInt64(v any) (int64, error) { return wholeNumber(v) }

// MarshalFloat writes a Float; NaN and infinities are errors.
func MarshalFloat(f float64) graphql.ContextMarshaler { return graphql.MarshalFloatContext(f) }

// UnmarshalFloat reads a Float input: any finite number.
func UnmarshalFloat(_ context.Context, v any) (float64, error) {
	var f float64
	switch v := v.(type) {
	case json.Number:
		var err error
		if f, err = strconv.ParseFloat(string(v), 64); err != nil {
			return 0, domain.Invalid("", "%s is not a Float", v)
		}
	case float64:
		f = v
	case int:
		f = float64(v)
	case int64:
		f = float64(v)
	default:
		return 0, domain.Invalid("", "a Float is a number, not %s", kindOf(v))
	}
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, domain.Invalid("", "a Float is a finite number")
	}
	return f, nil
}

// wholeNumber reads an Int input: a whole number from -2^31 to 2^31-1.
func wholeNumber(v any) (int64, error) {
	var f float64
	switch v := v.(type) {
	case json.Number:
		if n, err := strconv.ParseInt(string(v), 10, 64); err == nil {
			return int32Range(n)
		}
		var err error
		if f, err = strconv.ParseFloat(string(v), 64); err != nil {
			return 0, domain.Invalid("", "%s is not an Int", v)
		}
	case int:
		return int32Range(int64(v))
	case int64:
		return int32Range(v)
	case float64:
		f = v
	default:
		return 0, domain.Invalid("", "an Int is a whole number, not %s", kindOf(v))
	}
	if f != math.Trunc(f) || math.IsInf(f, 0) {
		return 0, domain.Invalid("", "an Int is a whole number, not %g", f)
	}
	return int32Range(int64(f))
}

// int32Range returns n when an Int can hold it (32 bits, signed).
func int32Range(n int64) (int64, error) {
	if n < math.MinInt32 || n > math.MaxInt32 {
		return 0, domain.Invalid("", "%d is outside the range of an Int (32 bits)", n)
	}
	return n, nil
}

// kindOf names the JSON kind of an input value.
func kindOf(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case nil:
		return "null"
	case map[string]any:
		return "an object"
	case []any:
		return "a list"
	}
	return "a value of another kind"
}
