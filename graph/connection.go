package graph

import (
	"cmap/domain"
	"context"
	"encoding/base64"
	"strings"

	"cmap/graph/model"

	"github.com/99designs/gqlgen/graphql"
)

// Page sizes of connections.
const (
	defaultFirst = 20
	maxFirst     = 100
)

// pageOf checks the arguments first and after of a connection of kind
// records and returns the page they ask for. Bad values are EINVALID
// errors naming the argument.
func pageOf(kind string, first *int, after *string) (domain.Page, error) {
	p := domain.Page{First: defaultFirst}
	if first != nil {
		p.First = *first
	}
	if p.First < 1 || p.First > maxFirst {
		return p, domain.Invalid("first", "must be between 1 and %d, not %d", maxFirst, p.First)
	}
	if after != nil {
		key, err := decodeCursor(kind, *after)
		if err != nil {
			return p, err
		}
		p.After = key
	}
	return p, nil
}

// encodeCursor returns the opaque cursor of the record of kind with key.
func encodeCursor(kind, key string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(kind + ":" + key))
}

// decodeCursor returns the key in a cursor made by encodeCursor for kind.
func decodeCursor(kind, cursor string) (string, error) {
	raw, err := base64.RawURLEncoding.DecodeString(cursor)
	k, key, ok := strings.Cut(string(raw), ":")
	if err != nil || !ok || k != kind || key == "" {
		return "", domain.Invalid("after", "%q is not a cursor of this list: pass an endCursor the list returned", cursor)
	}
	return key, nil
}

// edgesOf returns the edges of a page of records and its page info;
// keyOf gives a record's natural key, newEdge makes an edge.
func edgesOf[T, E any](kind string, page domain.Page, list domain.List[T], keyOf func(T) string, newEdge func(cursor string, node T) E) ([]E, *model.PageInfo) {
	edges := make([]E, len(list.Items))
	info := &model.PageInfo{HasNextPage: list.HasNext, HasPreviousPage: page.After != ""}
	for i, item := range list.Items {
		cursor := encodeCursor(kind, keyOf(item))
		edges[i] = newEdge(cursor, item)
		if i == 0 {
			info.StartCursor = &cursor
		}
		info.EndCursor = &cursor
	}
	return edges, info
}

// wantsTotalCount reports whether the connection being resolved selects
// totalCount, so that the count query runs only when asked for.
func wantsTotalCount(ctx context.Context) bool { return selects(ctx, "totalCount") }

// deref returns *p, or the zero value for nil.
func deref[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}

// selects reports whether the query selects the field at path below the
// field being resolved, through any alias or fragment.
func selects(ctx context.Context, path ...string) bool {
	op := graphql.GetOperationContext(ctx)
	fields := graphql.CollectFieldsCtx(ctx, nil)
	for _, name := range path {
		var below []graphql.CollectedField
		found := false
		for _, f := range fields {
			if f.Name == name {
				found = true
				below = append(below, graphql.CollectFields(op, f.Selections, nil)...)
			}
		}
		if !found {
			return false
		}
		fields = below
	}
	return true
}
