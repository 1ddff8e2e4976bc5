package casefmt_test

import (
	"bytes"
	"cmap/domain"
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"cmap/casefmt"
	"cmap/modelfile"
)

// customerModel is the Security Cooperation model as delivered.
const customerModel = "../seeds/security-cooperation-competency-model.txt"

var changed = time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)

func readModel(t *testing.T) *domain.Framework {
	t.Helper()
	fw, err := modelfile.ReadFile(customerModel)
	if err != nil {
		t.Fatal(err)
	}
	return fw
}

// schema compiles the published CASE 1.1 CFPackage schema, asserting
// formats (uri, date-time) as well as structure.
func schema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open("testdata/case-v1p1-cfpackage-schema.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("case-v1p1-cfpackage-schema.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("case-v1p1-cfpackage-schema.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func write(t *testing.T, p *casefmt.Package) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := casefmt.Write(&buf, p); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func validate(t *testing.T, s *jsonschema.Schema, data []byte) error {
	t.Helper()
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	return s.Validate(inst)
}

// alignments are a few courses' coverage of the model.
func alignments() []casefmt.Alignment {
	return []casefmt.Alignment{
		{Course: "SCO-201", CourseTitle: "Security Cooperation Management", SubCompetency: "4.C", Level: "Advanced", Changed: changed.Add(-time.Hour)},
		{Course: "SCO-201", CourseTitle: "Security Cooperation Management", SubCompetency: "1.A", Level: "basic"},
		{Course: "EUM 100/A", SubCompetency: "6.D", Level: "Expert"},
	}
}

// The export of the customer's model validates against the published
// schema, bare and with everything (base URL, scale, alignments).
func TestBuildValidatesAgainstSchema(t *testing.T) {
	s := schema(t)
	fw := readModel(t)
	for name, opts := range map[string]casefmt.Options{
		"bare": {},
		"full": {BaseURL: "https://cmap.example.org/", Creator: "DSCU", Changed: changed, Scale: domain.DefaultScale(), Alignments: alignments()},
	} {
		t.Run(name, func(t *testing.T) {
			p, err := casefmt.Build(fw, opts)
			if err != nil {
				t.Fatal(err)
			}
			if err := validate(t, s, write(t, p)); err != nil {
				t.Fatalf("export does not validate: %v", err)
			}
		})
	}
}

// The schema test has teeth: what the schema forbids fails.
func TestSchemaRejects(t *testing.T) {
	s := schema(t)
	p, err := casefmt.Build(readModel(t), casefmt.Options{Changed: changed})
	if err != nil {
		t.Fatal(err)
	}
	for name, spoil := range map[string]func(p *casefmt.Package){
		"identifier not a UUID":  func(p *casefmt.Package) { p.CFItems[3].Identifier = "item-3" },
		"unknown association":    func(p *casefmt.Package) { p.CFAssociations[0].AssociationType = "teaches" },
		"uri not a URI":          func(p *casefmt.Package) { p.CFDocument.URI = "not a uri" },
		"date-time not a date":   func(p *casefmt.Package) { p.CFItems[0].LastChangeDateTime = "yesterday" },
		"document field in item": func(p *casefmt.Package) { p.CFItems[0].CFDocumentURI = &casefmt.LinkURI{Title: "x"} },
	} {
		t.Run(name, func(t *testing.T) {
			q, _ := casefmt.Decode(write(t, p))
			spoil(q)
			if err := validate(t, s, write(t, q)); err == nil {
				t.Error("validates")
			}
		})
	}
}

// Export, import, export again gives the same bytes, and the model read
// back is the model exported; the alignments, which import ignores, do
// not get in the way.
func TestRoundTrip(t *testing.T) {
	fw := readModel(t)
	opts := casefmt.Options{BaseURL: "https://cmap.example.org", Changed: changed, Scale: domain.DefaultScale(), Alignments: alignments()}
	p, err := casefmt.Build(fw, opts)
	if err != nil {
		t.Fatal(err)
	}
	first := write(t, p)
	q, err := casefmt.Decode(first)
	if err != nil {
		t.Fatal(err)
	}
	r, err := q.Framework()
	if err != nil {
		t.Fatal(err)
	}
	if r.Renumbered != nil {
		t.Errorf("renumbered: %v", r.Renumbered)
	}
	if !reflect.DeepEqual(r.Framework, fw) {
		t.Errorf("model read back differs from the model exported")
	}
	again, err := casefmt.Build(r.Framework, opts)
	if err != nil {
		t.Fatal(err)
	}
	if second := write(t, again); !bytes.Equal(first, second) {
		t.Errorf("export -> import -> export differs")
	}
}

// Identifiers depend on the framework's name and the codes only: they are
// the same in every export, and these values must never change from one
// release of cmap to the next (a CASE consumer keys on them).
func TestIdentifiersAreStable(t *testing.T) {
	fw := readModel(t)
	a, _ := casefmt.Build(fw, casefmt.Options{})
	fw.Competencies[3].SubCompetencies[2].Statement = "Reworded."
	b, _ := casefmt.Build(fw, casefmt.Options{BaseURL: "https://x.example", Changed: changed})
	if a.CFDocument.Identifier != b.CFDocument.Identifier || a.CFItems[10].Identifier != b.CFItems[10].Identifier {
		t.Error("identifiers change with the statements or options")
	}
	// want computed apart from cmap, with Python's uuid.uuid5(
	// uuid.uuid5(uuid.NAMESPACE_URL, "urn:cmap:case"),
	// "framework:Security Cooperation").
	if got, want := casefmt.DocumentID("Security Cooperation"), "af30b4f3-eb51-5c97-a063-2b7a07da3761"; got != want {
		t.Errorf("DocumentID = %s, want %s", got, want)
	}
	fw.Name = "Security Cooperation (2027)"
	c, _ := casefmt.Build(fw, casefmt.Options{})
	if c.CFItems[0].Identifier == a.CFItems[0].Identifier {
		t.Error("a renamed framework keeps its items' identifiers")
	}
}

// The export's shape: types, codes, statements, the tree, the scale and
// the alignments as the package documentation says.
func TestBuildShape(t *testing.T) {
	fw := &domain.Framework{Name: "M", Competencies: []domain.Competency{
		{Code: "1.0", Title: "One", Description: "The first.", SubCompetencies: []domain.SubCompetency{{Code: "1.A", Statement: "Do A."}, {Code: "1.B", Statement: "Do B."}}},
		{Code: "2.0", Title: "Two", SubCompetencies: []domain.SubCompetency{{Code: "2.A", Statement: "Do 2A."}}},
	}}
	p, err := casefmt.Build(fw, casefmt.Options{Changed: changed, Scale: domain.Scale{Name: "S", Levels: []string{"Low", "High"}},
		Alignments: []casefmt.Alignment{{Course: "AB-1", CourseTitle: "Course AB", SubCompetency: "1.B", Level: "high"}}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, it := range p.CFItems {
		got = append(got, it.CFItemType+" "+it.HumanCodingScheme+" "+it.AbbreviatedStatement+"|"+it.FullStatement)
	}
	want := []string{"Competency 1.0 One|The first.", "Sub-competency 1.A |Do A.", "Sub-competency 1.B |Do B.", "Competency 2.0 Two|Two", "Sub-competency 2.A |Do 2A."}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("items:\n%q\nwant\n%q", got, want)
	}
	code := map[string]string{p.CFDocument.Identifier: "doc"}
	for _, it := range p.CFItems {
		code[it.Identifier] = it.HumanCodingScheme
	}
	got = nil
	for _, a := range p.CFAssociations {
		seq := ""
		if a.SequenceNumber != nil {
			seq = strings.Repeat("#", *a.SequenceNumber)
		}
		origin := code[a.OriginNodeURI.Identifier]
		if origin == "" {
			origin = a.OriginNodeURI.Identifier
		}
		got = append(got, origin+" "+a.AssociationType+" "+code[a.DestinationNodeURI.Identifier]+" "+seq)
	}
	want = []string{"1.0 isChildOf doc #", "1.A isChildOf 1.0 #", "1.B isChildOf 1.0 ##", "2.0 isChildOf doc ##", "2.A isChildOf 2.0 #",
		"urn:cmap:course:AB-1 isRelatedTo 1.B "}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("associations:\n%q\nwant\n%q", got, want)
	}
	al := p.CFAssociations[5]
	if al.CFAssociationGroupingURI == nil || al.CFAssociationGroupingURI.Title != "Coverage at High" ||
		al.Extensions["level"] != "High" || al.Extensions["rank"] != 2 || al.OriginNodeURI.Title != "Course AB" {
		t.Errorf("alignment: %+v", al)
	}
	levels := p.CFRubrics[0].CFRubricCriteria[0].CFRubricCriterionLevels
	if len(levels) != 2 || levels[0].Quality != "Low" || *levels[1].Position != 2 || *levels[1].Score != 2 {
		t.Errorf("rubric levels: %+v", levels)
	}
	if p.CFDocument.LastChangeDateTime != "2026-11-30T08:00:00Z" || !strings.HasPrefix(p.CFItems[0].URI, "urn:uuid:") {
		t.Errorf("document: %+v", p.CFDocument)
	}
}

func TestBuildRejectsBadAlignments(t *testing.T) {
	fw := readModel(t)
	for _, tt := range []struct {
		a    casefmt.Alignment
		want string
	}{
		{casefmt.Alignment{Course: "AB-1", SubCompetency: "4.Z", Level: "Basic"}, `alignments[0].subCompetency: course AB-1: no sub-competency "4.Z" in the framework`},
		{casefmt.Alignment{Course: "AB-1", SubCompetency: "4.C", Level: "Superb"}, `alignments[0].level: course AB-1, 4.C: "Superb" is not a level of the scale`},
	} {
		_, err := casefmt.Build(fw, casefmt.Options{Scale: domain.DefaultScale(), Alignments: []casefmt.Alignment{tt.a}})
		if err == nil || err.Error() != tt.want {
			t.Errorf("error %v, want %s", err, tt.want)
		}
	}
}

// A package in OpenSALT's shape loads: the tree by isChildOf and sequence
// numbers, codes made up by position because the package's are not cmap
// codes, the other association ignored.
func TestOpenSALTStyleLoads(t *testing.T) {
	data, err := os.ReadFile("testdata/opensalt-style.case.json")
	if err != nil {
		t.Fatal(err)
	}
	p, err := casefmt.Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	r, err := p.Framework()
	if err != nil {
		t.Fatal(err)
	}
	want := &domain.Framework{Name: "Cyber Workforce Sample", Competencies: []domain.Competency{
		{Code: "1.0", Title: "Identify and assess the organization's cyber risks.", SubCompetencies: []domain.SubCompetency{
			{Code: "1.A", Statement: "Inventory the information systems, data flows and their owners."},
			{Code: "1.B", Statement: "Assess the likelihood and impact of threats to mission systems."},
		}},
		{Code: "2.0", Title: "Protection", Description: "Protect systems and data against unauthorized access, use and disclosure.", SubCompetencies: []domain.SubCompetency{
			{Code: "2.A", Statement: "Apply least privilege to accounts and services."},
			{Code: "2.B", Statement: "Encrypt sensitive data at rest and in transit."},
			{Code: "2.C", Statement: "Patch and harden configurations on a defined schedule."},
		}},
	}}
	if !reflect.DeepEqual(r.Framework, want) {
		got, _ := json.MarshalIndent(r.Framework, "", "  ")
		t.Errorf("model:\n%s", got)
	}
	if r.Renumbered == nil || r.Renumbered.Error() != `CFItems[1].humanCodingScheme: item 5d2f0a32-8f3b-11ee-8c3e-0242ac120002: "CW.1" is not a competency code (4.0)` {
		t.Errorf("renumbered: %v", r.Renumbered)
	}
	if r.Paths["competencies[1].subCompetencies[2]"] != "CFItems[6]" {
		t.Errorf("paths: %v", r.Paths)
	}
	// What loaded exports, and that export loads back to the same model.
	q, err := casefmt.Build(r.Framework, casefmt.Options{Changed: changed})
	if err != nil {
		t.Fatal(err)
	}
	back, err := q.Framework()
	if err != nil || !reflect.DeepEqual(back.Framework, r.Framework) {
		t.Errorf("re-export reads back as %+v, %v", back, err)
	}
}

// A real OpenSALT export with one level reads, and is refused for what it
// is: items with no sub-competencies.
func TestOpenSALTFlatFramework(t *testing.T) {
	data, err := os.ReadFile("testdata/opensalt/SequenceNumberFramework.json")
	if err != nil {
		t.Fatal(err)
	}
	p, err := casefmt.Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Framework()
	want := "CFItems[1]: item ea98ab46-c0ea-11e7-820f-a71b35976453 (SNT.2): competency 1.0 has no sub-competencies"
	if err == nil || err.Error() != want {
		t.Errorf("error:\n%v\nwant\n%s", err, want)
	}
}
