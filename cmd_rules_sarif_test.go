package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"cmap/engine"
)

// The SARIF output is checked against the OASIS schema of SARIF 2.1.0
// (testdata/sarif, with its source), formats included, and against the
// text output: the same findings at the same file:line:col.

// sarifRuleOut is what the tests read of a rule of a SARIF log.
type sarifRuleOut struct {
	ID               string `json:"id"`
	Name             string `json:"name"`
	ShortDescription struct {
		Text string `json:"text"`
	} `json:"shortDescription"`
	FullDescription struct {
		Text string `json:"text"`
	} `json:"fullDescription"`
	DefaultConfiguration struct {
		Level string `json:"level"`
	} `json:"defaultConfiguration"`
}

// sarifOut is what the tests read of a SARIF log.
type sarifOut struct {
	Version string `json:"version"`
	Runs    []struct {
		Tool struct {
			Driver struct {
				Name    string         `json:"name"`
				Version string         `json:"version"`
				Rules   []sarifRuleOut `json:"rules"`
			} `json:"driver"`
		} `json:"tool"`
		Invocations []struct {
			ExecutionSuccessful bool `json:"executionSuccessful"`
		} `json:"invocations"`
		Results []struct {
			RuleID    string `json:"ruleId"`
			RuleIndex int    `json:"ruleIndex"`
			Level     string `json:"level"`
			Message   struct {
				Text string `json:"text"`
			} `json:"message"`
			Locations []struct {
				PhysicalLocation struct {
					ArtifactLocation struct {
						URI       string `json:"uri"`
						URIBaseID string `json:"uriBaseId"`
					} `json:"artifactLocation"`
					Region struct {
						StartLine   int `json:"startLine"`
						StartColumn int `json:"startColumn"`
					} `json:"region"`
				} `json:"physicalLocation"`
			} `json:"locations"`
		} `json:"results"`
	} `json:"runs"`
}

// runSarif runs cmap with args and --format sarif, checks the output
// against the schema and returns it with the exit code.
func runSarif(t *testing.T, args ...string) (int, sarifOut) {
	t.Helper()
	code, stdout, stderr := runCmd(t, append(args, "--format", "sarif")...)
	inst, err := jsonschema.UnmarshalJSON(strings.NewReader(stdout))
	if err != nil {
		t.Fatalf("%v: exit %d, not JSON: %v\n%s\nstderr: %s", args, code, err, stdout, stderr)
	}
	if err := compileSchema(t, "testdata/sarif/sarif-schema-2.1.0.json").Validate(inst); err != nil {
		t.Fatalf("%v: not valid SARIF 2.1.0: %v", args, err)
	}
	var out sarifOut
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		t.Fatal(err)
	}
	if len(out.Runs) != 1 {
		t.Fatalf("%v: %d runs, want 1", args, len(out.Runs))
	}
	return code, out
}

// sarifFindings lists the results of out as "uri:line:col ruleId level",
// checking that each names its rule by index too.
func sarifFindings(t *testing.T, out sarifOut) []string {
	t.Helper()
	run := out.Runs[0]
	var got []string
	for _, r := range run.Results {
		if r.RuleIndex < 0 || r.RuleIndex >= len(run.Tool.Driver.Rules) || run.Tool.Driver.Rules[r.RuleIndex].ID != r.RuleID {
			t.Errorf("result %s has ruleIndex %d, not its rule's", r.RuleID, r.RuleIndex)
		}
		if r.Message.Text == "" || len(r.Locations) != 1 {
			t.Errorf("result %s: message %q, %d locations", r.RuleID, r.Message.Text, len(r.Locations))
			continue
		}
		p := r.Locations[0].PhysicalLocation
		got = append(got, fmt.Sprintf("%s:%d:%d %s %s", p.ArtifactLocation.URI, p.Region.StartLine, p.Region.StartColumn, r.RuleID, r.Level))
	}
	slices.Sort(got)
	return got
}

// textLocation is file:line:col at the start of a line of text output,
// and what follows.
var textLocation = regexp.MustCompile(`^([^ :]+):(\d+):(\d+): (.*)$`)

func TestRulesLintSARIF(t *testing.T) {
	code, out := runSarif(t, "rules", "lint", "testdata/lint")
	textCode, text, _ := runCmd(t, "rules", "lint", "testdata/lint")
	if code != textCode || code != exitFail {
		t.Errorf("exit %d with sarif, %d with text; want %d", code, textCode, exitFail)
	}
	run := out.Runs[0]
	if out.Version != "2.1.0" || run.Tool.Driver.Name != "cmap" || run.Tool.Driver.Version == "" || !run.Invocations[0].ExecutionSuccessful {
		t.Errorf("version %q, driver %q %q, invocations %+v", out.Version, run.Tool.Driver.Name, run.Tool.Driver.Version, run.Invocations)
	}
	// Every lint check is a rule, described as lint describes it.
	for _, c := range engine.LintChecks {
		i := slices.IndexFunc(run.Tool.Driver.Rules, func(r sarifRuleOut) bool { return r.ID == string(c.Code) })
		if i < 0 {
			t.Errorf("no rule %s", c.Code)
			continue
		}
		r := run.Tool.Driver.Rules[i]
		if r.Name != c.Name || r.ShortDescription.Text != c.Summary || r.FullDescription.Text != c.Help || r.DefaultConfiguration.Level != string(c.Level) {
			t.Errorf("rule %s: %+v, want %+v", c.Code, r, c)
		}
		if c.Help == "" || c.Level == "" {
			t.Errorf("check %s has no help or level", c.Code)
		}
	}
	// The same findings as the text output, at the same places, each at
	// its check's level.
	var want []string
	for _, line := range strings.Split(text, "\n") {
		m := textLocation.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		code, _, _ := strings.Cut(m[4], " ")
		level := engine.LintCheckOf(engine.LintCode(code)).Level
		want = append(want, fmt.Sprintf("%s:%s:%s %s %s", m[1], m[2], m[3], code, level))
	}
	slices.Sort(want)
	got := sarifFindings(t, out)
	if len(want) < 10 || !slices.Equal(got, want) {
		t.Errorf("results:\n%s\ntext output:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, r := range run.Results {
		loc := r.Locations[0].PhysicalLocation.ArtifactLocation
		if loc.URIBaseID != "%SRCROOT%" {
			t.Errorf("%s: uriBaseId %q", loc.URI, loc.URIBaseID)
		}
		if _, err := os.Stat(filepath.FromSlash(loc.URI)); err != nil {
			t.Errorf("%s is not a file relative to the working directory: %v", loc.URI, err)
		}
	}

	// A directory given by its absolute path gives the same relative URIs.
	abs, err := filepath.Abs("testdata/lint")
	if err != nil {
		t.Fatal(err)
	}
	if _, absOut := runSarif(t, "rules", "lint", abs); !slices.Equal(sarifFindings(t, absOut), got) {
		t.Errorf("with %s:\n%s", abs, strings.Join(sarifFindings(t, absOut), "\n"))
	}
}

func TestRulesCheckSARIF(t *testing.T) {
	code, out := runSarif(t, "rules", "check", "testdata/broken-rules")
	textCode, _, stderr := runCmd(t, "rules", "check", "testdata/broken-rules")
	if code != textCode || code != exitFail {
		t.Errorf("exit %d with sarif, %d with text; want %d", code, textCode, exitFail)
	}
	var want []string
	for _, line := range strings.Split(stderr, "\n") {
		if m := textLocation.FindStringSubmatch(line); m != nil {
			want = append(want, fmt.Sprintf("%s:%s:%s %s error", m[1], m[2], m[3], sarifCheckError))
		}
	}
	slices.Sort(want)
	if got := sarifFindings(t, out); len(want) == 0 || !slices.Equal(got, want) {
		t.Errorf("results:\n%s\ntext output:\n%s", strings.Join(got, "\n"), stderr)
	}

	// No model: a failed invocation.
	code, out = runSarif(t, "rules", "check", "--seeds", filepath.Join(t.TempDir(), "none"))
	if code != exitFail || out.Runs[0].Invocations[0].ExecutionSuccessful {
		t.Errorf("no model: exit %d, %+v", code, out.Runs[0].Invocations)
	}

	// Clean rules: exit 0, no results, still a valid log.
	code, out = runSarif(t, "rules", "check")
	if code != exitOK || len(out.Runs[0].Results) != 0 {
		t.Errorf("the shipped rules: exit %d, %d results", code, len(out.Runs[0].Results))
	}
}

// Rules that do not load come out of lint as check-error results; a
// catalogue that does not read as a failed invocation. Both are valid
// SARIF, and lint exits 1 as with text.
func TestRulesLintSARIFWhenItCannotLint(t *testing.T) {
	code, out := runSarif(t, "rules", "lint", "testdata/broken-rules")
	if got := sarifFindings(t, out); code != exitFail || len(got) == 0 || !strings.Contains(got[0], " check-error error") {
		t.Errorf("broken rules: exit %d, results %v", code, got)
	}
	code, out = runSarif(t, "rules", "lint", "--seeds", filepath.Join(t.TempDir(), "none"))
	if code != exitFail || out.Runs[0].Invocations[0].ExecutionSuccessful || len(out.Runs[0].Results) != 0 {
		t.Errorf("no catalogue: exit %d, %+v", code, out.Runs[0].Invocations)
	}
}

// The schema is live: it refuses what SARIF 2.1.0 does not allow.
func TestSARIFSchemaRefusesInvalidLogs(t *testing.T) {
	_, stdout, _ := runCmd(t, "rules", "lint", "testdata/lint", "--format", "sarif")
	for _, tc := range []struct{ name, from, to string }{
		{"an unknown level", `"level": "note"`, `"level": "fatal"`},
		{"a line 0", `"startLine": 73`, `"startLine": 0`},
		{"an unknown property", `"ruleIndex":`, `"ruleIdx":`},
		{"another version", `"version": "2.1.0"`, `"version": "2.2.0"`},
	} {
		broken := strings.Replace(stdout, tc.from, tc.to, 1)
		if broken == stdout {
			t.Fatalf("%s: the output has no %s", tc.name, tc.from)
		}
		inst, err := jsonschema.UnmarshalJSON(strings.NewReader(broken))
		if err != nil {
			t.Fatal(err)
		}
		if err := compileSchema(t, "testdata/sarif/sarif-schema-2.1.0.json").Validate(inst); err == nil {
			t.Errorf("%s: the schema accepts it", tc.name)
		}
	}
}

// The log names the schema it is checked against.
func TestSARIFNamesItsSchema(t *testing.T) {
	data, err := os.ReadFile("testdata/sarif/sarif-schema-2.1.0.json")
	if err != nil {
		t.Fatal(err)
	}
	var schema struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(data, &schema); err != nil {
		t.Fatal(err)
	}
	if got := newSarifLog().Schema; got != schema.ID {
		t.Errorf("$schema %q, the schema's id %q", got, schema.ID)
	}
}
