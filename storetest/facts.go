package storetest

import (
	"cmap/domain"
	"testing"
)

func testCourseFacts(t *testing.T, s domain.Store) {
	ctx := t.Context()
	got, err := s.CourseFacts(ctx)
	if err != nil || len(got) != 0 {
		t.Fatalf("CourseFacts of a new store = %v, %v", got, err)
	}
	rule := domain.RuleRef{ID: "fms-basics", File: "rules/courses.yaml", Line: 12}
	other := domain.RuleRef{ID: "title-10", File: "rules/courses.yaml", Line: 30}
	facts := []domain.CourseFacts{
		{Course: "SCO-201", Revision: "r1", Coverage: []domain.Coverage{
			{Course: "SCO-201", SubCompetency: "1.A", Level: "Basic", Rules: []domain.RuleRef{rule}},
			{Course: "SCO-201", SubCompetency: "4.C", Level: "Advanced", Rules: []domain.RuleRef{rule, other}},
		}},
		{Course: "SCO-101", Revision: "r1"}, // covers nothing
		{Course: "SCO-301", Revision: "r1", Coverage: []domain.Coverage{
			{Course: "SCO-301", SubCompetency: "2.A", Level: "Expert", Rules: []domain.RuleRef{other}},
		}},
	}
	must(t, s.SaveCourseFacts(ctx, facts))
	got, err = s.CourseFacts(ctx)
	must(t, err)
	assertEqual(t, got, []domain.CourseFacts{facts[1], facts[0], facts[2]})

	// Saving again replaces the records given and leaves the others.
	replaced := domain.CourseFacts{Course: "SCO-201", Revision: "r2", Coverage: facts[0].Coverage[:1]}
	must(t, s.SaveCourseFacts(ctx, []domain.CourseFacts{replaced}))
	must(t, s.DeleteFacts(ctx, []string{"SCO-301", "SCO-999"}, nil))
	got, err = s.CourseFacts(ctx)
	must(t, err)
	assertEqual(t, got, []domain.CourseFacts{facts[1], replaced})

	// What was read is a copy.
	got[1].Coverage[0].Level = "Expert"
	got, err = s.CourseFacts(ctx)
	must(t, err)
	assertEqual(t, got, []domain.CourseFacts{facts[1], replaced})

	err = s.SaveCourseFacts(ctx, []domain.CourseFacts{{Revision: "r3"}})
	wantCode(t, err, domain.EINVALID)
	wantField(t, err, "[0].course")
	err = s.SaveCourseFacts(ctx, []domain.CourseFacts{{Course: "SCO-401", Revision: "r3"}, {Course: "SCO-401", Revision: "r3"}})
	wantCode(t, err, domain.EINVALID)
	wantField(t, err, "[1].course")
	must(t, s.SaveCourseFacts(ctx, nil))
	got, err = s.CourseFacts(ctx)
	must(t, err)
	assertEqual(t, got, []domain.CourseFacts{facts[1], replaced})
}

func testPositionFacts(t *testing.T, s domain.Store) {
	ctx := t.Context()
	rule := domain.RuleRef{ID: "key-billets", File: "rules/positions.yaml", Line: 4}
	facts := []domain.PositionFacts{
		{Position: "POS-0002", Revision: "r1", Requirements: []domain.Requirement{
			{Position: "POS-0002", SubCompetency: "1.A", Level: "Intermediate", Rules: []domain.RuleRef{rule}},
		}},
		{Position: "POS-0001", Revision: "r1", Requirements: []domain.Requirement{
			{Position: "POS-0001", SubCompetency: "1.A", Level: "Advanced", Rules: []domain.RuleRef{rule}},
			{Position: "POS-0001", SubCompetency: "9.D", Level: "Basic", Rules: []domain.RuleRef{rule}},
		}},
		{Position: "POS-0003", Revision: "r1"}, // requires nothing
	}
	must(t, s.SavePositionFacts(ctx, facts))
	got, err := s.PositionFacts(ctx)
	must(t, err)
	assertEqual(t, got, []domain.PositionFacts{facts[1], facts[0], facts[2]})

	facts[0].Revision = "r2"
	facts[0].Requirements[0].Level = "Expert"
	must(t, s.SavePositionFacts(ctx, facts[:1]))
	must(t, s.DeleteFacts(ctx, nil, []string{"POS-0001", "POS-0003"}))
	got, err = s.PositionFacts(ctx)
	must(t, err)
	assertEqual(t, got, facts[:1])

	err = s.SavePositionFacts(ctx, []domain.PositionFacts{facts[0], {Revision: "r3"}})
	wantCode(t, err, domain.EINVALID)
	wantField(t, err, "[1].position")
	dup := []domain.PositionFacts{facts[1], facts[2], facts[1]}
	err = s.SavePositionFacts(ctx, dup)
	wantCode(t, err, domain.EINVALID)
	wantField(t, err, "[2].position")
	got, err = s.PositionFacts(ctx)
	must(t, err)
	assertEqual(t, got, facts[:1])

	// Facts of courses and of positions are apart.
	must(t, s.DeleteFacts(ctx, []string{"POS-0002"}, nil))
	got, err = s.PositionFacts(ctx)
	must(t, err)
	assertEqual(t, got, facts[:1])
}
