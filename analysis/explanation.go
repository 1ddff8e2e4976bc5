package analysis

import (
	"fmt"
	"strconv"
	"strings"
)

// Explanation says why the recommendation is what it is, in plain English:
// how many gaps its courses close in how many hours, which courses are
// there only as prerequisites, how sure the choice is, and which gaps no
// course can close.
func (rec *Recommendation) Explanation() string {
	closed := map[string]bool{}
	var prerequisitesOnly []string
	for _, c := range rec.Courses {
		for _, g := range c.Closes {
			closed[g.SubCompetency] = true
		}
		if len(c.Closes) == 0 {
			prerequisitesOnly = append(prerequisitesOnly, c.Code)
		}
	}
	closable := len(closed)
	var parts []string
	switch {
	case closable == 0 && len(rec.Unclosable) == 0:
		return "No gaps: the person meets every requirement of their position (or holds none), so nothing is recommended."
	case closable == 0:
		parts = append(parts, "No active course the person can take closes any of their gaps, so nothing is recommended.")
	default:
		verb := "close"
		if len(rec.Courses) == 1 {
			verb = "closes"
		}
		parts = append(parts, fmt.Sprintf("%s (%s hours) %s the person's %s that active courses can close.",
			count(len(rec.Courses), "course"), formatHours(rec.TotalHours), verb, count(closable, "gap")))
		if len(prerequisitesOnly) > 0 {
			parts = append(parts, fmt.Sprintf("%s closes no gap itself: it is a prerequisite the person has not completed.",
				strings.Join(prerequisitesOnly, ", ")))
		}
		if rec.Method == MethodExact {
			parts = append(parts, "An exhaustive search proved that no other set of active courses closes them in fewer hours; ties go to fewer courses, then to the course codes in order.")
		} else {
			parts = append(parts, fmt.Sprintf("The search space was too large to search exhaustively: the set was found greedily, and no set can take fewer than %s hours.",
				formatHours(rec.LowerBoundHours)))
		}
	}
	if len(rec.Unclosable) > 0 {
		gaps := make([]string, len(rec.Unclosable))
		for i, g := range rec.Unclosable {
			gaps[i] = g.SubCompetency + " at " + g.Required
		}
		parts = append(parts, fmt.Sprintf("No active course the person can take reaches %s: %s cannot be closed.",
			strings.Join(gaps, ", "), count(len(gaps), "gap")))
	}
	return strings.Join(parts, " ")
}

// count writes n and the noun, in the plural unless n is 1.
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// formatHours writes hours without trailing zeros: 40, 12.5.
func formatHours(h float64) string { return strconv.FormatFloat(h, 'f', -1, 64) }
