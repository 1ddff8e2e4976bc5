package mongodb

import (
	"cmap/domain"
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

const courseKind = "course"

// Course returns the course with code (ENOTFOUND if none).
func (db *DB) Course(ctx context.Context, code string) (*domain.Course, error) {
	d, err := findRecord[courseDoc](ctx, db.courses, courseKind, code)
	if err != nil {
		return nil, err
	}
	return d.record(), nil
}

// CoursesByCode returns the courses with the given codes that exist, in
// code order, in one query.
func (db *DB) CoursesByCode(ctx context.Context, codes []string) ([]*domain.Course, error) {
	docs, err := findByKeys[courseDoc](ctx, db.courses, codes)
	return recordsOf(docs, (*courseDoc).record), err
}

// ListCourses returns one page of the courses f selects, in code order.
func (db *DB) ListCourses(ctx context.Context, f domain.CourseFilter, p domain.Page) (domain.List[*domain.Course], error) {
	docs, hasNext, err := listRecords[courseDoc](ctx, db.courses, courseFilter(f), p)
	return domain.List[*domain.Course]{Items: recordsOf(docs, (*courseDoc).record), HasNext: hasNext}, err
}

// CountCourses counts the courses f selects.
func (db *DB) CountCourses(ctx context.Context, f domain.CourseFilter) (int, error) {
	return countRecords(ctx, db.courses, courseFilter(f))
}

// CreateCourse stores a new course with version 1 (ECONFLICT if the code is
// taken) and sets c.Version and c.UpdatedAt.
func (db *DB) CreateCourse(ctx context.Context, c *domain.Course) error {
	if err := c.Validate(); err != nil {
		return err
	}
	d := courseToDoc(c)
	d.Version, d.UpdatedAt = 1, now()
	if err := db.insertRecord(ctx, db.courses, courseKind, c.Code, d); err != nil {
		return err
	}
	c.Version, c.UpdatedAt = d.Version, d.UpdatedAt
	return nil
}

// CreateCourses stores new courses in bulk (see domain.Store's bulk
// creates and createAll) and sets their Version and UpdatedAt.
func (db *DB) CreateCourses(ctx context.Context, cs []*domain.Course) error {
	return createAll(ctx, db, bulkKind[domain.Course, courseDoc]{
		coll: db.courses, kind: courseKind, keyField: "code",
		key:      func(c *domain.Course) string { return c.Code },
		validate: (*domain.Course).Validate,
		doc:      func(c *domain.Course) courseDoc { return courseToDoc(c) },
		stamp:    func(c *domain.Course) (*int64, *time.Time) { return &c.Version, &c.UpdatedAt },
	}, cs)
}

// UpdateCourse replaces the course whose stored version is c.Version
// (ECONFLICT otherwise, ENOTFOUND if there is none), then increments
// c.Version and sets c.UpdatedAt.
func (db *DB) UpdateCourse(ctx context.Context, c *domain.Course) error {
	if err := c.Validate(); err != nil {
		return err
	}
	d := courseToDoc(c)
	d.Version, d.UpdatedAt = c.Version+1, now()
	if err := db.replaceRecord(ctx, db.courses, courseKind, c.Code, c.Version, d); err != nil {
		return err
	}
	c.Version, c.UpdatedAt = d.Version, d.UpdatedAt
	return nil
}

// DeleteCourse deletes the course if its stored version is version.
func (db *DB) DeleteCourse(ctx context.Context, code string, version int64) error {
	return db.deleteRecord(ctx, db.courses, courseKind, code, version)
}

func courseFilter(f domain.CourseFilter) bson.D {
	b := filterBuilder{}
	b.equals("status", f.Status)
	b.equals("provider", f.Provider)
	b.equals("prerequisites", f.Requires) // matches an element of the array
	b.search(f.Search, "_id", "title")
	return bson.D(b)
}
