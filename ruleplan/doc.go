// Package ruleplan computes the plan of a rule change: what replacing one
// rule set (the base) by another (the head) would change over one
// catalogue, before the change is made. It is pure and in memory, like
// analysis: the caller supplies the two rule sets and the records (or,
// for the base, the facts and index it already serves), and nothing is
// written anywhere.
//
// # What a plan holds
//
//   - Facts added, removed and changed: course -> sub-competency -> level
//     and position -> sub-competency -> level, each with the rules that gave
//     it before and after. A fact is the triple: a fact whose level stays
//     the same is unchanged even if the rules behind it, or their lines,
//     moved.
//   - The same fact changes grouped by rule: each rule added, removed or
//     changed (its condition, yields or exclusion; a description or a move
//     to another line is not a change), with its file:line and the fact
//     changes it explains. A rule explains a fact change when it gives the
//     fact on one side (an unchanged rule gives the same facts on both
//     sides, so only changed rules can), or when it is an exclusion that
//     fired on the record on one side and excludes that sub-competency. A
//     change no changed rule explains (a new scale) is Unattributed.
//   - Gaps opened and closed at each level of the scale (as analysis.Gaps
//     reports them: no active course at that level or above).
//   - Blocking demand gained and lost (analysis.Demand: positions require a
//     level no active course reaches).
//   - Positions whose requirements change, people whose readiness changes
//     (ready to not ready, the reverse, or other gaps) and organizations
//     whose ready share moves.
//
// Lists are ordered: sub-competencies in model order, courses, positions
// and people by key, rules by file and line, levels lowest first.
//
// A plan Changed when some fact changes: a rule edited without effect on
// the catalogue is listed under Rules but is no change, as a plan with
// nothing to apply.
package ruleplan
