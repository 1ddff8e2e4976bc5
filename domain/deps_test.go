package domain_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDomainStaysApartFromTheRuleLanguage lists the dependencies of the
// packages that work on the domain's types alone: none may link the rule
// language (expr), the YAML reader or the rules engine, and domain itself
// imports only the standard library.
func TestDomainStaysApartFromTheRuleLanguage(t *testing.T) {
	forbidden := []string{"github.com/expr-lang/expr", "github.com/goccy/go-yaml", "cmap/engine"}
	for _, pkg := range []string{"cmap/domain", "cmap/analysis", "cmap/mongodb", "cmap/memstore", "cmap/export", "cmap/graph/model"} {
		out, err := exec.Command("go", "list", "-deps", pkg).Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", pkg, err)
		}
		for _, dep := range strings.Fields(string(out)) {
			for _, f := range forbidden {
				if dep == f || strings.HasPrefix(dep, f+"/") {
					t.Errorf("%s links %s", pkg, dep)
				}
			}
			if pkg == "cmap/domain" && strings.Contains(strings.SplitN(dep, "/", 2)[0], ".") {
				t.Errorf("domain links the third-party package %s", dep)
			}
		}
	}
}
