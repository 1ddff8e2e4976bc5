package engine

import (
	"cmap/domain"
	"strings"
	"sync"
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
// description, one objective). All the phrases are looked for in one pass
// over each field (see phraseMatcher).
//
// A termTable is built while a rule set compiles and read-only after
// (but for its phrase matcher, built once on first use), so it is safe for
// concurrent use.
type termTable struct {
	terms []term
	ids   map[termKey]int
	// topics are the ids of the topic terms, by normalised text.
	topics map[string]int

	matcherOnce sync.Once
	matcher     *phraseMatcher
}

type termKey struct {
	kind termKind
	norm string
}

func newTermTable() *termTable {
	return &termTable{ids: map[termKey]int{}, topics: map[string]int{}}
}

// normalizeTerm returns the words of s, lower-cased and joined by single
// spaces: the form in which phrases and topics are compared.
func normalizeTerm(s string) string {
	var sc textScratch
	return string(sc.normalize(s))
}

// textScratch is scratch space for normalising text, reused from text to
// text.
type textScratch struct{ norm []byte }

// normalize returns normalizeTerm(s) in scratch space that the next use
// overwrites; it allocates only for text that is not ASCII.
func (sc *textScratch) normalize(s string) []byte {
	s = lowerNonASCII(s)
	sc.norm = sc.norm[:0]
	inWord := false
	for i := 0; i < len(s); {
		c, size := s[i], 1
		var word bool
		if c < utf8.RuneSelf {
			c = lowerASCII(c)
			word = asciiWordByte(c)
		} else {
			var r rune
			r, size = utf8.DecodeRuneInString(s[i:])
			word = wordRune(r)
		}
		if word {
			if !inWord && len(sc.norm) > 0 {
				sc.norm = append(sc.norm, ' ')
			}
			if c < utf8.RuneSelf {
				sc.norm = append(sc.norm, c)
			} else {
				sc.norm = append(sc.norm, s[i:i+size]...)
			}
		}
		inWord = word
		i += size
	}
	return sc.norm
}

// lowerNonASCII returns s lower-cased (strings.ToLower) if it has bytes
// that are not ASCII, else s as it is: its readers lower-case ASCII
// letters with lowerASCII as they go, which allocates nothing.
func lowerNonASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return strings.ToLower(s)
		}
	}
	return s
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// asciiWordByte reports whether c, a lower-case ASCII byte, is part of a
// word: a letter or a digit.
func asciiWordByte(c byte) bool { return 'a' <= c && c <= 'z' || '0' <= c && c <= '9' }

// wordRune reports whether r is part of a word: a letter or a digit.
func wordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

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
	return id
}

// newSet returns an empty set of the table's terms.
func (t *termTable) newSet() termSet { return make(termSet, (len(t.terms)+63)/64) }

// match adds to set, made by newSet, the terms that course c matches: the
// phrases found in its title, description and objectives, and the topics
// it lists. sc is scratch space.
func (t *termTable) match(set termSet, c *domain.Course, sc *textScratch) {
	if len(t.terms) == 0 {
		return
	}
	t.matcherOnce.Do(func() { t.matcher = newPhraseMatcher(t.terms) })
	if m := t.matcher; m != nil {
		m.scan(set, c.Title)
		m.scan(set, c.Description)
		for _, o := range c.Objectives {
			m.scan(set, o)
		}
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

// phraseMatcher finds every phrase of a term table in a text in one pass
// over its bytes: an Aho-Corasick automaton, as a complete table of
// transitions (a DFA). It reads the text as a stream of its words
// (termTable's: runs of letters and digits, lower-cased), each followed
// by one space, after a leading space; a phrase, as the same stream of its
// words, is found where it occurs in the text's, which is where its words
// occur in a row.
type phraseMatcher struct {
	// class numbers the bytes that occur in phrases from 1; other bytes
	// are class 0, on which every state goes back to the start.
	class  [256]uint8
	nclass int
	// next[s*nclass+c] is the state after reading a byte of class c in
	// state s; state 0 is the start.
	next []int32
	// out is the id of the phrase that ends at a state, or -1; found is
	// the state itself if it has out, or else the nearest state whose
	// text is a suffix of its own that has one, or -1; more is found for
	// the longest proper suffix. A phrase is found on each state of the
	// chain found, more, more...
	out, found, more []int32
}

// newPhraseMatcher builds the matcher of the phrase terms, or returns nil
// if there are none.
func newPhraseMatcher(terms []term) *phraseMatcher {
	m := &phraseMatcher{}
	var patterns [][]byte
	var ids []int32
	for id, t := range terms {
		if t.kind == phraseTerm {
			patterns = append(patterns, []byte(" "+t.norm+" "))
			ids = append(ids, int32(id))
		}
	}
	if len(patterns) == 0 {
		return nil
	}
	m.nclass = 1
	for _, p := range patterns {
		for _, b := range p {
			if m.class[b] == 0 {
				m.class[b] = uint8(m.nclass)
				m.nclass++
			}
		}
	}
	// The trie of the patterns; -1 marks a missing edge.
	newState := func() int32 {
		for range m.nclass {
			m.next = append(m.next, -1)
		}
		m.out = append(m.out, -1)
		return int32(len(m.out) - 1)
	}
	newState()
	for i, p := range patterns {
		s := int32(0)
		for _, b := range p {
			e := int(s)*m.nclass + int(m.class[b])
			if m.next[e] < 0 {
				m.next[e] = newState()
			}
			s = m.next[e]
		}
		m.out[s] = ids[i]
	}
	// Breadth first, complete the edges with those of the failure state
	// (the longest proper suffix that is a state) and link the outputs.
	n := len(m.out)
	fail := make([]int32, n)
	m.found, m.more = make([]int32, n), make([]int32, n)
	m.found[0], m.more[0] = -1, -1
	queue := make([]int32, 0, n)
	for c := range m.nclass {
		if u := m.next[c]; u < 0 {
			m.next[c] = 0
		} else {
			queue = append(queue, u)
		}
	}
	for len(queue) > 0 {
		u := queue[0]
		queue = queue[1:]
		f := fail[u]
		m.more[u] = m.found[f]
		m.found[u] = m.more[u]
		if m.out[u] >= 0 {
			m.found[u] = u
		}
		for c := range m.nclass {
			e := int(u)*m.nclass + c
			if v := m.next[e]; v < 0 {
				m.next[e] = m.next[int(f)*m.nclass+c]
			} else {
				fail[v] = m.next[int(f)*m.nclass+c]
				queue = append(queue, v)
			}
		}
	}
	return m
}

// scan adds to set the phrases found in text.
func (m *phraseMatcher) scan(set termSet, text string) {
	if text == "" {
		return
	}
	text = lowerNonASCII(text)
	next, class, nclass := m.next, &m.class, m.nclass
	space := int(class[' '])
	s := next[space]
	inWord := false
	for i := 0; i < len(text); {
		c, size := text[i], 1
		var word bool
		if c < utf8.RuneSelf {
			c = lowerASCII(c)
			if word = asciiWordByte(c); word {
				s = next[int(s)*nclass+int(class[c])]
			}
		} else {
			var r rune
			r, size = utf8.DecodeRuneInString(text[i:])
			if word = wordRune(r); word {
				for j := i; j < i+size; j++ {
					s = next[int(s)*nclass+int(class[text[j]])]
				}
			}
		}
		i += size
		if word {
			inWord = true
			if i < len(text) {
				continue
			}
		}
		// A separator, or the end of the text: the word read, if any,
		// ends with a space.
		if inWord {
			s = next[int(s)*nclass+space]
			for f := m.found[s]; f >= 0; f = m.more[f] {
				set.add(int(m.out[f]))
			}
			inWord = false
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
