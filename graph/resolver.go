package graph

//go:generate go tool gqlgen generate
//go:generate go run ./internal/listsinorder generated.go
//go:generate go run ./internal/leanexec generated.go

// Resolver is the root of the resolvers; it holds their dependencies.
// Resolvers stay thin: they translate between GraphQL and the App,
// writing through it and reading the request's generation (viewOf).
type Resolver struct {
	App Service
}
