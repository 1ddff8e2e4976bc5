package mongodb

import (
	"cmap/domain"
	"context"
	"slices"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// BeginAudit stores e among the pending entries (ECONFLICT if its ID is
// pending, EINVALID unless it is valid and pending).
func (db *DB) BeginAudit(ctx context.Context, e *domain.AuditEntry) error {
	if err := e.Validate(); err != nil {
		return err
	}
	if e.State != domain.AuditPending {
		return domain.Invalid("state", "a new audit entry is pending, not %s", e.State)
	}
	_, err := db.auditPending.InsertOne(ctx, auditToDoc(e))
	switch {
	case mongo.IsDuplicateKeyError(err):
		return domain.Errorf(domain.ECONFLICT, "audit entry %s exists", e.ID)
	case err != nil:
		return internal("insert pending audit entry", err)
	}
	return nil
}

// EndAudit stores e, done or failed, in the log (an upsert by ID, so that
// ending twice is harmless) and then deletes its pending entry. A failure
// between the two leaves the entry in both; PendingAudit's callers end it
// again.
func (db *DB) EndAudit(ctx context.Context, e *domain.AuditEntry) error {
	if err := e.Validate(); err != nil {
		return err
	}
	if e.State == domain.AuditPending {
		return domain.Invalid("state", "an ended audit entry is done or failed, not pending")
	}
	filter := bson.D{{Key: "_id", Value: e.ID}}
	if _, err := db.audit.ReplaceOne(ctx, filter, auditToDoc(e), options.Replace().SetUpsert(true)); err != nil {
		return internal("write audit entry", err)
	}
	if _, err := db.auditPending.DeleteOne(ctx, filter); err != nil {
		return internal("delete pending audit entry", err)
	}
	return nil
}

// PendingAudit returns the pending entries, oldest first.
func (db *DB) PendingAudit(ctx context.Context) ([]*domain.AuditEntry, error) {
	docs, err := findRecords[auditDoc](ctx, db.auditPending, bson.D{}, 0)
	entries := recordsOf(docs, (*auditDoc).record)
	slices.Reverse(entries)
	return entries, err
}

// AuditLog returns one page of the logged entries f selects, newest first.
func (db *DB) AuditLog(ctx context.Context, f domain.AuditFilter, p domain.Page) (domain.List[*domain.AuditEntry], error) {
	b := filterBuilder{}
	b.equals("kind", f.Kind)
	b.equals("key", f.Key)
	b.equals("actor", f.Actor)
	b.equals("operation", f.Operation)
	b.equals("state", string(f.State))
	b.equals("request", f.Request)
	docs, hasNext, err := listRecords[auditDoc](ctx, db.audit, bson.D(b), p)
	return domain.List[*domain.AuditEntry]{Items: recordsOf(docs, (*auditDoc).record), HasNext: hasNext}, err
}
