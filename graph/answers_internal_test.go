package graph

import (
	"cmap/domain"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/executor"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"cmap/app"
	"cmap/memstore"
	"cmap/seed"
)

// countingSchema is the real schema with its execution replaced: the N-th
// execution answers {"n":N}, with an error when fail returns true. An
// execution sends on started, when not nil, and then waits for release to
// be closed, when not nil.
type countingSchema struct {
	graphql.ExecutableSchema
	n       atomic.Int32
	fail    func() bool
	started chan struct{}
	release chan struct{}
}

func (s *countingSchema) Exec(context.Context) graphql.ResponseHandler {
	done := false
	return func(ctx context.Context) *graphql.Response {
		if done {
			return nil
		}
		done = true
		n := s.n.Add(1)
		if s.started != nil {
			s.started <- struct{}{}
		}
		if s.release != nil {
			<-s.release
		}
		if s.fail != nil && s.fail() {
			graphql.AddError(ctx, gqlerror.Errorf("execution %d failed", n))
		}
		return &graphql.Response{Data: fmt.Appendf(nil, `{"n":%d}`, n)}
	}
}

// cacheFixture is an answer cache over a countingSchema of an App holding
// the sample seeds, with an executor to ask it.
type cacheFixture struct {
	t      *testing.T
	app    *app.App
	schema *countingSchema
	cache  *answerCache
	exec   *executor.Executor
}

func newCacheFixture(t *testing.T) *cacheFixture {
	t.Helper()
	a := sampleApp(t)
	s := &countingSchema{ExecutableSchema: NewExecutableSchema(newConfig(a))}
	c := withAnswerCache(a, s)
	return &cacheFixture{t: t, app: a, schema: s, cache: c, exec: executor.New(c)}
}

// dispatch prepares query with vars as a request answering from v would
// run it, and returns the handler of its response.
func (f *cacheFixture) dispatch(ctx context.Context, v Snapshot, query string, vars map[string]any) (graphql.ResponseHandler, context.Context) {
	f.t.Helper()
	rv := &requestView{}
	rv.v.Store(&v)
	ctx = graphql.StartOperationTrace(context.WithValue(ctx, viewKey{}, rv))
	rc, errs := f.exec.CreateOperationContext(ctx, &graphql.RawParams{Query: query, Variables: vars})
	if errs != nil {
		f.t.Fatalf("%s: %v", query, errs)
	}
	return f.exec.DispatchOperation(ctx, rc)
}

// answerOf returns the execution that answered resp, and whether resp
// has errors.
func answerOf(t *testing.T, resp *graphql.Response) (n int, failed bool) {
	t.Helper()
	var d struct{ N int }
	if err := json.Unmarshal(resp.Data, &d); err != nil {
		t.Fatalf("data %s: %v", resp.Data, err)
	}
	return d.N, len(resp.Errors) > 0
}

// ask asks query with vars from the generation being served and returns
// the execution that answered.
func (f *cacheFixture) ask(query string, vars map[string]any) int {
	f.t.Helper()
	return f.askFrom(f.app.View(), query, vars)
}

// askFrom asks as a request that answers from v.
func (f *cacheFixture) askFrom(v app.View, query string, vars map[string]any) int {
	f.t.Helper()
	h, ctx := f.dispatch(context.Background(), v, query, vars)
	n, _ := answerOf(f.t, h(ctx))
	return n
}

// wantAnswers fails t unless the answers are want.
func wantAnswers(t *testing.T, got []int, want ...int) {
	t.Helper()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("answered by executions %v, want %v", got, want)
	}
}

const (
	matrixQuery = `{ coverageMatrix { rows { gap } } }`
	filterQuery = `query($f: CoverageFilter) { coverageMatrix(filter: $f) { rows { gap } } }`
)

func TestAnswerCacheKeepsLargeQueries(t *testing.T) {
	t.Parallel()
	f := newCacheFixture(t)
	retired := map[string]any{"f": map[string]any{"status": "RETIRED"}}
	active := map[string]any{"f": map[string]any{"status": "ACTIVE"}}
	wantAnswers(t, []int{
		f.ask(matrixQuery, nil), f.ask(matrixQuery, nil),
		f.ask(filterQuery, retired), f.ask(filterQuery, active), f.ask(filterQuery, retired),
		// Other text, the same fields: another answer.
		f.ask(`{coverageMatrix{rows{gap}}}`, nil),
		// The large field in a fragment, beside small pure fields.
		f.ask(`query Page { proficiencyScale { levels } ...Rules } fragment Rules on Query { ruleSet { revision } }`, nil),
		f.ask(`query Page { proficiencyScale { levels } ...Rules } fragment Rules on Query { ruleSet { revision } }`, nil),
		f.ask(`{ demand { highest } }`, nil), f.ask(`{ demand { highest } }`, nil),
	}, 1, 1, 2, 3, 2, 4, 5, 5, 6, 6)
}

func TestAnswerCacheExecutesTheRest(t *testing.T) {
	t.Parallel()
	f := newCacheFixture(t)
	for _, q := range []string{
		// Pure, but small and different for every caller.
		`{ person(id: "P-0001") { name } }`,
		// explain answers from the App's serving rules, not the request's generation.
		`{ coverageMatrix { rows { gap } } explain(rule: "4c-price-and-availability", course: "SCO-201") { text } }`,
		// A mutation.
		`mutation { reloadRules { revision } }`,
		// @defer.
		`{ coverageMatrix { rows { gap } ... @defer { courses { code } } } }`,
	} {
		t.Run("", func(t *testing.T) {
			first, second := f.ask(q, nil), f.ask(q, nil)
			if second == first {
				t.Errorf("%s was answered twice by execution %d", q, first)
			}
		})
	}
}

func TestAnswerCacheKeepsNoErrors(t *testing.T) {
	t.Parallel()
	f := newCacheFixture(t)
	f.schema.fail = func() bool { return f.schema.n.Load() == 1 }
	h, ctx := f.dispatch(context.Background(), f.app.View(), matrixQuery, nil)
	if n, failed := answerOf(t, h(ctx)); n != 1 || !failed {
		t.Fatalf("first answer: execution %d, failed %v; want the failed execution 1", n, failed)
	}
	wantAnswers(t, []int{f.ask(matrixQuery, nil), f.ask(matrixQuery, nil)}, 2, 2)
}

func TestAnswerCacheFollowsTheGeneration(t *testing.T) {
	t.Parallel()
	f := newCacheFixture(t)
	old := f.app.View()
	first := []int{f.ask(matrixQuery, nil), f.ask(matrixQuery, nil)}
	if err := f.app.CreatePosition(context.Background(), &domain.Position{ID: "POS-NEW", Title: "Analyst", Organization: "ODC Poland",
		Grade: "GS-12", Category: "SCO", Region: "EUCOM"}); err != nil {
		t.Fatal(err)
	}
	wantAnswers(t, append(first,
		f.ask(matrixQuery, nil), f.ask(matrixQuery, nil),
		// A request that arrived before the write neither reads nor
		// fills the cache.
		f.askFrom(old, matrixQuery, nil), f.ask(matrixQuery, nil),
	), 1, 1, 2, 2, 3, 2)
}

func TestAnswerCacheExecutesOnceForConcurrentRequests(t *testing.T) {
	t.Parallel()
	f := newCacheFixture(t)
	f.schema.started, f.schema.release = make(chan struct{}, 8), make(chan struct{})
	answers := make([]int, 8)
	var wg sync.WaitGroup
	for i := range answers {
		wg.Go(func() { answers[i] = f.ask(matrixQuery, nil) })
	}
	<-f.schema.started
	time.Sleep(50 * time.Millisecond) // the others arrive meanwhile
	close(f.schema.release)
	wg.Wait()
	wantAnswers(t, answers, 1, 1, 1, 1, 1, 1, 1, 1)
}

func TestAnswerCacheReleasesWaitersWhenTheWriterGoesAway(t *testing.T) {
	t.Parallel()
	f := newCacheFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	_, _ = f.dispatch(ctx, f.app.View(), matrixQuery, nil) // its response is never asked for
	waiter := make(chan int)
	go func() { waiter <- f.ask(matrixQuery, nil) }()
	time.Sleep(20 * time.Millisecond) // the waiter waits for the first request
	cancel()
	select {
	case n := <-waiter:
		wantAnswers(t, []int{n, f.ask(matrixQuery, nil)}, 1, 1)
	case <-time.After(10 * time.Second):
		t.Fatal("the waiting request still waits after the first one went away")
	}
}

func TestAnswerCacheBoundsItsBytes(t *testing.T) {
	t.Parallel()
	f := newCacheFixture(t)
	f.cache.maxBytes = 2 * len(`{"n":1}`)
	ask := func(status string) int {
		return f.ask(filterQuery, map[string]any{"f": map[string]any{"status": status}})
	}
	wantAnswers(t, []int{ask("ACTIVE"), ask("RETIRED"), ask("ACTIVE"), ask("ANY"), ask("ACTIVE"), ask("RETIRED")},
		1, 2, 1, 3, 1, 4) // RETIRED, the least recently used, made room for ANY
}

// sampleApp returns an App over memstore holding the sample seeds and the
// shipped rules, closed when the test ends.
func sampleApp(t *testing.T) *app.App {
	t.Helper()
	ds, err := seed.Load("../seeds")
	if err != nil {
		t.Fatal(err)
	}
	store := memstore.New()
	if _, err := seed.Apply(context.Background(), store, ds); err != nil {
		t.Fatal(err)
	}
	a, err := app.Open(context.Background(), store, app.Options{RulesDir: "../rules", PollInterval: -1, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}
