package ownertypes

import (
	"time"

	"github.com/autoledger/autoledger/chaincode/vehicle/vehicletypes"
)

// Event names. A sale (owner:SellFromStock, owner:Sell) sets the vehicle's
// OwnershipTransferred event with its vehicletypes.Event payload, the one
// subscribers already know; the other transactions set their own.
const (
	EvOwnershipTransferred = vehicletypes.EvOwnershipTransferred
	EvOwnershipClaimed     = "OwnershipClaimed"
	EvOwnerLinked          = "OwnerLinked"
	EvOwnershipErased      = "OwnershipErased"
	EvOwnershipException   = "OwnershipException"
)

// Event payloads carry no personal data: VINs, ownership numbers, key
// fingerprints (pseudonyms for one car's ownership) and MSP IDs only.

// OwnershipClaimed is the payload of EvOwnershipClaimed.
type OwnershipClaimed struct {
	VIN            string `json:"vin"`
	OwnerNo        int    `json:"ownerNo"`
	KeyFingerprint string `json:"keyFingerprint"`
}

// OwnerLinked is the payload of EvOwnerLinked: a dealer recorded its
// customer reference for an ownership (the reference itself is private).
type OwnerLinked struct {
	VIN        string `json:"vin"`
	OwnerNo    int    `json:"ownerNo"`
	RecordedBy string `json:"recordedBy"`
}

// OwnershipErased is the payload of EvOwnershipErased.
type OwnershipErased struct {
	VIN     string `json:"vin"`
	OwnerNo int    `json:"ownerNo"`
	// ErasedBy is ErasedByOwner or ErasedOnRequest.
	ErasedBy string `json:"erasedBy"`
}

// OwnershipException is the payload of EvOwnershipException: an exception
// proposed, approved, or applied by the approval that made the majority.
type OwnershipException struct {
	VIN       string `json:"vin"`
	ID        string `json:"id"`
	Kind      string `json:"kind"`
	OwnerNo   int    `json:"ownerNo"`
	Status    string `json:"status"`
	By        string `json:"by"`
	Approvals int    `json:"approvals"`
	Required  int    `json:"required"`
}

// Share link events (issue 15).
const (
	EvShareLinkCreated = "ShareLinkCreated"
	EvShareLinkRevoked = "ShareLinkRevoked"
)

// ShareLinkEvent is the payload of EvShareLinkCreated and
// EvShareLinkRevoked: the link's hash, never its token.
type ShareLinkEvent struct {
	VIN       string    `json:"vin"`
	Link      string    `json:"link"`
	OwnerNo   int       `json:"ownerNo"`
	NotAfter  time.Time `json:"notAfter"`
	CreatedBy string    `json:"createdBy"`
}
