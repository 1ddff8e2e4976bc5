package modelfile

import (
	"errors"
	"io/fs"
	"testing"
)

// A model with two competencies whose statements start with verbs the
// cases below reuse.
const checkHead = "Model\n1.0 Records\nKeep records.\n1.A Classify records.\n1.B Maintain the inventory.\n" +
	"2.0 Archives\nPreserve records.\n2.A Identify records of value.\n"

func TestCheckRunTogether(t *testing.T) {
	tests := []struct {
		name string
		tail string // the rest of competency 2.0, after checkHead (line 9 on)
		want string // the suspicions, or ""
		// statement is 2.B's statement as read.
		statement string
	}{
		{"the last sub-competency lost its code",
			"2.B Report holdings to the\nBoard.\nMaintain finding aids.\n",
			"m.txt:11:1: sub-competency 2.B reads like two statements run together: a sentence ends, " +
				`then "Maintain" starts another, as it starts 1.B: did a line lose its code (2.C?)`,
			"Report holdings to the Board. Maintain finding aids."},
		{"the verb is learned from the model, whatever it is",
			"2.B Report holdings. Classify,\nfile and store them.\n",
			"m.txt:9:22: sub-competency 2.B reads like two statements run together: a sentence ends, " +
				`then "Classify" starts another, as it starts 1.A: did a line lose its code (2.C?)`,
			"Report holdings. Classify, file and store them."},
		{"a verb that starts no other statement",
			"2.B Report holdings. Publish them.\n",
			"", "Report holdings. Publish them."},
		{"the statement's own verb",
			"2.B Report holdings.\nReport gaps.\n",
			"", "Report holdings. Report gaps."},
		{"an abbreviation does not end a sentence",
			"2.B Report holdings to the U.S. Maintain office and\nthe Board (e.g. Classify units).\n",
			"", "Report holdings to the U.S. Maintain office and the Board (e.g. Classify units)."},
		{"no sentence end before the verb",
			"2.B Report holdings and\nMaintain finding aids.\n",
			"", "Report holdings and Maintain finding aids."},
		{"after a closing bracket",
			"2.B Report holdings (to the Board.)\nIdentify gaps.\n",
			"m.txt:10:1: sub-competency 2.B reads like two statements run together: a sentence ends, " +
				`then "Identify" starts another, as it starts 2.A: did a line lose its code (2.C?)`,
			"Report holdings (to the Board.) Identify gaps."},
		{"the next code exists: no guess at the lost one",
			"2.B Report. Classify gaps.\n2.C Act.\n",
			"m.txt:9:13: sub-competency 2.B reads like two statements run together: a sentence ends, " +
				`then "Classify" starts another, as it starts 1.A: did a line lose its code?`,
			"Report. Classify gaps."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Check("m.txt", []byte(checkHead+tt.tail))
			if len(r.Errors) > 0 {
				t.Fatalf("errors: %v", r.Errors)
			}
			if got := r.Suspicions.Error(); got != tt.want {
				t.Errorf("suspicions:\n%s\nwant:\n%s", got, tt.want)
			}
			if got := r.Model.SubCompetency("2.B").Statement; got != tt.statement {
				t.Errorf("2.B statement %q, want %q", got, tt.statement)
			}
		})
	}
}

// A code lost in the middle of a competency is an error (a letter is
// missing); check also points at where the lost line starts, and names the
// missing code.
func TestCheckLostCodeInTheMiddle(t *testing.T) {
	r := Check("m.txt", []byte(checkHead+"Maintain finding aids.\n2.C Report holdings.\n"))
	if r.Model != nil {
		t.Errorf("a model with a missing letter reads: %+v", r.Model)
	}
	if got, want := r.Errors.Error(), "m.txt:10:1: sub-competency 2.C follows 2.A: missing 2.B"; got != want {
		t.Errorf("errors:\n%s\nwant:\n%s", got, want)
	}
	want := "m.txt:9:1: sub-competency 2.A reads like two statements run together: a sentence ends, " +
		`then "Maintain" starts another, as it starts 1.B: did a line lose its code (2.B?)`
	if got := r.Suspicions.Error(); got != want {
		t.Errorf("suspicions:\n%s\nwant:\n%s", got, want)
	}
	if _, err := Read("m.txt", []byte(checkHead+"Maintain finding aids.\n2.C Report holdings.\n")); err == nil || err.Error() != r.Errors.Error() {
		t.Errorf("Read error %v, want Check's errors", err)
	}
}

// YAML and JSON models are checked too, at the statement's position.
func TestCheckRunTogetherYAMLAndJSON(t *testing.T) {
	yml := `name: M
competencies:
  - code: "1.0"
    title: Records
    description: Keep records.
    subCompetencies:
      - code: 1.A
        statement: Classify records.
      - code: 1.B
        statement: Report holdings. Classify gaps.
`
	r := Check("m.yaml", []byte(yml))
	want := "m.yaml:10:20: sub-competency 1.B reads like two statements run together: a sentence ends, " +
		`then "Classify" starts another, as it starts 1.A: did a line lose its code (1.C?)`
	if len(r.Errors) > 0 || r.Suspicions.Error() != want || len(r.Joins) != 0 {
		t.Errorf("YAML: errors %v, joins %v, suspicions:\n%s\nwant:\n%s", r.Errors, r.Joins, r.Suspicions, want)
	}

	js := `{"name": "M", "competencies": [{"code": "1.0", "title": "Records", "description": "Keep records.",
 "subCompetencies": [{"code": "1.A", "statement": "Classify records."},
  {"code": "1.B", "statement": "Report holdings. Classify gaps."}]}]}`
	r = Check("m.json", []byte(js))
	want = "m.json:3:32: sub-competency 1.B reads like two statements run together: a sentence ends, " +
		`then "Classify" starts another, as it starts 1.A: did a line lose its code (1.C?)`
	if len(r.Errors) > 0 || r.Suspicions.Error() != want {
		t.Errorf("JSON: errors %v, suspicions:\n%s\nwant:\n%s", r.Errors, r.Suspicions, want)
	}
}

// The customer's model reads without a suspicion, its one line-end hyphen
// decided by the document's own spelling of "end-use".
func TestCheckCustomerModel(t *testing.T) {
	r, err := CheckFile(customerModel)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Errors) > 0 || len(r.Suspicions) > 0 {
		t.Errorf("errors %v, suspicions %v", r.Errors, r.Suspicions)
	}
	if len(r.Joins) != 1 {
		t.Fatalf("joins %v, want the one in 9.0's title", r.Joins)
	}
	j := r.Joins[0]
	if j.Line != 311 || j.Word != "End-Use" || !j.Kept || j.Rule != RuleEvidence || j.Hyphenated != 4 || j.Closed != 0 {
		t.Errorf("join %s: rule %s, counts closed %d, hyphenated %d", j, j.Rule, j.Closed, j.Hyphenated)
	}
}

// A model in an unknown format gets an error in the report; a file that
// cannot be read is an error, not a report.
func TestCheckFileErrors(t *testing.T) {
	r := Check("m.csv", nil)
	want := `m.csv: unknown competency model format ".csv": use .txt, .text, .yaml, .yml or .json`
	if r.Model != nil || r.Errors.Error() != want {
		t.Errorf("unknown format: model %v, errors %v", r.Model, r.Errors)
	}
	if _, err := CheckFile("testdata/none.txt"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: error %v", err)
	}
}
