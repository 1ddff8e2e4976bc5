package mongodb_test

import (
	"context"
	"testing"

	"cmap/engine"
	"cmap/mongodb/mongotest"
)

func sampleFramework() *engine.Framework {
	return &engine.Framework{
		Name: "Security Cooperation",
		Competencies: []engine.Competency{
			{Code: "1.0", Title: "Security Cooperation Foundations", Description: "Purpose and authorities.",
				SubCompetencies: []engine.SubCompetency{
					{Code: "1.A", Statement: "Explains the purpose of security cooperation."},
					{Code: "1.B", Statement: "Applies the legal authorities."},
				}},
			{Code: "2.0", Title: "Planning", SubCompetencies: []engine.SubCompetency{
				{Code: "2.A", Statement: "Builds a country plan."},
			}},
		},
	}
}

func TestFramework(t *testing.T) {
	ctx := context.Background()
	db := mongotest.Open(t)
	_, err := db.Framework(ctx)
	wantCode(t, err, engine.ENOTFOUND)

	f := sampleFramework()
	if err := db.PutFramework(ctx, f); err != nil {
		t.Fatal(err)
	}
	got, err := db.Framework(ctx)
	if err != nil {
		t.Fatal(err)
	}
	assertEqual(t, got, f)

	f.Name = "Security Cooperation (2025)"
	f.Competencies = f.Competencies[:1]
	if err := db.PutFramework(ctx, f); err != nil {
		t.Fatal(err)
	}
	got, err = db.Framework(ctx)
	if err != nil {
		t.Fatal(err)
	}
	assertEqual(t, got, f)

	bad := sampleFramework()
	bad.Competencies[0].SubCompetencies[1].Code = "2.B"
	err = db.PutFramework(ctx, bad)
	wantCode(t, err, engine.EINVALID)
	if field := engine.ErrorField(err); field != "competencies[0].subCompetencies[1].code" {
		t.Errorf("invalid framework: field %q", field)
	}
}
