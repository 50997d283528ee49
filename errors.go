package civicmon

import (
	"errors"
	"fmt"
	"strings"
)

// Error codes shared by every layer. Each maps to one HTTP status in the web
// and API packages, so a store or validation error reaches a client with the
// right status without those packages knowing where it came from.
const (
	EINVALID      = "invalid"      // bad input: 400/422
	ENOTFOUND     = "not_found"    // 404
	ECONFLICT     = "conflict"     // 409: duplicate slug, stale write
	EUNAUTHORIZED = "unauthorized" // 401
	EFORBIDDEN    = "forbidden"    // 403
	EINTERNAL     = "internal"     // 500
	ESCHEMA       = "schema"       // database schema the binary cannot use
	ENOTREADY     = "not_ready"    // 503
)

// Error is an application error with a machine-readable code and a message
// meant for the person who caused it.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Message }

// Errorf returns an *Error with the given code and formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error or *ValidationError in err's
// chain, EINTERNAL for any other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var ve *ValidationError
	if errors.As(err, &ve) {
		return EINVALID
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the human message of an application error, and a
// generic text for internal errors so that their details (SQL, paths) never
// reach a client.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var ve *ValidationError
	if errors.As(err, &ve) {
		return ve.Error()
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}

// StaleError is a store's refusal of a save made from an older version of
// a record than the stored one: someone else saved it meanwhile. It wraps
// an *Error with ECONFLICT, so ErrorCode and ErrorMessage read it as that
// error; a form finds it with errors.As to show both versions rather than
// a message.
type StaleError struct {
	Entity  string // "update", "watchlist", "rating_proposal", "setting", "violation_type"…
	ID      string // the record's id or key
	Version int64  // the version the save was made from
	Stored  int64  // the stored version, when known (0 otherwise)
	Err     *Error
}

// Stale returns the *StaleError for a save of entity id made from version
// when the stored record is at stored.
func Stale(entity, id string, version, stored int64) *StaleError {
	msg := fmt.Sprintf("%s %s was saved by someone else since version %d, which this save was made from; nothing was saved", entity, id, version)
	if stored != 0 {
		msg = fmt.Sprintf("%s %s is at version %d, but this save was made from version %d: someone else saved it meanwhile; nothing was saved",
			entity, id, stored, version)
	}
	return &StaleError{Entity: entity, ID: id, Version: version, Stored: stored, Err: &Error{Code: ECONFLICT, Message: msg}}
}

func (e *StaleError) Error() string { return e.Err.Error() }
func (e *StaleError) Unwrap() error { return e.Err }

// IsStale reports whether err is a refused save from an older version.
func IsStale(err error) bool {
	var se *StaleError
	return errors.As(err, &se)
}

// FieldError is one problem with one field of a record.
type FieldError struct {
	Field   string // dotted path, e.g. "update.incidents[2].freedom"
	Message string // what is wrong and what is allowed
}

func (f FieldError) Error() string { return f.Field + ": " + f.Message }

// ValidationError collects every problem found in a record, so a person fixes
// all of them in one go instead of one per round trip.
type ValidationError struct {
	Fields []FieldError
}

func (v *ValidationError) Error() string {
	parts := make([]string, len(v.Fields))
	for i, f := range v.Fields {
		parts[i] = f.Error()
	}
	return strings.Join(parts, "; ")
}

// validator accumulates field errors.
type validator struct {
	prefix string
	errs   []FieldError
}

func (v *validator) addf(field, format string, args ...any) {
	name := field
	if v.prefix != "" {
		name = v.prefix + "." + field
	}
	v.errs = append(v.errs, FieldError{Field: name, Message: fmt.Sprintf(format, args...)})
}

// merge adds the field errors of a nested validation under this validator.
func (v *validator) merge(err error) {
	if err == nil {
		return
	}
	var ve *ValidationError
	if errors.As(err, &ve) {
		v.errs = append(v.errs, ve.Fields...)
		return
	}
	v.errs = append(v.errs, FieldError{Field: v.prefix, Message: err.Error()})
}

func (v *validator) err() error {
	if len(v.errs) == 0 {
		return nil
	}
	return &ValidationError{Fields: v.errs}
}
