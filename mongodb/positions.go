package mongodb

import (
	"cmap/domain"
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

const positionKind = "position"

// Position returns the position with id (ENOTFOUND if none).
func (db *DB) Position(ctx context.Context, id string) (*domain.Position, error) {
	d, err := findRecord[positionDoc](ctx, db.positions, positionKind, id)
	if err != nil {
		return nil, err
	}
	return d.record(), nil
}

// PositionsByID returns the positions with the given ids that exist, in id
// order, in one query.
func (db *DB) PositionsByID(ctx context.Context, ids []string) ([]*domain.Position, error) {
	docs, err := findByKeys[positionDoc](ctx, db.positions, ids)
	return recordsOf(docs, (*positionDoc).record), err
}

// ListPositions returns one page of the positions f selects, in id order.
func (db *DB) ListPositions(ctx context.Context, f domain.PositionFilter, p domain.Page) (domain.List[*domain.Position], error) {
	docs, hasNext, err := listRecords[positionDoc](ctx, db.positions, positionFilter(f), p)
	return domain.List[*domain.Position]{Items: recordsOf(docs, (*positionDoc).record), HasNext: hasNext}, err
}

// CountPositions counts the positions f selects.
func (db *DB) CountPositions(ctx context.Context, f domain.PositionFilter) (int, error) {
	return countRecords(ctx, db.positions, positionFilter(f))
}

// CreatePosition stores a new position with version 1 (ECONFLICT if the id
// is taken) and sets p.Version and p.UpdatedAt.
func (db *DB) CreatePosition(ctx context.Context, p *domain.Position) error {
	if err := p.Validate(); err != nil {
		return err
	}
	d := positionToDoc(p)
	d.Version, d.UpdatedAt = 1, now()
	if err := db.insertRecord(ctx, db.positions, positionKind, p.ID, d); err != nil {
		return err
	}
	p.Version, p.UpdatedAt = d.Version, d.UpdatedAt
	return nil
}

// CreatePositions stores new positions in bulk (see domain.Store's bulk
// creates and createAll) and sets their Version and UpdatedAt.
func (db *DB) CreatePositions(ctx context.Context, ps []*domain.Position) error {
	return createAll(ctx, db, bulkKind[domain.Position, positionDoc]{
		coll: db.positions, kind: positionKind, keyField: "id",
		key:      func(p *domain.Position) string { return p.ID },
		validate: (*domain.Position).Validate,
		doc:      func(p *domain.Position) positionDoc { return positionToDoc(p) },
		stamp:    func(p *domain.Position) (*int64, *time.Time) { return &p.Version, &p.UpdatedAt },
	}, ps)
}

// UpdatePosition replaces the position whose stored version is p.Version
// (ECONFLICT otherwise, ENOTFOUND if there is none), then increments
// p.Version and sets p.UpdatedAt.
func (db *DB) UpdatePosition(ctx context.Context, p *domain.Position) error {
	if err := p.Validate(); err != nil {
		return err
	}
	d := positionToDoc(p)
	d.Version, d.UpdatedAt = p.Version+1, now()
	if err := db.replaceRecord(ctx, db.positions, positionKind, p.ID, p.Version, d); err != nil {
		return err
	}
	p.Version, p.UpdatedAt = d.Version, d.UpdatedAt
	return nil
}

// DeletePosition deletes the position if its stored version is version.
func (db *DB) DeletePosition(ctx context.Context, id string, version int64) error {
	return db.deleteRecord(ctx, db.positions, positionKind, id, version)
}

func positionFilter(f domain.PositionFilter) bson.D {
	b := filterBuilder{}
	b.equals("organization", f.Organization)
	b.equals("category", f.Category)
	b.equals("grade", f.Grade)
	b.equals("region", f.Region)
	if f.KeyBillet != nil {
		b = append(b, bson.E{Key: "keyBillet", Value: *f.KeyBillet})
	}
	b.search(f.Search, "_id", "title")
	return bson.D(b)
}
