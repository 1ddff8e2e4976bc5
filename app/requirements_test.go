package app_test

import (
	"cmap/domain"
	"context"
	"fmt"
	"reflect"
	"testing"

	"cmap/app"
)

// The View keeps the requirement facts of positions shared among those the
// rules read alike, but hands out each position's own: the facts the rules
// give it alone (PositionRequirements), Position filled in, in a list the
// caller may modify; and RequiredBy lists them by sub-competency in
// position order. So after the full build, and after writes that give a
// position the facts of another, give a new position facts and delete it.
func TestServedRequirementsAreEachPositionsOwn(t *testing.T) {
	ctx := context.Background()
	a := openApp(t, seededStore(t), app.Options{})
	check := func(when string) {
		t.Helper()
		v := a.View()
		positions, err := v.Positions(domain.PositionFilter{}, domain.Page{})
		must(t, err)
		scale := v.Scale()
		bySub := map[string][]domain.Requirement{}
		for _, p := range positions.Items {
			want, err := v.RuleSet().PositionRequirements(p)
			must(t, err)
			got := v.Requirements(p.ID)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%s: Requirements(%s) differs from the position's own facts: %s", when, p.ID, firstDifference(got, want))
			}
			if len(got) > 0 {
				got[0].Position, got[0].Level = "scribbled", "scribbled"
				if again := v.Requirements(p.ID); !reflect.DeepEqual(again, want) {
					t.Fatalf("%s: a change to the facts Requirements(%s) handed out shows in the next call: %+v", when, p.ID, again[0])
				}
			}
			for _, r := range want {
				bySub[r.SubCompetency] = append(bySub[r.SubCompetency], r)
			}
		}
		if len(bySub) < 2 {
			t.Fatalf("%s: the positions require %d sub-competencies: the fixture tells nothing", when, len(bySub))
		}
		for _, code := range v.Framework().SubCompetencyCodes() {
			for _, min := range scale.Levels[:2] {
				minRank, _ := scale.Rank(min)
				var want []domain.Requirement
				for _, r := range bySub[code] {
					if rank, _ := scale.Rank(r.Level); rank >= minRank {
						want = append(want, r)
					}
				}
				got, err := v.RequiredBy(code, min)
				must(t, err)
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("%s: RequiredBy(%s, %s) differs from the positions' own facts: %s", when, code, min, firstDifference(got, want))
				}
			}
		}
	}
	check("after the build")

	// POS-0002 takes the fields the rules read from POS-0001, whose facts
	// differ.
	v := a.View()
	chief, err := v.Position("POS-0001")
	must(t, err)
	deputy, err := v.Position("POS-0002")
	must(t, err)
	if reflect.DeepEqual(v.Requirements(chief.ID), v.Requirements(deputy.ID)) {
		t.Fatal("POS-0001 and POS-0002 have the same facts: the fixture tells nothing")
	}
	_, err = a.UpdatePosition(ctx, deputy.ID, deputy.Version, func(p *domain.Position) {
		p.Grade, p.Category, p.KeyBillet, p.Region = chief.Grade, chief.Category, chief.KeyBillet, chief.Region
	})
	must(t, err)
	check("after an update")
	must(t, a.CreatePosition(ctx, &domain.Position{ID: "POS-NEW", Title: "Instructor", Organization: "DSCU", Grade: "E-9", Category: "IA", KeyBillet: true, Region: "CENTCOM"}))
	check("after a create")
	must(t, a.DeletePosition(ctx, "POS-NEW", 1))
	check("after a delete")
	if got := a.View().Requirements("POS-NEW"); got != nil {
		t.Errorf("a deleted position has facts %+v", got)
	}
}

// firstDifference describes where two lists of facts first differ.
func firstDifference(got, want []domain.Requirement) string {
	for i := range min(len(got), len(want)) {
		if !reflect.DeepEqual(got[i], want[i]) {
			return fmt.Sprintf("fact %d is %+v, want %+v", i, got[i], want[i])
		}
	}
	return fmt.Sprintf("%d facts, want %d", len(got), len(want))
}
