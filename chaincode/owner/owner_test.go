package owner_test

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/autoledger/autoledger/chaincode/contracts/contractstest"
	"github.com/autoledger/autoledger/chaincode/mockstub"
	ot "github.com/autoledger/autoledger/chaincode/owner/ownertypes"
	"github.com/autoledger/autoledger/chaincode/owner/statement"
	"github.com/autoledger/autoledger/chaincode/vehicle"
	"github.com/autoledger/autoledger/chaincode/vehicle/vehicletypes"
	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSaleFromStockAwaitsTheBuyersClaim(t *testing.T) {
	f := newFixture(t)
	code := contractstest.NewClaimCode(t)
	saleDate := f.Clock.Now().Add(-2 * time.Hour)
	r := f.submit("DealerMSP", "sales", "owner:SellFromStock", carVIN, ot.SaleRequest{
		SaleDate: saleDate, OdometerKm: 12, UseType: "fleet", ClaimPublicKey: code.PublicKey()})
	sale := contractstest.OK[ot.SaleResult](t, r)
	assert.Equal(t, 1, sale.OwnerCount)
	assert.Equal(t, vehicletypes.EventOwnershipTransfer, sale.Type)
	assert.Equal(t, int64(12), sale.Reading.DisplayedKm)
	assert.Equal(t, "sale", sale.Reading.Source)
	assert.Equal(t, ot.Ownership{SchemaVersion: 1, VIN: carVIN, OwnerNo: 1, Status: ot.StatusAwaitingClaim, Since: r.Timestamp,
		SoldBy: "DealerMSP", SaleDate: saleDate, ClaimPublicKey: code.PublicKey(), ClaimFingerprint: code.Fingerprint(), PreviousKeys: []ot.PreviousKey{}}, sale.Ownership)
	require.NotNil(t, r.Event)
	assert.Equal(t, ot.EvOwnershipTransferred, r.Event.Name)

	v := f.vehicle()
	assert.Equal(t, 1, v.OwnerCount)
	assert.Equal(t, "fleet", v.UseType)
	hist := contractstest.OK[vehicletypes.HistoryPage](t, f.Read("OemMSP", "vehicle:History", carVIN, 10, ""))
	require.Len(t, hist.Events, 2)
	assert.Equal(t, &vehicletypes.Transfer{SaleDate: saleDate, OdometerKm: 12, UseType: "fleet", OwnerNo: 1}, hist.Events[1].Transfer)

	// The buyer claims with the code and a key of their own.
	key := f.NewOwnerKey()
	r = f.invoke(f.ClaimTx(carVIN, code.Code, key))
	o := contractstest.OK[ot.Ownership](t, r)
	assert.Equal(t, ot.StatusOwned, o.Status)
	assert.Equal(t, key.Fingerprint(), o.KeyFingerprint)
	assert.Equal(t, key.SPKI(), o.PublicKey)
	assert.Equal(t, r.Timestamp, o.BoundAt)
	assert.Empty(t, o.ClaimPublicKey+o.ClaimFingerprint, "a redeemed code opens nothing")
	assert.Equal(t, ot.EvOwnershipClaimed, r.Event.Name)
	assert.JSONEq(t, fmt.Sprintf(`{"vin":%q,"ownerNo":1,"keyFingerprint":%q}`, carVIN, key.Fingerprint()), string(r.Event.Payload))

	view := f.view()
	assert.Equal(t, 1, view.OwnerCount)
	require.NotNil(t, view.Current)
	assert.Equal(t, o, *view.Current)
	assert.Equal(t, []ot.Ownership{o}, view.Ownerships)
	assert.Nil(t, view.OpenException)

	// The other car was never sold: no owner, no current ownership.
	other := contractstest.OK[ot.OwnerView](t, f.Read("DealerMSP", "owner:Get", otherVIN))
	assert.Equal(t, ot.OwnerView{VIN: otherVIN, Ownerships: []ot.Ownership{}}, other)
	contractstest.FailsWith(t, f.Read("DealerMSP", "owner:Get", contractstest.EUVIN), ccerr.NotFound)
	contractstest.FailsWith(t, f.Read("DealerMSP", "owner:Get", "NOT-A-VIN"), ccerr.VINInvalid)
}

func TestClaimNeedsTheRightCodeAndAnAwaitingOwnership(t *testing.T) {
	f := newFixture(t)
	code := f.SellFromStock(carVIN, 5)
	key := f.NewOwnerKey()
	before := f.BlockHeight()

	e := contractstest.FailsWith(t, f.invoke(f.ClaimTx(carVIN, contractstest.NewClaimCode(t).Code, key)), ccerr.ClaimCodeInvalid)
	assert.Contains(t, e.Message, code.Fingerprint(), "it names the claim key awaited, by fingerprint")

	withEnv := func(mod func(*ot.StatementEnvelope)) mockstub.Tx {
		tx := f.ClaimTx(carVIN, code.Code, key)
		var env ot.StatementEnvelope
		require.NoError(t, json.Unmarshal([]byte(tx.Args[1]), &env))
		mod(&env)
		tx.Args[1] = mockstub.JSON(env)
		return tx
	}
	e = contractstest.FailsWith(t, f.invoke(withEnv(func(env *ot.StatementEnvelope) { env.ClaimSignature = "" })), ccerr.InvalidArgument)
	assert.Equal(t, "claimSignature", e.Fields[0].Field)
	e = contractstest.FailsWith(t, f.invoke(withEnv(func(env *ot.StatementEnvelope) { env.ClaimSignature = "not base64!" })), ccerr.InvalidArgument)
	assert.Equal(t, "claimSignature", e.Fields[0].Field)
	// The claim signature must be over the very statement the key signed.
	e = contractstest.FailsWith(t, f.invoke(withEnv(func(env *ot.StatementEnvelope) {
		env.ClaimSignature = f.ClaimEnvelope(carVIN, code.Code, key).ClaimSignature
	})), ccerr.ClaimCodeInvalid)
	e = contractstest.FailsWith(t, f.invoke(withEnv(func(env *ot.StatementEnvelope) { env.PublicKey = "" })), ccerr.InvalidArgument)
	assert.Equal(t, "publicKey", e.Fields[0].Field)

	// A claim statement must name the key that signs it.
	other := f.NewOwnerKey()
	e = contractstest.FailsWith(t, f.invoke(withEnv(func(env *ot.StatementEnvelope) {
		named := other.Sign(f.Ledger, f.Statement(carVIN, statement.Claim, map[string]string{"key": key.Fingerprint()}))
		sig, err := statement.Sign(code.Key.Private, []byte(named.Statement))
		require.NoError(t, err)
		*env = named
		env.ClaimSignature = base64.StdEncoding.EncodeToString(sig)
	})), ccerr.StatementMismatch)
	assert.Equal(t, "statement.params.key", e.Fields[0].Field)
	assert.Equal(t, before, f.BlockHeight(), "no refused claim wrote anything")

	f.Claim(carVIN, code.Code, key)
	// Claimed once: a second claim, even with the right code, is refused.
	contractstest.FailsWith(t, f.invoke(f.ClaimTx(carVIN, code.Code, f.NewOwnerKey())), ccerr.FailedPrecondition)
	contractstest.FailsWith(t, f.invoke(f.ClaimTx(otherVIN, code.Code, key)), ccerr.NotFound)
}

// Review #1: every endorsing peer sees the claim proposal. What it sees,
// the buyer's statement and both signatures, claims nothing for any other
// key: the claim signature covers the statement that names the buyer's key.
func TestAnEndorserCannotClaimWithWhatItSaw(t *testing.T) {
	f := newFixture(t)
	code := f.SellFromStock(carVIN, 5)
	buyer := f.NewOwnerKey()
	seen := f.ClaimEnvelope(carVIN, code.Code, buyer)

	// The peer's own key signs its own claim statement and borrows the
	// buyer's claim signature.
	thief := f.NewOwnerKey()
	own := thief.Sign(f.Ledger, f.Statement(carVIN, statement.Claim, map[string]string{"key": thief.Fingerprint()}))
	own.ClaimSignature = seen.ClaimSignature
	contractstest.FailsWith(t, f.submit("OemMSP", "owner-services", "owner:Claim", carVIN, own), ccerr.ClaimCodeInvalid)
	// Sending the buyer's statement with its own key as signer fails too.
	swapped := seen
	swapped.PublicKey = thief.SPKI()
	contractstest.FailsWith(t, f.submit("OemMSP", "owner-services", "owner:Claim", carVIN, swapped), ccerr.OwnerSignatureInvalid)
	// Nothing in the proposal is the code.
	for _, v := range []string{seen.Statement, seen.Signature, seen.PublicKey, seen.ClaimSignature} {
		assert.NotContains(t, v, code.Code)
		assert.NotContains(t, strings.ToUpper(v), strings.ToUpper(strings.ReplaceAll(code.Code, "-", "")))
	}
	// The buyer's own proposal still claims.
	o := contractstest.OK[ot.Ownership](t, f.submit("InsurerMSP", "owner-services", "owner:Claim", carVIN, seen))
	assert.Equal(t, buyer.Fingerprint(), o.KeyFingerprint)
}

// Review #4: a relay that swaps the claim data of a sale cannot strand the
// buyer: the claim key's fingerprint is in the seller's signed statement.
func TestSwappedClaimDataIsRefused(t *testing.T) {
	f := newFixture(t)
	seller := f.Owned(carVIN, 100)
	code, relays := contractstest.NewClaimCode(t), contractstest.NewClaimCode(t)
	env := f.release(seller, "claim:"+code.Fingerprint(), 9000)
	e := contractstest.FailsWith(t, f.sell("InsurerMSP", "owner-services", ot.SellRequest{Envelope: env, ClaimPublicKey: relays.PublicKey()}), ccerr.StatementMismatch)
	assert.Equal(t, "claimPublicKey", e.Fields[0].Field)
	assert.Equal(t, 1, f.vehicle().OwnerCount)
	contractstest.OK[ot.SaleResult](t, f.sell("InsurerMSP", "owner-services", ot.SellRequest{Envelope: env, ClaimPublicKey: code.PublicKey()}))
	contractstest.FailsWith(t, f.invoke(f.ClaimTx(carVIN, relays.Code, f.NewOwnerKey())), ccerr.ClaimCodeInvalid)
	assert.Equal(t, 2, f.Claim(carVIN, code.Code, f.NewOwnerKey()).OwnerNo)
}

// Each way a statement can be wrong is refused with its own code, and
// nothing is written.
func TestBadStatementsAreRefusedWithTheirCodes(t *testing.T) {
	f := newFixture(t)
	seller := f.Owned(carVIN, 100)
	buyer := f.NewOwnerKey()
	party := "key:" + buyer.Fingerprint()
	stmt := func(mod func(*statement.Statement)) statement.Statement {
		s := f.Statement(carVIN, statement.ReleaseSale, f.saleParams(party, 2000))
		mod(&s)
		return s
	}
	forger := f.NewOwnerKey()
	good := f.release(seller, party, 2000)
	var sig []byte
	sig, err := base64.StdEncoding.DecodeString(good.Signature)
	require.NoError(t, err)
	sig[10] ^= 1
	tampered := good
	tampered.Signature = base64.StdEncoding.EncodeToString(sig)
	moreKm := good
	moreKm.Statement = strings.Replace(good.Statement, "odometerKm=2000", "odometerKm=2001", 1)

	cases := []struct {
		name  string
		env   ot.StatementEnvelope
		code  ccerr.Code
		field string
	}{
		{"signed by another key", forger.Sign(f.Ledger, stmt(func(*statement.Statement) {})), ccerr.OwnerSignatureInvalid, ""},
		{"signature altered", tampered, ccerr.OwnerSignatureInvalid, ""},
		{"statement altered after signing", moreKm, ccerr.OwnerSignatureInvalid, ""},
		{"for another VIN", seller.Sign(f.Ledger, stmt(func(s *statement.Statement) { s.VIN = otherVIN })), ccerr.StatementMismatch, "statement.vin"},
		{"for another channel", seller.Sign(f.Ledger, stmt(func(s *statement.Statement) { s.Channel = "otherchannel" })), ccerr.StatementMismatch, "statement.channel"},
		{"another action", seller.Sign(f.Ledger, f.Statement(carVIN, statement.Erase, map[string]string{"ownerNo": "1"})), ccerr.StatementMismatch, "statement.action"},
		{"expired", seller.Sign(f.Ledger, stmt(func(s *statement.Statement) { s.Expires = f.Clock.Now().Add(-time.Second).UTC().Truncate(time.Second) })), ccerr.StatementExpired, ""},
		{"lives too long", seller.Sign(f.Ledger, stmt(func(s *statement.Statement) {
			s.Expires = f.Clock.Now().Add(25 * time.Hour).UTC().Truncate(time.Second)
		})), ccerr.InvalidArgument, "statement.expires"},
		{"not canonical", func() ot.StatementEnvelope {
			e := good
			e.Statement = strings.ReplaceAll(e.Statement, "\n", "\r\n")
			return e
		}(), ccerr.InvalidArgument, ""},
		{"signature not base64", func() ot.StatementEnvelope { e := good; e.Signature = "not base64!"; return e }(), ccerr.InvalidArgument, "envelope.signature"},
		{"envelope names the forger's key", func() ot.StatementEnvelope {
			e := forger.Sign(f.Ledger, stmt(func(*statement.Statement) {}))
			e.PublicKey = forger.SPKI()
			return e
		}(), ccerr.OwnerSignatureInvalid, ""},
	}
	before := f.BlockHeight()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := contractstest.FailsWith(t, f.sell("DealerMSP", "owner-services", f.sellTo(c.env, buyer)), c.code)
			if c.field != "" {
				require.NotEmpty(t, e.Fields, e.Message)
				assert.Equal(t, c.field, e.Fields[0].Field)
			}
		})
	}
	assert.Equal(t, before, f.BlockHeight())

	// The good statement still sells: no refusal spent its nonce.
	contractstest.OK[ot.SaleResult](t, f.sell("DealerMSP", "owner-services", f.sellTo(good, buyer)))
}

// A nonce is spent once per key: a replayed statement, or another
// statement of the same key with the same nonce, is refused.
func TestNoncesAreSpentOnce(t *testing.T) {
	f := newFixture(t)
	code := f.SellFromStock(carVIN, 1)
	key := f.NewOwnerKey()
	claim := f.ClaimEnvelope(carVIN, code.Code, key)
	contractstest.OK[ot.Ownership](t, f.submit("DealerMSP", "owner-services", "owner:Claim", carVIN, claim))

	// A majority puts the ownership back to awaiting a claim (the owner
	// says the claim was not theirs); the old claim, replayed with a claim
	// signature by the new claim key, is refused by its nonce.
	req, fresh := exception(t, ot.KindDisputedClaim)
	ex := contractstest.OK[ot.Exception](t, f.submit("OemMSP", "admin", "owner:ProposeException", carVIN, req))
	f.submit("DealerMSP", "admin", "owner:ApproveException", carVIN, ex.ID)
	ex = contractstest.OK[ot.Exception](t, f.submit("InsurerMSP", "admin", "owner:ApproveException", carVIN, ex.ID))
	require.Equal(t, ot.ExceptionApplied, ex.Status)
	sig, err := statement.Sign(fresh.Key.Private, []byte(claim.Statement))
	require.NoError(t, err)
	replay := claim
	replay.ClaimSignature = base64.StdEncoding.EncodeToString(sig)
	contractstest.FailsWith(t, f.submit("DealerMSP", "owner-services", "owner:Claim", carVIN, replay), ccerr.NonceReused)

	// With a fresh nonce the rightful owner claims the same ownership
	// again with the new code.
	f.Claim(carVIN, fresh.Code, key)
	// The key's statements share one nonce set: a release reusing the
	// claim's nonce is refused.
	claimed, err := statement.Decode([]byte(claim.Statement))
	require.NoError(t, err)
	buyer := f.NewOwnerKey()
	s := f.Statement(carVIN, statement.ReleaseSale, f.saleParams("key:"+buyer.Fingerprint(), 50))
	s.Nonce = claimed.Nonce
	contractstest.FailsWith(t, f.sell("OemMSP", "owner-services", f.sellTo(key.Sign(f.Ledger, s), buyer)), ccerr.NonceReused)
	first := key.Sign(f.Ledger, f.Statement(carVIN, statement.ReleaseSale, f.saleParams("key:"+buyer.Fingerprint(), 50)))
	contractstest.OK[ot.SaleResult](t, f.sell("OemMSP", "owner-services", f.sellTo(first, buyer)))
	// Replayed after the sale, the statement is no longer the owner's.
	contractstest.FailsWith(t, f.sell("OemMSP", "owner-services", f.sellTo(first, buyer)), ccerr.OwnerSignatureInvalid)
}

// Review #9: a key is a pseudonym for one ownership of one car. A key
// bound once is never bound to another ownership, so it cannot own the car
// again later and replay statements it signed but never used.
func TestAKeyServesOneOwnership(t *testing.T) {
	f := newFixture(t)
	first := f.Owned(carVIN, 1)

	// Not for another car, by claim ...
	otherCode := f.SellFromStock(otherVIN, 1)
	e := contractstest.FailsWith(t, f.invoke(f.ClaimTx(otherVIN, otherCode.Code, first)), ccerr.FailedPrecondition)
	assert.Equal(t, "publicKey", e.Fields[0].Field)
	assert.Equal(t, "key_reused", e.Fields[0].Rule)
	assert.NotContains(t, e.Message, carVIN, "the refusal does not link the key to its car")
	otherOwner := f.NewOwnerKey()
	f.Claim(otherVIN, otherCode.Code, otherOwner)
	// ... or by sale to a key.
	env := otherOwner.Sign(f.Ledger, f.Statement(otherVIN, statement.ReleaseSale,
		contractstest.SaleParams("key:"+first.Fingerprint(), 2, f.Clock.Now().Add(-time.Minute), "private")))
	e = contractstest.FailsWith(t, f.submit("OemMSP", "owner-services", "owner:Sell", otherVIN, ot.SellRequest{Envelope: env, BuyerPublicKey: first.SPKI()}),
		ccerr.FailedPrecondition)
	assert.Equal(t, "buyerPublicKey", e.Fields[0].Field)
	assert.Equal(t, "key_reused", e.Fields[0].Rule)

	// Nor for a later ownership of the same car: the first owner's key,
	// sold back to, would revive its unused statements.
	second := f.Resell(carVIN, first, 10, "private")
	e = contractstest.FailsWith(t, f.sell("OemMSP", "owner-services", f.sellTo(f.release(second, "key:"+first.Fingerprint(), 20), first)), ccerr.FailedPrecondition)
	assert.Equal(t, "key_reused", e.Fields[0].Rule)
	assert.Equal(t, 2, f.vehicle().OwnerCount)
	// A fresh key is welcome.
	third := f.NewOwnerKey()
	contractstest.OK[ot.SaleResult](t, f.sell("OemMSP", "owner-services", f.sellTo(f.release(second, "key:"+third.Fingerprint(), 20), third)))
}

// A dealer cannot sell a car that has had an owner without the owner's
// release, by any transaction.
func TestADealerOnlyResaleIsRefused(t *testing.T) {
	f := newFixture(t)
	code := f.SellFromStock(carVIN, 10)
	again := ot.SaleRequest{SaleDate: f.Clock.Now(), OdometerKm: 20, UseType: "private", ClaimPublicKey: code.PublicKey()}
	// Awaiting its claim, the car has an owner all the same.
	contractstest.FailsWith(t, f.submit("DealerMSP", "sales", "owner:SellFromStock", carVIN, again), ccerr.OwnerReleaseRequired)
	dealerKey := f.NewOwnerKey()
	env := f.release(dealerKey, "key:"+dealerKey.Fingerprint(), 20)
	contractstest.FailsWith(t, f.sell("DealerMSP", "sales", f.sellTo(env, dealerKey)), ccerr.OwnerReleaseRequired)

	f.Claim(carVIN, code.Code, f.NewOwnerKey())
	contractstest.FailsWith(t, f.submit("DealerMSP", "sales", "owner:SellFromStock", carVIN, again), ccerr.OwnerReleaseRequired)
	// The dealer's own key signs nothing for this car.
	contractstest.FailsWith(t, f.sell("DealerMSP", "sales", f.sellTo(f.release(dealerKey, "key:"+dealerKey.Fingerprint(), 20), dealerKey)), ccerr.OwnerSignatureInvalid)
	// The old transfer transaction is gone.
	contractstest.FailsWith(t, f.submit("DealerMSP", "sales", "vehicle:TransferOwnership", carVIN,
		vehicletypes.TransferRequest{SaleDate: f.Clock.Now(), OdometerKm: 20, UseType: "private"}), ccerr.UnknownFunction)
	assert.Equal(t, 1, f.vehicle().OwnerCount)
}

func TestSaleToAKeyBindsTheBuyerAtOnce(t *testing.T) {
	f := newFixture(t)
	seller := f.Owned(carVIN, 100)
	buyer := f.NewOwnerKey()
	env := f.release(seller, "key:"+buyer.Fingerprint(), 15000)

	req := f.sellTo(env, buyer)
	req.BuyerPublicKey = f.NewOwnerKey().SPKI()
	e := contractstest.FailsWith(t, f.sell("OemMSP", "owner-services", req), ccerr.StatementMismatch)
	assert.Equal(t, "buyerPublicKey", e.Fields[0].Field)
	req.BuyerPublicKey = ""
	e = contractstest.FailsWith(t, f.sell("OemMSP", "owner-services", req), ccerr.InvalidArgument)
	assert.Equal(t, "buyerPublicKey", e.Fields[0].Field)
	req = f.sellTo(env, buyer)
	req.BuyerPublicKey = ""
	req.ClaimPublicKey = contractstest.NewClaimCode(t).PublicKey()
	e = contractstest.FailsWith(t, f.sell("OemMSP", "owner-services", req), ccerr.InvalidArgument)
	assert.Equal(t, "claimPublicKey", e.Fields[0].Field)
	assert.Equal(t, "buyer_kind", e.Fields[0].Rule)

	// The raw key form is the same key.
	req = f.sellTo(env, buyer)
	req.BuyerPublicKey = base64.RawURLEncoding.EncodeToString(buyer.Public.Raw())
	r := f.sell("OemMSP", "owner-services", req)
	sale := contractstest.OK[ot.SaleResult](t, r)
	assert.Equal(t, 2, sale.OwnerCount)
	assert.Equal(t, int64(15000), sale.Reading.DisplayedKm, "the reading is the one the owner signed")
	assert.Equal(t, ot.StatusOwned, sale.Ownership.Status)
	assert.Equal(t, buyer.Fingerprint(), sale.Ownership.KeyFingerprint)
	assert.Equal(t, buyer.SPKI(), sale.Ownership.PublicKey, "stored as base64 of the SPKI whatever form came")
	assert.Equal(t, "OemMSP", sale.Ownership.SoldBy)
	assert.Equal(t, ot.EvOwnershipTransferred, r.Event.Name)

	view := f.view()
	require.Len(t, view.Ownerships, 2)
	past := view.Ownerships[0]
	assert.Equal(t, ot.StatusEnded, past.Status)
	assert.Equal(t, ot.EndedBySale, past.EndedBy)
	assert.Equal(t, r.Timestamp, past.EndedAt)
	s, err := statement.Decode([]byte(env.Statement))
	require.NoError(t, err)
	assert.Equal(t, &ot.Release{StatementID: statement.ID([]byte(env.Statement)), Buyer: "key:" + buyer.Fingerprint(),
		OdometerKm: 15000, SignedAt: r.Timestamp, Expires: s.Expires}, past.Release)
	assert.Equal(t, sale.Ownership, *view.Current)

	// The seller's key no longer acts for the car; the buyer's does.
	contractstest.FailsWith(t, f.sell("OemMSP", "owner-services", f.sellTo(f.release(seller, "key:"+seller.Fingerprint(), 16000), seller)), ccerr.OwnerSignatureInvalid)
	f.Clock.Advance(2 * time.Minute)
	next := f.Resell(carVIN, buyer, 16000, "taxi")
	assert.Equal(t, next.Fingerprint(), f.view().Current.KeyFingerprint)
	rep := contractstest.OK[vehicletypes.Report](t, f.Read("InsurerMSP", "vehicle:Report", carVIN))
	assert.Equal(t, 3, rep.OwnerCount)
	assert.Equal(t, []string{"private", "taxi"}, rep.UseTypes)
	assert.Equal(t, map[string]int64{"sale": 3}, rep.Sources)
}

func TestSaleToAClaimCodeAwaitsTheBuyer(t *testing.T) {
	f := newFixture(t)
	seller := f.Owned(carVIN, 100)
	code := contractstest.NewClaimCode(t)
	env := f.release(seller, "claim:"+code.Fingerprint(), 9000)
	req := ot.SellRequest{Envelope: env}
	e := contractstest.FailsWith(t, f.sell("InsurerMSP", "owner-services", req), ccerr.InvalidArgument)
	assert.Equal(t, "claimPublicKey", e.Fields[0].Field)
	assert.Equal(t, "required", e.Fields[0].Rule)
	req.BuyerPublicKey = f.NewOwnerKey().SPKI()
	e = contractstest.FailsWith(t, f.sell("InsurerMSP", "owner-services", req), ccerr.InvalidArgument)
	assert.Equal(t, "buyerPublicKey", e.Fields[0].Field)

	req.BuyerPublicKey, req.ClaimPublicKey = "", base64.RawURLEncoding.EncodeToString(code.Key.Public.Raw())
	sale := contractstest.OK[ot.SaleResult](t, f.sell("InsurerMSP", "owner-services", req))
	assert.Equal(t, ot.StatusAwaitingClaim, sale.Ownership.Status)
	assert.Equal(t, code.Fingerprint(), sale.Ownership.ClaimFingerprint)
	assert.Equal(t, code.PublicKey(), sale.Ownership.ClaimPublicKey, "stored as base64 of the SPKI whatever form came")
	assert.Equal(t, 2, sale.Ownership.OwnerNo)

	// The buyer redeems the code the seller's device made.
	buyer := f.NewOwnerKey()
	o := f.Claim(carVIN, code.Code, buyer)
	assert.Equal(t, 2, o.OwnerNo)
	assert.Equal(t, buyer.Fingerprint(), o.KeyFingerprint)
}

// Review #3: the sale's date and use type are the owner's signed word. A
// relay can neither change them nor have the owner's statement stand for
// a sale outside the time it could have been signed in.
func TestTheSaleFactsAreTheSignedOnes(t *testing.T) {
	f := newFixture(t)
	seller := f.Owned(carVIN, 100)
	buyer := f.NewOwnerKey()
	party := "key:" + buyer.Fingerprint()
	saleDate := f.Clock.Now().Add(-3 * time.Hour).UTC().Truncate(time.Second)
	env := seller.Sign(f.Ledger, f.Statement(carVIN, statement.ReleaseSale, contractstest.SaleParams(party, 5000, saleDate, "private")))

	// The relay backdates the sale or makes the car a taxi: the signature
	// no longer holds.
	for name, edit := range map[string][2]string{
		"backdated": {"saleDate=" + statement.FormatTime(saleDate), "saleDate=" + statement.FormatTime(saleDate.Add(-30*24*time.Hour))},
		"retyped":   {"useType=private", "useType=taxi"},
	} {
		changed := env
		require.Contains(t, env.Statement, edit[0])
		changed.Statement = strings.Replace(env.Statement, edit[0], edit[1], 1)
		t.Run(name, func(t *testing.T) {
			contractstest.FailsWith(t, f.sell("DealerMSP", "sales", f.sellTo(changed, buyer)), ccerr.OwnerSignatureInvalid)
		})
	}

	// The owner's device signs a sale date in the window a statement
	// lives: not after the transaction, at most 24 h before it.
	for name, d := range map[string]time.Time{
		"in the future": f.Clock.Now().Add(time.Hour),
		"25 h ago":      f.Clock.Now().Add(-25 * time.Hour),
	} {
		out := seller.Sign(f.Ledger, f.Statement(carVIN, statement.ReleaseSale, contractstest.SaleParams(party, 5000, d, "private")))
		t.Run(name, func(t *testing.T) {
			e := contractstest.FailsWith(t, f.sell("DealerMSP", "sales", f.sellTo(out, buyer)), ccerr.InvalidArgument)
			assert.Equal(t, "statement.params.saleDate", e.Fields[0].Field)
			assert.Equal(t, "sale_window", e.Fields[0].Rule)
		})
	}
	boat := seller.Sign(f.Ledger, f.Statement(carVIN, statement.ReleaseSale, contractstest.SaleParams(party, 5000, saleDate, "boat")))
	e := contractstest.FailsWith(t, f.sell("DealerMSP", "sales", f.sellTo(boat, buyer)), ccerr.InvalidArgument)
	assert.Equal(t, "statement.params.useType", e.Fields[0].Field)
	assert.Equal(t, 1, f.vehicle().OwnerCount)

	sale := contractstest.OK[ot.SaleResult](t, f.sell("DealerMSP", "sales", f.sellTo(env, buyer)))
	assert.Equal(t, saleDate, sale.Ownership.SaleDate)
	assert.Equal(t, "private", f.vehicle().UseType)
	hist := contractstest.OK[vehicletypes.HistoryPage](t, f.Read("OemMSP", "vehicle:History", carVIN, 10, ""))
	last := hist.Events[len(hist.Events)-1]
	assert.Equal(t, &vehicletypes.Transfer{SaleDate: saleDate, OdometerKm: 5000, UseType: "private", OwnerNo: 2}, last.Transfer)
}

// Every transaction refuses the wrong org and the right org's wrong role,
// and commits nothing.
func TestAccessRulesRefuseWrongOrgAndRole(t *testing.T) {
	f := newFixture(t)
	key := f.Owned(carVIN, 10)
	env := f.release(key, "key:"+key.Fingerprint(), 20)
	sale := f.stockSale(contractstest.NewClaimCode(t))
	req, _ := exception(t, ot.KindLostKey)
	args := map[string][]any{
		"SellFromStock":     {otherVIN, sale},
		"Claim":             {carVIN, env},
		"Sell":              {carVIN, f.sellTo(env, key)},
		"LinkCustomer":      {carVIN, 1},
		"Erase":             {carVIN, env},
		"EraseOnRequest":    {carVIN, 1, docHash},
		"ProposeException":  {carVIN, req},
		"ApproveException":  {carVIN, "x"},
		"WithdrawException": {carVIN, "x"},
	}
	cases := []struct{ fn, msp, role string }{
		{"SellFromStock", "OemMSP", "sales"}, {"SellFromStock", "DealerMSP", "owner-services"}, {"SellFromStock", "DealerMSP", "admin"},
		{"Claim", "SupplierMSP", "owner-services"}, {"Claim", "DealerMSP", "sales"}, {"Claim", "InsurerMSP", "claims"}, {"Claim", "OemMSP", "admin"},
		{"Sell", "SupplierMSP", "owner-services"}, {"Sell", "DealerMSP", "service"}, {"Sell", "OemMSP", "sales"}, {"Sell", "InsurerMSP", "underwriting"},
		{"LinkCustomer", "OemMSP", "sales"}, {"LinkCustomer", "DealerMSP", "owner-services"}, {"LinkCustomer", "DealerMSP", "service"},
		{"Erase", "InsurerMSP", "owner-services"}, {"Erase", "SupplierMSP", "owner-services"}, {"Erase", "DealerMSP", "sales"},
		{"EraseOnRequest", "OemMSP", "admin"}, {"EraseOnRequest", "DealerMSP", "sales"}, {"EraseOnRequest", "DealerMSP", "owner-services"},
		{"ProposeException", "DealerMSP", "sales"}, {"ProposeException", "OemMSP", "owner-services"}, {"ProposeException", "OrdererMSP", "admin"},
		{"ApproveException", "InsurerMSP", "claims"}, {"ApproveException", "SupplierMSP", "production"},
		{"WithdrawException", "DealerMSP", "sales"}, {"WithdrawException", "OemMSP", "owner-services"}, {"WithdrawException", "OrdererMSP", "admin"},
	}
	covered := map[string]bool{}
	before := f.BlockHeight()
	for _, c := range cases {
		covered[c.fn] = true
		t.Run(fmt.Sprintf("%s by %s %s", c.fn, c.msp, c.role), func(t *testing.T) {
			r := f.invoke(mockstub.Tx{Creator: f.As(c.msp, c.role), Function: "owner:" + c.fn, Args: contractstest.Args(args[c.fn]...)})
			e := contractstest.FailsWith(t, r, ccerr.Forbidden)
			assert.Contains(t, e.Message, c.msp)
		})
	}
	assert.Equal(t, before, f.BlockHeight())
	for fn := range args {
		assert.True(t, covered[fn], "no refusal tested for %s", fn)
	}
	// Get is any member's, and nobody else's.
	for _, msp := range []string{"OemMSP", "SupplierMSP", "DealerMSP", "InsurerMSP"} {
		assert.True(t, f.Read(msp, "owner:Get", carVIN).OK(), msp)
	}
	contractstest.FailsWith(t, f.Query("OrdererMSP", "", "owner:Get", carVIN), ccerr.Forbidden)
	contractstest.FailsWith(t, f.Query("DealerMSP", "", "owner:Get", carVIN), ccerr.Forbidden)
}

func TestLinkCustomerIsPrivateAndHashedForTheCurrentOwnership(t *testing.T) {
	f := newFixture(t)
	contractstest.FailsWith(t, f.link(1, "dlr1:cust-000001", contractstest.RandomHex(t, 16)), ccerr.NotFound)
	seller := f.Owned(carVIN, 10)
	contractstest.FailsWith(t, f.Read("SupplierMSP", "vehicle:OwnerRecordHash", carVIN), ccerr.NotFound)

	for ref, code := range map[string]ccerr.Code{"jane.doe@example.com": ccerr.PersonalData, "short": ccerr.InvalidArgument} {
		e := contractstest.FailsWith(t, f.link(1, ref, contractstest.RandomHex(t, 16)), code)
		assert.Equal(t, "ownerRef", e.Fields[0].Field)
	}
	e := contractstest.FailsWith(t, f.link(1, "dlr1:cust-000001", "0123"), ccerr.InvalidArgument)
	assert.Equal(t, "salt", e.Fields[0].Field)
	contractstest.FailsWith(t, f.link(2, "dlr1:cust-000001", contractstest.RandomHex(t, 16)), ccerr.NotFound)

	publicBefore := snapshot(f)
	ref, salt := "dlr1:cust-000001", contractstest.RandomHex(t, 16)
	r := f.link(1, ref, salt)
	linked := contractstest.OK[ot.OwnerLinked](t, r)
	assert.Equal(t, ot.OwnerLinked{VIN: carVIN, OwnerNo: 1, RecordedBy: "DealerMSP"}, linked)
	assert.Equal(t, publicBefore, snapshot(f), "the link writes no public state: the dealer alone endorses it")

	key, err := vehicle.OwnerLinkKey(carVIN, 1)
	require.NoError(t, err)
	assert.Equal(t, "\x00ownerlink\x00"+carVIN+"\x00000001\x00", key, "the key holds public facts only")
	var stored ot.OwnerLink
	require.NoError(t, json.Unmarshal(f.PrivateData(vehicle.OwnersCollection, key), &stored))
	assert.Equal(t, ot.OwnerLink{SchemaVersion: 1, VIN: carVIN, OwnerNo: 1, OwnerRef: ref, Salt: salt, RecordedBy: "DealerMSP", Since: r.Timestamp}, stored)
	// The supplier's peer holds no value but reads the hash.
	res := f.Evaluate(mockstub.Tx{Creator: f.As("SupplierMSP", "logistics"), PeerOrg: "SupplierMSP", Function: "vehicle:OwnerRecordHash", Args: []string{carVIN}})
	require.True(t, res.OK(), res.Message)
	assert.Equal(t, hex.EncodeToString(f.PrivateDataHash(vehicle.OwnersCollection, key)), string(res.Payload))

	// After a resale the hash is the new ownership's, which has no link yet.
	f.Resell(carVIN, seller, 20, "private")
	contractstest.FailsWith(t, f.Read("SupplierMSP", "vehicle:OwnerRecordHash", carVIN), ccerr.NotFound)
	contractstest.OK[ot.OwnerLinked](t, f.link(2, "dlr1:cust-000002", contractstest.RandomHex(t, 16)))
	key2, err := vehicle.OwnerLinkKey(carVIN, 2)
	require.NoError(t, err)
	res = f.Read("InsurerMSP", "vehicle:OwnerRecordHash", carVIN)
	require.True(t, res.OK(), res.Message)
	assert.Equal(t, hex.EncodeToString(f.PrivateDataHash(vehicle.OwnersCollection, key2)), string(res.Payload))
}

// snapshot is every committed public key and value.
func snapshot(f *fixture) map[string]string {
	out := map[string]string{}
	for _, k := range f.Keys("", "") {
		out[k] = string(f.State(k))
	}
	return out
}

func TestErasePurgesAPastOwnershipsLink(t *testing.T) {
	f := newFixture(t)
	first := f.Owned(carVIN, 10)
	contractstest.OK[ot.OwnerLinked](t, f.link(1, "dlr1:cust-000001", contractstest.RandomHex(t, 16)))
	key1, err := vehicle.OwnerLinkKey(carVIN, 1)
	require.NoError(t, err)
	require.NotNil(t, f.PrivateData(vehicle.OwnersCollection, key1))
	hash := f.Query("SupplierMSP", "logistics", "owner:LinkHash", carVIN, 1)
	require.True(t, hash.OK(), hash.Message)
	assert.Equal(t, hex.EncodeToString(f.PrivateDataHash(vehicle.OwnersCollection, key1)), string(hash.Payload), "every member reads the link's hash")
	contractstest.FailsWith(t, f.Query("SupplierMSP", "logistics", "owner:LinkHash", carVIN, 2), ccerr.NotFound)
	contractstest.FailsWith(t, f.Query("SupplierMSP", "logistics", "owner:LinkHash", carVIN, 0), ccerr.InvalidArgument)

	// The current ownership is not erased, not even by its own key.
	e := contractstest.FailsWith(t, f.submit("DealerMSP", "owner-services", "owner:Erase", carVIN, f.eraseStmt(first, 1)), ccerr.FailedPrecondition)
	assert.Contains(t, e.Message, "current")
	second := f.Resell(carVIN, first, 20, "private")
	contractstest.FailsWith(t, f.submit("DealerMSP", "owner-services", "owner:Erase", carVIN, f.eraseStmt(second, 2)), ccerr.FailedPrecondition)
	// Nor by another key than the past ownership's.
	contractstest.FailsWith(t, f.submit("DealerMSP", "owner-services", "owner:Erase", carVIN, f.eraseStmt(second, 1)), ccerr.OwnerSignatureInvalid)
	contractstest.FailsWith(t, f.submit("DealerMSP", "owner-services", "owner:Erase", carVIN, f.eraseStmt(first, 3)), ccerr.NotFound)
	require.NotNil(t, f.PrivateData(vehicle.OwnersCollection, key1))

	r := f.submit("OemMSP", "owner-services", "owner:Erase", carVIN, f.eraseStmt(first, 1))
	res := contractstest.OK[ot.EraseResult](t, r)
	assert.True(t, res.LinkPurged)
	assert.Equal(t, r.Timestamp, res.Ownership.ErasedAt)
	assert.Equal(t, ot.ErasedByOwner, res.Ownership.ErasedBy)
	assert.Nil(t, f.PrivateData(vehicle.OwnersCollection, key1), "the value is purged")
	assert.Nil(t, f.PrivateDataHash(vehicle.OwnersCollection, key1), "and its hash")
	contractstest.FailsWith(t, f.Query("DealerMSP", "sales", "owner:LinkHash", carVIN, 1), ccerr.NotFound)
	assert.Equal(t, ot.EvOwnershipErased, r.Event.Name)
	assert.JSONEq(t, fmt.Sprintf(`{"vin":%q,"ownerNo":1,"erasedBy":"owner"}`, carVIN), string(r.Event.Payload))
	// The ownership's dates and count stay: the car's history.
	view := f.view()
	assert.Equal(t, 2, view.OwnerCount)
	assert.Equal(t, res.Ownership, view.Ownerships[0])

	contractstest.FailsWith(t, f.submit("OemMSP", "owner-services", "owner:Erase", carVIN, f.eraseStmt(first, 1)), ccerr.FailedPrecondition)
	contractstest.FailsWith(t, f.link(1, "dlr1:cust-000001", contractstest.RandomHex(t, 16)), ccerr.FailedPrecondition)
}

func TestEraseOnRequestNeedsAPastOwnership(t *testing.T) {
	f := newFixture(t)
	code := f.SellFromStock(carVIN, 10) // never claimed: no key could erase it
	contractstest.OK[ot.OwnerLinked](t, f.link(1, "dlr1:cust-000001", contractstest.RandomHex(t, 16)))
	contractstest.FailsWith(t, f.submit("DealerMSP", "admin", "owner:EraseOnRequest", carVIN, 1, docHash), ccerr.FailedPrecondition)

	// A court gives the car to someone else; the first ownership ends unclaimed.
	req, _ := exception(t, ot.KindCourtOrder)
	ex := contractstest.OK[ot.Exception](t, f.submit("DealerMSP", "admin", "owner:ProposeException", carVIN, req))
	f.submit("OemMSP", "admin", "owner:ApproveException", carVIN, ex.ID)
	f.submit("SupplierMSP", "admin", "owner:ApproveException", carVIN, ex.ID)
	contractstest.FailsWith(t, f.submit("DealerMSP", "owner-services", "owner:Erase", carVIN, f.eraseStmt(f.NewOwnerKey(), 1)), ccerr.FailedPrecondition)
	e := contractstest.FailsWith(t, f.submit("DealerMSP", "admin", "owner:EraseOnRequest", carVIN, 1, "not-a-hash"), ccerr.InvalidArgument)
	assert.Equal(t, "evidenceHash", e.Fields[0].Field)

	res := contractstest.OK[ot.EraseResult](t, f.submit("DealerMSP", "admin", "owner:EraseOnRequest", carVIN, 1, docHash))
	assert.True(t, res.LinkPurged)
	assert.Equal(t, ot.ErasedOnRequest, res.Ownership.ErasedBy)
	assert.Equal(t, docHash, res.Ownership.ErasureEvidenceHash)
	key1, err := vehicle.OwnerLinkKey(carVIN, 1)
	require.NoError(t, err)
	assert.Nil(t, f.PrivateDataHash(vehicle.OwnersCollection, key1))
	// The old code opens nothing: the new ownership awaits the court's code.
	contractstest.FailsWith(t, f.invoke(f.ClaimTx(carVIN, code.Code, f.NewOwnerKey())), ccerr.ClaimCodeInvalid)
}

func TestExceptionsNeedAMajorityOfTheMembers(t *testing.T) {
	f := newFixture(t)
	lost := f.Owned(carVIN, 10)
	req, code := exception(t, ot.KindLostKey)
	bad := req
	bad.Kind = "theft"
	e := contractstest.FailsWith(t, f.submit("OemMSP", "admin", "owner:ProposeException", carVIN, bad), ccerr.InvalidArgument)
	assert.Equal(t, "kind", e.Fields[0].Field)
	contractstest.FailsWith(t, f.submit("OemMSP", "admin", "owner:ProposeException", otherVIN, req), ccerr.NotFound)

	r := f.submit("InsurerMSP", "admin", "owner:ProposeException", carVIN, req)
	ex := contractstest.OK[ot.Exception](t, r)
	assert.Equal(t, r.TxID, ex.ID)
	assert.Equal(t, ot.ExceptionOpen, ex.Status)
	assert.Equal(t, 3, ex.Required, "3 of the 4 members")
	assert.Equal(t, []ot.ExceptionApproval{{MSP: "InsurerMSP", At: r.Timestamp}}, ex.Approvals)
	assert.Equal(t, r.Timestamp.Add(ot.ExceptionLifetime), ex.ExpiresAt)
	assert.Equal(t, ot.EvOwnershipException, r.Event.Name)
	assert.Equal(t, &ex, f.view().OpenException)

	contractstest.FailsWith(t, f.submit("InsurerMSP", "admin", "owner:ProposeException", carVIN, req), ccerr.FailedPrecondition)
	contractstest.FailsWith(t, f.submit("InsurerMSP", "admin", "owner:ApproveException", carVIN, ex.ID), ccerr.AlreadyExists)
	contractstest.FailsWith(t, f.submit("OemMSP", "admin", "owner:ApproveException", carVIN, "nope"), ccerr.NotFound)
	ex = contractstest.OK[ot.Exception](t, f.submit("SupplierMSP", "admin", "owner:ApproveException", carVIN, ex.ID))
	assert.Equal(t, ot.ExceptionOpen, ex.Status, "two of four are no majority")
	assert.Equal(t, lost.Fingerprint(), f.view().Current.KeyFingerprint)

	r = f.submit("DealerMSP", "admin", "owner:ApproveException", carVIN, ex.ID)
	ex = contractstest.OK[ot.Exception](t, r)
	assert.Equal(t, ot.ExceptionApplied, ex.Status)
	assert.Equal(t, r.Timestamp, ex.ClosedAt)
	cur := f.view().Current
	assert.Equal(t, 1, cur.OwnerNo, "a lost key keeps the ownership")
	assert.Equal(t, ot.StatusAwaitingClaim, cur.Status)
	assert.Empty(t, cur.KeyFingerprint)
	require.Len(t, cur.PreviousKeys, 1)
	assert.Equal(t, lost.Fingerprint(), cur.PreviousKeys[0].Fingerprint)
	assert.False(t, cur.PreviousKeys[0].BoundAt.IsZero())
	assert.Equal(t, r.Timestamp, cur.PreviousKeys[0].EndedAt)
	assert.Equal(t, ot.KindLostKey, cur.PreviousKeys[0].Reason)
	assert.Nil(t, f.view().OpenException)
	contractstest.FailsWith(t, f.submit("OemMSP", "admin", "owner:ApproveException", carVIN, ex.ID), ccerr.FailedPrecondition)

	// The lost key acts no more; the new code binds the owner's new key.
	buyer := f.NewOwnerKey()
	contractstest.FailsWith(t, f.sell("OemMSP", "owner-services", f.sellTo(f.release(lost, "key:"+buyer.Fingerprint(), 20), buyer)), ccerr.OwnerReleaseRequired)
	renewed := f.NewOwnerKey()
	o := f.Claim(carVIN, code.Code, renewed)
	assert.Equal(t, 1, o.OwnerNo)
	assert.Len(t, o.PreviousKeys, 1)
	assert.Equal(t, 1, f.vehicle().OwnerCount)
}

func TestRepossessionStartsANewOwnership(t *testing.T) {
	f := newFixture(t)
	f.Owned(carVIN, 10)
	req, code := exception(t, ot.KindRepossession)
	ex := contractstest.OK[ot.Exception](t, f.submit("OemMSP", "admin", "owner:ProposeException", carVIN, req))
	f.submit("DealerMSP", "admin", "owner:ApproveException", carVIN, ex.ID)
	r := f.submit("InsurerMSP", "admin", "owner:ApproveException", carVIN, ex.ID)
	require.Equal(t, ot.ExceptionApplied, contractstest.OK[ot.Exception](t, r).Status)

	view := f.view()
	assert.Equal(t, 2, view.OwnerCount)
	assert.Equal(t, ot.EndedByRepossession, view.Ownerships[0].EndedBy)
	assert.Equal(t, ot.StatusAwaitingClaim, view.Current.Status)
	assert.Equal(t, "OemMSP", view.Current.SoldBy, "the proposer stands for the change")
	hist := contractstest.OK[vehicletypes.HistoryPage](t, f.Read("OemMSP", "vehicle:History", carVIN, 10, ""))
	last := hist.Events[len(hist.Events)-1]
	assert.Equal(t, vehicletypes.EventOwnershipTransfer, last.Type)
	assert.Nil(t, last.Odometer, "no one read the odometer")
	assert.Equal(t, &vehicletypes.Transfer{SaleDate: r.Timestamp, UseType: "private", OwnerNo: 2, Reason: ot.KindRepossession}, last.Transfer)
	assert.Equal(t, 2, f.Claim(carVIN, code.Code, f.NewOwnerKey()).OwnerNo)
}

func TestAnExceptionLapses(t *testing.T) {
	f := newFixture(t)
	seller := f.Owned(carVIN, 10)
	req, _ := exception(t, ot.KindDisputedClaim)
	old := contractstest.OK[ot.Exception](t, f.submit("OemMSP", "admin", "owner:ProposeException", carVIN, req))
	f.Clock.Advance(ot.ExceptionLifetime)
	contractstest.FailsWith(t, f.submit("DealerMSP", "admin", "owner:ApproveException", carVIN, old.ID), ccerr.FailedPrecondition)
	assert.Nil(t, f.view().OpenException)
	fresh := contractstest.OK[ot.Exception](t, f.submit("DealerMSP", "admin", "owner:ProposeException", carVIN, req))

	// A sale moves the car on: the open exception no longer applies.
	f.Resell(carVIN, seller, 20, "private")
	contractstest.FailsWith(t, f.submit("OemMSP", "admin", "owner:ApproveException", carVIN, fresh.ID), ccerr.FailedPrecondition)
	contractstest.OK[ot.Exception](t, f.submit("OemMSP", "admin", "owner:ProposeException", carVIN, req))
	var statuses []string
	for _, k := range f.Keys("", "") {
		if strings.HasPrefix(k, "\x00ownerexception\x00") {
			var ex ot.Exception
			require.NoError(t, json.Unmarshal(f.State(k), &ex))
			statuses = append(statuses, ex.Status)
		}
	}
	assert.ElementsMatch(t, []string{ot.ExceptionLapsed, ot.ExceptionLapsed, ot.ExceptionOpen}, statuses)
}

// No personal data reaches public state or an event: the dealer's
// customer reference and its salt, and the claim code, stay off them.
func TestNoPersonalDataInPublicStateOrEvents(t *testing.T) {
	f := newFixture(t)
	code := contractstest.NewClaimCode(t)
	contractstest.OK[ot.SaleResult](t, f.submit("DealerMSP", "sales", "owner:SellFromStock", carVIN, f.stockSale(code)))
	ref, salt := "dlr1:cust-7f3a9c2e55b1", contractstest.RandomHex(t, 16)
	contractstest.OK[ot.OwnerLinked](t, f.link(1, ref, salt))
	first := f.NewOwnerKey()
	contractstest.OK[ot.Ownership](t, f.invoke(f.ClaimTx(carVIN, code.Code, first)))
	second := f.NewOwnerKey()
	contractstest.OK[ot.SaleResult](t, f.sell("DealerMSP", "sales", f.sellTo(f.release(first, "key:"+second.Fingerprint(), 10), second)))
	contractstest.OK[ot.EraseResult](t, f.submit("DealerMSP", "owner-services", "owner:Erase", carVIN, f.eraseStmt(first, 1)))
	require.Len(t, f.events, 5, "sale, link, claim, resale, erasure")

	secrets := []string{ref, salt, code.Code}
	for _, k := range f.Keys("", "") {
		for _, s := range secrets {
			assert.NotContains(t, k+string(f.State(k)), s, k)
		}
	}
	for _, ev := range f.events {
		for _, s := range secrets {
			assert.NotContains(t, string(ev.Payload), s, ev.Name)
		}
	}
}

// Review #6: one org's admin (the supplier's, say) cannot block the car's
// exceptions: each org has its own open one at most, and only the
// proposer withdraws its own.
func TestEachOrgHasOneOpenExceptionAndWithdrawsOnlyItsOwn(t *testing.T) {
	f := newFixture(t)
	f.Owned(carVIN, 10)
	junk, _ := exception(t, ot.KindCourtOrder)
	blocking := contractstest.OK[ot.Exception](t, f.submit("SupplierMSP", "admin", "owner:ProposeException", carVIN, junk))
	e := contractstest.FailsWith(t, f.submit("SupplierMSP", "admin", "owner:ProposeException", carVIN, junk), ccerr.FailedPrecondition)
	assert.Contains(t, e.Message, blocking.ID)

	// Later than the supplier's: exceptions proposed in the same second list in ID order.
	f.Clock.Advance(time.Minute)
	req, code := exception(t, ot.KindLostKey)
	r := f.submit("OemMSP", "admin", "owner:ProposeException", carVIN, req)
	proposed := contractstest.OK[ot.Exception](t, r)
	view := f.view()
	require.Len(t, view.OpenExceptions, 2)
	assert.Equal(t, []string{blocking.ID, proposed.ID}, []string{view.OpenExceptions[0].ID, view.OpenExceptions[1].ID}, "oldest first")
	assert.Equal(t, blocking.ID, view.OpenException.ID)

	// Nobody but the supplier withdraws the supplier's exception.
	for _, msp := range []string{"OemMSP", "DealerMSP", "InsurerMSP"} {
		contractstest.FailsWith(t, f.submit(msp, "admin", "owner:WithdrawException", carVIN, blocking.ID), ccerr.Forbidden)
	}
	contractstest.FailsWith(t, f.submit("SupplierMSP", "admin", "owner:WithdrawException", carVIN, "nope"), ccerr.NotFound)
	r = f.submit("SupplierMSP", "admin", "owner:WithdrawException", carVIN, blocking.ID)
	withdrawn := contractstest.OK[ot.Exception](t, r)
	assert.Equal(t, ot.ExceptionWithdrawn, withdrawn.Status)
	assert.Equal(t, r.Timestamp, withdrawn.ClosedAt)
	assert.Equal(t, ot.EvOwnershipException, r.Event.Name)
	assert.Contains(t, string(r.Event.Payload), `"status":"withdrawn"`)
	contractstest.FailsWith(t, f.submit("SupplierMSP", "admin", "owner:WithdrawException", carVIN, blocking.ID), ccerr.FailedPrecondition)
	contractstest.FailsWith(t, f.submit("DealerMSP", "admin", "owner:ApproveException", carVIN, blocking.ID), ccerr.FailedPrecondition)

	// The supplier files again beside the OEM's; the OEM's majority
	// applies its exception and lapses the supplier's, which was about the
	// ownership as it stood before.
	again := contractstest.OK[ot.Exception](t, f.submit("SupplierMSP", "admin", "owner:ProposeException", carVIN, junk))
	f.submit("DealerMSP", "admin", "owner:ApproveException", carVIN, proposed.ID)
	applied := contractstest.OK[ot.Exception](t, f.submit("InsurerMSP", "admin", "owner:ApproveException", carVIN, proposed.ID))
	assert.Equal(t, ot.ExceptionApplied, applied.Status)
	contractstest.FailsWith(t, f.submit("OemMSP", "admin", "owner:ApproveException", carVIN, again.ID), ccerr.FailedPrecondition)
	assert.Empty(t, f.view().OpenExceptions)
	key, err := shim.CreateCompositeKey("ownerexception", []string{carVIN, again.ID})
	require.NoError(t, err)
	var stored ot.Exception
	require.NoError(t, json.Unmarshal(f.State(key), &stored))
	assert.Equal(t, ot.ExceptionLapsed, stored.Status)
	assert.Equal(t, 1, f.Claim(carVIN, code.Code, f.NewOwnerKey()).OwnerNo)
}

// Review #13: an ownership's owner link is written once.
func TestLinkCustomerRefusesASecondLink(t *testing.T) {
	f := newFixture(t)
	f.Owned(carVIN, 10)
	ref, salt := "dlr1:cust-000001", contractstest.RandomHex(t, 16)
	contractstest.OK[ot.OwnerLinked](t, f.link(1, ref, salt))
	key, err := vehicle.OwnerLinkKey(carVIN, 1)
	require.NoError(t, err)
	before := f.PrivateData(vehicle.OwnersCollection, key)
	contractstest.FailsWith(t, f.link(1, "dlr1:cust-999999", contractstest.RandomHex(t, 16)), ccerr.AlreadyExists)
	assert.Equal(t, before, f.PrivateData(vehicle.OwnersCollection, key), "the first link stands")
}
