// Package casefmt writes and reads competency models as 1EdTech CASE 1.1
// (Competencies and Academic Standards Exchange) CFPackages, the JSON a
// CASE tool such as OpenSALT or the CASE Network exports and imports.
//
// # Writing
//
// Build turns an domain.Framework into a Package:
//
//   - the framework is the CFDocument: title = the framework's name,
//     creator = Options.Creator ("cmap" by default), caseVersion "1.1";
//   - each competency and each sub-competency is a CFItem with CFItemType
//     "Competency" or "Sub-competency" (both defined in
//     CFDefinitions.CFItemTypes), humanCodingScheme = its code. A
//     competency's abbreviatedStatement is its title and its fullStatement
//     its description (the title again when it has none); a
//     sub-competency's fullStatement is its statement;
//   - the tree is isChildOf CFAssociations: each competency a child of the
//     document, each sub-competency a child of its competency, with
//     sequenceNumber giving the model order (from 1);
//   - the proficiency scale is one CFRubric (title = the scale's name) with
//     one CFRubricCriterion, "Proficiency", whose CFRubricCriterionLevels
//     are the levels, lowest first: quality = the level's name, position
//     and score = its rank (1 for the lowest). The criterion names no
//     CFItem: the scale applies to every sub-competency;
//   - with Options.Alignments, each course's coverage of a sub-competency
//     is a CFAssociation of type isRelatedTo from the course to the
//     sub-competency's CFItem. The course is outside the framework: its
//     node has identifier and uri "urn:cmap:course:CODE" (the code
//     path-escaped), title = the course's title, and targetType
//     "ext:cmap-course". The level is in two places: the association's
//     CFAssociationGrouping, one per level of the scale ("Coverage at
//     Advanced", defined in CFDefinitions.CFAssociationGroupings), which
//     any CASE consumer shows, and extensions {"level": "Advanced",
//     "rank": 3} for programs.
//
// Identifiers are UUIDs derived with UUIDv5 (RFC 9562), so that exporting
// the same model twice gives the same identifiers: the document's from the
// framework's name, every other one from the document's identifier and
// what it stands for (an item's code, a child's code, a level, a course
// and a sub-competency). Renaming the framework therefore changes every
// identifier; changing a statement changes none.
//
// Every object has a uri: Options.BaseURL followed by the path of the CASE
// REST endpoint that serves it (/ims/case/v1p1/CFItems/ID and so on), or
// "urn:uuid:ID" without a base URL. lastChangeDateTime is Options.Changed
// for everything but an alignment, which carries its course's last
// change when known.
//
// The output validates against the CASE 1.1 CFPackage JSON schema as
// OpenSALT ships it (testdata/case-v1p1-cfpackage-schema.json).
//
// # Reading
//
// Decode reads any CASE 1.1 (or 1.0) CFPackage, ignoring fields it does
// not use, and (*Package).Framework turns it into a competency model:
//
//   - the CFDocument's title is the framework's name;
//   - the isChildOf associations make the tree: an item whose parent is the
//     document is a competency, an item whose parent is a competency is a
//     sub-competency. Siblings are ordered by the sequenceNumber of their
//     association, those without one after those with one, then in the
//     order of CFItems. Other associations (isRelatedTo, exemplar, ...,
//     including cmap's own alignments) are ignored;
//   - a competency's title is its abbreviatedStatement, or its
//     fullStatement when it has none, and its description its fullStatement
//     when that differs from the title; a sub-competency's statement is its
//     fullStatement;
//   - codes are the humanCodingScheme of the items when every competency
//     has a competency code ("4.0") and every sub-competency a code of its
//     competency ("4.C"). Otherwise the whole model is numbered by
//     position: competencies 1.0, 2.0, ..., the sub-competencies of 2.0
//     2.A, 2.B, ... (Result.Renumbered says so and why);
//   - the CFRubrics are not read: the scale is the rule set's
//     (rules/scale.yaml).
//
// A package whose shape a two-level model cannot hold is refused with
// every problem at once, each an EINVALID *domain.Error whose Field is the
// JSON path of the offending value ("CFAssociations[12]") and whose
// message names the item's identifier: an item three levels deep, an item
// with two parents, a cycle of isChildOf, an association naming an item
// that is not in the package, an item outside the tree, two items with
// one identifier, a competency with more than 26 sub-competencies when
// the codes must be made up.
package casefmt
