package mongodb

import (
	"time"

	"cmap/engine"
)

// The document structs below are the stored shape of engine types. Empty
// lists are omitted from documents and come back as nil slices.

type courseDoc struct {
	Code          string    `bson:"_id"`
	Title         string    `bson:"title"`
	Description   string    `bson:"description"`
	Objectives    []string  `bson:"objectives,omitempty"`
	Topics        []string  `bson:"topics,omitempty"`
	Hours         float64   `bson:"hours"`
	DeliveryMode  string    `bson:"deliveryMode"`
	Provider      string    `bson:"provider"`
	Status        string    `bson:"status"`
	Prerequisites []string  `bson:"prerequisites,omitempty"`
	Version       int64     `bson:"version"`
	UpdatedAt     time.Time `bson:"updatedAt"`
}

func courseToDoc(c *engine.Course) courseDoc {
	return courseDoc{
		Code:          c.Code,
		Title:         c.Title,
		Description:   c.Description,
		Objectives:    c.Objectives,
		Topics:        c.Topics,
		Hours:         c.Hours,
		DeliveryMode:  c.DeliveryMode,
		Provider:      c.Provider,
		Status:        c.Status,
		Prerequisites: c.Prerequisites,
		Version:       c.Version,
		UpdatedAt:     c.UpdatedAt,
	}
}

func (d *courseDoc) record() *engine.Course {
	return &engine.Course{
		Code:          d.Code,
		Title:         d.Title,
		Description:   d.Description,
		Objectives:    d.Objectives,
		Topics:        d.Topics,
		Hours:         d.Hours,
		DeliveryMode:  d.DeliveryMode,
		Provider:      d.Provider,
		Status:        d.Status,
		Prerequisites: d.Prerequisites,
		Version:       d.Version,
		UpdatedAt:     d.UpdatedAt,
	}
}

type positionDoc struct {
	ID           string    `bson:"_id"`
	Title        string    `bson:"title"`
	Organization string    `bson:"organization"`
	Grade        string    `bson:"grade"`
	Category     string    `bson:"category"`
	KeyBillet    bool      `bson:"keyBillet"`
	Region       string    `bson:"region"`
	Version      int64     `bson:"version"`
	UpdatedAt    time.Time `bson:"updatedAt"`
}

func positionToDoc(p *engine.Position) positionDoc {
	return positionDoc{
		ID:           p.ID,
		Title:        p.Title,
		Organization: p.Organization,
		Grade:        p.Grade,
		Category:     p.Category,
		KeyBillet:    p.KeyBillet,
		Region:       p.Region,
		Version:      p.Version,
		UpdatedAt:    p.UpdatedAt,
	}
}

func (d *positionDoc) record() *engine.Position {
	return &engine.Position{
		ID:           d.ID,
		Title:        d.Title,
		Organization: d.Organization,
		Grade:        d.Grade,
		Category:     d.Category,
		KeyBillet:    d.KeyBillet,
		Region:       d.Region,
		Version:      d.Version,
		UpdatedAt:    d.UpdatedAt,
	}
}

type personDoc struct {
	ID          string          `bson:"_id"`
	Name        string          `bson:"name"`
	PositionID  string          `bson:"positionId"`
	Completions []completionDoc `bson:"completions,omitempty"`
	Version     int64           `bson:"version"`
	UpdatedAt   time.Time       `bson:"updatedAt"`
}

type completionDoc struct {
	CourseCode string    `bson:"courseCode"`
	Completed  time.Time `bson:"completed"`
}

func personToDoc(p *engine.Person) personDoc {
	d := personDoc{
		ID:         p.ID,
		Name:       p.Name,
		PositionID: p.PositionID,
		Version:    p.Version,
		UpdatedAt:  p.UpdatedAt,
	}
	for _, c := range p.Completions {
		d.Completions = append(d.Completions, completionToDoc(c))
	}
	return d
}

func completionToDoc(c engine.Completion) completionDoc {
	return completionDoc{CourseCode: c.CourseCode, Completed: c.Completed}
}

func (d *personDoc) record() *engine.Person {
	p := &engine.Person{
		ID:         d.ID,
		Name:       d.Name,
		PositionID: d.PositionID,
		Version:    d.Version,
		UpdatedAt:  d.UpdatedAt,
	}
	for _, c := range d.Completions {
		p.Completions = append(p.Completions, engine.Completion{CourseCode: c.CourseCode, Completed: c.Completed})
	}
	return p
}

// frameworkID is the _id of the one stored framework.
const frameworkID = "current"

type frameworkDoc struct {
	ID           string          `bson:"_id"`
	Name         string          `bson:"name"`
	Competencies []competencyDoc `bson:"competencies"`
	UpdatedAt    time.Time       `bson:"updatedAt"`
}

type competencyDoc struct {
	Code            string             `bson:"code"`
	Title           string             `bson:"title"`
	Description     string             `bson:"description"`
	SubCompetencies []subCompetencyDoc `bson:"subCompetencies"`
}

type subCompetencyDoc struct {
	Code      string `bson:"code"`
	Statement string `bson:"statement"`
}

func frameworkToDoc(f *engine.Framework) frameworkDoc {
	d := frameworkDoc{ID: frameworkID, Name: f.Name}
	for _, c := range f.Competencies {
		cd := competencyDoc{Code: c.Code, Title: c.Title, Description: c.Description}
		for _, s := range c.SubCompetencies {
			cd.SubCompetencies = append(cd.SubCompetencies, subCompetencyDoc{Code: s.Code, Statement: s.Statement})
		}
		d.Competencies = append(d.Competencies, cd)
	}
	return d
}

func (d *frameworkDoc) record() *engine.Framework {
	f := &engine.Framework{Name: d.Name}
	for _, cd := range d.Competencies {
		c := engine.Competency{Code: cd.Code, Title: cd.Title, Description: cd.Description}
		for _, s := range cd.SubCompetencies {
			c.SubCompetencies = append(c.SubCompetencies, engine.SubCompetency{Code: s.Code, Statement: s.Statement})
		}
		f.Competencies = append(f.Competencies, c)
	}
	return f
}

// courseFactsDoc holds the coverage of one course. The course code is kept
// once, in _id, not in every coverage entry.
type courseFactsDoc struct {
	Course   string         `bson:"_id"`
	Revision string         `bson:"revision"`
	Coverage []levelFactDoc `bson:"coverage"`
}

// positionFactsDoc holds the requirements of one position, keyed like
// courseFactsDoc.
type positionFactsDoc struct {
	Position     string         `bson:"_id"`
	Revision     string         `bson:"revision"`
	Requirements []levelFactDoc `bson:"requirements"`
}

// levelFactDoc is one coverage or requirement fact without its course or
// position.
type levelFactDoc struct {
	SubCompetency string       `bson:"sub"`
	Level         string       `bson:"level"`
	Rules         []ruleRefDoc `bson:"rules,omitempty"`
}

type ruleRefDoc struct {
	ID   string `bson:"id"`
	File string `bson:"file"`
	Line int    `bson:"line"`
}

func ruleRefsToDocs(refs []engine.RuleRef) []ruleRefDoc {
	var docs []ruleRefDoc
	for _, r := range refs {
		docs = append(docs, ruleRefDoc{ID: r.ID, File: r.File, Line: r.Line})
	}
	return docs
}

func ruleRefsFromDocs(docs []ruleRefDoc) []engine.RuleRef {
	var refs []engine.RuleRef
	for _, d := range docs {
		refs = append(refs, engine.RuleRef{ID: d.ID, File: d.File, Line: d.Line})
	}
	return refs
}

func courseFactsToDoc(f engine.CourseFacts) courseFactsDoc {
	d := courseFactsDoc{Course: f.Course, Revision: f.Revision, Coverage: []levelFactDoc{}}
	for _, c := range f.Coverage {
		d.Coverage = append(d.Coverage, levelFactDoc{SubCompetency: c.SubCompetency, Level: c.Level, Rules: ruleRefsToDocs(c.Rules)})
	}
	return d
}

func (d *courseFactsDoc) record() engine.CourseFacts {
	f := engine.CourseFacts{Course: d.Course, Revision: d.Revision}
	for _, c := range d.Coverage {
		f.Coverage = append(f.Coverage, engine.Coverage{Course: d.Course, SubCompetency: c.SubCompetency, Level: c.Level, Rules: ruleRefsFromDocs(c.Rules)})
	}
	return f
}

func positionFactsToDoc(f engine.PositionFacts) positionFactsDoc {
	d := positionFactsDoc{Position: f.Position, Revision: f.Revision, Requirements: []levelFactDoc{}}
	for _, r := range f.Requirements {
		d.Requirements = append(d.Requirements, levelFactDoc{SubCompetency: r.SubCompetency, Level: r.Level, Rules: ruleRefsToDocs(r.Rules)})
	}
	return d
}

func (d *positionFactsDoc) record() engine.PositionFacts {
	f := engine.PositionFacts{Position: d.Position, Revision: d.Revision}
	for _, r := range d.Requirements {
		f.Requirements = append(f.Requirements, engine.Requirement{Position: d.Position, SubCompetency: r.SubCompetency, Level: r.Level, Rules: ruleRefsFromDocs(r.Rules)})
	}
	return f
}
