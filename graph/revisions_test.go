package graph_test

import (
	"strings"
	"testing"

	"cmap/modelfile"
)

// revisionInput returns the revised copy of the shipped model in
// testdata/revision (1.D reworded, 2.0 renamed, 4.C moved to 4.M, 4.K
// retired, 9.E added) as a ModelRevisionInput, with crosswalk.
func revisionInput(t *testing.T, crosswalk []map[string]any) map[string]any {
	t.Helper()
	fw, err := modelfile.ReadFile("../testdata/revision/revision-2-competency-model.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var comps []map[string]any
	for _, c := range fw.Competencies {
		var subs []map[string]any
		for _, s := range c.SubCompetencies {
			subs = append(subs, map[string]any{"code": s.Code, "statement": s.Statement})
		}
		comps = append(comps, map[string]any{"code": c.Code, "title": c.Title, "description": c.Description, "subCompetencies": subs})
	}
	return map[string]any{"framework": map[string]any{"name": fw.Name, "competencies": comps}, "crosswalk": crosswalk}
}

var sampleCrosswalk = []map[string]any{{"old": "4.C", "new": []string{"4.M"}}, {"old": "4.K", "new": []string{}}}

const revisionPlanFields = `revision previous applied
	diff { summary changed mappings { change old { code } new { code } } renamed { code old new } added { code } }
	warnings { file line column message }
	impact { changed gaps { level opened { code } } }`

type revisionPlanResult struct {
	Revision, Previous int
	Applied            bool
	Diff               struct {
		Summary  string
		Changed  bool
		Mappings []struct {
			Change   string
			Old, New []struct{ Code string }
		}
		Renamed []struct{ Code, Old, New string }
		Added   []struct{ Code string }
	}
	Warnings []struct {
		File         string
		Line, Column int
		Message      string
	}
	Impact struct {
		Changed bool
		Gaps    []struct {
			Level  string
			Opened []struct{ Code string }
		}
	}
}

func TestModelRevisionOverGraphQL(t *testing.T) {
	t.Parallel()
	store, _ := seeded(t)
	c, _ := serve(t, store)
	vars := map[string]any{"input": revisionInput(t, sampleCrosswalk)}

	var plan struct{ ModelRevisionPlan revisionPlanResult }
	c.query(`query($input: ModelRevisionInput!) { modelRevisionPlan(input: $input) { `+revisionPlanFields+` } }`, vars).decode(t, &plan)
	p := plan.ModelRevisionPlan
	if p.Revision != 2 || p.Previous != 1 || p.Applied || !p.Diff.Changed || len(p.Diff.Mappings) != 2 ||
		p.Diff.Mappings[0].Change != "moved" || p.Diff.Mappings[0].New[0].Code != "4.M" || len(p.Warnings) != 4 || !p.Impact.Changed {
		t.Fatalf("plan: %+v", p)
	}
	// The impact names codes only the new revision has.
	if g := p.Impact.Gaps; len(g) == 0 || g[0].Level != "Basic" || len(g[0].Opened) != 2 || g[0].Opened[0].Code != "4.M" || g[0].Opened[1].Code != "9.E" {
		t.Errorf("impact gaps: %+v", g)
	}
	if w := p.Warnings[len(p.Warnings)-1]; w.File != "../rules/positions/sco.yaml" || w.Line != 6 || w.Column != 62 ||
		w.Message != "4.C is not in revision 2 of the competency model: 4.C was retired in revision 2; the crosswalk maps it to 4.M" {
		t.Errorf("last warning: %+v", w)
	}

	var applied struct{ ApplyModelRevision revisionPlanResult }
	c.query(`mutation($input: ModelRevisionInput!) { applyModelRevision(input: $input) { `+revisionPlanFields+` } }`, vars).decode(t, &applied)
	a := applied.ApplyModelRevision
	if !a.Applied {
		t.Error("applyModelRevision says it did not apply")
	}
	a.Applied = false
	if a.Revision != p.Revision || a.Diff.Summary != p.Diff.Summary || len(a.Warnings) != len(p.Warnings) || len(a.Impact.Gaps) != len(p.Impact.Gaps) {
		t.Errorf("applied %+v\nplanned %+v", a, p)
	}

	// Both revisions are readable; the active one is served, and the rule
	// set says which rules name the codes it dropped.
	var got struct {
		FrameworkRevisions []struct {
			Revision  int
			Crosswalk []struct {
				Old string
				New []string
			}
			Framework struct{ Name string }
		}
		Old struct {
			Revision     int
			Competencies []struct {
				Code            string
				SubCompetencies []struct {
					Code       string
					Competency struct{ Title string }
				}
			}
		}
		Active struct {
			Revision    int
			FormerCodes []struct {
				Code       string
				Revision   int
				Successors []string
				Suggestion string
			}
		}
		RuleSet struct {
			Warnings []struct{ Message string }
		}
	}
	c.query(`{ frameworkRevisions { revision crosswalk { old new } framework { name } }
		old: framework(revision: 1) { revision competencies { code subCompetencies { code competency { title } } } }
		active: framework { revision formerCodes { code revision successors suggestion } }
		ruleSet { warnings { message } } }`, nil).decode(t, &got)
	if r := got.FrameworkRevisions; len(r) != 2 || r[0].Revision != 1 || len(r[0].Crosswalk) != 0 || r[1].Revision != 2 ||
		len(r[1].Crosswalk) != 2 || r[1].Crosswalk[1].Old != "4.K" || len(r[1].Crosswalk[1].New) != 0 {
		t.Errorf("frameworkRevisions: %+v", r)
	}
	if got.Old.Revision != 1 || got.Old.Competencies[3].SubCompetencies[2].Code != "4.C" ||
		got.Old.Competencies[3].SubCompetencies[2].Competency.Title != "Sales and Transfers" {
		t.Errorf("framework(revision: 1): %+v", got.Old.Competencies[3])
	}
	if f := got.Active.FormerCodes; got.Active.Revision != 2 || len(f) != 2 || f[0].Code != "4.C" || f[0].Successors[0] != "4.M" ||
		f[1].Suggestion != "4.K was retired in revision 2; the crosswalk maps it to nothing: drop it" {
		t.Errorf("the active framework: %+v", got.Active)
	}
	if len(got.RuleSet.Warnings) != 4 {
		t.Errorf("ruleSet warnings: %+v", got.RuleSet.Warnings)
	}

	c.query(`{ framework(revision: 3) { name } }`, nil).wantError(t, "NOT_FOUND", "")

	var audit struct{ AuditLog auditPage }
	c.query(`{ auditLog(filter: {recordType: MODEL}) { edges { node { `+auditEntryFields+` } } pageInfo { hasNextPage } } }`, nil).decode(t, &audit)
	if e := audit.AuditLog.Edges; len(e) != 1 || e[0].Node.Operation != "REVISE" || e[0].Node.RecordKey != "framework" ||
		e[0].Node.Actor != "key:tester" || *e[0].Node.VersionBefore != 1 || *e[0].Node.VersionAfter != 2 || e[0].Node.State != "DONE" {
		t.Errorf("audit log of the model: %+v", audit.AuditLog)
	}

	// The same crosswalk again does not fit revision 2; the field names
	// the entry.
	c.query(`mutation($input: ModelRevisionInput!) { applyModelRevision(input: $input) { revision } }`, vars).
		wantError(t, "BAD_USER_INPUT", "input.crosswalk[0].old")
}

func TestModelRevisionRefusesCodesInUseUnaccountedFor(t *testing.T) {
	t.Parallel()
	store, _ := seeded(t)
	c, _ := serve(t, store)
	vars := map[string]any{"input": revisionInput(t, sampleCrosswalk[:1])}
	e := c.query(`mutation($input: ModelRevisionInput!) { applyModelRevision(input: $input) { revision } }`, vars).
		wantError(t, "BAD_USER_INPUT", "input.crosswalk")
	if !strings.Contains(e.Message, "4.K, named by rule 4k-trade-shows at ../rules/courses/4-sales-and-transfers.yaml:50:14") {
		t.Errorf("message: %s", e.Message)
	}
	vars = map[string]any{"input": revisionInput(t, sampleCrosswalk)}
	vars["input"].(map[string]any)["framework"].(map[string]any)["competencies"].([]map[string]any)[1]["title"] = ""
	c.query(`query($input: ModelRevisionInput!) { modelRevisionPlan(input: $input) { revision } }`, vars).
		wantError(t, "BAD_USER_INPUT", "input.framework.competencies[1].title")
	if fw, err := store.Framework(t.Context()); err != nil || fw.Revision != 1 {
		t.Errorf("after refusals the active revision is %v (%v)", fw, err)
	}
}
