package ruleplan_test

import (
	"archive/tar"
	"bytes"
	"cmap/domain"
	"io/fs"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"

	"cmap/engine"
	"cmap/ruleplan"
	"cmap/seed"
)

// shipped returns the sample catalogue and the shipped rule files.
func shipped(t *testing.T) (ruleplan.Catalogue, ruleplan.Files) {
	t.Helper()
	ds, err := seed.Load("../seeds")
	if err != nil {
		t.Fatal(err)
	}
	cat := ruleplan.Catalogue{Framework: ds.Framework}
	cat.Courses = domain.Refs(ds.Courses)
	cat.Positions = domain.Refs(ds.Positions)
	cat.People = domain.Refs(ds.People)
	files := ruleplan.Files{}
	err = fs.WalkDir(os.DirFS("../rules"), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		files[p], err = fs.ReadFile(os.DirFS("../rules"), p)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return cat, files
}

// edit returns a copy of files with old replaced by new in the file at p,
// failing the test when old is not there.
func edit(t *testing.T, files ruleplan.Files, p, old, new string) ruleplan.Files {
	t.Helper()
	out := maps.Clone(files)
	if !strings.Contains(string(out[p]), old) {
		t.Fatalf("%s does not hold %q", p, old)
	}
	out[p] = []byte(strings.Replace(string(out[p]), old, new, 1))
	return out
}

// side loads files and applies them to cat.
func side(t *testing.T, files ruleplan.Files, cat ruleplan.Catalogue) *ruleplan.Side {
	t.Helper()
	rs, err := files.Load("rules", cat.Framework)
	if err != nil {
		t.Fatal(err)
	}
	s, err := ruleplan.Apply(rs, cat)
	if err != nil || s.RunErrors != nil {
		t.Fatal(err, s.RunErrors)
	}
	return s
}

// readyByHand computes, straight from the facts, whether each person with
// a position meets every requirement of it: for each required
// sub-competency some completed course covers it at the level or higher.
// It is the definition of readiness, independent of the analysis index.
func readyByHand(cat ruleplan.Catalogue, s *ruleplan.Side) map[string]bool {
	scale := s.Rules.Scale()
	out := map[string]bool{}
	for _, p := range cat.People {
		reqs, ok := s.Requirements[p.PositionID]
		if !ok {
			continue
		}
		ready := true
		for _, r := range reqs {
			need, _ := scale.Rank(r.Level)
			best := 0
			for _, c := range p.Completions {
				for _, f := range s.Coverage[c.CourseCode] {
					if f.SubCompetency == r.SubCompetency {
						rank, _ := scale.Rank(f.Level)
						best = max(best, rank)
					}
				}
			}
			ready = ready && best >= need
		}
		out[p.ID] = ready
	}
	return out
}

func TestPositionRuleChange(t *testing.T) {
	cat, files := shipped(t)
	base := side(t, files, cat)
	// Abroad, 1.E is needed at Basic (all-workforce-regional-basics)
	// rather than Intermediate: one person of the sample catalogue lacks
	// nothing else.
	head := side(t, edit(t, files, "positions/workforce.yaml", "requires: {1.D-1.E: Intermediate}", "requires: {1.D: Intermediate}"), cat)
	plan := ruleplan.Compare(base, head)

	// The positions whose requirements change, each rule set applied to
	// each position on its own.
	levels := func(rs *engine.RuleSet, p *domain.Position) map[string]string {
		reqs, err := rs.PositionRequirements(p)
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		for _, r := range reqs {
			m[r.SubCompetency] = r.Level
		}
		return m
	}
	want := map[string]bool{}
	for _, p := range cat.Positions {
		if b, a := levels(base.Rules, p), levels(head.Rules, p); !maps.Equal(b, a) {
			want[p.ID] = true
			if b["1.E"] != "Intermediate" || a["1.E"] != "Basic" {
				t.Errorf("%s: 1.E %q -> %q, want Intermediate -> Basic", p.ID, b["1.E"], a["1.E"])
			}
		}
	}
	if len(want) == 0 {
		t.Fatal("no position requires 1.E at Intermediate: the test changes nothing")
	}
	got := map[string]bool{}
	for _, pc := range plan.Positions {
		got[pc.Position] = true
		if len(pc.Changes) != 1 || pc.Changes[0] != (ruleplan.LevelChange{SubCompetency: "1.E", Before: "Intermediate", After: "Basic"}) {
			t.Errorf("%s: changes %+v, want 1.E Intermediate -> Basic", pc.Position, pc.Changes)
		}
		holders := 0
		for _, p := range cat.People {
			if p.PositionID == pc.Position {
				holders++
			}
		}
		if pc.Holders != holders {
			t.Errorf("%s: %d holders, want %d", pc.Position, pc.Holders, holders)
		}
	}
	if !maps.Equal(got, want) {
		t.Errorf("positions %v, want %v", slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(want)))
	}
	if len(plan.Rules) != 1 || plan.Rules[0].ID != "overseas-counterpart-engagement" || plan.Rules[0].Change != ruleplan.Changed ||
		plan.Rules[0].File != "rules/positions/workforce.yaml" || len(plan.Rules[0].Facts) != len(plan.Facts) {
		t.Errorf("%d rules, want overseas-counterpart-engagement changed with every fact change", len(plan.Rules))
	}
	if len(plan.Unattributed) != 0 {
		t.Errorf("unattributed %+v", plan.Unattributed)
	}

	// People and organizations, against readiness computed from the facts.
	before, after := readyByHand(cat, base), readyByHand(cat, head)
	flipped := map[string]bool{}
	for id := range after {
		if before[id] != after[id] {
			flipped[id] = true
		}
	}
	gotFlipped := map[string]bool{}
	for _, c := range plan.People.Changes {
		if c.ReadyBefore != before[c.Person] || c.ReadyAfter != after[c.Person] {
			t.Errorf("%s: ready %v -> %v, want %v -> %v", c.Person, c.ReadyBefore, c.ReadyAfter, before[c.Person], after[c.Person])
		}
		if c.ReadyBefore != c.ReadyAfter {
			gotFlipped[c.Person] = true
		}
	}
	if len(flipped) == 0 || !maps.Equal(gotFlipped, flipped) {
		t.Errorf("people whose readiness flips: %d, want %d", len(gotFlipped), len(flipped))
	}
	if plan.People.BecomeReady != len(flipped) || plan.People.BecomeUnready != 0 {
		t.Errorf("become ready %d, unready %d; want %d, 0", plan.People.BecomeReady, plan.People.BecomeUnready, len(flipped))
	}
	orgOf := map[string]string{}
	for _, p := range cat.Positions {
		orgOf[p.ID] = p.Organization
	}
	readyIn := func(ready map[string]bool) map[string]int {
		n := map[string]int{}
		for _, p := range cat.People {
			if ready[p.ID] {
				n[orgOf[p.PositionID]]++
			}
		}
		return n
	}
	rb, ra := readyIn(before), readyIn(after)
	wantOrgs := map[string]bool{}
	for _, p := range cat.Positions {
		if org := p.Organization; rb[org] != ra[org] {
			wantOrgs[org] = true
		}
	}
	gotOrgs := map[string]bool{}
	for _, o := range plan.Organizations {
		gotOrgs[o.Organization] = true
		if o.ReadyBefore != rb[o.Organization] || o.ReadyAfter != ra[o.Organization] || o.ShareAfter != float64(o.ReadyAfter)/float64(o.People) {
			t.Errorf("%+v, want ready %d -> %d", o, rb[o.Organization], ra[o.Organization])
		}
	}
	if len(wantOrgs) == 0 || !maps.Equal(gotOrgs, wantOrgs) {
		t.Errorf("organizations %v, want %v", slices.Sorted(maps.Keys(gotOrgs)), slices.Sorted(maps.Keys(wantOrgs)))
	}
}

func TestExclusionAndRulesWithoutEffect(t *testing.T) {
	cat, files := shipped(t)
	base := side(t, files, cat)
	added := "courses/plan-test.yaml"
	changed := maps.Clone(files)
	changed[added] = []byte(`rules:
  - id: no-initial-assessment-at-ame-201
    description: AME-201 no longer teaches initial assessments.
    course: course.code == "AME-201"
    exclude: [7.A]
  - id: never-fires
    course: course.hours < 0
    covers: {1.A: Expert}
`)
	// And a rule removed: 4k-trade-shows, the only rule of 4.K.
	p4 := "courses/4-sales-and-transfers.yaml"
	src := string(changed[p4])
	start := strings.Index(src, "  - id: 4k-trade-shows")
	end := strings.Index(src, "  - id: 4l-accounting")
	changed[p4] = []byte(src[:start] + src[end:])
	head := side(t, changed, cat)
	plan := ruleplan.Compare(base, head)

	byID := map[string]ruleplan.RuleChange{}
	for _, r := range plan.Rules {
		byID[r.ID] = r
	}
	if len(byID) != 3 {
		t.Fatalf("rules %+v, want the two added and the one removed", plan.Rules)
	}
	excl := byID["no-initial-assessment-at-ame-201"]
	if excl.Change != ruleplan.Added || excl.File != "rules/"+added || excl.Line != 2 ||
		len(excl.Facts) != 1 || excl.Facts[0].Subject != "AME-201" || excl.Facts[0].SubCompetency != "7.A" || excl.Facts[0].Change != ruleplan.Removed {
		t.Errorf("the exclusion: %+v, want added at line 2, removing AME-201 7.A", excl)
	}
	if r := byID["never-fires"]; r.Change != ruleplan.Added || len(r.Facts) != 0 {
		t.Errorf("never-fires: %+v, want added without fact changes", r)
	}
	removed := byID["4k-trade-shows"]
	baseRule := base.Rules.Rule("4k-trade-shows")
	if removed.Change != ruleplan.Removed || removed.File != baseRule.File || removed.Line != baseRule.Line {
		t.Errorf("4k-trade-shows: %+v, want removed at %s:%d", removed, baseRule.File, baseRule.Line)
	}
	var trade []string
	for c, facts := range base.Coverage {
		for _, f := range facts {
			if f.SubCompetency == "4.K" {
				trade = append(trade, c)
			}
		}
	}
	var gotTrade []string
	for _, f := range removed.Facts {
		gotTrade = append(gotTrade, f.Subject)
	}
	slices.Sort(trade)
	if len(trade) == 0 || !slices.Equal(gotTrade, trade) {
		t.Errorf("4k-trade-shows explains %v, want the courses that covered 4.K: %v", gotTrade, trade)
	}
	if len(plan.Facts) != len(trade)+1 || len(plan.Unattributed) != 0 {
		t.Errorf("%d fact changes (%d unattributed), want %d", len(plan.Facts), len(plan.Unattributed), len(trade)+1)
	}
	// No active course teaches 4.K any more: its gap opens at every level
	// where it was taught.
	for _, g := range plan.Gaps {
		if g.Level == "Basic" && !slices.Contains(g.Opened, "4.K") {
			t.Errorf("gaps at Basic: %+v, want 4.K opened", g)
		}
	}

	// A plan of rules without effect changes nothing.
	quiet := maps.Clone(files)
	quiet[added] = []byte("rules:\n  - id: never-fires\n    course: course.hours < 0\n    covers: {1.A: Expert}\n")
	if p := ruleplan.Compare(base, side(t, quiet, cat)); p.Changed() || len(p.Rules) != 1 {
		t.Errorf("a rule that never fires: changed %v, rules %+v", p.Changed(), p.Rules)
	}
	if p := ruleplan.Compare(base, base); p.Changed() || len(p.Rules) != 0 || len(p.Gaps)+len(p.Demand)+len(p.People.Changes)+len(p.Organizations) != 0 {
		t.Errorf("a set against itself: %+v", p)
	}
}

// archive returns a tar archive of the files, in order, each a regular
// file unless its name ends with a slash.
func archive(t *testing.T, names ...string) *bytes.Buffer {
	t.Helper()
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for _, n := range names {
		h := &tar.Header{Name: n, Mode: 0o644, Size: int64(len(n)), Typeflag: tar.TypeReg}
		if strings.HasSuffix(n, "/") {
			h.Typeflag, h.Size = tar.TypeDir, 0
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if h.Typeflag == tar.TypeReg {
			tw.Write([]byte(n))
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return &b
}

func TestReadTar(t *testing.T) {
	files, err := ruleplan.ReadTar(archive(t, "courses/", "courses/a.yaml", "./scale.yaml"))
	if err != nil || len(files) != 2 || string(files["courses/a.yaml"]) != "courses/a.yaml" || string(files["scale.yaml"]) != "./scale.yaml" {
		t.Errorf("files %v, err %v; want courses/a.yaml and scale.yaml with their content", slices.Sorted(maps.Keys(files)), err)
	}
	for _, bad := range []string{"../a.yaml", "/etc/a.yaml", "courses/../../a.yaml"} {
		if _, err := ruleplan.ReadTar(archive(t, bad)); err == nil || !strings.Contains(err.Error(), bad) {
			t.Errorf("%s: err %v, want one naming the file outside the directory", bad, err)
		}
	}
}
