package modelfile

import (
	"cmap/domain"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"cmap/diag"
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
//     folded to single spaces;
//   - a line ending in a word part and a hyphen ("End-", "infor-") joins the
//     next line without a space, keeping or dropping the hyphen as the
//     document itself decides (see Join): "End-" / "Use" reads "End-Use",
//     "infor-" / "mation" reads "information" when the document spells
//     "information" elsewhere.
//
// The title ends where the description starts: at the first line that
// holds a word that is not title-ish (see titleish), backed up to the
// capitalized word that starts the description's first sentence. A model
// must number its competencies 1.0, 2.0, ... and letter each one's
// sub-competencies A, B, ... without gaps; every problem is reported with
// its line.
//
// A line that lost its code reads as part of the statement above it: the
// reader cannot invent the code. Check reports such a statement as
// suspicious.
func ReadText(name string, data []byte) (*domain.Framework, error) {
	p := readText(name, data)
	if err := p.err(); err != nil {
		return nil, err
	}
	return &p.fw, nil
}

// readText parses data and returns the parser with everything it found.
func readText(name string, data []byte) *textParser {
	p := &textParser{file: name}
	p.parse(data)
	return p
}

// err returns the problems that stop the model from reading, or nil.
func (p *textParser) err() error {
	if err := p.errs.Err(); err != nil {
		return err
	}
	return validate(&p.fw, p.file, nil)
}

// textLine is one non-blank source line, split into words.
type textLine struct {
	no    int
	words []string
	cols  []int // the column, in characters, of each word
}

// slice returns the line with only its words i to j-1.
func (l textLine) slice(i, j int) textLine {
	return textLine{no: l.no, words: l.words[i:j], cols: l.cols[i:j]}
}

// lastCol returns the column of the line's last word, 0 if it has none.
func (l textLine) lastCol() int {
	if len(l.cols) == 0 {
		return 0
	}
	return l.cols[len(l.cols)-1]
}

// splitFields splits a source line into its words, as strings.Fields does,
// and the 1-based column of each, counted in characters.
func splitFields(raw string) ([]string, []int) {
	words := strings.Fields(raw)
	cols := make([]int, len(words))
	off, col := 0, 1
	for i, w := range words {
		// Only white space lies between the previous word and this one.
		gap := strings.Index(raw[off:], w)
		col += utf8.RuneCountInString(raw[off : off+gap])
		cols[i] = col
		col += utf8.RuneCountInString(w)
		off += gap + len(w)
	}
	return words, cols
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
	fw   domain.Framework
	errs diag.List

	compLine  map[string]int // competency code -> line it was first seen on
	subLine   map[string]int // sub-competency code -> line it was first seen on
	lastComp  int            // highest competency number so far
	cur       *block         // the competency that sub-competencies now belong to
	curIndex  int            // index of cur in fw.Competencies, -1 if it was not added
	lastSub   byte           // highest sub-competency letter under cur, 0 for none
	curHasSub bool           // whether cur has at least one sub-competency

	joins      map[int]*Join    // line-end hyphen decisions by the line of the hyphen
	joinOrder  []*Join          // the same in file order
	statements []statementWords // every sub-competency statement read, in order
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
		all      []textLine // every non-blank line, for the hyphen evidence
		blocks   []*block
		haveName bool
	)
	for i, raw := range strings.Split(text, "\n") {
		words, cols := splitFields(raw)
		if len(words) == 0 {
			continue
		}
		line := textLine{no: i + 1, words: words, cols: cols}
		all = append(all, line)
		if isCode(words[0]) {
			pos := diag.Pos{File: p.file, Line: line.no, Col: cols[0]}
			if !haveName {
				p.errs.Add(pos, "the model's name is missing: the first line of the file is the code %s", words[0])
				haveName = true
			}
			blocks = append(blocks, &block{code: words[0], pos: pos, lines: []textLine{line.slice(1, len(words))}})
			continue
		}
		switch {
		case !haveName:
			p.fw.Name = strings.Join(words, " ")
			haveName = true
		case len(blocks) > 0:
			last := blocks[len(blocks)-1]
			last.lines = append(last.lines, line)
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

	p.decideHyphens(all, blocks)
	p.compLine = map[string]int{}
	p.subLine = map[string]int{}
	p.curIndex = -1
	for _, b := range blocks {
		if domain.IsCompetencyCode(b.code) {
			p.competency(b)
		} else {
			p.subCompetency(b)
		}
	}
	p.endCompetency()
}

// isCode reports whether word is a competency or sub-competency code.
func isCode(word string) bool {
	return domain.IsCompetencyCode(word) || domain.IsSubCompetencyCode(word)
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
	titleLines, descLines := splitTitle(b.lines)
	title, description := p.joinLines(titleLines), p.joinLines(descLines)
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
	p.fw.Competencies = append(p.fw.Competencies, domain.Competency{
		Code: b.code, Title: title, Description: description,
	})
	p.curIndex = len(p.fw.Competencies) - 1
}

// subCompetency handles a block that starts with a sub-competency code.
func (p *textParser) subCompetency(b *block) {
	n, letter := codeParts(b.code)
	owner := domain.CompetencyOf(b.code)
	words := p.joinWords(b.lines)
	statement := wordsText(words)
	p.statements = append(p.statements, statementWords{code: b.code, words: words})
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
		c.SubCompetencies = append(c.SubCompetencies, domain.SubCompetency{Code: b.code, Statement: statement})
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

// splitTitle splits a competency's lines into its title lines and
// description lines. Title lines are those whose words are all title-ish;
// the first line that is not is split where its description sentence
// starts (usually at its first word; in "Sales and Transfers Identify,
// assess, ..." at "Identify,"), and everything from there on is
// description.
func splitTitle(lines []textLine) (titleLines, descLines []textLine) {
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
			titleLines = append(titleLines, l.slice(0, k))
		}
		if k < len(l.words) {
			descLines = append(descLines, l.slice(k, len(l.words)))
		}
	}
	return titleLines, descLines
}

// descriptionStart returns the index of the word in words where a
// description starts, or len(words) if every word is title-ish. From the
// first word that is not title-ish it backs up over minor words to the
// capitalized word before them, which starts the description's sentence
// ("Develop and maintain": from "maintain" back to "Develop"). With
// skipFirst the first word is the end of a word broken at the previous
// line's end, so the description starts after it at the earliest.
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
	lowest := 0
	if skipFirst {
		lowest = 1
	}
	j := first - 1
	for j >= lowest && minorWords[words[j]] {
		j--
	}
	return max(j, lowest)
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
// ends in a hyphen ("End-", "infor-"): a letter or digit, then one hyphen.
// A lone dash or "--" is not.
func endsInWordHyphen(words []string) bool {
	if len(words) == 0 {
		return false
	}
	before, ok := strings.CutSuffix(words[len(words)-1], "-")
	if !ok {
		return false
	}
	r, _ := utf8.DecodeLastRuneInString(before)
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}
