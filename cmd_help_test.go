package main

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// update rewrites the golden files under testdata/ and the samples in
// README.md from what the commands print now:
//
//	go test -run 'Help|Documented' -update .
//
// Review the diff: it is what users will see.
var update = flag.Bool("update", false, "rewrite the golden files and the README samples from the real output")

// checkGolden compares got with the golden file path, or rewrites the file
// with -update.
func checkGolden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run the test with -update to write it)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (run the test with -update to accept it):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

// commandWord is a word that names a verb in a usage line.
var commandWord = regexp.MustCompile(`^[a-z]+$`)

// usageCommands returns the commands listed in the "Usage:" block of a
// help text: the words after "cmap" up to the first that is not a verb
// ("[serve]" counts as serve), with their prefixes.
func usageCommands(help string) [][]string {
	_, block, ok := strings.Cut(help, "Usage:\n")
	if !ok {
		return nil
	}
	block, _, _ = strings.Cut(block, "\n\n")
	var out [][]string
	for _, line := range strings.Split(block, "\n") {
		fields := strings.Fields(line)
		if len(fields) == 0 || fields[0] != "cmap" {
			continue
		}
		var words []string
		for _, f := range fields[1:] {
			if f == "[serve]" {
				f = "serve"
			}
			if !commandWord.MatchString(f) {
				break
			}
			words = append(words, f)
			out = append(out, slices.Clone(words))
		}
	}
	return out
}

// allCommands returns every command of cmap, as the words that name it
// (none for cmap itself): those the usage of cmap lists, and the verbs the
// usage of each of them lists in turn. A verb added to a usage is thereby
// checked by the tests below, and needs a golden file.
func allCommands(t *testing.T) [][]string {
	t.Helper()
	var out [][]string
	seen := map[string]bool{}
	queue := [][]string{nil}
	for len(queue) > 0 {
		words := queue[0]
		queue = queue[1:]
		key := strings.Join(words, " ")
		if seen[key] || key == "help" {
			continue
		}
		seen[key] = true
		out = append(out, words)
		code, stdout, stderr := runCmd(t, append(slices.Clone(words), "-h")...)
		if code != exitOK {
			t.Fatalf("cmap %s -h: exit %d\n%s", key, code, stderr)
		}
		queue = append(queue, usageCommands(stdout)...)
	}
	return out
}

// helpForms returns every way of asking for the help of a command.
func helpForms(words []string) [][]string {
	with := func(pre, post []string) []string {
		return append(append(slices.Clone(pre), words...), post...)
	}
	forms := [][]string{with(nil, []string{"-h"}), with(nil, []string{"-help"}), with(nil, []string{"--help"}), with([]string{"help"}, nil)}
	if len(words) == 2 { // a sub-verb: also "cmap GROUP help VERB"
		forms = append(forms, []string{words[0], "help", words[1]})
	}
	return forms
}

// goldenName names the golden file of a command's help.
func goldenName(words []string) string {
	return filepath.Join("testdata", "help", strings.Join(append([]string{"cmap"}, words...), "-")+".txt")
}

// TestHelp: every command's help is the same in every form of asking, on
// stdout with exit 0 and nothing on stderr, and matches its golden file.
func TestHelp(t *testing.T) {
	commands := allCommands(t)
	for _, want := range []string{"", "serve", "model", "model export", "model check", "rules", "rules check", "rules test", "rules explain", "export", "bench", "keys", "keys create", "keys list", "keys revoke"} {
		if !slices.ContainsFunc(commands, func(w []string) bool { return strings.Join(w, " ") == want }) {
			t.Errorf("the usages do not list the command %q", want)
		}
	}
	for _, words := range commands {
		name := strings.TrimSpace("cmap " + strings.Join(words, " "))
		t.Run(name, func(t *testing.T) {
			var first string
			for i, args := range helpForms(words) {
				code, stdout, stderr := runCmd(t, args...)
				if code != exitOK || stderr != "" || !strings.Contains(stdout, "Usage:") {
					t.Errorf("cmap %s: exit %d, stderr %q, stdout starts %.40q; want exit 0 and the help on stdout",
						strings.Join(args, " "), code, stderr, stdout)
				}
				if i == 0 {
					first = stdout
					checkGolden(t, goldenName(words), stdout)
				} else if stdout != first {
					t.Errorf("cmap %s differs from cmap %s", strings.Join(args, " "), strings.Join(helpForms(words)[0], " "))
				}
			}
			if !strings.Contains(first, "\nExamples:\n") {
				t.Errorf("%s: the help has no examples", name)
			}
		})
	}
}

// TestUsageErrors: a wrong command line says what is wrong and shows the
// usage of the command, on stderr, with exit 2 and nothing on stdout.
func TestUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		says string
	}{
		{[]string{"frobnicate"}, `cmap: unknown verb "frobnicate"`},
		{[]string{"help", "frobnicate"}, `cmap: unknown verb "frobnicate"`},
		{[]string{"--nope"}, "cmap serve: flag provided but not defined: -nope"},
		{[]string{"serve", "extra"}, `cmap serve: unexpected argument "extra"`},
		{[]string{"serve", "--poll", "soon"}, `cmap serve: invalid value "soon" for flag -poll`},
		{[]string{"model"}, "cmap model: missing verb"},
		{[]string{"model", "import"}, `cmap model: unknown verb "import"`},
		{[]string{"model", "export", "a.txt", "b.txt"}, "cmap model export: one model file at most, got 2"},
		{[]string{"rules"}, "cmap rules: missing verb: check, test, explain, lint, fmt, diff or suggest"},
		{[]string{"rules", "help", "frobnicate"}, `cmap rules: unknown verb "frobnicate"`},
		{[]string{"rules", "check", "a", "b"}, "cmap rules check: one rule directory at most, got a b"},
		{[]string{"rules", "check", "--format", "xml"}, `cmap rules check: --format must be text, json or sarif, not "xml"`},
		{[]string{"rules", "test", "--run", "("}, "cmap rules test: --run: error parsing regexp"},
		{[]string{"rules", "explain", "x"}, "cmap rules explain: give one RULE and one of --course CODE, --position ID"},
		{[]string{"rules", "explain", "sco-core", "--course", "SCM-201"}, `cmap rules explain: rule "sco-core" is a position rule, not a course rule`},
		{[]string{"export"}, "cmap export: name the export (courses, positions, people, completions, catalogue, coverage, gaps, demand or readiness), then the flags"},
		{[]string{"export", "matrix"}, `cmap export: unknown export "matrix": want courses, positions, people, completions, catalogue, coverage, gaps, demand or readiness`},
		{[]string{"export", "catalogue", "--format", "csv"}, `cmap export: --format: the catalogue is four tables and a CSV file holds one: export it as xlsx or json, or each of courses, positions, people and completions as csv`},
		{[]string{"export", "gaps", "--format", "ods"}, `cmap export: --format: unknown format "ods": want csv, xlsx or json`},
		{[]string{"bench", "--clients", "0"}, "cmap bench: --clients 0: need at least 1"},
		{[]string{"bench", "extra"}, `cmap bench: unexpected argument "extra"`},
		{[]string{"export", "gaps", "--over-served-above", "0"}, `cmap export: --over-served-above: "0" is not a number of courses: want a whole number of 1 or more`},
		{[]string{"serve", "--anonymous", "everyone"}, `cmap serve: --anonymous must be none or viewer, not "everyone"`},
		{[]string{"serve", "--jwt-jwks", "jwks.json"}, "cmap serve: --jwt-jwks needs --jwt-issuer and --jwt-audience"},
		{[]string{"serve", "--jwt-issuer", "https://idp.example"}, "cmap serve: --jwt-issuer and --jwt-audience need --jwt-jwks"},
		{[]string{"keys"}, "cmap keys: missing verb: create, list or revoke"},
		{[]string{"keys", "rotate"}, `cmap keys: unknown verb "rotate"`},
		{[]string{"keys", "create", "--role", "viewer"}, "cmap keys create: name the key with --name"},
		{[]string{"keys", "create", "--name", "portal"}, "cmap keys create: give the key at least one --role"},
		{[]string{"keys", "create", "--name", "portal", "--role", "owner"}, `cmap keys create: invalid value "owner" for flag -role: "owner" is not a role`},
		{[]string{"keys", "revoke"}, "cmap keys revoke: name one key ID, got 0 arguments"},
		{[]string{"keys", "list", "--format", "yaml"}, `cmap keys list: --format must be text or json, not "yaml"`},
	} {
		code, stdout, stderr := runCmd(t, tc.args...)
		if code != exitUsage || stdout != "" || !strings.HasPrefix(stderr, tc.says) || !strings.Contains(stderr, "\nUsage:") {
			t.Errorf("cmap %s: exit %d, stdout %q, stderr:\n%s\nwant exit %d, stderr starting %q and holding the usage",
				strings.Join(tc.args, " "), code, stdout, stderr, exitUsage, tc.says)
		}
	}
}
