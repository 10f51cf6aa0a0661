package ownerclient_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/autoledger/autoledger/chaincode/owner/ownertypes"
	"github.com/autoledger/autoledger/chaincode/rules"
	"github.com/autoledger/autoledger/gateway/ownerclient"
)

func TestNewClaimCode(t *testing.T) {
	shape := regexp.MustCompile(`^[0-9a-hjkmnp-tv-z]{4}(-[0-9a-hjkmnp-tv-z]{4}){6}$`)
	seen := map[string]bool{}
	for range 50 {
		c, err := ownerclient.NewClaimCode()
		require.NoError(t, err)
		assert.Regexp(t, shape, c.Code)
		assert.Regexp(t, rules.SaltPattern, c.Salt)
		assert.Equal(t, ownertypes.ClaimHash(c.Salt, c.Code), c.Hash)
		assert.NoError(t, ownertypes.ClaimTransient{Code: c.Code}.Validate(), "the ledger must take the code")
		assert.False(t, seen[c.Code])
		seen[c.Code] = true
	}
}

func TestNormalizeClaimCode(t *testing.T) {
	c, err := ownerclient.NewClaimCode()
	require.NoError(t, err)
	typed := map[string]string{
		"as printed":     c.Code,
		"upper case":     strings.ToUpper(c.Code),
		"no dashes":      strings.ReplaceAll(c.Code, "-", ""),
		"spaces, padded": "  " + strings.ReplaceAll(c.Code, "-", " ") + "\n",
	}
	for name, in := range typed {
		assert.Equal(t, c.Code, ownerclient.NormalizeClaimCode(in), name)
	}
	assert.Equal(t, "0123-4567-89ab-cdef-ghjk-mnpq-1111", ownerclient.NormalizeClaimCode("O123-4567-89AB-CDEF-GHJK-MNPQ-iIlL"), "look-alikes")
	// A code of another shape is the ledger's opaque string: only trimmed.
	for _, foreign := range []string{"Some-Other-Code-Form-1234", "ABCDEFGHJKMNPQRSTVWXYZ0123456"} {
		assert.Equal(t, foreign, ownerclient.NormalizeClaimCode(" "+foreign+" "))
	}
}
