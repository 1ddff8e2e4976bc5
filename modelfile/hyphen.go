package modelfile

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"cmap/diag"
)

// The rules that decide a line-end hyphen, as Join.Rule names them.
const (
	// RuleEvidence: the document spells the word elsewhere, more often
	// one way than the other, and that spelling wins.
	RuleEvidence = "evidence"
	// RuleNotLowercase: no evidence, and the continuation does not start
	// with a lower-case letter ("Use", "19"): the hyphen joins a compound
	// ("End-Use", "COVID-19") and is kept.
	RuleNotLowercase = "not-lowercase"
	// RuleDefault: no evidence, and the continuation is lower case
	// ("risk-" / "based"): the hyphen is kept because the reader drops no
	// character without evidence. Check reports it as suspicious.
	RuleDefault = "default"
)

// Join is the text reader's decision about one hyphen at the end of a
// line: whether the word part before it ("infor-", "End-") and the first
// word of the next line ("mation", "Use") make one word without the hyphen
// ("information") or a hyphenated compound ("End-Use"). The two lines join
// without a space either way.
//
// The reader decides from evidence first, then by a rule of thumb:
//
//  1. How the document itself spells the word elsewhere: the closed form
//     ("information") and the hyphenated form ("infor-mation") are counted
//     over every other word of the file, without regard to case, each part
//     between slashes on its own, ignoring the punctuation around a word.
//     The parts of line-end breaks do not count: they are the question,
//     not the answer. The form the document uses more often wins.
//  2. With no evidence (neither form, or both equally often), the hyphen is
//     kept. A continuation that does not start with a lower-case letter
//     ("Use", "Hygiene", "19") keeps it as a rule of thumb: it joins a
//     compound of names. A lower-case continuation ("risk-" / "based")
//     keeps it only because the reader drops no character without
//     evidence; Check reports such a join as suspicious, since it may be a
//     word broken by hyphenation.
type Join struct {
	// Pos is where the word part before the hyphen starts.
	diag.Pos
	// Fragment is the last word of the line, hyphen included ("infor-").
	Fragment string `json:"fragment"`
	// Continuation is the first word of the next line ("mation").
	Continuation string `json:"continuation"`
	// NextLine is the line of the continuation.
	NextLine int `json:"nextLine"`
	// Word is the two joined as the model reads them ("information").
	Word string `json:"word"`
	// Kept reports whether the hyphen stays in Word.
	Kept bool `json:"kept"`
	// Closed and Hyphenated count the times the document spells the word
	// elsewhere without the hyphen and with it.
	Closed     int `json:"closed"`
	Hyphenated int `json:"hyphenated"`
	// Rule names what decided: RuleEvidence, RuleNotLowercase or
	// RuleDefault.
	Rule string `json:"rule"`
	// Evidence says in words what decided, e.g. `the document spells
	// "information" 2 times elsewhere, "infor-mation" never`.
	Evidence string `json:"evidence"`

	closedForm, hyphenatedForm string // the forms counted, lower case
	seen                       string // what the document shows, for messages
}

// String describes the decision on one line: where, what was joined, and
// why, e.g. `m.txt:9:51: "infor-" + "mation" = "information", hyphen
// dropped: the document spells "information" 2 times elsewhere,
// "infor-mation" never`.
func (j Join) String() string {
	verdict := "dropped"
	if j.Kept {
		verdict = "kept"
	}
	return fmt.Sprintf("%s: %q + %q = %q, hyphen %s: %s", j.Pos, j.Fragment, j.Continuation, j.Word, verdict, j.Evidence)
}

// setForms sets the two forms of the broken word that the document's
// spelling is searched for, in lower case: "infor-" and "mation)," give
// "information" and "infor-mation". They stay empty when either part holds
// no letter or digit.
func (j *Join) setForms() {
	left := strings.TrimSuffix(j.Fragment, "-")
	left = strings.TrimLeftFunc(left[strings.LastIndexByte(left, '/')+1:], notWordRune)
	right, _, _ := strings.Cut(j.Continuation, "/")
	right = strings.TrimFunc(right, notWordRune)
	if left != "" && right != "" {
		j.closedForm = strings.ToLower(left + right)
		j.hyphenatedForm = strings.ToLower(left + "-" + right)
	}
}

// decide fills in the decision from counts, the number of times each of
// the forms setForms chose occurs in the document outside line-end breaks.
func (j *Join) decide(counts map[string]int) {
	if j.closedForm != "" {
		j.Closed, j.Hyphenated = counts[j.closedForm], counts[j.hyphenatedForm]
	}
	switch {
	case j.Closed > j.Hyphenated:
		j.Kept, j.Rule = false, RuleEvidence
		j.Evidence = fmt.Sprintf("the document spells %q %s elsewhere, %q %s",
			j.closedForm, times(j.Closed), j.hyphenatedForm, times(j.Hyphenated))
	case j.Hyphenated > j.Closed:
		j.Kept, j.Rule = true, RuleEvidence
		j.Evidence = fmt.Sprintf("the document spells %q %s elsewhere, %q %s",
			j.hyphenatedForm, times(j.Hyphenated), j.closedForm, times(j.Closed))
	default:
		j.Kept = true
		j.seen = fmt.Sprintf("the document spells neither %q nor %q elsewhere", j.hyphenatedForm, j.closedForm)
		switch {
		case j.closedForm == "":
			j.seen = "the continuation is not a word"
		case j.Closed > 0:
			j.seen = fmt.Sprintf("the document spells %q and %q %s each elsewhere",
				j.hyphenatedForm, j.closedForm, times(j.Closed))
		}
		first, _ := utf8.DecodeRuneInString(strings.TrimLeftFunc(j.Continuation, notWordRune))
		if unicode.IsLower(first) {
			j.Rule = RuleDefault
			j.Evidence = j.seen + "; kept by default: no character is dropped without evidence"
		} else {
			j.Rule = RuleNotLowercase
			j.Evidence = j.seen + "; rule of thumb: a continuation that is not lower case keeps the hyphen"
		}
	}
	j.Word = strings.TrimSuffix(j.Fragment, "-") + j.Continuation
	if j.Kept {
		j.Word = j.Fragment + j.Continuation
	}
}

// suspicion returns the diagnostic Check reports for a join that no
// evidence decided and no rule of thumb settles, and false for the others.
func (j *Join) suspicion() (diag.Diagnostic, bool) {
	if j.Rule != RuleDefault {
		return diag.Diagnostic{}, false
	}
	return diag.Errorf(j.Pos, "hyphen kept in %q without evidence (%s): if it is one word broken across lines, write it whole on one line",
		strings.TrimFunc(j.Word, notWordRune), j.seen), true
}

// times spells a count for a message: "never", "once", "3 times".
func times(n int) string {
	switch n {
	case 0:
		return "never"
	case 1:
		return "once"
	}
	return fmt.Sprintf("%d times", n)
}

// notWordRune reports whether r is neither a letter nor a digit.
func notWordRune(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }

// decideHyphens finds every line-end hyphen that joins two lines of a
// block and decides it from the words of all, the document's non-blank
// lines (see Join).
func (p *textParser) decideHyphens(all []textLine, blocks []*block) {
	type at struct{ line, col int }
	breakParts := map[at]bool{}
	p.joins = map[int]*Join{}
	p.joinOrder = nil
	for _, b := range blocks {
		for i := 0; i+1 < len(b.lines); i++ {
			l, next := b.lines[i], b.lines[i+1]
			if !endsInWordHyphen(l.words) || len(next.words) == 0 {
				continue
			}
			j := &Join{
				Pos:          diag.Pos{File: p.file, Line: l.no, Col: l.lastCol()},
				Fragment:     l.words[len(l.words)-1],
				Continuation: next.words[0],
				NextLine:     next.no,
			}
			p.joins[l.no] = j
			p.joinOrder = append(p.joinOrder, j)
			breakParts[at{l.no, l.lastCol()}] = true
			breakParts[at{next.no, next.cols[0]}] = true
		}
	}
	if len(p.joinOrder) == 0 {
		return
	}
	// Count only the forms some join looks for.
	counts := map[string]int{}
	for _, j := range p.joinOrder {
		j.setForms()
		if j.closedForm != "" {
			counts[j.closedForm], counts[j.hyphenatedForm] = 0, 0
		}
	}
	for _, l := range all {
		for i, w := range l.words {
			if breakParts[at{l.no, l.cols[i]}] {
				continue
			}
			for part := range strings.SplitSeq(w, "/") {
				f := strings.ToLower(strings.TrimFunc(part, notWordRune))
				if _, wanted := counts[f]; wanted {
					counts[f]++
				}
			}
		}
	}
	for _, j := range p.joinOrder {
		j.decide(counts)
	}
}

// joinList returns the joins in file order.
func (p *textParser) joinList() []Join {
	out := make([]Join, len(p.joinOrder))
	for i, j := range p.joinOrder {
		out[i] = *j
	}
	return out
}

// placedWord is a word of the model and where it starts in the file.
type placedWord struct {
	text string
	pos  diag.Pos
}

// joinWords returns the words of lines, with each word broken at a line end
// joined as its Join decided: "End-" and "Use" become one word "End-Use",
// placed where "End-" starts.
func (p *textParser) joinWords(lines []textLine) []placedWord {
	n := 0
	for _, l := range lines {
		n += len(l.words)
	}
	out := make([]placedWord, 0, n)
	var pending *Join // the join the previous line ends in
	for _, l := range lines {
		for i, w := range l.words {
			if i == 0 && pending != nil && pending.NextLine == l.no && len(out) > 0 {
				last := &out[len(out)-1]
				stem := strings.TrimSuffix(last.text, "-")
				if pending.Kept {
					stem += "-"
				}
				last.text = stem + w
				continue
			}
			out = append(out, placedWord{text: w, pos: diag.Pos{File: p.file, Line: l.no, Col: l.cols[i]}})
		}
		pending = nil
		if j := p.joins[l.no]; j != nil && len(l.words) > 0 && l.lastCol() == j.Col {
			pending = j
		}
	}
	return out
}

// joinLines returns the text of lines: their words with single spaces,
// broken words joined (see joinWords).
func (p *textParser) joinLines(lines []textLine) string {
	return wordsText(p.joinWords(lines))
}

// wordsText returns the words separated by single spaces.
func wordsText(words []placedWord) string {
	n := len(words)
	for _, w := range words {
		n += len(w.text)
	}
	var b strings.Builder
	b.Grow(n)
	for i, w := range words {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(w.text)
	}
	return b.String()
}
