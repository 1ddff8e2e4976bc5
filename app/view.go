package app

import (
	"cmap/domain"
	"cmp"
	"context"
	"maps"
	"slices"
	"strings"

	"cmap/analysis"
	"cmap/engine"
)

// View is one generation of what an App serves: the framework, the rule
// set, every record, the facts the rules derive for them and the analysis
// answers, all as of the same write or reload. It never changes: a write,
// a reload or another instance's change publishes a new View, and a reader
// holding this one goes on seeing this one. A request takes one View and
// answers everything from it, so that no response mixes two generations
// and a record it returns is always one the answers know.
//
// Reads from a View never touch the store. Records and facts it returns
// are shared by every reader and must not be modified.
type View struct{ s *state }

// View returns the generation being served.
func (a *App) View() View { return View{a.current()} }

// Scale returns the proficiency scale of the rule set.
func (v View) Scale() domain.Scale { return v.s.rules.Scale() }

// RuleSet returns the rule set the facts were derived with.
func (v View) RuleSet() *engine.RuleSet { return v.s.rules }

// Index returns the analysis index: the answers over records and facts.
func (v View) Index() *analysis.Index { return v.s.index }

// Framework returns the competency framework the rules were checked
// against.
func (v View) Framework() *domain.Framework { return v.s.rules.Framework() }

// Competency returns the competency with code (ENOTFOUND).
func (v View) Competency(code string) (*domain.Competency, error) {
	if c := v.Framework().Competency(code); c != nil {
		return c, nil
	}
	return nil, domain.NotFound("competency", code)
}

// SubCompetency returns the sub-competency with code and the competency it
// belongs to (ENOTFOUND).
func (v View) SubCompetency(code string) (*domain.SubCompetency, *domain.Competency, error) {
	f := v.Framework()
	if s := f.SubCompetency(code); s != nil {
		return s, f.Competency(domain.CompetencyOf(code)), nil
	}
	return nil, nil, domain.NotFound("sub-competency", code)
}

// Course returns the course with code (ENOTFOUND).
func (v View) Course(code string) (*domain.Course, error) {
	if c, ok := v.s.index.Course(code); ok {
		return c, nil
	}
	return nil, domain.NotFound("course", code)
}

// Courses returns one page of the courses f selects, ordered by code
// (EINVALID on "first" when p.First is negative).
func (v View) Courses(f domain.CourseFilter, p domain.Page) (domain.List[*domain.Course], error) {
	return v.s.index.Courses(f, p)
}

// CountCourses returns how many courses f selects.
func (v View) CountCourses(f domain.CourseFilter) int { return v.s.index.CountCourses(f) }

// Position returns the position with id (ENOTFOUND).
func (v View) Position(id string) (*domain.Position, error) {
	if p, ok := v.s.index.Position(id); ok {
		return p, nil
	}
	return nil, domain.NotFound("position", id)
}

// Positions returns one page of the positions f selects, ordered by id.
func (v View) Positions(f domain.PositionFilter, p domain.Page) (domain.List[*domain.Position], error) {
	return v.s.index.Positions(f, p)
}

// CountPositions returns how many positions f selects.
func (v View) CountPositions(f domain.PositionFilter) int { return v.s.index.CountPositions(f) }

// Person returns the person with id (ENOTFOUND).
func (v View) Person(id string) (*domain.Person, error) {
	if p, ok := v.s.index.Person(id); ok {
		return p, nil
	}
	return nil, domain.NotFound("person", id)
}

// People returns one page of the people f selects, ordered by id.
func (v View) People(f domain.PersonFilter, p domain.Page) (domain.List[*domain.Person], error) {
	return v.s.index.People(f, p)
}

// CountPeople returns how many people f selects.
func (v View) CountPeople(f domain.PersonFilter) int { return v.s.index.CountPeople(f) }

// Holders returns the people holding the position with id, by id.
func (v View) Holders(id string) []*domain.Person {
	list, _ := v.s.index.People(domain.PersonFilter{PositionID: id}, domain.Page{})
	return list.Items
}

// RulesStatus returns the rule set, the last rejected one and the rules'
// run-time failures.
func (v View) RulesStatus() RulesStatus {
	errs := slices.SortedFunc(maps.Values(v.s.ruleErrors), func(x, y RuleError) int {
		return cmp.Or(cmp.Compare(x.Kind, y.Kind), cmp.Compare(x.Subject, y.Subject))
	})
	return RulesStatus{Rules: v.s.rules, Rejected: v.s.rejected, RuntimeErrors: errs}
}

// Coverage returns the coverage facts of the course with code, in
// framework order; nil when no such course is known.
func (v View) Coverage(code string) []domain.Coverage { return v.s.coverage[code] }

// Requirements returns the requirement facts of the position with id, in
// framework order; nil when no such position is known. The list is the
// caller's (its facts' rules are shared).
func (v View) Requirements(id string) []domain.Requirement {
	reqs, _ := v.s.requirements.get(id)
	return reqs
}

// SharedRequirements returns the facts Requirements returns, as the View
// keeps them: shared by every position the rules give the same facts, and
// with Position empty. It allocates nothing, for readers that go over the
// facts of many positions and need not be told whose they are.
func (v View) SharedRequirements(id string) []domain.Requirement {
	reqs, _ := v.s.requirements.shared(id)
	return reqs
}

// CoveredBy returns the coverage facts on the sub-competency with code at
// minLevel or above ("" for any level) of the courses with status
// (engine.CourseActive when empty, engine.CourseRetired or
// analysis.AnyStatus), sorted by course code. It fails with EINVALID
// naming "minLevel" or "status" when they are not known.
func (v View) CoveredBy(code, minLevel, status string) ([]domain.Coverage, error) {
	m, err := v.s.index.Matrix(analysis.MatrixFilter{Competencies: []string{code}, Status: status, MinLevel: minLevel})
	if err != nil {
		return nil, err
	}
	var out []domain.Coverage
	for _, row := range m.Rows {
		for _, cell := range row.Cells {
			out = append(out, domain.Coverage{Course: cell.Course, SubCompetency: row.SubCompetency, Level: cell.Level, Rules: cell.Rules})
		}
	}
	return out, nil
}

// RequiredBy returns the requirement facts on the sub-competency with code
// at minLevel or above ("" for any level), sorted by position id. It fails
// with EINVALID naming "minLevel" when the level is not on the scale.
func (v View) RequiredBy(code, minLevel string) ([]domain.Requirement, error) {
	scale := v.Scale()
	minRank := 0
	if minLevel != "" {
		r, ok := scale.Rank(minLevel)
		if !ok {
			return nil, domain.Invalid("minLevel", "level %q is not on the scale (%s)", minLevel, strings.Join(scale.Levels, ", "))
		}
		minRank = r
	}
	return v.s.requiredBy.get().facts(code, func(level string) bool {
		rank, _ := scale.Rank(level)
		return rank >= minRank
	}), nil
}

// The analysis answers of this generation, as the index gives them (see
// analysis.Index and analysis/doc.go for what each one means), so that a
// reader asks the generation it holds rather than reaching for its index.

// Readiness returns the readiness of the person with id (ENOTFOUND).
func (v View) Readiness(id string) (*analysis.Readiness, error) { return v.s.index.Readiness(id) }

// RecommendContext returns the courses that would close the gaps of the
// person with id (ENOTFOUND), stopping with ctx's error when ctx is done.
func (v View) RecommendContext(ctx context.Context, id string) (*analysis.Recommendation, error) {
	return v.s.index.RecommendContext(ctx, id)
}

// MatrixContext returns the coverage matrix f selects (EINVALID on a
// filter field), stopping with ctx's error when ctx is done.
func (v View) MatrixContext(ctx context.Context, f analysis.MatrixFilter) (*analysis.Matrix, error) {
	return v.s.index.MatrixContext(ctx, f)
}

// Gaps returns the gap report at minLevel with overServedAbove (EINVALID
// on "minLevel").
func (v View) Gaps(minLevel string, overServedAbove int) (*analysis.GapReport, error) {
	return v.s.index.Gaps(minLevel, overServedAbove)
}

// Demand returns the position demand of every sub-competency, in model
// order.
func (v View) Demand() []analysis.SubCompetencyDemand { return v.s.index.Demand() }

// Organizations returns the organizations of the positions, sorted.
func (v View) Organizations() []string { return v.s.index.Organizations() }

// OrganizationReadiness rolls up the readiness of org's people, top common
// gaps (0 or less for all); ENOTFOUND when no position belongs to org.
func (v View) OrganizationReadiness(org string, top int) (*analysis.OrganizationReadiness, error) {
	return v.s.index.OrganizationReadiness(org, top)
}

// OrganizationRecommendations returns the active courses that would close
// the most gaps of org's people, top of them (0 or less for all);
// ENOTFOUND when no position belongs to org.
func (v View) OrganizationRecommendations(org string, top int) ([]analysis.CourseGapClosure, error) {
	return v.s.index.OrganizationRecommendations(org, top)
}
