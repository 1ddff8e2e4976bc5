package apptest_test

import (
	"cmap/domain"
	"maps"
	"sync"
	"testing"

	"cmap/app/apptest"
	"cmap/memstore"
)

func TestCountingStoreCountsTheNamedMethodsOnly(t *testing.T) {
	ctx := t.Context()
	s := apptest.NewCountingStore(memstore.New(), "Course", "ListCourses")
	if _, ok := domain.Store(s).(domain.ChangeWatcher); ok {
		t.Error("the CountingStore passes the memstore's ChangeWatcher on")
	}
	must(t, s.CreateCourse(ctx, &domain.Course{Code: "SCO-101", Title: "Supply chains", Hours: 8,
		DeliveryMode: domain.DeliveryOnline, Status: domain.CourseActive}))
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() {
			if _, err := s.Course(ctx, "SCO-101"); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if _, err := s.Course(ctx, "SCO-999"); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("Course(SCO-999) = %v, want not found: the store beneath answers", err)
	}
	_, err := s.ListCourses(ctx, domain.CourseFilter{}, domain.Page{})
	must(t, err)
	want := map[string]int{"Course": 4, "ListCourses": 1}
	if got := s.Calls(); !maps.Equal(got, want) {
		t.Errorf("Calls() = %v, want %v (CreateCourse not counted)", got, want)
	}
	if got := s.Reset(); !maps.Equal(got, want) {
		t.Errorf("Reset() = %v, want %v", got, want)
	}
	if got := s.Calls(); len(got) != 0 {
		t.Errorf("after Reset, Calls() = %v, want none", got)
	}
}
