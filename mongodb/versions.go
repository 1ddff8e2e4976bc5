package mongodb

import (
	"cmap/domain"
	"context"
	"crypto/rand"
	"errors"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// versionsDoc is the meta document metaDataVersion: the data version and
// its id, the count of facts writes and the facts mark (domain.Versions).
// Facts is a pointer to tell a document written before it existed.
type versionsDoc struct {
	Value     int64         `bson:"value"`
	ID        string        `bson:"id"`
	Facts     *int64        `bson:"facts"`
	FactsMark *factsMarkDoc `bson:"factsMark,omitempty"`
}

type factsMarkDoc struct {
	Revision string `bson:"revision"`
	Data     int64  `bson:"data"`
	Facts    int64  `bson:"facts"`
}

// Versions returns the data version, its id, the count of facts writes and
// the facts mark, read in one query, and reports Unsettled while the
// write lease is held (FerretDB: see the package documentation; on
// MongoDB, which needs no lease, it is always false).
func (db *DB) Versions(ctx context.Context) (domain.Versions, error) {
	cur, err := db.meta.Find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: bson.A{metaDataVersion, metaWriteLease}}}}})
	if err != nil {
		return domain.Versions{}, internal("read versions", err)
	}
	var docs []bson.Raw
	if err := cur.All(ctx, &docs); err != nil {
		return domain.Versions{}, internal("read versions", err)
	}
	var v domain.Versions
	for _, raw := range docs {
		switch id, _ := raw.Lookup("_id").StringValueOK(); id {
		case metaWriteLease:
			v.Unsettled = true
		case metaDataVersion:
			var d versionsDoc
			if err := bson.Unmarshal(raw, &d); err != nil {
				return domain.Versions{}, internal("read versions", err)
			}
			v.Data, v.DataID = d.Value, d.ID
			if d.Facts != nil {
				v.Facts = *d.Facts
			}
			if m := d.FactsMark; m != nil {
				v.FactsMark = domain.FactsMark{Revision: m.Revision, Data: m.Data, Facts: m.Facts}
			}
		}
	}
	return v, nil
}

// MarkFacts records m as the facts mark if the data version is m.Data and
// the count of facts writes m.Facts, and reports whether it did. The
// condition and the mark are one update of one document on MongoDB; on
// FerretDB, which applies a filter and the update apart, the write lock
// keeps other writers out in between.
func (db *DB) MarkFacts(ctx context.Context, m domain.FactsMark) (bool, error) {
	if m.Revision == "" {
		return false, domain.Invalid("revision", "a facts mark names the rules revision")
	}
	var marked bool
	err := db.withWriteLock(ctx, noIntent, func(ctx context.Context) error {
		res, err := db.meta.UpdateOne(ctx,
			bson.D{{Key: "_id", Value: metaDataVersion}, {Key: "value", Value: m.Data}, {Key: "facts", Value: m.Facts}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "factsMark", Value: factsMarkDoc{Revision: m.Revision, Data: m.Data, Facts: m.Facts}}}}},
		)
		if err != nil {
			return internal("mark facts", err)
		}
		marked = res.MatchedCount == 1
		return nil
	})
	return marked, err
}

// countFactWrite counts one call that wrote facts, even one that failed
// part way. The caller holds the write lock and passes its context.
func (db *DB) countFactWrite(ctx context.Context) error {
	_, err := db.meta.UpdateOne(ctx, bson.D{{Key: "_id", Value: metaDataVersion}},
		bson.D{{Key: "$inc", Value: bson.D{{Key: "facts", Value: int64(1)}}}}, options.UpdateOne().SetUpsert(true))
	if err != nil {
		return internal("count a write of facts", err)
	}
	return nil
}

// countLostWrite counts the write that the holder of a lease broken by
// this DB may have made without counting it, as its intent w says: the
// change of records, logged as its writer would have (readers read that
// record again), and the write of facts, so that no cache of the records
// and no facts mark is trusted past it. A holder that did not say (w nil)
// is counted as a write of every record (engine.ChangeMany: readers read
// everything again) and of facts. The caller holds the write lock.
func (db *DB) countLostWrite(ctx context.Context, w *writeIntent) error {
	if w == nil {
		w = &writeIntent{Kind: domain.ChangeMany, Facts: true}
	}
	if w.Kind != "" {
		if err := db.logChange(ctx, w.Kind, w.Key); err != nil {
			return err
		}
	}
	if w.Facts {
		return db.countFactWrite(ctx)
	}
	return nil
}

// initVersions gives the database its versions document if it has none,
// or the fields a document written by an older cmap lacks (a data id, the
// facts count), and breaks the write lease of the process that ran the
// embedded server before this one (it is dead: see lockFolder), counting
// its write (countLostWrite). Any other lease is left alone: Versions
// reports it as Unsettled, and the next writer breaks it if its holder
// stopped renewing it (see lease.go).
func (db *DB) initVersions(ctx context.Context) error {
	var d versionsDoc
	err := db.meta.FindOne(ctx, bson.D{{Key: "_id", Value: metaDataVersion}}).Decode(&d)
	missing := errors.Is(err, mongo.ErrNoDocuments)
	if err != nil && !missing {
		return internal("read versions", err)
	}
	dead, err := db.predecessorHoldsLease(ctx)
	if err != nil {
		return err
	}
	if !missing && d.ID != "" && d.Facts != nil && !dead {
		return nil
	}
	// Taking the lock breaks the predecessor's lease and counts the write
	// it may hide.
	return db.withWriteLock(ctx, noIntent, func(ctx context.Context) error {
		set := bson.D{}
		if missing {
			set = append(set, bson.E{Key: "value", Value: int64(0)})
		}
		if missing || d.ID == "" {
			set = append(set, bson.E{Key: "id", Value: rand.Text()})
		}
		if missing || d.Facts == nil {
			set = append(set, bson.E{Key: "facts", Value: int64(0)})
		}
		if len(set) == 0 {
			return nil
		}
		// Conditional on the fields still missing: another instance opening
		// the same database at the same moment sets them once.
		filter := bson.D{{Key: "_id", Value: metaDataVersion}}
		for _, f := range set {
			filter = append(filter, bson.E{Key: f.Key, Value: bson.D{{Key: "$exists", Value: false}}})
		}
		_, err := db.meta.UpdateOne(ctx, filter, bson.D{{Key: "$set", Value: set}}, options.UpdateOne().SetUpsert(missing))
		if err != nil && !mongo.IsDuplicateKeyError(err) {
			return internal("initialize versions", err)
		}
		return nil
	})
}

// predecessorHoldsLease reports whether the write lease is held by the
// process that ran the embedded server on this data folder before this
// one.
func (db *DB) predecessorHoldsLease(ctx context.Context) (bool, error) {
	if !db.serialized || db.predecessor == "" {
		return false, nil
	}
	var l leaseDoc
	err := db.meta.FindOne(ctx, bson.D{{Key: "_id", Value: metaWriteLease}}).Decode(&l)
	switch {
	case errors.Is(err, mongo.ErrNoDocuments):
		return false, nil
	case err != nil:
		return false, internal("read the write lease", err)
	}
	return l.Owner == db.predecessor, nil
}
