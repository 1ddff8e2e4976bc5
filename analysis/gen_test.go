package analysis_test

import (
	"cmap/domain"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"cmap/analysis"
)

// genSizes shapes a synthetic snapshot.
type genSizes struct {
	subsPerCompetency          []int
	courses, positions, people int
	orgs                       int
	factsMin, factsMax         int // coverage facts per course
	reqsMin, reqsMax           int // requirements per position
	maxCompletions             int
	hours                      []float64
	retiredPct, prereqPct      int
	// cyclicPrereqs lets a course require any other course, so that
	// prerequisite cycles occur; otherwise only earlier courses.
	cyclicPrereqs bool
}

// dodSizes is the reference workload of docs/performance.md: 1,000 courses,
// 58 sub-competencies, about 9,500 coverage facts, 15,000 positions with
// about 16 requirements each, 20,000 people with 0-8 completions.
var dodSizes = genSizes{
	subsPerCompetency: []int{7, 7, 6, 6, 7, 6, 7, 6, 6},
	courses:           1000, positions: 15000, people: 20000, orgs: 40,
	factsMin: 5, factsMax: 14, reqsMin: 12, reqsMax: 20, maxCompletions: 8,
	hours:      []float64{4, 8, 16, 24, 32, 40, 60, 80},
	retiredPct: 10, prereqPct: 30,
}

// smallSizes makes instances small enough to check by brute force, with
// few distinct hours so that ties are common.
var smallSizes = genSizes{
	subsPerCompetency: []int{3, 2},
	courses:           7, positions: 4, people: 8, orgs: 2,
	factsMin: 0, factsMax: 3, reqsMin: 1, reqsMax: 4, maxCompletions: 3,
	hours:      []float64{1, 2, 2, 3, 4},
	retiredPct: 20, prereqPct: 35, cyclicPrereqs: true,
}

// generate returns a deterministic synthetic snapshot for seed.
func generate(seed uint64, z genSizes) analysis.Snapshot {
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	fw := &domain.Framework{Name: "Synthetic"}
	var subs []string
	for c, n := range z.subsPerCompetency {
		comp := domain.Competency{Code: fmt.Sprintf("%d.0", c+1), Title: fmt.Sprintf("Competency %d", c+1)}
		for s := 0; s < n; s++ {
			code := fmt.Sprintf("%d.%c", c+1, 'A'+s)
			comp.SubCompetencies = append(comp.SubCompetencies, domain.SubCompetency{Code: code, Statement: "Statement " + code})
			subs = append(subs, code)
		}
		fw.Competencies = append(fw.Competencies, comp)
	}
	scale := domain.DefaultScale()
	// Lower levels are more common, as in a real catalogue.
	level := func() string {
		switch x := rng.IntN(10); {
		case x < 4:
			return scale.Levels[0]
		case x < 7:
			return scale.Levels[1]
		case x < 9:
			return scale.Levels[2]
		}
		return scale.Levels[3]
	}
	pickSubs := func(n int) []string {
		perm := rng.Perm(len(subs))
		out := make([]string, 0, n)
		for _, i := range perm[:min(n, len(subs))] {
			out = append(out, subs[i])
		}
		return out
	}
	between := func(lo, hi int) int { return lo + rng.IntN(hi-lo+1) }

	s := analysis.Snapshot{Framework: fw, Scale: scale, Coverage: map[string][]domain.Coverage{}, Requirements: map[string][]domain.Requirement{}}
	providers := []string{"DSCU", "NPS", "DISAM", "JKO", "AFIT"}
	for i := 0; i < z.courses; i++ {
		c := &domain.Course{Code: fmt.Sprintf("SC%d-%03d", 1+i%9, i), Title: fmt.Sprintf("Course %d", i),
			Hours: z.hours[rng.IntN(len(z.hours))], DeliveryMode: domain.DeliveryOnline,
			Provider: providers[rng.IntN(len(providers))], Status: domain.CourseActive}
		if rng.IntN(100) < z.retiredPct {
			c.Status = domain.CourseRetired
		}
		if rng.IntN(100) < z.prereqPct && (i > 0 || z.cyclicPrereqs) {
			for n := between(1, 2); n > 0; n-- {
				j := rng.IntN(max(i, 1))
				if z.cyclicPrereqs {
					j = rng.IntN(z.courses)
				}
				code := fmt.Sprintf("SC%d-%03d", 1+j%9, j)
				if code != c.Code && !slices.Contains(c.Prerequisites, code) {
					c.Prerequisites = append(c.Prerequisites, code)
				}
			}
		}
		s.Courses = append(s.Courses, c)
		for _, sub := range pickSubs(between(z.factsMin, z.factsMax)) {
			s.Coverage[c.Code] = append(s.Coverage[c.Code], domain.Coverage{Course: c.Code, SubCompetency: sub, Level: level(),
				Rules: []domain.RuleRef{{ID: "rule-" + sub, File: "rules/courses.yaml", Line: 1 + rng.IntN(400)}}})
		}
	}
	for i := 0; i < z.positions; i++ {
		// The minimum of two draws skews positions to the first
		// organizations: ORG-00 is the largest.
		org := min(rng.IntN(z.orgs), rng.IntN(z.orgs))
		p := &domain.Position{ID: fmt.Sprintf("POS-%05d", i), Title: "Officer", Organization: fmt.Sprintf("ORG-%02d", org),
			Grade: "GS-13", Category: "SCO", Region: "EUCOM"}
		s.Positions = append(s.Positions, p)
		for _, sub := range pickSubs(between(z.reqsMin, z.reqsMax)) {
			s.Requirements[p.ID] = append(s.Requirements[p.ID], domain.Requirement{Position: p.ID, SubCompetency: sub, Level: level()})
		}
	}
	done := time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC)
	for i := 0; i < z.people; i++ {
		p := &domain.Person{ID: fmt.Sprintf("P-%05d", i), Name: fmt.Sprintf("Person %d", i)}
		if rng.IntN(10) > 0 {
			p.PositionID = s.Positions[rng.IntN(len(s.Positions))].ID
		}
		for n := rng.IntN(z.maxCompletions + 1); n > 0; n-- {
			p.Completions = append(p.Completions, domain.Completion{CourseCode: s.Courses[rng.IntN(len(s.Courses))].Code, Completed: done})
		}
		s.People = append(s.People, p)
	}
	return s
}
