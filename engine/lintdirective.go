package engine

import (
	"strings"

	yamlast "github.com/goccy/go-yaml/ast"

	"cmap/diag"
)

// lintDirective is a lint: key, on a rule or at the top of a rule file:
//
//	lint:
//	  ignore: [L006]
//	  reason: 4.K is taught by one course on purpose.
//
// It silences the findings of those codes about the rule (or about every
// rule of the file, and about records). Both keys are required: a silence
// says why.
type lintDirective struct {
	codes []LintCode
	// at are where each code is given, for findings about silences that
	// silence nothing.
	at     []diag.Pos
	reason string
}

// has returns the index of code in d, or -1.
func (d *lintDirective) has(code LintCode) int {
	if d == nil {
		return -1
	}
	for i, c := range d.codes {
		if c == code {
			return i
		}
	}
	return -1
}

// parseLintDirective reads the lint: entry mv, reporting what is wrong;
// it returns nil if anything is.
func parseLintDirective(f *yamlFile, mv *yamlast.MappingValueNode) *lintDirective {
	entries, ok := f.mapping(mv.Value, "lint:")
	if !ok {
		if _, empty := mv.Value.(*yamlast.CommentGroupNode); empty {
			f.nodeErrorf(mv.Key, "lint: is empty: give ignore: [CODE, ...] and reason:")
		}
		return nil
	}
	d := &lintDirective{}
	before := len(f.diags)
	var ignore bool
	for _, e := range entries {
		switch keyOf(e) {
		case "ignore":
			ignore = true
			items, ok := f.sequence(e.Value, "lint: ignore:")
			if !ok {
				continue
			}
			if len(items) == 0 {
				f.nodeErrorf(e.Value, "lint: ignore: lists no codes")
			}
			for _, it := range items {
				code, ok := f.str(it, "a lint code")
				if !ok {
					continue
				}
				c := LintCode(code)
				switch {
				case c == LintUnusedIgnore:
					f.nodeErrorf(it, "%s cannot be silenced: remove the silence that silences nothing", c)
				case LintCheckOf(c) == nil:
					f.nodeErrorf(it, "unknown lint code %q (the codes are %s)", code, lintCodeList())
				case d.has(c) >= 0:
					f.nodeErrorf(it, "%s is given twice", c)
				default:
					d.codes = append(d.codes, c)
					d.at = append(d.at, f.nodePos(it))
				}
			}
		case "reason":
			d.reason, _ = f.str(e.Value, "reason")
		default:
			f.unknownKey(e, "lint:", lintKeys)
		}
	}
	if !ignore {
		f.nodeErrorf(mv.Key, "lint: needs ignore: [CODE, ...], the findings to silence")
	}
	if strings.TrimSpace(d.reason) == "" {
		f.nodeErrorf(mv.Key, "lint: needs a reason: say why the findings are expected")
	}
	if len(f.diags) > before {
		return nil
	}
	return d
}
