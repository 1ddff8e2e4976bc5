package engine

import (
	"cmap/domain"
	"fmt"
	"path"
	"reflect"
	"slices"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/lexer"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"

	"cmap/diag"
	"cmap/yamldiag"
)

// Format writes rule files, rule-test files and the scale file in the
// canonical layout, the one the shipped files use:
//
//   - keys in the order of ruledoc.go: a rule's id, description, course or
//     position, covers or requires, exclude, lint; a rule file's rules,
//     then lint; a test's name, course or position, expect, absent; an
//     inline course or position in the order of its fields; a scale's
//     name, then levels. Keys Format does not know follow, as written;
//   - covers:, requires: and expect: as flow mappings ({4.C: tier}),
//     exclude: lists, absent: and lint's ignore: as flow sequences;
//     other collections keep the style they were written in;
//   - two spaces of indentation; a block sequence two spaces under its
//     key (rules:, then "  - id: ...");
//   - scalars as written (plain, quoted or block), re-indented;
//   - comments kept: a comment on its own line stays before the entry
//     that follows it, and moves with it; a comment after a value stays
//     at the end of its line; comments inside a collection that becomes a
//     flow collection move above its key. Comments before the first key
//     are the file's header and stay first, those after the last entry
//     stay last;
//   - at most one blank line where the source had blank lines between
//     entries; no trailing spaces; one newline at the end.
//
// Formatting a formatted file changes nothing. Format checks that the
// output means what the input meant (the same YAML values, the same
// comments) and returns an error rather than a file that would not. It
// refuses files with YAML anchors, aliases or tags, which rule files have
// no use for.

// SourceKind is the kind of a file in a rule directory.
type SourceKind int

// Source kinds.
const (
	// RuleSource is a rule file.
	RuleSource SourceKind = iota
	// TestSource is a rule-test file (*_test.yaml).
	TestSource
	// ScaleSource is the scale file.
	ScaleSource
)

// SourceKindOf returns the kind of the file at path rel, relative to its
// rule directory: ScaleFile at the root is the scale, *_test.yaml (or
// .yml) files are tests, other YAML files are rules.
func SourceKindOf(rel string) SourceKind {
	switch {
	case path.Clean(rel) == ScaleFile:
		return ScaleSource
	case isTestFile(rel):
		return TestSource
	}
	return RuleSource
}

// fmtLayout is the canonical layout of a collection.
type fmtLayout struct {
	// order is the order of a mapping's keys; nil keeps the source's.
	order []string
	// flow prints the collection in flow style.
	flow bool
	// keys are the layouts of a mapping's values, by key; items that of a
	// sequence's items.
	keys  map[string]*fmtLayout
	items *fmtLayout
}

var (
	flowLayout  = &fmtLayout{flow: true}
	lintLayout  = &fmtLayout{order: lintKeys, keys: map[string]*fmtLayout{"ignore": flowLayout}}
	rulesLayout = &fmtLayout{order: ruleFileKeys, keys: map[string]*fmtLayout{
		"rules": {items: &fmtLayout{order: ruleKeys, keys: map[string]*fmtLayout{
			"covers": flowLayout, "requires": flowLayout, "exclude": flowLayout, "lint": lintLayout,
		}}},
		"lint": lintLayout,
	}}
	testsLayout = &fmtLayout{order: ruleTestFileKeys, keys: map[string]*fmtLayout{
		"tests": {items: &fmtLayout{order: testKeys, keys: map[string]*fmtLayout{
			"course":   {order: docKeys[domain.Course]()},
			"position": {order: docKeys[domain.Position]()},
			"expect":   flowLayout,
			"absent":   flowLayout,
		}}},
	}}
	scaleLayout = &fmtLayout{order: []string{"name", "levels"}}
)

// Format returns src, a file of kind named name, in the canonical layout.
// A file that does not parse is an error: a diag.List with the problem's
// file:line:col.
func Format(kind SourceKind, name string, src []byte) ([]byte, error) {
	layout := map[SourceKind]*fmtLayout{RuleSource: rulesLayout, TestSource: testsLayout, ScaleSource: scaleLayout}[kind]
	f := &formatter{src: string(src), lines: strings.Split(string(src), "\n")}
	file, err := parser.ParseBytes(src, 0)
	if err != nil {
		d := yamldiag.Error(name, err)
		if d.Line == 0 {
			d.Line = 1
		}
		return nil, diag.List{diag.Errorf(d.Pos, "YAML: %s", d.Message).WithSnippet(src)}.Err()
	}
	if len(file.Docs) > 1 {
		return nil, diag.List{diag.Errorf(yamldiag.DocumentPos(name, file.Docs[1]), "a rule file holds one YAML document").WithSnippet(src)}.Err()
	}
	var body ast.Node
	if len(file.Docs) == 1 {
		body = file.Docs[0].Body
		if start := file.Docs[0].Start; start != nil {
			f.marker = start.Position.Line
		}
	}
	if n := firstUnsupported(body); n != nil {
		return nil, diag.List{diag.Errorf(yamldiag.NodePos(name, n), "fmt leaves files with YAML anchors, aliases or tags as they are").WithSnippet(src)}.Err()
	}
	f.collect(body)
	f.print(body, layout)
	out := []byte(f.out.String())
	if err := sameMeaning(src, out); err != nil {
		return nil, fmt.Errorf("%s: formatting would change the file (%v); it is left as it is: please report this", name, err)
	}
	return out, nil
}

// fmtComment is a comment of the source.
type fmtComment struct {
	line int
	text string // from the #
	// trailing is set for a comment after code on its line.
	trailing bool
}

// fmtAnchor is an entry of a mapping or an item of a sequence: what
// comments attach to.
type fmtAnchor struct {
	line int
	// head are the comments printed before the entry; trail the one that
	// ends its first line.
	head  []fmtComment
	trail *fmtComment
	// blank is set when the source has a blank line before the entry (or
	// before its comments).
	blank bool
	// below are the anchors of the entry's value, for comments that move
	// up when it is printed as a flow collection.
	below []*fmtAnchor
}

type formatter struct {
	src   string
	lines []string
	// anchors in source order, and by the node they stand for (a
	// *ast.MappingValueNode, or a sequence's item).
	anchors []*fmtAnchor
	byNode  map[ast.Node]*fmtAnchor
	header  []fmtComment
	footer  []fmtComment
	// headerBlank, footerBlank: a blank line after the header, before the
	// footer.
	headerBlank, footerBlank bool
	// marker is the line of the document's --- marker, 0 for none.
	marker int
	out    strings.Builder
}

// firstUnsupported returns the first anchor, alias or tag node under n.
func firstUnsupported(n ast.Node) ast.Node {
	var found ast.Node
	ast.Walk(visitFunc(func(n ast.Node) bool {
		switch n.(type) {
		case *ast.AnchorNode, *ast.AliasNode, *ast.TagNode:
			if found == nil {
				found = n
			}
		}
		return found == nil
	}), n)
	return found
}

type visitFunc func(ast.Node) bool

func (v visitFunc) Visit(n ast.Node) ast.Visitor {
	if n == nil || !v(n) {
		return nil
	}
	return v
}

// collect numbers the anchors of body and attaches the comments of the
// source to them.
func (f *formatter) collect(body ast.Node) {
	f.byNode = map[ast.Node]*fmtAnchor{}
	f.anchor(body, nil)
	var comments []fmtComment
	for _, tk := range lexer.Tokenize(f.src) {
		if tk.Type != token.CommentType {
			continue
		}
		line := tk.Position.Line
		before := ""
		if line-1 < len(f.lines) {
			before = string([]rune(f.lines[line-1])[:max(tk.Position.Column-1, 0)])
		}
		comments = append(comments, fmtComment{line: line, text: "#" + tk.Value, trailing: strings.TrimSpace(before) != ""})
	}
	for _, c := range comments {
		switch {
		case len(f.anchors) == 0 || c.line < f.anchors[0].line:
			f.header = append(f.header, c)
		case c.trailing:
			// The last entry that starts on or before the comment's line.
			i, _ := slices.BinarySearchFunc(f.anchors, c.line+1, func(a *fmtAnchor, line int) int { return a.line - line })
			a := f.anchors[i-1]
			if a.line == c.line && a.trail == nil {
				a.trail = &c
			} else {
				a.head = append(a.head, c)
			}
		default:
			// The first entry after it.
			i, _ := slices.BinarySearchFunc(f.anchors, c.line+1, func(a *fmtAnchor, line int) int { return a.line - line })
			if i == len(f.anchors) {
				f.footer = append(f.footer, c)
			} else {
				f.anchors[i].head = append(f.anchors[i].head, c)
			}
		}
	}
	for _, a := range f.anchors {
		first := a.line
		for _, c := range a.head {
			if !c.trailing {
				first = min(first, c.line)
				break
			}
		}
		a.blank = f.blankLine(first - 1)
	}
	if len(f.header) > 0 && len(f.anchors) > 0 {
		f.headerBlank = f.blankLine(f.anchors[0].line - 1)
	}
	if len(f.footer) > 0 {
		f.footerBlank = f.blankLine(f.footer[0].line - 1)
	}
}

// blankLine reports whether source line n (1-based) is blank.
func (f *formatter) blankLine(n int) bool {
	return n >= 1 && n <= len(f.lines) && strings.TrimSpace(f.lines[n-1]) == ""
}

// anchor adds the anchors of the entries and items in n, in source order,
// below parent.
func (f *formatter) anchor(n ast.Node, parent *fmtAnchor) {
	add := func(key ast.Node, line int) *fmtAnchor {
		a := &fmtAnchor{line: line}
		f.anchors = append(f.anchors, a)
		f.byNode[key] = a
		if parent != nil {
			parent.below = append(parent.below, a)
		}
		return a
	}
	switch n := n.(type) {
	case *ast.MappingNode:
		for _, mv := range n.Values {
			f.anchor(mv, parent)
		}
	case *ast.MappingValueNode:
		a := add(n, n.Key.GetToken().Position.Line)
		f.anchor(n.Value, a)
	case *ast.SequenceNode:
		for i, v := range n.Values {
			line := firstLine(v)
			if i < len(n.Entries) && n.Entries[i] != nil && n.Entries[i].Start != nil {
				line = n.Entries[i].Start.Position.Line
			}
			a := add(v, line)
			f.anchor(v, a)
		}
	}
}

// firstLine returns the line where n starts.
func firstLine(n ast.Node) int {
	switch n := n.(type) {
	case *ast.MappingNode:
		if len(n.Values) > 0 && !n.IsFlowStyle {
			return firstLine(n.Values[0])
		}
	case *ast.MappingValueNode:
		return n.Key.GetToken().Position.Line
	case *ast.LiteralNode:
		return n.Start.Position.Line
	}
	return n.GetToken().Position.Line
}

// print writes body in layout, with the header and the footer.
func (f *formatter) print(body ast.Node, layout *fmtLayout) {
	for _, c := range f.header {
		if f.marker > 0 && c.line > f.marker {
			f.line("", "---")
			f.marker = 0
		}
		f.line("", c.text)
	}
	if f.marker > 0 {
		f.line("", "---")
	}
	if f.headerBlank {
		f.line("", "")
	}
	switch b := body.(type) {
	case nil, *ast.CommentGroupNode:
	case *ast.MappingNode, *ast.MappingValueNode:
		f.mapping(entriesOf(b), 0, layout, false)
	case *ast.SequenceNode:
		if b.IsFlowStyle && f.canFlow(b) {
			f.line("", f.flow(b, layout))
		} else {
			f.sequence(b, 0, layout)
		}
	default:
		f.writeLines("", f.scalar(b, 0))
	}
	if len(f.footer) > 0 {
		if f.footerBlank && f.out.Len() > 0 {
			f.line("", "")
		}
		for _, c := range f.footer {
			f.line("", c.text)
		}
	}
}

func entriesOf(n ast.Node) []*ast.MappingValueNode {
	switch n := n.(type) {
	case *ast.MappingNode:
		return n.Values
	case *ast.MappingValueNode:
		return []*ast.MappingValueNode{n}
	}
	return nil
}

// line writes one line: lead, then text, without trailing spaces.
func (f *formatter) line(lead, text string) {
	f.out.WriteString(strings.TrimRight(lead+text, " \t"))
	f.out.WriteByte('\n')
}

// writeLines writes lines, the first after lead.
func (f *formatter) writeLines(lead string, lines []string) {
	for i, l := range lines {
		if i == 0 {
			f.line(lead, l)
		} else {
			f.line("", l)
		}
	}
}

func spaces(n int) string { return strings.Repeat(" ", n) }

// keyText returns a key as written.
func keyText(mv *ast.MappingValueNode) string {
	return strings.TrimSpace(mv.Key.GetToken().Origin)
}

// keyName returns a key's value, to find it in a layout.
func keyName(mv *ast.MappingValueNode) string {
	s, _ := scalar(mv.Key)
	return s
}

// ordered returns entries in layout's order: known keys first, in its
// order, then the others as written.
func ordered(entries []*ast.MappingValueNode, l *fmtLayout) []*ast.MappingValueNode {
	out := slices.Clone(entries)
	if l == nil || l.order == nil {
		return out
	}
	rank := func(mv *ast.MappingValueNode) int {
		if i := slices.Index(l.order, keyName(mv)); i >= 0 {
			return i
		}
		return len(l.order)
	}
	slices.SortStableFunc(out, func(a, b *ast.MappingValueNode) int { return rank(a) - rank(b) })
	return out
}

// mapping writes the entries of a block mapping at indent. With dash, the
// first entry's line starts with "- " two columns to the left: the
// mapping is an item of a sequence.
func (f *formatter) mapping(entries []*ast.MappingValueNode, indent int, l *fmtLayout, dash bool) {
	for i, mv := range ordered(entries, l) {
		lead := spaces(indent)
		if i == 0 && dash {
			lead = spaces(indent-2) + "- "
		}
		var sub *fmtLayout
		if l != nil {
			sub = l.keys[keyName(mv)]
		}
		f.entry(f.byNode[mv], lead, keyText(mv)+":", mv.Value, indent, sub, i > 0 || !dash)
	}
}

// sequence writes the items of a block sequence at indent.
func (f *formatter) sequence(s *ast.SequenceNode, indent int, l *fmtLayout) {
	var sub *fmtLayout
	if l != nil {
		sub = l.items
	}
	for _, v := range s.Values {
		a := f.byNode[v]
		if m, ok := v.(*ast.MappingNode); ok && !m.IsFlowStyle && len(m.Values) > 0 {
			// The item's comments and its first entry's go before the dash.
			first := f.byNode[m.Values[0]]
			f.comments(a, indent, slices.Concat(a.head, first.head))
			first.head, first.blank = nil, false
			if first.trail == nil {
				first.trail = a.trail
			}
			f.mapping(m.Values, indent+2, sub, true)
			continue
		}
		if mv, ok := v.(*ast.MappingValueNode); ok {
			first := f.byNode[mv]
			f.comments(a, indent, slices.Concat(a.head, first.head))
			first.head, first.blank = nil, false
			f.mapping([]*ast.MappingValueNode{mv}, indent+2, sub, true)
			continue
		}
		f.entry(a, spaces(indent), "-", v, indent, sub, true)
	}
}

// comments writes the comments before an entry at indent, after a blank
// line if the source has one there and blank is allowed.
func (f *formatter) comments(a *fmtAnchor, indent int, head []fmtComment) {
	if a.blank && f.out.Len() > 0 && !strings.HasSuffix(f.out.String(), "\n\n") && !strings.HasSuffix(f.out.String(), ":\n") {
		f.line("", "")
	}
	slices.SortStableFunc(head, func(x, y fmtComment) int { return x.line - y.line })
	for _, c := range head {
		f.line(spaces(indent), c.text)
	}
}

// entry writes the entry of anchor a: its comments, then a first line
// of lead, prefix ("key:" or "-") and value v, in layout l; indent is the
// column of prefix. Without withComments, the comments of the entry were
// written already (with its sequence item's) and only those that move up
// from a flow value are.
func (f *formatter) entry(a *fmtAnchor, lead, prefix string, v ast.Node, indent int, l *fmtLayout, withComments bool) {
	head := a.head
	trail := a.trail
	flow := false
	switch c := v.(type) {
	case *ast.MappingNode:
		flow = (c.IsFlowStyle || (l != nil && l.flow)) && f.canFlow(c)
	case *ast.SequenceNode:
		flow = (c.IsFlowStyle || (l != nil && l.flow)) && f.canFlow(c)
	case *ast.MappingValueNode:
		flow = l != nil && l.flow && f.canFlow(c)
	}
	if flow {
		// The comments inside go before the entry, or end its line.
		for _, b := range f.below(a) {
			for _, c := range b.head {
				if c.trailing && c.line == a.line && trail == nil {
					trail = &c
				} else {
					head = append(head, c)
				}
			}
			if b.trail != nil {
				if b.trail.line == a.line && trail == nil {
					trail = b.trail
				} else {
					head = append(head, *b.trail)
				}
			}
		}
	}
	if withComments {
		f.comments(a, indent, head)
	} else {
		// The first entry of a sequence's item: its line starts with the
		// dash, two columns to the left.
		for _, c := range head {
			f.line(spaces(indent-2), c.text)
		}
	}
	end := ""
	if trail != nil {
		end = " " + trail.text
	}
	switch c := v.(type) {
	case *ast.MappingNode, *ast.MappingValueNode, *ast.SequenceNode:
		if flow {
			f.line(lead, prefix+" "+f.flow(v, l)+end)
			return
		}
		if m, ok := c.(*ast.MappingNode); ok && len(m.Values) == 0 {
			f.line(lead, prefix+" {}"+end)
			return
		}
		if s, ok := c.(*ast.SequenceNode); ok && len(s.Values) == 0 {
			f.line(lead, prefix+" []"+end)
			return
		}
		f.line(lead, prefix+end)
		if s, ok := c.(*ast.SequenceNode); ok {
			f.sequence(s, indent+2, l)
		} else {
			f.mapping(entriesOf(c), indent+2, l, false)
		}
	default:
		lines := f.scalar(v, indent+2)
		if len(lines) == 0 || lines[0] == "" {
			f.line(lead, prefix+end)
			return
		}
		lines[0] = prefix + " " + lines[0] + end
		f.writeLines(lead, lines)
	}
}

// below returns every anchor under a.
func (f *formatter) below(a *fmtAnchor) []*fmtAnchor {
	var out []*fmtAnchor
	for _, b := range a.below {
		out = append(out, b)
		out = append(out, f.below(b)...)
	}
	return out
}

// canFlow reports whether n can be written on one line: its scalars are
// all single-line.
func (f *formatter) canFlow(n ast.Node) bool {
	ok := true
	ast.Walk(visitFunc(func(n ast.Node) bool {
		switch n.(type) {
		case *ast.LiteralNode:
			ok = false
		case *ast.MappingNode, *ast.MappingValueNode, *ast.SequenceNode, *ast.MappingKeyNode:
		default:
			if lines := f.scalar(n, 0); len(lines) > 1 {
				ok = false
			}
		}
		return ok
	}), n)
	return ok
}

// flow returns a collection as one line of flow style, its keys in the
// order of layout l.
func (f *formatter) flow(n ast.Node, l *fmtLayout) string {
	switch n := n.(type) {
	case *ast.MappingNode, *ast.MappingValueNode:
		var parts []string
		for _, mv := range ordered(entriesOf(n), l) {
			var sub *fmtLayout
			if l != nil {
				sub = l.keys[keyName(mv)]
			}
			v := f.flow(mv.Value, sub)
			if v == "" {
				parts = append(parts, keyText(mv)+":")
			} else {
				parts = append(parts, keyText(mv)+": "+v)
			}
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case *ast.SequenceNode:
		var parts []string
		var sub *fmtLayout
		if l != nil {
			sub = l.items
		}
		for _, v := range n.Values {
			parts = append(parts, f.flow(v, sub))
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	lines := f.scalar(n, 0)
	if len(lines) == 0 {
		return ""
	}
	return lines[0]
}

// scalar returns a scalar as written, as lines: the first as it goes
// after its key or dash, the others indented by indent (the column of
// the continuation of a plain or quoted scalar, or of a block scalar's
// content).
func (f *formatter) scalar(n ast.Node, indent int) []string {
	if lit, ok := n.(*ast.LiteralNode); ok {
		return f.blockScalar(lit, indent)
	}
	tk := n.GetToken()
	if tk == nil {
		return nil
	}
	if _, null := n.(*ast.NullNode); null && !f.written(tk) {
		return nil // key: with nothing after it
	}
	text := strings.TrimSpace(tk.Origin)
	if text == "" {
		return []string{tk.Value}
	}
	lines := strings.Split(text, "\n")
	for i := 1; i < len(lines); i++ {
		if l := strings.TrimSpace(lines[i]); l == "" {
			lines[i] = ""
		} else {
			lines[i] = spaces(indent) + l
		}
	}
	return lines
}

// written reports whether the source has token tk's value where tk is:
// the parser makes up a null token for a key with no value.
func (f *formatter) written(tk *token.Token) bool {
	line := tk.Position.Line
	if line < 1 || line > len(f.lines) {
		return false
	}
	rest := []rune(f.lines[line-1])
	rest = rest[min(max(tk.Position.Column-1, 0), len(rest)):]
	return strings.HasPrefix(strings.TrimLeft(string(rest), " \t"), tk.Value)
}

// blockScalar returns a | or > scalar: its header, then its content
// re-indented at indent (or, with an indentation indicator, as many
// columns right of the entry as it says).
func (f *formatter) blockScalar(lit *ast.LiteralNode, indent int) []string {
	header := strings.TrimSpace(lit.Start.Origin)
	content := strings.Split(lit.Value.GetToken().Origin, "\n")
	content = content[:len(content)-1] // the rest is the next line's indentation
	from := -1
	if i := strings.IndexAny(header, "123456789"); i >= 0 {
		d := int(header[i] - '0')
		entry := f.entryColumn(lit)
		from, indent = entry+d, indent-2+d
	}
	out := []string{header}
	for _, l := range content {
		if strings.TrimSpace(l) == "" {
			out = append(out, "")
			continue
		}
		if from < 0 {
			from = len(l) - len(strings.TrimLeft(l, " "))
		}
		out = append(out, spaces(indent)+l[min(from, len(l)):])
	}
	return out
}

// entryColumn returns the 0-based column of the entry that holds lit: its
// key, or its dash.
func (f *formatter) entryColumn(lit *ast.LiteralNode) int {
	line := f.lines[lit.Start.Position.Line-1]
	return len(line) - len(strings.TrimLeft(line, " -"))
}

// sameMeaning checks that out holds the values and the comments of src.
func sameMeaning(src, out []byte) error {
	var a, b any
	if err := yaml.Unmarshal(src, &a); err != nil {
		return err
	}
	if err := yaml.Unmarshal(out, &b); err != nil {
		return fmt.Errorf("the output does not parse: %v", err)
	}
	if !reflect.DeepEqual(a, b) {
		return fmt.Errorf("the values differ")
	}
	comments := func(src []byte) []string {
		var out []string
		for _, tk := range lexer.Tokenize(string(src)) {
			if tk.Type == token.CommentType {
				out = append(out, strings.TrimRight(tk.Value, " \t"))
			}
		}
		slices.Sort(out)
		return out
	}
	if !slices.Equal(comments(src), comments(out)) {
		return fmt.Errorf("the comments differ")
	}
	return nil
}
