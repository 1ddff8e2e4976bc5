// Package analysis answers the questions curriculum designers and portals
// ask of cmap's facts: the coverage matrix, the catalogue's gaps and
// redundancy, position demand, person readiness, course recommendations
// and the impact of a proposed course change. It is pure and in memory: no
// database, no GraphQL, no rules; the caller supplies the records and the
// facts the rules derived (a Snapshot).
//
// # Index
//
// Build turns a Snapshot into an Index. Answers come from precomputed
// structures (per-level counts of active courses and of positions per
// sub-competency, each person's attainment and gaps, reverse indexes from
// courses to the people who completed them and from positions to their
// holders), so at DoD scale (1,000 courses, 15,000 positions, 20,000
// people) a request costs microseconds to a few milliseconds; see the
// benchmarks in bench_test.go.
//
// An Index is immutable and safe for concurrent use. After a write the app
// either builds a new one or derives it with WithCourse, WithoutCourse,
// WithPerson, WithoutPerson, WithPosition or WithoutPosition, which share
// every unchanged part with the receiver and cost what the write touches.
// Swap the current *Index atomically (e.g. atomic.Pointer) and readers never
// lock. A framework or scale change needs a new Build.
//
// # Semantics
//
//   - Levels are ranked by the Scale, never alphabetically; answers spell
//     them as on the scale. A fact whose level is not on it is an error.
//   - Sub-competencies come in framework (model) order, courses, positions
//     and people sorted by code or id.
//   - A course's coverage facts say what it teaches, whatever its status:
//     the index takes them as the rules derive them (the shipped rules do
//     not look at status; a rule set that does is followed all the same).
//   - Catalogue questions (gaps, demand, what recommendations may use)
//     count active courses only; the matrix shows active courses unless its
//     status filter says otherwise.
//   - A person attains a sub-competency at the highest level of any course
//     they completed that covers it, active or retired, with that course's
//     facts: what a person attained from a course stays attained when the
//     course is retired. Completions of courses no longer in the catalogue
//     (deleted) count for nothing, as their facts are gone, but are kept,
//     in case the course comes back.
//   - A person without a position, or whose position is not indexed, has
//     no requirements and is ready; Readiness.HasPosition says so.
//   - A recommendation is the set of active courses, with the prerequisites
//     the person has not completed (transitively), that closes every gap
//     some such set can close, with the fewest hours, then the fewest
//     courses, then the smallest sorted list of codes. A course whose
//     prerequisite is neither completed nor active cannot be taken. The set
//     is found by branch and bound (MethodExact) or, for large instances,
//     greedily with a proven lower bound (MethodGreedy).
//   - Impact answers compare the Index with the one a change would derive
//     (CourseImpact.After), without modifying it. The caller gives the
//     changed course with the facts the rules derive for it, exactly as a
//     write would, so that the prediction is what the write does: a
//     retirement is the course with its new status and its facts derived
//     again, never its old facts carried over. Only the people who
//     completed the course can change readiness, only the positions
//     requiring a level whose meetability changes can change demand.
//     Anyone with a gap the course (or a course it is a prerequisite of)
//     can close may get another recommendation: an impact answers any
//     person's recommendation before and after
//     (CourseImpact.Recommendations), but does not look for everyone whose
//     recommendation changes, which would cost two set covers per person.
//   - Compare summarizes how a whole other Index differs from this one, for
//     changes of many records at once (an import): counts before and
//     after (records, active courses, uncovered levels, meetable positions,
//     ready people, people's gaps), the people whose gaps differ, and each
//     sub-competency whose highest level, number of active courses or
//     people's gaps change. It holds no per-person list: an import may
//     touch every person.
//
// # Errors
//
// Bad input yields an *domain.Error with code EINVALID and the path of the
// offending field (e.g. `coverage["SCO-201"][2].level`, `minLevel`); an
// unknown person, course or organization yields ENOTFOUND.
package analysis
