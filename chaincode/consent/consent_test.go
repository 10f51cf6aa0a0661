package consent_test

import (
	"strings"
	"testing"
	"time"

	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/autoledger/autoledger/chaincode/collections"
	"github.com/autoledger/autoledger/chaincode/consent"
	"github.com/autoledger/autoledger/chaincode/consent/consenttypes"
	"github.com/autoledger/autoledger/chaincode/contracts/contractstest"
	"github.com/autoledger/autoledger/chaincode/mockstub"
	"github.com/autoledger/autoledger/chaincode/owner/statement"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const driving = `{"periodStart":"2026-02-01","km":1234,"harshBrakes":3}`

func TestGrantShareReadByTheGrantee(t *testing.T) {
	f := newFixture(t)
	o := newOwner(t)
	f.sell(vinA, o)

	env := f.sign(o, vinA, statement.Grant, f.grantTerms("InsurerMSP", 30, "odometer", "driving"))
	res := f.submit("DealerMSP", "owner-services", "consent:Grant", vinA, env)
	g := contractstest.OK[consenttypes.GrantView](t, res)
	assert.Equal(t, statement.ID([]byte(env.Statement)), g.ID, "a grant is named by its statement's ID")
	assert.True(t, g.Live)
	assert.Equal(t, 1, g.OwnerNo)
	assert.Equal(t, []string{"driving", "odometer"}, g.Scopes)
	assert.Equal(t, "InsurerMSP", g.Grantee)
	assert.Equal(t, o.pub.Fingerprint(), g.KeyFingerprint)
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
		rec := contractstest.OK[consenttypes.SharedRecord](t, f.query("InsurerMSP", role, "consent:Read", vinA, g.ID, "driving"))
		assert.JSONEq(t, driving, rec.Data)
		assert.Equal(t, "OemMSP", rec.SharedBy)
		assert.Equal(t, g.ID, rec.GrantID)
	}
	// Covered but never shared.
	contractstest.FailsWith(t, f.read(vinA, g.ID, "odometer"), ccerr.NotFound)
}

func TestOnlyTheGranteeReads(t *testing.T) {
	f := newFixture(t)
	o := newOwner(t)
	f.sell(vinA, o)
	toDealer := f.grant(o, vinA, "DealerMSP", "driving")
	toInsurer := f.grant(o, vinA, "InsurerMSP", "driving")
	contractstest.OK[consenttypes.ShareReceipt](t, f.share(vinA, toInsurer.ID, "driving", driving))

	// The insurer is no grantee of the dealer's grant.
	contractstest.FailsWith(t, f.read(vinA, toDealer.ID, "driving"), ccerr.Forbidden)
	// Other orgs are refused by the access rule, whatever the grant.
	for _, c := range [][2]string{{"OemMSP", "telematics"}, {"DealerMSP", "sales"}, {"SupplierMSP", "admin"}, {"InsurerMSP", "admin"}, {"InsurerMSP", "owner-services"}} {
		contractstest.FailsWith(t, f.query(c[0], c[1], "consent:Read", vinA, toInsurer.ID, "driving"), ccerr.Forbidden)
	}
}

func TestShareNeedsALiveGrantThatCoversTheScope(t *testing.T) {
	f := newFixture(t)
	o := newOwner(t)
	f.sell(vinA, o)
	f.sell(vinB, newOwner(t))

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
	f.clock.Set(g.NotAfter)
	e = contractstest.FailsWith(t, f.share(vinA, g.ID, "driving", driving), ccerr.ConsentRequired)
	assert.Contains(t, e.Message, "expired")
	contractstest.FailsWith(t, f.read(vinA, g.ID, "driving"), ccerr.ConsentRequired)
}

func TestShareChecksScopeHolderAndData(t *testing.T) {
	f := newFixture(t)
	o := newOwner(t)
	f.sell(vinA, o)
	g := f.grant(o, vinA, "InsurerMSP", "driving", "odometer")

	e := contractstest.FailsWith(t, f.share(vinA, g.ID, "odometer", driving), ccerr.InvalidArgument)
	assert.Equal(t, "scope", e.Fields[0].Field, "no member shares odometer data through consent")
	e = contractstest.FailsWith(t, f.share(vinA, g.ID, "location", driving), ccerr.InvalidArgument)
	assert.Equal(t, "scope", e.Fields[0].Field)
	contractstest.FailsWith(t, f.share("NOT-A-VIN", g.ID, "driving", driving), ccerr.VINInvalid)

	contractstest.FailsWith(t, f.Invoke(mockstub.Tx{Creator: f.as("OemMSP", "telematics"), Function: "consent:Share",
		Args: []string{vinA, g.ID, "driving"}}), ccerr.MissingTransient)
	e = contractstest.FailsWith(t, f.share(vinA, g.ID, "driving", `[1,2]`), ccerr.InvalidArgument)
	assert.Equal(t, "data", e.Fields[0].Field)
	e = contractstest.FailsWith(t, f.share(vinA, g.ID, "driving", `{"x":"`+strings.Repeat("y", consenttypes.MaxShareBytes)+`"}`), ccerr.InvalidArgument)
	assert.Equal(t, "max_size", e.Fields[0].Rule)
}

func TestGrantChecksTheOwnersStatement(t *testing.T) {
	f := newFixture(t)
	o, stranger := newOwner(t), newOwner(t)
	f.sell(vinA, o)
	grant := func(env consenttypes.StatementEnvelope) *mockstub.Result {
		return f.submit("OemMSP", "owner-services", "consent:Grant", vinA, env)
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
	f.clock.Advance(2 * time.Hour)
	contractstest.FailsWith(t, grant(env), ccerr.StatementExpired)

	env = f.sign(o, vinA, statement.Grant, f.grantTerms("InsurerMSP", 30, "driving"))
	env.Signature = "not base64!"
	contractstest.FailsWith(t, grant(env), ccerr.InvalidArgument)
	contractstest.FailsWith(t, f.submit("OemMSP", "owner-services", "consent:Grant", "NOT-A-VIN", f.sign(o, vinA, statement.Grant, f.grantTerms("InsurerMSP", 30, "driving"))), ccerr.VINInvalid)
}

func TestGrantNeedsAnOwnedCar(t *testing.T) {
	f := newFixture(t)
	o := newOwner(t)
	env := f.sign(o, vinA, statement.Grant, f.grantTerms("InsurerMSP", 30, "driving"))
	contractstest.FailsWith(t, f.submit("DealerMSP", "owner-services", "consent:Grant", vinA, env), ccerr.FailedPrecondition)

	f.ownership(vinA, 1, nil, "awaiting-claim")
	e := contractstest.FailsWith(t, f.submit("DealerMSP", "owner-services", "consent:Grant", vinA, env), ccerr.FailedPrecondition)
	assert.Contains(t, e.Message, "awaiting-claim")
}

func TestAReplayedStatementIsRefused(t *testing.T) {
	f := newFixture(t)
	o := newOwner(t)
	f.sell(vinA, o)
	env := f.sign(o, vinA, statement.Grant, f.grantTerms("InsurerMSP", 30, "driving"))
	g := contractstest.OK[consenttypes.GrantView](t, f.submit("DealerMSP", "owner-services", "consent:Grant", vinA, env))
	// The same statement relayed again, by another org too.
	contractstest.FailsWith(t, f.submit("DealerMSP", "owner-services", "consent:Grant", vinA, env), ccerr.NonceReused)
	contractstest.FailsWith(t, f.submit("InsurerMSP", "owner-services", "consent:Grant", vinA, env), ccerr.NonceReused)

	rev := f.sign(o, vinA, statement.Revoke, map[string]string{"grant": g.ID})
	contractstest.OK[consenttypes.GrantView](t, f.submit("OemMSP", "owner-services", "consent:Revoke", vinA, rev))
	contractstest.FailsWith(t, f.submit("OemMSP", "owner-services", "consent:Revoke", vinA, rev), ccerr.NonceReused)
	// A fresh revoke of a revoked grant records nothing new.
	contractstest.FailsWith(t, f.revoke(o, vinA, g.ID), ccerr.FailedPrecondition)
}

func TestRevokeNeedsTheGrantingKey(t *testing.T) {
	f := newFixture(t)
	o, stranger := newOwner(t), newOwner(t)
	f.sell(vinA, o)
	f.sell(vinB, stranger)
	g := f.grant(o, vinA, "InsurerMSP", "driving")

	contractstest.FailsWith(t, f.revoke(stranger, vinA, g.ID), ccerr.OwnerSignatureInvalid)
	e := contractstest.FailsWith(t, f.revoke(o, vinA, strings.Repeat("cd", 32)), ccerr.NotFound)
	assert.Equal(t, "statement.params.grant", e.Fields[0].Field)
	e = contractstest.FailsWith(t, f.submit("DealerMSP", "owner-services", "consent:Revoke", vinA,
		f.sign(o, vinA, statement.Grant, f.grantTerms("InsurerMSP", 30, "driving"))), ccerr.StatementMismatch)
	assert.Equal(t, "statement.action", e.Fields[0].Field)
	contractstest.FailsWith(t, f.submit("DealerMSP", "owner-services", "consent:Revoke", vinA,
		consenttypes.StatementEnvelope{Statement: "hello\n", Signature: "AA"}), ccerr.InvalidArgument)

	res := f.revoke(o, vinA, g.ID)
	v := contractstest.OK[consenttypes.GrantView](t, res)
	assert.False(t, v.Live)
	assert.Equal(t, f.clock.Now(), v.RevokedAt)
	assert.NotEmpty(t, v.RevokeStatement)
	assert.Equal(t, consenttypes.EvConsentRevoked, res.Event.Name)
}

func TestRevokeStopsReadsAndPurgeRemovesTheData(t *testing.T) {
	f := newFixture(t)
	o := newOwner(t)
	f.sell(vinA, o)
	g := f.grant(o, vinA, "InsurerMSP", "driving", "service")
	contractstest.OK[consenttypes.ShareReceipt](t, f.share(vinA, g.ID, "driving", driving))
	key := sharedKey(t, vinA, g.ID, "driving")

	e := contractstest.FailsWith(t, f.submit("OemMSP", "telematics", "consent:Purge", vinA, g.ID), ccerr.FailedPrecondition)
	assert.Contains(t, e.Message, "live")

	contractstest.OK[consenttypes.GrantView](t, f.revoke(o, vinA, g.ID))
	e = contractstest.FailsWith(t, f.read(vinA, g.ID, "driving"), ccerr.ConsentRequired)
	assert.Contains(t, e.Message, "revoked")
	require.NotNil(t, f.PrivateData(collections.OemInsurer, key), "revoked, not purged yet")

	// An org outside the collection cannot write it, so it cannot purge.
	contractstest.FailsWith(t, f.submit("DealerMSP", "service", "consent:Purge", vinA, g.ID), ccerr.Forbidden)

	res := f.submit("OemMSP", "telematics", "consent:Purge", vinA, g.ID)
	p := contractstest.OK[consenttypes.PurgeResult](t, res)
	assert.Equal(t, []consenttypes.PurgedShare{{Collection: collections.OemInsurer, Scope: "driving"}}, p.Purged)
	assert.Equal(t, consenttypes.EvConsentDataPurged, res.Event.Name)
	assert.Nil(t, f.PrivateData(collections.OemInsurer, key))
	assert.Nil(t, f.PrivateDataHash(collections.OemInsurer, key))

	// Once purged there is nothing left; any member may ask again.
	p = contractstest.OK[consenttypes.PurgeResult](t, f.submit("SupplierMSP", "logistics", "consent:Purge", vinA, g.ID))
	assert.Empty(t, p.Purged)
	contractstest.FailsWith(t, f.submit("OemMSP", "telematics", "consent:Purge", vinA, strings.Repeat("ef", 32)), ccerr.NotFound)
}

func TestTheGranteeMayPurgeAnEndedGrant(t *testing.T) {
	f := newFixture(t)
	o := newOwner(t)
	f.sell(vinA, o)
	g := f.grant(o, vinA, "InsurerMSP", "driving")
	contractstest.OK[consenttypes.ShareReceipt](t, f.share(vinA, g.ID, "driving", driving))
	f.clock.Set(g.NotAfter.Add(time.Second))
	contractstest.OK[consenttypes.PurgeResult](t, f.submit("InsurerMSP", "claims", "consent:Purge", vinA, g.ID))
	assert.Nil(t, f.PrivateDataHash(collections.OemInsurer, sharedKey(t, vinA, g.ID, "driving")))
}

func TestASaleEndsTheSellersGrants(t *testing.T) {
	f := newFixture(t)
	seller, buyer := newOwner(t), newOwner(t)
	f.sell(vinA, seller)
	g := f.grant(seller, vinA, "InsurerMSP", "driving")
	contractstest.OK[consenttypes.ShareReceipt](t, f.share(vinA, g.ID, "driving", driving))

	f.resell(vinA, 1, seller, nil)
	e := contractstest.FailsWith(t, f.read(vinA, g.ID, "driving"), ccerr.ConsentRequired)
	assert.Contains(t, e.Message, "current ownership is 2")
	contractstest.FailsWith(t, f.share(vinA, g.ID, "driving", driving), ccerr.ConsentRequired)

	// Still ended once the buyer claims the car; the buyer grants afresh.
	f.ownership(vinA, 2, buyer, "owned")
	contractstest.FailsWith(t, f.read(vinA, g.ID, "driving"), ccerr.ConsentRequired)
	contractstest.FailsWith(t, f.submit("DealerMSP", "owner-services", "consent:Grant", vinA,
		f.sign(seller, vinA, statement.Grant, f.grantTerms("InsurerMSP", 30, "driving"))), ccerr.OwnerSignatureInvalid)
	g2 := f.grant(buyer, vinA, "InsurerMSP", "driving")
	assert.Equal(t, 2, g2.OwnerNo)

	list := contractstest.OK[consenttypes.GrantList](t, f.query("SupplierMSP", "logistics", "consent:List", vinA))
	require.Len(t, list.Grants, 2)
	assert.Equal(t, g.ID, list.Grants[0].ID)
	assert.False(t, list.Grants[0].Live)
	assert.Equal(t, g2.ID, list.Grants[1].ID)
	assert.True(t, list.Grants[1].Live)

	// The seller's key still revokes the seller's own grant, and its data
	// can be purged.
	contractstest.OK[consenttypes.GrantView](t, f.revoke(seller, vinA, g.ID))
	contractstest.OK[consenttypes.PurgeResult](t, f.submit("OemMSP", "telematics", "consent:Purge", vinA, g.ID))
}

func TestListIsOldestFirstAndEmptyForAnUnknownCar(t *testing.T) {
	f := newFixture(t)
	o := newOwner(t)
	f.sell(vinA, o)
	var ids []string
	for range 3 {
		ids = append(ids, f.grant(o, vinA, "InsurerMSP", "driving").ID)
		f.clock.Advance(time.Minute)
	}
	list := contractstest.OK[consenttypes.GrantList](t, f.query("DealerMSP", "sales", "consent:List", vinA))
	var got []string
	for _, g := range list.Grants {
		got = append(got, g.ID)
		assert.True(t, g.Live)
	}
	assert.Equal(t, ids, got)

	res := f.query("DealerMSP", "sales", "consent:List", vinB)
	assert.JSONEq(t, `{"vin":"`+vinB+`","grants":[]}`, string(res.Payload))
	contractstest.FailsWith(t, f.query("DealerMSP", "sales", "consent:List", "NOT-A-VIN"), ccerr.VINInvalid)
}

func TestReadHoldsItsTimestampToThePeerClock(t *testing.T) {
	f := newFixture(t)
	o := newOwner(t)
	f.sell(vinA, o)
	g := f.grant(o, vinA, "InsurerMSP", "driving")
	contractstest.OK[consenttypes.ShareReceipt](t, f.share(vinA, g.ID, "driving", driving))
	f.clock.Set(g.NotAfter.Add(time.Hour))
	// A query's timestamp is the client's: one from before the expiry
	// must not read under the expired grant.
	res := f.Evaluate(mockstub.Tx{Creator: f.as("InsurerMSP", "underwriting"), Function: "consent:Read",
		Args: []string{vinA, g.ID, "driving"}, Timestamp: g.NotAfter.Add(-time.Hour)})
	contractstest.FailsWith(t, res, ccerr.TimestampSkew)
}

func TestPurgeOwnershipPurgesAndMarksThePastOwnershipsGrants(t *testing.T) {
	f := newFixture(t)
	first, second := newOwner(t), newOwner(t)
	f.sell(vinA, first)
	g1 := f.grant(first, vinA, "InsurerMSP", "driving")
	contractstest.OK[consenttypes.ShareReceipt](t, f.share(vinA, g1.ID, "driving", driving))
	purgeOwnership := func(msp, role string, n string) *mockstub.Result {
		return f.submit(msp, role, "test:PurgeOwnership", vinA, n)
	}
	e := contractstest.FailsWith(t, purgeOwnership("OemMSP", "owner-services", "1"), ccerr.FailedPrecondition)
	assert.Contains(t, e.Message, "live")

	f.clock.Advance(time.Minute)
	f.resell(vinA, 1, first, second)
	g2 := f.grant(second, vinA, "InsurerMSP", "driving")
	contractstest.OK[consenttypes.ShareReceipt](t, f.share(vinA, g2.ID, "driving", driving))

	// Relayed by the dealer, no member of the collection: the grant is
	// marked, the data stays for consent:Purge by a member.
	require.True(t, purgeOwnership("DealerMSP", "owner-services", "1").OK())
	assert.NotNil(t, f.PrivateDataHash(collections.OemInsurer, sharedKey(t, vinA, g1.ID, "driving")))
	list := contractstest.OK[consenttypes.GrantList](t, f.query("DealerMSP", "sales", "consent:List", vinA))
	assert.Equal(t, f.clock.Now(), list.Grants[0].ErasedAt)

	f.clock.Advance(time.Minute)
	require.True(t, purgeOwnership("OemMSP", "owner-services", "1").OK())
	assert.Nil(t, f.PrivateDataHash(collections.OemInsurer, sharedKey(t, vinA, g1.ID, "driving")))
	assert.NotNil(t, f.PrivateData(collections.OemInsurer, sharedKey(t, vinA, g2.ID, "driving")), "the current owner's data stays")
	list = contractstest.OK[consenttypes.GrantList](t, f.query("DealerMSP", "sales", "consent:List", vinA))
	assert.Equal(t, f.clock.Now().Add(-time.Minute), list.Grants[0].ErasedAt, "marked once")
	assert.True(t, list.Grants[1].ErasedAt.IsZero())
	assert.True(t, list.Grants[1].Live)
}

// Every transaction refuses the orgs and roles its rule does not admit.
func TestWrongOrgOrRoleIsRefused(t *testing.T) {
	f := newFixture(t)
	o := newOwner(t)
	f.sell(vinA, o)
	g := f.grant(o, vinA, "InsurerMSP", "driving")
	env := f.sign(o, vinA, statement.Grant, f.grantTerms("InsurerMSP", 30, "driving"))
	args := map[string][]any{
		"consent:Grant":  {vinA, env},
		"consent:Revoke": {vinA, env},
		"consent:Share":  {vinA, g.ID, "driving"},
		"consent:Read":   {vinA, g.ID, "driving"},
		"consent:Purge":  {vinA, g.ID},
		"consent:List":   {vinA},
	}
	refused := map[string][][2]string{
		"consent:Grant":  {{"SupplierMSP", "admin"}, {"OemMSP", "telematics"}, {"DealerMSP", "sales"}, {"InsurerMSP", "underwriting"}, {"InsurerMSP", ""}},
		"consent:Revoke": {{"SupplierMSP", "admin"}, {"DealerMSP", "admin"}, {"InsurerMSP", "claims"}, {"OemMSP", ""}},
		"consent:Share":  {{"OemMSP", "production"}, {"OemMSP", "owner-services"}, {"InsurerMSP", "underwriting"}, {"DealerMSP", "service"}, {"OemMSP", ""}},
		"consent:Read":   {{"OemMSP", "telematics"}, {"InsurerMSP", "admin"}, {"DealerMSP", "sales"}, {"InsurerMSP", ""}},
		"consent:Purge":  {{"OrdererMSP", ""}, {"OemMSP", ""}, {"OemMSP", "nobody"}},
		"consent:List":   {{"OrdererMSP", ""}, {"DealerMSP", ""}},
	}
	for fn := range consent.Policy {
		require.Contains(t, refused, fn, "no refusal case for %s", fn)
	}
	for fn, callers := range refused {
		for _, c := range callers {
			e := contractstest.FailsWith(t, f.submit(c[0], c[1], fn, args[fn]...), ccerr.Forbidden)
			assert.Contains(t, e.Message, fn, "%s as %s/%s", fn, c[0], c[1])
		}
	}
}
