// Package ownertypes holds the owner contract's request, record and event
// types and their field rules. It imports neither the contract API nor the
// shim: the gateway and the CLI validate requests and read records with
// these very types (docs/owners.md).
package ownertypes

import (
	"encoding/base64"
	"strings"
	"time"

	"github.com/autoledger/autoledger/chaincode/owner/statement"
	"github.com/autoledger/autoledger/chaincode/rules"
	"github.com/autoledger/autoledger/chaincode/vehicle/vehicletypes"
)

// The statuses of an ownership. An ownership is awaiting its claim from the
// sale until its buyer binds a key, owned while a key is bound, and ended
// for good once the car passed on.
const (
	StatusAwaitingClaim = "awaiting-claim"
	StatusOwned         = "owned"
	StatusEnded         = "ended"
)

// Why an ownership ended: a sale, or an exception a majority approved.
const (
	EndedBySale         = "sale"
	EndedByRepossession = "repossession"
	EndedByCourtOrder   = "court-order"
)

// The kinds of exception. Lost-key and disputed-claim put the same
// ownership back to awaiting its claim (a new claim code); repossession and
// court-order end it and start a new one awaiting its claim.
const (
	KindLostKey       = "lost-key"
	KindDisputedClaim = "disputed-claim"
	KindRepossession  = EndedByRepossession
	KindCourtOrder    = EndedByCourtOrder
)

// ExceptionKinds are the kinds an exception may have.
var ExceptionKinds = rules.Enum("exceptionkind", KindLostKey, KindDisputedClaim, KindRepossession, KindCourtOrder)

// Rebinds reports whether an exception of kind keeps the ownership and
// only unbinds its key (lost-key, disputed-claim).
func Rebinds(kind string) bool { return kind == KindLostKey || kind == KindDisputedClaim }

// The statuses of an exception: open until a majority approved it
// (applied), its proposer withdrew it (withdrawn), or it could no longer
// apply (lapsed: it expired, the ownership it was about changed, or
// another exception was applied first).
const (
	ExceptionOpen      = "open"
	ExceptionApplied   = "applied"
	ExceptionWithdrawn = "withdrawn"
	ExceptionLapsed    = "lapsed"
)

// ExceptionLifetime is how long an exception stays open for approvals; an
// expired one lapses, so a forgotten proposal cannot block the car's next.
const ExceptionLifetime = 30 * 24 * time.Hour

// Who erased a past ownership's private records.
const (
	ErasedByOwner   = "owner"
	ErasedOnRequest = "request"
)

// OwnerTransientKey is the transient field of owner:LinkCustomer: the
// dealer's customer reference, a vehicletypes.NewOwner as JSON.
const OwnerTransientKey = vehicletypes.OwnerTransientKey

// Limits of the fields below.
const (
	// MaxSignature bounds a base64 signature (64 bytes take 88 characters).
	MaxSignature = 100
	// MaxPublicKey bounds a base64 public key (a 91-byte SPKI takes 124).
	MaxPublicKey = 200
	// MaxStatement is statement.MaxSize, restated for the validate tag.
	MaxStatement = 2048
)

// DecodeBase64 reads base64 in either alphabet (standard or URL-safe),
// padded or not: WebCrypto clients commonly send either.
func DecodeBase64(s string) ([]byte, error) {
	if strings.ContainsAny(s, "-_") {
		return base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
	}
	return base64.RawStdEncoding.DecodeString(strings.TrimRight(s, "="))
}

// ParseKey reads a P-256 public key sent as base64 (standard or URL-safe)
// of its SPKI DER or 65-byte raw point.
func ParseKey(s string) (statement.PublicKey, error) {
	b, err := DecodeBase64(s)
	if err != nil {
		return statement.PublicKey{}, err
	}
	return statement.ParsePublicKey(b)
}

// KeyBase64 is how a record holds a key: base64 standard of the SPKI DER.
func KeyBase64(k statement.PublicKey) string { return base64.StdEncoding.EncodeToString(k.SPKI()) }

// checkKey fails field unless value is empty or a P-256 public key.
func checkKey(c *rules.Checker, field, value string) {
	if value == "" {
		return
	}
	if _, err := DecodeBase64(value); err != nil {
		c.Fail(field, "base64", "must be base64 (standard or URL-safe) of the SPKI or raw P-256 key")
		return
	}
	if _, err := ParseKey(value); err != nil {
		c.Fail(field, "p256_key", "must be a P-256 public key (SPKI DER or 65-byte uncompressed point)")
	}
}

// StatementEnvelope carries one signed owner statement: the canonical text
// (docs/owners.md), the owner's P1363 signature over it and, where the
// ledger does not know the key yet (a claim), the signer's public key and
// the claim key's signature over the same statement.
type StatementEnvelope struct {
	// Statement is the canonical statement text, LF line ends included.
	Statement string `json:"statement" validate:"required,max=2048"`
	// Signature is the 64-byte IEEE P1363 signature (r || s), base64
	// standard or URL-safe, padded or not.
	Signature string `json:"signature" validate:"required,max=100"`
	// PublicKey is the signer's P-256 key, base64 of the SPKI DER or the
	// 65-byte raw point. Required for a claim; any other statement is
	// checked against the key the ledger holds for the ownership, and a key
	// sent here is not consulted (a statement by another key is refused
	// OWNER_SIGNATURE_INVALID).
	PublicKey string `json:"publicKey,omitempty" metadata:",optional" validate:"max=200"`
	// ClaimSignature goes with a claim only: the P1363 signature over the
	// same statement bytes by the claim key, the private key the buyer's
	// claim code is. It proves the signer holds the code without showing
	// it to anyone, the endorsing peers included.
	ClaimSignature string `json:"claimSignature,omitempty" metadata:",optional" validate:"max=100"`
}

// Validate checks the fields' shapes; the signature's validity is the
// chaincode's check (OWNER_SIGNATURE_INVALID).
func (e StatementEnvelope) Validate() error {
	var c rules.Checker
	c.Struct(e)
	e.checkEncoding(&c, "")
	return c.Err()
}

// checkEncoding checks that the signature and key are base64; prefix names
// the envelope's field in a larger request.
func (e StatementEnvelope) checkEncoding(c *rules.Checker, prefix string) {
	if e.Signature != "" {
		if _, err := DecodeBase64(e.Signature); err != nil {
			c.Fail(prefix+"signature", "base64", "must be base64 (standard or URL-safe) of the 64-byte P1363 signature")
		}
	}
	if e.PublicKey != "" {
		if _, err := DecodeBase64(e.PublicKey); err != nil {
			c.Fail(prefix+"publicKey", "base64", "must be base64 (standard or URL-safe) of the SPKI or raw P-256 key")
		}
	}
	if e.ClaimSignature != "" {
		if _, err := DecodeBase64(e.ClaimSignature); err != nil {
			c.Fail(prefix+"claimSignature", "base64", "must be base64 (standard or URL-safe) of the 64-byte P1363 signature")
		}
	}
}

// SignatureBytes decodes the signature.
func (e StatementEnvelope) SignatureBytes() ([]byte, error) { return DecodeBase64(e.Signature) }

// ClaimSignatureBytes decodes the claim signature; nil when none was sent.
func (e StatementEnvelope) ClaimSignatureBytes() ([]byte, error) {
	if e.ClaimSignature == "" {
		return nil, nil
	}
	return DecodeBase64(e.ClaimSignature)
}

// PublicKeyBytes decodes the public key; nil when none was sent.
func (e StatementEnvelope) PublicKeyBytes() ([]byte, error) {
	if e.PublicKey == "" {
		return nil, nil
	}
	return DecodeBase64(e.PublicKey)
}

// SaleRequest is the input of owner:SellFromStock, a dealer's first sale of
// a new car. The buyer claims the car with a claim code, the private half
// of a claim key the dealer's system made off the chain; only its public
// half is sent.
type SaleRequest struct {
	SaleDate   time.Time `json:"saleDate" validate:"required"`
	OdometerKm int64     `json:"odometerKm" validate:"min=0,max=10000000"`
	UseType    string    `json:"useType" validate:"usetype"`
	// ClaimPublicKey is the claim key's public half: base64 of the SPKI or
	// raw P-256 key.
	ClaimPublicKey string `json:"claimPublicKey" validate:"required,max=200"`
}

// Validate checks the fields.
func (r SaleRequest) Validate() error {
	var c rules.Checker
	c.Struct(r)
	checkKey(&c, "claimPublicKey", r.ClaimPublicKey)
	return c.Err()
}

// SellRequest is the input of owner:Sell, a resale the current owner
// released: Envelope holds their release-sale statement, which names the
// buyer, the odometer reading, the sale date and the use type. A buyer
// named by key (key:<fingerprint>) needs BuyerPublicKey, the key itself; a
// buyer named by a claim key's fingerprint (claim:<fingerprint>) needs
// ClaimPublicKey, the claim key's public half.
type SellRequest struct {
	Envelope StatementEnvelope `json:"envelope"`
	// ClaimPublicKey goes with a claim: buyer: base64 of the SPKI or raw key.
	ClaimPublicKey string `json:"claimPublicKey,omitempty" metadata:",optional" validate:"max=200"`
	// BuyerPublicKey goes with a key: buyer: base64 of the SPKI or raw key.
	BuyerPublicKey string `json:"buyerPublicKey,omitempty" metadata:",optional" validate:"max=200"`
}

// Validate checks the fields; which of ClaimPublicKey and BuyerPublicKey
// is required depends on the statement's buyer, which the chaincode checks.
func (r SellRequest) Validate() error {
	var c rules.Checker
	c.Struct(r)
	r.Envelope.checkEncoding(&c, "envelope.")
	if r.ClaimPublicKey != "" && r.BuyerPublicKey != "" {
		c.Fail("buyerPublicKey", "one_buyer", "send either claimPublicKey (a claim: buyer) or buyerPublicKey (a key: buyer), not both")
	}
	checkKey(&c, "claimPublicKey", r.ClaimPublicKey)
	checkKey(&c, "buyerPublicKey", r.BuyerPublicKey)
	return c.Err()
}

// ExceptionRequest is the input of owner:ProposeException: a case the
// owner's key cannot settle, decided by a majority of the member orgs on
// evidence kept off the chain (EvidenceHash is its SHA-256). Every kind
// ends with the car's ownership awaiting a claim with a new claim code,
// whose claim key's public half the proposer sends.
type ExceptionRequest struct {
	Kind           string `json:"kind" validate:"exceptionkind"`
	EvidenceHash   string `json:"evidenceHash" validate:"sha256"`
	ClaimPublicKey string `json:"claimPublicKey" validate:"required,max=200"`
}

// Validate checks the fields.
func (r ExceptionRequest) Validate() error {
	var c rules.Checker
	c.Struct(r)
	checkKey(&c, "claimPublicKey", r.ClaimPublicKey)
	return c.Err()
}
