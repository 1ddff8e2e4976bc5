package mongodb

import (
	"cmap/domain"
	"encoding/json"
	"fmt"
	"time"
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
	Audit         string    `bson:"audit,omitempty"`
}

func courseToDoc(c *domain.Course) courseDoc {
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
		Audit:         c.Audit,
	}
}

func (d *courseDoc) record() *domain.Course {
	return &domain.Course{
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
		Audit:         d.Audit,
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
	Audit        string    `bson:"audit,omitempty"`
}

func positionToDoc(p *domain.Position) positionDoc {
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
		Audit:        p.Audit,
	}
}

func (d *positionDoc) record() *domain.Position {
	return &domain.Position{
		ID:           d.ID,
		Title:        d.Title,
		Organization: d.Organization,
		Grade:        d.Grade,
		Category:     d.Category,
		KeyBillet:    d.KeyBillet,
		Region:       d.Region,
		Version:      d.Version,
		UpdatedAt:    d.UpdatedAt,
		Audit:        d.Audit,
	}
}

type personDoc struct {
	ID          string          `bson:"_id"`
	Name        string          `bson:"name"`
	PositionID  string          `bson:"positionId"`
	Completions []completionDoc `bson:"completions,omitempty"`
	Version     int64           `bson:"version"`
	UpdatedAt   time.Time       `bson:"updatedAt"`
	Audit       string          `bson:"audit,omitempty"`
}

type completionDoc struct {
	CourseCode string    `bson:"courseCode"`
	Completed  time.Time `bson:"completed"`
}

func personToDoc(p *domain.Person) personDoc {
	d := personDoc{
		ID:         p.ID,
		Name:       p.Name,
		PositionID: p.PositionID,
		Version:    p.Version,
		UpdatedAt:  p.UpdatedAt,
		Audit:      p.Audit,
	}
	for _, c := range p.Completions {
		d.Completions = append(d.Completions, completionToDoc(c))
	}
	return d
}

func completionToDoc(c domain.Completion) completionDoc {
	return completionDoc{CourseCode: c.CourseCode, Completed: c.Completed}
}

func (d *personDoc) record() *domain.Person {
	p := &domain.Person{
		ID:         d.ID,
		Name:       d.Name,
		PositionID: d.PositionID,
		Version:    d.Version,
		UpdatedAt:  d.UpdatedAt,
		Audit:      d.Audit,
	}
	for _, c := range d.Completions {
		p.Completions = append(p.Completions, domain.Completion{CourseCode: c.CourseCode, Completed: c.Completed})
	}
	return p
}

// frameworkID is the _id of the active revision of the framework; each
// earlier revision is kept as the document revisionID(n).
const frameworkID = "current"

// revisionID returns the _id of the document of earlier revision n.
func revisionID(n int) string { return fmt.Sprintf("revision-%d", n) }

// frameworkDoc is one revision of the framework. A database written before
// revisions existed holds one without revision, former or crosswalk: it
// reads as revision 1.
type frameworkDoc struct {
	ID           string          `bson:"_id"`
	Name         string          `bson:"name"`
	Competencies []competencyDoc `bson:"competencies"`
	UpdatedAt    time.Time       `bson:"updatedAt"`
	Revision     int             `bson:"revision,omitempty"`
	Former       []formerDoc     `bson:"former,omitempty"`
	Crosswalk    []crosswalkDoc  `bson:"crosswalk,omitempty"`
	AppliedAt    time.Time       `bson:"appliedAt,omitempty"`
	Audit        string          `bson:"audit,omitempty"`
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

type formerDoc struct {
	Code       string   `bson:"code"`
	Revision   int      `bson:"revision"`
	Successors []string `bson:"successors,omitempty"`
}

type crosswalkDoc struct {
	Old string   `bson:"old"`
	New []string `bson:"new,omitempty"`
}

func frameworkToDoc(f *domain.Framework) frameworkDoc {
	d := frameworkDoc{ID: frameworkID, Name: f.Name, Revision: f.Revision}
	for _, c := range f.Competencies {
		cd := competencyDoc{Code: c.Code, Title: c.Title, Description: c.Description}
		for _, s := range c.SubCompetencies {
			cd.SubCompetencies = append(cd.SubCompetencies, subCompetencyDoc{Code: s.Code, Statement: s.Statement})
		}
		d.Competencies = append(d.Competencies, cd)
	}
	for _, fc := range f.Former {
		d.Former = append(d.Former, formerDoc{Code: fc.Code, Revision: fc.Revision, Successors: fc.Successors})
	}
	return d
}

func revisionToDoc(r *domain.FrameworkRevision) frameworkDoc {
	d := frameworkToDoc(r.Framework)
	d.AppliedAt, d.Audit = r.AppliedAt, r.Audit
	for _, e := range r.Crosswalk {
		d.Crosswalk = append(d.Crosswalk, crosswalkDoc{Old: e.Old, New: e.New})
	}
	return d
}

// number returns the revision number of d: 1 for a document written
// before revisions existed.
func (d *frameworkDoc) number() int { return max(d.Revision, 1) }

func (d *frameworkDoc) record() *domain.Framework {
	f := &domain.Framework{Name: d.Name, Revision: d.number()}
	for _, cd := range d.Competencies {
		c := domain.Competency{Code: cd.Code, Title: cd.Title, Description: cd.Description}
		for _, s := range cd.SubCompetencies {
			c.SubCompetencies = append(c.SubCompetencies, domain.SubCompetency{Code: s.Code, Statement: s.Statement})
		}
		f.Competencies = append(f.Competencies, c)
	}
	for _, fd := range d.Former {
		f.Former = append(f.Former, domain.FormerCode{Code: fd.Code, Revision: fd.Revision, Successors: fd.Successors})
	}
	return f
}

func (d *frameworkDoc) revision() *domain.FrameworkRevision {
	r := &domain.FrameworkRevision{Framework: d.record(), AppliedAt: d.AppliedAt, Audit: d.Audit}
	if r.AppliedAt.IsZero() {
		r.AppliedAt = d.UpdatedAt
	}
	for _, e := range d.Crosswalk {
		r.Crosswalk = append(r.Crosswalk, domain.CrosswalkEntry{Old: e.Old, New: e.New})
	}
	return r
}

// courseFactsDoc holds the coverage of one course. The facts are one JSON
// string, not an array of subdocuments: FerretDB's SQLite backend spends
// about 1 ms per document converting 16 facts with their rules between BSON
// and its JSON column, against under 0.1 ms for one string (measured with
// 1,000 positions: find 690 ms vs 105 ms, insert 265 ms vs 60 ms). Facts
// are derived data that cmap always reads whole; Count keeps the number of
// facts visible to someone browsing the database.
type courseFactsDoc struct {
	Course   string `bson:"_id"`
	Revision string `bson:"revision"`
	Count    int    `bson:"count"`
	Coverage string `bson:"coverage"`
}

// positionFactsDoc holds the requirements of one position, stored like
// courseFactsDoc.
type positionFactsDoc struct {
	Position     string `bson:"_id"`
	Revision     string `bson:"revision"`
	Count        int    `bson:"count"`
	Requirements string `bson:"requirements"`
}

// levelFact is one coverage or requirement fact in the JSON of a facts
// document, without its course or position (the document's _id).
type levelFact struct {
	SubCompetency string           `json:"sub"`
	Level         string           `json:"level"`
	Rules         []domain.RuleRef `json:"rules,omitempty"`
}

// encodeFacts returns the JSON of facts, each reduced to a levelFact by of.
func encodeFacts[F any](facts []F, of func(F) levelFact) string {
	out := make([]levelFact, len(facts))
	for i, f := range facts {
		out[i] = of(f)
	}
	b, err := json.Marshal(out)
	if err != nil {
		panic(err) // strings, ints and slices of them always marshal
	}
	return string(b)
}

// decodeFacts reads the JSON of the facts of record key of kind, making
// each fact with fact.
func decodeFacts[F any](kind, key, text string, fact func(levelFact) F) ([]F, error) {
	var facts []levelFact
	if err := json.Unmarshal([]byte(text), &facts); err != nil {
		return nil, internal(fmt.Sprintf("decode %s facts of %s", kind, key), err)
	}
	var out []F
	for _, f := range facts {
		out = append(out, fact(f))
	}
	return out, nil
}

func courseFactsToDoc(f domain.CourseFacts) courseFactsDoc {
	text := encodeFacts(f.Coverage, func(c domain.Coverage) levelFact {
		return levelFact{SubCompetency: c.SubCompetency, Level: c.Level, Rules: c.Rules}
	})
	return courseFactsDoc{Course: f.Course, Revision: f.Revision, Count: len(f.Coverage), Coverage: text}
}

func (d *courseFactsDoc) record() (domain.CourseFacts, error) {
	cov, err := decodeFacts(courseKind, d.Course, d.Coverage, func(f levelFact) domain.Coverage {
		return domain.Coverage{Course: d.Course, SubCompetency: f.SubCompetency, Level: f.Level, Rules: f.Rules}
	})
	return domain.CourseFacts{Course: d.Course, Revision: d.Revision, Coverage: cov}, err
}

func positionFactsToDoc(f domain.PositionFacts) positionFactsDoc {
	text := encodeFacts(f.Requirements, func(r domain.Requirement) levelFact {
		return levelFact{SubCompetency: r.SubCompetency, Level: r.Level, Rules: r.Rules}
	})
	return positionFactsDoc{Position: f.Position, Revision: f.Revision, Count: len(f.Requirements), Requirements: text}
}

func (d *positionFactsDoc) record() (domain.PositionFacts, error) {
	reqs, err := decodeFacts(positionKind, d.Position, d.Requirements, func(f levelFact) domain.Requirement {
		return domain.Requirement{Position: d.Position, SubCompetency: f.SubCompetency, Level: f.Level, Rules: f.Rules}
	})
	return domain.PositionFacts{Position: d.Position, Revision: d.Revision, Requirements: reqs}, err
}

type apiKeyDoc struct {
	ID        string     `bson:"_id"`
	Name      string     `bson:"name"`
	Roles     []string   `bson:"roles"`
	Hash      []byte     `bson:"hash"`
	CreatedAt time.Time  `bson:"createdAt"`
	CreatedBy string     `bson:"createdBy"`
	RevokedAt *time.Time `bson:"revokedAt,omitempty"`
	Version   int64      `bson:"version"`
	Audit     string     `bson:"audit,omitempty"`
}

func apiKeyToDoc(k *domain.APIKey) apiKeyDoc {
	d := apiKeyDoc{ID: k.ID, Name: k.Name, Hash: k.Hash, CreatedAt: k.CreatedAt, CreatedBy: k.CreatedBy, Version: k.Version, Audit: k.Audit}
	for _, r := range k.Roles {
		d.Roles = append(d.Roles, string(r))
	}
	if !k.RevokedAt.IsZero() {
		d.RevokedAt = &k.RevokedAt
	}
	return d
}

func (d *apiKeyDoc) record() *domain.APIKey {
	k := &domain.APIKey{ID: d.ID, Name: d.Name, Hash: d.Hash, CreatedAt: d.CreatedAt, CreatedBy: d.CreatedBy, Version: d.Version, Audit: d.Audit}
	for _, r := range d.Roles {
		k.Roles = append(k.Roles, domain.Role(r))
	}
	if d.RevokedAt != nil {
		k.RevokedAt = *d.RevokedAt
	}
	return k
}

type auditDoc struct {
	ID            string           `bson:"_id"`
	Time          time.Time        `bson:"time"`
	Actor         string           `bson:"actor"`
	ActorName     string           `bson:"actorName"`
	Operation     string           `bson:"operation"`
	Kind          string           `bson:"kind"`
	Key           string           `bson:"key"`
	VersionBefore int64            `bson:"versionBefore"`
	VersionAfter  int64            `bson:"versionAfter"`
	Prior         string           `bson:"prior,omitempty"`
	Changes       []fieldChangeDoc `bson:"changes,omitempty"`
	State         string           `bson:"state"`
	Request       string           `bson:"request,omitempty"`
}

type fieldChangeDoc struct {
	Field string `bson:"field"`
	Old   string `bson:"old"`
	New   string `bson:"new"`
}

func auditToDoc(e *domain.AuditEntry) auditDoc {
	d := auditDoc{
		ID: e.ID, Time: e.Time, Actor: e.Actor, ActorName: e.ActorName, Operation: e.Operation, Kind: e.Kind, Key: e.Key,
		VersionBefore: e.VersionBefore, VersionAfter: e.VersionAfter, Prior: e.Prior, State: string(e.State),
		Request: e.Request,
	}
	for _, c := range e.Changes {
		d.Changes = append(d.Changes, fieldChangeDoc{Field: c.Field, Old: c.Old, New: c.New})
	}
	return d
}

func (d *auditDoc) record() *domain.AuditEntry {
	e := &domain.AuditEntry{
		ID: d.ID, Time: d.Time, Actor: d.Actor, ActorName: d.ActorName, Operation: d.Operation, Kind: d.Kind, Key: d.Key,
		VersionBefore: d.VersionBefore, VersionAfter: d.VersionAfter, Prior: d.Prior, State: domain.AuditState(d.State),
		Request: d.Request,
	}
	for _, c := range d.Changes {
		e.Changes = append(e.Changes, domain.FieldChange{Field: c.Field, Old: c.Old, New: c.New})
	}
	return e
}
