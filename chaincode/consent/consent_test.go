package consent_test

import (
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/autoledger/autoledger/chaincode/collections"
	"github.com/autoledger/autoledger/chaincode/consent"
	"github.com/autoledger/autoledger/chaincode/consent/consenttypes"
	"github.com/autoledger/autoledger/chaincode/contracts/contractstest"
	"github.com/autoledger/autoledger/chaincode/mockstub"
	"github.com/autoledger/autoledger/chaincode/owner/ownertypes"
	"github.com/autoledger/autoledger/chaincode/owner/statement"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const driving = `{"periodStart":"2026-02-01","km":1234,"harshBrakes":3}`

func TestGrantShareReadByTheGrantee(t *testing.T) {
	f := newFixture(t)
	o := f.NewOwnerKey()
	f.sell(vinA, o)

	env := f.sign(o, vinA, statement.Grant, f.grantTerms("InsurerMSP", 30, "odometer", "driving"))
	res := f.Submit("DealerMSP", "owner-services", "consent:Grant", vinA, env)
	g := contractstest.OK[consenttypes.GrantView](t, res)
	assert.Equal(t, statement.ID([]byte(env.Statement)), g.ID, "a grant is named by its statement's ID")
	assert.True(t, g.Live)
	assert.Equal(t, 1, g.OwnerNo)
	assert.Equal(t, []string{"driving", "odometer"}, g.Scopes)
	assert.Equal(t, "InsurerMSP", g.Grantee)
	assert.Equal(t, o.Fingerprint(), g.KeyFingerprint)
	assert.Equal(t, env.Statement, g.Statement, "the signed text is kept as evidence")
	require.NotNil(t, res.Event)
	assert.Equal(t, consenttypes.EvConsentGranted, res.Event.Name)
	assert.NotContains(t, string(res.Event.Payload), env.Signature)

	res = f.share(vinA, g.ID, "driving", " {\"periodStart\": \"2026-02-01\", \"km\": 1234, \"harshBrakes\": 3}\n")
	receipt := contractstest.OK[consenttypes.ShareReceipt](t, res)
	assert.Equal(t, collections.OemInsurer, receipt.Collection)
	assert.Equal(t, "OemMSP", receipt.SharedBy)
	assert.NotContains(t, string(res.Payload), "harshBrakes", "an answer goes into the block: no data in it")
	assert.NotContains(t, string(res.Event.Payload), "harshBrakes")
	assert.Nil(t, f.State(sharedKey(t, vinA, g.ID, "driving")), "shared data is never public")
	assert.NotNil(t, f.PrivateData(collections.OemInsurer, sharedKey(t, vinA, g.ID, "driving")))

	for _, role := range []string{"underwriting", "claims"} {
		rec := contractstest.OK[consenttypes.SharedRecord](t, f.Query("InsurerMSP", role, "consent:Read", vinA, g.ID, "driving"))
		assert.JSONEq(t, driving, rec.Data)
		assert.Equal(t, "OemMSP", rec.SharedBy)
		assert.Equal(t, g.ID, rec.GrantID)
	}
	// Covered but never shared.
	contractstest.FailsWith(t, f.read(vinA, g.ID, "odometer"), ccerr.NotFound)
}

func TestOnlyTheGranteeReads(t *testing.T) {
	f := newFixture(t)
	o := f.NewOwnerKey()
	f.sell(vinA, o)
	toDealer := f.grant(o, vinA, "DealerMSP", "driving")
	toInsurer := f.grant(o, vinA, "InsurerMSP", "driving")
	contractstest.OK[consenttypes.ShareReceipt](t, f.share(vinA, toInsurer.ID, "driving", driving))

	// The insurer is no grantee of the dealer's grant.
	contractstest.FailsWith(t, f.read(vinA, toDealer.ID, "driving"), ccerr.Forbidden)
	// Other orgs are refused by the access rule, whatever the grant.
	for _, c := range [][2]string{{"OemMSP", "telematics"}, {"DealerMSP", "sales"}, {"SupplierMSP", "admin"}, {"InsurerMSP", "admin"}, {"InsurerMSP", "owner-services"}} {
		contractstest.FailsWith(t, f.Query(c[0], c[1], "consent:Read", vinA, toInsurer.ID, "driving"), ccerr.Forbidden)
	}
}

func TestShareNeedsALiveGrantThatCoversTheScope(t *testing.T) {
	f := newFixture(t)
	o := f.NewOwnerKey()
	f.sell(vinA, o)
	f.sell(vinB, f.NewOwnerKey())

	noGrant := strings.Repeat("ab", 32)
	contractstest.FailsWith(t, f.share(vinA, noGrant, "driving", driving), ccerr.ConsentRequired)

	odometerOnly := f.grant(o, vinA, "InsurerMSP", "odometer")
	contractstest.FailsWith(t, f.share(vinA, odometerOnly.ID, "driving", driving), ccerr.ConsentRequired)

	// A grant of one car is no grant for another.
	g := f.grant(o, vinA, "InsurerMSP", "driving")
	contractstest.FailsWith(t, f.share(vinB, g.ID, "driving", driving), ccerr.ConsentRequired)

	// No collection carries data from the OEM to the dealer.
	toDealer := f.grant(o, vinA, "DealerMSP", "driving")
	e := contractstest.FailsWith(t, f.share(vinA, toDealer.ID, "driving", driving), ccerr.ConsentRequired)
	assert.Contains(t, e.Message, "collection")

	revoked := f.grant(o, vinA, "InsurerMSP", "driving", "battery")
	contractstest.OK[consenttypes.GrantView](t, f.revoke(o, vinA, revoked.ID))
	contractstest.FailsWith(t, f.share(vinA, revoked.ID, "driving", driving), ccerr.ConsentRequired)

	// Expired: at notAfter exactly the grant has ended.
	contractstest.OK[consenttypes.ShareReceipt](t, f.share(vinA, g.ID, "driving", driving))
	f.Clock.Set(g.NotAfter)
	e = contractstest.FailsWith(t, f.share(vinA, g.ID, "driving", driving), ccerr.ConsentRequired)
	assert.Contains(t, e.Message, "expired")
	contractstest.FailsWith(t, f.read(vinA, g.ID, "driving"), ccerr.ConsentRequired)
}

func TestShareChecksScopeHolderAndData(t *testing.T) {
	f := newFixture(t)
	o := f.NewOwnerKey()
	f.sell(vinA, o)
	g := f.grant(o, vinA, "InsurerMSP", "driving", "odometer")

	e := contractstest.FailsWith(t, f.share(vinA, g.ID, "odometer", driving), ccerr.InvalidArgument)
	assert.Equal(t, "scope", e.Fields[0].Field, "no member shares odometer data through consent")
	e = contractstest.FailsWith(t, f.share(vinA, g.ID, "location", driving), ccerr.InvalidArgument)
	assert.Equal(t, "scope", e.Fields[0].Field)
	contractstest.FailsWith(t, f.share("NOT-A-VIN", g.ID, "driving", driving), ccerr.VINInvalid)

	contractstest.FailsWith(t, f.Invoke(mockstub.Tx{Creator: f.As("OemMSP", "telematics"), Function: "consent:Share",
		Args: []string{vinA, g.ID, "driving"}}), ccerr.MissingTransient)
	e = contractstest.FailsWith(t, f.share(vinA, g.ID, "driving", `[1,2]`), ccerr.InvalidArgument)
	assert.Equal(t, "data", e.Fields[0].Field)
	e = contractstest.FailsWith(t, f.share(vinA, g.ID, "driving", `{"x":"`+strings.Repeat("y", consenttypes.MaxShareBytes)+`"}`), ccerr.InvalidArgument)
	assert.Equal(t, "max_size", e.Fields[0].Rule)
}

func TestGrantChecksTheOwnersStatement(t *testing.T) {
	f := newFixture(t)
	o, stranger := f.NewOwnerKey(), f.NewOwnerKey()
	f.sell(vinA, o)
	grant := func(env consenttypes.StatementEnvelope) *mockstub.Result {
		return f.Submit("OemMSP", "owner-services", "consent:Grant", vinA, env)
	}

	contractstest.FailsWith(t, grant(f.sign(stranger, vinA, statement.Grant, f.grantTerms("InsurerMSP", 30, "driving"))), ccerr.OwnerSignatureInvalid)
	e := contractstest.FailsWith(t, grant(f.sign(o, vinB, statement.Grant, f.grantTerms("InsurerMSP", 30, "driving"))), ccerr.StatementMismatch)
	assert.Equal(t, "statement.vin", e.Fields[0].Field)
	e = contractstest.FailsWith(t, grant(f.sign(o, vinA, statement.Revoke, map[string]string{"grant": strings.Repeat("0", 64)})), ccerr.StatementMismatch)
	assert.Equal(t, "statement.action", e.Fields[0].Field)

	e = contractstest.FailsWith(t, grant(f.sign(o, vinA, statement.Grant, f.grantTerms("InsurerMSP", 367, "driving"))), ccerr.InvalidArgument)
	assert.Equal(t, "statement.params.notAfter", e.Fields[0].Field)
	assert.Equal(t, "max_grant", e.Fields[0].Rule)
	contractstest.OK[consenttypes.GrantView](t, grant(f.sign(o, vinA, statement.Grant, f.grantTerms("InsurerMSP", 366, "driving"))))
	e = contractstest.FailsWith(t, grant(f.sign(o, vinA, statement.Grant, f.grantTerms("OrdererMSP", 30, "driving"))), ccerr.InvalidArgument)
	assert.Equal(t, "statement.params.grantee", e.Fields[0].Field)
	e = contractstest.FailsWith(t, grant(f.sign(o, vinA, statement.Grant, f.grantTerms("InsurerMSP", 30, "location"))), ccerr.InvalidArgument)
	assert.Equal(t, "statement.params.scopes", e.Fields[0].Field)

	env := f.sign(o, vinA, statement.Grant, f.grantTerms("InsurerMSP", 30, "driving"))
	f.Clock.Advance(2 * time.Hour)
	contractstest.FailsWith(t, grant(env), ccerr.StatementExpired)

	env = f.sign(o, vinA, statement.Grant, f.grantTerms("InsurerMSP", 30, "driving"))
	env.Signature = "not base64!"
	contractstest.FailsWith(t, grant(env), ccerr.InvalidArgument)
	contractstest.FailsWith(t, f.Submit("OemMSP", "owner-services", "consent:Grant", "NOT-A-VIN", f.sign(o, vinA, statement.Grant, f.grantTerms("InsurerMSP", 30, "driving"))), ccerr.VINInvalid)
}

func TestGrantNeedsAnOwnedCar(t *testing.T) {
	f := newFixture(t)
	o := f.NewOwnerKey()
	env := f.sign(o, vinA, statement.Grant, f.grantTerms("InsurerMSP", 30, "driving"))
	contractstest.FailsWith(t, f.Submit("DealerMSP", "owner-services", "consent:Grant", vinA, env), ccerr.FailedPrecondition)

	f.SellFromStock(vinA, 10)
	e := contractstest.FailsWith(t, f.Submit("DealerMSP", "owner-services", "consent:Grant", vinA, env), ccerr.FailedPrecondition)
	assert.Contains(t, e.Message, "awaiting-claim")
}

func TestAReplayedStatementIsRefused(t *testing.T) {
	f := newFixture(t)
	o := f.NewOwnerKey()
	f.sell(vinA, o)
	env := f.sign(o, vinA, statement.Grant, f.grantTerms("InsurerMSP", 30, "driving"))
	g := contractstest.OK[consenttypes.GrantView](t, f.Submit("DealerMSP", "owner-services", "consent:Grant", vinA, env))
	// The same statement relayed again, by another org too.
	contractstest.FailsWith(t, f.Submit("DealerMSP", "owner-services", "consent:Grant", vinA, env), ccerr.NonceReused)
	contractstest.FailsWith(t, f.Submit("InsurerMSP", "owner-services", "consent:Grant", vinA, env), ccerr.NonceReused)

	rev := f.sign(o, vinA, statement.Revoke, map[string]string{"grant": g.ID})
	contractstest.OK[consenttypes.GrantView](t, f.Submit("OemMSP", "owner-services", "consent:Revoke", vinA, rev))
	contractstest.FailsWith(t, f.Submit("OemMSP", "owner-services", "consent:Revoke", vinA, rev), ccerr.NonceReused)
	// A fresh revoke of a revoked grant records nothing new.
	contractstest.FailsWith(t, f.revoke(o, vinA, g.ID), ccerr.FailedPrecondition)
}

func TestRevokeNeedsTheGrantingKey(t *testing.T) {
	f := newFixture(t)
	o, stranger := f.NewOwnerKey(), f.NewOwnerKey()
	f.sell(vinA, o)
	f.sell(vinB, stranger)
	g := f.grant(o, vinA, "InsurerMSP", "driving")

	contractstest.FailsWith(t, f.revoke(stranger, vinA, g.ID), ccerr.OwnerSignatureInvalid)
	e := contractstest.FailsWith(t, f.revoke(o, vinA, strings.Repeat("cd", 32)), ccerr.NotFound)
	assert.Equal(t, "statement.params.grant", e.Fields[0].Field)
	e = contractstest.FailsWith(t, f.Submit("DealerMSP", "owner-services", "consent:Revoke", vinA,
		f.sign(o, vinA, statement.Grant, f.grantTerms("InsurerMSP", 30, "driving"))), ccerr.StatementMismatch)
	assert.Equal(t, "statement.action", e.Fields[0].Field)
	contractstest.FailsWith(t, f.Submit("DealerMSP", "owner-services", "consent:Revoke", vinA,
		consenttypes.StatementEnvelope{Statement: "hello\n", Signature: "AA"}), ccerr.InvalidArgument)

	res := f.revoke(o, vinA, g.ID)
	v := contractstest.OK[consenttypes.GrantView](t, res)
	assert.False(t, v.Live)
	assert.Equal(t, f.Clock.Now(), v.RevokedAt)
	assert.NotEmpty(t, v.RevokeStatement)
	assert.Equal(t, consenttypes.EvConsentRevoked, res.Event.Name)
}

func TestRevokeStopsReadsAndPurgeRemovesTheData(t *testing.T) {
	f := newFixture(t)
	o := f.NewOwnerKey()
	f.sell(vinA, o)
	g := f.grant(o, vinA, "InsurerMSP", "driving", "service")
	contractstest.OK[consenttypes.ShareReceipt](t, f.share(vinA, g.ID, "driving", driving))
	key := sharedKey(t, vinA, g.ID, "driving")

	e := contractstest.FailsWith(t, f.Submit("OemMSP", "telematics", "consent:Purge", vinA, g.ID), ccerr.FailedPrecondition)
	assert.Contains(t, e.Message, "live")

	contractstest.OK[consenttypes.GrantView](t, f.revoke(o, vinA, g.ID))
	e = contractstest.FailsWith(t, f.read(vinA, g.ID, "driving"), ccerr.ConsentRequired)
	assert.Contains(t, e.Message, "revoked")
	require.NotNil(t, f.PrivateData(collections.OemInsurer, key), "revoked, not purged yet")
	h := f.Query("SupplierMSP", "logistics", "consent:SharedHash", vinA, g.ID, "driving")
	require.True(t, h.OK(), h.Message)
	assert.Equal(t, hex.EncodeToString(f.PrivateDataHash(collections.OemInsurer, key)), string(h.Payload), "every member reads the record's hash")
	contractstest.FailsWith(t, f.Query("SupplierMSP", "logistics", "consent:SharedHash", vinA, g.ID, "service"), ccerr.NotFound)

	// An org outside the collection cannot write it, so it cannot purge.
	contractstest.FailsWith(t, f.Submit("DealerMSP", "service", "consent:Purge", vinA, g.ID), ccerr.Forbidden)

	res := f.Submit("OemMSP", "telematics", "consent:Purge", vinA, g.ID)
	p := contractstest.OK[consenttypes.PurgeResult](t, res)
	assert.Equal(t, []consenttypes.PurgedShare{{Collection: collections.OemInsurer, Scope: "driving"}}, p.Purged)
	assert.Equal(t, consenttypes.EvConsentDataPurged, res.Event.Name)
	assert.Nil(t, f.PrivateData(collections.OemInsurer, key))
	assert.Nil(t, f.PrivateDataHash(collections.OemInsurer, key))
	contractstest.FailsWith(t, f.Query("InsurerMSP", "claims", "consent:SharedHash", vinA, g.ID, "driving"), ccerr.NotFound)

	// Once purged there is nothing left; any member may ask again.
	p = contractstest.OK[consenttypes.PurgeResult](t, f.Submit("SupplierMSP", "logistics", "consent:Purge", vinA, g.ID))
	assert.Empty(t, p.Purged)
	contractstest.FailsWith(t, f.Submit("OemMSP", "telematics", "consent:Purge", vinA, strings.Repeat("ef", 32)), ccerr.NotFound)
}

func TestTheGranteeMayPurgeAnEndedGrant(t *testing.T) {
	f := newFixture(t)
	o := f.NewOwnerKey()
	f.sell(vinA, o)
	g := f.grant(o, vinA, "InsurerMSP", "driving")
	contractstest.OK[consenttypes.ShareReceipt](t, f.share(vinA, g.ID, "driving", driving))
	f.Clock.Set(g.NotAfter.Add(time.Second))
	contractstest.OK[consenttypes.PurgeResult](t, f.Submit("InsurerMSP", "claims", "consent:Purge", vinA, g.ID))
	assert.Nil(t, f.PrivateDataHash(collections.OemInsurer, sharedKey(t, vinA, g.ID, "driving")))
}

func TestASaleEndsTheSellersGrants(t *testing.T) {
	f := newFixture(t)
	seller, buyer := f.NewOwnerKey(), f.NewOwnerKey()
	f.sell(vinA, seller)
	g := f.grant(seller, vinA, "InsurerMSP", "driving")
	contractstest.OK[consenttypes.ShareReceipt](t, f.share(vinA, g.ID, "driving", driving))

	f.Clock.Advance(time.Minute)
	code := f.resell(vinA, seller, nil)
	e := contractstest.FailsWith(t, f.read(vinA, g.ID, "driving"), ccerr.ConsentRequired)
	assert.Contains(t, e.Message, "current ownership is 2")
	contractstest.FailsWith(t, f.share(vinA, g.ID, "driving", driving), ccerr.ConsentRequired)

	// Still ended once the buyer claims the car; the buyer grants afresh.
	f.Claim(vinA, code.Code, buyer)
	contractstest.FailsWith(t, f.read(vinA, g.ID, "driving"), ccerr.ConsentRequired)
	contractstest.FailsWith(t, f.Submit("DealerMSP", "owner-services", "consent:Grant", vinA,
		f.sign(seller, vinA, statement.Grant, f.grantTerms("InsurerMSP", 30, "driving"))), ccerr.OwnerSignatureInvalid)
	g2 := f.grant(buyer, vinA, "InsurerMSP", "driving")
	assert.Equal(t, 2, g2.OwnerNo)

	list := contractstest.OK[consenttypes.GrantList](t, f.Query("SupplierMSP", "logistics", "consent:List", vinA))
	require.Len(t, list.Grants, 2)
	assert.Equal(t, g.ID, list.Grants[0].ID)
	assert.False(t, list.Grants[0].Live)
	assert.Equal(t, g2.ID, list.Grants[1].ID)
	assert.True(t, list.Grants[1].Live)

	// The seller's key still revokes the seller's own grant, and its data
	// can be purged.
	contractstest.OK[consenttypes.GrantView](t, f.revoke(seller, vinA, g.ID))
	contractstest.OK[consenttypes.PurgeResult](t, f.Submit("OemMSP", "telematics", "consent:Purge", vinA, g.ID))
}

// A lost-key or disputed-claim exception re-binds the ownership's key: the
// old key's grants end with it, even once the ownership is owned again.
func TestARebindEndsTheOldKeysGrants(t *testing.T) {
	f := newFixture(t)
	old, renewed := f.NewOwnerKey(), f.NewOwnerKey()
	f.sell(vinA, old)
	g := f.grant(old, vinA, "InsurerMSP", "driving")
	contractstest.OK[consenttypes.ShareReceipt](t, f.share(vinA, g.ID, "driving", driving))

	code := contractstest.NewClaimCode(t)
	ex := contractstest.OK[ownertypes.Exception](t, f.Submit("OemMSP", "admin", "owner:ProposeException", vinA, ownertypes.ExceptionRequest{
		Kind: ownertypes.KindLostKey, EvidenceHash: strings.Repeat("9f", 32), ClaimPublicKey: code.PublicKey()}))
	contractstest.OK[ownertypes.Exception](t, f.Submit("DealerMSP", "admin", "owner:ApproveException", vinA, ex.ID))
	ex = contractstest.OK[ownertypes.Exception](t, f.Submit("InsurerMSP", "admin", "owner:ApproveException", vinA, ex.ID))
	require.Equal(t, ownertypes.ExceptionApplied, ex.Status)
	contractstest.FailsWith(t, f.read(vinA, g.ID, "driving"), ccerr.ConsentRequired)

	f.Claim(vinA, code.Code, renewed)
	e := contractstest.FailsWith(t, f.read(vinA, g.ID, "driving"), ccerr.ConsentRequired)
	assert.Contains(t, e.Message, "key")
	assert.False(t, f.list(vinA).Grants[0].Live)
	g2 := f.grant(renewed, vinA, "InsurerMSP", "driving")
	assert.Equal(t, 1, g2.OwnerNo, "the same ownership, a new key")
	contractstest.OK[consenttypes.ShareReceipt](t, f.share(vinA, g2.ID, "driving", driving))
	// The owner's new key still revokes the old key's grant.
	contractstest.OK[consenttypes.GrantView](t, f.revoke(renewed, vinA, g.ID))
}

// Review #9: a disputed claim settled for the key's first holder binds the
// same key again; what it granted before the re-binding stays ended.
func TestARebindOfTheSameKeyDoesNotReviveItsGrants(t *testing.T) {
	f := newFixture(t)
	o := f.NewOwnerKey()
	f.sell(vinA, o)
	g := f.grant(o, vinA, "InsurerMSP", "driving")
	contractstest.OK[consenttypes.ShareReceipt](t, f.share(vinA, g.ID, "driving", driving))

	code := contractstest.NewClaimCode(t)
	ex := contractstest.OK[ownertypes.Exception](t, f.Submit("OemMSP", "admin", "owner:ProposeException", vinA, ownertypes.ExceptionRequest{
		Kind: ownertypes.KindDisputedClaim, EvidenceHash: strings.Repeat("9f", 32), ClaimPublicKey: code.PublicKey()}))
	contractstest.OK[ownertypes.Exception](t, f.Submit("DealerMSP", "admin", "owner:ApproveException", vinA, ex.ID))
	contractstest.OK[ownertypes.Exception](t, f.Submit("InsurerMSP", "admin", "owner:ApproveException", vinA, ex.ID))
	f.Clock.Advance(time.Minute)
	rebound := f.Claim(vinA, code.Code, o)
	require.Equal(t, o.Fingerprint(), rebound.KeyFingerprint, "the same key, bound again")

	e := contractstest.FailsWith(t, f.read(vinA, g.ID, "driving"), ccerr.ConsentRequired)
	assert.Contains(t, e.Message, "bound again")
	contractstest.FailsWith(t, f.share(vinA, g.ID, "driving", driving), ccerr.ConsentRequired)
	assert.False(t, f.list(vinA).Grants[0].Live)
	// A grant made after the re-binding is live.
	g2 := f.grant(o, vinA, "InsurerMSP", "driving")
	assert.True(t, g2.Live)
	contractstest.OK[consenttypes.ShareReceipt](t, f.share(vinA, g2.ID, "driving", driving))
}

func TestListIsOldestFirstAndEmptyForAnUnknownCar(t *testing.T) {
	f := newFixture(t)
	o := f.NewOwnerKey()
	f.sell(vinA, o)
	var ids []string
	for range 3 {
		ids = append(ids, f.grant(o, vinA, "InsurerMSP", "driving").ID)
		f.Clock.Advance(time.Minute)
	}
	list := contractstest.OK[consenttypes.GrantList](t, f.Query("DealerMSP", "sales", "consent:List", vinA))
	var got []string
	for _, g := range list.Grants {
		got = append(got, g.ID)
		assert.True(t, g.Live)
	}
	assert.Equal(t, ids, got)

	res := f.Query("DealerMSP", "sales", "consent:List", vinB)
	assert.JSONEq(t, `{"vin":"`+vinB+`","grants":[]}`, string(res.Payload))
	contractstest.FailsWith(t, f.Query("DealerMSP", "sales", "consent:List", "NOT-A-VIN"), ccerr.VINInvalid)
}

func TestReadHoldsItsTimestampToThePeerClock(t *testing.T) {
	f := newFixture(t)
	o := f.NewOwnerKey()
	f.sell(vinA, o)
	g := f.grant(o, vinA, "InsurerMSP", "driving")
	contractstest.OK[consenttypes.ShareReceipt](t, f.share(vinA, g.ID, "driving", driving))
	f.Clock.Set(g.NotAfter.Add(time.Hour))
	// A query's timestamp is the client's: one from before the expiry
	// must not read under the expired grant.
	res := f.Evaluate(mockstub.Tx{Creator: f.As("InsurerMSP", "underwriting"), Function: "consent:Read",
		Args: []string{vinA, g.ID, "driving"}, Timestamp: g.NotAfter.Add(-time.Hour)})
	contractstest.FailsWith(t, res, ccerr.TimestampSkew)
}

// Erasing a past ownership (owner:Erase) marks its grants and purges
// their data in the same transaction where the relaying org is a member of
// the share collection; otherwise a member's consent:Purge removes it.
func TestEraseOfAPastOwnershipPurgesItsGrantsData(t *testing.T) {
	f := newFixture(t)
	first, second := f.NewOwnerKey(), f.NewOwnerKey()
	f.sell(vinA, first)
	g1 := f.grant(first, vinA, "InsurerMSP", "driving")
	contractstest.OK[consenttypes.ShareReceipt](t, f.share(vinA, g1.ID, "driving", driving))
	f.Clock.Advance(time.Minute)
	f.resell(vinA, first, second)
	g2 := f.grant(second, vinA, "InsurerMSP", "driving")
	contractstest.OK[consenttypes.ShareReceipt](t, f.share(vinA, g2.ID, "driving", driving))
	k1, k2 := sharedKey(t, vinA, g1.ID, "driving"), sharedKey(t, vinA, g2.ID, "driving")

	// Relayed by the dealer, no member of oemInsurer: the grant is marked,
	// the data stays for a member's consent:Purge.
	f.Clock.Advance(time.Minute)
	contractstest.OK[ownertypes.EraseResult](t, f.erase("DealerMSP", first, vinA, 1))
	assert.NotNil(t, f.PrivateDataHash(collections.OemInsurer, k1))
	list := f.list(vinA)
	require.Len(t, list.Grants, 2)
	assert.Equal(t, f.Clock.Now(), list.Grants[0].ErasedAt)
	assert.False(t, list.Grants[0].Live)
	assert.True(t, list.Grants[1].ErasedAt.IsZero(), "the current owner's grant is untouched")
	assert.True(t, list.Grants[1].Live)

	p := contractstest.OK[consenttypes.PurgeResult](t, f.Submit("OemMSP", "telematics", "consent:Purge", vinA, g1.ID))
	assert.Len(t, p.Purged, 1)
	assert.Nil(t, f.PrivateDataHash(collections.OemInsurer, k1))
	assert.NotNil(t, f.PrivateData(collections.OemInsurer, k2), "the current owner's data stays")

	// Relayed by the OEM, a member: purged in the erasing transaction.
	third := f.NewOwnerKey()
	f.sell(vinB, third)
	g3 := f.grant(third, vinB, "InsurerMSP", "driving")
	contractstest.OK[consenttypes.ShareReceipt](t, f.share(vinB, g3.ID, "driving", driving))
	f.resell(vinB, third, f.NewOwnerKey())
	contractstest.OK[ownertypes.EraseResult](t, f.erase("OemMSP", third, vinB, 1))
	assert.Nil(t, f.PrivateDataHash(collections.OemInsurer, sharedKey(t, vinB, g3.ID, "driving")))
	assert.False(t, f.list(vinB).Grants[0].ErasedAt.IsZero())
}

// Every transaction refuses the orgs and roles its rule does not admit.
func TestWrongOrgOrRoleIsRefused(t *testing.T) {
	f := newFixture(t)
	o := f.NewOwnerKey()
	f.sell(vinA, o)
	g := f.grant(o, vinA, "InsurerMSP", "driving")
	env := f.sign(o, vinA, statement.Grant, f.grantTerms("InsurerMSP", 30, "driving"))
	args := map[string][]any{
		"consent:Grant":      {vinA, env},
		"consent:Revoke":     {vinA, env},
		"consent:Share":      {vinA, g.ID, "driving"},
		"consent:Read":       {vinA, g.ID, "driving"},
		"consent:Purge":      {vinA, g.ID},
		"consent:List":       {vinA},
		"consent:SharedHash": {vinA, strings.Repeat("ab", 32), "driving"},
	}
	refused := map[string][][2]string{
		"consent:Grant":      {{"SupplierMSP", "admin"}, {"OemMSP", "telematics"}, {"DealerMSP", "sales"}, {"InsurerMSP", "underwriting"}, {"InsurerMSP", ""}},
		"consent:Revoke":     {{"SupplierMSP", "admin"}, {"DealerMSP", "admin"}, {"InsurerMSP", "claims"}, {"OemMSP", ""}},
		"consent:Share":      {{"OemMSP", "production"}, {"OemMSP", "owner-services"}, {"InsurerMSP", "underwriting"}, {"DealerMSP", "service"}, {"OemMSP", ""}},
		"consent:Read":       {{"OemMSP", "telematics"}, {"InsurerMSP", "admin"}, {"DealerMSP", "sales"}, {"InsurerMSP", ""}},
		"consent:Purge":      {{"OrdererMSP", ""}, {"OemMSP", ""}, {"OemMSP", "nobody"}},
		"consent:List":       {{"OrdererMSP", ""}, {"DealerMSP", ""}},
		"consent:SharedHash": {{"OrdererMSP", ""}, {"SupplierMSP", ""}},
	}
	for fn := range consent.Policy {
		require.Contains(t, refused, fn, "no refusal case for %s", fn)
	}
	for fn, callers := range refused {
		for _, c := range callers {
			e := contractstest.FailsWith(t, f.Submit(c[0], c[1], fn, args[fn]...), ccerr.Forbidden)
			assert.Contains(t, e.Message, fn, "%s as %s/%s", fn, c[0], c[1])
		}
	}
}
