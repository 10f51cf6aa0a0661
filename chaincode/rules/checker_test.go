package rules_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/autoledger/autoledger/chaincode/rules"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCheckerCollectsEveryField(t *testing.T) {
	var c rules.Checker
	assert.NoError(t, c.Err())
	c.Text("name", "", 5)
	c.MaxLen("note", "toolong", 3)
	c.OneOf("kind", "x", []string{"a", "b"})
	c.Range("n", 11, 0, 10)
	c.Time("at", time.Time{})
	now := time.Now()
	c.NotAfter("seen", now.Add(time.Hour), now)
	c.Hash("doc", "ABC")
	e, ok := ccerr.From(c.Err())
	require.True(t, ok)
	assert.Equal(t, ccerr.InvalidArgument, e.Code)
	var rules []string
	for _, f := range e.Fields {
		rules = append(rules, f.Field+":"+f.Rule)
	}
	assert.Equal(t, []string{"name:required", "note:max_length", "kind:one_of", "n:range", "at:required", "seen:not_future", "doc:sha256_hex"}, rules)
	assert.Contains(t, e.Message, "and 6 more")
}

func TestCheckerKeepsTheCodeOfTheOnlyValidator(t *testing.T) {
	var c rules.Checker
	c.Add(nil)
	c.Add(ccerr.Field(ccerr.VINInvalid, "vin", "length", "bad"))
	assert.Equal(t, ccerr.VINInvalid, ccerr.CodeOf(c.Err()))

	c.Add(ccerr.Field(ccerr.PersonalData, "ownerRef", "pseudonym", "bad"))
	assert.Equal(t, ccerr.InvalidArgument, ccerr.CodeOf(c.Err()), "two codes fall back to the category")

	var d rules.Checker
	d.Add(errors.New("plain"))
	e, _ := ccerr.From(d.Err())
	assert.Equal(t, "invalid", e.Fields[0].Rule)
}

// A length limit counts characters on every path: Checker.MaxLen/Text,
// the validate tags (validator's max) and JSON Schema's maxLength.
func TestLengthLimitsCountCharacters(t *testing.T) {
	const limit = 5
	atLimit := strings.Repeat("ü", limit) // 10 bytes
	past := atLimit + "é"
	for name, tc := range map[string]struct {
		s     string
		valid bool
	}{"at the limit": {atLimit, true}, "one past": {past, false}} {
		var c rules.Checker
		c.MaxLen("note", tc.s, limit)
		c.Text("name", tc.s, limit)
		err := rules.Var(tc.s, fmt.Sprintf("max=%d", limit))
		if tc.valid {
			assert.NoError(t, c.Err(), name)
			assert.NoError(t, err, name)
			continue
		}
		e, ok := ccerr.From(c.Err())
		require.True(t, ok, name)
		require.Len(t, e.Fields, 2, name)
		assert.Equal(t, "must be at most 5 characters, got 6", e.Fields[0].Message)
		assert.Error(t, err, name)
	}
}
