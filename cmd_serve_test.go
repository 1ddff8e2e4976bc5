package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"cmap/app/apptest"
	"cmap/auth"
	"cmap/mongodb"
)

func TestServeFlagsWinOverEnvironment(t *testing.T) {
	roles := auth.JWTConfig{RolesClaim: "roles"}
	defaults := serveConfig{Addr: "127.0.0.1:8080", DataDir: "./data", RulesDir: "rules", SeedsDir: "seeds", WatchRules: true, Poll: 2 * time.Second, JWT: roles}
	env := map[string]string{
		"CMAP_ADDR": "0.0.0.0:1", "CMAP_DATA": "/env/data", "CMAP_MONGO_URI": "mongodb://env/",
		"CMAP_RULES": "/env/rules", "CMAP_SEEDS": "/env/seeds", "CMAP_WATCH_RULES": "false", "CMAP_POLL": "5s",
		"CMAP_ANONYMOUS": "none", "CMAP_JWT_JWKS": "https://idp.example/jwks", "CMAP_JWT_ISSUER": "https://idp.example",
		"CMAP_JWT_AUDIENCE": "cmap", "CMAP_JWT_ROLES_CLAIM": "realm_access.roles",
	}
	envJWT := auth.JWTConfig{JWKS: "https://idp.example/jwks", Issuer: "https://idp.example", Audience: "cmap", RolesClaim: "realm_access.roles"}
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		want serveConfig
	}{
		{"defaults", nil, nil, defaults},
		{"environment", nil, env, serveConfig{Addr: "0.0.0.0:1", DataDir: "/env/data", MongoURI: "mongodb://env/", RulesDir: "/env/rules", SeedsDir: "/env/seeds", Poll: 5 * time.Second,
			Anonymous: "none", JWT: envJWT}},
		{"flags over environment", []string{"--addr", "127.0.0.1:0", "--data=/flag/data", "--mongo-uri", "mongodb://flag/", "--rules", "r", "--seeds", "s", "--watch-rules", "--poll", "0",
			"--anonymous", "viewer", "--jwt-jwks", "jwks.json", "--jwt-issuer", "iss", "--jwt-audience", "aud", "--jwt-roles-claim", "cmap_roles"}, env,
			serveConfig{Addr: "127.0.0.1:0", DataDir: "/flag/data", MongoURI: "mongodb://flag/", RulesDir: "r", SeedsDir: "s", WatchRules: true,
				Anonymous: "viewer", JWT: auth.JWTConfig{JWKS: "jwks.json", Issuer: "iss", Audience: "aud", RolesClaim: "cmap_roles"}}},
		{"some flags", []string{"--seeds", "s"}, map[string]string{"CMAP_SEEDS": "/env/seeds", "CMAP_DATA": "/env/data"},
			serveConfig{Addr: "127.0.0.1:8080", DataDir: "/env/data", RulesDir: "rules", SeedsDir: "s", WatchRules: true, Poll: 2 * time.Second, JWT: roles}},
		{"an empty flag still wins", []string{"--mongo-uri="}, map[string]string{"CMAP_MONGO_URI": "mongodb://env/"}, defaults},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, code, ok := parseServeFlags(tc.args, func(k string) string { return tc.env[k] }, io.Discard, io.Discard)
			if !ok {
				t.Fatalf("exit %d", code)
			}
			if got != tc.want {
				t.Errorf("config = %+v, want %+v", got, tc.want)
			}
		})
	}
	for _, args := range [][]string{{"--nope"}, {"extra"}} {
		var stdout, stderr bytes.Buffer
		if _, code, ok := parseServeFlags(args, func(string) string { return "" }, &stdout, &stderr); ok || code != exitUsage ||
			!strings.Contains(stderr.String(), "Usage") || stdout.Len() > 0 {
			t.Errorf("%v: exit %d, stderr %q: want %d and the usage on stderr", args, code, stderr.String(), exitUsage)
		}
	}
}

// post sends a GraphQL query to the server at base without credentials
// (the tests' servers listen on loopback, where such requests read as
// viewers) and decodes its data.
func post(t *testing.T, base, query string, data any) {
	t.Helper()
	postAs(t, base, "", query, nil, data)
}

// postVars is post with variables.
func postVars(t *testing.T, base, query string, variables map[string]any, data any) {
	t.Helper()
	postAs(t, base, "", query, variables, data)
}

// postAs sends query with variables (nil for none) and the API key key
// ("" for none), and decodes its data.
func postAs(t *testing.T, base, key, query string, variables map[string]any, data any) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": variables})
	var r struct {
		Data   json.RawMessage
		Errors []struct{ Message string }
	}
	if err := json.Unmarshal(postBody(t, base, key, "application/json", body), &r); err != nil {
		t.Fatal(err)
	}
	if len(r.Errors) > 0 {
		t.Fatalf("%s: errors %+v", query, r.Errors)
	}
	if err := json.Unmarshal(r.Data, data); err != nil {
		t.Fatal(err)
	}
}

func getText(t *testing.T, url string) (int, string) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(body)
}

func start(t *testing.T, cfg serveConfig) *server {
	t.Helper()
	s, err := startServer(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func stop(t *testing.T, s *server) {
	t.Helper()
	if err := s.Close(context.Background()); err != nil {
		t.Errorf("closing: %v", err)
	}
}

// TestServeEndToEnd starts cmap on a fresh data folder, reads the seeded
// model over HTTP, writes through the API, restarts on the same folder,
// and shares the embedded database with a second instance through the URI
// the first one logged.
func TestServeEndToEnd(t *testing.T) {
	cfg := serveConfig{Addr: "127.0.0.1:0", DataDir: t.TempDir(), RulesDir: "rules", SeedsDir: "seeds"}
	startLog := &apptest.LogBuffer{}
	first, err := startServer(context.Background(), cfg, slog.New(slog.NewTextHandler(startLog, nil)))
	if err != nil {
		t.Fatal(err)
	}
	logged := regexp.MustCompile(`embedded database started.* uri=(\S+)`).FindStringSubmatch(startLog.String())
	if logged == nil {
		t.Fatalf("the first instance logged no database URI:\n%s", startLog)
	}
	admin := first.firstKey
	if admin == "" {
		t.Fatal("the first start made no admin key")
	}

	var model struct {
		Competencies []struct {
			Code, Title     string
			SubCompetencies []struct{ Code string }
		}
	}
	post(t, first.URL(), `{ competencies { code title subCompetencies { code } } }`, &model)
	subs := 0
	titles := map[string]bool{}
	for _, c := range model.Competencies {
		subs += len(c.SubCompetencies)
		titles[c.Title] = true
	}
	if len(model.Competencies) != 9 || subs != 58 {
		t.Errorf("%d competencies, %d sub-competencies; want 9 and 58", len(model.Competencies), subs)
	}
	for _, title := range []string{"Sales and Transfers", "Security, Foreign Disclosure, and End-Use Controls"} {
		if !titles[title] {
			t.Errorf("no competency titled %q", title)
		}
	}
	if code, body := getText(t, first.URL()+"/healthz"); code != 200 || body != "ok\n" {
		t.Errorf("/healthz: %d %q", code, body)
	}
	if code, body := getText(t, first.URL()+"/readyz"); code != 200 {
		t.Errorf("/readyz: %d %q", code, body)
	}
	for _, name := range []string{"rules.json", "rule-tests.json", "scale.json"} {
		want, err := os.ReadFile(filepath.Join("schema", name))
		if err != nil {
			t.Fatal(err)
		}
		if code, body := getText(t, first.URL()+"/schema/"+name); code != 200 || body != string(want) {
			t.Errorf("/schema/%s: %d, not schema/%s", name, code, name)
		}
	}
	if code, body := getText(t, first.URL()+"/"); code != 200 || !strings.Contains(body, "<title>cmap GraphQL explorer</title>") {
		t.Errorf("/: %d", code)
	}

	// Write: a new course, and delete a seeded person (a seeded record
	// users delete must not come back on restart).
	var seededPeople struct {
		People struct {
			Edges []struct {
				Node struct {
					ID      string
					Version int
				}
			}
		}
	}
	postAs(t, first.URL(), admin, `{ people(first: 1) { edges { node { id version } } } }`, nil, &seededPeople)
	if len(seededPeople.People.Edges) != 1 {
		t.Fatal("no seeded person to delete")
	}
	victim := seededPeople.People.Edges[0].Node
	postAs(t, first.URL(), admin, `mutation { createCourse(input: { code: "TST-101", title: "Written through the API", hours: 2, deliveryMode: ONLINE }) { code } }`, nil, &struct{}{})
	postAs(t, first.URL(), admin, fmt.Sprintf(`mutation { deletePerson(id: %q, version: %d) { id } }`, victim.ID, victim.Version), nil, &struct{}{})

	// /metrics counts what happened: four GraphQL requests, the write that
	// reached the database, the build on open; and the runtime.
	code, metrics := getText(t, first.URL()+"/metrics")
	for _, series := range []string{
		`cmap_graphql_requests_total{code="ok",operation="anonymous"} 4`,
		`cmap_store_call_duration_seconds_count{method="CreateCourse"} 1`,
		`cmap_readmodel_rebuild_duration_seconds_count{cause="open"} 1`,
		"go_goroutines ", "process_resident_memory_bytes ",
	} {
		if code != http.StatusOK || !strings.Contains(metrics, "\n"+series) {
			t.Errorf("/metrics: HTTP %d, no line %s", code, series)
		}
	}

	// A second instance on the first one's embedded database sees the write.
	if !first.db.Embedded() {
		t.Fatal("the first instance did not start the embedded database")
	}
	second := start(t, serveConfig{Addr: "127.0.0.1:0", DataDir: t.TempDir(), MongoURI: logged[1], RulesDir: "rules", SeedsDir: "no-such-folder"})
	var shared struct{ Course *struct{ Title string } }
	post(t, second.URL(), `{ course(code: "TST-101") { title } }`, &shared)
	if shared.Course == nil || shared.Course.Title != "Written through the API" {
		t.Errorf("the second instance reads %+v", shared.Course)
	}

	stop(t, first)
	// With the first instance (and its embedded database) gone, the
	// second one is alive but not ready.
	if code, _ := getText(t, second.URL()+"/healthz"); code != 200 {
		t.Errorf("/healthz of the second instance: %d", code)
	}
	logs := &apptest.LogBuffer{}
	second.logger = slog.New(slog.NewTextHandler(logs, nil))
	if code, body := getText(t, second.URL()+"/readyz"); code != 503 || body != "not ready\n" {
		t.Errorf("/readyz without a database: %d %q, want 503 \"not ready\" and no more", code, body)
	}
	if !strings.Contains(logs.String(), "not ready: the database does not answer") || !strings.Contains(logs.String(), "error=") {
		t.Errorf("/readyz did not log the cause:\n%s", logs)
	}
	stop(t, second)

	// Restart on the same data folder: the writes are kept, nothing is
	// re-seeded, and no other first key is made.
	again := start(t, cfg)
	defer stop(t, again)
	if again.firstKey != "" {
		t.Error("a restart made another first admin key")
	}
	var kept struct {
		New    *struct{ Title string }
		Victim *struct{ ID string }
	}
	postAs(t, again.URL(), admin, fmt.Sprintf(`{ new: course(code: "TST-101") { title } victim: person(id: %q) { id } }`, victim.ID), nil, &kept)
	if kept.New == nil || kept.Victim != nil {
		t.Errorf("after restart: created course %+v (want it), deleted person %+v (want null)", kept.New, kept.Victim)
	}
}

// syncBuffer is a bytes.Buffer safe for a writer and a reader at once.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestRunServeShutsDownOnCancel runs the serve verb as main does and
// cancels its context, as SIGINT or SIGTERM would.
func TestRunServeShutsDownOnCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stderr syncBuffer
	done := make(chan int)
	go func() {
		done <- run(ctx, []string{"--addr", "127.0.0.1:0", "--data", t.TempDir()}, io.Discard, &stderr)
	}()

	serving := regexp.MustCompile(`msg=serving graphql=(http://\S+)/graphql`)
	deadline := time.Now().Add(2 * time.Minute)
	var base string
	for base == "" {
		if m := serving.FindStringSubmatch(stderr.String()); m != nil {
			base = m[1]
		} else if time.Now().After(deadline) {
			t.Fatalf("the server did not start:\n%s", stderr.String())
		} else {
			time.Sleep(50 * time.Millisecond)
		}
	}
	if !regexp.MustCompile(`(?s)msg="listening; opening the database".*embedded database started.* uri=mongodb://%2F\S+%2Frun%2Fdb\.sock/`).MatchString(stderr.String()) {
		t.Errorf("the address is not bound first, or the embedded database's URI is not logged:\n%s", stderr.String())
	}
	if code, _ := getText(t, base+"/healthz"); code != 200 {
		t.Errorf("/healthz: %d", code)
	}

	cancel()
	select {
	case code := <-done:
		if code != exitOK {
			t.Errorf("exit code %d, want %d:\n%s", code, exitOK, stderr.String())
		}
	case <-time.After(time.Minute):
		t.Fatal("serve did not stop after its context was cancelled")
	}
	if !strings.Contains(stderr.String(), "msg=stopped") {
		t.Errorf("no stop logged:\n%s", stderr.String())
	}
	if _, err := http.Get(base + "/healthz"); err == nil {
		t.Error("the server still answers after stopping")
	}
}

// copySeeds copies the shipped seeds into a new folder and applies edit
// (file name -> new content) to it.
func copySeeds(t *testing.T, edit map[string]string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "seeds")
	if err := os.CopyFS(dir, os.DirFS("seeds")); err != nil {
		t.Fatal(err)
	}
	writeFiles(t, dir, edit)
	return dir
}

// TestServeStartFailuresNameTheirCause: each step of start-up that fails
// says which step it was, with the input it read, and exits 1; problems in
// files follow as file:line:col diagnostics. The cases share one data
// folder, in the order of start-up: those that fail before seeding leave
// it empty, the first that gets past the seeds seeds it.
func TestServeStartFailuresNameTheirCause(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	brokenRules := t.TempDir()
	writeFiles(t, brokenRules, map[string]string{"broken.yaml": "rules:\n  - id: broken\n    course: course.titel != \"\"\n    covers: {4.C: Basic}\n"})
	badSeeds := copySeeds(t, map[string]string{"courses.yaml": "courses:\n  - code: SCO-101\n    title: [Basics\n"})
	badModel := copySeeds(t, map[string]string{"security-cooperation-competency-model.txt": "Security Cooperation\n\n1.0 Title\n\nDo it.\n\n1.B Act.\n"})
	aFile := filepath.Join(t.TempDir(), "a-file")
	writeFiles(t, filepath.Dir(aFile), map[string]string{"a-file": "not a folder"})
	rel := func(p string) string { return filepath.ToSlash(p) }

	for _, tc := range []struct {
		name string
		args []string
		logs string   // the message of the error logged
		more []string // lines that follow the log line
	}{
		{"data folder", []string{"--data", filepath.Join(aFile, "data")},
			`msg="cmap serve failed to start: the data folder ` + filepath.Join(aFile, "data") + `: mongodb: cannot create data folder: mkdir ` + aFile + `: not a directory"`, nil},
		{"no data folder", []string{"--data", ""},
			`msg="cmap serve failed to start: the data folder: none given: name one with --data, or a MongoDB with --mongo-uri"`, nil},
		{"database", []string{"--mongo-uri", "mongodb://127.0.0.1:1/"},
			`msg="cmap serve failed to start: the database: mongodb: mongodb://127.0.0.1:1/ does not answer`, nil},
		{"seeds", []string{"--data", data, "--seeds", badSeeds},
			`msg="cmap serve failed to start: the seeds in ` + badSeeds + `: 1 error"`,
			[]string{rel(badSeeds) + "/courses.yaml:3:12: sequence end token ']' not found"}},
		{"no seeds", []string{"--data", data, "--seeds", "no-such-seeds"},
			`msg="cmap serve failed to start: the seeds in no-such-seeds (no such folder: run cmap in the folder that holds rules/ and seeds/, or name them with --rules and --seeds): 1 error"`,
			[]string{"no-such-seeds: folder not found: the seeds folder holds the competency model and courses.yaml, positions.csv, people.csv and completions.csv"}},
		{"model", []string{"--data", data, "--seeds", badModel},
			`msg="cmap serve failed to start: the competency model ` + filepath.Join(badModel, "security-cooperation-competency-model.txt") + `: 1 error"`,
			[]string{rel(badModel) + "/security-cooperation-competency-model.txt:7:1: sub-competency 1.B comes first under 1.0: missing 1.A"}},
		{"rule folder", []string{"--data", data, "--rules", "no-such-rules"},
			`msg="cmap serve failed to start: the rules in no-such-rules (no such folder: run cmap in the folder that holds rules/ and seeds/, or name them with --rules and --seeds): rule directory: stat no-such-rules: no such file or directory"`, nil},
		{"rules", []string{"--data", data, "--rules", brokenRules},
			`msg="cmap serve failed to start: the rules in ` + brokenRules + `: 1 error"`,
			[]string{rel(brokenRules) + "/broken.yaml:3:20: unknown field course.titel (did you mean course.title?)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr syncBuffer
			code := run(context.Background(), append([]string{"--addr", "127.0.0.1:0"}, tc.args...), &stdout, &stderr)
			if code != exitFail || !strings.Contains(stderr.String(), tc.logs) {
				t.Errorf("exit %d, want %d; stderr does not hold\n%s\n%s", code, exitFail, tc.logs, stderr.String())
			}
			for _, line := range tc.more {
				if !strings.Contains(stderr.String(), "\n"+line+"\n") {
					t.Errorf("stderr does not hold the line\n%s\n%s", line, stderr.String())
				}
			}
			if stdout.String() != "" {
				t.Errorf("stdout: %q", stdout.String())
			}
		})
	}
}

// TestServeRefusesADataFolderInUse: one process at a time runs the
// embedded database of a data folder; a second serve on it is told which
// process holds it and the URI to share its database with instead.
func TestServeRefusesADataFolderInUse(t *testing.T) {
	data := t.TempDir()
	holder, err := mongodb.Open(context.Background(), mongodb.Config{DataDir: data})
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close(context.Background())
	var stderr syncBuffer
	code := run(context.Background(), []string{"--addr", "127.0.0.1:0", "--data", data}, io.Discard, &stderr)
	want := fmt.Sprintf(`msg="cmap serve failed to start: the database: mongodb: the data folder %s is in use: another process (pid %d) runs its embedded database; stop it, or share that database with --mongo-uri %s"`,
		data, os.Getpid(), holder.URI())
	if code != exitFail || !strings.Contains(stderr.String(), want) {
		t.Errorf("exit %d; stderr does not hold\n%s\n%s", code, want, stderr.String())
	}
}

// TestServePortInUseFailsAtOnce: the address is bound before anything else,
// so an address in use fails in a moment, before the data folder is even
// created, let alone seeded.
func TestServePortInUseFailsAtOnce(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	addr := taken.Addr().String()
	data := filepath.Join(t.TempDir(), "data")
	var stderr syncBuffer
	began := time.Now()
	code := run(context.Background(), []string{"--addr", addr, "--data", data}, io.Discard, &stderr)
	if code != exitFail || !strings.Contains(stderr.String(), `msg="cmap serve failed to start: listening on `+addr+`: bind: address already in use"`) {
		t.Errorf("exit %d, stderr:\n%s", code, stderr.String())
	}
	if _, err := os.Stat(data); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the data folder was touched before the address was bound: %v", err)
	}
	if took := time.Since(began); took > 2*time.Second {
		t.Errorf("failing took %v", took)
	}
}

// TestStartingUp checks the answers of a server that is still starting.
func TestStartingUp(t *testing.T) {
	for _, tc := range []struct {
		path   string
		status int
		body   string
	}{
		{"/healthz", http.StatusOK, "ok\n"},
		{"/readyz", http.StatusServiceUnavailable, "not ready: cmap is starting"},
		{"/graphql", http.StatusServiceUnavailable, "not ready: cmap is starting"},
		{"/coverage", http.StatusServiceUnavailable, "not ready: cmap is starting"},
	} {
		rec := httptest.NewRecorder()
		startingUp(rec, httptest.NewRequest(http.MethodGet, tc.path, nil))
		if rec.Code != tc.status || !strings.HasPrefix(rec.Body.String(), tc.body) {
			t.Errorf("GET %s while starting: %d %q, want %d %q", tc.path, rec.Code, rec.Body, tc.status, tc.body)
		}
		if tc.status == http.StatusServiceUnavailable && rec.Header().Get("Retry-After") == "" {
			t.Errorf("GET %s while starting: no Retry-After", tc.path)
		}
	}
}

// TestShutdownFinishesInFlightRequests: a request whose body is still to
// come when shutdown starts is answered in full before the server stops,
// while new connections are refused. The request asks for 100-continue, so
// the server's interim answer proves its handler is running before
// shutdown begins.
func TestShutdownFinishesInFlightRequests(t *testing.T) {
	s := start(t, serveConfig{Addr: "127.0.0.1:0", DataDir: t.TempDir(), RulesDir: "rules", SeedsDir: "seeds"})
	addr := s.listener.Addr().String()

	body := `{"query":"{ competencies { code } }"}`
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /graphql HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n"+
		"Content-Length: %d\r\nExpect: 100-continue\r\n\r\n", addr, len(body))
	replies := bufio.NewReader(conn)
	if interim, err := http.ReadResponse(replies, nil); err != nil || interim.StatusCode != http.StatusContinue {
		t.Fatalf("no 100 Continue before the body: %v %v", interim, err)
	}

	closed := make(chan error, 1)
	go func() { closed <- s.Close(context.Background()) }()
	deadline := time.Now().Add(time.Minute)
	for {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			break // the listener is closed: shutdown has begun
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("the server still accepts connections after shutdown began")
		}
		time.Sleep(10 * time.Millisecond)
	}
	select {
	case err := <-closed:
		t.Fatalf("the server stopped (%v) while a request was in flight", err)
	default:
	}

	if _, err := io.WriteString(conn, body); err != nil {
		t.Fatal(err)
	}
	res, err := http.ReadResponse(replies, nil)
	if err != nil {
		t.Fatalf("the in-flight request got no response: %v", err)
	}
	defer res.Body.Close()
	var got struct {
		Data struct{ Competencies []struct{ Code string } }
	}
	if err := json.NewDecoder(res.Body).Decode(&got); err != nil || res.StatusCode != 200 || len(got.Data.Competencies) != 9 {
		t.Errorf("in-flight request: status %d, %d competencies, %v", res.StatusCode, len(got.Data.Competencies), err)
	}
	select {
	case err := <-closed:
		if err != nil {
			t.Errorf("closing: %v", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("the server did not stop after the in-flight request was answered")
	}
}

// A restart on the same data folder starts from the snapshot file the
// stop wrote there, and serves the records as they were.
func TestServeRestartStartsFromTheSnapshotFile(t *testing.T) {
	cfg := serveConfig{Addr: "127.0.0.1:0", DataDir: t.TempDir(), RulesDir: "rules", SeedsDir: "seeds"}
	first := start(t, cfg)
	postAs(t, first.URL(), first.firstKey, `mutation { createCourse(input: { code: "TST-101", title: "Written before the stop", hours: 2, deliveryMode: ONLINE }) { code } }`, nil, &struct{}{})
	stop(t, first)
	file := filepath.Join(cfg.DataDir, snapshotFileName)
	if _, err := os.Stat(file); err != nil {
		t.Fatalf("the stop wrote no snapshot file: %v", err)
	}

	logs := &apptest.LogBuffer{}
	again, err := startServer(context.Background(), cfg, slog.New(slog.NewTextHandler(logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer stop(t, again)
	if !strings.Contains(logs.String(), "source="+file) {
		t.Errorf("the restart did not start from %s:\n%s", file, logs)
	}
	var kept struct{ Course *struct{ Title string } }
	post(t, again.URL(), `{ course(code: "TST-101") { title } }`, &kept)
	if kept.Course == nil || kept.Course.Title != "Written before the stop" {
		t.Errorf("after the restart: %+v", kept.Course)
	}
}
