package mongodb_test

import (
	"cmap/domain"
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"cmap/mongodb"
	"cmap/mongodb/mongotest"
	"cmap/storetest"
)

// positionFactsAtScale returns the requirements of n positions, 16 each:
// the DoD-scale workload (about 250,000 requirement facts).
func positionFactsAtScale(n int, revision string) []domain.PositionFacts {
	levels := []string{"Basic", "Intermediate", "Advanced", "Expert"}
	facts := make([]domain.PositionFacts, n)
	for i := range facts {
		id := fmt.Sprintf("POS-%05d", i)
		f := domain.PositionFacts{Position: id, Revision: revision}
		for j := range 16 {
			f.Requirements = append(f.Requirements, domain.Requirement{
				Position:      id,
				SubCompetency: fmt.Sprintf("%d.%c", j%9+1, 'A'+j/9),
				Level:         levels[(i+j)%4],
				Rules:         []domain.RuleRef{{ID: fmt.Sprintf("rule-%d", j), File: "rules/positions.yaml", Line: 10 + j}},
			})
		}
		facts[i] = f
	}
	return facts
}

// BenchmarkSavePositionFacts saves (and, from the second iteration on,
// replaces) the requirements of 15,000 positions.
func BenchmarkSavePositionFacts(b *testing.B) {
	ctx := context.Background()
	db := mongotest.Open(b)
	facts := positionFactsAtScale(15000, "r1")
	b.ResetTimer()
	for b.Loop() {
		if err := db.SavePositionFacts(ctx, facts); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	got, err := db.PositionFacts(ctx)
	if err != nil || len(got) != len(facts) {
		b.Fatalf("PositionFacts: %d records, %v", len(got), err)
	}
}

// BenchmarkLoadPositionFacts reads back the requirements of 15,000
// positions.
func BenchmarkLoadPositionFacts(b *testing.B) {
	ctx := context.Background()
	db := mongotest.Open(b)
	if err := db.SavePositionFacts(ctx, positionFactsAtScale(15000, "r1")); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		got, err := db.PositionFacts(ctx)
		if err != nil || len(got) != 15000 {
			b.Fatalf("PositionFacts: %d records, %v", len(got), err)
		}
	}
}

// createCatalogue stores n courses of DoD-scale size (about 900 bytes of
// text each).
func createCatalogue(b *testing.B, n int) *mongodb.DB {
	db := mongotest.Open(b)
	for i := range n {
		c := storetest.SampleCourse(fmt.Sprintf("SCO-%04d", i))
		c.Description = strings.Repeat("Security cooperation planning and execution. ", 8)
		c.Objectives = []string{
			"Describe the security cooperation organizations and their roles",
			"Explain the Title 10 and Title 22 authorities",
			"Apply the foreign military sales process to a case",
			"Assess partner capability gaps",
			"Plan an assessment, monitoring and evaluation cycle",
		}
		c.Prerequisites = nil
		if err := db.CreateCourse(context.Background(), c); err != nil {
			b.Fatal(err)
		}
	}
	return db
}

func BenchmarkListCourses(b *testing.B) {
	ctx := context.Background()
	db := createCatalogue(b, 1000)
	b.Run("all", func(b *testing.B) {
		for b.Loop() {
			l, err := db.ListCourses(ctx, domain.CourseFilter{}, domain.Page{})
			if err != nil || len(l.Items) != 1000 {
				b.Fatalf("%d courses, %v", len(l.Items), err)
			}
		}
	})
	b.Run("page of 50", func(b *testing.B) {
		for b.Loop() {
			l, err := db.ListCourses(ctx, domain.CourseFilter{}, domain.Page{After: "SCO-0500", First: 50})
			if err != nil || len(l.Items) != 50 {
				b.Fatalf("%d courses, %v", len(l.Items), err)
			}
		}
	})
	b.Run("search", func(b *testing.B) {
		for b.Loop() {
			l, err := db.ListCourses(ctx, domain.CourseFilter{Search: "management sco-09"}, domain.Page{})
			if err != nil || len(l.Items) != 100 {
				b.Fatalf("%d courses, %v", len(l.Items), err)
			}
		}
	})
	b.Run("by code, 100", func(b *testing.B) {
		codes := make([]string, 100)
		for i := range codes {
			codes[i] = fmt.Sprintf("SCO-%04d", i*10)
		}
		for b.Loop() {
			got, err := db.CoursesByCode(ctx, codes)
			if err != nil || len(got) != 100 {
				b.Fatalf("%d courses, %v", len(got), err)
			}
		}
	})
}

// BenchmarkUpdateCourse measures one optimistic update among 1,000 courses.
func BenchmarkUpdateCourse(b *testing.B) {
	ctx := context.Background()
	db := createCatalogue(b, 1000)
	c, err := db.Course(ctx, "SCO-0500")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if err := db.UpdateCourse(ctx, c); err != nil {
			b.Fatal(err)
		}
	}
}

// dodRecords returns records of the DoD-scale workload's sizes: 1,000
// courses of about 900 bytes of text, 15,000 positions and 20,000 people
// with 4 or 5 completions each (about 90,000).
func dodRecords() ([]*domain.Course, []*domain.Position, []*domain.Person) {
	courses := make([]*domain.Course, 1000)
	for i := range courses {
		c := storetest.SampleCourse(fmt.Sprintf("SCO-%04d", i))
		c.Description = strings.Repeat("Security cooperation planning and execution. ", 8)
		c.Objectives = append(c.Objectives, "Apply the foreign military sales process to a case", "Assess partner capability gaps")
		c.Prerequisites = nil
		courses[i] = c
	}
	positions := make([]*domain.Position, 15000)
	for i := range positions {
		positions[i] = storetest.SamplePosition(fmt.Sprintf("POS-%05d", i))
	}
	people := make([]*domain.Person, 20000)
	for i := range people {
		p := storetest.SamplePerson(fmt.Sprintf("P-%05d", i))
		p.PositionID = positions[i%len(positions)].ID
		for j := range 2 + i%2 {
			p.Completions = append(p.Completions, domain.Completion{CourseCode: courses[(i+j)%len(courses)].Code, Completed: p.Completions[0].Completed})
		}
		people[i] = p
	}
	return courses, positions, people
}

// BenchmarkReadAllRecords reads every record of the DoD-scale workload, as
// a start without a snapshot file does: the three lists one after the
// other, and at once.
func BenchmarkReadAllRecords(b *testing.B) {
	ctx := context.Background()
	db := mongotest.Open(b)
	courses, positions, people := dodRecords()
	for _, err := range []error{db.CreateCourses(ctx, courses), db.CreatePositions(ctx, positions), db.CreatePeople(ctx, people)} {
		if err != nil {
			b.Fatal(err)
		}
	}
	reads := []func() (int, error){
		func() (int, error) {
			l, err := db.ListCourses(ctx, domain.CourseFilter{}, domain.Page{})
			return len(l.Items), err
		},
		func() (int, error) {
			l, err := db.ListPositions(ctx, domain.PositionFilter{}, domain.Page{})
			return len(l.Items), err
		},
		func() (int, error) {
			l, err := db.ListPeople(ctx, domain.PersonFilter{}, domain.Page{})
			return len(l.Items), err
		},
	}
	check := func(b *testing.B, n int, err error) {
		if err != nil || (n != len(courses) && n != len(positions) && n != len(people)) {
			b.Fatalf("read %d records, %v", n, err)
		}
	}
	b.Run("sequential", func(b *testing.B) {
		for b.Loop() {
			for _, read := range reads {
				n, err := read()
				check(b, n, err)
			}
		}
	})
	b.Run("concurrent", func(b *testing.B) {
		for b.Loop() {
			var wg sync.WaitGroup
			for _, read := range reads {
				wg.Go(func() {
					n, err := read()
					check(b, n, err)
				})
			}
			wg.Wait()
		}
	})
}

// BenchmarkCreatePeople stores 1,000 people one by one (each its own
// write lease, insert and data version increment) and in one bulk create.
func BenchmarkCreatePeople(b *testing.B) {
	ctx := context.Background()
	_, _, all := dodRecords()
	fresh := func(round int) []*domain.Person {
		out := make([]*domain.Person, 1000)
		for i := range out {
			p := *all[i]
			p.ID = fmt.Sprintf("P-%d-%05d", round, i)
			out[i] = &p
		}
		return out
	}
	b.Run("one by one", func(b *testing.B) {
		db := mongotest.Open(b)
		round := 0
		for b.Loop() {
			round++
			for _, p := range fresh(round) {
				if err := db.CreatePerson(ctx, p); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	b.Run("bulk", func(b *testing.B) {
		db := mongotest.Open(b)
		round := 0
		for b.Loop() {
			round++
			if err := db.CreatePeople(ctx, fresh(round)); err != nil {
				b.Fatal(err)
			}
		}
	})
}
