package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"cmap/casefmt"
	"cmap/modelfile"
)

// caseSchema compiles the published CASE 1.1 CFPackage schema (see
// casefmt/testdata/README.md), asserting formats.
func caseSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	s, err := c.Compile("casefmt/testdata/case-v1p1-cfpackage-schema.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func validateCASE(t *testing.T, s *jsonschema.Schema, data []byte) {
	t.Helper()
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Validate(inst); err != nil {
		t.Errorf("the CASE export does not validate: %v", err)
	}
}

// `cmap model export --format case` writes a package that validates, reads
// back as the model, and exports again to the same file.
func TestModelExportCASE(t *testing.T) {
	dir := t.TempDir()
	first := filepath.Join(dir, "sc-competency-model.case.json")
	code, _, errs := runCmd(t, "model", "export", "--format", "case", "--creator", "DSCU", "-o", first)
	if code != exitOK {
		t.Fatalf("exit %d, stderr:\n%s", code, errs)
	}
	data, err := os.ReadFile(first)
	if err != nil {
		t.Fatal(err)
	}
	validateCASE(t, caseSchema(t), data)
	want, err := modelfile.ReadFile("seeds/security-cooperation-competency-model.txt")
	if err != nil {
		t.Fatal(err)
	}
	got, err := modelfile.ReadFile(first)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.SubCompetencyCodes()) != 58 || got.SubCompetency("4.C").Statement != want.SubCompetency("4.C").Statement {
		t.Errorf("the export reads back as %d sub-competencies", len(got.SubCompetencyCodes()))
	}
	p, err := casefmt.Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	if levels := p.CFRubrics[0].CFRubricCriteria[0].CFRubricCriterionLevels; len(levels) != 4 || levels[3].Quality != "Expert" {
		t.Errorf("the rubric is not the rules' scale: %+v", levels)
	}
	if p.CFDocument.Creator != "DSCU" {
		t.Errorf("creator %q", p.CFDocument.Creator)
	}

	// Export the export: the creator and date come from the package.
	code, second, errs := runCmd(t, "model", "export", "--format", "case", first)
	if code != exitOK {
		t.Fatalf("exit %d, stderr:\n%s", code, errs)
	}
	if second != string(data) {
		t.Error("export -> import -> export differs")
	}
}

func TestModelExportCASEUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		says string
	}{
		{[]string{"--creator", "X"}, "--creator goes with --format case"},
		{[]string{"--format", "xml"}, `--format must be yaml or case, not "xml"`},
		{[]string{"--format", "case", "--with-alignments", "seeds/security-cooperation-competency-model.txt"}, "--with-alignments exports the database's model: no FILE"},
		{[]string{"--format", "case", "--changed", "yesterday"}, `--changed: "yesterday" is not an RFC 3339 time`},
	} {
		code, _, errs := runCmd(t, append([]string{"model", "export"}, tc.args...)...)
		if code != exitUsage || !strings.Contains(errs, tc.says) {
			t.Errorf("%v: exit %d, stderr %q; want %d saying %q", tc.args, code, errs, exitUsage, tc.says)
		}
	}
}

// --with-alignments exports the database's model with each active
// course's coverage, and the package still validates.
func TestModelExportCASEWithAlignments(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the embedded database")
	}
	data := filepath.Join(t.TempDir(), "data")
	code, out, errs := runCmd(t, "model", "export", "--format", "case", "--with-alignments", "--base-url", "https://cmap.example.org",
		"--data", data, "--rules", "rules", "--seeds", "seeds")
	if code != exitOK {
		t.Fatalf("exit %d, stderr:\n%s", code, errs)
	}
	validateCASE(t, caseSchema(t), []byte(out))
	p, err := casefmt.Decode([]byte(out))
	if err != nil {
		t.Fatal(err)
	}
	aligned := 0
	for _, a := range p.CFAssociations {
		if a.AssociationType != casefmt.IsRelatedTo {
			continue
		}
		aligned++
		if !strings.HasPrefix(a.OriginNodeURI.URI, "urn:cmap:course:") || a.Extensions["level"] == nil ||
			!strings.HasPrefix(a.CFAssociationGroupingURI.Title, "Coverage at ") ||
			!strings.HasPrefix(a.URI, "https://cmap.example.org/ims/case/v1p1/CFAssociations/") {
			t.Errorf("alignment %+v", a)
			break
		}
	}
	if aligned == 0 {
		t.Error("no course alignment in the package")
	}
}

// A running server serves the CASE endpoints: the package validates and
// reads back as the model it serves, with the courses' alignments.
func TestCASEOverHTTP(t *testing.T) {
	s := start(t, serveConfig{Addr: "127.0.0.1:0", DataDir: t.TempDir(), RulesDir: "rules", SeedsDir: "seeds"})
	defer stop(t, s)
	getJSON := func(path string) (int, []byte) {
		t.Helper()
		res, err := http.Get(s.URL() + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, err := io.ReadAll(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		return res.StatusCode, body
	}
	code, body := getJSON("/ims/case/v1p1/CFDocuments")
	var docs struct{ CFDocuments []casefmt.Document }
	if err := json.Unmarshal(body, &docs); err != nil || code != http.StatusOK || len(docs.CFDocuments) != 1 {
		t.Fatalf("CFDocuments: %d %v %s", code, err, body)
	}
	code, body = getJSON("/ims/case/v1p1/CFPackages/" + docs.CFDocuments[0].Identifier)
	if code != http.StatusOK {
		t.Fatalf("CFPackages: %d %s", code, body)
	}
	validateCASE(t, caseSchema(t), body)
	p, err := casefmt.Decode(body)
	if err != nil {
		t.Fatal(err)
	}
	r, err := p.Framework()
	if err != nil {
		t.Fatal(err)
	}
	want, err := modelfile.ReadFile("seeds/security-cooperation-competency-model.txt")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(r.Framework, want) {
		t.Error("the served package does not read back as the served model")
	}
	var alignment *casefmt.Association
	for i, a := range p.CFAssociations {
		if a.AssociationType == casefmt.IsRelatedTo {
			alignment = &p.CFAssociations[i]
			break
		}
	}
	if alignment == nil {
		t.Fatal("no course alignment")
	}
	if !strings.HasPrefix(alignment.URI, s.URL()+"/ims/case/v1p1/CFAssociations/") {
		t.Errorf("alignment uri %s", alignment.URI)
	}
	if code, body = getJSON("/ims/case/v1p1/CFAssociations/" + alignment.Identifier); code != http.StatusOK || !strings.Contains(string(body), alignment.OriginNodeURI.URI) {
		t.Errorf("CFAssociations: %d %s", code, body)
	}
	if code, body = getJSON("/ims/case/v1p1/CFItems/00000000-0000-4000-8000-000000000000"); code != http.StatusNotFound || !strings.Contains(string(body), `"unknownobject"`) {
		t.Errorf("unknown item: %d %s", code, body)
	}
}
