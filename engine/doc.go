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
// (EINVALID, ENOTFOUND, ECONFLICT, EINTERNAL) so that adapters can map it to
// their own vocabulary (GraphQL extensions.code, exit codes) without string
// matching.
package engine
