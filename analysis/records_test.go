package analysis_test

import (
	"cmap/domain"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// bruteForcePage is the Store contract spelt out: the records sorted by
// key, those after p.After that match, at most p.First.
func bruteForcePage[T any](records []T, key func(T) string, match func(T) bool, p domain.Page) domain.List[T] {
	sorted := slices.Clone(records)
	slices.SortFunc(sorted, func(a, b T) int { return strings.Compare(key(a), key(b)) })
	var out domain.List[T]
	for _, r := range sorted {
		if key(r) <= p.After || !match(r) {
			continue
		}
		if p.First > 0 && len(out.Items) == p.First {
			out.HasNext = true
			break
		}
		out.Items = append(out.Items, r)
	}
	return out
}

// TestRecordListsMatchTheStoreContract lists the records of generated
// indexes with random filters and pages, and compares every page and count
// with a brute-force selection over the snapshot they were built from.
func TestRecordListsMatchTheStoreContract(t *testing.T) {
	for seed := uint64(1); seed <= 5; seed++ {
		s := generate(seed, smallSizes)
		s.People = append(s.People, &domain.Person{ID: "P-LAST", Name: "Zoë Example", PositionID: s.Positions[0].ID})
		ix := mustBuild(t, s)
		rng := rand.New(rand.NewPCG(seed, 7))
		pick := func(values ...string) string { return values[rng.IntN(len(values))] }
		page := func(keys []string) domain.Page {
			p := domain.Page{First: rng.IntN(4)}
			if len(keys) > 0 && rng.IntN(2) == 0 {
				p.After = keys[rng.IntN(len(keys))]
			}
			return p
		}
		var codes, positionIDs, personIDs []string
		for _, c := range s.Courses {
			codes = append(codes, c.Code)
		}
		for _, p := range s.Positions {
			positionIDs = append(positionIDs, p.ID)
		}
		for _, p := range s.People {
			personIDs = append(personIDs, p.ID)
		}
		for i := range 200 {
			what := fmt.Sprintf("seed %d, case %d", seed, i)
			cf := domain.CourseFilter{
				Status:   pick("", domain.CourseActive, domain.CourseRetired),
				Requires: pick(append([]string{"", ""}, codes...)...),
				Search:   pick("", "", strings.ToLower(codes[rng.IntN(len(codes))][:2]), "course"),
			}
			cp := page(codes)
			got, err := ix.Courses(cf, cp)
			if err != nil {
				t.Fatal(err)
			}
			want := bruteForcePage(s.Courses, func(c *domain.Course) string { return c.Code }, cf.Match, cp)
			checkPage(t, what+" courses", got, want, func(c *domain.Course) string { return c.Code })
			if n, all := ix.CountCourses(cf), bruteForcePage(s.Courses, func(c *domain.Course) string { return c.Code }, cf.Match, domain.Page{}); n != len(all.Items) {
				t.Fatalf("%s: CountCourses %d, want %d", what, n, len(all.Items))
			}

			pf := domain.PositionFilter{Organization: pick("", s.Positions[rng.IntN(len(s.Positions))].Organization)}
			pp := page(positionIDs)
			gotP, err := ix.Positions(pf, pp)
			if err != nil {
				t.Fatal(err)
			}
			checkPage(t, what+" positions", gotP, bruteForcePage(s.Positions, func(p *domain.Position) string { return p.ID }, pf.Match, pp),
				func(p *domain.Position) string { return p.ID })

			ff := domain.PersonFilter{Search: pick("", "", "zoë", "ZOË", "p-")}
			switch rng.IntN(3) {
			case 0:
				ff.PositionID = pick(append(positionIDs, "NO-SUCH")...)
			case 1:
				ff.PositionIDs = []string{pick(positionIDs...), pick(positionIDs...)}
			}
			fp := page(personIDs)
			gotF, err := ix.People(ff, fp)
			if err != nil {
				t.Fatal(err)
			}
			wantF := bruteForcePage(s.People, func(p *domain.Person) string { return p.ID }, ff.Match, fp)
			checkPage(t, what+" people", gotF, wantF, func(p *domain.Person) string { return p.ID })
			for j, p := range gotF.Items {
				if !reflect.DeepEqual(p, wantF.Items[j]) {
					t.Fatalf("%s: person %s is %+v, want the record as given %+v", what, p.ID, p, wantF.Items[j])
				}
			}
		}
		if _, err := ix.People(domain.PersonFilter{}, domain.Page{First: -1}); domain.ErrorField(err) != "first" {
			t.Errorf("a negative first: %v, want EINVALID on first", err)
		}
	}
}

func checkPage[T any](t *testing.T, what string, got, want domain.List[T], key func(T) string) {
	t.Helper()
	var g, w []string
	for _, x := range got.Items {
		g = append(g, key(x))
	}
	for _, x := range want.Items {
		w = append(w, key(x))
	}
	if !slices.Equal(g, w) || got.HasNext != want.HasNext {
		t.Fatalf("%s: got %v (more: %v), want %v (more: %v)", what, g, got.HasNext, w, want.HasNext)
	}
}

// TestRecordsAreCopies checks that the index keeps its own copy of a
// person: changing the record given to Build or WithPerson afterwards
// changes nothing the index answers.
func TestRecordsAreCopies(t *testing.T) {
	s := fixture()
	ix := mustBuild(t, s)
	s.People[0].Completions[0].CourseCode = "CHANGED"
	s.People[0].Name = "Changed"
	p, ok := ix.Person(s.People[0].ID)
	if !ok || p.Name == "Changed" || p.Completions[0].CourseCode == "CHANGED" {
		t.Fatalf("the index shares the caller's record: %+v", p)
	}
	np := &domain.Person{ID: "P-9", Name: "New", Completions: []domain.Completion{{CourseCode: "A-101"}}}
	nx, err := ix.WithPerson(np)
	if err != nil {
		t.Fatal(err)
	}
	np.Completions[0].CourseCode = "CHANGED"
	if got, _ := nx.Person("P-9"); got.Completions[0].CourseCode != "A-101" {
		t.Fatalf("WithPerson shares the caller's record: %+v", got)
	}
	if _, ok := ix.Person("P-9"); ok {
		t.Fatal("WithPerson changed the index it derived from")
	}
}
