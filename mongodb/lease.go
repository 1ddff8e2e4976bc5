package mongodb

import (
	"cmap/domain"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// The write lease serializes writes across processes on FerretDB (see the
// package documentation, "Concurrency"): the meta document metaWriteLease
// exists while a process holds it.
//
// # Taking, renewing, breaking
//
// A writer takes the lease by inserting the document, atomically: _id is
// unique. It names the holding with a fresh token and counts its renewals
// in beat. While the write runs, a heartbeat renews the lease every
// writeLeaseBeat by incrementing beat, conditional on token and beat.
//
// A process that finds the lease held watches it: once it has seen the
// same token and beat for writeLeaseTTL on its own clock, the holder is
// taken for dead and the lease is broken (deleted, conditional on that
// token and beat) and taken again. A crashed holder therefore delays the
// others by writeLeaseTTL and a poll, well under 2 s. No clock is compared
// across processes: each measures time only against itself.
//
// Some holders are known to be dead at once: a lease of the previous
// owner of the data folder, when this process holds the folder's lock
// (lockFolder: the kernel released it when that owner died), and a lease
// this process itself abandoned (below: one it lost, or may have taken
// without learning it). A process remembers the last maxAbandoned; one it
// forgot is broken after writeLeaseTTL like any other.
//
// # An unknown outcome
//
// A command on the lease whose answer does not come (it timed out, the
// connection broke) may have been applied, or may be yet. So after an
// insert that fails for another reason than the lease being held, the
// writer reads the lease back. If it names the attempt's token, the
// insert took it, and its deadline counts from when the insert was sent
// (below). Otherwise the token is abandoned, as the insert may land yet,
// and the attempt came to nothing. Each attempt inserts a token of its
// own, so that a holding read back names the one insert that stored it.
// Breaking such a holding later counts the write its lease names (below),
// although nothing was written under it: readers read a record again
// needlessly, but no write goes uncounted.
//
// A holding taken with less than half of writeLeaseTTL left (the insert's
// answer, or the reading back, came late) is renewed before the write
// starts, lest the heartbeat's first renewal come after the deadline. If
// that renewal does not answer in time, the holding, under which nothing
// was written, is deleted by its token (or abandoned if the delete fails
// too) and the attempt came to nothing. A break whose answer does not
// come is an attempt that came to nothing as well; the write of the
// holder it meant to break is counted all the same.
//
// A writer makes another attempt, with a new token, after one that came
// to nothing, and fails after writeLeaseTries of them, before writing
// anything: its caller is told the truth. What it may have left in the
// database is abandoned, so never a holding nobody renews and nobody will
// break.
//
// # Counting what a dead holder wrote
//
// A holder that died (or lost its lease) may have written a record or
// facts without incrementing the data version or the facts count after
// it. Its lease says what it meant to write (writeIntent: the change of
// records it would log, whether it writes facts), and whoever breaks the
// lease counts that write (countLostWrite) first thing in the holding
// that follows; a lease that does not say is counted as a write of every
// record and of facts. A process restarted on the data folder breaks its
// predecessor's lease as it opens (initVersions), so that the versions
// are counted before anything reads them. Until the lease is broken,
// Versions reports Unsettled.
//
// # Why two live writers never both hold it
//
// The holder keeps a deadline: the moment it sent its last renewal whose
// answer came back before the previous deadline (the insert, first, also
// when it learned by reading back that the insert took the lease), plus
// writeLeaseTTL. A breaker breaks only after seeing the beat unchanged for
// writeLeaseTTL since it first saw it, which was after that renewal (or
// insert) was stored, so after it was sent: never before the holder's
// deadline; and a renewal that was stored before the deadline changes the
// beat the breaker's conditional delete names, which then matches
// nothing. The holder's write runs in a context that ends at its deadline
// (context.Cause tells errLeaseExpired or errLeaseBroken), so it sends
// nothing after it, and nothing at all once a renewal finds the lease
// broken. A holder that lost
// its lease does not delete the document (it may be someone else's by
// then); it remembers the token and breaks that lease itself, at once, the
// next time it writes, unless another process did first. A holding under
// which nothing was written (taken too late to use) is deleted, filtered
// by its token, even after its deadline: that is a break, which need not
// count a write.
//
// What is left, honestly: a command the holder sent before its deadline
// that the database applies after it (it sat in FerretDB's queue for more
// than the time left, which takes a stall of the database or the process
// of over a second) can land after another process broke the lease; the
// holder's caller is then told the write failed although it may be
// stored. And FerretDB applies a conditional delete as a read and then a
// delete by _id, so two processes that break the same dead lease at the
// same moment (a holder deleting its unused holding counts as one) can, if a third takes it between the read and the delete of
// the slower one, delete that third's lease; the third learns it at its
// next renewal (within writeLeaseBeat) and fails its write. Neither
// happens without a crash or a stall of over a second.
const (
	metaWriteLease = "writeLease"
	// writeLeaseTTL is how long a holder may go without a renewal before
	// others break its lease.
	writeLeaseTTL = 1500 * time.Millisecond
	// writeLeaseBeat is how often a holder renews: six renewals per TTL,
	// so that a few slow ones do not lose the lease.
	writeLeaseBeat = 250 * time.Millisecond
	// writeLeaseMaxWait caps the pause between two attempts to take it.
	writeLeaseMaxWait = 50 * time.Millisecond
	// writeLeaseTries is how many attempts to take it may come to nothing
	// known (see "An unknown outcome") before the write fails.
	writeLeaseTries = 3
	// maxAbandoned is how many abandoned holdings a DB remembers; one it
	// forgot is broken after writeLeaseTTL like any other.
	maxAbandoned = 8
	// unleasedWriteTimeout bounds a write on MongoDB, where no lease
	// does (see lockWrites).
	unleasedWriteTimeout = 30 * time.Second
)

// The causes of a write context ending because its lease ended.
var (
	errLeaseExpired = errors.New("mongodb: the write lease ran out: its renewals did not reach the database in time")
	errLeaseBroken  = errors.New("mongodb: the write lease was broken by another process")
)

// leaseDoc is the lease document.
type leaseDoc struct {
	ID    string `bson:"_id"`
	Owner string `bson:"owner"` // the DB holding it (DB.leaseOwner)
	Token string `bson:"token"` // this holding
	Beat  int64  `bson:"beat"`  // renewals so far
	// Intent is what the holding may write; nil in a lease of an older
	// cmap, which did not say.
	Intent *writeIntent `bson:"intent,omitempty"`
	// PID and Since are for people reading the database.
	PID   int       `bson:"pid"`
	Since time.Time `bson:"since"`
}

// writeIntent is what a holding of the lease may write that readers
// count: a change of records (the change log entry its write logs) and a
// write of facts. It is stored in the lease, so that whoever breaks the
// lease of a holder that died counts that and no more (countLostWrite):
// a write of one record costs other instances the reading of that record,
// not of every record.
type writeIntent struct {
	Kind  domain.ChangeKind `bson:"kind,omitempty"`
	Key   string            `bson:"key,omitempty"`
	Facts bool              `bson:"facts,omitempty"`
}

// Intents of the holdings that write records or facts; a holding that
// only reads, or writes what no reader counts (the seed marker, the facts
// mark, API keys, idempotent requests, missing fields of the versions),
// has none.
var (
	noIntent    = writeIntent{}
	factsIntent = writeIntent{Facts: true}
)

// recordIntent is the intent of a write of the record of kind with key
// (engine.ChangeMany for many records).
func recordIntent(kind domain.ChangeKind, key string) writeIntent {
	return writeIntent{Kind: kind, Key: key}
}

// lease is a holding of the write lease by this process.
type lease struct {
	db     *DB
	token  string
	cancel context.CancelCauseFunc // ends the write's context
	stop   chan struct{}           // closed to stop the heartbeat
	done   chan struct{}           // closed when the heartbeat has returned
	// The heartbeat's, then (after done) the releaser's.
	beat     int64
	deadline time.Time // see the documentation above
	lost     bool
}

// lockWrites takes the write lock and returns the context the write must
// use and the function that releases the lock. That context keeps ctx's
// values but not its cancellation, so that a write which has started runs
// to its end (see the package documentation, "Concurrency"); ctx bounds
// only the wait for the lock. On FerretDB the lock is this process's
// mutex, then the lease that other processes respect, and the context
// ends when the lease does; on MongoDB there is no lock and the context
// ends after unleasedWriteTimeout. The lease names intent, what the write
// may change. The writes of holders whose leases were broken on the way
// (dead, perhaps between a write and its count) are counted first
// (countLostWrite).
func (db *DB) lockWrites(ctx context.Context, intent writeIntent) (context.Context, func(), error) {
	if !db.serialized {
		wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), unleasedWriteTimeout)
		return wctx, cancel, nil
	}
	select {
	case db.writeLock <- struct{}{}:
	case <-ctx.Done():
		return nil, nil, internal("waiting for the write lock", ctx.Err())
	}
	l, err := db.acquireLease(ctx, intent)
	if err != nil {
		<-db.writeLock
		return nil, nil, err
	}
	wctx, cancel := context.WithCancelCause(context.WithoutCancel(ctx))
	l.cancel = cancel
	go l.heartbeat()
	unlock := func() {
		db.releaseLease(l)
		<-db.writeLock
	}
	for len(db.lost) > 0 {
		if err := db.countLostWrite(wctx, db.lost[0]); err != nil {
			unlock()
			return nil, nil, leaseError(wctx, err)
		}
		db.lost = db.lost[1:]
	}
	return wctx, unlock, nil
}

// withWriteLock runs write, which may write what intent says, under the
// write lock with the context lockWrites returns, unless ctx is done by
// the time the lock is taken. When the lease was lost during the write its
// error says so.
func (db *DB) withWriteLock(ctx context.Context, intent writeIntent, write func(ctx context.Context) error) error {
	wctx, unlock, err := db.lockWrites(ctx, intent)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		unlock()
		return internal("waiting for the write lock", err)
	}
	err = write(wctx)
	unlock()
	return leaseError(wctx, err)
}

// leaseError returns err, the error of a write under wctx, saying so when
// wctx ended because its lease did.
func leaseError(wctx context.Context, err error) error {
	if cause := context.Cause(wctx); err != nil && (errors.Is(cause, errLeaseExpired) || errors.Is(cause, errLeaseBroken)) {
		return &domain.Error{Code: domain.EINTERNAL, Err: fmt.Errorf("%w (the write stopped at: %v)", cause, err)}
	}
	return err
}

// acquireLease takes the lease, waiting while another process holds it and
// breaking it once its holder is known or taken to be dead. An attempt
// that comes to nothing known (see "An unknown outcome") is made again, up
// to writeLeaseTries in all. The caller holds writeLock. Each command runs
// to its end whatever becomes of ctx (a cancelled insert could land all
// the same, after its client hung up); ctx is looked at between them.
func (db *DB) acquireLease(ctx context.Context, intent writeIntent) (*lease, error) {
	wait := time.Millisecond
	var seen *leaseDoc // the holding watched, and since when
	var seenAt time.Time
	unsettled := 0 // attempts that came to nothing known
	for {
		if err := ctx.Err(); err != nil {
			return nil, internal("waiting for the write lease", err)
		}
		// A new token each time: the last one may be abandoned.
		l, cur, err := db.tryLease(ctx, rand.Text(), intent)
		if l != nil {
			if err = db.settle(l); err == nil {
				return l, nil
			}
		}
		if err == nil && cur == nil {
			continue // released meanwhile
		}
		if err == nil {
			dead := db.knownDead(cur)
			switch {
			case dead != "":
			case seen == nil || cur.Token != seen.Token || cur.Beat != seen.Beat:
				seen, seenAt = cur, time.Now()
			case time.Since(seenAt) >= writeLeaseTTL:
				dead = "it went unrenewed for " + writeLeaseTTL.String()
			}
			if dead != "" {
				var broke bool
				broke, err = db.breakLease(ctx, *cur, dead)
				switch {
				case broke:
					continue
				case err == nil:
					seen = nil // it changed meanwhile: watch it afresh
				}
			}
		}
		if err != nil {
			if unsettled++; unsettled == writeLeaseTries {
				return nil, err
			}
		}
		select {
		case <-time.After(wait):
			wait = min(2*wait, writeLeaseMaxWait)
		case <-ctx.Done():
			return nil, internal("waiting for the write lease", ctx.Err())
		}
	}
}

// leaseCommand returns the context of one command on the lease: ctx's
// values but not its cancellation (see acquireLease), and a timeout of
// writeLeaseTTL.
func leaseCommand(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), writeLeaseTTL)
}

// tryLease inserts the lease as the holding token, a token never used
// before, of intent. It returns the lease if that took it, else the
// holding in the way (nil if there is none any more). The lease is read
// back after any failed insert: one that failed for another reason than
// the lease being held has an unknown outcome, and took the lease if the
// holding read back names token. Otherwise token is abandoned, as the
// insert may land yet, and the attempt came to nothing: an error says so.
func (db *DB) tryLease(ctx context.Context, token string, intent writeIntent) (*lease, *leaseDoc, error) {
	ictx, cancel := leaseCommand(ctx)
	sent := time.Now()
	_, err := db.meta.InsertOne(ictx, leaseDoc{ID: metaWriteLease, Owner: db.leaseOwner, Token: token, Intent: &intent, PID: os.Getpid(), Since: now()})
	cancel()
	if err == nil {
		return db.newLease(token, sent), nil, nil
	}
	unknown := !mongo.IsDuplicateKeyError(err)
	rctx, cancel := leaseCommand(ctx)
	defer cancel()
	var cur leaseDoc
	rerr := db.meta.FindOne(rctx, bson.D{{Key: "_id", Value: metaWriteLease}}).Decode(&cur)
	switch {
	case rerr == nil && cur.Token == token:
		return db.newLease(token, sent), nil, nil
	case unknown:
		db.abandon(token)
		if rerr != nil && !errors.Is(rerr, mongo.ErrNoDocuments) {
			err = fmt.Errorf("%w; reading it back: %w", err, rerr)
		}
		return nil, nil, internal("take the write lease", err)
	case errors.Is(rerr, mongo.ErrNoDocuments):
		return nil, nil, nil
	case rerr != nil:
		return nil, nil, internal("read the write lease", rerr)
	}
	return nil, &cur, nil
}

// newLease returns the holding token, taken by an insert sent at sent.
func (db *DB) newLease(token string, sent time.Time) *lease {
	return &lease{db: db, token: token, deadline: sent.Add(writeLeaseTTL), stop: make(chan struct{}), done: make(chan struct{})}
}

// settle readies the holding l, just taken, for the write. When taking it
// used up more than half its time (the insert's answer, or the reading
// back, came late), the heartbeat's first renewal could come after the
// deadline: l is renewed at once. If that does not move the deadline,
// the holding, under which nothing was written, is dropped (dropUnused)
// and the error says so.
func (db *DB) settle(l *lease) error {
	if time.Until(l.deadline) >= writeLeaseTTL/2 {
		return nil
	}
	err := l.renew()
	if err == nil && l.beat > 0 {
		return nil
	}
	if !errors.Is(err, errLeaseBroken) {
		db.dropUnused(l.token)
	}
	if err == nil {
		err = errLeaseExpired
	}
	return internal("take the write lease in time", err)
}

// dropUnused deletes the holding token of this process, under which
// nothing was written, whatever its deadline: breaking it instead would
// count a write that was not made. A holding whose deletion fails is
// abandoned.
func (db *DB) dropUnused(token string) {
	ctx, cancel := leaseCommand(context.Background())
	defer cancel()
	if _, err := db.meta.DeleteOne(ctx, bson.D{{Key: "_id", Value: metaWriteLease}, {Key: "token", Value: token}}); err != nil {
		db.abandon(token)
	}
}

// abandon remembers the holding token of this process, which nobody
// renews, so as to break it at once when found (knownDead).
func (db *DB) abandon(token string) {
	db.abandoned = append(db.abandoned, token)
	if len(db.abandoned) > maxAbandoned {
		db.abandoned = db.abandoned[1:]
	}
}

// knownDead says why the holder of cur is known to be dead without
// watching it: it ran the embedded server on this data folder before this
// process, or it is this process's own abandoned holding. It returns ""
// otherwise.
func (db *DB) knownDead(cur *leaseDoc) string {
	switch {
	case db.predecessor != "" && cur.Owner == db.predecessor:
		return "its holder ran the embedded database on this data folder before this process"
	case slices.Contains(db.abandoned, cur.Token):
		return "this process lost it"
	}
	return ""
}

// breakLease deletes the holding cur of the lease if it is still there
// unchanged, and reports whether it did; why (the holder is dead) is
// logged. A lease of a cmap from before heartbeats has no token and no
// beat: it is named by its owner. An error says that the outcome is
// unknown.
func (db *DB) breakLease(ctx context.Context, cur leaseDoc, why string) (bool, error) {
	filter := bson.D{{Key: "_id", Value: metaWriteLease}, {Key: "token", Value: cur.Token}, {Key: "beat", Value: cur.Beat}}
	if cur.Token == "" {
		filter = bson.D{{Key: "_id", Value: metaWriteLease}, {Key: "owner", Value: cur.Owner}, {Key: "token", Value: bson.D{{Key: "$exists", Value: false}}}}
	}
	// The dead holder may have written without counting: the holding of
	// this process that follows a break counts that write, also when the
	// answer is lost (the delete may have landed).
	ctx, cancel := leaseCommand(ctx)
	defer cancel()
	res, err := db.meta.DeleteOne(ctx, filter)
	if err != nil {
		db.lost = append(db.lost, cur.Intent)
		return false, internal("break the write lease of a dead process", err)
	}
	if res.DeletedCount == 0 {
		return false, nil
	}
	db.lost = append(db.lost, cur.Intent)
	db.logger.Warn("broke the write lease of a process that died or stalled while writing", "why", why, "pid", cur.PID, "since", cur.Since)
	return true, nil
}

// heartbeat renews the lease every writeLeaseBeat until stopped, and ends
// the write's context when the lease is lost.
func (l *lease) heartbeat() {
	defer close(l.done)
	tick := time.NewTicker(writeLeaseBeat)
	defer tick.Stop()
	for {
		expire := time.NewTimer(time.Until(l.deadline))
		select {
		case <-l.stop:
			expire.Stop()
			return
		case <-expire.C:
			l.lose(errLeaseExpired)
			return
		case <-tick.C:
			expire.Stop()
		}
		err := l.renew()
		switch {
		case errors.Is(err, errLeaseBroken):
			l.lose(err)
			return
		case !time.Now().Before(l.deadline):
			l.lose(errLeaseExpired)
			return
		}
		// Another error: the next tick tries again, until the deadline.
	}
}

// renew increments the beat, and moves the deadline on if the database
// answered in time. It returns errLeaseBroken if the holding is gone.
func (l *lease) renew() error {
	sent := time.Now()
	ctx, cancel := context.WithDeadline(context.Background(), l.deadline)
	defer cancel()
	res, err := l.db.meta.UpdateOne(ctx,
		bson.D{{Key: "_id", Value: metaWriteLease}, {Key: "token", Value: l.token}, {Key: "beat", Value: l.beat}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "beat", Value: l.beat + 1}}}})
	switch {
	case err != nil:
		return err
	case res.MatchedCount == 0:
		return errLeaseBroken
	case time.Now().Before(l.deadline):
		l.beat++
		l.deadline = sent.Add(writeLeaseTTL)
	}
	return nil
}

// lose ends the write's context with cause.
func (l *lease) lose(cause error) {
	l.lost = true
	l.cancel(cause)
}

// releaseLease stops the heartbeat and deletes the lease while it is
// surely still this process's; a lease lost, or one whose deletion
// failed, is remembered as abandoned (see acquireLease). The caller holds
// writeLock.
func (db *DB) releaseLease(l *lease) {
	close(l.stop)
	<-l.done
	defer l.cancel(context.Canceled)
	if l.lost || !time.Now().Before(l.deadline) {
		db.abandon(l.token)
		return
	}
	ctx, cancel := context.WithDeadline(context.Background(), l.deadline)
	defer cancel()
	_, err := db.meta.DeleteOne(ctx, bson.D{{Key: "_id", Value: metaWriteLease}, {Key: "token", Value: l.token}})
	if err != nil {
		db.abandon(l.token)
	}
}
