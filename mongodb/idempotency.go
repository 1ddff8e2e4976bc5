package mongodb

import (
	"cmap/domain"
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// The records of idempotent requests (domain.IdempotencyRecord) are in
// the collection idempotency, one document per principal and key, keyed
// by the record's ID (a hash: the key itself is not stored). FerretDB v1
// has no TTL indexes, so a record holds the time it expires at: cmap
// treats an expired record as absent when it reads it, and
// PruneIdempotency deletes expired ones now and then (on FerretDB by a
// scan of the collection, under the write lock; on MongoDB through the
// index on expires).

const (
	idempotencyCollection = "idempotency"
	idempotencyKind       = "idempotent request"
)

type idempotencyDoc struct {
	ID          string    `bson:"_id"`
	Principal   string    `bson:"principal"`
	Fingerprint string    `bson:"fingerprint"`
	Attempt     string    `bson:"attempt"`
	State       string    `bson:"state"`
	Response    []byte    `bson:"response,omitempty"`
	Entries     []string  `bson:"entries,omitempty"`
	Started     time.Time `bson:"started"`
	Expires     time.Time `bson:"expires"`
	Version     int64     `bson:"version"`
}

func idempotencyToDoc(r *domain.IdempotencyRecord) idempotencyDoc {
	return idempotencyDoc{
		ID: r.ID, Principal: r.Principal, Fingerprint: r.Fingerprint, Attempt: r.Attempt, State: string(r.State),
		Response: r.Response, Entries: r.Entries, Started: r.Started, Expires: r.Expires, Version: r.Version,
	}
}

func (d *idempotencyDoc) record() *domain.IdempotencyRecord {
	return &domain.IdempotencyRecord{
		ID: d.ID, Principal: d.Principal, Fingerprint: d.Fingerprint, Attempt: d.Attempt, State: domain.IdempotencyState(d.State),
		Response: d.Response, Entries: d.Entries, Started: d.Started.UTC(), Expires: d.Expires.UTC(), Version: d.Version,
	}
}

// indexIdempotency creates the index PruneIdempotency uses on MongoDB.
func (db *DB) indexIdempotency(ctx context.Context) error {
	_, err := db.idempotency.Indexes().CreateOne(ctx, mongo.IndexModel{
		Keys:    bson.D{{Key: "expires", Value: 1}},
		Options: options.Index().SetName("expires"),
	})
	if err != nil {
		return fmt.Errorf("mongodb: creating index %s.expires: %w", idempotencyCollection, err)
	}
	return nil
}

// CreateIdempotency stores a new record with version 1 (ECONFLICT if its
// ID is taken) and sets r.Version.
func (db *DB) CreateIdempotency(ctx context.Context, r *domain.IdempotencyRecord) error {
	if err := r.Validate(); err != nil {
		return err
	}
	d := idempotencyToDoc(r)
	d.Version = 1
	_, err := db.idempotency.InsertOne(ctx, d)
	switch {
	case mongo.IsDuplicateKeyError(err):
		return domain.Errorf(domain.ECONFLICT, "%s %s exists", idempotencyKind, r.ID)
	case err != nil:
		return internal("insert "+idempotencyKind, err)
	}
	r.Version = d.Version
	return nil
}

// Idempotency returns the record with id (ENOTFOUND if none).
func (db *DB) Idempotency(ctx context.Context, id string) (*domain.IdempotencyRecord, error) {
	d, err := findRecord[idempotencyDoc](ctx, db.idempotency, idempotencyKind, id)
	if err != nil {
		return nil, err
	}
	return d.record(), nil
}

// UpdateIdempotency replaces the record whose stored version is r.Version
// (ECONFLICT otherwise, ENOTFOUND if none), then increments r.Version.
func (db *DB) UpdateIdempotency(ctx context.Context, r *domain.IdempotencyRecord) error {
	if err := r.Validate(); err != nil {
		return err
	}
	d := idempotencyToDoc(r)
	d.Version = r.Version + 1
	coll := db.idempotency
	err := db.withWriteLock(ctx, noIntent, func(ctx context.Context) error {
		return db.writeIfVersion(ctx, coll, idempotencyKind, r.ID, r.Version, func(filter bson.D) (int64, error) {
			res, err := coll.ReplaceOne(ctx, filter, d)
			if err != nil {
				return 0, err
			}
			return res.MatchedCount, nil
		})
	})
	if err != nil {
		return err
	}
	r.Version = d.Version
	return nil
}

// PruneIdempotency deletes the records that expired at or before t. On
// FerretDB it holds the write lock, since FerretDB reads what a filter
// matches before it deletes, and a record renewed in between would go.
func (db *DB) PruneIdempotency(ctx context.Context, t time.Time) (int, error) {
	var deleted int
	err := db.withWriteLock(ctx, noIntent, func(ctx context.Context) error {
		res, err := db.idempotency.DeleteMany(ctx, bson.D{{Key: "expires", Value: bson.D{{Key: "$lte", Value: t}}}})
		if err != nil {
			return internal("delete expired "+idempotencyKind+"s", err)
		}
		deleted = int(res.DeletedCount)
		return nil
	})
	return deleted, err
}
