package part

// The request, response and record types live in parttypes, which the
// gateway imports without linking the chaincode; these aliases keep the
// contract's code and its callers reading part.X.

import (
	"github.com/autoledger/autoledger/chaincode/part/parttypes"
)

type (
	MaterialOrigin       = parttypes.MaterialOrigin
	RegisterPartsRequest = parttypes.RegisterPartsRequest
	Part                 = parttypes.Part
	CustodyEvent         = parttypes.CustodyEvent
	AssembleRequest      = parttypes.AssembleRequest
	ShipRequest          = parttypes.ShipRequest
	ReceiveRequest       = parttypes.ReceiveRequest
	InstallRequest       = parttypes.InstallRequest
	ReasonRequest        = parttypes.ReasonRequest
	Verification         = parttypes.Verification
	Provenance           = parttypes.Provenance
	RecallRequest        = parttypes.RecallRequest
	Recall               = parttypes.Recall
	RecallStatus         = parttypes.RecallStatus
	RecallCarRef         = parttypes.RecallCarRef
	Terms                = parttypes.Terms
)

const (
	Held              = parttypes.Held
	InTransit         = parttypes.InTransit
	Installed         = parttypes.Installed
	Assembled         = parttypes.Assembled
	Scrapped          = parttypes.Scrapped
	MaxSerialsPerCall = parttypes.MaxSerialsPerCall
	MaxChildren       = parttypes.MaxChildren
	CustodyRegistered = parttypes.CustodyRegistered
	CustodyAssembled  = parttypes.CustodyAssembled
	CustodyShipped    = parttypes.CustodyShipped
	CustodyReceived   = parttypes.CustodyReceived
	CustodyInstalled  = parttypes.CustodyInstalled
	CustodyRemoved    = parttypes.CustodyRemoved
	CustodyScrapped   = parttypes.CustodyScrapped
	CustodyRecalled   = parttypes.CustodyRecalled
)

// ValidateSerial is parttypes.ValidateSerial: the shared code rule.
func ValidateSerial(field, v string) error { return parttypes.ValidateSerial(field, v) }
