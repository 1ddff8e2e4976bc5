package graph_test

import (
	"cmap/domain"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"

	"cmap/app"
	"cmap/graph"
)

// personalTypes hold personal data: a person's record, what is known of
// their readiness, or readiness counted over an organization's people (a
// rule change's plan lists both).
// Every path from the roots of the schema to one of them must pass a field
// that needs a role implying personnel.
var personalTypes = []string{"Person", "Readiness", "Recommendation", "OrganizationReadiness", "ReadinessChange",
	"PlanPeople", "PlanPersonChange", "PlanOrganizationChange"}

// testRolesHeader carries the roles of the request's principal in these
// tests, comma-separated ("" for a principal holding none); without it
// the request has no credentials. Package auth's tests cover real
// credentials; here the point is what each role may reach.
const testRolesHeader = "X-Test-Roles"

// principalFromHeader returns next with each request's principal taken
// from testRolesHeader.
func principalFromHeader(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		header, ok := r.Header[http.CanonicalHeaderKey(testRolesHeader)]
		if ok {
			p := &domain.Principal{ID: "test", Name: "test"}
			for name := range strings.SplitSeq(header[0], ",") {
				if name != "" {
					p.Roles = append(p.Roles, domain.Role(name))
				}
			}
			r = r.WithContext(domain.WithPrincipal(r.Context(), p))
		}
		next.ServeHTTP(w, r)
	})
}

// roleClient posts queries with the principal given.
type roleClient struct {
	t   *testing.T
	url string
}

// query sends q as a principal with roles (nil for no credentials) and
// returns the decoded response.
func (c roleClient) query(roles []domain.Role, q string) (map[string]any, []gqlError) {
	c.t.Helper()
	body, _ := json.Marshal(map[string]any{"query": q})
	req, _ := http.NewRequest(http.MethodPost, c.url, strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	if roles != nil {
		names := make([]string, len(roles))
		for i, r := range roles {
			names[i] = string(r)
		}
		req.Header.Set(testRolesHeader, strings.Join(names, ","))
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	var out struct {
		Data   map[string]any `json:"data"`
		Errors []gqlError     `json:"errors"`
	}
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		c.t.Fatalf("HTTP %d, body is not JSON: %v", res.StatusCode, err)
	}
	return out.Data, out.Errors
}

// serveRoles serves the GraphQL endpoint over a seeded store with
// principals from testRolesHeader.
func serveRoles(t *testing.T) (roleClient, *app.App) {
	t.Helper()
	store, _ := seeded(t)
	a, err := app.Open(context.Background(), store, app.Options{RulesDir: "../rules", PollInterval: -1, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	srv := httptest.NewServer(principalFromHeader(graph.NewHandler(a)))
	t.Cleanup(srv.Close)
	return roleClient{t: t, url: srv.URL}, a
}

// The schema as introspection shows it.
type (
	typeRef struct {
		Kind   string   `json:"kind"`
		Name   string   `json:"name"`
		OfType *typeRef `json:"ofType"`
	}
	inputValue struct {
		Name         string  `json:"name"`
		Type         typeRef `json:"type"`
		DefaultValue *string `json:"defaultValue"`
	}
	field struct {
		Name        string       `json:"name"`
		Description string       `json:"description"`
		Args        []inputValue `json:"args"`
		Type        typeRef      `json:"type"`
	}
	schemaType struct {
		Kind        string       `json:"kind"`
		Name        string       `json:"name"`
		Fields      []field      `json:"fields"`
		InputFields []inputValue `json:"inputFields"`
		EnumValues  []struct {
			Name string `json:"name"`
		} `json:"enumValues"`
	}
	schema struct {
		types              map[string]*schemaType
		query, mutation    string
		personnelImpliedBy []domain.Role
	}
)

const introspection = `fragment T on __Type { kind name ofType { kind name ofType { kind name ofType { kind name } } } }
{ __schema {
  queryType { name } mutationType { name }
  types { kind name
    fields(includeDeprecated: true) { name description args { name type { ...T } defaultValue } type { ...T } }
    inputFields { name type { ...T } defaultValue }
    enumValues { name } } } }`

// introspect reads the schema as clients see it (as anyone may: the
// schema is no secret).
func introspect(t *testing.T, c roleClient) *schema {
	t.Helper()
	data, errs := c.query(nil, introspection)
	if len(errs) > 0 {
		t.Fatalf("introspection without credentials: %+v", errs)
	}
	raw, _ := json.Marshal(data["__schema"])
	var s struct {
		QueryType, MutationType struct{ Name string }
		Types                   []*schemaType
	}
	if err := json.Unmarshal(raw, &s); err != nil {
		t.Fatal(err)
	}
	out := &schema{types: map[string]*schemaType{}, query: s.QueryType.Name, mutation: s.MutationType.Name}
	for _, ty := range s.Types {
		out.types[ty.Name] = ty
	}
	return out
}

// named returns the named type a reference wraps.
func (r typeRef) named() string {
	for r.OfType != nil {
		r = *r.OfType
	}
	return r.Name
}

var roleNote = regexp.MustCompile(`Needs the ([A-Z_]+) role\.$`)

// roleOf returns the role a field's description says it needs, "" when
// none.
func roleOf(f field) domain.Role {
	m := roleNote.FindStringSubmatch(f.Description)
	if m == nil {
		return ""
	}
	return domain.Role(strings.ReplaceAll(strings.ToLower(m[1]), "_", "-"))
}

// step is one field of a path from a root of the schema.
type step struct {
	typeName string
	field    field
}

func pathString(path []step) string {
	var parts []string
	for _, s := range path {
		parts = append(parts, s.typeName+"."+s.field.Name)
	}
	return strings.Join(parts, " > ")
}

// TestEveryPathToPersonalDataNeedsARole walks the schema from its roots:
// every field of Query and Mutation must need a role (anonymous access is
// a setting, so even the viewer's fields are refused without it), every
// mutation a role above viewer, and every path to a personal type must
// pass a field whose role implies personnel.
func TestEveryPathToPersonalDataNeedsARole(t *testing.T) {
	c, _ := serveRoles(t)
	s := introspect(t, c)
	for _, root := range []string{s.query, s.mutation} {
		for _, f := range s.types[root].Fields {
			switch r := roleOf(f); {
			case r == "":
				t.Errorf("%s.%s needs no role", root, f.Name)
			case root == s.mutation && r == domain.RoleViewer:
				t.Errorf("mutation %s needs only the viewer role", f.Name)
			}
		}
	}
	for _, name := range personalTypes {
		if s.types[name] == nil {
			t.Fatalf("personal type %s is not in the schema: update personalTypes", name)
		}
	}

	// Walk every path that passes no field implying personnel; reaching a
	// personal type on one is a leak.
	seen := map[string]bool{}
	var walk func(typeName string, path []step)
	walk = func(typeName string, path []step) {
		if slices.Contains(personalTypes, typeName) {
			t.Errorf("%s reaches personal type %s without the personnel role", pathString(path), typeName)
			return
		}
		if seen[typeName] {
			return
		}
		seen[typeName] = true
		for _, f := range s.types[typeName].Fields {
			if r := roleOf(f); r != "" && r.Implies(domain.RolePersonnel) {
				continue
			}
			walk(f.Type.named(), append(slices.Clone(path), step{typeName, f}))
		}
	}
	walk(s.query, nil)
	walk(s.mutation, nil)
	if !seen["Course"] || !seen["AuditEntry"] {
		t.Errorf("the walk missed types a viewer reaches: %v", seen)
	}
}

// TestEveryRoleIsEnforced proves, field by field, what the descriptions
// promise: a request for a field that needs a role, by the shortest path
// that reaches it, is refused UNAUTHENTICATED without credentials and
// FORBIDDEN for a principal holding every role but those that imply it,
// and is not refused for one holding it.
func TestEveryRoleIsEnforced(t *testing.T) {
	c, _ := serveRoles(t)
	s := introspect(t, c)
	ds := sampleSeeds(t)
	person := ds.People[0]
	for _, p := range ds.People {
		if p.PositionID != "" {
			person = p
			break
		}
	}
	org := ""
	for _, p := range ds.Positions {
		if p.ID == person.PositionID {
			org = p.Organization
		}
	}
	course := ds.Courses[0].Code
	// Arguments that make the root fields on a path return a record, so
	// that the fields below them resolve; others get values of their type.
	samples := map[string]string{
		"Query.course":                fmt.Sprintf(`code: %q`, course),
		"Query.position":              fmt.Sprintf(`id: %q`, person.PositionID),
		"Query.person":                fmt.Sprintf(`id: %q`, person.ID),
		"Query.competency":            `code: "1.0"`,
		"Query.subCompetency":         `code: "1.A"`,
		"Query.organizationReadiness": fmt.Sprintf(`organization: %q`, org),
		"Query.courseImpact":          fmt.Sprintf(`code: %q, retire: true`, course),
		"Query.ruleSetPlan":           `files: []`,
		"Mutation.importCatalogue":    `files: []`,
		"Mutation.importRecords":      `files: []`,
	}

	checked := 0
	for _, typeName := range slices.Sorted(maps.Keys(s.types)) {
		ty := s.types[typeName]
		if strings.HasPrefix(typeName, "__") {
			continue
		}
		for _, f := range ty.Fields {
			role := roleOf(f)
			if role == "" {
				continue
			}
			path := s.pathTo(typeName, samples)
			if path == nil && typeName != s.query && typeName != s.mutation {
				t.Errorf("%s.%s: no path reaches %s", typeName, f.Name, typeName)
				continue
			}
			path = append(path, step{typeName, f})
			q := s.queryFor(path, samples)
			name := pathString(path)
			checked++

			_, errs := c.query(nil, q)
			if !hasCode(errs, "UNAUTHENTICATED") {
				t.Errorf("%s without credentials: %+v, want UNAUTHENTICATED\n%s", name, errs, q)
			}
			var lacking []domain.Role
			for _, r := range domain.Roles {
				if !r.Implies(role) {
					lacking = append(lacking, r)
				}
			}
			data, errs := c.query(append([]domain.Role{}, lacking...), q)
			if !hasCode(errs, "FORBIDDEN") || delivers(data) {
				t.Errorf("%s as %v: %+v, want FORBIDDEN and no %s\n%s", name, lacking, errs, f.Name, q)
			}
			needed := []domain.Role{role}
			for _, st := range path {
				if r := roleOf(st.field); r != "" {
					needed = append(needed, r)
				}
			}
			if _, errs := c.query(needed, q); hasCode(errs, "UNAUTHENTICATED") || hasCode(errs, "FORBIDDEN") {
				t.Errorf("%s as %v: refused: %+v\n%s", name, needed, errs, q)
			}
		}
	}
	if checked < 40 {
		t.Errorf("only %d fields with a role were checked", checked)
	}
}

// hasCode reports whether some error has extensions.code code.
func hasCode(errs []gqlError, code string) bool {
	for _, e := range errs {
		if e.Extensions.Code == code {
			return true
		}
	}
	return false
}

// delivers reports whether data holds a non-null value under the alias
// "target", which queryFor gives the field under test.
func delivers(v any) bool {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if (k == "target" && x != nil) || delivers(x) {
				return true
			}
		}
	case []any:
		return slices.ContainsFunc(v, delivers)
	}
	return false
}

// pathTo returns the shortest path from the query root to a field of
// type typeName, through fields whose required arguments have samples
// (a root field without them would return null, and nothing below it
// would resolve). It returns nil for the roots themselves.
func (s *schema) pathTo(typeName string, samples map[string]string) []step {
	if typeName == s.query || typeName == s.mutation {
		return nil
	}
	type node struct {
		typeName string
		path     []step
	}
	queue := []node{{s.query, nil}}
	seen := map[string]bool{s.query: true}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		for _, f := range s.types[n.typeName].Fields {
			if _, ok := samples[n.typeName+"."+f.Name]; !ok && hasRequiredArgs(f) {
				continue
			}
			next := f.Type.named()
			path := append(slices.Clone(n.path), step{n.typeName, f})
			if next == typeName {
				return path
			}
			if !seen[next] && s.types[next].Kind == "OBJECT" {
				seen[next] = true
				queue = append(queue, node{next, path})
			}
		}
	}
	return nil
}

func hasRequiredArgs(f field) bool {
	for _, a := range f.Args {
		if a.Type.Kind == "NON_NULL" && a.DefaultValue == nil {
			return true
		}
	}
	return false
}

// queryFor writes the operation that selects the last field of path (as
// "target") through the fields before it.
func (s *schema) queryFor(path []step, samples map[string]string) string {
	var b strings.Builder
	if path[0].typeName == s.mutation {
		b.WriteString("mutation ")
	}
	for i, st := range path {
		b.WriteString("{ ")
		if i == len(path)-1 {
			b.WriteString("target: ")
		}
		b.WriteString(st.field.Name)
		args := samples[st.typeName+"."+st.field.Name]
		if args == "" {
			args = s.requiredArgs(st.field.Args)
		}
		if args != "" {
			b.WriteString("(" + args + ")")
		}
		b.WriteString(" ")
	}
	if s.types[path[len(path)-1].field.Type.named()].Kind == "OBJECT" {
		b.WriteString("{ __typename } ")
	}
	b.WriteString(strings.Repeat("} ", len(path)))
	return b.String()
}

// requiredArgs writes a value of its type for each required argument.
func (s *schema) requiredArgs(args []inputValue) string {
	var parts []string
	for _, a := range args {
		if a.Type.Kind == "NON_NULL" && a.DefaultValue == nil {
			parts = append(parts, a.Name+": "+s.valueOf(a.Type))
		}
	}
	return strings.Join(parts, ", ")
}

// valueOf writes a valid value of type r: scalars of their kind, the
// first value of an enum, input objects with their required fields.
func (s *schema) valueOf(r typeRef) string {
	switch {
	case r.Kind == "NON_NULL":
		return s.valueOf(*r.OfType)
	case r.Kind == "LIST":
		return "[" + s.valueOf(*r.OfType) + "]"
	}
	switch t := s.types[r.Name]; {
	case t.Kind == "ENUM":
		return t.EnumValues[0].Name
	case t.Kind == "INPUT_OBJECT":
		return "{" + s.requiredArgs(t.InputFields) + "}"
	}
	switch r.Name {
	case "Int":
		return "1"
	case "Float":
		return "1.5"
	case "Boolean":
		return "false"
	case "Date":
		return `"2024-01-01"`
	case "Time":
		return `"2024-01-01T00:00:00Z"`
	}
	return `"x"`
}

// TestKeptAnswersStayWithTheirRoles: the answers of large queries are
// kept and served again (answers.go), but only to callers holding the
// same roles as the one they were written for: the same query asked as a
// viewer, or without credentials, after a personnel key asked it, is
// refused what the viewer may not read, never handed the kept answer.
func TestKeptAnswersStayWithTheirRoles(t *testing.T) {
	c, _ := serveRoles(t)
	q := `{ coverageMatrix { levels } people(first: 2) { totalCount edges { node { name } } } }`
	personnel := []domain.Role{domain.RolePersonnel}
	for range 2 { // the second is served from the kept answer
		data, errs := c.query(personnel, q)
		if len(errs) > 0 || !strings.Contains(fmt.Sprint(data["people"]), "name") {
			t.Fatalf("as personnel: %v, %+v", data, errs)
		}
	}
	data, errs := c.query([]domain.Role{domain.RoleViewer}, q)
	if !hasCode(errs, "FORBIDDEN") || data["people"] != nil {
		t.Errorf("as a viewer after a personnel key: %v, %+v; want FORBIDDEN and no people", data, errs)
	}
	data, errs = c.query(nil, q)
	if !hasCode(errs, "UNAUTHENTICATED") || data["people"] != nil {
		t.Errorf("without credentials after a personnel key: %v, %+v; want UNAUTHENTICATED and no people", data, errs)
	}
	// A holder of a role implying personnel may share it: records reads
	// what personnel reads, and nothing the answer holds is beyond it.
	if data, errs := c.query([]domain.Role{domain.RolePersonnel, domain.RoleViewer}, q); len(errs) > 0 || data["people"] == nil {
		t.Errorf("as personnel and viewer: %v, %+v", data, errs)
	}
}
