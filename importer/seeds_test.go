package importer_test

import (
	"cmap/domain"
	"os"
	"path/filepath"
	"testing"

	"cmap/importer"
	"cmap/seed"
)

// seedFiles returns the catalogue files of the seeds folder.
func seedFiles(t *testing.T) []importer.File {
	t.Helper()
	var files []importer.File
	for _, name := range []string{seed.CoursesFile, seed.PositionsFile, seed.PeopleFile, seed.CompletionsFile} {
		data, err := os.ReadFile(filepath.Join("..", "seeds", name))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, importer.File{Name: name, Data: data})
	}
	return files
}

// stored returns the records of a seed dataset as a store holds them.
func stored(ds *seed.Dataset) importer.Stored {
	var s importer.Stored
	s.Courses = domain.Refs(ds.Courses)
	s.Positions = domain.Refs(ds.Positions)
	s.People = domain.Refs(ds.People)
	return s
}

// TestSeedsFolderImports checks that the seeds folder itself imports: into
// an empty store every record is created, and the records the plan writes
// are exactly those package seed reads; over the seeded records nothing
// changes.
func TestSeedsFolderImports(t *testing.T) {
	ds, err := seed.Load(filepath.Join("..", "seeds"))
	if err != nil {
		t.Fatal(err)
	}
	b, diags := importer.Read(seedFiles(t), importer.Options{})
	if len(diags) > 0 {
		t.Fatalf("reading the seeds: %v", diags)
	}
	plan := importer.MakePlan(b, importer.Stored{}, importer.PlanOptions{})
	if len(plan.Rejections) > 0 {
		t.Fatalf("rejections: %v", plan.Rejections)
	}
	want := importer.Counts{Created: len(ds.Courses)}
	if plan.Courses != want {
		t.Errorf("courses: %+v, want %+v", plan.Courses, want)
	}
	if want := (importer.Counts{Created: len(ds.Positions)}); plan.Positions != want {
		t.Errorf("positions: %+v, want %+v", plan.Positions, want)
	}
	if want := (importer.Counts{Created: len(ds.People)}); plan.People != want {
		t.Errorf("people: %+v, want %+v", plan.People, want)
	}
	completions := 0
	for _, p := range ds.People {
		completions += len(p.Completions)
	}
	if want := (importer.Counts{Created: completions}); plan.Completions != want {
		t.Errorf("completions: %+v, want %+v", plan.Completions, want)
	}
	var courses []domain.Course
	var positions []domain.Position
	var people []domain.Person
	for _, op := range plan.Ops {
		switch {
		case op.Op != domain.OpCreate:
			t.Errorf("op %s of %s %s into an empty store", op.Op, op.Kind(), op.Key())
		case op.Course != nil:
			courses = append(courses, *op.Course)
		case op.Position != nil:
			positions = append(positions, *op.Position)
		default:
			people = append(people, *op.Person)
		}
	}
	checkSame(t, "courses", courses, ds.Courses)
	checkSame(t, "positions", positions, ds.Positions)
	checkSame(t, "people", byID(people), byID(ds.People))

	again := importer.MakePlan(b, stored(ds), importer.PlanOptions{Prune: true})
	if len(again.Rejections) > 0 || again.Changed() {
		t.Fatalf("importing the seeds over themselves: rejections %v, %d ops", again.Rejections, len(again.Ops))
	}
	if again.Courses.Unchanged != len(ds.Courses) || again.People.Unchanged != len(ds.People) || again.Completions.Unchanged != completions {
		t.Errorf("over themselves: %+v %+v %+v", again.Courses, again.People, again.Completions)
	}
}
