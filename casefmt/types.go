package casefmt

import (
	"bytes"
	"encoding/json"
	"io"
)

// Package is a CASE 1.1 CFPackage: a framework document with its items,
// the associations between them, their definitions and rubrics. The field
// names are the JSON binding's.
type Package struct {
	CFDocument     Document      `json:"CFDocument"`
	CFItems        []Item        `json:"CFItems"`
	CFAssociations []Association `json:"CFAssociations"`
	CFDefinitions  *Definitions  `json:"CFDefinitions,omitempty"`
	CFRubrics      []Rubric      `json:"CFRubrics,omitempty"`
}

// Document is a CFDocument: the root of a framework.
type Document struct {
	Identifier         string `json:"identifier"`
	URI                string `json:"uri"`
	CaseVersion        string `json:"caseVersion,omitempty"`
	Creator            string `json:"creator"`
	Title              string `json:"title"`
	LastChangeDateTime string `json:"lastChangeDateTime"`
	Publisher          string `json:"publisher,omitempty"`
	Description        string `json:"description,omitempty"`
	Language           string `json:"language,omitempty"`
	Version            string `json:"version,omitempty"`
	AdoptionStatus     string `json:"adoptionStatus,omitempty"`
	Notes              string `json:"notes,omitempty"`
	// CFPackageURI links a document served alone (getCFDocuments) to its
	// package; a document inside a package has none.
	CFPackageURI *LinkURI `json:"CFPackageURI,omitempty"`
}

// Item is a CFItem: one statement of a framework.
type Item struct {
	Identifier           string   `json:"identifier"`
	FullStatement        string   `json:"fullStatement"`
	CFItemType           string   `json:"CFItemType,omitempty"`
	URI                  string   `json:"uri"`
	HumanCodingScheme    string   `json:"humanCodingScheme,omitempty"`
	ListEnumeration      string   `json:"listEnumeration,omitempty"`
	AbbreviatedStatement string   `json:"abbreviatedStatement,omitempty"`
	Notes                string   `json:"notes,omitempty"`
	Language             string   `json:"language,omitempty"`
	CFItemTypeURI        *LinkURI `json:"CFItemTypeURI,omitempty"`
	LastChangeDateTime   string   `json:"lastChangeDateTime"`
	// CFDocumentURI links an item served alone (getCFItem) to its
	// document; an item inside a package has none.
	CFDocumentURI *LinkURI `json:"CFDocumentURI,omitempty"`
}

// Association is a CFAssociation: a typed link from an origin node to a
// destination node. In an isChildOf association the origin is the child.
type Association struct {
	Identifier               string         `json:"identifier"`
	AssociationType          string         `json:"associationType"`
	SequenceNumber           *int           `json:"sequenceNumber,omitempty"`
	URI                      string         `json:"uri"`
	OriginNodeURI            LinkGenURI     `json:"originNodeURI"`
	DestinationNodeURI       LinkGenURI     `json:"destinationNodeURI"`
	CFAssociationGroupingURI *LinkURI       `json:"CFAssociationGroupingURI,omitempty"`
	LastChangeDateTime       string         `json:"lastChangeDateTime"`
	Notes                    string         `json:"notes,omitempty"`
	Extensions               map[string]any `json:"extensions,omitempty"`
	// CFDocumentURI links an association served alone (getCFAssociation)
	// to its document; an association inside a package has none.
	CFDocumentURI *LinkURI `json:"CFDocumentURI,omitempty"`
}

// LinkURI is a link to an object of the framework by identifier and uri.
type LinkURI struct {
	Title      string `json:"title"`
	Identifier string `json:"identifier"`
	URI        string `json:"uri"`
}

// LinkGenURI is the link at either end of an association: an object of a
// CASE framework, or (TargetType "ext:...") something else.
type LinkGenURI struct {
	Title      string `json:"title"`
	Identifier string `json:"identifier"`
	URI        string `json:"uri"`
	TargetType string `json:"targetType,omitempty"`
}

// Definitions are the CFDefinitions of a package: here the item types and
// the association groupings it uses.
type Definitions struct {
	CFItemTypes            []ItemType            `json:"CFItemTypes,omitempty"`
	CFAssociationGroupings []AssociationGrouping `json:"CFAssociationGroupings,omitempty"`
}

// ItemType is a CFItemType definition.
type ItemType struct {
	Identifier         string `json:"identifier"`
	URI                string `json:"uri"`
	Title              string `json:"title"`
	Description        string `json:"description"`
	HierarchyCode      string `json:"hierarchyCode"`
	TypeCode           string `json:"typeCode,omitempty"`
	LastChangeDateTime string `json:"lastChangeDateTime"`
}

// AssociationGrouping is a CFAssociationGrouping definition: a label that
// associations share.
type AssociationGrouping struct {
	Identifier         string `json:"identifier"`
	URI                string `json:"uri"`
	Title              string `json:"title"`
	Description        string `json:"description,omitempty"`
	LastChangeDateTime string `json:"lastChangeDateTime"`
}

// Rubric is a CFRubric: criteria with levels of achievement.
type Rubric struct {
	Identifier         string            `json:"identifier"`
	URI                string            `json:"uri"`
	Title              string            `json:"title,omitempty"`
	Description        string            `json:"description,omitempty"`
	LastChangeDateTime string            `json:"lastChangeDateTime"`
	CFRubricCriteria   []RubricCriterion `json:"CFRubricCriteria,omitempty"`
}

// RubricCriterion is a CFRubricCriterion.
type RubricCriterion struct {
	Identifier              string        `json:"identifier"`
	URI                     string        `json:"uri"`
	Category                string        `json:"category,omitempty"`
	Description             string        `json:"description,omitempty"`
	CFItemURI               *LinkURI      `json:"CFItemURI,omitempty"`
	Position                *int          `json:"position,omitempty"`
	RubricID                string        `json:"rubricId,omitempty"`
	LastChangeDateTime      string        `json:"lastChangeDateTime"`
	CFRubricCriterionLevels []RubricLevel `json:"CFRubricCriterionLevels,omitempty"`
}

// RubricLevel is a CFRubricCriterionLevel.
type RubricLevel struct {
	Identifier         string   `json:"identifier"`
	URI                string   `json:"uri"`
	Description        string   `json:"description,omitempty"`
	Quality            string   `json:"quality,omitempty"`
	Score              *float64 `json:"score,omitempty"`
	Position           *int     `json:"position,omitempty"`
	RubricCriterionID  string   `json:"rubricCriterionId,omitempty"`
	LastChangeDateTime string   `json:"lastChangeDateTime"`
}

// Write writes v (a Package, or any object of one) as indented JSON with
// a final newline. The output of a Package Build made is the same for the
// same framework and options, byte for byte.
func Write(w io.Writer, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(buf.Bytes())
	return err
}
