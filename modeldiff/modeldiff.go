// Package modeldiff compares two revisions of a competency model: the
// items added and removed, the competencies renamed (same code, new
// title), the items reworded (same code, new description or statement),
// and, with a crosswalk, the codes moved, split, merged and retired. With
// no crosswalk entry for a removed item, it suggests the added item whose
// text is most alike, clearly as a suggestion.
//
// # How items are matched
//
// An item is a competency (4.0) or a sub-competency (4.C). A code in both
// models is the same item, unless the crosswalk maps it elsewhere (then
// the new model's item of that code is a new one that took over a freed
// code, and is listed as added). A crosswalk entry is
//
//   - retired: no new code;
//   - split: more than one new code;
//   - merged: one new code that other entries map to as well (the entry of
//     a code merged into itself, 6.A: 6.A, belongs to the merge);
//   - moved: one new code, another code, that no other entry maps to.
//
// Added items are those of the new model that neither old model nor the
// crosswalk accounts for; removed items those of the old model that the
// new one lacks and the crosswalk does not name.
//
// # Suggestions
//
// Each removed item is paired with the added item of the same kind whose
// text (a competency's title, a sub-competency's statement) is most alike
// by suggest.Similarity, if at least MinSimilarity; best pairs first, each
// item paired once. They are guesses for a person to confirm, written
// into a crosswalk; nothing treats them as moves.
package modeldiff

import (
	"cmap/domain"
	"cmp"
	"slices"

	"cmap/suggest"
)

// MinSimilarity is how alike two texts must be (suggest.Similarity) for a
// removed item and an added one to be suggested as a move.
const MinSimilarity = 0.5

// Item kinds.
const (
	Competency    = "competency"
	SubCompetency = "sub-competency"
)

// Kinds of crosswalk mappings.
const (
	Moved   = "moved"
	Split   = "split"
	Merged  = "merged"
	Retired = "retired"
)

// Item is one competency or sub-competency of a model.
type Item struct {
	Code string `json:"code"`
	Kind string `json:"kind"`
	// Text is a competency's title or a sub-competency's statement.
	Text string `json:"text"`
}

// TextChange is an item whose code stays and whose text changes: a
// competency's title (Field "title"), its description ("description"),
// or a sub-competency's statement ("statement").
type TextChange struct {
	Code  string `json:"code"`
	Kind  string `json:"kind"`
	Field string `json:"field"`
	Old   string `json:"old"`
	New   string `json:"new"`
}

// Mapping is what a crosswalk says of some codes: moved (one old code to
// one new), split (one to several), merged (several to one), retired (one
// to none). Old and New are the items on each side.
type Mapping struct {
	Change string `json:"change"`
	Old    []Item `json:"old"`
	New    []Item `json:"new"`
}

// Suggestion is a removed item and the added item whose text is most alike:
// a likely move that no crosswalk states.
type Suggestion struct {
	Old        Item    `json:"old"`
	New        Item    `json:"new"`
	Similarity float64 `json:"similarity"`
}

// Diff is what changes from one revision of a model to another. Every list
// is in model order (the old model's for removed items and mappings, the
// new one's otherwise); none is nil.
type Diff struct {
	Old       string `json:"old"`
	New       string `json:"new"`
	Crosswalk string `json:"crosswalk,omitempty"`

	Added     []Item       `json:"added"`
	Removed   []Item       `json:"removed"`
	Renamed   []TextChange `json:"renamed"`
	Reworded  []TextChange `json:"reworded"`
	Mappings  []Mapping    `json:"mappings"`
	Suggested []Suggestion `json:"suggested"`
}

// Changed reports whether anything changes.
func (d *Diff) Changed() bool {
	return len(d.Added)+len(d.Removed)+len(d.Renamed)+len(d.Reworded)+len(d.Mappings) > 0
}

// items returns every item of fw in model order, each competency before
// its sub-competencies.
func items(fw *domain.Framework) []Item {
	var out []Item
	for _, c := range fw.Competencies {
		out = append(out, Item{Code: c.Code, Kind: Competency, Text: c.Title})
		for _, s := range c.SubCompetencies {
			out = append(out, Item{Code: s.Code, Kind: SubCompetency, Text: s.Statement})
		}
	}
	return out
}

// Compare returns the diff from model old to model next, with the
// crosswalk cw (nil for none), which is assumed to pass cw.Check. The
// names of the diff's sides are the caller's to set.
func Compare(old, next *domain.Framework, cw domain.Crosswalk) *Diff {
	d := &Diff{Added: []Item{}, Removed: []Item{}, Renamed: []TextChange{}, Reworded: []TextChange{},
		Mappings: []Mapping{}, Suggested: []Suggestion{}}
	oldItems, newItems := items(old), items(next)
	oldBy, newBy := byCode(oldItems), byCode(newItems)

	// Codes the crosswalk maps elsewhere, and the targets it accounts for.
	movedAway := map[string]bool{}
	targets := map[string][]string{} // new code -> old codes mapped to it
	for _, e := range cw {
		if !slices.Contains(e.New, e.Old) {
			movedAway[e.Old] = true
		}
		for _, n := range e.New {
			targets[n] = append(targets[n], e.Old)
		}
	}

	for _, it := range oldItems {
		n, inNew := newBy[it.Code]
		_, mapped := cw.Lookup(it.Code)
		switch {
		case !inNew && !mapped:
			d.Removed = append(d.Removed, it)
		case inNew && !movedAway[it.Code]:
			d.textChanges(old, next, it, n)
		}
	}
	for _, it := range newItems {
		if _, inOld := oldBy[it.Code]; (!inOld || movedAway[it.Code]) && len(targets[it.Code]) == 0 {
			d.Added = append(d.Added, it)
		}
	}
	d.Mappings = mappings(cw, oldItems, oldBy, newBy, targets)
	d.Suggested = suggestions(d.Removed, d.Added)
	return d
}

// byCode indexes items by code.
func byCode(items []Item) map[string]Item {
	m := make(map[string]Item, len(items))
	for _, it := range items {
		m[it.Code] = it
	}
	return m
}

// textChanges adds the changes of title, description or statement of the
// item that keeps its code.
func (d *Diff) textChanges(old, next *domain.Framework, o, n Item) {
	if o.Kind == SubCompetency {
		if o.Text != n.Text {
			d.Reworded = append(d.Reworded, TextChange{Code: o.Code, Kind: o.Kind, Field: "statement", Old: o.Text, New: n.Text})
		}
		return
	}
	if o.Text != n.Text {
		d.Renamed = append(d.Renamed, TextChange{Code: o.Code, Kind: o.Kind, Field: "title", Old: o.Text, New: n.Text})
	}
	if od, nd := old.Competency(o.Code).Description, next.Competency(o.Code).Description; od != nd {
		d.Reworded = append(d.Reworded, TextChange{Code: o.Code, Kind: o.Kind, Field: "description", Old: od, New: nd})
	}
}

// mappings classifies the crosswalk's entries (see the package
// documentation), in the old model's order, a merge at its first old code.
func mappings(cw domain.Crosswalk, oldItems []Item, oldBy, newBy map[string]Item, targets map[string][]string) []Mapping {
	out := []Mapping{}
	merged := map[string]bool{} // new codes whose merge is listed
	for _, it := range oldItems {
		e, ok := cw.Lookup(it.Code)
		if !ok {
			continue
		}
		m := Mapping{Old: []Item{it}}
		for _, n := range e.New {
			m.New = append(m.New, newBy[n])
		}
		switch {
		case len(e.New) == 0:
			m.Change, m.New = Retired, []Item{}
		case len(e.New) > 1:
			m.Change = Split
		case len(targets[e.New[0]]) > 1:
			if merged[e.New[0]] {
				continue
			}
			merged[e.New[0]] = true
			m.Change, m.Old = Merged, nil
			for _, o := range oldItems {
				if slices.Contains(targets[e.New[0]], o.Code) {
					m.Old = append(m.Old, oldBy[o.Code])
				}
			}
		case e.New[0] == it.Code:
			continue // "4.C: 4.C" alone says nothing changes
		default:
			m.Change = Moved
		}
		out = append(out, m)
	}
	return out
}

// suggestions pairs removed items with added ones of the same kind whose
// text is alike, best pairs first, each item once; returned in the order
// of the removed items.
func suggestions(removed, added []Item) []Suggestion {
	var all []Suggestion
	for _, o := range removed {
		for _, n := range added {
			if o.Kind != n.Kind {
				continue
			}
			if s := suggest.Similarity(o.Text, n.Text); s >= MinSimilarity {
				all = append(all, Suggestion{Old: o, New: n, Similarity: s})
			}
		}
	}
	slices.SortStableFunc(all, func(a, b Suggestion) int { return cmp.Compare(b.Similarity, a.Similarity) })
	usedOld, usedNew := map[string]bool{}, map[string]bool{}
	out := []Suggestion{}
	for _, s := range all {
		if usedOld[s.Old.Code] || usedNew[s.New.Code] {
			continue
		}
		usedOld[s.Old.Code], usedNew[s.New.Code] = true, true
		out = append(out, s)
	}
	order := map[string]int{}
	for i, o := range removed {
		order[o.Code] = i
	}
	slices.SortFunc(out, func(a, b Suggestion) int { return order[a.Old.Code] - order[b.Old.Code] })
	return out
}
