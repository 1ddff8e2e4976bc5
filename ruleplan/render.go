package ruleplan

import (
	"fmt"
	"io"
	"strconv"
	"strings"
)

// RenderOptions choose what a rendering of a plan shows.
type RenderOptions struct {
	// People lists every person whose readiness changes; without it the
	// rendering counts them.
	People bool
}

// Summary returns one line on what the plan changes.
func (p *Plan) Summary() string {
	if !p.Changed() {
		return "no fact changes"
	}
	n := map[Change]int{}
	for _, f := range p.Facts {
		n[f.Change]++
	}
	return fmt.Sprintf("%s change (%d added, %d removed, %d changed level); %s change readiness",
		count(len(p.Facts), "fact"), n[Added], n[Removed], n[Changed], count(p.People.Total(), "person"))
}

// count returns "1 fact", "2 facts"; person becomes people.
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	if noun == "person" {
		return strconv.Itoa(n) + " people"
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// String describes one side of the plan for a heading.
func (s SetInfo) String() string {
	if s.Source == "" {
		return fmt.Sprintf("revision %s (%s)", s.Revision, count(s.Rules, "rule"))
	}
	return fmt.Sprintf("%s (revision %s, %s)", s.Source, s.Revision, count(s.Rules, "rule"))
}

// level spells a level for a reader, "none" for no level.
func level(l string) string {
	if l == "" {
		return "none"
	}
	return l
}

// arrow returns "before -> after" of two levels.
func arrow(before, after string) string { return level(before) + " -> " + level(after) }

// where returns file:line.
func where(file string, line int) string { return fmt.Sprintf("%s:%d", file, line) }

// subject names the subject of a fact: "course SCM-201".
func (f FactChange) subject() string { return string(f.Kind) + " " + f.Subject }

// sign marks a fact change: + added, - removed, ~ changed.
func (f FactChange) sign() string {
	switch f.Change {
	case Added:
		return "+"
	case Removed:
		return "-"
	}
	return "~"
}

// readiness spells a person's readiness.
func readiness(ready bool) string {
	if ready {
		return "ready"
	}
	return "not ready"
}

// String spells how a person's gap changes: "7.A: none -> Intermediate
// (attained Basic)".
func (g GapChange) String() string {
	side := func(required, attained string) string {
		if required == "" {
			return "none"
		}
		return fmt.Sprintf("%s (attained %s)", required, level(attained))
	}
	return fmt.Sprintf("%s: %s -> %s", g.SubCompetency, side(g.RequiredBefore, g.AttainedBefore), side(g.RequiredAfter, g.AttainedAfter))
}

func gapsText(gs []GapChange) string {
	parts := make([]string, len(gs))
	for i, g := range gs {
		parts[i] = g.String()
	}
	return strings.Join(parts, ", ")
}

func share(f float64) string { return strconv.FormatFloat(f*100, 'f', 1, 64) + "%" }

func (c LevelChange) String() string { return c.SubCompetency + " " + arrow(c.Before, c.After) }

func levelChanges(cs []LevelChange) string {
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = c.String()
	}
	return strings.Join(parts, ", ")
}

// direction spells a demand change's direction.
func (d DemandChange) direction() string {
	if d.Change == Added {
		return "gained"
	}
	return "lost"
}

// WriteText writes the plan for a terminal.
func (p *Plan) WriteText(w io.Writer, o RenderOptions) {
	fmt.Fprintf(w, "plan: %s -> %s\n", p.Base, p.Head)
	fmt.Fprintln(w, p.Summary())
	if p.ScaleChanged {
		fmt.Fprintln(w, "the proficiency scale changes")
	}
	if len(p.Rules) > 0 {
		fmt.Fprintln(w, "\nrules:")
		for _, r := range p.Rules {
			fmt.Fprintf(w, "  %s %s rule %s (%s)", r.Change, r.Kind, r.ID, where(r.File, r.Line))
			if len(r.Facts) == 0 {
				fmt.Fprintln(w, ": no fact changes")
				continue
			}
			fmt.Fprintln(w)
			for _, f := range r.Facts {
				fmt.Fprintf(w, "    %s %s %s %s\n", f.sign(), f.subject(), f.SubCompetency, arrow(f.Before, f.After))
			}
		}
	}
	if len(p.Unattributed) > 0 {
		fmt.Fprintln(w, "\nfact changes no changed rule explains:")
		for _, f := range p.Unattributed {
			fmt.Fprintf(w, "  %s %s %s %s\n", f.sign(), f.subject(), f.SubCompetency, arrow(f.Before, f.After))
		}
	}
	if len(p.Gaps) > 0 {
		fmt.Fprintln(w, "\ngaps (no active course at the level or above):")
		for _, g := range p.Gaps {
			var parts []string
			if len(g.Opened) > 0 {
				parts = append(parts, "opened "+strings.Join(g.Opened, ", "))
			}
			if len(g.Closed) > 0 {
				parts = append(parts, "closed "+strings.Join(g.Closed, ", "))
			}
			fmt.Fprintf(w, "  %s: %s\n", g.Level, strings.Join(parts, "; "))
		}
	}
	if len(p.Demand) > 0 {
		fmt.Fprintln(w, "\nblocking demand (positions require a level no active course reaches):")
		for _, d := range p.Demand {
			fmt.Fprintf(w, "  %s %s %s (%s before, %d after)\n", d.direction(), d.SubCompetency, d.Level,
				count(d.PositionsBefore, "position"), d.PositionsAfter)
		}
	}
	if len(p.Positions) > 0 {
		fmt.Fprintf(w, "\npositions whose requirements change: %d\n", len(p.Positions))
		for _, pc := range p.Positions {
			fmt.Fprintf(w, "  %s %s (%s): %s\n", pc.Position, pc.Title, count(pc.Holders, "holder"), levelChanges(pc.Changes))
		}
	}
	if pc := p.People; pc.Total() > 0 {
		fmt.Fprintf(w, "\npeople whose readiness changes: %d (%d become ready, %d become not ready, %d other gaps)\n",
			pc.Total(), pc.BecomeReady, pc.BecomeUnready, pc.OtherGaps)
		if o.People {
			for _, c := range pc.Changes {
				fmt.Fprintf(w, "  %s %s (%s): %s -> %s; gaps %s\n", c.Person, c.Name, c.Position,
					readiness(c.ReadyBefore), readiness(c.ReadyAfter), gapsText(c.Gaps))
			}
		}
	}
	if len(p.Organizations) > 0 {
		fmt.Fprintln(w, "\norganizations whose ready share moves:")
		for _, c := range p.Organizations {
			fmt.Fprintf(w, "  %s: %d of %d ready (%s) -> %d (%s)\n", c.Organization, c.ReadyBefore, c.People, share(c.ShareBefore), c.ReadyAfter, share(c.ShareAfter))
		}
	}
	if p.RunErrors != "" {
		fmt.Fprintf(w, "\nrules that failed at run time (their other facts stand):\n%s\n", p.RunErrors)
	}
}

// WriteMarkdown writes the plan as Markdown tables, to paste in a review.
func (p *Plan) WriteMarkdown(w io.Writer, o RenderOptions) {
	fmt.Fprintf(w, "## Rule plan\n\n%s → %s\n\n**%s**\n", md(p.Base.String()), md(p.Head.String()), md(p.Summary()))
	if p.ScaleChanged {
		fmt.Fprintln(w, "\nThe proficiency scale changes.")
	}
	if len(p.Rules) > 0 {
		fmt.Fprintln(w, "\n### Rules")
		t := table{"rule", "change", "where", "fact", "sub-competency", "before", "after"}
		var rows [][]string
		for _, r := range p.Rules {
			head := []string{code(r.ID), string(r.Change) + " " + string(r.Kind) + " rule", code(where(r.File, r.Line))}
			if len(r.Facts) == 0 {
				rows = append(rows, append(head, "no fact changes", "", "", ""))
			}
			for _, f := range r.Facts {
				rows = append(rows, append(head[:3:3], f.subject(), f.SubCompetency, level(f.Before), level(f.After)))
			}
		}
		t.write(w, rows)
	}
	if len(p.Unattributed) > 0 {
		fmt.Fprintln(w, "\n### Fact changes no changed rule explains")
		var rows [][]string
		for _, f := range p.Unattributed {
			rows = append(rows, []string{f.subject(), f.SubCompetency, level(f.Before), level(f.After)})
		}
		table{"fact", "sub-competency", "before", "after"}.write(w, rows)
	}
	if len(p.Gaps) > 0 {
		fmt.Fprintln(w, "\n### Gaps\n\nSub-competencies no active course teaches at the level or above.")
		var rows [][]string
		for _, g := range p.Gaps {
			rows = append(rows, []string{g.Level, strings.Join(g.Opened, ", "), strings.Join(g.Closed, ", ")})
		}
		table{"level", "opened", "closed"}.write(w, rows)
	}
	if len(p.Demand) > 0 {
		fmt.Fprintln(w, "\n### Blocking demand\n\nPositions require a level no active course reaches.")
		var rows [][]string
		for _, d := range p.Demand {
			rows = append(rows, []string{d.SubCompetency, d.Level, d.direction(), strconv.Itoa(d.PositionsBefore), strconv.Itoa(d.PositionsAfter)})
		}
		table{"sub-competency", "level", "blocking", "positions before", "positions after"}.write(w, rows)
	}
	if len(p.Positions) > 0 {
		fmt.Fprintln(w, "\n### Positions whose requirements change")
		var rows [][]string
		for _, pc := range p.Positions {
			rows = append(rows, []string{pc.Position, md(pc.Title), strconv.Itoa(pc.Holders), levelChanges(pc.Changes)})
		}
		table{"position", "title", "holders", "changes"}.write(w, rows)
	}
	if pc := p.People; pc.Total() > 0 {
		fmt.Fprintln(w, "\n### People whose readiness changes")
		table{"become ready", "become not ready", "other gaps", "total"}.write(w, [][]string{{
			strconv.Itoa(pc.BecomeReady), strconv.Itoa(pc.BecomeUnready), strconv.Itoa(pc.OtherGaps), strconv.Itoa(pc.Total())}})
		if o.People {
			var rows [][]string
			for _, c := range pc.Changes {
				rows = append(rows, []string{c.Person, md(c.Name), c.Position, readiness(c.ReadyBefore), readiness(c.ReadyAfter), gapsText(c.Gaps)})
			}
			table{"person", "name", "position", "before", "after", "gaps (required, attained)"}.write(w, rows)
		}
	}
	if len(p.Organizations) > 0 {
		fmt.Fprintln(w, "\n### Organizations whose ready share moves")
		var rows [][]string
		for _, c := range p.Organizations {
			rows = append(rows, []string{md(c.Organization), strconv.Itoa(c.People), strconv.Itoa(c.ReadyBefore), strconv.Itoa(c.ReadyAfter), share(c.ShareBefore), share(c.ShareAfter)})
		}
		table{"organization", "people", "ready before", "ready after", "share before", "share after"}.write(w, rows)
	}
	if p.RunErrors != "" {
		fmt.Fprintf(w, "\n### Rules that failed at run time\n\n```\n%s\n```\n", p.RunErrors)
	}
}

// table is the header of a Markdown table.
type table []string

// write writes the table with rows, each cell escaped.
func (t table) write(w io.Writer, rows [][]string) {
	fmt.Fprintln(w)
	writeRow(w, t)
	sep := make([]string, len(t))
	for i := range sep {
		sep[i] = "---"
	}
	fmt.Fprintf(w, "|%s|\n", strings.Join(sep, "|"))
	for _, r := range rows {
		writeRow(w, r)
	}
}

func writeRow(w io.Writer, cells []string) {
	escaped := make([]string, len(cells))
	for i, c := range cells {
		escaped[i] = cell(c)
	}
	fmt.Fprintf(w, "| %s |\n", strings.Join(escaped, " | "))
}

// cell escapes a table cell: a pipe would end it, a line break the row.
// Code spans (see code) are kept.
func cell(s string) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	return strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(s)
}

// md escapes the characters Markdown would take for formatting in text
// outside a table.
func md(s string) string {
	return strings.NewReplacer(`\`, `\\`, "*", `\*`, "_", `\_`, "`", "\\`", "[", `\[`, "]", `\]`, "<", "&lt;").Replace(s)
}

// code writes s as a code span.
func code(s string) string { return "`" + strings.ReplaceAll(s, "`", "'") + "`" }
