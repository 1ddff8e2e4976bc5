package storetest

import (
	"cmap/domain"
	"fmt"
	"slices"
	"strings"
	"testing"
)

func testPositionRoundTrip(t *testing.T, s domain.Store) {
	ctx := t.Context()
	p := SamplePosition("POS-0001")
	must(t, s.CreatePosition(ctx, p))
	if p.Version != 1 || p.UpdatedAt.IsZero() {
		t.Errorf("after create: version %d, updatedAt %v", p.Version, p.UpdatedAt)
	}
	got, err := s.Position(ctx, p.ID)
	must(t, err)
	assertEqual(t, got, p)

	got.Grade = "GS-13"
	got.KeyBillet = false
	got.Region = "INDOPACOM"
	must(t, s.UpdatePosition(ctx, got))
	again, err := s.Position(ctx, p.ID)
	must(t, err)
	assertEqual(t, again, got)
	if again.Version != 2 {
		t.Errorf("version %d after one update", again.Version)
	}

	wantCode(t, s.CreatePosition(ctx, SamplePosition(p.ID)), domain.ECONFLICT)
	wantCode(t, s.UpdatePosition(ctx, p), domain.ECONFLICT) // p still has version 1
	wantCode(t, s.DeletePosition(ctx, p.ID, 1), domain.ECONFLICT)
	missing := SamplePosition("POS-0404")
	missing.Version = 1
	wantCode(t, s.UpdatePosition(ctx, missing), domain.ENOTFOUND)
	bad := SamplePosition("POS-0002")
	bad.Grade = "General"
	err = s.CreatePosition(ctx, bad)
	wantCode(t, err, domain.EINVALID)
	wantField(t, err, "grade")
	bad = SamplePosition(p.ID)
	bad.Version = 2
	bad.Title = ""
	err = s.UpdatePosition(ctx, bad)
	wantCode(t, err, domain.EINVALID)
	wantField(t, err, "title")

	must(t, s.DeletePosition(ctx, p.ID, 2))
	wantCode(t, s.DeletePosition(ctx, p.ID, 2), domain.ENOTFOUND)
	_, err = s.Position(ctx, p.ID)
	wantCode(t, err, domain.ENOTFOUND)
}

func testListPositions(t *testing.T, s domain.Store) {
	ctx := t.Context()
	regions := []string{"EUCOM", "INDOPACOM", "CENTCOM"}
	for _, i := range []int{3, 7, 1, 5, 2, 6, 4} {
		p := SamplePosition(fmt.Sprintf("POS-%04d", i))
		p.Region = regions[i%3]
		p.KeyBillet = i%2 == 0
		if i > 4 {
			p.Category, p.Organization, p.Grade = "IA", "DSCA", "GS-14"
			p.Title = "Country Program Director"
		}
		must(t, s.CreatePosition(ctx, p))
	}
	yes, no := true, false
	tests := []struct {
		name   string
		filter domain.PositionFilter
		want   []string
	}{
		{"all", domain.PositionFilter{}, []string{"POS-0001", "POS-0002", "POS-0003", "POS-0004", "POS-0005", "POS-0006", "POS-0007"}},
		{"organization", domain.PositionFilter{Organization: "DSCA"}, []string{"POS-0005", "POS-0006", "POS-0007"}},
		{"category", domain.PositionFilter{Category: "SCO"}, []string{"POS-0001", "POS-0002", "POS-0003", "POS-0004"}},
		{"grade", domain.PositionFilter{Grade: "GS-14"}, []string{"POS-0005", "POS-0006", "POS-0007"}},
		{"region", domain.PositionFilter{Region: "EUCOM"}, []string{"POS-0003", "POS-0006"}},
		{"key billets", domain.PositionFilter{KeyBillet: &yes}, []string{"POS-0002", "POS-0004", "POS-0006"}},
		{"not key billets", domain.PositionFilter{KeyBillet: &no, Category: "IA"}, []string{"POS-0005", "POS-0007"}},
		{"search title", domain.PositionFilter{Search: "program dir"}, []string{"POS-0005", "POS-0006", "POS-0007"}},
		{"search id", domain.PositionFilter{Search: "pos-0003"}, []string{"POS-0003"}},
		{"nothing", domain.PositionFilter{Region: "SOUTHCOM"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ids := walkPages(t, func(p domain.Page) (domain.List[*domain.Position], error) {
				return s.ListPositions(ctx, tt.filter, p)
			}, positionID)
			assertEqual(t, ids, tt.want)
			n, err := s.CountPositions(ctx, tt.filter)
			if err != nil || n != len(tt.want) {
				t.Errorf("CountPositions = %d, %v; want %d", n, err, len(tt.want))
			}
		})
	}
	_, err := s.ListPositions(ctx, domain.PositionFilter{}, domain.Page{First: -1})
	wantCode(t, err, domain.EINVALID)

	got, err := s.PositionsByID(ctx, []string{"POS-0007", "POS-0002", "NOPE"})
	must(t, err)
	slices.SortFunc(got, func(a, b *domain.Position) int { return strings.Compare(a.ID, b.ID) })
	assertEqual(t, keysOf(got, positionID), []string{"POS-0002", "POS-0007"})
	stored, err := s.Position(ctx, "POS-0007")
	must(t, err)
	assertEqual(t, got[1], stored)
	none, err := s.PositionsByID(ctx, nil)
	if err != nil || len(none) != 0 {
		t.Errorf("PositionsByID(nil) = %v, %v", none, err)
	}
}
