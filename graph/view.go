package graph

import (
	"cmap/domain"
	"context"
	"net/http"
	"sync/atomic"
)

// requestView is the generation of the read model one request answers
// from. A query takes it once, when the request arrives, so that every
// field of the response (records, facts, answers, the rule set) comes from
// the same generation. A mutation moves it on to the generation its write
// published, so that the fields of its payload see the write; mutations
// run one after another, each payload resolved before the next starts.
type requestView struct{ v atomic.Pointer[Snapshot] }

type viewKey struct{}

// withView gives every request the generation being served when it
// arrives.
func withView(a Service, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rv := &requestView{}
		v := Snapshot(a.View())
		rv.v.Store(&v)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), viewKey{}, rv)))
	})
}

// viewOf returns the request's generation. Every request gets one from
// withView; a resolver run without it is a wiring bug, and the panic is
// answered as INTERNAL.
func viewOf(ctx context.Context) Snapshot {
	rv, ok := ctx.Value(viewKey{}).(*requestView)
	if !ok {
		panic("graph: no view in the request context (handler not wrapped by withView)")
	}
	return *rv.v.Load()
}

// loadCourse returns the course with code, or nil when it does not exist.
func loadCourse(ctx context.Context, code string) (*domain.Course, error) {
	v := viewOf(ctx)
	return nilIfNotFound(v.Course(code))
}

// loadCourses returns the courses with the given codes that exist, in the
// order of codes.
func loadCourses(ctx context.Context, codes []string) ([]*domain.Course, error) {
	v := viewOf(ctx)
	found := make([]*domain.Course, 0, len(codes))
	for _, code := range codes {
		if c, err := v.Course(code); err == nil {
			found = append(found, c)
		}
	}
	return found, nil
}

// loadPosition returns the position with id, or nil when it does not exist.
func loadPosition(ctx context.Context, id string) (*domain.Position, error) {
	v := viewOf(ctx)
	return nilIfNotFound(v.Position(id))
}

// loadPerson returns the person with id (ENOTFOUND).
func loadPerson(ctx context.Context, id string) (*domain.Person, error) {
	v := viewOf(ctx)
	return v.Person(id)
}

// loadHolders returns the people who hold the position with id.
func loadHolders(ctx context.Context, id string) ([]*domain.Person, error) {
	v := viewOf(ctx)
	return v.Holders(id), nil
}
