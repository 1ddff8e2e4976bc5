package ruleplan_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cmap/domain"
	"cmap/modelfile"
	"cmap/ruleplan"
	"cmap/workload"
)

// BenchmarkPlanDoDScale plans a one-rule change at DoD scale (the
// workload cmap bench measures: 1,000 courses, 15,000 positions, 20,000
// people, 700 rules) the way ruleSetPlan does: the head's facts derived
// and indexed, then compared with the serving side, which exists already.
func BenchmarkPlanDoDScale(b *testing.B) {
	path, err := modelfile.FindModelFile(filepath.Join("..", "seeds"))
	if err != nil {
		b.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	fw, err := modelfile.Read(path, data)
	if err != nil {
		b.Fatal(err)
	}
	w, err := workload.Generate(workload.Config{Scale: 1, Seed: 1}, fw, filepath.Base(path), data)
	if err != nil {
		b.Fatal(err)
	}
	cat := ruleplan.Catalogue{Framework: fw}
	cat.Courses = domain.Refs(w.Courses)
	cat.Positions = domain.Refs(w.Positions)
	cat.People = domain.Refs(w.People)
	files := ruleplan.Files{}
	for p, content := range w.RuleFiles {
		files[p] = []byte(content)
	}
	baseRules, err := files.Load("rules", fw)
	if err != nil {
		b.Fatal(err)
	}
	base, err := ruleplan.Apply(baseRules, cat)
	if err != nil {
		b.Fatal(err)
	}
	// The head drops the first rule of the first course rule file.
	for p, content := range files {
		if strings.HasPrefix(p, "courses/") {
			s := string(content)
			first := strings.Index(s, "  - id:")
			second := strings.Index(s[first+1:], "  - id:") + first + 1
			files[p] = []byte(s[:first] + s[second:])
			break
		}
	}
	headRules, err := files.Load("rules", fw)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		head, err := ruleplan.Apply(headRules, cat)
		if err != nil {
			b.Fatal(err)
		}
		ruleplan.Compare(base, head)
	}
}
