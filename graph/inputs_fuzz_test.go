package graph_test

import (
	"bytes"
	"cmap/domain"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"cmap/app"
	"cmap/graph"
)

// The fuzz targets of the GraphQL inputs: arbitrary field values, sent as
// variables of a real request to the endpoint over the sample seeds,
// either make a valid record or are refused with BAD_USER_INPUT and the
// path of the field at fault (GRAPHQL_VALIDATION_FAILED only for an enum
// value off its list, a Float beyond float64); nothing panics or answers INTERNAL. An input the
// API takes is one the domain's Validate takes; one Validate refuses, the
// API refuses. Their seed corpus is in testdata/fuzz/FuzzXxx, which go
// test runs as regression cases; run one for a while with
//
//	go test -run '^$' -fuzz '^FuzzCourseInput$' -fuzztime 60s -fuzzminimizetime 100x -parallel 1 ./graph/

// Enum values of the API, and the domain's values for them.
var (
	deliveryModes = []struct{ api, domain string }{
		{"RESIDENT", domain.DeliveryResident}, {"ONLINE", domain.DeliveryOnline}, {"BLENDED", domain.DeliveryBlended},
	}
	courseStatuses = []struct{ api, domain string }{{"ACTIVE", domain.CourseActive}, {"RETIRED", domain.CourseRetired}}
)

func FuzzCourseInput(f *testing.F) {
	f.Add("SCO-250", "Industry Days and Trade Shows", "", "Plan U.S. participation in international trade shows under DoD policy.", "trade shows", 16.0, 1, "DSCU", 0, "SCO-101")
	f.Add("sco-250", "", "x", "|", "", -1.0, 3, "", 2, "SCO-999|SCO-250")
	f.Add("SCO-2500000", strings.Repeat("T", 201), "", strings.Repeat("o|", 51), "", math.Inf(1), 0, "", 1, "")
	h := fuzzEndpoint(f)
	f.Fuzz(func(t *testing.T, code, title, description, objectives, topics string, hours float64, mode int, provider string, status int, prerequisites string) {
		in := map[string]any{"title": title, "description": description, "hours": floatOf(hours), "provider": provider}
		for name, list := range map[string]string{"objectives": objectives, "topics": topics, "prerequisites": prerequisites} {
			if l := listOf(list); l != nil {
				in[name] = l // left out, the list is empty (a new course) or kept (an edit)
			}
		}
		c := domain.Course{
			Code: code, Title: title, Description: description, Objectives: listOf(objectives), Topics: listOf(topics),
			Hours: hours, Provider: provider, Prerequisites: listOf(prerequisites), Status: domain.CourseActive,
		}
		// A Float beyond float64 fails as a variable of the wrong type.
		typesValid := !math.IsInf(hours, 0) && !math.IsNaN(hours)
		if mode >= 0 && mode < len(deliveryModes) {
			in["deliveryMode"], c.DeliveryMode = deliveryModes[mode].api, deliveryModes[mode].domain
		} else {
			in["deliveryMode"], typesValid = "MODE_"+strconv.Itoa(mode), false
		}
		if status >= 0 && status < len(courseStatuses) {
			in["status"], c.Status = courseStatuses[status].api, courseStatuses[status].domain
		} else {
			in["status"], typesValid = "STATUS_"+strconv.Itoa(status), false
		}

		// A new course: previewCourse checks it as createCourse does.
		in["code"] = code
		r := postFuzz(t, h, `query($input: CreateCourseInput!) { previewCourse(input: $input) { coverage { level } } }`, in)
		checkInputAnswer(t, r, c.Validate(), typesValid)

		// The same fields as an edit of a stored course: courseImpact
		// checks the edited course as updateCourse does.
		delete(in, "code")
		c.Code = "SCO-201"
		r = postFuzz(t, h, `query($input: UpdateCourseInput) { courseImpact(code: "SCO-201", input: $input) { change } }`, in)
		checkInputAnswer(t, r, c.Validate(), typesValid)
	})
}

func FuzzPositionInput(f *testing.F) {
	f.Add("POS-9000", "Security Cooperation Officer", "ODC Paris", "GS-13", "SCO", true, "EUCOM")
	f.Add("-x", "", strings.Repeat("O", 201), "GS-130", "", false, "\x00")
	h := fuzzEndpoint(f)
	f.Fuzz(func(t *testing.T, id, title, organization, grade, category string, keyBillet bool, region string) {
		in := map[string]any{
			"id": id, "title": title, "organization": organization, "grade": grade, "category": category,
			"keyBillet": keyBillet, "region": region,
		}
		p := domain.Position{ID: id, Title: title, Organization: organization, Grade: grade, Category: category, KeyBillet: keyBillet, Region: region}
		r := postFuzz(t, h, `query($input: CreatePositionInput!) { previewPosition(input: $input) { requirements { level } } }`, in)
		checkInputAnswer(t, r, p.Validate(), true)
	})
}

func FuzzPersonInput(f *testing.F) {
	f.Add("P-90000", "Ann Smith", "POS-0001", "SCO-101", "2024-02-29")
	f.Add("", " ", "POS-X", "SCO-101|SCO-999", "2024-02-30")
	f.Add("P.1", "Bo", "", "|", "1-1-1")
	h := fuzzEndpoint(f)
	f.Fuzz(func(t *testing.T, id, name, positionID, courses, completed string) {
		var comps []map[string]any
		p := domain.Person{ID: id, Name: name, PositionID: positionID}
		datesValid := true
		for _, code := range listOf(courses) {
			comps = append(comps, map[string]any{"courseCode": code, "completedOn": completed})
			day, err := time.Parse(time.DateOnly, completed)
			datesValid = datesValid && err == nil
			p.Completions = append(p.Completions, domain.Completion{CourseCode: code, Completed: day})
		}
		in := map[string]any{"id": id, "name": name, "completions": comps}
		if comps == nil {
			in["completions"] = []any{}
		}
		if positionID != "" {
			in["positionId"] = positionID
		}
		// createPerson writes: an id taken by an earlier run is CONFLICT.
		r := postFuzz(t, h, `mutation($input: CreatePersonInput!) { createPerson(input: $input) { id } }`, in)
		want := p.Validate()
		if !datesValid {
			want = domain.Invalid("completions", "a date that does not parse")
		}
		checkInputAnswer(t, r, want, true, "CONFLICT")
	})
}

// fuzzEndpoint returns the GraphQL endpoint over an App on a fresh
// in-memory store holding the sample seeds, with the shipped rules.
func fuzzEndpoint(f *testing.F) http.Handler {
	store, _ := seeded(f)
	a, err := app.Open(context.Background(), store, app.Options{
		RulesDir: "../rules", PollInterval: -1, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { a.Close() })
	return as(tester, graph.NewHandler(a))
}

// postFuzz POSTs query with the variable input to h.
func postFuzz(t *testing.T, h http.Handler, query string, input map[string]any) response {
	t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": map[string]any{"input": input}})
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var r response
	if err := json.Unmarshal(rec.Body.Bytes(), &r); err != nil {
		t.Fatalf("HTTP %d, body is not JSON: %s", rec.Code, rec.Body)
	}
	return r
}

// fieldPath is the form of extensions.field for an input: names and
// indexes under the argument input.
var fieldPath = regexp.MustCompile(`^input(\.[a-zA-Z]+(\[[0-9]+\])?)*$`)

// checkInputAnswer fails t unless r is the answer to an input that the
// domain's Validate answered with invalid: an answer without errors when
// the input is valid (or one with a code of allowed, such as CONFLICT);
// one BAD_USER_INPUT error with the path of a field when it is not; or,
// when a value does not fit the type of its variable (typesValid false:
// an enum value off its list, a Float beyond float64), one
// GRAPHQL_VALIDATION_FAILED error with the path of the variable.
func checkInputAnswer(t *testing.T, r response, invalid error, typesValid bool, allowed ...string) {
	t.Helper()
	if !typesValid {
		if len(r.Errors) != 1 || r.Errors[0].Extensions.Code != "GRAPHQL_VALIDATION_FAILED" ||
			len(r.Errors[0].Path) < 3 || r.Errors[0].Path[0] != "variable" || r.Errors[0].Path[1] != "input" {
			t.Fatalf("a value off its type: want GRAPHQL_VALIDATION_FAILED at [variable input ...], got %+v", r.Errors)
		}
		return
	}
	for _, e := range r.Errors {
		switch code := e.Extensions.Code; {
		case code == "BAD_USER_INPUT":
			if !fieldPath.MatchString(e.Extensions.Field) {
				t.Errorf("BAD_USER_INPUT without the path of an input field: %+v", e)
			}
		case slices.Contains(allowed, code):
		default:
			t.Errorf("want BAD_USER_INPUT or no error, got %s: %+v", code, e)
		}
	}
	if invalid != nil && len(r.Errors) == 0 {
		t.Errorf("the API took an input the domain refuses (%v): %s", invalid, r.Data)
	}
	if invalid == nil && len(r.Errors) > 0 && r.Errors[0].Extensions.Code == "BAD_USER_INPUT" &&
		!crossRecordField.MatchString(r.Errors[0].Extensions.Field) {
		t.Errorf("the API refused an input the domain takes: %+v", r.Errors[0])
	}
}

// crossRecordField matches the fields that the App checks against other
// records, which one record's Validate cannot: a prerequisite, a held
// position, a completed course must exist.
var crossRecordField = regexp.MustCompile(`^input\.(prerequisites\[[0-9]+\]|positionId|completions\[[0-9]+\]\.courseCode)$`)

// listOf splits s at '|' into a list; "" is no list (nil).
func listOf(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "|")
}

// floatOf writes f as a JSON number; NaN and the infinities, which JSON
// cannot write, become a number too large for a float64.
func floatOf(f float64) json.Number {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return "1e999"
	}
	return json.Number(strconv.FormatFloat(f, 'g', -1, 64))
}
