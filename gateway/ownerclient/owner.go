package ownerclient

import (
	"context"
	"crypto/ecdsa"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/autoledger/autoledger/chaincode/owner/statement"
)

// MaxLifetime is the longest a statement this client signs stays valid. A
// signed statement is a bearer instrument until its nonce is used or it
// expires, so the client keeps it much shorter than the ledger's bound
// (statement.MaxLifetime), whatever expiry the gateway proposes.
const MaxLifetime = time.Hour

// Owner is one owner key acting through a gateway.
type Owner struct {
	Client *Client
	Key    *ecdsa.PrivateKey
	// Channel, when set, is the only channel this owner signs for; a
	// challenge naming another is refused. Empty trusts the gateway's
	// channel (its shape is checked all the same).
	Channel string
	// Now is the clock; nil is time.Now.
	Now func() time.Time
}

func (o *Owner) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}

// Signed is a statement this client built and signed.
type Signed struct {
	Statement statement.Statement
	// Encoded is the canonical text that was signed.
	Encoded []byte
	// Signature is the P1363 signature over Encoded.
	Signature []byte
	// ID is the statement's ID (a grant is named by it).
	ID string
}

// BuildStatement makes the statement the owner asked for (vin, action,
// params) from a gateway's challenge. The challenge supplies only the
// channel, the nonce and a proposed expiry, and each is checked first:
// the challenge must be for this VIN and action, its format version this
// client's, the channel the expected one (when want is set), the expiry in
// the future; the expiry is cut to MaxLifetime from now.
func BuildStatement(ch Challenge, vin string, action statement.Action, params map[string]string, wantChannel string, now time.Time) (statement.Statement, error) {
	switch {
	case ch.Domain != "" && ch.Domain != statement.Domain:
		return statement.Statement{}, fmt.Errorf("challenge: the gateway speaks %q, this client %q", ch.Domain, statement.Domain)
	case ch.VIN != vin:
		return statement.Statement{}, fmt.Errorf("challenge: asked for VIN %s, the gateway answered for %q", vin, ch.VIN)
	case ch.Action != string(action):
		return statement.Statement{}, fmt.Errorf("challenge: asked for action %s, the gateway answered for %q", action, ch.Action)
	case wantChannel != "" && ch.Channel != wantChannel:
		return statement.Statement{}, fmt.Errorf("challenge: the gateway's channel is %q, not %q", ch.Channel, wantChannel)
	}
	expires, err := time.Parse(time.RFC3339, ch.Expires)
	if err != nil {
		return statement.Statement{}, fmt.Errorf("challenge: expires %q is not an RFC 3339 time", ch.Expires)
	}
	expires = expires.UTC().Truncate(time.Second)
	if limit := now.UTC().Add(MaxLifetime).Truncate(time.Second); expires.After(limit) {
		expires = limit
	}
	if !expires.After(now) {
		return statement.Statement{}, fmt.Errorf("challenge: expires %s, which is not after this computer's time %s: check the clock",
			statement.FormatTime(expires), statement.FormatTime(now))
	}
	s := statement.Statement{Channel: ch.Channel, VIN: vin, Action: action, Params: params, Nonce: ch.Nonce, Expires: expires}
	if err := s.Validate(); err != nil {
		return statement.Statement{}, fmt.Errorf("statement: %w", err)
	}
	return s, nil
}

// Prepare fetches a challenge, builds the statement and signs it; it
// posts nothing. The flows below post what it returns.
func (o *Owner) Prepare(ctx context.Context, vin string, action statement.Action, params map[string]string) (Signed, error) {
	if o.Key == nil {
		return Signed{}, errors.New("no owner key")
	}
	ch, err := o.Client.Challenge(ctx, vin, string(action))
	if err != nil {
		return Signed{}, fmt.Errorf("challenge: %w", err)
	}
	s, err := BuildStatement(ch, vin, action, params, o.Channel, o.now())
	if err != nil {
		return Signed{}, err
	}
	enc, err := s.Encode()
	if err != nil {
		return Signed{}, fmt.Errorf("statement: %w", err)
	}
	sig, err := Sign(o.Key, enc)
	if err != nil {
		return Signed{}, err
	}
	return Signed{Statement: s, Encoded: enc, Signature: sig, ID: statement.ID(enc)}, nil
}

// Envelope is the statement and signature as every owner endpoint takes them.
type Envelope struct {
	Statement string `json:"statement"`
	Signature string `json:"signature"`
}

// Envelope is s as the owner endpoints take it.
func (s Signed) Envelope() Envelope {
	return Envelope{Statement: string(s.Encoded), Signature: base64.StdEncoding.EncodeToString(s.Signature)}
}

// Result is a posted statement and the gateway's answer.
type Result struct {
	Signed
	Response
}

// ClaimRequest is the body of POST /v1/owner/vehicles/{vin}/claim: the
// claim statement signed by the owner's key and by the claim key.
type ClaimRequest struct {
	Envelope
	PublicKey      string `json:"publicKey"`
	ClaimSignature string `json:"claimSignature"`
}

// Claim binds the owner's key to a car sold to them with the claim code
// the seller handed over. The code is parsed here, and only a second
// signature of the claim statement by the key it is leaves this computer:
// no gateway or peer sees the code. The statement names the owner key's
// fingerprint; compare it with the one the seller's screen shows. A code
// that is not a claim code fails before any request.
func (o *Owner) Claim(ctx context.Context, vin, code string) (Result, error) {
	claim, err := ParseClaimCode(code)
	if err != nil {
		return Result{}, err
	}
	pub, err := PublicKey(o.Key)
	if err != nil {
		return Result{}, err
	}
	s, err := o.Prepare(ctx, vin, statement.Claim, map[string]string{"key": pub.Fingerprint()})
	if err != nil {
		return Result{}, err
	}
	claimSig, err := Sign(claim.Key, s.Encoded)
	if err != nil {
		return Result{}, err
	}
	body := ClaimRequest{Envelope: s.Envelope(), PublicKey: base64.StdEncoding.EncodeToString(pub.SPKI()),
		ClaimSignature: base64.StdEncoding.EncodeToString(claimSig)}
	return o.send(ctx, s, VehiclePath(vin, "claim"), body)
}

// GrantTerms are what a grant lets a member org do.
type GrantTerms struct {
	Grantee  string
	Scopes   []string
	Purpose  string
	NotAfter time.Time
}

// Grant lets Grantee read Scopes of the car's data for Purpose until
// NotAfter. The result's ID names the grant (revoke takes it).
func (o *Owner) Grant(ctx context.Context, vin string, t GrantTerms) (Result, error) {
	s, err := o.Prepare(ctx, vin, statement.Grant, map[string]string{
		"grantee":  t.Grantee,
		"notAfter": statement.FormatTime(t.NotAfter.Truncate(time.Second)),
		"purpose":  t.Purpose,
		"scopes":   statement.FormatScopes(t.Scopes),
	})
	if err != nil {
		return Result{}, err
	}
	return o.send(ctx, s, VehiclePath(vin, "grants"), s.Envelope())
}

// Revoke ends the grant named by its ID.
func (o *Owner) Revoke(ctx context.Context, vin, grantID string) (Result, error) {
	s, err := o.Prepare(ctx, vin, statement.Revoke, map[string]string{"grant": grantID})
	if err != nil {
		return Result{}, err
	}
	return o.send(ctx, s, VehiclePath(vin, "revocations"), s.Envelope())
}

// Erase purges the private records of the car's ownerNo-th ownership, a
// past one whose key this owner holds.
func (o *Owner) Erase(ctx context.Context, vin string, ownerNo int) (Result, error) {
	s, err := o.Prepare(ctx, vin, statement.Erase, map[string]string{"ownerNo": strconv.Itoa(ownerNo)})
	if err != nil {
		return Result{}, err
	}
	return o.send(ctx, s, VehiclePath(vin, "erasures"), s.Envelope())
}

// SaleTerms are the facts of a sale the seller declares. All of them go
// into the signed release-sale statement, so no relay can change them.
type SaleTerms struct {
	// SaleDate is the contract's date and time, in whole seconds (finer
	// parts are dropped); the ledger takes it from at most
	// statement.MaxLifetime before the transaction up to the transaction.
	SaleDate time.Time
	// UseType is the car's use after the sale (private, rental, taxi, fleet).
	UseType string
	// OdometerKm is the reading at the sale.
	OdometerKm int64
}

// params are the statement's parameters of a sale to buyer (a party).
func (t SaleTerms) params(buyer string) map[string]string {
	return map[string]string{
		"buyer":      buyer,
		"odometerKm": strconv.FormatInt(t.OdometerKm, 10),
		"saleDate":   statement.FormatTime(t.SaleDate.UTC().Truncate(time.Second)),
		"useType":    t.UseType,
	}
}

// SaleRequest is the body of POST /v1/owner/vehicles/{vin}/sale: the
// signed release and the buyer's key its party names.
type SaleRequest struct {
	Envelope
	BuyerPublicKey string `json:"buyerPublicKey,omitempty"`
	ClaimPublicKey string `json:"claimPublicKey,omitempty"`
}

// SellToKey releases the car to the buyer holding buyer's private key:
// the new ownership is theirs at once.
func (o *Owner) SellToKey(ctx context.Context, vin string, buyer statement.PublicKey, t SaleTerms) (Result, error) {
	own, err := PublicKey(o.Key)
	if err != nil {
		return Result{}, err
	}
	if own.Fingerprint() == buyer.Fingerprint() {
		return Result{}, errors.New("the buyer's key is this owner's own key")
	}
	s, err := o.Prepare(ctx, vin, statement.ReleaseSale, t.params("key:"+buyer.Fingerprint()))
	if err != nil {
		return Result{}, err
	}
	body := SaleRequest{Envelope: s.Envelope(), BuyerPublicKey: base64.StdEncoding.EncodeToString(buyer.SPKI())}
	return o.send(ctx, s, VehiclePath(vin, "sale"), body)
}

// SellToClaimCode releases the car to whoever holds a claim key it makes
// here: the statement names the key's fingerprint, so the seller's
// signature covers exactly that key. Hand the returned code to the buyer;
// it exists nowhere else (the request carries only its public half).
func (o *Owner) SellToClaimCode(ctx context.Context, vin string, t SaleTerms) (Result, ClaimCode, error) {
	code, err := NewClaimCode()
	if err != nil {
		return Result{}, ClaimCode{}, err
	}
	s, err := o.Prepare(ctx, vin, statement.ReleaseSale, t.params("claim:"+code.Fingerprint()))
	if err != nil {
		return Result{}, ClaimCode{}, err
	}
	body := SaleRequest{Envelope: s.Envelope(), ClaimPublicKey: code.PublicKeyBase64()}
	r, err := o.send(ctx, s, VehiclePath(vin, "sale"), body)
	if err != nil {
		return Result{}, ClaimCode{}, err
	}
	return r, code, nil
}

func (o *Owner) send(ctx context.Context, s Signed, path string, body any) (Result, error) {
	resp, err := o.Client.Post(ctx, path, body)
	if err != nil {
		return Result{Signed: s}, err
	}
	return Result{Signed: s, Response: resp}, nil
}
