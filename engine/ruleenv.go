package engine

import (
	"cmap/domain"
	"fmt"
	"strconv"
	"strings"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
)

// The environment that rule conditions see. It is a typed struct, never a
// map: a misspelled field is a compile error, not a silent nil. Rule
// authors read it with lower-camel names (course.deliveryMode).
//
// Course rules see `course`:
//
//	course.code, .title, .description, .objectives ([]string), .topics
//	([]string), .hours (float), .deliveryMode, .provider, .status,
//	.prerequisites ([]string), and .level: the course's catalogue tier
//	as a level of the scale (the first digit of the number in its code:
//	SCO-101 is tier 1, the scale's first level; SCO-301 is tier 3). A
//	code with no such digit, or a tier above the scale, has no level.
//
// Position rules see `position`:
//
//	position.id, .title, .organization, .grade, .category, .keyBillet
//	(bool), .region.
//
// Helpers (their arguments must be string literals, so that the rule set
// knows every phrase and topic, and every grade, when it compiles):
//
//	mentions("p1", "p2", ...)   a course rule: the title, description or an
//	                            objective contains one of the phrases (whole
//	                            words, any case; see termTable)
//	hasTopic("t1", "t2", ...)   a course rule: one of the course's topics is
//	                            one of these (any case)
//	gradeAtLeast("GS-13", "O-5") a position rule: the grade is in the pay plan
//	                            of one of these and not below it
//
// A course rule may yield at the course's tier: covers: {4.C: tier}.
//
// Levels compare by their rank on the scale: course.level >= "Intermediate"
// (and ==, !=, <, <=, >) takes the string as a level name, checked at load
// time. course.level may only be compared so; grades only with gradeAtLeast
// (a string comparison would put GS-9 above GS-13).
//
// Nothing in the environment reaches the clock, the process environment or
// any record other than the one evaluated: now(), date() and timezone() are
// disabled.

// level is a rank on the rule set's scale: 0 is "no level", 1 the lowest.
type level int

// courseEnv is the environment of course rules.
type courseEnv struct {
	Course courseView `expr:"course"`
	// Terms holds the phrases and topics the course matches. Its name has
	// a space, so no rule can spell it: only the patched helpers read it.
	Terms termSet `expr:"matched terms"`
}

// termsIdent is the name under which courseEnv.Terms is visible.
const termsIdent = "matched terms"

type courseView struct {
	Code          string   `expr:"code"`
	Title         string   `expr:"title"`
	Description   string   `expr:"description"`
	Objectives    []string `expr:"objectives"`
	Topics        []string `expr:"topics"`
	Hours         float64  `expr:"hours"`
	DeliveryMode  string   `expr:"deliveryMode"`
	Provider      string   `expr:"provider"`
	Status        string   `expr:"status"`
	Prerequisites []string `expr:"prerequisites"`
	Level         level    `expr:"level"`
}

// positionEnv is the environment of position rules.
type positionEnv struct {
	Position positionView `expr:"position"`
}

type positionView struct {
	ID           string `expr:"id"`
	Title        string `expr:"title"`
	Organization string `expr:"organization"`
	Grade        string `expr:"grade"`
	Category     string `expr:"category"`
	KeyBillet    bool   `expr:"keyBillet"`
	Region       string `expr:"region"`
}

// courseFields are the fields of courseView as rules name them.
var courseFields = []string{"code", "title", "description", "objectives", "topics", "hours", "deliveryMode", "provider", "status", "prerequisites", "level"}

// positionFields are the fields of positionView in the order of their
// bits in a fieldMask.
var positionFields = [...]string{"id", "title", "organization", "grade", "category", "keyBillet", "region"}

// fieldMask is the set of position fields a rule reads, a bit per entry of
// positionFields.
type fieldMask uint8

const allFields fieldMask = 1<<len(positionFields) - 1

// key appends to b the values of the fields of v in mask, separated by NUL.
func (m fieldMask) key(b []byte, v *positionView) []byte {
	for i := range positionFields {
		if m&(1<<i) == 0 {
			continue
		}
		switch i {
		case 0:
			b = append(b, v.ID...)
		case 1:
			b = append(b, v.Title...)
		case 2:
			b = append(b, v.Organization...)
		case 3:
			b = append(b, v.Grade...)
		case 4:
			b = append(b, v.Category...)
		case 5:
			b = strconv.AppendBool(b, v.KeyBillet)
		case 6:
			b = append(b, v.Region...)
		}
		b = append(b, 0)
	}
	return b
}

func (rs *RuleSet) newCourseEnv(c *domain.Course) courseEnv {
	terms := rs.terms.newSet()
	rs.terms.match(terms, c, new(textScratch))
	return courseEnv{Course: rs.newCourseView(c), Terms: terms}
}

func (rs *RuleSet) newCourseView(c *domain.Course) courseView {
	return courseView{
		Code: c.Code, Title: c.Title, Description: c.Description,
		Objectives: c.Objectives, Topics: c.Topics, Hours: c.Hours,
		DeliveryMode: c.DeliveryMode, Provider: c.Provider, Status: c.Status,
		Prerequisites: c.Prerequisites, Level: courseTier(c.Code, rs.scale),
	}
}

func newPositionView(p *domain.Position) positionView {
	return positionView{
		ID: p.ID, Title: p.Title, Organization: p.Organization, Grade: p.Grade,
		Category: p.Category, KeyBillet: p.KeyBillet, Region: p.Region,
	}
}

// courseTier returns the level of a course's catalogue tier: the first
// digit of the number after the dash in its code ("SCO-201" -> rank 2), or
// 0 when there is none or the scale has fewer levels.
func courseTier(code string, s domain.Scale) level {
	_, num, ok := strings.Cut(code, "-")
	if !ok || num == "" || num[0] < '1' || num[0] > '9' {
		return 0
	}
	r := int(num[0] - '0')
	if r > len(s.Levels) {
		return 0
	}
	return level(r)
}

// Names of the functions behind the operators on levels. They have
// spaces, so no rule can call them by name.
var levelOperators = []struct {
	op   string
	test func(a, b int) bool
}{
	{"==", func(a, b int) bool { return a == b }},
	{"!=", func(a, b int) bool { return a != b }},
	{"<", func(a, b int) bool { return a < b }},
	{"<=", func(a, b int) bool { return a <= b }},
	{">", func(a, b int) bool { return a > b }},
	{">=", func(a, b int) bool { return a >= b }},
}

// helperNames are the functions rule authors call, by kind of rule.
var helperNames = map[string]RuleKind{
	"mentions":     KindCourse,
	"hasTopic":     KindCourse,
	"gradeAtLeast": KindPosition,
}

// exprOptions returns the compile options shared by every condition of a
// kind: the typed environment, the helpers, level operators, the term
// patcher, and the limits. The result type is not fixed here (conditions
// add AsBool; explanations evaluate sub-expressions of any type).
func (rs *RuleSet) exprOptions(kind RuleKind) []expr.Option {
	opts := []expr.Option{
		expr.MaxNodes(maxConditionNodes),
		expr.DisableBuiltin("now"),
		expr.DisableBuiltin("date"),
		expr.DisableBuiltin("timezone"),
		expr.Patch(&helperPatcher{terms: rs.terms}),
	}
	if kind == KindCourse {
		opts = append(opts, expr.Env(courseEnv{}))
		termsHelper := func(params ...any) (any, error) {
			set := params[0].(termSet)
			for _, id := range params[1:] {
				if set.has(id.(int)) {
					return true, nil
				}
			}
			return false, nil
		}
		opts = append(opts,
			expr.Function("mentions", termsHelper, new(func(termSet, ...int) bool)),
			expr.Function("hasTopic", termsHelper, new(func(termSet, ...int) bool)))
		scale := rs.scale
		for _, lo := range levelOperators {
			test := lo.test
			ls, sl := "level "+lo.op+" name", "name "+lo.op+" level"
			opts = append(opts,
				expr.Function(ls, func(params ...any) (any, error) {
					r, err := rankOf(scale, params[1].(string))
					return test(int(params[0].(level)), r), err
				}, new(func(level, string) bool)),
				expr.Function(sl, func(params ...any) (any, error) {
					r, err := rankOf(scale, params[0].(string))
					return test(r, int(params[1].(level))), err
				}, new(func(string, level) bool)),
				expr.Operator(lo.op, ls, sl))
		}
	} else {
		opts = append(opts, expr.Env(positionEnv{}),
			expr.Function("gradeAtLeast", func(params ...any) (any, error) {
				g := params[0].(string)
				plan, rank := domain.GradePlan(g), domain.GradeRank(g)
				for _, p := range params[1:] {
					min := p.(string)
					if domain.GradePlan(min) == plan && rank >= domain.GradeRank(min) {
						return true, nil
					}
				}
				return false, nil
			}, new(func(string, ...string) bool)))
	}
	return opts
}

// maxConditionNodes bounds the size of one condition.
const maxConditionNodes = 2000

// memoryBudget bounds what one evaluation may allocate inside the VM
// (arrays, maps, ranges), in expr's units.
const memoryBudget = 100_000

func rankOf(s domain.Scale, name string) (int, error) {
	r, ok := s.Rank(name)
	if !ok {
		return 0, fmt.Errorf("unknown level %q (the scale has %s)", name, strings.Join(s.Levels, ", "))
	}
	return r, nil
}

// helperPatcher rewrites the helpers' calls before type checking:
// mentions("a", "b") becomes mentions(<matched terms>, idA, idB), so the
// call tests bits instead of scanning text, and gradeAtLeast("GS-13")
// becomes gradeAtLeast(position.grade, "GS-13"). Arguments that are not
// string literals are left alone: checkHelpers reports them first.
type helperPatcher struct{ terms *termTable }

// Visit rewrites node if it is a call of a helper; it implements ast.Visitor.
func (p *helperPatcher) Visit(node *ast.Node) {
	call, ok := (*node).(*ast.CallNode)
	if !ok {
		return
	}
	callee, ok := call.Callee.(*ast.IdentifierNode)
	if !ok {
		return
	}
	lits, ok := literalArgs(call)
	if !ok {
		return
	}
	switch callee.Value {
	case "mentions", "hasTopic":
		kind := phraseTerm
		if callee.Value == "hasTopic" {
			kind = topicTerm
		}
		args := []ast.Node{&ast.IdentifierNode{Value: termsIdent}}
		for i, s := range lits {
			id, ok := p.terms.ids[termKey{kind, normalizeTerm(s)}]
			if !ok {
				return
			}
			n := &ast.IntegerNode{Value: id}
			n.SetLocation(call.Arguments[i].Location())
			args = append(args, n)
		}
		call.Arguments = args
	case "gradeAtLeast":
		grade := &ast.MemberNode{Node: &ast.IdentifierNode{Value: "position"}, Property: &ast.StringNode{Value: "grade"}}
		grade.SetLocation(call.Location())
		call.Arguments = append([]ast.Node{grade}, call.Arguments...)
	}
}

// literalArgs returns the values of call's arguments when all are string
// literals (and there is at least one).
func literalArgs(call *ast.CallNode) ([]string, bool) {
	if len(call.Arguments) == 0 {
		return nil, false
	}
	out := make([]string, len(call.Arguments))
	for i, a := range call.Arguments {
		s, ok := a.(*ast.StringNode)
		if !ok {
			return nil, false
		}
		out[i] = s.Value
	}
	return out, true
}
