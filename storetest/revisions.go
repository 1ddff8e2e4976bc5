package storetest

import (
	"cmap/domain"
	"testing"
	"time"
)

// revisedSample returns the revision of SampleFramework that retires 1.B
// and rewords 2.A, as domain.Revise makes it after prev.
func revisedSample(t *testing.T, prev *domain.Framework) *domain.FrameworkRevision {
	t.Helper()
	next := SampleFramework()
	next.Competencies[0].SubCompetencies = next.Competencies[0].SubCompetencies[:1]
	next.Competencies[1].SubCompetencies[0].Statement = "Reworded in revision 2."
	r, err := domain.Revise(prev, next, domain.Crosswalk{{Old: "1.B"}})
	must(t, err)
	return r
}

func testFrameworkRevisions(t *testing.T, s domain.Store) {
	ctx := t.Context()
	revs, err := s.FrameworkRevisions(ctx)
	must(t, err)
	if len(revs) != 0 {
		t.Fatalf("a new store holds %d revisions", len(revs))
	}

	// Revision 1 can be added to an empty store, once.
	first := &domain.FrameworkRevision{Framework: SampleFramework()}
	first.Framework.Revision = 1
	before := time.Now().Add(-time.Second)
	must(t, s.AddFrameworkRevision(ctx, first))
	if first.AppliedAt.Before(before) {
		t.Errorf("AppliedAt %v was not set", first.AppliedAt)
	}
	wantCode(t, s.AddFrameworkRevision(ctx, first), domain.ECONFLICT)
	got, err := s.Framework(ctx)
	must(t, err)
	assertEqual(t, got, first.Framework)

	// Revision 2 becomes the active one; revision 1 stays readable.
	v, err := s.DataVersion(ctx)
	must(t, err)
	second := revisedSample(t, got)
	second.Audit = "audit-of-revision-2"
	must(t, s.AddFrameworkRevision(ctx, second))
	if v2, err := s.DataVersion(ctx); err != nil || v2 != v+1 {
		t.Errorf("DataVersion after AddFrameworkRevision = %d, %v; want %d", v2, err, v+1)
	}
	changes, err := s.Changes(ctx, v, v+1)
	must(t, err)
	if len(changes) != 1 || changes[0].Kind != domain.ChangeFramework {
		t.Errorf("change log after AddFrameworkRevision: %+v", changes)
	}
	got, err = s.Framework(ctx)
	must(t, err)
	assertEqual(t, got, second.Framework)
	assertEqual(t, got.Former, []domain.FormerCode{{Code: "1.B", Revision: 2}})
	revs, err = s.FrameworkRevisions(ctx)
	must(t, err)
	assertEqual(t, revs, []*domain.FrameworkRevision{first, second})

	// A revision that does not follow the active one, or is invalid, is
	// refused and changes nothing.
	stale := revisedSample(t, first.Framework) // numbered 2 again
	wantCode(t, s.AddFrameworkRevision(ctx, stale), domain.ECONFLICT)
	bad := &domain.FrameworkRevision{Framework: second.Framework.Clone()}
	bad.Framework.Revision, bad.Framework.Name = 3, ""
	wantCode(t, s.AddFrameworkRevision(ctx, bad), domain.EINVALID)
	revs, err = s.FrameworkRevisions(ctx)
	must(t, err)
	assertEqual(t, revs, []*domain.FrameworkRevision{first, second})

	// PutFramework replaces the active revision's model, keeping its
	// number, former codes, crosswalk and audit.
	put := SampleFramework()
	put.Name = "Replaced in place"
	put.Competencies[0].SubCompetencies = put.Competencies[0].SubCompetencies[:1]
	must(t, s.PutFramework(ctx, put))
	revs, err = s.FrameworkRevisions(ctx)
	must(t, err)
	if len(revs) != 2 {
		t.Fatalf("%d revisions after PutFramework, want 2", len(revs))
	}
	put.Revision, put.Former = 2, second.Framework.Former
	assertEqual(t, revs[1].Framework, put)
	assertEqual(t, revs[1].Crosswalk, second.Crosswalk)
	assertEqual(t, revs[1].Audit, second.Audit)
	assertEqual(t, revs[0], first)

	// What a caller does to what it gave or got does not change the store.
	revs[0].Framework.Name = "Changed through a returned revision"
	second.Crosswalk[0].Old = "9.Z"
	again, err := s.FrameworkRevisions(ctx)
	must(t, err)
	assertEqual(t, again[0], first)
	assertEqual(t, again[1].Crosswalk, domain.Crosswalk{{Old: "1.B"}})
}
