package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"cmap/app/apptest"
)

func TestServeFlagsWinOverEnvironment(t *testing.T) {
	defaults := serveConfig{Addr: "127.0.0.1:8080", DataDir: "./data", RulesDir: "rules", SeedsDir: "seeds", WatchRules: true, Poll: 2 * time.Second}
	env := map[string]string{
		"CMAP_ADDR": "0.0.0.0:1", "CMAP_DATA": "/env/data", "CMAP_MONGO_URI": "mongodb://env/",
		"CMAP_RULES": "/env/rules", "CMAP_SEEDS": "/env/seeds", "CMAP_WATCH_RULES": "false", "CMAP_POLL": "5s",
	}
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		want serveConfig
	}{
		{"defaults", nil, nil, defaults},
		{"environment", nil, env, serveConfig{Addr: "0.0.0.0:1", DataDir: "/env/data", MongoURI: "mongodb://env/", RulesDir: "/env/rules", SeedsDir: "/env/seeds", Poll: 5 * time.Second}},
		{"flags over environment", []string{"--addr", "127.0.0.1:0", "--data=/flag/data", "--mongo-uri", "mongodb://flag/", "--rules", "r", "--seeds", "s", "--watch-rules", "--poll", "0"}, env,
			serveConfig{Addr: "127.0.0.1:0", DataDir: "/flag/data", MongoURI: "mongodb://flag/", RulesDir: "r", SeedsDir: "s", WatchRules: true}},
		{"some flags", []string{"--seeds", "s"}, map[string]string{"CMAP_SEEDS": "/env/seeds", "CMAP_DATA": "/env/data"},
			serveConfig{Addr: "127.0.0.1:8080", DataDir: "/env/data", RulesDir: "rules", SeedsDir: "s", WatchRules: true, Poll: 2 * time.Second}},
		{"an empty flag still wins", []string{"--mongo-uri="}, map[string]string{"CMAP_MONGO_URI": "mongodb://env/"}, defaults},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseServeFlags(tc.args, func(k string) string { return tc.env[k] }, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("config = %+v, want %+v", got, tc.want)
			}
		})
	}
	for _, args := range [][]string{{"--nope"}, {"extra"}} {
		var stderr bytes.Buffer
		if _, err := parseServeFlags(args, func(string) string { return "" }, &stderr); err == nil || !strings.Contains(stderr.String(), "Usage") {
			t.Errorf("%v: err %v, stderr %q: want an error and the usage", args, err, stderr.String())
		}
	}
}

// post sends a GraphQL query to the server at base and decodes its data.
func post(t *testing.T, base, query string, data any) {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"query": query})
	res, err := http.Post(base+"/graphql", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var r struct {
		Data   json.RawMessage
		Errors []struct{ Message string }
	}
	if err := json.NewDecoder(res.Body).Decode(&r); err != nil {
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
// and shares the embedded database with a second instance.
func TestServeEndToEnd(t *testing.T) {
	cfg := serveConfig{Addr: "127.0.0.1:0", DataDir: t.TempDir(), RulesDir: "rules", SeedsDir: "seeds"}
	first := start(t, cfg)

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
	post(t, first.URL(), `{ people(first: 1) { edges { node { id version } } } }`, &seededPeople)
	if len(seededPeople.People.Edges) != 1 {
		t.Fatal("no seeded person to delete")
	}
	victim := seededPeople.People.Edges[0].Node
	post(t, first.URL(), `mutation { createCourse(input: { code: "TST-101", title: "Written through the API", hours: 2, deliveryMode: ONLINE }) { code } }`, &struct{}{})
	post(t, first.URL(), fmt.Sprintf(`mutation { deletePerson(id: %q, version: %d) { id } }`, victim.ID, victim.Version), &struct{}{})

	// A second instance on the first one's embedded database sees the write.
	if !first.db.Embedded() {
		t.Fatal("the first instance did not start the embedded database")
	}
	second := start(t, serveConfig{Addr: "127.0.0.1:0", DataDir: t.TempDir(), MongoURI: first.db.URI(), RulesDir: "rules", SeedsDir: "no-such-folder"})
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

	// Restart on the same data folder: the writes are kept, nothing is re-seeded.
	again := start(t, cfg)
	defer stop(t, again)
	var kept struct {
		New    *struct{ Title string }
		Victim *struct{ ID string }
	}
	post(t, again.URL(), fmt.Sprintf(`{ new: course(code: "TST-101") { title } victim: person(id: %q) { id } }`, victim.ID), &kept)
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
	if !regexp.MustCompile(`embedded database started.* uri=mongodb://127\.0\.0\.1:\d+/`).MatchString(stderr.String()) {
		t.Errorf("the embedded database's URI is not logged:\n%s", stderr.String())
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

// TestServeRefusesToStartWithBrokenRules: with no last good set to fall
// back on, serve prints every rule problem as file:line:col and exits 1.
func TestServeRefusesToStartWithBrokenRules(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "broken.yaml"), []byte("rules:\n  - id: broken\n    course: course.titel != \"\"\n    covers: {4.C: Basic}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var stderr syncBuffer
	code := run(context.Background(), []string{"--addr", "127.0.0.1:0", "--data", t.TempDir(), "--rules", dir}, io.Discard, &stderr)
	if code != exitFail {
		t.Errorf("exit code %d, want %d", code, exitFail)
	}
	if want := filepath.ToSlash(dir) + "/broken.yaml:3:20:"; !strings.Contains(stderr.String(), want) {
		t.Errorf("stderr does not point at the misspelled field (%s):\n%s", want, stderr.String())
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
