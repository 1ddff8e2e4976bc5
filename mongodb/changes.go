package mongodb

import (
	"cmap/domain"
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// changeDoc is one entry of the change log.
type changeDoc struct {
	ID      string    `bson:"_id"` // changeID(Version)
	Version int64     `bson:"version"`
	Kind    string    `bson:"kind"`
	Key     string    `bson:"key,omitempty"`
	DataID  string    `bson:"dataId,omitempty"` // the data id drawn with Version
	At      time.Time `bson:"at"`
}

func (d *changeDoc) record() domain.Change {
	return domain.Change{Version: d.Version, Kind: domain.ChangeKind(d.Kind), Key: d.Key, DataID: d.DataID}
}

// changeID returns the _id of the change log entry of version v: v in 19
// digits, the most an int64 has, so that the byte order of the ids is the
// order of the versions.
func changeID(v int64) string { return fmt.Sprintf("%019d", v) }

// logChange increments the data version and logs the write of the record
// of kind with key under the new version. The same bulk write prunes the
// entry that falls out of the log. The caller holds the write lock and has
// written the record.
func (db *DB) logChange(ctx context.Context, kind domain.ChangeKind, key string) error {
	v, id, err := db.bumpDataVersion(ctx)
	if err != nil {
		return err
	}
	models := []mongo.WriteModel{mongo.NewInsertOneModel().SetDocument(
		changeDoc{ID: changeID(v), Version: v, Kind: string(kind), Key: key, DataID: id, At: now()})}
	// The entry of version v-keep falls out of the log now: delete it by
	// _id, and every keep versions every entry up to it (a scan on
	// FerretDB), leftovers of writes that died before they pruned.
	switch keep := db.changeLogLength; {
	case v <= keep:
	case v%keep == 0:
		models = append(models, mongo.NewDeleteManyModel().SetFilter(
			bson.D{{Key: "_id", Value: bson.D{{Key: "$lte", Value: changeID(v - keep)}}}}))
	default:
		models = append(models, mongo.NewDeleteOneModel().SetFilter(bson.D{{Key: "_id", Value: changeID(v - keep)}}))
	}
	if _, err := db.changes.BulkWrite(ctx, models); err != nil {
		return internal(fmt.Sprintf("log the change of %s %s at version %d", kind, key, v), err)
	}
	return nil
}

// Changes returns the change log entries of the versions after after up
// to through, in version order, stopping before the first missing one
// (EINVALID for a bad range, ENOTFOUND when version after+1 was pruned).
func (db *DB) Changes(ctx context.Context, after, through int64) ([]domain.Change, error) {
	if err := domain.CheckChangeRange(after, through); err != nil {
		return nil, err
	}
	var out []domain.Change
	if db.changesByID {
		for v := after + 1; v <= through; v++ {
			d, err := findRecord[changeDoc](ctx, db.changes, "change", changeID(v))
			if domain.ErrorCode(err) == domain.ENOTFOUND {
				break
			}
			if err != nil {
				return nil, err
			}
			out = append(out, d.record())
		}
	} else {
		docs, err := findRecords[changeDoc](ctx, db.changes, bson.D{{Key: "_id", Value: bson.D{
			{Key: "$gt", Value: changeID(after)}, {Key: "$lte", Value: changeID(through)},
		}}}, 0)
		if err != nil {
			return nil, err
		}
		for i := range docs {
			if docs[i].Version != after+1+int64(i) {
				break
			}
			out = append(out, docs[i].record())
		}
	}
	if len(out) == 0 && through > after {
		v, err := db.DataVersion(ctx)
		if err != nil {
			return nil, err
		}
		return nil, domain.ChangesPruned(after, v, db.changeLogLength)
	}
	return out, nil
}

// WatchChanges opens a change stream on the change log and wakes the
// receiver of the channel after each entry inserted. It fails with
// EINTERNAL where there are no change streams: FerretDB, a MongoDB server
// that is not a replica set.
func (db *DB) WatchChanges(ctx context.Context) (<-chan struct{}, error) {
	inserts := mongo.Pipeline{{{Key: "$match", Value: bson.D{{Key: "operationType", Value: "insert"}}}}}
	stream, err := db.changes.Watch(ctx, inserts)
	if err != nil {
		return nil, internal("watch the change log (change streams need a MongoDB replica set)", err)
	}
	ch := make(chan struct{}, 1)
	go func() {
		defer close(ch)
		defer stream.Close(context.WithoutCancel(ctx))
		// Next resumes the stream after the errors MongoDB calls
		// resumable (a new primary, say) and returns false for good.
		for stream.Next(ctx) {
			select {
			case ch <- struct{}{}:
			default: // a wake-up is pending already
			}
		}
	}()
	return ch, nil
}
