package ownertypes

import (
	"time"

	"github.com/autoledger/autoledger/chaincode/vehicle/vehicletypes"
)

// PreviousKey is a key once bound to an ownership and unbound by an
// exception (lost-key, disputed-claim).
type PreviousKey struct {
	Fingerprint string    `json:"fingerprint"`
	BoundAt     time.Time `json:"boundAt"`
	EndedAt     time.Time `json:"endedAt"`
	// Reason is the exception's kind.
	Reason string `json:"reason"`
}

// Release is the owner's release-sale statement that ended an ownership,
// as the ledger took it (informational: the statement is the evidence).
type Release struct {
	StatementID string `json:"statementId"`
	// Buyer is the statement's party: key:<fingerprint> or claim:<hash>.
	Buyer      string    `json:"buyer"`
	OdometerKm int64     `json:"odometerKm"`
	SignedAt   time.Time `json:"signedAt"`
	Expires    time.Time `json:"expires"`
}

// Ownership is the n-th owner period of a car: public, and holding no
// personal data. The key bound to it is a pseudonym used for this car and
// this ownership only.
type Ownership struct {
	SchemaVersion int    `json:"schemaVersion"`
	VIN           string `json:"vin"`
	OwnerNo       int    `json:"ownerNo"`
	Status        string `json:"status"`
	// Since is the sale's transaction time.
	Since time.Time `json:"since"`
	// SoldBy is the org that recorded the change of owner: the selling
	// dealer, the relay of the owner's release, or for an exception the
	// org that proposed it.
	SoldBy   string    `json:"soldBy"`
	SaleDate time.Time `json:"saleDate"`
	// ClaimPublicKey (base64 standard of the SPKI DER) and its fingerprint
	// are set while the ownership awaits its claim: the public half of the
	// claim key whose private half is the buyer's claim code.
	ClaimPublicKey   string `json:"claimPublicKey,omitempty" metadata:",optional"`
	ClaimFingerprint string `json:"claimFingerprint,omitempty" metadata:",optional"`
	// PublicKey (base64 standard of the SPKI DER) and its fingerprint are
	// set once a key is bound.
	PublicKey      string        `json:"publicKey,omitempty" metadata:",optional"`
	KeyFingerprint string        `json:"keyFingerprint,omitempty" metadata:",optional"`
	BoundAt        time.Time     `json:"boundAt,omitzero" metadata:",optional"`
	PreviousKeys   []PreviousKey `json:"previousKeys"`
	Release        *Release      `json:"release,omitempty" metadata:",optional"`
	EndedAt        time.Time     `json:"endedAt,omitzero" metadata:",optional"`
	EndedBy        string        `json:"endedBy,omitempty" metadata:",optional"`
	// ErasedAt is when the ownership's private records were purged;
	// ErasedBy is ErasedByOwner or ErasedOnRequest, with the request's
	// document hash in ErasureEvidenceHash.
	ErasedAt            time.Time `json:"erasedAt,omitzero" metadata:",optional"`
	ErasedBy            string    `json:"erasedBy,omitempty" metadata:",optional"`
	ErasureEvidenceHash string    `json:"erasureEvidenceHash,omitempty" metadata:",optional"`
}

// KeyBinding is the public index entry of a key ever bound to an
// ownership, by its fingerprint: a key is bound to one ownership of one car
// only, for good.
type KeyBinding struct {
	SchemaVersion int    `json:"schemaVersion"`
	Fingerprint   string `json:"fingerprint"`
	VIN           string `json:"vin"`
	OwnerNo       int    `json:"ownerNo"`
}

// ExceptionApproval is one member org's approval of an exception.
type ExceptionApproval struct {
	MSP string    `json:"msp"`
	At  time.Time `json:"at"`
}

// Exception is a proposed exception and the orgs that approved it; a
// majority of the member orgs applies it. ID is the proposing
// transaction's ID.
type Exception struct {
	SchemaVersion int    `json:"schemaVersion"`
	ID            string `json:"id"`
	VIN           string `json:"vin"`
	OwnerNo       int    `json:"ownerNo"`
	Kind          string `json:"kind"`
	EvidenceHash  string `json:"evidenceHash"`
	// ClaimPublicKey (base64 standard of the SPKI DER) and its fingerprint
	// are the claim key the ownership awaits once the exception applies.
	ClaimPublicKey   string              `json:"claimPublicKey"`
	ClaimFingerprint string              `json:"claimFingerprint"`
	ProposedBy       string              `json:"proposedBy"`
	ProposedAt       time.Time           `json:"proposedAt"`
	ExpiresAt        time.Time           `json:"expiresAt"`
	Approvals        []ExceptionApproval `json:"approvals"`
	Required         int                 `json:"required"`
	Status           string              `json:"status"`
	ClosedAt         time.Time           `json:"closedAt,omitzero" metadata:",optional"`
}

// Approved reports whether msp's org has approved e.
func (e Exception) Approved(msp string) bool {
	for _, a := range e.Approvals {
		if a.MSP == msp {
			return true
		}
	}
	return false
}

// OwnerLink is the dealer's customer reference for one ownership, in the
// owners collection (private). Salt makes its public hash unguessable
// (vehicletypes.NewOwner).
type OwnerLink struct {
	SchemaVersion int       `json:"schemaVersion"`
	VIN           string    `json:"vin"`
	OwnerNo       int       `json:"ownerNo"`
	OwnerRef      string    `json:"ownerRef"`
	Salt          string    `json:"salt"`
	RecordedBy    string    `json:"recordedBy"`
	Since         time.Time `json:"since"`
}

// OwnerView answers owner:Get: the car's ownerships, oldest first, and the
// current one (absent before the first sale).
type OwnerView struct {
	VIN        string      `json:"vin"`
	OwnerCount int         `json:"ownerCount"`
	Current    *Ownership  `json:"current,omitempty" metadata:",optional"`
	Ownerships []Ownership `json:"ownerships"`
	// OpenExceptions are the exceptions awaiting approvals, oldest first:
	// at most one per org. OpenException is the oldest of them, if any.
	OpenException  *Exception  `json:"openException,omitempty" metadata:",optional"`
	OpenExceptions []Exception `json:"openExceptions,omitempty" metadata:",optional"`
}

// SaleResult answers owner:SellFromStock and owner:Sell: the vehicle's
// OWNERSHIP_TRANSFER life event with its odometer reading, and the new
// ownership.
type SaleResult struct {
	vehicletypes.TransferResult
	Ownership Ownership `json:"ownership"`
}

// EraseResult answers owner:Erase and owner:EraseOnRequest.
type EraseResult struct {
	Ownership Ownership `json:"ownership"`
	// LinkPurged is whether an owner link existed and was purged.
	LinkPurged bool `json:"linkPurged"`
}
