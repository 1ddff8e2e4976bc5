package casefmt

import (
	"cmap/domain"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Item types and association types cmap writes.
const (
	// TypeCompetency is the CFItemType of a competency.
	TypeCompetency = "Competency"
	// TypeSubCompetency is the CFItemType of a sub-competency.
	TypeSubCompetency = "Sub-competency"
	// IsChildOf is the association type of the framework's tree.
	IsChildOf = "isChildOf"
	// IsRelatedTo is the association type of a course alignment.
	IsRelatedTo = "isRelatedTo"
	// CourseTargetType is the targetType of a course node.
	CourseTargetType = "ext:cmap-course"
	// CaseVersion is the version of CASE written.
	CaseVersion = "1.1"
	// DefaultCreator is the CFDocument's creator when Options gives none.
	DefaultCreator = "cmap"
)

// PathPrefix is the path of the CASE 1.1 REST endpoints; an object's uri
// with a base URL is BASE + PathPrefix + "/CFItems/ID" and so on.
const PathPrefix = "/ims/case/v1p1"

// namespace is the UUIDv5 namespace of cmap's document identifiers.
var namespace = uuid.NewSHA1(uuid.NameSpaceURL, []byte("urn:cmap:case"))

// Options are the choices of Build. The zero value writes the framework
// alone, without a scale, dated at the zero time of Unix.
type Options struct {
	// BaseURL is where the CASE REST endpoints are served
	// ("https://cmap.example.org"); without one, uris are "urn:uuid:ID".
	BaseURL string
	// Creator is the CFDocument's creator; DefaultCreator when empty.
	Creator string
	// Changed is the lastChangeDateTime of the document, items, rubric
	// and tree, written in UTC to the second.
	Changed time.Time
	// Scale, when it has levels, is written as a CFRubric.
	Scale domain.Scale
	// Alignments are written as isRelatedTo associations, in their order.
	Alignments []Alignment
}

// Alignment is one course's coverage of one sub-competency at a level of
// the scale.
type Alignment struct {
	Course        string
	CourseTitle   string
	SubCompetency string
	Level         string
	// Changed is the course's last change; Options.Changed when zero.
	Changed time.Time
}

// CourseURI is the identifier and uri of a course's node in an alignment:
// "urn:cmap:course:" and the path-escaped code.
func CourseURI(code string) string { return "urn:cmap:course:" + url.PathEscape(code) }

// DocumentID returns the identifier of the CFDocument of the framework
// named name.
func DocumentID(name string) string {
	return uuid.NewSHA1(namespace, []byte("framework:"+name)).String()
}

// builder holds what every object of one package shares.
type builder struct {
	doc     uuid.UUID
	base    string
	changed string
}

func (b *builder) id(what string) string { return uuid.NewSHA1(b.doc, []byte(what)).String() }

func (b *builder) uri(kind, id string) string {
	if b.base == "" {
		return "urn:uuid:" + id
	}
	return b.base + PathPrefix + "/" + kind + "/" + id
}

func (b *builder) link(kind, id, title string) *LinkURI {
	return &LinkURI{Title: title, Identifier: id, URI: b.uri(kind, id)}
}

// Build returns fw as a CASE package (see the package documentation for
// the mapping). It is an EINVALID error if an alignment names a
// sub-competency fw does not have or a level off opts.Scale.
func Build(fw *domain.Framework, opts Options) (*Package, error) {
	b := &builder{
		doc:     uuid.MustParse(DocumentID(fw.Name)),
		base:    strings.TrimRight(opts.BaseURL, "/"),
		changed: dateTime(opts.Changed),
	}
	creator := opts.Creator
	if creator == "" {
		creator = DefaultCreator
	}
	docID := b.doc.String()
	p := &Package{
		CFDocument: Document{
			Identifier:         docID,
			URI:                b.uri("CFDocuments", docID),
			CaseVersion:        CaseVersion,
			Creator:            creator,
			Title:              fw.Name,
			LastChangeDateTime: b.changed,
		},
		CFItems:        []Item{},
		CFAssociations: []Association{},
	}
	docNode := LinkGenURI{Title: fw.Name, Identifier: docID, URI: p.CFDocument.URI, TargetType: "CASE"}

	types := map[string]*LinkURI{}
	defs := &Definitions{}
	for i, t := range []struct{ title, description string }{
		{TypeCompetency, "An area of the competency model, with its sub-competencies."},
		{TypeSubCompetency, "One statement of a competency: what the rules map courses and positions to."},
	} {
		id := b.id("itemType:" + t.title)
		types[t.title] = b.link("CFItemTypes", id, t.title)
		defs.CFItemTypes = append(defs.CFItemTypes, ItemType{
			Identifier: id, URI: b.uri("CFItemTypes", id), Title: t.title, Description: t.description,
			HierarchyCode: fmt.Sprint(i + 1), TypeCode: t.title, LastChangeDateTime: b.changed,
		})
	}

	nodes := map[string]LinkGenURI{} // sub-competency code -> its node
	child := func(item *Item, parent LinkGenURI, seq int) {
		p.CFItems = append(p.CFItems, *item)
		id := b.id("isChildOf:" + item.HumanCodingScheme)
		p.CFAssociations = append(p.CFAssociations, Association{
			Identifier:         id,
			AssociationType:    IsChildOf,
			SequenceNumber:     &seq,
			URI:                b.uri("CFAssociations", id),
			OriginNodeURI:      LinkGenURI{Title: item.HumanCodingScheme, Identifier: item.Identifier, URI: item.URI, TargetType: "CASE"},
			DestinationNodeURI: parent,
			LastChangeDateTime: b.changed,
		})
	}
	for i, c := range fw.Competencies {
		full := c.Description
		if full == "" {
			full = c.Title
		}
		id := b.id("item:" + c.Code)
		item := &Item{
			Identifier: id, FullStatement: full, CFItemType: TypeCompetency, URI: b.uri("CFItems", id),
			HumanCodingScheme: c.Code, AbbreviatedStatement: c.Title, CFItemTypeURI: types[TypeCompetency],
			LastChangeDateTime: b.changed,
		}
		child(item, docNode, i+1)
		parent := LinkGenURI{Title: c.Code, Identifier: id, URI: item.URI, TargetType: "CASE"}
		for j, s := range c.SubCompetencies {
			sid := b.id("item:" + s.Code)
			sub := &Item{
				Identifier: sid, FullStatement: s.Statement, CFItemType: TypeSubCompetency, URI: b.uri("CFItems", sid),
				HumanCodingScheme: s.Code, CFItemTypeURI: types[TypeSubCompetency], LastChangeDateTime: b.changed,
			}
			child(sub, parent, j+1)
			nodes[s.Code] = LinkGenURI{Title: s.Code, Identifier: sid, URI: sub.URI, TargetType: "CASE"}
		}
	}

	if len(opts.Scale.Levels) > 0 {
		p.CFRubrics = []Rubric{b.rubric(opts.Scale)}
	}
	if len(opts.Alignments) > 0 {
		groupings := map[string]*LinkURI{}
		for r, level := range opts.Scale.Levels {
			id := b.id("coverage:" + level)
			title := "Coverage at " + level
			groupings[level] = b.link("CFAssociationGroupings", id, title)
			defs.CFAssociationGroupings = append(defs.CFAssociationGroupings, AssociationGrouping{
				Identifier: id, URI: b.uri("CFAssociationGroupings", id), Title: title,
				Description:        fmt.Sprintf("Courses that teach the sub-competency at %s (rank %d of the scale %s).", level, r+1, opts.Scale.Name),
				LastChangeDateTime: b.changed,
			})
		}
		for i, a := range opts.Alignments {
			field := fmt.Sprintf("alignments[%d]", i)
			dest, ok := nodes[a.SubCompetency]
			if !ok {
				return nil, domain.Invalid(field+".subCompetency", "course %s: no sub-competency %q in the framework", a.Course, a.SubCompetency)
			}
			level, ok := opts.Scale.Canonical(a.Level)
			if !ok || level == "" {
				return nil, domain.Invalid(field+".level", "course %s, %s: %q is not a level of the scale", a.Course, a.SubCompetency, a.Level)
			}
			rank, _ := opts.Scale.Rank(level)
			changed := b.changed
			if !a.Changed.IsZero() {
				changed = dateTime(a.Changed)
			}
			id := b.id("alignment:" + a.Course + "\x00" + a.SubCompetency)
			course := CourseURI(a.Course)
			title := a.CourseTitle
			if title == "" {
				title = a.Course
			}
			p.CFAssociations = append(p.CFAssociations, Association{
				Identifier:               id,
				AssociationType:          IsRelatedTo,
				URI:                      b.uri("CFAssociations", id),
				OriginNodeURI:            LinkGenURI{Title: title, Identifier: course, URI: course, TargetType: CourseTargetType},
				DestinationNodeURI:       dest,
				CFAssociationGroupingURI: groupings[level],
				LastChangeDateTime:       changed,
				Notes:                    fmt.Sprintf("Course %s teaches %s at %s.", a.Course, a.SubCompetency, level),
				Extensions:               map[string]any{"level": level, "rank": rank},
			})
		}
	}
	p.CFDefinitions = defs
	return p, nil
}

// rubric returns the scale as a CFRubric with one criterion whose levels
// are the scale's, lowest first.
func (b *builder) rubric(s domain.Scale) Rubric {
	rid := b.id("rubric:" + s.Name)
	cid := b.id("rubric:" + s.Name + "\x00criterion")
	one := 1
	crit := RubricCriterion{
		Identifier: cid, URI: b.uri("CFRubricCriteria", cid), Category: "Proficiency",
		Description: "The level at which a course teaches, or a position needs, a sub-competency.",
		Position:    &one, RubricID: rid, LastChangeDateTime: b.changed,
	}
	for i, l := range s.Levels {
		id := b.id("rubric:" + s.Name + "\x00level:" + l)
		pos, score := i+1, float64(i+1)
		crit.CFRubricCriterionLevels = append(crit.CFRubricCriterionLevels, RubricLevel{
			Identifier: id, URI: b.uri("CFRubricCriterionLevels", id), Quality: l,
			Description: fmt.Sprintf("%s: rank %d of %d.", l, i+1, len(s.Levels)),
			Score:       &score, Position: &pos, RubricCriterionID: cid, LastChangeDateTime: b.changed,
		})
	}
	return Rubric{
		Identifier: rid, URI: b.uri("CFRubrics", rid), Title: s.Name,
		Description:        "The proficiency scale, lowest level first.",
		LastChangeDateTime: b.changed, CFRubricCriteria: []RubricCriterion{crit},
	}
}

// dateTime formats t as CASE dates and times are written: RFC 3339 in UTC,
// to the second. The zero time is the start of Unix time.
func dateTime(t time.Time) string {
	if t.IsZero() {
		t = time.Unix(0, 0)
	}
	return t.UTC().Truncate(time.Second).Format(time.RFC3339)
}
