package domain

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strings"
	"time"
)

// AuditState is where an audit entry stands.
type AuditState string

// Audit entry states.
const (
	// AuditPending: the write the entry describes is about to be made, or
	// was being made when its process stopped; see AuditEntry.
	AuditPending AuditState = "pending"
	// AuditDone: the write was made.
	AuditDone AuditState = "done"
	// AuditFailed: the write was not made.
	AuditFailed AuditState = "failed"
)

// Kinds of audited records (AuditEntry.Kind).
const (
	AuditCourse   = "course"
	AuditPosition = "position"
	AuditPerson   = "person"
	AuditRules    = "rules"
	AuditAPIKey   = "apiKey"
	// AuditModel is the competency model; its one key is AuditModelKey.
	AuditModel = "model"
)

// AuditModelKey is the key of the competency model in the audit trail.
const AuditModelKey = "framework"

// Audited operations (AuditEntry.Operation).
const (
	OpCreate     = "create"
	OpUpdate     = "update"
	OpDelete     = "delete"
	OpCompletion = "recordCompletion"
	OpReload     = "reload"
	OpRevoke     = "revoke"
	// OpRevise applies a revision of the competency model.
	OpRevise = "revise"
)

// AuditEntry records one change: who made it, when, to which record, the
// record's versions before and after, and the old and new value of every
// field that changed.
//
// A write through package app is recorded ahead of itself: the entry is
// stored pending (Store.BeginAudit) with the change it is about to make,
// then the record is written carrying the entry's ID in its Audit field,
// then the entry is ended done or failed (Store.EndAudit). An entry left
// pending by a process that stopped between those steps is settled by
// reading the record (see app.ReconcileAudit), so that no stored change
// lacks its entry and no entry claims a change that was not made.
type AuditEntry struct {
	// ID orders entries newest first (see NewAuditID).
	ID   string
	Time time.Time
	// Actor is the ID of the Principal who made the change, ActorName its
	// name.
	Actor     string
	ActorName string
	// Operation is one of the Op* constants; Kind one of the Audit*
	// kinds; Key the record's natural key (a course code, an API key's
	// id; the rules directory for a reload).
	Operation string
	Kind      string
	Key       string
	// VersionBefore is the record's version before the write (0 when it
	// did not exist), VersionAfter after it (0 when it was deleted).
	VersionBefore, VersionAfter int64
	// Prior is the Audit field of the version the write replaced or
	// deleted: the ID of the entry that wrote it, "" for a create or a
	// version written without an entry (a seeded record).
	Prior string
	// Changes are the fields whose value changed, in the record's field
	// order.
	Changes []FieldChange
	State   AuditState
	// Request is the Attempt of the idempotent request that made the
	// change (see IdempotencyRecord), "" for a change made without an
	// idempotency key.
	Request string
}

// FieldChange is the old and the new value of one field, as JSON; "null"
// stands for no value (the record did not exist before a create, or does
// not after a delete).
type FieldChange struct {
	Field    string
	Old, New string
}

// AuditFilter selects audit entries; zero fields select everything.
type AuditFilter struct {
	Kind      string
	Key       string
	Actor     string
	Operation string
	State     AuditState
	Request   string
}

// Match reports whether the filter selects e.
func (f AuditFilter) Match(e *AuditEntry) bool {
	return (f.Kind == "" || e.Kind == f.Kind) &&
		(f.Key == "" || e.Key == f.Key) &&
		(f.Actor == "" || e.Actor == f.Actor) &&
		(f.Operation == "" || e.Operation == f.Operation) &&
		(f.State == "" || e.State == f.State) &&
		(f.Request == "" || e.Request == f.Request)
}

// NewAuditID returns the ID of an entry made at t: sixteen hex digits that
// count down with time, a dash and eight random characters. Byte order of
// IDs (the stores' natural key order) is therefore newest first, which is
// the order people read an audit log in, and pages of it are pages by ID.
func NewAuditID(t time.Time) string {
	return fmt.Sprintf("%016x-%s", uint64(math.MaxInt64-t.UnixNano()), strings.ToLower(rand.Text()[:8]))
}

// Validate checks the entry's fields.
func (e *AuditEntry) Validate() error {
	switch {
	case e.ID == "":
		return Invalid("id", "id is empty")
	case e.Time.IsZero():
		return Invalid("time", "time is missing")
	case e.Actor == "":
		return Invalid("actor", "actor is empty")
	case e.Operation == "":
		return Invalid("operation", "operation is empty")
	case e.Kind == "":
		return Invalid("kind", "kind is empty")
	case e.Key == "":
		return Invalid("key", "key is empty")
	}
	switch e.State {
	case AuditPending, AuditDone, AuditFailed:
	default:
		return Invalid("state", "%q is not an audit state", e.State)
	}
	return nil
}

// FieldChanges returns the fields of two versions of a record whose values
// differ, in field order: before and after are pointers to structs of one
// type, either nil when the record did not exist on that side (a create, a
// delete), and then fields holding their zero value there are left out.
// Fields are named by their json tag; fields tagged "-" and the
// bookkeeping fields version and updatedAt are left out.
func FieldChanges(before, after any) []FieldChange {
	bv, av := reflect.ValueOf(before), reflect.ValueOf(after)
	t := bv.Type()
	if bv.IsNil() {
		t = av.Type()
	}
	var out []FieldChange
	for i := range t.Elem().NumField() {
		name, _, _ := strings.Cut(t.Elem().Field(i).Tag.Get("json"), ",")
		if name == "" || name == "-" || name == "version" || name == "updatedAt" {
			continue
		}
		if (bv.IsNil() && isEmpty(av.Elem().Field(i))) || (av.IsNil() && isEmpty(bv.Elem().Field(i))) {
			continue
		}
		old, cur := fieldJSON(bv, i), fieldJSON(av, i)
		if old != cur {
			out = append(out, FieldChange{Field: name, Old: old, New: cur})
		}
	}
	return out
}

// isEmpty reports whether f holds its zero value or an empty list.
func isEmpty(f reflect.Value) bool {
	return f.IsZero() || (f.Kind() == reflect.Slice && f.Len() == 0)
}

// fieldJSON returns field i of the struct v points to as JSON: "null" when
// v is nil or the field is a zero time, "[]" for an empty list whether nil
// or not (stores read empty lists back as nil).
func fieldJSON(v reflect.Value, i int) string {
	if v.IsNil() {
		return "null"
	}
	f := v.Elem().Field(i)
	switch {
	case f.Kind() == reflect.Slice && f.Len() == 0:
		return "[]"
	case f.Type() == reflect.TypeFor[time.Time]() && f.IsZero():
		return "null"
	}
	b, err := json.Marshal(f.Interface())
	if err != nil {
		// Records hold strings, numbers, booleans, times and lists of
		// them, all of which encode.
		panic(fmt.Sprintf("engine: encoding field %s: %v", v.Elem().Type().Field(i).Name, err))
	}
	return string(b)
}
