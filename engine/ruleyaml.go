package engine

import (
	"fmt"
	"strings"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"

	"cmap/diag"
	"cmap/yamldiag"
)

// yamlFile is one YAML source being read: it collects diagnostics with
// caret snippets, at the positions yamldiag gives nodes and errors, and
// maps a scalar's value back to its source runes (sourceMap). go-yaml's
// columns count runes, as diag's do.
type yamlFile struct {
	name  string
	src   []byte
	runes []rune
	// lineStart[i] is the index in runes of the first rune of line i+1.
	lineStart []int
	diags     diag.List
}

func newYAMLFile(name string, src []byte) *yamlFile {
	f := &yamlFile{name: name, src: src, runes: []rune(string(src)), lineStart: []int{0}}
	for i, r := range f.runes {
		if r == '\n' {
			f.lineStart = append(f.lineStart, i+1)
		}
	}
	return f
}

// parse parses the file into its first document's body, reporting a
// syntax error; it returns nil for an empty file or on error.
func (f *yamlFile) parse() ast.Node {
	file, err := parser.ParseBytes(f.src, 0)
	if err != nil {
		d := yamldiag.Error(f.name, err)
		if d.Line == 0 {
			d.Line, d.Col = 1, 1
		}
		f.add(d.Pos, "YAML: %s", d.Message)
		return nil
	}
	if len(file.Docs) == 0 {
		return nil
	}
	if len(file.Docs) > 1 {
		f.add(yamldiag.DocumentPos(f.name, file.Docs[1]), "a rule file holds one YAML document")
	}
	return file.Docs[0].Body
}

// nodePos returns the position of a node: the first character of a
// scalar, the first key of a block mapping.
func (f *yamlFile) nodePos(n ast.Node) diag.Pos {
	return yamldiag.NodePos(f.name, n)
}

// add reports a problem at pos (kept inside the file: see diag.Pos.Within).
func (f *yamlFile) add(pos diag.Pos, format string, args ...any) {
	f.diags = append(f.diags, diag.Errorf(pos.Within(f.src), format, args...).WithSnippet(f.src))
}

func (f *yamlFile) nodeErrorf(n ast.Node, format string, args ...any) {
	f.add(f.nodePos(n), format, args...)
}

// mapping returns the entries of n if it is a mapping; otherwise it
// reports that what should be one.
func (f *yamlFile) mapping(n ast.Node, what string) ([]*ast.MappingValueNode, bool) {
	switch m := n.(type) {
	case *ast.MappingNode:
		return m.Values, true
	case *ast.MappingValueNode:
		return []*ast.MappingValueNode{m}, true
	case *ast.CommentGroupNode:
		return nil, false
	}
	f.nodeErrorf(n, "%s must be a mapping", what)
	return nil, false
}

// sequence returns the items of n if it is a sequence.
func (f *yamlFile) sequence(n ast.Node, what string) ([]ast.Node, bool) {
	if s, ok := n.(*ast.SequenceNode); ok {
		return s.Values, true
	}
	f.nodeErrorf(n, "%s must be a list", what)
	return nil, false
}

// keyOf returns the text of a mapping entry's key.
func keyOf(mv *ast.MappingValueNode) string {
	s, _ := scalar(mv.Key)
	return s
}

// scalar returns the text of a scalar node as written (a number keeps its
// spelling: 4.0 stays "4.0"), and false for collections and null.
func scalar(n ast.Node) (string, bool) {
	switch n := n.(type) {
	case *ast.MappingKeyNode:
		return scalar(n.Value)
	case *ast.StringNode:
		return n.Value, true
	case *ast.LiteralNode:
		return n.Value.Value, true
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode, *ast.InfinityNode, *ast.NanNode:
		return n.GetToken().Value, true
	}
	return "", false
}

// str returns the string value of a scalar, reporting anything else.
func (f *yamlFile) str(n ast.Node, what string) (string, bool) {
	s, ok := scalar(n)
	if !ok {
		f.nodeErrorf(n, "%s must be a string", what)
	}
	return s, ok
}

// sourceMap returns, for each rune of the value of scalar n, its position
// in the file. colon is the ':' of the mapping entry whose value n is.
//
// The parser reports where a scalar starts, but a value is not its source:
// block scalars (| and >) drop their indentation, folded lines become
// spaces, quotes and escapes go. The map is built by walking the value and
// the source together, matching each rune of the value to the next
// source rune that produces it.
func (f *yamlFile) sourceMap(n ast.Node, colon *token.Token) []diag.Pos {
	value, _ := scalar(n)
	var from int
	quote := rune(0)
	switch n := n.(type) {
	case *ast.LiteralNode:
		// The content starts on the line after the indicator.
		line := n.Start.Position.Line
		if line < len(f.lineStart) {
			from = f.lineStart[line]
		} else {
			from = len(f.runes)
		}
	default:
		from = f.runeIndex(colon) + 1
		switch n.GetToken().Type {
		case token.DoubleQuoteType:
			quote = '"'
		case token.SingleQuoteType:
			quote = '\''
		}
		if quote != 0 {
			for from < len(f.runes) && f.runes[from] != quote {
				from++
			}
			from++
		}
	}
	out := make([]diag.Pos, 0, len(value)+1)
	j := from
	for _, v := range value {
		var at int
		at, j = f.produce(v, j, quote)
		out = append(out, f.runePos(at))
	}
	// The position just past the value, for errors at its end.
	out = append(out, f.runePos(j))
	return out
}

// produce finds, from rune index j on, the source rune that produces the
// value rune v in a scalar quoted by quote (0 for none); it returns its
// index and the index after it.
func (f *yamlFile) produce(v rune, j int, quote rune) (at, next int) {
	for ; j < len(f.runes); j++ {
		s := f.runes[j]
		switch {
		case quote == '"' && s == '\\':
			if j+1 < len(f.runes) && f.runes[j+1] == '\n' {
				j++ // a line continuation produces nothing
				continue
			}
			return j, j + escapeLen(f.runes, j)
		case quote == '\'' && s == '\'' && v == '\'':
			return j, j + 2
		case s == v, s == '\n' && (v == ' ' || v == '\n'):
			return j, j + 1
		}
	}
	return len(f.runes), len(f.runes)
}

// escapeLen returns the length of the escape sequence at runes[j] ('\\').
func escapeLen(runes []rune, j int) int {
	if j+1 >= len(runes) {
		return 1
	}
	switch runes[j+1] {
	case 'x':
		return 4
	case 'u':
		return 6
	case 'U':
		return 10
	}
	return 2
}

func (f *yamlFile) runeIndex(tk *token.Token) int {
	if tk == nil || tk.Position == nil || tk.Position.Line < 1 || tk.Position.Line > len(f.lineStart) {
		return 0
	}
	return f.lineStart[tk.Position.Line-1] + max(tk.Position.Column, 1) - 1
}

func (f *yamlFile) runePos(i int) diag.Pos {
	// The line holding rune i: the last line start <= i.
	lo, hi := 0, len(f.lineStart)-1
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if f.lineStart[mid] <= i {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return diag.Pos{File: f.name, Line: lo + 1, Col: i - f.lineStart[lo] + 1}
}

// unknownKey reports a key that is not one of known.
func (f *yamlFile) unknownKey(mv *ast.MappingValueNode, where string, known []string) {
	f.nodeErrorf(mv.Key, "unknown key %q in %s (known: %s)", keyOf(mv), where, strings.Join(known, ", "))
}

// describeNode names a node's YAML type for messages.
func describeNode(n ast.Node) string {
	switch n.(type) {
	case *ast.MappingNode, *ast.MappingValueNode:
		return "a mapping"
	case *ast.SequenceNode:
		return "a list"
	case *ast.NullNode:
		return "empty"
	}
	return fmt.Sprintf("%q", n.GetToken().Value)
}
