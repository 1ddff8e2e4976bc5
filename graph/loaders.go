package graph

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vikstrous/dataloadgen"

	"cmap/app"
	"cmap/engine"
)

// loaderWait is how long a dataloader collects keys before it fetches
// them in one store call.
const loaderWait = 10 * time.Millisecond

// loaders batch the lookups of one request: however many courses,
// positions, people or position holders a response names, each kind costs
// one store call per level of the response.
type loaders struct {
	course           *dataloadgen.Loader[string, *engine.Course]
	position         *dataloadgen.Loader[string, *engine.Position]
	person           *dataloadgen.Loader[string, *engine.Person]
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
		person: dataloadgen.NewMappedLoader(func(ctx context.Context, ids []string) (map[string]*engine.Person, error) {
			people, err := a.PeopleByID(ctx, ids)
			return byKey(people, func(p *engine.Person) string { return p.ID }), err
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

// loadPerson returns the person with id; ENOTFOUND when there is none,
// as for App.Person.
func loadPerson(ctx context.Context, id string) (*engine.Person, error) {
	l, err := loadersFrom(ctx)
	if err != nil {
		return nil, err
	}
	p, err := orNil(l.person.Load(ctx, id))
	if p == nil && err == nil {
		return nil, engine.NotFound("person", id)
	}
	return p, err
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

// Prefetching. gqlgen reaches the fields of a page's records at different
// moments (a person's position only after their completions, say), so keys
// that arrive one by one could fall into several batches. A connection
// resolver that knows its page queues every key its selection will need
// at once instead; the field resolvers then find them cached. So a page
// costs one store call per loader, whatever its size.

// prefetchForPeople queues the positions, the positions' holders and the
// completed courses that the selection of a page of people will load.
func prefetchForPeople(ctx context.Context, people []*engine.Person) {
	l, err := loadersFrom(ctx)
	if err != nil {
		return
	}
	var positions, courses []string
	for _, p := range people {
		if p.PositionID != "" {
			positions = append(positions, p.PositionID)
		}
		for _, c := range p.Completions {
			courses = append(courses, c.CourseCode)
		}
	}
	if selects(ctx, "edges", "node", "position") {
		l.position.LoadAllThunk(ctx, positions)
	}
	if selects(ctx, "edges", "node", "position", "people") {
		l.peopleByPosition.LoadAllThunk(ctx, positions)
	}
	if selects(ctx, "edges", "node", "completions", "course") {
		l.course.LoadAllThunk(ctx, courses)
	}
}

// prefetchForCourses queues the prerequisites that the selection of a page
// of courses will load.
func prefetchForCourses(ctx context.Context, courses []*engine.Course) {
	l, err := loadersFrom(ctx)
	if err != nil || !selects(ctx, "edges", "node", "prerequisites") {
		return
	}
	var codes []string
	for _, c := range courses {
		codes = append(codes, c.Prerequisites...)
	}
	l.course.LoadAllThunk(ctx, codes)
}

// prefetchForPositions queues the holders that the selection of a page of
// positions will load.
func prefetchForPositions(ctx context.Context, positions []*engine.Position) {
	l, err := loadersFrom(ctx)
	if err != nil || !selects(ctx, "edges", "node", "people") {
		return
	}
	ids := make([]string, len(positions))
	for i, p := range positions {
		ids[i] = p.ID
	}
	l.peopleByPosition.LoadAllThunk(ctx, ids)
}

// selects reports whether the query selects the field at path below the
// field being resolved, through any alias or fragment.
func selects(ctx context.Context, path ...string) bool {
	op := graphql.GetOperationContext(ctx)
	fields := graphql.CollectFieldsCtx(ctx, nil)
	for _, name := range path {
		var below []graphql.CollectedField
		found := false
		for _, f := range fields {
			if f.Name == name {
				found = true
				below = append(below, graphql.CollectFields(op, f.Selections, nil)...)
			}
		}
		if !found {
			return false
		}
		fields = below
	}
	return true
}

// orNil turns a mapped loader's "not found" into a zero value without error.
func orNil[T any](v T, err error) (T, error) {
	if errors.Is(err, dataloadgen.ErrNotFound) {
		var zero T
		return zero, nil
	}
	return v, err
}

// prefetchPeople queues the people with the given ids when the selection
// below path (the field names leading to their person field) loads them.
func prefetchPeople(ctx context.Context, ids []string, path ...string) {
	l, err := loadersFrom(ctx)
	if err != nil || len(ids) == 0 || !selects(ctx, path...) {
		return
	}
	l.person.LoadAllThunk(ctx, ids)
}

// prefetchFactRecords queues the courses and positions that the selection
// of a list of facts will load through their course or position field.
func prefetchFactRecords(ctx context.Context, courses, positions []string) {
	l, err := loadersFrom(ctx)
	if err != nil {
		return
	}
	if len(courses) > 0 && selects(ctx, "course") {
		l.course.LoadAllThunk(ctx, courses)
	}
	if len(positions) > 0 && selects(ctx, "position") {
		l.position.LoadAllThunk(ctx, positions)
	}
}
