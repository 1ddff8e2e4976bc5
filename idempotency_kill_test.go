package main

import (
	"bytes"
	"cmap/domain"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"cmap/app"
	"cmap/auth"
	"cmap/graph"
	"cmap/mongodb"
)

// keyedCreate is one createPosition sent with an Idempotency-Key, and the
// answer it got (nil when the server died first).
type keyedCreate struct {
	key, id string
	status  int
	body    []byte
}

const keyedCreateQuery = `mutation($id: ID!) { createPosition(input: {id: $id, title: "Analyst", organization: "DSCA", grade: "GS-12", category: "HQ"}) { id version } }`

// postKeyedCreate sends c to base with the API key token and returns the
// status and body, or an error when no answer came.
func postKeyedCreate(client *http.Client, base, token string, c keyedCreate) (int, []byte, error) {
	body, _ := json.Marshal(map[string]any{"query": keyedCreateQuery, "variables": map[string]any{"id": c.id}})
	req, _ := http.NewRequest(http.MethodPost, base+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Idempotency-Key", c.key)
	res, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return res.StatusCode, b, err
}

// createUntilDead sends keyed creates of new positions with the API key
// token from four clients until the server stops answering, and returns
// every create sent (the last of each client unanswered).
func createUntilDead(t *testing.T, s *benchServer, token string, round int) []keyedCreate {
	var (
		mu   sync.Mutex
		sent []keyedCreate
		wg   sync.WaitGroup
	)
	var answered atomic.Int64
	client := &http.Client{Timeout: 10 * time.Second}
	for worker := range 4 {
		wg.Go(func() {
			for n := 0; ; n++ {
				select {
				case <-s.exited:
					return
				default:
				}
				c := keyedCreate{key: fmt.Sprintf("kill-%d-%d-%d-%016x", round, worker, n, rand.Uint64()), id: fmt.Sprintf("POS-I%d-%d-%d", round, worker, n)}
				status, body, err := postKeyedCreate(client, s.url, token, c)
				if err == nil {
					c.status, c.body = status, body
					answered.Add(1)
				}
				mu.Lock()
				sent = append(sent, c)
				mu.Unlock()
				if err != nil {
					return // the server is gone
				}
			}
		})
	}
	// Kill it while the writes go on, once some were answered.
	killMidWrites(t, s, func() bool { return answered.Load() >= 4 }, 500*time.Millisecond)
	wg.Wait()
	return sent
}

// TestIdempotencySurvivesKillDashNine kills a real cmap serve process with
// SIGKILL while four clients create positions through it, each request
// with its own Idempotency-Key, three times over. Then every request is
// sent again, with its key, to an instance on the database left behind
// (in this process, so that it need not wait 30 s for the dead requests'
// time to pass): a request that was answered gets its answer again; one
// that was not either runs now, gets the answer kept before the kill, or
// is told its write was made (IDEMPOTENCY_ANSWER_LOST); and every
// position sent is created exactly once, no more, with one audit entry.
func TestIdempotencySurvivesKillDashNine(t *testing.T) {
	if testing.Short() {
		t.Skip("starts cmap serve on the embedded database three times")
	}
	dir := t.TempDir()
	key := ""
	outcomes := map[string]int{}
	for round := range 3 {
		s := startCrashServer(t, dir, fmt.Sprintf("idempotency-%d", round), "")
		if key == "" {
			key = adminKey(t, s)
		}
		sent := createUntilDead(t, s, key, round)

		ctx := context.Background()
		db, err := mongodb.Open(ctx, mongodb.Config{DataDir: filepath.Join(dir, "data")})
		if err != nil {
			t.Fatal(err)
		}
		logger := slog.New(slog.DiscardHandler)
		a, err := app.Open(ctx, db, app.Options{RulesDir: "rules", PollInterval: -1, Logger: logger, IdempotencyInFlight: time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(auth.Config{Keys: a.Keys(), Logger: logger}.Middleware(graph.NewHandler(a)))
		for _, c := range sent {
			status, body, err := postKeyedCreate(http.DefaultClient, srv.URL, key, c)
			if err != nil {
				t.Fatal(err)
			}
			var answer struct {
				Data   *struct{ CreatePosition struct{ Version int64 } }
				Errors []struct {
					Message    string
					Extensions struct{ Code string }
				}
			}
			if err := json.Unmarshal(body, &answer); err != nil {
				t.Fatalf("retry of %s: HTTP %d %s", c.id, status, body)
			}
			var outcome string
			switch {
			case c.body != nil:
				outcome = "answered, replayed"
				if status != c.status || !bytes.Equal(body, c.body) {
					t.Errorf("round %d: the retry of %s, answered HTTP %d %s before the kill, answered HTTP %d %s", round, c.id, c.status, c.body, status, body)
				}
			case len(answer.Errors) == 0 && answer.Data != nil && answer.Data.CreatePosition.Version == 1:
				outcome = "unanswered, run or replayed"
			case len(answer.Errors) == 1 && answer.Errors[0].Extensions.Code == "IDEMPOTENCY_ANSWER_LOST":
				outcome = "unanswered, write made, answer lost"
			default:
				t.Errorf("round %d: the retry of %s, unanswered before the kill: HTTP %d %s", round, c.id, status, body)
			}
			outcomes[outcome]++
			// Whatever the answers, the position exists, created by one
			// write: one entry done (others failed: an attempt cut off
			// before its write, settled when retried).
			if _, err := db.Position(ctx, c.id); err != nil {
				t.Errorf("round %d: position %s after its retry: %v", round, c.id, err)
			}
			l, err := db.AuditLog(ctx, domain.AuditFilter{Kind: domain.AuditPosition, Key: c.id}, domain.Page{})
			if err != nil {
				t.Fatal(err)
			}
			var states []string
			done := 0
			for _, e := range l.Items {
				states = append(states, e.Operation+" "+string(e.State))
				if e.State == domain.AuditDone {
					done++
				}
			}
			if done != 1 || l.Items[0].Operation != domain.OpCreate {
				t.Errorf("round %d: audit entries of position %s: %v, want one create done", round, c.id, states)
			}
			if len(l.Items) > 1 {
				outcomes["a write cut off by the kill, settled failed"]++
			}
		}
		srv.Close()
		checkAuditTrail(t, db, fmt.Sprintf("round %d", round))
		if err := a.Close(); err != nil {
			t.Fatal(err)
		}
		if err := db.Close(ctx); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("outcomes of the retries: %v", outcomes)
	if outcomes["answered, replayed"] == 0 || outcomes["unanswered, run or replayed"]+outcomes["unanswered, write made, answer lost"] == 0 {
		t.Errorf("the kills left too few cases to prove anything: %v", outcomes)
	}
}
