package graph

import (
	"cmap/domain"
	"context"

	"github.com/99designs/gqlgen/graphql"

	"cmap/app"
)

// refs returns pointers to the elements of s, as gqlgen's list resolvers
// return them; the elements are shared, not copied.
func refs[T any](s []T) []*T {
	out := make([]*T, len(s))
	for i := range s {
		out[i] = &s[i]
	}
	return out
}

// firstOf returns pointers to the first top elements of s, as refs does,
// or to all of them when top is nil. A negative top is EINVALID on the
// argument "top"; top 0 gives an empty list.
func firstOf[T any](s []T, top *int) ([]*T, error) { return firstNamed(s, top, "top") }

// firstNamed is firstOf for a limit given by the argument name.
func firstNamed[T any](s []T, n *int, name string) ([]*T, error) {
	if n != nil {
		if *n < 0 {
			return nil, domain.Invalid(name, "%s must not be negative, not %d", name, *n)
		}
		s = s[:min(*n, len(s))]
	}
	return refs(s), nil
}

// optional returns nil for "", s otherwise: an empty text is a null in the
// API. It answers the string of a record or an answer where it is held,
// rather than a copy (one allocation per field written): resolvers never
// change what they are given.
func optional(s *string) *string {
	if *s == "" {
		return nil
	}
	return s
}

// subCompetency returns the framework's sub-competency with code; facts
// only name codes of the framework the rules were checked against. Below a
// ModelRevisionPlan, whose impact names codes of the new revision (and of
// the one it replaces), a code the request's generation does not have is
// looked up in those.
func (r *Resolver) subCompetency(ctx context.Context, code string) (*domain.SubCompetency, error) {
	if s := viewOf(ctx).Framework().SubCompetency(code); s != nil {
		return s, nil
	}
	for fc := graphql.GetFieldContext(ctx); fc != nil; fc = fc.Parent {
		if plan, ok := fc.Result.(*app.RevisionPlan); ok {
			for _, fw := range []*domain.Framework{plan.Revision.Framework, plan.Previous} {
				if s := fw.SubCompetency(code); s != nil {
					return s, nil
				}
			}
		}
	}
	return nil, domain.NotFound("sub-competency", code)
}

// subCompetencies returns the framework's sub-competencies with codes, in
// their order.
func (r *Resolver) subCompetencies(ctx context.Context, codes []string) ([]*domain.SubCompetency, error) {
	out := make([]*domain.SubCompetency, len(codes))
	for i, code := range codes {
		s, err := r.subCompetency(ctx, code)
		if err != nil {
			return nil, err
		}
		out[i] = s
	}
	return out, nil
}
