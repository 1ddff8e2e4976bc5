package engine

import (
	"cmap/domain"
	"fmt"
	"strings"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"

	"cmap/diag"
)

// Explanation says why a rule did or did not fire for one course or
// position: the value of every sub-condition, where it is written, and
// what the rule gives.
type Explanation struct {
	Rule        domain.RuleRef `json:"rule"`
	Kind        RuleKind       `json:"kind"`
	Description string         `json:"description,omitempty"`
	// Subject is the course code or position id.
	Subject string `json:"subject"`
	// Condition is the condition's tree of sub-conditions with their values.
	Condition *ExplainNode `json:"condition"`
	// Fired is the condition's value.
	Fired bool `json:"fired"`
	// Yields are the facts the rule gives when it fires (none for an
	// exclusion); Exclude and ExcludeCodes describe an exclusion.
	Yields       []Yield  `json:"yields"`
	Exclude      bool     `json:"exclude"`
	ExcludeCodes []string `json:"excludeCodes,omitempty"`
	// ExcludedBy are the exclusion rules that fired for the subject and
	// removed some or all of what this rule gives.
	ExcludedBy []domain.RuleRef `json:"excludedBy,omitempty"`
	// Tier is the course's catalogue tier as a level, which yields at
	// "tier" give ("" for positions and courses without a tier).
	Tier string `json:"tier,omitempty"`
	// Error is the run-time error of the condition, if it failed.
	Error string `json:"error,omitempty"`
}

// ExplainNode is one sub-condition: its source, where it is written, and
// its value for the subject.
type ExplainNode struct {
	Source string   `json:"source"`
	Pos    diag.Pos `json:"pos"`
	// Value is the sub-condition's value, formatted: true, false, 24,
	// "SCO-201", Intermediate.
	Value string `json:"value"`
	// Detail adds what the value alone does not say, such as which of a
	// mentions() call's phrases the course has.
	Detail string `json:"detail,omitempty"`
	// Skipped is set when the rule's evaluation never reached this node:
	// the left side of its and/or had decided. Its value is shown anyway.
	Skipped  bool           `json:"skipped,omitempty"`
	Children []*ExplainNode `json:"children,omitempty"`
}

// ExplainCourse explains rule ruleID for course c. It returns ENOTFOUND
// for an unknown rule and EINVALID for a position rule.
func (rs *RuleSet) ExplainCourse(ruleID string, c *domain.Course) (*Explanation, error) {
	r, err := rs.ruleOfKind(ruleID, KindCourse)
	if err != nil {
		return nil, err
	}
	ev := rs.getEvaluator()
	defer rs.putEvaluator(ev)
	env := rs.newCourseEnv(c)
	e := rs.explain(r, c.Code, env, env.Terms, ev.course(c))
	e.Tier = rs.scale.Level(int(env.Course.Level))
	return e, nil
}

// ExplainPosition explains rule ruleID for position p. It returns
// ENOTFOUND for an unknown rule and EINVALID for a course rule.
func (rs *RuleSet) ExplainPosition(ruleID string, p *domain.Position) (*Explanation, error) {
	r, err := rs.ruleOfKind(ruleID, KindPosition)
	if err != nil {
		return nil, err
	}
	ev := rs.getEvaluator()
	defer rs.putEvaluator(ev)
	v := newPositionView(p)
	return rs.explain(r, p.ID, positionEnv{Position: v}, nil, ev.position(&v, nil, 0)), nil
}

func (rs *RuleSet) ruleOfKind(id string, kind RuleKind) (*Rule, error) {
	r := rs.byID[id]
	if r == nil {
		return nil, domain.NotFound("rule", id)
	}
	if r.Kind != kind {
		return nil, domain.Errorf(domain.EINVALID, "rule %q is a %s rule, not a %s rule", id, r.Kind, kind)
	}
	return r, nil
}

func (rs *RuleSet) explain(r *Rule, subject string, env any, terms termSet, all *outcome) *Explanation {
	e := &Explanation{
		Rule: r.Ref(), Kind: r.Kind, Description: r.Description, Subject: subject,
		Yields: r.Yields, Exclude: r.Exclude, ExcludeCodes: r.ExcludeCodes,
	}
	ev := rs.getEvaluator()
	defer rs.putEvaluator(ev)
	fired, err := runRule(ev.vm, r, env)
	e.Fired = fired
	if err != nil {
		e.Error = err.Error()
	}
	x := explainer{rs: rs, rule: r, env: env, terms: terms}
	e.Condition = x.node(r.tree, false)
	if fired && !r.Exclude {
		for _, ex := range all.fired {
			if ex.Exclude && touches(ex, r) {
				e.ExcludedBy = append(e.ExcludedBy, ex.Ref())
			}
		}
	}
	return e
}

// touches reports whether exclusion ex removes any fact that r gives.
func touches(ex, r *Rule) bool {
	if len(ex.excludeIdx) == 0 {
		return true
	}
	for _, i := range ex.excludeIdx {
		for _, j := range r.yieldIdx {
			if i == j {
				return true
			}
		}
	}
	return false
}

type explainer struct {
	rs    *RuleSet
	rule  *Rule
	env   any
	terms termSet
}

// node explains n and the sub-conditions under it.
func (x *explainer) node(n ast.Node, skipped bool) *ExplainNode {
	v, err := x.eval(n)
	out := &ExplainNode{
		Source:  n.String(),
		Pos:     x.rule.exprPos(startOf(n)),
		Value:   x.format(v),
		Skipped: skipped,
	}
	if err != nil {
		out.Value = "error"
		out.Detail = err.Error()
	}
	switch n := n.(type) {
	case *ast.BinaryNode:
		switch n.Operator {
		case "&&", "and", "||", "or":
			left := x.node(n.Left, skipped)
			decided := left.Value == "false"
			if n.Operator == "||" || n.Operator == "or" {
				decided = left.Value == "true"
			}
			out.Children = []*ExplainNode{left, x.node(n.Right, skipped || decided)}
		default:
			for _, c := range []ast.Node{n.Left, n.Right} {
				if !isLiteral(c) {
					out.Children = append(out.Children, x.node(c, skipped))
				}
			}
		}
	case *ast.UnaryNode:
		out.Children = []*ExplainNode{x.node(n.Node, skipped)}
	case *ast.ConditionalNode:
		out.Children = []*ExplainNode{x.node(n.Cond, skipped), x.node(n.Exp1, skipped), x.node(n.Exp2, skipped)}
	case *ast.CallNode:
		if id, ok := n.Callee.(*ast.IdentifierNode); ok && (id.Value == "mentions" || id.Value == "hasTopic") {
			out.Detail = x.termDetail(id.Value, n)
		}
	}
	return out
}

// termDetail lists which phrases (topics) of a helper call the course has.
func (x *explainer) termDetail(helper string, call *ast.CallNode) string {
	kind, what := phraseTerm, "phrase"
	if helper == "hasTopic" {
		kind, what = topicTerm, "topic"
	}
	lits, _ := literalArgs(call)
	var ids []int
	for _, l := range lits {
		if id, ok := x.rs.terms.ids[termKey{kind, normalizeTerm(l)}]; ok {
			ids = append(ids, id)
		}
	}
	found, missing := x.rs.terms.describe(x.terms, ids)
	var parts []string
	if len(found) > 0 {
		parts = append(parts, "has "+what+" "+quoteAll(found))
	}
	if len(missing) > 0 {
		parts = append(parts, "no "+what+" "+quoteAll(missing))
	}
	return strings.Join(parts, "; ")
}

func quoteAll(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}

// eval evaluates the sub-expression n over the explained subject.
func (x *explainer) eval(n ast.Node) (any, error) {
	prog, err := expr.Compile(n.String(), x.rs.exprOptions(x.rule.Kind)...)
	if err != nil {
		return nil, err
	}
	ev := x.rs.getEvaluator()
	defer x.rs.putEvaluator(ev)
	return ev.vm.Run(prog, x.env)
}

func (x *explainer) format(v any) string {
	switch v := v.(type) {
	case level:
		if v == 0 {
			return "(no level)"
		}
		return x.rs.scale.Level(int(v))
	case string:
		return fmt.Sprintf("%q", v)
	case []string:
		return quoteAll(v)
	case nil:
		return "nil"
	}
	return fmt.Sprint(v)
}

func isLiteral(n ast.Node) bool {
	switch n := n.(type) {
	case *ast.StringNode, *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode, *ast.NilNode, *ast.ConstantNode:
		return true
	case *ast.ArrayNode:
		for _, e := range n.Nodes {
			if !isLiteral(e) {
				return false
			}
		}
		return true
	}
	return false
}

// Text renders the explanation for a terminal: the verdict, then the
// condition as an indented tree of values, then what the rule gives.
func (e *Explanation) Text() string {
	var b strings.Builder
	verdict := "did not fire"
	if e.Fired {
		verdict = "fired"
	}
	fmt.Fprintf(&b, "rule %s (%s:%d) for %s %s: %s\n", e.Rule.ID, e.Rule.File, e.Rule.Line, e.Kind, e.Subject, verdict)
	if e.Description != "" {
		fmt.Fprintf(&b, "  %s\n", e.Description)
	}
	if e.Error != "" {
		fmt.Fprintf(&b, "error: %s\n", e.Error)
	}
	b.WriteString("condition:\n")
	if e.Condition != nil {
		writeNode(&b, e.Condition, 1)
	}
	switch {
	case e.Exclude && len(e.ExcludeCodes) > 0:
		fmt.Fprintf(&b, "excludes: %s\n", strings.Join(e.ExcludeCodes, ", "))
	case e.Exclude:
		b.WriteString("excludes: every fact of the " + string(e.Kind) + "\n")
	default:
		gives := make([]string, len(e.Yields))
		for i, y := range e.Yields {
			gives[i] = y.SubCompetency + " " + y.Level
			if y.Level == TierLevel {
				tier := e.Tier
				if tier == "" {
					tier = "none: no fact"
				}
				gives[i] += " (" + tier + ")"
			}
		}
		word := "would yield"
		if e.Fired {
			word = "yields"
		}
		fmt.Fprintf(&b, "%s: %s\n", word, strings.Join(gives, ", "))
	}
	for _, ex := range e.ExcludedBy {
		fmt.Fprintf(&b, "excluded by: %s (%s:%d)\n", ex.ID, ex.File, ex.Line)
	}
	return b.String()
}

func writeNode(b *strings.Builder, n *ExplainNode, depth int) {
	indent := strings.Repeat("  ", depth)
	fmt.Fprintf(b, "%s%s  %s  [%s]", indent, n.Value, n.Source, n.Pos)
	if n.Skipped {
		b.WriteString("  (not evaluated)")
	}
	b.WriteString("\n")
	if n.Detail != "" {
		fmt.Fprintf(b, "%s  %s\n", indent, n.Detail)
	}
	for _, c := range n.Children {
		writeNode(b, c, depth+1)
	}
}
