package app_test

import (
	"cmap/domain"
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"cmap/app"
	"cmap/app/apptest"
	"cmap/engine"
	"cmap/mongodb"
	"cmap/mongodb/mongotest"
)

// derivedFacts returns the facts the rules in dir derive from the records
// stored in store, each course's and position's as one line of text, and
// the rules' revision.
func derivedFacts(t *testing.T, store domain.Store, dir string) (map[string]string, string) {
	t.Helper()
	ctx := context.Background()
	fw, err := store.Framework(ctx)
	must(t, err)
	rules, err := engine.LoadRuleSet(dir, fw)
	must(t, err)
	courses, err := store.ListCourses(ctx, domain.CourseFilter{}, domain.Page{})
	must(t, err)
	positions, err := store.ListPositions(ctx, domain.PositionFilter{}, domain.Page{})
	must(t, err)
	d, _ := rules.DeriveAll(courses.Items, positions.Items)
	out := map[string]string{}
	for code, cov := range d.Coverage {
		out["course "+code] = coverageText(rules.Revision(), cov)
	}
	for id, reqs := range d.Requirements {
		out["position "+id] = requirementText(rules.Revision(), reqs)
	}
	return out, rules.Revision()
}

// storedFacts returns the stored facts records as derivedFacts does.
func storedFacts(t *testing.T, store domain.Store) map[string]string {
	t.Helper()
	ctx := context.Background()
	cf, err := store.CourseFacts(ctx)
	must(t, err)
	pf, err := store.PositionFacts(ctx)
	must(t, err)
	out := map[string]string{}
	for _, f := range cf {
		out["course "+f.Course] = coverageText(f.Revision, f.Coverage)
	}
	for _, f := range pf {
		out["position "+f.Position] = requirementText(f.Revision, f.Requirements)
	}
	return out
}

func coverageText(revision string, cov []domain.Coverage) string {
	parts := []string{revision}
	for _, c := range cov {
		parts = append(parts, fmt.Sprintf("%s %s %s %v", c.Course, c.SubCompetency, c.Level, c.Rules))
	}
	return strings.Join(parts, "; ")
}

func requirementText(revision string, reqs []domain.Requirement) string {
	parts := []string{revision}
	for _, r := range reqs {
		parts = append(parts, fmt.Sprintf("%s %s %s %v", r.Position, r.SubCompetency, r.Level, r.Rules))
	}
	return strings.Join(parts, "; ")
}

// factsDiffer lists the keys whose stored and derived facts differ.
func factsDiffer(stored, derived map[string]string) []string {
	var keys []string
	for k, d := range derived {
		if stored[k] != d {
			keys = append(keys, k)
		}
	}
	for k := range stored {
		if _, ok := derived[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys
}

// checkMark fails t when the store's facts mark says the stored facts are
// current for the rules in dir and they are not: the one thing the mark
// must never say. It returns whether the mark says so. Call it when no
// write is under way.
func checkMark(t *testing.T, store domain.Store, dir string) bool {
	t.Helper()
	derived, revision := derivedFacts(t, store, dir)
	v, err := store.Versions(context.Background())
	must(t, err)
	if !v.FactsCurrent(revision) {
		return false
	}
	if diff := factsDiffer(storedFacts(t, store), derived); len(diff) > 0 {
		t.Errorf("the facts mark %+v says the stored facts are current, but these differ from what the rules derive: %v", v.FactsMark, diff)
	}
	return true
}

// wantCurrent fails t unless the mark says the stored facts are current
// for the rules in dir, and they are.
func wantCurrent(t *testing.T, store domain.Store, dir, when string) {
	t.Helper()
	if !checkMark(t, store, dir) {
		v, _ := store.Versions(context.Background())
		t.Errorf("%s: the stored facts are not marked current: %+v", when, v)
	}
}

// syncUntilCurrent has a store its facts until the mark says they are
// current for the rules in dir: the keepers of other instances may be
// syncing too, and a sync that another interleaves with does not mark.
func syncUntilCurrent(t *testing.T, a *app.App, store domain.Store, dir string) {
	t.Helper()
	apptest.WaitUntil(t, "the stored facts are marked current", func() bool {
		must(t, a.SyncFacts(context.Background()))
		return checkMark(t, store, dir)
	})
}

// factsReads counts the reads of stored facts that reach the store.
type factsReads struct {
	domain.Store
	reads atomic.Int64
}

func (s *factsReads) CourseFacts(ctx context.Context) ([]domain.CourseFacts, error) {
	s.reads.Add(1)
	return s.Store.CourseFacts(ctx)
}

func (s *factsReads) PositionFacts(ctx context.Context) ([]domain.PositionFacts, error) {
	s.reads.Add(1)
	return s.Store.PositionFacts(ctx)
}

// The mark follows the App's own writes, so the stored facts stay known
// to be current and a later start does not read them.
func TestWritesKeepTheStoredFactsMarkedCurrent(t *testing.T) {
	t.Parallel()
	store := &factsReads{Store: smallCatalogue(t)}
	ctx := context.Background()
	a := openApp(t, store, app.Options{})
	wantCurrent(t, store, "../rules", "after the first sync")

	c := course("SCO-301")
	c.Objectives = []string{"Prepare price and availability data."}
	steps := []struct {
		what  string
		write func() error
	}{
		{"create a course", func() error { return a.CreateCourse(ctx, c) }},
		{"update a course", func() error {
			_, err := a.UpdateCourse(ctx, "SCO-301", 1, func(c *domain.Course) { c.Status = domain.CourseRetired })
			return err
		}},
		{"create a position", func() error { return a.CreatePosition(ctx, position("POS-2")) }},
		{"update a position", func() error {
			_, err := a.UpdatePosition(ctx, "POS-2", 1, func(p *domain.Position) { p.KeyBillet = true })
			return err
		}},
		{"create a person", func() error {
			return a.CreatePerson(ctx, &domain.Person{ID: "P-1", Name: "Ada", PositionID: "POS-2"})
		}},
		{"record a completion", func() error {
			_, err := a.RecordCompletion(ctx, "P-1", "SCO-201", day("2024-03-01"))
			return err
		}},
		{"delete a person", func() error { return a.DeletePerson(ctx, "P-1", 2) }},
		{"delete a position", func() error { return a.DeletePosition(ctx, "POS-2", 2) }},
		{"delete a course", func() error { return a.DeleteCourse(ctx, "SCO-301", 2) }},
	}
	for _, step := range steps {
		must(t, step.write())
		wantCurrent(t, store, "../rules", "after "+step.what)
	}

	// A new start over current facts reads none of them, and neither
	// does its sync.
	store.reads.Store(0)
	b := openApp(t, store, app.Options{})
	if n := store.reads.Load(); n != 0 {
		t.Errorf("a start over current facts read the stored facts %d times", n)
	}
	must(t, b.SyncFacts(ctx))
	if n := store.reads.Load(); n != 0 {
		t.Errorf("syncing current facts read them %d times", n)
	}
}

// failingFacts fails the writes of facts while fail is set, as a process
// that dies (or loses the database) between a record and its facts.
type failingFacts struct {
	domain.Store
	fail atomic.Bool
}

func (s *failingFacts) SaveCourseFacts(ctx context.Context, f []domain.CourseFacts) error {
	if s.fail.Load() {
		return domain.Errorf(domain.EINTERNAL, "the database went away")
	}
	return s.Store.SaveCourseFacts(ctx, f)
}

func (s *failingFacts) SavePositionFacts(ctx context.Context, f []domain.PositionFacts) error {
	if s.fail.Load() {
		return domain.Errorf(domain.EINTERNAL, "the database went away")
	}
	return s.Store.SavePositionFacts(ctx, f)
}

// A record written without its facts (a crash in between) leaves the
// stored facts unmarked, and the next start stores them.
func TestFactsMissedBetweenARecordAndItsFactsAreStoredLater(t *testing.T) {
	t.Parallel()
	mem := smallCatalogue(t)
	store := &failingFacts{Store: mem}
	ctx := context.Background()
	a := openApp(t, store, app.Options{})
	wantCurrent(t, store, "../rules", "after the first sync")

	store.fail.Store(true)
	_, err := a.UpdateCourse(ctx, "SCO-101", 1, func(c *domain.Course) {
		c.Objectives = []string{"Prepare price and availability data."}
	})
	must(t, err) // the record is written; the facts are not
	if checkMark(t, store, "../rules") {
		t.Fatal("the stored facts are marked current without the facts of the record just written")
	}
	if f, _ := storedCourseFacts(t, store, "SCO-101"); levelOf(f.Coverage, "4.C") != "" {
		t.Fatal("the facts were written after all")
	}
	// The process dies. A new one starts on the same database.
	a.Close()
	store.fail.Store(false)
	b := openApp(t, store, app.Options{})
	wantCurrent(t, store, "../rules", "after the restart")
	if f, _ := storedCourseFacts(t, store, "SCO-101"); levelOf(f.Coverage, "4.C") == "" || levelOf(b.View().Coverage("SCO-101"), "4.C") == "" {
		t.Errorf("the missed facts of SCO-101 are not stored after the restart: %+v", f)
	}
}

// Another instance dies between a record and its facts: this instance's
// next write must not move the mark past the record whose facts are
// missing.
func TestAWriteAfterAnotherInstancesMissedFactsDoesNotMarkThemCurrent(t *testing.T) {
	t.Parallel()
	mem := smallCatalogue(t)
	ctx := context.Background()
	a := openApp(t, mem, app.Options{})
	dying := &failingFacts{Store: mem}
	b := openApp(t, dying, app.Options{})
	wantCurrent(t, mem, "../rules", "at start")

	dying.fail.Store(true)
	_, err := b.UpdateCourse(ctx, "SCO-101", 1, func(c *domain.Course) {
		c.Objectives = []string{"Prepare price and availability data."}
	})
	must(t, err)
	must(t, a.CreatePosition(ctx, position("POS-9")))
	if checkMark(t, mem, "../rules") {
		t.Error("the mark says the facts are current without the facts of the other instance's write")
	}
	b.Close()
	syncUntilCurrent(t, openApp(t, mem, app.Options{}), mem, "../rules")
	if f, _ := storedCourseFacts(t, mem, "SCO-101"); levelOf(f.Coverage, "4.C") == "" {
		t.Errorf("the missed facts of SCO-101 were not stored: %+v", f)
	}
}

// heldFacts holds this instance's next write of course facts until
// released, as a slow instance whose facts write lands late.
type heldFacts struct {
	domain.Store
	hold     atomic.Bool
	held     chan struct{} // closed when a write is held
	released chan struct{}
}

func (s *heldFacts) SaveCourseFacts(ctx context.Context, f []domain.CourseFacts) error {
	if s.hold.CompareAndSwap(true, false) {
		close(s.held)
		<-s.released
	}
	return s.Store.SaveCourseFacts(ctx, f)
}

// Two instances with different rules share a database. One's facts write
// lands after the other stored and marked its facts: the mark must not
// survive it. Then a sync of either makes the facts its rules' facts,
// marked as such.
func TestALateFactsWriteOfAnotherInstanceEndsTheMark(t *testing.T) {
	t.Parallel()
	mem := smallCatalogue(t)
	ctx := context.Background()
	oldRules := apptest.CopyRules(t, "../rules")
	newRules := apptest.CopyRules(t, "../rules")
	apptest.EditFile(t, filepath.Join(newRules, "courses", "4-sales-and-transfers.yaml"), "covers: {4.C: tier}", "covers: {4.C: Expert}")

	slow := &heldFacts{Store: mem, held: make(chan struct{}), released: make(chan struct{})}
	a := openApp(t, slow, app.Options{RulesDir: oldRules})
	wantCurrent(t, mem, oldRules, "after the old rules' sync")

	// a writes a course; its facts write is held.
	slow.hold.Store(true)
	wrote := make(chan error, 1)
	go func() {
		_, err := a.UpdateCourse(ctx, "SCO-201", 1, func(c *domain.Course) { c.Hours = 12 })
		wrote <- err
	}()
	<-slow.held
	// b, with new rules, starts now: it stores and marks its facts.
	b := openApp(t, mem, app.Options{RulesDir: newRules})
	wantCurrent(t, mem, newRules, "after the new rules' sync")
	// a's old-rules facts of SCO-201 land, after b's mark.
	close(slow.released)
	must(t, <-wrote)
	a.Close()
	if checkMark(t, mem, newRules) {
		// Only b's keeper storing its facts again may mark them current.
		t.Log("b's keeper stored its facts again after the late write")
	}
	checkMark(t, mem, oldRules)

	syncUntilCurrent(t, b, mem, newRules)
	syncUntilCurrent(t, openApp(t, mem, app.Options{RulesDir: oldRules}), mem, oldRules)
}

// A new rule set rewrites the facts whose content or revision changes,
// and marks them with the new revision; a start with the old rules again
// does the same back.
func TestNewRulesRewriteAndRemarkTheFacts(t *testing.T) {
	t.Parallel()
	store := smallCatalogue(t)
	ctx := context.Background()
	dir := apptest.CopyRules(t, "../rules")
	old := apptest.CopyRules(t, "../rules")
	a := openApp(t, store, app.Options{RulesDir: dir})
	wantCurrent(t, store, dir, "at start")
	apptest.EditFile(t, filepath.Join(dir, "courses", "4-sales-and-transfers.yaml"), "covers: {4.C: tier}", "covers: {4.C: Expert}")
	_, err := a.ReloadRules(ctx)
	must(t, err)
	checkMark(t, store, old)
	syncUntilCurrent(t, a, store, dir)
	for k, f := range storedFacts(t, store) {
		if !strings.HasPrefix(f, a.View().RuleSet().Revision()+";") && f != a.View().RuleSet().Revision() {
			t.Errorf("%s keeps facts of another revision: %s", k, f)
		}
	}
	a.Close()
	syncUntilCurrent(t, openApp(t, store, app.Options{RulesDir: old}), store, old)
}

// Two instances on one database write at random, concurrently, while
// each catches up with the other's writes: once they are stopped (no
// write and no facts sync under way), a mark that says the stored facts
// are current is right; and a sync makes them current.
func TestTwoInstancesWritingAtRandomNeverLeaveAWrongMark(t *testing.T) {
	t.Parallel()
	for _, backend := range []string{"memstore", "FerretDB"} {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			var store1, store2 domain.Store
			if backend == "memstore" {
				store1 = smallCatalogue(t)
				store2 = store1
			} else {
				db := mongotest.Open(t)
				store1 = smallCatalogueIn(t, db)
				store2 = secondClient(t, db)
			}
			opts := app.Options{PollInterval: 10 * time.Millisecond, Logger: slog.New(slog.DiscardHandler)}
			ctx := context.Background()
			rng := rand.New(rand.NewPCG(7, 7))
			codes := []string{"SCO-101", "SCO-201", "SCM-401"}
			objectives := [][]string{{"Prepare price and availability data."}, {"Brief the country team."}}
			rounds, writes := 8, 8
			if backend == "FerretDB" {
				rounds, writes = 4, 6
			}
			for round := range rounds {
				apps := []*app.App{openApp(t, store1, opts), openApp(t, store2, opts)}
				var wg sync.WaitGroup
				for i := range writes {
					a := apps[rng.IntN(2)]
					code := codes[rng.IntN(len(codes))]
					obj := objectives[rng.IntN(len(objectives))]
					newPosition := fmt.Sprintf("POS-%d-%d", round, i)
					wg.Go(func() {
						// Conflicts with the other instance are expected.
						cur, err := a.View().Course(code)
						if err == nil {
							a.UpdateCourse(ctx, code, cur.Version, func(c *domain.Course) { c.Objectives = obj })
						}
						a.CreatePosition(ctx, position(newPosition))
					})
				}
				wg.Wait()
				// Let the instances catch up and their keepers sync, then
				// stop them half way or not.
				time.Sleep(time.Duration(rng.IntN(40)) * time.Millisecond)
				for _, a := range apps {
					a.Close()
				}
				checkMark(t, store1, "../rules")
			}
			syncUntilCurrent(t, openApp(t, store2, opts), store1, "../rules")
		})
	}
}

// secondClient opens another client on db's database, as a second
// instance would.
func secondClient(t *testing.T, db *mongodb.DB) domain.Store {
	t.Helper()
	other, err := mongodb.Open(context.Background(), mongodb.Config{URI: db.URI(), Database: db.DatabaseName()})
	must(t, err)
	t.Cleanup(func() { other.Close(context.Background()) })
	return other
}

// A sync writes the facts records that differ from what the rules derive,
// and only those: after a write of another instance that stored no facts,
// the one record of the position it changed.
func TestASyncWritesOnlyTheFactsThatDiffer(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store := seededStore(t)
	a := openApp(t, store, app.Options{})
	wantCurrent(t, store, "../rules", "after the first sync")
	p, err := store.Position(ctx, "POS-0002")
	must(t, err)
	p.KeyBillet = !p.KeyBillet
	must(t, store.UpdatePosition(ctx, p)) // another instance's, without its facts
	store.factWrites.Store(0)
	a.CatchUp()
	syncUntilCurrent(t, a, store, "../rules")
	if n := store.factWrites.Load(); n != 1 {
		t.Errorf("the facts records written after the catch-up: %d, want the one of POS-0002", n)
	}
}
