package modeldiff_test

import (
	"bytes"
	"cmap/domain"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"cmap/modeldiff"
	"cmap/modelfile"
)

// The revised copy of the shipped model in testdata/revision rewords 1.D,
// renames 2.0, moves 4.C to a new 4.M, retires 4.K and adds 9.E; its
// crosswalk says the move and the retirement.
func readRevision(t *testing.T) (old, next *domain.Framework) {
	t.Helper()
	old, err := modelfile.ReadFile("../seeds/security-cooperation-competency-model.txt")
	if err != nil {
		t.Fatal(err)
	}
	next, err = modelfile.ReadFile("../testdata/revision/revision-2-competency-model.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return old, next
}

func changeCodes(l []modeldiff.TextChange) []string {
	var out []string
	for _, c := range l {
		out = append(out, c.Code+" "+c.Field)
	}
	return out
}

func itemCodes(l []modeldiff.Item) []string {
	var out []string
	for _, it := range l {
		out = append(out, it.Code)
	}
	return out
}

func TestCompareTheRevisedModelWithItsCrosswalk(t *testing.T) {
	old, next := readRevision(t)
	for _, file := range []string{"crosswalk.yaml", "crosswalk.csv"} {
		cw, err := modelfile.ReadCrosswalkFile("../testdata/revision/" + file)
		if err != nil {
			t.Fatal(err)
		}
		if problems := cw.Check(old, next); len(problems) > 0 {
			t.Fatalf("%s: %v", file, problems)
		}
		d := modeldiff.Compare(old, next, cw.Crosswalk)
		if got := changeCodes(d.Renamed); !reflect.DeepEqual(got, []string{"2.0 title"}) {
			t.Errorf("%s: renamed %v", file, got)
		}
		if got := changeCodes(d.Reworded); !reflect.DeepEqual(got, []string{"1.D statement"}) {
			t.Errorf("%s: reworded %v", file, got)
		}
		if got := itemCodes(d.Added); !reflect.DeepEqual(got, []string{"9.E"}) {
			t.Errorf("%s: added %v", file, got)
		}
		if len(d.Removed) != 0 || len(d.Suggested) != 0 {
			t.Errorf("%s: removed %v, suggested %v; the crosswalk accounts for every removed item", file, d.Removed, d.Suggested)
		}
		var maps []string
		for _, m := range d.Mappings {
			maps = append(maps, m.Change+" "+strings.Join(itemCodes(m.Old), ",")+">"+strings.Join(itemCodes(m.New), ","))
		}
		if want := []string{"moved 4.C>4.M", "retired 4.K>"}; !reflect.DeepEqual(maps, want) {
			t.Errorf("%s: mappings %v, want %v", file, maps, want)
		}
		if !d.Changed() {
			t.Errorf("%s: no change", file)
		}
	}
}

func TestCompareWithoutCrosswalkSuggestsTheMove(t *testing.T) {
	old, next := readRevision(t)
	d := modeldiff.Compare(old, next, nil)
	if got := itemCodes(d.Removed); !reflect.DeepEqual(got, []string{"4.C", "4.K"}) {
		t.Errorf("removed %v", got)
	}
	if got := itemCodes(d.Added); !reflect.DeepEqual(got, []string{"4.M", "9.E"}) {
		t.Errorf("added %v", got)
	}
	// 4.C's statement, lightly edited, is 4.M's; trade shows (4.K) are
	// like nothing added.
	if len(d.Suggested) != 1 || d.Suggested[0].Old.Code != "4.C" || d.Suggested[0].New.Code != "4.M" {
		t.Errorf("suggested %+v, want 4.C -> 4.M alone", d.Suggested)
	}
	var text bytes.Buffer
	d.WriteText(&text)
	if !strings.Contains(text.String(), "suggested moves (a guess from similar text, not a crosswalk") {
		t.Errorf("the text does not label the suggestions as such:\n%s", text.String())
	}
}

func TestCompareSameModelIsNoChange(t *testing.T) {
	old, _ := readRevision(t)
	d := modeldiff.Compare(old, old.Clone(), nil)
	if d.Changed() {
		t.Errorf("a model against itself: %s", d.Summary())
	}
	data, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	if want := `"added":[],"removed":[],"renamed":[],"reworded":[],"mappings":[],"suggested":[]`; !strings.Contains(string(data), want) {
		t.Errorf("JSON of no change %s lacks empty lists %s", data, want)
	}
}

// tiny returns a one-competency model with sub-competencies code: statement.
func tiny(subs ...string) *domain.Framework {
	c := domain.Competency{Code: "1.0", Title: "One"}
	for _, s := range subs {
		code, stmt, _ := strings.Cut(s, ": ")
		c.SubCompetencies = append(c.SubCompetencies, domain.SubCompetency{Code: code, Statement: stmt})
	}
	return &domain.Framework{Name: "Tiny", Competencies: []domain.Competency{c}}
}

func TestCompareSplitsMergesAndReusedCodes(t *testing.T) {
	old := tiny("1.A: Plan.", "1.B: Budget.", "1.C: Report.", "1.D: Audit.")
	// 1.A splits into 1.A and 1.E; 1.B and 1.C merge into 1.B; 1.D moves
	// to 1.F and its code is reused by a new item.
	next := tiny("1.A: Plan strategy.", "1.B: Budget and report.", "1.D: Negotiate.", "1.E: Plan operations.", "1.F: Audit.")
	cw := domain.Crosswalk{
		{Old: "1.A", New: []string{"1.A", "1.E"}},
		{Old: "1.B", New: []string{"1.B"}},
		{Old: "1.C", New: []string{"1.B"}},
		{Old: "1.D", New: []string{"1.F"}},
	}
	if p := cw.Check(old, next); len(p) > 0 {
		t.Fatal(p)
	}
	d := modeldiff.Compare(old, next, cw)
	var maps []string
	for _, m := range d.Mappings {
		maps = append(maps, m.Change+" "+strings.Join(itemCodes(m.Old), ",")+">"+strings.Join(itemCodes(m.New), ","))
	}
	if want := []string{"split 1.A>1.A,1.E", "merged 1.B,1.C>1.B", "moved 1.D>1.F"}; !reflect.DeepEqual(maps, want) {
		t.Errorf("mappings %v, want %v", maps, want)
	}
	if got := itemCodes(d.Added); !reflect.DeepEqual(got, []string{"1.D"}) {
		t.Errorf("added %v, want the reused code 1.D", got)
	}
	if got := changeCodes(d.Reworded); !reflect.DeepEqual(got, []string{"1.A statement", "1.B statement"}) {
		t.Errorf("reworded %v", got)
	}
	if len(d.Removed) != 0 {
		t.Errorf("removed %v", d.Removed)
	}
}
