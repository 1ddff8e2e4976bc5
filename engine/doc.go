// Package engine is cmap's domain: the competency framework, the proficiency
// scale, courses, positions and personnel, the facts that rules derive about
// them (coverage and requirements), the Store that keeps them, and the rules
// engine that loads, checks, evaluates and explains rule files.
//
// # Layout
//
// engine knows nothing of transport or storage: GraphQL lives in package
// graph, MongoDB in package mongodb. Those packages import engine, never the
// reverse. Every error that crosses the boundary is an *Error with a Code
// (EINVALID, ENOTFOUND, ECONFLICT, EUNAUTHENTICATED, EFORBIDDEN, EINTERNAL)
// so that adapters can map it to their own vocabulary (GraphQL
// extensions.code, HTTP status, exit codes) without string matching.
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
// became in the next, Revise makes the next revision and its FormerCodes,
// and a rule naming a former code loads with a warning carrying the
// crosswalk's suggestion (modelrevision.go).
package engine
