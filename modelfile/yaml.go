package modelfile

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"

	"cmap/diag"
	"cmap/engine"
)

// ReadYAML reads a competency model in the engine.Framework shape from
// YAML:
//
//	name: Security Cooperation
//	competencies:
//	  - code: "1.0"
//	    title: Country/Regional Orientation and Awareness
//	    description: Develop and maintain ...
//	    subCompetencies:
//	      - code: 1.A
//	        statement: Identify the factors ...
//
// Unknown fields, duplicate keys and values of the wrong type are errors at
// their file:line:col, as are the problems Validate finds.
func ReadYAML(name string, data []byte) (*engine.Framework, error) {
	file, err := parser.ParseBytes(data, 0)
	if err != nil {
		return nil, diag.List{yamlDiagnostic(name, err)}
	}
	var fw engine.Framework
	if len(file.Docs) > 1 {
		pos := diag.Pos{File: name}
		if tk := file.Docs[1].GetToken(); tk != nil && tk.Position != nil {
			pos.Line, pos.Col = tk.Position.Line, tk.Position.Column
		}
		return nil, diag.List{diag.Errorf(pos, "a competency model file holds one YAML document, this is the second")}
	}
	if len(file.Docs) == 1 && file.Docs[0].Body != nil {
		if err := yaml.NodeToValue(file.Docs[0].Body, &fw, yaml.DisallowUnknownField()); err != nil {
			return nil, diag.List{yamlDiagnostic(name, err)}
		}
	}
	if err := unquotedCodes(name, file, &fw); err != nil {
		return nil, err
	}
	locate := func(field string) diag.Pos { return yamlFieldPos(name, file, field) }
	if err := validate(&fw, name, locate); err != nil {
		return nil, err
	}
	return &fw, nil
}

// unquotedCodes reports competency codes written as bare numbers (code:
// 1.0), which YAML reads as the number 1 rather than the code "1.0".
func unquotedCodes(name string, file *ast.File, fw *engine.Framework) error {
	var errs diag.List
	for i := range fw.Competencies {
		p, err := yaml.PathString(fmt.Sprintf("$.competencies[%d].code", i))
		if err != nil {
			continue
		}
		node, err := p.FilterFile(file)
		if err != nil || node == nil {
			continue
		}
		if t := node.Type(); t == ast.FloatType || t == ast.IntegerType {
			tk := node.GetToken()
			errs.Add(diag.Pos{File: name, Line: tk.Position.Line, Col: tk.Position.Column},
				"competencies[%d].code: quote the code (\"%s\"): unquoted, YAML reads it as a number", i, tk.Value)
		}
	}
	return errs.Err()
}

// yamlDiagnostic turns a go-yaml error into a diagnostic at the position of
// the token it carries.
func yamlDiagnostic(name string, err error) diag.Diagnostic {
	var ye yaml.Error
	if !errors.As(err, &ye) {
		return diag.Errorf(diag.Pos{File: name}, "%v", err)
	}
	pos := diag.Pos{File: name}
	if tk := ye.GetToken(); tk != nil && tk.Position != nil {
		pos.Line, pos.Col = tk.Position.Line, tk.Position.Column
	}
	return diag.Errorf(pos, "%s", ye.GetMessage())
}

// yamlFieldPos finds the node at a Validate field path
// ("competencies[2].subCompetencies[0].statement") in file and returns its
// position. When the field itself is absent it falls back to the nearest
// enclosing node that exists.
func yamlFieldPos(name string, file *ast.File, field string) diag.Pos {
	for field != "" {
		if p, err := yaml.PathString("$." + field); err == nil {
			if node, err := p.FilterFile(file); err == nil && node != nil {
				if tk := startToken(node); tk != nil && tk.Position != nil {
					return diag.Pos{File: name, Line: tk.Position.Line, Col: tk.Position.Column}
				}
			}
		}
		field = parentField(field)
	}
	return diag.Pos{File: name}
}

// startToken returns the token where node starts in the source. A block
// mapping's own token is its first ':', so it starts at its first key.
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

// parentField returns the path of the field that encloses field:
// "a[2].b" -> "a[2]" -> "a" -> "".
func parentField(field string) string {
	if strings.HasSuffix(field, "]") {
		return field[:strings.LastIndexByte(field, '[')]
	}
	if i := strings.LastIndexByte(field, '.'); i >= 0 {
		return field[:i]
	}
	return ""
}

// WriteYAML writes f as YAML in the shape ReadYAML reads, so that reading
// the output back yields f again.
func WriteYAML(w io.Writer, f *engine.Framework) error {
	enc := yaml.NewEncoder(w, yaml.IndentSequence(true))
	if err := enc.Encode(f); err != nil {
		return err
	}
	return enc.Close()
}
