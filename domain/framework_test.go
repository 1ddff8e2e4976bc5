package domain

import "testing"

func TestFrameworkSubCompetency(t *testing.T) {
	f := &Framework{Name: "m", Competencies: []Competency{
		{Code: "4.0", Title: "four", SubCompetencies: []SubCompetency{{Code: "4.A", Statement: "a"}, {Code: "4.B", Statement: "b"}}},
		{Code: "14.0", Title: "fourteen", SubCompetencies: []SubCompetency{{Code: "14.A", Statement: "a of 14"}}},
	}}
	for code, want := range map[string]*SubCompetency{
		"4.A":  &f.Competencies[0].SubCompetencies[0],
		"4.B":  &f.Competencies[0].SubCompetencies[1],
		"14.A": &f.Competencies[1].SubCompetencies[0],
		"4.C":  nil, // in a competency that has no such sub-competency
		"1.A":  nil, // 14.0 is not 1.0
		"44.A": nil, // nor is 4.0 44.0
		"4.0":  nil, // a competency's code
		"4":    nil,
		"":     nil,
	} {
		if got := f.SubCompetency(code); got != want {
			t.Errorf("SubCompetency(%q) = %v, want %v", code, got, want)
		}
	}
}
