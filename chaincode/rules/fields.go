package rules

import "regexp"

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
	// MinSalt and MaxSalt bound the client's random salt of private data,
	// so that its hash on the channel cannot be guessed from likely values.
	MinSalt = 16
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

// Salt fails when v is not 16-128 characters.
func (c *Checker) Salt(field, v string) {
	if len(v) < MinSalt || len(v) > MaxSalt {
		c.Fail(field, "length", "must be %d-%d characters of client-chosen randomness", MinSalt, MaxSalt)
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
