package engine

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Rules ask two kinds of questions about a course's text: does it mention
// a phrase (mentions), and does it carry a topic (hasTopic). Every phrase
// and topic that any rule of a set names is a term, numbered once when the
// set is compiled. A course's text is then scanned once, when it is
// evaluated, into a termSet; the rules' helpers only test bits of it.

// termKind tells phrases from topics: "export" as a phrase of the text and
// "export" as a topic are different questions.
type termKind uint8

const (
	phraseTerm termKind = iota
	topicTerm
)

// termSet is the set of terms one course matches, a bit per term id.
type termSet []uint64

func (s termSet) has(id int) bool {
	w := id >> 6
	return w < len(s) && s[w]&(1<<(uint(id)&63)) != 0
}

func (s termSet) hasAny(ids []int) bool {
	for _, id := range ids {
		if s.has(id) {
			return true
		}
	}
	return false
}

func (s termSet) add(id int) { s[id>>6] |= 1 << (uint(id) & 63) }

// term is one phrase or topic as normalised for matching, with the text a
// rule first wrote for it (for explanations).
type term struct {
	kind termKind
	norm string
	text string
}

// termTable numbers the terms of a rule set and matches them against
// course text. Phrases are matched word by word: the text and the phrases
// are split into words (runs of letters and digits, lower-cased), so a
// phrase matches whole words only ("arms" does not match "harms"),
// whatever the case, punctuation or spacing between them ("end-use"
// matches "End Use"). A phrase never spans two fields (the title, the
// description, one objective).
//
// A termTable is built while a rule set compiles and read-only after, so
// it is safe for concurrent use.
type termTable struct {
	terms []term
	ids   map[termKey]int
	// topics are the ids of the topic terms, by normalised text.
	topics map[string]int
	// trie of phrases over words: node 0 is the root.
	trie []trieNode
}

type termKey struct {
	kind termKind
	norm string
}

type trieNode struct {
	next map[string]int32
	term int32 // id of the phrase ending here, or -1
}

func newTermTable() *termTable {
	return &termTable{ids: map[termKey]int{}, topics: map[string]int{}, trie: []trieNode{{term: -1}}}
}

// normalizeTerm returns the words of s, lower-cased and joined by single
// spaces: the form in which phrases and topics are compared.
func normalizeTerm(s string) string {
	var sc textScratch
	return string(sc.normalize(s))
}

// textScratch is the scratch space in which text is lower-cased and split
// into words, reused from text to text.
type textScratch struct {
	// lower is the text lower-cased (see lower).
	lower []byte
	// words are the runs of letters and digits of lower, as [start, end)
	// offsets.
	words [][2]int32
	norm  []byte
}

// split lower-cases s into sc.lower and splits it into sc.words.
func (sc *textScratch) split(s string) {
	sc.lower = appendLower(sc.lower[:0], s)
	sc.words = sc.words[:0]
	start := -1
	for i := 0; i < len(sc.lower); {
		c, size := sc.lower[i], 1
		var inWord bool
		if c < utf8.RuneSelf {
			inWord = 'a' <= c && c <= 'z' || '0' <= c && c <= '9'
		} else {
			var r rune
			r, size = utf8.DecodeRune(sc.lower[i:])
			inWord = unicode.IsLetter(r) || unicode.IsDigit(r)
		}
		switch {
		case inWord && start < 0:
			start = i
		case !inWord && start >= 0:
			sc.words = append(sc.words, [2]int32{int32(start), int32(i)})
			start = -1
		}
		i += size
	}
	if start >= 0 {
		sc.words = append(sc.words, [2]int32{int32(start), int32(len(sc.lower))})
	}
}

// word returns word i of the text last split.
func (sc *textScratch) word(i int) []byte {
	w := sc.words[i]
	return sc.lower[w[0]:w[1]]
}

// normalize returns the words of s lower-cased and joined by single
// spaces, in scratch space that the next use overwrites.
func (sc *textScratch) normalize(s string) []byte {
	sc.split(s)
	sc.norm = sc.norm[:0]
	for i := range sc.words {
		if i > 0 {
			sc.norm = append(sc.norm, ' ')
		}
		sc.norm = append(sc.norm, sc.word(i)...)
	}
	return sc.norm
}

// appendLower appends s lower-cased (as strings.ToLower) to dst. It
// allocates only for text that is not ASCII.
func appendLower(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return append(dst, strings.ToLower(s)...)
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}

// add returns the id of the term of kind for text, numbering it if new.
// It returns -1 when text has no words.
func (t *termTable) add(kind termKind, text string) int {
	norm := normalizeTerm(text)
	if norm == "" {
		return -1
	}
	key := termKey{kind, norm}
	if id, ok := t.ids[key]; ok {
		return id
	}
	id := len(t.terms)
	t.terms = append(t.terms, term{kind: kind, norm: norm, text: text})
	t.ids[key] = id
	if kind == topicTerm {
		t.topics[norm] = id
	}
	if kind == phraseTerm {
		node := int32(0)
		for _, w := range strings.Split(norm, " ") {
			child, ok := t.trie[node].next[w]
			if !ok {
				child = int32(len(t.trie))
				t.trie = append(t.trie, trieNode{term: -1})
				if t.trie[node].next == nil {
					t.trie[node].next = map[string]int32{}
				}
				t.trie[node].next[w] = child
			}
			node = child
		}
		t.trie[node].term = int32(id)
	}
	return id
}

// newSet returns an empty set of the table's terms.
func (t *termTable) newSet() termSet { return make(termSet, (len(t.terms)+63)/64) }

// match adds to set, made by newSet, the terms that course c matches: the
// phrases found in its title, description and objectives, and the topics
// it lists. sc is scratch space.
func (t *termTable) match(set termSet, c *Course, sc *textScratch) {
	if len(t.terms) == 0 {
		return
	}
	t.matchText(set, c.Title, sc)
	t.matchText(set, c.Description, sc)
	for _, o := range c.Objectives {
		t.matchText(set, o, sc)
	}
	if len(t.topics) == 0 {
		return
	}
	for _, topic := range c.Topics {
		if id, ok := t.topics[string(sc.normalize(topic))]; ok {
			set.add(id)
		}
	}
}

// matchText adds to set the phrases found in text, walking the phrase trie
// from every word.
func (t *termTable) matchText(set termSet, text string, sc *textScratch) {
	if len(t.trie[0].next) == 0 || text == "" {
		return
	}
	sc.split(text)
	for i := range sc.words {
		node := int32(0)
		for j := i; j < len(sc.words); j++ {
			child, ok := t.trie[node].next[string(sc.word(j))]
			if !ok {
				break
			}
			node = child
			if id := t.trie[node].term; id >= 0 {
				set.add(int(id))
			}
		}
	}
}

// describe returns the text of the terms in ids that set holds, and of
// those it does not, as first written by a rule.
func (t *termTable) describe(set termSet, ids []int) (found, missing []string) {
	for _, id := range ids {
		if set.has(id) {
			found = append(found, t.terms[id].text)
		} else {
			missing = append(missing, t.terms[id].text)
		}
	}
	return found, missing
}
