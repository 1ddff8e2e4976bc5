package export_test

import (
	"cmap/domain"
	"fmt"
	"io"
	"testing"
	"time"

	"cmap/analysis"
	"cmap/export"
)

// dodScaleIndex is a catalogue of DoD scale: 1,000 courses, 15,000
// positions, 20,000 people with 100,000 completions, each position
// requiring one sub-competency, each course covering one.
func dodScaleIndex(b *testing.B) *analysis.Index {
	b.Helper()
	fw := &domain.Framework{Name: "Bench"}
	for c := range 9 {
		comp := domain.Competency{Code: fmt.Sprintf("%d.0", c+1), Title: "Competency"}
		for s := range 6 {
			comp.SubCompetencies = append(comp.SubCompetencies, domain.SubCompetency{Code: fmt.Sprintf("%d.%c", c+1, 'A'+s), Statement: "Do the work of the sub-competency well."})
		}
		fw.Competencies = append(fw.Competencies, comp)
	}
	subs := fw.SubCompetencyCodes()
	levels := domain.DefaultScale().Levels
	snap := analysis.Snapshot{Framework: fw, Scale: domain.DefaultScale(), Coverage: map[string][]domain.Coverage{}, Requirements: map[string][]domain.Requirement{}}
	for i := range 1000 {
		code := fmt.Sprintf("CRS-%04d", i)
		snap.Courses = append(snap.Courses, &domain.Course{Code: code, Title: "A course of the bench catalogue", Description: "Two sentences of description. About the course.",
			Objectives: []string{"Describe the process.", "Apply the process."}, Topics: []string{"topic one", "topic two"}, Hours: 24,
			DeliveryMode: domain.DeliveryResident, Provider: "Bench School", Status: domain.CourseActive})
		snap.Coverage[code] = []domain.Coverage{{Course: code, SubCompetency: subs[i%len(subs)], Level: levels[i%len(levels)]}}
	}
	for i := range 15000 {
		id := fmt.Sprintf("POS-%05d", i)
		snap.Positions = append(snap.Positions, &domain.Position{ID: id, Title: "Analyst", Organization: fmt.Sprintf("ORG %d", i%300), Grade: "GS-13", Category: "SCO", Region: "EUCOM"})
		snap.Requirements[id] = []domain.Requirement{{Position: id, SubCompetency: subs[i%len(subs)], Level: levels[i%len(levels)]}}
	}
	day := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 20000 {
		p := &domain.Person{ID: fmt.Sprintf("P-%05d", i), Name: "Person of the bench", PositionID: fmt.Sprintf("POS-%05d", i%15000)}
		for j := range 5 {
			p.Completions = append(p.Completions, domain.Completion{CourseCode: fmt.Sprintf("CRS-%04d", (i+j*7)%1000), Completed: day.AddDate(0, 0, i%1000+j)})
		}
		snap.People = append(snap.People, p)
	}
	ix, err := analysis.Build(snap)
	if err != nil {
		b.Fatal(err)
	}
	return ix
}

// BenchmarkExportDoDScale writes the largest exports at DoD scale:
//
//	go test -run '^$' -bench ExportDoDScale -benchmem ./export/
func BenchmarkExportDoDScale(b *testing.B) {
	ix := dodScaleIndex(b)
	for _, tc := range []struct {
		kind export.Kind
		f    export.Format
	}{
		{export.KindCatalogue, export.XLSX},
		{export.KindCatalogue, export.JSON},
		{export.KindCompletions, export.CSV},
		{export.KindReadiness, export.XLSX},
		{export.KindReadiness, export.CSV},
		{export.KindCoverage, export.XLSX},
	} {
		b.Run(string(tc.kind)+"."+string(tc.f), func(b *testing.B) {
			for b.Loop() {
				if err := export.Write(io.Discard, ix, tc.kind, tc.f, export.Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
