package domain

import (
	"testing"
)

func TestValidateBatch(t *testing.T) {
	course := func(code string) *Course {
		return &Course{Code: code, Title: "Course " + code, DeliveryMode: DeliveryOnline, Status: CourseActive}
	}
	check := func(cs []*Course) error {
		return ValidateBatch(cs, "code", func(c *Course) string { return c.Code }, (*Course).Validate)
	}
	if err := check(nil); err != nil {
		t.Errorf("an empty batch: %v", err)
	}
	if err := check([]*Course{course("SCO-101"), course("SCO-102")}); err != nil {
		t.Errorf("a valid batch: %v", err)
	}
	bad := course("SCO-103")
	bad.Objectives = []string{"Explain", " "}
	for _, tt := range []struct {
		name  string
		batch []*Course
		field string
	}{
		{"a field of a record, by the record's index", []*Course{course("SCO-101"), bad}, "[1].objectives[1]"},
		{"a missing record", []*Course{course("SCO-101"), nil}, "[1]"},
		{"a key given twice, at the second", []*Course{course("SCO-101"), course("SCO-102"), course("SCO-101")}, "[2].code"},
		{"an invalid record before a duplicate", []*Course{course("SCO-101"), course("SCO-101"), bad}, "[2].objectives[1]"},
	} {
		err := check(tt.batch)
		if ErrorCode(err) != EINVALID || ErrorField(err) != tt.field {
			t.Errorf("%s: %v (field %q), want EINVALID on %q", tt.name, err, ErrorField(err), tt.field)
		}
	}
	// The record's own message, under the batch's field path.
	if got, want := ErrorMessage(check([]*Course{course("SCO-101"), bad})), "[1]."+ErrorMessage(bad.Validate()); got != want {
		t.Errorf("the batch says %q, want %q", got, want)
	}
}
