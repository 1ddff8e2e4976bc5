package analysis_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	"cmap/analysis"
)

// countdown is a context that is done after its Err has been asked after
// times: it shows whether a loop looks at its context while it runs.
type countdown struct {
	context.Context
	after int64
	asked atomic.Int64
}

func (c *countdown) Err() error {
	if c.asked.Add(1) > c.after {
		return context.Canceled
	}
	return nil
}

// TestMatrixStopsWhenItsContextIsDone: a matrix over 1,000 courses looks
// at its context while it goes through them, and returns its error
// rather than a matrix.
func TestMatrixStopsWhenItsContextIsDone(t *testing.T) {
	t.Parallel()
	ix := mustBuild(t, generate(1, genSizes{subsPerCompetency: []int{7, 7}, courses: 1000, positions: 10, people: 10, orgs: 2,
		factsMin: 1, factsMax: 5, reqsMin: 1, reqsMax: 3, maxCompletions: 2, hours: []float64{8}}))
	ctx := &countdown{Context: context.Background(), after: 1} // done after the first look
	m, err := ix.MatrixContext(ctx, analysis.MatrixFilter{Status: analysis.AnyStatus})
	if !errors.Is(err, context.Canceled) || m != nil {
		t.Fatalf("MatrixContext = %v, %v; want context.Canceled", m, err)
	}
	if ctx.asked.Load() < 2 {
		t.Errorf("the matrix looked at its context %d times: only before it started", ctx.asked.Load())
	}
	if _, err := ix.MatrixContext(context.Background(), analysis.MatrixFilter{}); err != nil {
		t.Errorf("with a live context: %v", err)
	}
}

// TestRecommendStopsWhenItsContextIsDone: a recommendation asked under a
// done context is an error, never a half-searched answer.
func TestRecommendStopsWhenItsContextIsDone(t *testing.T) {
	t.Parallel()
	ix := mustBuild(t, fixture())
	for _, after := range []int64{0, 1} { // done before it starts, done while it runs
		ctx := &countdown{Context: context.Background(), after: after}
		rec, err := ix.RecommendContext(ctx, "P-5")
		if !errors.Is(err, context.Canceled) || rec != nil {
			t.Errorf("done after %d looks: RecommendContext = %+v, %v; want context.Canceled", after, rec, err)
		}
	}
	if _, err := ix.RecommendContext(context.Background(), "P-5"); err != nil {
		t.Errorf("with a live context: %v", err)
	}
}
