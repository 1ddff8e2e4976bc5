package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"cmap/suggest"
)

func TestRulesSuggestFindsTheCourseOfAHiddenRule(t *testing.T) {
	suggestions := func(t *testing.T, rules string) []suggest.Suggestion {
		t.Helper()
		code, stdout, stderr := runCmd(t, "rules", "suggest", "--rules", rules, "--sub", "4.K", "--format", "json")
		var out []suggest.Suggestion
		if err := json.Unmarshal([]byte(stdout), &out); err != nil || code != exitOK {
			t.Fatalf("exit %d, %v\n%s", code, err, stderr)
		}
		return out
	}
	isSCM102 := func(s suggest.Suggestion) bool { return s.Course == "SCM-102" }
	// SCM-102 (trade shows) is mapped to 4.K by 4k-trade-shows: no lead.
	if got := suggestions(t, "rules"); slices.ContainsFunc(got, isSCM102) {
		t.Errorf("SCM-102 is suggested for 4.K though a rule maps it: %+v", got)
	}
	// Without the rule, it leads, matching the statement's words.
	dir := filepath.Join(t.TempDir(), "rules")
	if err := os.CopyFS(dir, os.DirFS("rules")); err != nil {
		t.Fatal(err)
	}
	f := filepath.Join(dir, "courses", "4-sales-and-transfers.yaml")
	data, err := os.ReadFile(f)
	if err != nil {
		t.Fatal(err)
	}
	src := string(data)
	start, end := strings.Index(src, "  - id: 4k-trade-shows"), strings.Index(src, "  - id: 4l-accounting")
	if start < 0 || end < start {
		t.Fatalf("%s no longer holds 4k-trade-shows then 4l-accounting", f)
	}
	if err := os.WriteFile(f, []byte(src[:start]+src[end:]), 0o644); err != nil {
		t.Fatal(err)
	}
	got := suggestions(t, dir)
	if len(got) == 0 || !isSCM102(got[0]) || got[0].Rank != 1 || !slices.Contains(got[0].Matched, "trade") || !slices.Contains(got[0].Matched, "shows") {
		t.Errorf("without the rule: %+v, want SCM-102 first, matching trade and shows", got)
	}
	if len(got) > suggest.DefaultTop {
		t.Errorf("%d suggestions, more than the default top %d", len(got), suggest.DefaultTop)
	}

	code, stdout, _ := runCmd(t, "rules", "suggest", "--rules", dir, "--sub", "4.K", "--top", "1")
	if code != exitOK || !strings.HasPrefix(stdout, "4.K Conduct") || !strings.Contains(stdout, "   1. SCM-102 ") || strings.Count(stdout, "\n") != 2 {
		t.Errorf("text, top 1: exit %d\n%s", code, stdout)
	}
}

func TestRulesSuggestUsage(t *testing.T) {
	for _, args := range [][]string{{"--sub", "4.Z"}, {"--top", "0"}, {"4.K"}, {"--format", "xml"}} {
		code, stdout, stderr := runCmd(t, append([]string{"rules", "suggest"}, args...)...)
		if code != exitUsage || stdout != "" || !strings.Contains(stderr, "Usage: cmap rules suggest") {
			t.Errorf("%v: exit %d\n%s", args, code, stderr)
		}
	}
}
