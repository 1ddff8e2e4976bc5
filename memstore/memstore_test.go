package memstore_test

import (
	"cmap/domain"
	"context"
	"testing"
	"time"

	"cmap/memstore"
)

func sampleCourse(code string) *domain.Course {
	return &domain.Course{
		Code:          code,
		Title:         "Security Cooperation Fundamentals",
		Objectives:    []string{"Explain the SC process"},
		Topics:        []string{"security cooperation"},
		Hours:         40,
		DeliveryMode:  domain.DeliveryOnline,
		Provider:      "DSCU",
		Status:        domain.CourseActive,
		Prerequisites: []string{"SCO-101"},
	}
}

func TestCloneIsIndependent(t *testing.T) {
	ctx := context.Background()
	s := memstore.New()
	c := sampleCourse("SCO-201")
	must(t, s.CreateCourse(ctx, c))
	must(t, s.SaveCourseFacts(ctx, []domain.CourseFacts{{Course: "SCO-201", Revision: "r1",
		Coverage: []domain.Coverage{{SubCompetency: "1.A", Level: "Basic"}}}}))
	must(t, s.MarkSeeded(ctx, "sample"))

	clone := s.Clone()

	// Writes to the clone stay in the clone.
	changed := *c
	changed.Title = "Changed in the clone"
	must(t, clone.UpdateCourse(ctx, &changed))
	must(t, clone.CreateCourse(ctx, sampleCourse("SCO-301")))
	must(t, clone.DeleteFacts(ctx, []string{"SCO-201"}, nil))
	must(t, clone.MarkSeeded(ctx, "other"))
	// Writes to the original stay in the original.
	p := &domain.Person{ID: "P-1", Name: "Alex Morgan"}
	must(t, s.CreatePerson(ctx, p))
	_, err := s.RecordCompletion(ctx, p.ID, domain.Completion{CourseCode: "SCO-201", Completed: time.Now()})
	must(t, err)

	got, err := s.Course(ctx, "SCO-201")
	must(t, err)
	if got.Title != c.Title || got.Version != 1 {
		t.Errorf("original course after the clone's update: %+v", got)
	}
	if n, _ := s.CountCourses(ctx, domain.CourseFilter{}); n != 1 {
		t.Errorf("original has %d courses, want 1", n)
	}
	if facts, _ := s.CourseFacts(ctx); len(facts) != 1 {
		t.Errorf("original lost its facts: %+v", facts)
	}
	if name, _ := s.SeededWith(ctx); name != "sample" {
		t.Errorf("original seed mark = %q", name)
	}
	if _, err := clone.Person(ctx, "P-1"); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("person created in the original shows in the clone: %v", err)
	}
	// 1 shared write, then 2 in each: 5 if the counter were shared.
	for store, want := range map[*memstore.Store]int64{s: 3, clone: 3} {
		if v, _ := store.DataVersion(ctx); v != want {
			t.Errorf("DataVersion = %d, want %d", v, want)
		}
	}
	keys, err := clone.ListCourses(ctx, domain.CourseFilter{}, domain.Page{})
	must(t, err)
	if len(keys.Items) != 2 || keys.Items[0].Title != "Changed in the clone" {
		t.Errorf("clone's courses: %+v", keys.Items)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
