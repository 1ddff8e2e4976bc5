package graph

//go:generate go tool gqlgen generate
//go:generate go run ./internal/listsinorder generated.go
//go:generate go run ./internal/leanexec -lean Attainment.subCompetency,Gap.subCompetency,Gap.attained generated.go

// The lean fields (-lean above; see internal/leanexec) are resolved under
// their parent's field context when nothing below them can fail: their
// resolvers answer from their object and the request's view, read no
// field context but their ancestors' (subCompetency's) and report errors
// only by returning them. A resolver that does otherwise must not be
// listed.

// Resolver is the root of the resolvers; it holds their dependencies.
// Resolvers stay thin: they translate between GraphQL and the App,
// writing through it and reading the request's generation (viewOf).
type Resolver struct {
	App Service
}
