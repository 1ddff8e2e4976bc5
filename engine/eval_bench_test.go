package engine

import (
	"cmap/domain"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// Benchmarks of rule evaluation. Run with:
//
//	go test -run '^$' -bench . -benchmem ./engine/

func benchRule(b *testing.B, files map[string]string, id string, env any) {
	rs := mustLoad(b, files)
	r := rs.Rule(id)
	e := rs.getEvaluator()
	defer rs.putEvaluator(e)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := runRule(e.vm, r, env); err != nil {
			b.Fatal(err)
		}
	}
}

// One precompiled boolean rule on one course, reused VM: the course env
// is boxed once, as the engine does per course.
func BenchmarkOneCourseRule(b *testing.B) {
	files := map[string]string{"a.yaml": `rules:
  - id: long-resident
    course: course.hours >= 40 && course.deliveryMode == "resident" && course.status != "retired"
    covers: {1.A: Basic}
`}
	rs := mustLoad(b, files)
	c := &domain.Course{Code: "SCO-201", Hours: 40, DeliveryMode: domain.DeliveryResident, Status: domain.CourseActive}
	benchRule(b, files, "long-resident", any(rs.newCourseEnv(c)))
}

// A course rule that calls helpers: mentions() is a bit test on the
// course's precomputed terms.
func BenchmarkOneCourseRuleMentions(b *testing.B) {
	files := map[string]string{"a.yaml": `rules:
  - id: estimating
    course: mentions("price and availability", "letter of offer") && course.level >= "Intermediate"
    covers: {4.C: tier}
`}
	rs := mustLoad(b, files)
	c := &domain.Course{Code: "SCM-201", Objectives: []string{"Prepare price and availability data."}}
	benchRule(b, files, "estimating", any(rs.newCourseEnv(c)))
}

func BenchmarkOnePositionRule(b *testing.B) {
	files := map[string]string{"a.yaml": `rules:
  - id: sco-key
    position: position.category == "SCO" && position.keyBillet && gradeAtLeast("GS-13", "O-5")
    requires: {1.*: Advanced}
`}
	p := &domain.Position{ID: "P", Grade: "O-5", Category: "SCO", KeyBillet: true}
	benchRule(b, files, "sco-key", any(positionEnv{Position: newPositionView(p)}))
}

// The reference workload of docs/performance.md ("DoD scale"): 1,000
// courses of about 900 bytes, 500 course rules, 15,000 positions, 200
// position rules.
//
// Besides the wall time it reports cpu-ns/op, the CPU time the process
// spent per derivation (garbage collection included): on a shared machine
// it is far steadier than the wall time, which also counts the time spent
// waiting for a core.
func BenchmarkDeriveAllDoDScale(b *testing.B) {
	w := newSyntheticWorkload(1, 1000, 500, 15000, 200)
	rs := mustLoad(b, w.files)
	b.ReportAllocs()
	b.ResetTimer()
	cpu0, cpuKnown := processCPUTime()
	var d *Derived
	for b.Loop() {
		var err error
		if d, err = rs.DeriveAll(w.courses, w.positions); err != nil {
			b.Fatal(err)
		}
	}
	cpu1, _ := processCPUTime()
	b.StopTimer()
	if cpuKnown {
		b.ReportMetric(float64(cpu1-cpu0)/float64(b.N), "cpu-ns/op")
	}
	cov, req := 0, 0
	for _, f := range d.Coverage {
		cov += len(f)
	}
	for _, f := range d.Requirements {
		req += len(f)
	}
	b.ReportMetric(float64(cov), "coverage-facts")
	b.ReportMetric(float64(req), "requirement-facts")
}

// syntheticWorkload is a generated catalogue and rule set in the shape of
// the shipped ones: phrase and topic rules over course text, grade,
// category, key-billet and region rules over positions.
type syntheticWorkload struct {
	files     map[string]string
	courses   []*domain.Course
	positions []*domain.Position
}

func newSyntheticWorkload(seed uint64, nCourses, nCourseRules, nPositions, nPositionRules int) *syntheticWorkload {
	rng := rand.New(rand.NewPCG(seed, seed))
	vocab := make([]string, 3000)
	for i := range vocab {
		vocab[i] = fmt.Sprintf("w%x%c", i, 'a'+rune(i%26))
	}
	phrases := make([]string, 800)
	for i := range phrases {
		n := 1 + rng.IntN(3)
		ws := make([]string, n)
		for j := range ws {
			ws[j] = vocab[rng.IntN(len(vocab))]
		}
		phrases[i] = strings.Join(ws, " ")
	}
	topics := []string{"planning", "case management", "policy", "assessment", "disclosure", "regional studies", "finance", "negotiations"}
	sentence := func(words int) string {
		ws := make([]string, words)
		for i := range ws {
			ws[i] = vocab[rng.IntN(len(vocab))]
		}
		if rng.IntN(2) == 0 {
			ws[rng.IntN(words)] = phrases[rng.IntN(len(phrases))]
		}
		return strings.Join(ws, " ") + "."
	}
	fw := testFramework()
	subs := fw.SubCompetencyCodes()
	levels := []string{"Basic", "Intermediate", "Advanced", "Expert", "tier"}

	w := &syntheticWorkload{files: map[string]string{}}
	for i := range nCourses {
		c := &domain.Course{
			Code:         fmt.Sprintf("SYN-%d%03d", 1+i%4, i),
			Title:        sentence(6),
			Description:  sentence(25) + " " + sentence(25),
			Hours:        float64(8 + rng.IntN(80)),
			DeliveryMode: []string{domain.DeliveryResident, domain.DeliveryOnline, domain.DeliveryBlended}[rng.IntN(3)],
			Status:       domain.CourseActive,
			Topics:       []string{topics[rng.IntN(len(topics))], topics[rng.IntN(len(topics))]},
		}
		if rng.IntN(20) == 0 {
			c.Status = domain.CourseRetired
		}
		for range 4 + rng.IntN(5) {
			c.Objectives = append(c.Objectives, sentence(12))
		}
		w.courses = append(w.courses, c)
	}
	var rules strings.Builder
	rules.WriteString("rules:\n")
	quote := func(s string) string { return fmt.Sprintf("%q", s) }
	for i := range nCourseRules {
		ps := []string{quote(phrases[rng.IntN(len(phrases))]), quote(phrases[rng.IntN(len(phrases))])}
		cond := "mentions(" + strings.Join(ps, ", ") + ")"
		switch rng.IntN(4) {
		case 0:
			cond += fmt.Sprintf(" && course.hours >= %d", 8+rng.IntN(40))
		case 1:
			cond += fmt.Sprintf(" && course.level >= %q", levels[rng.IntN(3)])
		case 2:
			cond = fmt.Sprintf("(%s || hasTopic(%q))", cond, topics[rng.IntN(len(topics))])
		}
		fmt.Fprintf(&rules, "  - id: course-%d\n    course: %s\n    covers: {%s: %s}\n", i, quote(cond), subs[rng.IntN(len(subs))], levels[rng.IntN(len(levels))])
	}
	rules.WriteString("  - id: retired\n    course: course.status == \"retired\"\n    exclude: true\n")
	w.files["courses.yaml"] = rules.String()

	categories := []string{"SCO", "IA", "HQ", "CCMD"}
	regions := []string{"CONUS", "EUCOM", "INDOPACOM", "CENTCOM", "AFRICOM", "SOUTHCOM", "NORTHCOM"}
	grades := []string{"GS-9", "GS-11", "GS-12", "GS-13", "GS-14", "GS-15", "O-3", "O-4", "O-5", "O-6", "E-7", "E-8", "E-9"}
	for i := range nPositions {
		w.positions = append(w.positions, &domain.Position{
			ID: fmt.Sprintf("POS-%05d", i), Title: "Synthetic billet", Organization: fmt.Sprintf("ORG-%d", i%300),
			Grade: grades[rng.IntN(len(grades))], Category: categories[rng.IntN(len(categories))],
			KeyBillet: rng.IntN(4) == 0, Region: regions[rng.IntN(len(regions))],
		})
	}
	rules.Reset()
	rules.WriteString("rules:\n")
	for i := range nPositionRules {
		var parts []string
		if rng.IntN(4) > 0 {
			parts = append(parts, fmt.Sprintf("position.category == %q", categories[rng.IntN(len(categories))]))
		}
		if rng.IntN(2) == 0 {
			parts = append(parts, fmt.Sprintf("gradeAtLeast(%q, %q)", grades[rng.IntN(6)], grades[6+rng.IntN(4)]))
		}
		if rng.IntN(3) == 0 {
			parts = append(parts, "position.keyBillet")
		}
		if rng.IntN(3) == 0 {
			parts = append(parts, fmt.Sprintf("position.region != %q", regions[rng.IntN(len(regions))]))
		}
		if len(parts) == 0 {
			parts = append(parts, "true")
		}
		from := rng.IntN(len(subs) - 3)
		fmt.Fprintf(&rules, "  - id: position-%d\n    position: %s\n    requires: {%s: %s, %s: %s}\n", i, quote(strings.Join(parts, " && ")),
			subs[from], levels[rng.IntN(4)], subs[from+1+rng.IntN(2)], levels[rng.IntN(4)])
	}
	w.files["positions.yaml"] = rules.String()
	return w
}

// The course text scan of the DoD-scale workload: the phrases and topics
// of 500 course rules over 1,000 courses.
func BenchmarkMatchCourseTerms(b *testing.B) {
	w := newSyntheticWorkload(1, 1000, 500, 0, 0)
	rs := mustLoad(b, w.files)
	set := rs.terms.newSet()
	var sc textScratch
	rs.terms.match(set, w.courses[0], &sc) // builds the phrase matcher
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for _, c := range w.courses {
			clear(set)
			rs.terms.match(set, c, &sc)
		}
	}
}
