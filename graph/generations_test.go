package graph_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"cmap/app"
	"cmap/app/apptest"
	"cmap/mongodb"
	"cmap/mongodb/mongotest"
	"cmap/seed"
)

// TestResponsesNeverMixGenerations reloads two rule sets in turn, each
// putting SCM-201 on 4.C at another level, while clients ask for that one
// fact four ways in one request: the course's coverage, the matrix, the
// sub-competency's coveredBy and the gap report's highest. Every response
// must give one level in all four places, and each rule revision always
// the same level: a response that mixed two generations would not.
func TestResponsesNeverMixGenerations(t *testing.T) {
	t.Parallel()
	dir := apptest.CopyRules(t, "../rules")
	store, _ := seeded(t)
	c, _, _ := serveWith(t, store, app.Options{RulesDir: dir})
	file := filepath.Join(dir, "courses", "4-sales-and-transfers.yaml")
	const query = `{
		ruleSet { revision }
		course(code: "SCM-201") { coverage { subCompetency { code } level } }
		coverageMatrix(filter: {competencies: ["4.C"], status: ANY}) { rows { cells { course { code } level } } }
		subCompetency(code: "4.C") { coveredBy(status: ANY) { course { code } level } }
	}`
	type fact struct {
		Course struct{ Code string }
		Level  string
	}
	var reloads, answers atomic.Int64
	var mu sync.Mutex
	levelOf := map[string]string{} // revision -> level of SCM-201 on 4.C
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				var got struct {
					RuleSet struct{ Revision string }
					Course  struct {
						Coverage []struct {
							SubCompetency struct{ Code string }
							Level         string
						}
					}
					CoverageMatrix struct{ Rows []struct{ Cells []fact } }
					SubCompetency  struct{ CoveredBy []fact }
				}
				r := c.query(query, nil)
				if len(r.Errors) > 0 {
					t.Errorf("errors during reloads: %+v", r.Errors)
					return
				}
				r.decode(t, &got)
				var fromCourse, fromMatrix, fromCoveredBy string
				for _, f := range got.Course.Coverage {
					if f.SubCompetency.Code == "4.C" {
						fromCourse = f.Level
					}
				}
				for _, row := range got.CoverageMatrix.Rows {
					for _, f := range row.Cells {
						if f.Course.Code == "SCM-201" {
							fromMatrix = f.Level
						}
					}
				}
				for _, f := range got.SubCompetency.CoveredBy {
					if f.Course.Code == "SCM-201" {
						fromCoveredBy = f.Level
					}
				}
				if fromCourse == "" || fromCourse != fromMatrix || fromCourse != fromCoveredBy {
					t.Errorf("one response, three levels: coverage %q, matrix %q, coveredBy %q (revision %s)",
						fromCourse, fromMatrix, fromCoveredBy, got.RuleSet.Revision)
					return
				}
				mu.Lock()
				if was, ok := levelOf[got.RuleSet.Revision]; ok && was != fromCourse {
					t.Errorf("revision %s answered %s here and %s elsewhere", got.RuleSet.Revision, fromCourse, was)
				}
				levelOf[got.RuleSet.Revision] = fromCourse
				mu.Unlock()
				answers.Add(1)
			}
		}()
	}
	reload := `mutation { reloadRules { revision rejected { revision } } }`
	for i := range 40 {
		old, new := "covers: {4.C: tier}", "covers: {4.C: Expert}"
		if i%2 == 1 {
			old, new = new, old
		}
		apptest.EditFile(t, file, old, new)
		var got struct {
			ReloadRules struct{ Rejected *struct{ Revision string } }
		}
		c.query(reload, nil).decode(t, &got)
		if got.ReloadRules.Rejected != nil {
			t.Fatalf("reload %d rejected", i)
		}
		reloads.Add(1)
	}
	close(stop)
	wg.Wait()
	if len(levelOf) < 2 || answers.Load() < 40 {
		t.Errorf("%d answers over %d revisions during %d reloads: the test saw too little to prove anything",
			answers.Load(), len(levelOf), reloads.Load())
	}
}

// TestPersonCreatedOnOneInstanceIsWholeOnTheOther runs two instances on
// one embedded FerretDB database. People created on the first are read on
// the second, with their readiness, until they appear within the poll
// interval; a response that names a person always has their readiness
// (never NOT_FOUND for a person it returns).
func TestPersonCreatedOnOneInstanceIsWholeOnTheOther(t *testing.T) {
	t.Parallel()
	db := mongotest.Open(t)
	if _, err := seed.Apply(context.Background(), db, sampleSeeds(t)); err != nil {
		t.Fatal(err)
	}
	poll := 100 * time.Millisecond
	first, _, _ := serveWith(t, db, app.Options{PollInterval: poll})
	other, err := mongodb.Open(context.Background(), mongodb.Config{URI: db.URI(), Database: db.DatabaseName()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close(context.Background()) })
	second, _, _ := serveWith(t, other, app.Options{PollInterval: poll})
	for i := range 5 {
		id := fmt.Sprintf("P-NEW%d", i)
		first.query(`mutation($id: ID!) { createPerson(input: {id: $id, name: "New Hire", positionId: "POS-0001",
			completions: [{courseCode: "SCO-101", completedOn: "2024-01-02"}]}) { id } }`, map[string]any{"id": id}).decode(t, &struct{}{})
		created := time.Now()
		for {
			r := second.query(`query($id: ID!) { person(id: $id) { id readiness { ready gaps { required } attained { level } } }
				people(first: 100, filter: {search: "New Hire"}) { edges { node { id readiness { ready } } } } }`, map[string]any{"id": id})
			if len(r.Errors) > 0 {
				t.Fatalf("reading %s on the second instance: %+v", id, r.Errors)
			}
			var got struct {
				Person *struct {
					ID        string
					Readiness struct{ Attained []struct{ Level string } }
				}
				People struct {
					Edges []struct{ Node struct{ ID string } }
				}
			}
			r.decode(t, &got)
			if got.Person != nil {
				if len(got.Person.Readiness.Attained) == 0 {
					t.Fatalf("%s came without the attainment of SCO-101", id)
				}
				if n := len(got.People.Edges); n != i+1 {
					t.Fatalf("the list has %d new hires, the record %s is there: want %d", n, id, i+1)
				}
				break
			}
			if time.Since(created) > 20*poll+5*time.Second {
				t.Fatalf("%s did not appear on the second instance within %v", id, time.Since(created))
			}
			time.Sleep(poll / 4)
		}
	}
}
