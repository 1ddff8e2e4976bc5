package modelfile

import (
	"bytes"
	"cmap/domain"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"cmap/diag"
	"cmap/yamldiag"
)

// Crosswalk is a crosswalk read from a file: how the codes of one
// revision of a model map to the next (see domain.Crosswalk), with where
// each entry stands in the file.
//
// A crosswalk file is YAML (.yaml, .yml) or CSV (.csv). In YAML it is one
// mapping from each old code to its new code, a list of new codes (a
// split), or the word retired:
//
//	# Security Cooperation, revision 1 to revision 2
//	4.C: 4.D          # moved
//	4.E: retired      # no successor
//	5.B: [5.B, 5.F]   # split
//	6.A: 6.A          # merged: 6.A and 6.B become 6.A
//	6.B: 6.A
//
// Codes are read as written, so 4.0 need not be quoted. In CSV it is a
// header naming the columns old and new (in any order and case; other
// columns, such as a note, are ignored), then one row per old code and new
// code: several rows of one old code are a split, an empty new or the word
// retired retires it:
//
//	old,new,note
//	4.C,4.D,moved
//	4.E,retired,
//	5.B,5.B,split
//	5.B,5.F,split
//
// Codes the crosswalk does not name keep their meaning when the new
// revision still has them.
type Crosswalk struct {
	// File is the name the crosswalk was read under.
	File string
	// Crosswalk is its entries, in file order.
	Crosswalk domain.Crosswalk
	// at are where each entry's old code and each of its new codes stand.
	at []entryPos
}

// entryPos is where one entry of a crosswalk file stands.
type entryPos struct {
	old diag.Pos
	new []diag.Pos
}

// ReadCrosswalk reads a crosswalk from data, in the format that name's
// extension selects. Errors are a diag.List of every problem of the file
// itself; Check reports what is wrong with it against two models.
func ReadCrosswalk(name string, data []byte) (*Crosswalk, error) {
	cw := &Crosswalk{File: name}
	var errs diag.List
	switch ext := strings.ToLower(filepath.Ext(name)); ext {
	case ".yaml", ".yml":
		errs = cw.readYAML(data)
	case ".csv":
		errs = cw.readCSV(data)
	default:
		errs.Add(diag.Pos{File: name}, "unknown crosswalk format %q: use .yaml, .yml or .csv", ext)
	}
	if err := errs.Sort().Err(); err != nil {
		return nil, err
	}
	return cw, nil
}

// ReadCrosswalkFile reads the crosswalk in the file at path; see
// ReadCrosswalk.
func ReadCrosswalkFile(path string) (*Crosswalk, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ReadCrosswalk(path, data)
}

// Check returns every problem of the crosswalk as one from revision old to
// revision next (see domain.Crosswalk.Check), each at its file:line:col.
func (cw *Crosswalk) Check(old, next *domain.Framework) diag.List {
	var out diag.List
	for _, p := range cw.Crosswalk.Check(old, next) {
		at := cw.at[p.Index]
		pos := at.old
		var j int
		if _, err := fmt.Sscanf(p.Field, "new[%d]", &j); err == nil && j < len(at.new) {
			pos = at.new[j]
		}
		out.Add(pos, "%s", p.Message)
	}
	return out.Sort()
}

// add appends the entry old -> news at the given positions, or adds the
// new codes to the entry of old already read (CSV rows of a split).
func (cw *Crosswalk) add(old string, oldAt diag.Pos, news []string, newAt []diag.Pos) {
	for i := range cw.Crosswalk {
		if cw.Crosswalk[i].Old == old {
			cw.Crosswalk[i].New = append(cw.Crosswalk[i].New, news...)
			cw.at[i].new = append(cw.at[i].new, newAt...)
			return
		}
	}
	cw.Crosswalk = append(cw.Crosswalk, domain.CrosswalkEntry{Old: old, New: news})
	cw.at = append(cw.at, entryPos{old: oldAt, new: newAt})
}

// readYAML reads the YAML form.
func (cw *Crosswalk) readYAML(data []byte) diag.List {
	var errs diag.List
	file, err := parser.ParseBytes(data, 0)
	if err != nil {
		return diag.List{yamldiag.Error(cw.File, err)}
	}
	if len(file.Docs) > 1 {
		return diag.List{diag.Errorf(yamldiag.DocumentPos(cw.File, file.Docs[1]), "a crosswalk file holds one YAML document, this is the second")}
	}
	if len(file.Docs) == 0 || file.Docs[0].Body == nil {
		return nil // an empty crosswalk: nothing changes code
	}
	var entries []*ast.MappingValueNode
	switch m := file.Docs[0].Body.(type) {
	case *ast.MappingNode:
		entries = m.Values
	case *ast.MappingValueNode:
		entries = []*ast.MappingValueNode{m}
	default:
		pos := yamldiag.NodePos(cw.File, file.Docs[0].Body)
		return diag.List{diag.Errorf(pos, "a crosswalk is a mapping from old codes to new codes (4.C: 4.D), not %s", file.Docs[0].Body.Type())}
	}
	for _, mv := range entries { // the parser refuses a key given twice
		oldAt := yamldiag.NodePos(cw.File, mv.Key)
		old, ok := codeText(mv.Key)
		if !ok {
			errs.Add(oldAt, "an old code is a plain value such as 4.C, not %s", mv.Key.Type())
			continue
		}
		var values []ast.Node
		if seq, isSeq := mv.Value.(*ast.SequenceNode); isSeq {
			values = seq.Values
			if len(values) == 0 {
				errs.Add(yamldiag.NodePos(cw.File, mv.Value), "%s maps to an empty list: give its new codes, or retired", old)
				continue
			}
		} else {
			values = []ast.Node{mv.Value}
		}
		var news []string
		var newAt []diag.Pos
		for _, v := range values {
			at := yamldiag.NodePos(cw.File, v)
			code, ok := codeText(v)
			switch {
			case !ok:
				errs.Add(at, "%s maps to %s: give a new code, a list of them, or retired", old, v.Type())
			case strings.EqualFold(code, domain.CrosswalkRetired) && len(values) > 1:
				errs.Add(at, "%s is retired and mapped to other codes at once: give one or the other", old)
			case strings.EqualFold(code, domain.CrosswalkRetired):
			default:
				news = append(news, code)
				newAt = append(newAt, at)
			}
		}
		cw.add(old, oldAt, news, newAt)
	}
	return errs
}

// codeText returns the text of a scalar as written (4.0 stays "4.0", not
// the number 4).
func codeText(n ast.Node) (string, bool) {
	switch n.(type) {
	case *ast.StringNode, *ast.FloatNode, *ast.IntegerNode, *ast.LiteralNode:
		if tk := n.GetToken(); tk != nil {
			return strings.TrimSpace(tk.Value), true
		}
	}
	return "", false
}

// readCSV reads the CSV form.
func (cw *Crosswalk) readCSV(data []byte) diag.List {
	var errs diag.List
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		return nil
	}
	if err != nil {
		return diag.List{csvError(cw.File, err)}
	}
	oldCol, newCol := -1, -1
	for i, h := range header {
		switch strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))) {
		case "old":
			oldCol = i
		case "new":
			newCol = i
		}
	}
	if oldCol < 0 || newCol < 0 {
		return diag.List{diag.Errorf(diag.Pos{File: cw.File, Line: 1}, "the header names the columns %q; a crosswalk needs old and new", strings.Join(header, ","))}
	}
	retired := map[string]bool{}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			errs = append(errs, csvError(cw.File, err))
			break
		}
		line, _ := r.FieldPos(0)
		cell := func(col int) (string, diag.Pos) {
			_, c := r.FieldPos(min(col, len(rec)-1))
			if col >= len(rec) {
				return "", diag.Pos{File: cw.File, Line: line}
			}
			return strings.TrimSpace(rec[col]), diag.Pos{File: cw.File, Line: line, Col: c}
		}
		old, oldAt := cell(oldCol)
		code, newAt := cell(newCol)
		if old == "" {
			if strings.TrimSpace(strings.Join(rec, "")) != "" {
				errs.Add(oldAt, "the row has no old code")
			}
			continue
		}
		isRetired := code == "" || strings.EqualFold(code, domain.CrosswalkRetired)
		_, known := cw.Crosswalk.Lookup(old)
		switch {
		case known && (isRetired || retired[old]):
			errs.Add(newAt, "%s is retired and mapped to other codes at once: give one or the other", old)
		case isRetired:
			retired[old] = true
			cw.add(old, oldAt, nil, nil)
		default:
			cw.add(old, oldAt, []string{code}, []diag.Pos{newAt})
		}
	}
	return errs
}

// csvError turns an encoding/csv error into a diagnostic at its line and
// column.
func csvError(file string, err error) diag.Diagnostic {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return diag.Errorf(diag.Pos{File: file, Line: pe.Line, Col: pe.Column}, "%v", pe.Err)
	}
	return diag.Errorf(diag.Pos{File: file}, "%v", err)
}
