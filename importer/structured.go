package importer

import (
	"strings"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"cmap/diag"
	"cmap/yamldiag"
)

// readStructured reads a JSON or YAML file (JSON is read as the YAML it
// is, for positions): a mapping from kinds to lists of records
// ({"courses": [...], "people": [...]}, as courses.yaml has it), or a
// list of records whose kind is the file's name's or its fields'. Each
// record is a mapping from column names (any spelling Normalize folds to
// one) to values; a List column's value is a list.
func readStructured(b *Batch, name string, data []byte, opts Options, diags *diag.List) {
	// go-yaml places some nodes and errors past the end of a line or of
	// the file: keep the diagnostics inside it.
	defer func(first int) {
		for i := first; i < len(*diags); i++ {
			(*diags)[i].Pos = (*diags)[i].Pos.Within(data)
		}
	}(len(*diags))
	file, err := parser.ParseBytes(data, 0)
	if err != nil {
		*diags = append(*diags, yamldiag.Error(name, err))
		return
	}
	if len(file.Docs) == 0 || file.Docs[0].Body == nil {
		diags.Add(diag.Pos{File: name, Line: 1}, "the file is empty; want a mapping from kinds (%s) to lists of records", kindsList())
		return
	}
	if len(file.Docs) > 1 {
		diags.Add(yamldiag.DocumentPos(name, file.Docs[1]), "an import file holds one document, this is the second")
	}
	switch body := unwrap(file.Docs[0].Body).(type) {
	case *ast.SequenceNode:
		kind := kindByName(name)
		if kind == "" {
			kind = kindByColumns(itemKeys(body, opts))
		}
		if kind == "" {
			diags.Add(yamldiag.NodePos(name, body), "cannot tell what the list holds: name the file after its kind, or write a mapping from kinds (%s) to lists", kindsList())
			return
		}
		readList(b, name, kind, body, opts, diags)
	case *ast.MappingNode, *ast.MappingValueNode:
		for _, kv := range pairs(body) {
			key := kv.Key.GetToken().Value
			kind := Kind(Normalize(key))
			if Layout(kind) == nil {
				diags.Add(yamldiag.NodePos(name, kv.Key), "unknown kind %q; the file maps kinds (%s) to lists of records", key, kindsList())
				continue
			}
			switch v := unwrap(kv.Value).(type) {
			case *ast.NullNode:
			case *ast.SequenceNode:
				readList(b, name, kind, v, opts, diags)
			default:
				diags.Add(yamldiag.NodePos(name, kv.Value), "%s must be a list of records", kind)
			}
		}
	default:
		diags.Add(yamldiag.NodePos(name, body), "want a mapping from kinds (%s) to lists of records, or a list of records", kindsList())
	}
}

// readList reads a list of records of kind.
func readList(b *Batch, name string, kind Kind, seq *ast.SequenceNode, opts Options, diags *diag.List) {
	t := &table{kind: kind, at: diag.Pos{File: name}, columns: map[string]bool{}}
	for _, item := range seq.Values {
		m := unwrap(item)
		if _, ok := m.(*ast.MappingNode); !ok {
			if _, ok := m.(*ast.MappingValueNode); !ok {
				diags.Add(yamldiag.NodePos(name, item), "a record of %s must be a mapping of columns (%s)", kind, strings.Join(ColumnNames(kind), ", "))
				continue
			}
		}
		rw := row{pos: yamldiag.NodePos(name, item), cells: map[string]cell{}}
		rw.pos.Col = 0
		good := true
		for _, kv := range pairs(m) {
			key := kv.Key.GetToken().Value
			norm := opts.mapped(kind, Normalize(key))[0]
			switch {
			case norm == Ignore:
				continue
			case columnOf(kind, norm) == nil:
				diags.Add(yamldiag.NodePos(name, kv.Key), "unknown field %q; the %s fields are %s (map another name with --map '%s=field', or leave it out with --map '%s=-')",
					key, kind, strings.Join(ColumnNames(kind), ","), key, key)
				good = false
				continue
			case rw.cells[norm].pos != (diag.Pos{}):
				diags.Add(yamldiag.NodePos(name, kv.Key), "field %q is given twice", key)
				good = false
				continue
			}
			c, ok := valueCell(name, kind, key, kv.Value, diags)
			if !ok {
				good = false
				continue
			}
			rw.cells[norm] = c
			t.columns[norm] = true
		}
		for _, col := range Layout(kind) {
			if _, ok := rw.cells[Normalize(col.Name)]; col.Key && !ok && good {
				diags.Add(yamldiag.NodePos(name, item), "missing field %q, part of the key of %s", col.Name, kind)
				good = false
			}
		}
		if good {
			t.rows = append(t.rows, rw)
		}
	}
	b.tables = append(b.tables, t)
}

// valueCell returns the cell of a field's value: a scalar's text, or a
// list of scalars.
func valueCell(name string, kind Kind, key string, n ast.Node, diags *diag.List) (cell, bool) {
	pos := yamldiag.NodePos(name, n)
	switch v := unwrap(n).(type) {
	case *ast.SequenceNode:
		c := cell{isList: true, list: []string{}, pos: pos}
		for _, it := range v.Values {
			s, ok := scalar(it)
			if !ok {
				diags.Add(yamldiag.NodePos(name, it), "%s: the items of the list must be texts", key)
				return cell{}, false
			}
			c.list = append(c.list, strings.TrimSpace(s))
		}
		return c, true
	default:
		s, ok := scalar(v)
		if !ok {
			diags.Add(pos, "%s: want a value, not a mapping", key)
			return cell{}, false
		}
		return cell{text: strings.TrimSpace(s), pos: pos}, true
	}
}

// scalar returns the text of a scalar node; false for a list or mapping.
func scalar(n ast.Node) (string, bool) {
	switch v := unwrap(n).(type) {
	case *ast.NullNode:
		return "", true
	case *ast.StringNode:
		return v.Value, true
	case *ast.LiteralNode:
		return v.Value.Value, true
	case *ast.SequenceNode, *ast.MappingNode, *ast.MappingValueNode:
		return "", false
	case ast.ScalarNode:
		return v.GetToken().Value, true
	}
	return "", false
}

// unwrap returns the node under tags and anchors.
func unwrap(n ast.Node) ast.Node {
	for {
		switch v := n.(type) {
		case *ast.TagNode:
			n = v.Value
		case *ast.AnchorNode:
			n = v.Value
		default:
			return n
		}
	}
}

// pairs returns the key-value pairs of a mapping node.
func pairs(n ast.Node) []*ast.MappingValueNode {
	switch m := n.(type) {
	case *ast.MappingNode:
		return m.Values
	case *ast.MappingValueNode:
		return []*ast.MappingValueNode{m}
	}
	return nil
}

// itemKeys returns the normalized (and mapped) keys of the first record
// of a list, to tell its kind.
func itemKeys(seq *ast.SequenceNode, opts Options) []string {
	if len(seq.Values) == 0 {
		return nil
	}
	var keys []string
	for _, kv := range pairs(unwrap(seq.Values[0])) {
		keys = append(keys, opts.mapped("", Normalize(kv.Key.GetToken().Value))...)
	}
	return keys
}
