// Package ownertypes holds the owner contract's request, record and event
// types and their field rules. It imports neither the contract API nor the
// shim: the gateway and the CLI validate requests and read records with
// these very types (docs/owners.md).
package ownertypes

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"time"

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
// (applied) or it could no longer apply (lapsed: it expired, or the
// ownership it was about changed before it was applied).
const (
	ExceptionOpen    = "open"
	ExceptionApplied = "applied"
	ExceptionLapsed  = "lapsed"
)

// ExceptionLifetime is how long an exception stays open for approvals; an
// expired one lapses, so a forgotten proposal cannot block the car's next.
const ExceptionLifetime = 30 * 24 * time.Hour

// Who erased a past ownership's private records.
const (
	ErasedByOwner   = "owner"
	ErasedOnRequest = "request"
)

// ClaimTransientKey is the transient field of owner:Claim that carries the
// claim code, a ClaimTransient as JSON: the code never reaches the public
// proposal, the ledger or a log.
const ClaimTransientKey = "claim"

// OwnerTransientKey is the transient field of owner:LinkCustomer: the
// dealer's customer reference, a vehicletypes.NewOwner as JSON.
const OwnerTransientKey = vehicletypes.OwnerTransientKey

// Limits of the fields below.
const (
	// MinClaimCode and MaxClaimCode bound a claim code's length; the
	// chaincode treats the code as opaque printable ASCII.
	MinClaimCode = 16
	MaxClaimCode = 128
	// MaxSignature bounds a base64 signature (64 bytes take 88 characters).
	MaxSignature = 100
	// MaxPublicKey bounds a base64 public key (a 91-byte SPKI takes 124).
	MaxPublicKey = 200
	// MaxStatement is statement.MaxSize, restated for the validate tag.
	MaxStatement = 2048
)

// ClaimHash is the hash a claim code is known by on the ledger: the
// lower-case hex SHA-256 of claimSalt + ":" + code. The gateway and the CLI
// compute it when they make a code; the chaincode when the buyer redeems it.
func ClaimHash(salt, code string) string {
	sum := sha256.Sum256([]byte(salt + ":" + code))
	return hex.EncodeToString(sum[:])
}

// DecodeBase64 reads base64 in either alphabet (standard or URL-safe),
// padded or not: WebCrypto clients commonly send either.
func DecodeBase64(s string) ([]byte, error) {
	if strings.ContainsAny(s, "-_") {
		return base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
	}
	return base64.RawStdEncoding.DecodeString(strings.TrimRight(s, "="))
}

// StatementEnvelope carries one signed owner statement: the canonical text
// (docs/owners.md), the owner's P1363 signature over it and, where the
// ledger does not know the key yet (a claim), the signer's public key.
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
}

// SignatureBytes decodes the signature.
func (e StatementEnvelope) SignatureBytes() ([]byte, error) { return DecodeBase64(e.Signature) }

// PublicKeyBytes decodes the public key; nil when none was sent.
func (e StatementEnvelope) PublicKeyBytes() ([]byte, error) {
	if e.PublicKey == "" {
		return nil, nil
	}
	return DecodeBase64(e.PublicKey)
}

// ClaimTransient is the transient "claim" of owner:Claim.
type ClaimTransient struct {
	// Code is the claim code the dealer handed the buyer: opaque printable
	// ASCII. It is never quoted in an error.
	Code string `json:"code" validate:"required,min=16,max=128"`
}

// Validate checks the code's length and alphabet without quoting it.
func (t ClaimTransient) Validate() error {
	var c rules.Checker
	c.Struct(t)
	for _, r := range t.Code {
		if r < 0x21 || r > 0x7e {
			c.Fail("code", "printable_ascii", "must be printable ASCII without spaces")
			break
		}
	}
	return c.Err()
}

// SaleRequest is the input of owner:SellFromStock, a dealer's first sale of
// a new car. The buyer claims the car with a code the dealer's system made
// off the chain; only its salted hash is sent.
type SaleRequest struct {
	SaleDate   time.Time `json:"saleDate" validate:"required"`
	OdometerKm int64     `json:"odometerKm" validate:"min=0,max=10000000"`
	UseType    string    `json:"useType" validate:"usetype"`
	// ClaimHash is ClaimHash(ClaimSalt, code).
	ClaimHash string `json:"claimHash" validate:"sha256"`
	ClaimSalt string `json:"claimSalt" validate:"salt"`
}

// Validate checks the fields.
func (r SaleRequest) Validate() error {
	var c rules.Checker
	c.Struct(r)
	return c.Err()
}

// SellRequest is the input of owner:Sell, a resale the current owner
// released: Envelope holds their release-sale statement, which names the
// buyer and the odometer reading. A buyer named by key (key:<fingerprint>)
// needs BuyerPublicKey, the key itself; a buyer named by a claim code's
// hash (claim:<hash>) needs ClaimSalt, the salt that hash was made with.
type SellRequest struct {
	Envelope StatementEnvelope `json:"envelope"`
	SaleDate time.Time         `json:"saleDate" validate:"required"`
	UseType  string            `json:"useType" validate:"usetype"`
	// ClaimSalt goes with a claim: buyer.
	ClaimSalt string `json:"claimSalt,omitempty" metadata:",optional" validate:"omitempty,salt"`
	// BuyerPublicKey goes with a key: buyer: base64 of the SPKI or raw key.
	BuyerPublicKey string `json:"buyerPublicKey,omitempty" metadata:",optional" validate:"max=200"`
}

// Validate checks the fields; which of ClaimSalt and BuyerPublicKey is
// required depends on the statement's buyer, which the chaincode checks.
func (r SellRequest) Validate() error {
	var c rules.Checker
	c.Struct(r)
	r.Envelope.checkEncoding(&c, "envelope.")
	if r.ClaimSalt != "" && r.BuyerPublicKey != "" {
		c.Fail("buyerPublicKey", "one_buyer", "send either claimSalt (a claim: buyer) or buyerPublicKey (a key: buyer), not both")
	}
	if r.BuyerPublicKey != "" {
		if _, err := DecodeBase64(r.BuyerPublicKey); err != nil {
			c.Fail("buyerPublicKey", "base64", "must be base64 (standard or URL-safe) of the SPKI or raw P-256 key")
		}
	}
	return c.Err()
}

// ExceptionRequest is the input of owner:ProposeException: a case the
// owner's key cannot settle, decided by a majority of the member orgs on
// evidence kept off the chain (EvidenceHash is its SHA-256). Every kind
// ends with the car's ownership awaiting a claim with a new code, whose
// hash and salt the proposer sends.
type ExceptionRequest struct {
	Kind         string `json:"kind" validate:"exceptionkind"`
	EvidenceHash string `json:"evidenceHash" validate:"sha256"`
	ClaimHash    string `json:"claimHash" validate:"sha256"`
	ClaimSalt    string `json:"claimSalt" validate:"salt"`
}

// Validate checks the fields.
func (r ExceptionRequest) Validate() error {
	var c rules.Checker
	c.Struct(r)
	return c.Err()
}
