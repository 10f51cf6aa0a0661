package rules

import (
	"regexp"
	"strings"
)

// The shared field rules. Each is defined here once; the request types of
// every contract and the gateway's path parameters use them.
const (
	// CodePattern is the shape of every identifier a client chooses: part
	// numbers, batches, serials, recall, order and party IDs.
	CodePattern = `^[A-Za-z0-9._:\-]{1,64}$`
	// CountryPattern is an ISO 3166-1 alpha-2 country code.
	CountryPattern = `^[A-Z]{2}$`
	// CurrencyPattern is an ISO 4217 currency code.
	CurrencyPattern = `^[A-Z]{3}$`
	// HashPattern is a SHA-256 document hash in lower-case hex.
	HashPattern = `^[0-9a-f]{64}$`
	// MSPPattern is a member's MSP ID.
	MSPPattern = `^[A-Za-z0-9]+MSP$`
	// SaltPattern is the client's random salt of a private record whose
	// hash is on the channel: lower-case hex, at least 32 characters, i.e.
	// at least 16 random bytes (128 bits), so that the hash cannot be found
	// by trying likely values. Hex is the one encoding: a length then says
	// how many bits there are, which base64 variants and padding blur.
	SaltPattern = `^[0-9a-f]{32,128}$`
	// MinSalt and MaxSalt bound the salt's length in hex characters.
	MinSalt = 32
	MaxSalt = 128
	// MinPageSize, MaxPageSize and DefaultPageSize bound every paged query.
	MinPageSize     = 1
	MaxPageSize     = 1000
	DefaultPageSize = 100
	// MaxBookmark bounds a page bookmark.
	MaxBookmark = 1024
)

var (
	codeShape     = regexp.MustCompile(CodePattern)
	countryShape  = regexp.MustCompile(CountryPattern)
	currencyShape = regexp.MustCompile(CurrencyPattern)
	hashShape     = regexp.MustCompile(HashPattern)
	mspShape      = regexp.MustCompile(MSPPattern)
	saltShape     = regexp.MustCompile(SaltPattern)
)

// IsCode reports whether s has the shape of a code.
func IsCode(s string) bool { return codeShape.MatchString(s) }

// Code fails when v is not a code.
func (c *Checker) Code(field, v string) {
	if !IsCode(v) {
		c.Fail(field, "code", "must be 1-64 characters of A-Z, a-z, 0-9 and ._:-")
	}
}

// Country fails when v is not an ISO 3166-1 alpha-2 code.
func (c *Checker) Country(field, v string) {
	if !countryShape.MatchString(v) {
		c.Fail(field, "iso3166_alpha2", "must be an ISO 3166-1 alpha-2 code such as DE, got %q", v)
	}
}

// Currency fails when v is not an ISO 4217 code.
func (c *Checker) Currency(field, v string) {
	if !currencyShape.MatchString(v) {
		c.Fail(field, "iso4217", "must be an ISO 4217 code such as EUR")
	}
}

// saltMessage never quotes the value: a salt must not reach logs or answers.
const saltMessage = "must be 32-128 lower-case hex characters: at least 16 bytes (128 bits) from a cryptographic random source, chosen by the client and sent nowhere else"

// IsSalt reports whether s has the shape of a salt.
func IsSalt(s string) bool { return saltShape.MatchString(s) }

// Salt fails when v is not a salt (SaltPattern).
func (c *Checker) Salt(field, v string) {
	if !IsSalt(v) {
		c.Fail(field, "salt", saltMessage)
	}
}

// SaltNotFromTxID fails when salt and the transaction ID overlap: a
// transaction ID is public and 64 hex characters, so it is the likeliest
// mistaken "random" value. The contract cannot check randomness itself.
func (c *Checker) SaltNotFromTxID(field, salt, txID string) {
	if txID != "" && salt != "" && (strings.Contains(salt, txID) || strings.Contains(txID, salt)) {
		c.Fail(field, "salt_public", "must not be taken from the transaction ID, which is public; use a cryptographic random source")
	}
}

// MSP fails when v is not an MSP ID.
func (c *Checker) MSP(field, v string) {
	if !mspShape.MatchString(v) {
		c.Fail(field, "msp_id", "must be a member's MSP ID such as OemMSP")
	}
}

// PageSize fails when n is outside 1..1000.
func (c *Checker) PageSize(field string, n int) {
	c.Range(field, int64(n), MinPageSize, MaxPageSize)
}

// ValidateCode is the code rule as one error: the gateway checks path
// parameters (serials, recall and order IDs) with it.
func ValidateCode(field, v string) error {
	var c Checker
	c.Code(field, v)
	return c.Err()
}
