package modelfile

import (
	"cmap/domain"
	"errors"
	"strings"

	"cmap/casefmt"
	"cmap/diag"
)

// isCASE reports whether a .json model file is a CASE CFPackage: its name
// ends in .case.json, or it is a JSON object with a CFDocument.
func isCASE(name string, data []byte) bool {
	return strings.HasSuffix(strings.ToLower(name), ".case.json") || casefmt.IsPackage(data)
}

// ReadCASE reads a competency model from a CASE 1.1 (or 1.0) CFPackage in
// JSON, as package casefmt maps it: the isChildOf tree of the items makes
// the competencies and their sub-competencies. Syntax errors and values of
// the wrong type are errors at their file:line:col, and so is each shape a
// two-level model cannot hold, with the JSON path of the offending value
// and the identifier of the item.
func ReadCASE(name string, data []byte) (*domain.Framework, error) {
	fw, _, _, err := readCASE(name, data)
	return fw, err
}

// readCASE is ReadCASE that also returns, with the model, where each field
// path of the model stands in data, and a suspicion when the codes were
// made up by position rather than taken from the items.
func readCASE(name string, data []byte) (*domain.Framework, func(field string) diag.Pos, diag.List, error) {
	p, err := casefmt.Decode(data)
	if err != nil {
		return nil, nil, nil, diag.List{jsonDiagnostic(name, data, err)}
	}
	idx := indexJSON(data)
	at := func(path string) diag.Pos {
		for f := path; f != ""; f = diag.ParentField(f) {
			if off, ok := idx.values[f]; ok {
				return offsetPos(name, data, off)
			}
		}
		return diag.Pos{File: name}
	}
	if !casefmt.IsPackage(data) {
		return nil, nil, nil, diag.List{diag.Errorf(offsetPos(name, data, 0), "not a CASE CFPackage: the JSON object has no CFDocument")}
	}
	r, err := p.Framework()
	if err != nil {
		var probs casefmt.Problems
		if !errors.As(err, &probs) {
			return nil, nil, nil, err
		}
		var l diag.List
		for _, e := range probs {
			l.Add(at(e.Field), "%s", e.Error())
		}
		return nil, nil, nil, l.Sort()
	}
	locate := func(field string) diag.Pos {
		for f := field; f != ""; f = diag.ParentField(f) {
			if path, ok := r.Paths[f]; ok {
				if f != field && strings.HasSuffix(field, ".statement") {
					path += ".fullStatement"
				}
				return at(path)
			}
		}
		return diag.Pos{File: name}
	}
	var notes diag.List
	if e := r.Renumbered; e != nil {
		notes.Add(at(e.Field), "codes made up by position (1.0, 1.A, ...) for every item, because the package's do not fit: %s", e.Message)
	}
	return r.Framework, locate, notes, nil
}
