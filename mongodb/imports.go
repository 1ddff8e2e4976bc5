package mongodb

import (
	"cmap/domain"
	"context"
	"encoding/json"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// An import journal is stored as chunks of importChunk ops in import_ops
// ("<id>/<n>", the ops as one JSON string: a few large documents write
// and read far faster on FerretDB than one per op), then a header in
// imports naming how many chunks there are. The header is the commit
// point: one document, written last.

// importChunk is how many ops one import_ops document holds.
const importChunk = 500

// importDoc is the header of a committed journal.
type importDoc struct {
	ID     string    `bson:"_id"`
	Time   time.Time `bson:"time"`
	Chunks int       `bson:"chunks"`
}

// importOpsDoc is one chunk of a journal's ops.
type importOpsDoc struct {
	ID      string `bson:"_id"`
	Journal string `bson:"journal"`
	Ops     string `bson:"ops"`
}

func chunkID(journal string, n int) string { return fmt.Sprintf("%s/%d", journal, n) }

// WriteImport stores j's ops, then its header (ECONFLICT if a journal with
// its ID is committed).
func (db *DB) WriteImport(ctx context.Context, j *domain.ImportJournal) error {
	if err := j.Validate(); err != nil {
		return err
	}
	n, err := db.imports.CountDocuments(ctx, bson.D{{Key: "_id", Value: j.ID}})
	if err != nil {
		return internal("find import journal", err)
	}
	if n > 0 {
		return domain.Errorf(domain.ECONFLICT, "import journal %s exists", j.ID)
	}
	// Chunks a cut-off earlier attempt left are replaced.
	if _, err := db.importOps.DeleteMany(ctx, bson.D{{Key: "journal", Value: j.ID}}); err != nil {
		return internal("delete import ops", err)
	}
	var docs []any
	for i := 0; i < len(j.Ops); i += importChunk {
		data, err := json.Marshal(j.Ops[i:min(i+importChunk, len(j.Ops))])
		if err != nil {
			return domain.Errorf(domain.EINTERNAL, "encoding import journal %s: %v", j.ID, err)
		}
		docs = append(docs, importOpsDoc{ID: chunkID(j.ID, len(docs)), Journal: j.ID, Ops: string(data)})
	}
	for i := 0; i < len(docs); i += recordsChunk {
		if _, err := db.importOps.InsertMany(ctx, docs[i:min(i+recordsChunk, len(docs))], options.InsertMany().SetOrdered(true)); err != nil {
			return internal("insert import ops", err)
		}
	}
	_, err = db.imports.InsertOne(ctx, importDoc{ID: j.ID, Time: j.Time.UTC(), Chunks: len(docs)})
	switch {
	case mongo.IsDuplicateKeyError(err):
		return domain.Errorf(domain.ECONFLICT, "import journal %s exists", j.ID)
	case err != nil:
		return internal("insert import journal", err)
	}
	return nil
}

// Imports returns the committed journals with their ops, oldest first.
func (db *DB) Imports(ctx context.Context) ([]*domain.ImportJournal, error) {
	cur, err := db.imports.Find(ctx, bson.D{}, options.Find().SetSort(bson.D{{Key: "time", Value: 1}, {Key: "_id", Value: 1}}))
	if err != nil {
		return nil, internal("find import journals", err)
	}
	var heads []importDoc
	if err := cur.All(ctx, &heads); err != nil {
		return nil, internal("read import journals", err)
	}
	out := make([]*domain.ImportJournal, 0, len(heads))
	for _, h := range heads {
		j := &domain.ImportJournal{ID: h.ID, Time: h.Time.UTC()}
		for n := range h.Chunks {
			// One lone _id lookup per chunk: the query FerretDB runs in SQL.
			var d importOpsDoc
			if err := db.importOps.FindOne(ctx, bson.D{{Key: "_id", Value: chunkID(h.ID, n)}}).Decode(&d); err != nil {
				return nil, internal("read import ops", err)
			}
			var ops []domain.ImportOp
			if err := json.Unmarshal([]byte(d.Ops), &ops); err != nil {
				return nil, domain.Errorf(domain.EINTERNAL, "decoding import journal %s: %v", h.ID, err)
			}
			j.Ops = append(j.Ops, ops...)
		}
		out = append(out, j)
	}
	return out, nil
}

// DeleteImport removes the journal's header, then its ops.
func (db *DB) DeleteImport(ctx context.Context, id string) error {
	if _, err := db.imports.DeleteOne(ctx, bson.D{{Key: "_id", Value: id}}); err != nil {
		return internal("delete import journal", err)
	}
	if _, err := db.importOps.DeleteMany(ctx, bson.D{{Key: "journal", Value: id}}); err != nil {
		return internal("delete import ops", err)
	}
	return nil
}
