// Package mongodb is cmap's domain.Store on MongoDB, through the official
// Go driver (go.mongodb.org/mongo-driver/v2). With no URI it starts an
// embedded FerretDB (a MongoDB wire-protocol server with a SQLite backend)
// in a data folder and talks to it through the same driver code.
//
// # Documents
//
// One document per course, position and person, keyed by its natural key in
// _id (a person's completions are an array of subdocuments), each with a
// version counter and updatedAt; one document per course in course_facts
// and per position in position_facts; the framework is the document
// "current" of frameworks; meta holds the versions (below), the seed
// marker and, while a write runs on FerretDB, the write lease; changes
// holds the change log (see below). API keys are in api_keys by id (the
// token's hash, never the token). The audit trail is two collections keyed
// by entry ID: audit_pending holds the entries of writes in flight (a
// handful, so that reconciling them reads little even on FerretDB, which
// scans), audit the ended ones; records carry the ID of the entry that
// wrote them in "audit". Idempotent requests are in idempotency (see
// idempotency.go). An import journal is a header in imports and its ops
// in import_ops (see imports.go). The facts of a record are one JSON
// string in its facts document (see courseFactsDoc for the measurements
// behind that). bson types stay inside this package: explicit document
// structs convert to and from engine types.
//
// # Versions, and the facts as a read model
//
// The meta document "dataVersion" holds value (domain.Versions.Data, the
// data version), id (its DataID, drawn anew at every increment), facts
// (how many calls wrote facts) and factsMark {revision, data, facts}.
// cmap serves facts from memory; course_facts and position_facts are a
// read model for other tools that read the database. Such a tool can
// trust them as the facts of the rules of revision factsMark.revision
// over the stored records exactly when factsMark.data equals value and
// factsMark.facts equals facts; otherwise cmap is bringing them up to date
// (each record's own revision field says which rules derived it).
//
// # Bulk creates
//
// CreateCourses, CreatePositions and CreatePeople insert ordered chunks of
// recordsChunk documents under one write lease, then increment the data
// version once and log one engine.ChangeMany entry: about 0.2 s for 1,000
// people against 8 s one by one (BenchmarkCreatePeople), and seeding the
// DoD-scale set takes about 10 s instead of 160. Neither FerretDB v1 nor
// a standalone MongoDB has transactions: a duplicate key met part way is
// undone by deleting what the call inserted before it; a crash part way
// leaves a prefix stored (see domain.Store).
//
// # Why _id carries the natural key
//
// FerretDB's SQLite backend only pushes a filter down to SQL when it is a
// lone string _id; any other filter is applied in Go after a scan of the
// whole collection. Keying documents by _id makes lookups, upserts and
// version checks by key fast on both backends and unique without another
// index. FerretDB's own _id index does not match the expression its query
// filters on, so on the embedded server Open adds one that does, straight
// in the SQLite file (indexIDPaths): a lookup by key among 20,000 people
// takes about 0.2 ms instead of 25 ms (BenchmarkPersonByKey20k). Lookups
// by other fields scan on FerretDB whatever the indexes; cmap answers
// reads from memory (package app) and asks the store only by key.
//
// # Concurrency
//
// Updates and deletes name the version they read (optimistic concurrency).
// MongoDB applies a {_id, version} filter atomically with the write.
// FerretDB v1 does not: it reads matching documents, then writes them back,
// so two writers could both match the same version. When the server is
// FerretDB, DB therefore serializes its writes and checks the version while
// it holds the write lock: a mutex within the process, and across processes
// (several cmap instances sharing one FerretDB) a lease document in meta
// whose insertion is atomic because _id is unique. Its holder renews it
// while the write runs; a process that dies holding it delays the others
// by writeLeaseTTL (1.5 s), and a process restarted on the data folder of
// the embedded server breaks its predecessor's lease at once. Whoever
// breaks a lease (a writer, or the restarted process as it opens) counts
// the write the dead process may have made without counting it, as its
// lease names it (one record's change, facts). While a lease is held, Versions reports
// Unsettled. Once a write under the lock has started it runs to its end
// even if its caller's context is cancelled: FerretDB goes on with a
// command whose client hung up, and such a write could otherwise land
// uncounted or after the lease was released; only the end of the lease
// stops it. lease.go says how, and why two live writers never both hold
// it.
//
// On MongoDB no lease is taken: the {_id, version} filter of an update or
// delete and the unique _id of an insert are the database's own atomic
// conditions, and a write there is bounded by unleasedWriteTimeout
// instead. A process that dies between a write and the increment of the
// data version (or of the facts count) leaves it uncounted until the next
// write, and nothing tells: a read model cached under the old version
// (package app's snapshot file) or a facts mark may then be trusted
// wrongly until someone writes.
//
// # The embedded server
//
// The embedded FerretDB listens on a Unix socket in a private folder of
// its data folder (run/db.sock, the folder mode 0700), never on a TCP
// port: FerretDB v1 on SQLite has no authentication, so the socket's
// folder is what keeps other users (and the network) from reading and
// writing the records past cmap's API. The process that runs it holds the
// data folder's lock (run/lock) for its life: a second embedded server on
// the same folder is refused, naming the URI to share instead; and a
// process that takes the lock knows the previous holder is dead.
//
// # Change log
//
// Every write of a record increments the data version in meta and then
// inserts a document into changes whose _id is the new version, zero-padded
// to 19 digits (a string, so that FerretDB looks it up in SQL and byte
// order is number order), naming the record's kind and key (a write of
// many records at once logs one engine.ChangeMany entry). The same bulk
// write deletes the entry that falls out of the log (domain.ChangeLogLength
// versions back) and, every ChangeLogLength versions, any older leftover.
// The record, the version and the entry are three writes, not one: a
// reader may see the version before its entry, and a process that dies in
// between leaves a hole for good; domain.Store.Changes says what readers do
// about it. On FerretDB the log is read one _id at a time (each a lookup in
// SQLite's index); on MongoDB with one range query.
//
// WatchChanges opens a change stream on changes, so that on a MongoDB
// replica set readers learn of a write as soon as it is logged. FerretDB
// and a standalone MongoDB have no change streams: WatchChanges fails
// there and readers poll the data version.
package mongodb

import (
	"cmap/domain"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"
)

// DefaultDatabase is the database used when Config.Database is empty.
const DefaultDatabase = "cmap"

// dialTimeout bounds connecting and server selection, so that a wrong URI
// fails in seconds instead of hanging. It is not an operation timeout: the
// driver would send those as maxTimeMS, which FerretDB rejects on some
// commands.
const dialTimeout = 5 * time.Second

// Collection names.
const (
	coursesCollection       = "courses"
	positionsCollection     = "positions"
	peopleCollection        = "people"
	frameworksCollection    = "frameworks"
	courseFactsCollection   = "course_facts"
	positionFactsCollection = "position_facts"
	metaCollection          = "meta"
	apiKeysCollection       = "api_keys"
	auditCollection         = "audit"
	auditPendingCollection  = "audit_pending"
	changesCollection       = "changes"
	importsCollection       = "imports"
	importOpsCollection     = "import_ops"
)

// Config says which database to use.
type Config struct {
	// URI of a MongoDB server, e.g. "mongodb://db.example:27017". Empty
	// starts an embedded FerretDB storing its data in DataDir.
	URI string
	// DataDir is the folder of the embedded FerretDB's SQLite files; it is
	// created (mode 0700) if missing. Its private folder run/ holds the
	// server's socket and lock. Used only when URI is empty.
	DataDir string
	// Database is the database name; empty means DefaultDatabase.
	Database string
	// Logger receives the embedded FerretDB's warnings and errors, and a
	// warning for each write lease broken (a process died writing); nil
	// discards them.
	Logger *slog.Logger
}

// DB is an open database: an domain.Store.
type DB struct {
	client   *mongo.Client
	database *mongo.Database
	uri      string
	embedded *embeddedServer // nil when connected to an external server

	courses, positions, people, frameworks, courseFacts, positionFacts, meta, changes *mongo.Collection
	apiKeys, audit, auditPending, idempotency, imports, importOps                     *mongo.Collection

	// changeLogLength is how many versions the change log keeps
	// (domain.ChangeLogLength; tests of pruning set less).
	changeLogLength int64
	// changesByID reads the change log one lone _id lookup at a time, the
	// only query FerretDB runs in SQL, instead of one range query.
	changesByID bool

	// serialized is true when the server is FerretDB: writes then take
	// writeLock and the write lease (see lease.go).
	serialized bool
	// indexed is true when this DB gave the embedded FerretDB's tables
	// the index its lookups by _id use (indexIDPaths): it owns the
	// server. Another client of a FerretDB cannot tell.
	indexed   bool
	writeLock chan struct{}
	// leaseOwner names this DB in the write lease (and, for the embedded
	// server, in its data folder's lock).
	leaseOwner string
	logger     *slog.Logger // Config.Logger
	// predecessor is the leaseOwner of the process that owned the data
	// folder before this one (embedded server only): it is dead, and so
	// is any lease it holds.
	predecessor string
	// abandoned are the tokens of the last leases (at most maxAbandoned,
	// newest last) this DB lost, failed to delete or may have taken
	// without knowing it; guarded by writeLock.
	abandoned []string
	// lost are the intents of the holders of leases this DB broke (nil:
	// not known), whose writes it has yet to count (countLostWrite);
	// guarded by writeLock.
	lost []*writeIntent

	closeOnce sync.Once
	closeErr  error
}

var _ domain.Store = (*DB)(nil)

// Open connects to the database cfg names (starting the embedded FerretDB
// when cfg.URI is empty), checks that it answers and creates the indexes
// cmap needs if they are missing.
func Open(ctx context.Context, cfg Config) (*DB, error) {
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	name := cfg.Database
	if name == "" {
		name = DefaultDatabase
	}
	db := &DB{uri: cfg.URI, writeLock: make(chan struct{}, 1), leaseOwner: rand.Text(), logger: logger, changeLogLength: domain.ChangeLogLength}
	if cfg.URI == "" {
		srv, err := startEmbedded(ctx, cfg.DataDir, db.leaseOwner, logger)
		if err != nil {
			return nil, err
		}
		db.embedded = srv
		db.uri = srv.uri
		db.predecessor = srv.lock.predecessor
	}
	if err := db.connect(ctx, name); err != nil {
		db.Close(context.WithoutCancel(ctx))
		return nil, err
	}
	return db, nil
}

// connect opens the client, pings the server, learns which server it is and
// creates indexes.
func (db *DB) connect(ctx context.Context, name string) error {
	opts := options.Client().
		ApplyURI(db.uri).
		SetAppName("cmap").
		SetConnectTimeout(dialTimeout).
		SetServerSelectionTimeout(dialTimeout)
	client, err := mongo.Connect(opts)
	if err != nil {
		return fmt.Errorf("mongodb: bad URI %s: %w", redact(db.uri), err)
	}
	db.client = client
	if err := client.Ping(ctx, readpref.Primary()); err != nil {
		return fmt.Errorf("mongodb: %s does not answer: %w", redact(db.uri), err)
	}
	db.database = client.Database(name)
	db.courses = db.database.Collection(coursesCollection)
	db.positions = db.database.Collection(positionsCollection)
	db.people = db.database.Collection(peopleCollection)
	db.frameworks = db.database.Collection(frameworksCollection)
	db.courseFacts = db.database.Collection(courseFactsCollection)
	db.positionFacts = db.database.Collection(positionFactsCollection)
	db.meta = db.database.Collection(metaCollection)
	db.apiKeys = db.database.Collection(apiKeysCollection)
	db.audit = db.database.Collection(auditCollection)
	db.auditPending = db.database.Collection(auditPendingCollection)
	db.idempotency = db.database.Collection(idempotencyCollection)
	db.changes = db.database.Collection(changesCollection)
	db.imports = db.database.Collection(importsCollection)
	db.importOps = db.database.Collection(importOpsCollection)

	info, err := db.buildInfo(ctx)
	if err != nil {
		return err
	}
	db.serialized = info.FerretDBVersion != ""
	db.changesByID = db.serialized

	if db.embedded != nil {
		if err := db.indexEmbedded(ctx); err != nil {
			return err
		}
		db.indexed = true
	}
	if err := db.initVersions(ctx); err != nil {
		return err
	}

	// Natural keys live in _id, unique by construction; people are also
	// looked up by the position they hold.
	_, err = db.people.Indexes().CreateOne(ctx, mongo.IndexModel{
		Keys:    bson.D{{Key: "positionId", Value: 1}},
		Options: options.Index().SetName("positionId"),
	})
	if err != nil {
		return fmt.Errorf("mongodb: creating index people.positionId: %w", err)
	}
	// A record's history is read by kind and key, newest first.
	_, err = db.audit.Indexes().CreateOne(ctx, mongo.IndexModel{
		Keys:    bson.D{{Key: "kind", Value: 1}, {Key: "key", Value: 1}, {Key: "_id", Value: 1}},
		Options: options.Index().SetName("kind_key"),
	})
	if err != nil {
		return fmt.Errorf("mongodb: creating index audit.kind_key: %w", err)
	}
	return db.indexIdempotency(ctx)
}

// collections lists every collection cmap uses.
func (db *DB) collections() []*mongo.Collection {
	return []*mongo.Collection{db.courses, db.positions, db.people, db.frameworks, db.courseFacts, db.positionFacts, db.meta, db.changes,
		db.apiKeys, db.audit, db.auditPending, db.idempotency, db.imports, db.importOps}
}

// indexEmbedded creates every collection (FerretDB creates one on its
// first write otherwise) and gives each the SQLite index that makes its
// lookups by _id use an index (see indexIDPaths).
func (db *DB) indexEmbedded(ctx context.Context) error {
	for _, c := range db.collections() {
		err := db.database.CreateCollection(ctx, c.Name())
		var ce mongo.CommandError
		if err != nil && !(errors.As(err, &ce) && ce.Code == namespaceExists) {
			return fmt.Errorf("mongodb: creating collection %s: %w", c.Name(), err)
		}
	}
	return indexIDPaths(ctx, db.embedded.dir, db.database.Name())
}

// namespaceExists is the server's error code for creating a collection that
// exists.
const namespaceExists = 48

// URI returns the URI of the server in use, its password (if any) masked.
// For the embedded FerretDB it names its Unix socket, the path escaped as
// the host (mongodb://%2Fsrv%2Fcmap%2Fdata%2Frun%2Fdb.sock/), which another
// cmap of the same user on the same machine can be pointed at.
func (db *DB) URI() string { return redact(db.uri) }

// DatabaseName returns the name of the database in use.
func (db *DB) DatabaseName() string { return db.database.Name() }

// Embedded reports whether the server is the embedded FerretDB.
func (db *DB) Embedded() bool { return db.embedded != nil }

// buildInfoReply is the part of the buildInfo command's answer cmap reads.
type buildInfoReply struct {
	Version         string `bson:"version"`
	FerretDBVersion string `bson:"ferretdbVersion"`
}

func (db *DB) buildInfo(ctx context.Context) (buildInfoReply, error) {
	var info buildInfoReply
	err := db.database.RunCommand(ctx, bson.D{{Key: "buildInfo", Value: 1}}).Decode(&info)
	if err != nil {
		return info, internal("buildInfo", err)
	}
	return info, nil
}

// Backend names the server and its version, e.g. "FerretDB 1.24.2" or
// "MongoDB 7.0.12". An embedded FerretDB in a binary built without module
// information (a test binary) says "FerretDB unknown".
func (db *DB) Backend(ctx context.Context) (string, error) {
	info, err := db.buildInfo(ctx)
	if err != nil {
		return "", err
	}
	if info.FerretDBVersion != "" {
		return "FerretDB " + strings.TrimPrefix(info.FerretDBVersion, "v"), nil
	}
	return "MongoDB " + info.Version, nil
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.client.Ping(ctx, readpref.Primary()); err != nil {
		return internal("ping", err)
	}
	return nil
}

// DropDatabase deletes the database and everything in it. Tests use it to
// clean up after themselves.
func (db *DB) DropDatabase(ctx context.Context) error {
	if err := db.database.Drop(ctx); err != nil {
		return internal("drop database", err)
	}
	return nil
}

// Close disconnects and, for the embedded FerretDB, stops it and waits
// until its SQLite files are closed. Calling Close again returns the first
// result.
func (db *DB) Close(ctx context.Context) error {
	db.closeOnce.Do(func() {
		var errs []error
		if db.client != nil {
			if err := db.client.Disconnect(ctx); err != nil {
				errs = append(errs, fmt.Errorf("mongodb: disconnect: %w", err))
			}
		}
		if db.embedded != nil {
			db.embedded.stop()
		}
		db.closeErr = errors.Join(errs...)
	})
	return db.closeErr
}

// internal wraps a driver error as EINTERNAL; its text reaches logs, never
// API clients (domain.ErrorMessage hides it).
func internal(op string, err error) error {
	return &domain.Error{Code: domain.EINTERNAL, Err: fmt.Errorf("mongodb: %s: %w", op, err)}
}

// redact masks the password of a URI.
func redact(uri string) string {
	u, err := url.Parse(uri)
	if err != nil || u.User == nil {
		return uri
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}
