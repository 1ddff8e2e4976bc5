package mongodb

import (
	"cmap/domain"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"regexp"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Helpers shared by courses, positions and people: versioned documents keyed
// by _id. kind names the record type in messages ("course").

// changeKind returns the kind of the change log entries of writes of
// records of kind: the change log names them as messages do.
func changeKind(kind string) domain.ChangeKind { return domain.ChangeKind(kind) }

// now returns the time stamped on a write, at the millisecond precision
// BSON dates keep, so that the caller's copy equals the stored one.
func now() time.Time { return time.Now().UTC().Truncate(time.Millisecond) }

// writeRecord runs write, a write of the record of kind with key, under
// the write lock (with the context withWriteLock gives) and, when it
// succeeds, increments the data version and logs the change (logChange).
func (db *DB) writeRecord(ctx context.Context, kind domain.ChangeKind, key string, write func(ctx context.Context) error) error {
	return db.withWriteLock(ctx, recordIntent(kind, key), func(ctx context.Context) error {
		if err := write(ctx); err != nil {
			return err
		}
		return db.logChange(ctx, kind, key)
	})
}

// insertRecord inserts doc, the new record key of kind.
func (db *DB) insertRecord(ctx context.Context, coll *mongo.Collection, kind, key string, doc any) error {
	return db.writeRecord(ctx, changeKind(kind), key, func(ctx context.Context) error {
		_, err := coll.InsertOne(ctx, doc)
		switch {
		case mongo.IsDuplicateKeyError(err):
			return domain.Errorf(domain.ECONFLICT, "%s %s exists", kind, key)
		case err != nil:
			return internal("insert "+kind, err)
		}
		return nil
	})
}

// recordsChunk is how many records a bulk create inserts per command. The
// driver would split a larger batch by message size anyway; FerretDB
// commits an insert command in transactions of 100 documents, so what
// matters is how few round trips a batch takes, while one command of
// DoD-scale courses (about 1 KB each) stays well under the 48 MB message
// limit.
const recordsChunk = 500

// bulkKind describes the records of one collection to createAll.
type bulkKind[R, D any] struct {
	coll     *mongo.Collection
	kind     string // "course"
	keyField string // "code"
	key      func(*R) string
	validate func(*R) error
	doc      func(*R) D
	// stamp returns the record's Version and UpdatedAt fields.
	stamp func(*R) (*int64, *time.Time)
}

// createAll stores the new records rs as domain.Store's bulk creates
// describe: validation of every record first, then ordered inserts of
// recordsChunk documents under the write lock, and one data version
// increment, logged as one engine.ChangeMany entry. On a key conflict it
// deletes again the documents it inserted before the conflict. On success it sets every record's Version and
// UpdatedAt.
func createAll[R, D any](ctx context.Context, db *DB, k bulkKind[R, D], rs []*R) error {
	if err := domain.ValidateBatch(rs, k.keyField, k.key, k.validate); err != nil {
		return err
	}
	if len(rs) == 0 {
		return nil
	}
	at := now()
	keys := make([]string, len(rs))
	docs := make([]any, len(rs))
	for i, r := range rs {
		stamped := *r
		v, a := k.stamp(&stamped)
		*v, *a = 1, at
		keys[i], docs[i] = k.key(r), k.doc(&stamped)
	}
	// Once started, the inserts, their undoing and their count run to
	// their end (see lockWrites).
	err := db.withWriteLock(ctx, recordIntent(domain.ChangeMany, ""), func(ctx context.Context) error {
		inserted, err := insertChunks(ctx, k.coll, docs)
		if mongo.IsDuplicateKeyError(err) {
			err = domain.Errorf(domain.ECONFLICT, "%s %s exists", k.kind, keys[inserted])
			if inserted > 0 {
				_, delErr := k.coll.DeleteMany(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: keys[:inserted]}}}})
				if delErr != nil {
					err = errors.Join(err, internal(fmt.Sprintf("remove the %d %s records stored before the conflict", inserted, k.kind), delErr))
				}
			}
		} else if err != nil {
			err = internal(fmt.Sprintf("insert %s records (%d of %d stored)", k.kind, inserted, len(docs)), err)
		}
		// Count the write unless it surely stored nothing, even when it
		// failed or was undone (something may have been stored, and read,
		// meanwhile).
		if inserted > 0 || domain.ErrorCode(err) != domain.ECONFLICT {
			if logErr := db.logChange(ctx, domain.ChangeMany, ""); logErr != nil {
				return errors.Join(err, logErr)
			}
		}
		return err
	})
	if err != nil {
		return err
	}
	for _, r := range rs {
		v, a := k.stamp(r)
		*v, *a = 1, at
	}
	return nil
}

// insertChunks inserts docs in order, recordsChunk at a time, stopping at
// the first error, and returns how many it inserted before it.
func insertChunks(ctx context.Context, coll *mongo.Collection, docs []any) (int, error) {
	inserted := 0
	for start := 0; start < len(docs); start += recordsChunk {
		chunk := docs[start:min(start+recordsChunk, len(docs))]
		_, err := coll.InsertMany(ctx, chunk)
		if err == nil {
			inserted += len(chunk)
			continue
		}
		var bwe mongo.BulkWriteException
		if errors.As(err, &bwe) && len(bwe.WriteErrors) > 0 {
			// Ordered: every document before the first failure is stored.
			inserted += bwe.WriteErrors[0].Index
		}
		return inserted, err
	}
	return inserted, nil
}

// writeIfVersion runs write, a write of record key whose stored version must
// be version, with the filter that selects it; write returns how many
// documents it matched. Zero matches becomes ENOTFOUND or ECONFLICT. The
// caller holds the write lock.
func (db *DB) writeIfVersion(ctx context.Context, coll *mongo.Collection, kind, key string, version int64,
	write func(filter bson.D) (matched int64, err error),
) error {
	filter := bson.D{{Key: "_id", Value: key}, {Key: "version", Value: version}}
	if db.serialized {
		// FerretDB: check under the lock, then write by _id alone, the one
		// filter it runs in SQL rather than by scanning the collection.
		if err := checkVersion(ctx, coll, kind, key, version); err != nil {
			return err
		}
		filter = filter[:1]
	}
	matched, err := write(filter)
	if err != nil {
		return internal("write "+kind, err)
	}
	if matched == 0 {
		if err := checkVersion(ctx, coll, kind, key, version); err != nil {
			return err
		}
		// The version matched again by the time we looked: the record
		// changed twice in between. Still a conflict for this caller.
		return domain.Errorf(domain.ECONFLICT, "%s %s was changed by someone else", kind, key)
	}
	return nil
}

// checkVersion returns ENOTFOUND if record key does not exist and ECONFLICT
// if its stored version is not version.
func checkVersion(ctx context.Context, coll *mongo.Collection, kind, key string, version int64) error {
	var stored struct {
		Version int64 `bson:"version"`
	}
	err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: key}},
		options.FindOne().SetProjection(bson.D{{Key: "version", Value: 1}})).Decode(&stored)
	switch {
	case errors.Is(err, mongo.ErrNoDocuments):
		return domain.NotFound(kind, key)
	case err != nil:
		return internal("read "+kind+" version", err)
	case stored.Version != version:
		return domain.Errorf(domain.ECONFLICT, "%s %s was changed by someone else: you have version %d, stored is %d",
			kind, key, version, stored.Version)
	}
	return nil
}

// replaceRecord replaces record key at version by doc.
func (db *DB) replaceRecord(ctx context.Context, coll *mongo.Collection, kind, key string, version int64, doc any) error {
	return db.writeRecord(ctx, changeKind(kind), key, func(ctx context.Context) error {
		return db.writeIfVersion(ctx, coll, kind, key, version, func(filter bson.D) (int64, error) {
			res, err := coll.ReplaceOne(ctx, filter, doc)
			if err != nil {
				return 0, err
			}
			return res.MatchedCount, nil
		})
	})
}

// deleteRecord deletes record key of kind if its stored version is version.
func (db *DB) deleteRecord(ctx context.Context, coll *mongo.Collection, kind, key string, version int64) error {
	return db.writeRecord(ctx, changeKind(kind), key, func(ctx context.Context) error {
		return db.writeIfVersion(ctx, coll, kind, key, version, func(filter bson.D) (int64, error) {
			res, err := coll.DeleteOne(ctx, filter)
			if err != nil {
				return 0, err
			}
			return res.DeletedCount, nil
		})
	})
}

// findRecord decodes record key of kind into a D.
func findRecord[D any](ctx context.Context, coll *mongo.Collection, kind, key string) (*D, error) {
	var d D
	err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: key}}).Decode(&d)
	switch {
	case errors.Is(err, mongo.ErrNoDocuments):
		return nil, domain.NotFound(kind, key)
	case err != nil:
		return nil, internal("read "+kind, err)
	}
	return &d, nil
}

// readBatchSize is how many records one reply of the database carries.
// A reply is at most 48 MB and FerretDB, unlike MongoDB, does not cut a
// batch at 16 MB: with its default of 101 documents, records of half a
// megabyte were enough to make every list fail ("length of read message
// too large"), and with it the start. The records' size limits (see
// engine.MaxName) keep a record under 170 KB; 40 per reply still reads
// back records of a megabyte written before the limits existed. (Listing
// 20,000 people took the same time with 40 and 101 per reply, within the
// noise of this machine.)
const readBatchSize = 40

// findRecords returns the documents matching filter in natural key order,
// at most limit of them (0 for all).
func findRecords[D any](ctx context.Context, coll *mongo.Collection, filter bson.D, limit int64) ([]D, error) {
	opts := options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}).SetBatchSize(readBatchSize)
	if limit > 0 {
		opts.SetLimit(limit)
	}
	cur, err := coll.Find(ctx, filter, opts)
	if err != nil {
		return nil, internal("find in "+coll.Name(), err)
	}
	var docs []D
	if err := cur.All(ctx, &docs); err != nil {
		return nil, internal("read from "+coll.Name(), err)
	}
	return docs, nil
}

// findByKeys returns the documents whose keys are in keys, in one query.
func findByKeys[D any](ctx context.Context, coll *mongo.Collection, keys []string) ([]D, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	return findRecords[D](ctx, coll, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: keys}}}}, 0)
}

// recordsOf converts documents to engine records with record.
func recordsOf[D, R any](docs []D, record func(*D) R) []R {
	records := make([]R, len(docs))
	for i := range docs {
		records[i] = record(&docs[i])
	}
	return records
}

// listRecords returns one page of the documents matching filter.
func listRecords[D any](ctx context.Context, coll *mongo.Collection, filter bson.D, p domain.Page) ([]D, bool, error) {
	if p.First < 0 {
		return nil, false, domain.Invalid("first", "first must not be negative, not %d", p.First)
	}
	if p.After != "" {
		filter = append(filter, bson.E{Key: "_id", Value: bson.D{{Key: "$gt", Value: p.After}}})
	}
	limit := int64(0)
	if p.First > 0 {
		limit = int64(p.First) + 1
	}
	docs, err := findRecords[D](ctx, coll, filter, limit)
	if err != nil {
		return nil, false, err
	}
	if p.First > 0 && len(docs) > p.First {
		return docs[:p.First], true, nil
	}
	return docs, false, nil
}

// countRecords counts the documents matching filter.
func countRecords(ctx context.Context, coll *mongo.Collection, filter bson.D) (int, error) {
	n, err := coll.CountDocuments(ctx, filter)
	if err != nil {
		return 0, internal("count "+coll.Name(), err)
	}
	return int(n), nil
}

// filterBuilder collects the conditions of a list query. Start from
// filterBuilder{}: a nil bson.D is sent as null, not as an empty filter.
type filterBuilder bson.D

// equals adds field == value unless value is empty.
func (f *filterBuilder) equals(field, value string) {
	if value != "" {
		*f = append(*f, bson.E{Key: field, Value: value})
	}
}

// in adds "field is one of values" unless values is empty.
func (f *filterBuilder) in(field string, values []string) {
	if len(values) > 0 {
		*f = append(*f, bson.E{Key: field, Value: bson.D{{Key: "$in", Value: values}}})
	}
}

// search adds a case-insensitive substring match of text on any of fields.
func (f *filterBuilder) search(text string, fields ...string) {
	if text == "" {
		return
	}
	pattern := bson.Regex{Pattern: regexp.QuoteMeta(text), Options: "i"}
	var or bson.A
	for _, field := range fields {
		or = append(or, bson.D{{Key: field, Value: pattern}})
	}
	*f = append(*f, bson.E{Key: "$or", Value: or})
}

// metaDataVersion and metaSeed are the _id of meta documents.
const (
	metaDataVersion = "dataVersion"
	metaSeed        = "seed"
)

// bumpDataVersion increments the data version, draws a new data id (see
// domain.Versions) and returns both. The caller holds the write lock
// (FerretDB applies $inc by reading and writing back).
func (db *DB) bumpDataVersion(ctx context.Context) (int64, string, error) {
	var d struct {
		Value int64 `bson:"value"`
	}
	id := rand.Text()
	err := db.meta.FindOneAndUpdate(ctx,
		bson.D{{Key: "_id", Value: metaDataVersion}},
		bson.D{
			{Key: "$inc", Value: bson.D{{Key: "value", Value: int64(1)}}},
			{Key: "$set", Value: bson.D{{Key: "id", Value: id}}},
		},
		options.FindOneAndUpdate().SetUpsert(true).SetReturnDocument(options.After),
	).Decode(&d)
	if err != nil {
		return 0, "", internal("increment data version", err)
	}
	return d.Value, id, nil
}

// DataVersion returns the counter that every write of a framework, course,
// position or person increments (0 before the first).
func (db *DB) DataVersion(ctx context.Context) (int64, error) {
	var d struct {
		Value int64 `bson:"value"`
	}
	err := db.meta.FindOne(ctx, bson.D{{Key: "_id", Value: metaDataVersion}}).Decode(&d)
	switch {
	case errors.Is(err, mongo.ErrNoDocuments):
		return 0, nil
	case err != nil:
		return 0, internal("read data version", err)
	}
	return d.Value, nil
}

type seedDoc struct {
	ID       string    `bson:"_id"`
	Name     string    `bson:"name"`
	SeededAt time.Time `bson:"seededAt"`
}

// SeededWith returns the seed set name recorded by MarkSeeded, or "".
func (db *DB) SeededWith(ctx context.Context) (string, error) {
	var d seedDoc
	err := db.meta.FindOne(ctx, bson.D{{Key: "_id", Value: metaSeed}}).Decode(&d)
	switch {
	case errors.Is(err, mongo.ErrNoDocuments):
		return "", nil
	case err != nil:
		return "", internal("read seed marker", err)
	}
	return d.Name, nil
}

// MarkSeeded records that the database was seeded with the named set.
func (db *DB) MarkSeeded(ctx context.Context, name string) error {
	if name == "" {
		return domain.Invalid("name", "seed set name is empty")
	}
	return db.withWriteLock(ctx, noIntent, func(ctx context.Context) error {
		_, err := db.meta.ReplaceOne(ctx, bson.D{{Key: "_id", Value: metaSeed}},
			seedDoc{ID: metaSeed, Name: name, SeededAt: now()}, options.Replace().SetUpsert(true))
		if err != nil {
			return internal(fmt.Sprintf("mark seeded with %q", name), err)
		}
		return nil
	})
}
