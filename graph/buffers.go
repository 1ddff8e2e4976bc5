package graph

import (
	"bytes"
	"context"
	"sync"
)

// maxPooledResponse bounds the capacity of a response buffer kept for the
// next request: the coverage matrix's 1.5 MB goes to the garbage
// collector rather than staying in the pool (it is kept by the answer
// cache anyway).
const maxPooledResponse = 64 << 10

// responseBuffers are the buffers the executor writes answers in, reused
// from one request to the next: growing a new buffer to a 2.4 KB answer
// (one person's readiness) allocated about 7 KB in seven steps, a tenth
// of all the bytes such a request allocated.
var responseBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// bufferLease is the response buffer of one request, lent by
// responseBuffers until the answer is written.
type bufferLease struct {
	buf  *bytes.Buffer
	kept bool // the answer's data is kept beyond the request: never returned
}

type bufferLeaseKey struct{}

// withBufferLease returns ctx with a lease for the buffer of its answer,
// which the caller returns with release once the answer is written.
func withBufferLease(ctx context.Context) (context.Context, *bufferLease) {
	l := &bufferLease{}
	return context.WithValue(ctx, bufferLeaseKey{}, l), l
}

// responseBuffer returns the buffer the executor writes the answer of
// ctx's request in: a pooled one when ctx has a lease that lent none yet,
// a new one otherwise (no lease, or a second payload of the operation).
// The generated executor calls it (see internal/leanexec).
func responseBuffer(ctx context.Context) *bytes.Buffer {
	l, _ := ctx.Value(bufferLeaseKey{}).(*bufferLease)
	if l == nil || l.buf != nil || l.kept {
		return new(bytes.Buffer)
	}
	l.buf = responseBuffers.Get().(*bytes.Buffer)
	l.buf.Reset()
	return l.buf
}

// keepResponse says that the answer data of ctx's request is kept beyond
// the request (the answer cache keeps it): its buffer is never returned
// to the pool.
func keepResponse(ctx context.Context) {
	if l, _ := ctx.Value(bufferLeaseKey{}).(*bufferLease); l != nil {
		l.buf, l.kept = nil, true
	}
}

// release returns the lent buffer to the pool, unless it is kept or has
// grown beyond maxPooledResponse. Nothing may read the answer's data
// afterwards.
func (l *bufferLease) release() {
	if l.buf != nil && l.buf.Cap() <= maxPooledResponse {
		responseBuffers.Put(l.buf)
	}
	l.buf = nil
}
