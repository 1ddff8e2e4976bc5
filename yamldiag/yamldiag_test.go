package yamldiag

import (
	"testing"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/parser"
)

const src = `name: Cyber
competencies:
  - code: "1.0"
    title: Defend
    subCompetencies:
      - code: 1.A
        statement: Harden hosts.
`

func TestFieldPos(t *testing.T) {
	file, err := parser.ParseBytes([]byte(src), 0)
	if err != nil {
		t.Fatal(err)
	}
	body := file.Docs[0].Body
	for _, tc := range []struct {
		field string
		want  string
	}{
		{"name", "m.yaml:1:7"},
		{"competencies[0].title", "m.yaml:4:12"},
		{"competencies[0].subCompetencies[0].statement", "m.yaml:7:20"},
		// Absent fields fall back to the nearest enclosing value: the
		// first sub-competency mapping starts at its first key.
		{"competencies[0].subCompetencies[0].missing", "m.yaml:6:9"},
		{"competencies[0].description", "m.yaml:3:5"},
		{"nowhere", "m.yaml:1:1"},
	} {
		if got := FieldPos("m.yaml", body, tc.field).String(); got != tc.want {
			t.Errorf("FieldPos(%q) = %s, want %s", tc.field, got, tc.want)
		}
	}
}

func TestError(t *testing.T) {
	var v struct {
		Name int `yaml:"name"`
	}
	err := yaml.Unmarshal([]byte("name: [1, 2]\n"), &v)
	if err == nil {
		t.Fatal("decoding a list into an int succeeded")
	}
	d := Error("m.yaml", err)
	if d.Pos.String() != "m.yaml:1:7" {
		t.Errorf("position = %s, want m.yaml:1:7", d.Pos)
	}
	if d.Message == "" || d.Message == err.Error() {
		t.Errorf("message %q should be go-yaml's message without its source excerpt", d.Message)
	}
}

func TestDocumentPos(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		doc       int
		want      string
	}{
		// The marker, not the ':' that is the token of a block mapping.
		{"second document at its marker", "name: M\n---\nname: N\n", 1, "m.yaml:2:1"},
		{"a first document without a marker at its first key", "  name: M\n", 0, "m.yaml:1:3"},
	} {
		file, err := parser.ParseBytes([]byte(tc.src), 0)
		if err != nil {
			t.Fatal(err)
		}
		if got := DocumentPos("m.yaml", file.Docs[tc.doc]).String(); got != tc.want {
			t.Errorf("%s: DocumentPos = %s, want %s", tc.name, got, tc.want)
		}
	}
}
