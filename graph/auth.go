package graph

import (
	"cmap/domain"
	"context"
	"fmt"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"cmap/graph/model"
)

// authorize implements the schema directive @auth(role:), the one place
// where the API checks roles: the field resolves only when the request's
// principal (put on the context by package auth) holds role, and fails
// with EUNAUTHENTICATED or EFORBIDDEN otherwise (UNAUTHENTICATED and
// FORBIDDEN in extensions.code).
func authorize(ctx context.Context, _ any, next graphql.Resolver, role domain.Role) (any, error) {
	if err := domain.Authorize(ctx, role); err != nil {
		return nil, err
	}
	return next(ctx)
}

// roleNote is how a field's description says which role it needs; the
// directive is invisible to introspection, the description is not (the
// explorer's documentation shows it).
const roleNote = "Needs the %s role."

// init writes into the description of every field that carries @auth the
// role it needs (see roleNote).
func init() {
	for _, def := range NewExecutableSchema(Config{}).Schema().Types {
		for _, f := range def.Fields {
			d := f.Directives.ForName("auth")
			if d == nil {
				continue
			}
			note := fmt.Sprintf(roleNote, d.Arguments.ForName("role").Value.Raw)
			if f.Description != "" {
				note = f.Description + "\n\n" + note
			}
			f.Description = note
		}
	}
}

// auditCursorKind names the cursors of audit entry connections.
const auditCursorKind = "audit"

// auditConnection returns one page of the audit entries list reads, as a
// connection.
func auditConnection(first *int, after *string, list func(domain.Page) (domain.List[*domain.AuditEntry], error)) (*model.AuditEntryConnection, error) {
	page, err := pageOf(auditCursorKind, first, after)
	if err != nil {
		return nil, err
	}
	entries, err := list(page)
	if err != nil {
		return nil, err
	}
	conn := &model.AuditEntryConnection{}
	conn.Edges, conn.PageInfo = edgesOf(auditCursorKind, page, entries,
		func(e *domain.AuditEntry) string { return e.ID },
		func(cursor string, e *domain.AuditEntry) *model.AuditEntryEdge {
			return &model.AuditEntryEdge{Cursor: cursor, Node: e}
		})
	return conn, nil
}

// history returns one page of the changes made to the record of kind with
// key.
func (r *Resolver) history(ctx context.Context, kind, key string, first *int, after *string) (*model.AuditEntryConnection, error) {
	return auditConnection(first, after, func(p domain.Page) (domain.List[*domain.AuditEntry], error) {
		return r.App.History(ctx, kind, key, p)
	})
}

// optionalVersion returns a version, nil for 0 (no version: the record did
// not exist).
func optionalVersion(v int64) *int {
	if v == 0 {
		return nil
	}
	n := int(v)
	return &n
}

// optionalTime returns t, nil when it is zero.
func optionalTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}
