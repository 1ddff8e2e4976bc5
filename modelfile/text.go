package modelfile

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"cmap/diag"
	"cmap/engine"
)

// ReadText reads a competency model in the customer's text format, the
// form the published PDF extracts to:
//
//   - the first non-empty line is the model's name;
//   - lines up to the first code are a table header and are ignored;
//   - a line starting with a competency code ("4.0") opens a competency: its
//     title, then its description, both of which may wrap over several
//     lines; the title may share a line with the start of the description;
//   - a line starting with a sub-competency code ("4.C") opens a
//     sub-competency, whose statement may wrap over several lines;
//   - blank lines, leading and trailing spaces do not matter; white space is
//     folded to single spaces, and a line ending in a hyphenated word part
//     ("End-") joins the next line without a space.
//
// The title ends where the description starts: at the first line that
// holds a word that is not title-ish (see titleish), backed up to the
// capitalized word that starts the description's first sentence. A model
// must number its competencies 1.0, 2.0, ... and letter each one's
// sub-competencies A, B, ... without gaps; every problem is reported with
// its line.
func ReadText(name string, data []byte) (*engine.Framework, error) {
	p := textParser{file: name}
	p.parse(data)
	if err := p.errs.Err(); err != nil {
		return nil, err
	}
	if err := validate(&p.fw, name, nil); err != nil {
		return nil, err
	}
	return &p.fw, nil
}

// textLine is one non-blank source line, split into words.
type textLine struct {
	no    int
	words []string
}

// block is the text of one code: the code, where it stands, and the words
// after it on its line and on the lines up to the next code.
type block struct {
	code  string
	pos   diag.Pos
	lines []textLine
}

// textParser holds the state of one ReadText call.
type textParser struct {
	file string
	fw   engine.Framework
	errs diag.List

	compLine  map[string]int // competency code -> line it was first seen on
	subLine   map[string]int // sub-competency code -> line it was first seen on
	lastComp  int            // highest competency number so far
	cur       *block         // the competency that sub-competencies now belong to
	curIndex  int            // index of cur in fw.Competencies, -1 if it was not added
	lastSub   byte           // highest sub-competency letter under cur, 0 for none
	curHasSub bool           // whether cur has at least one sub-competency
}

// parse splits data into the name, the header and the code blocks, and
// builds the framework from the blocks.
func (p *textParser) parse(data []byte) {
	text := strings.TrimPrefix(string(data), "\uFEFF")
	if !utf8.ValidString(text) {
		p.errs.Add(diag.Pos{File: p.file}, "the file is not UTF-8 text")
		return
	}
	var (
		blocks   []*block
		haveName bool
	)
	for i, raw := range strings.Split(text, "\n") {
		no := i + 1
		words := strings.Fields(raw)
		if len(words) == 0 {
			continue
		}
		if isCode(words[0]) {
			indent := strings.IndexFunc(raw, func(r rune) bool { return !unicode.IsSpace(r) })
			col := utf8.RuneCountInString(raw[:indent]) + 1
			if !haveName {
				p.errs.Add(diag.Pos{File: p.file, Line: no, Col: col},
					"the model's name is missing: the first line of the file is the code %s", words[0])
				haveName = true
			}
			blocks = append(blocks, &block{
				code:  words[0],
				pos:   diag.Pos{File: p.file, Line: no, Col: col},
				lines: []textLine{{no: no, words: words[1:]}},
			})
			continue
		}
		switch {
		case !haveName:
			p.fw.Name = strings.Join(words, " ")
			haveName = true
		case len(blocks) > 0:
			last := blocks[len(blocks)-1]
			last.lines = append(last.lines, textLine{no: no, words: words})
		}
		// Anything else lies between the name and the first code: header.
	}
	if !haveName {
		p.errs.Add(diag.Pos{File: p.file}, "the file is empty: expected the model's name, then competencies (1.0, 1.A, ...)")
		return
	}
	if len(blocks) == 0 {
		p.errs.Add(diag.Pos{File: p.file}, "no competencies: expected lines starting with codes such as 1.0 and 1.A")
		return
	}

	p.compLine = map[string]int{}
	p.subLine = map[string]int{}
	p.curIndex = -1
	for _, b := range blocks {
		if engine.IsCompetencyCode(b.code) {
			p.competency(b)
		} else {
			p.subCompetency(b)
		}
	}
	p.endCompetency()
}

// isCode reports whether word is a competency or sub-competency code.
func isCode(word string) bool {
	return engine.IsCompetencyCode(word) || engine.IsSubCompetencyCode(word)
}

// codeParts splits a code "4.C" into its number 4 and its letter 'C' ('0'
// for a competency code). code must be well-formed.
func codeParts(code string) (int, byte) {
	dot := strings.IndexByte(code, '.')
	n, _ := strconv.Atoi(code[:dot])
	return n, code[dot+1]
}

// endCompetency checks the competency being closed.
func (p *textParser) endCompetency() {
	if p.cur != nil && !p.curHasSub {
		p.errs.Add(p.cur.pos, "competency %s has no sub-competencies", p.cur.code)
	}
}

// competency handles a block that starts with a competency code.
func (p *textParser) competency(b *block) {
	p.endCompetency()
	p.cur, p.curIndex, p.lastSub, p.curHasSub = b, -1, 0, false

	n, _ := codeParts(b.code)
	title, description := splitTitle(b.lines)
	if title == "" {
		p.errs.Add(b.pos, "competency %s has no title: its description starts right after the code", b.code)
	}
	if description == "" {
		p.errs.Add(b.pos, "competency %s has no description: every line after the code reads as part of its title", b.code)
	}

	if first, dup := p.compLine[b.code]; dup {
		p.errs.Add(b.pos, "duplicate competency %s (first on line %d)", b.code, first)
		return
	}
	p.compLine[b.code] = b.pos.Line
	switch want := p.lastComp + 1; {
	case n < want:
		p.errs.Add(b.pos, "competency %s is out of order: it comes after %d.0", b.code, p.lastComp)
	case n > want && p.lastComp == 0:
		p.errs.Add(b.pos, "competency %s comes first: missing %s", b.code, missingRange(want, n-1, '0', '0'))
	case n > want:
		p.errs.Add(b.pos, "competency %s follows %d.0: missing %s", b.code, p.lastComp, missingRange(want, n-1, '0', '0'))
	}
	p.lastComp = max(p.lastComp, n)
	p.fw.Competencies = append(p.fw.Competencies, engine.Competency{
		Code: b.code, Title: title, Description: description,
	})
	p.curIndex = len(p.fw.Competencies) - 1
}

// subCompetency handles a block that starts with a sub-competency code.
func (p *textParser) subCompetency(b *block) {
	n, letter := codeParts(b.code)
	owner := engine.CompetencyOf(b.code)
	statement := joinLines(b.lines)
	if statement == "" {
		p.errs.Add(b.pos, "sub-competency %s has no statement", b.code)
	}

	switch {
	case p.cur != nil && p.cur.code == owner:
	case p.compLine[owner] != 0 && p.cur != nil:
		p.errs.Add(b.pos, "sub-competency %s is under competency %s: it belongs to %s (line %d)",
			b.code, p.cur.code, owner, p.compLine[owner])
		return
	default:
		p.errs.Add(b.pos, "sub-competency %s comes before its competency %s", b.code, owner)
		return
	}
	p.curHasSub = true

	if first, dup := p.subLine[b.code]; dup {
		p.errs.Add(b.pos, "duplicate sub-competency %s (first on line %d)", b.code, first)
		return
	}
	p.subLine[b.code] = b.pos.Line
	switch want := max(p.lastSub+1, 'A'); {
	case letter < want:
		p.errs.Add(b.pos, "sub-competency %s is out of order: it comes after %d.%c", b.code, n, p.lastSub)
	case letter > want && p.lastSub == 0:
		p.errs.Add(b.pos, "sub-competency %s comes first under %s: missing %s", b.code, owner, missingRange(n, n, want, letter-1))
	case letter > want:
		p.errs.Add(b.pos, "sub-competency %s follows %d.%c: missing %s", b.code, n, p.lastSub, missingRange(n, n, want, letter-1))
	}
	p.lastSub = max(p.lastSub, letter)
	if p.curIndex >= 0 {
		c := &p.fw.Competencies[p.curIndex]
		c.SubCompetencies = append(c.SubCompetencies, engine.SubCompetency{Code: b.code, Statement: statement})
	}
}

// missingRange names the codes from..to: competencies from.0 to to.0 when
// the letters are '0', else the sub-competencies from.fromLetter to
// from.toLetter.
func missingRange(from, to int, fromLetter, toLetter byte) string {
	if fromLetter == '0' {
		if from == to {
			return fmt.Sprintf("%d.0", from)
		}
		return fmt.Sprintf("%d.0 to %d.0", from, to)
	}
	if fromLetter == toLetter {
		return fmt.Sprintf("%d.%c", from, fromLetter)
	}
	return fmt.Sprintf("%d.%c to %d.%c", from, fromLetter, to, toLetter)
}

// splitTitle splits a competency's lines into its title and description.
// Title lines are those whose words are all title-ish; the first line that
// is not is split where its description sentence starts (usually at its
// first word; in "Sales and Transfers Identify, assess, ..." at
// "Identify,"), and everything from there on is description.
func splitTitle(lines []textLine) (title, description string) {
	var titleLines, descLines []textLine
	for _, l := range lines {
		if len(descLines) > 0 {
			descLines = append(descLines, l)
			continue
		}
		// A word split by a hyphen at the end of the previous title line
		// ("End-" / "Use") is part of the title whatever its case.
		skipFirst := len(titleLines) > 0 && endsInWordHyphen(titleLines[len(titleLines)-1].words)
		k := descriptionStart(l.words, skipFirst)
		if k > 0 {
			titleLines = append(titleLines, textLine{no: l.no, words: l.words[:k]})
		}
		if k < len(l.words) {
			descLines = append(descLines, textLine{no: l.no, words: l.words[k:]})
		}
	}
	return joinLines(titleLines), joinLines(descLines)
}

// descriptionStart returns the index of the word in words where a
// description starts, or len(words) if every word is title-ish. From the
// first word that is not title-ish it backs up over minor words to the
// capitalized word before them, which starts the description's sentence
// ("Develop and maintain": from "maintain" back to "Develop").
func descriptionStart(words []string, skipFirst bool) int {
	first := -1
	for i, w := range words {
		if (i == 0 && skipFirst) || titleish(w) {
			continue
		}
		first = i
		break
	}
	if first < 0 {
		return len(words)
	}
	j := first - 1
	for j >= 0 && minorWords[words[j]] {
		j--
	}
	return max(j, 0)
}

// minorWords are the short words that appear in lower case inside titles
// ("Strategy and Policy", "Planning and Execution").
var minorWords = map[string]bool{
	"a": true, "an": true, "and": true, "as": true, "at": true, "by": true,
	"for": true, "from": true, "in": true, "nor": true, "of": true, "on": true,
	"or": true, "the": true, "to": true, "with": true, "&": true,
}

// titleish reports whether word could be part of a title: it starts with an
// upper-case letter (possibly after opening brackets or quotes, as in
// "(POLMIL)"), or it is a minor word. "Country/Regional" and "Security,"
// are title-ish; "and/or", "maintain" and "assess," are not.
func titleish(word string) bool {
	if minorWords[word] {
		return true
	}
	for _, r := range word {
		switch {
		case strings.ContainsRune(`([{"'“‘`, r):
			continue
		case unicode.IsUpper(r):
			return true
		default:
			return false
		}
	}
	return false
}

// endsInWordHyphen reports whether the last of words is a word part that
// ends in a hyphen ("End-"), not a lone dash.
func endsInWordHyphen(words []string) bool {
	if len(words) == 0 {
		return false
	}
	last := words[len(words)-1]
	return len(last) > 1 && strings.HasSuffix(last, "-")
}

// joinLines joins the words of lines with single spaces, except that a line
// ending in a hyphenated word part joins the next without one ("End-" +
// "Use" = "End-Use"): no character is invented or dropped.
func joinLines(lines []textLine) string {
	var b strings.Builder
	prevHyphen := false
	for _, l := range lines {
		if len(l.words) == 0 {
			continue
		}
		if b.Len() > 0 && !prevHyphen {
			b.WriteByte(' ')
		}
		b.WriteString(strings.Join(l.words, " "))
		prevHyphen = endsInWordHyphen(l.words)
	}
	return b.String()
}
