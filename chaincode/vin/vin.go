// Package vin validates vehicle identification numbers (ISO 3779). It is the
// only implementation of the rule: the chaincode and the gateway both call it.
package vin

import (
	"github.com/autoledger/autoledger/chaincode/ccerr"
)

// Length is the number of characters in a VIN.
const Length = 17

// Field is the input field name used in validation errors.
const Field = "vin"

// values maps each allowed character to its transliteration value
// (49 CFR 565.15); 0 marks a character that is not allowed.
var values = func() [256]int {
	var v [256]int
	for c := '0'; c <= '9'; c++ {
		v[c] = int(c - '0')
	}
	// Letters in order, skipping I, O and Q, which are never allowed.
	for i, c := range "ABCDEFGH" {
		v[c] = i + 1
	}
	for i, c := range "JKLMN" {
		v[c] = i + 1
	}
	v['P'], v['R'] = 7, 9
	for i, c := range "STUVWXYZ" {
		v[c] = i + 2
	}
	return v
}()

var weights = [Length]int{8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2}

func allowed(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z' && c != 'I' && c != 'O' && c != 'Q')
}

// Validate checks v. The check digit in position 9 is enforced where the
// first character is 1-5 (North America) or L (China), the regions whose law
// requires it; elsewhere a well-formed VIN is accepted and checkDigitVerified
// is false. Errors are *ccerr.Error with code VIN_INVALID and a rule of
// "length", "charset" or "check_digit".
func Validate(v string) (checkDigitVerified bool, err error) {
	if len(v) != Length {
		return false, ccerr.Field(ccerr.VINInvalid, Field, "length", "must be %d characters, got %d", Length, len(v))
	}
	for i := 0; i < Length; i++ {
		if !allowed(v[i]) {
			return false, ccerr.Field(ccerr.VINInvalid, Field, "charset",
				"character %d is %q; only 0-9 and A-Z without I, O, Q are allowed", i+1, v[i])
		}
	}
	if !requiresCheckDigit(v[0]) {
		return false, nil
	}
	if want := CheckDigit(v); v[8] != want {
		return false, ccerr.Field(ccerr.VINInvalid, Field, "check_digit", "check digit (position 9) is %q, want %q", v[8], want)
	}
	return true, nil
}

func requiresCheckDigit(first byte) bool {
	return (first >= '1' && first <= '5') || first == 'L'
}

// CheckDigit computes the check digit of a 17-character VIN made of allowed
// characters; position 9 itself does not count.
func CheckDigit(v string) byte {
	sum := 0
	for i := 0; i < Length; i++ {
		sum += values[v[i]] * weights[i]
	}
	r := sum % 11
	if r == 10 {
		return 'X'
	}
	return byte('0' + r)
}

// Pattern is the shape of a VIN as a regular expression (the check digit
// is not expressible in one), for API schemas.
const Pattern = "^[0-9A-HJ-NPR-Z]{17}$"
