package mongodb

import (
	"cmap/domain"
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

const personKind = "person"

// Person returns the person with id (ENOTFOUND if none).
func (db *DB) Person(ctx context.Context, id string) (*domain.Person, error) {
	d, err := findRecord[personDoc](ctx, db.people, personKind, id)
	if err != nil {
		return nil, err
	}
	return d.record(), nil
}

// PeopleByID returns the people with the given ids that exist, in id order,
// in one query.
func (db *DB) PeopleByID(ctx context.Context, ids []string) ([]*domain.Person, error) {
	docs, err := findByKeys[personDoc](ctx, db.people, ids)
	return recordsOf(docs, (*personDoc).record), err
}

// ListPeople returns one page of the people f selects, in id order.
func (db *DB) ListPeople(ctx context.Context, f domain.PersonFilter, p domain.Page) (domain.List[*domain.Person], error) {
	docs, hasNext, err := listRecords[personDoc](ctx, db.people, personFilter(f), p)
	return domain.List[*domain.Person]{Items: recordsOf(docs, (*personDoc).record), HasNext: hasNext}, err
}

// CountPeople counts the people f selects.
func (db *DB) CountPeople(ctx context.Context, f domain.PersonFilter) (int, error) {
	return countRecords(ctx, db.people, personFilter(f))
}

// CreatePerson stores a new person with version 1 (ECONFLICT if the id is
// taken) and sets p.Version and p.UpdatedAt.
func (db *DB) CreatePerson(ctx context.Context, p *domain.Person) error {
	if err := p.Validate(); err != nil {
		return err
	}
	d := personToDoc(p)
	d.Version, d.UpdatedAt = 1, now()
	if err := db.insertRecord(ctx, db.people, personKind, p.ID, d); err != nil {
		return err
	}
	p.Version, p.UpdatedAt = d.Version, d.UpdatedAt
	return nil
}

// CreatePeople stores new people in bulk (see domain.Store's bulk
// creates and createAll) and sets their Version and UpdatedAt.
func (db *DB) CreatePeople(ctx context.Context, ps []*domain.Person) error {
	return createAll(ctx, db, bulkKind[domain.Person, personDoc]{
		coll: db.people, kind: personKind, keyField: "id",
		key:      func(p *domain.Person) string { return p.ID },
		validate: (*domain.Person).Validate,
		doc:      func(p *domain.Person) personDoc { return personToDoc(p) },
		stamp:    func(p *domain.Person) (*int64, *time.Time) { return &p.Version, &p.UpdatedAt },
	}, ps)
}

// UpdatePerson replaces the person whose stored version is p.Version
// (ECONFLICT otherwise, ENOTFOUND if there is none), then increments
// p.Version and sets p.UpdatedAt.
func (db *DB) UpdatePerson(ctx context.Context, p *domain.Person) error {
	if err := p.Validate(); err != nil {
		return err
	}
	d := personToDoc(p)
	d.Version, d.UpdatedAt = p.Version+1, now()
	if err := db.replaceRecord(ctx, db.people, personKind, p.ID, p.Version, d); err != nil {
		return err
	}
	p.Version, p.UpdatedAt = d.Version, d.UpdatedAt
	return nil
}

// DeletePerson deletes the person if its stored version is version.
func (db *DB) DeletePerson(ctx context.Context, id string, version int64) error {
	return db.deleteRecord(ctx, db.people, personKind, id, version)
}

// RecordCompletion appends c to the completions of person personID in one
// atomic update, increments the person's version and returns the person as
// stored (ENOTFOUND if there is none, EINVALID if c is not valid).
func (db *DB) RecordCompletion(ctx context.Context, personID string, c domain.Completion) (*domain.Person, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	var d personDoc
	err := db.writeRecord(ctx, domain.ChangePerson, personID, func(ctx context.Context) error {
		err := db.people.FindOneAndUpdate(ctx,
			bson.D{{Key: "_id", Value: personID}},
			bson.D{
				{Key: "$push", Value: bson.D{{Key: "completions", Value: completionToDoc(c)}}},
				{Key: "$inc", Value: bson.D{{Key: "version", Value: int64(1)}}},
				{Key: "$set", Value: bson.D{{Key: "updatedAt", Value: now()}, {Key: "audit", Value: ""}}},
			},
			options.FindOneAndUpdate().SetReturnDocument(options.After),
		).Decode(&d)
		switch {
		case errors.Is(err, mongo.ErrNoDocuments):
			return domain.NotFound(personKind, personID)
		case err != nil:
			return internal("record completion", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return d.record(), nil
}

func personFilter(f domain.PersonFilter) bson.D {
	b := filterBuilder{}
	b.equals("positionId", f.PositionID)
	b.in("positionId", f.PositionIDs)
	b.search(f.Search, "_id", "name")
	return bson.D(b)
}
