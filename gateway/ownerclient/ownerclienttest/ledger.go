package ownerclienttest

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/autoledger/autoledger/chaincode/consent/consenttypes"
	"github.com/autoledger/autoledger/chaincode/owner/ownertypes"
	"github.com/autoledger/autoledger/chaincode/owner/statement"
	"github.com/autoledger/autoledger/gateway/ownerclient"
)

// Channel is the channel the fake ledger is on.
const Channel = "autoledger"

// Posted is one owner transaction the ledger accepted.
type Posted struct {
	// Function and Args are the transaction as the chaincode got it.
	Function string
	Args     []string
	// Path and Body are the HTTP request that carried it, when the fake
	// gateway did (Gateway); empty behind a real gateway.
	Path      string
	Body      map[string]any
	Statement statement.Statement
	ID        string
	// nonce is the nonce ledger's key, spent only when the transaction
	// succeeds (a refused transaction writes nothing).
	nonce string
	// signer is the fingerprint of the key that signed the statement.
	signer string
}

// Ledger plays the owner and consent contracts: it takes their
// transactions with the chaincode's arguments and checks each statement
// with statement.Check against the channel, the VIN, the action and the
// ownership's key, and a nonce ledger, as the chaincode does. It keeps
// only what an owner client's tests need (no access control, no
// exceptions, no shared data).
type Ledger struct {
	mu     sync.Mutex
	cars   map[string]*car
	nonces map[string]bool
	// bound are the key fingerprints ever bound to an ownership, with
	// "<VIN>~<ownerNo>": a key serves one ownership only.
	bound  map[string]string
	posted []Posted
}

type car struct {
	ownerships []ownertypes.Ownership
	grants     []consenttypes.Grant
}

// NewLedger makes an empty ledger.
func NewLedger() *Ledger {
	return &Ledger{cars: map[string]*car{}, nonces: map[string]bool{}, bound: map[string]string{}}
}

// SellFromStock records a dealer's first sale of vin, to be claimed with
// code, a claim code (ownerclient.NewClaimCode). It panics on a code that
// is not one: a test's mistake.
func (l *Ledger) SellFromStock(vin, code string) {
	claim, err := ownerclient.ParseClaimCode(code)
	if err != nil {
		panic(fmt.Sprintf("ownerclienttest: SellFromStock: %v", err))
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.cars[vin] = &car{ownerships: []ownertypes.Ownership{{
		SchemaVersion: 1, VIN: vin, OwnerNo: 1, Status: ownertypes.StatusAwaitingClaim, Since: time.Now().UTC(), SoldBy: "DealerMSP",
		SaleDate: time.Now().UTC().Truncate(24 * time.Hour), ClaimPublicKey: ownertypes.KeyBase64(claim.Public),
		ClaimFingerprint: claim.Fingerprint(), PreviousKeys: []ownertypes.PreviousKey{},
	}}}
}

// Posted returns the transactions accepted so far, oldest first.
func (l *Ledger) Posted() []Posted {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.posted)
}

// Current returns vin's current ownership.
func (l *Ledger) Current(vin string) ownertypes.Ownership {
	l.mu.Lock()
	defer l.mu.Unlock()
	c := l.cars[vin]
	return c.ownerships[len(c.ownerships)-1]
}

// Submit runs one transaction: owner:SellFromStock, owner:Claim, owner:Sell,
// owner:Erase, consent:Grant, consent:Revoke, consent:Purge.
// It answers the chaincode's result or its coded error (ccerr).
func (l *Ledger) Submit(function string, args []string, transient map[string][]byte) (json.RawMessage, error) {
	return l.submit(function, args, transient, func(*Posted) {})
}

// submit runs a transaction; record may add to what is recorded.
func (l *Ledger) submit(function string, args []string, transient map[string][]byte, record func(*Posted)) (json.RawMessage, error) {
	if len(args) < 2 {
		return nil, ccerr.New(ccerr.InvalidArgument, "%s takes 2 arguments", function)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	q := tx{vin: args[0], arg: args[1], transient: transient, car: l.cars[args[0]]}
	if function == "owner:SellFromStock" {
		return l.sellFromStock(q)
	}
	if q.car == nil {
		return nil, ccerr.New(ccerr.NotFound, "no car %s", q.vin)
	}
	if function == "consent:Purge" {
		return marshal(consenttypes.PurgeResult{VIN: q.vin, GrantID: q.arg, Purged: []consenttypes.PurgedShare{}})
	}
	f, ok := map[string]func(tx) (Posted, any, error){
		"owner:Claim": l.claim, "owner:Sell": l.sell, "owner:Erase": l.erase,
		"consent:Grant": l.grant, "consent:Revoke": l.revoke,
	}[function]
	if !ok {
		return nil, ccerr.New(ccerr.UnknownFunction, "no function %s", function)
	}
	p, result, err := f(q)
	if err != nil {
		return nil, err
	}
	p.Function, p.Args = function, slices.Clone(args)
	record(&p)
	l.nonces[p.nonce] = true
	l.posted = append(l.posted, p)
	return marshal(result)
}

// sellFromStock is a dealer's first sale: ownership 1, awaiting the claim
// of the claim key whose public half the request brings.
func (l *Ledger) sellFromStock(q tx) (json.RawMessage, error) {
	var req ownertypes.SaleRequest
	if err := decodeArg(q.arg, &req); err != nil {
		return nil, err
	}
	if err := req.Validate(); err != nil {
		return nil, err
	}
	if q.car != nil {
		return nil, ccerr.New(ccerr.OwnerReleaseRequired, "%s has an owner: a resale needs the owner's signed release", q.vin)
	}
	claimKey, err := parseKey("claimPublicKey", req.ClaimPublicKey)
	if err != nil {
		return nil, err
	}
	o := ownertypes.Ownership{SchemaVersion: 1, VIN: q.vin, OwnerNo: 1, Status: ownertypes.StatusAwaitingClaim, Since: time.Now().UTC(),
		SoldBy: "DealerMSP", SaleDate: req.SaleDate, ClaimPublicKey: ownertypes.KeyBase64(claimKey), ClaimFingerprint: claimKey.Fingerprint(),
		PreviousKeys: []ownertypes.PreviousKey{}}
	l.cars[q.vin] = &car{ownerships: []ownertypes.Ownership{o}}
	return marshal(ownertypes.SaleResult{Ownership: o})
}

// Evaluate answers owner:Get and consent:List.
func (l *Ledger) Evaluate(function string, args ...string) (json.RawMessage, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(args) != 1 {
		return nil, ccerr.New(ccerr.InvalidArgument, "%s takes the VIN", function)
	}
	vin := args[0]
	c := l.cars[vin]
	if c == nil {
		return nil, ccerr.New(ccerr.NotFound, "no car %s", vin)
	}
	switch function {
	case "owner:Get":
		cur := *c.current()
		return marshal(ownertypes.OwnerView{VIN: vin, OwnerCount: len(c.ownerships), Current: &cur, Ownerships: c.ownerships})
	case "consent:List":
		list := consenttypes.GrantList{VIN: vin, Grants: []consenttypes.GrantView{}}
		for _, g := range c.grants {
			list.Grants = append(list.Grants, c.view(g))
		}
		return marshal(list)
	}
	return nil, ccerr.New(ccerr.UnknownFunction, "no function %s", function)
}

func marshal(v any) (json.RawMessage, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode result: %w", err)
	}
	return b, nil
}

// tx is one transaction's input.
type tx struct {
	vin, arg  string
	transient map[string][]byte
	car       *car
}

func (c *car) current() *ownertypes.Ownership { return &c.ownerships[len(c.ownerships)-1] }

// view is g with its liveness as the chaincode judges it: StandingIn, and
// never a grant older than the binding of the ownership's key (a key bound
// again does not revive its older grants).
func (c *car) view(g consenttypes.Grant) consenttypes.GrantView {
	cur := c.current()
	live, _ := g.StandingIn(time.Now(), cur)
	return consenttypes.GrantView{Grant: g, Live: live && !g.GrantedAt.Before(cur.BoundAt)}
}

// boundKey is the key of ownership n (the current one for n == 0).
func (c *car) boundKey(n int) (statement.PublicKey, error) {
	o := c.current()
	if n > 0 && n <= len(c.ownerships) {
		o = &c.ownerships[n-1]
	}
	if o.PublicKey == "" {
		return statement.PublicKey{}, ccerr.New(ccerr.FailedPrecondition, "ownership %d has no key", o.OwnerNo)
	}
	return parseKey("publicKey", o.PublicKey)
}

func parseKey(field, b64 string) (statement.PublicKey, error) {
	raw, err := ownertypes.DecodeBase64(b64)
	if err != nil {
		return statement.PublicKey{}, ccerr.Field(ccerr.InvalidArgument, field, "base64", "not base64")
	}
	return statement.ParsePublicKey(raw)
}

func decodeArg(arg string, v any) error {
	if err := json.Unmarshal([]byte(arg), v); err != nil {
		return ccerr.New(ccerr.InvalidArgument, "malformed argument: %v", err)
	}
	return nil
}

// check is the chaincode's statement check with the nonce ledger.
// checkByOwner checks env as action's statement signed by the key bound
// to ownership n (the current one for 0).
func (l *Ledger) checkByOwner(q tx, env ownertypes.StatementEnvelope, action statement.Action, n int) (Posted, error) {
	key, err := q.car.boundKey(n)
	if err != nil {
		return Posted{}, err
	}
	return l.check(q, env, action, key)
}

func (l *Ledger) check(q tx, env ownertypes.StatementEnvelope, action statement.Action, key statement.PublicKey) (Posted, error) {
	sig, err := env.SignatureBytes()
	if err != nil {
		return Posted{}, ccerr.Field(ccerr.InvalidArgument, "signature", "base64", "not base64")
	}
	s, id, err := statement.Check([]byte(env.Statement), sig,
		statement.Expect{Channel: Channel, VIN: q.vin, Action: action, Key: key, TxTime: time.Now().UTC()})
	if err != nil {
		return Posted{}, err
	}
	n := key.Fingerprint() + "~" + s.Nonce
	if l.nonces[n] {
		return Posted{}, ccerr.New(ccerr.NonceReused, "nonce used before")
	}
	return Posted{Statement: s, ID: id, nonce: n, signer: key.Fingerprint()}, nil
}

// claim checks the statement's signature by the key it binds, then its
// second signature by the ownership's claim key (CLAIM_CODE_INVALID), and
// that the key serves no other ownership.
func (l *Ledger) claim(q tx) (Posted, any, error) {
	var env ownertypes.StatementEnvelope
	if err := decodeArg(q.arg, &env); err != nil {
		return Posted{}, nil, err
	}
	key, err := parseKey("publicKey", env.PublicKey)
	if err != nil {
		return Posted{}, nil, err
	}
	p, err := l.check(q, env, statement.Claim, key)
	if err != nil {
		return Posted{}, nil, err
	}
	o := q.car.current()
	if o.Status != ownertypes.StatusAwaitingClaim {
		return Posted{}, nil, ccerr.New(ccerr.FailedPrecondition, "not awaiting a claim")
	}
	claimKey, err := parseKey("claimPublicKey", o.ClaimPublicKey)
	if err != nil {
		return Posted{}, nil, err
	}
	sig, err := env.ClaimSignatureBytes()
	if err != nil || sig == nil || claimKey.Verify([]byte(env.Statement), sig) != nil {
		return Posted{}, nil, ccerr.New(ccerr.ClaimCodeInvalid, "the claim is not signed by this car's claim key")
	}
	if err := l.bind(key, q.vin, o.OwnerNo, "publicKey"); err != nil {
		return Posted{}, nil, err
	}
	o.Status, o.PublicKey, o.KeyFingerprint, o.BoundAt = ownertypes.StatusOwned, ownertypes.KeyBase64(key), key.Fingerprint(), time.Now().UTC()
	o.ClaimPublicKey, o.ClaimFingerprint = "", ""
	return p, *o, nil
}

// bind records key as ownership ownerNo's, refusing a key once bound to
// another ownership (FAILED_PRECONDITION, rule key_reused).
func (l *Ledger) bind(key statement.PublicKey, vin string, ownerNo int, field string) error {
	at := vin + "~" + strconv.Itoa(ownerNo)
	if prev, ok := l.bound[key.Fingerprint()]; ok && prev != at {
		return ccerr.Field(ccerr.FailedPrecondition, field, "key_reused", "this key was bound to another ownership: use a new key for each")
	}
	l.bound[key.Fingerprint()] = at
	return nil
}

// sell ends the current ownership on its key's release-sale statement,
// taking every fact of the sale from the statement: the buyer, the
// odometer reading, the sale date (within statement.MaxLifetime before
// now, not after it) and the use type.
func (l *Ledger) sell(q tx) (Posted, any, error) {
	var req ownertypes.SellRequest
	if err := decodeArg(q.arg, &req); err != nil {
		return Posted{}, nil, err
	}
	if err := req.Validate(); err != nil {
		return Posted{}, nil, err
	}
	p, err := l.checkByOwner(q, req.Envelope, statement.ReleaseSale, 0)
	if err != nil {
		return Posted{}, nil, err
	}
	now := time.Now().UTC()
	saleDate, err := time.Parse(time.RFC3339, p.Statement.Params["saleDate"])
	if err != nil || saleDate.After(now) || saleDate.Before(now.Add(-statement.MaxLifetime)) {
		return Posted{}, nil, ccerr.Field(ccerr.InvalidArgument, "statement.params.saleDate", "sale_window",
			"must be at most %s before the transaction and not after it", statement.MaxLifetime)
	}
	prev := q.car.current()
	next := ownertypes.Ownership{SchemaVersion: 1, VIN: q.vin, OwnerNo: prev.OwnerNo + 1, Since: now, SoldBy: "owner",
		SaleDate: saleDate, PreviousKeys: []ownertypes.PreviousKey{}}
	kind, h, _ := strings.Cut(p.Statement.Params["buyer"], ":")
	field, sent := "buyerPublicKey", req.BuyerPublicKey
	if kind == "claim" {
		field, sent = "claimPublicKey", req.ClaimPublicKey
	}
	if sent == "" {
		return Posted{}, nil, ccerr.Field(ccerr.InvalidArgument, field, "required", "a %s: buyer needs its key", kind)
	}
	buyer, err := parseKey(field, sent)
	if err != nil {
		return Posted{}, nil, err
	}
	if buyer.Fingerprint() != h {
		return Posted{}, nil, ccerr.Field(ccerr.StatementMismatch, field, "mismatch", "not the statement's buyer")
	}
	switch kind {
	case "key":
		if err := l.bind(buyer, q.vin, next.OwnerNo, "buyerPublicKey"); err != nil {
			return Posted{}, nil, err
		}
		next.Status, next.PublicKey, next.KeyFingerprint, next.BoundAt = ownertypes.StatusOwned, ownertypes.KeyBase64(buyer), h, now
	default:
		next.Status, next.ClaimPublicKey, next.ClaimFingerprint = ownertypes.StatusAwaitingClaim, ownertypes.KeyBase64(buyer), h
	}
	prev.Status, prev.EndedAt, prev.EndedBy = ownertypes.StatusEnded, now, ownertypes.EndedBySale
	q.car.ownerships = append(q.car.ownerships, next)
	return p, ownertypes.SaleResult{Ownership: next}, nil
}

func (l *Ledger) grant(q tx) (Posted, any, error) {
	var env ownertypes.StatementEnvelope
	if err := decodeArg(q.arg, &env); err != nil {
		return Posted{}, nil, err
	}
	p, err := l.checkByOwner(q, env, statement.Grant, 0)
	if err != nil {
		return Posted{}, nil, err
	}
	terms, err := consenttypes.TermsOf(p.Statement, time.Now().UTC())
	if err != nil {
		return Posted{}, nil, err
	}
	g := consenttypes.Grant{SchemaVersion: 1, ID: p.ID, VIN: q.vin, OwnerNo: q.car.current().OwnerNo,
		Grantee: terms.Grantee, Scopes: terms.Scopes, Purpose: terms.Purpose, NotAfter: terms.NotAfter,
		GrantedAt: time.Now().UTC(), Statement: env.Statement, KeyFingerprint: p.signer}
	q.car.grants = append(q.car.grants, g)
	return p, q.car.view(g), nil
}

func (l *Ledger) revoke(q tx) (Posted, any, error) {
	var env ownertypes.StatementEnvelope
	if err := decodeArg(q.arg, &env); err != nil {
		return Posted{}, nil, err
	}
	p, err := l.checkByOwner(q, env, statement.Revoke, 0)
	if err != nil {
		return Posted{}, nil, err
	}
	for i := range q.car.grants {
		if g := &q.car.grants[i]; g.ID == p.Statement.Params["grant"] {
			g.RevokedAt, g.RevokeStatement, g.RevokeStatementID = time.Now().UTC(), env.Statement, p.ID
			return p, q.car.view(*g), nil
		}
	}
	return Posted{}, nil, ccerr.New(ccerr.NotFound, "no grant %s", p.Statement.Params["grant"])
}

func (l *Ledger) erase(q tx) (Posted, any, error) {
	var env ownertypes.StatementEnvelope
	if err := decodeArg(q.arg, &env); err != nil {
		return Posted{}, nil, err
	}
	// The ownership to erase is named inside the statement, and its key
	// is the one that must have signed: read the number first.
	s, err := statement.Decode([]byte(env.Statement))
	if err != nil {
		return Posted{}, nil, err
	}
	n, _ := strconv.Atoi(s.Params["ownerNo"])
	if n < 1 || n >= len(q.car.ownerships) {
		return Posted{}, nil, ccerr.New(ccerr.FailedPrecondition, "ownership %d is not a past one", n)
	}
	p, err := l.checkByOwner(q, env, statement.Erase, n)
	if err != nil {
		return Posted{}, nil, err
	}
	o := &q.car.ownerships[n-1]
	o.ErasedAt, o.ErasedBy = time.Now().UTC(), ownertypes.ErasedByOwner
	return p, ownertypes.EraseResult{Ownership: *o}, nil
}
