package storetest

import (
	"cmap/domain"
	"fmt"
	"testing"
	"time"
)

// testImportJournals checks that a journal reads back whole (ops of every
// kind, more than one chunk of them), that Imports orders journals oldest
// first, that an ID is stored once, that journal writes leave the data
// version alone, and that DeleteImport removes one journal and is a no-op
// after.
func testImportJournals(t *testing.T, s domain.Store) {
	ctx := t.Context()
	before, err := s.DataVersion(ctx)
	must(t, err)
	got, err := s.Imports(ctx)
	must(t, err)
	if len(got) != 0 {
		t.Fatalf("a new store holds %d journals", len(got))
	}

	at := time.Date(2026, time.May, 4, 10, 0, 0, 0, time.UTC)
	big := &domain.ImportJournal{ID: "j-2", Time: at}
	for i := range 1203 {
		p := SamplePerson(fmt.Sprintf("P-%05d", i))
		p.Version, p.UpdatedAt = 0, time.Time{}
		big.Ops = append(big.Ops, domain.ImportOp{Op: domain.OpCreate, Person: p})
	}
	c := SampleCourse("SCO-201")
	c.Version, c.UpdatedAt = 0, time.Time{}
	pos := SamplePosition("POS-0001")
	pos.Version, pos.UpdatedAt = 0, time.Time{}
	small := &domain.ImportJournal{ID: "j-1", Time: at.Add(-time.Hour), Ops: []domain.ImportOp{
		{Op: domain.OpUpdate, Course: c, Version: 3},
		{Op: domain.OpCreate, Position: pos},
		{Op: domain.OpDelete, Person: &domain.Person{ID: "P-9"}, Version: 2},
	}}
	must(t, s.WriteImport(ctx, big))
	must(t, s.WriteImport(ctx, small))
	wantCode(t, s.WriteImport(ctx, &domain.ImportJournal{ID: "j-1", Time: at}), domain.ECONFLICT)
	wantCode(t, s.WriteImport(ctx, &domain.ImportJournal{ID: ""}), domain.EINVALID)

	got, err = s.Imports(ctx)
	must(t, err)
	assertEqual(t, got, []*domain.ImportJournal{small, big})
	after, err := s.DataVersion(ctx)
	must(t, err)
	if after != before {
		t.Errorf("journal writes moved the data version from %d to %d", before, after)
	}

	must(t, s.DeleteImport(ctx, "j-2"))
	must(t, s.DeleteImport(ctx, "j-2"))
	got, err = s.Imports(ctx)
	must(t, err)
	assertEqual(t, got, []*domain.ImportJournal{small})
}
