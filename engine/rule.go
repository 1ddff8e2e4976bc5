package engine

import (
	"cmap/domain"
	"sync"
	"time"

	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/vm"

	"cmap/diag"
)

// RuleKind says what a rule derives facts about.
type RuleKind string

// Rule kinds.
const (
	// KindCourse rules decide which sub-competencies a course covers.
	KindCourse RuleKind = "course"
	// KindPosition rules decide which levels a position requires.
	KindPosition RuleKind = "position"
)

// Yield is one fact a rule gives when its condition holds: the
// sub-competency and the level.
type Yield struct {
	SubCompetency string `json:"subCompetency"`
	Level         string `json:"level"`
}

// Rule is one compiled rule of a RuleSet. Rules are read-only once loaded.
type Rule struct {
	// ID is unique across the rule set.
	ID          string   `json:"id"`
	Description string   `json:"description"`
	Kind        RuleKind `json:"kind"`
	// File is the rule file's path relative to the rule set's directory,
	// with forward slashes; Line is the line where the rule starts.
	File string `json:"file"`
	Line int    `json:"line"`
	// Condition is the rule's expr source, as written.
	Condition string `json:"condition"`
	// Yields are the facts the rule gives, ranges expanded, in framework
	// order. Empty for an exclusion.
	Yields []Yield `json:"yields"`
	// Exclude is set for exclusion rules: when the condition holds, the
	// item gets no facts at all, or none for ExcludeCodes if given.
	Exclude      bool     `json:"exclude"`
	ExcludeCodes []string `json:"excludeCodes,omitempty"`

	program *vm.Program
	// tree is the condition as parsed, before patching: explanations
	// walk it.
	tree ast.Node
	// source maps each rune offset of Condition to its place in File.
	source []diag.Pos
	// yieldIdx and yieldRank are Yields as framework indexes and ranks.
	yieldIdx  []int
	yieldRank []int
	// excludeIdx are the framework indexes of ExcludeCodes.
	excludeIdx []int
	// fields are the position fields a position rule reads.
	fields fieldMask
	// idPos is where the rule's id is; yieldPos where each of Yields is
	// given, excludePos each of ExcludeCodes (or exclude: true); lint
	// silences lint findings on the rule. Lint reports findings there.
	idPos      diag.Pos
	yieldPos   []diag.Pos
	excludePos []diag.Pos
	lint       *lintDirective
	// gate, if set, are terms one of which a course must match for the
	// condition of a course rule to hold (see termGate); if gateExact,
	// the condition holds whenever the course matches one of them.
	gate      []int
	gateExact bool
}

// Ref returns the reference that facts carry for the rule.
func (r *Rule) Ref() domain.RuleRef { return domain.RuleRef{ID: r.ID, File: r.File, Line: r.Line} }

// exprPos returns the file position of rune offset off in the condition.
func (r *Rule) exprPos(off int) diag.Pos {
	if len(r.source) == 0 {
		return diag.Pos{File: r.File, Line: r.Line}
	}
	return r.source[min(max(off, 0), len(r.source)-1)]
}

// RuleSet is a loaded, checked and compiled set of rules with its scale,
// ready to derive facts. It is immutable and safe for concurrent use; to
// change rules, load a new set and swap the pointer.
type RuleSet struct {
	revision string
	loadedAt time.Time
	// dir is the name the files are known by; files are the rule files
	// and the scale, by path relative to it (see Files).
	dir   string
	files map[string][]byte
	scale domain.Scale
	fw    *domain.Framework
	// subIndex numbers the framework's sub-competencies in model order.
	subIndex map[string]int
	subCodes []string

	rules          []*Rule
	byID           map[string]*Rule
	courseRules    []*Rule
	positionRules  []*Rule
	positionFields fieldMask
	terms          *termTable
	// fileLint silences lint findings in a whole file, by file name.
	fileLint map[string]*lintDirective
	// warnings are the entries that name a former code of the framework
	// (see Warnings).
	warnings diag.List

	evaluators sync.Pool
}

// Revision returns a short hex hash of the rule set's files (rule files and
// scale, not tests): two sets loaded from the same files have the same
// revision.
func (rs *RuleSet) Revision() string { return rs.revision }

// LoadedAt returns when the set was loaded.
func (rs *RuleSet) LoadedAt() time.Time { return rs.loadedAt }

// Scale returns the proficiency scale the rules use.
func (rs *RuleSet) Scale() domain.Scale { return rs.scale }

// Framework returns the competency framework the rules were checked against.
func (rs *RuleSet) Framework() *domain.Framework { return rs.fw }

// Warnings returns, sorted by position, every covers:, requires: or
// exclude: entry that names a code the framework's revision no longer has
// (a FormerCode: retired, or moved to another code by a crosswalk), with
// the crosswalk's suggestion. Such an entry yields nothing; the rest of
// its rule loads. A code no revision had is an error, not a warning.
func (rs *RuleSet) Warnings() diag.List { return rs.warnings }

// CodeUses returns every place where a rule names a sub-competency, in
// rule order: each yield and each code excluded, ranges and whole
// competencies expanded, at the entry that names it.
func (rs *RuleSet) CodeUses() []domain.CodeUse {
	var out []domain.CodeUse
	for _, r := range rs.rules {
		for i, y := range r.Yields {
			out = append(out, domain.CodeUse{Code: y.SubCompetency, Rule: r.ID, Pos: r.yieldPos[i]})
		}
		for i, c := range r.ExcludeCodes {
			out = append(out, domain.CodeUse{Code: c, Rule: r.ID, Pos: r.excludePos[i]})
		}
	}
	return out
}

// Rules returns every rule, ordered by file and line. The slice is shared:
// do not modify it.
func (rs *RuleSet) Rules() []*Rule { return rs.rules }

// RuleCount is the number of rules in the set.
func (rs *RuleSet) RuleCount() int { return len(rs.rules) }

// Rule returns the rule with id, or nil.
func (rs *RuleSet) Rule(id string) *Rule { return rs.byID[id] }
