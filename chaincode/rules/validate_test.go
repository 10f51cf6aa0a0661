package rules_test

import (
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
	Salt    string    `json:"salt" validate:"min=16,max=128"`
	Ratio   float64   `json:"ratio" validate:"min=0,max=1"`
	Items   []item    `json:"items" validate:"min=1,max=2,dive"`
	Tags    []string  `json:"tags,omitempty" validate:"max=2,unique,dive,required,max=3"`
	Hash    string    `json:"hash" validate:"sha256"`
	Page    int       `json:"page" validate:"pagesize"`
	Ignored string    `json:"-"`
}

func valid() request {
	return request{inner: inner{Year: 2000}, VIN: "1M8GDM9AXKP042788", Name: "n", At: time.Now(), Colour: "red",
		Salt: "0123456789abcdef", Items: []item{{Code: "A-1", Country: "DE"}}, Hash: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", Page: 1}
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
		"year": "range", "name": "max_length", "at": "required", "colour": "one_of", "salt": "length", "ratio": "range",
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
	assert.Equal(t, map[string]string{"id": "code", "country": "iso3166_alpha2", "currency": "iso4217", "salt": "length",
		"to": "msp_id", "pageSize": "range"}, fieldsOf(t, c.Err()))
	assert.NoError(t, rules.ValidateCode("id", "O-1"))
	assert.Error(t, rules.ValidateCode("id", ""))
}
