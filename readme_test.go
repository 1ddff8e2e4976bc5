package main

import (
	"bytes"
	"cmap/domain"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// README.md is checked as a reader would use it (TestDocumentedExamples):
//
//   - In ```sh blocks every line starting with "$ " is a command, and the
//     lines up to the next command are what it prints (standard output,
//     then standard error). A cmap command is run and must print exactly
//     that; a server (cmap, cmap serve) is started, checked to serve and
//     stopped, and a bench has its command line checked (examples_test.go
//     says why); they show no output. "curl -s URL" on http://127.0.0.1:8080
//     gets URL from a server over the seeded sample and must answer exactly
//     the lines shown. The go commands of readmeGoCommands are the
//     toolchain's own and are not run. Any other command fails the test.
//   - A ```graphql block is sent to that server, with an admin's API key
//     (as a reader who followed the README has one in the explorer's
//     Headers tab), and must answer without errors; when a ```json block
//     follows it, the answer must be exactly that block.
//   - A ```yaml block that starts with "rules:" quotes shipped rules: each
//     rule's lines appear, in order and together, in a file under rules/.
//   - The table of error codes lists exactly the codes the API answers:
//     each is provoked by a request in readmeErrorRequests, and every code
//     graph/errors.go defines is listed.
//
// With -update the outputs and answers in README.md are rewritten from
// what the commands print now.

// readmeGoCommands are the go commands README.md may show.
var readmeGoCommands = []string{"go install .", "go build -o cmap .", "go run .", "go test ./..."}

// readmeHost is the address README.md's URLs name.
const readmeHost = "http://127.0.0.1:8080"

// readme is README.md as lines, with its fenced blocks.
type readme struct {
	path   string
	lines  []string
	blocks []*fencedBlock
}

// fencedBlock is a fenced code block of README.md.
type fencedBlock struct {
	lang string
	// line is the line number of the opening fence (1-based), for messages.
	line int
	// start and end delimit the content: lines[start:end].
	start, end int
	// content is the block's text, rewritten by -update.
	content []string
}

func readREADME(t *testing.T, path string) *readme {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	r := &readme{path: path, lines: strings.Split(string(data), "\n")}
	var open *fencedBlock
	for i, l := range r.lines {
		switch {
		case open == nil && strings.HasPrefix(l, "```"):
			open = &fencedBlock{lang: strings.TrimPrefix(l, "```"), line: i + 1, start: i + 1}
		case open != nil && l == "```":
			open.end = i
			open.content = slices.Clone(r.lines[open.start:i])
			r.blocks = append(r.blocks, open)
			open = nil
		}
	}
	if open != nil {
		t.Fatalf("%s:%d: unclosed code block", path, open.line)
	}
	return r
}

// write writes README.md back with the blocks' content.
func (r *readme) write(t *testing.T) {
	t.Helper()
	var out []string
	last := 0
	for _, b := range r.blocks {
		out = append(out, r.lines[last:b.start]...)
		out = append(out, b.content...)
		last = b.end
	}
	out = append(out, r.lines[last:]...)
	if err := os.WriteFile(r.path, []byte(strings.Join(out, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
}

// shellCommand is one "$ " command of a sh block and the output shown.
type shellCommand struct {
	block  *fencedBlock
	line   string   // without "$ "
	output []string // the lines shown after it
}

// commands returns the commands of the sh blocks.
func (r *readme) commands(t *testing.T) []*shellCommand {
	t.Helper()
	var out []*shellCommand
	for _, b := range r.blocks {
		if b.lang != "sh" {
			continue
		}
		for i, l := range b.content {
			switch {
			case strings.HasPrefix(l, "$ "):
				out = append(out, &shellCommand{block: b, line: strings.TrimPrefix(l, "$ ")})
			case len(out) == 0 || out[len(out)-1].block != b:
				t.Errorf("%s:%d: a sh block starts with a command: $ ...", r.path, b.start+i+1)
			default:
				c := out[len(out)-1]
				c.output = append(c.output, l)
			}
		}
	}
	return out
}

// check compares what a command printed with what the README shows, or
// records it with -update.
func (c *shellCommand) check(t *testing.T, got string) {
	t.Helper()
	var lines []string
	if got != "" {
		lines = strings.Split(strings.TrimSuffix(got, "\n"), "\n")
	}
	if *update {
		c.output = lines
		return
	}
	if !slices.Equal(lines, c.output) {
		t.Errorf("README.md:%d: $ %s prints\n%s\nthe README shows\n%s\n(run the test with -update to rewrite the README)",
			c.block.line, c.line, strings.Join(lines, "\n"), strings.Join(c.output, "\n"))
	}
}

// rebuild writes the commands and their output back into their blocks.
func rebuild(commands []*shellCommand) {
	for _, c := range commands {
		c.block.content = nil
	}
	for _, c := range commands {
		c.block.content = append(append(c.block.content, "$ "+c.line), c.output...)
	}
}

// runCommands runs the cmap commands of the sh blocks and checks the go
// commands; curl commands wait for runQueries.
func (r *readme) runCommands(t *testing.T, commands []*shellCommand) {
	for _, c := range commands {
		cl, err := parseCommandLine(c.line)
		if err != nil || len(cl.args) == 0 {
			t.Errorf("README.md:%d: %q: %v", c.block.line, c.line, err)
			continue
		}
		switch cl.args[0] {
		case "cmap":
			t.Run(c.line, func(t *testing.T) {
				res := runExample(t, cl)
				if unrecorded(cl.args[1:]) {
					if res.code != exitOK || len(c.output) > 0 {
						t.Errorf("README.md:%d: %s: exit %d; a server or bench example shows no output", c.block.line, c.line, res.code)
					}
					return
				}
				c.check(t, res.stdout+res.stderr)
			})
		case "go":
			if !slices.Contains(readmeGoCommands, c.line) || len(c.output) > 0 {
				t.Errorf("README.md:%d: %q is not one of the go commands the README may show (%q), without output",
					c.block.line, c.line, readmeGoCommands)
			}
		case "curl":
		default:
			t.Errorf("README.md:%d: %q: the test runs cmap, curl and go commands only", c.block.line, c.line)
		}
	}
}

// runQueries runs the curl commands (without credentials, as they are
// shown) and the GraphQL blocks (with the API key key) against the server
// at base.
func (r *readme) runQueries(t *testing.T, commands []*shellCommand, base, key string) {
	for _, c := range commands {
		cl, _ := parseCommandLine(c.line)
		if len(cl.args) == 0 || cl.args[0] != "curl" {
			continue
		}
		t.Run(c.line, func(t *testing.T) {
			if len(cl.args) != 3 || cl.args[1] != "-s" || !strings.HasPrefix(cl.args[2], readmeHost+"/") {
				t.Fatalf("README.md:%d: %q: the README's curl commands are: curl -s %s/...", c.block.line, c.line, readmeHost)
			}
			u, err := url.Parse(cl.args[2])
			if err != nil {
				t.Fatal(err)
			}
			code, body := getText(t, base+u.RequestURI())
			if code != http.StatusOK {
				t.Errorf("README.md:%d: %s: status %d: %s", c.block.line, c.line, code, body)
			}
			c.check(t, body)
		})
	}
	for i, b := range r.blocks {
		if b.lang != "graphql" {
			continue
		}
		var answer *fencedBlock
		if i+1 < len(r.blocks) && r.blocks[i+1].lang == "json" && onlyBlankBetween(r.lines, b.end+1, r.blocks[i+1].start-1) {
			answer = r.blocks[i+1]
		}
		t.Run("graphql block of line "+strconv.Itoa(b.line), func(t *testing.T) {
			body, _ := json.Marshal(map[string]string{"query": strings.Join(b.content, "\n")})
			raw := postBody(t, base, key, "application/json", body)
			var indented bytes.Buffer
			if err := json.Indent(&indented, raw, "", "  "); err != nil {
				t.Fatalf("README.md:%d: %v: %s", b.line, err, raw)
			}
			got := strings.Split(indented.String(), "\n")
			switch {
			case answer == nil:
				var resp struct{ Errors []json.RawMessage }
				if err := json.Unmarshal(raw, &resp); err != nil || len(resp.Errors) > 0 {
					t.Errorf("README.md:%d: the query answers errors: %s", b.line, raw)
				}
			case *update:
				answer.content = got
			case !slices.Equal(got, answer.content):
				t.Errorf("README.md:%d: the query answers\n%s\nthe README shows\n%s\n(run the test with -update to rewrite the README)",
					b.line, indented.String(), strings.Join(answer.content, "\n"))
			}
		})
	}
}

// onlyBlankBetween reports whether lines[from:to] are all blank.
func onlyBlankBetween(lines []string, from, to int) bool {
	for _, l := range lines[from:to] {
		if strings.TrimSpace(l) != "" {
			return false
		}
	}
	return true
}

// postBody POSTs a request body to base/graphql, with the credential
// key ("" for none), and returns the response body.
func postBody(t *testing.T, base, key, contentType string, body []byte) []byte {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, base+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// readmeErrorRequest is a request body for POST /graphql and the
// credential it is sent with: "admin" (an admin's API key), "refused" (a
// key the server does not know) or "" (none: the README server listens on
// loopback, where such requests read as viewers).
type readmeErrorRequest struct {
	body, credential string
}

// readmeErrorRequests provokes each error code the API answers.
var readmeErrorRequests = map[string]readmeErrorRequest{
	"GRAPHQL_PARSE_FAILED":          {`{"query": "{ courses("}`, ""},
	"GRAPHQL_VALIDATION_FAILED":     {`{"query": "{ course(code: \"SCM-201\") { price } }"}`, ""},
	"BAD_USER_INPUT":                {`{"query": "{ gaps(minLevel: \"Master\") { level } }"}`, ""},
	"NOT_FOUND":                     {`{"query": "{ explain(rule: \"no-such-rule\", course: \"SCM-201\") { fired } }"}`, "admin"},
	"CONFLICT":                      {`{"query": "mutation { updateCourse(code: \"SCM-201\", version: 999999, input: {hours: 1}) { code } }"}`, "admin"},
	"UNAUTHENTICATED":               {`{"query": "{ competencies { code } }"}`, "refused"},
	"FORBIDDEN":                     {`{"query": "{ people { totalCount } }"}`, ""},
	"COMPLEXITY_LIMIT_EXCEEDED":     {`{"query": "{ people(first: 100) { edges { node { recommendations { courses { course { title } } } position { people { recommendations { totalHours } } } } } } }"}`, ""},
	"DEPTH_LIMIT_EXCEEDED":          {`{"query": "{ course(code: \"SCM-201\") { ` + strings.Repeat("prerequisites { ", 16) + "code" + strings.Repeat(" }", 18) + `"}`, ""},
	"ALIAS_LIMIT_EXCEEDED":          {`{"query": "{ ` + repeatf(31, "a%d: __typename ") + `}"}`, ""},
	"REPEATED_FIELD_LIMIT_EXCEEDED": {`{"query": "{ ` + strings.Repeat("__typename ", 11) + `}"}`, ""},
	"FIELD_LIMIT_EXCEEDED": {`{"query": "{ ` + repeatf(30, "a%d: courses { edges { node { ...G } } } ") + `} ` +
		`fragment F on Course { code title description provider deliveryMode status objectives topics hours version prerequisiteCodes } ` +
		`fragment G on Course { ` + strings.Repeat("...F prerequisites { ", 8) + "...F" + strings.Repeat(" }", 9) + `"}`, ""},
	"PERSISTED_QUERY_NOT_FOUND": {`{"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "0000000000000000000000000000000000000000000000000000000000000000"}}}`, ""},
	"BAD_REQUEST":               {`{"query": "{ competencies { code } }", "variables": [1]}`, ""},
	"PAYLOAD_TOO_LARGE":         {`{"query": "{ __typename }` + strings.Repeat(" ", 1<<20) + `"}`, ""},
}

// readmeErrorsNotProvoked are the codes README.md lists that a request to a
// healthy server cannot provoke, and the tests that provoke them instead.
var readmeErrorsNotProvoked = map[string]string{
	"INTERNAL": "graph's TestInternalErrorsHideDetails, with a failing store",
	"TIMEOUT":  "graph's tests of the request deadline",
	// The idempotency codes need an Idempotency-Key header and a retry.
	"IDEMPOTENCY_KEY_REUSED":  "graph's TestIdempotencyKeyWithAnotherRequestIsRefused",
	"IDEMPOTENCY_KEY_IN_USE":  "graph's TestIdempotentRetryWhileTheFirstRuns",
	"IDEMPOTENCY_ANSWER_LOST": "graph's TestIdempotentRetryAfterAnUnknownOutcome",
}

// repeatf joins format filled with 0, 1, ... n-1.
func repeatf(n int, format string) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, format, i)
	}
	return b.String()
}

// readmeErrorCodes returns the codes of README.md's table of error codes:
// the rows that start with a code in backquotes.
func readmeErrorCodes(r *readme) []string {
	row := regexp.MustCompile("^\\| `([A-Z_]+)` \\|")
	var codes []string
	for _, l := range r.lines {
		if m := row.FindStringSubmatch(l); m != nil {
			codes = append(codes, m[1])
		}
	}
	return codes
}

// checkErrorCodes: the README lists every code graph/errors.go defines,
// and every code it lists is answered to a request that provokes it;
// admin is an admin's API key.
func checkErrorCodes(t *testing.T, r *readme, graphErrors, base, admin string) {
	listed := readmeErrorCodes(r)
	for _, m := range regexp.MustCompile(`code\w+\s*=\s*"([A-Z_]+)"`).FindAllStringSubmatch(graphErrors, -1) {
		if !slices.Contains(listed, m[1]) {
			t.Errorf("README.md does not list the error code %s of graph/errors.go", m[1])
		}
	}
	for _, code := range listed {
		if _, elsewhere := readmeErrorsNotProvoked[code]; elsewhere {
			continue
		}
		req, ok := readmeErrorRequests[code]
		if !ok {
			t.Errorf("README.md lists the error code %s, which no request of readmeErrorRequests provokes", code)
			continue
		}
		key := map[string]string{"admin": admin, "refused": "cmap_nosuchkey_NOTASECRET"}[req.credential]
		raw := postBody(t, base, key, "application/json", []byte(req.body))
		var resp struct {
			Errors []struct {
				Message    string
				Extensions struct{ Code string }
			}
		}
		if err := json.Unmarshal(raw, &resp); err != nil || len(resp.Errors) == 0 || resp.Errors[0].Extensions.Code != code {
			t.Errorf("%s: the request %s answers %s", code, req.body, raw)
		}
	}
	for code := range readmeErrorRequests {
		if !slices.Contains(listed, code) {
			t.Errorf("the API answers %s, which README.md does not list", code)
		}
	}
}

// startREADMEServer starts the server the README's queries are sent to,
// over the workspace's seeded database, and returns it with an admin's
// API key.
func startREADMEServer(t *testing.T) (*server, string) {
	t.Helper()
	s := start(t, serveConfig{Addr: "127.0.0.1:0", DataDir: "data", RulesDir: "rules", SeedsDir: "seeds"})
	_, key, err := s.app.Keys().Create(t.Context(), "README reader", []domain.Role{domain.RoleAdmin})
	if err != nil {
		t.Fatal(err)
	}
	return s, key
}

// checkQuotedRules: the rules a README yaml block shows are shipped rules,
// quoted exactly.
func checkQuotedRules(t *testing.T, r *readme, rulesDir string) {
	var files []string
	err := filepath.WalkDir(rulesDir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".yaml") {
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			files = append(files, "\n"+string(data))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range r.blocks {
		if b.lang != "yaml" || len(b.content) == 0 || b.content[0] != "rules:" {
			continue
		}
		var rule []string
		flush := func() {
			if len(rule) == 0 {
				return
			}
			quoted := "\n" + strings.Join(rule, "\n") + "\n"
			if !slices.ContainsFunc(files, func(f string) bool { return strings.Contains(f, quoted) }) {
				t.Errorf("README.md:%d: this rule is not a shipped rule, quoted exactly:\n%s", b.line, strings.Join(rule, "\n"))
			}
			rule = nil
		}
		for _, l := range b.content[1:] {
			if strings.HasPrefix(l, "  - id:") {
				flush()
			}
			rule = append(rule, l)
		}
		flush()
	}
}
