package modeldiff

import (
	"fmt"
	"io"
	"strings"
)

// Summary is the diff in one line: "1 added, 0 removed, ...".
func (d *Diff) Summary() string {
	count := map[string]int{}
	for _, m := range d.Mappings {
		count[m.Change]++
	}
	s := fmt.Sprintf("%d added, %d removed, %d renamed, %d reworded, %d moved, %d split, %d merged, %d retired",
		len(d.Added), len(d.Removed), len(d.Renamed), len(d.Reworded), count[Moved], count[Split], count[Merged], count[Retired])
	if len(d.Suggested) > 0 {
		s += fmt.Sprintf("; %d suggested %s", len(d.Suggested), map[bool]string{true: "move", false: "moves"}[len(d.Suggested) == 1])
	}
	return s
}

// suggestionNote heads the suggestions in every format.
const suggestionNote = "suggested moves (a guess from similar text, not a crosswalk: confirm each and write it into one)"

// heading returns "model diff: OLD -> NEW" with the crosswalk, if any.
func (d *Diff) heading() string {
	h := fmt.Sprintf("%s -> %s", d.Old, d.New)
	if d.Crosswalk != "" {
		h += fmt.Sprintf(" (crosswalk %s)", d.Crosswalk)
	}
	return h
}

// codes returns the codes of items joined by ", ".
func codes(items []Item) string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.Code
	}
	return strings.Join(out, ", ")
}

// WriteText writes the diff for a terminal.
func (d *Diff) WriteText(w io.Writer) {
	fmt.Fprintf(w, "model diff: %s\n%s\n", d.heading(), d.Summary())
	section := func(title string, n int, each func(i int)) {
		if n == 0 {
			return
		}
		fmt.Fprintf(w, "\n%s:\n", title)
		for i := range n {
			each(i)
		}
	}
	section("renamed (same code, new title)", len(d.Renamed), func(i int) {
		c := d.Renamed[i]
		fmt.Fprintf(w, "  %s  %q -> %q\n", c.Code, c.Old, c.New)
	})
	section("reworded (same code, new text)", len(d.Reworded), func(i int) {
		c := d.Reworded[i]
		fmt.Fprintf(w, "  %s %s\n    - %s\n    + %s\n", c.Code, c.Field, c.Old, c.New)
	})
	section("added", len(d.Added), func(i int) {
		fmt.Fprintf(w, "  + %s  %s\n", d.Added[i].Code, d.Added[i].Text)
	})
	section("removed (no crosswalk entry)", len(d.Removed), func(i int) {
		fmt.Fprintf(w, "  - %s  %s\n", d.Removed[i].Code, d.Removed[i].Text)
	})
	section("crosswalk", len(d.Mappings), func(i int) {
		m := d.Mappings[i]
		to := codes(m.New)
		if m.Change == Retired {
			to = "(none)"
		}
		fmt.Fprintf(w, "  %-7s %s -> %s\n", m.Change, codes(m.Old), to)
	})
	section(suggestionNote, len(d.Suggested), func(i int) {
		s := d.Suggested[i]
		fmt.Fprintf(w, "  %s -> %s  (%.0f%% of the words alike)\n", s.Old.Code, s.New.Code, 100*s.Similarity)
	})
}

// WriteMarkdown writes the diff as Markdown, for a pull request or a
// change note.
func (d *Diff) WriteMarkdown(w io.Writer) {
	fmt.Fprintf(w, "## Model diff\n\n%s\n\n**%s**\n", md(d.heading()), md(d.Summary()))
	table := func(title string, head []string, rows [][]string) {
		if len(rows) == 0 {
			return
		}
		fmt.Fprintf(w, "\n### %s\n\n| %s |\n|%s\n", title, strings.Join(head, " | "), strings.Repeat(" --- |", len(head)))
		for _, r := range rows {
			for i := range r {
				r[i] = md(r[i])
			}
			fmt.Fprintf(w, "| %s |\n", strings.Join(r, " | "))
		}
	}
	var rows [][]string
	for _, c := range d.Renamed {
		rows = append(rows, []string{c.Code, c.Old, c.New})
	}
	table("Renamed (same code, new title)", []string{"code", "old title", "new title"}, rows)
	rows = nil
	for _, c := range d.Reworded {
		rows = append(rows, []string{c.Code, c.Field, c.Old, c.New})
	}
	table("Reworded (same code, new text)", []string{"code", "field", "old", "new"}, rows)
	rows = nil
	for _, it := range d.Added {
		rows = append(rows, []string{it.Code, it.Kind, it.Text})
	}
	table("Added", []string{"code", "kind", "text"}, rows)
	rows = nil
	for _, it := range d.Removed {
		rows = append(rows, []string{it.Code, it.Kind, it.Text})
	}
	table("Removed (no crosswalk entry)", []string{"code", "kind", "text"}, rows)
	rows = nil
	for _, m := range d.Mappings {
		rows = append(rows, []string{m.Change, codes(m.Old), codes(m.New)})
	}
	table("Crosswalk", []string{"change", "old", "new"}, rows)
	rows = nil
	for _, s := range d.Suggested {
		rows = append(rows, []string{s.Old.Code, s.New.Code, fmt.Sprintf("%.0f%%", 100*s.Similarity)})
	}
	table(strings.ToUpper(suggestionNote[:1])+suggestionNote[1:], []string{"old", "new", "words alike"}, rows)
}

// md escapes the characters Markdown would read as formatting.
func md(s string) string {
	return strings.NewReplacer(`\`, `\\`, "*", `\*`, "_", `\_`, "`", "\\`", "|", `\|`, "[", `\[`, "]", `\]`, "<", "&lt;").Replace(s)
}
