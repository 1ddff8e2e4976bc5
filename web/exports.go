package web

import (
	"bytes"
	"cmap/domain"
	"fmt"
	"net/http"
	"strings"
	"time"

	"cmap/analysis"
	"cmap/export"
)

// ExportsPath is where Exports expects to be mounted.
const ExportsPath = "/export/"

// ExportRoles is the role each export needs: that of the GraphQL fields
// that answer the same (courses, positions, coverageMatrix, gaps and
// demand: viewer; people, their completions and readiness: personnel; the
// whole catalogue holds people). A kind missing here needs a role no one
// holds.
var ExportRoles = map[export.Kind]domain.Role{
	export.KindCourses:     domain.RoleViewer,
	export.KindPositions:   domain.RoleViewer,
	export.KindPeople:      domain.RolePersonnel,
	export.KindCompletions: domain.RolePersonnel,
	export.KindCatalogue:   domain.RolePersonnel,
	export.KindCoverage:    domain.RoleViewer,
	export.KindGaps:        domain.RoleViewer,
	export.KindDemand:      domain.RoleViewer,
	export.KindReadiness:   domain.RolePersonnel,
}

// Exports returns the handler of the file exports, mounted at ExportsPath:
// GET /export/KIND.FORMAT for every kind and format of package export
// (coverage, gaps, demand, readiness, courses, positions, people,
// completions as .csv, .xlsx or .json; catalogue as .xlsx or .json), in
// the shapes package export documents. Query parameters (see
// export.Options): minLevel (coverage: the lowest level of a cell; gaps:
// the level of the report, every level without it), status (coverage:
// active, retired or any) and overServedAbove (gaps). Each request reads
// the index and rule set that state returns at that moment, one
// generation, so an export is one consistent snapshot; a workbook's legend
// names the rules and the time of the request. Bad parameters get 400
// with the parameter's name; an unknown file 404. CSV and XLSX files come
// as attachments named cmap-KIND.EXT.
//
// Each export needs the role that reads its data over GraphQL (see
// ExportRoles): a request without a principal (see package auth) gets 401
// with a WWW-Authenticate challenge, one lacking the role 403.
func Exports(state func() (*analysis.Index, export.RuleSet)) http.Handler {
	return readOnly(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, ExportsPath)
		base, ext, _ := strings.Cut(name, ".")
		kind, kindErr := export.ParseKind(base)
		format, formatErr := export.ParseFormat(ext)
		if kindErr != nil || formatErr != nil || ext != string(format) || !kind.Supports(format) {
			http.Error(w, fmt.Sprintf("no export %q: the exports are %s", name, exportNames()), http.StatusNotFound)
			return
		}
		if err := domain.Authorize(r.Context(), ExportRoles[kind]); err != nil {
			status := http.StatusForbidden
			if domain.ErrorCode(err) == domain.EUNAUTHENTICATED {
				status = http.StatusUnauthorized
				w.Header().Set("WWW-Authenticate", `Bearer realm="cmap"`)
			}
			http.Error(w, domain.ErrorMessage(err), status)
			return
		}
		q := r.URL.Query()
		var buf bytes.Buffer
		overServedAbove, err := export.ParseOverServedAbove(q.Get("overServedAbove"))
		if err == nil {
			ix, rules := state()
			opts := export.Options{MinLevel: q.Get("minLevel"), Status: q.Get("status"), OverServedAbove: overServedAbove,
				Made: time.Now(), Rules: rules}
			err = export.Write(&buf, ix, kind, format, opts)
		}
		if err != nil {
			status := http.StatusInternalServerError
			msg := "internal error"
			if domain.ErrorCode(err) == domain.EINVALID {
				status, msg = http.StatusBadRequest, err.Error()
			}
			http.Error(w, msg, status)
			return
		}
		h := w.Header()
		h.Set("Content-Type", format.ContentType())
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Cache-Control", "no-store")
		if format != export.JSON {
			h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="cmap-%s.%s"`, kind, format))
		}
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(buf.Bytes()))
	}))
}

// exportNames lists the files Exports serves, for its 404 message.
func exportNames() string {
	var names []string
	for _, k := range export.Kinds {
		for _, f := range export.Formats {
			if k.Supports(f) {
				names = append(names, string(k)+"."+string(f))
			}
		}
	}
	return strings.Join(names, ", ")
}
