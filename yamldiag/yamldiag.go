// Package yamldiag turns positions of github.com/goccy/go-yaml (error tokens
// and syntax-tree nodes) into diag positions, so every YAML reader in cmap
// reports file:line:col the same way.
package yamldiag

import (
	"errors"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/token"

	"cmap/diag"
)

// Error turns a go-yaml error into a diagnostic at the position of the
// token it carries, with the message alone (go-yaml's Error method appends
// a source excerpt, which diag prints in its own way).
func Error(file string, err error) diag.Diagnostic {
	var ye yaml.Error
	if !errors.As(err, &ye) {
		return diag.Errorf(diag.Pos{File: file}, "%v", err)
	}
	return diag.Errorf(tokenPos(file, ye.GetToken()), "%s", ye.GetMessage())
}

// NodePos returns the position where node starts in the source. A block
// mapping's own token is its first ':', so it starts at its first key; a
// key-value pair starts at its key.
func NodePos(file string, node ast.Node) diag.Pos {
	if node == nil {
		return diag.Pos{File: file}
	}
	return tokenPos(file, startToken(node))
}

// DocumentPos returns the position where document doc starts: its "---"
// marker when it has one, else the start of its body.
func DocumentPos(file string, doc *ast.DocumentNode) diag.Pos {
	if doc.Start != nil {
		return tokenPos(file, doc.Start)
	}
	return NodePos(file, doc.Body)
}

func startToken(node ast.Node) *token.Token {
	switch n := node.(type) {
	case *ast.MappingNode:
		if !n.IsFlowStyle && len(n.Values) > 0 {
			return startToken(n.Values[0])
		}
	case *ast.MappingValueNode:
		return n.Key.GetToken()
	}
	return node.GetToken()
}

func tokenPos(file string, tk *token.Token) diag.Pos {
	if tk == nil || tk.Position == nil {
		return diag.Pos{File: file}
	}
	return diag.Pos{File: file, Line: tk.Position.Line, Col: tk.Position.Column}
}

// FieldPos returns the position of the value at a Validate field path
// (such as "objectives[2]" or "competencies[1].title") inside node, or of
// the nearest enclosing value that exists when the field itself is absent.
func FieldPos(file string, node ast.Node, field string) diag.Pos {
	for ; field != ""; field = diag.ParentField(field) {
		p, err := yaml.PathString("$." + field)
		if err != nil {
			continue
		}
		if found, err := p.FilterNode(node); err == nil && found != nil {
			return NodePos(file, found)
		}
	}
	return NodePos(file, node)
}
