package model

import (
	"cmap/domain"

	"github.com/99designs/gqlgen/graphql"
)

// MarshalUpload writes an Upload; uploads are input only, so it never
// runs in practice.
func MarshalUpload(u graphql.Upload) graphql.Marshaler { return graphql.MarshalUpload(u) }

// UnmarshalUpload reads the Upload scalar: a file the multipart request
// put in the variables. Anything else (a string in the query) is an
// EINVALID error, which the API reports as BAD_USER_INPUT at the
// argument's path.
func UnmarshalUpload(v any) (graphql.Upload, error) {
	u, ok := v.(graphql.Upload)
	if !ok {
		return graphql.Upload{}, domain.Invalid("", "an Upload is a file sent as multipart/form-data (the GraphQL multipart request specification), not %T", v)
	}
	return u, nil
}
