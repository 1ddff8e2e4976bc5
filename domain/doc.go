// Package domain is cmap's domain: the competency framework, the
// proficiency scale, courses, positions and personnel, the facts that rules
// derive about them (coverage and requirements), the Store that keeps them,
// its change log, the limits of every field, roles and principals, API keys,
// the audit trail, and one error type with codes.
//
// It imports nothing outside the standard library (a test holds it to
// that), so that storage, analysis and exports never link the rule
// language: the rules engine (package engine) derives facts over these
// types, adapters (mongodb, memstore) keep them, and every error that
// crosses a boundary is an *Error with a Code (EINVALID, ENOTFOUND,
// ECONFLICT, EUNAUTHENTICATED, EFORBIDDEN, EINTERNAL) that adapters map to
// their own vocabulary (GraphQL extensions.code, HTTP status, exit codes)
// without matching strings.
//
// # Access and audit
//
// Roles and the Principal a request acts as are domain too (access.go):
// adapters establish the principal and put it on the context, the graph's
// directive and the exports call Authorize, and package app names the
// principal as the actor of the AuditEntry it writes ahead of every change
// (audit.go). API keys are stored as hashes (apikey.go).
//
// # Model revisions
//
// A Store keeps every revision of the competency framework; the last is
// the active one. A Crosswalk says what each changed code of a revision
// became in the next, Revise makes the next revision and its FormerCodes
// (modelrevision.go). Import journals (importjournal.go) and idempotency
// records (idempotency.go) are what the Store keeps for all-or-nothing
// imports and retried mutations.
package domain
