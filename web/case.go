package web

import (
	"bytes"
	"cmap/domain"
	"net/http"
	"strings"

	"github.com/google/uuid"

	"cmap/analysis"
	"cmap/casefmt"
)

// CASEPath is where CASE expects to be mounted: the CASE 1.1 REST API's
// root, followed by a slash.
const CASEPath = casefmt.PathPrefix + "/"

// CASE returns the read-only CASE 1.1 REST endpoints, mounted at CASEPath,
// that CASE consumers poll:
//
//	GET /ims/case/v1p1/CFDocuments             {"CFDocuments": [the framework's CFDocument]}
//	GET /ims/case/v1p1/CFDocuments/{id}        the CFDocument
//	GET /ims/case/v1p1/CFPackages/{id}         the CFPackage (as casefmt.Build writes it, with the alignments)
//	GET /ims/case/v1p1/CFItems/{id}            a competency or sub-competency
//	GET /ims/case/v1p1/CFAssociations/{id}     an isChildOf association or a course alignment
//
// Each request builds the package from the index that index returns at
// that moment: the framework, its scale and every active course's coverage
// (casefmt.AlignmentsOf), with uris under the request's own scheme and
// host, dated at the latest write of an aligned course. The document's
// creator is "cmap". An identifier that names nothing gets 404, and one
// that is not a UUID 404 too (as the specification says), each with the
// specification's imsx_StatusInfo payload (codeMinor unknownobject or
// invalid_uuid); so does a path that is no endpoint.
//
// Everything needs the viewer role, as the competency model and the
// coverage do over GraphQL: a request without a principal (see package
// auth) gets 401 with a WWW-Authenticate challenge, one lacking the role
// 403, both with an imsx_StatusInfo payload.
func CASE(index func() *analysis.Index) http.Handler {
	return readOnly(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := domain.Authorize(r.Context(), domain.RoleViewer); err != nil {
			status, minor := http.StatusForbidden, "forbidden"
			if domain.ErrorCode(err) == domain.EUNAUTHENTICATED {
				status, minor = http.StatusUnauthorized, "unauthorisedrequest"
				w.Header().Set("WWW-Authenticate", `Bearer realm="cmap"`)
			}
			writeStatusInfo(w, status, "TargetEndSystem", minor, domain.ErrorMessage(err))
			return
		}
		rest := strings.TrimPrefix(r.URL.Path, CASEPath)
		kind, id, _ := strings.Cut(rest, "/")
		switch kind {
		case "CFDocuments", "CFPackages", "CFItems", "CFAssociations":
		default:
			writeStatusInfo(w, http.StatusNotFound, "sourcedId", "unknownobject",
				"no CASE endpoint "+r.URL.Path+": the endpoints are CFDocuments, CFPackages/{id}, CFItems/{id} and CFAssociations/{id}")
			return
		}
		if kind != "CFDocuments" && id == "" {
			writeStatusInfo(w, http.StatusNotFound, "sourcedId", "unknownobject", "no CASE endpoint "+r.URL.Path+": give an identifier")
			return
		}
		if id != "" {
			if _, err := uuid.Parse(id); err != nil || strings.Contains(id, "/") {
				writeStatusInfo(w, http.StatusNotFound, "sourcedId", "invalid_uuid", "invalid UUID: "+id)
				return
			}
		}

		ix := index()
		alignments, err := casefmt.AlignmentsOf(ix)
		var p *casefmt.Package
		if err == nil {
			p, err = casefmt.Build(ix.Framework(), casefmt.Options{
				BaseURL: requestBase(r), Changed: casefmt.LatestChange(alignments), Scale: ix.Scale(), Alignments: alignments,
			})
		}
		if err != nil {
			writeStatusInfo(w, http.StatusInternalServerError, "TargetEndSystem", "internal_server_error", "internal error")
			return
		}
		doc := &casefmt.LinkURI{Title: p.CFDocument.Title, Identifier: p.CFDocument.Identifier, URI: p.CFDocument.URI}

		var body any
		switch kind {
		case "CFDocuments":
			d := p.CFDocument
			d.CFPackageURI = &casefmt.LinkURI{Title: d.Title, Identifier: d.Identifier, URI: requestBase(r) + casefmt.PathPrefix + "/CFPackages/" + d.Identifier}
			switch {
			case id == "":
				body = struct {
					CFDocuments []casefmt.Document `json:"CFDocuments"`
				}{[]casefmt.Document{d}}
			case strings.EqualFold(id, d.Identifier):
				body = d
			}
		case "CFPackages":
			if strings.EqualFold(id, p.CFDocument.Identifier) {
				body = p
			}
		case "CFItems":
			for _, it := range p.CFItems {
				if strings.EqualFold(id, it.Identifier) {
					it.CFDocumentURI = doc
					body = it
				}
			}
		case "CFAssociations":
			for _, a := range p.CFAssociations {
				if strings.EqualFold(id, a.Identifier) {
					a.CFDocumentURI = doc
					body = a
				}
			}
		}
		if body == nil {
			writeStatusInfo(w, http.StatusNotFound, "sourcedId", "unknownobject", "unknown object: no "+strings.TrimSuffix(kind, "s")+" "+id)
			return
		}
		writeCASE(w, http.StatusOK, body)
	}))
}

// requestBase returns the scheme and host the request was made to.
func requestBase(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// statusInfo is the CASE specification's imsx_StatusInfo payload of an
// error.
type statusInfo struct {
	CodeMajor   string `json:"imsx_codeMajor"`
	Severity    string `json:"imsx_severity"`
	Description string `json:"imsx_description"`
	CodeMinor   struct {
		Fields []codeMinorField `json:"imsx_codeMinorField"`
	} `json:"imsx_codeMinor"`
}

type codeMinorField struct {
	Name  string `json:"imsx_codeMinorFieldName"`
	Value string `json:"imsx_codeMinorFieldValue"`
}

// writeStatusInfo answers status with an imsx_StatusInfo payload: code
// major failure, severity error, and one code minor field.
func writeStatusInfo(w http.ResponseWriter, status int, field, minor, description string) {
	s := statusInfo{CodeMajor: "failure", Severity: "error", Description: description}
	s.CodeMinor.Fields = []codeMinorField{{Name: field, Value: minor}}
	writeCASE(w, status, s)
}

// writeCASE writes v as JSON with status (net/http drops the body of an
// answer to HEAD).
func writeCASE(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	if err := casefmt.Write(&buf, v); err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}
