package mongodb

import (
	"cmap/domain"
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

const apiKeyKind = "API key"

// CreateAPIKey stores a new key with version 1 (ECONFLICT if its ID is
// taken) and sets k.Version. Key writes leave the data version alone.
func (db *DB) CreateAPIKey(ctx context.Context, k *domain.APIKey) error {
	if err := k.Validate(); err != nil {
		return err
	}
	d := apiKeyToDoc(k)
	d.Version = 1
	_, err := db.apiKeys.InsertOne(ctx, d)
	switch {
	case mongo.IsDuplicateKeyError(err):
		return domain.Errorf(domain.ECONFLICT, "%s %s exists", apiKeyKind, k.ID)
	case err != nil:
		return internal("insert "+apiKeyKind, err)
	}
	k.Version = d.Version
	return nil
}

// APIKey returns the key with id (ENOTFOUND if none).
func (db *DB) APIKey(ctx context.Context, id string) (*domain.APIKey, error) {
	d, err := findRecord[apiKeyDoc](ctx, db.apiKeys, apiKeyKind, id)
	if err != nil {
		return nil, err
	}
	return d.record(), nil
}

// ListAPIKeys returns every key, revoked ones too, in ID order.
func (db *DB) ListAPIKeys(ctx context.Context) ([]*domain.APIKey, error) {
	docs, err := findRecords[apiKeyDoc](ctx, db.apiKeys, bson.D{}, 0)
	return recordsOf(docs, (*apiKeyDoc).record), err
}

// UpdateAPIKey replaces the key whose stored version is k.Version
// (ECONFLICT otherwise, ENOTFOUND if none), then increments k.Version.
func (db *DB) UpdateAPIKey(ctx context.Context, k *domain.APIKey) error {
	if err := k.Validate(); err != nil {
		return err
	}
	d := apiKeyToDoc(k)
	d.Version = k.Version + 1
	err := db.withWriteLock(ctx, noIntent, func(ctx context.Context) error {
		return db.writeIfVersion(ctx, db.apiKeys, apiKeyKind, k.ID, k.Version, func(filter bson.D) (int64, error) {
			res, err := db.apiKeys.ReplaceOne(ctx, filter, d)
			if err != nil {
				return 0, err
			}
			return res.MatchedCount, nil
		})
	})
	if err != nil {
		return err
	}
	k.Version = d.Version
	return nil
}
