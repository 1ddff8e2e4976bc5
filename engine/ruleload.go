package engine

import (
	"cmap/domain"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/parser"
	yamlast "github.com/goccy/go-yaml/ast"

	"cmap/diag"
)

// A rule file is YAML with one key, rules, a list of rules:
//
//	rules:
//	  - id: pa-and-loa-estimating          # unique across the set
//	    description: Courses that teach P&A or LOA data cover 4.C.
//	    course: mentions("price and availability", "letter of offer")
//	    covers: {4.C: tier, 4.D: Basic}    # level names, or tier
//	  - id: briefings-cover-nothing
//	    course: course.hours < 2
//	    exclude: true                      # or a list: exclude: [4.C]
//	  - id: sco-key-billet-senior
//	    position: position.keyBillet && gradeAtLeast("GS-13", "O-5")
//	    requires: {1.A-1.E: Advanced, 6.*: Advanced}
//
// The key of the condition gives the kind: course: (yields with covers:)
// or position: (yields with requires:). A code may be a sub-competency
// (4.C), a range within one competency (1.A-1.E) or a whole competency
// (1.* or 1.0). The environment and helpers are described in ruleenv.go.
// When several rules give one fact the highest level wins and every rule
// that gave it is listed; an exclusion that fires removes the item's facts
// (all, or the listed codes) whatever the order of the rules.

// TierLevel is the level a course rule yields to cover a sub-competency
// at the course's own catalogue tier (see courseTier): covers: {4.C: tier}.
// A course with no tier gets no fact from such a yield.
const TierLevel = "tier"

// tierRank marks a yield at the course's tier in Rule.yieldRank.
const tierRank = -1

// ScaleFile is the name of the scale file at the root of a rule directory.
const ScaleFile = "scale.yaml"

// LoadRuleSet loads the rule set in directory dir: every *.yaml or *.yml
// file below it is a rule file, except ScaleFile at its root (the
// proficiency scale; DefaultScale if there is none) and rule tests
// (*_test.yaml). Sub-competency codes are checked against fw.
//
// Every problem in every file is reported, in one pass: the error is a
// diag.List of file:line:col diagnostics, sorted. A set with any problem
// is not returned at all.
func LoadRuleSet(dir string, fw *domain.Framework) (*RuleSet, error) {
	if _, err := os.Stat(dir); err != nil {
		return nil, domain.Errorf(domain.EINVALID, "rule directory: %v", err)
	}
	return LoadRuleSetFS(os.DirFS(dir), filepath.ToSlash(filepath.Clean(dir)), fw)
}

// LoadScale reads the proficiency scale of the rule directory dir, its
// ScaleFile, without the rules (which need a framework to be checked
// against): DefaultScale when dir has no ScaleFile. The scale file's
// problems are a diag.List of file:line:col diagnostics, as LoadRuleSet
// reports them.
func LoadScale(dir string) (domain.Scale, error) {
	name := filepath.Join(dir, ScaleFile)
	data, err := os.ReadFile(name)
	if errors.Is(err, fs.ErrNotExist) {
		return domain.DefaultScale(), nil
	}
	if err != nil {
		return domain.Scale{}, domain.Errorf(domain.EINVALID, "read the scale: %v", err)
	}
	f := newYAMLFile(filepath.ToSlash(name), data)
	s := parseScale(f)
	if err := f.diags.Err(); err != nil {
		return domain.Scale{}, err
	}
	return s, nil
}

// LoadRuleSetFS loads the rule set in the root of fsys, like LoadRuleSet.
// File names in rules, facts and diagnostics are path.Join(name, the
// file's path in fsys).
func LoadRuleSetFS(fsys fs.FS, name string, fw *domain.Framework) (*RuleSet, error) {
	if fw == nil {
		return nil, domain.Errorf(domain.EINVALID, "no competency framework to check the rules against")
	}
	files, err := ruleFiles(fsys)
	if err != nil {
		return nil, domain.Errorf(domain.EINVALID, "read rules: %v", err)
	}
	rs := &RuleSet{fw: fw, scale: domain.DefaultScale(), terms: newTermTable(), byID: map[string]*Rule{}, loadedAt: time.Now(),
		fileLint: map[string]*lintDirective{}, dir: name, files: make(map[string][]byte, len(files))}
	rs.subIndex = map[string]int{}
	for i, code := range fw.SubCompetencyCodes() {
		rs.subIndex[code] = i
		rs.subCodes = append(rs.subCodes, code)
	}

	var diags diag.List
	hash := newRevisionHash()
	sources := map[string]*yamlFile{}
	for _, rel := range files {
		data, err := fs.ReadFile(fsys, rel)
		if err != nil {
			return nil, domain.Errorf(domain.EINVALID, "read rules: %v", err)
		}
		hash.add(rel, data)
		rs.files[rel] = data
		sources[rel] = newYAMLFile(path.Join(name, rel), data)
	}
	rs.revision = hash.sum()

	if f, ok := sources[ScaleFile]; ok {
		// A broken scale still names the levels its author meant: check
		// the rules against them rather than report every level unknown.
		if s := parseScale(f); len(s.Levels) > 0 {
			rs.scale = s
		}
	}
	var specs []*ruleSpec
	for _, rel := range files {
		if rel == ScaleFile {
			continue
		}
		f := sources[rel]
		specs = append(specs, rs.parseRuleFile(f)...)
	}

	first := map[string]*ruleSpec{}
	for _, s := range specs {
		if s.id == "" {
			continue
		}
		if prev, ok := first[s.id]; ok {
			s.file.add(s.idPos, "duplicate rule id %q (first defined at %s:%d)", s.id, prev.idPos.File, prev.idPos.Line)
			s.bad = true
			continue
		}
		first[s.id] = s
	}
	// Number every phrase and topic before compiling anything: the
	// patcher turns them into term ids.
	for _, s := range specs {
		s.parseCondition(rs)
	}
	for _, s := range specs {
		if r := s.compile(rs); r != nil && !s.bad {
			rs.rules = append(rs.rules, r)
		}
	}
	for _, rel := range files {
		diags = append(diags, sources[rel].diags...)
	}
	if err := diags.Err(); err != nil {
		return nil, err
	}
	rs.warnings = rs.warnings.Sort()
	for _, r := range rs.rules {
		rs.byID[r.ID] = r
		if r.Kind == KindCourse {
			rs.courseRules = append(rs.courseRules, r)
		} else {
			rs.positionRules = append(rs.positionRules, r)
			rs.positionFields |= r.fields
		}
	}
	return rs, nil
}

// RulesRevision returns the revision that a rule set loaded from
// directory dir has or would have: the hash of its rule files and scale,
// computed whether or not they load. It names a rejected set's revision.
func RulesRevision(dir string) (string, error) {
	return RulesRevisionFS(os.DirFS(dir))
}

// RulesRevisionFS returns the revision of the rule files in the root of
// fsys, like RulesRevision.
func RulesRevisionFS(fsys fs.FS) (string, error) {
	files, err := ruleFiles(fsys)
	if err != nil {
		return "", domain.Errorf(domain.EINVALID, "read rules: %v", err)
	}
	hash := newRevisionHash()
	for _, rel := range files {
		data, err := fs.ReadFile(fsys, rel)
		if err != nil {
			return "", domain.Errorf(domain.EINVALID, "read rules: %v", err)
		}
		hash.add(rel, data)
	}
	return hash.sum(), nil
}

// revisionHash hashes rule files, in the order added, into a revision.
type revisionHash struct{ h hash.Hash }

func newRevisionHash() revisionHash { return revisionHash{sha256.New()} }

// add hashes the file at path rel (relative to the rule directory).
func (r revisionHash) add(rel string, data []byte) {
	fmt.Fprintf(r.h, "%s\x00%d\x00", rel, len(data))
	r.h.Write(data)
}

// sum returns the revision: 12 hex digits of the hash.
func (r revisionHash) sum() string { return hex.EncodeToString(r.h.Sum(nil))[:12] }

// ruleFiles lists the rule files and the scale file of fsys, sorted.
func ruleFiles(fsys fs.FS) ([]string, error) {
	var files []string
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != "." && strings.HasPrefix(d.Name(), ".") {
				return fs.SkipDir
			}
			return nil
		}
		if isRuleFile(p) || p == ScaleFile {
			files = append(files, p)
		}
		return nil
	})
	return files, err
}

func isYAML(p string) bool { return strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml") }

func isTestFile(p string) bool {
	return strings.HasSuffix(p, "_test.yaml") || strings.HasSuffix(p, "_test.yml")
}

func isRuleFile(p string) bool {
	return isYAML(p) && !isTestFile(p) && p != ScaleFile && !strings.HasPrefix(path.Base(p), ".")
}

// parseScale reads a scale file: name and levels (lowest first). It
// returns what it could read, whether or not it reported problems.
func parseScale(f *yamlFile) domain.Scale {
	body := f.parse()
	var s domain.Scale
	if body == nil {
		if len(f.diags) == 0 {
			f.add(diag.Pos{File: f.name, Line: 1, Col: 1}, "the scale file is empty: give name and levels")
		}
		return s
	}
	entries, ok := f.mapping(body, "the scale file")
	if !ok {
		return s
	}
	var levelsNode yamlast.Node
	for _, mv := range entries {
		switch keyOf(mv) {
		case "name":
			s.Name, _ = f.str(mv.Value, "name")
		case "levels":
			levelsNode = mv.Value
			items, ok := f.sequence(mv.Value, "levels")
			if !ok {
				continue
			}
			for _, it := range items {
				l, ok := f.str(it, "a level")
				if ok {
					s.Levels = append(s.Levels, l)
				}
			}
		default:
			f.unknownKey(mv, "the scale file", scaleFileKeys)
		}
	}
	if levelsNode == nil {
		f.nodeErrorf(body, "the scale file has no levels")
		return s
	}
	var invalid *domain.Error
	if errors.As(s.Validate(), &invalid) {
		f.nodeErrorf(levelsNode, "%s", invalid.Message)
		return s
	}
	if _, ok := s.Rank(TierLevel); ok {
		f.nodeErrorf(levelsNode, "%q is reserved: rules use it for the course's tier", TierLevel)
		return s
	}
	return s
}

// ruleSpec is a rule as read from its file, before compiling.
type ruleSpec struct {
	file  *yamlFile
	pos   diag.Pos
	id    string
	idPos diag.Pos
	desc  string
	kind  RuleKind

	cond       string
	condNode   yamlast.Node
	condSource []diag.Pos
	tree       ast.Node

	yields []Yield
	// yieldPos are where each yield is given: its key in covers:/requires:.
	yieldPos     []diag.Pos
	exclude      bool
	excludeCodes []string
	// excludePos are where each excluded code is given (for exclude:
	// true, one position: the value's).
	excludePos []diag.Pos
	// lint silences lint findings on the rule.
	lint *lintDirective
	// tierAt are the places where the rule yields the course's tier.
	tierAt []diag.Pos
	// bad marks a rule with problems found before compiling.
	bad bool
	// uncompilable marks a condition whose problems would confuse the
	// type checker (a helper called with other than string literals).
	uncompilable bool
}

var ruleIDRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)

// parseRuleFile reads the rules of one file.
func (rs *RuleSet) parseRuleFile(f *yamlFile) []*ruleSpec {
	body := f.parse()
	if body == nil {
		return nil
	}
	entries, ok := f.mapping(body, "a rule file")
	if !ok {
		return nil
	}
	var specs []*ruleSpec
	for _, mv := range entries {
		switch keyOf(mv) {
		case "rules":
		case "lint":
			if d := parseLintDirective(f, mv); d != nil {
				rs.fileLint[f.name] = d
			}
			continue
		default:
			f.unknownKey(mv, "a rule file", ruleFileKeys)
			continue
		}
		if _, ok := mv.Value.(*yamlast.NullNode); ok {
			continue
		}
		items, ok := f.sequence(mv.Value, "rules")
		if !ok {
			continue
		}
		for _, it := range items {
			if s := rs.parseRule(f, it); s != nil {
				specs = append(specs, s)
			}
		}
	}
	return specs
}

func (rs *RuleSet) parseRule(f *yamlFile, n yamlast.Node) *ruleSpec {
	entries, ok := f.mapping(n, "a rule")
	if !ok {
		return nil
	}
	s := &ruleSpec{file: f, pos: f.nodePos(n)}
	before := len(f.diags)
	var yieldKey, condKey *yamlast.MappingValueNode
	var excludeNode yamlast.Node
	for _, mv := range entries {
		switch k := keyOf(mv); k {
		case "id":
			s.idPos = f.nodePos(mv.Value)
			if id, ok := f.str(mv.Value, "id"); ok {
				if !ruleIDRe.MatchString(id) {
					f.nodeErrorf(mv.Value, "rule id %q: letters, digits, dashes, underscores or dots, starting with a letter or digit", id)
				}
				s.id = id
			}
		case "description":
			s.desc, _ = f.str(mv.Value, "description")
		case "course", "position":
			if condKey != nil {
				f.nodeErrorf(mv.Key, "a rule has one condition: %s: or %s:, not both (a rule is about courses or about positions)", keyOf(condKey), k)
				continue
			}
			condKey = mv
			s.kind = RuleKind(k)
			if c, ok := f.str(mv.Value, "the condition"); ok {
				s.cond = c
				s.condNode = mv.Value
				s.condSource = f.sourceMap(mv.Value, mv.Start)
				if strings.TrimSpace(c) == "" {
					f.nodeErrorf(mv.Value, "the condition is empty")
				}
			}
		case "covers", "requires":
			if yieldKey != nil {
				f.nodeErrorf(mv.Key, "a rule has one of covers: and requires:, not both")
				continue
			}
			yieldKey = mv
			s.yields = rs.parseYields(s, f, mv.Value)
		case "exclude":
			excludeNode = mv.Value
			s.exclude, s.excludeCodes, s.excludePos = rs.parseExclude(f, mv.Value)
		case "lint":
			s.lint = parseLintDirective(f, mv)
		default:
			f.unknownKey(mv, "a rule", ruleKeys)
		}
	}
	where := "rule"
	if s.id != "" {
		where = fmt.Sprintf("rule %q", s.id)
	} else {
		f.add(s.pos, "rule has no id")
	}
	if condKey == nil {
		f.add(s.pos, "%s has no condition: give course: (what courses it covers) or position: (what positions it requires)", where)
	}
	switch {
	case yieldKey != nil && s.exclude:
		f.nodeErrorf(excludeNode, "%s both excludes and yields: an exclusion rule has no covers: or requires:", where)
	case yieldKey != nil && condKey != nil:
		if want := yieldKeyFor(s.kind); keyOf(yieldKey) != want {
			f.nodeErrorf(yieldKey.Key, "a %s rule yields with %s:, not %s:", s.kind, want, keyOf(yieldKey))
		}
	case yieldKey == nil && !s.exclude && condKey != nil:
		f.add(s.pos, "%s yields nothing: give %s: {CODE: LEVEL} or exclude: true", where, yieldKeyFor(s.kind))
	}
	if s.kind == KindPosition {
		for _, p := range s.tierAt {
			f.add(p, "%s: only course rules can yield at the course's tier; give a level of the scale (%s)", where, strings.Join(rs.scale.Levels, ", "))
		}
	}
	s.bad = len(f.diags) > before
	return s
}

func yieldKeyFor(k RuleKind) string {
	if k == KindPosition {
		return "requires"
	}
	return "covers"
}

// parseYields reads {CODE: LEVEL, ...}; codes may be ranges.
func (rs *RuleSet) parseYields(s *ruleSpec, f *yamlFile, n yamlast.Node) []Yield {
	entries, ok := f.mapping(n, "covers:/requires:")
	if !ok {
		return nil
	}
	if len(entries) == 0 {
		f.nodeErrorf(n, "no sub-competencies given")
	}
	var out []Yield
	seen := map[string]bool{}
	for _, mv := range entries {
		spec, ok := f.str(mv.Key, "a sub-competency code")
		if !ok {
			continue
		}
		codes, msg := expandCodes(rs.fw, spec)
		if msg != "" {
			codes = rs.unknownCodes(f, mv.Key, spec, msg)
		}
		lv, ok := f.str(mv.Value, "a level")
		if !ok {
			continue
		}
		canon, ok := rs.scale.Canonical(lv)
		if strings.EqualFold(lv, TierLevel) {
			canon, ok = TierLevel, true
			s.tierAt = append(s.tierAt, f.nodePos(mv.Value))
		}
		if !ok || lv == "" {
			f.nodeErrorf(mv.Value, "unknown level %q (the scale has %s)", lv, strings.Join(rs.scale.Levels, ", "))
			continue
		}
		for _, c := range codes {
			if seen[c] {
				f.nodeErrorf(mv.Key, "%s is given twice in this rule", c)
				continue
			}
			seen[c] = true
			out = append(out, Yield{SubCompetency: c, Level: canon})
			s.yieldPos = append(s.yieldPos, f.nodePos(mv.Key))
		}
	}
	return out
}

// parseExclude reads exclude: true, or a list of codes to exclude. It
// returns where each code is given: the entry of the list that names it,
// or the value true.
func (rs *RuleSet) parseExclude(f *yamlFile, n yamlast.Node) (bool, []string, []diag.Pos) {
	switch v := n.(type) {
	case *yamlast.BoolNode:
		return v.Value, nil, []diag.Pos{f.nodePos(n)}
	case *yamlast.SequenceNode:
		var codes []string
		var at []diag.Pos
		for _, it := range v.Values {
			spec, ok := f.str(it, "a sub-competency code")
			if !ok {
				continue
			}
			cs, msg := expandCodes(rs.fw, spec)
			if msg != "" {
				cs = rs.unknownCodes(f, it, spec, msg)
			}
			codes = append(codes, cs...)
			for range cs {
				at = append(at, f.nodePos(it))
			}
		}
		if len(v.Values) == 0 {
			f.nodeErrorf(n, "exclude: lists no sub-competencies (use exclude: true to exclude all)")
		}
		return true, codes, at
	}
	f.nodeErrorf(n, "exclude: must be true or a list of sub-competency codes, not %s", describeNode(n))
	return false, nil, nil
}

var (
	competencySpec = regexp.MustCompile(`^([1-9][0-9]*)\.(\*|0)$`)
	rangeSpec      = regexp.MustCompile(`^([1-9][0-9]*\.[A-Z])\s*-\s*([1-9][0-9]*\.[A-Z])$`)
)

// unknownCodes reports spec, given at n, which expandCodes could not
// expand (msg says why), and returns the codes to read it as. When spec
// names a former code of the framework (one an earlier revision had), it
// is a warning with the crosswalk's suggestion: a former code names
// nothing, a range with a former end names the codes of the framework
// between its ends. Otherwise it is an error, and spec names nothing.
func (rs *RuleSet) unknownCodes(f *yamlFile, n yamlast.Node, spec, msg string) []string {
	spec = strings.TrimSpace(spec)
	fc, codes, ok := rs.formerSpec(spec)
	if !ok {
		f.nodeErrorf(n, "%s", msg)
		return nil
	}
	warning := rs.formerMessage(fc)
	switch {
	case spec == fc.Code:
	case len(codes) > 0:
		warning = fmt.Sprintf("%s names %s only: %s", spec, strings.Join(codes, ", "), warning)
	default:
		warning = fmt.Sprintf("%s names nothing: %s", spec, warning)
	}
	rs.warnings = append(rs.warnings, diag.Errorf(f.nodePos(n).Within(f.src), "%s", warning).WithSnippet(f.src))
	return codes
}

// formerMessage says that the framework's revision no longer has the
// former code fc, and what became of it.
func (rs *RuleSet) formerMessage(fc domain.FormerCode) string {
	return fmt.Sprintf("%s is not in revision %d of the competency model: %s", fc.Code, rs.fw.Revision, fc.Suggestion())
}

// formerSpec returns the former code of the framework that spec names,
// as one code, an end of a range or a whole competency, and the codes of
// the framework spec still names (those between the ends of a range);
// false when spec names no former code, or is wrong in another way too
// (an end no revision had, a range across competencies or backwards).
func (rs *RuleSet) formerSpec(spec string) (domain.FormerCode, []string, bool) {
	if m := competencySpec.FindStringSubmatch(spec); m != nil {
		fc, ok := rs.fw.FormerCode(m[1] + ".0")
		return fc, nil, ok
	}
	m := rangeSpec.FindStringSubmatch(spec)
	if m == nil {
		fc, ok := rs.fw.FormerCode(spec)
		return fc, nil, ok
	}
	from, to := m[1], m[2]
	if domain.CompetencyOf(from) != domain.CompetencyOf(to) || from > to {
		return domain.FormerCode{}, nil, false
	}
	var former *domain.FormerCode
	for _, end := range []string{to, from} {
		if fc, ok := rs.fw.FormerCode(end); ok {
			former = &fc
		} else if rs.fw.SubCompetency(end) == nil {
			return domain.FormerCode{}, nil, false
		}
	}
	if former == nil {
		return domain.FormerCode{}, nil, false
	}
	var codes []string
	if c := rs.fw.Competency(domain.CompetencyOf(from)); c != nil {
		for _, s := range c.SubCompetencies {
			if s.Code >= from && s.Code <= to {
				codes = append(codes, s.Code)
			}
		}
	}
	return *former, codes, true
}

// expandCodes returns the sub-competencies that spec names in framework
// order: one code ("4.C"), a range within a competency ("1.A-1.E"), or a
// whole competency ("1.*" or "1.0"). The message says what is wrong, if
// anything.
func expandCodes(fw *domain.Framework, spec string) ([]string, string) {
	spec = strings.TrimSpace(spec)
	if m := competencySpec.FindStringSubmatch(spec); m != nil {
		c := fw.Competency(m[1] + ".0")
		if c == nil {
			return nil, fmt.Sprintf("unknown competency %s", m[1]+".0")
		}
		codes := make([]string, len(c.SubCompetencies))
		for i, s := range c.SubCompetencies {
			codes[i] = s.Code
		}
		return codes, ""
	}
	if m := rangeSpec.FindStringSubmatch(spec); m != nil {
		from, to := m[1], m[2]
		if domain.CompetencyOf(from) != domain.CompetencyOf(to) {
			return nil, fmt.Sprintf("range %s spans competencies: a range stays within one (%s)", spec, domain.CompetencyOf(from))
		}
		for _, code := range []string{from, to} {
			if fw.SubCompetency(code) == nil {
				return nil, fmt.Sprintf("unknown sub-competency %s in range %s", code, spec)
			}
		}
		if from > to {
			return nil, fmt.Sprintf("range %s is backwards: write %s-%s", spec, to, from)
		}
		var codes []string
		for _, s := range fw.Competency(domain.CompetencyOf(from)).SubCompetencies {
			if s.Code >= from && s.Code <= to {
				codes = append(codes, s.Code)
			}
		}
		return codes, ""
	}
	if domain.IsSubCompetencyCode(spec) {
		if fw.SubCompetency(spec) == nil {
			return nil, fmt.Sprintf("unknown sub-competency %s", spec)
		}
		return []string{spec}, ""
	}
	return nil, fmt.Sprintf("%q is not a sub-competency (4.C), a range within one competency (1.A-1.E) or a whole competency (1.* or 1.0)", spec)
}

// parseCondition parses the condition, checks the helpers' arguments and
// numbers the phrases and topics it names.
func (s *ruleSpec) parseCondition(rs *RuleSet) {
	if s.cond == "" || strings.TrimSpace(s.cond) == "" {
		return
	}
	tree, err := parser.Parse(s.cond)
	if err != nil {
		s.exprError(err)
		return
	}
	s.tree = tree.Node
	before := len(s.file.diags)
	s.checkTree(rs, tree.Node, nil)
	if len(s.file.diags) > before {
		s.bad = true
	}
}

// exprPos returns the file position of rune offset off in the condition.
func (s *ruleSpec) exprPos(off int) diag.Pos {
	if len(s.condSource) == 0 {
		return s.pos
	}
	return s.condSource[min(max(off, 0), len(s.condSource)-1)]
}

func (s *ruleSpec) nodeError(n ast.Node, format string, args ...any) {
	s.file.add(s.exprPos(startOf(n)), format, args...)
}

// exprError reports an error from expr at its place in the file.
func (s *ruleSpec) exprError(err error) {
	s.bad = true
	var fe *file.Error
	if errors.As(err, &fe) {
		s.file.add(s.exprPos(fe.From), "%s", friendlyMessage(fe.Message))
		return
	}
	s.file.add(s.exprPos(0), "%v", err)
}

var noFieldRe = regexp.MustCompile(`^type engine\.(course|position)View has no field (\S+)$`)

// friendlyMessage rewrites expr's messages that name engine internals.
func friendlyMessage(msg string) string {
	m := noFieldRe.FindStringSubmatch(msg)
	if m == nil {
		return strings.ReplaceAll(msg, "engine.level", "level")
	}
	var fields []string
	if m[1] == "course" {
		fields = courseFields
	} else {
		fields = positionFields[:]
	}
	out := fmt.Sprintf("unknown field %s.%s", m[1], m[2])
	if best := closest(m[2], fields); best != "" {
		return out + fmt.Sprintf(" (did you mean %s.%s?)", m[1], best)
	}
	return out + fmt.Sprintf(" (%s has %s)", m[1], strings.Join(fields, ", "))
}

// closest returns the name among names nearest to s (edit distance at most
// 2, or differing only in case), or "".
func closest(s string, names []string) string {
	best, bestD := "", 3
	for _, n := range names {
		d := editDistance(strings.ToLower(s), strings.ToLower(n))
		if d < bestD {
			best, bestD = n, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// startOf returns the rune offset where the source of n starts: the
// smallest offset in its subtree (a binary node's own location is its
// operator).
func startOf(n ast.Node) int {
	from := n.Location().From
	for _, c := range childNodes(n) {
		if c != nil {
			from = min(from, startOf(c))
		}
	}
	return from
}

var comparisons = map[string]bool{"==": true, "!=": true, "<": true, "<=": true, ">": true, ">=": true}

var orderings = map[string]bool{"<": true, "<=": true, ">": true, ">=": true}

// checkTree checks what the type checker cannot: helpers get string
// literals and belong to the rule's kind, levels are compared only with
// level names that the scale has, grades are not compared as strings.
func (s *ruleSpec) checkTree(rs *RuleSet, n, parent ast.Node) {
	switch n := n.(type) {
	case *ast.CallNode:
		if id, ok := n.Callee.(*ast.IdentifierNode); ok {
			if kind, ok := helperNames[id.Value]; ok {
				s.checkHelper(rs, id.Value, kind, n)
			}
		}
	case *ast.MemberNode:
		if path := memberPath(n); path == "course.level" {
			s.checkLevelUse(rs, n, parent)
		} else if path == "position.grade" {
			if b, ok := parent.(*ast.BinaryNode); ok && orderings[b.Operator] {
				s.nodeError(b, `compare grades with gradeAtLeast("GS-13"): compared as strings, GS-9 would rank above GS-13`)
			}
		}
	}
	for _, c := range childNodes(n) {
		if c != nil {
			s.checkTree(rs, c, n)
		}
	}
}

func (s *ruleSpec) checkHelper(rs *RuleSet, name string, kind RuleKind, call *ast.CallNode) {
	if s.kind != kind {
		s.nodeError(call, "%s() is a helper of %s rules, and this is a %s rule", name, kind, s.kind)
		s.uncompilable = true
		return
	}
	if len(call.Arguments) == 0 {
		s.nodeError(call, "%s() needs at least one argument", name)
		s.uncompilable = true
		return
	}
	for _, a := range call.Arguments {
		lit, ok := a.(*ast.StringNode)
		if !ok {
			s.nodeError(a, "%s() takes string literals (they are known when the rules load)", name)
			s.uncompilable = true
			continue
		}
		switch name {
		case "mentions":
			if rs.terms.add(phraseTerm, lit.Value) < 0 {
				s.nodeError(a, "phrase %q has no words to match", lit.Value)
			}
		case "hasTopic":
			if rs.terms.add(topicTerm, lit.Value) < 0 {
				s.nodeError(a, "topic %q has no words to match", lit.Value)
			}
		case "gradeAtLeast":
			if !domain.GradePattern.MatchString(lit.Value) {
				s.nodeError(a, "%q is not a grade (%s)", lit.Value, domain.GradeRule)
			}
		}
	}
}

func (s *ruleSpec) checkLevelUse(rs *RuleSet, n *ast.MemberNode, parent ast.Node) {
	b, ok := parent.(*ast.BinaryNode)
	if !ok || !comparisons[b.Operator] {
		s.nodeError(n, `course.level can only be compared with a level name, e.g. course.level >= "Intermediate"`)
		s.uncompilable = true
		return
	}
	other := b.Left
	if other == ast.Node(n) {
		other = b.Right
	}
	if lit, ok := other.(*ast.StringNode); ok {
		if _, ok := rs.scale.Rank(lit.Value); !ok || lit.Value == "" {
			s.nodeError(lit, "unknown level %q (the scale has %s)", lit.Value, strings.Join(rs.scale.Levels, ", "))
		}
	}
}

// memberPath returns "a.b" for a member access of a field b of a name a.
func memberPath(n *ast.MemberNode) string {
	id, ok := n.Node.(*ast.IdentifierNode)
	if !ok {
		return ""
	}
	prop, ok := n.Property.(*ast.StringNode)
	if !ok {
		return ""
	}
	return id.Value + "." + prop.Value
}

// childNodes returns the direct children of n.
func childNodes(n ast.Node) []ast.Node {
	switch n := n.(type) {
	case *ast.UnaryNode:
		return []ast.Node{n.Node}
	case *ast.BinaryNode:
		return []ast.Node{n.Left, n.Right}
	case *ast.ChainNode:
		return []ast.Node{n.Node}
	case *ast.MemberNode:
		return []ast.Node{n.Node, n.Property}
	case *ast.SliceNode:
		return []ast.Node{n.Node, n.From, n.To}
	case *ast.CallNode:
		return append([]ast.Node{n.Callee}, n.Arguments...)
	case *ast.BuiltinNode:
		return n.Arguments
	case *ast.PredicateNode:
		return []ast.Node{n.Node}
	case *ast.VariableDeclaratorNode:
		return []ast.Node{n.Value, n.Expr}
	case *ast.SequenceNode:
		return n.Nodes
	case *ast.ConditionalNode:
		return []ast.Node{n.Cond, n.Exp1, n.Exp2}
	case *ast.ArrayNode:
		return n.Nodes
	case *ast.MapNode:
		return n.Pairs
	case *ast.PairNode:
		return []ast.Node{n.Key, n.Value}
	}
	return nil
}

// compile compiles a parsed rule; it returns nil if the rule has errors.
func (s *ruleSpec) compile(rs *RuleSet) *Rule {
	if s.tree == nil || s.uncompilable {
		return nil
	}
	opts := append(rs.exprOptions(s.kind), expr.AsBool(), expr.WarnOnAny())
	prog, err := expr.Compile(s.cond, opts...)
	if err != nil {
		s.exprError(err)
		return nil
	}
	if v, known := constBool(s.tree); known && !v {
		s.file.add(s.exprPos(startOf(s.tree)), "rule %q can never fire: its condition is always false", s.id)
		s.bad = true
		return nil
	}
	if s.bad {
		return nil
	}
	if s.exclude && len(s.excludePos) == 0 {
		// Every code of its exclude: list is a former code (see
		// unknownCodes): it excludes nothing, where an empty list would
		// exclude everything.
		return nil
	}
	r := &Rule{
		ID: s.id, Description: s.desc, Kind: s.kind, File: s.file.name, Line: s.pos.Line,
		Condition: s.cond, Exclude: s.exclude, ExcludeCodes: s.excludeCodes,
		program: prog, tree: s.tree, source: s.condSource,
		idPos: s.idPos, excludePos: s.excludePos, lint: s.lint,
	}
	// Yields in framework order, each with where it is given.
	order := make([]int, len(s.yields))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		return rs.subIndex[s.yields[a].SubCompetency] - rs.subIndex[s.yields[b].SubCompetency]
	})
	for _, i := range order {
		r.Yields = append(r.Yields, s.yields[i])
		r.yieldPos = append(r.yieldPos, s.yieldPos[i])
	}
	for _, y := range r.Yields {
		rank, _ := rs.scale.Rank(y.Level)
		if y.Level == TierLevel {
			rank = tierRank
		}
		r.yieldIdx = append(r.yieldIdx, rs.subIndex[y.SubCompetency])
		r.yieldRank = append(r.yieldRank, rank)
	}
	for _, c := range r.ExcludeCodes {
		r.excludeIdx = append(r.excludeIdx, rs.subIndex[c])
	}
	if s.kind == KindPosition {
		r.fields = readFields(prog.Node())
	} else {
		r.gate, _, r.gateExact = termGate(prog.Node())
	}
	return r
}

// termGate returns terms one of which a course must match for the
// condition to hold, when the condition says so (ok): a mentions() or
// hasTopic() call, and-ed with anything, or or-ed with another such call.
// Evaluation skips the rule for a course that matches none of them. The
// gate is exact when the condition is such calls alone, or-ed: then it
// holds exactly when the course matches one of the terms, and evaluation
// need not run it at all.
func termGate(n ast.Node) (ids []int, ok, exact bool) {
	switch n := n.(type) {
	case *ast.CallNode:
		id, ok := n.Callee.(*ast.IdentifierNode)
		if !ok || (id.Value != "mentions" && id.Value != "hasTopic") || len(n.Arguments) < 2 {
			return nil, false, false
		}
		if first, ok := n.Arguments[0].(*ast.IdentifierNode); !ok || first.Value != termsIdent {
			return nil, false, false
		}
		for _, a := range n.Arguments[1:] {
			lit, ok := a.(*ast.IntegerNode)
			if !ok {
				return nil, false, false
			}
			ids = append(ids, lit.Value)
		}
		return ids, true, true
	case *ast.BinaryNode:
		l, lok, lexact := termGate(n.Left)
		r, rok, rexact := termGate(n.Right)
		switch n.Operator {
		case "&&", "and":
			if lok {
				return l, true, false
			}
			return r, rok, false
		case "||", "or":
			if lok && rok {
				return append(l, r...), true, lexact && rexact
			}
		}
	}
	return nil, false, false
}

// constBool returns the value of a condition when it does not depend on
// the record: literals and operators only, or an and/or/not whose operands
// settle it (x && false is false whatever x is).
func constBool(n ast.Node) (value, known bool) {
	switch n := n.(type) {
	case *ast.BinaryNode:
		l, lk := constBool(n.Left)
		r, rk := constBool(n.Right)
		switch n.Operator {
		case "&&", "and":
			if (lk && !l) || (rk && !r) {
				return false, true
			}
			return true, lk && rk
		case "||", "or":
			if (lk && l) || (rk && r) {
				return true, true
			}
			return false, lk && rk
		}
	case *ast.UnaryNode:
		if n.Operator == "!" || n.Operator == "not" {
			v, k := constBool(n.Node)
			return !v, k
		}
	}
	if readsRecord(n) {
		return false, false
	}
	out, err := expr.Eval(n.String(), nil)
	b, ok := out.(bool)
	return b, err == nil && ok
}

// readsRecord reports whether n names anything: a field, a helper, a
// variable.
func readsRecord(n ast.Node) bool {
	if _, ok := n.(*ast.IdentifierNode); ok {
		return true
	}
	for _, c := range childNodes(n) {
		if c != nil && readsRecord(c) {
			return true
		}
	}
	return false
}

// readFields returns the position fields a compiled condition reads: the
// fields named in position.X accesses, or all of them if the condition
// uses position (or $env) as a whole.
func readFields(n ast.Node) fieldMask {
	var m fieldMask
	var walk func(n ast.Node)
	walk = func(n ast.Node) {
		switch n := n.(type) {
		case *ast.MemberNode:
			if path := memberPath(n); strings.HasPrefix(path, "position.") {
				if i := slices.Index(positionFields[:], strings.TrimPrefix(path, "position.")); i >= 0 {
					m |= 1 << i
					return
				}
			}
		case *ast.IdentifierNode:
			if n.Value == "position" || n.Value == "$env" {
				m = allFields
			}
		}
		for _, c := range childNodes(n) {
			if c != nil {
				walk(c)
			}
		}
	}
	walk(n)
	return m
}
