package consenttypes_test

import (
	"strings"
	"testing"
	"time"

	"github.com/autoledger/autoledger/chaincode/ccerr"
	ct "github.com/autoledger/autoledger/chaincode/consent/consenttypes"
	"github.com/autoledger/autoledger/chaincode/owner/ownertypes"
	"github.com/autoledger/autoledger/chaincode/owner/statement"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func fields(t *testing.T, err error) []string {
	t.Helper()
	e, ok := ccerr.From(err)
	require.True(t, ok, "%v", err)
	var out []string
	for _, f := range e.Fields {
		out = append(out, f.Field+"/"+f.Rule)
	}
	return out
}

func TestLiveNeedsUnrevokedUnexpiredCurrentOwnedOwnership(t *testing.T) {
	g := ct.Grant{OwnerNo: 2, NotAfter: t0.Add(time.Hour)}
	assert.True(t, g.LiveAt(t0, 2, true))
	assert.False(t, g.LiveAt(t0.Add(time.Hour), 2, true), "at notAfter exactly it has ended")
	assert.False(t, g.LiveAt(t0, 3, true), "a sale ended the seller's grant")
	assert.False(t, g.LiveAt(t0, 2, false), "the ownership has no bound key")
	revoked := g
	revoked.RevokedAt = t0.Add(-time.Minute)
	live, why := revoked.Standing(t0, 2, true)
	assert.False(t, live)
	assert.Contains(t, why, "revoked")
}

func TestStandingInNeedsTheGrantingKeyStillBound(t *testing.T) {
	g := ct.Grant{OwnerNo: 1, NotAfter: t0.Add(time.Hour), KeyFingerprint: "aa"}
	cur := &ownertypes.Ownership{OwnerNo: 1, Status: ownertypes.StatusOwned, KeyFingerprint: "aa"}
	live, _ := g.StandingIn(t0, cur)
	assert.True(t, live)
	rebound := *cur
	rebound.KeyFingerprint = "bb"
	live, why := g.StandingIn(t0, &rebound)
	assert.False(t, live, "a lost-key or disputed-claim re-bind ends the old key's grants")
	assert.Contains(t, why, "bb")
	live, _ = g.StandingIn(t0, nil)
	assert.False(t, live)
	awaiting := ownertypes.Ownership{OwnerNo: 1, Status: ownertypes.StatusAwaitingClaim}
	live, _ = g.StandingIn(t0, &awaiting)
	assert.False(t, live)
}

func TestStandingInNeedsAGrantNoOlderThanTheBinding(t *testing.T) {
	g := ct.Grant{OwnerNo: 1, NotAfter: t0.Add(time.Hour), KeyFingerprint: "aa", GrantedAt: t0.Add(-time.Minute)}
	cur := &ownertypes.Ownership{OwnerNo: 1, Status: ownertypes.StatusOwned, KeyFingerprint: "aa", BoundAt: t0.Add(-time.Minute)}
	live, _ := g.StandingIn(t0, cur)
	assert.True(t, live, "granted in the binding's second")
	rebound := *cur
	rebound.BoundAt = t0.Add(-time.Minute + time.Second)
	live, why := g.StandingIn(t0, &rebound)
	assert.False(t, live, "the same key bound again later does not revive the older grant")
	assert.Contains(t, why, "bound again")
}

func grantStatement(params map[string]string) statement.Statement {
	p := map[string]string{"grantee": "InsurerMSP", "notAfter": "2026-06-01T00:00:00Z", "purpose": "usage-based-insurance", "scopes": "driving,odometer"}
	for k, v := range params {
		p[k] = v
	}
	return statement.Statement{Channel: "autoledger", VIN: "1M8GDM9AXKP042788", Action: statement.Grant, Params: p,
		Nonce: strings.Repeat("ab", 16), Expires: t0.Add(time.Hour)}
}

func TestTermsOfChecksGranteeScopesAndLifetime(t *testing.T) {
	terms, err := ct.TermsOf(grantStatement(nil), t0)
	require.NoError(t, err)
	assert.Equal(t, ct.GrantTerms{Grantee: "InsurerMSP", Scopes: []string{"driving", "odometer"}, Purpose: "usage-based-insurance",
		NotAfter: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)}, terms)

	_, err = ct.TermsOf(grantStatement(map[string]string{"grantee": "OrdererMSP", "scopes": "driving,location"}), t0)
	assert.ElementsMatch(t, []string{"statement.params.grantee/member", "statement.params.scopes/one_of"}, fields(t, err))

	_, err = ct.TermsOf(grantStatement(map[string]string{"notAfter": statement.FormatTime(t0)}), t0)
	assert.Equal(t, []string{"statement.params.notAfter/future"}, fields(t, err))

	atMost := t0.Add(ct.MaxGrantLifetime)
	_, err = ct.TermsOf(grantStatement(map[string]string{"notAfter": statement.FormatTime(atMost)}), t0)
	assert.NoError(t, err, "366 days is allowed")
	_, err = ct.TermsOf(grantStatement(map[string]string{"notAfter": statement.FormatTime(atMost.Add(time.Second))}), t0)
	assert.Equal(t, []string{"statement.params.notAfter/max_grant"}, fields(t, err))
}

func TestShareDataIsACompactedObjectOfBoundedSize(t *testing.T) {
	got, err := ct.ShareData([]byte(" {\"km\": 12,\n \"harsh\": [1, 2]} "))
	require.NoError(t, err)
	assert.Equal(t, `{"km":12,"harsh":[1,2]}`, got)
	for _, bad := range []string{`[1]`, `"x"`, `{`, ``, `{"a":1} {}`} {
		_, err := ct.ShareData([]byte(bad))
		assert.Equal(t, []string{"data/json_object"}, fields(t, err), bad)
	}
	_, err = ct.ShareData([]byte(`{"a":"` + strings.Repeat("x", ct.MaxShareBytes) + `"}`))
	assert.Equal(t, []string{"data/max_size"}, fields(t, err))
}

func TestShareArgsNameTheArgument(t *testing.T) {
	assert.NoError(t, ct.ValidateShareArgs("1M8GDM9AXKP042788", strings.Repeat("a", 64), ct.ScopeDriving))
	assert.Equal(t, ccerr.VINInvalid, ccerr.CodeOf(ct.ValidateShareArgs("NOT-A-VIN", strings.Repeat("a", 64), "driving")))
	assert.ElementsMatch(t, []string{"grantId/sha256_hex", "scope/one_of"},
		fields(t, ct.ValidateShareArgs("1M8GDM9AXKP042788", strings.Repeat("A", 64), "location")))
	assert.True(t, ct.Shareable(ct.ScopeDriving, "OemMSP"))
	assert.False(t, ct.Shareable(ct.ScopeDriving, "InsurerMSP"))
	assert.False(t, ct.Shareable(ct.ScopeOdometer, "OemMSP"), "no one shares odometer data through consent yet")
}

func TestSortGrantsByTimeThenID(t *testing.T) {
	gs := []ct.GrantView{{Grant: ct.Grant{ID: "b", GrantedAt: t0}}, {Grant: ct.Grant{ID: "c", GrantedAt: t0.Add(-time.Hour)}}, {Grant: ct.Grant{ID: "a", GrantedAt: t0}}}
	ct.SortGrants(gs)
	assert.Equal(t, []string{"c", "a", "b"}, []string{gs[0].ID, gs[1].ID, gs[2].ID})
}
