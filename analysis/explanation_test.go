package analysis_test

import (
	"testing"

	"cmap/analysis"
)

func TestRecommendationExplanation(t *testing.T) {
	ix := mustBuild(t, fixture())
	const exact = "An exhaustive search proved that no other set of active courses closes them in fewer hours; ties go to fewer courses, then to the course codes in order."
	for _, tc := range []struct{ person, want string }{
		// P-2 completed B-301, which meets POS-2's only requirement.
		{"P-2", "No gaps: the person meets every requirement of their position (or holds none), so nothing is recommended."},
		// P-4 holds no position, so nothing is required.
		{"P-4", "No gaps: the person meets every requirement of their position (or holds none), so nothing is recommended."},
		// P-1 needs A-201 (20 h, A-101 done) for 1.A and B-301 (15 h) for 2.A.
		{"P-1", "2 courses (35 hours) close the person's 2 gaps that active courses can close. " + exact},
		// P-5 also needs A-101 (10 h) as A-201's prerequisite; it closes nothing itself.
		{"P-5", "3 courses (45 hours) close the person's 2 gaps that active courses can close. " +
			"A-101 closes no gap itself: it is a prerequisite the person has not completed. " + exact},
		// P-6 meets 1.A Basic with A-101; only the retired C-401 reaches 2.A Expert.
		{"P-6", "No active course the person can take closes any of their gaps, so nothing is recommended. " +
			"No active course the person can take reaches 2.A at Expert: 1 gap cannot be closed."},
	} {
		check(t, tc.person, recommend(t, ix, tc.person).Explanation(), tc.want)
	}

	// A greedy set states its lower bound instead of a proof, and a single
	// course takes the singular; unclosable gaps follow in a list.
	greedy := &analysis.Recommendation{PersonID: "P-9", Method: analysis.MethodGreedy, TotalHours: 12.5, LowerBoundHours: 10,
		Courses:    []analysis.RecommendedCourse{{Code: "X-1", Hours: 12.5, Closes: []analysis.Gap{{SubCompetency: "1.A", Required: "Basic"}}}},
		Unclosable: []analysis.Gap{{SubCompetency: "1.B", Required: "Expert"}, {SubCompetency: "2.A", Required: "Expert"}}}
	check(t, "greedy", greedy.Explanation(), "1 course (12.5 hours) closes the person's 1 gap that active courses can close. "+
		"The search space was too large to search exhaustively: the set was found greedily, and no set can take fewer than 10 hours. "+
		"No active course the person can take reaches 1.B at Expert, 2.A at Expert: 2 gaps cannot be closed.")
}
