// Package ccerr is AutoLedger's one error vocabulary: every contract returns
// these errors and the gateway decodes them, so a client can tell a missing
// vehicle from a refused caller without anyone matching English prose.
//
// A business error travels inside the chaincode response message. The peer
// and the gateway client wrap that message ("chaincode response 500, ..."),
// so the error is encoded as a marker followed by one JSON object, which
// Decode finds wherever it sits in a longer string:
//
//	AUTOLEDGER_ERROR{"code":"VIN_INVALID","category":"INVALID_ARGUMENT","message":"...","fields":[...]}
package ccerr

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Marker precedes the JSON object of an encoded error.
const Marker = "AUTOLEDGER_ERROR"

// Code is a stable, machine-readable error code.
type Code string

// General codes. Every code belongs to exactly one of these categories.
const (
	NotFound           Code = "NOT_FOUND"
	AlreadyExists      Code = "ALREADY_EXISTS"
	InvalidArgument    Code = "INVALID_ARGUMENT"
	Forbidden          Code = "FORBIDDEN"
	Conflict           Code = "CONFLICT"
	FailedPrecondition Code = "FAILED_PRECONDITION"
)

// Domain codes: finer reasons a client may want to act on.
const (
	VINInvalid        Code = "VIN_INVALID"
	OdometerRollback  Code = "ODOMETER_ROLLBACK"
	TimestampSkew     Code = "TIMESTAMP_SKEW"
	PersonalData      Code = "PERSONAL_DATA"
	NotElectrified    Code = "NOT_ELECTRIFIED"
	UnknownFunction   Code = "UNKNOWN_FUNCTION"
	MissingTransient  Code = "MISSING_TRANSIENT"
	PageLimitExceeded Code = "PAGE_LIMIT_EXCEEDED"

	// Owner statements (chaincode/owner/statement, docs/owners.md).
	OwnerSignatureInvalid Code = "OWNER_SIGNATURE_INVALID"
	StatementExpired      Code = "STATEMENT_EXPIRED"
	StatementMismatch     Code = "STATEMENT_MISMATCH"
	NonceReused           Code = "NONCE_REUSED"

	// Owners and consent (chaincode/owner, chaincode/consent, docs/owners.md).
	// OwnerReleaseRequired: a sale of an owned car without the current
	// owner's signed release (a dealer-only resale).
	OwnerReleaseRequired Code = "OWNER_RELEASE_REQUIRED"
	// ClaimCodeInvalid: the claim code does not match the sale's claim hash.
	ClaimCodeInvalid Code = "CLAIM_CODE_INVALID"
	// ConsentRequired: no live grant of the owner covers the read or write.
	ConsentRequired Code = "CONSENT_REQUIRED"
)

var categories = map[Code]Code{
	NotFound:           NotFound,
	AlreadyExists:      AlreadyExists,
	InvalidArgument:    InvalidArgument,
	Forbidden:          Forbidden,
	Conflict:           Conflict,
	FailedPrecondition: FailedPrecondition,

	VINInvalid:        InvalidArgument,
	OdometerRollback:  FailedPrecondition,
	TimestampSkew:     InvalidArgument,
	PersonalData:      InvalidArgument,
	NotElectrified:    FailedPrecondition,
	UnknownFunction:   NotFound,
	MissingTransient:  InvalidArgument,
	PageLimitExceeded: InvalidArgument,

	OwnerSignatureInvalid: Forbidden,
	StatementExpired:      FailedPrecondition,
	StatementMismatch:     InvalidArgument,
	NonceReused:           Conflict,
	OwnerReleaseRequired:  FailedPrecondition,
	ClaimCodeInvalid:      Forbidden,
	ConsentRequired:       Forbidden,
}

// Category returns the general code c belongs to. An unregistered code
// falls back to FAILED_PRECONDITION so a client never sees an empty category.
func (c Code) Category() Code {
	if cat, ok := categories[c]; ok {
		return cat
	}
	return FailedPrecondition
}

// Codes lists every registered code, general ones first, in a stable order.
func Codes() []Code {
	return []Code{NotFound, AlreadyExists, InvalidArgument, Forbidden, Conflict, FailedPrecondition,
		VINInvalid, OdometerRollback, TimestampSkew, PersonalData, NotElectrified, UnknownFunction,
		MissingTransient, PageLimitExceeded,
		OwnerSignatureInvalid, StatementExpired, StatementMismatch, NonceReused,
		OwnerReleaseRequired, ClaimCodeInvalid, ConsentRequired}
}

// FieldError names one input field and the rule it broke.
type FieldError struct {
	Field   string `json:"field"`
	Rule    string `json:"rule"`
	Message string `json:"message"`
}

// Error is a business error with a stable code.
type Error struct {
	Code    Code
	Message string
	Fields  []FieldError
}

type wire struct {
	Code     Code         `json:"code"`
	Category Code         `json:"category"`
	Message  string       `json:"message"`
	Fields   []FieldError `json:"fields,omitempty"`
}

// New returns an error with code and a formatted message.
func New(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Field returns an error about one input field.
func Field(code Code, field, rule, format string, args ...any) *Error {
	msg := fmt.Sprintf(format, args...)
	return &Error{Code: code, Message: field + ": " + msg, Fields: []FieldError{{Field: field, Rule: rule, Message: msg}}}
}

// Category is the general code of e.
func (e *Error) Category() Code { return e.Code.Category() }

// Error encodes e in the documented wire form.
func (e *Error) Error() string {
	b, err := json.Marshal(wire{Code: e.Code, Category: e.Category(), Message: e.Message, Fields: e.Fields})
	if err != nil { // cannot happen: every field is a string
		return Marker + `{"code":"` + string(e.Code) + `"}`
	}
	return Marker + string(b)
}

// Is reports whether target is an *Error with the same code, so that
// errors.Is(err, ccerr.New(ccerr.NotFound, "")) works in tests.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// Decode finds an encoded error anywhere in s (for instance inside
// "chaincode response 500, AUTOLEDGER_ERROR{...}") and returns it.
func Decode(s string) (*Error, bool) {
	i := strings.Index(s, Marker)
	if i < 0 {
		return nil, false
	}
	var w wire
	if err := json.NewDecoder(strings.NewReader(s[i+len(Marker):])).Decode(&w); err != nil || w.Code == "" {
		return nil, false
	}
	return &Error{Code: w.Code, Message: w.Message, Fields: w.Fields}, true
}

// From returns the business error inside err: a wrapped *Error, or one
// encoded in err's text (as it arrives from a peer). ok is false for errors
// that carry no code, such as a failed ledger read.
func From(err error) (*Error, bool) {
	if err == nil {
		return nil, false
	}
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	return Decode(err.Error())
}

// CodeOf returns the code of err, or "" when it carries none.
func CodeOf(err error) Code {
	if e, ok := From(err); ok {
		return e.Code
	}
	return ""
}
