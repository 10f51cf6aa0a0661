package rules_test

import (
	"strings"
	"testing"
	"time"

	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/autoledger/autoledger/chaincode/rules"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var colours = rules.Enum("testcolour", "red", "green")

type item struct {
	Code    string `json:"code" validate:"code"`
	Country string `json:"country" validate:"iso3166"`
}

type inner struct {
	Year int `json:"year" validate:"min=1980,max=2100"`
}

type request struct {
	inner
	VIN     string    `json:"vin" validate:"vin"`
	Name    string    `json:"name" validate:"required,max=5"`
	At      time.Time `json:"at" validate:"required"`
	Colour  string    `json:"colour" validate:"testcolour"`
	Salt    string    `json:"salt" validate:"salt"`
	Ratio   float64   `json:"ratio" validate:"min=0,max=1"`
	Items   []item    `json:"items" validate:"min=1,max=2,dive"`
	Tags    []string  `json:"tags,omitempty" validate:"max=2,unique,dive,required,max=3"`
	Hash    string    `json:"hash" validate:"sha256"`
	Page    int       `json:"page" validate:"pagesize"`
	Ignored string    `json:"-"`
}

func valid() request {
	return request{inner: inner{Year: 2000}, VIN: "1M8GDM9AXKP042788", Name: "n", At: time.Now(), Colour: "red",
		Salt: "0123456789abcdef0123456789abcdef", Items: []item{{Code: "A-1", Country: "DE"}}, Hash: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", Page: 1}
}

func fieldsOf(t *testing.T, err error) map[string]string {
	t.Helper()
	e, ok := ccerr.From(err)
	require.True(t, ok, "%v", err)
	out := map[string]string{}
	for _, f := range e.Fields {
		out[f.Field] = f.Rule
	}
	return out
}

func TestStructPassesAValidRequest(t *testing.T) {
	var c rules.Checker
	c.Struct(valid())
	assert.NoError(t, c.Err())
	assert.Equal(t, []string{"red", "green"}, colours)
}

func TestStructNamesFieldsAndRulesAsTheAPIDoes(t *testing.T) {
	r := valid()
	r.Year = 1900
	r.Name = "toolong"
	r.At = time.Time{}
	r.Colour = "blue"
	r.Salt = "short"
	r.Ratio = 2
	r.Items = []item{{Code: "a|b", Country: "Germany"}}
	r.Tags = []string{"x", "toolong"}
	r.Hash = "ABC"
	r.Page = 1001
	var c rules.Checker
	c.Struct(r)
	err := c.Err()
	assert.Equal(t, ccerr.InvalidArgument, ccerr.CodeOf(err))
	assert.Equal(t, map[string]string{
		"year": "range", "name": "max_length", "at": "required", "colour": "one_of", "salt": "salt", "ratio": "range",
		"items[].code": "code", "items[].country": "iso3166_alpha2", "tags[]": "max_length",
		"hash": "sha256_hex", "page": "range",
	}, fieldsOf(t, err))
	e, _ := ccerr.From(err)
	assert.Equal(t, "must be between 1980 and 2100, got 1900", e.Fields[0].Message, "both bounds come from the tag")

	r = valid()
	r.Items = nil
	r.Tags = []string{"a", "a"}
	c = rules.Checker{}
	c.Struct(r)
	assert.Equal(t, map[string]string{"items": "count", "tags": "unique"}, fieldsOf(t, c.Err()))

	r = valid()
	r.Tags = []string{"b", "b"}
	c = rules.Checker{}
	c.Struct(r)
	e, _ = ccerr.From(c.Err())
	require.Len(t, e.Fields, 1)
	assert.Equal(t, ccerr.FieldError{Field: "tags", Rule: "unique", Message: `lists "b" twice`}, e.Fields[0], "the list's field, naming the duplicate")

	r = valid()
	r.Tags = []string{"a", "b", "c"}
	c = rules.Checker{}
	c.Struct(r)
	assert.Equal(t, map[string]string{"tags": "max_items"}, fieldsOf(t, c.Err()))
}

func TestStructKeepsTheCodeOfAValidatorWithItsOwnErrors(t *testing.T) {
	r := valid()
	r.VIN = "1M8GDM9AXKP04278"
	var c rules.Checker
	c.Struct(r)
	e, _ := ccerr.From(c.Err())
	assert.Equal(t, ccerr.VINInvalid, e.Code)
	assert.Equal(t, "vin", e.Fields[0].Field)
	assert.Equal(t, "length", e.Fields[0].Rule)
}

func TestFacetsAndVar(t *testing.T) {
	f, ok := rules.Facets("code")
	require.True(t, ok)
	assert.Equal(t, rules.CodePattern, f["pattern"])
	f, _ = rules.Facets("testcolour")
	assert.Equal(t, []string{"red", "green"}, f["enum"])
	_, ok = rules.Facets("nope")
	assert.False(t, ok)
	assert.Error(t, rules.Var("", "code"))
	assert.NoError(t, rules.Var("A", "code"))
	assert.Panics(t, func() { rules.Enum("testcolour") }, "a tag is registered once")
}

func TestSharedRulesAsCheckerMethods(t *testing.T) {
	var c rules.Checker
	c.Code("id", "a b")
	c.Country("country", "de")
	c.Currency("currency", "euro")
	c.Salt("salt", "s")
	c.MSP("to", "Oem")
	c.PageSize("pageSize", 0)
	assert.Equal(t, map[string]string{"id": "code", "country": "iso3166_alpha2", "currency": "iso4217", "salt": "salt",
		"to": "msp_id", "pageSize": "range"}, fieldsOf(t, c.Err()))
	assert.NoError(t, rules.ValidateCode("id", "O-1"))
	assert.Error(t, rules.ValidateCode("id", ""))
}

// A salt is at least 128 bits: 32 lower-case hex characters, at most 128.
func TestSaltMeansAtLeast128Bits(t *testing.T) {
	for salt, ok := range map[string]bool{
		strings.Repeat("a", 16):            false, // 64 bits, which the old rule accepted
		strings.Repeat("a", 31):            false,
		strings.Repeat("a", 32):            true,
		strings.Repeat("f", 128):           true,
		strings.Repeat("f", 129):           false,
		"0123456789ABCDEF0123456789abcdef": false, // one encoding: lower-case hex
		"0123456789abcdef0123456789abcdeg": false,
		"k3J9_x-QpL2mZ8vRt5wYb1nC4dF6hG7s": false, // base64url is not accepted
	} {
		var c rules.Checker
		c.Salt("salt", salt)
		if ok {
			assert.NoError(t, c.Err(), salt)
			assert.NoError(t, rules.Var(salt, "salt"), salt)
			continue
		}
		assert.Equal(t, map[string]string{"salt": "salt"}, fieldsOf(t, c.Err()), salt)
		assert.Error(t, rules.Var(salt, "salt"), salt)
		e, _ := ccerr.From(c.Err())
		assert.NotContains(t, e.Error(), salt, "a salt is never echoed")
	}
	f, ok := rules.Facets("salt")
	require.True(t, ok)
	assert.Equal(t, rules.SaltPattern, f["pattern"])
}

func TestSaltMustNotComeFromTheTransactionID(t *testing.T) {
	const txID = "5f0c6a7e9b3d2c1a0f9e8d7c6b5a49382716f5e4d3c2b1a09f8e7d6c5b4a3928"
	for _, salt := range []string{txID, txID[:32], txID + "00"} {
		var c rules.Checker
		c.SaltNotFromTxID("salt", salt, txID)
		assert.Equal(t, map[string]string{"salt": "salt_public"}, fieldsOf(t, c.Err()), salt)
	}
	var c rules.Checker
	c.SaltNotFromTxID("salt", "0123456789abcdef0123456789abcdef", txID)
	assert.NoError(t, c.Err())
}
