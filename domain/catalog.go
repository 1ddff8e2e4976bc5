package domain

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

// Course statuses.
const (
	CourseActive  = "active"
	CourseRetired = "retired"
)

// Delivery modes of a course.
const (
	DeliveryResident = "resident"
	DeliveryOnline   = "online"
	DeliveryBlended  = "blended"
)

// Course is one offering of the training catalogue.
type Course struct {
	// Code is the course's natural key, e.g. "SCO-201".
	Code        string   `json:"code" yaml:"code"`
	Title       string   `json:"title" yaml:"title"`
	Description string   `json:"description" yaml:"description"`
	Objectives  []string `json:"objectives" yaml:"objectives"`
	// Topics are short keywords, compared case-insensitively by rules.
	Topics []string `json:"topics" yaml:"topics"`
	// Hours of instruction.
	Hours float64 `json:"hours" yaml:"hours"`
	// DeliveryMode is one of the Delivery* constants.
	DeliveryMode string `json:"deliveryMode" yaml:"deliveryMode"`
	Provider     string `json:"provider" yaml:"provider"`
	// Status is CourseActive or CourseRetired.
	Status string `json:"status" yaml:"status"`
	// Prerequisites are the codes of courses to complete first.
	Prerequisites []string `json:"prerequisites" yaml:"prerequisites"`
	// Version counts the writes of this record; an update must name the
	// version it read (optimistic concurrency). 0 before the first write.
	Version int64 `json:"version" yaml:"-"`
	// UpdatedAt is set by the store on every write.
	UpdatedAt time.Time `json:"updatedAt" yaml:"-"`
	// Audit is the ID of the audit entry of the write that stored this
	// version; "" for a version written without one (a seeded record).
	Audit string `json:"-" yaml:"-"`
}

// MaxCode is the length of the longest course code, MaxID of the longest
// position or person id.
const (
	MaxCode = 32
	MaxID   = 64
)

// CourseCodePattern is the form of a course code, and courseCodeRule says it in
// words for error messages. Codes are as real catalogues write them: any
// letters and digits with the separators - _ . / and space, so that a
// catalogue's codes import as they are ("T-100", "MGT 101", "DAU/ACQ.101").
var CourseCodePattern = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9_./ -]{0,30}[A-Za-z0-9_./-])?$`)

const courseCodeRule = "1 to 32 of A-Z a-z 0-9 - _ . / and space; first a letter or digit, last not a space: " +
	"SCO-201, MGT 101"

// Validate checks the course's fields, their sizes included (see
// MaxName); the error names the field path.
func (c *Course) Validate() error {
	switch {
	case !CourseCodePattern.MatchString(c.Code):
		return Invalid("code", "%q is not a course code (%s)", shorten(c.Code), courseCodeRule)
	case strings.TrimSpace(c.Title) == "":
		return Invalid("title", "title is empty")
	case c.Hours < 0 || c.Hours > 10000:
		return Invalid("hours", "hours must be between 0 and 10000, not %g", c.Hours)
	}
	if err := checkTexts(
		textField{"title", c.Title, MaxName},
		textField{"description", c.Description, MaxDescription},
		textField{"provider", c.Provider, MaxName},
	); err != nil {
		return err
	}
	if err := checkList("objectives", c.Objectives, MaxListItems, MaxObjective); err != nil {
		return err
	}
	if err := checkList("topics", c.Topics, MaxListItems, MaxTopic); err != nil {
		return err
	}
	if len(c.Prerequisites) > MaxListItems {
		return Invalid("prerequisites", "%d items, more than the %d allowed", len(c.Prerequisites), MaxListItems)
	}
	switch c.DeliveryMode {
	case DeliveryResident, DeliveryOnline, DeliveryBlended:
	default:
		return Invalid("deliveryMode", "delivery mode %q is not one of resident, online, blended", shorten(c.DeliveryMode))
	}
	switch c.Status {
	case CourseActive, CourseRetired:
	default:
		return Invalid("status", "status %q is not one of active, retired", shorten(c.Status))
	}
	for i, o := range c.Objectives {
		if strings.TrimSpace(o) == "" {
			return Invalid(fmt.Sprintf("objectives[%d]", i), "objective is empty")
		}
	}
	for i, t := range c.Topics {
		if strings.TrimSpace(t) == "" {
			return Invalid(fmt.Sprintf("topics[%d]", i), "topic is empty")
		}
	}
	seen := map[string]bool{}
	for i, p := range c.Prerequisites {
		field := fmt.Sprintf("prerequisites[%d]", i)
		switch {
		case !CourseCodePattern.MatchString(p):
			return Invalid(field, "%q is not a course code (%s)", shorten(p), courseCodeRule)
		case p == c.Code:
			return Invalid(field, "a course cannot be its own prerequisite")
		case seen[p]:
			return Invalid(field, "duplicate prerequisite %s", p)
		}
		seen[p] = true
	}
	return nil
}

// Active reports whether the course is offered.
func (c *Course) Active() bool { return c.Status == CourseActive }

// Position is a billet of the workforce.
type Position struct {
	// ID is the position's natural key, e.g. "POS-0001".
	ID           string `json:"id" yaml:"id"`
	Title        string `json:"title" yaml:"title"`
	Organization string `json:"organization" yaml:"organization"`
	// Grade is a pay grade, e.g. "GS-13", "O-4", "E-7".
	Grade string `json:"grade" yaml:"grade"`
	// Category is the billet type, e.g. "SCO" (security cooperation
	// office), "IA" (implementing agency), "HQ", "COCOM".
	Category  string `json:"category" yaml:"category"`
	KeyBillet bool   `json:"keyBillet" yaml:"keyBillet"`
	// Region is the area of responsibility, e.g. "EUCOM", "INDOPACOM".
	Region    string    `json:"region" yaml:"region"`
	Version   int64     `json:"version" yaml:"-"`
	UpdatedAt time.Time `json:"updatedAt" yaml:"-"`
	// Audit is the ID of the audit entry of the write that stored this
	// version; "" for a version written without one (a seeded record).
	Audit string `json:"-" yaml:"-"`
}

// IDPattern is the form of position and person ids, and GradePattern the
// form of a grade; idRule and GradeRule say them in words for error
// messages (the rules engine checks grades in rule files with them too).
var (
	IDPattern    = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9_./ -]{0,62}[A-Za-z0-9_./-])?$`)
	GradePattern = regexp.MustCompile(`^(GS|O|E|W|SES|GG|NH)-[0-9]{1,2}$`)
	// bareGrade is a grade's number without its pay plan ("13"), which
	// the message of a refused grade answers with the form it wants.
	bareGrade = regexp.MustCompile(`^[0-9]{1,2}$`)
)

const (
	idRule    = "1 to 64 of A-Z a-z 0-9 - _ . / and space; first a letter or digit, last not a space"
	GradeRule = "a pay plan (GS, O, E, W, SES, GG or NH), a dash and a 1- or 2-digit number: GS-13, O-5"
)

// Validate checks the position's fields, their sizes included.
func (p *Position) Validate() error {
	switch {
	case !IDPattern.MatchString(p.ID):
		return Invalid("id", "%q is not a position id (%s: POS-0001)", shorten(p.ID), idRule)
	case strings.TrimSpace(p.Title) == "":
		return Invalid("title", "title is empty")
	case strings.TrimSpace(p.Organization) == "":
		return Invalid("organization", "organization is empty")
	case !GradePattern.MatchString(p.Grade):
		if bareGrade.MatchString(p.Grade) {
			return Invalid("grade", "%q is not a grade (%s); a bare number needs its pay plan: GS-%s", p.Grade, GradeRule, p.Grade)
		}
		return Invalid("grade", "%q is not a grade (%s)", shorten(p.Grade), GradeRule)
	case strings.TrimSpace(p.Category) == "":
		return Invalid("category", "category is empty")
	}
	return checkTexts(
		textField{"title", p.Title, MaxName},
		textField{"organization", p.Organization, MaxName},
		textField{"category", p.Category, MaxName},
		textField{"region", p.Region, MaxName},
	)
}

// GradeRank returns the number of a grade ("GS-13" -> 13), 0 when it has none.
func GradeRank(grade string) int {
	i := strings.LastIndexByte(grade, '-')
	if i < 0 {
		return 0
	}
	n := 0
	for _, r := range grade[i+1:] {
		if r < '0' || r > '9' {
			return 0
		}
		n = n*10 + int(r-'0')
	}
	return n
}

// GradePlan returns the pay plan of a grade ("GS-13" -> "GS").
func GradePlan(grade string) string {
	plan, _, _ := strings.Cut(grade, "-")
	return plan
}

// Person is a member of the workforce.
type Person struct {
	// ID is the person's natural key, e.g. "P-00001".
	ID   string `json:"id" yaml:"id"`
	Name string `json:"name" yaml:"name"`
	// PositionID is the position the person holds; empty when unassigned.
	PositionID  string       `json:"positionId" yaml:"positionId"`
	Completions []Completion `json:"completions" yaml:"completions"`
	Version     int64        `json:"version" yaml:"-"`
	UpdatedAt   time.Time    `json:"updatedAt" yaml:"-"`
	// Audit is the ID of the audit entry of the write that stored this
	// version; "" for a version written without one (a seeded record).
	Audit string `json:"-" yaml:"-"`
}

// Completion records that a person completed a course on a date.
type Completion struct {
	CourseCode string    `json:"courseCode" yaml:"courseCode"`
	Completed  time.Time `json:"completed" yaml:"completed"`
}

// Validate checks the person's fields and completions, their sizes and
// number included.
func (p *Person) Validate() error {
	switch {
	case !IDPattern.MatchString(p.ID):
		return Invalid("id", "%q is not a person id (%s: P-00001)", shorten(p.ID), idRule)
	case strings.TrimSpace(p.Name) == "":
		return Invalid("name", "name is empty")
	case p.PositionID != "" && !IDPattern.MatchString(p.PositionID):
		return Invalid("positionId", "%q is not a position id (%s: POS-0001)", shorten(p.PositionID), idRule)
	case len(p.Completions) > MaxCompletions:
		return Invalid("completions", "%d items, more than the %d allowed", len(p.Completions), MaxCompletions)
	}
	if err := checkText("name", p.Name, MaxName); err != nil {
		return err
	}
	for i, c := range p.Completions {
		if err := c.Validate(); err != nil {
			return prefixField(fmt.Sprintf("completions[%d]", i), err)
		}
	}
	return nil
}

// Validate checks a completion.
func (c Completion) Validate() error {
	switch {
	case !CourseCodePattern.MatchString(c.CourseCode):
		return Invalid("courseCode", "%q is not a course code (%s)", shorten(c.CourseCode), courseCodeRule)
	case c.Completed.IsZero():
		return Invalid("completed", "completion date is missing")
	case c.Completed.After(time.Now().Add(48 * time.Hour)):
		return Invalid("completed", "completion date %s is in the future", c.Completed.Format(time.DateOnly))
	}
	return nil
}

// Refs returns pointers to the items of records, in order: the records of
// a dataset (values) as the functions that take records by pointer want
// them.
func Refs[T any](records []T) []*T {
	refs := make([]*T, len(records))
	for i := range records {
		refs[i] = &records[i]
	}
	return refs
}
