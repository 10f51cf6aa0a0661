package owner_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/autoledger/autoledger/chaincode/consent/consenttypes"
	"github.com/autoledger/autoledger/chaincode/contracts/contractstest"
	"github.com/autoledger/autoledger/chaincode/mockstub"
	ot "github.com/autoledger/autoledger/chaincode/owner/ownertypes"
	"github.com/autoledger/autoledger/chaincode/owner/statement"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// newLink draws a link token and returns its hash, as an owner's device does.
func newLink(t testing.TB) string {
	t.Helper()
	token, err := ot.NewShareLinkToken()
	require.NoError(t, err)
	h, err := ot.ShareLinkHash(token)
	require.NoError(t, err)
	return h
}

// shareStmt is key's share-link statement for link on vinCode until notAfter.
func (f *fixture) shareStmt(key *contractstest.OwnerKey, vinCode, link string, notAfter time.Time) ot.StatementEnvelope {
	f.T.Helper()
	return key.Sign(f.Ledger, f.Statement(vinCode, statement.ShareLink, map[string]string{"link": link, "notAfter": statement.FormatTime(notAfter)}))
}

// unshareStmt is key's unshare-link statement for link on vinCode.
func (f *fixture) unshareStmt(key *contractstest.OwnerKey, vinCode, link string) ot.StatementEnvelope {
	f.T.Helper()
	return key.Sign(f.Ledger, f.Statement(vinCode, statement.UnshareLink, map[string]string{"link": link}))
}

// share has key make a link for carVIN valid for d, relayed by the dealer.
func (f *fixture) share(key *contractstest.OwnerKey, d time.Duration) ot.ShareLinkView {
	f.T.Helper()
	link := newLink(f.T)
	return contractstest.OK[ot.ShareLinkView](f.T, f.submit("DealerMSP", "owner-services", "owner:CreateShareLink", carVIN, f.shareStmt(key, carVIN, link, f.Clock.Now().Add(d))))
}

// linkView is owner:ShareLink as the supplier reads it.
func (f *fixture) linkView(link string) ot.ShareLinkView {
	f.T.Helper()
	return contractstest.OK[ot.ShareLinkView](f.T, f.Read("SupplierMSP", "owner:ShareLink", link))
}

// grantTo has key grant grantee scopes of carVIN for days, and returns the grant's ID.
func (f *fixture) grantTo(key *contractstest.OwnerKey, grantee string, days int, scopes ...string) string {
	f.T.Helper()
	env := key.Sign(f.Ledger, f.Statement(carVIN, statement.Grant, map[string]string{
		"grantee": grantee, "notAfter": statement.FormatTime(f.Clock.Now().Add(time.Duration(days) * 24 * time.Hour)),
		"purpose": "resale", "scopes": statement.FormatScopes(scopes),
	}))
	return contractstest.OK[consenttypes.GrantView](f.T, f.submit("OemMSP", "owner-services", "consent:Grant", carVIN, env)).ID
}

// dealerLink is owner:CreateShareLinkForOwner by the dealer's sales.
func (f *fixture) dealerLink(link string, notAfter time.Time, grantID string) *mockstub.Result {
	f.T.Helper()
	return f.submit("DealerMSP", "sales", "owner:CreateShareLinkForOwner", carVIN, link, notAfter.Format(time.RFC3339), grantID)
}

func TestOwnerCreatesAndRevokesAShareLink(t *testing.T) {
	f := newFixture(t)
	key := f.Owned(carVIN, 10)
	link := newLink(t)
	notAfter := f.Clock.Now().Add(7 * 24 * time.Hour)
	env := f.shareStmt(key, carVIN, link, notAfter)

	r := f.submit("InsurerMSP", "owner-services", "owner:CreateShareLink", carVIN, env)
	v := contractstest.OK[ot.ShareLinkView](t, r)
	assert.Equal(t, ot.ShareLinkView{ShareLink: ot.ShareLink{
		SchemaVersion: 1, Link: link, VIN: carVIN, OwnerNo: 1, NotAfter: notAfter, CreatedAt: r.Timestamp,
		CreatedBy: ot.CreatedByOwner, StatementID: statement.ID([]byte(env.Statement)),
	}, Live: true}, v)
	require.NotNil(t, r.Event)
	assert.Equal(t, ot.EvShareLinkCreated, r.Event.Name)
	assert.Equal(t, v, f.linkView(link), "any member reads the link by its hash")

	// The same statement again is a replay.
	contractstest.FailsWith(t, f.submit("DealerMSP", "owner-services", "owner:CreateShareLink", carVIN, env), ccerr.NonceReused)
	// The same link again, freshly signed, is on record already.
	contractstest.FailsWith(t, f.submit("DealerMSP", "owner-services", "owner:CreateShareLink", carVIN, f.shareStmt(key, carVIN, link, notAfter)), ccerr.AlreadyExists)

	// Only the owner's key revokes it.
	stranger := f.NewOwnerKey()
	contractstest.FailsWith(t, f.submit("OemMSP", "owner-services", "owner:RevokeShareLink", carVIN, f.unshareStmt(stranger, carVIN, link)), ccerr.OwnerSignatureInvalid)
	assert.True(t, f.linkView(link).Live)

	unshare := f.unshareStmt(key, carVIN, link)
	r = f.submit("OemMSP", "owner-services", "owner:RevokeShareLink", carVIN, unshare)
	v = contractstest.OK[ot.ShareLinkView](t, r)
	assert.False(t, v.Live)
	assert.Equal(t, r.Timestamp, v.RevokedAt)
	assert.Equal(t, statement.ID([]byte(unshare.Statement)), v.RevokeStatementID)
	assert.Equal(t, ot.EvShareLinkRevoked, r.Event.Name)
	assert.Equal(t, v, f.linkView(link))
	contractstest.FailsWith(t, f.submit("OemMSP", "owner-services", "owner:RevokeShareLink", carVIN, unshare), ccerr.NonceReused)
	contractstest.FailsWith(t, f.submit("OemMSP", "owner-services", "owner:RevokeShareLink", carVIN, f.unshareStmt(key, carVIN, link)), ccerr.FailedPrecondition)

	// Unknown and malformed links.
	e := contractstest.FailsWith(t, f.Read("DealerMSP", "owner:ShareLink", newLink(t)), ccerr.NotFound)
	assert.Equal(t, "linkHash", e.Fields[0].Field)
	e = contractstest.FailsWith(t, f.Read("DealerMSP", "owner:ShareLink", strings.ToUpper(link)), ccerr.InvalidArgument)
	assert.Equal(t, "linkHash/sha256_hex", e.Fields[0].Field+"/"+e.Fields[0].Rule)
	e = contractstest.FailsWith(t, f.submit("OemMSP", "owner-services", "owner:RevokeShareLink", carVIN, f.unshareStmt(key, carVIN, newLink(t))), ccerr.NotFound)
	assert.Equal(t, "statement.params.link", e.Fields[0].Field)
}

func TestShareLinkStatementsAreChecked(t *testing.T) {
	f := newFixture(t)
	key := f.Owned(carVIN, 10)
	now := f.Clock.Now()
	create := func(env ot.StatementEnvelope) *mockstub.Result {
		return f.submit("DealerMSP", "owner-services", "owner:CreateShareLink", carVIN, env)
	}

	contractstest.FailsWith(t, create(f.shareStmt(f.NewOwnerKey(), carVIN, newLink(t), now.Add(time.Hour))), ccerr.OwnerSignatureInvalid)
	contractstest.FailsWith(t, create(f.shareStmt(key, otherVIN, newLink(t), now.Add(time.Hour))), ccerr.StatementMismatch)
	contractstest.FailsWith(t, create(f.unshareStmt(key, carVIN, newLink(t))), ccerr.StatementMismatch)
	for _, c := range []struct {
		notAfter time.Time
		rule     string
	}{{now, "future"}, {now.Add(-time.Hour), "future"}, {now.Add(ot.MaxShareLinkLifetime + time.Second), "max_link"}} {
		e := contractstest.FailsWith(t, create(f.shareStmt(key, carVIN, newLink(t), c.notAfter)), ccerr.InvalidArgument)
		assert.Equal(t, "statement.params.notAfter/"+c.rule, e.Fields[0].Field+"/"+e.Fields[0].Rule)
	}
	v := contractstest.OK[ot.ShareLinkView](t, create(f.shareStmt(key, carVIN, newLink(t), now.Add(ot.MaxShareLinkLifetime))))
	assert.Equal(t, now.Add(90*24*time.Hour), v.NotAfter, "90 days exactly is allowed")

	// No owner, no link: a car never sold, or one awaiting its claim.
	contractstest.FailsWith(t, f.submit("DealerMSP", "owner-services", "owner:CreateShareLink", otherVIN, f.shareStmt(key, otherVIN, newLink(t), now.Add(time.Hour))), ccerr.NotFound)
	f.SellFromStock(otherVIN, 5)
	contractstest.FailsWith(t, f.submit("DealerMSP", "owner-services", "owner:CreateShareLink", otherVIN, f.shareStmt(key, otherVIN, newLink(t), now.Add(time.Hour))), ccerr.FailedPrecondition)

	// A link of one car is not revoked through another.
	otherOwner := f.NewOwnerKey()
	f.register(contractstest.EUVIN)
	code := f.SellFromStock(contractstest.EUVIN, 5)
	f.Claim(contractstest.EUVIN, code.Code, otherOwner)
	link := newLink(t)
	contractstest.OK[ot.ShareLinkView](t, f.submit("DealerMSP", "owner-services", "owner:CreateShareLink", contractstest.EUVIN, f.shareStmt(otherOwner, contractstest.EUVIN, link, now.Add(time.Hour))))
	e := contractstest.FailsWith(t, f.submit("DealerMSP", "owner-services", "owner:RevokeShareLink", carVIN, f.unshareStmt(key, carVIN, link)), ccerr.NotFound)
	assert.Equal(t, "statement.params.link", e.Fields[0].Field)
	assert.True(t, f.linkView(link).Live)
}

func TestAShareLinkEndsWithItsTimeItsOwnershipOrItsKey(t *testing.T) {
	f := newFixture(t)
	seller := f.Owned(carVIN, 10)

	short := f.share(seller, time.Hour)
	long := f.share(seller, 30*24*time.Hour)
	f.Clock.Advance(time.Hour - time.Second)
	assert.True(t, f.linkView(short.Link).Live)
	f.Clock.Advance(time.Second)
	assert.False(t, f.linkView(short.Link).Live, "expired at notAfter")
	assert.True(t, f.linkView(long.Link).Live)

	// A sale ends the seller's links; the buyer's own are live.
	buyer := f.Resell(carVIN, seller, 20, "private")
	assert.False(t, f.linkView(long.Link).Live, "sold")
	mine := f.share(buyer, time.Hour)
	assert.Equal(t, 2, mine.OwnerNo)
	assert.True(t, f.linkView(mine.Link).Live)
	// The seller can still revoke its ended link: the owner's word on record.
	contractstest.OK[ot.ShareLinkView](t, f.submit("DealerMSP", "owner-services", "owner:RevokeShareLink", carVIN, f.unshareStmt(seller, carVIN, long.Link)))
	// But makes no new one.
	contractstest.FailsWith(t, f.submit("DealerMSP", "owner-services", "owner:CreateShareLink", carVIN, f.shareStmt(seller, carVIN, newLink(t), f.Clock.Now().Add(time.Hour))), ccerr.OwnerSignatureInvalid)

	// A lost-key exception ends the links made with the old key, even once
	// the ownership is claimed again.
	req, code := exception(t, ot.KindLostKey)
	ex := contractstest.OK[ot.Exception](t, f.submit("OemMSP", "admin", "owner:ProposeException", carVIN, req))
	f.submit("DealerMSP", "admin", "owner:ApproveException", carVIN, ex.ID)
	f.submit("InsurerMSP", "admin", "owner:ApproveException", carVIN, ex.ID)
	assert.False(t, f.linkView(mine.Link).Live, "awaiting a claim")
	f.Clock.Advance(time.Second)
	renewed := f.NewOwnerKey()
	f.Claim(carVIN, code.Code, renewed)
	assert.False(t, f.linkView(mine.Link).Live, "made before the key was bound again")
	assert.True(t, f.linkView(f.share(renewed, time.Hour).Link).Live)
}

func TestADealerLinksForTheOwnerOnlyUnderALiveReportGrant(t *testing.T) {
	f := newFixture(t)
	key := f.Owned(carVIN, 10)
	now := f.Clock.Now()
	week := now.Add(7 * 24 * time.Hour)

	contractstest.FailsWith(t, f.dealerLink(newLink(t), week, docHash), ccerr.ConsentRequired)
	service := f.grantTo(key, "DealerMSP", 30, consenttypes.ScopeService)
	contractstest.FailsWith(t, f.dealerLink(newLink(t), week, service), ccerr.ConsentRequired)
	insurer := f.grantTo(key, "InsurerMSP", 30, consenttypes.ScopeReport)
	contractstest.FailsWith(t, f.dealerLink(newLink(t), week, insurer), ccerr.ConsentRequired)

	grant := f.grantTo(key, "DealerMSP", 30, consenttypes.ScopeReport, consenttypes.ScopeService)
	link := newLink(t)
	r := f.dealerLink(link, week, grant)
	v := contractstest.OK[ot.ShareLinkView](t, r)
	assert.Equal(t, ot.ShareLinkView{ShareLink: ot.ShareLink{
		SchemaVersion: 1, Link: link, VIN: carVIN, OwnerNo: 1, NotAfter: week, CreatedAt: r.Timestamp,
		CreatedBy: "grantee:DealerMSP", GrantID: grant,
	}, Live: true}, v)
	assert.Equal(t, v, f.linkView(link))

	// Field rules.
	for _, c := range []struct {
		link, notAfter, grant, field, rule string
	}{
		{"abc", week.Format(time.RFC3339), grant, "linkHash", "sha256_hex"},
		{newLink(t), "next week", grant, "notAfter", "time"},
		{newLink(t), now.Format(time.RFC3339), grant, "notAfter", "future"},
		{newLink(t), now.Add(ot.MaxShareLinkLifetime + time.Second).Format(time.RFC3339), grant, "notAfter", "max_link"},
		{newLink(t), now.Add(31 * 24 * time.Hour).Format(time.RFC3339), grant, "notAfter", "within_grant"},
		{newLink(t), week.Format(time.RFC3339), "G-1", "grantId", "sha256_hex"},
	} {
		r := f.submit("DealerMSP", "sales", "owner:CreateShareLinkForOwner", carVIN, c.link, c.notAfter, c.grant)
		e := contractstest.FailsWith(t, r, ccerr.InvalidArgument)
		assert.Equal(t, c.field+"/"+c.rule, e.Fields[0].Field+"/"+e.Fields[0].Rule)
	}
	contractstest.FailsWith(t, f.dealerLink(link, week, grant), ccerr.AlreadyExists)

	// The owner revokes the dealer's link, and the grant.
	contractstest.OK[ot.ShareLinkView](t, f.submit("DealerMSP", "owner-services", "owner:RevokeShareLink", carVIN, f.unshareStmt(key, carVIN, link)))
	assert.False(t, f.linkView(link).Live)
	revoke := key.Sign(f.Ledger, f.Statement(carVIN, statement.Revoke, map[string]string{"grant": grant}))
	contractstest.OK[consenttypes.GrantView](t, f.submit("DealerMSP", "owner-services", "consent:Revoke", carVIN, revoke))
	contractstest.FailsWith(t, f.dealerLink(newLink(t), week, grant), ccerr.ConsentRequired)

	// A sale ends the grant and the links made under it.
	grant = f.grantTo(key, "DealerMSP", 30, consenttypes.ScopeReport)
	made := contractstest.OK[ot.ShareLinkView](t, f.dealerLink(newLink(t), week, grant))
	f.Resell(carVIN, key, 20, "private")
	assert.False(t, f.linkView(made.Link).Live)
	contractstest.FailsWith(t, f.dealerLink(newLink(t), week, grant), ccerr.ConsentRequired)
}

func TestShareLinkAccessRulesRefuseWrongOrgAndRole(t *testing.T) {
	f := newFixture(t)
	key := f.Owned(carVIN, 10)
	grant := f.grantTo(key, "DealerMSP", 30, consenttypes.ScopeReport)
	week := f.Clock.Now().Add(7 * 24 * time.Hour)
	args := map[string][]any{
		"CreateShareLink":         {carVIN, f.shareStmt(key, carVIN, newLink(t), week)},
		"RevokeShareLink":         {carVIN, f.unshareStmt(key, carVIN, newLink(t))},
		"CreateShareLinkForOwner": {carVIN, newLink(t), week.Format(time.RFC3339), grant},
	}
	cases := []struct{ fn, msp, role string }{
		{"CreateShareLink", "SupplierMSP", "owner-services"}, {"CreateShareLink", "DealerMSP", "sales"}, {"CreateShareLink", "OemMSP", "admin"}, {"CreateShareLink", "OrdererMSP", "owner-services"},
		{"RevokeShareLink", "SupplierMSP", "owner-services"}, {"RevokeShareLink", "DealerMSP", "sales"}, {"RevokeShareLink", "InsurerMSP", "claims"},
		{"CreateShareLinkForOwner", "OemMSP", "sales"}, {"CreateShareLinkForOwner", "InsurerMSP", "sales"}, {"CreateShareLinkForOwner", "DealerMSP", "owner-services"},
		{"CreateShareLinkForOwner", "DealerMSP", "service"}, {"CreateShareLinkForOwner", "DealerMSP", "admin"}, {"CreateShareLinkForOwner", "SupplierMSP", "sales"},
	}
	before := f.BlockHeight()
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s by %s %s", c.fn, c.msp, c.role), func(t *testing.T) {
			r := f.invoke(mockstub.Tx{Creator: f.As(c.msp, c.role), Function: "owner:" + c.fn, Args: contractstest.Args(args[c.fn]...)})
			e := contractstest.FailsWith(t, r, ccerr.Forbidden)
			assert.Contains(t, e.Message, c.msp)
		})
	}
	assert.Equal(t, before, f.BlockHeight())

	// The link is any member's to read, and nobody else's.
	link := f.share(key, time.Hour).Link
	for _, msp := range []string{"OemMSP", "SupplierMSP", "DealerMSP", "InsurerMSP"} {
		assert.True(t, f.Read(msp, "owner:ShareLink", link).OK(), msp)
	}
	contractstest.FailsWith(t, f.Query("OrdererMSP", "", "owner:ShareLink", link), ccerr.Forbidden)
	contractstest.FailsWith(t, f.Query("DealerMSP", "", "owner:ShareLink", link), ccerr.Forbidden)
}

// A dealer's link lives on the owner's grant: when the owner revokes the
// grant, the links the dealer made under it end with it, and the view
// says why. The owner's own links are untouched.
func TestADealersLinkEndsWhenTheOwnerRevokesItsGrant(t *testing.T) {
	f := newFixture(t)
	key := f.Owned(carVIN, 10)
	week := f.Clock.Now().Add(7 * 24 * time.Hour)
	grant := f.grantTo(key, "DealerMSP", 30, consenttypes.ScopeReport)
	link := newLink(t)
	contractstest.OK[ot.ShareLinkView](t, f.dealerLink(link, week, grant))
	own := f.share(key, 24*time.Hour)
	v := f.linkView(link)
	assert.True(t, v.Live)
	assert.Empty(t, v.Reason)

	f.Clock.Advance(time.Minute)
	revoke := key.Sign(f.Ledger, f.Statement(carVIN, statement.Revoke, map[string]string{"grant": grant}))
	contractstest.OK[consenttypes.GrantView](t, f.submit("DealerMSP", "owner-services", "consent:Revoke", carVIN, revoke))

	v = f.linkView(link)
	assert.False(t, v.Live, "the grant it was made under is revoked")
	assert.True(t, v.RevokedAt.IsZero(), "the link itself was not revoked")
	assert.Contains(t, v.Reason, "was made by DealerMSP under a grant that no longer allows it")
	assert.Contains(t, v.Reason, "grant "+grant+" of "+carVIN+" was revoked at")
	assert.True(t, f.linkView(own.Link).Live, "the owner's own link does not hang on the grant")
}
