package mongodb_test

import (
	"context"
	"fmt"
	"testing"

	"cmap/engine"
	"cmap/mongodb/mongotest"
)

// samplePosition returns a valid position with every field set.
func samplePosition(id string) *engine.Position {
	return &engine.Position{
		ID:           id,
		Title:        "Security Cooperation Officer",
		Organization: "ODC Warsaw",
		Grade:        "O-4",
		Category:     "SCO",
		KeyBillet:    true,
		Region:       "EUCOM",
	}
}

func TestPositionRoundTrip(t *testing.T) {
	ctx := context.Background()
	db := mongotest.Open(t)
	p := samplePosition("POS-0001")
	if err := db.CreatePosition(ctx, p); err != nil {
		t.Fatal(err)
	}
	got, err := db.Position(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	assertEqual(t, got, p)

	got.Grade = "GS-13"
	got.KeyBillet = false
	got.Region = "INDOPACOM"
	if err := db.UpdatePosition(ctx, got); err != nil {
		t.Fatal(err)
	}
	again, err := db.Position(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	assertEqual(t, again, got)
	if again.Version != 2 {
		t.Errorf("version %d after one update", again.Version)
	}

	wantCode(t, db.CreatePosition(ctx, samplePosition(p.ID)), engine.ECONFLICT)
	wantCode(t, db.UpdatePosition(ctx, p), engine.ECONFLICT) // p still has version 1
	wantCode(t, db.DeletePosition(ctx, p.ID, 1), engine.ECONFLICT)
	bad := samplePosition("POS-0002")
	bad.Grade = "General"
	err = db.CreatePosition(ctx, bad)
	wantCode(t, err, engine.EINVALID)
	if engine.ErrorField(err) != "grade" {
		t.Errorf("invalid position: field %q", engine.ErrorField(err))
	}

	if err := db.DeletePosition(ctx, p.ID, 2); err != nil {
		t.Fatal(err)
	}
	wantCode(t, db.DeletePosition(ctx, p.ID, 2), engine.ENOTFOUND)
	_, err = db.Position(ctx, p.ID)
	wantCode(t, err, engine.ENOTFOUND)
}

func TestListPositions(t *testing.T) {
	ctx := context.Background()
	db := mongotest.Open(t)
	regions := []string{"EUCOM", "INDOPACOM", "CENTCOM"}
	for i := 1; i <= 7; i++ {
		p := samplePosition(fmt.Sprintf("POS-%04d", i))
		p.Region = regions[i%3]
		p.KeyBillet = i%2 == 0
		if i > 4 {
			p.Category, p.Organization, p.Grade = "IA", "DSCA", "GS-14"
			p.Title = "Country Program Director"
		}
		if err := db.CreatePosition(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	yes, no := true, false
	tests := []struct {
		name   string
		filter engine.PositionFilter
		want   []string
	}{
		{"all", engine.PositionFilter{}, []string{"POS-0001", "POS-0002", "POS-0003", "POS-0004", "POS-0005", "POS-0006", "POS-0007"}},
		{"organization", engine.PositionFilter{Organization: "DSCA"}, []string{"POS-0005", "POS-0006", "POS-0007"}},
		{"category", engine.PositionFilter{Category: "SCO"}, []string{"POS-0001", "POS-0002", "POS-0003", "POS-0004"}},
		{"grade", engine.PositionFilter{Grade: "GS-14"}, []string{"POS-0005", "POS-0006", "POS-0007"}},
		{"region", engine.PositionFilter{Region: "EUCOM"}, []string{"POS-0003", "POS-0006"}},
		{"key billets", engine.PositionFilter{KeyBillet: &yes}, []string{"POS-0002", "POS-0004", "POS-0006"}},
		{"not key billets", engine.PositionFilter{KeyBillet: &no, Category: "IA"}, []string{"POS-0005", "POS-0007"}},
		{"search title", engine.PositionFilter{Search: "program dir"}, []string{"POS-0005", "POS-0006", "POS-0007"}},
		{"search id", engine.PositionFilter{Search: "pos-0003"}, []string{"POS-0003"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ids := walkPages(t, func(p engine.Page) (engine.List[*engine.Position], error) {
				return db.ListPositions(ctx, tt.filter, p)
			}, func(p *engine.Position) string { return p.ID })
			assertEqual(t, ids, tt.want)
			n, err := db.CountPositions(ctx, tt.filter)
			if err != nil || n != len(tt.want) {
				t.Errorf("CountPositions = %d, %v; want %d", n, err, len(tt.want))
			}
		})
	}
	got, err := db.PositionsByID(ctx, []string{"POS-0007", "POS-0002", "NOPE"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ID != "POS-0002" || got[1].ID != "POS-0007" || got[1].Organization != "DSCA" {
		t.Errorf("PositionsByID: %+v", got)
	}
}
