package mongodb_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"cmap/engine"
	"cmap/mongodb/mongotest"
)

// day returns midnight UTC of a date.
func day(year int, month time.Month, d int) time.Time {
	return time.Date(year, month, d, 0, 0, 0, 0, time.UTC)
}

// samplePerson returns a valid person with every field set.
func samplePerson(id string) *engine.Person {
	return &engine.Person{
		ID:         id,
		Name:       "Alex Morgan",
		PositionID: "POS-0001",
		Completions: []engine.Completion{
			{CourseCode: "SCO-101", Completed: day(2023, time.March, 14)},
			{CourseCode: "SCO-201", Completed: day(2024, time.June, 2)},
		},
	}
}

func TestPersonRoundTrip(t *testing.T) {
	ctx := context.Background()
	db := mongotest.Open(t)
	p := samplePerson("P-00001")
	if err := db.CreatePerson(ctx, p); err != nil {
		t.Fatal(err)
	}
	got, err := db.Person(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	assertEqual(t, got, p)

	got.Name = "Alex J. Morgan"
	got.PositionID = ""
	got.Completions = got.Completions[:1]
	if err := db.UpdatePerson(ctx, got); err != nil {
		t.Fatal(err)
	}
	again, err := db.Person(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	assertEqual(t, again, got)

	wantCode(t, db.CreatePerson(ctx, samplePerson(p.ID)), engine.ECONFLICT)
	wantCode(t, db.UpdatePerson(ctx, p), engine.ECONFLICT)
	bad := samplePerson("P-00002")
	bad.Completions[1].CourseCode = "not a course"
	err = db.CreatePerson(ctx, bad)
	wantCode(t, err, engine.EINVALID)
	if f := engine.ErrorField(err); f != "completions[1].courseCode" {
		t.Errorf("invalid person: field %q", f)
	}
	if err := db.DeletePerson(ctx, p.ID, again.Version); err != nil {
		t.Fatal(err)
	}
	wantCode(t, db.DeletePerson(ctx, p.ID, again.Version), engine.ENOTFOUND)
}

func TestRecordCompletion(t *testing.T) {
	ctx := context.Background()
	db := mongotest.Open(t)
	p := samplePerson("P-00001")
	p.Completions = nil
	if err := db.CreatePerson(ctx, p); err != nil {
		t.Fatal(err)
	}
	first := engine.Completion{CourseCode: "SCO-101", Completed: day(2024, time.January, 9)}
	second := engine.Completion{CourseCode: "SCO-201", Completed: day(2024, time.May, 30)}
	got, err := db.RecordCompletion(ctx, p.ID, first)
	if err != nil {
		t.Fatal(err)
	}
	got, err = db.RecordCompletion(ctx, p.ID, second)
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != 3 || got.Name != p.Name || !got.UpdatedAt.After(p.UpdatedAt.Add(-time.Millisecond)) {
		t.Errorf("after two completions: %+v", got)
	}
	assertEqual(t, got.Completions, []engine.Completion{first, second})
	stored, err := db.Person(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	assertEqual(t, stored, got)

	_, err = db.RecordCompletion(ctx, "P-99999", first)
	wantCode(t, err, engine.ENOTFOUND)
	_, err = db.RecordCompletion(ctx, p.ID, engine.Completion{CourseCode: "SCO-101"})
	wantCode(t, err, engine.EINVALID)
	if f := engine.ErrorField(err); f != "completed" {
		t.Errorf("completion without a date: field %q", f)
	}
}

func TestListPeople(t *testing.T) {
	ctx := context.Background()
	db := mongotest.Open(t)
	names := []string{"Alex Morgan", "Blake Chen", "Casey Diaz", "Drew Evans", "Emery Fox"}
	for i, name := range names {
		p := samplePerson(fmt.Sprintf("P-%05d", i+1))
		p.Name = name
		p.PositionID = fmt.Sprintf("POS-%04d", i%2+1)
		if err := db.CreatePerson(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name   string
		filter engine.PersonFilter
		want   []string
	}{
		{"all", engine.PersonFilter{}, []string{"P-00001", "P-00002", "P-00003", "P-00004", "P-00005"}},
		{"position", engine.PersonFilter{PositionID: "POS-0002"}, []string{"P-00002", "P-00004"}},
		{"search name", engine.PersonFilter{Search: "diaz"}, []string{"P-00003"}},
		{"search id and position", engine.PersonFilter{Search: "p-0000", PositionID: "POS-0001"}, []string{"P-00001", "P-00003", "P-00005"}},
		{"several positions", engine.PersonFilter{PositionIDs: []string{"POS-0002", "POS-0009"}}, []string{"P-00002", "P-00004"}},
		{"several positions and one", engine.PersonFilter{PositionIDs: []string{"POS-0001", "POS-0002"}, PositionID: "POS-0001"}, []string{"P-00001", "P-00003", "P-00005"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ids := walkPages(t, func(p engine.Page) (engine.List[*engine.Person], error) {
				return db.ListPeople(ctx, tt.filter, p)
			}, func(p *engine.Person) string { return p.ID })
			assertEqual(t, ids, tt.want)
			n, err := db.CountPeople(ctx, tt.filter)
			if err != nil || n != len(tt.want) {
				t.Errorf("CountPeople = %d, %v; want %d", n, err, len(tt.want))
			}
		})
	}
	got, err := db.PeopleByID(ctx, []string{"P-00005", "P-00001"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Name != "Alex Morgan" || got[1].Name != "Emery Fox" || len(got[1].Completions) != 2 {
		t.Errorf("PeopleByID: %+v", got)
	}
}
