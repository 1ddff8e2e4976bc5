package graph_test

import (
	"bytes"
	"cmap/domain"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"cmap/app"
	"cmap/graph"
)

// uploadRequest builds a request per the GraphQL multipart request
// specification: operations, map, then each file as a part.
func uploadRequest(t *testing.T, url, query string, vars map[string]any, files map[string]string) *http.Request {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	var names []string
	for name := range files {
		names = append(names, name)
	}
	list := make([]any, len(names))
	vars["files"] = list
	ops, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	check(t, w.WriteField("operations", string(ops)))
	m := map[string][]string{}
	for i := range names {
		m[fmt.Sprint(i)] = []string{fmt.Sprintf("variables.files.%d", i)}
	}
	mapJSON, _ := json.Marshal(m)
	check(t, w.WriteField("map", string(mapJSON)))
	for i, name := range names {
		part, err := w.CreateFormFile(fmt.Sprint(i), name)
		check(t, err)
		part.Write([]byte(files[name]))
	}
	check(t, w.Close())
	req, _ := http.NewRequest(http.MethodPost, url, &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return req
}

const importMutation = `mutation($files: [Upload!]!, $dryRun: Boolean!, $map: [String!]!) {
  importRecords(files: $files, dryRun: $dryRun, map: $map) {
    dryRun applied journal
    people { created updated unchanged rejected }
    completions { created unchanged rejected }
    rejections { location file sheet line column message }
    impact { ready { before after } gaps { before after } readinessChanged }
  }
}`

type importResult struct {
	ImportRecords struct {
		DryRun, Applied bool
		Journal         *string
		People          struct{ Created, Updated, Unchanged, Rejected int }
		Completions     struct{ Created, Unchanged, Rejected int }
		Rejections      []struct {
			Location, File, Message string
			Sheet                   *string
			Line, Column            int
		}
		Impact *struct {
			Ready, Gaps      struct{ Before, After int }
			ReadinessChanged int
		}
	}
}

// TestImportOverGraphQL imports completions as an uploaded file: the dry
// run names the bad row and writes nothing, the fixed file imports, the
// audit log records it, and the same file again changes nothing. The role
// of each kind of record the files hold is required.
func TestImportOverGraphQL(t *testing.T) {
	store, ds := seeded(t)
	c, _, _ := serveWith(t, store, app.Options{})
	person := ds.People[0].ID
	bad := "Person,Course,Date\n" + person + ",SCO-101,2026-01-05\n" + person + ",NOPE-1,2026-01-06\n"
	vars := func(dryRun bool) map[string]any {
		return map[string]any{"dryRun": dryRun, "map": []string{"Person=person_id", "Course=course_code", "Date=completed"}}
	}

	var res importResult
	c.do(uploadRequest(t, c.url+"/graphql", importMutation, vars(true), map[string]string{"training.csv": bad})).decode(t, &res)
	r := res.ImportRecords
	if !r.DryRun || r.Applied || len(r.Rejections) != 1 || r.Completions.Rejected != 1 {
		t.Fatalf("dry run of a bad file: %+v", r)
	}
	if rej := r.Rejections[0]; rej.Location != "training.csv:3:9: course_code: course NOPE-1 does not exist (it is neither stored nor in the import)" ||
		rej.File != "training.csv" || rej.Sheet != nil || rej.Line != 3 || rej.Column != 9 {
		t.Errorf("rejection: %+v", rej)
	}

	good := "Person,Course,Date\n" + person + ",SCO-101,2026-01-05\n"
	c.do(uploadRequest(t, c.url+"/graphql", importMutation, vars(false), map[string]string{"training.csv": good})).decode(t, &res)
	r = res.ImportRecords
	if r.DryRun || !r.Applied || r.Journal == nil || r.Completions.Created != 1 || r.Impact == nil {
		t.Fatalf("import: %+v", r)
	}
	var read struct {
		Person struct {
			Completions []struct{ CourseCode, CompletedOn string }
		}
		AuditLog struct {
			Edges []struct {
				Node struct {
					RecordType, Operation, RecordKey string
				}
			}
		}
	}
	c.query(fmt.Sprintf(`{ person(id: %q) { completions { courseCode completedOn } } auditLog(first: 1) { edges { node { recordType operation recordKey } } } }`, person), nil).decode(t, &read)
	last := read.Person.Completions[len(read.Person.Completions)-1]
	if last.CourseCode != "SCO-101" || last.CompletedOn != "2026-01-05" {
		t.Errorf("completions after the import: %+v", read.Person.Completions)
	}
	if e := read.AuditLog.Edges[0].Node; e.RecordType != "IMPORT" || e.Operation != "IMPORT" || e.RecordKey != *r.Journal {
		t.Errorf("last audit entry: %+v, want the import %s", e, *r.Journal)
	}

	c.do(uploadRequest(t, c.url+"/graphql", importMutation, vars(false), map[string]string{"training.csv": good})).decode(t, &res)
	if r := res.ImportRecords; r.Applied || r.Completions.Unchanged != 1 || r.Completions.Created != 0 {
		t.Errorf("the same import again: %+v", r)
	}
}

// TestImportNeedsTheRoleOfEachKind checks that importRecords refuses
// files holding positions to a caller without the editor role.
func TestImportNeedsTheRoleOfEachKind(t *testing.T) {
	store, _ := seeded(t)
	c, _, a := serveWith(t, store, app.Options{})
	clerk := &domain.Principal{ID: "key:clerk", Name: "clerk", Roles: []domain.Role{domain.RoleRecords}}
	srv := httptest.NewServer(as(clerk, graph.NewHandler(a)))
	t.Cleanup(srv.Close)
	positions := "id,title,organization,grade,category,key_billet,region\nPOS-9000,Chief,OSC Japan,GS-14,SCO,yes,INDOPACOM\n"
	resp := c.do(uploadRequest(t, srv.URL, importMutation, map[string]any{"dryRun": true, "map": []string{}},
		map[string]string{"positions.csv": positions}))
	e := resp.wantError(t, "FORBIDDEN", "")
	if !strings.Contains(e.Message, "editor") {
		t.Errorf("message %q does not name the role", e.Message)
	}
}

func check(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestUploadIsAFile checks that a value in place of a file is bad input,
// at its path.
func TestUploadIsAFile(t *testing.T) {
	store, _ := seeded(t)
	c, _, _ := serveWith(t, store, app.Options{})
	c.query(`mutation { importRecords(files: ["people.csv"]) { applied } }`, nil).wantError(t, "BAD_USER_INPUT", "files[0]")
}
