package domain

import (
	"fmt"
	"strings"
)

// Scale is an ordered proficiency scale. It is data (rules/scale.yaml), not
// part of any schema: levels are compared by their rank in the scale, never
// alphabetically.
type Scale struct {
	// Name of the scale, e.g. "Security Cooperation proficiency".
	Name string `json:"name" yaml:"name"`
	// Levels from lowest to highest.
	Levels []string `json:"levels" yaml:"levels"`
}

// DefaultScale is the Security Cooperation program's 2020 scale, used when
// no scale file is given.
func DefaultScale() Scale {
	return Scale{Name: "Security Cooperation proficiency", Levels: []string{"Basic", "Intermediate", "Advanced", "Expert"}}
}

// Validate checks that the scale has levels and that they are distinct.
func (s Scale) Validate() error {
	if len(s.Levels) == 0 {
		return Invalid("levels", "scale %q has no levels", s.Name)
	}
	seen := map[string]bool{}
	for i, l := range s.Levels {
		key := strings.ToLower(l)
		if l == "" {
			return Invalid(fmt.Sprintf("levels[%d]", i), "empty level name")
		}
		if seen[key] {
			return Invalid(fmt.Sprintf("levels[%d]", i), "duplicate level %q", l)
		}
		seen[key] = true
	}
	return nil
}

// Rank returns the 1-based rank of level (case-insensitive) and whether it
// is on the scale. The empty level has rank 0: "nothing attained".
func (s Scale) Rank(level string) (int, bool) {
	if level == "" {
		return 0, true
	}
	for i, l := range s.Levels {
		if strings.EqualFold(l, level) {
			return i + 1, true
		}
	}
	return 0, false
}

// Level returns the level of rank r (1-based), or "" for rank 0 or out of range.
func (s Scale) Level(r int) string {
	if r < 1 || r > len(s.Levels) {
		return ""
	}
	return s.Levels[r-1]
}

// Canonical returns level spelled as on the scale, and whether it is on it.
func (s Scale) Canonical(level string) (string, bool) {
	r, ok := s.Rank(level)
	if !ok {
		return "", false
	}
	return s.Level(r), true
}

// Compare returns -1, 0 or +1 as level a ranks below, equal to or above b.
// Levels not on the scale rank as 0.
func (s Scale) Compare(a, b string) int {
	ra, _ := s.Rank(a)
	rb, _ := s.Rank(b)
	switch {
	case ra < rb:
		return -1
	case ra > rb:
		return 1
	}
	return 0
}
