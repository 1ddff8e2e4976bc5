package app_test

import (
	"cmap/domain"
	"context"
	"flag"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"cmap/analysis"
	"cmap/analysis/analysistest"
	"cmap/app"
	"cmap/app/apptest"
	"cmap/engine"
	"cmap/memstore"
	"cmap/seed"
)

// The what-if property: whatever change a what-if is asked about, making
// that change for real, through the App's write path, on a copy of the
// store, gives exactly the state the what-if predicted (every answer of
// the index, every course's coverage, every position's requirements, the
// rules' run-time failures), and the what-if's summary is exactly the
// difference between the states before and after.

var whatIfSeed = flag.Uint64("whatif.seed", 0, "the seed of TestWhatIfsPredictTheWrite's random changes (0: a new one each run)")

// Steps of TestWhatIfsPredictTheWrite, per what-if: on the sample
// catalogue, and on each of the generated ones (202 in all). With the
// race detector, which looks for data races rather than for what-ifs
// that miss, and makes each step several times slower, the walks are
// shorter (see walkLengths).
const (
	sampleSteps    = 12
	generatedWalks = 10
	generatedSteps = 19
	// rebuildEvery is how often (in steps) a walk also checks the state
	// after a write against the state a new App builds from the store.
	rebuildEvery = 10
)

// appState is everything an App answers, to compare two Apps.
type appState struct {
	Answers analysistest.Answers
	// Coverage and Requirements hold the facts of every course and
	// position, by key.
	Coverage     map[string][]domain.Coverage
	Requirements map[string][]domain.Requirement
	// RuleErrors are the records the rules failed on at run time.
	RuleErrors []app.RuleError
}

func stateOf(a *app.App) (appState, error) { return viewState(a.View()) }

// viewState is everything View v answers.
func viewState(v app.View) (appState, error) {
	s := appState{Coverage: map[string][]domain.Coverage{}, Requirements: map[string][]domain.Requirement{}, RuleErrors: v.RulesStatus().RuntimeErrors}
	var err error
	if s.Answers, err = analysistest.AnswersOf(v.Index()); err != nil {
		return s, err
	}
	for _, c := range s.Answers.Courses {
		s.Coverage[c.Code] = v.Coverage(c.Code)
	}
	for _, p := range s.Answers.Positions {
		s.Requirements[p.ID] = v.Requirements(p.ID)
	}
	return s, nil
}

// withoutStamps returns s with the version, the time and the audit entry
// of the last write of every record set to zero: a what-if predicts what a
// write stores, not which version it makes, when, or which entry records
// it.
func (s appState) withoutStamps() appState {
	out := s
	out.Answers.Courses = unstamped(s.Answers.Courses, func(c *domain.Course) { c.Version, c.UpdatedAt, c.Audit = 0, time.Time{}, "" })
	out.Answers.Positions = unstamped(s.Answers.Positions, func(p *domain.Position) { p.Version, p.UpdatedAt, p.Audit = 0, time.Time{}, "" })
	out.Answers.People = unstamped(s.Answers.People, func(p *domain.Person) { p.Version, p.UpdatedAt, p.Audit = 0, time.Time{}, "" })
	return out
}

// unstamped returns copies of records with unstamp applied to each.
func unstamped[R any](records []*R, unstamp func(*R)) []*R {
	out := make([]*R, len(records))
	for i, r := range records {
		c := *r
		unstamp(&c)
		out[i] = &c
	}
	return out
}

// predicted returns s changed as a what-if predicts: the index ix, and the
// facts and run-time failure of one record (nil facts: it is gone).
func (s appState) predicted(ix *analysis.Index, kind engine.RuleKind, key string, facts any, ruleError string) (appState, error) {
	next := appState{Coverage: maps.Clone(s.Coverage), Requirements: maps.Clone(s.Requirements)}
	var err error
	if next.Answers, err = analysistest.AnswersOf(ix); err != nil {
		return next, err
	}
	switch f := facts.(type) {
	case []domain.Coverage:
		next.Coverage[key] = f
	case []domain.Requirement:
		next.Requirements[key] = f
	default:
		delete(next.Coverage, key)
	}
	for _, e := range s.RuleErrors {
		if e.Kind != kind || e.Subject != key {
			next.RuleErrors = append(next.RuleErrors, e)
		}
	}
	if ruleError != "" {
		next.RuleErrors = append(next.RuleErrors, app.RuleError{Kind: kind, Subject: key, Message: ruleError})
		slices.SortFunc(next.RuleErrors, func(x, y app.RuleError) int {
			return strings.Compare(string(x.Kind)+"\x00"+x.Subject, string(y.Kind)+"\x00"+y.Subject)
		})
	}
	return next, nil
}

// change is one random change: a what-if about it, and the write that
// makes it.
type change struct {
	what string
	// predict asks the what-if of a, and returns the state it predicts
	// and a check of its summary against the states before and after.
	predict func(ctx context.Context, a *app.App, now appState) (appState, summaryCheck, error)
	write   func(ctx context.Context, a *app.App) error
}

// summaryCheck compares a what-if's summary with what the change did,
// from before to after (real is the App after the write); it returns the
// differences.
type summaryCheck func(ctx context.Context, w *walk, real *app.App, after appState) string

// whatIf is a what-if the App offers and how to ask it about a random
// change.
type whatIf struct {
	name   string
	change func(w *walk) change
	// refuses says that some random changes are refused (bad input, a
	// conflict); changesReadiness that some change readiness (a new
	// course changes nobody's: nobody completed it).
	refuses, changesReadiness bool
}

// walk is a sequence of random changes, each predicted by the App that
// serves one store and made on a copy of the store, served by another
// App; the first then makes the change too, so that both serve the same
// catalogue again for the next change.
type walk struct {
	t     *testing.T
	ctx   context.Context
	rng   *rand.Rand
	pool  *textPool
	name  string // the catalogue and rules, for messages
	rules string
	// store and app predict; copied and real write first.
	store, copied *memstore.Store
	app, real     *app.App
	now           appState // the state both serve
	step          int
	// news counts the new positions, to name them.
	news int
	// seen counts what the changes did, to tell a generator that makes
	// only trivial changes.
	seen *tally
}

// tally counts the outcomes of the changes of one what-if.
type tally struct {
	refused, factsChanged, answersChanged, readinessChanged, recommendationsChanged int
}

func newWalk(t *testing.T, name, rules string, store *memstore.Store, rng *rand.Rand, seen *tally) *walk {
	w := &walk{t: t, ctx: context.Background(), rng: rng, pool: samplePool(t), name: name, rules: rules, store: store, copied: store.Clone(), seen: seen}
	w.app = openApp(t, w.store, app.Options{RulesDir: rules})
	w.real = openApp(t, w.copied, app.Options{RulesDir: rules})
	var err error
	if w.now, err = stateOf(w.app); err != nil {
		t.Fatal(err)
	}
	return w
}

// fail reports a difference found at the current step, with what is
// needed to reproduce it.
func (w *walk) fail(c change, format string, args ...any) {
	w.t.Helper()
	w.t.Fatalf("%s, step %d: %s: %s\n(reproduce: go test ./app -run 'TestWhatIfsPredictTheWrite' -whatif.seed=%d)",
		w.name, w.step, c.what, fmt.Sprintf(format, args...), *whatIfSeed)
}

// run makes one change of kind: predicted by one App, written through
// the other, compared; then written through the first.
func (w *walk) run(kind whatIf) {
	w.t.Helper()
	w.step++
	c := kind.change(w)
	ix := w.app.View().Index()
	version, err := w.store.DataVersion(w.ctx)
	if err != nil {
		w.t.Fatal(err)
	}
	want, check, predictErr := c.predict(w.ctx, w.app, w.now)
	if v, _ := w.store.DataVersion(w.ctx); v != version || w.app.View().Index() != ix {
		w.fail(c, "the what-if wrote: data version %d -> %d, index replaced: %v", version, v, w.app.View().Index() != ix)
	}

	writeErr := c.write(w.ctx, w.real)
	if predictErr != nil || writeErr != nil {
		if domain.ErrorCode(predictErr) != domain.ErrorCode(writeErr) || domain.ErrorField(predictErr) != domain.ErrorField(writeErr) {
			w.fail(c, "the what-if answered %v (code %q, field %q), the write %v (code %q, field %q)", predictErr, domain.ErrorCode(predictErr),
				domain.ErrorField(predictErr), writeErr, domain.ErrorCode(writeErr), domain.ErrorField(writeErr))
		}
		if v, _ := w.copied.DataVersion(w.ctx); v != version {
			w.fail(c, "the refused write changed the store: data version %d -> %d", version, v)
		}
		w.seen.refused++
		return
	}
	got, err := stateOf(w.real)
	if err != nil {
		w.t.Fatal(err)
	}
	if d := analysistest.Diff(got.withoutStamps(), want.withoutStamps()); d != "" {
		w.fail(c, "the state after the write (got) differs from the prediction (want):\n%s", d)
	}
	if d := check(w.ctx, w, w.real, got); d != "" {
		w.fail(c, "the what-if's summary (got) differs from what the write changed (want):\n%s", d)
	}
	if w.step%rebuildEvery == 0 {
		rebuilt, err := stateOf(openApp(w.t, w.copied.Clone(), app.Options{RulesDir: w.rules}))
		if err != nil {
			w.t.Fatal(err)
		}
		if d := analysistest.Diff(got, rebuilt); d != "" {
			w.fail(c, "the state after the write (got) differs from the state an App builds from the store (want):\n%s", d)
		}
	}
	if err := c.write(w.ctx, w.app); err != nil {
		w.fail(c, "the write made on the copy fails on the original: %v", err)
	}
	w.count(got)
	w.now = got
}

// count tallies what the change from w.now to after did.
func (w *walk) count(after appState) {
	b, a := w.now, after
	if analysistest.Diff(a.Coverage, b.Coverage) != "" || analysistest.Diff(a.Requirements, b.Requirements) != "" {
		w.seen.factsChanged++
	}
	if analysistest.Diff(a.Answers.Gaps, b.Answers.Gaps) != "" || analysistest.Diff(a.Answers.Demand, b.Answers.Demand) != "" {
		w.seen.answersChanged++
	}
	if analysistest.Diff(a.Answers.Readiness, b.Answers.Readiness) != "" {
		w.seen.readinessChanged++
	}
	if analysistest.Diff(a.Answers.Recommendations, b.Answers.Recommendations) != "" {
		w.seen.recommendationsChanged++
	}
}

// keepCourses makes sure the catalogue holds n courses or more, creating
// new ones through the App as needed (those writes are not what-ifs).
func (w *walk) keepCourses(n int) {
	w.t.Helper()
	added := false
	for len(w.courses()) < n {
		c := w.randomNewCourse()
		c.Prerequisites = nil
		if err := w.app.CreateCourse(w.ctx, new(*c)); err == nil {
			must(w.t, w.real.CreateCourse(w.ctx, c))
			added = true
		}
	}
	if added {
		var err error
		w.now, err = stateOf(w.app)
		must(w.t, err)
	}
}

// world returns the analysis world of an App whose state is s.
func world(a *app.App, s appState) analysistest.World {
	return analysistest.World{Index: a.View().Index(), Answers: s.Answers, Requirements: s.Requirements}
}

// courseImpactChange is a change of course code that a course what-if
// predicts.
func courseImpactChange(what, code string, predict func(ctx context.Context, a *app.App) (*app.CourseImpact, error), write func(ctx context.Context, a *app.App) error) change {
	return change{what: what, write: write,
		predict: func(ctx context.Context, a *app.App, now appState) (appState, summaryCheck, error) {
			imp, err := predict(ctx, a)
			if err != nil {
				return appState{}, nil, err
			}
			var facts any = imp.Coverage
			if imp.Change == analysis.ChangeDelete {
				facts = nil
			}
			want, err := now.predicted(imp.After(), engine.KindCourse, code, facts, imp.RuleError)
			before := a
			check := func(ctx context.Context, w *walk, real *app.App, after appState) string {
				expected, err := analysistest.ExpectedImpact(world(before, w.now), world(real, after), code)
				if err != nil {
					return err.Error()
				}
				if d := analysistest.Diff(imp.CourseImpact, expected); d != "" {
					return d
				}
				// The recommendations of the people whose readiness
				// changes and of a few others (all of them cost too much
				// here; the analysis tests ask about everyone).
				all := analysistest.ExpectedRecommendations(w.now.Answers, after.Answers)
				var ids []string
				var want []analysis.RecommendationChange
				for i, r := range all {
					if slices.ContainsFunc(imp.People, func(c analysis.ReadinessChange) bool { return c.PersonID == r.PersonID }) || i%20 == w.step%20 {
						ids = append(ids, r.PersonID)
						want = append(want, r)
					}
				}
				got, err := imp.Recommendations(context.Background(), ids)
				if err != nil {
					return err.Error()
				}
				return analysistest.Diff(got, want)
			}
			return want, check, err
		}}
}

// retireChange is the retirement of course c, as stored.
func retireChange(c *domain.Course) change {
	retire := func(c *domain.Course) { c.Status = domain.CourseRetired }
	return courseImpactChange(fmt.Sprintf("retire %s (%s)", c.Code, c.Status), c.Code,
		func(ctx context.Context, a *app.App) (*app.CourseImpact, error) {
			return a.View().CourseEditImpact(c.Code, retire)
		},
		func(ctx context.Context, a *app.App) error {
			_, err := a.UpdateCourse(ctx, c.Code, c.Version, retire)
			return err
		})
}

// courseWhatIfs are the what-ifs about a course change.
var courseWhatIfs = []whatIf{
	{"courseImpact edit", func(w *walk) change {
		c := w.randomCourse()
		edit := w.randomEdit(c)
		return courseImpactChange(fmt.Sprintf("edit %s (%s): %s", c.Code, c.Status, edit.what), c.Code,
			func(ctx context.Context, a *app.App) (*app.CourseImpact, error) {
				return a.View().CourseEditImpact(c.Code, edit.apply)
			},
			func(ctx context.Context, a *app.App) error {
				_, err := a.UpdateCourse(ctx, c.Code, c.Version, edit.apply)
				return err
			})
	}, true, true},
	{"courseImpact retire", func(w *walk) change { return retireChange(w.randomCourse()) }, false, true},
	{"courseImpact delete", func(w *walk) change {
		w.keepCourses(6)
		c := w.randomCourse()
		return courseImpactChange(fmt.Sprintf("delete %s (%s, prerequisites %v)", c.Code, c.Status, c.Prerequisites), c.Code,
			func(ctx context.Context, a *app.App) (*app.CourseImpact, error) {
				return a.View().CourseDeletionImpact(c.Code)
			},
			func(ctx context.Context, a *app.App) error { return a.DeleteCourse(ctx, c.Code, c.Version) })
	}, true, true},
	{"newCourseImpact", func(w *walk) change {
		c := w.randomNewCourse()
		return courseImpactChange(fmt.Sprintf("create %s (%s, %g hours, prerequisites %v, title %q)", c.Code, c.Status, c.Hours, c.Prerequisites, c.Title), c.Code,
			func(ctx context.Context, a *app.App) (*app.CourseImpact, error) {
				return a.View().NewCourseImpact(new(*c))
			},
			func(ctx context.Context, a *app.App) error { return a.CreateCourse(ctx, new(*c)) })
	}, true, false},
	{"previewCourse", func(w *walk) change {
		var c *domain.Course
		if w.rng.IntN(3) == 0 {
			c = w.randomNewCourse()
		} else {
			c = w.randomCourse()
			w.randomEdit(c).apply(c)
		}
		_, stored := w.now.Coverage[c.Code]
		if stored {
			old, err := w.store.Course(w.ctx, c.Code)
			must(w.t, err)
			c.Version = old.Version // the version a write of the previewed record sends
		}
		return change{what: fmt.Sprintf("preview %s (stored %v, %s, %g hours, prerequisites %v, title %q)", c.Code, stored, c.Status, c.Hours, c.Prerequisites, c.Title),
			predict: func(ctx context.Context, a *app.App, now appState) (appState, summaryCheck, error) {
				p, err := a.PreviewCourse(ctx, new(*c))
				if err != nil {
					return appState{}, nil, err
				}
				ix, err := a.View().Index().WithCourse(c, p.Coverage)
				if err != nil {
					return appState{}, nil, err
				}
				want, err := now.predicted(ix, engine.KindCourse, c.Code, p.Coverage, p.RuleError)
				check := func(_ context.Context, w *walk, _ *app.App, after appState) string {
					return analysistest.Diff(factChanges(p.Stored, p.Changes), expectedChanges(w, stored, w.now.Coverage[c.Code], after.Coverage[c.Code]))
				}
				return want, check, err
			},
			write: func(ctx context.Context, a *app.App) error {
				if !stored {
					return a.CreateCourse(ctx, new(*c))
				}
				_, err := a.UpdateCourse(ctx, c.Code, c.Version, func(s *domain.Course) { *s = *c })
				return err
			}}
	}, true, true},
	{"previewPosition", func(w *walk) change {
		p := w.randomPosition()
		_, stored := w.now.Requirements[p.ID]
		return change{what: fmt.Sprintf("preview position %s (stored %v): %s %s key %v in %s, %s", p.ID, stored, p.Grade, p.Category, p.KeyBillet, p.Region, p.Organization),
			predict: func(ctx context.Context, a *app.App, now appState) (appState, summaryCheck, error) {
				pv, err := a.PreviewPosition(ctx, new(*p))
				if err != nil {
					return appState{}, nil, err
				}
				ix, err := a.View().Index().WithPosition(p, pv.Requirements)
				if err != nil {
					return appState{}, nil, err
				}
				want, err := now.predicted(ix, engine.KindPosition, p.ID, pv.Requirements, pv.RuleError)
				check := func(_ context.Context, w *walk, _ *app.App, after appState) string {
					return analysistest.Diff(factChanges(pv.Stored, pv.Changes), expectedChanges(w, stored, w.now.Requirements[p.ID], after.Requirements[p.ID]))
				}
				return want, check, err
			},
			write: func(ctx context.Context, a *app.App) error {
				if !stored {
					return a.CreatePosition(ctx, new(*p))
				}
				_, err := a.UpdatePosition(ctx, p.ID, p.Version, func(s *domain.Position) { *s = *p })
				return err
			}}
	}, true, true},
}

// previewChanges is what a preview says about the stored record.
type previewChanges struct {
	Stored  bool
	Changes []app.FactChange
}

func factChanges(stored bool, changes []app.FactChange) previewChanges {
	return previewChanges{stored, changes}
}

// expectedChanges returns what a preview should say: whether the record
// was stored, and each sub-competency, in model order, whose level
// differs between the facts before and after the write.
func expectedChanges[F any](w *walk, stored bool, before, after []F) previewChanges {
	level := func(facts []F) map[string]string {
		m := map[string]string{}
		for _, f := range facts {
			switch f := any(f).(type) {
			case domain.Coverage:
				m[f.SubCompetency] = f.Level
			case domain.Requirement:
				m[f.SubCompetency] = f.Level
			}
		}
		return m
	}
	out := previewChanges{Stored: stored}
	if !stored {
		return out
	}
	b, a := level(before), level(after)
	for _, sub := range w.app.View().Framework().SubCompetencyCodes() {
		if b[sub] != a[sub] {
			out.Changes = append(out.Changes, app.FactChange{SubCompetency: sub, Before: b[sub], After: a[sub]})
		}
	}
	return out
}

// TestWhatIfsPredictTheWrite checks the what-if property for every
// what-if, on the sample catalogue with the shipped rules and on
// generated catalogues with the shipped rules or with rules that read a
// course's status and fail at run time on some courses.
func TestWhatIfsPredictTheWrite(t *testing.T) {
	if *whatIfSeed == 0 {
		*whatIfSeed = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d", *whatIfSeed)
	sampleSteps, generatedWalks, generatedSteps := walkLengths()
	statusRules := rulesReadingStatus(t)
	for k, kind := range courseWhatIfs {
		t.Run(strings.ReplaceAll(kind.name, " ", "_"), func(t *testing.T) {
			t.Parallel()
			rng := rand.New(rand.NewPCG(*whatIfSeed, uint64(k)))
			seen := &tally{}
			w := newWalk(t, "the sample catalogue", "../rules", sampleStore(t), rng, seen)
			for range sampleSteps {
				w.run(kind)
			}
			for g := range generatedWalks {
				rules := "../rules"
				if g%2 == 1 {
					rules = statusRules
				}
				w := newWalk(t, fmt.Sprintf("generated catalogue %d with rules %s", g, rules), rules, generatedStore(t, rng), rng, seen)
				for range generatedSteps {
					w.run(kind)
				}
			}
			t.Logf("%s: %+v", kind.name, *seen)
			// (The short walks of the race detector may miss a kind of
			// outcome by chance.)
			n := sampleSteps + generatedWalks*generatedSteps
			if !raceDetector && (seen.answersChanged < n/10 || seen.recommendationsChanged < n/20 || (seen.refused == 0) == kind.refuses ||
				(seen.readinessChanged == 0) == kind.changesReadiness) {
				t.Errorf("the random changes are too tame: %+v", *seen)
			}
		})
	}
}

// walkLengths returns the steps on the sample catalogue, the number of
// generated catalogues and the steps on each: about a tenth of the steps
// with the race detector.
func walkLengths() (sample, walks, steps int) {
	if raceDetector {
		return (sampleSteps + 9) / 10, (generatedWalks + 1) / 2, (generatedSteps + 4) / 5
	}
	return sampleSteps, generatedWalks, generatedSteps
}

// TestRetiringSCM201PredictsWhatRetiringDoes is the regression test of
// issue 9: courseImpact(code: "SCM-201", retire: true) predicted that no
// one's readiness changes while retiring it changed the gaps of most of
// its completers (a shipped rule took a retired course's facts away).
// The people who completed it keep what they attained; with a rule set
// that does take a retired course's facts away, the what-if predicts
// that too.
func TestRetiringSCM201PredictsWhatRetiringDoes(t *testing.T) {
	for _, tc := range []struct {
		rules       string
		wantChanges bool
	}{{"../rules", false}, {rulesReadingStatus(t), true}} {
		w := newWalk(t, "the sample catalogue with rules "+tc.rules, tc.rules, sampleStore(t), rand.New(rand.NewPCG(9, 9)), &tally{})
		completers, err := w.app.View().People(domain.PersonFilter{}, domain.Page{})
		must(t, err)
		n := 0
		for _, p := range completers.Items {
			if slices.ContainsFunc(p.Completions, func(c domain.Completion) bool { return c.CourseCode == "SCM-201" }) {
				n++
			}
		}
		imp, err := w.app.View().CourseEditImpact("SCM-201", func(c *domain.Course) { c.Status = domain.CourseRetired })
		must(t, err)
		if imp.Change != analysis.ChangeRetire || n < 10 || (len(imp.People) > 0) != tc.wantChanges {
			t.Errorf("rules %s: retiring SCM-201 (%d completers) is a %s changing the readiness of %d people", tc.rules, n, imp.Change, len(imp.People))
		}
		scm201, err := w.app.View().Course("SCM-201")
		must(t, err)
		// The whole state after retiring it is the one predicted.
		w.run(whatIf{name: "retire SCM-201", change: func(*walk) change { return retireChange(scm201) }})
	}
}

// rulesReadingStatus returns a rule directory with the shipped rules and
// rules that read a course's status (a rule author may write them) and
// one that fails at run time on courses of 2.5 hours.
func rulesReadingStatus(t *testing.T) string {
	t.Helper()
	dir := apptest.CopyRules(t, "../rules")
	must(t, os.WriteFile(filepath.Join(dir, "courses", "status.yaml"), []byte(`rules:
  - id: retired-courses-cover-nothing
    description: A rule author's choice the shipped rules do not make.
    course: course.status == "retired"
    exclude: true
  - id: active-online-courses-cover-2a
    description: Reads the status to give a fact.
    course: course.status == "active" && course.deliveryMode == "online"
    covers: {2.A: Basic}
  - id: fails-on-short-courses
    description: Exceeds the memory budget on courses of 2.5 hours.
    course: "course.hours == 2.5 && len(map(1..2000000, # * 2)) > 0"
    covers: {9.A: Expert}
`), 0o644))
	return dir
}

var sampleBase struct {
	once  sync.Once
	store *memstore.Store
	err   error
}

// sampleStore returns a store holding the sample seeds (a copy of one
// seeded once).
func sampleStore(t *testing.T) *memstore.Store {
	t.Helper()
	ds := sampleSeeds(t)
	sampleBase.once.Do(func() {
		sampleBase.store = memstore.New()
		_, sampleBase.err = seed.Apply(context.Background(), sampleBase.store, ds)
	})
	if sampleBase.err != nil {
		t.Fatal(sampleBase.err)
	}
	return sampleBase.store.Clone()
}
