package mongodb_test

import (
	"context"
	"testing"

	"cmap/engine"
	"cmap/mongodb/mongotest"
)

func TestCourseFacts(t *testing.T) {
	ctx := context.Background()
	db := mongotest.Open(t)
	rule := engine.RuleRef{ID: "fms-basics", File: "rules/courses.yaml", Line: 12}
	other := engine.RuleRef{ID: "title-10", File: "rules/courses.yaml", Line: 30}
	facts := []engine.CourseFacts{
		{Course: "SCO-201", Revision: "r1", Coverage: []engine.Coverage{
			{Course: "SCO-201", SubCompetency: "1.A", Level: "Basic", Rules: []engine.RuleRef{rule}},
			{Course: "SCO-201", SubCompetency: "4.C", Level: "Advanced", Rules: []engine.RuleRef{rule, other}},
		}},
		{Course: "SCO-101", Revision: "r1"}, // covers nothing
		{Course: "SCO-301", Revision: "r1", Coverage: []engine.Coverage{
			{Course: "SCO-301", SubCompetency: "2.A", Level: "Expert", Rules: []engine.RuleRef{other}},
		}},
	}
	if err := db.SaveCourseFacts(ctx, facts); err != nil {
		t.Fatal(err)
	}
	got, err := db.CourseFacts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	assertEqual(t, got, []engine.CourseFacts{facts[1], facts[0], facts[2]})

	// Saving again replaces the records given and leaves the others.
	replaced := engine.CourseFacts{Course: "SCO-201", Revision: "r2", Coverage: facts[0].Coverage[:1]}
	if err := db.SaveCourseFacts(ctx, []engine.CourseFacts{replaced}); err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteFacts(ctx, []string{"SCO-301", "SCO-999"}, nil); err != nil {
		t.Fatal(err)
	}
	got, err = db.CourseFacts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	assertEqual(t, got, []engine.CourseFacts{facts[1], replaced})

	err = db.SaveCourseFacts(ctx, []engine.CourseFacts{{Revision: "r3"}})
	wantCode(t, err, engine.EINVALID)
	if engine.ErrorField(err) != "[0].course" {
		t.Errorf("facts without a course: field %q", engine.ErrorField(err))
	}
}

func TestPositionFacts(t *testing.T) {
	ctx := context.Background()
	db := mongotest.Open(t)
	rule := engine.RuleRef{ID: "key-billets", File: "rules/positions.yaml", Line: 4}
	facts := []engine.PositionFacts{
		{Position: "POS-0002", Revision: "r1", Requirements: []engine.Requirement{
			{Position: "POS-0002", SubCompetency: "1.A", Level: "Intermediate", Rules: []engine.RuleRef{rule}},
		}},
		{Position: "POS-0001", Revision: "r1", Requirements: []engine.Requirement{
			{Position: "POS-0001", SubCompetency: "1.A", Level: "Advanced", Rules: []engine.RuleRef{rule}},
			{Position: "POS-0001", SubCompetency: "9.D", Level: "Basic", Rules: []engine.RuleRef{rule}},
		}},
	}
	if err := db.SavePositionFacts(ctx, facts); err != nil {
		t.Fatal(err)
	}
	got, err := db.PositionFacts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	assertEqual(t, got, []engine.PositionFacts{facts[1], facts[0]})

	facts[0].Revision = "r2"
	facts[0].Requirements[0].Level = "Expert"
	if err := db.SavePositionFacts(ctx, facts[:1]); err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteFacts(ctx, nil, []string{"POS-0001"}); err != nil {
		t.Fatal(err)
	}
	got, err = db.PositionFacts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	assertEqual(t, got, facts[:1])
}

func TestFactsWritesLeaveDataVersion(t *testing.T) {
	ctx := context.Background()
	db := mongotest.Open(t)
	if err := db.SaveCourseFacts(ctx, []engine.CourseFacts{{Course: "SCO-201", Revision: "r1"}}); err != nil {
		t.Fatal(err)
	}
	if v, err := db.DataVersion(ctx); err != nil || v != 0 {
		t.Errorf("DataVersion after saving facts = %d, %v; want 0", v, err)
	}
}

// Saves larger than one bulk chunk take another path on FerretDB (delete
// and insert): they must still replace exactly the records given.
func TestSaveManyPositionFacts(t *testing.T) {
	ctx := context.Background()
	db := mongotest.Open(t)
	first := positionFactsAtScale(120, "r1")
	if err := db.SavePositionFacts(ctx, first); err != nil {
		t.Fatal(err)
	}
	second := positionFactsAtScale(200, "r2")[60:] // the last 60 of first, and 80 new
	if err := db.SavePositionFacts(ctx, second); err != nil {
		t.Fatal(err)
	}
	got, err := db.PositionFacts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	assertEqual(t, got, append(first[:60:60], second...))

	dup := []engine.PositionFacts{first[0], first[1], first[0]}
	err = db.SavePositionFacts(ctx, dup)
	wantCode(t, err, engine.EINVALID)
	if engine.ErrorField(err) != "[2].position" {
		t.Errorf("duplicate facts: field %q", engine.ErrorField(err))
	}
}
