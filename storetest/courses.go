package storetest

import (
	"cmap/domain"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

func testCourseRoundTrip(t *testing.T, s domain.Store) {
	ctx := t.Context()
	c := SampleCourse("SCO-201")
	before := time.Now().Add(-time.Second)
	must(t, s.CreateCourse(ctx, c))
	if c.Version != 1 || c.UpdatedAt.Before(before) {
		t.Errorf("after create: version %d, updatedAt %v", c.Version, c.UpdatedAt)
	}
	got, err := s.Course(ctx, "SCO-201")
	must(t, err)
	assertEqual(t, got, c)

	got.Title = "Security Cooperation Management, revised"
	got.Objectives = append(got.Objectives, "Apply the FMS process")
	got.Status = domain.CourseRetired
	created := got.UpdatedAt
	must(t, s.UpdateCourse(ctx, got))
	if got.Version != 2 || got.UpdatedAt.Before(created) {
		t.Errorf("after update: version %d, updatedAt %v; want 2, not before %v", got.Version, got.UpdatedAt, created)
	}
	again, err := s.Course(ctx, "SCO-201")
	must(t, err)
	assertEqual(t, again, got)

	must(t, s.DeleteCourse(ctx, "SCO-201", 2))
	_, err = s.Course(ctx, "SCO-201")
	wantCode(t, err, domain.ENOTFOUND)
	if want := `course "SCO-201" not found`; domain.ErrorMessage(err) != want {
		t.Errorf("missing course: %q, want %q", domain.ErrorMessage(err), want)
	}
	wantCode(t, s.DeleteCourse(ctx, "SCO-201", 2), domain.ENOTFOUND)
}

func testCourseErrors(t *testing.T, s domain.Store) {
	ctx := t.Context()
	c := SampleCourse("SCO-201")
	must(t, s.CreateCourse(ctx, c))

	dup := SampleCourse("SCO-201")
	err := s.CreateCourse(ctx, dup)
	wantCode(t, err, domain.ECONFLICT)
	if domain.ErrorMessage(err) != "course SCO-201 exists" {
		t.Errorf("duplicate create: %q", domain.ErrorMessage(err))
	}
	if dup.Version != 0 || !dup.UpdatedAt.IsZero() {
		t.Errorf("failed create set version %d, updatedAt %v", dup.Version, dup.UpdatedAt)
	}

	stale := *c
	stale.Version = 0
	err = s.UpdateCourse(ctx, &stale)
	wantCode(t, err, domain.ECONFLICT)
	if want := "course SCO-201 was changed by someone else: you have version 0, stored is 1"; domain.ErrorMessage(err) != want {
		t.Errorf("stale update: %q, want %q", domain.ErrorMessage(err), want)
	}
	if stale.Version != 0 {
		t.Errorf("failed update set version %d", stale.Version)
	}
	wantCode(t, s.DeleteCourse(ctx, "SCO-201", 7), domain.ECONFLICT)

	missing := SampleCourse("SCO-999")
	missing.Version = 1
	wantCode(t, s.UpdateCourse(ctx, missing), domain.ENOTFOUND)
	wantCode(t, s.DeleteCourse(ctx, "SCO-999", 1), domain.ENOTFOUND)
	_, err = s.Course(ctx, "SCO-999")
	wantCode(t, err, domain.ENOTFOUND)

	bad := SampleCourse("SCO-202")
	bad.Objectives[1] = " "
	err = s.CreateCourse(ctx, bad)
	wantCode(t, err, domain.EINVALID)
	wantField(t, err, "objectives[1]")
	_, err = s.Course(ctx, "SCO-202")
	wantCode(t, err, domain.ENOTFOUND)

	bad = SampleCourse("SCO-201")
	bad.Version = 1
	bad.DeliveryMode = "carrier pigeon"
	err = s.UpdateCourse(ctx, bad)
	wantCode(t, err, domain.EINVALID)
	wantField(t, err, "deliveryMode")
	stored, err := s.Course(ctx, "SCO-201")
	must(t, err)
	assertEqual(t, stored, c)
}

func testListCourses(t *testing.T, s domain.Store) {
	ctx := t.Context()
	var all []string
	// Created out of order: lists come back in code order.
	for _, i := range []int{4, 1, 5, 3, 2} {
		c := SampleCourse(fmt.Sprintf("SCO-%d00", i))
		c.Title = fmt.Sprintf("Course number %d", i)
		if i%2 == 0 {
			c.Provider = "DISAM"
			c.Status = domain.CourseRetired
		}
		if i == 3 {
			c.Prerequisites = []string{"SCO-101", "SCO-200"}
		}
		must(t, s.CreateCourse(ctx, c))
	}
	for i := 1; i <= 5; i++ {
		all = append(all, fmt.Sprintf("SCO-%d00", i))
	}
	// Characters that are special in a regular expression match literally.
	odd := SampleCourse("FMS-101")
	odd.Title = "Foreign Military Sales (FMS) basics.*"
	must(t, s.CreateCourse(ctx, odd))

	walked := walkPages(t, func(p domain.Page) (domain.List[*domain.Course], error) {
		return s.ListCourses(ctx, domain.CourseFilter{Status: domain.CourseActive, Provider: "DSCU"}, p)
	}, courseCode)
	assertEqual(t, walked, []string{"FMS-101", "SCO-100", "SCO-300", "SCO-500"})

	tests := []struct {
		name   string
		filter domain.CourseFilter
		want   []string
	}{
		{"all", domain.CourseFilter{}, append([]string{"FMS-101"}, all...)},
		{"retired", domain.CourseFilter{Status: domain.CourseRetired}, []string{"SCO-200", "SCO-400"}},
		{"provider", domain.CourseFilter{Provider: "DISAM"}, []string{"SCO-200", "SCO-400"}},
		{"search title, any case", domain.CourseFilter{Search: "NUMBER 3"}, []string{"SCO-300"}},
		{"requires one of several prerequisites", domain.CourseFilter{Requires: "SCO-200"}, []string{"SCO-300"}},
		{"requires a common prerequisite", domain.CourseFilter{Requires: "SCO-101"}, []string{"FMS-101", "SCO-100", "SCO-200", "SCO-300", "SCO-400", "SCO-500"}},
		{"requires nothing like it", domain.CourseFilter{Requires: "SCO-10"}, nil},
		{"search code", domain.CourseFilter{Search: "sco-2"}, []string{"SCO-200"}},
		{"search is literal", domain.CourseFilter{Search: "(fms) basics.*"}, []string{"FMS-101"}},
		{"regex characters match nothing else", domain.CourseFilter{Search: ".*"}, []string{"FMS-101"}},
		{"search and status", domain.CourseFilter{Search: "course", Status: domain.CourseActive}, []string{"SCO-100", "SCO-300", "SCO-500"}},
		{"nothing", domain.CourseFilter{Provider: "nobody"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := s.ListCourses(ctx, tt.filter, domain.Page{})
			must(t, err)
			assertEqual(t, keysOf(l.Items, courseCode), tt.want)
			if l.HasNext {
				t.Error("HasNext on a list of everything")
			}
			n, err := s.CountCourses(ctx, tt.filter)
			if err != nil || n != len(tt.want) {
				t.Errorf("CountCourses = %d, %v; want %d", n, err, len(tt.want))
			}
		})
	}

	pages := []struct {
		page    domain.Page
		want    []string
		hasNext bool
	}{
		{domain.Page{After: "SCO-300", First: 1}, []string{"SCO-400"}, true},
		{domain.Page{After: "SCO-350", First: 2}, []string{"SCO-400", "SCO-500"}, false},
		{domain.Page{After: "SCO-300"}, []string{"SCO-400", "SCO-500"}, false},
		{domain.Page{First: 6}, append([]string{"FMS-101"}, all...), false},
		{domain.Page{After: "SCO-500", First: 3}, nil, false},
	}
	for _, p := range pages {
		l, err := s.ListCourses(ctx, domain.CourseFilter{}, p.page)
		must(t, err)
		if got := keysOf(l.Items, courseCode); !slices.Equal(got, p.want) || l.HasNext != p.hasNext {
			t.Errorf("page %+v: %v, HasNext %v; want %v, %v", p.page, got, l.HasNext, p.want, p.hasNext)
		}
	}
	_, err := s.ListCourses(ctx, domain.CourseFilter{}, domain.Page{First: -1})
	wantCode(t, err, domain.EINVALID)
	wantField(t, err, "first")
}

func testCoursesByCode(t *testing.T, s domain.Store) {
	ctx := t.Context()
	for _, code := range []string{"SCO-300", "SCO-100", "SCO-200"} {
		must(t, s.CreateCourse(ctx, SampleCourse(code)))
	}
	// In any order, each once.
	got, err := s.CoursesByCode(ctx, []string{"SCO-300", "SCO-999", "SCO-100", "SCO-300"})
	must(t, err)
	slices.SortFunc(got, func(a, b *domain.Course) int { return strings.Compare(a.Code, b.Code) })
	assertEqual(t, keysOf(got, courseCode), []string{"SCO-100", "SCO-300"})
	stored, err := s.Course(ctx, "SCO-100")
	must(t, err)
	assertEqual(t, got[0], stored)
	none, err := s.CoursesByCode(ctx, nil)
	if err != nil || len(none) != 0 {
		t.Errorf("CoursesByCode(nil) = %v, %v", none, err)
	}
}
