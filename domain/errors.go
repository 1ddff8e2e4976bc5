package domain

import (
	"errors"
	"fmt"
)

// Error codes. Adapters map them to their own vocabulary: GraphQL's
// extensions.code, HTTP status, CLI exit codes.
const (
	// EINVALID: the input is malformed or breaks a rule of the domain.
	EINVALID = "invalid"
	// ENOTFOUND: the record asked for does not exist.
	ENOTFOUND = "not_found"
	// ECONFLICT: the record exists already, or was changed by someone else
	// since the version the caller read (optimistic concurrency).
	ECONFLICT = "conflict"
	// EUNAUTHENTICATED: the request carries no credentials, or credentials
	// that were refused (unknown, revoked, expired), and needs some.
	EUNAUTHENTICATED = "unauthenticated"
	// EFORBIDDEN: the caller is known but lacks the role the request needs.
	EFORBIDDEN = "forbidden"
	// EIDEMPOTENCYREUSED: an idempotency key was sent again with another
	// request than the one it was first sent with.
	EIDEMPOTENCYREUSED = "idempotency_key_reused"
	// EIDEMPOTENCYINUSE: the request first sent with an idempotency key
	// is still running.
	EIDEMPOTENCYINUSE = "idempotency_key_in_use"
	// EIDEMPOTENCYLOST: the request first sent with an idempotency key
	// made its writes, but its answer was lost (its server stopped).
	EIDEMPOTENCYLOST = "idempotency_answer_lost"
	// EINTERNAL: anything else. Its message is not shown to API clients.
	EINTERNAL = "internal"
)

// Error is the domain's error type.
type Error struct {
	// Code is one of the E* constants.
	Code string
	// Field is the path of the offending input field, such as
	// "objectives[2]" or "completions[0].courseCode"; empty when the error
	// is not about one field.
	Field string
	// Message is meant for the person who made the request.
	Message string
	// Err is the underlying cause, if any; it is not shown to clients.
	Err error
}

// Error formats the error as "field: message" or just the message.
func (e *Error) Error() string {
	msg := e.Message
	if msg == "" && e.Err != nil {
		msg = e.Err.Error()
	}
	if e.Field != "" {
		return e.Field + ": " + msg
	}
	return msg
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns an EINVALID error about field.
func Invalid(field, format string, args ...any) *Error {
	return &Error{Code: EINVALID, Field: field, Message: fmt.Sprintf(format, args...)}
}

// NotFound returns an ENOTFOUND error for the record of kind with key.
func NotFound(kind, key string) *Error {
	return &Error{Code: ENOTFOUND, Message: fmt.Sprintf("%s %q not found", kind, key)}
}

// ErrorCode returns the code of err: the Code of the first *Error in its
// chain, "" for nil, and EINTERNAL for anything else.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorField returns the field path of the first *Error in err's chain.
func ErrorField(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}

// ErrorMessage returns the message of err fit to show a client: the
// message of an *Error whose code is not EINTERNAL, and "internal error"
// otherwise.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Code != EINTERNAL {
		return e.Error()
	}
	return "internal error"
}

// prefixField returns err with prefix prepended to the field path of its
// *Error, so nested validation can report "completions[3].courseCode".
func prefixField(prefix string, err error) error {
	var e *Error
	if !errors.As(err, &e) {
		return err
	}
	c := *e
	if c.Field == "" {
		c.Field = prefix
	} else if c.Field[0] == '[' {
		c.Field = prefix + c.Field
	} else {
		c.Field = prefix + "." + c.Field
	}
	return &c
}
