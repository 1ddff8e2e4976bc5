package mongodb

import (
	"cmap/domain"
	"context"
	"fmt"
	"reflect"
	"slices"
	"testing"
)

// factsOf returns the requirements of positions first to first+n-1, 16
// each: the DoD-scale size of a position's facts.
func factsOf(first, n int, revision string) []domain.PositionFacts {
	levels := []string{"Basic", "Intermediate", "Advanced", "Expert"}
	facts := make([]domain.PositionFacts, n)
	for i := range facts {
		id := fmt.Sprintf("POS-%05d", first+i)
		f := domain.PositionFacts{Position: id, Revision: revision}
		for j := range 16 {
			f.Requirements = append(f.Requirements, domain.Requirement{
				Position: id, SubCompetency: fmt.Sprintf("%d.%c", j%9+1, 'A'+j/9), Level: levels[(i+j)%4],
				Rules: []domain.RuleRef{{ID: fmt.Sprintf("rule-%d", j), File: "rules/positions.yaml", Line: 10 + j}},
			})
		}
		facts[i] = f
	}
	return facts
}

// On the embedded server, which Open indexed, saves of any size upsert:
// they replace exactly the records given and count one write each.
func TestSaveManyFactsOnTheIndexedServer(t *testing.T) {
	ctx := context.Background()
	db := openEmbedded(t)
	if !db.indexed {
		t.Fatal("the DB that owns the embedded server did not index it")
	}
	first := factsOf(0, 120, "r1")
	if err := db.SavePositionFacts(ctx, first); err != nil {
		t.Fatal(err)
	}
	second := factsOf(60, 140, "r2") // the last 60 of first, and 80 new
	if err := db.SavePositionFacts(ctx, second); err != nil {
		t.Fatal(err)
	}
	got, err := db.PositionFacts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := append(first[:60:60], second...); !reflect.DeepEqual(got, want) {
		t.Fatalf("stored %d records; want the first 60 of the first save and the 140 of the second", len(got))
	}
	if v := versionsOf(t, db); v.Facts != 2 {
		t.Errorf("two saves counted %d writes of facts", v.Facts)
	}
}

// BenchmarkSaveFactsEmbedded saves position facts on the embedded server
// with 15,000 stored: one record (an App's write), and all of them in calls
// of 1,000 (the facts keeper after new rules).
func BenchmarkSaveFactsEmbedded(b *testing.B) {
	ctx := context.Background()
	db := openEmbedded(b)
	facts := factsOf(0, 15000, "r1")
	if err := db.SavePositionFacts(ctx, facts); err != nil {
		b.Fatal(err)
	}
	b.Run("one of 15,000", func(b *testing.B) {
		for b.Loop() {
			if err := db.SavePositionFacts(ctx, facts[7000:7001]); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("15,000 in calls of 1,000", func(b *testing.B) {
		for b.Loop() {
			for batch := range slices.Chunk(facts, 1000) {
				if err := db.SavePositionFacts(ctx, batch); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}
