package main

import (
	"bytes"
	"cmap/domain"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"cmap/app"
	"cmap/mongodb"
	"cmap/seed"
)

// importChild runs `cmap import` (this test binary run as cmap, see
// TestMain) with args.
func importChild(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, append([]string{"import"}, args...)...)
	cmd.Env = append(os.Environ(), benchChildEnv+"=1")
	return cmd
}

// records reads every record of the database in dir, without the stamps
// of their writes (versions, times, audit entries).
func records(t *testing.T, db *mongodb.DB) (courses []domain.Course, positions []domain.Position, people []domain.Person) {
	t.Helper()
	ctx := context.Background()
	cl, err := db.ListCourses(ctx, domain.CourseFilter{}, domain.Page{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cl.Items {
		unstampCourse(c)
		courses = append(courses, *c)
	}
	pl, err := db.ListPositions(ctx, domain.PositionFilter{}, domain.Page{})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pl.Items {
		p.Version, p.UpdatedAt, p.Audit = 0, time.Time{}, ""
		positions = append(positions, *p)
	}
	hl, err := db.ListPeople(ctx, domain.PersonFilter{}, domain.Page{})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range hl.Items {
		unstampPerson(p)
		people = append(people, *p)
	}
	return courses, positions, people
}

// unstampCourse clears what a write stamps on a course, and makes empty
// lists nil, as the database returns them.
func unstampCourse(c *domain.Course) {
	c.Version, c.UpdatedAt, c.Audit = 0, time.Time{}, ""
	for _, l := range []*[]string{&c.Objectives, &c.Topics, &c.Prerequisites} {
		if len(*l) == 0 {
			*l = nil
		}
	}
}

// unstampPerson clears what a write stamps on a person; completion days
// in UTC, none as nil.
func unstampPerson(p *domain.Person) {
	p.Version, p.UpdatedAt, p.Audit = 0, time.Time{}, ""
	for i := range p.Completions {
		p.Completions[i].Completed = p.Completions[i].Completed.UTC()
	}
	if len(p.Completions) == 0 {
		p.Completions = nil
	}
}

// TestImportSurvivesKillDashNine kills `cmap import` with SIGKILL at
// moments chosen to fall while it writes, and checks the database it
// leaves: once the next start has rolled committed journals forward (and
// settled the audit trail), it holds either none of the import's records
// or exactly all of them, never some; nothing is pending; then the same
// import completes, and once more changes nothing. The moment of the kill
// is searched for: later after a kill that left nothing, earlier after
// one that left everything, until kills have landed mid-import.
func TestImportSurvivesKillDashNine(t *testing.T) {
	if testing.Short() {
		t.Skip("runs cmap import on the embedded database a dozen times")
	}
	dir := t.TempDir()
	files := writeWorkload(t, dir, 0.3)
	var paths []string
	for _, f := range files {
		paths = append(paths, f.Name)
	}
	seeds, rules := filepath.Join(dir, "seeds"), filepath.Join(dir, "rules")
	ds, err := seed.Load(seeds)
	if err != nil {
		t.Fatal(err)
	}
	var want struct {
		courses   []domain.Course
		positions []domain.Position
		people    []domain.Person
	}
	want.courses, want.positions, want.people = ds.Courses, ds.Positions, ds.People
	// The database lists records in key order.
	slices.SortFunc(want.courses, func(a, b domain.Course) int { return strings.Compare(a.Code, b.Code) })
	slices.SortFunc(want.positions, func(a, b domain.Position) int { return strings.Compare(a.ID, b.ID) })
	slices.SortFunc(want.people, func(a, b domain.Person) int { return strings.Compare(a.ID, b.ID) })
	for i := range want.courses {
		unstampCourse(&want.courses[i])
	}
	for i := range want.people {
		unstampPerson(&want.people[i])
	}
	ctx := context.Background()
	logger := slog.New(slog.DiscardHandler)

	// The whole import once, timed, to aim the kills.
	start := time.Now()
	out, err := importChild(t, append(paths, "--data", t.TempDir(), "--rules", rules, "--seeds", seeds, "--format", "json")...).Output()
	if err != nil {
		t.Fatalf("the import: %v\n%s", err, out)
	}
	whole := time.Since(start)
	var report importReport
	if err := json.Unmarshal(out, &report); err != nil || !report.Applied {
		t.Fatalf("the import's report: %v\n%s", err, out)
	}
	t.Logf("the whole import: %v (%d writes; %+v s)", whole, report.Writes, report.Times)

	delay := time.Duration(float64(whole) * 0.7)
	mid, rounds := 0, 0
	for ; rounds < 8 && mid < 2; rounds++ {
		data := t.TempDir()
		cmd := importChild(t, append(paths, "--data", data, "--rules", rules, "--seeds", seeds)...)
		var stdout bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stdout
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(delay)
		_ = cmd.Process.Kill()
		_ = cmd.Wait()

		db, err := mongodb.Open(ctx, mongodb.Config{DataDir: data})
		if err != nil {
			t.Fatalf("round %d: %v", rounds, err)
		}
		journals, err := db.Imports(ctx)
		if err != nil {
			t.Fatal(err)
		}
		committed := len(journals) > 0
		courses, positions, people := records(t, db)
		between := len(courses)+len(positions)+len(people) > 0 &&
			(len(courses) != len(want.courses) || len(positions) != len(want.positions) || len(people) != len(want.people))
		// What the next start does: roll forward, then settle the audit trail.
		if _, err := app.RollForwardImports(ctx, db, 0, logger); err != nil {
			t.Fatal(err)
		}
		if _, _, err := app.ReconcileAudit(ctx, db, 0, logger); err != nil {
			t.Fatal(err)
		}
		courses, positions, people = records(t, db)
		state := "before"
		switch {
		case len(courses) == 0 && len(positions) == 0 && len(people) == 0:
		case reflect.DeepEqual(courses, want.courses) && reflect.DeepEqual(positions, want.positions) && reflect.DeepEqual(people, want.people):
			state = "after"
		default:
			t.Fatalf("round %d (killed after %v): between before and after: %d courses, %d positions, %d people (want %d, %d, %d)%s",
				rounds, delay, len(courses), len(positions), len(people), len(want.courses), len(want.positions), len(want.people),
				firstDifference(courses, want.courses)+firstDifference(positions, want.positions)+firstDifference(people, want.people))
		}
		if journals, _ := db.Imports(ctx); len(journals) > 0 {
			t.Errorf("round %d: %d journals left after rolling forward", rounds, len(journals))
		}
		checkAuditTrail(t, db, fmt.Sprintf("round %d: the audit trail", rounds))
		if err := db.Close(ctx); err != nil {
			t.Fatal(err)
		}
		t.Logf("round %d: killed after %v: journal committed %v, records part written %v, then %s", rounds, delay, committed, between, state)

		switch {
		case committed:
			mid++
		case state == "before":
			delay += whole / 5
		default:
			delay -= whole / 5
		}

		// The same import completes, and once more changes nothing.
		if out, err := importChild(t, append(paths, "--data", data, "--rules", rules, "--seeds", seeds)...).CombinedOutput(); err != nil {
			t.Fatalf("round %d: importing again: %v\n%s", rounds, err, out)
		}
		out, err := importChild(t, append(paths, "--data", data, "--rules", rules, "--seeds", seeds)...).CombinedOutput()
		if err != nil || !strings.Contains(string(out), "nothing to import") {
			t.Fatalf("round %d: the third import: %v\n%s", rounds, err, out)
		}
	}
	if mid == 0 {
		t.Errorf("no kill in %d rounds landed after the journal was committed", rounds)
	}
	t.Logf("%d of %d kills landed mid-import", mid, rounds)
}

// firstDifference describes the first record that differs between got and
// want, "" if none.
func firstDifference[T any](got, want []T) string {
	for i := range min(len(got), len(want)) {
		if !reflect.DeepEqual(got[i], want[i]) {
			return fmt.Sprintf("\n got %+v\nwant %+v", got[i], want[i])
		}
	}
	return ""
}
