package mongodb_test

import (
	"context"
	"testing"
	"time"

	"cmap/engine"
	"cmap/mongodb/mongotest"
)

func TestDataVersionCountsRecordWrites(t *testing.T) {
	ctx := context.Background()
	db := mongotest.Open(t)
	want := int64(0)
	check := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		want++
		if v, err := db.DataVersion(ctx); err != nil || v != want {
			t.Fatalf("DataVersion after %s = %d, %v; want %d", what, v, err, want)
		}
	}
	if v, err := db.DataVersion(ctx); err != nil || v != 0 {
		t.Fatalf("DataVersion of a new database = %d, %v", v, err)
	}
	check("PutFramework", db.PutFramework(ctx, sampleFramework()))
	c := sampleCourse("SCO-201")
	check("CreateCourse", db.CreateCourse(ctx, c))
	check("UpdateCourse", db.UpdateCourse(ctx, c))
	check("DeleteCourse", db.DeleteCourse(ctx, c.Code, c.Version))
	p := samplePosition("POS-0001")
	check("CreatePosition", db.CreatePosition(ctx, p))
	check("UpdatePosition", db.UpdatePosition(ctx, p))
	check("DeletePosition", db.DeletePosition(ctx, p.ID, p.Version))
	person := samplePerson("P-00001")
	check("CreatePerson", db.CreatePerson(ctx, person))
	check("UpdatePerson", db.UpdatePerson(ctx, person))
	_, err := db.RecordCompletion(ctx, person.ID, engine.Completion{CourseCode: "SCO-301", Completed: time.Now()})
	check("RecordCompletion", err)
	check("DeletePerson", db.DeletePerson(ctx, person.ID, person.Version+1))

	// Failed writes leave it alone.
	wantCode(t, db.CreateCourse(ctx, &engine.Course{Code: "bad"}), engine.EINVALID)
	wantCode(t, db.DeleteCourse(ctx, "SCO-201", 9), engine.ENOTFOUND)
	if v, err := db.DataVersion(ctx); err != nil || v != want {
		t.Fatalf("DataVersion after failed writes = %d, %v; want %d", v, err, want)
	}
}

func TestSeedMarker(t *testing.T) {
	ctx := context.Background()
	db := mongotest.Open(t)
	if name, err := db.SeededWith(ctx); err != nil || name != "" {
		t.Fatalf("SeededWith on a new database = %q, %v", name, err)
	}
	if err := db.MarkSeeded(ctx, "sample-2025"); err != nil {
		t.Fatal(err)
	}
	if name, err := db.SeededWith(ctx); err != nil || name != "sample-2025" {
		t.Fatalf("SeededWith = %q, %v; want sample-2025", name, err)
	}
	if err := db.MarkSeeded(ctx, "dod-scale"); err != nil {
		t.Fatal(err)
	}
	if name, err := db.SeededWith(ctx); err != nil || name != "dod-scale" {
		t.Fatalf("SeededWith after a second mark = %q, %v", name, err)
	}
	wantCode(t, db.MarkSeeded(ctx, ""), engine.EINVALID)
}
