package app_test

import (
	"cmap/domain"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"

	"cmap/app"
	"cmap/app/apptest"
	"cmap/memstore"
)

// recordReads counts the lists of every record that reach the store: a
// start that reads the records from the store makes three.
type recordReads struct {
	domain.Store
	lists     atomic.Int64
	unsettled atomic.Bool
}

func (s *recordReads) ListCourses(ctx context.Context, f domain.CourseFilter, p domain.Page) (domain.List[*domain.Course], error) {
	s.lists.Add(1)
	return s.Store.ListCourses(ctx, f, p)
}

func (s *recordReads) ListPositions(ctx context.Context, f domain.PositionFilter, p domain.Page) (domain.List[*domain.Position], error) {
	s.lists.Add(1)
	return s.Store.ListPositions(ctx, f, p)
}

func (s *recordReads) ListPeople(ctx context.Context, f domain.PersonFilter, p domain.Page) (domain.List[*domain.Person], error) {
	s.lists.Add(1)
	return s.Store.ListPeople(ctx, f, p)
}

func (s *recordReads) Versions(ctx context.Context) (domain.Versions, error) {
	v, err := s.Store.Versions(ctx)
	v.Unsettled = v.Unsettled || s.unsettled.Load()
	return v, err
}

// snapshotApp opens an App over store keeping its snapshot in file.
func snapshotApp(t *testing.T, store domain.Store, file string, logs *apptest.LogBuffer) *app.App {
	t.Helper()
	opts := app.Options{SnapshotFile: file}
	if logs != nil {
		opts.Logger = slog.New(slog.NewTextHandler(logs, nil))
	}
	return openApp(t, store, opts)
}

// sameRecords fails t unless two views serve the same records and facts.
func sameRecords(t *testing.T, got, want app.View) {
	t.Helper()
	gc, _ := got.Courses(domain.CourseFilter{}, domain.Page{})
	wc, _ := want.Courses(domain.CourseFilter{}, domain.Page{})
	gp, _ := got.Positions(domain.PositionFilter{}, domain.Page{})
	wp, _ := want.Positions(domain.PositionFilter{}, domain.Page{})
	gpe, _ := got.People(domain.PersonFilter{}, domain.Page{})
	wpe, _ := want.People(domain.PersonFilter{}, domain.Page{})
	if !reflect.DeepEqual(gc.Items, wc.Items) || !reflect.DeepEqual(gp.Items, wp.Items) || !reflect.DeepEqual(gpe.Items, wpe.Items) {
		t.Fatalf("the records differ: %d courses, %d positions, %d people; want %d, %d, %d (or their fields differ)",
			len(gc.Items), len(gp.Items), len(gpe.Items), len(wc.Items), len(wp.Items), len(wpe.Items))
	}
	if !reflect.DeepEqual(got.Framework(), want.Framework()) {
		t.Fatal("the frameworks differ")
	}
	for _, c := range wc.Items {
		if !reflect.DeepEqual(got.Coverage(c.Code), want.Coverage(c.Code)) {
			t.Fatalf("the coverage of %s differs", c.Code)
		}
	}
}

// A start over a snapshot file that holds the stored records serves them
// without listing any; a write by anyone since, a damaged file, another
// database or a write under way make the next start read the store, and
// it writes the file again.
func TestStartFromTheSnapshotFileWhileItHoldsTheStoredRecords(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store := &recordReads{Store: seededStore(t)}
	file := filepath.Join(t.TempDir(), "snapshot")
	logs := &apptest.LogBuffer{}

	first := snapshotApp(t, store, file, logs)
	if n := store.lists.Load(); n != 3 {
		t.Fatalf("a start without a snapshot file listed %d times, want 3", n)
	}
	// Written in the background after a start that read the store.
	apptest.WaitUntil(t, "the snapshot file is written", func() bool { _, err := os.Stat(file); return err == nil })
	first.Close()

	store.lists.Store(0)
	second := snapshotApp(t, store, file, logs)
	if n := store.lists.Load(); n != 0 {
		t.Fatalf("a start over a current snapshot file listed records %d times", n)
	}
	sameRecords(t, second.View(), first.View())
	if !strings.Contains(logs.String(), "source="+file) {
		t.Errorf("the start does not say it read %s:\n%s", file, logs)
	}

	// Another instance (or a tool) writes, or this one did before it was
	// killed: the file is stale, and the start catches up from the change
	// log, reading the records it names.
	second.Close()
	c, err := store.Course(ctx, "SCO-201")
	must(t, err)
	c.Title = "Written by another instance"
	must(t, store.UpdateCourse(ctx, c))
	store.lists.Store(0)
	third := snapshotApp(t, store, file, logs)
	if n := store.lists.Load(); n != 0 {
		t.Errorf("a start over a snapshot file one write behind listed %d times, want none", n)
	}
	if got, _ := third.View().Course("SCO-201"); got.Title != c.Title {
		t.Errorf("the start served %q, not the stored title", got.Title)
	}
	// A write of many records at once is not named by the log: the start
	// reads the store.
	third.Close()
	must(t, store.CreateCourses(ctx, []*domain.Course{course("SCO-901")}))
	store.lists.Store(0)
	third = snapshotApp(t, store, file, logs)
	if n := store.lists.Load(); n != 3 || !strings.Contains(logs.String(), "many records at once") {
		t.Errorf("a start after a write of many records listed %d times, want 3; log:\n%s", n, logs)
	}
	if _, err := third.View().Course("SCO-901"); err != nil {
		t.Errorf("the start does not serve the course written in bulk: %v", err)
	}
	third.Close() // writes the file again, for the store's version now
	store.lists.Store(0)
	sameRecords(t, snapshotApp(t, store, file, nil).View(), third.View())
	if n := store.lists.Load(); n != 0 {
		t.Errorf("the file rewritten at Close was not used: %d lists", n)
	}

	// A damaged file is not used, and is written again.
	data, err := os.ReadFile(file)
	must(t, err)
	data[len(data)/2] ^= 0x55
	must(t, os.WriteFile(file, data, 0o600))
	store.lists.Store(0)
	logs = &apptest.LogBuffer{}
	fourth := snapshotApp(t, store, file, logs)
	if n := store.lists.Load(); n != 3 || !strings.Contains(logs.String(), "checksum") {
		t.Errorf("a damaged file: %d lists, log:\n%s", n, logs)
	}
	sameRecords(t, fourth.View(), third.View())

	// A write under way (a lease held) makes the file untrusted.
	fourth.Close()
	store.unsettled.Store(true)
	store.lists.Store(0)
	snapshotApp(t, store, file, nil)
	if n := store.lists.Load(); n != 3 {
		t.Errorf("a start during a write listed %d times, want 3", n)
	}
}

// The file names one database: a copy of the database restored elsewhere,
// or another database, never matches it, even at the same data version.
func TestASnapshotFileOfAnotherDatabaseIsNotUsed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	original := memstore.New()
	must(t, original.PutFramework(ctx, sampleSeeds(t).Framework))
	must(t, original.CreateCourse(ctx, course("SCO-101")))
	restored := original.Clone() // a backup, restored
	file := filepath.Join(t.TempDir(), "snapshot")

	must(t, original.CreateCourse(ctx, course("SCO-201")))
	snapshotApp(t, original, file, nil).Close()
	// The restored copy is written to once too: same data version.
	must(t, restored.CreateCourse(ctx, course("SCO-301")))
	ov, err := original.Versions(ctx)
	must(t, err)
	rv, err := restored.Versions(ctx)
	must(t, err)
	if ov.Data != rv.Data {
		t.Fatalf("data versions %d and %d: the test needs them equal", ov.Data, rv.Data)
	}
	counted := &recordReads{Store: restored}
	a := snapshotApp(t, counted, file, nil)
	if n := counted.lists.Load(); n != 3 {
		t.Errorf("a start on another database listed %d times, want 3", n)
	}
	if _, err := a.View().Course("SCO-301"); err != nil {
		t.Errorf("the start does not serve the restored database's course: %v", err)
	}
	if _, err := a.View().Course("SCO-201"); err == nil {
		t.Error("the start serves a course of the other database")
	}
	// Nor later: the change log names the versions after the file's with
	// the other database's data ids.
	a.Close()
	must(t, original.CreateCourse(ctx, course("SCO-401")))
	snapshotApp(t, original, file, nil).Close()
	must(t, restored.CreateCourse(ctx, course("SCO-501")))
	must(t, restored.CreateCourse(ctx, course("SCO-601")))
	counted.lists.Store(0)
	a = snapshotApp(t, counted, file, nil)
	if n := counted.lists.Load(); n != 3 {
		t.Errorf("a start on another database ahead of the file listed %d times, want 3", n)
	}
	if _, err := a.View().Course("SCO-401"); err == nil {
		t.Error("the start serves a course of the other database")
	}
}

// raceWrites has another instance write a course right after each update
// of a course through this store, so that the App's write is not the only
// one between its reads of the data version.
type raceWrites struct{ domain.Store }

func (s raceWrites) UpdateCourse(ctx context.Context, c *domain.Course) error {
	if err := s.Store.UpdateCourse(ctx, c); err != nil {
		return err
	}
	other, err := s.Store.Course(ctx, "SCM-401")
	if err != nil {
		return err
	}
	other.Title = "Written by another instance meanwhile"
	return s.Store.UpdateCourse(ctx, other)
}

// An App whose write raced another instance's does not account for the
// other write, and its state is not labelled with the store's version:
// Close must not write a file that would start the next App without that
// write.
func TestCloseAfterARacedWriteLeavesNoSnapshotMissingIt(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	mem := smallCatalogue(t)
	file := filepath.Join(t.TempDir(), "snapshot")
	a := snapshotApp(t, raceWrites{mem}, file, nil)
	_, err := a.UpdateCourse(ctx, "SCO-101", 1, func(c *domain.Course) { c.Hours = 3 })
	must(t, err)
	if got, _ := a.View().Course("SCM-401"); got.Title == "Written by another instance meanwhile" {
		t.Fatal("the App saw the other write without a poll: the test does not race")
	}
	a.Close()
	b := snapshotApp(t, mem, file, nil)
	if got, _ := b.View().Course("SCM-401"); got.Title != "Written by another instance meanwhile" {
		t.Errorf("the next start serves %q: it started from a file that misses the other write", got.Title)
	}
	if got, _ := b.View().Course("SCO-101"); got.Hours != 3 {
		t.Errorf("the next start serves SCO-101 with %g hours, want the App's write (3)", got.Hours)
	}
}
