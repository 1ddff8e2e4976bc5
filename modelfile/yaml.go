package modelfile

import (
	"cmap/domain"
	"fmt"
	"io"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"cmap/diag"
	"cmap/yamldiag"
)

// ReadYAML reads a competency model in the domain.Framework shape from
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
func ReadYAML(name string, data []byte) (*domain.Framework, error) {
	fw, _, err := readYAML(name, data)
	return fw, err
}

// readYAML is ReadYAML that also returns, with the model, where each field
// path of the model stands in data.
func readYAML(name string, data []byte) (*domain.Framework, func(field string) diag.Pos, error) {
	file, err := parser.ParseBytes(data, 0)
	if err != nil {
		return nil, nil, diag.List{yamldiag.Error(name, err)}
	}
	var fw domain.Framework
	if len(file.Docs) > 1 {
		pos := yamldiag.DocumentPos(name, file.Docs[1])
		return nil, nil, diag.List{diag.Errorf(pos, "a competency model file holds one YAML document, this is the second")}
	}
	if len(file.Docs) == 1 && file.Docs[0].Body != nil {
		if err := yaml.NodeToValue(file.Docs[0].Body, &fw, yaml.DisallowUnknownField()); err != nil {
			return nil, nil, diag.List{yamldiag.Error(name, err)}
		}
	}
	if err := unquotedCodes(name, file, &fw); err != nil {
		return nil, nil, err
	}
	locate := func(field string) diag.Pos {
		if len(file.Docs) == 0 {
			return diag.Pos{File: name}
		}
		return yamldiag.FieldPos(name, file.Docs[0].Body, field)
	}
	if err := validate(&fw, name, locate); err != nil {
		return nil, nil, err
	}
	return &fw, locate, nil
}

// unquotedCodes reports competency codes written as bare numbers (code:
// 1.0), which YAML reads as the number 1 rather than the code "1.0".
func unquotedCodes(name string, file *ast.File, fw *domain.Framework) error {
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

// WriteYAML writes f as YAML in the shape ReadYAML reads, so that reading
// the output back yields f again.
func WriteYAML(w io.Writer, f *domain.Framework) error {
	enc := yaml.NewEncoder(w, yaml.IndentSequence(true))
	if err := enc.Encode(f); err != nil {
		return err
	}
	return enc.Close()
}
