package graph

import (
	"context"
	"mime"
	"net/http"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"

	"cmap/graph/model"
)

// Limits of the GraphQL endpoint (the others are in limits.go).
const (
	// parserTokenLimit caps the size of a query document.
	parserTokenLimit = 15000
	// queryCacheSize is how many parsed and validated queries are kept.
	queryCacheSize = 1000
	// persistedQueryCacheSize is how many automatic persisted queries
	// (APQ: a client sends a query's hash instead of its text) are kept.
	persistedQueryCacheSize = 1000
)

// NewHandler returns the GraphQL endpoint over a: GET (queries only) and
// POST with a JSON body, as the GraphQL-over-HTTP specification has them
// (see httpTransport), POST of multipart/form-data with files (the
// GraphQL multipart request specification, for the import mutations),
// and OPTIONS. Each request answers from one
// generation of the read model (see withView), within the limits of
// limits.go. Options add to it: WithObserver observes every request.
func NewHandler(a Service, opts ...HandlerOption) http.Handler {
	srv := handler.New(costSchema{ExecutableSchema: withAnswerCache(a, NewExecutableSchema(newConfig(a))), stats: &statsCache{}})
	srv.AroundFields(aroundFields(a))
	srv.AddTransport(transport.Options{AllowedMethods: []string{http.MethodGet, http.MethodPost, http.MethodOptions}})
	// Files for the import mutations, per the GraphQL multipart request
	// specification; kept in memory, bounded with the operations part.
	srv.AddTransport(transport.MultipartForm{MaxUploadSize: MaxImportBytes + MaxRequestBytes, MaxMemory: MaxImportBytes + MaxRequestBytes})
	srv.AddTransport(httpTransport{app: a})
	cache := lru.New[*ast.QueryDocument](queryCacheSize)
	srv.SetQueryCache(cache)
	srv.SetParserTokenLimit(parserTokenLimit)
	srv.SetDisableSuggestion(true)
	srv.Use(extension.Introspection{})
	srv.Use(extension.AutomaticPersistedQuery{Cache: lru.New[string](persistedQueryCacheSize)})
	useLimits(srv, a, cache)
	srv.SetErrorPresenter(presentError(a.Logger()))
	srv.SetRecoverFunc(recoverPanic(a.Logger()))
	return withOptions(opts, srv, overHTTP(withView(a, srv)))
}

// aroundFields is the one field middleware (each costs a closure per
// field written; trivial fields have none, nor have lean fields until the
// request is done, see internal/leanexec): it
// stops resolving once the request is done (stopWhenDone), and it moves a
// request on to the generation being served once a mutation's resolver has
// returned, before the fields of its payload are resolved, so that they
// answer with the write applied. A failed mutation moves it on too: the
// newer generation is as whole as the one before.
func aroundFields(a Service) graphql.FieldMiddleware {
	return func(ctx context.Context, next graphql.Resolver) (any, error) {
		res, err := stopWhenDone(ctx, next)
		if fc := graphql.GetFieldContext(ctx); fc != nil && fc.Object == "Mutation" {
			if rv, ok := ctx.Value(viewKey{}).(*requestView); ok {
				v := Snapshot(a.View())
				rv.v.Store(&v)
			}
		}
		return res, err
	}
}

// newConfig wires the resolvers and the cost of connections: a page of
// first records costs first times its selection.
func newConfig(a Service) Config {
	c := Config{Resolvers: newResolverRoot(&Resolver{App: a})}
	c.Directives.Auth = authorize
	c.Complexity.Query.Courses = pageCost[*model.CourseFilter]
	c.Complexity.Query.Positions = pageCost[*model.PositionFilter]
	c.Complexity.Query.People = pageCost[*model.PersonFilter]
	return c
}

func pageCost[F any](childComplexity int, first *int, _ *string, _ F) int {
	n := defaultFirst
	if first != nil && *first > 0 {
		n = *first
	}
	return 1 + n*childComplexity
}

// overHTTP answers what the transports leave to the server under the
// GraphQL-over-HTTP specification: a method other than GET, POST or
// OPTIONS gets 405 with Allow; a POST body that is not JSON (or, for the
// import mutations' files, multipart/form-data) gets 415.
func overHTTP(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet, http.MethodOptions:
		case http.MethodPost:
			if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" && mt != "multipart/form-data" {
				w.Header().Set("Accept-Post", "application/json, multipart/form-data")
				http.Error(w, "a GraphQL POST request has a JSON body: Content-Type: application/json", http.StatusUnsupportedMediaType)
				return
			}
		default:
			w.Header().Set("Allow", "GET, POST, OPTIONS")
			http.Error(w, "GraphQL is served over GET and POST", http.StatusMethodNotAllowed)
			return
		}
		next.ServeHTTP(w, r)
	})
}
