package workload_test

import (
	"bytes"
	"cmap/domain"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cmap/engine"
	"cmap/modelfile"
	"cmap/seed"
	"cmap/workload"
)

// shippedModel returns cmap's competency model file: its name, content and
// framework.
func shippedModel(t *testing.T) (string, []byte, *domain.Framework) {
	t.Helper()
	path := filepath.Join("..", "seeds", "security-cooperation-competency-model.txt")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	fw, err := modelfile.Read(path, data)
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Base(path), data, fw
}

// generate generates cfg's workload and writes it into a new folder,
// returning the workload and the folder (seeds/ and rules/ in it).
func generate(t *testing.T, cfg workload.Config) (*workload.Workload, string) {
	t.Helper()
	name, data, fw := shippedModel(t)
	w, err := workload.Generate(cfg, fw, name, data)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := w.Write(filepath.Join(dir, "seeds"), filepath.Join(dir, "rules")); err != nil {
		t.Fatal(err)
	}
	return w, dir
}

// files reads every file below dir, by path relative to dir.
func files(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		out[rel], err = os.ReadFile(path)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestSameConfigSameFiles(t *testing.T) {
	cfg := workload.Config{Scale: 0.05, Seed: 7}
	_, dir1 := generate(t, cfg)
	_, dir2 := generate(t, cfg)
	a, b := files(t, dir1), files(t, dir2)
	if len(a) != len(b) {
		t.Fatalf("%d files, then %d", len(a), len(b))
	}
	for name, content := range a {
		if !bytes.Equal(content, b[name]) {
			t.Errorf("%s differs between two generations of the same config", name)
		}
	}

	_, other := generate(t, workload.Config{Scale: 0.05, Seed: 8})
	c := files(t, other)
	for _, name := range []string{"seeds/courses.yaml", "seeds/people.csv", "rules/positions/workforce.yaml"} {
		name = filepath.FromSlash(name)
		if bytes.Equal(a[name], c[name]) {
			t.Errorf("%s is the same with seeds 7 and 8", name)
		}
	}
}

func TestSizesFollowTheScale(t *testing.T) {
	dod := workload.Config{Scale: 1}.Sizes()
	if want := (workload.Sizes{Courses: 1000, Positions: 15000, People: 20000, CourseRules: 500, PositionRules: 200}); dod != want {
		t.Errorf("DoD scale: %+v, want %+v", dod, want)
	}
	if got := (workload.Config{Scale: 10}).Sizes(); got.Courses != 10000 || got.People != 200000 || got.PositionRules != 2000 {
		t.Errorf("scale 10: %+v", got)
	}
	tiny := workload.Config{Scale: 0.0001}.Sizes()
	if tiny.Courses < 1 || tiny.Positions < 1 || tiny.People < 1 || tiny.CourseRules < 2 || tiny.PositionRules < 1 {
		t.Errorf("scale 0.0001 lacks a kind of record or rule: %+v", tiny)
	}
	for _, bad := range []float64{0, -1, workload.MaxScale * 2} {
		name, data, fw := shippedModel(t)
		if _, err := workload.Generate(workload.Config{Scale: bad}, fw, name, data); err == nil {
			t.Errorf("scale %g: no error", bad)
		}
	}
}

// TestTinyWorkloadLoads checks that what Write writes is what seed.Load and
// engine.LoadRuleSet (the loaders of cmap serve and cmap rules check) read,
// at the sizes Sizes gives.
func TestTinyWorkloadLoads(t *testing.T) {
	w, dir := generate(t, workload.Config{Scale: 0.02, Seed: 1})
	ds, err := seed.Load(filepath.Join(dir, "seeds"))
	if err != nil {
		t.Fatalf("seed.Load: %v", err)
	}
	z := w.Sizes
	if len(ds.Courses) != z.Courses || len(ds.Positions) != z.Positions || len(ds.People) != z.People {
		t.Errorf("loaded %d courses, %d positions, %d people; Sizes says %+v", len(ds.Courses), len(ds.Positions), len(ds.People), z)
	}
	completions := 0
	for i, p := range ds.People {
		completions += len(p.Completions)
		if p.ID != w.People[i].ID || p.PositionID != w.People[i].PositionID || len(p.Completions) != len(w.People[i].Completions) {
			t.Errorf("person %d: loaded %s in %q with %d completions, generated %s in %q with %d", i,
				p.ID, p.PositionID, len(p.Completions), w.People[i].ID, w.People[i].PositionID, len(w.People[i].Completions))
		}
	}
	if completions != w.Completions() {
		t.Errorf("loaded %d completions, generated %d", completions, w.Completions())
	}
	rs, err := engine.LoadRuleSet(filepath.Join(dir, "rules"), ds.Framework)
	if err != nil {
		t.Fatalf("the rules do not load: %v", err)
	}
	if got := len(rs.Rules()); got != z.CourseRules+z.PositionRules {
		t.Errorf("%d rules loaded, Sizes says %d + %d", got, z.CourseRules, z.PositionRules)
	}
	if got := rs.Scale().Levels; strings.Join(got, " ") != strings.Join(domain.DefaultScale().Levels, " ") {
		t.Errorf("scale %v, want the shipped one", got)
	}
}

// TestDoDScaleShape generates the full reference workload and checks it has
// the shape docs/performance.md describes: the counts, about 900 bytes of
// text and 4-8 objectives per course, 80,000-100,000 completions, and, by
// the real rules engine, about 10 coverage facts per course and about 16
// requirements per position.
func TestDoDScaleShape(t *testing.T) {
	if testing.Short() {
		t.Skip("generates the full DoD-scale workload (a few seconds)")
	}
	w, dir := generate(t, workload.Config{Scale: 1, Seed: 1})
	ds, err := seed.Load(filepath.Join(dir, "seeds"))
	if err != nil {
		t.Fatalf("seed.Load: %v", err)
	}
	if len(ds.Courses) != 1000 || len(ds.Positions) != 15000 || len(ds.People) != 20000 {
		t.Errorf("%d courses, %d positions, %d people", len(ds.Courses), len(ds.Positions), len(ds.People))
	}
	if n := w.Completions(); n < 80000 || n > 100000 {
		t.Errorf("%d completions, want 80,000-100,000", n)
	}
	text, retired := 0, 0
	courses := make([]*domain.Course, len(ds.Courses))
	for i := range ds.Courses {
		c := &ds.Courses[i]
		courses[i] = c
		text += len(c.Title) + len(c.Description)
		for _, o := range c.Objectives {
			text += len(o)
		}
		if n := len(c.Objectives); n < 4 || n > 8 {
			t.Errorf("course %s has %d objectives", c.Code, n)
		}
		if !c.Active() {
			retired++
		}
	}
	if avg := text / len(courses); avg < 800 || avg > 1000 {
		t.Errorf("%d bytes of text per course, want about 900", avg)
	}
	if retired == 0 || retired > len(courses)/10 {
		t.Errorf("%d retired courses, want a few percent", retired)
	}
	positions := domain.Refs(ds.Positions)
	rs, err := engine.LoadRuleSet(filepath.Join(dir, "rules"), ds.Framework)
	if err != nil {
		t.Fatalf("the rules do not load: %v", err)
	}
	d, err := rs.DeriveAll(courses, positions)
	if err != nil {
		t.Fatal(err)
	}
	cov, req := 0, 0
	for _, f := range d.Coverage {
		cov += len(f)
	}
	for _, f := range d.Requirements {
		req += len(f)
	}
	if per := float64(cov) / float64(len(courses)); per < 7 || per > 13 {
		t.Errorf("%.1f coverage facts per course, want about 10", per)
	}
	if per := float64(req) / float64(len(positions)); per < 12 || per > 24 {
		t.Errorf("%.1f requirements per position, want about 16", per)
	}
}
