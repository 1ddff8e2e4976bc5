package graph_test

import (
	"slices"
	"testing"
)

func TestSuggestions(t *testing.T) {
	t.Parallel()
	store, _ := seeded(t)
	c, _ := serve(t, store)
	type suggestion struct {
		SubCompetency struct {
			Code      string
			CoveredBy []struct{ CourseCode string }
		}
		Course  struct{ Code, Status string }
		Rank    int
		Score   float64
		Matched []string
	}
	var one struct{ Suggestions []suggestion }
	c.query(`{ suggestions(subCompetency: "4.K", top: 3) { subCompetency { code coveredBy(status: ANY) { courseCode } } course { code status } rank score matched } }`, nil).decode(t, &one)
	if len(one.Suggestions) != 3 {
		t.Fatalf("%d suggestions for 4.K, want 3", len(one.Suggestions))
	}
	for i, s := range one.Suggestions {
		mapped := slices.ContainsFunc(s.SubCompetency.CoveredBy, func(f struct{ CourseCode string }) bool { return f.CourseCode == s.Course.Code })
		if s.SubCompetency.Code != "4.K" || s.Rank != i+1 || s.Course.Status != "ACTIVE" || mapped || s.Score <= 0 || len(s.Matched) == 0 ||
			(i > 0 && s.Score > one.Suggestions[i-1].Score) {
			t.Errorf("suggestion %d: %+v, want an active course no rule maps to 4.K, ranked by score, with the words matched", i, s)
		}
	}

	var all struct {
		Suggestions []struct {
			SubCompetency struct{ Code string }
			Rank          int
		}
		Competencies []struct{ SubCompetencies []struct{ Code string } }
	}
	c.query(`{ suggestions(top: 1) { subCompetency { code } rank } competencies { subCompetencies { code } } }`, nil).decode(t, &all)
	var model, got []string
	for _, comp := range all.Competencies {
		for _, s := range comp.SubCompetencies {
			model = append(model, s.Code)
		}
	}
	for _, s := range all.Suggestions {
		got = append(got, s.SubCompetency.Code)
	}
	if len(got) == 0 || !slices.IsSortedFunc(got, func(a, b string) int { return slices.Index(model, a) - slices.Index(model, b) }) || len(slices.Compact(slices.Clone(got))) != len(got) {
		t.Errorf("top 1 of every sub-competency: %v, want at most one each, in model order", got)
	}

	c.query(`{ suggestions(subCompetency: "4.Z") { rank } }`, nil).wantError(t, "BAD_USER_INPUT", "subCompetency")
	c.query(`{ suggestions(top: -1) { rank } }`, nil).wantError(t, "BAD_USER_INPUT", "top")
}
