package domain

import (
	"fmt"
	"time"
)

// Audited kind and operation of an import (AuditEntry.Kind and
// Operation): one entry for the whole import, keyed by the journal's ID.
// The records an import writes carry that entry's ID in their Audit field.
const (
	AuditImport = "import"
	OpImport    = "import"
)

// ImportJournal is an import written ahead of itself: every write the
// import makes, stored before the first of them, so that an import cut
// off by a crash can be finished ("rolled forward") by whichever instance
// finds it. Package app writes and applies journals; see app/import.go.
type ImportJournal struct {
	// ID is the ID of the import's audit entry (NewAuditID).
	ID   string
	Time time.Time
	// Ops are the writes, in the order they are applied.
	Ops []ImportOp
}

// ImportOp is one write of an import: the creation or update of a record
// (the whole record as it is to be stored), or a deletion.
type ImportOp struct {
	// Op is OpCreate, OpUpdate or OpDelete.
	Op string `json:"op"`
	// Exactly one of Course, Position and Person is set; a deletion's
	// record holds its key only.
	Course   *Course   `json:"course,omitempty"`
	Position *Position `json:"position,omitempty"`
	Person   *Person   `json:"person,omitempty"`
	// Version is the stored version an update or deletion replaces, as
	// the import's plan read it; 0 for a creation.
	Version int64 `json:"version,omitempty"`
}

// Kind returns the audited kind of the op's record (AuditCourse,
// AuditPosition or AuditPerson).
func (op ImportOp) Kind() string {
	switch {
	case op.Course != nil:
		return AuditCourse
	case op.Position != nil:
		return AuditPosition
	}
	return AuditPerson
}

// Key returns the natural key of the op's record.
func (op ImportOp) Key() string {
	switch {
	case op.Course != nil:
		return op.Course.Code
	case op.Position != nil:
		return op.Position.ID
	case op.Person != nil:
		return op.Person.ID
	}
	return ""
}

// Validate checks the journal: an ID, and ops that each hold one record
// with a key and a known operation.
func (j *ImportJournal) Validate() error {
	if j.ID == "" {
		return Invalid("id", "id is empty")
	}
	for i, op := range j.Ops {
		n := 0
		for _, set := range []bool{op.Course != nil, op.Position != nil, op.Person != nil} {
			if set {
				n++
			}
		}
		switch {
		case n != 1:
			return Invalid(fmt.Sprintf("ops[%d]", i), "an op holds exactly one record, not %d", n)
		case op.Key() == "":
			return Invalid(fmt.Sprintf("ops[%d]", i), "the record has no key")
		}
		switch op.Op {
		case OpCreate, OpUpdate, OpDelete:
		default:
			return Invalid(fmt.Sprintf("ops[%d].op", i), "%q is not create, update or delete", op.Op)
		}
	}
	return nil
}
