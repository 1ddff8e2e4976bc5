package modelfile

import (
	"strings"
	"testing"
)

// Each case is a model whose 1.A statement breaks a word with a hyphen at
// a line end, and whose 1.B statement holds the rest of the document's
// words: the evidence. The expected statements are written out by hand.
func TestReadTextLineEndHyphens(t *testing.T) {
	tests := []struct {
		name       string
		a          [2]string // 1.A's statement on two lines
		b          string    // 1.B's statement: the rest of the document
		want       string    // 1.A's statement as read
		rule       string
		kept       bool
		suspicious bool
	}{
		{"lower case, the document spells it closed: dropped",
			[2]string{"Share infor-", "mation widely."}, "Protect information.",
			"Share information widely.", RuleEvidence, false, false},
		{"lower case, the document spells it with a hyphen: kept",
			[2]string{"Keep good record-", "keeping habits."}, "Review record-keeping.",
			"Keep good record-keeping habits.", RuleEvidence, true, false},
		{"evidence counts without regard to case, slashes or punctuation",
			[2]string{"Share (infor-", "mation), widely."}, "Protect Information/data (e.g., INFORMATION).",
			"Share (information), widely.", RuleEvidence, false, false},
		{"the more frequent spelling wins",
			[2]string{"Answer e-", "mail promptly."}, "File e-mail and e-mail archives, not email.",
			"Answer e-mail promptly.", RuleEvidence, true, false},
		{"evidence comes before the rule of thumb",
			[2]string{"Run the Cyber-", "Security office."}, "Teach cybersecurity.",
			"Run the CyberSecurity office.", RuleEvidence, false, false},
		{"capitalised, no evidence: kept by the rule of thumb",
			[2]string{"Enforce End-", "Use controls."}, "Report.",
			"Enforce End-Use controls.", RuleNotLowercase, true, false},
		{"a digit is not lower case either",
			[2]string{"Track COVID-", "19 cases."}, "Report.",
			"Track COVID-19 cases.", RuleNotLowercase, true, false},
		{"lower case, no evidence: kept, and suspicious",
			[2]string{"Patch on a risk-", "based schedule."}, "Report.",
			"Patch on a risk-based schedule.", RuleDefault, true, true},
		{"lower case, both spellings equally often: kept, and suspicious",
			[2]string{"Set time-", "frames."}, "Compare timeframes with time-frames.",
			"Set time-frames.", RuleDefault, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := "M\n1.0 Title\nDo it.\n1.A " + tt.a[0] + "\n\n" + tt.a[1] + "\n1.B " + tt.b + "\n"
			r := Check("m.txt", []byte(src))
			if len(r.Errors) > 0 {
				t.Fatalf("errors: %v", r.Errors)
			}
			if got := r.Model.SubCompetency("1.A").Statement; got != tt.want {
				t.Errorf("statement %q, want %q", got, tt.want)
			}
			if len(r.Joins) != 1 {
				t.Fatalf("joins %v, want one", r.Joins)
			}
			j := r.Joins[0]
			// The fragment is the last word of line 4, after "1.A ".
			if wantCol := len("1.A ") + strings.LastIndexByte(tt.a[0], ' ') + 2; j.Line != 4 || j.Col != wantCol || j.NextLine != 6 {
				t.Errorf("join at %d:%d to line %d, want 4:%d to line 6", j.Line, j.Col, j.NextLine, wantCol)
			}
			if j.Rule != tt.rule || j.Kept != tt.kept {
				t.Errorf("join %s: rule %s, kept %v; want %s, %v", j, j.Rule, j.Kept, tt.rule, tt.kept)
			}
			if got := len(r.Suspicions) > 0; got != tt.suspicious {
				t.Errorf("suspicions %v, want suspicious %v", r.Suspicions, tt.suspicious)
			}
		})
	}
}

// The words of other line-end breaks are not evidence: two breaks of the
// same word decide nothing for each other.
func TestReadTextHyphenBreaksAreNotEvidence(t *testing.T) {
	src := "M\n1.0 Title\nDo it.\n1.A Share infor-\nmation.\n1.B Store infor-\nmation.\n"
	r := Check("m.txt", []byte(src))
	if len(r.Errors) > 0 {
		t.Fatal(r.Errors)
	}
	for _, j := range r.Joins {
		if j.Rule != RuleDefault || j.Closed != 0 || j.Hyphenated != 0 {
			t.Errorf("join %s: rule %s, counts %d/%d; want no evidence", j, j.Rule, j.Closed, j.Hyphenated)
		}
	}
	if len(r.Joins) != 2 || len(r.Suspicions) != 2 {
		t.Errorf("joins %v, suspicions %v; want two of each", r.Joins, r.Suspicions)
	}
}

// What check prints for a join and for a join it cannot decide.
func TestJoinMessages(t *testing.T) {
	src := "M\n1.0 Title\nDo it.\n1.A Share infor-\nmation.\n1.B Protect information on a risk-\n  based schedule.\n"
	r := Check("m.txt", []byte(src))
	if len(r.Errors) > 0 || len(r.Joins) != 2 {
		t.Fatalf("errors %v, joins %v", r.Errors, r.Joins)
	}
	want := []string{
		`m.txt:4:11: "infor-" + "mation." = "information.", hyphen dropped: the document spells "information" once elsewhere, "infor-mation" never`,
		`m.txt:6:30: "risk-" + "based" = "risk-based", hyphen kept: the document spells neither "risk-based" nor "riskbased" elsewhere; kept by default: no character is dropped without evidence`,
	}
	for i, j := range r.Joins {
		if got := j.String(); got != want[i] {
			t.Errorf("join %d:\n got %s\nwant %s", i, got, want[i])
		}
	}
	wantSuspicion := `m.txt:6:30: hyphen kept in "risk-based" without evidence (the document spells neither "risk-based" nor "riskbased" elsewhere): if it is one word broken across lines, write it whole on one line`
	if got := r.Suspicions.Error(); got != wantSuspicion {
		t.Errorf("suspicions:\n got %s\nwant %s", got, wantSuspicion)
	}
}

func TestReadTextHyphenShapes(t *testing.T) {
	tests := []struct {
		name, src string
		title     string // of 1.0
		desc      string // of 1.0
		statement string // of 1.A
	}{
		{"a title word broken and dropped by evidence",
			"M\n1.0 Archives and Pre-\n\nservation\n\nPlan the preservation of records.\n1.A Act.\n",
			"Archives and Preservation", "Plan the preservation of records.", "Act."},
		{"a word broken over three lines",
			"M\n1.0 Network Cyber-\nHygiene-\nOps Defend networks.\n1.A Act.\n",
			"Network Cyber-Hygiene-Ops", "Defend networks.", "Act."},
		{"a lone dash at a line end is not a broken word",
			"M\n1.0 Title\nDo it.\n1.A Act now -\nor later --\nnot never.\n",
			"Title", "Do it.", "Act now - or later -- not never."},
		{"the end of a broken title word stays in the title before minor words",
			"M\n1.0 Records Plan-\nning and maintain records.\n1.A Act.\n",
			"Records Plan-ning", "and maintain records.", "Act."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := ReadText("m.txt", []byte(tt.src))
			if err != nil {
				t.Fatal(err)
			}
			c := f.Competencies[0]
			if c.Title != tt.title || c.Description != tt.desc {
				t.Errorf("title %q, description %q; want %q, %q", c.Title, c.Description, tt.title, tt.desc)
			}
			if got := c.SubCompetencies[0].Statement; got != tt.statement {
				t.Errorf("statement %q, want %q", got, tt.statement)
			}
		})
	}
}
