package export

import (
	"fmt"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"cmap/analysis"
)

// legend is the Legend sheet of an analysis workbook: what the workbook
// holds, when and from which rules it was made, with which parameters,
// what each colour and column means.
type legend struct {
	title      string
	parameters [][2]string
	// levels says whether the workbook colours cells by level.
	levels  bool
	columns [][2]string
}

func coverageLegend(m *analysis.Matrix, o Options) *legend {
	status := o.Status
	if status == "" {
		status = "active"
	}
	cells := "every level"
	if m.MinLevel != "" {
		cells = m.MinLevel + " or above"
	}
	return &legend{
		title:      "Coverage matrix: which courses teach each sub-competency, at which level",
		parameters: [][2]string{{"Courses", status}, {"Cells shown", cells}},
		levels:     true,
		columns: [][2]string{
			{"subCompetency", "the sub-competency: one row each, in model order"},
			{"competency", "the competency it belongs to"},
			{"statement", "what the sub-competency asks"},
			{"a course code", "one column per course that has a cell (titles on the Courses sheet): the level at which the course covers the row's sub-competency, empty when it does not"},
			{"<level> courses", "how many of the row's cells are at that level"},
			{"highest", "the highest level of the row's cells; empty when no course covers the row: a gap"},
		},
	}
}

func gapsLegend(reports []*analysis.GapReport) *legend {
	level := "every level of the scale, lowest first: keep one level's rows for the report at that level"
	if l := gapsLevel(reports); l != "" {
		level = l
	}
	return &legend{
		title:      "Gap report: what the active catalogue does not teach, or teaches too often",
		parameters: [][2]string{{"Level", level}, {"Over-served above", fmt.Sprintf("%d active courses", reports[0].OverServedAbove)}},
		levels:     true,
		columns: [][2]string{
			{"kind", GapUncovered + ": no active course teaches the sub-competency at the level or above; " +
				GapOverServed + ": more active courses than the threshold do; " +
				GapCoveringNothing + ": an active course that covers no sub-competency"},
			{"level", "the level the row is about (empty for courses covering nothing, which no level changes, when the report is about every level)"},
			{"subCompetency", "the sub-competency"},
			{"competency", "the competency it belongs to"},
			{"highest", "the highest level any active course reaches; empty when none covers it"},
			{"courses", "how many active courses teach it at the level or above"},
			{"course", "the course covering nothing"},
		},
	}
}

func demandLegend() *legend {
	return &legend{
		title:  "Position demand: how many positions require each sub-competency at each level",
		levels: true,
		columns: [][2]string{
			{"subCompetency", "the sub-competency, one row per level of the scale, lowest first"},
			{"competency", "the competency it belongs to"},
			{"level", "the level"},
			{"exactly", "positions requiring exactly this level"},
			{"atLeast", "positions requiring this level or a higher one"},
			{"meetable", "whether some active course reaches this level"},
			{"blocking", "positions require exactly this level and no active course reaches it: their holders cannot be certified"},
			{"highest", "the highest level any active course reaches; empty when none covers it"},
		},
	}
}

func readinessLegend() *legend {
	return &legend{
		title: "Readiness: what each person attained against what their position requires",
		columns: [][2]string{
			{"id", "the person, one row each, by id"},
			{"name", "the person's name"},
			{"position", "the position the person holds; empty for none"},
			{"organization", "the position's organization"},
			{"hasPosition", "whether the person holds a position; without one there are no requirements and the person is ready"},
			{"ready", "whether the person has no gaps"},
			{"requirements", "how many requirements the position has"},
			{"gapCount", "how many of them the person does not meet"},
			{"gaps", "the gaps in model order, each SUB:REQUIRED<ATTAINED (4.C:Advanced<Basic), or SUB:REQUIRED when nothing is attained"},
		},
	}
}

// addLegend adds the Legend sheet: two columns, a name and what it says.
func (b *workbook) addLegend(l *legend, ix *analysis.Index, o Options) error {
	const name = "Legend"
	if err := b.newSheet(name); err != nil {
		return err
	}
	sw, err := b.f.NewStreamWriter(name)
	if err != nil {
		return err
	}
	if err := sw.SetColWidth(2, 2, 100); err != nil { // the last first, as in addTable
		return err
	}
	if err := sw.SetColWidth(1, 1, 24); err != nil {
		return err
	}
	bold, err := b.boldStyle()
	if err != nil {
		return err
	}
	wrap, err := b.style("wrap", func() *excelize.Style {
		return &excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}}
	})
	if err != nil {
		return err
	}
	var rows [][]any
	add := func(values ...any) { rows = append(rows, values) }
	pair := func(k, v string) {
		add(excelize.Cell{StyleID: bold, Value: k}, excelize.Cell{StyleID: wrap, Value: v})
	}
	add(excelize.Cell{StyleID: bold, Value: l.title})
	add()
	if !o.Made.IsZero() {
		pair("Made", o.Made.UTC().Format(time.RFC3339))
	}
	if o.Rules != nil {
		pair("Rules", describeRules(o.Rules))
	}
	if fw := ix.Framework(); fw != nil {
		pair("Model", fw.Name)
	}
	scale := ix.Scale()
	pair("Scale", fmt.Sprintf("%s: %s, lowest first", scale.Name, strings.Join(scale.Levels, ", ")))
	for _, p := range l.parameters {
		pair(p[0], p[1])
	}
	if l.levels {
		add()
		add(excelize.Cell{StyleID: bold, Value: "Level colours"},
			excelize.Cell{StyleID: wrap, Value: "as on the coverage page (/coverage): the viridis ramp, light for the lowest level to dark for the highest, " +
				"read in the same order with the common forms of colour blindness; every coloured cell also holds the level's name, so colour is never the only cue"})
		for i, level := range scale.Levels {
			style, err := b.levelStyle(level)
			if err != nil {
				return err
			}
			rank := fmt.Sprintf("level %d of %d", i+1, len(scale.Levels))
			switch {
			case len(scale.Levels) == 1:
			case i == 0:
				rank += ", the lowest"
			case i == len(scale.Levels)-1:
				rank += ", the highest"
			}
			add(excelize.Cell{StyleID: style, Value: level}, excelize.Cell{StyleID: wrap, Value: rank + "; background " + b.levels[level].background})
		}
	}
	add()
	add(excelize.Cell{StyleID: bold, Value: "Columns"})
	for _, c := range l.columns {
		pair(c[0], c[1])
	}
	for i, r := range rows {
		ref, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := sw.SetRow(ref, r); err != nil {
			return err
		}
	}
	return sw.Flush()
}
