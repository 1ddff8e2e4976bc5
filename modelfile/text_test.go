package modelfile

import (
	"cmap/domain"
	"os"
	"strings"
	"testing"

	"cmap/diag"
)

const customerModel = "../seeds/security-cooperation-competency-model.txt"

// The expected values below are the customer's own words, typed from the
// published model, not copied from the reader's output.
func TestReadTextCustomerModel(t *testing.T) {
	f, err := ReadFile(customerModel)
	if err != nil {
		t.Fatalf("ReadFile: %v", err)
	}
	if f.Name != "Security Cooperation" {
		t.Errorf("name = %q, want %q", f.Name, "Security Cooperation")
	}
	wantTitles := []string{
		"Country/Regional Orientation and Awareness",
		"Strategy and Policy Development",
		"International Armaments Cooperation Activities/Programs",
		"Sales and Transfers",
		"International Program Planning and Execution",
		"Security Cooperation Planning and Execution",
		"Assessment, Monitoring, and Evaluation",
		"Political-Military (POLMIL) Activities",
		"Security, Foreign Disclosure, and End-Use Controls",
	}
	wantSubs := []int{5, 5, 9, 12, 5, 7, 7, 4, 4}
	if len(f.Competencies) != 9 {
		t.Fatalf("got %d competencies, want 9", len(f.Competencies))
	}
	for i, c := range f.Competencies {
		if want := string(rune('1'+i)) + ".0"; c.Code != want {
			t.Errorf("competency %d: code %q, want %q", i, c.Code, want)
		}
		if c.Title != wantTitles[i] {
			t.Errorf("%s: title %q, want %q", c.Code, c.Title, wantTitles[i])
		}
		if len(c.SubCompetencies) != wantSubs[i] {
			t.Errorf("%s: %d sub-competencies, want %d", c.Code, len(c.SubCompetencies), wantSubs[i])
		}
	}
	if n := len(f.SubCompetencyCodes()); n != 58 {
		t.Errorf("got %d sub-competencies, want 58", n)
	}

	descriptions := map[string]string{
		"1.0": "Develop and maintain an understanding of the country's or region's cultural, economic, political, and security environment.",
		"2.0": "Develop and support strategies, policies, guidelines, and/or key considerations associated with Security Cooperation. Identify, assess, and execute Security Cooperation programs and activities to achieve political-military objectives.",
		"4.0": "Identify, assess, plan, implement, execute, and/or manage the acquisition, delivery, monitoring, and/or disposal of articles and/or services (e.g., education and training) for international customers/partners.",
		"5.0": "Develop international aspects of program acquisition strategies. Plan and/or implement defense exportability features and efforts.",
		"8.0": "Identify, assess, and execute Security Cooperation programs and activities to achieve political-military objectives.",
		"9.0": "Develop and/or implement security (e.g., technology, physical, information assurance), foreign disclosure, and end-use controls policy, guidelines, and procedures.",
	}
	for code, want := range descriptions {
		if got := f.Competency(code).Description; got != want {
			t.Errorf("%s description:\n got %q\nwant %q", code, got, want)
		}
	}
	statements := map[string]string{
		"1.A": "Identify the factors (e.g., environmental, economic, political, security, legal, and social) which shape and impact the target country or region, reassessing in response to changing world events.",
		"3.I": "Identify foreign equipment and/or technologies, either in development or production, that may fulfill DoD requirements.",
		"4.H": "Execute and control projects and/or programs to ensure deliverables fulfill agreed-upon requirements.",
		"6.C": "Identify and address constraints and restraints to the execution of Security Cooperation plans (e.g., deficits in authorities, resources, and/or partner capabilities).",
		"7.F": "Develop, adjust, and/or customize an assessment, monitoring, and evaluation framework to measure program success in accordance with regulations.",
		"8.A": "Apply the relevant tools, authorities, and processes associated with fostering Doctrine Organization Training Leadership and Education Personnel and Facility (DOTLPF) elements in a partner nation.",
		"9.A": "Follow Technology Security and Foreign Disclosure approval processes to release classified or controlled unclassified information and technology to support Security Cooperation efforts (e.g., International Acquisition and Exportability [IA&E] assessments, Foreign Military Sales, Direct Commercial Sales, foreign visits).",
		"9.D": "Identify and ensure compliance with end-use controls, technology security, foreign disclosure, and program protection requirements at all stages of Security Cooperation activities.",
	}
	for code, want := range statements {
		if got := f.SubCompetency(code).Statement; got != want {
			t.Errorf("%s statement:\n got %q\nwant %q", code, got, want)
		}
	}
	for _, code := range f.SubCompetencyCodes() {
		s := f.SubCompetency(code).Statement
		if strings.Contains(s, "  ") || strings.TrimSpace(s) != s || !strings.HasSuffix(s, ".") {
			t.Errorf("%s statement not clean: %q", code, s)
		}
	}
}

// The reader is generic: another model in the same format, with its own
// wraps, hyphenation and a title sharing its line with the description.
func TestReadTextOtherModel(t *testing.T) {
	f, err := ReadFile("testdata/cyber-workforce-competency-model.txt")
	if err != nil {
		t.Fatalf("ReadFile: %v", err)
	}
	want := &domain.Framework{
		Name: "Cyber Workforce",
		Competencies: []domain.Competency{
			{Code: "1.0", Title: "Network Defense and Cyber-Hygiene",
				Description: "Protect, monitor, and harden networks and end-user devices against intrusion.",
				SubCompetencies: []domain.SubCompetency{
					{Code: "1.A", Statement: "Configure and maintain firewalls, intrusion detection systems, and endpoint protection."},
					{Code: "1.B", Statement: "Apply security patches on a risk-based schedule."},
				}},
			{Code: "2.0", Title: "Incident Response",
				Description: "Detect, contain, and recover from security incidents with minimal disruption to operations.",
				SubCompetencies: []domain.SubCompetency{
					{Code: "2.A", Statement: "Triage alerts and escalate confirmed incidents."},
					{Code: "2.B", Statement: "Preserve evidence for forensic analysis (e.g., disk images, logs)."},
					{Code: "2.C", Statement: "Write after-action reports and feed lessons learned into training."},
				}},
			{Code: "3.0", Title: "Secure Software Development",
				Description: "Build security into every stage of the software life cycle.",
				SubCompetencies: []domain.SubCompetency{
					{Code: "3.A", Statement: "Perform threat modeling of new systems."},
					{Code: "3.B", Statement: "Review code for common weaknesses (e.g., the OWASP Top Ten)."},
				}},
		},
	}
	assertFramework(t, f, want)
}

// A file saved with Windows line endings and a byte-order mark reads the
// same as the original.
func TestReadTextCRLF(t *testing.T) {
	data, err := os.ReadFile(customerModel)
	if err != nil {
		t.Fatal(err)
	}
	want, err := Read("model.txt", data)
	if err != nil {
		t.Fatal(err)
	}
	crlf := "\uFEFF" + strings.ReplaceAll(string(data), "\n", "\r\n")
	got, err := Read("model.txt", []byte(crlf))
	if err != nil {
		t.Fatal(err)
	}
	assertFramework(t, got, want)
}

func TestTitleish(t *testing.T) {
	for word, want := range map[string]bool{
		"(POLMIL)": true, "Activities/Programs": true, "Country/Regional": true,
		"Security,": true, "End-": true, "and": true, "of": true, "&": true,
		"and/or": false, "maintain": false, "assess,": false, "(e.g.,": false, "2024": false,
	} {
		if got := titleish(word); got != want {
			t.Errorf("titleish(%q) = %v, want %v", word, got, want)
		}
	}
}

func TestReadTextErrors(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"empty file", "\n  \n", "m.txt: the file is empty: expected the model's name, then competencies (1.0, 1.A, ...)"},
		{"name only", "Model\nComp ID Title Description\n", "m.txt: no competencies: expected lines starting with codes such as 1.0 and 1.A"},
		{"no name", "1.0 Title\nDo it.\n1.A Act.\n",
			"m.txt:1:1: the model's name is missing: the first line of the file is the code 1.0"},
		{"not UTF-8", "M\n1.0 T\xff\nDo it.\n1.A Act.\n", "m.txt: the file is not UTF-8 text"},
		{"competency without sub-competencies", "M\n1.0 Title\nDo it.\n2.0 Other\nDo more.\n2.A Act.\n",
			"m.txt:2:1: competency 1.0 has no sub-competencies"},
		{"last competency without sub-competencies", "M\n1.0 Title\nDo it.\n1.A Act.\n 2.0 Other\nDo more.\n",
			"m.txt:5:2: competency 2.0 has no sub-competencies"},
		{"letter skipped", "M\n1.0 T\nDo it.\n1.A Act.\n1.C Act\nmore.\n",
			"m.txt:5:1: sub-competency 1.C follows 1.A: missing 1.B"},
		{"letters skipped", "M\n1.0 T\nDo it.\n1.A Act.\n1.D Act.\n",
			"m.txt:5:1: sub-competency 1.D follows 1.A: missing 1.B to 1.C"},
		{"first letter skipped", "M\n1.0 T\nDo it.\n1.B Act.\n",
			"m.txt:4:1: sub-competency 1.B comes first under 1.0: missing 1.A"},
		{"sub-competency before its competency", "M\n1.A Act.\n1.0 T\nDo it.\n1.A Act.\n",
			"m.txt:2:1: sub-competency 1.A comes before its competency 1.0"},
		{"next competency's sub-competency", "M\n1.0 T\nDo it.\n1.A Act.\n2.A Act.\n2.0 U\nDo that.\n2.A Act.\n",
			"m.txt:5:1: sub-competency 2.A comes before its competency 2.0"},
		{"earlier competency's sub-competency", "M\n1.0 T\nDo it.\n1.A Act.\n2.0 U\nDo that.\n2.A Act.\n1.B Act.\n",
			"m.txt:8:1: sub-competency 1.B is under competency 2.0: it belongs to 1.0 (line 2)"},
		{"duplicate competency", "M\n1.0 T\nDo it.\n1.A Act.\n2.0 U\nDo that.\n2.A Act.\n2.0 U\nDo that.\n2.A Act.\n",
			"m.txt:8:1: duplicate competency 2.0 (first on line 5)\n" +
				"m.txt:10:1: duplicate sub-competency 2.A (first on line 7)"},
		{"duplicate sub-competency", "M\n1.0 T\nDo it.\n1.A Act.\n1.B Act.\n1.B Act again.\n",
			"m.txt:6:1: duplicate sub-competency 1.B (first on line 5)"},
		{"competencies out of order", "M\n2.0 U\nDo that.\n2.A Act.\n1.0 T\nDo it.\n1.A Act.\n",
			"m.txt:2:1: competency 2.0 comes first: missing 1.0\n" +
				"m.txt:5:1: competency 1.0 is out of order: it comes after 2.0"},
		{"sub-competencies out of order", "M\n1.0 T\nDo it.\n1.A Act.\n1.C Act.\n1.B Act.\n1.D Act.\n",
			"m.txt:5:1: sub-competency 1.C follows 1.A: missing 1.B\n" +
				"m.txt:6:1: sub-competency 1.B is out of order: it comes after 1.C"},
		{"competency number skipped", "M\n1.0 T\nDo it.\n1.A Act.\n3.0 V\nDo this.\n3.A Act.\n",
			"m.txt:5:1: competency 3.0 follows 1.0: missing 2.0"},
		{"empty statement", "M\n1.0 T\nDo it.\n1.A Act.\n\n  1.B  \n\n1.C Act.\n",
			"m.txt:6:3: sub-competency 1.B has no statement"},
		{"no title", "M\n1.0 Develop and maintain things.\n1.A Act.\n",
			"m.txt:2:1: competency 1.0 has no title: its description starts right after the code"},
		{"no description", "M\n1.0 Only A Title\nAnd More Of It\n1.A Act.\n",
			"m.txt:2:1: competency 1.0 has no description: every line after the code reads as part of its title"},
		{"all problems in one pass", "M\n1.0 T\nDo it.\n1.B Act.\n3.0 V\nDo this.\n3.A\n3.A Act.\n",
			"m.txt:4:1: sub-competency 1.B comes first under 1.0: missing 1.A\n" +
				"m.txt:5:1: competency 3.0 follows 1.0: missing 2.0\n" +
				"m.txt:7:1: sub-competency 3.A has no statement\n" +
				"m.txt:8:1: duplicate sub-competency 3.A (first on line 7)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Read("m.txt", []byte(tt.src))
			if err == nil {
				t.Fatalf("no error; got %+v", f)
			}
			if f != nil {
				t.Errorf("got a framework with the error")
			}
			if len(diag.AsList(err)) == 0 {
				t.Errorf("error %T is not a diag.List", err)
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("error:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

// FuzzReadText checks that the text reader never panics, that every model
// it accepts is valid, that every failure is a non-empty diag.List, and
// that every join and suspicion Check reports is on a line of the input.
// It fuzzes Check, whose model and errors are what Read returns.
func FuzzReadText(f *testing.F) {
	for _, path := range []string{customerModel, "testdata/cyber-workforce-competency-model.txt", "testdata/hyphens-and-lost-code.txt"} {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("M\n1.0 T\nDo it.\n1.A Act-\n\n1.B\n 2.0 X Y Do it\n2.A"))
	f.Add([]byte("M\n1.0 T-\nand do it.\n1.A Act infor-\nmation. Act-\n-\n1.B Act. Act.\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r := Check("f.txt", data)
		lines := strings.Count(string(data), "\n") + 1
		for _, j := range r.Joins {
			if j.Line < 1 || j.NextLine <= j.Line || j.NextLine > lines || j.Col < 1 {
				t.Errorf("join %s to line %d is outside the input's %d lines", j, j.NextLine, lines)
			}
		}
		for _, d := range r.Suspicions {
			if d.Line < 1 || d.Line > lines || d.Col < 1 {
				t.Errorf("suspicion outside the input's %d lines: %s", lines, d.Error())
			}
		}
		if len(r.Errors) > 0 {
			if r.Model != nil {
				t.Fatalf("a model with the errors %v", r.Errors)
			}
			return
		}
		if r.Model == nil {
			t.Fatal("neither a model nor errors")
		}
		if err := r.Model.Validate(); err != nil {
			t.Fatalf("accepted an invalid model: %v", err)
		}
	})
}

// assertFramework compares two frameworks field by field, so a failure
// names the first difference.
func assertFramework(t *testing.T, got, want *domain.Framework) {
	t.Helper()
	if got.Name != want.Name {
		t.Errorf("name = %q, want %q", got.Name, want.Name)
	}
	if len(got.Competencies) != len(want.Competencies) {
		t.Fatalf("%d competencies, want %d", len(got.Competencies), len(want.Competencies))
	}
	for i, w := range want.Competencies {
		g := got.Competencies[i]
		if g.Code != w.Code || g.Title != w.Title || g.Description != w.Description {
			t.Errorf("competency %d:\n got %q %q %q\nwant %q %q %q", i, g.Code, g.Title, g.Description, w.Code, w.Title, w.Description)
		}
		if len(g.SubCompetencies) != len(w.SubCompetencies) {
			t.Errorf("%s: %d sub-competencies, want %d", w.Code, len(g.SubCompetencies), len(w.SubCompetencies))
			continue
		}
		for j, ws := range w.SubCompetencies {
			if gs := g.SubCompetencies[j]; gs != ws {
				t.Errorf("%s sub-competency %d:\n got %q %q\nwant %q %q", w.Code, j, gs.Code, gs.Statement, ws.Code, ws.Statement)
			}
		}
	}
}

// Columns count characters, not bytes, and tabs as one.
func TestSplitFields(t *testing.T) {
	words, cols := splitFields("  «Zoë»\tand  end-\r")
	want := []string{"«Zoë»", "and", "end-"}
	wantCols := []int{3, 9, 14}
	if strings.Join(words, "|") != strings.Join(want, "|") || len(cols) != 3 || cols[0] != 3 || cols[1] != 9 || cols[2] != 14 {
		t.Errorf("splitFields = %q %v, want %q %v", words, cols, want, wantCols)
	}
}
