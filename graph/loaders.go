package graph

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/vikstrous/dataloadgen"

	"cmap/app"
	"cmap/engine"
)

// loaderWait is how long a dataloader collects keys before it fetches
// them in one store call. gqlgen resolves the fields of a list's elements
// concurrently, so all the keys of one level of a response arrive well
// within it.
const loaderWait = 10 * time.Millisecond

// loaders batch the lookups of one request: however many courses,
// positions or position holders a response names, each kind costs one
// store call per level of the response.
type loaders struct {
	course           *dataloadgen.Loader[string, *engine.Course]
	position         *dataloadgen.Loader[string, *engine.Position]
	peopleByPosition *dataloadgen.Loader[string, []*engine.Person]
}

func newLoaders(a *app.App) *loaders {
	return &loaders{
		course: dataloadgen.NewMappedLoader(func(ctx context.Context, codes []string) (map[string]*engine.Course, error) {
			courses, err := a.CoursesByCode(ctx, codes)
			return byKey(courses, func(c *engine.Course) string { return c.Code }), err
		}, dataloadgen.WithWait(loaderWait)),
		position: dataloadgen.NewMappedLoader(func(ctx context.Context, ids []string) (map[string]*engine.Position, error) {
			positions, err := a.PositionsByID(ctx, ids)
			return byKey(positions, func(p *engine.Position) string { return p.ID }), err
		}, dataloadgen.WithWait(loaderWait)),
		peopleByPosition: dataloadgen.NewMappedLoader(a.PeopleByPosition, dataloadgen.WithWait(loaderWait)),
	}
}

func byKey[T any](items []T, keyOf func(T) string) map[string]T {
	m := make(map[string]T, len(items))
	for _, it := range items {
		m[keyOf(it)] = it
	}
	return m
}

type loadersKey struct{}

// withLoaders gives every request fresh dataloaders: nothing they cache
// outlives the request.
func withLoaders(a *app.App, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := context.WithValue(r.Context(), loadersKey{}, newLoaders(a))
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

var errNoLoaders = errors.New("graph: no dataloaders in the request context (handler not wrapped by withLoaders)")

func loadersFrom(ctx context.Context) (*loaders, error) {
	if l, ok := ctx.Value(loadersKey{}).(*loaders); ok {
		return l, nil
	}
	return nil, errNoLoaders
}

// loadCourse returns the course with code, or nil when it does not exist.
func loadCourse(ctx context.Context, code string) (*engine.Course, error) {
	l, err := loadersFrom(ctx)
	if err != nil {
		return nil, err
	}
	return orNil(l.course.Load(ctx, code))
}

// loadCourses returns the courses with the given codes that exist, in the
// order of codes.
func loadCourses(ctx context.Context, codes []string) ([]*engine.Course, error) {
	l, err := loadersFrom(ctx)
	if err != nil {
		return nil, err
	}
	courses, err := l.course.LoadAll(ctx, codes)
	if err != nil {
		var errs dataloadgen.ErrorSlice
		if !errors.As(err, &errs) {
			return nil, err
		}
		for _, e := range errs {
			if e != nil && !errors.Is(e, dataloadgen.ErrNotFound) {
				return nil, e
			}
		}
	}
	found := courses[:0]
	for _, c := range courses {
		if c != nil {
			found = append(found, c)
		}
	}
	return found, nil
}

// loadPosition returns the position with id, or nil when it does not exist.
func loadPosition(ctx context.Context, id string) (*engine.Position, error) {
	l, err := loadersFrom(ctx)
	if err != nil {
		return nil, err
	}
	return orNil(l.position.Load(ctx, id))
}

// loadHolders returns the people who hold the position with id.
func loadHolders(ctx context.Context, id string) ([]*engine.Person, error) {
	l, err := loadersFrom(ctx)
	if err != nil {
		return nil, err
	}
	people, err := orNil(l.peopleByPosition.Load(ctx, id))
	if people == nil && err == nil {
		people = []*engine.Person{}
	}
	return people, err
}

// orNil turns a mapped loader's "not found" into a zero value without error.
func orNil[T any](v T, err error) (T, error) {
	if errors.Is(err, dataloadgen.ErrNotFound) {
		var zero T
		return zero, nil
	}
	return v, err
}
