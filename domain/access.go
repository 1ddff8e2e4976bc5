package domain

import (
	"context"
	"slices"
	"strings"
)

// Role is a set of things a caller may do. A principal holds one or more.
type Role string

// Roles. What each allows:
//
//   - RoleViewer reads the competency model, the catalogue, positions,
//     the rules and the answers over them (coverage, gaps, demand).
//   - RolePersonnel reads people, their completions, readiness and
//     recommendations, an organization's readiness and the readiness
//     exports.
//   - RoleEditor writes courses and positions.
//   - RoleRecords writes people and completions.
//   - RoleRuleAuthor reloads the rules and runs previews and explanations.
//   - RoleAdmin manages API keys and reads the audit log.
//
// Roles imply others (see Implies): every role implies viewer, records
// implies personnel (a records clerk reads the records they keep), and
// admin implies every role (an admin can give any role to a key of their
// own, so the implication only says so).
const (
	RoleViewer     Role = "viewer"
	RolePersonnel  Role = "personnel"
	RoleEditor     Role = "editor"
	RoleRecords    Role = "records"
	RoleRuleAuthor Role = "rule-author"
	RoleAdmin      Role = "admin"
)

// Roles lists every role, from the least to the most powerful.
var Roles = []Role{RoleViewer, RolePersonnel, RoleEditor, RoleRecords, RoleRuleAuthor, RoleAdmin}

// ParseRole returns the role named s, ignoring case (EINVALID for a name
// that is not a role).
func ParseRole(s string) (Role, error) {
	r := Role(strings.ToLower(strings.TrimSpace(s)))
	if !slices.Contains(Roles, r) {
		return "", Invalid("role", "%q is not a role (one of %s)", s, RoleNames(Roles))
	}
	return r, nil
}

// RoleNames joins roles with ", ".
func RoleNames(roles []Role) string {
	names := make([]string, len(roles))
	for i, r := range roles {
		names[i] = string(r)
	}
	return strings.Join(names, ", ")
}

// Implies reports whether holding r grants want.
func (r Role) Implies(want Role) bool {
	switch {
	case r == want, r == RoleAdmin, want == RoleViewer && slices.Contains(Roles, r):
		return true
	case r == RoleRecords && want == RolePersonnel:
		return true
	}
	return false
}

// Principal is who makes a request: an API key, a user of the identity
// provider, or the anonymous caller a server may let in as a viewer.
type Principal struct {
	// ID names the principal in the audit trail: "key:<id>" for an API
	// key, "jwt:<subject>" for a token of the identity provider,
	// "anonymous", or a name of cmap's own ("cli", "system").
	ID string
	// Name is a human-readable name: the key's name, the user's name.
	Name string
	// Roles are the roles granted, without those they imply.
	Roles []Role
}

// Has reports whether the principal holds role, directly or by
// implication.
func (p *Principal) Has(role Role) bool {
	if p == nil {
		return false
	}
	for _, r := range p.Roles {
		if r.Implies(role) {
			return true
		}
	}
	return false
}

// Anonymous is the principal of a request without credentials on a server
// that lets such requests read as viewers.
var Anonymous = &Principal{ID: "anonymous", Name: "anonymous", Roles: []Role{RoleViewer}}

// System is the principal of what cmap does by itself, such as reloading
// the rules when their files change.
var System = &Principal{ID: "system", Name: "cmap", Roles: []Role{RoleAdmin}}

type principalKey struct{}

// authentication is what a request's credentials established: a
// principal, or why there is none.
type authentication struct {
	principal *Principal
	failure   string
}

// WithPrincipal returns ctx carrying p as the request's principal.
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, authentication{principal: p})
}

// WithAuthFailure returns ctx for a request whose credentials were refused
// (an unknown or revoked API key, an expired token), with the reason to
// give the caller. Such a request has no principal, even where anonymous
// callers are let in: a client sending a bad key learns so.
func WithAuthFailure(ctx context.Context, reason string) context.Context {
	return context.WithValue(ctx, principalKey{}, authentication{failure: reason})
}

// PrincipalFrom returns the request's principal, nil when it has none.
func PrincipalFrom(ctx context.Context) *Principal {
	a, _ := ctx.Value(principalKey{}).(authentication)
	return a.principal
}

// Authorize returns nil when the request's principal holds role; otherwise
// EUNAUTHENTICATED when there is no principal (no credentials, or refused
// ones: the message says which) and EFORBIDDEN when the principal lacks the
// role.
func Authorize(ctx context.Context, role Role) error {
	a, _ := ctx.Value(principalKey{}).(authentication)
	switch {
	case a.principal.Has(role):
		return nil
	case a.failure != "":
		return &Error{Code: EUNAUTHENTICATED, Message: a.failure}
	case a.principal == nil:
		return &Error{Code: EUNAUTHENTICATED, Message: "authentication required: send an API key or a token of the identity provider as Authorization: Bearer <credential>"}
	}
	has := "no role"
	if len(a.principal.Roles) > 0 {
		has = RoleNames(a.principal.Roles)
	}
	return &Error{Code: EFORBIDDEN, Message: "the " + string(role) + " role is required; " + a.principal.Name + " has " + has}
}
