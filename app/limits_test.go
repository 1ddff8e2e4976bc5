package app_test

import (
	"cmap/domain"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"cmap/app"
	"cmap/app/apptest"
)

// legacyStore holds, besides its valid records, a course written before
// the size limits existed: a title of a megabyte.
type legacyStore struct {
	domain.Store
	legacy *domain.Course
}

func (s legacyStore) ListCourses(ctx context.Context, f domain.CourseFilter, p domain.Page) (domain.List[*domain.Course], error) {
	list, err := s.Store.ListCourses(ctx, f, p)
	list.Items = append(list.Items, s.legacy)
	return list, err
}

// TestOversizedStoredRecordIsReportedNotFatal: a database holding a record
// over the limits still opens; the record is served and the log names it
// and the field at fault.
func TestOversizedStoredRecordIsReportedNotFatal(t *testing.T) {
	t.Parallel()
	legacy := course("BIG-001")
	legacy.Title = strings.Repeat("x", 1<<20)
	legacy.Version = 1
	store := legacyStore{Store: seededStore(t), legacy: legacy}
	logs := &apptest.LogBuffer{}
	a := openApp(t, store, app.Options{Logger: slog.New(slog.NewTextHandler(logs, nil))})

	if c, err := a.View().Course("BIG-001"); err != nil || c.Title != legacy.Title {
		t.Errorf("the oversized course is not served: %v", err)
	}
	if !strings.Contains(logs.String(), "key=BIG-001 field=title") {
		t.Errorf("the oversized course was not reported:\n%.2000s", logs.String())
	}
	if strings.Count(logs.String(), "breaks the limits") != 1 {
		t.Errorf("valid records were reported too:\n%.2000s", logs.String())
	}
}

// TestCompletionsStopAtTheLimit: a person holding engine.MaxCompletions
// completions gets no more.
func TestCompletionsStopAtTheLimit(t *testing.T) {
	t.Parallel()
	a, _ := newApp(t)
	ctx := context.Background()
	must(t, a.CreateCourse(ctx, course("SCO-101")))
	p := &domain.Person{ID: "P-1", Name: "Ada"}
	first := day("2020-01-01")
	for i := range domain.MaxCompletions {
		p.Completions = append(p.Completions, domain.Completion{CourseCode: "SCO-101", Completed: first.Add(time.Duration(i) * time.Hour)})
	}
	must(t, a.CreatePerson(ctx, p))
	_, err := a.RecordCompletion(ctx, "P-1", "SCO-101", day("2024-03-01"))
	wantError(t, err, domain.EINVALID, "personId")
}
