package graph_test

import (
	"bytes"
	"encoding/json"
	"slices"
	"testing"
)

// The coverage page's answer, kept after the first request, follows every
// write: retiring a course takes its column out of the next answer, and
// the next answer after that is the same again.
func TestCoverageMatrixAnswersFollowWrites(t *testing.T) {
	t.Parallel()
	store, _ := seeded(t)
	c, _ := serve(t, store)
	page := coveragePageQuery(t)
	filter := map[string]any{"filter": map[string]any{"status": "ACTIVE"}}
	type pageData struct {
		CoverageMatrix struct{ Courses []struct{ Code string } }
		RuleSet        struct{ Rules []struct{ ID string } }
	}
	columns := func(r response) []string {
		t.Helper()
		var d pageData
		r.decode(t, &d)
		if len(d.RuleSet.Rules) == 0 {
			t.Fatal("the page's answer has no rules")
		}
		var codes []string
		for _, col := range d.CoverageMatrix.Courses {
			codes = append(codes, col.Code)
		}
		return codes
	}
	first, again := c.query(page, filter), c.query(page, filter)
	if !bytes.Equal(first.Data, again.Data) {
		t.Fatalf("the same request of the same generation answered differently:\n%s\n%s", first.Data, again.Data)
	}
	before := columns(first)
	if len(before) == 0 {
		t.Fatal("the matrix has no column")
	}
	code := before[0]
	var course struct{ Course struct{ Version int } }
	c.query(`query($code: String!) { course(code: $code) { version } }`, map[string]any{"code": code}).decode(t, &course)
	c.query(`mutation($code: String!, $version: Int!) { updateCourse(code: $code, version: $version, input: { status: RETIRED }) { version } }`,
		map[string]any{"code": code, "version": course.Course.Version}).decode(t, &json.RawMessage{})

	after := columns(c.query(page, filter))
	if want := slices.DeleteFunc(slices.Clone(before), func(s string) bool { return s == code }); !slices.Equal(after, want) {
		t.Errorf("columns after retiring %s = %v, want %v", code, after, want)
	}
	if again := columns(c.query(page, filter)); !slices.Equal(again, after) {
		t.Errorf("columns asked again = %v, want %v", again, after)
	}
}

// A kept answer outlives the request that wrote it: the buffers that
// answers are written in are reused by the next requests, but never the
// one the answer cache keeps.
func TestKeptAnswersOutliveTheirRequest(t *testing.T) {
	t.Parallel()
	store, _ := seeded(t)
	c, _ := serve(t, store)
	page := coveragePageQuery(t)
	filter := map[string]any{"filter": map[string]any{"status": "ACTIVE"}}
	first := c.query(page, filter)
	kept := bytes.Clone(first.Data)
	for range 20 { // answers written in the buffers released meanwhile
		c.query(`{ competencies { code subCompetencies { code } } }`, nil).decode(t, &json.RawMessage{})
	}
	if again := c.query(page, filter); !bytes.Equal(again.Data, kept) {
		t.Fatalf("the kept answer changed:\n%.300s\nwant\n%.300s", again.Data, kept)
	}
}
