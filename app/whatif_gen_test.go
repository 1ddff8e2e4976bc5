package app_test

import (
	"cmap/domain"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"cmap/memstore"
)

// textPool holds the values random records are made of: the texts of the
// sample catalogue (whose phrases the shipped rules look for), so that
// random edits sometimes change what the rules derive and sometimes not,
// and the values the sample's positions take.
type textPool struct {
	titles, descriptions, objectives, topics, providers []string
	grades, categories, regions, organizations          []string
}

var samplePools struct {
	once sync.Once
	pool *textPool
}

// samplePool returns the pool of the sample seeds.
func samplePool(t *testing.T) *textPool {
	t.Helper()
	ds := sampleSeeds(t)
	samplePools.once.Do(func() {
		p := &textPool{descriptions: []string{""}}
		for _, c := range ds.Courses {
			p.titles = append(p.titles, c.Title)
			p.descriptions = append(p.descriptions, c.Description)
			p.objectives = append(p.objectives, c.Objectives...)
			p.topics = append(p.topics, c.Topics...)
			p.providers = append(p.providers, c.Provider)
		}
		for _, q := range ds.Positions {
			p.grades = append(p.grades, q.Grade)
			p.categories = append(p.categories, q.Category)
			p.regions = append(p.regions, q.Region)
			p.organizations = append(p.organizations, q.Organization)
		}
		for _, list := range []*[]string{&p.topics, &p.providers, &p.grades, &p.categories, &p.regions, &p.organizations} {
			slices.Sort(*list)
			*list = slices.Compact(*list)
		}
		samplePools.pool = p
	})
	return samplePools.pool
}

func pick[T any](rng *rand.Rand, list []T) T { return list[rng.IntN(len(list))] }

// some returns up to n distinct random elements of list.
func some(rng *rand.Rand, list []string, n int) []string {
	var out []string
	for range rng.IntN(n + 1) {
		if s := pick(rng, list); !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// hours are the hours random courses take; 2.5 makes a rule of
// rulesReadingStatus fail at run time.
var hours = []float64{0, 2.5, 4, 8, 16, 24, 40, 80}

var deliveryModes = []string{domain.DeliveryResident, domain.DeliveryOnline, domain.DeliveryBlended}

// codePrefixes name the areas of random course codes.
var codePrefixes = []string{"SCO", "SCM", "AME", "POL", "TSF", "GEN"}

// randomCode returns a course code of a random area and tier (or none:
// "GEN-AB" has no catalogue tier, so no level), not in taken.
func randomCode(rng *rand.Rand, taken func(string) bool) string {
	for {
		code := fmt.Sprintf("%s-%d%02d", pick(rng, codePrefixes), 1+rng.IntN(5), rng.IntN(100))
		if rng.IntN(10) == 0 {
			code = fmt.Sprintf("%s-%c%c", pick(rng, codePrefixes), 'A'+rng.IntN(26), 'A'+rng.IntN(26))
		}
		if !taken(code) {
			return code
		}
	}
}

// randomCourseText fills c's text, hours and delivery from the pool.
func (p *textPool) randomCourseText(rng *rand.Rand, c *domain.Course) {
	c.Title = pick(rng, p.titles)
	c.Description = pick(rng, p.descriptions)
	c.Objectives = some(rng, p.objectives, 3)
	c.Topics = some(rng, p.topics, 2)
	c.Hours = pick(rng, hours)
	c.DeliveryMode = pick(rng, deliveryModes)
	c.Provider = pick(rng, p.providers)
}

// randomStatus is active two times out of three.
func randomStatus(rng *rand.Rand) string {
	if rng.IntN(3) == 0 {
		return domain.CourseRetired
	}
	return domain.CourseActive
}

// courses returns the stored courses.
func (w *walk) courses() []*domain.Course {
	w.t.Helper()
	list, err := w.store.ListCourses(w.ctx, domain.CourseFilter{}, domain.Page{})
	must(w.t, err)
	return list.Items
}

// randomCourse returns a stored course: a retired one a third of the time
// when there is one.
func (w *walk) randomCourse() *domain.Course {
	w.t.Helper()
	all := w.courses()
	if len(all) == 0 {
		w.t.Fatalf("%s: no course left", w.name)
	}
	retired := slices.DeleteFunc(slices.Clone(all), func(c *domain.Course) bool { return c.Active() })
	if len(retired) > 0 && w.rng.IntN(3) == 0 {
		return pick(w.rng, retired)
	}
	return pick(w.rng, all)
}

// randomPrerequisites returns up to two codes of stored courses other than
// code (which may make a cycle), and once in twenty times an unknown code.
func (w *walk) randomPrerequisites(code string) []string {
	var out []string
	all := w.courses()
	for range w.rng.IntN(3) {
		if c := pick(w.rng, all); c.Code != code && !slices.Contains(out, c.Code) {
			out = append(out, c.Code)
		}
	}
	if w.rng.IntN(20) == 0 {
		out = append(out, "NOPE-999")
	}
	return out
}

// edit is a random edit of a course.
type edit struct {
	what  string
	apply func(*domain.Course)
}

// randomEdit returns an edit of one to three fields of c: text from the
// pool (which may change what the rules derive, or not), hours (once in
// twenty times out of range), delivery, provider, status (so retired
// courses come back), prerequisites.
func (w *walk) randomEdit(c *domain.Course) edit {
	var whats []string
	var edits []func(*domain.Course)
	for range 1 + w.rng.IntN(3) {
		switch w.rng.IntN(9) {
		case 0:
			v := pick(w.rng, w.pool.titles)
			whats, edits = append(whats, fmt.Sprintf("title %q", v)), append(edits, func(c *domain.Course) { c.Title = v })
		case 1:
			v := pick(w.rng, w.pool.descriptions)
			whats, edits = append(whats, fmt.Sprintf("description %.40q", v)), append(edits, func(c *domain.Course) { c.Description = v })
		case 2:
			v := some(w.rng, w.pool.objectives, 3)
			whats, edits = append(whats, fmt.Sprintf("objectives %.80q", v)), append(edits, func(c *domain.Course) { c.Objectives = v })
		case 3:
			v := some(w.rng, w.pool.topics, 2)
			whats, edits = append(whats, fmt.Sprintf("topics %q", v)), append(edits, func(c *domain.Course) { c.Topics = v })
		case 4:
			v := pick(w.rng, hours)
			if w.rng.IntN(20) == 0 {
				v = -1
			}
			whats, edits = append(whats, fmt.Sprintf("hours %g", v)), append(edits, func(c *domain.Course) { c.Hours = v })
		case 5:
			v := pick(w.rng, deliveryModes)
			whats, edits = append(whats, "delivery "+v), append(edits, func(c *domain.Course) { c.DeliveryMode = v })
		case 6:
			v := pick(w.rng, w.pool.providers)
			whats, edits = append(whats, "provider "+v), append(edits, func(c *domain.Course) { c.Provider = v })
		case 7:
			v := domain.CourseActive
			if c.Active() {
				v = domain.CourseRetired
			}
			whats, edits = append(whats, "status "+v), append(edits, func(c *domain.Course) { c.Status = v })
		case 8:
			v := w.randomPrerequisites(c.Code)
			whats, edits = append(whats, fmt.Sprintf("prerequisites %v", v)), append(edits, func(c *domain.Course) { c.Prerequisites = v })
		}
	}
	return edit{strings.Join(whats, ", "), func(c *domain.Course) {
		for _, e := range edits {
			e(c)
		}
	}}
}

// randomNewCourse returns a course to create: a new code of a random tier
// (once in ten times a code already taken), text from the pool, random
// status and prerequisites.
func (w *walk) randomNewCourse() *domain.Course {
	all := w.courses()
	taken := func(code string) bool {
		return slices.ContainsFunc(all, func(c *domain.Course) bool { return c.Code == code })
	}
	c := &domain.Course{Code: randomCode(w.rng, taken), Status: randomStatus(w.rng)}
	if w.rng.IntN(10) == 0 && len(all) > 0 {
		c.Code = pick(w.rng, all).Code
	}
	w.pool.randomCourseText(w.rng, c)
	c.Prerequisites = w.randomPrerequisites(c.Code)
	return c
}

// randomPosition returns a stored position with one to three of grade,
// category, key billet, region and organization changed, or (one time in
// four) a new position; once in twenty times with a grade that is not
// one.
func (w *walk) randomPosition() *domain.Position {
	list, err := w.store.ListPositions(w.ctx, domain.PositionFilter{}, domain.Page{})
	must(w.t, err)
	var p *domain.Position
	if len(list.Items) == 0 || w.rng.IntN(4) == 0 {
		w.news++
		p = &domain.Position{ID: fmt.Sprintf("POS-W%03d", w.news), Title: "Security cooperation officer"}
		w.pool.randomPositionFields(w.rng, p)
	} else {
		p = pick(w.rng, list.Items)
		for range 1 + w.rng.IntN(3) {
			switch w.rng.IntN(5) {
			case 0:
				p.Grade = pick(w.rng, w.pool.grades)
			case 1:
				p.Category = pick(w.rng, w.pool.categories)
			case 2:
				p.KeyBillet = !p.KeyBillet
			case 3:
				p.Region = pick(w.rng, w.pool.regions)
			case 4:
				p.Organization = pick(w.rng, w.pool.organizations)
			}
		}
	}
	if w.rng.IntN(20) == 0 {
		p.Grade = "Z-99"
	}
	return p
}

// randomPositionFields sets p's grade, category, key billet, region and
// organization from the pool.
func (p *textPool) randomPositionFields(rng *rand.Rand, q *domain.Position) {
	q.Grade = pick(rng, p.grades)
	q.Category = pick(rng, p.categories)
	q.KeyBillet = rng.IntN(4) == 0
	q.Region = pick(rng, p.regions)
	q.Organization = pick(rng, p.organizations)
}

// generatedStore returns a store holding the sample framework and a small
// random catalogue made of the sample's texts: 10 to 17 courses (a third
// retired, prerequisites among earlier courses), 5 to 9 positions, 15 to
// 29 people with up to five completions each (now and then of a course
// that is not in the catalogue).
func generatedStore(t *testing.T, rng *rand.Rand) *memstore.Store {
	t.Helper()
	ctx := context.Background()
	pool := samplePool(t)
	st := memstore.New()
	must(t, st.PutFramework(ctx, sampleSeeds(t).Framework))
	var codes []string
	for range 10 + rng.IntN(8) {
		c := &domain.Course{Code: randomCode(rng, func(code string) bool { return slices.Contains(codes, code) }), Status: randomStatus(rng)}
		pool.randomCourseText(rng, c)
		if len(codes) > 0 && rng.IntN(3) == 0 {
			c.Prerequisites = []string{pick(rng, codes)}
		}
		must(t, st.CreateCourse(ctx, c))
		codes = append(codes, c.Code)
	}
	var positions []string
	for i := range 5 + rng.IntN(5) {
		p := &domain.Position{ID: fmt.Sprintf("POS-G%02d", i), Title: "Officer"}
		pool.randomPositionFields(rng, p)
		must(t, st.CreatePosition(ctx, p))
		positions = append(positions, p.ID)
	}
	done := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	for i := range 15 + rng.IntN(15) {
		p := &domain.Person{ID: fmt.Sprintf("P-G%03d", i), Name: fmt.Sprintf("Person %d", i)}
		if rng.IntN(5) > 0 {
			p.PositionID = pick(rng, positions)
		}
		for range rng.IntN(6) {
			code := pick(rng, codes)
			if rng.IntN(15) == 0 {
				code = "OLD-100"
			}
			p.Completions = append(p.Completions, domain.Completion{CourseCode: code, Completed: done})
		}
		must(t, st.CreatePerson(ctx, p))
	}
	return st
}
