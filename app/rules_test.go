package app_test

import (
	"cmap/domain"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"cmap/analysis"
	"cmap/app"
	"cmap/app/apptest"
	"cmap/engine"
	"cmap/memstore"
	"cmap/mongodb"
	"cmap/mongodb/mongotest"
)

// levelOf returns the level of the fact on sub-competency sub, "" if none.
func levelOf(cov []domain.Coverage, sub string) string {
	for _, c := range cov {
		if c.SubCompetency == sub {
			return c.Level
		}
	}
	return ""
}

// ruleIDs returns the ids of refs.
func ruleIDs(refs []domain.RuleRef) []string {
	ids := make([]string, len(refs))
	for i, r := range refs {
		ids[i] = r.ID
	}
	return ids
}

// storedCourseFacts returns the facts record stored for a course.
func storedCourseFacts(t *testing.T, store domain.Store, code string) (domain.CourseFacts, bool) {
	t.Helper()
	all, err := store.CourseFacts(context.Background())
	must(t, err)
	for _, f := range all {
		if f.Course == code {
			return f, true
		}
	}
	return domain.CourseFacts{}, false
}

func TestOpenDerivesEveryFactStoresOnlyChangesAndIndexes(t *testing.T) {
	t.Parallel()
	store := seededStore(t)
	ctx := context.Background()
	a := openApp(t, store, app.Options{})
	ds := sampleSeeds(t)
	revision := a.View().RuleSet().Revision()

	if n := store.factWrites.Load(); n != int64(len(ds.Courses)+len(ds.Positions)) {
		t.Errorf("a first start wrote %d facts records, want one per course and position (%d)", n, len(ds.Courses)+len(ds.Positions))
	}
	courseFacts, err := store.CourseFacts(ctx)
	must(t, err)
	positionFacts, err := store.PositionFacts(ctx)
	must(t, err)
	if len(courseFacts) != len(ds.Courses) || len(positionFacts) != len(ds.Positions) {
		t.Fatalf("stored %d course and %d position facts records, want %d and %d",
			len(courseFacts), len(positionFacts), len(ds.Courses), len(ds.Positions))
	}
	for _, f := range courseFacts {
		if f.Revision != revision || len(f.Coverage) != len(a.View().Coverage(f.Course)) {
			t.Errorf("stored facts of %s: revision %s, %d facts; serving %s, %d facts",
				f.Course, f.Revision, len(f.Coverage), revision, len(a.View().Coverage(f.Course)))
		}
	}
	for _, f := range positionFacts {
		if f.Revision != revision || len(f.Requirements) != len(a.View().Requirements(f.Position)) {
			t.Errorf("stored facts of %s: revision %s, %d facts; serving %s, %d facts",
				f.Position, f.Revision, len(f.Requirements), revision, len(a.View().Requirements(f.Position)))
		}
	}

	// The promise: every sub-competency is covered by some active
	// course, with the rules that say so.
	for _, code := range a.View().Framework().SubCompetencyCodes() {
		cov, err := a.View().CoveredBy(code, "", "")
		must(t, err)
		if len(cov) == 0 {
			t.Errorf("no active course covers %s", code)
		}
		for _, c := range cov {
			if c.SubCompetency != code || len(c.Rules) == 0 || c.Rules[0].File == "" || c.Rules[0].Line == 0 {
				t.Errorf("coveredBy(%s): fact %+v lacks its provenance", code, c)
			}
		}
	}
	if gaps, err := a.View().Index().Gaps("", 0); err != nil || len(gaps.Uncovered) != 0 {
		t.Errorf("the index reports uncovered sub-competencies %+v (%v)", gaps, err)
	}

	// A second start over the same facts writes nothing.
	store.factWrites.Store(0)
	openApp(t, store, app.Options{})
	if n := store.factWrites.Load(); n != 0 {
		t.Errorf("a start over up-to-date facts wrote %d records, want 0", n)
	}

	// Facts of a record that is gone are deleted; a record whose facts
	// differ is written again; the others are left alone.
	victim := courseFacts[0]
	victim.Coverage = nil
	must(t, store.SaveCourseFacts(ctx, []domain.CourseFacts{victim, {Course: "ZZZ-999", Revision: "old", Coverage: []domain.Coverage{}}}))
	store.factWrites.Store(0)
	openApp(t, store, app.Options{})
	if n := store.factWrites.Load(); n != 2 {
		t.Errorf("a start over one wrong and one orphaned record wrote %d, want 2", n)
	}
	if _, ok := storedCourseFacts(t, store, "ZZZ-999"); ok {
		t.Error("the facts of a course that does not exist were kept")
	}
	if f, _ := storedCourseFacts(t, store, victim.Course); len(f.Coverage) != len(a.View().Coverage(victim.Course)) {
		t.Errorf("the wrong facts of %s were not repaired: %+v", victim.Course, f)
	}
}

func TestOpenRefusesBrokenRulesAndAMissingFramework(t *testing.T) {
	t.Parallel()
	store := seededStore(t)
	dir := apptest.CopyRules(t, "../rules")
	apptest.EditFile(t, filepath.Join(dir, "courses", "4-sales-and-transfers.yaml"), "covers: {4.C: tier}", "covers: {4.Z: tier}")
	_, err := app.Open(context.Background(), store, app.Options{RulesDir: dir, PollInterval: -1, Logger: slog.New(slog.DiscardHandler)})
	wantError(t, err, domain.EINVALID, "")
	if !strings.Contains(err.Error(), "4-sales-and-transfers.yaml:") || !strings.Contains(err.Error(), "4.Z") {
		t.Errorf("error %q does not point at the unknown code", err)
	}

	_, err = app.Open(context.Background(), memstore.New(), app.Options{RulesDir: "../rules", PollInterval: -1})
	wantError(t, err, domain.EINVALID, "")
	if !strings.Contains(err.Error(), "framework") {
		t.Errorf("error %q does not say the framework is missing", err)
	}
}

func TestWritesRederiveWhatTheyTouch(t *testing.T) {
	t.Parallel()
	a, store := newApp(t)
	ctx := context.Background()

	// The shipped rule 4c-price-and-availability covers 4.C at the course's
	// tier: 2xx is the scale's second level.
	c := course("SCO-201")
	c.Objectives = []string{"Prepare price and availability data for a partner."}
	must(t, a.CreateCourse(ctx, c))
	tier := a.View().Scale().Levels[1]
	cov := a.View().Coverage("SCO-201")
	if levelOf(cov, "4.C") != tier {
		t.Fatalf("coverage after create = %+v, want 4.C at %s", cov, tier)
	}
	for _, f := range cov {
		if f.SubCompetency == "4.C" && !slices.Contains(ruleIDs(f.Rules), "4c-price-and-availability") {
			t.Errorf("4.C fact %+v does not name its rule", f)
		}
	}
	if f, ok := storedCourseFacts(t, store, "SCO-201"); !ok || f.Revision != a.View().RuleSet().Revision() || levelOf(f.Coverage, "4.C") != tier {
		t.Errorf("stored facts %+v (found %v), want 4.C at %s with revision %s", f, ok, tier, a.View().RuleSet().Revision())
	}
	if covered, err := a.View().CoveredBy("4.C", "", ""); err != nil || len(covered) != 1 || covered[0].Course != "SCO-201" {
		t.Errorf("CoveredBy(4.C) = %+v, %v; want SCO-201", covered, err)
	}

	// Dropping the phrase drops the fact.
	_, err := a.UpdateCourse(ctx, "SCO-201", 1, func(c *domain.Course) { c.Objectives = []string{"Brief the country team."} })
	must(t, err)
	if got := levelOf(a.View().Coverage("SCO-201"), "4.C"); got != "" {
		t.Errorf("4.C still covered at %q after the phrase was removed", got)
	}
	// A retired course keeps the facts of what it teaches, re-derived and
	// stored with the edit; it leaves the active catalogue.
	_, err = a.UpdateCourse(ctx, "SCO-201", 2, func(c *domain.Course) {
		c.Objectives = []string{"Prepare price and availability data."}
		c.Status = domain.CourseRetired
	})
	must(t, err)
	if got := levelOf(a.View().Coverage("SCO-201"), "4.C"); got != tier {
		t.Errorf("a retired course teaching 4.C covers it at %q, want %s", got, tier)
	}
	if f, ok := storedCourseFacts(t, store, "SCO-201"); !ok || levelOf(f.Coverage, "4.C") != tier {
		t.Errorf("stored facts of the retired course: %+v (found %v), want 4.C at %s", f, ok, tier)
	}
	if covered, err := a.View().CoveredBy("4.C", "", ""); err != nil || len(covered) != 0 {
		t.Errorf("CoveredBy(4.C) among active courses = %+v, %v; want none", covered, err)
	}
	must(t, a.DeleteCourse(ctx, "SCO-201", 3))
	if _, ok := storedCourseFacts(t, store, "SCO-201"); ok || a.View().Coverage("SCO-201") != nil {
		t.Error("the facts of a deleted course remain")
	}

	// A position's requirements, and a holder's readiness, follow its edits.
	p := &domain.Position{ID: "POS-1", Title: "Chief", Organization: "ODC Poland", Grade: "O-6", Category: "SCO", KeyBillet: true, Region: "EUCOM"}
	must(t, a.CreatePosition(ctx, p))
	senior := len(a.View().Requirements("POS-1"))
	if senior == 0 {
		t.Fatal("an SCO key billet requires nothing")
	}
	must(t, a.CreatePerson(ctx, &domain.Person{ID: "P-1", Name: "Ada", PositionID: "POS-1"}))
	r, err := a.View().Index().Readiness("P-1")
	must(t, err)
	if r.Requirements != senior || r.Ready {
		t.Errorf("readiness = %+v, want %d requirements unmet", r, senior)
	}
	_, err = a.UpdatePosition(ctx, "POS-1", 1, func(p *domain.Position) { p.KeyBillet = false })
	must(t, err)
	junior := len(a.View().Requirements("POS-1"))
	if junior >= senior {
		t.Errorf("the billet requires %d sub-competencies once not key, %d as a key billet: want fewer", junior, senior)
	}
	if r, _ := a.View().Index().Readiness("P-1"); r.Requirements != junior {
		t.Errorf("readiness counts %d requirements, the position now has %d", r.Requirements, junior)
	}
	stored, err := store.PositionFacts(ctx)
	must(t, err)
	if len(stored) != 1 || len(stored[0].Requirements) != junior {
		t.Errorf("stored position facts %+v, want POS-1 with %d requirements", stored, junior)
	}

	// A completion moves the person's attainment.
	c2 := course("SCO-301")
	c2.Objectives = []string{"Prepare price and availability data."}
	must(t, a.CreateCourse(ctx, c2))
	_, err = a.RecordCompletion(ctx, "P-1", "SCO-301", day("2024-03-01"))
	must(t, err)
	r, err = a.View().Index().Readiness("P-1")
	must(t, err)
	if !slices.ContainsFunc(r.Attained, func(at analysis.Attainment) bool { return at.SubCompetency == "4.C" }) {
		t.Errorf("after completing SCO-301 the person attains %+v, want 4.C among them", r.Attained)
	}
	must(t, a.DeletePerson(ctx, "P-1", 2))
	if _, err := a.View().Index().Readiness("P-1"); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("a deleted person is still indexed: %v", err)
	}
	must(t, a.DeletePosition(ctx, "POS-1", 2))
	if a.View().Requirements("POS-1") != nil {
		t.Error("a deleted position keeps its requirements")
	}
	if stored, _ := store.PositionFacts(ctx); len(stored) != 0 {
		t.Errorf("the facts of a deleted position remain: %+v", stored)
	}
}

// smallCatalogue returns a store with the sample framework and three
// courses, two of which teach price and availability (4.C), and a
// position. (Tests that rewrite every fact use it: the sample catalogue
// would make them slow under the race detector.)
func smallCatalogue(t *testing.T) *countingStore {
	t.Helper()
	return smallCatalogueIn(t, memstore.New())
}

// smallCatalogueIn is smallCatalogue in the empty store s.
func smallCatalogueIn(t *testing.T, s domain.Store) *countingStore {
	t.Helper()
	store := &countingStore{Store: s}
	ctx := context.Background()
	must(t, store.PutFramework(ctx, sampleSeeds(t).Framework))
	for _, c := range []*domain.Course{course("SCO-101"), course("SCO-201"), course("SCM-401")} {
		if c.Code != "SCO-101" {
			c.Objectives = []string{"Prepare price and availability data."}
		}
		must(t, store.CreateCourse(ctx, c))
	}
	must(t, store.CreatePosition(ctx, &domain.Position{ID: "POS-1", Title: "Chief", Organization: "ODC Poland", Grade: "O-6", Category: "SCO", KeyBillet: true, Region: "EUCOM"}))
	return store
}

func TestReloadRejectsBrokenRulesWholeAndAppliesFixedOnes(t *testing.T) {
	t.Parallel()
	store := smallCatalogue(t)
	ctx := context.Background()
	dir := apptest.CopyRules(t, "../rules")
	a := openApp(t, store, app.Options{RulesDir: dir})
	serving := a.View().RuleSet()
	file := filepath.Join(dir, "courses", "4-sales-and-transfers.yaml")
	covered, err := a.View().CoveredBy("4.C", "", "")
	must(t, err)
	if len(covered) != 2 {
		t.Fatalf("%d courses cover 4.C, want the two that mention it", len(covered))
	}
	example := covered[0].Course

	// Files identical to the serving ones change nothing.
	store.factWrites.Store(0)
	status, err := a.ReloadRules(ctx)
	must(t, err)
	if status.Rules != serving || status.Rejected != nil || store.factWrites.Load() != 0 {
		t.Errorf("reloading unchanged files: %+v, %d facts written", status, store.factWrites.Load())
	}

	// A misspelled field: rejected with its position, the old set serves.
	apptest.EditFile(t, file, `course: mentions("price and availability"`, `course: course.titel != "" && mentions("price and availability"`)
	status, err = a.ReloadRules(ctx)
	must(t, err)
	if status.Rules != serving || a.View().RuleSet() != serving {
		t.Fatal("a broken rule set replaced the serving one")
	}
	rej := status.Rejected
	if rej == nil || len(rej.Errors) == 0 {
		t.Fatalf("no rejection recorded: %+v", status)
	}
	wantRevision, err := engine.RulesRevision(dir)
	must(t, err)
	if rej.Revision != wantRevision || rej.Revision == serving.Revision() || time.Since(rej.RejectedAt) > time.Minute {
		t.Errorf("rejection %+v: want revision %s of the broken files", rej, wantRevision)
	}
	d := rej.Errors[0]
	line, col := apptest.PositionOf(t, file, "titel")
	if !strings.HasSuffix(d.File, "courses/4-sales-and-transfers.yaml") || d.Line != line || d.Col != col {
		t.Errorf("diagnostic %v, want it at line %d column %d of the rule file", d, line, col)
	}
	if levelOf(a.View().Coverage(example), "4.C") == "" {
		t.Error("the serving coverage changed after a rejection")
	}

	// Fixed, with a change of policy: the fixed set serves, everywhere.
	apptest.EditFile(t, file, `course: course.titel != "" && mentions("price and availability"`, `course: mentions("price and availability"`)
	apptest.EditFile(t, file, "covers: {4.C: tier}", "covers: {4.C: Expert}")
	store.factWrites.Store(0)
	status, err = a.ReloadRules(ctx)
	must(t, err)
	if status.Rejected != nil || status.Rules == serving || a.View().RuleSet().Revision() == serving.Revision() {
		t.Fatalf("the fixed rules were not applied: %+v", status)
	}
	if got := levelOf(a.View().Coverage(example), "4.C"); got != "Expert" {
		t.Errorf("%s covers 4.C at %q under the new rules, want Expert", example, got)
	}
	if expert, _ := a.View().CoveredBy("4.C", "Expert", ""); len(expert) != len(covered) {
		t.Errorf("the index has %d courses covering 4.C at Expert, want all %d", len(expert), len(covered))
	}
	must(t, a.SyncFacts(ctx))
	all, err := store.CourseFacts(ctx)
	must(t, err)
	for _, f := range all {
		if f.Revision != a.View().RuleSet().Revision() {
			t.Errorf("stored facts of %s carry revision %s, want %s", f.Course, f.Revision, a.View().RuleSet().Revision())
		}
	}
	if store.factWrites.Load() == 0 {
		t.Error("a new revision stored no facts")
	}
}

func TestWatcherReloadsAfterEditsInNewDirectoriesToo(t *testing.T) {
	t.Parallel()
	store := smallCatalogue(t)
	dir := apptest.CopyRules(t, "../rules")
	a := openApp(t, store, app.Options{RulesDir: dir, WatchRules: true, WatchDebounce: 20 * time.Millisecond})
	serving := a.View().RuleSet().Revision()
	file := filepath.Join(dir, "courses", "4-sales-and-transfers.yaml")

	apptest.EditFile(t, file, "covers: {4.C: tier}", "covers: {4.C: Master}")
	apptest.WaitUntil(t, "the broken file is rejected", func() bool { return a.View().RulesStatus().Rejected != nil })
	if a.View().RuleSet().Revision() != serving {
		t.Fatal("a broken set replaced the serving one")
	}
	if msg := a.View().RulesStatus().Rejected.Errors[0].Message; !strings.Contains(msg, "Master") {
		t.Errorf("diagnostic %q does not name the unknown level", msg)
	}

	apptest.EditFile(t, file, "covers: {4.C: Master}", "covers: {4.C: Expert}")
	apptest.WaitUntil(t, "the fixed file serves", func() bool {
		s := a.View().RulesStatus()
		return s.Rejected == nil && s.Rules.Revision() != serving
	})

	// A directory that appears while serving is loaded, and watched: a
	// later edit inside it is seen. (It is made elsewhere and moved in, so
	// that it arrives with its file.)
	made := filepath.Join(t.TempDir(), "extra")
	must(t, os.Mkdir(made, 0o755))
	extra := filepath.Join(dir, "courses", "extra")
	must(t, os.WriteFile(filepath.Join(made, "extra.yaml"), []byte("rules:\n  - id: extra-rule\n    description: Added while serving.\n    course: mentions(\"interoperability\")\n    covers: {2.A: Basic}\n"), 0o644))
	must(t, os.Rename(made, extra))
	apptest.WaitUntil(t, "the rule in the new directory serves", func() bool { return a.View().RuleSet().Rule("extra-rule") != nil })
	before := a.View().RuleSet().Revision()
	apptest.EditFile(t, filepath.Join(extra, "extra.yaml"), "{2.A: Basic}", "{2.A: Intermediate}")
	apptest.WaitUntil(t, "the edit in the new directory serves", func() bool { return a.View().RuleSet().Revision() != before })
	if y := a.View().RuleSet().Rule("extra-rule").Yields; len(y) != 1 || y[0].Level != "Intermediate" {
		t.Errorf("extra-rule yields %+v after the edit", y)
	}
}

// Two instances share nothing but the database, here the embedded FerretDB
// through two clients: each learns of the other's writes from the data
// version alone.
func TestInstancesOnOneDatabaseSeeEachOthersWrites(t *testing.T) {
	t.Parallel()
	db := mongotest.Open(t)
	store := smallCatalogueIn(t, db)
	ctx := context.Background()
	other, err := mongodb.Open(ctx, mongodb.Config{URI: db.URI(), Database: db.DatabaseName()})
	must(t, err)
	t.Cleanup(func() { other.Close(ctx) })
	logs1, logs2 := &apptest.LogBuffer{}, &apptest.LogBuffer{}
	opts := func(logs *apptest.LogBuffer) app.Options {
		return app.Options{PollInterval: 20 * time.Millisecond, Logger: slog.New(slog.NewTextHandler(logs, nil))}
	}
	a1 := openApp(t, store, opts(logs1))
	a2 := openApp(t, other, opts(logs2))

	_, err = a1.UpdateCourse(ctx, "SCO-101", 1, func(c *domain.Course) {
		c.Objectives = []string{"Prepare price and availability data."}
	})
	must(t, err)
	if levelOf(a1.View().Coverage("SCO-101"), "4.C") == "" {
		t.Fatal("the writing instance does not see its own write")
	}
	apptest.WaitUntil(t, "the other instance sees the write", func() bool {
		covered, err := a2.View().CoveredBy("4.C", "", "")
		return err == nil && len(covered) == 3 && levelOf(a2.View().Coverage("SCO-101"), "4.C") != ""
	})
	must(t, a2.CreatePerson(ctx, &domain.Person{ID: "P-1", Name: "Ada", PositionID: "POS-1"}))
	apptest.WaitUntil(t, "the first instance indexes the other's person", func() bool {
		_, err := a1.View().Index().Readiness("P-1")
		return err == nil
	})

	// Each instance rebuilt for the other's write, never for its own.
	time.Sleep(100 * time.Millisecond) // several polls after the last write
	for name, logs := range map[string]*apptest.LogBuffer{"first": logs1, "second": logs2} {
		if n := strings.Count(logs.String(), "caught up with the store"); n != 1 {
			t.Errorf("the %s instance caught up %d times, want once (for the other's write):\n%s", name, n, logs)
		}
	}
}

func TestPreviewsWriteNothing(t *testing.T) {
	t.Parallel()
	store := smallCatalogue(t)
	ctx := context.Background()
	a := openApp(t, store, app.Options{})
	version, err := store.DataVersion(ctx)
	must(t, err)
	store.factWrites.Store(0)

	// A new course.
	c := course("SCO-301")
	c.Objectives = []string{"Prepare price and availability data."}
	p, err := a.PreviewCourse(ctx, c)
	must(t, err)
	if p.Stored || len(p.Changes) != 0 || levelOf(p.Coverage, "4.C") != a.View().Scale().Levels[2] || p.RuleError != "" {
		t.Errorf("preview of a new 3xx course = %+v, want 4.C at %s and nothing stored", p, a.View().Scale().Levels[2])
	}
	// A stored course as it would be: the changes name what moves.
	c = course("SCO-201")
	c.Objectives = []string{"Brief the country team."}
	p, err = a.PreviewCourse(ctx, c)
	must(t, err)
	want := []app.FactChange{{SubCompetency: "4.C", Before: a.View().Scale().Levels[1]}}
	if !p.Stored || !slices.Equal(p.Changes, want) {
		t.Errorf("preview of SCO-201 without the phrase: stored %v, changes %+v; want %+v", p.Stored, p.Changes, want)
	}
	// Input is checked as a create checks it.
	bad := course("SCO-302", "SCO-999")
	_, err = a.PreviewCourse(ctx, bad)
	wantError(t, err, domain.EINVALID, "prerequisites[0]")
	_, err = a.PreviewPosition(ctx, &domain.Position{ID: "POS-9", Title: "X", Organization: "Y", Grade: "nope", Category: "SCO"})
	wantError(t, err, domain.EINVALID, "grade")

	pp, err := a.PreviewPosition(ctx, &domain.Position{ID: "POS-1", Title: "Chief", Organization: "ODC Poland", Grade: "O-6", Category: "SCO", Region: "EUCOM"})
	must(t, err)
	if !pp.Stored || len(pp.Changes) == 0 || len(pp.Requirements) >= len(a.View().Requirements("POS-1")) {
		t.Errorf("preview of POS-1 as a non-key billet: %d requirements (stored %d), changes %+v",
			len(pp.Requirements), len(a.View().Requirements("POS-1")), pp.Changes)
	}

	after, err := store.DataVersion(ctx)
	must(t, err)
	if after != version || store.factWrites.Load() != 0 {
		t.Errorf("previews wrote: data version %d -> %d, %d facts records", version, after, store.factWrites.Load())
	}
	if levelOf(a.View().Coverage("SCO-201"), "4.C") == "" || a.View().Coverage("SCO-301") != nil {
		t.Error("a preview changed the served coverage")
	}
}

func TestExplainAndFactLookups(t *testing.T) {
	t.Parallel()
	store := smallCatalogue(t)
	ctx := context.Background()
	a := openApp(t, store, app.Options{})

	e, err := a.ExplainCourse(ctx, "4c-price-and-availability", "SCO-201")
	must(t, err)
	if !e.Fired || e.Subject != "SCO-201" || e.Condition == nil || !strings.Contains(e.Text(), "price and availability") {
		t.Errorf("explanation = %+v", e)
	}
	e, err = a.ExplainCourse(ctx, "4c-price-and-availability", "SCO-101")
	must(t, err)
	if e.Fired {
		t.Error("the rule fired for a course that does not mention the phrase")
	}
	e, err = a.ExplainPosition(ctx, "sco-key-billet-senior", "POS-1")
	must(t, err)
	if !e.Fired {
		t.Errorf("sco-key-billet-senior did not fire for an O-6 SCO key billet:\n%s", e.Text())
	}
	_, err = a.ExplainCourse(ctx, "no-such-rule", "SCO-201")
	wantError(t, err, domain.ENOTFOUND, "")
	_, err = a.ExplainCourse(ctx, "sco-key-billet-senior", "SCO-201")
	wantError(t, err, domain.EINVALID, "rule")
	_, err = a.ExplainPosition(ctx, "4c-price-and-availability", "POS-1")
	wantError(t, err, domain.EINVALID, "rule")
	_, err = a.ExplainCourse(ctx, "4c-price-and-availability", "SCO-999")
	wantError(t, err, domain.ENOTFOUND, "")

	scale := a.View().Scale()
	_, err = a.View().CoveredBy("4.C", "Master", "")
	wantError(t, err, domain.EINVALID, "minLevel")
	_, err = a.View().CoveredBy("4.C", "", "archived")
	wantError(t, err, domain.EINVALID, "status")
	_, err = a.View().RequiredBy("1.A", "Master")
	wantError(t, err, domain.EINVALID, "minLevel")
	all, err := a.View().RequiredBy("1.A", "")
	must(t, err)
	top, err := a.View().RequiredBy("1.A", scale.Levels[len(scale.Levels)-1])
	must(t, err)
	if len(all) != 1 || all[0].Position != "POS-1" {
		t.Errorf("RequiredBy(1.A) = %+v, want POS-1", all)
	}
	if len(top) != 0 {
		t.Errorf("RequiredBy(1.A) at %s = %+v: the shipped rules require at most Advanced", scale.Levels[len(scale.Levels)-1], top)
	}

	// Retired courses leave the default list and join the retired one.
	_, err = a.UpdateCourse(ctx, "SCM-401", 1, func(c *domain.Course) { c.Status = domain.CourseRetired })
	must(t, err)
	active, err := a.View().CoveredBy("4.C", "", "")
	must(t, err)
	retired, err := a.View().CoveredBy("4.C", "", domain.CourseRetired)
	must(t, err)
	if len(active) != 1 || active[0].Course != "SCO-201" || len(retired) != 1 || retired[0].Course != "SCM-401" || retired[0].Level != scale.Levels[3] {
		t.Errorf("after retiring SCM-401: active %+v, retired %+v; want SCO-201 active, SCM-401 retired at its tier, %s", active, retired, scale.Levels[3])
	}
}

func TestRuntimeRuleErrorsAreKeptWithTheOtherFacts(t *testing.T) {
	t.Parallel()
	store := smallCatalogue(t)
	ctx := context.Background()
	dir := t.TempDir()
	must(t, os.WriteFile(filepath.Join(dir, "greedy.yaml"), []byte(`rules:
  - id: greedy
    description: Builds a list far beyond the memory budget when a course has hours.
    course: "len(map(1..(int(course.hours) * 100000), # * 2)) > 0"
    covers: {1.A: Basic}
  - id: everything
    description: Every course covers 1.B.
    course: course.code != ""
    covers: {1.B: Basic}
`), 0o644))
	a := openApp(t, store, app.Options{RulesDir: dir})
	errs := a.View().RulesStatus().RuntimeErrors
	if len(errs) != 3 {
		t.Fatalf("runtime errors = %+v, want one per course (each has hours)", errs)
	}
	if e := errs[0]; e.Kind != engine.KindCourse || e.Subject != "SCM-401" || !strings.Contains(e.Message, "greedy") {
		t.Errorf("first runtime error = %+v, want greedy on SCM-401", e)
	}
	if levelOf(a.View().Coverage("SCO-101"), "1.B") != "Basic" {
		t.Errorf("the facts of the rule that ran were dropped: %+v", a.View().Coverage("SCO-101"))
	}
	_, err := a.UpdateCourse(ctx, "SCO-101", 1, func(c *domain.Course) { c.Hours = 0 })
	must(t, err)
	errs = a.View().RulesStatus().RuntimeErrors
	if len(errs) != 2 || slices.ContainsFunc(errs, func(e app.RuleError) bool { return e.Subject == "SCO-101" }) {
		t.Errorf("after SCO-101 lost its hours: runtime errors %+v", errs)
	}
}

// TestConcurrentReadsWritesAndReloads exercises the state under the race
// detector: readers never lock and always see a whole state.
func TestConcurrentReadsWritesAndReloads(t *testing.T) {
	t.Parallel()
	store := smallCatalogue(t)
	ctx := context.Background()
	dir := apptest.CopyRules(t, "../rules")
	file := filepath.Join(dir, "courses", "4-sales-and-transfers.yaml")
	a := openApp(t, store, app.Options{RulesDir: dir, PollInterval: 5 * time.Millisecond})
	done := make(chan struct{})
	var readers sync.WaitGroup
	for range 2 {
		readers.Add(1)
		go func() {
			defer readers.Done()
			for {
				select {
				case <-done:
					return
				default:
				}
				status := a.View().RulesStatus()
				if status.Rules == nil || a.View().Index() == nil {
					t.Error("a reader saw no state")
					return
				}
				if _, err := a.View().CoveredBy("4.C", "", ""); err != nil {
					t.Error(err)
					return
				}
				a.View().RequiredBy("1.A", "")
			}
		}()
	}
	var writers sync.WaitGroup
	writers.Add(2)
	go func() {
		defer writers.Done()
		for i := range 5 {
			_, err := a.UpdatePosition(ctx, "POS-1", int64(i+1), func(p *domain.Position) { p.KeyBillet = !p.KeyBillet })
			if err != nil {
				t.Error(err)
			}
		}
	}()
	go func() {
		defer writers.Done()
		levels := []string{"tier", "Expert"}
		for i := range 3 {
			if err := apptest.ReplaceInFile(file, "covers: {4.C: "+levels[i%2]+"}", "covers: {4.C: "+levels[(i+1)%2]+"}"); err != nil {
				t.Error(err)
				return
			}
			if _, err := a.ReloadRules(ctx); err != nil {
				t.Error(err)
			}
		}
	}()
	writers.Wait()
	close(done)
	readers.Wait()
	// The last update made POS-1 not a key billet again; whatever ran when,
	// the served facts are those of the stored position.
	p, err := store.Position(ctx, "POS-1")
	must(t, err)
	want, _ := a.View().RuleSet().PositionRequirements(p)
	if got := a.View().Requirements("POS-1"); len(got) != len(want) {
		t.Errorf("served %d requirements for POS-1, the stored position has %d", len(got), len(want))
	}
}
