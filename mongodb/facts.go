package mongodb

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"cmap/engine"
)

// Facts records per bulk write. On MongoDB, 500 keeps 15,000 positions to
// 30 round trips, far under the 48 MB message limit. FerretDB v1 holds one
// SQLite connection per statement of an update command until the command
// ends, from a pool of 100: a command of 100 upserts or more deadlocks, so
// it gets 50 at a time.
const (
	factsChunk         = 500
	factsChunkFerretDB = 50
)

// SaveCourseFacts upserts one facts record per course given, replacing
// what was stored for those courses.
func (db *DB) SaveCourseFacts(ctx context.Context, facts []engine.CourseFacts) error {
	models := make([]mongo.WriteModel, len(facts))
	for i, f := range facts {
		if f.Course == "" {
			return engine.Invalid(fmt.Sprintf("[%d].course", i), "course facts name no course")
		}
		models[i] = replaceByID(f.Course, courseFactsToDoc(f))
	}
	return db.bulkWrite(ctx, db.courseFacts, models)
}

// SavePositionFacts upserts one facts record per position given, replacing
// what was stored for those positions.
func (db *DB) SavePositionFacts(ctx context.Context, facts []engine.PositionFacts) error {
	models := make([]mongo.WriteModel, len(facts))
	for i, f := range facts {
		if f.Position == "" {
			return engine.Invalid(fmt.Sprintf("[%d].position", i), "position facts name no position")
		}
		models[i] = replaceByID(f.Position, positionFactsToDoc(f))
	}
	return db.bulkWrite(ctx, db.positionFacts, models)
}

// DeleteFacts removes the facts records of the given courses and positions.
func (db *DB) DeleteFacts(ctx context.Context, courses, positions []string) error {
	unlock, err := db.lockWrites(ctx)
	if err != nil {
		return err
	}
	defer unlock()
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
func (db *DB) CourseFacts(ctx context.Context) ([]engine.CourseFacts, error) {
	docs, err := findRecords[courseFactsDoc](ctx, db.courseFacts, bson.D{}, 0)
	if err != nil {
		return nil, err
	}
	facts := make([]engine.CourseFacts, len(docs))
	for i := range docs {
		if facts[i], err = docs[i].record(); err != nil {
			return nil, err
		}
	}
	return facts, nil
}

// PositionFacts returns every stored position facts record, in position
// order.
func (db *DB) PositionFacts(ctx context.Context) ([]engine.PositionFacts, error) {
	docs, err := findRecords[positionFactsDoc](ctx, db.positionFacts, bson.D{}, 0)
	if err != nil {
		return nil, err
	}
	facts := make([]engine.PositionFacts, len(docs))
	for i := range docs {
		if facts[i], err = docs[i].record(); err != nil {
			return nil, err
		}
	}
	return facts, nil
}

// replaceByID is an upsert of doc as the document with _id key.
func replaceByID(key string, doc any) mongo.WriteModel {
	return mongo.NewReplaceOneModel().
		SetFilter(bson.D{{Key: "_id", Value: key}}).
		SetReplacement(doc).
		SetUpsert(true)
}

// bulkWrite runs models on coll in unordered chunks.
// (Collection.BulkWrite, not Client.BulkWrite: FerretDB v1 lacks the
// latter.)
func (db *DB) bulkWrite(ctx context.Context, coll *mongo.Collection, models []mongo.WriteModel) error {
	unlock, err := db.lockWrites(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	size := factsChunk
	if db.serialized {
		size = factsChunkFerretDB
	}
	for start := 0; start < len(models); start += size {
		chunk := models[start:min(start+size, len(models))]
		if _, err := coll.BulkWrite(ctx, chunk, options.BulkWrite().SetOrdered(false)); err != nil {
			return internal("save "+coll.Name(), err)
		}
	}
	return nil
}
