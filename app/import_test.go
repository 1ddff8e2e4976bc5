package app_test

import (
	"bytes"
	"cmap/domain"
	"context"
	"encoding/csv"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"cmap/analysis/analysistest"
	"cmap/app"
	"cmap/app/apptest"
	"cmap/importer"
)

// The import property: an import's dry run predicts what making it does.
// For random imports over the sample catalogue (edits, new records, new
// completions, now and then --prune), the plan PlanImport makes on one
// store is the plan Import makes on a copy of it; the impact it predicts
// is exactly the comparison of the index before with the index a new App
// builds from the copy after the import; the state Import serves is the
// state that new App builds; and the same import again changes nothing.

// importSteps is how many random imports TestImportPlanPredictsTheImport
// makes.
const importSteps = 12

func TestImportPlanPredictsTheImport(t *testing.T) {
	seedValue := *whatIfSeed
	if seedValue == 0 {
		seedValue = uint64(time.Now().UnixNano())
	}
	rng := rand.New(rand.NewPCG(seedValue, 7))
	pool := samplePool(t)
	ctx := context.Background()
	applied, rejected := 0, 0
	for step := range importSteps {
		store := sampleStore(t)
		planner := openApp(t, store, app.Options{})
		files := randomImport(rng, pool, planner.View(), step)
		opts := importer.PlanOptions{Prune: rng.IntN(4) == 0}
		fail := func(format string, args ...any) {
			t.Helper()
			t.Fatalf("step %d (prune %v): %s\n(reproduce: go test ./app -run TestImportPlanPredictsTheImport -whatif.seed=%d)",
				step, opts.Prune, fmt.Sprintf(format, args...), seedValue)
		}
		batch, diags := importer.Read(files, importer.Options{})
		if len(diags) > 0 {
			fail("reading the generated files: %v", diags)
		}
		predicted, err := planner.PlanImport(batch, opts)
		if err != nil {
			fail("PlanImport: %v", err)
		}

		copied := store.Clone()
		real := openApp(t, copied, app.Options{})
		before := real.View().Index()
		made, err := real.Import(ctx, batch, opts, nil)
		if err != nil {
			fail("Import: %v", err)
		}
		if !reflect.DeepEqual(made.Plan.Rejections, predicted.Plan.Rejections) || made.Courses != predicted.Courses ||
			made.Positions != predicted.Positions || made.People != predicted.People || made.Completions != predicted.Completions {
			fail("the import's plan differs from the dry run's:\n got %+v\nwant %+v", made.Plan, predicted.Plan)
		}
		if len(predicted.Rejections) > 0 {
			rejected++
			// Nothing written: the copy serves what the original does.
			sameRecords(t, openApp(t, copied.Clone(), app.Options{}).View(), planner.View())
			continue
		}
		applied++
		rebuilt := openApp(t, copied.Clone(), app.Options{})
		if d := analysistest.Diff(before.Compare(rebuilt.View().Index()), predicted.Impact); d != "" {
			fail("the impact of the import (got) differs from the dry run's (want):\n%s", d)
		}
		served, err := stateOf(real)
		must(t, err)
		fresh, err := stateOf(rebuilt)
		must(t, err)
		if d := analysistest.Diff(served, fresh); d != "" {
			fail("the state served after the import (got) differs from the state rebuilt from the store (want):\n%s", d)
		}
		again, err := real.Import(ctx, batch, opts, nil)
		if err != nil {
			fail("the import again: %v", err)
		}
		if again.Changed() || again.Applied {
			fail("the same import again writes %d records", len(again.Ops))
		}
		problems, err := apptest.AuditTrailProblems(ctx, copied)
		must(t, err)
		if len(problems) > 0 {
			fail("the audit trail: %v", problems)
		}
	}
	if applied == 0 || rejected == 0 {
		t.Errorf("%d imports applied and %d rejected: the generator should make both", applied, rejected)
	}
}

// randomImport returns CSV files of a random import over the records of
// v: edits of stored courses, positions and people, new ones, new
// completions; every third import also a few bad rows.
func randomImport(rng *rand.Rand, pool *textPool, v app.View, step int) []importer.File {
	courses, _ := v.Courses(domain.CourseFilter{}, domain.Page{})
	positions, _ := v.Positions(domain.PositionFilter{}, domain.Page{})
	people, _ := v.People(domain.PersonFilter{}, domain.Page{})
	var cs []*domain.Course
	for _, c := range courses.Items {
		if rng.IntN(3) > 0 {
			continue // left out of the file
		}
		e := *c
		switch rng.IntN(4) {
		case 0:
			pool.randomCourseText(rng, &e)
		case 1:
			if e.Status == domain.CourseActive {
				e.Status = domain.CourseRetired
			} else {
				e.Status = domain.CourseActive
			}
		case 2:
			e.Hours = float64(8 * (1 + rng.IntN(10)))
		}
		cs = append(cs, &e)
	}
	for i := range rng.IntN(4) {
		c := &domain.Course{Code: fmt.Sprintf("IMP %d-%d", step, i), DeliveryMode: domain.DeliveryOnline, Status: domain.CourseActive,
			Hours: float64(8 + rng.IntN(40)), Provider: "Import School"}
		pool.randomCourseText(rng, c)
		c.Prerequisites = nil
		cs = append(cs, c)
	}
	var ps []*domain.Position
	for _, p := range positions.Items {
		if rng.IntN(3) > 0 {
			continue
		}
		e := *p
		if rng.IntN(2) == 0 {
			pool.randomPositionFields(rng, &e)
		}
		ps = append(ps, &e)
	}
	for i := range rng.IntN(3) {
		p := &domain.Position{ID: fmt.Sprintf("IMP-POS %d.%d", step, i), Title: "Imported billet", Organization: pick(rng, pool.organizations)}
		pool.randomPositionFields(rng, p)
		ps = append(ps, p)
	}
	var hs []*domain.Person
	for _, p := range people.Items {
		if rng.IntN(4) > 0 {
			continue
		}
		e := *p
		if rng.IntN(3) == 0 && len(ps) > 0 {
			e.PositionID = ps[rng.IntN(len(ps))].ID
		}
		hs = append(hs, &e)
	}
	for i := range rng.IntN(4) {
		p := &domain.Person{ID: fmt.Sprintf("IMP-P/%d/%d", step, i), Name: "Imported Person"}
		if len(ps) > 0 {
			p.PositionID = ps[rng.IntN(len(ps))].ID
		}
		hs = append(hs, p)
	}
	var completions [][]string
	for range rng.IntN(30) {
		if len(hs) == 0 || len(cs) == 0 {
			break
		}
		p, c := hs[rng.IntN(len(hs))], cs[rng.IntN(len(cs))]
		day := time.Date(2020+rng.IntN(5), time.Month(1+rng.IntN(12)), 1+rng.IntN(28), 0, 0, 0, 0, time.UTC)
		completions = append(completions, []string{p.ID, c.Code, day.Format("1/2/2006")})
	}
	if step%3 == 0 && len(completions) > 0 {
		completions = append(completions, []string{"NOBODY", cs[0].Code, "2024-02-30"})
	}
	return []importer.File{
		csvFile("courses.csv", importer.Courses, cs, func(c *domain.Course) []string {
			return []string{c.Code, c.Title, c.Description, strings.Join(c.Objectives, "\n"), strings.Join(c.Topics, "\n"),
				fmt.Sprint(c.Hours), c.DeliveryMode, c.Provider, c.Status, strings.Join(c.Prerequisites, "\n")}
		}),
		csvFile("positions.csv", importer.Positions, ps, func(p *domain.Position) []string {
			return []string{p.ID, p.Title, p.Organization, p.Grade, p.Category, fmt.Sprint(p.KeyBillet), p.Region}
		}),
		csvFile("people.csv", importer.People, hs, func(p *domain.Person) []string { return []string{p.ID, p.Name, p.PositionID} }),
		csvRows("completions.csv", importer.Completions, completions),
	}
}

// csvFile writes records as a CSV file in the layout of kind, each as
// the cells row gives.
func csvFile[T any](name string, kind importer.Kind, records []*T, row func(*T) []string) importer.File {
	var rows [][]string
	for _, r := range records {
		rows = append(rows, row(r))
	}
	return csvRows(name, kind, rows)
}

// csvRows writes rows under the header of kind.
func csvRows(name string, kind importer.Kind, rows [][]string) importer.File {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write(importer.ColumnNames(kind))
	w.WriteAll(rows)
	return importer.File{Name: name, Data: buf.Bytes()}
}

// TestRollForwardFinishesACutOffImport stores an import's audit entry and
// journal, makes only its first write (as a process killed right after
// it would leave them), and rolls it forward: the store then holds what
// the import made whole on a copy of it, the entry is done, the journal
// gone; rolling forward again does nothing.
func TestRollForwardFinishesACutOffImport(t *testing.T) {
	ctx := context.Background()
	store := sampleStore(t)
	a := openApp(t, store, app.Options{})
	files := []importer.File{
		{Name: "courses.csv", Data: []byte("code,title\nSCO-101,Security Cooperation Foundations (revised)\n")},
		{Name: "positions.csv", Data: []byte("id,title,organization,grade,category,key_billet,region\n" +
			"IMP-1,Analyst,DSCA,GS-12,HQ,no,CONUS\nIMP-2,Chief,ODC Poland,GS-14,SCO,yes,EUCOM\n")},
		{Name: "people.csv", Data: []byte("id,name,position_id\nIMP-P1,Dana Ortiz,IMP-2\n")},
		{Name: "completions.csv", Data: []byte("person_id,course_code,completed\nIMP-P1,SCO-101,2024-06-01\n")},
	}
	batch, diags := importer.Read(files, importer.Options{})
	if len(diags) > 0 {
		t.Fatal(diags)
	}

	whole := store.Clone()
	made, err := openApp(t, whole, app.Options{}).Import(ctx, batch, importer.PlanOptions{}, nil)
	if err != nil || !made.Applied {
		t.Fatalf("the whole import: %v, %+v", err, made)
	}

	plan, err := a.PlanImport(batch, importer.PlanOptions{})
	must(t, err)
	if len(plan.Ops) != 4 || plan.Ops[0].Course == nil || plan.Ops[0].Op != domain.OpUpdate {
		t.Fatalf("ops: %+v", plan.Ops)
	}
	now := time.Now().UTC()
	j := &domain.ImportJournal{ID: domain.NewAuditID(now), Time: now, Ops: plan.Ops}
	must(t, store.BeginAudit(ctx, &domain.AuditEntry{ID: j.ID, Time: now, Actor: "system", ActorName: "system",
		Operation: domain.OpImport, Kind: domain.AuditImport, Key: j.ID, State: domain.AuditPending}))
	must(t, store.WriteImport(ctx, j))
	first := *plan.Ops[0].Course
	first.Version, first.Audit = plan.Ops[0].Version, j.ID
	must(t, store.UpdateCourse(ctx, &first))

	n, err := app.RollForwardImports(ctx, store, 0, slog.New(slog.DiscardHandler))
	if err != nil || n != 1 {
		t.Fatalf("rolling forward: %d journals, %v", n, err)
	}
	got, err := stateOf(openApp(t, store.Clone(), app.Options{}))
	must(t, err)
	want, err := stateOf(openApp(t, whole.Clone(), app.Options{}))
	must(t, err)
	if d := analysistest.Diff(got.withoutStamps(), want.withoutStamps()); d != "" {
		t.Errorf("rolled forward (got) and made whole (want) differ:\n%s", d)
	}
	problems, err := apptest.AuditTrailProblems(ctx, store)
	must(t, err)
	if len(problems) > 0 {
		t.Errorf("the audit trail: %v", problems)
	}
	if journals, _ := store.Imports(ctx); len(journals) != 0 {
		t.Errorf("%d journals left", len(journals))
	}
	if n, err := app.RollForwardImports(ctx, store, 0, slog.New(slog.DiscardHandler)); n != 0 || err != nil {
		t.Errorf("rolling forward again: %d, %v", n, err)
	}
}
