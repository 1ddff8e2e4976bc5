// Package suggest finds mappings the rules may have missed: for a
// sub-competency, the active courses whose text matches its statement
// well but that no rule maps to it, ranked, with the words that matched.
//
// # Ranking
//
// Each active course is a document: its title, description, objectives
// and topics. The query is the sub-competency's statement. Both are cut
// into words (letters and digits), lower-cased, stripped of English stop
// words and reduced to their stem by the Snowball English (Porter2)
// stemmer of github.com/kljensen/snowball, so that "estimates",
// "estimating" and "estimate" match. Courses are ranked by Okapi BM25
// (k1 = 1.2, b = 0.75, the idf of Lucene: ln(1 + (N - n + 0.5)/(n + 0.5))),
// the standard lexical ranking of search engines: a word counts more the
// rarer it is across the catalogue and the more often the course uses
// it, with diminishing returns and long courses normalised.
//
// Why not a search library for the ranking: the Go module proxy serves no
// maintained BM25 package of a reasonable size (github.com/crawlab-team/
// bm25 and its forks are not served), and bleve/v2, which ranks with BM25
// since 2.5, brings 25 modules (seven on-disk segment formats among them)
// and about 20 MB of binary for an in-memory corpus of at most a few
// thousand courses rebuilt per question. The formula is a few lines,
// tested against values computed by hand; the part that is easy to get
// wrong, stemming, comes from the library.
//
// # Quality
//
// TestRecallAt10 hides each shipped course rule in turn and counts how
// many of the courses it alone mapped come back in the top 10 suggestions
// of the sub-competencies it yields (recall@10); see the README.
package suggest

import (
	"cmap/domain"
	"cmp"
	"math"
	"slices"
	"strings"
	"unicode"

	"github.com/kljensen/snowball/english"
)

// BM25 parameters: term-frequency saturation and length normalisation,
// the usual defaults (Lucene's, Robertson's).
const (
	k1 = 1.2
	b  = 0.75
)

// DefaultTop is the number of suggestions per sub-competency when the
// caller gives none.
const DefaultTop = 10

// word is one word of a text: its stem and the word as written.
type word struct{ stem, text string }

// words cuts text into words, lower-cased and stemmed, without stop words
// and one-letter words.
func words(text string) []word {
	var out []word
	for _, w := range strings.FieldsFunc(text, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		lw := strings.ToLower(w)
		if len(lw) < 2 || english.IsStopWord(lw) {
			continue
		}
		out = append(out, word{stem: english.Stem(lw, false), text: lw})
	}
	return out
}

// document is one course as BM25 sees it.
type document struct {
	course *domain.Course
	tf     map[string]int // stem -> occurrences
	length int
}

// Index ranks the active courses of a catalogue against texts. It is
// immutable and safe for concurrent use.
type Index struct {
	docs      []document
	df        map[string]int // stem -> courses using it
	avgLength float64
}

// NewIndex indexes the active courses among courses.
func NewIndex(courses []*domain.Course) *Index {
	ix := &Index{df: map[string]int{}}
	total := 0
	for _, c := range courses {
		if !c.Active() {
			continue
		}
		text := strings.Join(slices.Concat([]string{c.Title, c.Description}, c.Objectives, c.Topics), "\n")
		d := document{course: c, tf: map[string]int{}}
		for _, w := range words(text) {
			d.tf[w.stem]++
			d.length++
		}
		for stem := range d.tf {
			ix.df[stem]++
		}
		total += d.length
		ix.docs = append(ix.docs, d)
	}
	if len(ix.docs) > 0 {
		ix.avgLength = float64(total) / float64(len(ix.docs))
	}
	return ix
}

// Hit is a course ranked against a text.
type Hit struct {
	Course *domain.Course
	Score  float64
	// Matched are the words of the text the course has (by stem), as the
	// text writes them, in the text's order.
	Matched []string
}

// idf is BM25's inverse document frequency of a stem, as Lucene has it
// (never negative).
func (ix *Index) idf(stem string) float64 {
	n, df := float64(len(ix.docs)), float64(ix.df[stem])
	return math.Log(1 + (n-df+0.5)/(df+0.5))
}

// Rank scores every indexed course against text and returns those with a
// positive score, best first (ties by course code). Each distinct stem of
// text counts once.
func (ix *Index) Rank(text string) []Hit {
	type term struct {
		stem  string
		texts []string
	}
	var terms []term
	for _, w := range words(text) {
		i := slices.IndexFunc(terms, func(t term) bool { return t.stem == w.stem })
		if i < 0 {
			terms = append(terms, term{stem: w.stem})
			i = len(terms) - 1
		}
		if !slices.Contains(terms[i].texts, w.text) {
			terms[i].texts = append(terms[i].texts, w.text)
		}
	}
	var hits []Hit
	for _, d := range ix.docs {
		h := Hit{Course: d.course}
		for _, t := range terms {
			tf := float64(d.tf[t.stem])
			if tf == 0 {
				continue
			}
			norm := k1 * (1 - b + b*float64(d.length)/ix.avgLength)
			h.Score += ix.idf(t.stem) * tf * (k1 + 1) / (tf + norm)
			h.Matched = append(h.Matched, t.texts...)
		}
		if h.Score > 0 {
			hits = append(hits, h)
		}
	}
	slices.SortFunc(hits, func(x, y Hit) int {
		return cmp.Or(cmp.Compare(y.Score, x.Score), cmp.Compare(x.Course.Code, y.Course.Code))
	})
	return hits
}

// Suggestion is a course a sub-competency's statement matches that no
// rule maps to the sub-competency.
type Suggestion struct {
	SubCompetency string `json:"subCompetency"`
	Course        string `json:"course"`
	Title         string `json:"title"`
	// Rank is the place of the course among the suggestions for the
	// sub-competency, from 1.
	Rank int `json:"rank"`
	// Score is the BM25 score, rounded to 4 decimals so that it reads
	// the same on every platform (a fused multiply-add may change the
	// last bits).
	Score float64 `json:"score"`
	// Matched are the statement's words the course has.
	Matched []string `json:"matched"`
}

// Suggest returns, for each sub-competency of fw (or the one with code
// sub), the top active courses (DefaultTop when top is 0) whose text
// matches its statement and that have no coverage fact on it in coverage
// (facts by course code), best first; sub-competencies in model order.
// It fails with EINVALID on "subCompetency" for a code fw lacks and on
// "top" for a negative top.
func Suggest(fw *domain.Framework, ix *Index, coverage map[string][]domain.Coverage, sub string, top int) ([]Suggestion, error) {
	if top < 0 {
		return nil, domain.Invalid("top", "top must not be negative, not %d", top)
	}
	if top == 0 {
		top = DefaultTop
	}
	var subs []domain.SubCompetency
	for _, c := range fw.Competencies {
		for _, s := range c.SubCompetencies {
			if sub == "" || s.Code == sub {
				subs = append(subs, s)
			}
		}
	}
	if len(subs) == 0 {
		return nil, domain.Invalid("subCompetency", "no sub-competency %q in the competency model", sub)
	}
	out := []Suggestion{}
	for _, s := range subs {
		n := 0
		for _, h := range ix.Rank(s.Statement) {
			if n == top {
				break
			}
			if slices.ContainsFunc(coverage[h.Course.Code], func(f domain.Coverage) bool { return f.SubCompetency == s.Code }) {
				continue
			}
			n++
			out = append(out, Suggestion{SubCompetency: s.Code, Course: h.Course.Code, Title: h.Course.Title, Rank: n, Score: math.Round(h.Score*1e4) / 1e4, Matched: h.Matched})
		}
	}
	return out, nil
}

// Similarity returns how alike two texts are, from 0 (no word in common)
// to 1 (the same words): the Jaccard index of their sets of stems, as
// words cuts them. It is what `cmap model diff` uses to guess which
// removed item a new one replaces.
func Similarity(a, b string) float64 {
	set := func(text string) map[string]bool {
		s := map[string]bool{}
		for _, w := range words(text) {
			s[w.stem] = true
		}
		return s
	}
	sa, sb := set(a), set(b)
	if len(sa) == 0 && len(sb) == 0 {
		return 0
	}
	common := 0
	for st := range sa {
		if sb[st] {
			common++
		}
	}
	return float64(common) / float64(len(sa)+len(sb)-common)
}
