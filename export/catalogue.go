package export

import (
	"bytes"
	"cmap/domain"
	"cmap/tabular"
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"cmap/analysis"
)

// catalogueKinds are the kinds of the catalogue export, in the order of
// tabular.Tables, whose names they are.
var catalogueKinds = []Kind{KindCourses, KindPositions, KindPeople, KindCompletions}

// layoutOf returns the tabular layout of a catalogue kind.
func layoutOf(k Kind) tabular.Table {
	for _, t := range tabular.Tables {
		if t.Name == string(k) {
			return t
		}
	}
	panic(fmt.Sprintf("export: no layout of %q in tabular.Tables", k))
}

// catalogueRecords returns the records of kind k in ix, each as its
// values in the columns' order of its layout: a string, a float64 (hours),
// a bool (key_billet), a time.Time (completed) or a []string (a list).
// Courses, positions and people come by key; completions by person, then
// date, then course.
func catalogueRecords(ix *analysis.Index, k Kind) [][]any {
	var out [][]any
	switch k {
	case KindCourses:
		list, _ := ix.Courses(domain.CourseFilter{}, domain.Page{})
		for _, c := range list.Items {
			out = append(out, []any{c.Code, c.Title, c.Description, c.Objectives, c.Topics, c.Hours,
				c.DeliveryMode, c.Provider, c.Status, c.Prerequisites})
		}
	case KindPositions:
		list, _ := ix.Positions(domain.PositionFilter{}, domain.Page{})
		for _, p := range list.Items {
			out = append(out, []any{p.ID, p.Title, p.Organization, p.Grade, p.Category, p.KeyBillet, p.Region})
		}
	case KindPeople:
		list, _ := ix.People(domain.PersonFilter{}, domain.Page{})
		for _, p := range list.Items {
			out = append(out, []any{p.ID, p.Name, p.PositionID})
		}
	case KindCompletions:
		list, _ := ix.People(domain.PersonFilter{}, domain.Page{})
		for _, p := range list.Items {
			done := slices.SortedFunc(slices.Values(p.Completions), func(a, b domain.Completion) int {
				return cmp.Or(a.Completed.Compare(b.Completed), cmp.Compare(a.CourseCode, b.CourseCode))
			})
			for _, c := range done {
				out = append(out, []any{p.ID, c.CourseCode, c.Completed.UTC()})
			}
		}
	}
	return out
}

// catalogueTable returns the records of kind k as a table in its layout.
// A list item that a cell of one item a line cannot keep is an error
// naming the record and the item.
func catalogueTable(ix *analysis.Index, k Kind) (*table, error) {
	layout := layoutOf(k)
	t := &table{name: layout.Name, header: layout.Columns, freezeColumns: 1}
	for _, rec := range catalogueRecords(ix, k) {
		row := make([]cell, len(rec))
		for i, v := range rec {
			switch v := v.(type) {
			case string:
				row[i] = textOf(v)
			case float64:
				row[i] = numberOf(v)
			case bool:
				row[i] = boolOf(v)
			case time.Time:
				row[i] = dateOf(v)
			case []string:
				s, err := tabular.JoinList(layout.Columns[i], v)
				if err != nil {
					return nil, domain.Invalid("format", "%s %s: %v; export the %s as json", layout.Name, rec[0], err, layout.Name)
				}
				row[i] = textOf(s)
			}
		}
		t.rows = append(t.rows, row)
	}
	return t, nil
}

// catalogueJSON returns the JSON document of the kinds: an object with a
// list of each kind under its name, each record an object whose fields
// are its layout's columns, in order, lists as arrays and dates in
// tabular.DateLayout.
func catalogueJSON(ix *analysis.Index, kinds []Kind) orderedObject {
	doc := make(orderedObject, len(kinds))
	for i, k := range kinds {
		layout := layoutOf(k)
		records := catalogueRecords(ix, k)
		list := make([]orderedObject, len(records))
		for j, rec := range records {
			obj := make(orderedObject, len(rec))
			for c, v := range rec {
				switch x := v.(type) {
				case time.Time:
					v = x.Format(tabular.DateLayout)
				case []string:
					v = nonNil(x)
				}
				obj[c] = field{layout.Columns[c], v}
			}
			list[j] = obj
		}
		doc[i] = field{layout.Name, list}
	}
	return doc
}

// orderedObject is a JSON object whose fields keep their order.
type orderedObject []field

// field is one field of an orderedObject.
type field struct {
	key   string
	value any
}

// MarshalJSON writes the fields in order.
func (o orderedObject) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, f := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		key, err := json.Marshal(f.key)
		if err != nil {
			return nil, err
		}
		value, err := json.Marshal(f.value)
		if err != nil {
			return nil, err
		}
		b.Write(key)
		b.WriteByte(':')
		b.Write(value)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}
