package app

import (
	"cmap/domain"
	"cmap/ruleplan"
)

// PlanRules plans replacing the generation's rule files by the same files
// with changes: the facts, gaps, demand, readiness and organizations that
// would change over the generation's records (see package ruleplan). The
// files not changed are the serving ones, as loaded. Nothing is written
// and nothing is served differently.
//
// A change that cannot apply (a path outside the rule directory...) is
// EINVALID naming files[i].path; files that do not load are no error:
// the plan holds their revision and diagnostics (ruleplan.Failed).
func (v View) PlanRules(changes []ruleplan.FileChange) (*ruleplan.Plan, error) {
	serving := v.s.rules
	files, err := ruleplan.Overlay(serving, changes)
	if err != nil {
		return nil, err
	}
	revision, err := files.Revision()
	if err != nil {
		return nil, err
	}
	head, err := files.Load(serving.Dir(), serving.Framework())
	if err != nil {
		return ruleplan.Failed(serving, revision, diagnosticsOf(serving.Dir(), err)), nil
	}
	ix := v.s.index
	courses, _ := ix.Courses(domain.CourseFilter{}, domain.Page{})
	positions, _ := ix.Positions(domain.PositionFilter{}, domain.Page{})
	people, _ := ix.People(domain.PersonFilter{}, domain.Page{})
	after, err := ruleplan.Apply(head, ruleplan.Catalogue{
		Framework: serving.Framework(), Courses: courses.Items, Positions: positions.Items, People: people.Items,
	})
	if err != nil {
		return nil, err
	}
	before := &ruleplan.Side{Rules: serving, Coverage: v.s.coverage, Requirements: v.s.requirements.lists, Index: ix}
	return ruleplan.Compare(before, after), nil
}
