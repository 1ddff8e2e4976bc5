package storetest

import (
	"cmap/domain"
	"context"
	"testing"
	"time"
)

func testFramework(t *testing.T, s domain.Store) {
	ctx := t.Context()
	_, err := s.Framework(ctx)
	wantCode(t, err, domain.ENOTFOUND)

	// The first framework stored is revision 1.
	f := SampleFramework()
	must(t, s.PutFramework(ctx, f))
	if f.Revision != 0 {
		t.Errorf("PutFramework changed the framework it was given: revision %d", f.Revision)
	}
	got, err := s.Framework(ctx)
	must(t, err)
	f.Revision = 1
	assertEqual(t, got, f)

	f.Name = "Security Cooperation (2025)"
	f.Competencies = f.Competencies[:1]
	f.Revision = 0
	must(t, s.PutFramework(ctx, f))
	got, err = s.Framework(ctx)
	must(t, err)
	f.Revision = 1
	assertEqual(t, got, f)

	bad := SampleFramework()
	bad.Competencies[0].SubCompetencies[1].Code = "2.B"
	err = s.PutFramework(ctx, bad)
	wantCode(t, err, domain.EINVALID)
	wantField(t, err, "competencies[0].subCompetencies[1].code")
	got, err = s.Framework(ctx)
	must(t, err)
	assertEqual(t, got, f)
}

func testDataVersionCountsRecordWrites(t *testing.T, s domain.Store) {
	ctx := t.Context()
	want := int64(0)
	check := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		want++
		if v, err := s.DataVersion(ctx); err != nil || v != want {
			t.Fatalf("DataVersion after %s = %d, %v; want %d", what, v, err, want)
		}
	}
	if v, err := s.DataVersion(ctx); err != nil || v != 0 {
		t.Fatalf("DataVersion of a new store = %d, %v", v, err)
	}
	check("PutFramework", s.PutFramework(ctx, SampleFramework()))
	c := SampleCourse("SCO-201")
	check("CreateCourse", s.CreateCourse(ctx, c))
	check("UpdateCourse", s.UpdateCourse(ctx, c))
	check("DeleteCourse", s.DeleteCourse(ctx, c.Code, c.Version))
	p := SamplePosition("POS-0001")
	check("CreatePosition", s.CreatePosition(ctx, p))
	check("UpdatePosition", s.UpdatePosition(ctx, p))
	check("DeletePosition", s.DeletePosition(ctx, p.ID, p.Version))
	person := SamplePerson("P-00001")
	check("CreatePerson", s.CreatePerson(ctx, person))
	check("UpdatePerson", s.UpdatePerson(ctx, person))
	_, err := s.RecordCompletion(ctx, person.ID, domain.Completion{CourseCode: "SCO-301", Completed: time.Now()})
	check("RecordCompletion", err)
	check("DeletePerson", s.DeletePerson(ctx, person.ID, person.Version+1))

	// Failed writes leave it alone, and so do writes of facts and of the
	// seed marker.
	wantCode(t, s.CreateCourse(ctx, &domain.Course{Code: "bad"}), domain.EINVALID)
	wantCode(t, s.DeleteCourse(ctx, "SCO-201", 9), domain.ENOTFOUND)
	wantCode(t, s.UpdatePosition(ctx, SamplePosition("POS-0404")), domain.ENOTFOUND)
	_, err = s.RecordCompletion(ctx, "P-00404", domain.Completion{CourseCode: "SCO-301", Completed: time.Now()})
	wantCode(t, err, domain.ENOTFOUND)
	must(t, s.SaveCourseFacts(ctx, []domain.CourseFacts{{Course: "SCO-201", Revision: "r1"}}))
	must(t, s.SavePositionFacts(ctx, []domain.PositionFacts{{Position: "POS-0001", Revision: "r1"}}))
	must(t, s.DeleteFacts(ctx, []string{"SCO-201"}, []string{"POS-0001"}))
	must(t, s.MarkSeeded(ctx, "sample"))
	if v, err := s.DataVersion(ctx); err != nil || v != want {
		t.Fatalf("DataVersion after failed writes and facts = %d, %v; want %d", v, err, want)
	}
}

func testSeedMarker(t *testing.T, s domain.Store) {
	ctx := t.Context()
	if name, err := s.SeededWith(ctx); err != nil || name != "" {
		t.Fatalf("SeededWith on a new store = %q, %v", name, err)
	}
	must(t, s.MarkSeeded(ctx, "sample-2025"))
	if name, err := s.SeededWith(ctx); err != nil || name != "sample-2025" {
		t.Fatalf("SeededWith = %q, %v; want sample-2025", name, err)
	}
	must(t, s.MarkSeeded(ctx, "dod-scale"))
	if name, err := s.SeededWith(ctx); err != nil || name != "dod-scale" {
		t.Fatalf("SeededWith after a second mark = %q, %v", name, err)
	}
	err := s.MarkSeeded(ctx, "")
	wantCode(t, err, domain.EINVALID)
	wantField(t, err, "name")
	if name, err := s.SeededWith(ctx); err != nil || name != "dod-scale" {
		t.Fatalf("SeededWith after a failed mark = %q, %v", name, err)
	}
}

func testPing(t *testing.T, s domain.Store) {
	must(t, s.Ping(t.Context()))
}

// testDoneContext: with its context done, every method fails with
// EINTERNAL (as a database call does) and writes nothing.
func testDoneContext(t *testing.T, s domain.Store) {
	c := SampleCourse("SCO-201")
	must(t, s.CreateCourse(t.Context(), c))
	p := SamplePosition("POS-0001")
	must(t, s.CreatePosition(t.Context(), p))
	person := SamplePerson("P-00001")
	must(t, s.CreatePerson(t.Context(), person))
	version, err := s.DataVersion(t.Context())
	must(t, err)

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	completion := domain.Completion{CourseCode: "SCO-301", Completed: time.Now()}
	calls := map[string]func() error{
		"Framework":          func() error { _, err := s.Framework(ctx); return err },
		"PutFramework":       func() error { return s.PutFramework(ctx, SampleFramework()) },
		"FrameworkRevisions": func() error { _, err := s.FrameworkRevisions(ctx); return err },
		"AddFrameworkRevision": func() error {
			r := &domain.FrameworkRevision{Framework: SampleFramework()}
			r.Framework.Revision = 1
			return s.AddFrameworkRevision(ctx, r)
		},
		"Course":            func() error { _, err := s.Course(ctx, c.Code); return err },
		"CoursesByCode":     func() error { _, err := s.CoursesByCode(ctx, []string{c.Code}); return err },
		"ListCourses":       func() error { _, err := s.ListCourses(ctx, domain.CourseFilter{}, domain.Page{}); return err },
		"CountCourses":      func() error { _, err := s.CountCourses(ctx, domain.CourseFilter{}); return err },
		"CreateCourse":      func() error { return s.CreateCourse(ctx, SampleCourse("SCO-301")) },
		"UpdateCourse":      func() error { c := *c; return s.UpdateCourse(ctx, &c) },
		"DeleteCourse":      func() error { return s.DeleteCourse(ctx, c.Code, c.Version) },
		"Position":          func() error { _, err := s.Position(ctx, p.ID); return err },
		"PositionsByID":     func() error { _, err := s.PositionsByID(ctx, []string{p.ID}); return err },
		"ListPositions":     func() error { _, err := s.ListPositions(ctx, domain.PositionFilter{}, domain.Page{}); return err },
		"CountPositions":    func() error { _, err := s.CountPositions(ctx, domain.PositionFilter{}); return err },
		"CreatePosition":    func() error { return s.CreatePosition(ctx, SamplePosition("POS-0002")) },
		"UpdatePosition":    func() error { p := *p; return s.UpdatePosition(ctx, &p) },
		"DeletePosition":    func() error { return s.DeletePosition(ctx, p.ID, p.Version) },
		"Person":            func() error { _, err := s.Person(ctx, person.ID); return err },
		"PeopleByID":        func() error { _, err := s.PeopleByID(ctx, []string{person.ID}); return err },
		"ListPeople":        func() error { _, err := s.ListPeople(ctx, domain.PersonFilter{}, domain.Page{}); return err },
		"CountPeople":       func() error { _, err := s.CountPeople(ctx, domain.PersonFilter{}); return err },
		"CreatePerson":      func() error { return s.CreatePerson(ctx, SamplePerson("P-00002")) },
		"UpdatePerson":      func() error { p := *person; return s.UpdatePerson(ctx, &p) },
		"DeletePerson":      func() error { return s.DeletePerson(ctx, person.ID, person.Version) },
		"RecordCompletion":  func() error { _, err := s.RecordCompletion(ctx, person.ID, completion); return err },
		"SaveCourseFacts":   func() error { return s.SaveCourseFacts(ctx, []domain.CourseFacts{{Course: c.Code}}) },
		"SavePositionFacts": func() error { return s.SavePositionFacts(ctx, []domain.PositionFacts{{Position: p.ID}}) },
		"DeleteFacts":       func() error { return s.DeleteFacts(ctx, []string{c.Code}, []string{p.ID}) },
		"CourseFacts":       func() error { _, err := s.CourseFacts(ctx); return err },
		"PositionFacts":     func() error { _, err := s.PositionFacts(ctx); return err },
		"DataVersion":       func() error { _, err := s.DataVersion(ctx); return err },
		"Changes":           func() error { _, err := s.Changes(ctx, 0, version); return err },
		"SeededWith":        func() error { _, err := s.SeededWith(ctx); return err },
		"MarkSeeded":        func() error { return s.MarkSeeded(ctx, "sample") },
		"Ping":              func() error { return s.Ping(ctx) },
		"CreateAPIKey":      func() error { k, _ := SampleAPIKey("portal"); return s.CreateAPIKey(ctx, k) },
		"APIKey":            func() error { _, err := s.APIKey(ctx, "abcdefghijkl"); return err },
		"ListAPIKeys":       func() error { _, err := s.ListAPIKeys(ctx); return err },
		"UpdateAPIKey":      func() error { k, _ := SampleAPIKey("portal"); k.Version = 1; return s.UpdateAPIKey(ctx, k) },
		"BeginAudit":        func() error { return s.BeginAudit(ctx, SampleAuditEntry(c.Code, time.Now())) },
		"EndAudit": func() error {
			e := SampleAuditEntry(c.Code, time.Now())
			e.State = domain.AuditDone
			return s.EndAudit(ctx, e)
		},
		"CreateIdempotency": func() error { return s.CreateIdempotency(ctx, SampleIdempotency("a-key-sent-when-done", time.Now())) },
		"Idempotency":       func() error { _, err := s.Idempotency(ctx, "0123"); return err },
		"UpdateIdempotency": func() error {
			r := SampleIdempotency("a-key-sent-when-done", time.Now())
			r.Version = 1
			return s.UpdateIdempotency(ctx, r)
		},
		"PruneIdempotency": func() error { _, err := s.PruneIdempotency(ctx, time.Now()); return err },
		"PendingAudit":     func() error { _, err := s.PendingAudit(ctx); return err },
		"AuditLog":         func() error { _, err := s.AuditLog(ctx, domain.AuditFilter{}, domain.Page{}); return err },
		"CreateCourses":    func() error { return s.CreateCourses(ctx, []*domain.Course{SampleCourse("SCO-301")}) },
		"CreatePositions":  func() error { return s.CreatePositions(ctx, []*domain.Position{SamplePosition("POS-0002")}) },
		"CreatePeople":     func() error { return s.CreatePeople(ctx, []*domain.Person{SamplePerson("P-00002")}) },
		"Versions":         func() error { _, err := s.Versions(ctx); return err },
		"MarkFacts": func() error {
			_, err := s.MarkFacts(ctx, domain.FactsMark{Revision: "r1", Data: version})
			return err
		},
	}
	for name, call := range calls {
		if err := call(); domain.ErrorCode(err) != domain.EINTERNAL {
			t.Errorf("%s with a done context: %v, want an EINTERNAL error", name, err)
		}
	}

	ctx = t.Context()
	if v, err := s.DataVersion(ctx); err != nil || v != version {
		t.Errorf("DataVersion after calls with a done context = %d, %v; want %d", v, err, version)
	}
	n, err := s.CountCourses(ctx, domain.CourseFilter{})
	must(t, err)
	m, err := s.CountPositions(ctx, domain.PositionFilter{})
	must(t, err)
	k, err := s.CountPeople(ctx, domain.PersonFilter{})
	must(t, err)
	if n != 1 || m != 1 || k != 1 {
		t.Errorf("after calls with a done context: %d courses, %d positions, %d people; want 1 each", n, m, k)
	}
	stored, err := s.Person(ctx, person.ID)
	must(t, err)
	assertEqual(t, stored, person)
	if _, err := s.Framework(ctx); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("Framework after PutFramework with a done context: %v", err)
	}
	if facts, err := s.CourseFacts(ctx); err != nil || len(facts) != 0 {
		t.Errorf("CourseFacts after a save with a done context: %v, %v", facts, err)
	}
	if name, err := s.SeededWith(ctx); err != nil || name != "" {
		t.Errorf("SeededWith after a mark with a done context: %q, %v", name, err)
	}
	if keys, err := s.ListAPIKeys(ctx); err != nil || len(keys) != 0 {
		t.Errorf("ListAPIKeys after a create with a done context: %v, %v", keys, err)
	}
	pending, err := s.PendingAudit(ctx)
	must(t, err)
	log, err := s.AuditLog(ctx, domain.AuditFilter{}, domain.Page{})
	must(t, err)
	if len(pending)+len(log.Items) != 0 {
		t.Errorf("audit entries after writes with a done context: %v pending, %v logged", pending, log.Items)
	}
}

// testVersions: Data and DataID move with every write of a record and
// only then, Facts with every call that writes facts, and a facts mark
// holds while neither moves.
func testVersions(t *testing.T, s domain.Store) {
	ctx := t.Context()
	versions := func() domain.Versions {
		t.Helper()
		v, err := s.Versions(ctx)
		must(t, err)
		return v
	}
	v := versions()
	if v.Data != 0 || v.DataID == "" || v.Facts != 0 || v.FactsMark != (domain.FactsMark{}) || v.Unsettled {
		t.Fatalf("Versions of a new store = %+v", v)
	}
	if v.FactsCurrent("r1") || v.FactsCurrent("") {
		t.Error("the facts of a new store are current without a mark")
	}

	// A write of a record: Data moves by one and DataID changes; so does
	// DataVersion, which is the same counter.
	c := SampleCourse("SCO-201")
	must(t, s.CreateCourse(ctx, c))
	w := versions()
	if w.Data != 1 || w.DataID == v.DataID || w.Facts != 0 {
		t.Fatalf("after a create: %+v, before %+v", w, v)
	}
	if dv, err := s.DataVersion(ctx); err != nil || dv != w.Data {
		t.Errorf("DataVersion = %d, %v; Versions.Data = %d", dv, err, w.Data)
	}
	if again := versions(); again != w {
		t.Errorf("Versions changed without a write: %+v, then %+v", w, again)
	}

	// Writes of facts count one per call that is given anything; failed
	// calls and empty ones count nothing.
	must(t, s.SaveCourseFacts(ctx, []domain.CourseFacts{{Course: c.Code, Revision: "r1"}, {Course: "SCO-301", Revision: "r1"}}))
	must(t, s.SavePositionFacts(ctx, []domain.PositionFacts{{Position: "POS-0001", Revision: "r1"}}))
	must(t, s.DeleteFacts(ctx, []string{"SCO-301"}, nil))
	must(t, s.SaveCourseFacts(ctx, nil))
	must(t, s.DeleteFacts(ctx, nil, nil))
	wantCode(t, s.SaveCourseFacts(ctx, []domain.CourseFacts{{Revision: "r1"}}), domain.EINVALID)
	x := versions()
	if x.Facts != 3 || x.Data != w.Data || x.DataID != w.DataID {
		t.Fatalf("after three writes of facts and three that wrote nothing: %+v, before %+v", x, w)
	}

	// A mark at other counts is refused; at the current ones it holds.
	for _, m := range []domain.FactsMark{
		{Revision: "r1", Data: x.Data - 1, Facts: x.Facts},
		{Revision: "r1", Data: x.Data, Facts: x.Facts - 1},
		{Revision: "r1", Data: x.Data + 1, Facts: x.Facts + 1},
	} {
		ok, err := s.MarkFacts(ctx, m)
		if err != nil || ok {
			t.Errorf("MarkFacts(%+v) at %+v = %v, %v; want refused", m, x, ok, err)
		}
	}
	_, err := s.MarkFacts(ctx, domain.FactsMark{Data: x.Data, Facts: x.Facts})
	wantCode(t, err, domain.EINVALID)
	wantField(t, err, "revision")
	if m := versions().FactsMark; m != (domain.FactsMark{}) {
		t.Fatalf("refused marks left %+v", m)
	}
	mark := domain.FactsMark{Revision: "r1", Data: x.Data, Facts: x.Facts}
	ok, err := s.MarkFacts(ctx, mark)
	if err != nil || !ok {
		t.Fatalf("MarkFacts(%+v) = %v, %v; want recorded", mark, ok, err)
	}
	y := versions()
	if y.FactsMark != mark || !y.FactsCurrent("r1") || y.FactsCurrent("r2") {
		t.Fatalf("after the mark: %+v", y)
	}
	// Marks write neither records nor facts.
	if y.Data != x.Data || y.DataID != x.DataID || y.Facts != x.Facts {
		t.Errorf("the mark moved the counters: %+v, before %+v", y, x)
	}

	// Any later write of facts or of a record ends it, and a write that
	// fails does not.
	wantCode(t, s.CreateCourse(ctx, c), domain.ECONFLICT)
	must(t, s.MarkSeeded(ctx, "sample"))
	if !versions().FactsCurrent("r1") {
		t.Error("a failed create or the seed marker ended the facts mark")
	}
	must(t, s.DeleteFacts(ctx, nil, []string{"POS-0404"}))
	if z := versions(); z.FactsCurrent("r1") || z.FactsMark != mark {
		t.Errorf("after a write of facts: %+v; want mark %+v, not current", z, mark)
	}
	z := versions()
	if ok, err := s.MarkFacts(ctx, domain.FactsMark{Revision: "r2", Data: z.Data, Facts: z.Facts}); err != nil || !ok {
		t.Fatalf("MarkFacts at %+v = %v, %v", z, ok, err)
	}
	c.Title = "Retitled"
	must(t, s.UpdateCourse(ctx, c))
	if z := versions(); z.FactsCurrent("r2") {
		t.Errorf("after a write of a record: %+v; want the mark not current", z)
	}
}
