package importer_test

import (
	"cmap/domain"
	"testing"
	"time"

	"cmap/importer"
)

// pruneCatalogue has two courses (SCO-201 requires SCO-101), two
// positions (POS-1 held by P-1) and two people (P-1 completed both
// courses).
func pruneCatalogue() importer.Stored {
	day := time.Date(2022, 5, 6, 0, 0, 0, 0, time.UTC)
	course := func(code string, prereqs ...string) *domain.Course {
		return &domain.Course{Code: code, Title: "Course " + code, DeliveryMode: domain.DeliveryOnline, Status: domain.CourseActive,
			Prerequisites: prereqs, Version: 2}
	}
	position := func(id string) *domain.Position {
		return &domain.Position{ID: id, Title: "Officer", Organization: "DSCA", Grade: "GS-13", Category: "HQ", Version: 4}
	}
	return importer.Stored{
		Courses:   []*domain.Course{course("SCO-101"), course("SCO-201", "SCO-101")},
		Positions: []*domain.Position{position("POS-1"), position("POS-2")},
		People: []*domain.Person{
			{ID: "P-1", Name: "Ann Lee", PositionID: "POS-1", Version: 7, Completions: []domain.Completion{
				{CourseCode: "SCO-101", Completed: day}, {CourseCode: "SCO-201", Completed: day}}},
			{ID: "P-2", Name: "Bo Chen", Version: 1},
		},
	}
}

func prunePlan(t *testing.T, files ...importer.File) *importer.Plan {
	t.Helper()
	b, diags := importer.Read(files, importer.Options{})
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	return importer.MakePlan(b, pruneCatalogue(), importer.PlanOptions{Prune: true})
}

// TestPruneDeletesWhatTheFilesLeaveOut checks --prune: the stored records
// of each kind the files hold that they do not list are deleted (and only
// of those kinds), completions included, with the versions read.
func TestPruneDeletesWhatTheFilesLeaveOut(t *testing.T) {
	p := prunePlan(t,
		importer.File{Name: "positions.csv", Data: []byte("id,title,organization,grade,category\nPOS-1,Officer,DSCA,GS-13,HQ\n")},
		importer.File{Name: "completions.csv", Data: []byte("person_id,course_code,completed\nP-1,SCO-101,2022-05-06\n")})
	if got := rejections(p); got != "" {
		t.Fatal(got)
	}
	if want := (importer.Counts{Unchanged: 1, Deleted: 1}); p.Positions != want {
		t.Errorf("positions %+v, want %+v", p.Positions, want)
	}
	if want := (importer.Counts{Unchanged: 1, Deleted: 1}); p.Completions != want {
		t.Errorf("completions %+v, want %+v", p.Completions, want)
	}
	var ops []string
	for _, op := range p.Ops {
		ops = append(ops, op.Op+" "+op.Kind()+" "+op.Key())
		if op.Op == domain.OpUpdate && (op.Version != 7 || len(op.Person.Completions) != 1) {
			t.Errorf("the update of P-1: %+v", op)
		}
		if op.Op == domain.OpDelete && op.Version != 4 {
			t.Errorf("the deletion of POS-2 at version %d, want 4", op.Version)
		}
	}
	want := []string{"update person P-1", "delete position POS-2"}
	if len(ops) != len(want) || ops[0] != want[0] || ops[1] != want[1] {
		t.Errorf("ops %q, want %q", ops, want)
	}
}

// TestPruneKeepsReferences checks that --prune refuses deletions that
// would leave references dangling: a course another course requires, a
// position a person holds.
func TestPruneKeepsReferences(t *testing.T) {
	p := prunePlan(t,
		importer.File{Name: "courses.csv", Data: []byte("code,title,deliveryMode,status,prerequisites\nSCO-201,Course SCO-201,online,active,SCO-101\n")},
		importer.File{Name: "positions.csv", Data: []byte("id,title,organization,grade,category\nPOS-2,Officer,DSCA,GS-13,HQ\n")})
	want := "courses.csv:2:38: prerequisites: course SCO-101 is not in the import, and --prune deletes it\n" +
		"positions.csv: --prune deletes position POS-1, which person P-1 (not in the import) holds"
	if got := rejections(p); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if p.Ops != nil {
		t.Errorf("a rejected plan writes: %v", p.Ops)
	}
}
