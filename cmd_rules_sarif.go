package main

import (
	"net/url"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"

	"cmap/diag"
	"cmap/engine"
)

// SARIF 2.1.0 output of cmap rules check and cmap rules lint (--format
// sarif), for GitHub code scanning and the editors' SARIF viewers: one
// run, whose tool.driver lists every rule a result can name (the two of
// check, then the lint checks), and one result per finding at its
// file:line:col. File URIs are relative to the working directory (run
// from the repository root, they are what code scanning expects), under
// the base id %SRCROOT%; a file outside the working directory is an
// absolute file: URI. Columns count characters (columnKind
// unicodeCodePoints), as diagnostics do.

// sarifSchemaURI is the schema of the SARIF written: the id of the OASIS
// schema of SARIF 2.1.0 with Errata 01 (testdata/sarif holds a copy, which
// the tests check the output against).
const sarifSchemaURI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"

// The rule ids of check's findings (lint's are the lint codes).
const (
	sarifCheckError = "check-error"
	sarifStaleCode  = "stale-code"
)

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool        sarifTool         `json:"tool"`
	Invocations []sarifInvocation `json:"invocations"`
	ColumnKind  string            `json:"columnKind"`
	Results     []sarifResult     `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name    string      `json:"name"`
	Version string      `json:"version"`
	Rules   []sarifRule `json:"rules"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifRule struct {
	ID                   string             `json:"id"`
	Name                 string             `json:"name"`
	ShortDescription     sarifText          `json:"shortDescription"`
	FullDescription      sarifText          `json:"fullDescription"`
	Help                 sarifText          `json:"help"`
	DefaultConfiguration sarifConfiguration `json:"defaultConfiguration"`
}

type sarifConfiguration struct {
	Level string `json:"level"`
}

type sarifInvocation struct {
	ExecutionSuccessful        bool                `json:"executionSuccessful"`
	ToolExecutionNotifications []sarifNotification `json:"toolExecutionNotifications,omitempty"`
}

type sarifNotification struct {
	Level   string    `json:"level"`
	Message sarifText `json:"message"`
}

type sarifResult struct {
	RuleID    string          `json:"ruleId"`
	RuleIndex int             `json:"ruleIndex"`
	Level     string          `json:"level"`
	Message   sarifText       `json:"message"`
	Locations []sarifLocation `json:"locations,omitempty"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysicalLocation `json:"physicalLocation"`
}

type sarifPhysicalLocation struct {
	ArtifactLocation sarifArtifactLocation `json:"artifactLocation"`
	Region           *sarifRegion          `json:"region,omitempty"`
}

type sarifArtifactLocation struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId,omitempty"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn,omitempty"`
}

// newSarifLog returns a log of one run of cmap with every rule a result
// can name, and no results yet.
func newSarifLog() *sarifLog {
	rules := []sarifRule{
		{ID: sarifCheckError, Name: "check-error",
			ShortDescription:     sarifText{"a rule file that does not load"},
			FullDescription:      sarifText{"cmap rules check refuses the file: a syntax error, an unknown key, code or level, a condition that does not compile (cmap rules check -h)."},
			Help:                 sarifText{"Fix what the message says: the rule set does not load until every file does."},
			DefaultConfiguration: sarifConfiguration{"error"}},
		{ID: sarifStaleCode, Name: "stale-code",
			ShortDescription:     sarifText{"an entry naming a code the model no longer has"},
			FullDescription:      sarifText{"A rule names a sub-competency that the revision of the competency model checked against no longer has (cmap rules check --model)."},
			Help:                 sarifText{"Map the entry to the code that replaced it, or remove it."},
			DefaultConfiguration: sarifConfiguration{"warning"}},
	}
	for _, c := range engine.LintChecks {
		help := c.Help
		if c.Code != engine.LintUnusedIgnore {
			help += " Silence a finding with a lint: key and a reason (cmap rules lint -h)."
		}
		rules = append(rules, sarifRule{
			ID: string(c.Code), Name: c.Name,
			ShortDescription:     sarifText{c.Summary},
			FullDescription:      sarifText{c.Help},
			Help:                 sarifText{help},
			DefaultConfiguration: sarifConfiguration{string(c.Level)},
		})
	}
	return &sarifLog{
		Schema:  sarifSchemaURI,
		Version: "2.1.0",
		Runs: []sarifRun{{
			Tool:        sarifTool{Driver: sarifDriver{Name: "cmap", Version: cmapVersion(), Rules: rules}},
			Invocations: []sarifInvocation{{ExecutionSuccessful: true}},
			ColumnKind:  "unicodeCodePoints",
			Results:     []sarifResult{},
		}},
	}
}

// add adds a result of the rule id, at d's place.
func (l *sarifLog) add(id, level string, d diag.Diagnostic) {
	run := &l.Runs[0]
	index := -1
	for i, r := range run.Tool.Driver.Rules {
		if r.ID == id {
			index = i
		}
	}
	res := sarifResult{RuleID: id, RuleIndex: index, Level: level, Message: sarifText{d.Message}}
	if d.File != "" {
		loc := sarifPhysicalLocation{ArtifactLocation: sarifArtifact(d.File)}
		if d.Line > 0 {
			loc.Region = &sarifRegion{StartLine: d.Line, StartColumn: d.Col}
		}
		res.Locations = []sarifLocation{{PhysicalLocation: loc}}
	}
	run.Results = append(run.Results, res)
}

// addAll adds a result of the rule id for each diagnostic of list.
func (l *sarifLog) addAll(id, level string, list diag.List) {
	for _, d := range list {
		l.add(id, level, d)
	}
}

// notify adds a notification of the run (not about a file): a problem
// of the tool's, at level.
func (l *sarifLog) notify(level, message string) {
	inv := &l.Runs[0].Invocations[0]
	inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, sarifNotification{Level: level, Message: sarifText{message}})
}

// fail records that the run did not complete, and why.
func (l *sarifLog) fail(message string) {
	l.Runs[0].Invocations[0].ExecutionSuccessful = false
	l.notify("error", message)
}

// sarifArtifact locates the file named name (slashes, as diagnostics
// name files): relative to the working directory under %SRCROOT%, or an
// absolute file: URI when it is outside it.
func sarifArtifact(name string) sarifArtifactLocation {
	p := filepath.Clean(filepath.FromSlash(name))
	if !filepath.IsLocal(p) {
		if abs, err := filepath.Abs(p); err == nil {
			p = abs
		}
	}
	if wd, err := os.Getwd(); err == nil && filepath.IsAbs(p) {
		if rel, err := filepath.Rel(wd, p); err == nil && filepath.IsLocal(rel) {
			p = rel
		}
	}
	if filepath.IsAbs(p) {
		return sarifArtifactLocation{URI: (&url.URL{Scheme: "file", Path: filepath.ToSlash(p)}).String()}
	}
	return sarifArtifactLocation{URI: (&url.URL{Path: filepath.ToSlash(p)}).String(), URIBaseID: "%SRCROOT%"}
}

// cmapVersion is the version of this build: its module version, or its
// VCS revision, or "devel".
func cmapVersion() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	if v := info.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" && s.Value != "" {
			return strings.TrimSpace(s.Value)
		}
	}
	return "devel"
}
