// Package rules is the field-rule toolkit every request type uses: a
// Checker that collects field errors into one ccerr error, and the shared
// rules (codes, country and currency codes, salts, hashes, page sizes)
// defined once. It imports neither the contract API nor the shim, so the
// gateway checks requests with the very code the peers run.
package rules

import (
	"fmt"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/autoledger/autoledger/chaincode/ccerr"
)

// Checker collects field errors so that one response lists every problem.
type Checker struct {
	fields []ccerr.FieldError
	codes  []ccerr.Code // codes of errors added from other validators
	plain  bool         // a field failed a rule of this checker
}

// Fail records that field broke rule.
func (c *Checker) Fail(field, rule, format string, args ...any) {
	c.plain = true
	c.fields = append(c.fields, ccerr.FieldError{Field: field, Rule: rule, Message: fmt.Sprintf(format, args...)})
}

// Add records the field errors carried by err (from another validator).
// A code of err is kept when it is the only source of errors.
func (c *Checker) Add(err error) {
	if err == nil {
		return
	}
	e, ok := ccerr.From(err)
	if !ok {
		c.Fail("", "invalid", "%v", err)
		return
	}
	if !slices.Contains(c.codes, e.Code) {
		c.codes = append(c.codes, e.Code)
	}
	c.fields = append(c.fields, e.Fields...)
}

// Required fails when s is empty.
func (c *Checker) Required(field, s string) bool {
	if s == "" {
		c.Fail(field, "required", "is required")
		return false
	}
	return true
}

// MaxLen fails when s is longer than n characters (runes), the unit of
// validator's max on a string and of JSON Schema's maxLength, so every
// path and the OpenAPI document agree on one limit.
func (c *Checker) MaxLen(field, s string, n int) {
	if l := utf8.RuneCountInString(s); l > n {
		c.Fail(field, "max_length", "must be at most %d characters, got %d", n, l)
	}
}

// Text requires s and bounds its length.
func (c *Checker) Text(field, s string, n int) {
	if c.Required(field, s) {
		c.MaxLen(field, s, n)
	}
}

// OneOf fails when s is not among allowed.
func (c *Checker) OneOf(field, s string, allowed []string) {
	if !slices.Contains(allowed, s) {
		c.Fail(field, "one_of", "must be one of %v, got %q", allowed, s)
	}
}

// Range fails when v is outside [lo, hi].
func (c *Checker) Range(field string, v, lo, hi int64) {
	if v < lo || v > hi {
		c.Fail(field, "range", "must be between %d and %d, got %d", lo, hi, v)
	}
}

// Time requires a set time.
func (c *Checker) Time(field string, t time.Time) bool {
	if t.IsZero() {
		c.Fail(field, "required", "is required (RFC 3339 time)")
		return false
	}
	return true
}

// NotAfter fails when t is later than limit (the transaction time).
func (c *Checker) NotAfter(field string, t, limit time.Time) {
	if t.After(limit) {
		c.Fail(field, "not_future", "%s is later than the transaction time %s", t.Format(time.RFC3339), limit.Format(time.RFC3339))
	}
}

// Hash requires a lower-case hex SHA-256 document hash.
func (c *Checker) Hash(field, s string) {
	if !hashShape.MatchString(s) {
		c.Fail(field, "sha256_hex", "must be a SHA-256 hash as 64 lower-case hex characters")
	}
}

// Err returns nil, or one error listing every field error: the code of the
// only validator that failed (VIN_INVALID, say) or INVALID_ARGUMENT.
func (c *Checker) Err() error {
	if len(c.fields) == 0 {
		return nil
	}
	code := ccerr.InvalidArgument
	if !c.plain && len(c.codes) == 1 {
		code = c.codes[0]
	}
	msg := c.fields[0].Field + ": " + c.fields[0].Message
	if len(c.fields) > 1 {
		msg = fmt.Sprintf("%s (and %d more field errors)", msg, len(c.fields)-1)
	}
	return &ccerr.Error{Code: code, Message: msg, Fields: c.fields}
}

// NotAfterTx refuses an observed time (a sale, a delivery) later than the
// transaction time ts: a one-field check every write that takes one needs.
func NotAfterTx(field string, t, ts time.Time) error {
	var c Checker
	c.NotAfter(field, t, ts)
	return c.Err()
}
