package modelfile

import (
	"cmap/domain"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"

	"cmap/diag"
)

// Report is what Check found in a model file: the model, or the errors
// that stop it from reading, and what the reader guessed and suspects on
// the way.
type Report struct {
	// File is the name the model was read under.
	File string
	// Model is the model as Read returns it; nil when there are Errors.
	Model *domain.Framework
	// Errors are the problems that stop the model from reading: the
	// diagnostics Read returns.
	Errors diag.List
	// Joins are the text reader's decisions about hyphens at line ends, in
	// file order (see Join). YAML and JSON have none.
	Joins []Join
	// Suspicions are things that read but look wrong, sorted by position:
	// a statement that reads like two run together (a line that lost its
	// code), a line-end hyphen kept without evidence, the codes of a CASE
	// package made up by position because the package's do not fit.
	Suspicions diag.List
}

// Check reads a competency model from data as Read does and reports, with
// the model or its errors, the line-end hyphens the text reader decided
// and anything suspicious:
//
//   - a sub-competency statement that reads like two run together: a
//     sentence ends and the next starts with a capitalized verb that starts
//     another statement of the model ("... procedures. Ensure proper
//     accounting ..." where 6.D reads "Ensure compliance ..."). This is what
//     a line that lost its code looks like: the reader cannot invent the
//     code, so the line reads as part of the statement above it. The verbs
//     are learned from the model's own statements, so any model is checked
//     the same way; a run-together sentence whose verb starts no other
//     statement goes unnoticed. A word ending in a full stop that holds
//     another one ("U.S.", "e.g.") or is a single letter is taken for an
//     abbreviation, not a sentence end.
//   - a line-end hyphen that neither the document's spelling nor the rule
//     of thumb decides (Join's RuleDefault);
//   - a CASE package whose humanCodingScheme codes are not cmap codes, so
//     that every item was numbered by position (reported at the first
//     item that does not fit).
//
// Suspicions are found also when there are errors, from what could be read.
func Check(name string, data []byte) *Report {
	r := &Report{File: name}
	var (
		fw         *domain.Framework
		err        error
		statements []statementWords
		locate     func(field string) diag.Pos
	)
	switch ext := strings.ToLower(filepath.Ext(name)); ext {
	case ".txt", ".text":
		p := readText(name, data)
		fw, err = &p.fw, p.err()
		statements = p.statements
		r.Joins = p.joinList()
		for i := range r.Joins {
			if d, ok := r.Joins[i].suspicion(); ok {
				r.Suspicions = append(r.Suspicions, d)
			}
		}
	case ".yaml", ".yml":
		fw, locate, err = readYAML(name, data)
		statements = fieldStatements(fw)
	case ".json":
		if isCASE(name, data) {
			var notes diag.List
			fw, locate, notes, err = readCASE(name, data)
			r.Suspicions = append(r.Suspicions, notes...)
		} else {
			fw, locate, err = readJSON(name, data)
		}
		statements = fieldStatements(fw)
	default:
		err = diag.List{diag.Errorf(diag.Pos{File: name},
			"unknown competency model format %q: use .txt, .text, .yaml, .yml or .json", ext)}
	}
	if err != nil {
		r.Errors = diag.AsList(err)
	} else {
		r.Model = fw
	}
	r.Suspicions = append(r.Suspicions, runTogether(statements, locate)...).Sort()
	return r
}

// CheckFile checks the competency model in the file at path; see Check.
// The error is about reading the file; the model's problems are in the
// report.
func CheckFile(path string) (*Report, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Check(path, data), nil
}

// statementWords is a sub-competency statement split into its words.
type statementWords struct {
	code  string
	words []placedWord
	// field is the statement's field path for a YAML or JSON model, whose
	// words carry no position.
	field string
}

// fieldStatements splits the statements of fw, which may be nil, into
// words without positions.
func fieldStatements(fw *domain.Framework) []statementWords {
	if fw == nil {
		return nil
	}
	var out []statementWords
	for i, c := range fw.Competencies {
		for j, s := range c.SubCompetencies {
			sw := statementWords{code: s.Code, field: fmt.Sprintf("competencies[%d].subCompetencies[%d].statement", i, j)}
			for _, w := range strings.Fields(s.Statement) {
				sw.words = append(sw.words, placedWord{text: w})
			}
			out = append(out, sw)
		}
	}
	return out
}

// runTogether reports each place in statements where a sentence ends and
// the next starts with a verb that starts another statement (see Check).
// locate places the statements of a YAML or JSON model; nil for text,
// whose words carry their positions.
func runTogether(statements []statementWords, locate func(field string) diag.Pos) diag.List {
	starts := map[string][]string{} // verb -> codes of the statements it starts
	codes := map[string]bool{}
	for _, s := range statements {
		codes[s.code] = true
		if len(s.words) > 0 {
			if v := verb(s.words[0].text); v != "" {
				starts[v] = append(starts[v], s.code)
			}
		}
	}
	var out diag.List
	for _, s := range statements {
		for i := 1; i < len(s.words); i++ {
			if !endsSentence(s.words[i-1].text) {
				continue
			}
			v := verb(s.words[i].text)
			var others []string
			for _, c := range starts[v] {
				if c != s.code {
					others = append(others, c)
				}
			}
			if len(others) == 0 {
				continue
			}
			pos := s.words[i].pos
			if locate != nil {
				pos = locate(s.field)
			}
			hint := "did a line lose its code?"
			if next, ok := nextCode(s.code); ok && !codes[next] {
				hint = fmt.Sprintf("did a line lose its code (%s?)", next)
			}
			out.Add(pos, "sub-competency %s reads like two statements run together: a sentence ends, then %q starts another, as it starts %s: %s",
				s.code, v, strings.Join(others, ", "), hint)
		}
	}
	return out
}

// verb returns word without the punctuation after it ("Develop," gives
// "Develop") if what is left is a capitalized word of letters, the shape of
// a verb that starts a statement; "" otherwise.
func verb(word string) string {
	w := strings.TrimRight(word, ",;:")
	first, _ := utf8.DecodeRuneInString(w)
	if utf8.RuneCountInString(w) < 2 || !unicode.IsUpper(first) {
		return ""
	}
	for _, r := range w {
		if !unicode.IsLetter(r) {
			return ""
		}
	}
	return w
}

// endsSentence reports whether word ends a sentence: it ends in a full
// stop, question or exclamation mark, possibly followed by closing
// brackets or quotes, and is not an abbreviation ("U.S.", "e.g.", "J.").
func endsSentence(word string) bool {
	w := strings.TrimRight(word, `)]}"'”’`)
	body, ok := strings.CutSuffix(w, ".")
	if !ok {
		body, ok = strings.CutSuffix(w, "?")
	}
	if !ok {
		body, ok = strings.CutSuffix(w, "!")
	}
	if !ok || strings.Contains(body, ".") {
		return false
	}
	return utf8.RuneCountInString(strings.TrimFunc(body, notWordRune)) > 1
}

// nextCode returns the sub-competency code after code ("4.K" gives "4.L"),
// false after "Z".
func nextCode(code string) (string, bool) {
	n, letter := codeParts(code)
	if letter >= 'Z' {
		return "", false
	}
	return fmt.Sprintf("%d.%c", n, letter+1), true
}
