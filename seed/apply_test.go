package seed

import (
	"cmap/domain"
	"context"
	"reflect"
	"testing"

	"cmap/memstore"
	"cmap/mongodb/mongotest"
)

func TestMain(m *testing.M) { mongotest.Main(m) }

// TestApplySeedsOnceThenSkips seeds the sample catalogue into an empty
// embedded FerretDB, then applies it again.
func TestApplySeedsOnceThenSkips(t *testing.T) {
	ctx := context.Background()
	ds := loadSeeds(t)
	db := mongotest.Open(t)

	first, err := Apply(ctx, db, ds)
	if err != nil {
		t.Fatal(err)
	}
	want := Result{
		SeededWith:      ds.Name,
		FrameworkStored: true,
		Courses:         Counts{Created: len(ds.Courses)},
		Positions:       Counts{Created: len(ds.Positions)},
		People:          Counts{Created: len(ds.People)},
	}
	if first != want {
		t.Errorf("first Apply = %+v, want %+v", first, want)
	}
	if name, err := db.SeededWith(ctx); err != nil || name != ds.Name {
		t.Errorf("SeededWith = %q, %v; want %q", name, err, ds.Name)
	}
	fw, err := db.Framework(ctx)
	if err != nil {
		t.Fatal(err)
	}
	stored := ds.Framework.Clone()
	stored.Revision = 1 // the first revision of the store
	if !reflect.DeepEqual(fw, stored) {
		t.Error("stored framework differs from the model file's")
	}
	for _, c := range []struct {
		what string
		n    func(context.Context) (int, error)
		want int
	}{
		{"courses", func(ctx context.Context) (int, error) { return db.CountCourses(ctx, domain.CourseFilter{}) }, len(ds.Courses)},
		{"positions", func(ctx context.Context) (int, error) { return db.CountPositions(ctx, domain.PositionFilter{}) }, len(ds.Positions)},
		{"people", func(ctx context.Context) (int, error) { return db.CountPeople(ctx, domain.PersonFilter{}) }, len(ds.People)},
	} {
		if n, err := c.n(ctx); err != nil || n != c.want {
			t.Errorf("stored %s = %d, %v; want %d", c.what, n, err, c.want)
		}
	}
	// A person comes back with their completions.
	sample := ds.People[0]
	for _, p := range ds.People {
		if len(p.Completions) > len(sample.Completions) {
			sample = p
		}
	}
	got, err := db.Person(ctx, sample.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != sample.Name || got.PositionID != sample.PositionID || len(got.Completions) != len(sample.Completions) {
		t.Errorf("stored %s = %+v, want %+v", sample.ID, got, sample)
	}

	second, err := Apply(ctx, db, ds)
	if err != nil {
		t.Fatal(err)
	}
	if want := (Result{Skipped: true, SeededWith: ds.Name}); second != want {
		t.Errorf("second Apply = %+v, want %+v", second, want)
	}
}

// TestApplyNeverOverwritesOrRestores edits and deletes seeded records,
// then applies the same and a changed dataset: neither brings the old
// records back.
func TestApplyNeverOverwritesOrRestores(t *testing.T) {
	ctx := context.Background()
	ds, err := Load("testdata/valid")
	if err != nil {
		t.Fatal(err)
	}
	db := mongotest.Open(t)
	if _, err := Apply(ctx, db, ds); err != nil {
		t.Fatal(err)
	}

	course, err := db.Course(ctx, "TST-101")
	if err != nil {
		t.Fatal(err)
	}
	course.Title = "Basics, revised by a curriculum designer"
	if err := db.UpdateCourse(ctx, course); err != nil {
		t.Fatal(err)
	}
	person, err := db.Person(ctx, "P-2")
	if err != nil {
		t.Fatal(err)
	}
	if err := db.DeletePerson(ctx, person.ID, person.Version); err != nil {
		t.Fatal(err)
	}

	changed := *ds
	changed.Name = "sample:changed"
	for _, apply := range []*Dataset{ds, &changed} {
		res, err := Apply(ctx, db, apply)
		if err != nil {
			t.Fatal(err)
		}
		if want := (Result{Skipped: true, SeededWith: ds.Name}); res != want {
			t.Errorf("Apply(%s) after edits = %+v, want %+v", apply.Name, res, want)
		}
	}

	if got, err := db.Course(ctx, "TST-101"); err != nil || got.Title != course.Title {
		t.Errorf("edited course after re-apply = %+v, %v; want title %q", got, err, course.Title)
	}
	if _, err := db.Person(ctx, "P-2"); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("deleted person after re-apply: err = %v, want not found", err)
	}
}

// TestApplyKeepsExistingRecords seeds a store that already holds a
// framework and one of the courses (as after an interrupted seeding, or
// data entered before the first seed): both are kept as they are.
func TestApplyKeepsExistingRecords(t *testing.T) {
	ctx := context.Background()
	ds, err := Load("testdata/valid")
	if err != nil {
		t.Fatal(err)
	}
	db := mongotest.Open(t)
	existingFramework := &domain.Framework{Name: "Entered by hand", Competencies: []domain.Competency{{
		Code: "1.0", Title: "Only", SubCompetencies: []domain.SubCompetency{{Code: "1.A", Statement: "Do one thing."}},
	}}}
	if err := db.PutFramework(ctx, existingFramework); err != nil {
		t.Fatal(err)
	}
	existing := ds.Courses[1]
	existing.Title = "Entered before seeding"
	if err := db.CreateCourse(ctx, &existing); err != nil {
		t.Fatal(err)
	}

	res, err := Apply(ctx, db, ds)
	if err != nil {
		t.Fatal(err)
	}
	want := Result{
		SeededWith: ds.Name,
		Courses:    Counts{Created: len(ds.Courses) - 1, Kept: 1},
		Positions:  Counts{Created: len(ds.Positions)},
		People:     Counts{Created: len(ds.People)},
	}
	if res != want {
		t.Errorf("Apply = %+v, want %+v", res, want)
	}
	if fw, err := db.Framework(ctx); err != nil || fw.Name != existingFramework.Name {
		t.Errorf("framework after Apply = %+v, %v; want the one stored before", fw, err)
	}
	if got, err := db.Course(ctx, existing.Code); err != nil || got.Title != existing.Title || got.Version != 1 {
		t.Errorf("course %s after Apply = %+v, %v; want title %q at version 1", existing.Code, got, err, existing.Title)
	}
	if ds.Courses[1].Version != 0 || ds.People[0].Version != 0 {
		t.Error("Apply modified the dataset's records")
	}
}

// racingStore creates, on the first bulk create of courses, one of the
// courses it is given itself, as another instance seeding the same
// database would between Apply's list and its create; and cuts the first
// bulk create of people off after half of them, as a crash would.
type racingStore struct {
	domain.Store
	raced, cut bool
}

func (s *racingStore) CreateCourses(ctx context.Context, cs []*domain.Course) error {
	if !s.raced && len(cs) > 1 {
		s.raced = true
		other := *cs[1]
		other.Title = "Created by another instance"
		if err := s.Store.CreateCourse(ctx, &other); err != nil {
			return err
		}
	}
	return s.Store.CreateCourses(ctx, cs)
}

func (s *racingStore) CreatePeople(ctx context.Context, ps []*domain.Person) error {
	if !s.cut && len(ps) > 1 {
		s.cut = true
		if err := s.Store.CreatePeople(ctx, ps[:len(ps)/2]); err != nil {
			return err
		}
		return domain.Errorf(domain.EINTERNAL, "connection lost")
	}
	return s.Store.CreatePeople(ctx, ps)
}

// TestApplyCompletesAfterARaceAndACut: a bulk create that meets a key
// created meanwhile lists again and creates the rest; one cut off half
// way leaves the store unmarked, and the next Apply creates the rest.
func TestApplyCompletesAfterARaceAndACut(t *testing.T) {
	ctx := context.Background()
	ds := loadSeeds(t)
	s := &racingStore{Store: memstore.New()}

	_, err := Apply(ctx, s, ds)
	if domain.ErrorCode(err) != domain.EINTERNAL {
		t.Fatalf("Apply with a cut-off bulk create = %v, want the store's error", err)
	}
	if name, err := s.SeededWith(ctx); err != nil || name != "" {
		t.Fatalf("a failed Apply marked the store: %q, %v", name, err)
	}
	res, err := Apply(ctx, s, ds)
	if err != nil {
		t.Fatal(err)
	}
	half := len(ds.People) / 2
	want := Result{
		SeededWith: ds.Name,
		Courses:    Counts{Kept: len(ds.Courses)},
		Positions:  Counts{Kept: len(ds.Positions)},
		People:     Counts{Created: len(ds.People) - half, Kept: half},
	}
	if res != want {
		t.Errorf("second Apply = %+v, want %+v", res, want)
	}
	if got, err := s.Course(ctx, ds.Courses[1].Code); err != nil || got.Title != "Created by another instance" {
		t.Errorf("the course the other instance created = %+v, %v; want it kept", got, err)
	}
	for what, count := range map[string]func() (int, error){
		"courses":   func() (int, error) { return s.CountCourses(ctx, domain.CourseFilter{}) },
		"positions": func() (int, error) { return s.CountPositions(ctx, domain.PositionFilter{}) },
		"people":    func() (int, error) { return s.CountPeople(ctx, domain.PersonFilter{}) },
	} {
		want := map[string]int{"courses": len(ds.Courses), "positions": len(ds.Positions), "people": len(ds.People)}[what]
		if n, err := count(); err != nil || n != want {
			t.Errorf("%d %s stored, %v; want %d", n, what, err, want)
		}
	}
}
