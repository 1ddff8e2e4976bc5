// Package tabular is the tabular layout of the catalogue: the columns of
// each kind of record (courses, positions, people, completions) as the
// seeds folder's CSV files have them, the form of list cells and dates,
// and the quoting that keeps a cell from being taken for a spreadsheet
// formula. The seeds reader (package seed), the exports (package export)
// and imports (package importer) all take the layout from here, so that a
// file cmap exports reads back unchanged.
//
// It imports only the standard library, so that the exports link neither
// the YAML reader nor the rules engine.
package tabular
