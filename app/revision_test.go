package app_test

import (
	"cmap/domain"
	"context"
	"log/slog"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"cmap/app"
	"cmap/app/apptest"
	"cmap/modelfile"
)

// The revised copy of the shipped model in testdata/revision rewords 1.D,
// renames 2.0, moves 4.C to a new 4.M, retires 4.K and adds 9.E; the
// shipped rules name 4.C and 4.K.
func revisedModel(t testing.TB, crosswalk string) (*domain.Framework, domain.Crosswalk) {
	t.Helper()
	next, err := modelfile.ReadFile("../testdata/revision/revision-2-competency-model.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cw, err := modelfile.ReadCrosswalk("crosswalk.yaml", []byte(crosswalk))
	if err != nil {
		t.Fatal(err)
	}
	return next, cw.Crosswalk
}

const sampleCrosswalk = "4.C: 4.M\n4.K: retired\n"

// Previewing a revision answers exactly what applying it serves, and what
// an App opened afresh on the revised store serves: every answer of the
// index, every course's coverage and position's requirements.
func TestPreviewRevisionEqualsApplyingIt(t *testing.T) {
	ctx := context.Background()
	previewStore, applyStore := sampleStore(t), sampleStore(t)
	previewing := openApp(t, previewStore, app.Options{})
	applying := openApp(t, applyStore, app.Options{})
	before, err := stateOf(applying)
	must(t, err)
	next, cw := revisedModel(t, sampleCrosswalk)

	preview, err := previewing.PreviewRevision(ctx, next, cw)
	must(t, err)
	predicted, err := viewState(preview.View)
	must(t, err)
	if revs, err := previewStore.FrameworkRevisions(ctx); err != nil || len(revs) != 1 {
		t.Fatalf("the preview stored something: %d revisions, %v", len(revs), err)
	}

	applied, err := applying.ApplyRevision(ctx, next, cw)
	must(t, err)
	after, err := stateOf(applying)
	must(t, err)
	if !reflect.DeepEqual(predicted, after) {
		t.Error("the preview of the revision differs from the state after applying it")
	}
	if !reflect.DeepEqual(preview.Revision.Framework, applied.Revision.Framework) || !reflect.DeepEqual(preview.Warnings, applied.Warnings) {
		t.Error("the preview's revision or warnings differ from the applied ones")
	}
	if !reflect.DeepEqual(preview.Impact, applied.Impact) {
		t.Error("the preview's impact differs from the applied one's")
	}
	// The new sub-competencies no course covers open gaps; positions lose
	// the requirements of 4.C (4.M is required by no rule yet).
	if !preview.Impact.Changed() || len(preview.Impact.Gaps) == 0 || !slices.Contains(preview.Impact.Gaps[0].Opened, "4.M") ||
		!slices.Contains(preview.Impact.Gaps[0].Opened, "9.E") {
		t.Errorf("impact: %s; gaps %+v", preview.Impact.Summary(), preview.Impact.Gaps)
	}
	reopened, err := stateOf(openApp(t, applyStore, app.Options{}))
	must(t, err)
	if !reflect.DeepEqual(reopened, after) {
		t.Error("an App opened on the revised store serves another state than the one that applied the revision")
	}

	// The revision changed what is computed, not the records.
	if reflect.DeepEqual(before.Coverage, after.Coverage) || reflect.DeepEqual(before.Requirements, after.Requirements) {
		t.Error("the revision changed no coverage or requirement")
	}
	if !reflect.DeepEqual(before.Answers.People, after.Answers.People) || !reflect.DeepEqual(before.Answers.Courses, after.Answers.Courses) ||
		!reflect.DeepEqual(before.Answers.Positions, after.Answers.Positions) {
		t.Error("the revision changed people, courses or positions")
	}
	for id, reqs := range after.Requirements {
		for _, r := range reqs {
			if r.SubCompetency == "4.C" || r.SubCompetency == "4.K" {
				t.Errorf("position %s still requires %s, which revision 2 no longer has", id, r.SubCompetency)
			}
		}
	}
	if fw := applying.View().Framework(); fw.Revision != 2 || fw.SubCompetency("4.M") == nil || fw.SubCompetency("4.C") != nil {
		t.Errorf("the active framework is revision %d with 4.M %v", fw.Revision, fw.SubCompetency("4.M"))
	}
}

func TestApplyRevisionKeepsHistoryAndReportsRulesNamingFormerCodes(t *testing.T) {
	ctx := context.Background()
	store := sampleStore(t)
	a := openApp(t, store, app.Options{})
	original := a.View().Framework()
	next, cw := revisedModel(t, sampleCrosswalk)
	plan, err := a.ApplyRevision(ctx, next, cw)
	must(t, err)

	revs, err := a.FrameworkRevisions(ctx)
	must(t, err)
	if len(revs) != 2 || !reflect.DeepEqual(revs[0].Framework, original) || !reflect.DeepEqual(revs[1].Framework, plan.Revision.Framework) {
		t.Fatalf("revisions after applying one: %d", len(revs))
	}
	if !reflect.DeepEqual(revs[1].Crosswalk, cw) {
		t.Errorf("stored crosswalk %+v, want %+v", revs[1].Crosswalk, cw)
	}

	// Every rule entry naming 4.C or 4.K is reported where it is, with the
	// crosswalk's suggestion; the shipped rules name 4.C in a course rule,
	// two position rules and a range, and 4.K in a course rule.
	var got []string
	for _, d := range plan.Warnings {
		got = append(got, d.Pos.String()+": "+d.Message)
	}
	line, col := apptest.PositionOf(t, "../rules/courses/4-sales-and-transfers.yaml", "4.C: tier")
	want := "../rules/courses/4-sales-and-transfers.yaml:" + strconv.Itoa(line) + ":" + strconv.Itoa(col) +
		": 4.C is not in revision 2 of the competency model: 4.C was retired in revision 2; the crosswalk maps it to 4.M"
	if len(got) != 4 || !strings.Contains(strings.Join(got, "\n"), want) {
		t.Errorf("warnings:\n%s\nwant 4, among them\n%s", strings.Join(got, "\n"), want)
	}
	if !reflect.DeepEqual(a.View().RuleSet().Warnings(), plan.Warnings) {
		t.Error("the serving rule set does not carry the plan's warnings")
	}

	// The change is in the audit trail, done, and the active revision
	// carries its entry.
	log, err := a.AuditLog(ctx, domain.AuditFilter{Kind: domain.AuditModel}, domain.Page{})
	must(t, err)
	if len(log.Items) != 1 || log.Items[0].Operation != domain.OpRevise || log.Items[0].State != domain.AuditDone ||
		log.Items[0].VersionBefore != 1 || log.Items[0].VersionAfter != 2 || log.Items[0].ID != revs[1].Audit {
		t.Errorf("audit log of the model: %+v", log.Items)
	}
	problems, err := apptest.AuditTrailProblems(ctx, store)
	must(t, err)
	if len(problems) > 0 {
		t.Errorf("audit trail: %v", problems)
	}

	// The same revision again no longer follows the active one.
	if _, err := a.ApplyRevision(ctx, next, cw); domain.ErrorCode(err) != domain.EINVALID || !strings.Contains(err.Error(), "4.C is not a code of revision 2") {
		t.Errorf("applying the crosswalk again: %v", err)
	}
}

func TestApplyRevisionRefusesCodesInUseUnaccountedFor(t *testing.T) {
	ctx := context.Background()
	store := sampleStore(t)
	a := openApp(t, store, app.Options{})
	v, err := store.DataVersion(ctx)
	must(t, err)
	next, cw := revisedModel(t, "4.C: 4.M\n")
	_, err = a.PreviewRevision(ctx, next, cw)
	_, applyErr := a.ApplyRevision(ctx, next, cw)
	for _, err := range []error{err, applyErr} {
		if domain.ErrorCode(err) != domain.EINVALID || domain.ErrorField(err) != "crosswalk" {
			t.Fatalf("error %v, want EINVALID on crosswalk", err)
		}
		line, col := apptest.PositionOf(t, "../rules/courses/4-sales-and-transfers.yaml", "4.K: tier")
		for _, want := range []string{
			"the crosswalk leaves 1 code in use unaccounted for: revision 2 does not have it, and the rules name it; map each to its new code or to retired:",
			"  4.K, named by rule 4k-trade-shows at ../rules/courses/4-sales-and-transfers.yaml:" + strconv.Itoa(line) + ":" + strconv.Itoa(col),
		} {
			if !strings.Contains(domain.ErrorMessage(err), want) {
				t.Errorf("message\n%s\nlacks\n%s", domain.ErrorMessage(err), want)
			}
		}
	}
	if v2, err := store.DataVersion(ctx); err != nil || v2 != v {
		t.Errorf("a refused revision wrote: data version %d -> %d (%v)", v, v2, err)
	}
	if log, err := a.AuditLog(ctx, domain.AuditFilter{Kind: domain.AuditModel}, domain.Page{}); err != nil || len(log.Items) != 0 {
		t.Errorf("a refused revision is in the audit log: %+v, %v", log.Items, err)
	}
}

// A process that dies between storing the revision and ending its entry
// leaves the entry pending; reconciling finds the revision and settles it
// done, and an entry whose revision was never stored failed.
func TestReconcileSettlesRevisionEntries(t *testing.T) {
	ctx := context.Background()
	store := sampleStore(t)
	prev, err := store.Framework(ctx)
	must(t, err)
	next, cw := revisedModel(t, sampleCrosswalk)
	rev, err := domain.Revise(prev, next, cw)
	must(t, err)
	stored := &domain.AuditEntry{ID: domain.NewAuditID(time.Now().Add(-time.Hour)), Time: time.Now().Add(-time.Hour), Actor: "test", ActorName: "test",
		Operation: domain.OpRevise, Kind: domain.AuditModel, Key: domain.AuditModelKey, VersionBefore: 1, VersionAfter: 2, State: domain.AuditPending}
	must(t, store.BeginAudit(ctx, stored))
	rev.Audit = stored.ID
	must(t, store.AddFrameworkRevision(ctx, rev))
	lost := *stored
	lost.ID, lost.VersionBefore, lost.VersionAfter = domain.NewAuditID(lost.Time), 2, 3
	must(t, store.BeginAudit(ctx, &lost))

	done, failed, err := app.ReconcileAudit(ctx, store, time.Minute, slog.New(slog.DiscardHandler))
	must(t, err)
	if done != 1 || failed != 1 {
		t.Errorf("settled %d done, %d failed; want 1 and 1", done, failed)
	}
	problems, err := apptest.AuditTrailProblems(ctx, store)
	must(t, err)
	if len(problems) > 0 {
		t.Errorf("audit trail: %v", problems)
	}
}

// A revision that moves 4.C away and gives the code to a new item: the
// rules naming 4.C now name the new item, which the plan says once.
func TestPreviewRevisionWarnsOfRulesNamingAReusedCode(t *testing.T) {
	ctx := context.Background()
	a := openApp(t, sampleStore(t), app.Options{})
	next, cw := revisedModel(t, sampleCrosswalk)
	sales := &next.Competencies[3]
	sales.SubCompetencies = append(sales.SubCompetencies, domain.SubCompetency{Code: "4.C", Statement: "Plan partner nation participation in trade events."})
	plan, err := a.PreviewRevision(ctx, next, cw)
	must(t, err)
	line, col := apptest.PositionOf(t, "../rules/positions/sco.yaml", "4.C: Basic")
	want := "../rules/positions/sco.yaml:" + strconv.Itoa(line) + ":" + strconv.Itoa(col) +
		`: rule sco-core names 4.C, which revision 2 gives to another item ("Plan partner nation participation in trade events."); the crosswalk maps the old 4.C to 4.M: check that the rule means the new one`
	var reused, former int
	found := false
	for _, w := range plan.Warnings {
		switch {
		case strings.Contains(w.Message, "gives to another item"):
			reused++
		case strings.Contains(w.Message, "4.K was retired in revision 2"):
			former++
		default:
			t.Errorf("unexpected warning %s", w.Error())
		}
		found = found || w.Error() == want
	}
	// 4.C is named by a course rule, sco-core, and two ia rules (4.* and
	// 4.A-4.C); 4.K by a course rule.
	if !found || reused != 4 || former != 1 {
		t.Errorf("%d warnings of the reused code, %d of the retired one; want 4 and 1, among them\n%s\ngot %v", reused, former, want, plan.Warnings)
	}
	if len(plan.View.RuleSet().Warnings()) != 1 {
		t.Errorf("the rule set under the revision warns %v; want the retired 4.K alone", plan.View.RuleSet().Warnings())
	}
}

// Another instance on the store catches up with a revision: it serves the
// new revision, its rules warn of the codes it dropped, and it answers
// what an App opened afresh answers. An instance started then logs the
// warnings, and a reload of its rules reports them in its status.
func TestAnotherInstanceCatchesUpWithARevision(t *testing.T) {
	ctx := context.Background()
	store := sampleStore(t)
	a1 := openApp(t, store, app.Options{})
	a2 := openApp(t, store, app.Options{})
	next, cw := revisedModel(t, sampleCrosswalk)
	_, err := a1.ApplyRevision(ctx, next, cw)
	must(t, err)
	a2.CatchUp()
	if fw := a2.View().Framework(); fw.Revision != 2 || len(a2.View().RuleSet().Warnings()) != 4 {
		t.Fatalf("after catching up: revision %d, %d warnings", fw.Revision, len(a2.View().RuleSet().Warnings()))
	}
	wantSameAnswers(t, "after a revision applied elsewhere", a2, store)

	rules := apptest.CopyRules(t, "../rules")
	logs := &apptest.LogBuffer{}
	a3 := openApp(t, store, app.Options{RulesDir: rules, Logger: slog.New(slog.NewTextHandler(logs, nil))})
	if !strings.Contains(logs.String(), "a rule names a code the competency model no longer has") ||
		!strings.Contains(logs.String(), "4.C was retired in revision 2; the crosswalk maps it to 4.M") {
		t.Errorf("the log of an instance started on revision 2 does not report the warnings:\n%s", logs.String())
	}
	// The rule author drops 4.K from the course rules and reloads: the
	// three entries naming 4.C are still reported.
	apptest.EditFile(t, filepath.Join(rules, "courses", "4-sales-and-transfers.yaml"), "covers: {4.K: tier}", "covers: {4.G: tier}")
	status, err := a3.ReloadRules(ctx)
	must(t, err)
	if w := status.Rules.Warnings(); len(w) != 3 || strings.Contains(w.Error(), "4.K") {
		t.Errorf("after the reload: %v", w)
	}
}
