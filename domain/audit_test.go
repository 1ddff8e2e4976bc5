package domain

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestNewAuditIDOrdersNewestFirst(t *testing.T) {
	base := time.Date(2025, time.May, 1, 9, 0, 0, 0, time.UTC)
	var ids []string
	for _, d := range []time.Duration{0, time.Nanosecond, time.Millisecond, time.Hour, 24 * 365 * time.Hour} {
		ids = append(ids, NewAuditID(base.Add(d)))
	}
	if !slices.IsSortedFunc(ids, func(a, b string) int { return strings.Compare(b, a) }) {
		t.Errorf("IDs of later times do not sort first: %v", ids)
	}
	if NewAuditID(base) == NewAuditID(base) {
		t.Error("two IDs of one instant are equal")
	}
}

func TestFieldChanges(t *testing.T) {
	before := &Person{ID: "P-1", Name: "Alex", PositionID: "POS-1", Version: 3, UpdatedAt: time.Now(), Audit: "a",
		Completions: []Completion{{CourseCode: "SCO-101", Completed: time.Date(2024, 3, 14, 0, 0, 0, 0, time.UTC)}}}
	after := *before
	after.Name = "Alex Morgan"
	after.PositionID = ""
	after.Version, after.Audit = 4, "b"
	after.Completions = nil

	tests := []struct {
		name          string
		before, after *Person
		want          []FieldChange
	}{
		{"update", before, &after, []FieldChange{
			{"name", `"Alex"`, `"Alex Morgan"`},
			{"positionId", `"POS-1"`, `""`},
			{"completions", `[{"courseCode":"SCO-101","completed":"2024-03-14T00:00:00Z"}]`, "[]"},
		}},
		{"create leaves out empty fields", nil, &after, []FieldChange{
			{"id", "null", `"P-1"`},
			{"name", "null", `"Alex Morgan"`},
		}},
		{"delete", before, nil, []FieldChange{
			{"id", `"P-1"`, "null"},
			{"name", `"Alex"`, "null"},
			{"positionId", `"POS-1"`, "null"},
			{"completions", `[{"courseCode":"SCO-101","completed":"2024-03-14T00:00:00Z"}]`, "null"},
		}},
		{"nothing changed (version and audit are bookkeeping)", before, &Person{ID: "P-1", Name: "Alex", PositionID: "POS-1",
			Completions: before.Completions, Version: 9, Audit: "z"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := FieldChanges(tt.before, tt.after); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("FieldChanges =\n%v\nwant\n%v", got, tt.want)
			}
		})
	}
	nilList := &Course{Code: "SCO-101", Objectives: nil}
	emptyList := &Course{Code: "SCO-101", Objectives: []string{}}
	if got := FieldChanges(nilList, emptyList); got != nil {
		t.Errorf("a nil and an empty list differ: %v", got)
	}
}
