package graph

import (
	"cmap/domain"
	"context"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/hashicorp/golang-lru/v2/simplelru"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// costLimit caps the estimated cost of a query: about the number of values
// its answer holds plus the work of the answers it computes, one unit
// being about a microsecond of CPU. It admits the coverage page's full
// matrix at DoD scale (1,000 courses, about 10,000 coverage facts) or the
// recommendations of a hundred people, and refuses, say, the matrix under
// a few aliases or records nested through their lists a few levels deep.
const costLimit = 500_000

// costSchema is the executable schema with the cost of each field: 1 for
// the field, plus its weight when it computes something (costWeights), and
// the cost of its selection times the number of items when it is a list
// (listSizes). Connections multiply by the page size asked for (see
// newConfig). gqlgen's complexity limit adds these up before anything
// runs; extensions.cost reports the result on every answer.
type costSchema struct {
	graphql.ExecutableSchema
	stats *statsCache
}

// Complexity returns the cost of one field: gqlgen's complexity.Calculate
// asks it for every field of the operation.
func (s costSchema) Complexity(ctx context.Context, typeName, field string, childComplexity int, args map[string]any) (int, bool) {
	key := typeName + "." + field
	cost, custom := s.ExecutableSchema.Complexity(ctx, typeName, field, childComplexity, args)
	if size, ok := listSizes[key]; ok {
		st := s.stats.of(ctx)
		n := max(size(st, args), 1)
		cost, custom = saturatingAdd(1, saturatingMul(n, saturatingAdd(max(childComplexity, 1), itemWeights[key]))), true
	}
	if w, ok := costWeights[key]; ok {
		if !custom {
			cost = saturatingAdd(1, childComplexity)
		}
		cost, custom = saturatingAdd(cost, w), true
	}
	return cost, custom
}

// costStats are the sizes the estimates of listSizes use, measured on one
// generation of the read model.
type costStats struct {
	levels, competencies, subs, maxSubs int
	courses, positions, people, orgs    int
	rules, maxYields, maxExcludeCodes   int
	// cellsPerRow is the average number of courses covering one
	// sub-competency, rounded up: a matrix has subs rows of about
	// cellsPerRow cells, as many as there are coverage facts.
	cellsPerRow int
	// The largest number of items of one record's list.
	maxCoverage, maxRequirements, maxCoveredBy, maxRequiredBy int
	maxRulesPerFact, maxHolders, maxCompletions               int
	// maxCompleters is the largest number of people who completed one
	// course: those whose readiness a change of it can change.
	maxCompleters                              int
	maxPrerequisites, maxObjectives, maxTopics int
	ruleErrors, rejectedErrors                 int
	// ruleFiles counts the files of the rule set; facts the coverage
	// and requirement facts of every record.
	ruleFiles, facts int
}

// listSizes estimates the number of items of each list field of the schema
// (TestEveryListHasACost keeps it complete). Lists of records use the
// largest such list in the serving data, so that nesting (a course's
// coverage's course's coverage ...) costs what its worst case costs;
// lists an argument bounds use the argument.
var listSizes = map[string]func(s *costStats, args map[string]any) int{
	"Query.competencies":          func(s *costStats, _ map[string]any) int { return s.competencies },
	"Framework.competencies":      func(s *costStats, _ map[string]any) int { return s.competencies },
	"Competency.subCompetencies":  func(s *costStats, _ map[string]any) int { return s.maxSubs },
	"Query.demand":                func(s *costStats, _ map[string]any) int { return s.subs },
	"Query.organizations":         func(s *costStats, _ map[string]any) int { return s.orgs },
	"ProficiencyScale.levels":     func(s *costStats, _ map[string]any) int { return s.levels },
	"CoverageMatrix.levels":       func(s *costStats, _ map[string]any) int { return s.levels },
	"CoverageMatrix.courses":      func(s *costStats, _ map[string]any) int { return s.courses },
	"CoverageMatrix.rows":         func(s *costStats, _ map[string]any) int { return s.subs },
	"CoverageRow.cells":           func(s *costStats, _ map[string]any) int { return s.cellsPerRow },
	"CoverageRow.countByLevel":    func(s *costStats, _ map[string]any) int { return s.levels },
	"SubCompetencyDemand.levels":  func(s *costStats, _ map[string]any) int { return s.levels },
	"CoverageChange.gapsOpened":   func(s *costStats, _ map[string]any) int { return s.levels },
	"CoverageChange.gapsClosed":   func(s *costStats, _ map[string]any) int { return s.levels },
	"GapReport.uncovered":         func(s *costStats, _ map[string]any) int { return s.subs },
	"GapReport.overServed":        func(s *costStats, _ map[string]any) int { return s.subs },
	"GapReport.coveringNothing":   func(s *costStats, _ map[string]any) int { return s.courses },
	"Course.coverage":             func(s *costStats, _ map[string]any) int { return s.maxCoverage },
	"Course.objectives":           func(s *costStats, _ map[string]any) int { return s.maxObjectives },
	"Course.topics":               func(s *costStats, _ map[string]any) int { return s.maxTopics },
	"Course.prerequisites":        func(s *costStats, _ map[string]any) int { return s.maxPrerequisites },
	"Course.prerequisiteCodes":    func(s *costStats, _ map[string]any) int { return s.maxPrerequisites },
	"Coverage.rules":              func(s *costStats, _ map[string]any) int { return s.maxRulesPerFact },
	"Requirement.rules":           func(s *costStats, _ map[string]any) int { return s.maxRulesPerFact },
	"Position.requirements":       func(s *costStats, _ map[string]any) int { return s.maxRequirements },
	"Position.people":             func(s *costStats, _ map[string]any) int { return s.maxHolders },
	"Person.completions":          func(s *costStats, _ map[string]any) int { return s.maxCompletions },
	"SubCompetency.coveredBy":     func(s *costStats, _ map[string]any) int { return s.maxCoveredBy },
	"SubCompetency.requiredBy":    func(s *costStats, _ map[string]any) int { return s.maxRequiredBy },
	"Readiness.gaps":              func(s *costStats, _ map[string]any) int { return s.maxRequirements },
	"Readiness.attained":          func(s *costStats, _ map[string]any) int { return s.subs },
	"Attainment.courses":          func(s *costStats, _ map[string]any) int { return s.maxCompletions },
	"Recommendation.unclosable":   func(s *costStats, _ map[string]any) int { return s.maxRequirements },
	"ReadinessChange.gapsAdded":   func(s *costStats, _ map[string]any) int { return s.maxRequirements },
	"ReadinessChange.gapsRemoved": func(s *costStats, _ map[string]any) int { return s.maxRequirements },
	// A minimal set has about a course per gap (prerequisites among
	// them); between them they close the gaps, a course a few of them,
	// and a course is the prerequisite of as many as a course has.
	"Recommendation.courses":                   func(s *costStats, _ map[string]any) int { return s.maxRequirements },
	"RecommendedCourse.closes":                 func(*costStats, map[string]any) int { return 2 },
	"RecommendedCourse.prerequisiteOf":         func(s *costStats, _ map[string]any) int { return s.maxPrerequisites },
	"OrganizationReadiness.commonGaps":         func(s *costStats, args map[string]any) int { return topOr(args, s.subs*s.levels) },
	"OrganizationReadiness.recommendedCourses": func(s *costStats, args map[string]any) int { return topOr(args, s.courses) },
	"CourseImpact.subCompetencies":             func(s *costStats, _ map[string]any) int { return s.subs },
	"CourseImpact.people":                      func(s *costStats, _ map[string]any) int { return s.maxCompleters },
	"CourseImpact.positions":                   func(s *costStats, _ map[string]any) int { return s.positions },
	"CourseImpact.dependentCourses":            func(s *costStats, _ map[string]any) int { return s.courses },
	"CourseImpact.coverage":                    func(s *costStats, _ map[string]any) int { return s.subs },
	"CourseImpact.recommendations":             func(s *costStats, args map[string]any) int { return listOr(args, "people", s.people) },
	"ReadinessChange.attainment":               func(s *costStats, _ map[string]any) int { return s.subs },
	"PositionDemandChange.nowMeetable":         func(s *costStats, _ map[string]any) int { return s.maxRequirements },
	"PositionDemandChange.nowUnmeetable":       func(s *costStats, _ map[string]any) int { return s.maxRequirements },
	"CoursePreview.coverage":                   func(s *costStats, _ map[string]any) int { return s.subs },
	"CoursePreview.changes":                    func(s *costStats, _ map[string]any) int { return s.subs },
	"PositionPreview.requirements":             func(s *costStats, _ map[string]any) int { return s.subs },
	"PositionPreview.changes":                  func(s *costStats, _ map[string]any) int { return s.subs },
	"RuleSet.rules":                            func(s *costStats, _ map[string]any) int { return s.rules },
	"RuleSet.runtimeErrors":                    func(s *costStats, _ map[string]any) int { return s.ruleErrors },
	"RejectedRuleSet.errors":                   func(s *costStats, _ map[string]any) int { return s.rejectedErrors },
	"Rule.yields":                              func(s *costStats, _ map[string]any) int { return s.maxYields },
	"Rule.excludeCodes":                        func(s *costStats, _ map[string]any) int { return s.maxExcludeCodes },
	"Explanation.yields":                       func(s *costStats, _ map[string]any) int { return s.maxYields },
	"Explanation.excludeCodes":                 func(s *costStats, _ map[string]any) int { return s.maxExcludeCodes },
	"Explanation.excludedBy":                   func(s *costStats, _ map[string]any) int { return s.rules },
	// A condition's operators take two operands; calls take few
	// arguments.
	"ExplainNode.children": func(*costStats, map[string]any) int { return 2 },
	// A rule plan can change every fact, of every person and position.
	"RuleSet.files":             func(s *costStats, _ map[string]any) int { return s.ruleFiles },
	"RuleSetPlan.errors":        func(s *costStats, _ map[string]any) int { return max(s.rules, s.ruleFiles) },
	"RuleSetPlan.rules":         func(s *costStats, _ map[string]any) int { return s.rules },
	"RuleSetPlan.facts":         func(s *costStats, args map[string]any) int { return firstOr(args, s.facts) },
	"RuleSetPlan.unattributed":  func(s *costStats, args map[string]any) int { return firstOr(args, s.facts) },
	"RuleSetPlan.gaps":          func(s *costStats, _ map[string]any) int { return s.levels },
	"RuleSetPlan.demand":        func(s *costStats, _ map[string]any) int { return s.subs * s.levels },
	"RuleSetPlan.positions":     func(s *costStats, args map[string]any) int { return firstOr(args, s.positions) },
	"RuleSetPlan.organizations": func(s *costStats, _ map[string]any) int { return s.orgs },
	// Between them the rules explain each fact change once or twice:
	// a rule's list counts its share of the facts, twice over.
	"PlanRuleChange.facts": func(s *costStats, args map[string]any) int {
		return firstOr(args, max(1, 2*s.facts/max(1, s.rules)))
	},
	"PlanFactChange.beforeRules": func(s *costStats, _ map[string]any) int { return s.maxRulesPerFact },
	"PlanFactChange.afterRules":  func(s *costStats, _ map[string]any) int { return s.maxRulesPerFact },
	"PlanLevelGaps.opened":       func(s *costStats, _ map[string]any) int { return s.subs },
	"PlanLevelGaps.closed":       func(s *costStats, _ map[string]any) int { return s.subs },
	"PlanPositionChange.changes": func(s *costStats, _ map[string]any) int { return s.subs },
	"PlanPeople.changes":         func(s *costStats, args map[string]any) int { return firstOr(args, s.people) },
	"PlanPersonChange.gaps":      func(s *costStats, _ map[string]any) int { return s.maxRequirements },
	// A connection's edges are counted by the connection field, which
	// multiplies its whole selection by the page size (pageCost).
	"CourseConnection.edges":   func(*costStats, map[string]any) int { return 1 },
	"PositionConnection.edges": func(*costStats, map[string]any) int { return 1 },
	"PersonConnection.edges":   func(*costStats, map[string]any) int { return 1 },
}

// costWeights are the fields that compute their answer, with about the
// microseconds they take at DoD scale (README, Performance): one unit of
// cost is about what resolving and writing one value takes.
var costWeights = map[string]int{
	// A rule plan derives every fact, indexes them and compares: a few
	// ms on the sample, about 550 ms of CPU at DoD scale
	// (BenchmarkPlanDoDScale in ruleplan), which the weight does not
	// reach so that the plan stays possible there; it admits four plans
	// in a query.
	"Query.ruleSetPlan":                        100_000,
	"Query.coverageMatrix":                     4000,
	"Person.recommendations":                   2700,
	"Query.organizationReadiness":              250,
	"OrganizationReadiness.recommendedCourses": 250,
	"Query.courseImpact":                       200,
	"Query.newCourseImpact":                    200,
	"SubCompetency.coveredBy":                  250,
	"Query.previewCourse":                      100,
	"Query.previewPosition":                    100,
	"Query.explain":                            50,
	"Query.gaps":                               60,
	"Query.demand":                             20,
	"Person.readiness":                         10,
}

// firstOr is topOr for an argument named first.
func firstOr(args map[string]any, n int) int {
	return topOr(map[string]any{"top": args["first"]}, n)
}

// itemWeights are the list fields that compute something for each item,
// with about the microseconds one item takes at DoD scale: their cost is
// the number of items times their selection and weight.
var itemWeights = map[string]int{
	"CourseImpact.recommendations": 2 * costWeights["Person.recommendations"], // before and after
}

// listOr returns the length of the list argument name when given, n
// otherwise. Arguments come as the query wrote them: a list literal or a
// variable's JSON array.
func listOr(args map[string]any, name string, n int) int {
	switch v := args[name].(type) {
	case []any:
		return len(v)
	case []string:
		return len(v)
	}
	return n
}

// topOr returns the argument top when given and not negative (at most n),
// n otherwise. Arguments come as the query wrote them: an int64 literal
// or a json.Number variable.
func topOr(args map[string]any, n int) int {
	var top int64 = -1
	switch v := args["top"].(type) {
	case int64:
		top = v
	case json.Number:
		top, _ = v.Int64()
	}
	if top >= 0 {
		return int(min(top, int64(n)))
	}
	return n
}

// codeCostLimit is extensions.code of a request refused for its cost, as
// gqlgen's complexity limit has it.
const codeCostLimit = "COMPLEXITY_LIMIT_EXCEEDED"

// costCacheSize is how many costs of operations costCache keeps.
const costCacheSize = 1000

// costCache is gqlgen's complexity limit (extension.ComplexityLimit, with
// its name, statistics and error) with the costs it computed kept: an
// operation's cost is a function of its document, its operation name, its
// variables and the generation of the read model (whose sizes listSizes
// reads), so the same request to the same generation is not costed again.
// Of the variables, only those given to the arguments of the fields
// whose cost reads them count (a page's first, not a person's id: see
// costVariables): one person's readiness is costed once, not once per
// person, which took a tenth of the CPU time of its request.
// Costing walks every field of the operation: at DoD scale, about 40% of
// the CPU time of a coverage page's request answered from answerCache. The
// costs kept belong to one generation: the first request that arrives with
// a newer one drops them all; a request answering from an older one is
// costed afresh and kept not.
type costCache struct {
	*extension.ComplexityLimit
	app Service

	mu      sync.Mutex
	view    Snapshot
	entries *simplelru.LRU[costKey, extension.ComplexityStats]
	// argumentCosts are the fields whose cost reads their arguments.
	argumentCosts map[string]bool
	// variables are the variables each operation's cost depends on,
	// found the first time it is costed.
	variables *simplelru.LRU[operationKey, []string]
}

// costKey names an operation's cost within a generation: its document,
// its operation and the values of the variables its cost depends on.
type costKey struct{ query, operation, variables string }

// operationKey names an operation of a document.
type operationKey struct{ query, operation string }

// argumentCosts returns the fields whose cost reads their arguments, by
// "type.field" in lower case: those with a complexity function in
// complexity (reflected: gqlgen names them after the type and field) and
// those of listSizes.
func argumentCosts(complexity ComplexityRoot) map[string]bool {
	out := map[string]bool{}
	for key := range listSizes {
		out[strings.ToLower(key)] = true
	}
	types := reflect.ValueOf(complexity)
	for i := range types.NumField() {
		fields := types.Field(i)
		if fields.Kind() != reflect.Struct {
			continue
		}
		for j := range fields.NumField() {
			if f := fields.Field(j); f.Kind() == reflect.Func && !f.IsNil() {
				out[strings.ToLower(types.Type().Field(i).Name+"."+fields.Type().Field(j).Name)] = true
			}
		}
	}
	return out
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = (*costCache)(nil)

// newCostCache returns the complexity limit of limit, its costs kept.
func newCostCache(a Service, limit int) *costCache {
	c := &costCache{ComplexityLimit: extension.FixedComplexityLimit(limit), app: a}
	c.entries, _ = simplelru.NewLRU[costKey, extension.ComplexityStats](costCacheSize, nil)
	c.variables, _ = simplelru.NewLRU[operationKey, []string](costCacheSize, nil)
	c.argumentCosts = argumentCosts(newConfig(a).Complexity)
	return c
}

// MutateOperationContext costs the operation, or takes its kept cost, and
// refuses it over the limit as extension.ComplexityLimit does.
func (c *costCache) MutateOperationContext(ctx context.Context, opCtx *graphql.OperationContext) *gqlerror.Error {
	op, v := operationKey{opCtx.RawQuery, opCtx.OperationName}, viewOf(ctx)
	c.mu.Lock()
	names, known := c.variables.Get(op)
	c.mu.Unlock()
	if known {
		key, err := costKeyOf(op, opCtx.Variables, names)
		if err != nil {
			return c.ComplexityLimit.MutateOperationContext(ctx, opCtx)
		}
		if st, ok := c.lookup(v, key); ok {
			opCtx.Stats.SetExtension(c.ExtensionName(), &st)
			if st.Complexity > st.ComplexityLimit {
				return limitError(nil, codeCostLimit, "operation has complexity %d, which exceeds the limit of %d", st.Complexity, st.ComplexityLimit)
			}
			return nil
		}
	}
	refused := c.ComplexityLimit.MutateOperationContext(ctx, opCtx)
	st, ok := opCtx.Stats.GetExtension(c.ExtensionName()).(*extension.ComplexityStats)
	if !ok {
		return refused
	}
	if !known {
		names = costVariables(opCtx, c.argumentCosts)
		c.mu.Lock()
		c.variables.Add(op, names)
		c.mu.Unlock()
	}
	if key, err := costKeyOf(op, opCtx.Variables, names); err == nil {
		c.keep(v, key, *st)
	}
	return refused
}

// costKeyOf returns the key of the cost of operation op with vars, whose
// cost depends on the variables names.
func costKeyOf(op operationKey, vars map[string]any, names []string) (costKey, error) {
	key := costKey{query: op.query, operation: op.operation}
	if len(names) == 0 {
		return key, nil
	}
	picked := make(map[string]any, len(names))
	for _, n := range names {
		if val, ok := vars[n]; ok {
			picked[n] = val
		}
	}
	data, err := json.Marshal(picked)
	key.variables = string(data)
	return key, err
}

// costVariables returns the variables the cost of opCtx's operation
// depends on, sorted: those given to an argument of a field whose cost
// reads its arguments (argumentCosts), or of a field of an interface or
// union (costed as each of its implementations).
func costVariables(opCtx *graphql.OperationContext, argumentCosts map[string]bool) []string {
	names := map[string]bool{}
	visited := map[string]bool{}
	var walk func(sel ast.SelectionSet)
	walk = func(sel ast.SelectionSet) {
		for _, s := range sel {
			switch s := s.(type) {
			case *ast.Field:
				if s.ObjectDefinition == nil || s.ObjectDefinition.Kind != ast.Object || argumentCosts[strings.ToLower(s.ObjectDefinition.Name+"."+s.Name)] {
					for _, a := range s.Arguments {
						variablesOf(a.Value, names)
					}
				}
				walk(s.SelectionSet)
			case *ast.InlineFragment:
				walk(s.SelectionSet)
			case *ast.FragmentSpread:
				if !visited[s.Name] {
					visited[s.Name] = true
					if f := opCtx.Doc.Fragments.ForName(s.Name); f != nil {
						walk(f.SelectionSet)
					}
				}
			}
		}
	}
	walk(opCtx.Operation.SelectionSet)
	out := make([]string, 0, len(names))
	for n := range names {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// variablesOf adds the variables v refers to, in lists and objects too.
func variablesOf(v *ast.Value, names map[string]bool) {
	if v == nil {
		return
	}
	if v.Kind == ast.Variable {
		names[v.Raw] = true
	}
	for _, c := range v.Children {
		variablesOf(c.Value, names)
	}
}

// lookup returns the cost kept for key in generation v.
func (c *costCache) lookup(v Snapshot, key costKey) (extension.ComplexityStats, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.view != v {
		return extension.ComplexityStats{}, false
	}
	return c.entries.Get(key)
}

// keep keeps the cost of key in generation v, when v is the generation
// being served.
func (c *costCache) keep(v Snapshot, key costKey, st extension.ComplexityStats) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.view != v {
		if v != c.app.View() {
			return
		}
		c.view = v
		c.entries.Purge()
	}
	c.entries.Add(key, st)
}

// statsCache keeps the costStats of the generation last asked about: they
// are measured once per generation, on the first query that needs them.
type statsCache struct {
	mu    sync.Mutex
	view  Snapshot
	stats *costStats
}

// of returns the stats of the request's generation.
func (c *statsCache) of(ctx context.Context) *costStats {
	v := viewOf(ctx)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stats == nil || c.view != v {
		c.view, c.stats = v, measure(v)
	}
	return c.stats
}

// measure measures the sizes of v's lists.
func measure(v Snapshot) *costStats {
	s := &costStats{levels: len(v.Scale().Levels)}
	f := v.Framework()
	s.competencies = len(f.Competencies)
	for _, c := range f.Competencies {
		s.subs += len(c.SubCompetencies)
		s.maxSubs = max(s.maxSubs, len(c.SubCompetencies))
	}
	rules := v.RuleSet().Rules()
	s.rules = len(rules)
	s.ruleFiles = len(v.RuleSet().Files())
	for _, r := range rules {
		s.maxYields = max(s.maxYields, len(r.Yields))
		s.maxExcludeCodes = max(s.maxExcludeCodes, len(r.ExcludeCodes))
	}
	status := v.RulesStatus()
	s.ruleErrors = len(status.RuntimeErrors)
	if status.Rejected != nil {
		s.rejectedErrors = len(status.Rejected.Errors)
	}

	courses, _ := v.Courses(domain.CourseFilter{}, domain.Page{})
	s.courses = len(courses.Items)
	facts := 0
	coveredBy := map[string]int{}
	for _, c := range courses.Items {
		s.maxPrerequisites = max(s.maxPrerequisites, len(c.Prerequisites))
		s.maxObjectives = max(s.maxObjectives, len(c.Objectives))
		s.maxTopics = max(s.maxTopics, len(c.Topics))
		cov := v.Coverage(c.Code)
		s.maxCoverage = max(s.maxCoverage, len(cov))
		facts += len(cov)
		for _, fact := range cov {
			coveredBy[fact.SubCompetency]++
			s.maxRulesPerFact = max(s.maxRulesPerFact, len(fact.Rules))
		}
	}
	for _, n := range coveredBy {
		s.maxCoveredBy = max(s.maxCoveredBy, n)
	}
	if s.subs > 0 {
		s.cellsPerRow = (facts + s.subs - 1) / s.subs
	}
	s.facts = facts

	positions, _ := v.Positions(domain.PositionFilter{}, domain.Page{})
	s.positions = len(positions.Items)
	requiredBy := map[string]int{}
	orgs := map[string]bool{}
	for _, p := range positions.Items {
		orgs[p.Organization] = true
		reqs := v.Requirements(p.ID)
		s.maxRequirements = max(s.maxRequirements, len(reqs))
		s.facts += len(reqs)
		for _, r := range reqs {
			requiredBy[r.SubCompetency]++
			s.maxRulesPerFact = max(s.maxRulesPerFact, len(r.Rules))
		}
	}
	s.orgs = len(orgs)
	for _, n := range requiredBy {
		s.maxRequiredBy = max(s.maxRequiredBy, n)
	}

	people, _ := v.People(domain.PersonFilter{}, domain.Page{})
	s.people = len(people.Items)
	holders, completers := map[string]int{}, map[string]int{}
	for _, p := range people.Items {
		s.maxCompletions = max(s.maxCompletions, len(p.Completions))
		if p.PositionID != "" {
			holders[p.PositionID]++
		}
		for _, c := range p.Completions {
			completers[c.CourseCode]++
		}
	}
	for _, n := range holders {
		s.maxHolders = max(s.maxHolders, n)
	}
	for _, n := range completers {
		s.maxCompleters = max(s.maxCompleters, n)
	}
	return s
}
