package modelfile

import (
	"bytes"
	"strings"
	"testing"
)

// Writing the customer's model as YAML and reading it back gives the same
// model, and writing that again gives the same bytes.
func TestWriteYAMLRoundTrip(t *testing.T) {
	for _, path := range []string{customerModel, "testdata/cyber-workforce-competency-model.txt"} {
		t.Run(path, func(t *testing.T) {
			want, err := ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			if err := WriteYAML(&out, want); err != nil {
				t.Fatalf("WriteYAML: %v", err)
			}
			got, err := Read("model.yaml", out.Bytes())
			if err != nil {
				t.Fatalf("reading the written YAML: %v\n%s", err, out.String())
			}
			assertFramework(t, got, want)

			var again bytes.Buffer
			if err := WriteYAML(&again, got); err != nil {
				t.Fatal(err)
			}
			if again.String() != out.String() {
				t.Errorf("second write differs from the first:\n%s\n---\n%s", again.String(), out.String())
			}
		})
	}
}

func TestReadYAML(t *testing.T) {
	src := `# A model written by hand.
name: Cyber Workforce
competencies:
  - code: "1.0"
    title: Incident Response
    description: Detect, contain, and recover from incidents.
    subCompetencies:
      - code: 1.A
        statement: Triage alerts.
      - {code: 1.B, statement: Preserve evidence.}
`
	f, err := Read("m.yml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if f.Name != "Cyber Workforce" || len(f.Competencies) != 1 || f.Competencies[0].Title != "Incident Response" ||
		f.SubCompetency("1.B").Statement != "Preserve evidence." {
		t.Errorf("got %+v", f)
	}
}

func TestReadYAMLErrors(t *testing.T) {
	const head = "name: M\ncompetencies:\n  - code: \"1.0\"\n    title: T\n"
	tests := []struct {
		name, src, want string
	}{
		{"unknown field", head + "    titel: T\n",
			`m.yaml:5:5: unknown field "titel"`},
		{"wrong type", "name: [M]\n",
			"m.yaml:1:7: cannot unmarshal []interface {} into Go struct field Framework.Name of type string"},
		{"duplicate key", "name: M\nname: N\n",
			`m.yaml:2:1: mapping key "name" already defined at [1:1]`},
		{"syntax", "name: M\n  bad: [\n",
			"m.yaml:1:7: mapping value is not allowed in this context"},
		{"not a mapping", "- a\n",
			"m.yaml:1:1: sequence was used where mapping is expected"},
		{"two documents", "name: M\n---\nname: N\n",
			"m.yaml:2:1: a competency model file holds one YAML document, this is the second"},
		{"empty", "",
			"m.yaml: name: framework name is empty"},
		{"unquoted codes", "name: M\ncompetencies:\n  - code: 1.0\n    title: T\n  - code: 2.0\n    title: U\n",
			"m.yaml:3:11: competencies[0].code: quote the code (\"1.0\"): unquoted, YAML reads it as a number\n" +
				"m.yaml:5:11: competencies[1].code: quote the code (\"2.0\"): unquoted, YAML reads it as a number"},
		{"no sub-competencies", head,
			"m.yaml:3:5: competencies[0].subCompetencies: competency 1.0 has no sub-competencies"},
		{"empty statement", head + "    subCompetencies:\n      - code: 1.A\n        statement: \"\"\n",
			"m.yaml:7:20: competencies[0].subCompetencies[0].statement: sub-competency 1.A has no statement"},
		{"missing statement", head + "    subCompetencies:\n      - code: 1.A\n",
			"m.yaml:6:9: competencies[0].subCompetencies[0].statement: sub-competency 1.A has no statement"},
		{"foreign sub-competency", head + "    subCompetencies:\n      - code: 2.A\n        statement: S\n",
			"m.yaml:6:15: competencies[0].subCompetencies[0].code: sub-competency 2.A does not belong to competency 1.0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Read("m.yaml", []byte(tt.src))
			if err == nil {
				t.Fatal("no error")
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("error:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

// A YAML error's position must point at the offending text.
func TestReadYAMLErrorPointsAtField(t *testing.T) {
	src := "name: M\ncompetencies:\n  - code: \"1.0\"\n    title: T\n    subCompetencies:\n      - code: 1.A\n        statment: S\n"
	_, err := Read("m.yaml", []byte(src))
	if err == nil {
		t.Fatal("no error")
	}
	d := diagAt(t, err, 0)
	line := strings.Split(src, "\n")[d.Line-1]
	if !strings.HasPrefix(line[d.Col-1:], "statment") {
		t.Errorf("%v points at %q", err, line[d.Col-1:])
	}
}
