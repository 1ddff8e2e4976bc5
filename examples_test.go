package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"cmap/mongodb"
)

// Documented examples (the "Examples:" of every help text, the commands
// and queries of README.md) are run by TestDocumentedExamples as a reader
// would run them: in a folder holding a copy of the shipped rules and seeds
// (so that what they write, ./data included, stays out of the repository),
// from a fresh database the first of them seeds. Two things are replaced,
// because a test on a shared machine cannot rely on them: every address a
// server example listens on becomes 127.0.0.1:0 (a free port), and every
// MongoDB URI names an embedded database the test starts on ./data.
//
// A workbook an example writes (-o FILE.xlsx) is held in its golden file
// as its sheets' names, sizes and first rows (workbookSummary). Four kinds
// of example print nothing a golden file can hold: a server
// example is started, checked to serve and stopped; a bench example
// (minutes of measurement at DoD scale, printing timings) has its command
// line checked by bench's own parser, and TestBenchEndToEnd runs a small
// bench; a keys example (a new token, random ids, times) is run and must
// succeed; so must a CASE export (dated by the model file's modification
// time or the courses' writes; cmd_model_case_test.go checks its output). The server examples of `cmap help serve` run before those of
// `cmap help keys`, so the first admin key exists by then.

// workspace makes the folder the examples run in and changes into it for
// the rest of the test. It is a git repository with everything committed
// on a branch main, for the examples of cmap rules diff.
func workspace(t *testing.T) {
	t.Helper()
	dir := t.TempDir()
	for _, src := range []string{"rules", "seeds", filepath.Join("testdata", "broken-rules"), filepath.Join("testdata", "lint"), filepath.Join("testdata", "fmt"), filepath.Join("testdata", "revision")} {
		if err := os.CopyFS(filepath.Join(dir, src), os.DirFS(src)); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(dir)
	runGit(t, "init", "-q", "-b", "main")
	runGit(t, "add", ".")
	runGit(t, "commit", "-q", "-m", "the shipped rules and seeds")
	// The examples' environment is theirs alone: none of the reader's.
	for _, fe := range serveEnv {
		t.Setenv(fe.env, "")
	}
}

// runGit runs git with args in the working directory, as a committer of
// its own, and fails the test if git does.
func runGit(t *testing.T, args ...string) {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-c", "user.name=cmap", "-c", "user.email=cmap@example.invalid", "-c", "commit.gpgsign=false"}, args...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}

// commandLine is a command as a reader types it: VAR=value assignments,
// then the words of the command.
type commandLine struct {
	env  [][2]string
	args []string
}

var assignment = regexp.MustCompile(`^[A-Z_][A-Z0-9_]*=`)

// parseCommandLine splits line as a POSIX shell would split a simple
// command: words separated by blanks, quoted with '...' or "...", leading
// NAME=value assignments. Anything else a shell would interpret (pipes,
// redirections, $, backslashes, globs) is refused, so that an example never
// means more than the test runs.
func parseCommandLine(line string) (commandLine, error) {
	var words []string
	var word strings.Builder
	inWord := false
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c == ' ' || c == '\t':
			if inWord {
				words, inWord = append(words, word.String()), false
				word.Reset()
			}
		case c == '\'' || c == '"':
			end := strings.IndexByte(line[i+1:], c)
			if end < 0 {
				return commandLine{}, fmt.Errorf("unclosed %c in %q", c, line)
			}
			quoted := line[i+1 : i+1+end]
			if c == '"' && strings.ContainsAny(quoted, "$`\\") {
				return commandLine{}, fmt.Errorf("%q: only plain text in double quotes", line)
			}
			word.WriteString(quoted)
			inWord = true
			i += end + 1
		case strings.IndexByte("|&;<>()$`\\*?[]#~", c) >= 0:
			return commandLine{}, fmt.Errorf("%q: %c is shell syntax the examples do not use", line, c)
		default:
			word.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, word.String())
	}
	var cl commandLine
	for len(words) > 0 && assignment.MatchString(words[0]) {
		name, value, _ := strings.Cut(words[0], "=")
		cl.env = append(cl.env, [2]string{name, value})
		words = words[1:]
	}
	cl.args = words
	return cl, nil
}

// runsServer reports whether the cmap arguments args run the server.
func runsServer(args []string) bool {
	if len(args) == 0 {
		return true
	}
	if args[0] == "serve" {
		return !slices.ContainsFunc(args, isHelpFlag)
	}
	return strings.HasPrefix(args[0], "-") && !isHelpFlag(args[0])
}

// runsBench reports whether the cmap arguments args run the bench.
func runsBench(args []string) bool {
	return len(args) > 0 && args[0] == "bench" && !slices.ContainsFunc(args, isHelpFlag)
}

// managesKeys reports whether the cmap arguments args make, list or
// revoke API keys, whose output holds what no golden file can: a new
// token, ids made at random, the times keys were made.
func managesKeys(args []string) bool {
	return len(args) > 1 && args[0] == "keys" && args[1] != "help" && !slices.ContainsFunc(args, isHelpFlag)
}

// exportsCASE reports whether the cmap arguments args export the model as
// a CASE package, whose dates are the model file's or the courses'.
func exportsCASE(args []string) bool {
	return len(args) > 1 && args[0] == "model" && args[1] == "export" && slices.Contains(args, "case") &&
		!slices.ContainsFunc(args, isHelpFlag)
}

// unrecorded reports whether the output of the cmap arguments args is not
// compared (see the package comment): a server, the bench, a command on
// API keys, or a CASE export.
func unrecorded(args []string) bool {
	return runsServer(args) || runsBench(args) || managesKeys(args) || exportsCASE(args)
}

// exampleResult is what a cmap example printed and returned.
type exampleResult struct {
	code           int
	stdout, stderr string
}

// runExample runs cl, a command line whose first word is cmap, in the
// workspace. A server example is started, checked to serve and stopped.
func runExample(t *testing.T, cl commandLine) exampleResult {
	t.Helper()
	if len(cl.args) == 0 || cl.args[0] != "cmap" {
		t.Fatalf("%v: not a cmap command", cl.args)
	}
	args := slices.Clone(cl.args[1:])
	if runsBench(args) {
		var stdout, stderr bytes.Buffer
		_, code, _ := parseBenchFlags(args[1:], &stdout, &stderr)
		return exampleResult{code, stdout.String(), stderr.String()}
	}
	if !runsServer(args) {
		for _, kv := range cl.env {
			t.Setenv(kv[0], kv[1])
		}
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), args, &stdout, &stderr)
		return exampleResult{code, stdout.String(), stderr.String()}
	}
	return exampleResult{code: serveExample(t, cl.env, args)}
}

// serveExample runs a server example with the replacements the package
// comment describes, waits until it serves, checks /healthz, stops it and
// returns its exit code.
func serveExample(t *testing.T, env [][2]string, args []string) int {
	t.Helper()
	t.Setenv("CMAP_ADDR", "127.0.0.1:0")
	var db *mongodb.DB
	uri := func() string {
		if db == nil {
			var err error
			if db, err = mongodb.Open(context.Background(), mongodb.Config{DataDir: "data"}); err != nil {
				t.Fatal(err)
			}
		}
		return db.URI()
	}
	defer func() {
		if db != nil {
			db.Close(context.Background())
		}
	}()
	for _, kv := range env {
		v := kv[1]
		switch {
		case kv[0] == "CMAP_ADDR":
			v = "127.0.0.1:0"
		case strings.HasPrefix(v, "mongodb://"):
			v = uri()
		}
		t.Setenv(kv[0], v)
	}
	for i, a := range args {
		switch {
		case i > 0 && (args[i-1] == "--addr" || args[i-1] == "-addr"):
			args[i] = "127.0.0.1:0"
		case strings.HasPrefix(a, "--addr="):
			args[i] = "--addr=127.0.0.1:0"
		case strings.HasPrefix(a, "mongodb://"):
			args[i] = uri()
		}
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stderr syncBuffer
	done := make(chan int, 1)
	go func() { done <- run(ctx, args, io.Discard, &stderr) }()
	serving := regexp.MustCompile(`msg=serving graphql=(http://\S+)/graphql`)
	deadline := time.Now().Add(2 * time.Minute)
	for {
		if m := serving.FindStringSubmatch(stderr.String()); m != nil {
			if code, body := getText(t, m[1]+"/healthz"); code != http.StatusOK {
				t.Errorf("/healthz: %d %q", code, body)
			}
			break
		}
		select {
		case code := <-done:
			t.Fatalf("the server stopped with exit %d before serving:\n%s", code, stderr.String())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("the server did not start:\n%s", stderr.String())
		}
	}
	cancel()
	select {
	case code := <-done:
		return code
	case <-time.After(time.Minute):
		t.Fatalf("the server did not stop:\n%s", stderr.String())
		return -1
	}
}

// helpExamples returns the examples of a help text: the lines of its
// "Examples:" section.
func helpExamples(help string) []string {
	_, block, ok := strings.Cut(help, "\nExamples:\n")
	if !ok {
		return nil
	}
	block, _, _ = strings.Cut(block, "\n\n")
	var out []string
	for _, line := range strings.Split(strings.TrimRight(block, "\n"), "\n") {
		out = append(out, strings.TrimSpace(line))
	}
	return out
}

// Durations vary from run to run: golden files hold DURATION and SECONDS
// in their place (a rule test's "(51µs)" or "(course X, 12µs)", a JUnit
// time="0.000042").
var (
	testDurations = regexp.MustCompile(`(\(|, )\d+(\.\d+)?(ns|µs|ms|s)\)`)
	junitTimes    = regexp.MustCompile(`time="\d+\.\d+"`)
)

// maskDurations replaces the durations of rule tests in s.
func maskDurations(s string) string {
	s = testDurations.ReplaceAllString(s, "${1}DURATION)")
	return junitTimes.ReplaceAllString(s, `time="SECONDS"`)
}

// exampleGolden returns the text a help example's golden file holds: its
// command line, standard output, then standard error, the exit code and
// the files it wrote (-o FILE) when there are any, durations masked.
func exampleGolden(t *testing.T, line string, cl commandLine, r exampleResult) string {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "$ %s\n%s", line, maskDurations(r.stdout))
	if r.stderr != "" {
		fmt.Fprintf(&b, "--- stderr\n%s", r.stderr)
	}
	if r.code != exitOK {
		fmt.Fprintf(&b, "--- exit %d\n", r.code)
	}
	for i, a := range cl.args {
		if a == "-o" && i+1 < len(cl.args) {
			data, err := os.ReadFile(cl.args[i+1])
			if err != nil {
				t.Fatalf("%s: %v", line, err)
			}
			if strings.HasSuffix(cl.args[i+1], ".xlsx") {
				fmt.Fprintf(&b, "--- file %s\n%s", cl.args[i+1], workbookSummary(t, data))
				continue
			}
			fmt.Fprintf(&b, "--- file %s\n%s", cl.args[i+1], data)
		}
	}
	return b.String()
}

// workbookSummary describes an XLSX file for a golden file, which cannot
// hold its bytes (nor the time its legend states): each sheet's name, size
// and first row.
func workbookSummary(t *testing.T, data []byte) string {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("not a workbook: %v", err)
	}
	defer f.Close()
	var b strings.Builder
	for _, sheet := range f.GetSheetList() {
		rows, err := f.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		width := 0
		for _, r := range rows {
			width = max(width, len(r))
		}
		fmt.Fprintf(&b, "sheet %s: %d rows of %d cells\n", sheet, len(rows), width)
		if len(rows) > 0 {
			fmt.Fprintf(&b, "  %s\n", strings.Join(rows[0], " | "))
		}
	}
	return b.String()
}

var nonWord = regexp.MustCompile(`[^A-Za-z0-9.]+`)

// exampleGoldenName names the golden file of a help example.
func exampleGoldenName(dir, line string) string {
	return filepath.Join(dir, "testdata", "examples", strings.Trim(nonWord.ReplaceAllString(line, "-"), "-")+".txt")
}

// TestDocumentedExamples runs every example of every help text, each
// compared with its golden file (server examples are checked to serve),
// then every command and query of README.md, each compared with the output
// the README shows, as readme_test.go describes.
func TestDocumentedExamples(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the embedded database several times")
	}
	repo, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	var helps []string
	for _, words := range allCommands(t) {
		_, stdout, _ := runCmd(t, append(slices.Clone(words), "-h")...)
		helps = append(helps, stdout)
	}
	readme := readREADME(t, filepath.Join(repo, "README.md"))
	graphErrors, err := os.ReadFile(filepath.Join(repo, "graph", "errors.go"))
	if err != nil {
		t.Fatal(err)
	}
	workspace(t)

	seen := map[string]bool{}
	t.Run("help", func(t *testing.T) {
		defer checkStaleGoldens(t, repo, seen)
		for _, help := range helps {
			for _, line := range helpExamples(help) {
				if seen[line] {
					continue
				}
				seen[line] = true
				t.Run(line, func(t *testing.T) {
					cl, err := parseCommandLine(line)
					if err != nil {
						t.Fatal(err)
					}
					r := runExample(t, cl)
					if unrecorded(cl.args[1:]) {
						if r.code != exitOK {
							t.Errorf("%s: exit %d\n%s", line, r.code, r.stderr)
						}
						return
					}
					checkGolden(t, exampleGoldenName(repo, line), exampleGolden(t, line, cl, r))
				})
			}
		}
	})

	t.Run("README rules", func(t *testing.T) { checkQuotedRules(t, readme, "rules") })
	commands := readme.commands(t)
	t.Run("README commands", func(t *testing.T) { readme.runCommands(t, commands) })
	s, admin := startREADMEServer(t)
	defer stop(t, s)
	t.Run("README queries", func(t *testing.T) { readme.runQueries(t, commands, s.URL(), admin) })
	t.Run("README error codes", func(t *testing.T) { checkErrorCodes(t, readme, string(graphErrors), s.URL(), admin) })
	if *update {
		rebuild(commands)
		readme.write(t)
	}
}

// checkStaleGoldens reports (or with -update removes) the golden files of
// examples that no help text shows any more.
func checkStaleGoldens(t *testing.T, repo string, examples map[string]bool) {
	want := map[string]bool{}
	for line := range examples {
		want[exampleGoldenName(repo, line)] = true
	}
	files, err := filepath.Glob(filepath.Join(repo, "testdata", "examples", "*.txt"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		switch {
		case want[f]:
		case *update:
			if err := os.Remove(f); err != nil {
				t.Error(err)
			}
		default:
			t.Errorf("%s: no help example writes this golden file any more (run the test with -update to remove it)", f)
		}
	}
}
