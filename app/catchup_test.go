package app_test

import (
	"cmap/domain"
	"context"
	"log/slog"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"cmap/analysis"
	"cmap/app"
	"cmap/app/apptest"
	"cmap/mongodb"
	"cmap/mongodb/mongotest"
)

// recordingStore records the calls that reach the store beneath it: how
// many of each method that reads records or facts, writes facts or reads
// the change log, and which records were read by key. With hide set, its
// change log stops before that version, as a log with a hole does; with
// many set, it says that version wrote many records at once.
type recordingStore struct {
	*apptest.CountingStore
	mu   sync.Mutex
	read []string // "course SCO-101", one per read by key
	hide int64
	many int64
}

// factWrites are the calls that write facts, which reads leaves out.
var factWrites = []string{"SaveCourseFacts", "SavePositionFacts", "DeleteFacts"}

// newRecordingStore returns a recordingStore over s.
func newRecordingStore(s domain.Store) *recordingStore {
	return &recordingStore{CountingStore: apptest.NewCountingStore(s, append([]string{"Framework",
		"Course", "CoursesByCode", "ListCourses", "Position", "PositionsByID", "ListPositions",
		"Person", "PeopleByID", "ListPeople", "CourseFacts", "PositionFacts",
		"DataVersion", "Changes"}, factWrites...)...)}
}

func (s *recordingStore) readKey(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.read = append(s.read, key)
}

// reset forgets the calls so far.
func (s *recordingStore) reset() {
	s.Reset()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.read = nil
}

// reads returns the number of calls of each method that reads, and the
// records read by key, sorted.
func (s *recordingStore) reads() (map[string]int, []string) {
	calls := s.Calls()
	for _, m := range factWrites {
		delete(calls, m)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return calls, slices.Sorted(slices.Values(s.read))
}

func (s *recordingStore) setHide(v int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hide = v
}

func (s *recordingStore) Course(ctx context.Context, code string) (*domain.Course, error) {
	s.readKey("course " + code)
	return s.CountingStore.Course(ctx, code)
}

func (s *recordingStore) Position(ctx context.Context, id string) (*domain.Position, error) {
	s.readKey("position " + id)
	return s.CountingStore.Position(ctx, id)
}

func (s *recordingStore) Person(ctx context.Context, id string) (*domain.Person, error) {
	s.readKey("person " + id)
	return s.CountingStore.Person(ctx, id)
}

func (s *recordingStore) Changes(ctx context.Context, after, through int64) ([]domain.Change, error) {
	changes, err := s.CountingStore.Changes(ctx, after, through)
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, c := range changes {
		switch c.Version {
		case s.hide:
			return changes[:i], err
		case s.many:
			changes[i] = domain.Change{Version: c.Version, Kind: domain.ChangeMany}
		}
	}
	return changes, err
}

// answers is everything a View serves, to compare two Apps.
type answers struct {
	Courses       []*domain.Course
	Positions     []*domain.Position
	People        []*domain.Person
	Coverage      map[string][]domain.Coverage
	Requirements  map[string][]domain.Requirement
	RuntimeErrors []app.RuleError
	Framework     *domain.Framework
	Matrix        *analysis.Matrix
	Gaps          *analysis.GapReport
	Demand        []analysis.SubCompetencyDemand
	Readiness     []*analysis.Readiness
	Organizations map[string]*analysis.OrganizationReadiness
	// Recommendations of the people named to answersOf.
	Recommendations map[string]*analysis.Recommendation
}

// answersOf returns what v serves, with the recommendations of people.
func answersOf(t *testing.T, v app.View, people ...string) answers {
	t.Helper()
	ix := v.Index()
	courses, err := v.Courses(domain.CourseFilter{}, domain.Page{})
	must(t, err)
	positions, err := v.Positions(domain.PositionFilter{}, domain.Page{})
	must(t, err)
	persons, err := v.People(domain.PersonFilter{}, domain.Page{})
	must(t, err)
	a := answers{
		Courses: courses.Items, Positions: positions.Items, People: persons.Items,
		Coverage: map[string][]domain.Coverage{}, Requirements: map[string][]domain.Requirement{},
		RuntimeErrors: v.RulesStatus().RuntimeErrors, Framework: v.Framework(),
		Demand: ix.Demand(), Readiness: ix.PeopleReadiness(),
		Organizations: map[string]*analysis.OrganizationReadiness{}, Recommendations: map[string]*analysis.Recommendation{},
	}
	for _, c := range courses.Items {
		a.Coverage[c.Code] = v.Coverage(c.Code)
	}
	for _, p := range positions.Items {
		a.Requirements[p.ID] = v.Requirements(p.ID)
	}
	a.Matrix, err = ix.Matrix(analysis.MatrixFilter{Status: analysis.AnyStatus})
	must(t, err)
	a.Gaps, err = ix.Gaps("", 0)
	must(t, err)
	for _, org := range ix.Organizations() {
		a.Organizations[org], err = ix.OrganizationReadiness(org, 0)
		must(t, err)
	}
	for _, id := range people {
		a.Recommendations[id], err = ix.Recommend(id)
		must(t, err)
	}
	return a
}

// wantSameAnswers fails t unless got serves what a fresh App over store
// serves, naming what differs.
func wantSameAnswers(t *testing.T, what string, got *app.App, store domain.Store, people ...string) {
	t.Helper()
	fresh := openApp(t, store, app.Options{})
	g, w := answersOf(t, got.View(), people...), answersOf(t, fresh.View(), people...)
	gv, wv := reflect.ValueOf(g), reflect.ValueOf(w)
	for i := range gv.NumField() {
		if !reflect.DeepEqual(gv.Field(i).Interface(), wv.Field(i).Interface()) {
			t.Errorf("%s: %s differs from a fresh App's:\n got  %+v\n want %+v", what, gv.Type().Field(i).Name,
				gv.Field(i).Interface(), wv.Field(i).Interface())
		}
	}
}

// writeEverything makes every kind of write through a over the sample
// seeds and returns the records it wrote ("course SCO-998"), each once,
// sorted, and how many writes it made.
func writeEverything(t *testing.T, a *app.App) (written []string, writes int) {
	t.Helper()
	ctx := context.Background()
	wrote := func(kind, key string) {
		written = append(written, kind+" "+key)
		writes++
	}
	_, err := a.UpdateCourse(ctx, "SCO-201", 1, func(c *domain.Course) {
		c.Objectives = append(c.Objectives, "Prepare price and availability data.")
	})
	must(t, err)
	wrote("course", "SCO-201")
	must(t, a.CreateCourse(ctx, course("SCO-999", "SCO-101")))
	wrote("course", "SCO-999")
	must(t, a.CreateCourse(ctx, course("SCO-998")))
	must(t, a.DeleteCourse(ctx, "SCO-998", 1))
	wrote("course", "SCO-998")
	writes++ // the same course twice

	must(t, a.CreatePosition(ctx, position("POS-9001")))
	wrote("position", "POS-9001")
	_, err = a.UpdatePosition(ctx, "POS-0002", 1, func(p *domain.Position) { p.KeyBillet = !p.KeyBillet })
	must(t, err)
	wrote("position", "POS-0002")
	must(t, a.CreatePosition(ctx, position("POS-9002")))
	must(t, a.DeletePosition(ctx, "POS-9002", 1))
	wrote("position", "POS-9002")
	writes++ // the same position twice

	must(t, a.CreatePerson(ctx, &domain.Person{ID: "P-09001", Name: "Ada", PositionID: "POS-9001",
		Completions: []domain.Completion{{CourseCode: "SCO-101", Completed: day("2024-05-06")}}}))
	wrote("person", "P-09001")
	_, err = a.RecordCompletion(ctx, "P-00002", "SCO-999", day("2025-01-02"))
	must(t, err)
	wrote("person", "P-00002")
	_, err = a.UpdatePerson(ctx, "P-00003", 1, func(p *domain.Person) { p.PositionID = "POS-0002" })
	must(t, err)
	wrote("person", "P-00003")
	must(t, a.DeletePerson(ctx, "P-00004", 1))
	wrote("person", "P-00004")
	slices.Sort(written)
	return written, writes
}

// Two instances over one store: the second catches up with every kind of
// write of the first by reading exactly the records written, once each,
// and ends up serving what a fresh instance serves.
func TestCatchUpAppliesTheOtherInstancesWrites(t *testing.T) {
	t.Parallel()
	store := seededStore(t).Store
	a1 := openApp(t, store, app.Options{})
	rec := newRecordingStore(store)
	a2 := openApp(t, rec, app.Options{})
	before, err := store.DataVersion(context.Background())
	must(t, err)

	written, writes := writeEverything(t, a1)
	rec.reset()
	a2.CatchUp()
	calls, read := rec.reads()
	if !slices.Equal(read, written) {
		t.Errorf("the catch-up read\n %v\nwant the records written\n %v", read, written)
	}
	want := map[string]int{"DataVersion": 1, "Changes": 1, "Course": 3, "Position": 3, "Person": 4}
	if !maps.Equal(calls, want) {
		t.Errorf("the catch-up made the store calls %v, want %v", calls, want)
	}
	if v, err := store.DataVersion(context.Background()); err != nil || v != before+int64(writes) {
		t.Fatalf("the writes moved the data version from %d to %d (%v), want %d writes", before, v, err, writes)
	}
	wantSameAnswers(t, "the instance that caught up", a2, store, "P-09001", "P-00002", "P-00003")
	wantSameAnswers(t, "the instance that wrote", a1, store, "P-09001", "P-00002", "P-00003")

	// Nothing more to do: the next catch-up asks the data version only.
	rec.reset()
	a2.CatchUp()
	if calls, _ := rec.reads(); !maps.Equal(calls, map[string]int{"DataVersion": 1}) {
		t.Errorf("a catch-up with nothing new made the store calls %v", calls)
	}
}

// Catching up after k writes reads k records (and the log once per batch
// of app.CatchUpBatch entries), not the catalogue: what a rebuild reads is
// counted for comparison.
func TestCatchUpCostsWhatTheChangeDoes(t *testing.T) {
	t.Parallel()
	store := seededStore(t).Store
	ctx := context.Background()
	a1 := openApp(t, store, app.Options{})
	rec := newRecordingStore(store)
	a2 := openApp(t, rec, app.Options{})
	people, err := store.ListPeople(ctx, domain.PersonFilter{}, domain.Page{})
	must(t, err)
	next := 0
	for _, k := range []int{1, 4, 16, app.CatchUpBatch + 50} {
		for range k {
			_, err := a1.RecordCompletion(ctx, people.Items[next].ID, "SCO-101", day("2025-03-04"))
			must(t, err)
			next++
		}
		rec.reset()
		a2.CatchUp()
		calls, read := rec.reads()
		total := 0
		for _, n := range calls {
			total += n
		}
		batches := (k + app.CatchUpBatch - 1) / app.CatchUpBatch
		if len(read) != k || calls["Person"] != k || calls["Changes"] != batches || total != k+1+batches {
			t.Errorf("catching up after %d writes: %d store calls %v, %d records read; want %d calls, %d records",
				k, total, calls, len(read), k+1+batches, k)
		}
	}
	wantSameAnswers(t, "after the catch-ups", a2, store)

	// A rebuild, for scale: it lists every record.
	rec.reset()
	must(t, a2.PutFramework(ctx, a2.View().Framework()))
	calls, _ := rec.reads()
	if calls["ListCourses"] != 1 || calls["ListPositions"] != 1 || calls["ListPeople"] != 1 {
		t.Errorf("a rebuild made the store calls %v, want every record listed", calls)
	}
}

// What the change log cannot answer is rebuilt from everything: a new
// framework, a write of many records at once, a hole that stays, a log
// pruned past the instance's version.
func TestCatchUpRebuildsWhatTheLogCannotAnswer(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	rebuilt := func(rec *recordingStore) bool {
		calls, _ := rec.reads()
		return calls["ListCourses"] == 1 && calls["ListPositions"] == 1 && calls["ListPeople"] == 1
	}

	t.Run("framework", func(t *testing.T) {
		store := smallCatalogue(t).Store
		a1 := openApp(t, store, app.Options{})
		rec := newRecordingStore(store)
		a2 := openApp(t, rec, app.Options{})
		f := *a1.View().Framework()
		f.Name = "Renamed"
		must(t, a1.PutFramework(ctx, &f))
		must(t, a1.CreatePosition(ctx, position("POS-2")))
		rec.reset()
		a2.CatchUp()
		if !rebuilt(rec) || a2.View().Framework().Name != "Renamed" {
			t.Errorf("after a new framework: store calls %v, framework %q", rec.Calls(), a2.View().Framework().Name)
		}
		wantSameAnswers(t, "after a new framework", a2, store)
	})

	t.Run("many records at once", func(t *testing.T) {
		store := smallCatalogue(t).Store
		a1 := openApp(t, store, app.Options{})
		rec := newRecordingStore(store)
		a2 := openApp(t, rec, app.Options{})
		v, err := store.DataVersion(ctx)
		must(t, err)
		rec.many = v + 1
		must(t, a1.CreatePosition(ctx, position("POS-2")))
		rec.reset()
		a2.CatchUp()
		if !rebuilt(rec) {
			t.Errorf("after a write of many records the catch-up made the calls %v, want a rebuild", rec.Calls())
		}
		wantSameAnswers(t, "after a write of many records", a2, store)
	})

	t.Run("hole", func(t *testing.T) {
		store := smallCatalogue(t).Store
		a1 := openApp(t, store, app.Options{})
		rec := newRecordingStore(store)
		// Polling off: a hole found twice is given no time to fill.
		a2 := openApp(t, rec, app.Options{})
		v, err := store.DataVersion(ctx)
		must(t, err)
		rec.setHide(v + 2)
		for _, id := range []string{"POS-2", "POS-3", "POS-4"} {
			must(t, a1.CreatePosition(ctx, position(id)))
		}
		rec.reset()
		a2.CatchUp()
		_, read := rec.reads()
		if !slices.Equal(read, []string{"position POS-2"}) || rebuilt(rec) {
			t.Errorf("the first catch-up over a hole read %v (calls %v), want the write before it only", read, rec.Calls())
		}
		if _, err := a2.View().Position("POS-3"); domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Errorf("the write in the hole was applied: %v", err)
		}
		rec.reset()
		a2.CatchUp()
		if !rebuilt(rec) {
			t.Errorf("the second catch-up over the same hole made the calls %v, want a rebuild", rec.Calls())
		}
		wantSameAnswers(t, "after a hole", a2, store)
	})

	t.Run("hole that fills", func(t *testing.T) {
		store := smallCatalogue(t).Store
		a1 := openApp(t, store, app.Options{})
		rec := newRecordingStore(store)
		a2 := openApp(t, rec, app.Options{})
		v, err := store.DataVersion(ctx)
		must(t, err)
		rec.setHide(v + 1)
		must(t, a1.CreatePosition(ctx, position("POS-2")))
		a2.CatchUp()
		rec.setHide(0) // the writer logged its change
		rec.reset()
		a2.CatchUp()
		if _, read := rec.reads(); rebuilt(rec) || !slices.Equal(read, []string{"position POS-2"}) {
			t.Errorf("once the hole filled the catch-up made the calls %v, want the one record read", rec.Calls())
		}
		wantSameAnswers(t, "after a hole that filled", a2, store)
	})

	t.Run("pruned", func(t *testing.T) {
		store := smallCatalogue(t).Store
		rec := newRecordingStore(store)
		a2 := openApp(t, rec, app.Options{})
		p, err := store.Position(ctx, "POS-1")
		must(t, err)
		for range domain.ChangeLogLength + 1 {
			p.KeyBillet = !p.KeyBillet
			must(t, store.UpdatePosition(ctx, p))
		}
		rec.reset()
		a2.CatchUp()
		if !rebuilt(rec) {
			t.Errorf("catching up from a pruned version made the calls %v, want a rebuild", rec.Calls())
		}
		wantSameAnswers(t, "after the log was pruned", a2, store)
	})
}

// A store that announces changes wakes the other instance at once: with
// polling every hour, only the watch can tell it of the second write (the
// first may be caught by the catch-up that follows opening the watch).
func TestWatchedStoreWakesTheOtherInstance(t *testing.T) {
	t.Parallel()
	store := smallCatalogue(t).Store
	logs := &apptest.LogBuffer{}
	a1 := openApp(t, store, app.Options{PollInterval: time.Hour})
	a2 := openApp(t, store, app.Options{PollInterval: time.Hour, Logger: slog.New(slog.NewTextHandler(logs, nil))})
	for _, id := range []string{"POS-2", "POS-3"} {
		must(t, a1.CreatePosition(context.Background(), position(id)))
		deadline := time.Now().Add(5 * time.Second)
		for {
			if _, err := a2.View().Position(id); err == nil {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("no catch-up with %s 5s after the write:\n%s", id, logs)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	if !strings.Contains(logs.String(), "watching the store's changes") {
		t.Errorf("the instance did not say it watched:\n%s", logs)
	}
}

// Over the embedded FerretDB, with two clients: the catch-up reads the
// records written, once each, and matches a fresh instance; FerretDB has
// no change streams, so the background catch-up polls.
func TestCatchUpOverFerretDB(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := mongotest.Open(t)
	store := smallCatalogueIn(t, db).Store
	other, err := mongodb.Open(ctx, mongodb.Config{URI: db.URI(), Database: db.DatabaseName()})
	must(t, err)
	t.Cleanup(func() { other.Close(ctx) })
	a1 := openApp(t, store, app.Options{})
	rec := newRecordingStore(other)
	a2 := openApp(t, rec, app.Options{})
	logs := &apptest.LogBuffer{}
	a3 := openApp(t, other, app.Options{PollInterval: 20 * time.Millisecond, Logger: slog.New(slog.NewTextHandler(logs, nil))})

	_, err = a1.UpdateCourse(ctx, "SCO-101", 1, func(c *domain.Course) {
		c.Objectives = []string{"Prepare price and availability data."}
	})
	must(t, err)
	must(t, a1.CreatePosition(ctx, position("POS-2")))
	must(t, a1.CreatePerson(ctx, &domain.Person{ID: "P-1", Name: "Ada", PositionID: "POS-2",
		Completions: []domain.Completion{{CourseCode: "SCO-101", Completed: day("2024-05-06")}}}))
	must(t, a1.DeleteCourse(ctx, "SCM-401", 1))
	rec.reset()
	a2.CatchUp()
	if _, read := rec.reads(); !slices.Equal(read, []string{"course SCM-401", "course SCO-101", "person P-1", "position POS-2"}) {
		t.Errorf("the catch-up read %v (calls %v)", read, rec.Calls())
	}
	wantSameAnswers(t, "the instance that caught up", a2, store, "P-1")

	apptest.WaitUntil(t, "the polling instance sees the last write", func() bool {
		_, err := a3.View().Course("SCM-401")
		return domain.ErrorCode(err) == domain.ENOTFOUND
	})
	if !strings.Contains(logs.String(), "the store cannot announce changes") {
		t.Errorf("the instance over FerretDB did not say it polls:\n%s", logs)
	}
	wantSameAnswers(t, "the polling instance", a3, store, "P-1")
}

// An instance's own write that the catch-up reads back (another instance
// wrote in between, so the write could not move the state's version) is
// as indexed already: it costs a read, not an update. The other's write
// costs a read and an update in memory: its writer stored its facts.
func TestCatchUpReadsOwnWritesBackForFree(t *testing.T) {
	t.Parallel()
	store := smallCatalogue(t).Store
	ctx := context.Background()
	a1 := openApp(t, store, app.Options{})
	rec := newRecordingStore(store)
	a2 := openApp(t, rec, app.Options{})
	must(t, a1.CreatePosition(ctx, position("POS-2")))
	must(t, a2.CreatePosition(ctx, position("POS-3")))
	rec.reset()
	a2.CatchUp()
	stored := rec.Calls()["SavePositionFacts"]
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if stored != 0 || !slices.Equal(rec.read, []string{"position POS-2", "position POS-3"}) {
		t.Errorf("the catch-up read %v and stored position facts %d times; want both read, no facts stored",
			rec.read, stored)
	}
}
