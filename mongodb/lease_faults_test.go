package mongodb

import (
	"bytes"
	"cmap/domain"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"log/slog"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"cmap/app/apptest"
)

// faultProxy stands between a client and the embedded server, passing the
// wire protocol through both ways, and loses or holds back the answers to
// the commands on the write lease it is told to: the server has applied
// such a command, its client cannot tell whether it did.
type faultProxy struct {
	ln     net.Listener
	socket string // the server's Unix socket

	mu     sync.Mutex
	faults []*answerFault // still to apply, each to the first command it matches
	hits   int            // faults applied
	seen   map[string]int // commands on the lease passed, by name
}

// answerFault is what becomes of the answer to the next command named cmd
// on the lease document: lost with the connection (delay 0), which breaks
// once the server has answered, or passed on after delay.
type answerFault struct {
	cmd   string // "insert", "find", "update", "delete"
	delay time.Duration
	// untilOther applies the fault as well to the commands named cmd that
	// follow, up to one of another name: the driver tries a read again
	// for as long as its context allows.
	untilOther bool
	applied    bool
}

// proxied opens another client, as another instance would, on db's
// server and database through a faultProxy, both closed when t ends. The
// client logs to logs.
func proxied(t *testing.T, db *DB, logs io.Writer) (*faultProxy, *DB) {
	t.Helper()
	socket, err := socketPath(db.embedded.dir)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &faultProxy{ln: ln, socket: socket}
	go p.accept()
	t.Cleanup(func() { ln.Close() })
	other, err := Open(context.Background(), Config{
		URI: "mongodb://" + ln.Addr().String() + "/", Database: db.DatabaseName(), Logger: slog.New(slog.NewTextHandler(logs, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close(context.Background()) })
	if !other.serialized {
		t.Fatal("a client of FerretDB through the proxy does not take the write lease")
	}
	return p, other
}

// fail arms faults, applied in order to the commands they match.
func (p *faultProxy) fail(faults ...answerFault) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, f := range faults {
		p.faults = append(p.faults, &f)
	}
}

// tally disarms the faults left and returns how many were applied and
// how many commands on the lease of each name passed since the last tally.
func (p *faultProxy) tally() (hits int, seen map[string]int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	hits, seen = p.hits, p.seen
	p.faults, p.hits, p.seen = nil, 0, nil
	return hits, seen
}

func (p *faultProxy) accept() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		go p.serve(c)
	}
}

// serve passes the messages of one connection through, applying the
// faults armed to the answers of the commands they match.
func (p *faultProxy) serve(client net.Conn) {
	defer client.Close()
	server, err := net.Dial("unix", p.socket)
	if err != nil {
		return
	}
	defer server.Close()
	var mu sync.Mutex
	faulted := map[uint32]answerFault{} // by the request's id
	go func() {
		defer server.Close()
		for {
			msg, err := readWireMessage(client)
			if err != nil {
				return
			}
			if f, ok := p.match(msg); ok {
				mu.Lock()
				faulted[binary.LittleEndian.Uint32(msg[4:])] = f
				mu.Unlock()
			}
			if _, err := server.Write(msg); err != nil {
				return
			}
		}
	}()
	for {
		msg, err := readWireMessage(server)
		if err != nil {
			return
		}
		mu.Lock()
		f, ok := faulted[binary.LittleEndian.Uint32(msg[8:])] // responseTo
		mu.Unlock()
		if ok {
			if f.delay == 0 {
				return
			}
			time.Sleep(f.delay)
		}
		if _, err := client.Write(msg); err != nil {
			return
		}
	}
}

// match returns the fault armed for the command msg, if any, and disarms
// it.
func (p *faultProxy) match(msg []byte) (answerFault, bool) {
	cmd, coll := wireCommand(msg)
	if coll != metaCollection || !bytes.Contains(msg, []byte(metaWriteLease)) {
		return answerFault{}, false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.seen == nil {
		p.seen = map[string]int{}
	}
	p.seen[cmd]++
	p.faults = slices.DeleteFunc(p.faults, func(f *answerFault) bool { return f.applied && f.cmd != cmd })
	for i, f := range p.faults {
		if f.cmd != cmd {
			continue
		}
		if !f.applied {
			f.applied = true
			p.hits++
		}
		if !f.untilOther {
			p.faults = slices.Delete(p.faults, i, i+1)
		}
		return *f, true
	}
	return answerFault{}, false
}

// readWireMessage reads one message of the wire protocol, its header
// included.
func readWireMessage(r io.Reader) ([]byte, error) {
	var size [4]byte
	if _, err := io.ReadFull(r, size[:]); err != nil {
		return nil, err
	}
	n := binary.LittleEndian.Uint32(size[:])
	if n < 16 || n > 48<<20 {
		return nil, errors.New("not a wire protocol message")
	}
	msg := make([]byte, n)
	copy(msg, size[:])
	_, err := io.ReadFull(r, msg[4:])
	return msg, err
}

// wireCommand returns the name of the command an OP_MSG carries and the
// collection it names, "" if it is not one.
func wireCommand(msg []byte) (cmd, coll string) {
	const opMsg = 2013
	// header (16 bytes), flags (4), then the body's section: kind 0 and
	// a document.
	if len(msg) < 25 || binary.LittleEndian.Uint32(msg[12:]) != opMsg || msg[20] != 0 {
		return "", ""
	}
	n := int(binary.LittleEndian.Uint32(msg[21:]))
	if n > len(msg)-21 {
		return "", ""
	}
	first, err := bson.Raw(msg[21 : 21+n]).IndexErr(0)
	if err != nil {
		return "", ""
	}
	coll, _ = first.Value().StringValueOK()
	return first.Key(), coll
}

// leaseLeft reports whether a lease document is stored.
func leaseLeft(t *testing.T, db *DB) bool {
	t.Helper()
	err := db.meta.FindOne(context.Background(), bson.D{{Key: "_id", Value: metaWriteLease}}).Err()
	if err != nil && !errors.Is(err, mongo.ErrNoDocuments) {
		t.Fatal(err)
	}
	return err == nil
}

// createCourse creates a course with code through db.
func createCourse(db *DB, code string) error {
	return db.CreateCourse(context.Background(), &domain.Course{Code: code, Title: "Basics", DeliveryMode: domain.DeliveryOnline, Status: domain.CourseActive})
}

// An insert that takes the lease may be stored although its answer never
// comes (the connection breaks): its writer reads the lease back, finds
// its own holding and writes under it, at once. Nothing is counted as a
// lost write and no lease is left.
func TestALeaseWhoseInsertAnswerIsLostIsReadBack(t *testing.T) {
	db := openEmbedded(t)
	p, other := proxied(t, db, io.Discard)
	before := versionsOf(t, db)
	p.fail(answerFault{cmd: "insert"})
	err := createCourse(other, "SCO-101")
	if n, _ := p.tally(); n != 1 {
		t.Fatalf("%d faults applied, want the insert's answer lost", n)
	}
	if err != nil {
		t.Fatalf("a write whose lease insert lost its answer: %v", err)
	}
	if after := versionsOf(t, db); after.Data != before.Data+1 {
		t.Errorf("one write moved the data version from %d to %d", before.Data, after.Data)
	}
	if leaseLeft(t, db) {
		t.Error("a lease is left after the write")
	}
	if len(other.abandoned) != 0 {
		t.Errorf("leases abandoned: %v", other.abandoned)
	}
}

// An insert that takes the lease may be stored although its answer comes
// after its timeout (the database stalled): by then the holding may be
// broken, so its writer does not use it but deletes it and takes the
// lease afresh. The write succeeds, counted once, and no lease is left.
func TestALeaseWhoseInsertAnswerIsLateIsTakenAfresh(t *testing.T) {
	db := openEmbedded(t)
	p, other := proxied(t, db, io.Discard)
	before := versionsOf(t, db)
	p.fail(answerFault{cmd: "insert", delay: writeLeaseTTL + writeLeaseBeat})
	if err := createCourse(other, "SCO-101"); err != nil {
		t.Fatalf("a write whose lease insert answered after its timeout: %v", err)
	}
	if n, _ := p.tally(); n != 1 {
		t.Fatalf("%d faults applied, want the insert's answer late", n)
	}
	if after := versionsOf(t, db); after.Data != before.Data+1 {
		t.Errorf("one write moved the data version from %d to %d", before.Data, after.Data)
	}
	if leaseLeft(t, db) {
		t.Error("a lease is left after the write")
	}
}

// A lease taken late in its time (the insert answered just before its
// timeout) is renewed before the write starts, so that the write does not
// lose it before the heartbeat's first beat.
func TestALeaseTakenLateIsRenewedAtOnce(t *testing.T) {
	db := openEmbedded(t)
	p, other := proxied(t, db, io.Discard)
	p.fail(answerFault{cmd: "insert", delay: writeLeaseTTL - writeLeaseBeat/2})
	err := other.withWriteLock(context.Background(), noIntent, func(wctx context.Context) error {
		select {
		case <-wctx.Done():
			return context.Cause(wctx)
		case <-time.After(2 * writeLeaseBeat):
			return nil
		}
	})
	if n, _ := p.tally(); n != 1 {
		t.Fatalf("%d faults applied, want the insert's answer late", n)
	}
	if err != nil {
		t.Fatalf("a write under a lease taken late: %v", err)
	}
	if leaseLeft(t, db) {
		t.Error("a lease is left after the write")
	}
}

// When neither the insert's answer nor the reading back of the lease
// comes, the lease may be stored: it is abandoned, and broken at once
// when found (not after writeLeaseTTL). A writer that cannot learn
// anything gives up after writeLeaseTries attempts; the next write, the
// database answering again, breaks what it left at once.
func TestALeaseOfUnknownFateIsAbandoned(t *testing.T) {
	db := openEmbedded(t)
	logs := &apptest.LogBuffer{}
	p, other := proxied(t, db, logs)
	lostAttempt := []answerFault{{cmd: "insert"}, {cmd: "find", untilOther: true}}
	p.fail(lostAttempt...)
	err := createCourse(other, "SCO-101")
	if n, _ := p.tally(); n != len(lostAttempt) {
		t.Fatalf("%d faults applied, want %d", n, len(lostAttempt))
	}
	if err != nil {
		t.Fatalf("a write whose first attempt at the lease came to nothing: %v", err)
	}
	if !strings.Contains(logs.String(), `why="this process lost it"`) {
		t.Errorf("the holding of unknown fate was not broken at once as abandoned:\n%s", logs)
	}
	if leaseLeft(t, db) {
		t.Error("a lease is left after the write")
	}

	for range 2 * writeLeaseTries {
		p.fail(lostAttempt...)
	}
	err = createCourse(other, "SCO-102")
	if _, seen := p.tally(); seen["insert"] != writeLeaseTries {
		t.Errorf("%d inserts of the lease, want %d: the writer should give up after %[2]d attempts", seen["insert"], writeLeaseTries)
	}
	if domain.ErrorCode(err) != domain.EINTERNAL {
		t.Fatalf("a write that never learned whether it took the lease: %v, want EINTERNAL", err)
	}
	if err := createCourse(other, "SCO-102"); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(logs.String(), `why="this process lost it"`); n != 2 {
		t.Errorf("%d holdings broken at once as abandoned, want 2 (one per failed write):\n%s", n, logs)
	}
	if leaseLeft(t, db) {
		t.Error("a lease is left after the write")
	}
}
