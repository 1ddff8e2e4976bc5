package web_test

import (
	"bytes"
	"cmap/domain"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"cmap/analysis"
	"cmap/casefmt"
	"cmap/web"
)

// casePackage returns the package the CASE endpoints serve for
// exportIndex, read from the CFPackages endpoint.
func casePackage(t *testing.T, h http.Handler) (*casefmt.Package, []byte) {
	t.Helper()
	docID := casefmt.DocumentID("Test")
	rec := get(t, h, http.MethodGet, "/ims/case/v1p1/CFPackages/"+docID)
	if rec.Code != http.StatusOK {
		t.Fatalf("CFPackages: status %d: %s", rec.Code, rec.Body)
	}
	p, err := casefmt.Decode(rec.Body.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	return p, rec.Body.Bytes()
}

func TestCASEEndpoints(t *testing.T) {
	ix := exportIndex(t)
	h := web.CASE(func() *analysis.Index { return ix })
	docID := casefmt.DocumentID("Test")

	rec := get(t, h, http.MethodGet, "/ims/case/v1p1/CFDocuments")
	var docs struct{ CFDocuments []casefmt.Document }
	if err := json.Unmarshal(rec.Body.Bytes(), &docs); err != nil || rec.Code != http.StatusOK {
		t.Fatalf("CFDocuments: %d %v: %s", rec.Code, err, rec.Body)
	}
	if len(docs.CFDocuments) != 1 || docs.CFDocuments[0].Identifier != docID || docs.CFDocuments[0].Title != "Test" ||
		docs.CFDocuments[0].CFPackageURI.URI != "http://example.com/ims/case/v1p1/CFPackages/"+docID {
		t.Errorf("CFDocuments: %s", rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("content type %q", ct)
	}

	// The package validates against the published schema and holds the
	// active course's alignment, not the retired one's.
	p, data := casePackage(t, h)
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	s, err := c.Compile("../casefmt/testdata/case-v1p1-cfpackage-schema.json")
	if err != nil {
		t.Fatal(err)
	}
	inst, _ := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err := s.Validate(inst); err != nil {
		t.Errorf("the served package does not validate: %v", err)
	}
	var sub casefmt.Item
	for _, it := range p.CFItems {
		if it.HumanCodingScheme == "1.A" {
			sub = it
		}
	}
	var alignment casefmt.Association
	for _, a := range p.CFAssociations {
		if a.AssociationType == casefmt.IsRelatedTo {
			if alignment.Identifier != "" {
				t.Errorf("more than one alignment: %+v", a)
			}
			alignment = a
		}
	}
	if alignment.OriginNodeURI.Identifier != "urn:cmap:course:A-101" || alignment.DestinationNodeURI.Identifier != sub.Identifier ||
		alignment.Extensions["level"] != "Basic" {
		t.Errorf("alignment %+v", alignment)
	}

	rec = get(t, h, http.MethodGet, "/ims/case/v1p1/CFItems/"+sub.Identifier)
	var item casefmt.Item
	if err := json.Unmarshal(rec.Body.Bytes(), &item); err != nil || rec.Code != http.StatusOK {
		t.Fatalf("CFItems: %d %v", rec.Code, err)
	}
	if item.HumanCodingScheme != "1.A" || item.FullStatement != "First" || item.CFDocumentURI == nil || item.CFDocumentURI.Identifier != docID ||
		item.URI != "http://example.com/ims/case/v1p1/CFItems/"+sub.Identifier {
		t.Errorf("CFItems: %s", rec.Body)
	}

	rec = get(t, h, http.MethodGet, "/ims/case/v1p1/CFAssociations/"+strings.ToUpper(alignment.Identifier))
	var assoc casefmt.Association
	if err := json.Unmarshal(rec.Body.Bytes(), &assoc); err != nil || rec.Code != http.StatusOK {
		t.Fatalf("CFAssociations: %d %v", rec.Code, err)
	}
	if assoc.Identifier != alignment.Identifier || assoc.CFAssociationGroupingURI.Title != "Coverage at Basic" || assoc.CFDocumentURI.Identifier != docID {
		t.Errorf("CFAssociations: %s", rec.Body)
	}
}

func TestCASENotFound(t *testing.T) {
	ix := exportIndex(t)
	h := web.CASE(func() *analysis.Index { return ix })
	const unknown = "00000000-0000-4000-8000-000000000000"
	for _, tc := range []struct{ target, minor, description string }{
		{"/ims/case/v1p1/CFItems/" + unknown, "unknownobject", "unknown object: no CFItem " + unknown},
		{"/ims/case/v1p1/CFPackages/" + unknown, "unknownobject", "unknown object: no CFPackage " + unknown},
		{"/ims/case/v1p1/CFAssociations/4.C", "invalid_uuid", "invalid UUID: 4.C"},
		{"/ims/case/v1p1/CFItems", "unknownobject", "no CASE endpoint /ims/case/v1p1/CFItems: give an identifier"},
		{"/ims/case/v1p1/CFRubrics/" + unknown, "unknownobject", "no CASE endpoint /ims/case/v1p1/CFRubrics/" + unknown +
			": the endpoints are CFDocuments, CFPackages/{id}, CFItems/{id} and CFAssociations/{id}"},
	} {
		rec := get(t, h, http.MethodGet, tc.target)
		want := `{
  "imsx_codeMajor": "failure",
  "imsx_severity": "error",
  "imsx_description": "` + tc.description + `",
  "imsx_codeMinor": {
    "imsx_codeMinorField": [
      {
        "imsx_codeMinorFieldName": "sourcedId",
        "imsx_codeMinorFieldValue": "` + tc.minor + `"
      }
    ]
  }
}
`
		if rec.Code != http.StatusNotFound || rec.Body.String() != want {
			t.Errorf("%s: status %d, body\n%s\nwant\n%s", tc.target, rec.Code, rec.Body, want)
		}
	}
}

// The endpoints are read-only and need the viewer role.
func TestCASEAccess(t *testing.T) {
	ix := exportIndex(t)
	h := web.CASE(func() *analysis.Index { return ix })
	nobody := &domain.Principal{ID: "jwt:n", Name: "Nobody"}
	viewer := &domain.Principal{ID: "key:v", Name: "portal", Roles: []domain.Role{domain.RoleViewer}}
	for _, tc := range []struct {
		who    *domain.Principal
		method string
		status int
		minor  string
	}{
		{nil, http.MethodGet, http.StatusUnauthorized, "unauthorisedrequest"},
		{nobody, http.MethodGet, http.StatusForbidden, "forbidden"},
		{viewer, http.MethodGet, http.StatusOK, ""},
		{viewer, http.MethodPost, http.StatusMethodNotAllowed, ""},
	} {
		rec := getAs(t, tc.who, h, tc.method, "/ims/case/v1p1/CFDocuments")
		if rec.Code != tc.status {
			t.Errorf("%v %s: status %d, want %d", tc.who, tc.method, rec.Code, tc.status)
			continue
		}
		if tc.minor != "" && !strings.Contains(rec.Body.String(), `"imsx_codeMinorFieldValue": "`+tc.minor+`"`) {
			t.Errorf("%v: body %s, want code minor %s", tc.who, rec.Body, tc.minor)
		}
	}
}
