package app

import (
	"cmap/domain"
	"reflect"
	"slices"
	"testing"
)

// positionFacts keeps one list for each distinct list of facts of the
// build, and an update takes the build's list of its facts when there is
// one, a list of its own when there is none; either way the facts it was
// given stay as they were, and earlier generations keep theirs.
func TestPositionFactsShareListsOfEqualFacts(t *testing.T) {
	ref := func(id string) []domain.RuleRef {
		return []domain.RuleRef{{ID: id, File: "rules/positions.yaml", Line: 3}}
	}
	senior := []domain.Requirement{{SubCompetency: "1.A", Level: "Advanced", Rules: ref("senior")}, {SubCompetency: "2.B", Level: "Basic", Rules: ref("all")}}
	junior := []domain.Requirement{{SubCompetency: "1.A", Level: "Basic", Rules: ref("junior")}}
	// Same levels as junior, another rule: the same hash, not the same facts.
	other := []domain.Requirement{{SubCompetency: "1.A", Level: "Basic", Rules: ref("other")}}
	f := newPositionFacts(map[string][]domain.Requirement{
		"P1": senior, "P2": senior, "P3": slices.Clone(senior), "P4": junior, "P5": other, "P6": {},
	})
	same := func(a, b []domain.Requirement) bool { return len(a) > 0 && len(b) > 0 && &a[0] == &b[0] }
	list := func(f positionFacts, id string) []domain.Requirement {
		l, ok := f.shared(id)
		if !ok {
			t.Fatalf("no facts for %s", id)
		}
		return l
	}
	if !same(list(f, "P1"), list(f, "P3")) || same(list(f, "P1"), list(f, "P4")) || same(list(f, "P4"), list(f, "P5")) {
		t.Error("the build keeps equal lists apart, or unequal ones together")
	}
	if got, _ := f.get("P5"); !reflect.DeepEqual(got, []domain.Requirement{{Position: "P5", SubCompetency: "1.A", Level: "Basic", Rules: ref("other")}}) {
		t.Errorf("P5's facts = %+v", got)
	}

	// P4 is given the facts of a senior position, and P7 new ones.
	update := func(id string, facts []domain.Requirement) []domain.Requirement {
		reqs := slices.Clone(facts)
		for i := range reqs {
			reqs[i].Position = id
		}
		return reqs
	}
	p4 := update("P4", senior)
	g := f.with("P4", p4)
	if !same(list(g, "P4"), list(f, "P1")) {
		t.Error("a position updated to the facts of others does not share their list")
	}
	p7 := update("P7", []domain.Requirement{{SubCompetency: "3.C", Level: "Expert", Rules: ref("new")}})
	g = g.with("P7", p7)
	if l := list(g, "P7"); l[0].Position != "" || same(l, p7) {
		t.Errorf("a position's new facts are kept as given: %+v", l)
	}
	if p4[0].Position != "P4" || p7[0].Position != "P7" {
		t.Error("the facts given to with were modified")
	}
	if got, _ := g.get("P7"); !reflect.DeepEqual(got, p7) {
		t.Errorf("P7's facts = %+v, want %+v", got, p7)
	}
	g = g.without("P1")
	if _, ok := g.get("P1"); ok || g.len() != 6 {
		t.Errorf("without P1: %d positions, P1 found %v", g.len(), ok)
	}
	if got, _ := f.get("P4"); got[0].Level != "Basic" || f.len() != 6 {
		t.Error("an update changed the generation it was made from")
	}

	// By sub-competency, in position order, from the lists.
	ix := g.requiredBy()
	anyLevel := func(string) bool { return true }
	var ids []string
	for _, r := range ix.facts("1.A", anyLevel) {
		ids = append(ids, r.Position+" "+r.Level)
	}
	if want := []string{"P2 Advanced", "P3 Advanced", "P4 Advanced", "P5 Basic"}; !slices.Equal(ids, want) {
		t.Errorf("facts on 1.A = %v, want %v", ids, want)
	}
	if got := ix.facts("1.A", func(level string) bool { return level == "Basic" }); len(got) != 1 || got[0].Position != "P5" {
		t.Errorf("facts on 1.A at Basic = %+v, want P5's", got)
	}
}
