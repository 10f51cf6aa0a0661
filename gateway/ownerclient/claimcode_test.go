package ownerclient_test

import (
	"encoding/base64"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/autoledger/autoledger/chaincode/owner/statement"
	"github.com/autoledger/autoledger/gateway/ownerclient"
)

func TestNewClaimCode(t *testing.T) {
	shape := regexp.MustCompile(`^[01][0-9a-hjkmnp-tv-z]{3}(-[0-9a-hjkmnp-tv-z]{4}){12}$`)
	seen := map[string]bool{}
	for range 50 {
		c, err := ownerclient.NewClaimCode()
		require.NoError(t, err)
		assert.Regexp(t, shape, c.Code)
		assert.False(t, seen[c.Code])
		seen[c.Code] = true
		pub, err := statement.PublicKeyOf(c.Key)
		require.NoError(t, err)
		assert.Equal(t, pub.Fingerprint(), c.Fingerprint(), "the code's key is the one its fingerprint names")
		parsed, err := ownerclient.ParseClaimCode(c.Code)
		require.NoError(t, err)
		assert.True(t, parsed.Key.Equal(c.Key), "the code is the key")
		raw, err := ownerclient.Sign(parsed.Key, []byte("statement"))
		require.NoError(t, err)
		key, err := statement.ParsePublicKey(c.Public.SPKI())
		require.NoError(t, err)
		assert.NoError(t, key.Verify([]byte("statement"), raw), "what the parsed code signs verifies with the public half the ledger holds")
		assert.Equal(t, c.Public.SPKI(), mustDecode(t, c.PublicKeyBase64()))
	}
}

// A code as a person copies it is the same key; a code that is not one is
// refused without quoting it.
func TestParseClaimCode(t *testing.T) {
	c, err := ownerclient.NewClaimCode()
	require.NoError(t, err)
	for name, typed := range map[string]string{
		"upper case":        strings.ToUpper(c.Code),
		"no dashes":         strings.ReplaceAll(c.Code, "-", ""),
		"spaces for dashes": strings.ReplaceAll(c.Code, "-", " "),
	} {
		got, err := ownerclient.ParseClaimCode(typed)
		require.NoError(t, err, name)
		assert.Equal(t, c.Code, got.Code, name)
	}
	for _, bad := range []string{"", "k3m9-8d2f-x0qa-7bcv-nn4e-1wyt-5hgr", c.Code + "0", "z" + c.Code[1:], strings.Repeat("0", 52)} {
		_, err := ownerclient.ParseClaimCode(bad)
		cc, ok := ccerr.From(err)
		require.True(t, ok, "%q: %v", bad, err)
		assert.Equal(t, ccerr.InvalidArgument, cc.Code)
		require.NotEmpty(t, cc.Fields)
		assert.Equal(t, "claimCode", cc.Fields[0].Field)
		if bad != "" {
			assert.NotContains(t, err.Error(), bad)
		}
	}
}

func mustDecode(t *testing.T, b64 string) []byte {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(b64)
	require.NoError(t, err)
	return b
}
