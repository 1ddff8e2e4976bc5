package storetest

import (
	"cmap/domain"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

func testPersonRoundTrip(t *testing.T, s domain.Store) {
	ctx := t.Context()
	p := SamplePerson("P-00001")
	must(t, s.CreatePerson(ctx, p))
	got, err := s.Person(ctx, p.ID)
	must(t, err)
	assertEqual(t, got, p)

	got.Name = "Alex J. Morgan"
	got.PositionID = ""
	got.Completions = got.Completions[:1]
	must(t, s.UpdatePerson(ctx, got))
	again, err := s.Person(ctx, p.ID)
	must(t, err)
	assertEqual(t, again, got)

	wantCode(t, s.CreatePerson(ctx, SamplePerson(p.ID)), domain.ECONFLICT)
	wantCode(t, s.UpdatePerson(ctx, p), domain.ECONFLICT)
	bad := SamplePerson("P-00002")
	bad.Completions[1].CourseCode = "not a course!"
	err = s.CreatePerson(ctx, bad)
	wantCode(t, err, domain.EINVALID)
	wantField(t, err, "completions[1].courseCode")
	missing := SamplePerson("P-00404")
	missing.Version = 1
	wantCode(t, s.UpdatePerson(ctx, missing), domain.ENOTFOUND)
	wantCode(t, s.DeletePerson(ctx, p.ID, 1), domain.ECONFLICT)
	must(t, s.DeletePerson(ctx, p.ID, again.Version))
	wantCode(t, s.DeletePerson(ctx, p.ID, again.Version), domain.ENOTFOUND)
	_, err = s.Person(ctx, p.ID)
	wantCode(t, err, domain.ENOTFOUND)
}

func testRecordCompletion(t *testing.T, s domain.Store) {
	ctx := t.Context()
	p := SamplePerson("P-00001")
	p.Completions = nil
	must(t, s.CreatePerson(ctx, p))
	first := domain.Completion{CourseCode: "SCO-101", Completed: day(2024, time.January, 9)}
	// Stored as a BSON date keeps it: UTC, to the millisecond.
	second := domain.Completion{CourseCode: "SCO-201",
		Completed: time.Date(2024, time.May, 30, 16, 4, 5, 123456789, time.FixedZone("CEST", 2*60*60))}
	secondStored := domain.Completion{CourseCode: "SCO-201", Completed: time.Date(2024, time.May, 30, 14, 4, 5, 123000000, time.UTC)}
	got, err := s.RecordCompletion(ctx, p.ID, first)
	must(t, err)
	got, err = s.RecordCompletion(ctx, p.ID, second)
	must(t, err)
	if got.Version != 3 || got.Name != p.Name || got.PositionID != p.PositionID || got.UpdatedAt.Before(p.UpdatedAt) {
		t.Errorf("after two completions: %+v", got)
	}
	assertEqual(t, got.Completions, []domain.Completion{first, secondStored})
	stored, err := s.Person(ctx, p.ID)
	must(t, err)
	assertEqual(t, stored, got)

	// The store appends what it is given; the App skips a completion the
	// person already has.
	got, err = s.RecordCompletion(ctx, p.ID, first)
	must(t, err)
	assertEqual(t, got.Completions, []domain.Completion{first, secondStored, first})

	_, err = s.RecordCompletion(ctx, "P-99999", first)
	wantCode(t, err, domain.ENOTFOUND)
	_, err = s.RecordCompletion(ctx, p.ID, domain.Completion{CourseCode: "SCO-101"})
	wantCode(t, err, domain.EINVALID)
	wantField(t, err, "completed")
	stored, err = s.Person(ctx, p.ID)
	must(t, err)
	if stored.Version != 4 || len(stored.Completions) != 3 {
		t.Errorf("failed completions changed the person: %+v", stored)
	}
}

func testListPeople(t *testing.T, s domain.Store) {
	ctx := t.Context()
	names := []string{"Alex Morgan", "Blake Chen", "Casey Diaz", "Drew Evans", "Emery Fox"}
	for _, i := range []int{4, 2, 0, 3, 1} {
		p := SamplePerson(fmt.Sprintf("P-%05d", i+1))
		p.Name = names[i]
		p.PositionID = fmt.Sprintf("POS-%04d", i%2+1)
		must(t, s.CreatePerson(ctx, p))
	}
	unassigned := SamplePerson("P-00006")
	unassigned.Name, unassigned.PositionID = "Finley Gray", ""
	must(t, s.CreatePerson(ctx, unassigned))
	tests := []struct {
		name   string
		filter domain.PersonFilter
		want   []string
	}{
		{"all", domain.PersonFilter{}, []string{"P-00001", "P-00002", "P-00003", "P-00004", "P-00005", "P-00006"}},
		{"position", domain.PersonFilter{PositionID: "POS-0002"}, []string{"P-00002", "P-00004"}},
		{"search name", domain.PersonFilter{Search: "diaz"}, []string{"P-00003"}},
		{"search id and position", domain.PersonFilter{Search: "p-0000", PositionID: "POS-0001"}, []string{"P-00001", "P-00003", "P-00005"}},
		{"several positions", domain.PersonFilter{PositionIDs: []string{"POS-0002", "POS-0009"}}, []string{"P-00002", "P-00004"}},
		{"several positions and one", domain.PersonFilter{PositionIDs: []string{"POS-0001", "POS-0002"}, PositionID: "POS-0001"}, []string{"P-00001", "P-00003", "P-00005"}},
		{"positions and one that disagree", domain.PersonFilter{PositionIDs: []string{"POS-0002"}, PositionID: "POS-0001"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ids := walkPages(t, func(p domain.Page) (domain.List[*domain.Person], error) {
				return s.ListPeople(ctx, tt.filter, p)
			}, personID)
			assertEqual(t, ids, tt.want)
			n, err := s.CountPeople(ctx, tt.filter)
			if err != nil || n != len(tt.want) {
				t.Errorf("CountPeople = %d, %v; want %d", n, err, len(tt.want))
			}
		})
	}
	_, err := s.ListPeople(ctx, domain.PersonFilter{}, domain.Page{First: -1})
	wantCode(t, err, domain.EINVALID)

	got, err := s.PeopleByID(ctx, []string{"P-00005", "P-00001", "P-00404"})
	must(t, err)
	slices.SortFunc(got, func(a, b *domain.Person) int { return strings.Compare(a.ID, b.ID) })
	assertEqual(t, keysOf(got, personID), []string{"P-00001", "P-00005"})
	stored, err := s.Person(ctx, "P-00005")
	must(t, err)
	assertEqual(t, got[1], stored)
	none, err := s.PeopleByID(ctx, nil)
	if err != nil || len(none) != 0 {
		t.Errorf("PeopleByID(nil) = %v, %v", none, err)
	}
}

// testEmptyListsReadBackNil: an empty list is stored as no list and reads
// back as nil, whether it was given empty or nil.
func testEmptyListsReadBackNil(t *testing.T, s domain.Store) {
	ctx := t.Context()
	c := SampleCourse("SCO-201")
	c.Objectives, c.Topics, c.Prerequisites = []string{}, []string{}, nil
	must(t, s.CreateCourse(ctx, c))
	got, err := s.Course(ctx, c.Code)
	must(t, err)
	if got.Objectives != nil || got.Topics != nil || got.Prerequisites != nil {
		t.Errorf("course with empty lists read back as %#v", got)
	}
	p := SamplePerson("P-00001")
	p.Completions = []domain.Completion{}
	must(t, s.CreatePerson(ctx, p))
	person, err := s.Person(ctx, p.ID)
	must(t, err)
	if person.Completions != nil {
		t.Errorf("person with no completions read back as %#v", person)
	}
}

// testRecordsAreCopied: a caller cannot change what is stored through the
// record it gave or the one it got.
func testRecordsAreCopied(t *testing.T, s domain.Store) {
	ctx := t.Context()
	c := SampleCourse("SCO-201")
	must(t, s.CreateCourse(ctx, c))
	want := *c
	want.Objectives = slices.Clone(c.Objectives)
	c.Title = "Changed by the caller"
	c.Objectives[0] = "Changed by the caller"
	got, err := s.Course(ctx, c.Code)
	must(t, err)
	got.Topics[0] = "Changed through a returned course"
	listed, err := s.ListCourses(ctx, domain.CourseFilter{}, domain.Page{})
	must(t, err)
	listed.Items[0].Prerequisites[0] = "SCO-666"
	byCode, err := s.CoursesByCode(ctx, []string{c.Code})
	must(t, err)
	byCode[0].Objectives[1] = "Changed through CoursesByCode"
	again, err := s.Course(ctx, c.Code)
	must(t, err)
	assertEqual(t, again, &want)

	p := SamplePerson("P-00001")
	must(t, s.CreatePerson(ctx, p))
	p.Completions[0].CourseCode = "SCO-666"
	recorded, err := s.RecordCompletion(ctx, p.ID, domain.Completion{CourseCode: "SCO-301", Completed: day(2024, time.July, 1)})
	must(t, err)
	recorded.Completions[1].CourseCode = "SCO-666"
	person, err := s.Person(ctx, p.ID)
	must(t, err)
	codes := keysOf(person.Completions, func(c domain.Completion) string { return c.CourseCode })
	assertEqual(t, codes, []string{"SCO-101", "SCO-201", "SCO-301"})

	f := SampleFramework()
	must(t, s.PutFramework(ctx, f))
	f.Competencies[0].SubCompetencies[0].Statement = "Changed by the caller"
	gotF, err := s.Framework(ctx)
	must(t, err)
	gotF.Competencies[0].Title = "Changed through a returned framework"
	againF, err := s.Framework(ctx)
	must(t, err)
	wantF := SampleFramework()
	wantF.Revision = 1
	assertEqual(t, againF, wantF)
}
