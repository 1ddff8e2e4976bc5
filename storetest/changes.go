package storetest

import (
	"cmap/domain"
	"context"
	"fmt"
	"slices"
	"testing"
	"time"
)

// testChangeLogNamesEveryWrite: each write of a record logs its kind and
// key under the data version it produced, with the data id drawn with it; failed writes and writes of
// facts and of the seed marker log nothing; any range reads back in order.
func testChangeLogNamesEveryWrite(t *testing.T, s domain.Store) {
	ctx := t.Context()
	var want []domain.Change
	check := func(what string, kind domain.ChangeKind, key string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		v, err := s.Versions(ctx)
		must(t, err)
		want = append(want, domain.Change{Version: int64(len(want) + 1), Kind: kind, Key: key, DataID: v.DataID})
	}
	if got, err := s.Changes(ctx, 0, 0); err != nil || len(got) != 0 {
		t.Fatalf("Changes(0, 0) of a new store = %v, %v", got, err)
	}
	check("PutFramework", domain.ChangeFramework, "", s.PutFramework(ctx, SampleFramework()))
	c := SampleCourse("SCO-201")
	check("CreateCourse", domain.ChangeCourse, c.Code, s.CreateCourse(ctx, c))
	p := SamplePosition("POS-0001")
	check("CreatePosition", domain.ChangePosition, p.ID, s.CreatePosition(ctx, p))
	check("UpdateCourse", domain.ChangeCourse, c.Code, s.UpdateCourse(ctx, c))
	person := SamplePerson("P-00001")
	check("CreatePerson", domain.ChangePerson, person.ID, s.CreatePerson(ctx, person))
	_, err := s.RecordCompletion(ctx, person.ID, domain.Completion{CourseCode: "SCO-301", Completed: time.Now()})
	check("RecordCompletion", domain.ChangePerson, person.ID, err)
	check("UpdatePosition", domain.ChangePosition, p.ID, s.UpdatePosition(ctx, p))
	person, err = s.Person(ctx, person.ID)
	must(t, err)
	check("UpdatePerson", domain.ChangePerson, person.ID, s.UpdatePerson(ctx, person))
	check("DeleteCourse", domain.ChangeCourse, c.Code, s.DeleteCourse(ctx, c.Code, c.Version))
	check("DeletePosition", domain.ChangePosition, p.ID, s.DeletePosition(ctx, p.ID, p.Version))
	check("DeletePerson", domain.ChangePerson, person.ID, s.DeletePerson(ctx, person.ID, person.Version))

	wantCode(t, s.CreateCourse(ctx, &domain.Course{Code: "bad"}), domain.EINVALID)
	wantCode(t, s.UpdatePosition(ctx, SamplePosition("POS-0404")), domain.ENOTFOUND)
	must(t, s.SaveCourseFacts(ctx, []domain.CourseFacts{{Course: "SCO-201", Revision: "r1"}}))
	must(t, s.DeleteFacts(ctx, []string{"SCO-201"}, nil))
	must(t, s.MarkSeeded(ctx, "sample"))

	last := int64(len(want))
	if v, err := s.DataVersion(ctx); err != nil || v != last {
		t.Fatalf("DataVersion = %d, %v; want %d", v, err, last)
	}
	got, err := s.Changes(ctx, 0, last)
	must(t, err)
	assertEqual(t, got, want)
	for _, r := range [][2]int64{{0, 1}, {3, 7}, {last - 1, last}, {4, 4}, {last, last}} {
		got, err := s.Changes(ctx, r[0], r[1])
		must(t, err)
		if w := want[r[0]:r[1]]; !slices.Equal(got, w) {
			t.Errorf("Changes(%d, %d) = %v, want %v", r[0], r[1], got, w)
		}
	}
	// Past the data version there are no entries yet: the result stops.
	got, err = s.Changes(ctx, last-2, last+5)
	must(t, err)
	assertEqual(t, got, want[last-2:])
	if got, err := s.Changes(ctx, last, last+5); err != nil || len(got) != 0 {
		t.Errorf("Changes after the data version = %v, %v; want none", got, err)
	}

	err = changesErr(s.Changes(ctx, -1, 3))
	wantCode(t, err, domain.EINVALID)
	wantField(t, err, "after")
	err = changesErr(s.Changes(ctx, 5, 4))
	wantCode(t, err, domain.EINVALID)
	wantField(t, err, "through")
}

// ChangeLogPruning checks that s keeps the entries of the last length
// versions (domain.ChangeLogLength, unless the store's own tests set it
// less to spare a thousand writes): a reader further behind gets
// ENOTFOUND, whatever the range it asks for; one within reach gets every
// entry. s must be new and empty.
func ChangeLogPruning(t *testing.T, s domain.Store, length int) {
	ctx := t.Context()
	p := SamplePosition("POS-0001")
	must(t, s.CreatePosition(ctx, p))
	for range length + 1 {
		must(t, s.UpdatePosition(ctx, p))
	}
	last := int64(length + 2)
	if v, err := s.DataVersion(ctx); err != nil || v != last {
		t.Fatalf("DataVersion = %d, %v; want %d", v, err, last)
	}
	for _, after := range []int64{0, 1} {
		_, err := s.Changes(ctx, after, last)
		wantCode(t, err, domain.ENOTFOUND)
		_, err = s.Changes(ctx, after, after+1)
		wantCode(t, err, domain.ENOTFOUND)
	}
	got, err := s.Changes(ctx, 2, last)
	must(t, err)
	if len(got) != length || got[0].Version != 3 || got[len(got)-1].Version != last {
		t.Fatalf("Changes(2, %d) = %v; want the %d entries from version 3", last, got, length)
	}
	for _, c := range got {
		if c.Kind != domain.ChangePosition || c.Key != p.ID {
			t.Fatalf("entry %+v, want one of position %s", c, p.ID)
		}
	}
}

// testWatchChanges: a store that can watch wakes its watcher after a
// write, including another watcher's, and closes the channel when the
// watch's context ends; one that cannot fails with EINTERNAL.
func testWatchChanges(t *testing.T, s domain.Store) {
	w, ok := s.(domain.ChangeWatcher)
	if !ok {
		t.Skip("the store does not implement domain.ChangeWatcher")
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	ch, err := w.WatchChanges(ctx)
	if err != nil {
		wantCode(t, err, domain.EINTERNAL)
		return
	}
	select {
	case <-ch:
		t.Fatal("woken before any write")
	default:
	}
	for i := range 3 {
		must(t, s.CreatePosition(t.Context(), SamplePosition(fmt.Sprintf("POS-%04d", i))))
	}
	select {
	case _, ok := <-ch:
		if !ok {
			t.Fatal("the channel closed instead of waking")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no wake-up within 10s of a write")
	}
	cancel()
	for range ch { // a wake-up may still be pending
	}
}

// changesErr returns the error of a call of Changes.
func changesErr(_ []domain.Change, err error) error { return err }

// wantCompleteLog fails t unless the change log holds one entry for every
// data version after since, each naming one of keys.
func wantCompleteLog(t *testing.T, s domain.Store, since int64, kind domain.ChangeKind, keys ...string) {
	t.Helper()
	ctx := t.Context()
	v, err := s.DataVersion(ctx)
	must(t, err)
	got, err := s.Changes(ctx, since, v)
	must(t, err)
	if int64(len(got)) != v-since {
		t.Fatalf("the change log holds %d entries after version %d, the data version is %d", len(got), since, v)
	}
	for _, c := range got {
		if c.Kind != kind || !slices.Contains(keys, c.Key) {
			t.Fatalf("entry %+v, want a %s among %v", c, kind, keys)
		}
	}
}
