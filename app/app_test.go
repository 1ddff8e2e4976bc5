package app_test

import (
	"cmap/domain"
	"context"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"cmap/app"
	"cmap/memstore"
	"cmap/mongodb/mongotest"
	"cmap/seed"
)

func TestMain(m *testing.M) { mongotest.Main(m) }

// countingStore counts the calls that reach the real store beneath it.
type countingStore struct {
	domain.Store
	frameworks atomic.Int64
	// factWrites counts the facts records written or deleted.
	factWrites atomic.Int64
}

func (s *countingStore) Framework(ctx context.Context) (*domain.Framework, error) {
	s.frameworks.Add(1)
	return s.Store.Framework(ctx)
}

func (s *countingStore) SaveCourseFacts(ctx context.Context, facts []domain.CourseFacts) error {
	s.factWrites.Add(int64(len(facts)))
	return s.Store.SaveCourseFacts(ctx, facts)
}

func (s *countingStore) SavePositionFacts(ctx context.Context, facts []domain.PositionFacts) error {
	s.factWrites.Add(int64(len(facts)))
	return s.Store.SavePositionFacts(ctx, facts)
}

func (s *countingStore) DeleteFacts(ctx context.Context, courses, positions []string) error {
	s.factWrites.Add(int64(len(courses) + len(positions)))
	return s.Store.DeleteFacts(ctx, courses, positions)
}

// newApp opens an App with the shipped rules over a fresh store that holds
// only the sample competency framework.
func newApp(t *testing.T) (*app.App, *countingStore) {
	t.Helper()
	store := &countingStore{Store: memstore.New()}
	must(t, store.PutFramework(context.Background(), sampleSeeds(t).Framework))
	return openApp(t, store, app.Options{}), store
}

// openApp opens an App over store with the shipped rules unless opts
// names others, not polling unless opts says so, and closes it when t ends.
// It returns once the App has stored the facts it derived (SyncFacts), as
// the keeper does in the background.
func openApp(t *testing.T, store domain.Store, opts app.Options) *app.App {
	t.Helper()
	if opts.RulesDir == "" {
		opts.RulesDir = "../rules"
	}
	if opts.PollInterval == 0 {
		opts.PollInterval = -1
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	a, err := app.Open(context.Background(), store, opts)
	if err != nil {
		t.Fatalf("app.Open: %v", err)
	}
	t.Cleanup(func() { a.Close() })
	must(t, a.SyncFacts(context.Background()))
	return a
}

var sample struct {
	once sync.Once
	ds   *seed.Dataset
	err  error
}

// sampleSeeds returns the sample seeds, read once.
func sampleSeeds(t *testing.T) *seed.Dataset {
	t.Helper()
	sample.once.Do(func() { sample.ds, sample.err = seed.Load("../seeds") })
	if sample.err != nil {
		t.Fatal(sample.err)
	}
	return sample.ds
}

// seededStore returns a fresh store holding the sample seeds.
func seededStore(t *testing.T) *countingStore {
	t.Helper()
	store := &countingStore{Store: memstore.New()}
	if _, err := seed.Apply(context.Background(), store, sampleSeeds(t)); err != nil {
		t.Fatal(err)
	}
	return store
}

func course(code string, prerequisites ...string) *domain.Course {
	return &domain.Course{
		Code: code, Title: "Course " + code, Hours: 8,
		DeliveryMode: domain.DeliveryOnline, Status: domain.CourseActive,
		Prerequisites: prerequisites,
	}
}

func position(id string) *domain.Position {
	return &domain.Position{ID: id, Title: "Desk officer", Organization: "DSCA", Grade: "GS-13", Category: "HQ"}
}

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// wantError fails t unless err has code and, when field is not empty, that
// field path.
func wantError(t *testing.T, err error, code, field string) {
	t.Helper()
	if domain.ErrorCode(err) != code {
		t.Fatalf("error = %v (code %q), want code %q", err, domain.ErrorCode(err), code)
	}
	if field != "" && domain.ErrorField(err) != field {
		t.Fatalf("error = %v, want field %q, got %q", err, field, domain.ErrorField(err))
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestFrameworkIsServedFromMemoryAndPutChecksTheRules(t *testing.T) {
	t.Parallel()
	a, store := newApp(t)
	ctx := context.Background()
	before := store.frameworks.Load()
	for range 3 {
		got := a.View().Framework()
		if len(got.SubCompetencyCodes()) != 58 {
			t.Fatalf("framework has %d sub-competencies, want the model's 58", len(got.SubCompetencyCodes()))
		}
	}
	if n := store.frameworks.Load() - before; n != 0 {
		t.Errorf("three reads reached the store %d times, want 0 (the rules were checked against it at Open)", n)
	}

	s, c, err := a.View().SubCompetency("4.C")
	must(t, err)
	if s.Code != "4.C" || c.Code != "4.0" {
		t.Errorf("SubCompetency(4.C) = %+v in %+v", s, c)
	}
	_, _, err = a.View().SubCompetency("4.Z")
	wantError(t, err, domain.ENOTFOUND, "")
	_, err = a.View().Competency("10.0")
	wantError(t, err, domain.ENOTFOUND, "")

	f := *sampleSeeds(t).Framework
	f.Name = "Renamed"
	must(t, a.PutFramework(ctx, &f))
	if got := a.View().Framework(); got.Name != "Renamed" {
		t.Errorf("after PutFramework the name is %q, want Renamed", got.Name)
	}

	// Without competency 9.0 the shipped rules name unknown codes: refused,
	// with the rules' diagnostics, and nothing changes.
	short := f
	short.Name = "Short"
	short.Competencies = f.Competencies[:8]
	err = a.PutFramework(ctx, &short)
	wantError(t, err, domain.EINVALID, "")
	if !strings.Contains(err.Error(), "9-security-and-disclosure.yaml:") {
		t.Errorf("error %q does not point into the rule file that names 9.*", err)
	}
	stored, err := store.Framework(ctx)
	must(t, err)
	if stored.Name != "Renamed" {
		t.Errorf("a refused framework was stored: %q", stored.Name)
	}

	bad := &domain.Framework{Name: "Bad"}
	wantError(t, a.PutFramework(ctx, bad), domain.EINVALID, "competencies")
}

func TestCoursePrerequisitesMustExistAndNotCycle(t *testing.T) {
	t.Parallel()
	a, _ := newApp(t)
	ctx := context.Background()
	must(t, a.CreateCourse(ctx, course("SCO-101")))
	must(t, a.CreateCourse(ctx, course("SCO-201", "SCO-101")))

	err := a.CreateCourse(ctx, course("SCO-301", "SCO-201", "SCO-999"))
	wantError(t, err, domain.EINVALID, "prerequisites[1]")
	if !strings.Contains(err.Error(), "SCO-999 does not exist") {
		t.Errorf("message %q does not name the missing course", err)
	}

	must(t, a.CreateCourse(ctx, course("SCO-301", "SCO-201")))
	// SCO-101 <- SCO-201 <- SCO-301: making SCO-101 require SCO-301 closes a cycle.
	_, err = a.UpdateCourse(ctx, "SCO-101", 1, func(c *domain.Course) { c.Prerequisites = []string{"SCO-301"} })
	wantError(t, err, domain.EINVALID, "prerequisites[0]")
	if !strings.Contains(err.Error(), "cycle") {
		t.Errorf("message %q does not say cycle", err)
	}

	// Bad fields are reported before references are read.
	bad := course("SCO-401")
	bad.Objectives = []string{"Explain", " "}
	wantError(t, a.CreateCourse(ctx, bad), domain.EINVALID, "objectives[1]")
	wantError(t, a.CreateCourse(ctx, course("SCO-101")), domain.ECONFLICT, "")
}

func TestUpdateCourseAppliesEditAndRefusesStaleVersion(t *testing.T) {
	t.Parallel()
	a, _ := newApp(t)
	ctx := context.Background()
	must(t, a.CreateCourse(ctx, course("SCM-401")))

	updated, err := a.UpdateCourse(ctx, "SCM-401", 1, func(c *domain.Course) {
		c.Title = "Case Management"
		c.Code = "XYZ-000" // the key cannot change
	})
	must(t, err)
	if updated.Version != 2 || updated.Code != "SCM-401" || updated.Title != "Case Management" {
		t.Fatalf("updated = %+v", updated)
	}
	stored, err := a.View().Course("SCM-401")
	must(t, err)
	if stored.Title != "Case Management" || stored.Version != 2 {
		t.Errorf("stored = %+v", stored)
	}

	_, err = a.UpdateCourse(ctx, "SCM-401", 1, func(c *domain.Course) { c.Title = "Lost update" })
	wantError(t, err, domain.ECONFLICT, "")
	if !strings.Contains(err.Error(), "version 1") || !strings.Contains(err.Error(), "version is 2") {
		t.Errorf("conflict message %q does not state both versions", err)
	}
	_, err = a.UpdateCourse(ctx, "SCM-999", 1, func(*domain.Course) {})
	wantError(t, err, domain.ENOTFOUND, "")
	_, err = a.UpdateCourse(ctx, "SCM-401", 2, func(c *domain.Course) { c.Hours = -1 })
	wantError(t, err, domain.EINVALID, "hours")
}

func TestDeleteCourseRequiredByAnotherIsRefused(t *testing.T) {
	t.Parallel()
	a, _ := newApp(t)
	ctx := context.Background()
	must(t, a.CreateCourse(ctx, course("SCO-101")))
	must(t, a.CreateCourse(ctx, course("SCO-201", "SCO-101")))

	err := a.DeleteCourse(ctx, "SCO-101", 1)
	wantError(t, err, domain.ECONFLICT, "")
	if !strings.Contains(err.Error(), "SCO-201") {
		t.Errorf("message %q does not name the dependent course", err)
	}
	wantError(t, a.DeleteCourse(ctx, "SCO-201", 7), domain.ECONFLICT, "")
	must(t, a.DeleteCourse(ctx, "SCO-201", 1))
	must(t, a.DeleteCourse(ctx, "SCO-101", 1))
	_, err = a.View().Course("SCO-101")
	wantError(t, err, domain.ENOTFOUND, "")
	wantError(t, a.DeleteCourse(ctx, "SCO-101", 1), domain.ENOTFOUND, "")
}

func TestPositionsAndTheirHolders(t *testing.T) {
	t.Parallel()
	a, _ := newApp(t)
	ctx := context.Background()
	for _, id := range []string{"POS-1", "POS-2", "POS-3"} {
		must(t, a.CreatePosition(ctx, position(id)))
	}
	for _, p := range []*domain.Person{
		{ID: "P-1", Name: "Ada", PositionID: "POS-1"},
		{ID: "P-2", Name: "Ben", PositionID: "POS-1"},
		{ID: "P-3", Name: "Cy", PositionID: "POS-2"},
		{ID: "P-4", Name: "Di"},
	} {
		must(t, a.CreatePerson(ctx, p))
	}

	v := a.View()
	for id, want := range map[string]string{"P-1": "Ada", "P-4": "Di"} {
		if p, err := v.Person(id); err != nil || p.Name != want {
			t.Errorf("Person(%s) = %+v, %v; want %s", id, p, err, want)
		}
	}
	_, err := v.Person("P-9")
	wantError(t, err, domain.ENOTFOUND, "")
	if holders := v.Holders("POS-3"); len(holders) != 0 {
		t.Errorf("POS-3 has holders %v, want none", holders)
	}
	holders := v.Holders("POS-1")
	if len(holders) != 2 {
		t.Fatalf("holders of POS-1 = %v, want two people", holders)
	}
	for _, p := range holders {
		if p.PositionID != "POS-1" {
			t.Errorf("holder %s holds %s", p.ID, p.PositionID)
		}
	}

	err = a.DeletePosition(ctx, "POS-1", 1)
	wantError(t, err, domain.ECONFLICT, "")
	if !strings.Contains(err.Error(), "2 people") {
		t.Errorf("message %q does not count the holders", err)
	}
	must(t, a.DeletePosition(ctx, "POS-3", 1))

	_, err = a.UpdatePosition(ctx, "POS-2", 1, func(p *domain.Position) { p.Grade = "GS-99x" })
	wantError(t, err, domain.EINVALID, "grade")
	p, err := a.UpdatePosition(ctx, "POS-2", 1, func(p *domain.Position) { p.KeyBillet = true })
	must(t, err)
	if !p.KeyBillet || p.Version != 2 {
		t.Errorf("updated position = %+v", p)
	}
	wantError(t, a.CreatePosition(ctx, &domain.Position{ID: "POS-9"}), domain.EINVALID, "title")
}

func TestPersonReferencesAreChecked(t *testing.T) {
	t.Parallel()
	a, _ := newApp(t)
	ctx := context.Background()
	must(t, a.CreatePosition(ctx, position("POS-1")))
	must(t, a.CreateCourse(ctx, course("SCO-101")))
	must(t, a.CreateCourse(ctx, course("SCO-102")))

	err := a.CreatePerson(ctx, &domain.Person{ID: "P-1", Name: "Ada", PositionID: "POS-404"})
	wantError(t, err, domain.EINVALID, "positionId")
	err = a.CreatePerson(ctx, &domain.Person{ID: "P-1", Name: "Ada", Completions: []domain.Completion{
		{CourseCode: "SCO-101", Completed: day("2023-01-10")},
		{CourseCode: "SCO-404", Completed: day("2023-02-10")},
	}})
	wantError(t, err, domain.EINVALID, "completions[1].courseCode")

	must(t, a.CreatePerson(ctx, &domain.Person{ID: "P-1", Name: "Ada", PositionID: "POS-1", Completions: []domain.Completion{
		{CourseCode: "SCO-102", Completed: day("2023-01-10")},
	}}))

	// A completion of a course deleted since stays valid history.
	must(t, a.DeleteCourse(ctx, "SCO-102", 1))
	p, err := a.UpdatePerson(ctx, "P-1", 1, func(p *domain.Person) { p.Name = "Ada L." })
	must(t, err)
	if p.Name != "Ada L." || len(p.Completions) != 1 || p.Version != 2 {
		t.Errorf("updated person = %+v", p)
	}
	// But a new completion of it is refused.
	_, err = a.UpdatePerson(ctx, "P-1", 2, func(p *domain.Person) {
		p.Completions = append(p.Completions, domain.Completion{CourseCode: "SCO-404", Completed: day("2024-01-01")})
	})
	wantError(t, err, domain.EINVALID, "completions[1].courseCode")

	_, err = a.UpdatePerson(ctx, "P-1", 1, func(p *domain.Person) { p.Name = "Stale" })
	wantError(t, err, domain.ECONFLICT, "")
	wantError(t, a.DeletePerson(ctx, "P-1", 1), domain.ECONFLICT, "")
	must(t, a.DeletePerson(ctx, "P-1", 2))
	_, err = a.View().Person("P-1")
	wantError(t, err, domain.ENOTFOUND, "")
}

func TestRecordCompletion(t *testing.T) {
	t.Parallel()
	a, _ := newApp(t)
	ctx := context.Background()
	must(t, a.CreateCourse(ctx, course("SCO-101")))
	must(t, a.CreatePerson(ctx, &domain.Person{ID: "P-1", Name: "Ada"}))

	_, err := a.RecordCompletion(ctx, "P-1", "SCO-404", day("2024-03-01"))
	wantError(t, err, domain.EINVALID, "courseCode")
	_, err = a.RecordCompletion(ctx, "P-404", "SCO-101", day("2024-03-01"))
	wantError(t, err, domain.ENOTFOUND, "")
	_, err = a.RecordCompletion(ctx, "P-1", "SCO-101", time.Now().AddDate(1, 0, 0))
	wantError(t, err, domain.EINVALID, "completed")

	p, err := a.RecordCompletion(ctx, "P-1", "SCO-101", day("2024-03-01"))
	must(t, err)
	if len(p.Completions) != 1 || p.Version != 2 {
		t.Fatalf("after one completion: %+v", p)
	}
	again, err := a.RecordCompletion(ctx, "P-1", "SCO-101", day("2024-03-01"))
	must(t, err)
	if len(again.Completions) != 1 || again.Version != 2 {
		t.Errorf("recording the same completion again changed the person: %+v", again)
	}
	refresher, err := a.RecordCompletion(ctx, "P-1", "SCO-101", day("2025-03-01"))
	must(t, err)
	if len(refresher.Completions) != 2 {
		t.Errorf("a later completion of the same course was not recorded: %+v", refresher)
	}
}
