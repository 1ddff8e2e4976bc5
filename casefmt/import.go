package casefmt

import (
	"cmap/domain"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"cmap/diag"
)

// Decode reads a CFPackage from JSON. Fields cmap does not use are
// ignored, so that packages of any CASE tool read; the errors are
// encoding/json's (syntax, a value of the wrong type).
func Decode(data []byte) (*Package, error) {
	var p Package
	if err := json.Unmarshal(data, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// IsPackage reports whether data is a JSON object with a CFDocument: a
// CFPackage rather than a model in cmap's own JSON shape.
func IsPackage(data []byte) bool {
	var probe struct {
		CFDocument json.RawMessage `json:"CFDocument"`
	}
	return json.Unmarshal(data, &probe) == nil && len(probe.CFDocument) > 0
}

// Problems are the reasons a package does not load as a model, each an
// EINVALID *domain.Error whose Field is the JSON path of the offending
// value in the package ("CFAssociations[12].destinationNodeURI").
type Problems []*domain.Error

// Error lists the problems, one a line, each as "PATH: message".
func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.Error()
	}
	return strings.Join(lines, "\n")
}

func (ps *Problems) add(field, format string, args ...any) {
	*ps = append(*ps, domain.Invalid(field, format, args...))
}

// Result is a package read as a model.
type Result struct {
	// Framework is the model; it passes Validate.
	Framework *domain.Framework
	// Paths maps the field paths of Framework that Validate reports
	// ("name", "competencies[2]", "competencies[2].subCompetencies[0]") to
	// the JSON path of the package value they come from ("CFDocument.title",
	// "CFItems[5]").
	Paths map[string]string
	// Renumbered is nil when the codes are the items' humanCodingScheme;
	// otherwise the codes were made up by position, and it says why: the
	// first item whose humanCodingScheme does not fit, at its JSON path.
	Renumbered *domain.Error
}

// node is an item of the package in the tree.
type node struct {
	index  int    // in CFItems
	parent string // identifier key of the parent; "" for none
	assoc  int    // index in CFAssociations of the isChildOf making the parent
	seq    *int
}

// key normalizes an identifier for matching: UUIDs compare without case.
func key(id string) string { return strings.ToLower(strings.TrimSpace(id)) }

// Framework returns the package as a competency model (see the package
// documentation for the mapping). A package a two-level model cannot hold
// is refused with Problems listing every reason found.
func (p *Package) Framework() (*Result, error) {
	var probs Problems
	doc := key(p.CFDocument.Identifier)
	if doc == "" {
		probs.add("CFDocument.identifier", "the CFDocument has no identifier")
	}
	nodes := map[string]*node{}
	for i, it := range p.CFItems {
		path := fmt.Sprintf("CFItems[%d]", i)
		k := key(it.Identifier)
		switch prev, dup := nodes[k]; {
		case k == "":
			probs.add(path, "item %s has no identifier", describe(it))
		case k == doc:
			probs.add(path+".identifier", "item %s has the identifier of the CFDocument", describe(it))
		case dup:
			probs.add(path+".identifier", "item %s appears twice in CFItems: also at CFItems[%d]", it.Identifier, prev.index)
		default:
			nodes[k] = &node{index: i, assoc: -1}
		}
	}
	itemAt := func(k string) (Item, string) {
		n := nodes[k]
		return p.CFItems[n.index], fmt.Sprintf("CFItems[%d]", n.index)
	}

	for j, a := range p.CFAssociations {
		if a.AssociationType != IsChildOf {
			continue
		}
		path := fmt.Sprintf("CFAssociations[%d]", j)
		child, parent := key(a.OriginNodeURI.Identifier), key(a.DestinationNodeURI.Identifier)
		n, ok := nodes[child]
		if !ok {
			probs.add(path+".originNodeURI", "isChildOf association %s: its child %s is not an item of the package", a.Identifier, quoteID(a.OriginNodeURI.Identifier))
			continue
		}
		if _, ok := nodes[parent]; !ok && parent != doc {
			it, _ := itemAt(child)
			probs.add(path+".destinationNodeURI", "isChildOf association %s: the parent %s of item %s is neither the CFDocument nor an item of the package",
				a.Identifier, quoteID(a.DestinationNodeURI.Identifier), describe(it))
			continue
		}
		switch {
		case n.parent == parent:
			continue // the same link twice
		case n.parent != "":
			it, _ := itemAt(child)
			probs.add(path, "item %s has two parents, %s (CFAssociations[%d]) and %s: a cmap model is a tree",
				describe(it), p.nodeName(n.parent, doc, nodes), n.assoc, p.nodeName(parent, doc, nodes))
			continue
		}
		n.parent, n.assoc, n.seq = parent, j, a.SequenceNumber
	}

	// Place every item: its depth below the document, or why it has none.
	depth := map[string]int{doc: 0}
	reported := map[string]bool{}
	for i, it := range p.CFItems {
		k := key(it.Identifier)
		if n := nodes[k]; n == nil || n.index != i {
			continue
		}
		var chain []string
		onChain := map[string]bool{}
		cur := k
		for {
			if _, ok := depth[cur]; ok {
				break
			}
			if onChain[cur] {
				// A cycle: report it once, at its first item's link.
				cycle := chain[slices.Index(chain, cur):]
				if !reported[cur] {
					names := make([]string, len(cycle))
					first := cycle[0]
					for x, c := range cycle {
						reported[c] = true
						names[x] = p.nodeName(c, doc, nodes)
						if nodes[c].index < nodes[first].index {
							first = c
						}
					}
					probs.add(fmt.Sprintf("CFAssociations[%d]", nodes[first].assoc), "isChildOf associations make a cycle: %s, back to the first",
						strings.Join(names, " is a child of "))
				}
				for _, c := range chain {
					depth[c] = -1
				}
				chain = nil
				break
			}
			onChain[cur] = true
			chain = append(chain, cur)
			if nodes[cur].parent == "" {
				// Outside the tree: report the item at the top.
				it, path := itemAt(cur)
				probs.add(path, "item %s is not in the tree: no isChildOf association makes it a child of the CFDocument or of an item", describe(it))
				for _, c := range chain {
					depth[c] = -1
				}
				chain = nil
				break
			}
			cur = nodes[cur].parent
		}
		for x := len(chain) - 1; x >= 0; x-- {
			c := chain[x]
			d := depth[nodes[c].parent]
			if d < 0 {
				depth[c] = -1
				continue
			}
			depth[c] = d + 1
			if d+1 == 3 {
				it, _ := itemAt(c)
				probs.add(fmt.Sprintf("CFAssociations[%d]", nodes[c].assoc),
					"item %s is three levels deep (a child of %s): a cmap model has two levels, competencies and their sub-competencies",
					describe(it), p.nodeName(nodes[c].parent, doc, nodes))
			}
		}
	}
	if len(probs) > 0 {
		return nil, probs
	}

	// The tree is sound: two levels below the document.
	kids := map[string][]string{}
	for k, n := range nodes {
		kids[n.parent] = append(kids[n.parent], k)
	}
	for _, ks := range kids {
		slices.SortFunc(ks, func(a, b string) int {
			na, nb := nodes[a], nodes[b]
			if (na.seq == nil) != (nb.seq == nil) {
				if na.seq == nil {
					return 1
				}
				return -1
			}
			if na.seq != nil {
				if c := cmp.Compare(*na.seq, *nb.seq); c != 0 {
					return c
				}
			}
			return cmp.Compare(na.index, nb.index)
		})
	}

	r := &Result{Framework: &domain.Framework{Name: strings.TrimSpace(p.CFDocument.Title)}, Paths: map[string]string{"name": "CFDocument.title"}}
	r.Renumbered = p.checkCodes(kids[doc], kids, nodes)
	fw := r.Framework
	for i, ck := range kids[doc] {
		it, path := itemAt(ck)
		c := domain.Competency{Code: strings.TrimSpace(it.HumanCodingScheme)}
		if r.Renumbered != nil {
			c.Code = fmt.Sprintf("%d.0", i+1)
		}
		c.Title, c.Description = titleOf(it)
		field := fmt.Sprintf("competencies[%d]", i)
		r.Paths[field] = path
		for j, sk := range kids[ck] {
			sit, spath := itemAt(sk)
			s := domain.SubCompetency{Code: strings.TrimSpace(sit.HumanCodingScheme), Statement: strings.TrimSpace(sit.FullStatement)}
			if r.Renumbered != nil {
				if j >= 26 {
					if j == 26 {
						probs.add(spath, "item %s is sub-competency 27 of the %d of %s: without codes from humanCodingScheme, a competency holds at most 26 (A to Z)",
							describe(sit), len(kids[ck]), describe(it))
					}
					continue
				}
				s.Code = fmt.Sprintf("%d.%c", i+1, 'A'+j)
			}
			r.Paths[fmt.Sprintf("%s.subCompetencies[%d]", field, j)] = spath
			c.SubCompetencies = append(c.SubCompetencies, s)
		}
		fw.Competencies = append(fw.Competencies, c)
	}
	if len(probs) > 0 {
		return nil, probs
	}
	if err := fw.Validate(); err != nil {
		e, ok := errors.AsType[*domain.Error](err)
		if !ok {
			return nil, err
		}
		for f := e.Field; f != ""; f = diag.ParentField(f) {
			if path, ok := r.Paths[f]; ok {
				msg := e.Message
				if strings.HasPrefix(path, "CFItems[") {
					msg = fmt.Sprintf("item %s: %s", describe(p.CFItems[itemIndex(path)]), msg)
				}
				return nil, Problems{domain.Invalid(path, "%s", msg)}
			}
		}
		return nil, Problems{domain.Invalid("", "%s", e.Message)}
	}
	return r, nil
}

// checkCodes returns nil when the items' humanCodingScheme can be the
// model's codes, and otherwise why not, at the first item that does not
// fit.
func (p *Package) checkCodes(comps []string, kids map[string][]string, nodes map[string]*node) *domain.Error {
	seen := map[string]string{}
	check := func(k, want string, ok func(string) bool) *domain.Error {
		n := nodes[k]
		it := p.CFItems[n.index]
		path := fmt.Sprintf("CFItems[%d].humanCodingScheme", n.index)
		code := strings.TrimSpace(it.HumanCodingScheme)
		switch {
		case code == "":
			return domain.Invalid(path, "item %s has no humanCodingScheme", it.Identifier)
		case !ok(code):
			return domain.Invalid(path, "item %s: %q is not %s", it.Identifier, code, want)
		case seen[code] != "":
			return domain.Invalid(path, "item %s: %q is also the code of item %s", it.Identifier, code, seen[code])
		}
		seen[code] = it.Identifier
		return nil
	}
	for _, ck := range comps {
		if err := check(ck, "a competency code (4.0)", domain.IsCompetencyCode); err != nil {
			return err
		}
		cc := strings.TrimSpace(p.CFItems[nodes[ck].index].HumanCodingScheme)
		for _, sk := range kids[ck] {
			if err := check(sk, "a sub-competency code of "+cc+" ("+strings.TrimSuffix(cc, "0")+"A)", func(s string) bool {
				return domain.IsSubCompetencyCode(s) && domain.CompetencyOf(s) == cc
			}); err != nil {
				return err
			}
		}
	}
	return nil
}

// titleOf returns a competency's title and description from its item: the
// abbreviated statement and the full one, or the full statement alone
// (shortened to engine.MaxName characters at a word, the whole of it then
// the description, when it is longer).
func titleOf(it Item) (title, description string) {
	full := strings.TrimSpace(it.FullStatement)
	title = strings.TrimSpace(it.AbbreviatedStatement)
	if title == "" {
		title = full
		if utf8.RuneCountInString(title) > domain.MaxName {
			r := []rune(title)[:domain.MaxName-1]
			cut := strings.TrimRightFunc(string(r), func(c rune) bool { return c != ' ' })
			if strings.TrimSpace(cut) == "" {
				cut = string(r)
			}
			title = strings.TrimSpace(cut) + "…"
		}
	}
	if full != title {
		description = full
	}
	return title, description
}

// itemIndex returns i of a path "CFItems[i]...".
func itemIndex(path string) int {
	var i int
	fmt.Sscanf(path, "CFItems[%d]", &i)
	return i
}

// describe names an item by identifier and, when it has one, code.
func describe(it Item) string {
	if c := strings.TrimSpace(it.HumanCodingScheme); c != "" {
		return fmt.Sprintf("%s (%s)", quoteID(it.Identifier), c)
	}
	return quoteID(it.Identifier)
}

// quoteID quotes an empty identifier so that it shows.
func quoteID(id string) string {
	if id == "" {
		return `""`
	}
	return id
}

// nodeName names the item or document with identifier key k.
func (p *Package) nodeName(k, doc string, nodes map[string]*node) string {
	if k == doc {
		return "the CFDocument"
	}
	return describe(p.CFItems[nodes[k].index])
}
