package domain

import (
	"fmt"
	"unicode/utf8"
)

// Size limits of the records' fields, checked by the Validate methods that
// every writer (the API, seeding, imports, the stores) goes through. Text
// is measured in characters (Unicode code points), so a limit of 200 is at
// most 800 bytes of UTF-8. Codes and ids are limited by their patterns:
// a course code has at most 17 characters, a position or person id 64.
//
// Together they keep every record small enough for the store to read back
// in batches: a course at its limits is about 41,000 characters (at most
// 164 KB), a person at most 1,000 completions (about 60 KB of BSON), so a
// batch of a hundred records stays far below a database reply's 48 MB.
const (
	// MaxName is the limit of short text: titles, names, providers,
	// organizations, categories, regions.
	MaxName = 200
	// MaxDescription is the limit of long text: descriptions and
	// sub-competency statements.
	MaxDescription = 10000
	// MaxObjective is the limit of one learning objective.
	MaxObjective = 500
	// MaxTopic is the limit of one topic keyword.
	MaxTopic = 100
	// MaxListItems is the most objectives, topics or prerequisites a
	// course lists.
	MaxListItems = 50
	// MaxCompletions is the most completions a person's record holds.
	MaxCompletions = 1000
	// MaxCompetencies is the most competencies a framework holds; each has
	// at most 26 sub-competencies (A to Z).
	MaxCompetencies = 100
)

// checkText returns an EINVALID error naming field when s is longer than
// max characters.
func checkText(field, s string, max int) error {
	if len(s) <= max { // a character takes at least one byte
		return nil
	}
	if n := utf8.RuneCountInString(s); n > max {
		return Invalid(field, "%d characters, more than the %d allowed", n, max)
	}
	return nil
}

// checkTexts returns the first error of checkText over fields, in order.
func checkTexts(fields ...textField) error {
	for _, f := range fields {
		if err := checkText(f.name, f.value, f.max); err != nil {
			return err
		}
	}
	return nil
}

// textField is a field checkTexts checks.
type textField struct {
	name, value string
	max         int
}

// checkList returns an EINVALID error naming field when the list has more
// than max items, and checks each item with checkText against maxItem,
// naming it field[i].
func checkList(field string, items []string, max, maxItem int) error {
	if len(items) > max {
		return Invalid(field, "%d items, more than the %d allowed", len(items), max)
	}
	for i, s := range items {
		if err := checkText(fmt.Sprintf("%s[%d]", field, i), s, maxItem); err != nil {
			return err
		}
	}
	return nil
}

// maxQuoted is how many characters of a refused value an error message
// quotes.
const maxQuoted = 80

// shorten returns s cut to maxQuoted characters, with "..." when it was
// longer, so that an error message never echoes a huge input.
func shorten(s string) string {
	if len(s) <= maxQuoted {
		return s
	}
	n := 0
	for i := range s {
		if n == maxQuoted {
			return s[:i] + "..."
		}
		n++
	}
	return s
}
