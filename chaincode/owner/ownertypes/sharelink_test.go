package ownertypes_test

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	ot "github.com/autoledger/autoledger/chaincode/owner/ownertypes"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestShareLinkHashIsTheTokensSHA256AndRefusesWeakTokens(t *testing.T) {
	token, err := ot.NewShareLinkToken()
	require.NoError(t, err)
	assert.Len(t, token, 43, "32 bytes as unpadded base64url")
	h, err := ot.ShareLinkHash(token)
	require.NoError(t, err)
	sum := sha256.Sum256([]byte(token))
	assert.Equal(t, hex.EncodeToString(sum[:]), h)
	assert.NoError(t, ot.ValidateLinkHash("link", h))

	other, err := ot.NewShareLinkToken()
	require.NoError(t, err)
	assert.NotEqual(t, token, other)

	for _, bad := range []string{"", strings.Repeat("A", 21), token + "=", "+" + token[1:], token[:20] + "." + token[21:]} {
		_, err := ot.ShareLinkHash(bad)
		assert.Error(t, err, "%q", bad)
		assert.Equal(t, []string{"token/link_token"}, fields(t, err), "%q", bad)
	}
	_, err = ot.ShareLinkHash(strings.Repeat("A", 22)) // 16 bytes and 4 bits: enough
	assert.NoError(t, err)
	assert.Equal(t, []string{"link/sha256_hex"}, fields(t, ot.ValidateLinkHash("link", strings.ToUpper(h))))
}

func TestShareLinkLiveness(t *testing.T) {
	t0 := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	l := ot.ShareLink{OwnerNo: 2, CreatedAt: t0, NotAfter: t0.Add(time.Hour)}
	owned := &ot.Ownership{OwnerNo: 2, Status: ot.StatusOwned, BoundAt: t0.Add(-time.Minute)}
	live, why := l.StandingIn(t0, owned)
	assert.True(t, live, why)
	assert.False(t, l.LiveAt(t0.Add(time.Hour), 2), "ends at notAfter")
	assert.False(t, l.LiveAt(t0, 3), "the car changed hands")
	assert.False(t, l.LiveAt(t0, 1))
	revoked := l
	revoked.RevokedAt = t0
	assert.False(t, revoked.LiveAt(t0, 2))

	live, _ = l.StandingIn(t0, nil)
	assert.False(t, live)
	awaiting := *owned
	awaiting.Status = ot.StatusAwaitingClaim
	live, _ = l.StandingIn(t0, &awaiting)
	assert.False(t, live)
	rebound := *owned
	rebound.BoundAt = t0.Add(time.Second)
	live, why = l.StandingIn(t0.Add(time.Minute), &rebound)
	assert.False(t, live)
	assert.Contains(t, why, "bound again")
}

func TestLinkNotAfterRules(t *testing.T) {
	t0 := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	assert.NoError(t, ot.CheckLinkNotAfter("notAfter", t0.Add(ot.MaxShareLinkLifetime), t0))
	assert.Equal(t, []string{"notAfter/future"}, fields(t, ot.CheckLinkNotAfter("notAfter", t0, t0)))
	assert.Equal(t, []string{"notAfter/max_link"}, fields(t, ot.CheckLinkNotAfter("notAfter", t0.Add(ot.MaxShareLinkLifetime+time.Second), t0)))
	got, err := ot.ParseLinkNotAfter("notAfter", "2026-01-12T10:00:00+01:00")
	require.NoError(t, err)
	assert.Equal(t, time.Date(2026, 1, 12, 9, 0, 0, 0, time.UTC), got)
	assert.Equal(t, time.UTC, got.Location())
	_, err = ot.ParseLinkNotAfter("notAfter", "12/01/2026")
	assert.Equal(t, []string{"notAfter/time"}, fields(t, err))
}
