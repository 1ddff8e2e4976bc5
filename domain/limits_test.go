package domain_test

import (
	"cmap/domain"
	"fmt"
	"strings"
	"testing"
	"time"
)

func validCourse() *domain.Course {
	return &domain.Course{Code: "SCO-201", Title: "Security cooperation", Hours: 40,
		DeliveryMode: domain.DeliveryOnline, Status: domain.CourseActive}
}

func validPerson() *domain.Person {
	return &domain.Person{ID: "P-00001", Name: "Ada"}
}

func validPosition() *domain.Position {
	return &domain.Position{ID: "POS-0001", Title: "Chief", Organization: "ODC Poland", Grade: "O-6", Category: "SCO"}
}

// items returns n copies of s.
func items(n int, s string) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = s
	}
	return out
}

// codes returns n distinct course codes.
func codes(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("PRE-%03d", i)
	}
	return out
}

// TestRecordSizeLimits: every text and list field of a record accepts a
// value at its documented limit and refuses one a character (or an item)
// over it, naming the field. Characters, not bytes: "é" takes two bytes.
func TestRecordSizeLimits(t *testing.T) {
	t.Parallel()
	long := func(n int) string { return strings.Repeat("é", n) }
	for _, tc := range []struct {
		name     string
		validate func(over bool) error
		field    string
	}{
		{"course title", func(over bool) error {
			c := validCourse()
			c.Title = long(200 + b(over))
			return c.Validate()
		}, "title"},
		{"course description", func(over bool) error {
			c := validCourse()
			c.Description = long(10000 + b(over))
			return c.Validate()
		}, "description"},
		{"course provider", func(over bool) error {
			c := validCourse()
			c.Provider = long(200 + b(over))
			return c.Validate()
		}, "provider"},
		{"number of objectives", func(over bool) error {
			c := validCourse()
			c.Objectives = items(50+b(over), "Explain the process")
			return c.Validate()
		}, "objectives"},
		{"one objective", func(over bool) error {
			c := validCourse()
			c.Objectives = []string{"ok", long(500 + b(over))}
			return c.Validate()
		}, "objectives[1]"},
		{"number of topics", func(over bool) error {
			c := validCourse()
			c.Topics = items(50+b(over), "fms")
			return c.Validate()
		}, "topics"},
		{"one topic", func(over bool) error {
			c := validCourse()
			c.Topics = []string{long(100 + b(over))}
			return c.Validate()
		}, "topics[0]"},
		{"number of prerequisites", func(over bool) error {
			c := validCourse()
			c.Prerequisites = codes(50 + b(over))
			return c.Validate()
		}, "prerequisites"},
		{"position title", func(over bool) error {
			p := validPosition()
			p.Title = long(200 + b(over))
			return p.Validate()
		}, "title"},
		{"position organization", func(over bool) error {
			p := validPosition()
			p.Organization = long(200 + b(over))
			return p.Validate()
		}, "organization"},
		{"position category", func(over bool) error {
			p := validPosition()
			p.Category = long(200 + b(over))
			return p.Validate()
		}, "category"},
		{"position region", func(over bool) error {
			p := validPosition()
			p.Region = long(200 + b(over))
			return p.Validate()
		}, "region"},
		{"position id", func(over bool) error {
			p := validPosition()
			p.ID = strings.Repeat("P", 64+b(over))
			return p.Validate()
		}, "id"},
		{"person name", func(over bool) error {
			p := validPerson()
			p.Name = long(200 + b(over))
			return p.Validate()
		}, "name"},
		{"person id", func(over bool) error {
			p := validPerson()
			p.ID = strings.Repeat("P", 64+b(over))
			return p.Validate()
		}, "id"},
		{"number of completions", func(over bool) error {
			p := validPerson()
			day := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
			for range 1000 + b(over) {
				p.Completions = append(p.Completions, domain.Completion{CourseCode: "SCO-201", Completed: day})
			}
			return p.Validate()
		}, "completions"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.validate(false); err != nil {
				t.Errorf("at the limit: %v", err)
			}
			err := tc.validate(true)
			if domain.ErrorCode(err) != domain.EINVALID || domain.ErrorField(err) != tc.field {
				t.Fatalf("over the limit: %v (field %q), want EINVALID on %s", err, domain.ErrorField(err), tc.field)
			}
			if len(err.Error()) > 200 {
				t.Errorf("the message echoes the input: %d bytes", len(err.Error()))
			}
		})
	}
}

// b is 1 for true: one character or item over a limit.
func b(over bool) int {
	if over {
		return 1
	}
	return 0
}

// TestRefusedValuesAreNotEchoed: a malformed code of a megabyte is named
// in the message by its first characters only.
func TestRefusedValuesAreNotEchoed(t *testing.T) {
	t.Parallel()
	c := validCourse()
	c.Code = strings.Repeat("X", 1<<20)
	err := c.Validate()
	want := `code: "` + strings.Repeat("X", 80) + `..." is not a course code`
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error %.120q, want it to start with %q", err, want)
	}
}

func TestFrameworkSizeLimits(t *testing.T) {
	t.Parallel()
	framework := func() *domain.Framework {
		return &domain.Framework{Name: "SC", Competencies: []domain.Competency{{Code: "1.0", Title: "T", Description: "D",
			SubCompetencies: []domain.SubCompetency{{Code: "1.A", Statement: "S"}}}}}
	}
	f := framework()
	f.Competencies[0].SubCompetencies[0].Statement = strings.Repeat("s", 10001)
	if err := f.Validate(); domain.ErrorField(err) != "competencies[0].subCompetencies[0].statement" {
		t.Errorf("long statement: %v", err)
	}
	f = framework()
	f.Competencies[0].Title = strings.Repeat("t", 201)
	if err := f.Validate(); domain.ErrorField(err) != "competencies[0].title" {
		t.Errorf("long title: %v", err)
	}
	f = framework()
	for i := 2; i <= 101; i++ {
		f.Competencies = append(f.Competencies, domain.Competency{Code: fmt.Sprintf("%d.0", i), Title: "T",
			SubCompetencies: []domain.SubCompetency{{Code: fmt.Sprintf("%d.A", i), Statement: "S"}}})
	}
	if err := f.Validate(); domain.ErrorField(err) != "competencies" {
		t.Errorf("101 competencies: %v", err)
	}
}
