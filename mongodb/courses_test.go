package mongodb_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"cmap/engine"
	"cmap/mongodb/mongotest"
)

// assertEqual fails t unless got and want are deeply equal.
// walkPages reads every page of two records through list, each page
// after the last key of the one before, and returns the keys in the order
// they came. It fails t when the pages do not end.
func walkPages[T any](t *testing.T, list func(engine.Page) (engine.List[T], error), key func(T) string) []string {
	t.Helper()
	var keys []string
	page := engine.Page{First: 2}
	for pages := 0; ; pages++ {
		if pages > 1000 {
			t.Fatal("pagination does not end")
		}
		l, err := list(page)
		if err != nil {
			t.Fatal(err)
		}
		for _, item := range l.Items {
			keys = append(keys, key(item))
		}
		if !l.HasNext {
			return keys
		}
		page.After = keys[len(keys)-1]
	}
}

func assertEqual(t *testing.T, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got  %+v\nwant %+v", got, want)
	}
}

// sampleCourse returns a valid course with every field set.
func sampleCourse(code string) *engine.Course {
	return &engine.Course{
		Code:          code,
		Title:         "Security Cooperation Management " + code,
		Description:   "Plans and executes security cooperation programs.",
		Objectives:    []string{"Describe the SC organizations", "Explain Title 10 authorities"},
		Topics:        []string{"security cooperation", "Title 10"},
		Hours:         37.5,
		DeliveryMode:  engine.DeliveryBlended,
		Provider:      "DSCU",
		Status:        engine.CourseActive,
		Prerequisites: []string{"SCO-101"},
	}
}

func TestCourseRoundTrip(t *testing.T) {
	ctx := context.Background()
	db := mongotest.Open(t)
	c := sampleCourse("SCO-201")
	before := time.Now().Add(-time.Second)
	if err := db.CreateCourse(ctx, c); err != nil {
		t.Fatal(err)
	}
	if c.Version != 1 || c.UpdatedAt.Before(before) {
		t.Errorf("after create: version %d, updatedAt %v", c.Version, c.UpdatedAt)
	}
	got, err := db.Course(ctx, "SCO-201")
	if err != nil {
		t.Fatal(err)
	}
	assertEqual(t, got, c)

	got.Title = "Security Cooperation Management, revised"
	got.Objectives = append(got.Objectives, "Apply the FMS process")
	got.Status = engine.CourseRetired
	if err := db.UpdateCourse(ctx, got); err != nil {
		t.Fatal(err)
	}
	if got.Version != 2 {
		t.Errorf("after update: version %d, want 2", got.Version)
	}
	again, err := db.Course(ctx, "SCO-201")
	if err != nil {
		t.Fatal(err)
	}
	assertEqual(t, again, got)

	if err := db.DeleteCourse(ctx, "SCO-201", 2); err != nil {
		t.Fatal(err)
	}
	_, err = db.Course(ctx, "SCO-201")
	wantCode(t, err, engine.ENOTFOUND)
}

func TestCourseErrors(t *testing.T) {
	ctx := context.Background()
	db := mongotest.Open(t)
	c := sampleCourse("SCO-201")
	if err := db.CreateCourse(ctx, c); err != nil {
		t.Fatal(err)
	}

	dup := sampleCourse("SCO-201")
	err := db.CreateCourse(ctx, dup)
	wantCode(t, err, engine.ECONFLICT)
	if engine.ErrorMessage(err) != "course SCO-201 exists" {
		t.Errorf("duplicate create: %q", engine.ErrorMessage(err))
	}
	if dup.Version != 0 {
		t.Errorf("failed create set version %d", dup.Version)
	}

	stale := *c
	stale.Version = 0
	err = db.UpdateCourse(ctx, &stale)
	wantCode(t, err, engine.ECONFLICT)
	if want := "course SCO-201 was changed by someone else: you have version 0, stored is 1"; engine.ErrorMessage(err) != want {
		t.Errorf("stale update: %q, want %q", engine.ErrorMessage(err), want)
	}
	wantCode(t, db.DeleteCourse(ctx, "SCO-201", 7), engine.ECONFLICT)

	missing := sampleCourse("SCO-999")
	missing.Version = 1
	wantCode(t, db.UpdateCourse(ctx, missing), engine.ENOTFOUND)
	wantCode(t, db.DeleteCourse(ctx, "SCO-999", 1), engine.ENOTFOUND)
	_, err = db.Course(ctx, "SCO-999")
	wantCode(t, err, engine.ENOTFOUND)

	bad := sampleCourse("SCO-202")
	bad.Objectives[1] = " "
	err = db.CreateCourse(ctx, bad)
	wantCode(t, err, engine.EINVALID)
	if f := engine.ErrorField(err); f != "objectives[1]" {
		t.Errorf("invalid create: field %q", f)
	}
	bad = sampleCourse("SCO-201")
	bad.Version = 1
	bad.DeliveryMode = "carrier pigeon"
	err = db.UpdateCourse(ctx, bad)
	wantCode(t, err, engine.EINVALID)
	if f := engine.ErrorField(err); f != "deliveryMode" {
		t.Errorf("invalid update: field %q", f)
	}
	stored, err := db.Course(ctx, "SCO-201")
	if err != nil {
		t.Fatal(err)
	}
	assertEqual(t, stored, c)
}

// createCourses stores courses with the given codes, each from
// sampleCourse, with provider and status varied by the caller.
func createCourses(t testing.TB, db interface {
	CreateCourse(context.Context, *engine.Course) error
}, courses ...*engine.Course) {
	t.Helper()
	for _, c := range courses {
		if err := db.CreateCourse(context.Background(), c); err != nil {
			t.Fatal(err)
		}
	}
}

func TestListCourses(t *testing.T) {
	ctx := context.Background()
	db := mongotest.Open(t)
	var all []string
	// Created out of order: lists come back in code order.
	for _, i := range []int{4, 1, 5, 3, 2} {
		c := sampleCourse(fmt.Sprintf("SCO-%d00", i))
		c.Title = fmt.Sprintf("Course number %d", i)
		if i%2 == 0 {
			c.Provider = "DISAM"
			c.Status = engine.CourseRetired
		}
		if i == 3 {
			c.Prerequisites = []string{"SCO-101", "SCO-200"}
		}
		createCourses(t, db, c)
	}
	for i := 1; i <= 5; i++ {
		all = append(all, fmt.Sprintf("SCO-%d00", i))
	}
	// Characters that are special in a regular expression match literally.
	odd := sampleCourse("FMS-101")
	odd.Title = "Foreign Military Sales (FMS) basics.*"
	createCourses(t, db, odd)

	walked := walkPages(t, func(p engine.Page) (engine.List[*engine.Course], error) {
		return db.ListCourses(ctx, engine.CourseFilter{Status: engine.CourseActive, Provider: "DSCU"}, p)
	}, func(c *engine.Course) string { return c.Code })
	assertEqual(t, walked, []string{"FMS-101", "SCO-100", "SCO-300", "SCO-500"})

	tests := []struct {
		name   string
		filter engine.CourseFilter
		want   []string
	}{
		{"all", engine.CourseFilter{}, append([]string{"FMS-101"}, all...)},
		{"retired", engine.CourseFilter{Status: engine.CourseRetired}, []string{"SCO-200", "SCO-400"}},
		{"provider", engine.CourseFilter{Provider: "DISAM"}, []string{"SCO-200", "SCO-400"}},
		{"search title, any case", engine.CourseFilter{Search: "NUMBER 3"}, []string{"SCO-300"}},
		{"requires one of several prerequisites", engine.CourseFilter{Requires: "SCO-200"}, []string{"SCO-300"}},
		{"requires a common prerequisite", engine.CourseFilter{Requires: "SCO-101"}, []string{"FMS-101", "SCO-100", "SCO-200", "SCO-300", "SCO-400", "SCO-500"}},
		{"requires nothing like it", engine.CourseFilter{Requires: "SCO-10"}, nil},
		{"search code", engine.CourseFilter{Search: "sco-2"}, []string{"SCO-200"}},
		{"search is literal", engine.CourseFilter{Search: "(fms) basics.*"}, []string{"FMS-101"}},
		{"regex characters match nothing else", engine.CourseFilter{Search: ".*"}, []string{"FMS-101"}},
		{"search and status", engine.CourseFilter{Search: "course", Status: engine.CourseActive}, []string{"SCO-100", "SCO-300", "SCO-500"}},
		{"nothing", engine.CourseFilter{Provider: "nobody"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := db.ListCourses(ctx, tt.filter, engine.Page{})
			if err != nil {
				t.Fatal(err)
			}
			var codes []string
			for _, c := range l.Items {
				codes = append(codes, c.Code)
			}
			assertEqual(t, codes, tt.want)
			if l.HasNext {
				t.Error("HasNext on a list of everything")
			}
			n, err := db.CountCourses(ctx, tt.filter)
			if err != nil || n != len(tt.want) {
				t.Errorf("CountCourses = %d, %v; want %d", n, err, len(tt.want))
			}
		})
	}

	l, err := db.ListCourses(ctx, engine.CourseFilter{}, engine.Page{After: "SCO-300", First: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Items) != 1 || l.Items[0].Code != "SCO-400" || !l.HasNext {
		t.Errorf("page after SCO-300: %+v", l)
	}
	_, err = db.ListCourses(ctx, engine.CourseFilter{}, engine.Page{First: -1})
	wantCode(t, err, engine.EINVALID)
}

func TestCoursesByCode(t *testing.T) {
	ctx := context.Background()
	db := mongotest.Open(t)
	createCourses(t, db, sampleCourse("SCO-100"), sampleCourse("SCO-200"), sampleCourse("SCO-300"))
	got, err := db.CoursesByCode(ctx, []string{"SCO-300", "SCO-999", "SCO-100"})
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, c := range got {
		codes = append(codes, c.Code)
	}
	assertEqual(t, codes, []string{"SCO-100", "SCO-300"})
	if got[0].Title != sampleCourse("SCO-100").Title {
		t.Errorf("CoursesByCode returned %+v", got[0])
	}
	none, err := db.CoursesByCode(ctx, nil)
	if err != nil || len(none) != 0 {
		t.Errorf("CoursesByCode(nil) = %v, %v", none, err)
	}
}
