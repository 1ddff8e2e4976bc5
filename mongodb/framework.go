package mongodb

import (
	"cmap/domain"
	"context"
	"slices"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Revisions of the framework
//
// The document "current" of frameworks is the active revision; each
// earlier revision n is the document revisionID(n), a copy of what
// "current" held while n was active. AddFrameworkRevision first copies
// "current" to its revision document (again, harmlessly, after a crash
// there), then replaces "current" on the condition that it still holds the
// revision it copied: that one replace of one document is the atomic step,
// so a crash leaves the previous revision active or the new one, and two
// writers racing for the same number get one success and one ECONFLICT.
// FrameworkRevisions ignores a revision document whose number is not below
// the active one's (a copy left by a crash before the replace).

// Framework returns the active revision of the stored competency
// framework (ENOTFOUND if none).
func (db *DB) Framework(ctx context.Context) (*domain.Framework, error) {
	d, err := db.currentFramework(ctx)
	if err != nil {
		return nil, err
	}
	return d.record(), nil
}

// currentFramework reads the document of the active revision.
func (db *DB) currentFramework(ctx context.Context) (*frameworkDoc, error) {
	d, err := findRecord[frameworkDoc](ctx, db.frameworks, "framework", frameworkID)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return nil, domain.Errorf(domain.ENOTFOUND, "no competency framework is stored")
	}
	return d, err
}

// PutFramework validates f and replaces the model of the active revision
// with it, or stores it as revision 1 (see domain.Store).
func (db *DB) PutFramework(ctx context.Context, f *domain.Framework) error {
	if err := f.Validate(); err != nil {
		return err
	}
	return db.writeRecord(ctx, domain.ChangeFramework, "", func(ctx context.Context) error {
		cur, err := db.currentFramework(ctx)
		if err != nil && domain.ErrorCode(err) != domain.ENOTFOUND {
			return err
		}
		d := frameworkToDoc(f)
		d.UpdatedAt = now()
		d.Revision, d.Former, d.AppliedAt = 1, nil, d.UpdatedAt
		if cur != nil {
			d.Revision, d.Former, d.Crosswalk, d.AppliedAt, d.Audit = cur.number(), cur.Former, cur.Crosswalk, cur.AppliedAt, cur.Audit
		}
		if _, err := db.frameworks.ReplaceOne(ctx, bson.D{{Key: "_id", Value: frameworkID}}, d, options.Replace().SetUpsert(true)); err != nil {
			return internal("save framework", err)
		}
		return nil
	})
}

// FrameworkRevisions returns every stored revision, oldest first.
func (db *DB) FrameworkRevisions(ctx context.Context) ([]*domain.FrameworkRevision, error) {
	docs, err := findRecords[frameworkDoc](ctx, db.frameworks, bson.D{}, 0)
	if err != nil {
		return nil, err
	}
	var current *frameworkDoc
	for i := range docs {
		if docs[i].ID == frameworkID {
			current = &docs[i]
		}
	}
	if current == nil {
		return []*domain.FrameworkRevision{}, nil
	}
	out := []*domain.FrameworkRevision{}
	for i := range docs {
		if d := &docs[i]; d.ID != frameworkID && d.number() < current.number() {
			out = append(out, d.revision())
		}
	}
	slices.SortFunc(out, func(a, b *domain.FrameworkRevision) int { return a.Number() - b.Number() })
	return append(out, current.revision()), nil
}

// AddFrameworkRevision stores r as the next revision and makes it active
// (see domain.Store and the comment at the top of this file).
func (db *DB) AddFrameworkRevision(ctx context.Context, r *domain.FrameworkRevision) error {
	if err := r.Framework.Validate(); err != nil {
		return err
	}
	return db.writeRecord(ctx, domain.ChangeFramework, "", func(ctx context.Context) error {
		cur, err := db.currentFramework(ctx)
		switch {
		case domain.ErrorCode(err) == domain.ENOTFOUND && r.Number() == 1:
			d := revisionToDoc(r)
			d.AppliedAt = now()
			d.UpdatedAt = d.AppliedAt
			if _, err := db.frameworks.InsertOne(ctx, d); err != nil {
				if mongo.IsDuplicateKeyError(err) {
					return domain.Errorf(domain.ECONFLICT, "framework revision 1 exists")
				}
				return internal("save framework revision", err)
			}
			r.AppliedAt = d.AppliedAt
			return nil
		case domain.ErrorCode(err) == domain.ENOTFOUND:
			return domain.Errorf(domain.ECONFLICT, "framework revision %d cannot be the first: the next is 1", r.Number())
		case err != nil:
			return err
		case r.Number() != cur.number()+1:
			return domain.Errorf(domain.ECONFLICT, "framework revision %d cannot follow revision %d: the next is %d", r.Number(), cur.number(), cur.number()+1)
		}
		prev := *cur
		prev.ID, prev.Revision = revisionID(cur.number()), cur.number()
		if _, err := db.frameworks.ReplaceOne(ctx, bson.D{{Key: "_id", Value: prev.ID}}, prev, options.Replace().SetUpsert(true)); err != nil {
			return internal("save framework revision", err)
		}
		d := revisionToDoc(r)
		d.AppliedAt = now()
		d.UpdatedAt = d.AppliedAt
		filter := bson.D{{Key: "_id", Value: frameworkID}, {Key: "revision", Value: cur.Revision}}
		if cur.Revision == 0 {
			filter[1].Value = nil // written before revisions existed: no field
		}
		res, err := db.frameworks.ReplaceOne(ctx, filter, d)
		switch {
		case err != nil:
			return internal("save framework revision", err)
		case res.MatchedCount == 0:
			return domain.Errorf(domain.ECONFLICT, "framework revision %d was applied by someone else meanwhile", r.Number())
		}
		r.AppliedAt = d.AppliedAt
		return nil
	})
}
