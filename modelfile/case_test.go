package modelfile

import (
	"bytes"
	"cmap/domain"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cmap/casefmt"
)

const openSALTStyle = "../casefmt/testdata/opensalt-style.case.json"

// exportCASE writes fw as a CFPackage.
func exportCASE(t *testing.T, fw *domain.Framework) []byte {
	t.Helper()
	p, err := casefmt.Build(fw, casefmt.Options{Changed: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC), Scale: domain.DefaultScale()})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := casefmt.Write(&buf, p); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// A model exported as CASE, saved as the seeds' model file, reads back as
// the same model, and exports to the same bytes: the customer's model and
// another one alike.
func TestReadCASERoundTrip(t *testing.T) {
	for _, file := range []string{customerModel, "testdata/cyber-workforce-competency-model.txt"} {
		t.Run(filepath.Base(file), func(t *testing.T) {
			want, err := ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			first := exportCASE(t, want)
			// A plain .json name: the content says it is a package.
			got, err := Read("competency-model.json", first)
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			assertFramework(t, got, want)
			if second := exportCASE(t, got); !bytes.Equal(first, second) {
				t.Error("export -> import -> export differs")
			}
		})
	}
}

// A CFPackage in OpenSALT's shape is found in a seeds folder and loads;
// check reports that the codes were made up, at the item.
func TestReadCASEOpenSALTStyle(t *testing.T) {
	data, err := os.ReadFile(openSALTStyle)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "cyber-competency-model.case.json")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	found, err := FindModelFile(dir)
	if err != nil || found != path {
		t.Fatalf("FindModelFile = %q, %v", found, err)
	}
	fw, err := ReadFile(found)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(fw.SubCompetencyCodes(), " "); fw.Name != "Cyber Workforce Sample" || got != "1.A 1.B 2.A 2.B 2.C" {
		t.Errorf("model %q with %s", fw.Name, got)
	}
	r := Check("m.case.json", data)
	if len(r.Errors) > 0 || len(r.Suspicions) != 1 {
		t.Fatalf("check: errors %v, suspicions %v", r.Errors, r.Suspicions)
	}
	want := `m.case.json:48:28: codes made up by position (1.0, 1.A, ...) for every item, because the package's do not fit: item 5d2f0a32-8f3b-11ee-8c3e-0242ac120002: "CW.1" is not a competency code (4.0)`
	if got := r.Suspicions[0].Error(); got != want {
		t.Errorf("suspicion:\n%s\nwant\n%s", got, want)
	}
}

func TestReadCASEErrors(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"not a package", `{"name": "M"}`,
			"m.case.json:1:1: not a CASE CFPackage: the JSON object has no CFDocument"},
		{"wrong type", "{\"CFDocument\": {\"title\": \"M\"},\n \"CFAssociations\": [{\"sequenceNumber\": \"2\"}]}",
			"m.case.json:2:40: CFAssociations[0].sequenceNumber: cannot use a JSON string as a int"},
		{"syntax", "{\"CFDocument\": {,}}",
			"m.case.json:1:17: invalid character ',' looking for beginning of object key string"},
		{"item outside the tree", `{"CFDocument": {"identifier": "d"},
 "CFItems": [{"identifier": "i1", "humanCodingScheme": "1.0", "fullStatement": "One"},
  {"identifier": "i2", "humanCodingScheme": "1.A", "fullStatement": "Do A"}],
 "CFAssociations": [{"identifier": "a1", "associationType": "isChildOf",
  "originNodeURI": {"identifier": "i1"}, "destinationNodeURI": {"identifier": "d"}}]}`,
			"m.case.json:3:3: CFItems[1]: item i2 (1.A) is not in the tree: no isChildOf association makes it a child of the CFDocument or of an item"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Read("m.case.json", []byte(tt.src))
			if err == nil {
				t.Fatal("no error")
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("error:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}
