package modelfile

import (
	"bytes"
	"cmap/domain"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"cmap/diag"
)

// ReadJSON reads a competency model in the domain.Framework shape from
// JSON (the field names of ReadYAML). Syntax errors, unknown fields and
// values of the wrong type are errors at their file:line:col, as are the
// problems Validate finds.
func ReadJSON(name string, data []byte) (*domain.Framework, error) {
	fw, _, err := readJSON(name, data)
	return fw, err
}

// readJSON is ReadJSON that also returns, with the model, where each field
// path of the model stands in data.
func readJSON(name string, data []byte) (*domain.Framework, func(field string) diag.Pos, error) {
	var fw domain.Framework
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&fw); err != nil {
		return nil, nil, diag.List{jsonDiagnostic(name, data, err)}
	}
	if _, err := dec.Token(); err != io.EOF {
		off := int(dec.InputOffset())
		return nil, nil, diag.List{diag.Errorf(offsetPos(name, data, off), "unexpected data after the model's JSON object")}
	}
	idx := indexJSON(data)
	locate := func(field string) diag.Pos {
		for f := field; f != ""; f = diag.ParentField(f) {
			if v, ok := idx.values[f]; ok {
				return offsetPos(name, data, v)
			}
		}
		return diag.Pos{File: name}
	}
	if err := validate(&fw, name, locate); err != nil {
		return nil, nil, err
	}
	return &fw, locate, nil
}

// jsonDiagnostic turns an encoding/json error into a diagnostic at the
// offending position.
func jsonDiagnostic(name string, data []byte, err error) diag.Diagnostic {
	var (
		syntax *json.SyntaxError
		typ    *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &syntax):
		// Offset counts the offending byte itself.
		return diag.Errorf(offsetPos(name, data, int(syntax.Offset)-1), "%s", strings.TrimPrefix(syntax.Error(), "json: "))
	case errors.As(err, &typ):
		if typ.Field == "" {
			return diag.Errorf(offsetPos(name, data, 0), "the model must be a JSON object, not a JSON %s", typ.Value)
		}
		// encoding/json names the field without array indexes
		// ("competencies.code"); the index gives the full path.
		idx := indexJSON(data)
		off, field := int(typ.Offset), typ.Field
		if start, ok := idx.ends[off]; ok {
			off = start
			if path, ok := idx.paths[start]; ok {
				field = path
			}
		}
		return diag.Errorf(offsetPos(name, data, off), "%s: cannot use a JSON %s as a %s", field, typ.Value, typ.Type)
	case errors.Is(err, io.EOF):
		return diag.Errorf(diag.Pos{File: name}, "the file is empty: expected a JSON object")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return diag.Errorf(offsetPos(name, data, len(data)), "unexpected end of JSON input")
	}
	// encoding/json reports an unknown field without its offset: find the
	// key in the document.
	msg := strings.TrimPrefix(err.Error(), "json: ")
	if key, ok := strings.CutPrefix(msg, "unknown field "); ok {
		if k, err := strconv.Unquote(key); err == nil {
			if off, ok := indexJSON(data).keys[k]; ok {
				return diag.Errorf(offsetPos(name, data, off), "unknown field %q", k)
			}
		}
	}
	return diag.Errorf(diag.Pos{File: name}, "%s", msg)
}

// jsonIndex records where things are in a JSON document.
type jsonIndex struct {
	// values maps a field path in Validate's form
	// ("competencies[2].subCompetencies[0].statement") to the offset of
	// the value's first byte.
	values map[string]int
	// paths maps the offset of a value's first byte back to its path.
	paths map[int]string
	// ends maps the offset just after a scalar value to its start.
	ends map[int]int
	// keys maps an object key to the offset of its first occurrence.
	keys map[string]int
}

// indexJSON walks a JSON document with the streaming tokenizer and records
// the offsets of its values and keys. It stops quietly at a syntax error:
// it only serves to place diagnostics.
func indexJSON(data []byte) jsonIndex {
	x := jsonIndex{values: map[string]int{}, paths: map[int]string{}, ends: map[int]int{}, keys: map[string]int{}}
	dec := json.NewDecoder(bytes.NewReader(data))
	// start returns the offset of the next token: after the previous one,
	// past white space and separators.
	start := func() int {
		off := int(dec.InputOffset())
		for off < len(data) && strings.IndexByte(" \t\r\n,:", data[off]) >= 0 {
			off++
		}
		return off
	}
	var walk func(path string) bool
	walk = func(path string) bool {
		off := start()
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		if path != "" {
			x.values[path] = off
			x.paths[off] = path
		}
		switch tok {
		case json.Delim('{'):
			for dec.More() {
				koff := start()
				kt, err := dec.Token()
				if err != nil {
					return false
				}
				key, _ := kt.(string)
				if _, seen := x.keys[key]; !seen {
					x.keys[key] = koff
				}
				child := key
				if path != "" {
					child = path + "." + key
				}
				if !walk(child) {
					return false
				}
			}
			_, err = dec.Token()
			return err == nil
		case json.Delim('['):
			for i := 0; dec.More(); i++ {
				if !walk(fmt.Sprintf("%s[%d]", path, i)) {
					return false
				}
			}
			_, err = dec.Token()
			return err == nil
		default:
			x.ends[int(dec.InputOffset())] = off
			return true
		}
	}
	walk("")
	return x
}

// offsetPos converts a byte offset in data to a file:line:col position
// (columns count characters).
func offsetPos(name string, data []byte, off int) diag.Pos {
	off = min(max(off, 0), len(data))
	before := data[:off]
	line := bytes.Count(before, []byte("\n")) + 1
	lineStart := bytes.LastIndexByte(before, '\n') + 1
	return diag.Pos{File: name, Line: line, Col: utf8.RuneCount(before[lineStart:]) + 1}
}
