// Package storetest is the conformance suite of domain.Store, after the
// pattern of log/slog's testing/slogtest: every implementation runs the same
// tests, so that what one store answers the others answer too.
//
//	func TestStore(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) domain.Store { return mongotest.Open(t) })
//	}
//
// The suite covers every Store method and every error code the Store
// documents, and also what package mongodb does where the interface is
// silent and callers depend on it: lists in byte order of the natural key,
// times at millisecond precision in UTC, empty lists read back as nil,
// records copied in and out, DataVersion left alone by facts and seed
// writes, a done context failing with EINTERNAL, bulk creates that leave
// nothing behind when they refuse, and the counters of Versions. Stores
// that implement domain.ChangeWatcher are checked to wake their watchers
// or to fail with EINTERNAL.
//
// RaceUpdates and RaceCompletions are also exported so that a store with
// several clients on one database can race them against each other, and
// ChangeLogPruning so that a store's own tests can run it with a log
// shorter than domain.ChangeLogLength (a thousand writes are seconds on
// FerretDB).
package storetest

import (
	"cmap/domain"
	"reflect"
	"testing"
	"time"
)

// Run runs the suite against the stores open returns. open is called once
// per test and must return a new, empty store; it registers with t
// whatever cleanup the store needs.
func Run(t *testing.T, open func(t *testing.T) domain.Store) {
	tests := []struct {
		name string
		test func(*testing.T, domain.Store)
	}{
		{"CourseRoundTrip", testCourseRoundTrip},
		{"CourseErrors", testCourseErrors},
		{"ListCourses", testListCourses},
		{"CoursesByCode", testCoursesByCode},
		{"PositionRoundTrip", testPositionRoundTrip},
		{"ListPositions", testListPositions},
		{"PersonRoundTrip", testPersonRoundTrip},
		{"RecordCompletion", testRecordCompletion},
		{"ListPeople", testListPeople},
		{"EmptyListsReadBackNil", testEmptyListsReadBackNil},
		{"RecordsAreCopied", testRecordsAreCopied},
		{"Framework", testFramework},
		{"FrameworkRevisions", testFrameworkRevisions},
		{"CourseFacts", testCourseFacts},
		{"PositionFacts", testPositionFacts},
		{"DataVersionCountsRecordWrites", testDataVersionCountsRecordWrites},
		{"ChangeLogNamesEveryWrite", testChangeLogNamesEveryWrite},
		{"WatchChanges", testWatchChanges},
		{"SeedMarker", testSeedMarker},
		{"Versions", testVersions},
		{"BulkCreateCourses", func(t *testing.T, s domain.Store) { testBulkCreate(t, s, courseBulk) }},
		{"BulkCreatePositions", func(t *testing.T, s domain.Store) { testBulkCreate(t, s, positionBulk) }},
		{"BulkCreatePeople", func(t *testing.T, s domain.Store) { testBulkCreate(t, s, personBulk) }},
		{"Ping", testPing},
		{"APIKeys", testAPIKeys},
		{"AuditTrail", testAuditTrail},
		{"AuditField", testAuditField},
		{"ImportJournals", testImportJournals},
		{"AuditRequest", testAuditRequest},
		{"Idempotency", testIdempotency},
		{"PruneIdempotency", testPruneIdempotency},
		{"RaceIdempotency", testRaceIdempotency},
		{"DoneContext", testDoneContext},
		{"RaceUpdates", func(t *testing.T, s domain.Store) { RaceUpdates(t, s) }},
		{"RaceCompletions", func(t *testing.T, s domain.Store) { RaceCompletions(t, s) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.test(t, open(t)) })
	}
	t.Run("DataIDsDiffer", func(t *testing.T) {
		a, err := open(t).Versions(t.Context())
		must(t, err)
		b, err := open(t).Versions(t.Context())
		must(t, err)
		if a.DataID == b.DataID {
			t.Errorf("two new stores have the same DataID %q", a.DataID)
		}
	})
}

// SampleCourse returns a valid course with every field set (Version and
// UpdatedAt excepted) and code as its code.
func SampleCourse(code string) *domain.Course {
	return &domain.Course{
		Code:          code,
		Title:         "Security Cooperation Management " + code,
		Description:   "Plans and executes security cooperation programs.",
		Objectives:    []string{"Describe the SC organizations", "Explain Title 10 authorities"},
		Topics:        []string{"security cooperation", "Title 10"},
		Hours:         37.5,
		DeliveryMode:  domain.DeliveryBlended,
		Provider:      "DSCU",
		Status:        domain.CourseActive,
		Prerequisites: []string{"SCO-101"},
	}
}

// SamplePosition returns a valid position with every field set and id as
// its id.
func SamplePosition(id string) *domain.Position {
	return &domain.Position{
		ID:           id,
		Title:        "Security Cooperation Officer",
		Organization: "ODC Warsaw",
		Grade:        "O-4",
		Category:     "SCO",
		KeyBillet:    true,
		Region:       "EUCOM",
	}
}

// SamplePerson returns a valid person with every field set, two
// completions at midnight UTC, and id as their id.
func SamplePerson(id string) *domain.Person {
	return &domain.Person{
		ID:         id,
		Name:       "Alex Morgan",
		PositionID: "POS-0001",
		Completions: []domain.Completion{
			{CourseCode: "SCO-101", Completed: day(2023, time.March, 14)},
			{CourseCode: "SCO-201", Completed: day(2024, time.June, 2)},
		},
	}
}

// SampleFramework returns a valid framework of two competencies.
func SampleFramework() *domain.Framework {
	return &domain.Framework{
		Name: "Security Cooperation",
		Competencies: []domain.Competency{
			{Code: "1.0", Title: "Security Cooperation Foundations", Description: "Purpose and authorities.",
				SubCompetencies: []domain.SubCompetency{
					{Code: "1.A", Statement: "Explains the purpose of security cooperation."},
					{Code: "1.B", Statement: "Applies the legal authorities."},
				}},
			{Code: "2.0", Title: "Planning", SubCompetencies: []domain.SubCompetency{
				{Code: "2.A", Statement: "Builds a country plan."},
			}},
		},
	}
}

// day returns midnight UTC of a date.
func day(year int, month time.Month, d int) time.Time {
	return time.Date(year, month, d, 0, 0, 0, 0, time.UTC)
}

// must fails t if err is not nil.
func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// wantCode fails t unless err is an *domain.Error with code.
func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := domain.ErrorCode(err); got != code {
		t.Fatalf("error %v has code %q, want %q", err, got, code)
	}
}

// wantField fails t unless err names field.
func wantField(t *testing.T, err error, field string) {
	t.Helper()
	if got := domain.ErrorField(err); got != field {
		t.Errorf("error %v names field %q, want %q", err, got, field)
	}
}

// assertEqual fails t unless got and want are deeply equal.
func assertEqual(t *testing.T, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got  %+v\nwant %+v", got, want)
	}
}

// walkPages reads every page of two records through list, each page
// after the last key of the one before, and returns the keys in the order
// they came. It fails t when the pages do not end.
func walkPages[T any](t *testing.T, list func(domain.Page) (domain.List[T], error), key func(T) string) []string {
	t.Helper()
	var keys []string
	page := domain.Page{First: 2}
	for pages := 0; ; pages++ {
		if pages > 1000 {
			t.Fatal("pagination does not end")
		}
		l, err := list(page)
		if err != nil {
			t.Fatal(err)
		}
		if len(l.Items) > page.First {
			t.Fatalf("page of %d asked for %d", len(l.Items), page.First)
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

// keysOf returns the key of each item.
func keysOf[T any](items []T, key func(T) string) []string {
	var keys []string
	for _, item := range items {
		keys = append(keys, key(item))
	}
	return keys
}

func courseCode(c *domain.Course) string   { return c.Code }
func positionID(p *domain.Position) string { return p.ID }
func personID(p *domain.Person) string     { return p.ID }
