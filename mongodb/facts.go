package mongodb

import (
	"cmap/domain"
	"context"
	"errors"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Facts records per bulk write. On MongoDB, 500 keeps 15,000 positions to
// 30 round trips, far under the 48 MB message limit. FerretDB v1 holds one
// SQLite connection per statement of an update command until the command
// ends, from a pool of 100: a command of 100 upserts or more deadlocks, so
// it gets factsChunkFerretDB at a time.
const (
	factsChunk         = 500
	factsChunkFerretDB = 50
)

// SaveCourseFacts upserts one facts record per course given, replacing
// what was stored for those courses.
func (db *DB) SaveCourseFacts(ctx context.Context, facts []domain.CourseFacts) error {
	keys := make([]string, len(facts))
	docs := make([]any, len(facts))
	for i, f := range facts {
		keys[i], docs[i] = f.Course, courseFactsToDoc(f)
	}
	return db.saveFacts(ctx, db.courseFacts, "course", keys, docs)
}

// SavePositionFacts upserts one facts record per position given, replacing
// what was stored for those positions.
func (db *DB) SavePositionFacts(ctx context.Context, facts []domain.PositionFacts) error {
	keys := make([]string, len(facts))
	docs := make([]any, len(facts))
	for i, f := range facts {
		keys[i], docs[i] = f.Position, positionFactsToDoc(f)
	}
	return db.saveFacts(ctx, db.positionFacts, "position", keys, docs)
}

// saveFacts stores docs, the facts documents with _id keys[i], in place of
// any stored under those keys, and counts the write. keyField names the
// key in error paths. Once it holds the write lock it runs to its end
// (see lockWrites), so that the write is counted after it landed.
//
// That is an unordered Collection.BulkWrite of upserts (not
// Client.BulkWrite: FerretDB v1 lacks it), by _id. On the embedded
// FerretDB, which Open indexed (indexIDPaths), an upsert finds its
// document through the index: about 0.5 ms each, measured with 15,000
// position facts stored (BenchmarkSaveFactsEmbedded). A FerretDB that this
// DB did not index (another process's, or a database created after it
// started) finds a document by _id with a scan of the collection, about
// 200 ms each at that size: there, saves larger than a chunk delete all
// the keys in one command (one scan) and insert the documents in bulk,
// and facts reads wait for the write lock so that they never see the
// records in between. (Delete and insert cost a scan per call, so many
// calls in a row cost many scans: 47 s for 15,000 records saved 1,000 at
// a time on the embedded server, against 8 s upserting.)
func (db *DB) saveFacts(ctx context.Context, coll *mongo.Collection, keyField string, keys []string, docs []any) error {
	seen := make(map[string]bool, len(keys))
	for i, k := range keys {
		field := fmt.Sprintf("[%d].%s", i, keyField)
		switch {
		case k == "":
			return domain.Invalid(field, "%s facts name no %s", keyField, keyField)
		case seen[k]:
			return domain.Invalid(field, "%s %s has two facts records", keyField, k)
		}
		seen[k] = true
	}
	if len(docs) == 0 {
		return nil
	}
	return db.withWriteLock(ctx, factsIntent, func(ctx context.Context) error {
		err := db.replaceFacts(ctx, coll, keys, docs)
		return errors.Join(err, db.countFactWrite(ctx))
	})
}

// replaceFacts writes docs in place of the facts documents with _id
// keys[i], as saveFacts describes. The caller holds the write lock.
func (db *DB) replaceFacts(ctx context.Context, coll *mongo.Collection, keys []string, docs []any) error {
	if db.serialized && !db.indexed && len(docs) > factsChunkFerretDB {
		return replaceByDeleteInsert(ctx, coll, keys, docs)
	}
	size := factsChunk
	if db.serialized {
		size = factsChunkFerretDB
	}
	models := make([]mongo.WriteModel, len(docs))
	for i, d := range docs {
		models[i] = mongo.NewReplaceOneModel().
			SetFilter(bson.D{{Key: "_id", Value: keys[i]}}).
			SetReplacement(d).
			SetUpsert(true)
	}
	for start := 0; start < len(models); start += size {
		chunk := models[start:min(start+size, len(models))]
		if _, err := coll.BulkWrite(ctx, chunk, options.BulkWrite().SetOrdered(false)); err != nil {
			return internal("save "+coll.Name(), err)
		}
	}
	return nil
}

// replaceByDeleteInsert deletes the documents with the given keys and
// inserts docs in chunks. The caller holds the write lock.
func replaceByDeleteInsert(ctx context.Context, coll *mongo.Collection, keys []string, docs []any) error {
	if _, err := coll.DeleteMany(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: keys}}}}); err != nil {
		return internal("replace in "+coll.Name(), err)
	}
	for start := 0; start < len(docs); start += factsChunk {
		chunk := docs[start:min(start+factsChunk, len(docs))]
		if _, err := coll.InsertMany(ctx, chunk, options.InsertMany().SetOrdered(false)); err != nil {
			return internal("save "+coll.Name(), err)
		}
	}
	return nil
}

// DeleteFacts removes the facts records of the given courses and positions.
func (db *DB) DeleteFacts(ctx context.Context, courses, positions []string) error {
	if len(courses) == 0 && len(positions) == 0 {
		return nil
	}
	return db.withWriteLock(ctx, factsIntent, func(ctx context.Context) error {
		err := db.deleteFacts(ctx, courses, positions)
		return errors.Join(err, db.countFactWrite(ctx))
	})
}

// deleteFacts deletes the facts documents of the given courses and
// positions. The caller holds the write lock.
func (db *DB) deleteFacts(ctx context.Context, courses, positions []string) error {
	for _, del := range []struct {
		coll *mongo.Collection
		keys []string
	}{{db.courseFacts, courses}, {db.positionFacts, positions}} {
		if len(del.keys) == 0 {
			continue
		}
		_, err := del.coll.DeleteMany(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: del.keys}}}})
		if err != nil {
			return internal("delete from "+del.coll.Name(), err)
		}
	}
	return nil
}

// CourseFacts returns every stored course facts record, in course order.
func (db *DB) CourseFacts(ctx context.Context) ([]domain.CourseFacts, error) {
	return readFacts(ctx, db, db.courseFacts, (*courseFactsDoc).record)
}

// PositionFacts returns every stored position facts record, in position
// order.
func (db *DB) PositionFacts(ctx context.Context) ([]domain.PositionFacts, error) {
	return readFacts(ctx, db, db.positionFacts, (*positionFactsDoc).record)
}

// readFacts returns every record of a facts collection, each document
// converted by record. On FerretDB it waits for the write lock: see
// saveFacts.
func readFacts[D, R any](ctx context.Context, db *DB, coll *mongo.Collection, record func(*D) (R, error)) ([]R, error) {
	var docs []D
	err := db.withWriteLock(ctx, noIntent, func(ctx context.Context) (err error) {
		docs, err = findRecords[D](ctx, coll, bson.D{}, 0)
		return err
	})
	if err != nil {
		return nil, err
	}
	facts := make([]R, len(docs))
	for i := range docs {
		if facts[i], err = record(&docs[i]); err != nil {
			return nil, err
		}
	}
	return facts, nil
}
