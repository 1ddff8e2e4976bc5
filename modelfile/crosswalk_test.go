package modelfile

import (
	"cmap/domain"
	"reflect"
	"strings"
	"testing"
)

func TestReadCrosswalkYAMLAndCSVAlike(t *testing.T) {
	yamlText := `# revision 1 to 2
4.C: 4.D
4.E: retired
5.B: [5.B, 5.F]
"6.0": 6.0
`
	csvText := "Note,OLD,New\nmoved,4.C,4.D\n,4.E,retired\nsplit,5.B,5.B\nsplit,5.B,5.F\n,6.0,6.0\n"
	want := domain.Crosswalk{
		{Old: "4.C", New: []string{"4.D"}},
		{Old: "4.E"},
		{Old: "5.B", New: []string{"5.B", "5.F"}},
		{Old: "6.0", New: []string{"6.0"}},
	}
	for name, text := range map[string]string{"cw.yaml": yamlText, "cw.csv": csvText} {
		cw, err := ReadCrosswalk(name, []byte(text))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !reflect.DeepEqual(cw.Crosswalk, want) {
			t.Errorf("%s reads as %+v, want %+v", name, cw.Crosswalk, want)
		}
	}
}

func TestReadCrosswalkErrorsAtTheirPlace(t *testing.T) {
	tests := []struct{ name, text, want string }{
		{"cw.yaml", "4.C: 4.D\n4.C: 4.E\n", `cw.yaml:2:1: mapping key "4.C" already defined at [1:1]`},
		{"cw.yaml", "4.C: [retired, 4.D]\n", "cw.yaml:1:7: 4.C is retired and mapped to other codes at once: give one or the other"},
		{"cw.yaml", "4.C: []\n", "cw.yaml:1:6: 4.C maps to an empty list: give its new codes, or retired"},
		{"cw.yaml", "- 4.C\n", "cw.yaml:1:1: a crosswalk is a mapping from old codes to new codes (4.C: 4.D), not Sequence"},
		{"cw.csv", "from,to\n4.C,4.D\n", `cw.csv:1: the header names the columns "from,to"; a crosswalk needs old and new`},
		{"cw.csv", "old,new\n4.C,retired\n4.C,4.D\n", "cw.csv:3:5: 4.C is retired and mapped to other codes at once: give one or the other"},
		{"cw.csv", "old,new\n,4.D\n", "cw.csv:2:1: the row has no old code"},
		{"cw.txt", "", `cw.txt: unknown crosswalk format ".txt": use .yaml, .yml or .csv`},
	}
	for _, tt := range tests {
		_, err := ReadCrosswalk(tt.name, []byte(tt.text))
		if err == nil || err.Error() != tt.want {
			t.Errorf("%s %q:\n got %v\nwant %s", tt.name, tt.text, err, tt.want)
		}
	}
}

func TestCrosswalkCheckPlacesProblems(t *testing.T) {
	old := &domain.Framework{Name: "M", Revision: 1, Competencies: []domain.Competency{{Code: "1.0", Title: "One",
		SubCompetencies: []domain.SubCompetency{{Code: "1.A", Statement: "A."}, {Code: "1.B", Statement: "B."}}}}}
	next := old.Clone()
	next.Competencies[0].SubCompetencies = next.Competencies[0].SubCompetencies[:1]
	cw, err := ReadCrosswalk("cw.yaml", []byte("1.B: [1.A, 1.Q]\n1.Z: retired\n"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range cw.Check(old, next) {
		got = append(got, d.Error())
	}
	want := []string{
		"cw.yaml:1:12: 1.Q is not a code of the new revision",
		"cw.yaml:2:1: 1.Z is not a code of revision 1 (the model being replaced)",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Check:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
