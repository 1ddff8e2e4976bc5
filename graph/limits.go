package graph

import (
	"context"
	"fmt"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
)

// Limits of one GraphQL request. A request over one of them is refused
// before anything runs, with the code in extensions.code:
//
//	limit                                    value      code
//	request body                             1 MiB      PAYLOAD_TOO_LARGE (HTTP 413)
//	query document                           15,000 tokens  GRAPHQL_PARSE_FAILED
//	nesting of fields                        15         DEPTH_LIMIT_EXCEEDED
//	aliases (fragments spread in place)      30         ALIAS_LIMIT_EXCEEDED
//	one response name in one selection       10         REPEATED_FIELD_LIMIT_EXCEEDED
//	fields (fragments spread in place)       2,000      FIELD_LIMIT_EXCEEDED
//	cost (see costSchema)                    500,000    COMPLEXITY_LIMIT_EXCEEDED
//	time to answer                           15 s       TIMEOUT
//
// The shape limits (depth, aliases, repeated and total fields) are checked
// on the parsed document before it is validated, in time linear in its
// size: the validation of a selection that repeats one field thousands of
// times takes seconds (it compares the repeats pairwise), and a fragment
// spread in a fragment spread ... grows exponentially when expanded.
const (
	// MaxRequestBytes is the largest request body read.
	MaxRequestBytes = 1 << 20
	// maxDepth is how deep fields may nest: { a { b } } is 2 deep. The
	// introspection query of GraphiQL nests 13 deep.
	maxDepth = 15
	// maxAliases is how many fields may carry an alias.
	maxAliases = 30
	// maxRepeats is how many times one response name may be selected in one
	// selection set (fragments included): the repeats are merged into one
	// answer, so more than a few are never needed.
	maxRepeats = 10
	// maxFields is how many fields a document may select, counting a
	// fragment once per spread.
	maxFields = 2000
	// requestTimeout is how long a request may take; its work stops then,
	// or as soon as the client goes away.
	requestTimeout = 15 * time.Second
)

// Values of extensions.code for requests refused by a limit.
const (
	codeDepthLimit    = "DEPTH_LIMIT_EXCEEDED"
	codeAliasLimit    = "ALIAS_LIMIT_EXCEEDED"
	codeRepeatedField = "REPEATED_FIELD_LIMIT_EXCEEDED"
	codeFieldLimit    = "FIELD_LIMIT_EXCEEDED"
	codeTimeout       = "TIMEOUT"
)

// shapeLimit refuses a query document over the shape limits before gqlgen
// validates it. It parses the query itself (a query gqlgen has cached
// passed before and is not parsed again); a document that does not parse
// is left to gqlgen to report.
type shapeLimit struct {
	cache graphql.Cache[*ast.QueryDocument]
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
} = shapeLimit{}

// ExtensionName names the extension for gqlgen.
func (shapeLimit) ExtensionName() string { return "ShapeLimit" }

// Validate accepts any schema.
func (shapeLimit) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationParameters checks the shape of params.Query.
func (s shapeLimit) MutateOperationParameters(ctx context.Context, params *graphql.RawParams) *gqlerror.Error {
	if params.Query == "" {
		return nil
	}
	if _, ok := s.cache.Get(ctx, params.Query); ok {
		return nil
	}
	doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: params.Query}, parserTokenLimit)
	if err != nil {
		return nil
	}
	return checkShape(doc)
}

// checkShape returns the first shape limit doc's operations exceed, nil
// when they keep to them.
func checkShape(doc *ast.QueryDocument) *gqlerror.Error {
	w := shapeWalker{doc: doc, fragments: map[string]*shape{}}
	for _, op := range doc.Operations {
		sh := w.selection(op.SelectionSet)
		if err := sh.check(); err != nil {
			return err
		}
	}
	return nil
}

// shape is what the limits look at in a selection set, with fragments
// spread in place.
type shape struct {
	depth, aliases, fields int
	// keys counts the response names of the selection set itself (not
	// of the sets below it).
	keys map[string]int
	// worst is the most repeated response name found in the set or below
	// it, with its count and position.
	worst      string
	worstCount int
	worstAt    *ast.Position
	deepest    *ast.Position
}

func (s *shape) check() *gqlerror.Error {
	switch {
	case s.depth > maxDepth:
		return limitError(s.deepest, codeDepthLimit, "the query nests fields %d deep, more than the %d allowed", s.depth, maxDepth)
	case s.worstCount > maxRepeats:
		return limitError(s.worstAt, codeRepeatedField, "%s is selected %d times in one selection set, more than the %d allowed", s.worst, s.worstCount, maxRepeats)
	case s.aliases > maxAliases:
		return limitError(nil, codeAliasLimit, "the query has %d aliases, more than the %d allowed", s.aliases, maxAliases)
	case s.fields > maxFields:
		return limitError(nil, codeFieldLimit, "the query selects %d fields (a fragment counts at each spread), more than the %d allowed", s.fields, maxFields)
	}
	return nil
}

// limitError is the error of a request over a limit, at pos when known.
func limitError(pos *ast.Position, code, format string, args ...any) *gqlerror.Error {
	err := gqlerror.Errorf(format, args...)
	if pos != nil {
		err = gqlerror.ErrorPosf(pos, format, args...)
	}
	err.Extensions = map[string]any{"code": code}
	return err
}

// shapeWalker measures selection sets, each fragment once.
type shapeWalker struct {
	doc       *ast.QueryDocument
	fragments map[string]*shape // nil while the fragment is being measured
}

// selection measures a selection set with fragments spread in place.
func (w *shapeWalker) selection(set ast.SelectionSet) *shape {
	sh := &shape{keys: map[string]int{}}
	for _, sel := range set {
		switch sel := sel.(type) {
		case *ast.Field:
			below := w.selection(sel.SelectionSet)
			sh.fields = saturatingAdd(sh.fields, saturatingAdd(1, below.fields))
			sh.aliases = saturatingAdd(sh.aliases, below.aliases)
			if sel.Alias != "" && sel.Alias != sel.Name {
				sh.aliases = saturatingAdd(sh.aliases, 1)
			}
			if below.depth+1 > sh.depth {
				sh.depth, sh.deepest = below.depth+1, sel.Position
				if below.deepest != nil {
					sh.deepest = below.deepest
				}
			}
			key := sel.Alias
			if key == "" {
				key = sel.Name
			}
			sh.keys[key]++
			sh.worse(key, sh.keys[key], sel.Position)
			sh.worse(below.worst, below.worstCount, below.worstAt)
		case *ast.InlineFragment:
			sh.merge(w.selection(sel.SelectionSet))
		case *ast.FragmentSpread:
			if f := w.fragment(sel.Name); f != nil {
				sh.merge(f)
			}
		}
	}
	return sh
}

// fragment measures the fragment named name once; nil for an unknown
// fragment or one that spreads itself (validation refuses both).
func (w *shapeWalker) fragment(name string) *shape {
	if sh, seen := w.fragments[name]; seen {
		return sh
	}
	def := w.doc.Fragments.ForName(name)
	if def == nil {
		return nil
	}
	w.fragments[name] = nil
	sh := w.selection(def.SelectionSet)
	w.fragments[name] = sh
	return sh
}

// merge adds the shape of a fragment spread into s's selection set.
func (s *shape) merge(f *shape) {
	s.fields = saturatingAdd(s.fields, f.fields)
	s.aliases = saturatingAdd(s.aliases, f.aliases)
	if f.depth > s.depth {
		s.depth, s.deepest = f.depth, f.deepest
	}
	for key, n := range f.keys {
		s.keys[key] = saturatingAdd(s.keys[key], n)
		s.worse(key, s.keys[key], f.worstAt)
	}
	s.worse(f.worst, f.worstCount, f.worstAt)
}

// worse records key as the most repeated response name when it is.
func (s *shape) worse(key string, n int, at *ast.Position) {
	if n > s.worstCount {
		s.worst, s.worstCount, s.worstAt = key, n, at
	}
}

// saturatingAdd adds non-negative a and b, stopping at the largest int.
func saturatingAdd(a, b int) int {
	if c := a + b; c >= a {
		return c
	}
	return int(^uint(0) >> 1)
}

// saturatingMul multiplies non-negative a and b, stopping at the largest
// int.
func saturatingMul(a, b int) int {
	const maxInt = int(^uint(0) >> 1)
	if a == 0 || b == 0 {
		return 0
	}
	if a > maxInt/b {
		return maxInt
	}
	return a * b
}

// stopWhenDone is the field middleware (part of aroundFields) that stops
// resolving once the request's context is done: its deadline passed or its
// client went away. The fields left fail at once; the transport answers TIMEOUT (or nothing,
// to a client that left).
func stopWhenDone(ctx context.Context, next graphql.Resolver) (any, error) {
	select {
	case <-ctx.Done():
		return nil, stoppedError()
	default:
		return next(ctx)
	}
}

// stoppedError is the error of a request stopped by its deadline (and of
// each field left when it stopped).
func stoppedError() *gqlerror.Error {
	return &gqlerror.Error{
		Message:    fmt.Sprintf("the request took longer than %s and was stopped", requestTimeout),
		Extensions: map[string]any{"code": codeTimeout},
	}
}

// useLimits sets the limits of limits.go and cost.go on srv, which serves
// a and keeps parsed queries in cache: the shape limits (after the
// persisted query extension has put in the query a hash names), the cost
// limit (its costs kept, see costCache) and its report. The end of work at the deadline is aroundFields' (handler.go).
func useLimits(srv *handler.Server, a Service, cache graphql.Cache[*ast.QueryDocument]) {
	srv.Use(shapeLimit{cache: cache})
	srv.Use(newCostCache(a, costLimit))
	srv.Use(costReport{})
}
