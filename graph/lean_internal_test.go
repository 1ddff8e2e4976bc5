package graph

import (
	"cmap/domain"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/executor"
	"github.com/vektah/gqlparser/v2/ast"

	"cmap/analysis"
	"cmap/app"
)

// faultyResolvers are cmap's resolvers with those of the lean fields of a
// readiness (see go:generate in resolver.go) replaced, when not nil.
type faultyResolvers struct {
	*Resolver
	subCompetency func() (*domain.SubCompetency, error)
	attained      func() (*string, error)
}

func (r faultyResolvers) Attainment() AttainmentResolver {
	return faultyAttainment{r.Resolver.Attainment(), r}
}

func (r faultyResolvers) Gap() GapResolver { return faultyGap{r.Resolver.Gap(), r} }

type faultyAttainment struct {
	AttainmentResolver
	r faultyResolvers
}

func (a faultyAttainment) SubCompetency(ctx context.Context, obj *analysis.Attainment) (*domain.SubCompetency, error) {
	if a.r.subCompetency != nil {
		return a.r.subCompetency()
	}
	return a.AttainmentResolver.SubCompetency(ctx, obj)
}

type faultyGap struct {
	GapResolver
	r faultyResolvers
}

func (g faultyGap) SubCompetency(ctx context.Context, obj *analysis.Gap) (*domain.SubCompetency, error) {
	if g.r.subCompetency != nil {
		return g.r.subCompetency()
	}
	return g.GapResolver.SubCompetency(ctx, obj)
}

func (g faultyGap) Attained(ctx context.Context, obj *analysis.Gap) (*string, error) {
	if g.r.attained != nil {
		return g.r.attained()
	}
	return g.GapResolver.Attained(ctx, obj)
}

// leanFixture runs queries against an App holding the sample seeds, with
// resolvers that fail as told, as NewHandler runs them (field middleware,
// error presenter, panic handler).
type leanFixture struct {
	t   *testing.T
	app *app.App
}

func newLeanFixture(t *testing.T) *leanFixture {
	t.Helper()
	a := sampleApp(t)
	return &leanFixture{t: t, app: a}
}

// query answers query with vars under ctx, with the resolvers r.
func (f *leanFixture) query(ctx context.Context, r faultyResolvers, query string, vars map[string]any) *graphql.Response {
	f.t.Helper()
	cfg := newConfig(f.app)
	r.Resolver = cfg.Resolvers.(*resolverRoot).Resolver
	cfg.Resolvers = r
	exec := executor.New(NewExecutableSchema(cfg))
	exec.AroundFields(aroundFields(f.app))
	exec.SetErrorPresenter(presentError(f.app.Logger()))
	exec.SetRecoverFunc(recoverPanic(f.app.Logger()))
	rv := &requestView{}
	v := Snapshot(f.app.View())
	rv.v.Store(&v)
	ctx = graphql.StartOperationTrace(context.WithValue(domain.WithPrincipal(ctx, &domain.Principal{ID: "key:t", Roles: []domain.Role{domain.RoleAdmin}}), viewKey{}, rv))
	oc, errs := exec.CreateOperationContext(ctx, &graphql.RawParams{Query: query, Variables: vars})
	if errs != nil {
		f.t.Fatalf("%s: %v", query, errs)
	}
	responses, ctx := exec.DispatchOperation(ctx, oc)
	return responses(ctx)
}

// person returns a person of the sample seeds with gaps (two or more) and
// attainments.
func (f *leanFixture) person() string {
	f.t.Helper()
	resp := f.query(context.Background(), faultyResolvers{}, `{ people(first: 100) { edges { node { id readiness { gaps { required } attained { level } } } } } }`, nil)
	var d struct {
		People struct {
			Edges []struct {
				Node struct {
					ID        string
					Readiness struct{ Gaps, Attained []json.RawMessage }
				}
			}
		}
	}
	if err := json.Unmarshal(resp.Data, &d); err != nil || len(resp.Errors) > 0 {
		f.t.Fatalf("%v, %v: %s", err, resp.Errors, resp.Data)
	}
	for _, e := range d.People.Edges {
		if len(e.Node.Readiness.Gaps) > 1 && len(e.Node.Readiness.Attained) > 0 {
			return e.Node.ID
		}
	}
	f.t.Fatal("no person of the sample seeds has both gaps and attainments")
	return ""
}

// errorsOf returns the message and path of each error of resp.
func errorsOf(resp *graphql.Response) []string {
	var out []string
	for _, e := range resp.Errors {
		out = append(out, e.Message+" at "+e.Path.String())
	}
	slices.Sort(out)
	return out
}

// A lean field (internal/leanexec) is resolved without its field context
// only when nothing can fail: when its resolver fails, answers null or
// panics, the error is reported at the field's path, as gqlgen reports it
// for the same field resolved with its context (a selection below it
// that is not trivial, here competency).
func TestLeanSubCompetencyFailsAtItsPath(t *testing.T) {
	f := newLeanFixture(t)
	id := f.person()
	const query = `query($id: ID!) { person(id: $id) { readiness { gaps { subCompetency { %s } required } attained { subCompetency { %s } level } } } }`
	for _, fault := range []struct {
		name    string
		resolve func() (*domain.SubCompetency, error)
		message string
	}{
		{"an error", func() (*domain.SubCompetency, error) { return nil, domain.NotFound("sub-competency", "X-1") }, "not found"},
		{"null", func() (*domain.SubCompetency, error) { return nil, nil }, "internal error"},
		{"a panic", func() (*domain.SubCompetency, error) { panic("lookup") }, "internal error"},
	} {
		lean := f.query(context.Background(), faultyResolvers{subCompetency: fault.resolve}, fmt.Sprintf(query, "code", "code"), map[string]any{"id": id})
		full := f.query(context.Background(), faultyResolvers{subCompetency: fault.resolve}, fmt.Sprintf(query, "code competency { code }", "code competency { code }"), map[string]any{"id": id})
		got, want := errorsOf(lean), errorsOf(full)
		if !slices.Equal(got, want) {
			t.Errorf("%s: the lean field reports\n%q\nwant, as with its field context,\n%q", fault.name, got, want)
		}
		var first ast.Path
		if len(lean.Errors) > 0 {
			first = lean.Errors[0].Path
		}
		if len(got) == 0 || !strings.Contains(got[0], fault.message) || len(first) < 5 || first[len(first)-1] != ast.PathName("subCompetency") {
			t.Errorf("%s: errors %q, want one at a subCompetency saying %q", fault.name, got, fault.message)
		}
		if string(lean.Data) != `{"person":null}` {
			t.Errorf("%s: data %s, want the person null (a non-null subCompetency failed, up to the nullable person)", fault.name, lean.Data)
		}
	}
}

// The same for a lean field whose value is a scalar (Gap.attained).
func TestLeanAttainedFailsAtItsPath(t *testing.T) {
	f := newLeanFixture(t)
	id := f.person()
	const query = `query($id: ID!) { person(id: $id) { readiness { gaps { attained } } } }`
	for _, fault := range []struct {
		name    string
		resolve func() (*string, error)
		message string
	}{
		{"an error", func() (*string, error) { return nil, domain.NotFound("level", "x") }, "not found"},
		{"a panic", func() (*string, error) { panic("level") }, "internal error"},
	} {
		resp := f.query(context.Background(), faultyResolvers{attained: fault.resolve}, query, map[string]any{"id": id})
		got := errorsOf(resp)
		if len(got) == 0 || !strings.Contains(got[0], fault.message) || !strings.HasSuffix(got[0], " at person.readiness.gaps[0].attained") {
			t.Errorf("%s: errors %q, want the first saying %q at person.readiness.gaps[0].attained", fault.name, got, fault.message)
		}
		var d struct {
			Person struct {
				Readiness struct{ Gaps []struct{ Attained *string } }
			}
		}
		if err := json.Unmarshal(resp.Data, &d); err != nil || len(d.Person.Readiness.Gaps) == 0 || d.Person.Readiness.Gaps[0].Attained != nil {
			t.Errorf("%s: data %s (%v), want gaps with attained null", fault.name, resp.Data, err)
		}
	}
}

// Once the request is done, a lean field fails as the field middleware
// fails every field (stopWhenDone), at its path.
func TestLeanFieldStopsWhenDone(t *testing.T) {
	f := newLeanFixture(t)
	id := f.person()
	ctx, cancel := context.WithCancel(context.Background())
	r := faultyResolvers{attained: func() (*string, error) {
		cancel() // the first gap's attained is resolved, the rest not
		level := "x"
		return &level, nil
	}}
	resp := f.query(ctx, r, `query($id: ID!) { person(id: $id) { readiness { gaps { attained } } } }`, map[string]any{"id": id})
	got := errorsOf(resp)
	if len(got) == 0 || !strings.HasPrefix(got[0], stoppedError().Message+" at person.readiness.gaps[") || !strings.HasSuffix(got[0], "].attained") {
		t.Errorf("errors %q, want the request's stop at a gap's attained", got)
	}
}
