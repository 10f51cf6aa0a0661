// Package consent is the contract of owners' grants: which member may read
// which of a car's data, for what purpose and until when, as the car's
// owner signed it (docs/owners.md).
//
// A grant is public, so that every endorsing peer, member of a collection
// or not, judges it the same way. The data shared under it is private: the
// holder (the OEM, for driving data) writes it into the collection it
// shares with the grantee, in a transaction that writes nothing else, so
// the holder's peer alone endorses it (the collection's policy); the
// grantee reads it while the grant is live; once the grant is revoked or
// has ended, any member of the collection purges it.
package consent

import (
	"slices"

	"github.com/autoledger/autoledger/chaincode/access"
	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/autoledger/autoledger/chaincode/collections"
	"github.com/autoledger/autoledger/chaincode/consent/consenttypes"
	"github.com/autoledger/autoledger/chaincode/kit"
	"github.com/autoledger/autoledger/chaincode/owner/ownertypes"
	"github.com/autoledger/autoledger/chaincode/owner/statement"
	"github.com/autoledger/autoledger/chaincode/vin"
	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
)

// Name is the contract's name: its transactions are "consent:Grant" and so on.
const Name = "consent"

// relays are the identities that relay an owner's signed statements: the
// owner-services role of every org that has it. The owner's signature,
// checked in the body, is what decides.
func relays() []access.Grant {
	var gs []access.Grant
	for _, m := range access.Members {
		if slices.Contains(access.Roles[m], access.OwnerServices) {
			gs = append(gs, access.Allow(m, access.OwnerServices))
		}
	}
	return gs
}

// Policy says who may call each transaction. Who may share which scope
// (consenttypes.Holders) and who may read what (the grantee) is checked in
// the body against the grant.
var Policy = access.Policy{
	"consent:Grant":  relays(),
	"consent:Revoke": relays(),
	// The holder of the shared data: the OEM's telematics summaries.
	"consent:Share": {access.Allow(access.OemMSP, "telematics")},
	// The grantee: the insurer's underwriters and claims handlers.
	"consent:Read": {access.Allow(access.InsurerMSP, "underwriting", "claims")},
	// Purging data whose grant has ended is never harmful, so any member
	// may run it; the peer lets only a member of the collection write it.
	"consent:Purge":      access.AnyMember(),
	"consent:List":       access.AnyMember(),
	"consent:SharedHash": access.AnyMember(),
}

// Contract is the consent contract.
type Contract struct{ kit.Contract }

// NewContract returns the contract; opts set the peer clock and tolerance.
func NewContract(opts ...kit.Option) *Contract {
	return &Contract{kit.NewContract(Name, Policy, []string{"Read", "List", "SharedHash"}, opts...)}
}

// Grant records an owner's grant: a statement of action grant, signed by
// the key bound to the car's current ownership, which must be owned. The
// grantee may be any member org, one with no share collection included:
// the consent is then on record, though no data can flow under it until a
// collection for it exists (Share refuses with CONSENT_REQUIRED).
func (c *Contract) Grant(ctx contractapi.TransactionContextInterface, vinCode string, env consenttypes.StatementEnvelope) (*consenttypes.GrantView, error) {
	tx, err := c.Config.Begin(ctx, env)
	if err != nil {
		return nil, err
	}
	if _, err := vin.Validate(vinCode); err != nil {
		return nil, err
	}
	cur, err := currentOwnership(tx.Stub, vinCode)
	if err != nil {
		return nil, err
	}
	if cur == nil {
		return nil, ccerr.New(ccerr.FailedPrecondition, "vehicle %s has no owner on record: only an owner grants consent", vinCode)
	}
	if cur.Status != ownertypes.StatusOwned {
		return nil, ccerr.New(ccerr.FailedPrecondition, "ownership %d of %s is %s: its owner claims the car before granting consent", cur.OwnerNo, vinCode, cur.Status)
	}
	key, err := cur.key()
	if err != nil {
		return nil, err
	}
	s, id, err := checkStatement(tx, vinCode, statement.Grant, env, key)
	if err != nil {
		return nil, err
	}
	terms, err := consenttypes.TermsOf(s, tx.Time)
	if err != nil {
		return nil, err
	}
	gk, err := grantKey(vinCode, id)
	if err != nil {
		return nil, err
	}
	// Another key can sign the very bytes of a grant already on record
	// (after a lost-key rebind, say): its nonce is then fresh, the grant
	// is not.
	if b, err := tx.Stub.GetState(gk); err != nil {
		return nil, err
	} else if b != nil {
		return nil, ccerr.New(ccerr.AlreadyExists, "grant %s of %s is already on record", id, vinCode)
	}
	g := &consenttypes.Grant{
		SchemaVersion: kit.SchemaVersion, ID: id, VIN: vinCode, OwnerNo: cur.OwnerNo, Grantee: terms.Grantee,
		Scopes: terms.Scopes, Purpose: terms.Purpose, NotAfter: terms.NotAfter, GrantedAt: tx.Time,
		Statement: env.Statement, KeyFingerprint: key.Fingerprint(),
	}
	if err := kit.PutJSON(tx.Stub, gk, g); err != nil {
		return nil, err
	}
	return &consenttypes.GrantView{Grant: *g, Live: true}, kit.Emit(tx.Stub, consenttypes.EvConsentGranted, consenttypes.ConsentGranted{
		VIN: vinCode, GrantID: id, OwnerNo: g.OwnerNo, Grantee: g.Grantee, Scopes: g.Scopes, Purpose: g.Purpose,
		NotAfter: g.NotAfter, KeyFingerprint: g.KeyFingerprint,
	})
}

// Revoke ends a grant: a statement of action revoke naming the grant,
// signed by the key bound to the grant's ownership (its current key, after
// a rebind). A grant that has ended otherwise (expired, or its ownership
// passed on) can still be revoked, which records the owner's word; one
// revoked already cannot. The data shared under it is purged by Purge, a
// transaction the holder's peer endorses, which the gateway runs next.
func (c *Contract) Revoke(ctx contractapi.TransactionContextInterface, vinCode string, env consenttypes.StatementEnvelope) (*consenttypes.GrantView, error) {
	tx, err := c.Config.Begin(ctx, env)
	if err != nil {
		return nil, err
	}
	if _, err := vin.Validate(vinCode); err != nil {
		return nil, err
	}
	// The grant, hence the key that must have signed, is named inside the
	// statement: read it before the signature can be checked.
	s, err := statement.Decode([]byte(env.Statement))
	if err != nil {
		return nil, err
	}
	if s.Action != statement.Revoke {
		return nil, ccerr.Field(ccerr.StatementMismatch, "statement.action", "mismatch", "the statement is for %q, this transaction for %q", s.Action, statement.Revoke)
	}
	g, err := loadGrant(tx.Stub, vinCode, s.Params["grant"], func() error {
		return ccerr.Field(ccerr.NotFound, "statement.params.grant", "exists", "vehicle %s has no grant %s", vinCode, s.Params["grant"])
	})
	if err != nil {
		return nil, err
	}
	o, err := ownershipAt(tx.Stub, vinCode, g.OwnerNo)
	if err != nil {
		return nil, err
	}
	key, err := o.key()
	if err != nil {
		return nil, err
	}
	_, id, err := checkStatement(tx, vinCode, statement.Revoke, env, key)
	if err != nil {
		return nil, err
	}
	if !g.RevokedAt.IsZero() {
		return nil, ccerr.New(ccerr.FailedPrecondition, "grant %s of %s was already revoked at %s", g.ID, vinCode, statement.FormatTime(g.RevokedAt))
	}
	g.RevokedAt, g.RevokeStatement, g.RevokeStatementID = tx.Time, env.Statement, id
	if err := putGrant(tx.Stub, g); err != nil {
		return nil, err
	}
	return &consenttypes.GrantView{Grant: *g, Live: false}, kit.Emit(tx.Stub, consenttypes.EvConsentRevoked, consenttypes.ConsentRevoked{
		VIN: vinCode, GrantID: g.ID, OwnerNo: g.OwnerNo, Grantee: g.Grantee, RevokedAt: tx.Time,
	})
}

// Share writes data of one scope, sent as transient data "data" (a JSON
// object), for the grantee of a live grant that covers the scope, into the
// collection the caller's org shares with the grantee. It writes nothing
// public, so the holder's peer alone endorses it. Without such a grant or
// collection it is CONSENT_REQUIRED.
func (c *Contract) Share(ctx contractapi.TransactionContextInterface, vinCode, grantID, scope string) (*consenttypes.ShareReceipt, error) {
	tx, err := c.Config.Begin(ctx)
	if err != nil {
		return nil, err
	}
	if err := consenttypes.ValidateShareArgs(vinCode, grantID, scope); err != nil {
		return nil, err
	}
	if len(consenttypes.Holders[scope]) == 0 {
		return nil, ccerr.Field(ccerr.InvalidArgument, "scope", "shareable", "no member shares %s data through the consent contract; shareable scopes: %v",
			scope, consenttypes.ShareableScopes())
	}
	if !consenttypes.Shareable(scope, tx.Caller.MSP) {
		return nil, ccerr.New(ccerr.Forbidden, "%s holds no %s data it may share: the holders of %s data are %v", tx.Caller.MSP, scope, scope, consenttypes.Holders[scope])
	}
	g, err := liveGrant(tx, vinCode, grantID)
	if err != nil {
		return nil, err
	}
	if !g.Covers(scope) {
		return nil, ccerr.New(ccerr.ConsentRequired, "grant %s of %s covers %v, not %s", grantID, vinCode, g.Scopes, scope)
	}
	coll, ok := collections.ForShare(tx.Caller.MSP, g.Grantee)
	if !ok {
		return nil, ccerr.New(ccerr.ConsentRequired, "%s has no collection through which to share with %s, the grantee of %s", tx.Caller.MSP, g.Grantee, grantID)
	}
	data, err := transientData(tx)
	if err != nil {
		return nil, err
	}
	k, err := sharedKey(vinCode, grantID, scope)
	if err != nil {
		return nil, err
	}
	rec := consenttypes.SharedRecord{SchemaVersion: kit.SchemaVersion, VIN: vinCode, GrantID: grantID, Scope: scope,
		Data: data, SharedAt: tx.Time, SharedBy: tx.Caller.MSP}
	if err := kit.PutPrivateJSON(tx.Stub, coll, k, rec); err != nil {
		return nil, err
	}
	return &consenttypes.ShareReceipt{VIN: vinCode, GrantID: grantID, Scope: scope, Collection: coll, SharedAt: tx.Time, SharedBy: tx.Caller.MSP},
		kit.Emit(tx.Stub, consenttypes.EvConsentDataShared, consenttypes.ConsentDataShared{
			VIN: vinCode, GrantID: grantID, Scope: scope, Collection: coll, SharedBy: tx.Caller.MSP,
		})
}

// Read returns the data shared under a grant for one scope, to the
// grantee only (FORBIDDEN for any other org) and only while the grant is
// live and covers the scope (CONSENT_REQUIRED). Every peer's chaincode
// judges the grant from public state, so a revocation stops reads on all
// of them at once, purged or not. The transaction time is held to the
// peer's clock, as for a write, so that a chosen past timestamp cannot
// read under an expired grant.
func (c *Contract) Read(ctx contractapi.TransactionContextInterface, vinCode, grantID, scope string) (*consenttypes.SharedRecord, error) {
	tx, err := c.Config.Begin(ctx)
	if err != nil {
		return nil, err
	}
	if err := consenttypes.ValidateShareArgs(vinCode, grantID, scope); err != nil {
		return nil, err
	}
	g, err := loadGrant(tx.Stub, vinCode, grantID, func() error {
		return ccerr.New(ccerr.ConsentRequired, "vehicle %s has no grant %s", vinCode, grantID)
	})
	if err != nil {
		return nil, err
	}
	if g.Grantee != tx.Caller.MSP {
		return nil, ccerr.New(ccerr.Forbidden, "grant %s of %s is to %s; %s may not read under it", grantID, vinCode, g.Grantee, tx.Caller.MSP)
	}
	if err := requireLive(tx, g); err != nil {
		return nil, err
	}
	if !g.Covers(scope) {
		return nil, ccerr.New(ccerr.ConsentRequired, "grant %s of %s covers %v, not %s", grantID, vinCode, g.Scopes, scope)
	}
	k, err := sharedKey(vinCode, grantID, scope)
	if err != nil {
		return nil, err
	}
	for _, holder := range consenttypes.Holders[scope] {
		coll, ok := collections.ForShare(holder, g.Grantee)
		if !ok {
			continue
		}
		var rec consenttypes.SharedRecord
		found, err := kit.GetPrivateJSON(tx.Stub, coll, k, &rec)
		if err != nil {
			return nil, err
		}
		if found {
			return &rec, nil
		}
	}
	return nil, ccerr.New(ccerr.NotFound, "no %s data was shared under grant %s of %s yet", scope, grantID, vinCode)
}

// Purge removes, from every peer and from private history, the data shared
// under a grant that is no longer live (revoked, expired, or its ownership
// passed on); a live grant is FAILED_PRECONDITION. It purges only records
// that exist (their hash is on every peer) and writes nothing public, so
// the holder's peer alone endorses it. The caller's org must be a member
// of the collection that holds the records (FORBIDDEN otherwise).
func (c *Contract) Purge(ctx contractapi.TransactionContextInterface, vinCode, grantID string) (*consenttypes.PurgeResult, error) {
	tx, err := c.Config.Begin(ctx)
	if err != nil {
		return nil, err
	}
	if err := consenttypes.ValidateShareArgs(vinCode, grantID, ""); err != nil {
		return nil, err
	}
	g, err := loadGrant(tx.Stub, vinCode, grantID, func() error {
		return ccerr.New(ccerr.NotFound, "vehicle %s has no grant %s", vinCode, grantID)
	})
	if err != nil {
		return nil, err
	}
	live, _, err := standing(tx.Stub, g, tx.Time)
	if err != nil {
		return nil, err
	}
	if live {
		return nil, ccerr.New(ccerr.FailedPrecondition, "grant %s of %s is live: its data is purged once the owner revokes it or it ends", grantID, vinCode)
	}
	purged, err := purgeShared(tx.Stub, tx.Caller.MSP, g, true)
	if err != nil {
		return nil, err
	}
	res := &consenttypes.PurgeResult{VIN: vinCode, GrantID: grantID, Purged: purged}
	return res, kit.Emit(tx.Stub, consenttypes.EvConsentDataPurged, consenttypes.ConsentDataPurged(*res))
}

// List returns a car's grants, oldest first, each with whether it is live
// at the transaction time.
func (c *Contract) List(ctx contractapi.TransactionContextInterface, vinCode string) (*consenttypes.GrantList, error) {
	stub := ctx.GetStub()
	if _, err := vin.Validate(vinCode); err != nil {
		return nil, err
	}
	t, err := kit.TxTime(stub)
	if err != nil {
		return nil, err
	}
	gs, err := grantsOf(stub, vinCode)
	if err != nil {
		return nil, err
	}
	cur, err := currentOwnership(stub, vinCode)
	if err != nil {
		return nil, err
	}
	out := &consenttypes.GrantList{VIN: vinCode, Grants: make([]consenttypes.GrantView, 0, len(gs))}
	for _, g := range gs {
		out.Grants = append(out.Grants, consenttypes.GrantView{Grant: g, Live: liveUnder(g, cur, t)})
	}
	consenttypes.SortGrants(out.Grants)
	return out, nil
}
