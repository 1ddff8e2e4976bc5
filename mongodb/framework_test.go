package mongodb

import (
	"cmap/domain"
	"context"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"cmap/storetest"
)

// A framework stored before revisions existed (no revision field) reads as
// revision 1 and can be revised; a copy of the active revision left by a
// crash before the replace is not listed as a revision of its own.
func TestFrameworkWrittenBeforeRevisions(t *testing.T) {
	ctx := context.Background()
	db := openEmbedded(t)
	legacy := frameworkToDoc(storetest.SampleFramework())
	if _, err := db.frameworks.InsertOne(ctx, legacy); err != nil {
		t.Fatal(err)
	}
	raw, err := db.frameworks.FindOne(ctx, bson.D{{Key: "_id", Value: frameworkID}}).Raw()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.LookupErr("revision"); err == nil {
		t.Fatal("the legacy document has a revision field")
	}
	fw, err := db.Framework(ctx)
	if err != nil || fw.Revision != 1 {
		t.Fatalf("Framework = revision %v, %v; want 1", fw, err)
	}

	// A crash after copying the active revision: the copy is ignored.
	crashed := legacy
	crashed.ID, crashed.Revision = revisionID(1), 1
	if _, err := db.frameworks.InsertOne(ctx, crashed); err != nil {
		t.Fatal(err)
	}
	revs, err := db.FrameworkRevisions(ctx)
	if err != nil || len(revs) != 1 || revs[0].Number() != 1 {
		t.Fatalf("FrameworkRevisions after a crashed apply = %+v, %v; want revision 1 alone", revs, err)
	}

	next := storetest.SampleFramework()
	next.Competencies[0].SubCompetencies = next.Competencies[0].SubCompetencies[:1]
	r, err := domain.Revise(fw, next, domain.Crosswalk{{Old: "1.B"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.AddFrameworkRevision(ctx, r); err != nil {
		t.Fatal(err)
	}
	revs, err = db.FrameworkRevisions(ctx)
	if err != nil || len(revs) != 2 || revs[0].Number() != 1 || revs[1].Number() != 2 {
		t.Fatalf("FrameworkRevisions = %+v, %v; want revisions 1 and 2", revs, err)
	}
	if revs[0].Framework.Name != fw.Name || len(revs[0].Framework.SubCompetencyCodes()) != len(fw.SubCompetencyCodes()) {
		t.Errorf("revision 1 reads back as %+v", revs[0].Framework)
	}
}
