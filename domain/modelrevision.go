package domain

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"cmap/diag"
)

// Model revisions
//
// A competency model is revised now and then: statements reworded, titles
// renamed, sub-competencies retired, added or moved to another code. A
// store keeps every revision it was given (Store.FrameworkRevisions); the
// last one is the active revision, the Framework that rules, coverage,
// requirements and readiness are computed against. Revision 1 is the model
// first stored (seeded). Each later revision comes with a Crosswalk from
// the one before: for each old code that changed, the new codes it became,
// or none when it was retired. Revise checks a crosswalk and makes the
// next revision; the codes a revision no longer has, and where the
// crosswalks took them, stay known as its Former codes, so that a rule
// naming one is reported with the crosswalk's suggestion rather than as an
// unknown code.

// FrameworkRevision is one revision of the competency model a store holds.
type FrameworkRevision struct {
	// Framework is the model of the revision; its Revision field numbers
	// it (1, 2, ...) and its Former field lists the codes of earlier
	// revisions that it no longer has.
	Framework *Framework
	// Crosswalk maps the codes of the previous revision to this one's;
	// empty for revision 1.
	Crosswalk Crosswalk
	// AppliedAt is when the revision was stored (set by the store).
	AppliedAt time.Time
	// Audit is the ID of the audit entry of the write that stored the
	// revision ("" when none: seeding).
	Audit string
}

// Number returns the revision's number.
func (r *FrameworkRevision) Number() int { return r.Framework.Revision }

// FormerCode is a code of an earlier revision of a model that the
// revision holding it no longer has, and where the crosswalks took it.
type FormerCode struct {
	// Code is the former code: a sub-competency ("4.C") or a competency
	// ("4.0").
	Code string `json:"code"`
	// Revision is the revision that dropped it.
	Revision int `json:"revision"`
	// Successors are the codes of the revision holding this FormerCode
	// that the crosswalks map it to, in the order given; empty when it
	// was retired without one.
	Successors []string `json:"successors,omitempty"`
}

// Suggestion says what became of the former code, for a message about a
// rule that names it: "4.C was retired in revision 2; the crosswalk maps
// it to 4.D".
func (c FormerCode) Suggestion() string {
	if len(c.Successors) == 0 {
		return fmt.Sprintf("%s was retired in revision %d; the crosswalk maps it to nothing: drop it", c.Code, c.Revision)
	}
	return fmt.Sprintf("%s was retired in revision %d; the crosswalk maps it to %s", c.Code, c.Revision, strings.Join(c.Successors, ", "))
}

// CrosswalkRetired is how a crosswalk file says that a code has no
// successor.
const CrosswalkRetired = "retired"

// CrosswalkEntry maps one code of a revision to the codes it becomes in
// the next: one code (moved or renumbered), several (split), or none
// (retired). Two entries with the same New code are a merge. An entry
// whose New is its own Old code says that the item is unchanged in
// meaning, which is only worth saying of a code that other entries also
// map to (a merge into it) or that is also split.
type CrosswalkEntry struct {
	Old string   `json:"old"`
	New []string `json:"new"`
}

// Crosswalk maps the codes of one revision of a model to the next. Codes
// it does not name keep their meaning when the next revision still has
// them.
type Crosswalk []CrosswalkEntry

// Lookup returns the entry for old code, if the crosswalk has one.
func (cw Crosswalk) Lookup(old string) (CrosswalkEntry, bool) {
	for _, e := range cw {
		if e.Old == old {
			return e, true
		}
	}
	return CrosswalkEntry{}, false
}

// CrosswalkProblem is one thing wrong with a crosswalk, found by Check:
// the entry (Index) and the field within it ("old", "new[1]").
type CrosswalkProblem struct {
	Index   int
	Field   string
	Message string
}

// Check reports every problem of cw as a crosswalk from revision old to
// revision next, in entry order: an old code that old does not have, or
// given twice; a new code that next does not have; a sub-competency mapped
// to a competency or the reverse; a code given twice in one entry.
func (cw Crosswalk) Check(old, next *Framework) []CrosswalkProblem {
	var out []CrosswalkProblem
	add := func(i int, field, format string, args ...any) {
		out = append(out, CrosswalkProblem{Index: i, Field: field, Message: fmt.Sprintf(format, args...)})
	}
	first := map[string]int{}
	for i, e := range cw {
		oldKind := codeKind(old, e.Old)
		switch {
		case oldKind == "":
			add(i, "old", "%s is not a code of revision %d (the model being replaced)", quoteCode(e.Old), old.Revision)
		default:
			if j, ok := first[e.Old]; ok {
				add(i, "old", "%s is mapped twice (entries %d and %d): list every code it becomes in one entry", e.Old, j+1, i+1)
			} else {
				first[e.Old] = i
			}
		}
		seen := map[string]bool{}
		for j, n := range e.New {
			field := fmt.Sprintf("new[%d]", j)
			newKind := codeKind(next, n)
			switch {
			case newKind == "":
				add(i, field, "%s is not a code of the new revision", quoteCode(n))
			case oldKind != "" && newKind != oldKind:
				add(i, field, "%s %s cannot become %s %s", oldKind, e.Old, newKind, n)
			case seen[n]:
				add(i, field, "%s is given twice for %s", n, e.Old)
			}
			seen[n] = true
		}
	}
	return out
}

// codeKind returns "sub-competency" or "competency" when fw has code, ""
// otherwise.
func codeKind(fw *Framework, code string) string {
	switch {
	case IsSubCompetencyCode(code) && fw.SubCompetency(code) != nil:
		return "sub-competency"
	case IsCompetencyCode(code) && fw.Competency(code) != nil:
		return "competency"
	}
	return ""
}

// quoteCode returns code as a message shows it: bare when it has the
// shape of a code, quoted otherwise.
func quoteCode(code string) string {
	if IsSubCompetencyCode(code) || IsCompetencyCode(code) {
		return code
	}
	return fmt.Sprintf("%q", shorten(code))
}

// Validate checks cw as a crosswalk from old to next and returns the first
// problem Check finds as EINVALID on the field path "crosswalk[i].field".
func (cw Crosswalk) Validate(old, next *Framework) error {
	if p := cw.Check(old, next); len(p) > 0 {
		return Invalid(fmt.Sprintf("crosswalk[%d].%s", p[0].Index, p[0].Field), "%s", p[0].Message)
	}
	return nil
}

// Revise returns the revision that follows prev with the model next and
// the crosswalk cw: a copy of next numbered prev.Revision+1 (2 after an
// unnumbered prev), with its Former codes: those of prev that next does
// not have again, their successors carried through cw, and the codes cw
// maps that next no longer has. It fails with EINVALID when next fails
// Validate ("framework.") or cw fails Validate ("crosswalk[i].").
//
// Revise does not require cw to account for every code next drops:
// which of those matter depends on what names them (see Unaccounted).
func Revise(prev, next *Framework, cw Crosswalk) (*FrameworkRevision, error) {
	if err := next.Validate(); err != nil {
		return nil, prefixField("framework", err)
	}
	if err := cw.Validate(prev, next); err != nil {
		return nil, err
	}
	f := next.Clone()
	f.Revision = max(prev.Revision, 1) + 1
	f.Former = nil
	has := func(code string) bool { return codeKind(f, code) != "" }
	// carry follows code of prev's revision through cw to the codes of f.
	carry := func(code string) []string {
		if e, ok := cw.Lookup(code); ok {
			return e.New
		}
		if has(code) {
			return []string{code}
		}
		return nil
	}
	for _, fc := range prev.Former {
		if has(fc.Code) {
			continue // the code names an item of the new revision again
		}
		var succ []string
		for _, s := range fc.Successors {
			for _, n := range carry(s) {
				if !slices.Contains(succ, n) {
					succ = append(succ, n)
				}
			}
		}
		f.Former = append(f.Former, FormerCode{Code: fc.Code, Revision: fc.Revision, Successors: succ})
	}
	for _, e := range cw {
		if has(e.Old) {
			continue
		}
		f.Former = append(f.Former, FormerCode{Code: e.Old, Revision: f.Revision, Successors: slices.Clone(e.New)})
	}
	return &FrameworkRevision{Framework: f, Crosswalk: slices.Clone(cw)}, nil
}

// CodeUse is a place where something names a sub-competency: a rule's
// covers:, requires: or exclude: entry.
type CodeUse struct {
	Code string
	// Rule is the rule's ID; Pos is where the entry is.
	Rule string
	Pos  diag.Pos
}

// Unaccounted returns the uses of codes (codes of the revision being
// replaced) that next does not have and cw does not map, in the order of
// uses: a revision with any is refused, since what names those codes
// would lose them silently.
func Unaccounted(next *Framework, cw Crosswalk, uses []CodeUse) []CodeUse {
	var out []CodeUse
	for _, u := range uses {
		if codeKind(next, u.Code) != "" {
			continue
		}
		if _, ok := cw.Lookup(u.Code); ok {
			continue
		}
		out = append(out, u)
	}
	return out
}

// Reused returns the uses of codes that cw maps to other codes and that
// next still has, in the order of uses: the new revision gave the code to
// another item, and what names it now names that item, which may not be
// what its author meant.
func Reused(next *Framework, cw Crosswalk, uses []CodeUse) []CodeUse {
	var out []CodeUse
	for _, u := range uses {
		if e, ok := cw.Lookup(u.Code); ok && !slices.Contains(e.New, u.Code) && codeKind(next, u.Code) != "" {
			out = append(out, u)
		}
	}
	return out
}

// FormerCode returns what became of code, a code of an earlier revision
// that f no longer has, and false when f has no such former code.
func (f *Framework) FormerCode(code string) (FormerCode, bool) {
	for _, c := range f.Former {
		if c.Code == code {
			return c, true
		}
	}
	return FormerCode{}, false
}

// Clone returns a deep copy of f.
func (f *Framework) Clone() *Framework {
	out := *f
	out.Competencies = make([]Competency, len(f.Competencies))
	for i, c := range f.Competencies {
		c.SubCompetencies = slices.Clone(c.SubCompetencies)
		out.Competencies[i] = c
	}
	out.Former = make([]FormerCode, len(f.Former))
	for i, fc := range f.Former {
		fc.Successors = slices.Clone(fc.Successors)
		out.Former[i] = fc
	}
	if len(out.Former) == 0 {
		out.Former = nil
	}
	return &out
}
