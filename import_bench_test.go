package main

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"cmap/app"
	"cmap/importer"
	"cmap/modelfile"
	"cmap/mongodb"
	"cmap/seed"
	"cmap/workload"
)

// writeWorkload generates the workload at scale into dir (seeds/ and
// rules/) and returns its catalogue files, as an import reads them.
func writeWorkload(tb testing.TB, dir string, scale float64) []importer.File {
	tb.Helper()
	fw, err := modelfile.Read(benchModelName, benchModel)
	if err != nil {
		tb.Fatal(err)
	}
	w, err := workload.Generate(workload.Config{Scale: scale, Seed: 1}, fw, benchModelName, benchModel)
	if err != nil {
		tb.Fatal(err)
	}
	if err := w.Write(filepath.Join(dir, "seeds"), filepath.Join(dir, "rules")); err != nil {
		tb.Fatal(err)
	}
	var files []importer.File
	for _, name := range []string{seed.CoursesFile, seed.PositionsFile, seed.PeopleFile, seed.CompletionsFile} {
		path := filepath.Join(dir, "seeds", name)
		data, err := os.ReadFile(path)
		if err != nil {
			tb.Fatal(err)
		}
		files = append(files, importer.File{Name: path, Data: data})
	}
	return files
}

// BenchmarkImportDoDScale imports the DoD-scale workload (1,000 courses,
// 15,000 positions, 20,000 people, about 90,000 completions, from the
// CSV and YAML files package workload writes) into an empty embedded
// database holding only the competency model, with the workload's rules:
// reading the files, the plan, the derivation and index of the state it
// gives (its impact), the journal, the writes and the state served after.
// Each step's time is reported as a metric (s/check and so on). One
// iteration takes tens of seconds:
//
//	go test -run '^$' -bench ImportDoDScale -benchtime 1x .
func BenchmarkImportDoDScale(b *testing.B) {
	dir := b.TempDir()
	files := writeWorkload(b, dir, 1)
	ds, err := seed.Load(filepath.Join(dir, "seeds"))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	var read, total time.Duration
	var times app.ImportTimes
	n := 0
	for b.Loop() {
		b.StopTimer()
		db, err := mongodb.Open(ctx, mongodb.Config{DataDir: b.TempDir()})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := seed.Apply(ctx, db, &seed.Dataset{Name: "model-only", Framework: ds.Framework}); err != nil {
			b.Fatal(err)
		}
		a, err := app.Open(ctx, db, app.Options{RulesDir: filepath.Join(dir, "rules"), PollInterval: -1, Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()

		start := time.Now()
		batch, problems := importer.Read(files, importer.Options{})
		if len(problems) > 0 {
			b.Fatal(problems)
		}
		read += time.Since(start)
		plan, err := a.Import(ctx, batch, importer.PlanOptions{}, nil)
		if err != nil {
			b.Fatal(err)
		}
		total += time.Since(start)
		if !plan.Applied || len(plan.Rejections) > 0 || plan.People.Created != len(ds.People) {
			b.Fatalf("the import: applied %v, %d rejections, %+v", plan.Applied, len(plan.Rejections), plan.People)
		}
		if n == 0 {
			b.Logf("%d courses, %d positions, %d people, %d completions", plan.Courses.Created, plan.Positions.Created,
				plan.People.Created, plan.Completions.Created)
		}
		times.Check += plan.Times.Check
		times.Predict += plan.Times.Predict
		times.Journal += plan.Times.Journal
		times.Apply += plan.Times.Apply
		times.State += plan.Times.State
		n++

		b.StopTimer()
		a.Close()
		db.Close(ctx)
		b.StartTimer()
	}
	per := func(d time.Duration) float64 { return d.Seconds() / float64(n) }
	b.ReportMetric(per(total), "s/import")
	b.ReportMetric(per(read), "s/read")
	b.ReportMetric(per(times.Check), "s/check")
	b.ReportMetric(per(times.Predict), "s/predict")
	b.ReportMetric(per(times.Journal), "s/journal")
	b.ReportMetric(per(times.Apply), "s/apply")
	b.ReportMetric(per(times.State), "s/state")
}
