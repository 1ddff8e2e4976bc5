package domain

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// TestIdentifierMessagesStateTheRule checks, for every identifier the
// domain validates, values on each side of every bound of its rule: the
// accepted ones pass, and each rejected one fails on its field with a
// message that states the rule exactly as the values show it.
func TestIdentifierMessagesStateTheRule(t *testing.T) {
	const (
		courseRule   = "1 to 32 of A-Z a-z 0-9 - _ . / and space; first a letter or digit, last not a space: SCO-201, MGT 101"
		idRule       = "1 to 64 of A-Z a-z 0-9 - _ . / and space; first a letter or digit, last not a space"
		longCode     = "C0123456789012345678901234567890" // 32
		gradeRule    = "a pay plan (GS, O, E, W, SES, GG or NH), a dash and a 1- or 2-digit number: GS-13, O-5"
		compRule     = "a number from 1 without leading zeros, a dot and 0: 4.0"
		subCompRule  = "a number from 1 without leading zeros, a dot and one capital letter: 4.C"
		longID       = "P" + "012345678901234567890123456789012345678901234567890123456789012" // 64
		past         = "2024-01-02"
		competencyOK = "4.0"
	)
	course := func(code string) error {
		c := Course{Code: code, Title: "t", DeliveryMode: DeliveryOnline, Status: CourseActive}
		return c.Validate()
	}
	prerequisite := func(code string) error {
		c := Course{Code: "SCO-201", Title: "t", DeliveryMode: DeliveryOnline, Status: CourseActive, Prerequisites: []string{code}}
		return c.Validate()
	}
	position := func(id string) error {
		p := Position{ID: id, Title: "t", Organization: "o", Grade: "GS-13", Category: "SCO"}
		return p.Validate()
	}
	grade := func(g string) error {
		p := Position{ID: "POS-0001", Title: "t", Organization: "o", Grade: g, Category: "SCO"}
		return p.Validate()
	}
	person := func(id string) error {
		p := Person{ID: id, Name: "n"}
		return p.Validate()
	}
	personPosition := func(id string) error {
		p := Person{ID: "P-00001", Name: "n", PositionID: id}
		return p.Validate()
	}
	completion := func(code string) error {
		d, _ := time.Parse(time.DateOnly, past)
		p := Person{ID: "P-00001", Name: "n", Completions: []Completion{{CourseCode: code, Completed: d}}}
		return p.Validate()
	}
	framework := func(comp, sub string) error {
		f := Framework{Name: "m", Competencies: []Competency{{Code: comp, Title: "c", SubCompetencies: []SubCompetency{{Code: sub, Statement: "s"}}}}}
		return f.Validate()
	}
	competency := func(code string) error { return framework(code, strings.TrimSuffix(code, "0")+"A") }
	subCompetency := func(code string) error { return framework(competencyOK, code) }

	for _, tc := range []struct {
		what     string
		validate func(string) error
		ok       []string
		bad      []string
		field    string
		message  string // with %q for the value
	}{
		{"course code", course,
			[]string{"SCO-201", "T-100", "1A-100", "sco-201", "SCO201", "SCO-20_", "MGT 101", "DAU/ACQ.101", "7", longCode},
			[]string{"", " SCO-201", "SCO-201 ", "-SCO", "_1", "SCO#201", "SCO:201", "SCÖ-201", longCode + "1"},
			"code", `%q is not a course code (` + courseRule + `)`},
		{"prerequisite", prerequisite, []string{"SCO-101"}, []string{"T-100!"},
			"prerequisites[0]", `%q is not a course code (` + courseRule + `)`},
		{"completed course", completion, []string{"SCO-101"}, []string{"T-100!"},
			"completions[0].courseCode", `%q is not a course code (` + courseRule + `)`},
		{"position id", position,
			[]string{"POS-0001", "p", "9", "a_b.c-d", longID, "POS 1", "POS/1"},
			[]string{"", "-P1", ".P1", "_P1", longID + "3", "POS 1 ", "POS#1"},
			"id", `%q is not a position id (` + idRule + `: POS-0001)`},
		{"person's position", personPosition, []string{"", "POS-0001"}, []string{"-P1"},
			"positionId", `%q is not a position id (` + idRule + `: POS-0001)`},
		{"person id", person,
			[]string{"P-00001", "x", longID},
			[]string{"", "-P", longID + "3", "P 1 ", "P,1"},
			"id", `%q is not a person id (` + idRule + `: P-00001)`},
		{"grade", grade,
			[]string{"GS-13", "O-5", "E-1", "W-2", "SES-99", "GG-15", "NH-4"},
			[]string{"MAJ", "GS13", "GS-130", "GS-", "gs-13", "XX-13", "O-5A"},
			"grade", `%q is not a grade (` + gradeRule + `)`},
		{"competency code", competency,
			[]string{"1.0", "4.0", "10.0"},
			[]string{"0.0", "04.0", "4.1", "4", "A.0"},
			"competencies[0].code", `%q is not a competency code (` + compRule + `)`},
		{"sub-competency code", subCompetency,
			[]string{"4.A", "4.Z"},
			[]string{"4.c", "4.CD", "04.C", "4.0", "4C"},
			"competencies[0].subCompetencies[0].code", `%q is not a sub-competency code (` + subCompRule + `)`},
	} {
		for _, v := range tc.ok {
			if err := tc.validate(v); err != nil {
				t.Errorf("%s %q: %v, want it accepted", tc.what, v, err)
			}
		}
		for _, v := range tc.bad {
			err := tc.validate(v)
			want := strings.Replace(tc.message, "%q", `"`+v+`"`, 1)
			e, _ := errors.AsType[*Error](err)
			if e == nil || e.Code != EINVALID || e.Field != tc.field || e.Message != want {
				t.Errorf("%s %q: got %v\nwant %s: %s", tc.what, v, err, tc.field, want)
			}
		}
	}
}

// TestBareGradeNamesTheFormItWants checks that a grade written as a bare
// number, as spreadsheets often hold it, is refused with the rule and the
// form it wants.
func TestBareGradeNamesTheFormItWants(t *testing.T) {
	p := Position{ID: "POS-0001", Title: "t", Organization: "o", Grade: "13", Category: "SCO"}
	want := `"13" is not a grade (` + GradeRule + `); a bare number needs its pay plan: GS-13`
	if e, _ := errors.AsType[*Error](p.Validate()); e == nil || e.Field != "grade" || e.Message != want {
		t.Errorf("got %v, want grade: %s", e, want)
	}
}

// Refs points at the records themselves, in order.
func TestRefs(t *testing.T) {
	records := []Course{{Code: "A"}, {Code: "B"}}
	refs := Refs(records)
	if len(refs) != 2 || refs[0] != &records[0] || refs[1] != &records[1] {
		t.Fatalf("Refs(%v) = %v", records, refs)
	}
	if len(Refs[Course](nil)) != 0 {
		t.Error("Refs(nil) is not empty")
	}
}
