package engine

import (
	"cmap/domain"
	"testing"
)

func TestExplainCourse(t *testing.T) {
	rs := mustLoad(t, map[string]string{"courses.yaml": `rules:
  - id: estimating
    description: Estimating courses cover 4.C.
    course: |
      mentions("price and availability", "letter of offer")
        && (course.level >= "Intermediate" || not hasTopic("estimating"))
    covers: {4.C: tier}
  - id: retired
    course: course.status == "retired"
    exclude: [4.C]
`})
	c := &domain.Course{Code: "SCM-101", Title: "Price and Availability", Topics: []string{"Estimating"}, Status: domain.CourseRetired}
	e, err := rs.ExplainCourse("estimating", c)
	if err != nil {
		t.Fatal(err)
	}
	want := `rule estimating (rules/courses.yaml:2) for course SCM-101: did not fire
  Estimating courses cover 4.C.
condition:
  false  mentions("price and availability", "letter of offer") && (course.level >= "Intermediate" || not hasTopic("estimating"))  [rules/courses.yaml:5:7]
    true  mentions("price and availability", "letter of offer")  [rules/courses.yaml:5:7]
      has phrase "price and availability"; no phrase "letter of offer"
    false  course.level >= "Intermediate" || not hasTopic("estimating")  [rules/courses.yaml:6:13]
      false  course.level >= "Intermediate"  [rules/courses.yaml:6:13]
        Basic  course.level  [rules/courses.yaml:6:13]
      false  not hasTopic("estimating")  [rules/courses.yaml:6:47]
        true  hasTopic("estimating")  [rules/courses.yaml:6:51]
          has topic "estimating"
would yield: 4.C tier (Basic)
`
	if got := e.Text(); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}

	c.Code, c.Topics = "SCM-201", nil
	e, err = rs.ExplainCourse("estimating", c)
	if err != nil {
		t.Fatal(err)
	}
	if !e.Fired || e.Tier != "Intermediate" || len(e.ExcludedBy) != 1 || e.ExcludedBy[0].ID != "retired" {
		t.Errorf("fired %v, tier %q, excluded by %v: want fired at Intermediate, excluded by retired", e.Fired, e.Tier, e.ExcludedBy)
	}
	or := e.Condition.Children[1]
	if or.Value != "true" || or.Children[1].Skipped != true || or.Children[0].Skipped {
		t.Errorf("or node %+v: want true, with its right side not evaluated", or)
	}
}

func TestExplainPositionAndErrors(t *testing.T) {
	rs := mustLoad(t, map[string]string{"r.yaml": `rules:
  - id: senior
    position: position.keyBillet || gradeAtLeast("GS-13")
    requires: {1.A: Advanced}
  - id: course
    course: "true"
    covers: {1.A: Basic}
`})
	e, err := rs.ExplainPosition("senior", &domain.Position{ID: "P1", Grade: "GS-12"})
	if err != nil {
		t.Fatal(err)
	}
	want := `rule senior (rules/r.yaml:2) for position P1: did not fire
condition:
  false  position.keyBillet || gradeAtLeast("GS-13")  [rules/r.yaml:3:15]
    false  position.keyBillet  [rules/r.yaml:3:15]
    false  gradeAtLeast("GS-13")  [rules/r.yaml:3:37]
would yield: 1.A Advanced
`
	if got := e.Text(); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	if _, err := rs.ExplainPosition("nope", &domain.Position{}); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("unknown rule: %v, want ENOTFOUND", err)
	}
	if _, err := rs.ExplainPosition("course", &domain.Position{}); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("course rule for a position: %v, want EINVALID", err)
	}
	if _, err := rs.ExplainCourse("senior", &domain.Course{}); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("position rule for a course: %v, want EINVALID", err)
	}
}
