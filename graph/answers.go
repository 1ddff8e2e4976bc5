package graph

import (
	"cmap/domain"
	"context"
	"encoding/json"
	"strings"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/hashicorp/golang-lru/v2/simplelru"
	"github.com/vektah/gqlparser/v2/ast"
)

// pureFields are the Query fields whose answer is a function of the
// request's generation of the read model and the field's arguments alone:
// their resolvers, and those of everything below them, read nothing but
// the view. A field that reads the App's current state, the clock or
// anything else must not be listed (explain, the previews and the impacts
// use the App's serving rules, not the view's).
var pureFields = map[string]bool{
	"__typename": true, "proficiencyScale": true, "framework": true, "competencies": true, "competency": true,
	"subCompetency": true, "courses": true, "course": true, "positions": true, "position": true, "people": true,
	"person": true, "coverageMatrix": true, "gaps": true, "demand": true, "organizations": true,
	"organizationReadiness": true, "ruleSet": true,
}

// largeFields are the pure fields whose answers are large and the same for
// every caller: a query that asks for one of them is worth keeping.
// coverageMatrix is the coverage page's 1.5 MB answer at DoD scale (tens of
// thousands of objects: 100-200 ms of CPU to write); ruleSet and demand are
// the page's rule list and the demand table, hundreds of objects each.
// One person's readiness is not: 20,000 people ask for 20,000 answers.
var largeFields = map[string]bool{"coverageMatrix": true, "ruleSet": true, "demand": true}

// Bounds of answerCache.
const (
	// answerCacheBytes bounds the bytes of the answers kept; the least
	// recently used go first.
	answerCacheBytes = 64 << 20
	// answerCacheEntries bounds their number.
	answerCacheEntries = 256
)

// answerCache is the executable schema with the answers of large queries
// kept: it keeps the data the executor wrote for a query operation whose
// root fields are all pureFields, one of them a largeField, and serves it
// again to a request that asks the same of the same generation. The query
// text, operation name and variables determine the fields, arguments and
// selections, and a generation never changes, so the data is what the
// resolvers would write again. It takes the executor's place only: the
// operation is parsed, validated and limited as any other, and every
// extension around the execution runs as for any other (their errors and
// extensions are added to a kept answer as to a fresh one).
//
// Every entry belongs to the generation being served: the first request
// that arrives with a newer one drops them all; a request still answering
// from an older one (it arrived before a write) neither reads nor fills
// the cache. Requests that ask for an answer being written wait for it
// rather than write it too: the 32 clients of a load arriving after a
// write cost one answer, not 32. An answer with errors is not kept, nor is
// one asked with @defer. A kept answer's data is shared by every response
// that serves it: nothing may modify it in place.
type answerCache struct {
	graphql.ExecutableSchema
	app      Service
	maxBytes int // answerCacheBytes

	mu      sync.Mutex
	view    Snapshot // the generation of the entries
	entries *simplelru.LRU[answerKey, *answer]
	bytes   int // of the entries' data
}

// answerKey names the answer to one request: the query text and operation
// name, the variables as JSON (Go writes map keys sorted), and the roles
// the caller holds, directly or by implication. Which fields a caller may
// read (@auth, authorize) depends on those roles alone, so an answer is
// shared only by callers who may read all of it: never from a personnel
// key to a viewer, nor from any key to a caller without credentials.
type answerKey struct {
	query, operation, variables string
	roles                       string
}

// answer is one answer of the cache. done is closed once it is settled:
// data is then the answer, or nil when it could not be kept, abandoned
// when that is because its request went away before writing it.
type answer struct {
	settle    sync.Once
	done      chan struct{}
	data      []byte
	abandoned bool
}

// withAnswerCache returns es with the answers of large queries over a
// kept.
func withAnswerCache(a Service, es graphql.ExecutableSchema) *answerCache {
	c := &answerCache{ExecutableSchema: es, app: a, maxBytes: answerCacheBytes}
	c.entries, _ = simplelru.NewLRU(answerCacheEntries, func(_ answerKey, an *answer) { c.bytes -= len(an.data) })
	return c
}

// Exec executes the request's operation, or answers it from the cache.
func (c *answerCache) Exec(ctx context.Context) graphql.ResponseHandler {
	oc := graphql.GetOperationContext(ctx)
	key, ok := keyOf(oc)
	if !ok {
		return c.ExecutableSchema.Exec(ctx)
	}
	key.roles = grantedRoles(ctx)
	v := viewOf(ctx)
	for {
		an, owner := c.lookup(v, key)
		switch {
		case an == nil: // a request of an older generation
			return c.ExecutableSchema.Exec(ctx)
		case owner:
			return c.write(ctx, key, an)
		}
		select {
		case <-an.done:
		case <-ctx.Done():
			return c.ExecutableSchema.Exec(ctx)
		}
		if an.data != nil {
			return graphql.OneShot(&graphql.Response{Data: an.data})
		}
		if !an.abandoned {
			return c.ExecutableSchema.Exec(ctx) // it has errors
		}
	}
}

// keyOf returns the key of the operation's answer, and whether it is one
// to keep.
func keyOf(oc *graphql.OperationContext) (answerKey, bool) {
	if oc.Operation.Operation != ast.Query || strings.Contains(oc.RawQuery, "@defer") {
		return answerKey{}, false
	}
	large := false
	var fields collectedFields // those of a selection without directives are kept once per document
	for _, f := range fields.collect(oc, oc.Operation.SelectionSet, queryImplementors) {
		if !pureFields[f.Name] {
			return answerKey{}, false
		}
		large = large || largeFields[f.Name]
	}
	if !large {
		return answerKey{}, false
	}
	vars, err := json.Marshal(oc.Variables)
	if err != nil {
		return answerKey{}, false
	}
	return answerKey{query: oc.RawQuery, operation: oc.OperationName, variables: string(vars)}, true
}

// grantedRoles names every role the request's principal holds, directly
// or by implication; "" without a principal.
func grantedRoles(ctx context.Context) string {
	p := domain.PrincipalFrom(ctx)
	var held []string
	for _, r := range domain.Roles {
		if p.Has(r) {
			held = append(held, string(r))
		}
	}
	return strings.Join(held, ",")
}

// lookup returns the entry of key for a request answering from v, and
// whether the caller is to write it (the entry is new); nil when v is not
// the generation being served.
func (c *answerCache) lookup(v Snapshot, key answerKey) (an *answer, owner bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.view != v {
		if v != c.app.View() {
			return nil, false
		}
		c.view = v
		c.entries.Purge()
	}
	if an, ok := c.entries.Get(key); ok {
		return an, false
	}
	an = &answer{done: make(chan struct{})}
	c.entries.Add(key, an)
	return an, true
}

// write executes the operation and keeps its answer in an when it has no
// errors. The answer is settled when the response is written, or when the
// request ends without it (the executor does not run an operation whose
// request is gone).
func (c *answerCache) write(ctx context.Context, key answerKey, an *answer) graphql.ResponseHandler {
	next := c.ExecutableSchema.Exec(ctx)
	stop := context.AfterFunc(ctx, func() { c.settle(key, an, nil, true) })
	return func(ctx context.Context) *graphql.Response {
		resp := next(ctx)
		if stop() {
			var data []byte
			if resp != nil && len(resp.Errors) == 0 && len(graphql.GetErrors(ctx)) == 0 && resp.HasNext == nil {
				data = resp.Data
				keepResponse(ctx) // its buffer is the cache's now
			}
			c.settle(key, an, data, false)
		}
		return resp
	}
}

// settle settles an with data, which nil drops from the cache so that a
// later request executes the operation again; abandoned says that the
// request writing it went away, so that one of those waiting writes it.
// Beyond maxBytes the least recently used answers are dropped (an answer
// larger than that is not kept).
func (c *answerCache) settle(key answerKey, an *answer, data []byte, abandoned bool) {
	an.settle.Do(func() {
		defer close(an.done)
		c.mu.Lock()
		defer c.mu.Unlock()
		an.data, an.abandoned = data, abandoned // for the requests waiting, kept or not
		cur, ok := c.entries.Peek(key)
		if !ok || cur != an {
			return // dropped meanwhile, by a new generation or for room
		}
		if data == nil {
			c.entries.Remove(key)
			return
		}
		c.bytes += len(data)
		for c.bytes > c.maxBytes {
			c.entries.RemoveOldest()
		}
	})
}
