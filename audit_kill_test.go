package main

import (
	"cmap/domain"
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"cmap/app"
	"cmap/mongodb"
)

// ack is a write the server acknowledged: the record and the version the
// answer gave it.
type ack struct {
	kind, key string
	version   int64
}

// writeUntilDead sends writes with the API key key from several clients
// until the server stops answering, and returns those it acknowledged.
func writeUntilDead(t *testing.T, s *benchServer, key string, courses, people []string, round int) []ack {
	var (
		mu   sync.Mutex
		acks []ack
		wg   sync.WaitGroup
	)
	post := func(query string, v any) bool { return graphQLPost(s.url, key, query, nil, v) == nil }
	for worker := range 4 {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(round), uint64(worker)))
			for n := 0; ; n++ {
				select {
				case <-s.exited:
					return
				default:
				}
				var got ack
				switch n % 3 {
				case 0:
					code := courses[rng.IntN(len(courses))]
					var c struct{ Course struct{ Version int64 } }
					if !post(fmt.Sprintf(`{ course(code: %q) { version } }`, code), &c) {
						continue
					}
					var u struct{ UpdateCourse struct{ Version int64 } }
					if post(fmt.Sprintf(`mutation { updateCourse(code: %q, version: %d, input: {hours: %d}) { version } }`,
						code, c.Course.Version, 1+rng.IntN(90)), &u) {
						got = ack{domain.AuditCourse, code, u.UpdateCourse.Version}
					}
				case 1:
					id := people[rng.IntN(len(people))]
					day := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, rng.IntN(1500)).Format(time.DateOnly)
					var r struct{ RecordCompletion struct{ Version int64 } }
					if post(fmt.Sprintf(`mutation { recordCompletion(personId: %q, courseCode: %q, completedOn: %q) { version } }`,
						id, courses[rng.IntN(len(courses))], day), &r) {
						got = ack{domain.AuditPerson, id, r.RecordCompletion.Version}
					}
				case 2:
					id := fmt.Sprintf("POS-K%d-%d-%d", round, worker, n)
					var p struct{ CreatePosition struct{ Version int64 } }
					if post(fmt.Sprintf(`mutation { createPosition(input: {id: %q, title: "Analyst", organization: "DSCA", grade: "GS-12", category: "HQ"}) { version } }`, id), &p) {
						got = ack{domain.AuditPosition, id, p.CreatePosition.Version}
					}
				}
				if got.key != "" {
					mu.Lock()
					acks = append(acks, got)
					mu.Unlock()
				}
			}
		})
	}
	// Kill it while the writes go on, once one was acknowledged.
	killMidWrites(t, s, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(acks) > 0
	}, 700*time.Millisecond)
	wg.Wait()
	return acks
}

// TestAuditSurvivesKillDashNine kills a real cmap serve process with
// SIGKILL while four clients write through it, three times over, and
// checks on the database it leaves: once the pending entries are settled
// (as the next start does once they are older than the grace period),
// every acknowledged write has its done entry, nothing is pending, and
// every record version written through the API names a done entry about
// it.
func TestAuditSurvivesKillDashNine(t *testing.T) {
	if testing.Short() {
		t.Skip("starts cmap serve on the embedded database four times")
	}
	dir := t.TempDir()
	courses := []string{"SCM-201", "SCO-101", "SCM-301", "SCO-201"}
	var people []string
	key := ""
	pendingSeen := 0
	for round := range 3 {
		s := startCrashServer(t, dir, fmt.Sprintf("audit-%d", round), "")
		if key == "" {
			key = adminKey(t, s)
		}
		if people == nil {
			var p struct {
				People struct {
					Edges []struct{ Node struct{ ID string } }
				}
			}
			postAs(t, s.url, key, `{ people(first: 6) { edges { node { id } } } }`, nil, &p)
			for _, e := range p.People.Edges {
				people = append(people, e.Node.ID)
			}
		}
		acks := writeUntilDead(t, s, key, courses, people, round)
		if len(acks) == 0 {
			t.Fatalf("round %d: no write was acknowledged before the kill", round)
		}

		ctx := context.Background()
		db, err := mongodb.Open(ctx, mongodb.Config{DataDir: filepath.Join(dir, "data")})
		if err != nil {
			t.Fatal(err)
		}
		pending, err := db.PendingAudit(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pendingSeen += len(pending)
		done, failed, err := app.ReconcileAudit(ctx, db, 0, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("round %d: %d writes acknowledged; after the kill %d entries pending, settled %d done and %d failed",
			round, len(acks), len(pending), done, failed)
		for _, a := range acks {
			l, err := db.AuditLog(ctx, domain.AuditFilter{Kind: a.kind, Key: a.key, State: domain.AuditDone}, domain.Page{})
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, e := range l.Items {
				found = found || e.VersionAfter == a.version
			}
			if !found {
				t.Errorf("round %d: the acknowledged write of %s %s at version %d has no done entry", round, a.kind, a.key, a.version)
			}
		}
		checkAuditTrail(t, db, fmt.Sprintf("round %d", round))
		if err := db.Close(ctx); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("%d entries were left pending by the kills in all", pendingSeen)
}
