package engine

import (
	"cmap/domain"
	"fmt"
	"testing"
	"testing/fstest"
)

// testFramework is a small competency model in the shape of the Security
// Cooperation one: competencies 1.0 to 9.0, with sub-competencies A to D
// (and 1.E).
func testFramework() *domain.Framework {
	fw := &domain.Framework{Name: "Test"}
	for n := 1; n <= 9; n++ {
		c := domain.Competency{Code: fmt.Sprintf("%d.0", n), Title: fmt.Sprintf("Competency %d", n)}
		letters := "ABCD"
		if n == 1 {
			letters = "ABCDE"
		}
		for _, l := range letters {
			c.SubCompetencies = append(c.SubCompetencies, domain.SubCompetency{Code: fmt.Sprintf("%d.%c", n, l), Statement: "Do " + string(l)})
		}
		fw.Competencies = append(fw.Competencies, c)
	}
	return fw
}

// ruleFS returns a file system holding files (path -> content).
func ruleFS(files map[string]string) fstest.MapFS {
	fsys := fstest.MapFS{}
	for p, s := range files {
		fsys[p] = &fstest.MapFile{Data: []byte(s)}
	}
	return fsys
}

// mustLoad loads a rule set from files or fails the test.
func mustLoad(t testing.TB, files map[string]string) *RuleSet {
	t.Helper()
	rs, err := LoadRuleSetFS(ruleFS(files), "rules", testFramework())
	if err != nil {
		t.Fatalf("load rules:\n%v", err)
	}
	return rs
}
