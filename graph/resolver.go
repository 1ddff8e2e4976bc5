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

// resolverRoot is the root of the resolvers the executor is given:
// Resolver's, with the resolvers of the types of lean fields made once.
// The executor asks the root for a type's resolver for every field it
// resolves with one, and gqlgen's Resolver allocates one each time: about
// fifty for one person's readiness.
type resolverRoot struct {
	*Resolver
	attainment AttainmentResolver
	gap        GapResolver
}

func newResolverRoot(r *Resolver) *resolverRoot {
	return &resolverRoot{Resolver: r, attainment: r.Attainment(), gap: r.Gap()}
}

// Attainment returns the resolver of Attainment's fields.
func (r *resolverRoot) Attainment() AttainmentResolver { return r.attainment }

// Gap returns the resolver of Gap's fields.
func (r *resolverRoot) Gap() GapResolver { return r.gap }
