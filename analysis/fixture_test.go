package analysis_test

import (
	"cmap/domain"
	"testing"
	"time"

	"cmap/analysis"
)

// The hand-built fixture: a framework of three sub-competencies, five
// courses, three positions and six people. Every expected answer in the
// tests below is reasoned out from this description, not taken from the
// implementation.
//
//	course  status   hours prereq  covers
//	A-101   active   10            1.A Basic, 1.B Basic
//	A-201   active   20    A-101   1.A Advanced
//	B-301   active   15            1.B Intermediate, 2.A Intermediate
//	C-401   retired  30            1.A Intermediate, 2.A Expert
//	D-100   active    5            nothing
//
//	position org        requires
//	POS-1    EUCOM-SCO  1.A Advanced, 2.A Intermediate
//	POS-2    EUCOM-SCO  1.B Basic
//	POS-3    DSCA       1.A Basic, 2.A Expert
//
//	person position completed
//	P-1    POS-1    A-101
//	P-2    POS-2    B-301
//	P-3    POS-3    C-401 (retired, still counts)
//	P-4    none     nothing
//	P-5    POS-1    nothing
//	P-6    POS-3    A-101
func fixture() analysis.Snapshot {
	fw := &domain.Framework{Name: "Test model", Competencies: []domain.Competency{
		{Code: "1.0", Title: "Planning", SubCompetencies: []domain.SubCompetency{
			{Code: "1.A", Statement: "Plans"}, {Code: "1.B", Statement: "Budgets"}}},
		{Code: "2.0", Title: "Transfers", SubCompetencies: []domain.SubCompetency{
			{Code: "2.A", Statement: "Transfers"}}},
	}}
	course := func(code, status string, hours float64, provider string, prereqs ...string) *domain.Course {
		return &domain.Course{Code: code, Title: "Course " + code, Hours: hours, DeliveryMode: domain.DeliveryResident,
			Provider: provider, Status: status, Prerequisites: prereqs}
	}
	cov := func(course, sub, level, rule string) domain.Coverage {
		return domain.Coverage{Course: course, SubCompetency: sub, Level: level, Rules: []domain.RuleRef{{ID: rule, File: "rules/courses.yaml", Line: 3}}}
	}
	req := func(pos, sub, level string) domain.Requirement {
		return domain.Requirement{Position: pos, SubCompetency: sub, Level: level}
	}
	position := func(id, org string) *domain.Position {
		return &domain.Position{ID: id, Title: "Officer " + id, Organization: org, Grade: "GS-13", Category: "SCO", Region: "EUCOM"}
	}
	done := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	person := func(id, pos string, courses ...string) *domain.Person {
		p := &domain.Person{ID: id, Name: "Person " + id, PositionID: pos}
		for _, c := range courses {
			p.Completions = append(p.Completions, domain.Completion{CourseCode: c, Completed: done})
		}
		return p
	}
	return analysis.Snapshot{
		Framework: fw,
		Scale:     domain.DefaultScale(),
		Courses: []*domain.Course{
			course("B-301", domain.CourseActive, 15, "NPS"),
			course("A-101", domain.CourseActive, 10, "DSCU"),
			course("A-201", domain.CourseActive, 20, "DSCU", "A-101"),
			course("C-401", domain.CourseRetired, 30, "DSCU"),
			course("D-100", domain.CourseActive, 5, "NPS"),
		},
		Coverage: map[string][]domain.Coverage{
			"A-101": {cov("A-101", "1.A", "Basic", "intro"), cov("A-101", "1.B", "basic", "intro")},
			"A-201": {cov("A-201", "1.A", "Advanced", "planning-adv")},
			"B-301": {cov("B-301", "2.A", "Intermediate", "transfers"), cov("B-301", "1.B", "Intermediate", "budget")},
			"C-401": {cov("C-401", "2.A", "Expert", "legacy"), cov("C-401", "1.A", "Intermediate", "legacy")},
		},
		Positions: []*domain.Position{position("POS-3", "DSCA"), position("POS-1", "EUCOM-SCO"), position("POS-2", "EUCOM-SCO")},
		Requirements: map[string][]domain.Requirement{
			"POS-1": {req("POS-1", "1.A", "Advanced"), req("POS-1", "2.A", "Intermediate")},
			"POS-2": {req("POS-2", "1.B", "Basic")},
			"POS-3": {req("POS-3", "2.A", "Expert"), req("POS-3", "1.A", "Basic")},
		},
		People: []*domain.Person{
			person("P-1", "POS-1", "A-101"),
			person("P-2", "POS-2", "B-301"),
			person("P-3", "POS-3", "C-401"),
			person("P-4", ""),
			person("P-5", "POS-1"),
			person("P-6", "POS-3", "A-101"),
		},
	}
}

func mustBuild(t testing.TB, s analysis.Snapshot) *analysis.Index {
	t.Helper()
	ix, err := analysis.Build(s)
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	return ix
}
