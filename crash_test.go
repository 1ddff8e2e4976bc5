package main

import (
	"bytes"
	"cmap/domain"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"cmap/app"
	"cmap/app/apptest"
	"cmap/mongodb"
)

// The kill -9 harness of issue 8. Bounded: crashKills kills of one server
// and crashInstanceKills of a second instance, each after at most a second
// of writes; about 30 s in all on this project's machine.
const (
	crashKills         = 6
	crashInstanceKills = 4
	crashWriters       = 4
	// crashFirstPause paces the writes of the instance that is not killed,
	// so that the change log still holds every write of the phase.
	crashFirstPause = 25 * time.Millisecond
	// crashReadyLimit is how soon a server killed at any moment must be
	// ready again on the same data; crashDelayLimit how long a killed
	// instance may hold up another instance's write.
	crashReadyLimit = 5 * time.Second
	crashDelayLimit = 2 * time.Second
	// crashCourse is a course of the sample catalogue (seeds/).
	crashCourse = "SCO-101"
)

// crashServerArgs are the flags of every server of the harness on data
// folder dir (or, with uri, on the database at uri).
func crashServerArgs(dir, uri string) []string {
	args := []string{"--addr", "127.0.0.1:0", "--rules", "rules", "--seeds", "seeds", "--watch-rules=false"}
	if uri != "" {
		return append(args, "--mongo-uri", uri)
	}
	return append(args, "--data", filepath.Join(dir, "data"))
}

// startCrashServer starts a server of the harness, logging to name in dir.
func startCrashServer(t *testing.T, dir, name, uri string) *benchServer {
	t.Helper()
	s, err := startServe(context.Background(), filepath.Join(dir, name+".log"), []string{benchChildEnv + "=1"}, time.Minute, crashServerArgs(dir, uri)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.stop() })
	return s
}

// adminKey returns the admin API key the first start of s printed.
func adminKey(t *testing.T, s *benchServer) string {
	t.Helper()
	select {
	case key := <-s.log.key:
		return key
	case <-time.After(10 * time.Second):
		t.Fatal("the first start printed no admin key")
		return ""
	}
}

// kill9 kills the server with SIGKILL and waits for it to exit.
func kill9(t *testing.T, s *benchServer) {
	t.Helper()
	if err := s.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-s.exited
}

// killMidWrites kills s with SIGKILL while its clients write: once
// answered reports true (or after a minute, however loaded the machine),
// at a random moment up to spread later, so that each round is killed at
// a different point.
func killMidWrites(t *testing.T, s *benchServer, answered func() bool, spread time.Duration) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); !answered() && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(rand.N(spread))
	kill9(t, s)
}

// databaseURI returns the URI the server at s logged for its embedded
// database.
func databaseURI(t *testing.T, s *benchServer) string {
	t.Helper()
	data, err := os.ReadFile(s.log.file.Name())
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`embedded database started.* uri=(\S+)`).FindSubmatch(data)
	if m == nil {
		t.Fatalf("the server logged no database URI:\n%s", data)
	}
	return string(m[1])
}

// acks are the writes the servers acknowledged: people created, and
// completions recorded ("course@day") per person.
type acks struct {
	mu          sync.Mutex
	people      []string
	completions map[string][]string
	attempts    int // writes sent, acknowledged or not
}

func (a *acks) person(id string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.people = append(a.people, id)
}

func (a *acks) completion(id, c string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.completions[id] = append(a.completions[id], c)
}

func (a *acks) attempt() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.attempts++
}

// count returns how many writes were acknowledged.
func (a *acks) count() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	n := len(a.people)
	for _, cs := range a.completions {
		n += len(cs)
	}
	return n
}

// crashClient is the HTTP client of the writers: a write that takes
// longer than this counts as unanswered.
var crashClient = &http.Client{Timeout: 10 * time.Second}

// graphQLPost sends a request (a mutation, or a query) with the API key
// key and reports whether it was acknowledged: 200 with data and no
// errors. When data is not nil, the answer's data is decoded into it.
func graphQLPost(base, key, query string, vars map[string]any, data any) error {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, err := http.NewRequest(http.MethodPost, base+"/graphql", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+key)
	res, err := crashClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	var r struct {
		Data   json.RawMessage
		Errors []struct{ Message string }
	}
	if err := json.NewDecoder(res.Body).Decode(&r); err != nil {
		return fmt.Errorf("status %d: %w", res.StatusCode, err)
	}
	var fields map[string]json.RawMessage
	if res.StatusCode != http.StatusOK || len(r.Errors) > 0 || json.Unmarshal(r.Data, &fields) != nil || len(fields) == 0 {
		return fmt.Errorf("status %d, errors %+v", res.StatusCode, r.Errors)
	}
	if data != nil {
		return json.Unmarshal(r.Data, data)
	}
	return nil
}

const (
	createPersonMutation = `mutation($id: ID!) { createPerson(input: { id: $id, name: "Crash Test" }) { id } }`
	recordMutation       = `mutation($id: ID!, $day: Date!) { recordCompletion(personId: $id, courseCode: "` + crashCourse + `", completedOn: $day) { id } }`
)

// writer creates people named prefix-N and records completions for them
// on base with the API key key until stop is closed or a write fails,
// pausing for pause after each, recording what was acknowledged, and the
// latency of each write in latencies if not nil.
func writer(base, key, prefix string, a *acks, stop <-chan struct{}, pause time.Duration, latencies chan<- writeLatency) {
	day := time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)
	var person string
	for n := 0; ; n++ {
		select {
		case <-stop:
			return
		default:
		}
		a.attempt()
		began := time.Now()
		var err error
		if n%4 == 0 {
			id := fmt.Sprintf("%s-%d", prefix, n)
			if err = graphQLPost(base, key, createPersonMutation, map[string]any{"id": id}, nil); err == nil {
				a.person(id)
				person = id
			}
		} else {
			d := day.AddDate(0, 0, n).Format(time.DateOnly)
			if err = graphQLPost(base, key, recordMutation, map[string]any{"id": person, "day": d}, nil); err == nil {
				a.completion(person, crashCourse+"@"+d)
			}
		}
		if latencies != nil {
			latencies <- writeLatency{began: began, took: time.Since(began), err: err}
		}
		if err != nil {
			return
		}
		time.Sleep(pause)
	}
}

// writeLatency is one write of a writer: when it began, how long it took.
type writeLatency struct {
	began time.Time
	took  time.Duration
	err   error
}

// TestKill9 kills `cmap serve` with SIGKILL at random moments, during
// writes and during start-up, restarts it on the same data and checks that
// it is ready again within crashReadyLimit, that every acknowledged write
// is stored, and that the data version and the change log account for
// them. Then it kills a second instance sharing the first one's database
// while both write, and checks that the first one's writes are held up by
// at most crashDelayLimit; last, that the second instance writes again
// once the first one, which runs the database, is back from a kill. It
// prints the times it measured.
func TestKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills a dozen servers")
	}
	dir := t.TempDir()
	a := &acks{completions: map[string][]string{}}
	s := startCrashServer(t, dir, "first", "")
	key := adminKey(t, s)
	uri := databaseURI(t, s)
	v0 := dataVersion(t, uri)

	var readies []time.Duration
	for round := range crashKills {
		if round%3 == 2 {
			// Killed while starting: opening the database, storing facts.
			kill9(t, s)
			launched, began, err := launchServe(filepath.Join(dir, fmt.Sprintf("start-%d.log", round)), []string{benchChildEnv + "=1"}, crashServerArgs(dir, "")...)
			if err != nil {
				t.Fatal(err)
			}
			time.Sleep(time.Duration(rand.Int64N(int64(time.Second))))
			t.Logf("round %d: killed %s after its start", round, time.Since(began).Round(time.Millisecond))
			kill9(t, launched)
		} else {
			stop := make(chan struct{})
			var wg sync.WaitGroup
			for w := range crashWriters {
				wg.Go(func() { writer(s.url, key, fmt.Sprintf("P-K%d-W%d", round, w), a, stop, 0, nil) })
			}
			time.Sleep(time.Duration(200+rand.Int64N(800)) * time.Millisecond)
			kill9(t, s)
			close(stop)
			wg.Wait()
			t.Logf("round %d: killed during writes, %d acknowledged so far", round, a.count())
		}
		s = startCrashServer(t, dir, fmt.Sprintf("restart-%d", round), "")
		readies = append(readies, s.ready)
		if s.ready > crashReadyLimit {
			t.Errorf("round %d: ready %s after the restart, want under %s", round, s.ready, crashReadyLimit)
		}
	}
	t.Logf("restart to /readyz 200 after kill -9: %s", durations(readies))
	checkAcknowledged(t, uri, a)
	checkChangeLog(t, uri, v0, a, crashKills)

	// Two instances on one database: the first one's writes while the
	// second one is killed during its own. The change log is checked for
	// this phase alone: it keeps the last domain.ChangeLogLength versions.
	a2 := &acks{completions: map[string][]string{}}
	v1 := dataVersion(t, uri)
	var delays, tooks []time.Duration
	for round := range crashInstanceKills {
		second := startCrashServer(t, dir, fmt.Sprintf("second-%d", round), uri)
		stop, stopFirst := make(chan struct{}), make(chan struct{})
		latencies := make(chan writeLatency, 10000)
		var wg sync.WaitGroup
		for w := range 2 * crashWriters {
			wg.Go(func() { writer(second.url, key, fmt.Sprintf("P-S%d-W%d", round, w), a2, stop, 0, nil) })
		}
		var firstWG sync.WaitGroup
		firstWG.Go(func() { writer(s.url, key, fmt.Sprintf("P-F%d", round), a2, stopFirst, crashFirstPause, latencies) })
		time.Sleep(time.Duration(300+rand.Int64N(700)) * time.Millisecond)
		killed := time.Now()
		kill9(t, second)
		close(stop)
		wg.Wait()
		time.Sleep(crashDelayLimit + time.Second/2)
		close(stopFirst)
		firstWG.Wait()
		close(latencies)
		// How long after the kill the first instance's writes in flight at
		// the kill, or begun after it, were held up: what the kill can have
		// delayed them by, at most. And the longest of those writes, all
		// told (it may have waited for the second's lease before the kill).
		var held, worst time.Duration
		for l := range latencies {
			if l.err != nil {
				t.Errorf("round %d: a write of the first instance failed: %v", round, l.err)
			}
			end, from := l.began.Add(l.took), l.began
			if killed.After(from) {
				from = killed
			}
			if end.After(killed) {
				held = max(held, end.Sub(from))
				worst = max(worst, l.took)
			}
		}
		delays, tooks = append(delays, held), append(tooks, worst)
		if held > crashDelayLimit {
			t.Errorf("round %d: a write of the first instance ended %s after the second was killed, want at most %s", round, held, crashDelayLimit)
		}
	}
	t.Logf("first instance's writes held up after kill -9 of the second: %s; longest such write in all: %s", durations(delays), durations(tooks))
	checkAcknowledged(t, uri, a2)
	checkChangeLog(t, uri, v1, a2, crashInstanceKills)
	checkAcknowledged(t, uri, a) // the first phase's writes are still there

	// The instance that runs the embedded database killed: the other one
	// cannot write until it is back, then writes again on the same URI.
	second := startCrashServer(t, dir, "second-last", uri)
	kill9(t, s)
	s = startCrashServer(t, dir, "owner-restart", "")
	back := time.Now()
	for n := 0; ; n++ {
		err := graphQLPost(second.url, key, createPersonMutation, map[string]any{"id": fmt.Sprintf("P-B-%d", n)}, nil)
		if err == nil {
			break
		}
		if time.Since(back) > crashReadyLimit {
			t.Fatalf("the second instance still fails to write %s after the first one is back: %v", crashReadyLimit, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("the second instance wrote again %s after the restarted first one was ready", time.Since(back).Round(time.Millisecond))
	checkAudited(t, uri, a, a2)
}

// durations prints ds and their maximum.
func durations(ds []time.Duration) string {
	parts := make([]string, len(ds))
	for i, d := range ds {
		parts[i] = d.Round(time.Millisecond).String()
	}
	return fmt.Sprintf("%s (max %s)", strings.Join(parts, ", "), slices.Max(ds).Round(time.Millisecond))
}

// openCrashDB opens a client of the database at uri, closed when t ends.
func openCrashDB(t *testing.T, uri string) *mongodb.DB {
	t.Helper()
	db, err := mongodb.Open(context.Background(), mongodb.Config{URI: uri})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close(context.Background()) })
	return db
}

func dataVersion(t *testing.T, uri string) int64 {
	t.Helper()
	v, err := openCrashDB(t, uri).DataVersion(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// checkAcknowledged checks that every acknowledged write is stored.
func checkAcknowledged(t *testing.T, uri string, a *acks) {
	t.Helper()
	ctx := context.Background()
	db := openCrashDB(t, uri)
	a.mu.Lock()
	defer a.mu.Unlock()
	ids := slices.Clone(a.people)
	people, err := db.PeopleByID(ctx, ids)
	if err != nil {
		t.Fatal(err)
	}
	stored := map[string]map[string]bool{}
	for _, p := range people {
		stored[p.ID] = map[string]bool{}
		for _, c := range p.Completions {
			stored[p.ID][c.CourseCode+"@"+c.Completed.Format(time.DateOnly)] = true
		}
	}
	found, total := 0, 0
	for _, id := range ids {
		total++
		if stored[id] == nil {
			t.Errorf("person %s was acknowledged and is not stored", id)
			continue
		}
		found++
	}
	for id, cs := range a.completions {
		for _, c := range cs {
			total++
			if !stored[id][c] {
				t.Errorf("completion %s of %s was acknowledged and is not stored", c, id)
				continue
			}
			found++
		}
	}
	t.Logf("acknowledged writes stored: %d of %d (%d sent)", found, total, a.attempts)
}

// checkAudited settles the audit entries the kills left pending, as a
// start does once they are older than the grace period, and checks that
// each person has a done entry for every acknowledged write of it, that
// nothing is pending and that every record names a done entry about it
// (apptest.AuditTrailProblems). No write may be in flight.
func checkAudited(t *testing.T, uri string, as ...*acks) {
	t.Helper()
	ctx := context.Background()
	db := openCrashDB(t, uri)
	done, failed, err := app.ReconcileAudit(ctx, db, 0, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	entries := 0
	for _, a := range as {
		a.mu.Lock()
		for _, id := range a.people {
			l, err := db.AuditLog(ctx, domain.AuditFilter{Kind: domain.AuditPerson, Key: id, State: domain.AuditDone}, domain.Page{})
			if err != nil {
				a.mu.Unlock()
				t.Fatal(err)
			}
			entries += len(l.Items)
			if want := 1 + len(a.completions[id]); len(l.Items) < want {
				t.Errorf("person %s: %d acknowledged writes, %d done audit entries", id, want, len(l.Items))
			}
		}
		a.mu.Unlock()
	}
	checkAuditTrail(t, db, "the audit trail after the kills")
	t.Logf("audit: %d done entries of the acknowledged people; %d entries left pending by the kills settled done, %d failed", entries, done, failed)
}

// checkAuditTrail fails t with what breaks the promise of the audit trail
// on db (apptest.AuditTrailProblems), one line each, after what.
func checkAuditTrail(t *testing.T, db domain.Store, what string) {
	t.Helper()
	problems, err := apptest.AuditTrailProblems(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	if len(problems) > 0 {
		t.Errorf("%s:\n%s", what, strings.Join(problems, "\n"))
	}
}

// checkChangeLog checks that the data version counts every acknowledged
// write since v0, and at most every write sent and one more per kill (a
// write that a kill cut off may be counted by whoever breaks its lease),
// and that the change log
// names each acknowledged write, with at most one hole (an entry a process
// killed between the version and the entry never wrote) per kill.
func checkChangeLog(t *testing.T, uri string, v0 int64, a *acks, kills int) {
	t.Helper()
	ctx := context.Background()
	db := openCrashDB(t, uri)
	v, err := db.DataVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	acked := len(a.people)
	for _, cs := range a.completions {
		acked += len(cs)
	}
	if v-v0 < int64(acked) || v-v0 > int64(a.attempts+kills) {
		t.Errorf("the data version went from %d to %d for %d acknowledged writes of %d sent", v0, v, acked, a.attempts)
	}
	if v-v0 > domain.ChangeLogLength {
		t.Fatalf("%d versions, more than the change log keeps: make the harness write less", v-v0)
	}
	logged := map[string]int{}
	holes := 0
	for after := v0; after < v; after++ {
		ch, err := db.Changes(ctx, after, after+1)
		if err != nil {
			t.Fatal(err)
		}
		if len(ch) == 0 {
			holes++
			continue
		}
		if ch[0].Version != after+1 {
			t.Errorf("the entry of version %d says version %d", after+1, ch[0].Version)
		}
		logged[ch[0].Key]++
	}
	if holes > kills {
		t.Errorf("%d versions have no change log entry, more than the %d kills can explain", holes, kills)
	}
	var missing []string
	for _, id := range a.people {
		if want := 1 + len(a.completions[id]); logged[id] < want {
			missing = append(missing, fmt.Sprintf("%s (%d of %d)", id, logged[id], want))
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("acknowledged writes missing from the change log: %s", strings.Join(missing, ", "))
	}
	t.Logf("data version %d -> %d: %d acknowledged writes, %d sent, %d versions without an entry", v0, v, acked, a.attempts, holes)
}
