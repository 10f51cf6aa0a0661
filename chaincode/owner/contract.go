// Package owner is the contract of car ownerships: who may act for a car,
// proven by the owner's own key (docs/owners.md). Members relay the owner's
// signed statements; the chaincode verifies them.
//
// An ownership is the n-th owner period of a car. A dealer's first sale
// (SellFromStock) starts ownership 1 awaiting its claim; the buyer claims
// it with the dealer's claim code (the private half of a claim key the
// ledger knows the public half of) and a key of their own (Claim); from then
// on the car changes hands only with that key's signed release (Sell), or
// by an exception a majority of the member orgs approves. Public state
// holds no personal data: the key is a pseudonym for one car's ownership,
// and the dealer's customer reference (LinkCustomer) is private.
package owner

import (
	"encoding/hex"
	"fmt"
	"slices"
	"time"

	"github.com/autoledger/autoledger/chaincode/access"
	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/autoledger/autoledger/chaincode/kit"
	"github.com/autoledger/autoledger/chaincode/owner/ownertypes"
	"github.com/autoledger/autoledger/chaincode/owner/statement"
	"github.com/autoledger/autoledger/chaincode/rules"
	"github.com/autoledger/autoledger/chaincode/vehicle"
	"github.com/autoledger/autoledger/chaincode/vehicle/vehicletypes"
	"github.com/autoledger/autoledger/chaincode/vin"
	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
)

// Name is the contract's name: its transactions are "owner:Claim" and so on.
const Name = "owner"

// relays are the roles that relay owners' statements.
var relays = []access.Grant{
	access.Allow(access.OemMSP, access.OwnerServices),
	access.Allow(access.DealerMSP, access.OwnerServices),
	access.Allow(access.InsurerMSP, access.OwnerServices),
}

// Policy says who may call each transaction. A statement transaction
// decides nothing by its caller: the owner's signature does; the caller
// only relays it.
var Policy = access.Policy{
	"owner:SellFromStock": {access.Allow(access.DealerMSP, "sales")},
	"owner:Claim":         relays,
	// A dealer brokering a resale relays the owner's release itself.
	"owner:Sell":         append(append([]access.Grant{}, relays...), access.Allow(access.DealerMSP, "sales")),
	"owner:LinkCustomer": {access.Allow(access.DealerMSP, "sales")},
	// Erasure purges from the owners collection, which only its members'
	// clients may write (memberOnlyWrite): the insurer relays no erasure.
	"owner:Erase": {
		access.Allow(access.OemMSP, access.OwnerServices),
		access.Allow(access.DealerMSP, access.OwnerServices),
	},
	"owner:EraseOnRequest":   {access.Allow(access.DealerMSP, "admin")},
	"owner:ProposeException": access.EveryMember("admin"),
	"owner:ApproveException": access.EveryMember("admin"),
	// Only the proposing org's admin withdraws; the contract checks the org.
	"owner:WithdrawException": access.EveryMember("admin"),
	"owner:Get":               access.AnyMember(),
	"owner:LinkHash":          access.AnyMember(),
	// Share links (issue 15): the owner's signature decides; a dealer's
	// salesperson makes one under the owner's grant of scope report.
	"owner:CreateShareLink":         relays,
	"owner:RevokeShareLink":         relays,
	"owner:CreateShareLinkForOwner": {access.Allow(access.DealerMSP, "sales")},
	"owner:ShareLink":               access.AnyMember(),
}

// Contract is the owner contract.
type Contract struct{ kit.Contract }

// NewContract returns the contract; opts set the peer clock and tolerance.
func NewContract(opts ...kit.Option) *Contract {
	return &Contract{kit.NewContract(Name, Policy, []string{"Get", "LinkHash", "ShareLink"}, opts...)}
}

// begin starts a write about a registered car: kit.Begin, the VIN's form,
// then the vehicle.
func (c *Contract) begin(ctx contractapi.TransactionContextInterface, vinCode string, reqs ...kit.Validator) (kit.Tx, *vehicletypes.Vehicle, error) {
	tx, err := c.Config.Begin(ctx, reqs...)
	if err != nil {
		return tx, nil, err
	}
	if _, err := vin.Validate(vinCode); err != nil {
		return tx, nil, err
	}
	v, err := vehicle.Load(tx.Stub, vinCode)
	return tx, v, err
}

// SellFromStock records a dealer's first sale of a car: ownership 1,
// awaiting the buyer's claim with the claim code whose claim key's public
// half the request carries. A car that has had an owner is sold only with its owner's
// release (Sell): OWNER_RELEASE_REQUIRED.
func (c *Contract) SellFromStock(ctx contractapi.TransactionContextInterface, vinCode string, req ownertypes.SaleRequest) (*ownertypes.SaleResult, error) {
	tx, v, err := c.begin(ctx, vinCode, req)
	if err != nil {
		return nil, err
	}
	if err := kit.NotAfterTx("saleDate", req.SaleDate, tx.Time); err != nil {
		return nil, err
	}
	if v.OwnerCount > 0 {
		return nil, ccerr.New(ccerr.OwnerReleaseRequired, "vehicle %s has had %d owner(s); a resale needs the current owner's signed release (owner:Sell)", v.VIN, v.OwnerCount)
	}
	claimKey, err := parseKey(req.ClaimPublicKey, "claimPublicKey")
	if err != nil {
		return nil, err
	}
	res, err := vehicle.RecordSale(tx.Stub, v, vehicletypes.TransferRequest{SaleDate: req.SaleDate, OdometerKm: req.OdometerKm, UseType: req.UseType})
	if err != nil {
		return nil, err
	}
	o := newOwnership(tx, v, req.SaleDate)
	awaitClaim(o, claimKey)
	if err := putOwnership(tx.Stub, o); err != nil {
		return nil, err
	}
	return &ownertypes.SaleResult{TransferResult: *res, Ownership: *o}, nil
}

// newOwnership is the next ownership of v (v.OwnerCount, already counted),
// begun at the transaction, awaiting its claim.
func newOwnership(tx kit.Tx, v *vehicletypes.Vehicle, saleDate time.Time) *ownertypes.Ownership {
	return &ownertypes.Ownership{
		SchemaVersion: kit.SchemaVersion, VIN: v.VIN, OwnerNo: v.OwnerCount, Status: ownertypes.StatusAwaitingClaim,
		Since: tx.Time, SoldBy: tx.Caller.MSP, SaleDate: saleDate.UTC(), PreviousKeys: []ownertypes.PreviousKey{},
	}
}

// awaitClaim sets o awaiting the claim of whoever holds claimKey's
// private half, the claim code.
func awaitClaim(o *ownertypes.Ownership, claimKey statement.PublicKey) {
	o.Status = ownertypes.StatusAwaitingClaim
	o.ClaimPublicKey, o.ClaimFingerprint = ownertypes.KeyBase64(claimKey), claimKey.Fingerprint()
}

// Claim binds the buyer's key to the car's ownership that awaits its
// claim: the envelope holds the buyer's claim statement, signed by the key
// it names (signature) and by the claim key, the claim code the buyer was
// handed (claimSignature). The code itself never leaves the buyer's
// device: an endorser that sees the proposal learns a signature over a
// statement naming the buyer's key, which claims nothing for any other.
func (c *Contract) Claim(ctx contractapi.TransactionContextInterface, vinCode string, env ownertypes.StatementEnvelope) (*ownertypes.Ownership, error) {
	tx, v, err := c.begin(ctx, vinCode, env)
	if err != nil {
		return nil, err
	}
	claimSig, err := env.ClaimSignatureBytes()
	if err != nil || claimSig == nil {
		return nil, ccerr.Field(ccerr.InvalidArgument, "claimSignature", "required", "a claim carries the claim key's P1363 signature over the statement (base64)")
	}
	o, err := current(tx.Stub, v)
	if err != nil {
		return nil, err
	}
	if o.Status != ownertypes.StatusAwaitingClaim {
		return nil, ccerr.New(ccerr.FailedPrecondition, "ownership %d of %s is %s, not awaiting a claim", o.OwnerNo, v.VIN, o.Status)
	}
	raw, err := env.PublicKeyBytes()
	if err != nil || raw == nil {
		return nil, ccerr.Field(ccerr.InvalidArgument, "publicKey", "required", "a claim carries the claiming key (base64 SPKI or raw P-256)")
	}
	key, err := statement.ParsePublicKey(raw)
	if err != nil {
		return nil, err
	}
	if _, err := checkStatement(tx, v.VIN, statement.Claim, env, key); err != nil {
		return nil, err
	}
	claimKey, err := parseKey(o.ClaimPublicKey, "ownership.claimPublicKey")
	if err != nil {
		return nil, err
	}
	if claimKey.Verify([]byte(env.Statement), claimSig) != nil {
		return nil, ccerr.New(ccerr.ClaimCodeInvalid, "the claim signature is not by the claim key issued for ownership %d of %s (fingerprint %s)",
			o.OwnerNo, v.VIN, o.ClaimFingerprint)
	}
	if err := bindKey(tx, o, key, "publicKey"); err != nil {
		return nil, err
	}
	if err := putOwnership(tx.Stub, o); err != nil {
		return nil, err
	}
	return o, kit.Emit(tx.Stub, ownertypes.EvOwnershipClaimed, ownertypes.OwnershipClaimed{
		VIN: v.VIN, OwnerNo: o.OwnerNo, KeyFingerprint: o.KeyFingerprint,
	})
}

// bindKey binds key to o (status owned, bound at the transaction time)
// and records in the ownerkey index which ownership the key belongs to. A
// key is a pseudonym for one ownership of one car: a key once bound to
// another ownership is refused (FAILED_PRECONDITION, rule key_reused),
// so no key can own the car again later and replay statements it signed
// but never used. field names the request field that carried the key.
func bindKey(tx kit.Tx, o *ownertypes.Ownership, key statement.PublicKey, field string) error {
	if err := indexKey(tx.Stub, key.Fingerprint(), o); err != nil {
		if ccerr.CodeOf(err) == ccerr.FailedPrecondition {
			return ccerr.Field(ccerr.FailedPrecondition, field, "key_reused", "%s", messageOf(err))
		}
		return err
	}
	o.Status = ownertypes.StatusOwned
	o.PublicKey = ownertypes.KeyBase64(key)
	o.KeyFingerprint = key.Fingerprint()
	o.BoundAt = tx.Time
	// A redeemed claim key opens nothing any more.
	o.ClaimPublicKey, o.ClaimFingerprint = "", ""
	return nil
}

// messageOf is err's message without its code.
func messageOf(err error) string {
	if e, ok := ccerr.From(err); ok {
		return e.Message
	}
	return err.Error()
}

// saleFacts reads the facts a release-sale statement fixes for the sale:
// the odometer reading, the sale date and the use type. The sale date is
// the day the owner signed for, so it lies in the window a signed
// statement lives: not after the transaction and at most
// statement.MaxLifetime before it (rule sale_window).
func saleFacts(s statement.Statement, txTime time.Time) (vehicletypes.TransferRequest, error) {
	km, err := parseKm(s.Params["odometerKm"])
	if err != nil {
		return vehicletypes.TransferRequest{}, err
	}
	saleDate, err := time.Parse(statement.TimeLayout, s.Params["saleDate"])
	if err != nil {
		return vehicletypes.TransferRequest{}, ccerr.Field(ccerr.InvalidArgument, "statement.params.saleDate", "time", "must be %s", statement.TimeLayout)
	}
	if saleDate.After(txTime) || txTime.Sub(saleDate) > statement.MaxLifetime {
		return vehicletypes.TransferRequest{}, ccerr.Field(ccerr.InvalidArgument, "statement.params.saleDate", "sale_window",
			"sale date %s must not be after the transaction time %s nor more than %s before it",
			statement.FormatTime(saleDate), statement.FormatTime(txTime), statement.MaxLifetime)
	}
	useType := s.Params["useType"]
	if !slices.Contains(vehicletypes.UseTypes, useType) {
		return vehicletypes.TransferRequest{}, ccerr.Field(ccerr.InvalidArgument, "statement.params.useType", "one_of",
			"must be one of %v, got %q", vehicletypes.UseTypes, useType)
	}
	return vehicletypes.TransferRequest{SaleDate: saleDate, OdometerKm: km, UseType: useType}, nil
}

// Sell records a resale the current owner released: the envelope's
// release-sale statement, signed by the current ownership's key, names the
// buyer and fixes the sale's odometer reading, date and use type. The
// current ownership ends; the next begins owned by the buyer's key (key:)
// or awaiting the claim of whoever holds the claim key whose fingerprint
// the statement names (claim:).
func (c *Contract) Sell(ctx contractapi.TransactionContextInterface, vinCode string, req ownertypes.SellRequest) (*ownertypes.SaleResult, error) {
	tx, v, err := c.begin(ctx, vinCode, req)
	if err != nil {
		return nil, err
	}
	seller, err := current(tx.Stub, v)
	if err != nil {
		return nil, err
	}
	s, err := signedBy(tx, v.VIN, seller, ccerr.OwnerReleaseRequired, "sold", statement.ReleaseSale, req.Envelope)
	if err != nil {
		return nil, err
	}
	buyer := s.Params["buyer"]
	kind, ref, _ := cutParty(buyer)
	// The buyer's key (key:) or the claim key (claim:), whose fingerprint
	// the statement names.
	field, sent, otherField, other := "buyerPublicKey", req.BuyerPublicKey, "claimPublicKey", req.ClaimPublicKey
	if kind == "claim" {
		field, sent, otherField, other = otherField, other, field, sent
	}
	if other != "" {
		return nil, ccerr.Field(ccerr.InvalidArgument, otherField, "buyer_kind", "the statement's buyer is %s:; send %s, not %s", kind, field, otherField)
	}
	buyerKey, err := parseKey(sent, field)
	if err != nil {
		return nil, err
	}
	if buyerKey.Fingerprint() != ref {
		return nil, ccerr.Field(ccerr.StatementMismatch, field, "mismatch", "the statement's buyer is %s:%s, %s is key %s", kind, ref, field, buyerKey.Fingerprint())
	}
	sale, err := saleFacts(s, tx.Time)
	if err != nil {
		return nil, err
	}
	res, err := vehicle.RecordSale(tx.Stub, v, sale)
	if err != nil {
		return nil, err
	}
	seller.Status, seller.EndedAt, seller.EndedBy = ownertypes.StatusEnded, tx.Time, ownertypes.EndedBySale
	seller.Release = &ownertypes.Release{StatementID: statement.ID([]byte(req.Envelope.Statement)), Buyer: buyer, OdometerKm: sale.OdometerKm, SignedAt: tx.Time, Expires: s.Expires}
	if err := putOwnership(tx.Stub, seller); err != nil {
		return nil, err
	}
	o := newOwnership(tx, v, sale.SaleDate)
	if kind == "key" {
		if err := bindKey(tx, o, buyerKey, "buyerPublicKey"); err != nil {
			return nil, err
		}
	} else {
		awaitClaim(o, buyerKey)
	}
	if err := putOwnership(tx.Stub, o); err != nil {
		return nil, err
	}
	return &ownertypes.SaleResult{TransferResult: *res, Ownership: *o}, nil
}

// LinkCustomer records the selling dealer's customer reference for an
// ownership, from the transient "owner", in the owners collection, once:
// an ownership that has a link keeps it (ALREADY_EXISTS). It
// writes nothing public, so the dealer's peers alone endorse it (the
// collection's policy) and the reference reaches no other org's peer.
func (c *Contract) LinkCustomer(ctx contractapi.TransactionContextInterface, vinCode string, ownerNo int) (*ownertypes.OwnerLinked, error) {
	tx, v, err := c.begin(ctx, vinCode)
	if err != nil {
		return nil, err
	}
	var who vehicletypes.NewOwner
	if err := kit.TransientJSON(tx.Stub, ownertypes.OwnerTransientKey, &who); err != nil {
		return nil, err
	}
	var salt rules.Checker
	salt.SaltNotFromTxID("salt", who.Salt, tx.Stub.GetTxID())
	if err := salt.Err(); err != nil {
		return nil, err
	}
	o, err := ownership(tx.Stub, v, ownerNo)
	if err != nil {
		return nil, err
	}
	if !o.ErasedAt.IsZero() {
		return nil, ccerr.New(ccerr.FailedPrecondition, "ownership %d of %s was erased at %s", ownerNo, v.VIN, statement.FormatTime(o.ErasedAt))
	}
	key, err := vehicle.OwnerLinkKey(v.VIN, ownerNo)
	if err != nil {
		return nil, err
	}
	// A link, once made, is the ownership's: no dealer overwrites it (the
	// hash every peer holds reads the same until an erasure purges it).
	h, err := tx.Stub.GetPrivateDataHash(vehicle.OwnersCollection, key)
	if err != nil {
		return nil, fmt.Errorf("read the owner link hash of %s ownership %d: %w", v.VIN, ownerNo, err)
	}
	if h != nil {
		return nil, ccerr.New(ccerr.AlreadyExists, "ownership %d of %s already has an owner link", ownerNo, v.VIN)
	}
	link := ownertypes.OwnerLink{SchemaVersion: kit.SchemaVersion, VIN: v.VIN, OwnerNo: ownerNo, OwnerRef: who.OwnerRef,
		Salt: who.Salt, RecordedBy: tx.Caller.MSP, Since: tx.Time}
	if err := kit.PutPrivateJSON(tx.Stub, vehicle.OwnersCollection, key, link); err != nil {
		return nil, err
	}
	ev := ownertypes.OwnerLinked{VIN: v.VIN, OwnerNo: ownerNo, RecordedBy: tx.Caller.MSP}
	return &ev, kit.Emit(tx.Stub, ownertypes.EvOwnerLinked, ev)
}

// Erase purges a past ownership's owner link at the word of that
// ownership's own key: the envelope's erase statement names the ownership.
// The ownership record stays (its dates and count are the car's history);
// it is marked erased.
func (c *Contract) Erase(ctx contractapi.TransactionContextInterface, vinCode string, env ownertypes.StatementEnvelope) (*ownertypes.EraseResult, error) {
	tx, v, err := c.begin(ctx, vinCode, env)
	if err != nil {
		return nil, err
	}
	// The statement names the ownership whose key must have signed it.
	s, err := decodeFor(env, statement.Erase)
	if err != nil {
		return nil, err
	}
	n, err := parseCount(s.Params["ownerNo"])
	if err != nil {
		return nil, err
	}
	o, err := erasable(tx.Stub, v, n)
	if err != nil {
		return nil, err
	}
	if _, err := signedBy(tx, v.VIN, o, ccerr.FailedPrecondition, "erased by its owner", statement.Erase, env); err != nil {
		return nil, err
	}
	return erase(tx, v, o, ownertypes.ErasedByOwner, "")
}

// EraseOnRequest purges a past ownership's owner link on a documented
// request (a data subject's request the dealer received and verified off
// the chain; evidenceHash is the SHA-256 of that document), for an owner
// who has no key for it (one who never claimed, or lost it).
func (c *Contract) EraseOnRequest(ctx contractapi.TransactionContextInterface, vinCode string, ownerNo int, evidenceHash string) (*ownertypes.EraseResult, error) {
	tx, v, err := c.begin(ctx, vinCode)
	if err != nil {
		return nil, err
	}
	var chk rules.Checker
	chk.Hash("evidenceHash", evidenceHash)
	if err := chk.Err(); err != nil {
		return nil, err
	}
	o, err := erasable(tx.Stub, v, ownerNo)
	if err != nil {
		return nil, err
	}
	return erase(tx, v, o, ownertypes.ErasedOnRequest, evidenceHash)
}

// Get returns the car's ownerships, the current one and any exception
// open on it.
func (c *Contract) Get(ctx contractapi.TransactionContextInterface, vinCode string) (*ownertypes.OwnerView, error) {
	if _, err := vin.Validate(vinCode); err != nil {
		return nil, err
	}
	stub := ctx.GetStub()
	v, err := vehicle.Load(stub, vinCode)
	if err != nil {
		return nil, err
	}
	all, err := ownerships(stub, v.VIN)
	if err != nil {
		return nil, err
	}
	view := &ownertypes.OwnerView{VIN: v.VIN, OwnerCount: v.OwnerCount, Ownerships: all}
	if v.OwnerCount > 0 && len(all) >= v.OwnerCount {
		cur := all[v.OwnerCount-1]
		view.Current = &cur
	}
	ts, err := kit.TxTime(stub)
	if err != nil {
		return nil, err
	}
	if view.OpenExceptions, err = openExceptions(stub, v, ts); err != nil {
		return nil, err
	}
	if len(view.OpenExceptions) > 0 {
		view.OpenException = &view.OpenExceptions[0]
	}
	return view, nil
}

// LinkHash returns the SHA-256 (hex) of the owner link of the car's
// ownerNo-th ownership as every peer holds it, members of the owners
// collection or not: NOT_FOUND when there is none, never linked or erased.
// It lets anyone check that an erasure reached every peer.
func (c *Contract) LinkHash(ctx contractapi.TransactionContextInterface, vinCode string, ownerNo int) (string, error) {
	if _, err := vin.Validate(vinCode); err != nil {
		return "", err
	}
	if ownerNo < 1 {
		return "", ccerr.Field(ccerr.InvalidArgument, "ownerNo", "min", "must be at least 1")
	}
	key, err := vehicle.OwnerLinkKey(vinCode, ownerNo)
	if err != nil {
		return "", err
	}
	h, err := ctx.GetStub().GetPrivateDataHash(vehicle.OwnersCollection, key)
	if err != nil {
		return "", fmt.Errorf("read the owner link hash of %s ownership %d: %w", vinCode, ownerNo, err)
	}
	if h == nil {
		return "", ccerr.New(ccerr.NotFound, "vehicle %s has no owner link for ownership %d", vinCode, ownerNo)
	}
	return hex.EncodeToString(h), nil
}

// parseKey decodes and parses a base64 public key named field.
func parseKey(b64, field string) (statement.PublicKey, error) {
	if b64 == "" {
		return statement.PublicKey{}, ccerr.Field(ccerr.InvalidArgument, field, "required", "is required: base64 of the SPKI or raw P-256 key")
	}
	raw, err := ownertypes.DecodeBase64(b64)
	if err != nil {
		return statement.PublicKey{}, ccerr.Field(ccerr.InvalidArgument, field, "base64", "must be base64 (standard or URL-safe)")
	}
	k, err := statement.ParsePublicKey(raw)
	if err != nil {
		e, _ := ccerr.From(err)
		return statement.PublicKey{}, ccerr.Field(ccerr.InvalidArgument, field, "p256", "%s", e.Message)
	}
	return k, nil
}

// signedBy checks env as action's statement signed by the key bound to o
// (checkStatement); code and what say why when o has no key (boundKey).
func signedBy(tx kit.Tx, vinCode string, o *ownertypes.Ownership, code ccerr.Code, what string, action statement.Action, env ownertypes.StatementEnvelope) (statement.Statement, error) {
	key, err := boundKey(o, code, what)
	if err != nil {
		return statement.Statement{}, err
	}
	return checkStatement(tx, vinCode, action, env, key)
}

// decodeFor reads env's statement, before its signature can be checked,
// where the statement names the ownership whose key must have signed it;
// one for another action is STATEMENT_MISMATCH.
func decodeFor(env ownertypes.StatementEnvelope, action statement.Action) (statement.Statement, error) {
	s, err := statement.Decode([]byte(env.Statement))
	if err != nil {
		return statement.Statement{}, err
	}
	if s.Action != action {
		return statement.Statement{}, ccerr.Field(ccerr.StatementMismatch, "statement.action", "mismatch", "the statement is for %q, this transaction for %q", s.Action, action)
	}
	return s, nil
}

// boundKey is the key bound to o; an ownership without one cannot be
// what (sold, erased by its owner) by its owner's word: code says why.
func boundKey(o *ownertypes.Ownership, code ccerr.Code, what string) (statement.PublicKey, error) {
	if o.PublicKey == "" {
		return statement.PublicKey{}, ccerr.New(code, "ownership %d of %s has no key bound (it is %s), so it cannot be %s by its owner's statement",
			o.OwnerNo, o.VIN, o.Status, what)
	}
	return parseKey(o.PublicKey, "ownership.publicKey")
}
