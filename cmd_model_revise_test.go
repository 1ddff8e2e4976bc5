package main

import (
	"cmap/domain"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cmap/modeldiff"
	"cmap/mongodb"
)

// The revised copy of the shipped model in testdata/revision rewords 1.D,
// renames 2.0, moves 4.C to a new 4.M, retires 4.K and adds 9.E.
const (
	shippedModel  = "seeds/security-cooperation-competency-model.txt"
	revisedModel  = "testdata/revision/revision-2-competency-model.yaml"
	yamlCrosswalk = "testdata/revision/crosswalk.yaml"
	csvCrosswalk  = "testdata/revision/crosswalk.csv"
)

func TestModelDiffExitCodesAndFormats(t *testing.T) {
	code, stdout, stderr := runCmd(t, "model", "diff", shippedModel, revisedModel, "--crosswalk", yamlCrosswalk)
	if code != exitChanges {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	for _, want := range []string{
		"1 added, 0 removed, 1 renamed, 1 reworded, 1 moved, 0 split, 0 merged, 1 retired\n",
		`  2.0  "Strategy and Policy Development" -> "Strategy, Policy and Program Development"`,
		"  1.D statement\n    - Cultivate professional relationships",
		"  + 9.E  Assess a partner nation's cybersecurity posture",
		"  moved   4.C -> 4.M\n  retired 4.K -> (none)\n",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("text output lacks %q:\n%s", want, stdout)
		}
	}

	code, stdout, _ = runCmd(t, "model", "diff", shippedModel, revisedModel, "--crosswalk", csvCrosswalk, "--format", "json")
	var d modeldiff.Diff
	if err := json.Unmarshal([]byte(stdout), &d); err != nil || code != exitChanges {
		t.Fatalf("json: exit %d, %v\n%s", code, err, stdout)
	}
	if len(d.Mappings) != 2 || d.Crosswalk != csvCrosswalk || len(d.Suggested) != 0 {
		t.Errorf("json diff with the CSV crosswalk: %+v", d)
	}

	// Without a crosswalk the move is a suggestion, labelled as such.
	code, stdout, _ = runCmd(t, "model", "diff", shippedModel, revisedModel, "--format", "markdown")
	if code != exitChanges || !strings.Contains(stdout, "### Suggested moves (a guess from similar text, not a crosswalk") ||
		!strings.Contains(stdout, "| 4.C | 4.M | 91% |") {
		t.Errorf("markdown without a crosswalk: exit %d\n%s", code, stdout)
	}

	if code, stdout, stderr := runCmd(t, "model", "diff", shippedModel, shippedModel); code != exitOK {
		t.Errorf("a model against itself: exit %d\n%s%s", code, stdout, stderr)
	}

	bad := filepath.Join(t.TempDir(), "crosswalk.yaml")
	if err := os.WriteFile(bad, []byte("4.C: 4.M\n4.Z: retired\n4.K: [4.Q]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = runCmd(t, "model", "diff", shippedModel, revisedModel, "--crosswalk", bad)
	f := filepath.ToSlash(bad)
	if want := f + ":2:1: 4.Z is not a code of revision 1 (the model being replaced)\n" +
		f + ":3:7: 4.Q is not a code of the new revision\n2 errors\n"; code != exitFail || !strings.HasSuffix(stderr, want) {
		t.Errorf("a crosswalk that does not fit: exit %d, stderr:\n%s\nwant it to end with:\n%s", code, stderr, want)
	}

	if code, _, stderr := runCmd(t, "model", "diff", shippedModel); code != exitUsage || !strings.Contains(stderr, "give two model files, OLD and NEW; got 1") {
		t.Errorf("one file: exit %d\n%s", code, stderr)
	}
}

func TestRulesCheckAgainstARevisedModel(t *testing.T) {
	code, stdout, stderr := runCmd(t, "rules", "check", "rules", "--model", revisedModel, "--crosswalk", yamlCrosswalk)
	if code != exitFail || !strings.Contains(stdout, "4 entries naming codes revision 2 of the model no longer has") {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	want := `rules/positions/sco.yaml:6:62: 4.C is not in revision 2 of the competency model: 4.C was retired in revision 2; the crosswalk maps it to 4.M
 |     requires: {1.A-1.C: Intermediate, 6.C-6.E: Intermediate, 4.C: Basic, 4.F: Basic, 8.B: Intermediate}
 |                                                              ^
4 warnings
`
	if !strings.HasSuffix(stderr, want) {
		t.Errorf("stderr:\n%s\nwant it to end with:\n%s", stderr, want)
	}
	// Without the crosswalk the codes are unknown, as a typo would be.
	code, _, stderr = runCmd(t, "rules", "check", "rules", "--model", revisedModel)
	if code != exitFail || !strings.Contains(stderr, "rules/positions/sco.yaml:6:62: unknown sub-competency 4.C") {
		t.Errorf("without a crosswalk: exit %d\n%s", code, stderr)
	}
	if code, _, stderr := runCmd(t, "rules", "check", "--crosswalk", yamlCrosswalk); code != exitUsage || !strings.Contains(stderr, "--crosswalk goes with --model") {
		t.Errorf("--crosswalk alone: exit %d\n%s", code, stderr)
	}
}

// An operator previews a revision, applies it, and checks the rules
// against the database: the dry run writes nothing, the apply keeps the
// first revision and names the operator.
func TestModelApplyOnADataFolder(t *testing.T) {
	dir := t.TempDir()
	apply := func(args ...string) (int, string, string) {
		return runCmd(t, append([]string{"model", "apply", revisedModel, "--data", dir, "--crosswalk", yamlCrosswalk}, args...)...)
	}
	code, stdout, stderr := apply("--dry-run")
	if code != exitOK || !strings.HasPrefix(stdout, `revision 2 of "Security Cooperation" would be applied (dry run: nothing was written) over revision 1`) ||
		!strings.Contains(stdout, "gaps (no active course at the level or above):\n  Basic: opened 4.M, 9.E") {
		t.Fatalf("dry run: exit %d\n%s%s", code, stdout, stderr)
	}
	if revs := revisionsIn(t, dir); len(revs) != 1 {
		t.Fatalf("the dry run stored a revision: %d", len(revs))
	}
	dryRun := stdout

	code, stdout, stderr = apply()
	if code != exitOK || !strings.HasPrefix(stdout, `revision 2 of "Security Cooperation" applied over revision 1`) {
		t.Fatalf("apply: exit %d\n%s%s", code, stdout, stderr)
	}
	_, dryRest, _ := strings.Cut(dryRun, "\n")
	_, rest, _ := strings.Cut(stdout, "\n")
	if rest != dryRest {
		t.Errorf("the apply printed another plan than its dry run:\n%s\n--- dry run:\n%s", rest, dryRest)
	}
	revs := revisionsIn(t, dir)
	if len(revs) != 2 || revs[0].Framework.SubCompetency("4.C") == nil || revs[1].Framework.SubCompetency("4.M") == nil {
		t.Fatalf("revisions after apply: %d", len(revs))
	}

	code, _, stderr = runCmd(t, "rules", "check", "rules", "--data", dir)
	if code != exitFail || !strings.Contains(stderr, "4.K was retired in revision 2; the crosswalk maps it to nothing: drop it") {
		t.Errorf("rules check --data after the apply: exit %d\n%s", code, stderr)
	}

	// The crosswalk was from revision 1: it does not fit revision 2.
	code, _, stderr = apply()
	if code != exitFail || !strings.Contains(stderr, "testdata/revision/crosswalk.yaml:3:1: 4.C is not a code of revision 2 (the model being replaced)") {
		t.Errorf("applying the same crosswalk again: exit %d\n%s", code, stderr)
	}
}

// revisionsIn reads the revisions of the model in the embedded database
// in dir.
func revisionsIn(t *testing.T, dir string) []*domain.FrameworkRevision {
	t.Helper()
	ctx := context.Background()
	db, err := mongodb.Open(ctx, mongodb.Config{DataDir: dir, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close(ctx)
	revs, err := db.FrameworkRevisions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return revs
}

func TestModelApplyDryRunAsJSON(t *testing.T) {
	code, stdout, stderr := runCmd(t, "model", "apply", revisedModel, "--data", t.TempDir(), "--crosswalk", csvCrosswalk, "--dry-run", "--format", "json")
	var out struct {
		DryRun             bool
		Revision, Previous int
		Diff               modeldiff.Diff
		Warnings           []jsonDiagnostic
		Impact             struct {
			People struct {
				BecomeReady, BecomeUnready, OtherGaps int
				Changes                               []json.RawMessage
			}
		}
	}
	if err := json.Unmarshal([]byte(stdout), &out); err != nil || code != exitOK {
		t.Fatalf("exit %d, %v\n%s%s", code, err, stdout, stderr)
	}
	p := out.Impact.People
	if !out.DryRun || out.Revision != 2 || out.Previous != 1 || len(out.Diff.Mappings) != 2 || len(out.Warnings) != 4 ||
		p.BecomeReady+p.BecomeUnready+p.OtherGaps == 0 || p.Changes != nil {
		t.Errorf("dry run as JSON: %+v", out)
	}
}
