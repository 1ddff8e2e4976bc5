package mongodb

import (
	"cmap/domain"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestOversizedRecordsReadBack: records written before the size limits
// existed (fifty courses with a title of a megabyte, as the API once let
// through) are still listed, so that a database holding them still
// starts. FerretDB sends a whole default batch in one reply, and a reply
// over 48 MB failed every list.
func TestOversizedRecordsReadBack(t *testing.T) {
	t.Parallel()
	db := openEmbedded(t)
	ctx := context.Background()
	title := strings.Repeat("x", 1<<20)
	for i := range 50 {
		doc := courseToDoc(&domain.Course{Code: fmt.Sprintf("BIG-%03d", i), Title: title,
			DeliveryMode: domain.DeliveryOnline, Status: domain.CourseActive, Version: 1, UpdatedAt: time.Unix(0, 0).UTC()})
		if _, err := db.courses.InsertOne(ctx, doc); err != nil {
			t.Fatal(err)
		}
	}
	list, err := db.ListCourses(ctx, domain.CourseFilter{}, domain.Page{})
	if err != nil {
		t.Fatalf("listing: %v", err)
	}
	if len(list.Items) != 50 || list.Items[49].Title != title {
		t.Errorf("listed %d courses, want the 50 stored whole", len(list.Items))
	}
}
