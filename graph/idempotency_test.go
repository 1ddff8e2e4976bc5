package graph_test

import (
	"bytes"
	"cmap/domain"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"cmap/app"
	"cmap/graph"
	"cmap/mongodb"
	"cmap/mongodb/mongotest"
)

// testPrincipalHeader names the principal of a request in these tests;
// each principal holds every role.
const testPrincipalHeader = "X-Test-Principal"

// idemServer serves the GraphQL endpoint over an App on store, with the
// principal of each request named by testPrincipalHeader ("key:tester"
// when absent); it holds every role, or only viewer when its name starts
// with "viewer".
func idemServer(t testing.TB, store domain.Store, opts app.Options) (string, *app.App) {
	t.Helper()
	opts.RulesDir, opts.PollInterval, opts.Logger = "../rules", -1, slog.New(slog.DiscardHandler)
	a, err := app.Open(context.Background(), store, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	h := graph.NewHandler(a)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get(testPrincipalHeader)
		if id == "" {
			id = tester.ID
		}
		p := &domain.Principal{ID: id, Name: id, Roles: []domain.Role{domain.RoleAdmin}}
		if strings.HasPrefix(id, "viewer") {
			p.Roles = []domain.Role{domain.RoleViewer}
		}
		h.ServeHTTP(w, r.WithContext(domain.WithPrincipal(r.Context(), p)))
	}))
	t.Cleanup(srv.Close)
	return srv.URL, a
}

// keyedAnswer is an HTTP answer as it came.
type keyedAnswer struct {
	status int
	header http.Header
	body   []byte
}

// errorCode returns the extensions.code of the answer's first error, ""
// if it has none.
func (r keyedAnswer) errorCode(t testing.TB) string {
	t.Helper()
	var out struct{ Errors []gqlError }
	if err := json.Unmarshal(r.body, &out); err != nil {
		t.Fatalf("HTTP %d, body is not JSON: %s", r.status, r.body)
	}
	if len(out.Errors) == 0 {
		return ""
	}
	return out.Errors[0].Extensions.Code
}

// postKeyed POSTs query with variables to url with the Idempotency-Key
// key ("" for none) as principal ("" for the default one).
func postKeyed(t testing.TB, url, key, principal, query string, vars map[string]any) keyedAnswer {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, url+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	if principal != "" {
		req.Header.Set(testPrincipalHeader, principal)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return keyedAnswer{status: res.StatusCode, header: res.Header, body: b}
}

const (
	createCourse = `mutation($code: String!) { createCourse(input: {code: $code, title: "Familiarization", hours: 8, deliveryMode: ONLINE}) { code version updatedAt } }`
	updateHours  = `mutation($hours: Float!) { updateCourse(code: "SCO-101", version: 1, input: {hours: $hours}) { version hours updatedAt } }`
	key1         = "4f1d3a6e-8b2c-4e7f-9a10-2b3c4d5e6f70"
	key2         = "9b8a7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
)

// courseEntries returns the audit log's entries about course code.
func courseEntries(t *testing.T, store domain.Store, code string) []*domain.AuditEntry {
	t.Helper()
	l, err := store.AuditLog(context.Background(), domain.AuditFilter{Kind: domain.AuditCourse, Key: code}, domain.Page{})
	if err != nil {
		t.Fatal(err)
	}
	return l.Items
}

func TestIdempotentRetryGetsTheFirstAnswer(t *testing.T) {
	t.Parallel()
	store := frameworkOnly(t)
	url, _ := idemServer(t, store, app.Options{})

	first := postKeyed(t, url, key1, "", createCourse, map[string]any{"code": "SCO-101"})
	if first.status != http.StatusOK || first.errorCode(t) != "" || first.header.Get("Idempotent-Replayed") != "" {
		t.Fatalf("first answer: HTTP %d %s %v", first.status, first.body, first.header)
	}
	retry := postKeyed(t, url, key1, "", createCourse, map[string]any{"code": "SCO-101"})
	if retry.status != first.status || !bytes.Equal(retry.body, first.body) {
		t.Errorf("the retry answered HTTP %d %s, want the first answer HTTP %d %s", retry.status, retry.body, first.status, first.body)
	}
	if retry.header.Get("Idempotent-Replayed") != "true" || retry.header.Get("Content-Type") != first.header.Get("Content-Type") {
		t.Errorf("the retry's headers: %v", retry.header)
	}
	// Without the key, the same request runs again: CONFLICT.
	if code := postKeyed(t, url, "", "", createCourse, map[string]any{"code": "SCO-101"}).errorCode(t); code != "CONFLICT" {
		t.Errorf("the same create without a key: %s, want CONFLICT", code)
	}

	// An update retried is not applied twice: one version, one entry.
	up := postKeyed(t, url, key2, "", updateHours, map[string]any{"hours": 12})
	upRetry := postKeyed(t, url, key2, "", updateHours, map[string]any{"hours": 12})
	if up.errorCode(t) != "" || !bytes.Equal(up.body, upRetry.body) {
		t.Errorf("update: %s, its retry: %s", up.body, upRetry.body)
	}
	c, err := store.Course(context.Background(), "SCO-101")
	if err != nil {
		t.Fatal(err)
	}
	if c.Version != 2 || c.Hours != 12 {
		t.Errorf("stored course: version %d, hours %v; want 2, 12", c.Version, c.Hours)
	}
	// The changes made are a create and an update, each made by its
	// idempotent request (the create sent without a key failed).
	var made []string
	for _, e := range courseEntries(t, store, "SCO-101") {
		if e.State != domain.AuditDone {
			continue
		}
		made = append(made, e.Operation)
		if e.Request == "" {
			t.Errorf("audit entry %s (%s) names no idempotent request", e.ID, e.Operation)
		}
	}
	if len(made) != 2 || made[0] != domain.OpUpdate || made[1] != domain.OpCreate {
		t.Errorf("changes made to SCO-101, newest first: %v, want an update and a create", made)
	}
}

func TestIdempotencyKeyWithAnotherRequestIsRefused(t *testing.T) {
	t.Parallel()
	store := frameworkOnly(t)
	url, _ := idemServer(t, store, app.Options{})
	postKeyed(t, url, key1, "", createCourse, map[string]any{"code": "SCO-101"})

	for name, vars := range map[string]map[string]any{"other variables": {"code": "SCO-102"}} {
		got := postKeyed(t, url, key1, "", createCourse, vars)
		if got.status != http.StatusUnprocessableEntity || got.errorCode(t) != "IDEMPOTENCY_KEY_REUSED" {
			t.Errorf("%s: HTTP %d %s, want 422 IDEMPOTENCY_KEY_REUSED", name, got.status, got.body)
		}
	}
	other := postKeyed(t, url, key1, "", strings.Replace(createCourse, "hours: 8", "hours: 9", 1), map[string]any{"code": "SCO-101"})
	if other.status != http.StatusUnprocessableEntity || other.errorCode(t) != "IDEMPOTENCY_KEY_REUSED" {
		t.Errorf("another query: HTTP %d %s, want 422 IDEMPOTENCY_KEY_REUSED", other.status, other.body)
	}
	if _, err := store.Course(context.Background(), "SCO-102"); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("SCO-102 after the refused request: %v, want not found", err)
	}
}

func TestIdempotencyKeysArePerPrincipal(t *testing.T) {
	t.Parallel()
	store := frameworkOnly(t)
	url, _ := idemServer(t, store, app.Options{})
	mine := postKeyed(t, url, key1, "key:portal", createCourse, map[string]any{"code": "SCO-101"})
	if mine.errorCode(t) != "" {
		t.Fatalf("first request: %s", mine.body)
	}
	// Another principal with the same key and request is not given the
	// first answer: its request runs, and finds the course taken.
	theirs := postKeyed(t, url, key1, "key:intruder", createCourse, map[string]any{"code": "SCO-101"})
	if theirs.header.Get("Idempotent-Replayed") != "" || theirs.errorCode(t) != "CONFLICT" {
		t.Errorf("another principal's request: HTTP %d %s %v, want its own CONFLICT", theirs.status, theirs.body, theirs.header)
	}
	// Nor is its key taken: with another request it runs.
	if got := postKeyed(t, url, key1, "key:intruder", createCourse, map[string]any{"code": "SCO-102"}); got.errorCode(t) != "IDEMPOTENCY_KEY_REUSED" {
		// The intruder used key1 once already (above), with SCO-101.
		t.Errorf("the intruder's second request with its key: %s, want IDEMPOTENCY_KEY_REUSED", got.body)
	}
	if got := postKeyed(t, url, key2, "key:intruder", createCourse, map[string]any{"code": "SCO-102"}); got.errorCode(t) != "" {
		t.Errorf("another principal's own request: %s", got.body)
	}
}

func TestIdempotencyKeysExpire(t *testing.T) {
	t.Parallel()
	store := frameworkOnly(t)
	url, _ := idemServer(t, store, app.Options{IdempotencyTTL: 100 * time.Millisecond, IdempotencyPrune: 150 * time.Millisecond})
	postKeyed(t, url, key1, "", createCourse, map[string]any{"code": "SCO-101"})
	time.Sleep(120 * time.Millisecond)
	// Past its expiry the key is free: the same request runs again, and
	// so would another.
	again := postKeyed(t, url, key1, "", createCourse, map[string]any{"code": "SCO-101"})
	if again.header.Get("Idempotent-Replayed") != "" || again.errorCode(t) != "CONFLICT" {
		t.Errorf("the request after expiry: %s %v, want it run again (CONFLICT)", again.body, again.header)
	}
	time.Sleep(120 * time.Millisecond)
	if got := postKeyed(t, url, key1, "", createCourse, map[string]any{"code": "SCO-102"}); got.errorCode(t) != "" {
		t.Errorf("another request after expiry: %s", got.body)
	}
	// The App deletes expired records.
	id := domain.IdempotencyID(tester.ID, key1)
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, err := store.Idempotency(context.Background(), id)
		if domain.ErrorCode(err) == domain.ENOTFOUND {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the expired record is still stored: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestIdempotencyKeyOnlyForMutations(t *testing.T) {
	t.Parallel()
	store := frameworkOnly(t)
	url, _ := idemServer(t, store, app.Options{})
	// A query ignores the header, even a malformed one.
	q := postKeyed(t, url, "not a key!", "", `{ courses { totalCount } }`, nil)
	if q.status != http.StatusOK || q.errorCode(t) != "" {
		t.Errorf("query with a malformed key: HTTP %d %s", q.status, q.body)
	}
	for _, bad := range []string{"short", strings.Repeat("k", 256), "4f1d3a6e 8b2c 4e7f 9a10 2b3c4d5e6f70", "4f1d3a6e-8b2c-4e7f-9a10-2b3c4d5e6f7é"} {
		got := postKeyed(t, url, bad, "", createCourse, map[string]any{"code": "SCO-101"})
		if got.status != http.StatusBadRequest || got.errorCode(t) != "BAD_REQUEST" || !strings.Contains(string(got.body), "Idempotency-Key") {
			t.Errorf("mutation with key %q: HTTP %d %s, want 400 BAD_REQUEST naming Idempotency-Key", bad, got.status, got.body)
		}
	}
	if _, err := store.Course(context.Background(), "SCO-101"); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("SCO-101 after refused keys: %v, want not found", err)
	}
	// The draft's form, a quoted string, is the same key.
	postKeyed(t, url, key1, "", createCourse, map[string]any{"code": "SCO-101"})
	if got := postKeyed(t, url, `"`+key1+`"`, "", createCourse, map[string]any{"code": "SCO-101"}); got.header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("the quoted key: %s %v, want the first answer again", got.body, got.header)
	}
}

// A caller who may write nothing gets FORBIDDEN, key or not, and leaves
// no record of the key.
func TestIdempotencyKeyOfAViewerIsIgnored(t *testing.T) {
	t.Parallel()
	store := frameworkOnly(t)
	url, _ := idemServer(t, store, app.Options{})
	for range 2 {
		got := postKeyed(t, url, key1, "viewer-portal", createCourse, map[string]any{"code": "SCO-101"})
		if got.errorCode(t) != "FORBIDDEN" || got.header.Get("Idempotent-Replayed") != "" {
			t.Errorf("a viewer's mutation with a key: %s %v, want FORBIDDEN", got.body, got.header)
		}
	}
	if _, err := store.Idempotency(context.Background(), domain.IdempotencyID("viewer-portal", key1)); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("the viewer's key: %v, want no record", err)
	}
}

func TestIdempotentRetryOnAnotherInstance(t *testing.T) {
	t.Parallel()
	store := frameworkOnly(t)
	url1, _ := idemServer(t, store, app.Options{})
	url2, _ := idemServer(t, store, app.Options{})
	first := postKeyed(t, url1, key1, "", createCourse, map[string]any{"code": "SCO-101"})
	retry := postKeyed(t, url2, key1, "", createCourse, map[string]any{"code": "SCO-101"})
	if !bytes.Equal(first.body, retry.body) || retry.header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("retry on the second instance: %s, want %s replayed", retry.body, first.body)
	}
}

// gatedStore holds CreateCourse until it is opened, and can make
// CreateCourse fail with EINTERNAL before or after the write.
type gatedStore struct {
	domain.Store
	entered chan struct{}
	gate    chan struct{}
	mu      sync.Mutex
	// fail is "" (write), "before" (fail without writing) or "after"
	// (write, then fail as a lost connection would).
	fail string
}

func (s *gatedStore) CreateCourse(ctx context.Context, c *domain.Course) error {
	if s.gate != nil {
		s.entered <- struct{}{}
		<-s.gate
	}
	s.mu.Lock()
	fail := s.fail
	s.mu.Unlock()
	switch fail {
	case "before":
		return &domain.Error{Code: domain.EINTERNAL, Message: "connection reset"}
	case "after":
		if err := s.Store.CreateCourse(ctx, c); err != nil {
			return err
		}
		return &domain.Error{Code: domain.EINTERNAL, Message: "connection reset"}
	}
	return s.Store.CreateCourse(ctx, c)
}

func (s *gatedStore) setFail(f string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail = f
}

func TestIdempotentRetryWhileTheFirstRuns(t *testing.T) {
	t.Parallel()
	store := &gatedStore{Store: frameworkOnly(t), entered: make(chan struct{}), gate: make(chan struct{})}
	url, _ := idemServer(t, store, app.Options{})
	done := make(chan keyedAnswer)
	go func() { done <- postKeyed(t, url, key1, "", createCourse, map[string]any{"code": "SCO-101"}) }()
	<-store.entered
	busy := postKeyed(t, url, key1, "", createCourse, map[string]any{"code": "SCO-101"})
	if busy.status != http.StatusConflict || busy.errorCode(t) != "IDEMPOTENCY_KEY_IN_USE" || busy.header.Get("Retry-After") == "" {
		t.Errorf("retry while the first runs: HTTP %d %s %v, want 409 IDEMPOTENCY_KEY_IN_USE with Retry-After", busy.status, busy.body, busy.header)
	}
	close(store.gate)
	first := <-done
	store.gate = nil
	if retry := postKeyed(t, url, key1, "", createCourse, map[string]any{"code": "SCO-101"}); !bytes.Equal(retry.body, first.body) {
		t.Errorf("retry after the first ended: %s, want %s", retry.body, first.body)
	}
}

// A write whose outcome the database did not report keeps the request
// pending; once it is surely over, a retry settles it from the audit
// trail: not made, the retry runs it; made, the retry is told so, and
// nothing is written twice.
func TestIdempotentRetryAfterAnUnknownOutcome(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		fail     string
		wantCode string // of the retry once settled
	}{
		{"before", ""},
		{"after", "IDEMPOTENCY_ANSWER_LOST"},
	} {
		t.Run(tc.fail, func(t *testing.T) {
			t.Parallel()
			store := &gatedStore{Store: frameworkOnly(t), fail: tc.fail}
			const inFlight = 200 * time.Millisecond
			url, _ := idemServer(t, store, app.Options{IdempotencyInFlight: inFlight})
			if code := postKeyed(t, url, key1, "", createCourse, map[string]any{"code": "SCO-101"}).errorCode(t); code != "INTERNAL" {
				t.Fatalf("first answer: %s, want INTERNAL", code)
			}
			store.setFail("")
			if code := postKeyed(t, url, key1, "", createCourse, map[string]any{"code": "SCO-101"}).errorCode(t); code != "IDEMPOTENCY_KEY_IN_USE" {
				t.Errorf("retry at once: %s, want IDEMPOTENCY_KEY_IN_USE", code)
			}
			time.Sleep(inFlight)
			retry := postKeyed(t, url, key1, "", createCourse, map[string]any{"code": "SCO-101"})
			if code := retry.errorCode(t); code != tc.wantCode {
				t.Fatalf("retry once settled: %s, want code %q", retry.body, tc.wantCode)
			}
			if _, err := store.Course(context.Background(), "SCO-101"); err != nil {
				t.Errorf("SCO-101 after the retry: %v", err)
			}
			entries := courseEntries(t, store, "SCO-101")
			var states []domain.AuditState
			for _, e := range entries {
				states = append(states, e.State)
			}
			want := map[string][]domain.AuditState{"before": {domain.AuditDone, domain.AuditFailed}, "after": {domain.AuditDone}}[tc.fail]
			if len(states) != len(want) || states[0] != want[0] || (len(want) == 2 && states[1] != want[1]) {
				t.Errorf("audit entries of SCO-101: %v, want %v (newest first)", states, want)
			}
			if tc.wantCode != "" {
				if want := "create course SCO-101 (audit entry " + entries[0].ID + ")"; !strings.Contains(string(retry.body), want) {
					t.Errorf("the lost answer does not name the write, %s: %s", want, retry.body)
				}
				if again := postKeyed(t, url, key1, "", createCourse, map[string]any{"code": "SCO-101"}); !bytes.Equal(again.body, retry.body) {
					t.Errorf("another retry: %s, want %s again", again.body, retry.body)
				}
			}
		})
	}
}

// TestIdempotencyOnFerretDB runs two instances on one embedded FerretDB
// database: a retry on the second gets the first's answer; retries racing
// on both run the request once; a request whose write was made but whose
// answer was lost on the first is settled by a retry on the second.
func TestIdempotencyOnFerretDB(t *testing.T) {
	t.Parallel()
	db := mongotest.Open(t)
	if err := db.PutFramework(context.Background(), sampleSeeds(t).Framework); err != nil {
		t.Fatal(err)
	}
	other, err := mongodb.Open(context.Background(), mongodb.Config{URI: db.URI(), Database: db.DatabaseName()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close(context.Background()) })
	// The racing retries run with the default in-flight window: a short one
	// would let a retry take over a first request that a loaded machine
	// keeps running longer than the window. The lost answer is settled by
	// a pair of instances with a short window, so that the test need not
	// wait the default's 30 s.
	const inFlight = 300 * time.Millisecond
	flaky := &gatedStore{Store: db}
	url1, _ := idemServer(t, flaky, app.Options{})
	url2, _ := idemServer(t, other, app.Options{})
	lostURL1, _ := idemServer(t, flaky, app.Options{IdempotencyInFlight: inFlight})
	lostURL2, _ := idemServer(t, other, app.Options{IdempotencyInFlight: inFlight})

	first := postKeyed(t, url1, key1, "", createCourse, map[string]any{"code": "SCO-101"})
	retry := postKeyed(t, url2, key1, "", createCourse, map[string]any{"code": "SCO-101"})
	if first.errorCode(t) != "" || !bytes.Equal(first.body, retry.body) || retry.header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("first answer %s; the retry on the other instance: %s %v", first.body, retry.body, retry.header)
	}
	if got := postKeyed(t, url2, key1, "", createCourse, map[string]any{"code": "SCO-102"}); got.errorCode(t) != "IDEMPOTENCY_KEY_REUSED" {
		t.Errorf("another request with the key: %s", got.body)
	}

	// Eight retries of one request, four on each instance, at once.
	var wg sync.WaitGroup
	answers := make([]keyedAnswer, 8)
	for i := range answers {
		url := []string{url1, url2}[i%2]
		wg.Go(func() { answers[i] = postKeyed(t, url, key2, "", createCourse, map[string]any{"code": "SCO-201"}) })
	}
	wg.Wait()
	ran := 0
	for _, a := range answers {
		switch code := a.errorCode(t); {
		case code == "" && a.header.Get("Idempotent-Replayed") == "":
			ran++
		case code == "" || code == "IDEMPOTENCY_KEY_IN_USE":
		default:
			t.Errorf("a racing retry: HTTP %d %s", a.status, a.body)
		}
	}
	made := 0
	for _, e := range courseEntries(t, db, "SCO-201") {
		if e.State != domain.AuditPending {
			made++
		}
	}
	if ran != 1 || made != 1 {
		t.Errorf("of 8 racing retries %d ran the request and %d entries were made, want 1 and 1", ran, made)
	}

	// The first instance writes, but the database's answer is lost.
	flaky.setFail("after")
	if code := postKeyed(t, lostURL1, "c0ffee00-1234-4abc-8def-0123456789ab", "", createCourse, map[string]any{"code": "SCO-301"}).errorCode(t); code != "INTERNAL" {
		t.Fatalf("the write whose answer was lost: %s, want INTERNAL", code)
	}
	time.Sleep(inFlight)
	lost := postKeyed(t, lostURL2, "c0ffee00-1234-4abc-8def-0123456789ab", "", createCourse, map[string]any{"code": "SCO-301"})
	if lost.status != http.StatusConflict || lost.errorCode(t) != "IDEMPOTENCY_ANSWER_LOST" {
		t.Errorf("the retry on the other instance: HTTP %d %s, want 409 IDEMPOTENCY_ANSWER_LOST", lost.status, lost.body)
	}
	entries := courseEntries(t, db, "SCO-301")
	if len(entries) != 1 || entries[0].State != domain.AuditDone {
		t.Errorf("entries of SCO-301: %+v, want one, done", entries)
	}
}

// BenchmarkIdempotentUpdate measures what a key adds to a mutation on the
// embedded FerretDB: an update without a key, with a new key each time,
// and a retry answered from the kept answer.
//
//	go test -run '^$' -bench IdempotentUpdate -count 6 ./graph/
func BenchmarkIdempotentUpdate(b *testing.B) {
	db := mongotest.Open(b)
	if err := db.PutFramework(context.Background(), sampleSeeds(b).Framework); err != nil {
		b.Fatal(err)
	}
	url, _ := idemServer(b, db, app.Options{})
	if code := postKeyed(b, url, "", "", createCourse, map[string]any{"code": "SCO-101"}).errorCode(b); code != "" {
		b.Fatal(code)
	}
	const update = `mutation($version: Int!, $hours: Float!) { updateCourse(code: "SCO-101", version: $version, input: {hours: $hours}) { version } }`
	version := 1
	for _, keyed := range []bool{false, true} {
		name := map[bool]string{false: "plain", true: "keyed"}[keyed]
		b.Run(name, func(b *testing.B) {
			for i := 0; b.Loop(); i++ {
				key := ""
				if keyed {
					key = fmt.Sprintf("bench-key-%08d-%d", i, version)
				}
				got := postKeyed(b, url, key, "", update, map[string]any{"version": version, "hours": 1 + version%90})
				if code := got.errorCode(b); code != "" {
					b.Fatalf("%s: %s", code, got.body)
				}
				version++
			}
		})
	}
	b.Run("replayed", func(b *testing.B) {
		vars := map[string]any{"version": version, "hours": 3}
		postKeyed(b, url, key1, "", update, vars)
		for b.Loop() {
			if got := postKeyed(b, url, key1, "", update, vars); got.header.Get("Idempotent-Replayed") != "true" {
				b.Fatalf("not replayed: %s", got.body)
			}
		}
	})
}
