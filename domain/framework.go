package domain

import (
	"fmt"
	"regexp"
	"strings"
)

// Framework is a competency model: named competencies, each with lettered
// sub-competencies. The Security Cooperation workforce model is one; any
// model in the same shape loads the same way.
type Framework struct {
	// Name is the model's title, e.g. "Security Cooperation".
	Name string `json:"name" yaml:"name"`
	// Competencies in model order.
	Competencies []Competency `json:"competencies" yaml:"competencies"`

	// Revision numbers the model among the revisions a store holds (see
	// FrameworkRevision): 1 for the first, 0 for a model not stored (as
	// read from a file). Former are the codes of earlier revisions that
	// this one no longer has. Both are the store's, not the model file's:
	// model files neither hold nor write them.
	Revision int          `json:"-" yaml:"-"`
	Former   []FormerCode `json:"-" yaml:"-"`
}

// Competency is one area of a framework, e.g. 4.0 "Sales and Transfers".
type Competency struct {
	// Code is "N.0", e.g. "4.0".
	Code        string `json:"code" yaml:"code"`
	Title       string `json:"title" yaml:"title"`
	Description string `json:"description" yaml:"description"`
	// SubCompetencies in model order.
	SubCompetencies []SubCompetency `json:"subCompetencies" yaml:"subCompetencies"`
}

// SubCompetency is one lettered statement of a competency, e.g. 4.C.
type SubCompetency struct {
	// Code is "N.X", e.g. "4.C".
	Code      string `json:"code" yaml:"code"`
	Statement string `json:"statement" yaml:"statement"`
}

// competencyCode and SubCompetencyCodePattern are the forms of the codes
// of a model; the rules say them in words for error messages.
var (
	competencyCode           = regexp.MustCompile(`^[1-9][0-9]*\.0$`)
	SubCompetencyCodePattern = regexp.MustCompile(`^[1-9][0-9]*\.[A-Z]$`)
)

const (
	competencyCodeRule    = "a number from 1 without leading zeros, a dot and 0: 4.0"
	subCompetencyCodeRule = "a number from 1 without leading zeros, a dot and one capital letter: 4.C"
)

// IsCompetencyCode reports whether s has the form of a competency code ("4.0").
func IsCompetencyCode(s string) bool { return competencyCode.MatchString(s) }

// IsSubCompetencyCode reports whether s has the form of a sub-competency code ("4.C").
func IsSubCompetencyCode(s string) bool { return SubCompetencyCodePattern.MatchString(s) }

// CompetencyOf returns the code of the competency a sub-competency code
// belongs to: "4.C" -> "4.0".
func CompetencyOf(subCode string) string {
	for i := 0; i < len(subCode); i++ {
		if subCode[i] == '.' {
			return subCode[:i] + ".0"
		}
	}
	return ""
}

// Validate checks codes, titles and statements: every competency and
// sub-competency has a well-formed, unique code, sub-competency codes carry
// their competency's number, and no title or statement is empty or longer
// than its limit (MaxName, MaxDescription; at most MaxCompetencies).
func (f *Framework) Validate() error {
	if f.Name == "" {
		return Invalid("name", "framework name is empty")
	}
	if len(f.Competencies) == 0 {
		return Invalid("competencies", "framework has no competencies")
	}
	if len(f.Competencies) > MaxCompetencies {
		return Invalid("competencies", "%d items, more than the %d allowed", len(f.Competencies), MaxCompetencies)
	}
	if err := checkText("name", f.Name, MaxName); err != nil {
		return err
	}
	seen := map[string]bool{}
	for i, c := range f.Competencies {
		path := fmt.Sprintf("competencies[%d]", i)
		switch {
		case !IsCompetencyCode(c.Code):
			return Invalid(path+".code", "%q is not a competency code (%s)", shorten(c.Code), competencyCodeRule)
		case seen[c.Code]:
			return Invalid(path+".code", "duplicate competency %s", c.Code)
		case c.Title == "":
			return Invalid(path+".title", "competency %s has no title", c.Code)
		case len(c.SubCompetencies) == 0:
			return Invalid(path+".subCompetencies", "competency %s has no sub-competencies", c.Code)
		}
		if err := checkTexts(
			textField{path + ".title", c.Title, MaxName},
			textField{path + ".description", c.Description, MaxDescription},
		); err != nil {
			return err
		}
		seen[c.Code] = true
		for j, s := range c.SubCompetencies {
			sp := fmt.Sprintf("%s.subCompetencies[%d]", path, j)
			switch {
			case !IsSubCompetencyCode(s.Code):
				return Invalid(sp+".code", "%q is not a sub-competency code (%s)", shorten(s.Code), subCompetencyCodeRule)
			case CompetencyOf(s.Code) != c.Code:
				return Invalid(sp+".code", "sub-competency %s does not belong to competency %s", s.Code, c.Code)
			case seen[s.Code]:
				return Invalid(sp+".code", "duplicate sub-competency %s", s.Code)
			case s.Statement == "":
				return Invalid(sp+".statement", "sub-competency %s has no statement", s.Code)
			}
			if err := checkText(sp+".statement", s.Statement, MaxDescription); err != nil {
				return err
			}
			seen[s.Code] = true
		}
	}
	return nil
}

// Competency returns the competency with code, or nil.
func (f *Framework) Competency(code string) *Competency {
	for i := range f.Competencies {
		if f.Competencies[i].Code == code {
			return &f.Competencies[i]
		}
	}
	return nil
}

// SubCompetency returns the sub-competency with code, or nil.
func (f *Framework) SubCompetency(code string) *SubCompetency {
	c := f.competencyOf(code)
	if c == nil {
		return nil
	}
	for i := range c.SubCompetencies {
		if c.SubCompetencies[i].Code == code {
			return &c.SubCompetencies[i]
		}
	}
	return nil
}

// competencyOf returns the competency the sub-competency code belongs to
// (the one CompetencyOf names), or nil, without building its code: the
// API looks up a sub-competency for every one it writes.
func (f *Framework) competencyOf(subCode string) *Competency {
	i := strings.IndexByte(subCode, '.')
	if i < 0 {
		return nil
	}
	for j := range f.Competencies {
		if c := f.Competencies[j].Code; len(c) == i+2 && c[:i] == subCode[:i] && c[i:] == ".0" {
			return &f.Competencies[j]
		}
	}
	return nil
}

// SubCompetencyCodes returns every sub-competency code in model order.
func (f *Framework) SubCompetencyCodes() []string {
	var codes []string
	for _, c := range f.Competencies {
		for _, s := range c.SubCompetencies {
			codes = append(codes, s.Code)
		}
	}
	return codes
}
