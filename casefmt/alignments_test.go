package casefmt_test

import (
	"cmap/domain"
	"reflect"
	"testing"
	"time"

	"cmap/analysis"
	"cmap/casefmt"
)

// Alignments are the active courses' cells, by course then model order,
// with the course's title and last write; retired courses are left out.
func TestAlignmentsOf(t *testing.T) {
	written := time.Date(2026, 10, 1, 12, 0, 0, 0, time.UTC)
	ix, err := analysis.Build(analysis.Snapshot{
		Framework: small(),
		Scale:     domain.DefaultScale(),
		Courses: []*domain.Course{
			{Code: "B-200", Title: "Second", Hours: 4, DeliveryMode: domain.DeliveryOnline, Status: domain.CourseActive, UpdatedAt: written},
			{Code: "A-100", Title: "First", Hours: 4, DeliveryMode: domain.DeliveryOnline, Status: domain.CourseActive},
			{Code: "R-900", Title: "Old", Hours: 4, DeliveryMode: domain.DeliveryOnline, Status: domain.CourseRetired},
		},
		Coverage: map[string][]domain.Coverage{
			"B-200": {{Course: "B-200", SubCompetency: "2.A", Level: "Expert"}, {Course: "B-200", SubCompetency: "1.B", Level: "Basic"}},
			"A-100": {{Course: "A-100", SubCompetency: "1.B", Level: "Advanced"}},
			"R-900": {{Course: "R-900", SubCompetency: "1.A", Level: "Expert"}},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := casefmt.AlignmentsOf(ix)
	if err != nil {
		t.Fatal(err)
	}
	want := []casefmt.Alignment{
		{Course: "A-100", CourseTitle: "First", SubCompetency: "1.B", Level: "Advanced"},
		{Course: "B-200", CourseTitle: "Second", SubCompetency: "1.B", Level: "Basic", Changed: written},
		{Course: "B-200", CourseTitle: "Second", SubCompetency: "2.A", Level: "Expert", Changed: written},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("alignments:\n%+v\nwant\n%+v", got, want)
	}
	if latest := casefmt.LatestChange(got); !latest.Equal(written) {
		t.Errorf("latest change %v, want %v", latest, written)
	}
}
