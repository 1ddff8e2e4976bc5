package mongodb

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"cmap/engine"
)

// Framework returns the stored competency framework (ENOTFOUND if none).
func (db *DB) Framework(ctx context.Context) (*engine.Framework, error) {
	d, err := findRecord[frameworkDoc](ctx, db.frameworks, "framework", frameworkID)
	if engine.ErrorCode(err) == engine.ENOTFOUND {
		return nil, engine.Errorf(engine.ENOTFOUND, "no competency framework is stored")
	}
	if err != nil {
		return nil, err
	}
	return d.record(), nil
}

// PutFramework validates f and replaces the stored framework with it.
func (db *DB) PutFramework(ctx context.Context, f *engine.Framework) error {
	if err := f.Validate(); err != nil {
		return err
	}
	d := frameworkToDoc(f)
	d.UpdatedAt = now()
	return db.writeRecord(ctx, engine.ChangeFramework, "", func(ctx context.Context) error {
		_, err := db.frameworks.ReplaceOne(ctx, bson.D{{Key: "_id", Value: frameworkID}}, d, options.Replace().SetUpsert(true))
		if err != nil {
			return internal("save framework", err)
		}
		return nil
	})
}
