// Package engine is cmap's rules engine: it loads rule files (YAML with
// expr-lang conditions), checks them with positions (file:line:col),
// evaluates them over the domain's courses and positions to derive coverage
// and requirements with their provenance, explains why a rule did or did
// not fire, formats and lints rule files, and runs rule tests.
//
// # Layout
//
// The types it works on (framework, scale, courses, positions, people,
// facts, the Store, errors with codes) live in package domain, which links
// no third-party code; engine is the only package that imports expr and
// the one that reads rule YAML. It knows nothing of transport or storage:
// GraphQL lives in package graph, MongoDB in package mongodb.
//
// # Model revisions
//
// The framework's revisions, crosswalks and former codes are domain types
// (domain/modelrevision.go); engine loads a rule that names a former code
// with a warning carrying the crosswalk's suggestion, and the entry yields
// nothing under the revision.
package engine
