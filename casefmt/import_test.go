package casefmt_test

import (
	"cmap/domain"
	"fmt"
	"strings"
	"testing"

	"cmap/casefmt"
)

// small is a model of two competencies: 1.0 with 1.A and 1.B, 2.0 with 2.A.
func small() *domain.Framework {
	return &domain.Framework{Name: "M", Competencies: []domain.Competency{
		{Code: "1.0", Title: "One", SubCompetencies: []domain.SubCompetency{{Code: "1.A", Statement: "Do A."}, {Code: "1.B", Statement: "Do B."}}},
		{Code: "2.0", Title: "Two", SubCompetencies: []domain.SubCompetency{{Code: "2.A", Statement: "Do 2A."}}},
	}}
}

// node links to an item of p.
func node(p *casefmt.Package, i int) casefmt.LinkGenURI {
	it := p.CFItems[i]
	return casefmt.LinkGenURI{Title: it.HumanCodingScheme, Identifier: it.Identifier, URI: it.URI}
}

func childOf(p *casefmt.Package, id string, child, parent casefmt.LinkGenURI) {
	p.CFAssociations = append(p.CFAssociations, casefmt.Association{Identifier: id, AssociationType: casefmt.IsChildOf, OriginNodeURI: child, DestinationNodeURI: parent})
}

// Shapes a two-level model cannot hold are refused, every problem at
// once, each at its JSON path and naming the item.
func TestFrameworkRefusesUnsupportedShapes(t *testing.T) {
	// Items of small(): 0 1.0, 1 1.A, 2 1.B, 3 2.0, 4 2.A; associations
	// 0-4 are their isChildOf, in the same order.
	tests := []struct {
		name  string
		spoil func(p *casefmt.Package)
		want  []string
	}{
		{"three levels", func(p *casefmt.Package) {
			p.CFItems = append(p.CFItems, casefmt.Item{Identifier: "00000000-0000-4000-8000-000000000001", HumanCodingScheme: "1.A.i", FullStatement: "Deep."})
			childOf(p, "a-deep", node(p, 5), node(p, 1))
		}, []string{"CFAssociations[5]: item 00000000-0000-4000-8000-000000000001 (1.A.i) is three levels deep (a child of " + id(1) + " (1.A)): a cmap model has two levels, competencies and their sub-competencies"}},
		{"cycle", func(p *casefmt.Package) {
			p.CFAssociations[0].DestinationNodeURI = node(p, 1) // 1.0 a child of 1.A
		}, []string{"CFAssociations[0]: isChildOf associations make a cycle: " + id(0) + " (1.0) is a child of " + id(1) + " (1.A), back to the first"}},
		{"missing child", func(p *casefmt.Package) {
			childOf(p, "a-missing", casefmt.LinkGenURI{Identifier: "00000000-0000-4000-8000-00000000beef"}, node(p, 0))
		}, []string{"CFAssociations[5].originNodeURI: isChildOf association a-missing: its child 00000000-0000-4000-8000-00000000beef is not an item of the package"}},
		{"missing parent", func(p *casefmt.Package) {
			p.CFAssociations[4].DestinationNodeURI = casefmt.LinkGenURI{Identifier: "00000000-0000-4000-8000-00000000cafe"}
		}, []string{
			"CFAssociations[4].destinationNodeURI: isChildOf association " + p0(4) + ": the parent 00000000-0000-4000-8000-00000000cafe of item " + id(4) + " (2.A) is neither the CFDocument nor an item of the package",
			"CFItems[4]: item " + id(4) + " (2.A) is not in the tree: no isChildOf association makes it a child of the CFDocument or of an item",
		}},
		{"two parents", func(p *casefmt.Package) {
			childOf(p, "a-second", node(p, 1), node(p, 3)) // 1.A also under 2.0
		}, []string{"CFAssociations[5]: item " + id(1) + " (1.A) has two parents, " + id(0) + " (1.0) (CFAssociations[1]) and " + id(3) + " (2.0): a cmap model is a tree"}},
		{"same parent twice is one link", func(p *casefmt.Package) {
			childOf(p, "a-again", node(p, 1), node(p, 0))
		}, nil},
		{"outside the tree", func(p *casefmt.Package) {
			p.CFAssociations = p.CFAssociations[:4] // 2.A loses its parent
		}, []string{"CFItems[4]: item " + id(4) + " (2.A) is not in the tree: no isChildOf association makes it a child of the CFDocument or of an item"}},
		{"duplicate identifier", func(p *casefmt.Package) {
			p.CFItems = append(p.CFItems, p.CFItems[2])
		}, []string{"CFItems[5].identifier: item " + id(2) + " appears twice in CFItems: also at CFItems[2]"}},
		{"several at once", func(p *casefmt.Package) {
			p.CFItems[2].Identifier = ""
			p.CFAssociations[0].DestinationNodeURI = node(p, 1)
		}, []string{
			`CFItems[2]: item "" (1.B) has no identifier`,
			"CFAssociations[2].originNodeURI: isChildOf association " + p0(2) + ": its child " + id(2) + " is not an item of the package",
			"CFAssociations[0]: isChildOf associations make a cycle: " + id(0) + " (1.0) is a child of " + id(1) + " (1.A), back to the first",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := casefmt.Build(small(), casefmt.Options{})
			if err != nil {
				t.Fatal(err)
			}
			tt.spoil(p)
			_, err = p.Framework()
			var got []string
			if err != nil {
				got = strings.Split(err.Error(), "\n")
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

// ids of small()'s export, by item and association index.
var smallPackage, _ = casefmt.Build(small(), casefmt.Options{})

func id(i int) string { return smallPackage.CFItems[i].Identifier }
func p0(i int) string { return smallPackage.CFAssociations[i].Identifier }

// Codes come from humanCodingScheme when they all fit, and are made up by
// position (all of them) when one does not; a competency of more than 26
// sub-competencies cannot be numbered so.
func TestFrameworkCodes(t *testing.T) {
	p, _ := casefmt.Build(small(), casefmt.Options{})
	p.CFItems[4].HumanCodingScheme = "1.C" // 2.A renamed into competency 1.0
	r, err := p.Framework()
	if err != nil {
		t.Fatal(err)
	}
	if r.Renumbered == nil || r.Renumbered.Error() != "CFItems[4].humanCodingScheme: item "+id(4)+`: "1.C" is not a sub-competency code of 2.0 (2.A)` {
		t.Errorf("renumbered: %v", r.Renumbered)
	}
	if got := r.Framework.SubCompetencyCodes(); strings.Join(got, " ") != "1.A 1.B 2.A" {
		t.Errorf("codes %v", got)
	}

	p, _ = casefmt.Build(small(), casefmt.Options{})
	p.CFItems[0].HumanCodingScheme = "DOM-1"
	for i := range 27 {
		it := casefmt.Item{Identifier: fmt.Sprintf("00000000-0000-4000-8000-%012d", i), HumanCodingScheme: fmt.Sprintf("T%d", i), FullStatement: "Task."}
		p.CFItems = append(p.CFItems, it)
		childOf(p, "x", casefmt.LinkGenURI{Identifier: it.Identifier}, node(p, 0))
	}
	_, err = p.Framework()
	// 1.0 keeps 1.A and 1.B: T24, at CFItems[29], is its 27th.
	want := "CFItems[29]: item 00000000-0000-4000-8000-000000000024 (T24) is sub-competency 27 of the 29 of " + id(0) + " (DOM-1): without codes from humanCodingScheme, a competency holds at most 26 (A to Z)"
	if err == nil || err.Error() != want {
		t.Errorf("error:\n%v\nwant\n%s", err, want)
	}
}

// A competency without an abbreviated statement takes its full statement
// as title, cut at a word to the longest title allowed when it is longer,
// and then keeps the whole of it as description.
func TestFrameworkTitles(t *testing.T) {
	p, _ := casefmt.Build(small(), casefmt.Options{})
	p.CFItems[0].AbbreviatedStatement = ""
	p.CFItems[0].FullStatement = "  Short enough. "
	long := strings.Repeat("word ", domain.MaxName/5) + "end"
	p.CFItems[3].AbbreviatedStatement = ""
	p.CFItems[3].FullStatement = long
	r, err := p.Framework()
	if err != nil {
		t.Fatal(err)
	}
	one, two := r.Framework.Competencies[0], r.Framework.Competencies[1]
	if one.Title != "Short enough." || one.Description != "" {
		t.Errorf("1.0: %q, %q", one.Title, one.Description)
	}
	wantTitle := strings.TrimSpace(strings.Repeat("word ", domain.MaxName/5-1)) + "…"
	if two.Title != wantTitle || two.Description != long {
		t.Errorf("2.0: title %q (%d characters), description %q", two.Title, len([]rune(two.Title)), two.Description)
	}
}
