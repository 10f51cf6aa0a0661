// Package parttypes holds the part contract's request, response and record
// types, their field rules and its event names. It imports neither the
// contract API nor the shim, so the gateway can use it without linking the
// chaincode.
package parttypes

import (
	"time"

	"github.com/autoledger/autoledger/chaincode/rules"
)

// Statuses of a serialized part.
const (
	Held      = "held"
	InTransit = "in-transit"
	Installed = "installed"
	Assembled = "assembled" // inside an assembly
	Scrapped  = "scrapped"
)

// MaxSerialsPerCall bounds RegisterParts: 1,000 serials make about 3,000
// writes and a proposal response of a few hundred KB, far inside Fabric's
// 100 MB message limit and its 30 s execution timeout.
const MaxSerialsPerCall = 1000

// MaxChildren bounds an assembly's direct components.
const MaxChildren = 200

// MaxMaterials and MaxCertHashes bound the lists RegisterParts copies into
// every one of up to MaxSerialsPerCall part records: at the limits, with
// every text field at its longest in 4-byte characters, a part record
// stays under MaxPartRecordBytes, so one call writes at most about 20 MB
// (docs/performance.md, bounded work).
const (
	MaxMaterials  = 20
	MaxCertHashes = 10
)

// MaxPartRecordBytes is the bound a part record's JSON stays under.
const MaxPartRecordBytes = 20 << 10

// MaxAssemblyDepth bounds how deep an assembly tree is followed: a part
// inside a module inside a pack is two levels down.
const MaxAssemblyDepth = 4

// PartObject is the composite key object type of a part record, keyed by
// serial; other contracts (vehicle) read part records under it.
const PartObject = "part"

// TermsTransientKey is the transient field carrying Terms.
const TermsTransientKey = "terms"

// MaterialOrigin is where a raw material came from, with its audit certificate.
type MaterialOrigin struct {
	Material      string `json:"material" validate:"required,max=64"`
	Country       string `json:"country" validate:"iso3166"`
	Source        string `json:"source" validate:"required,max=100"`
	AuditCertHash string `json:"auditCertHash" validate:"sha256"`
}

// RegisterPartsRequest registers many serials of one part number and batch.
type RegisterPartsRequest struct {
	PartNumber           string           `json:"partNumber" validate:"code"`
	Batch                string           `json:"batch" validate:"code"`
	Manufacturer         string           `json:"manufacturer" validate:"required,max=100"`
	ManufacturedAt       time.Time        `json:"manufacturedAt" validate:"required"`
	Serials              []string         `json:"serials" validate:"required,min=1,max=1000,unique,dive,serial"`
	Materials            []MaterialOrigin `json:"materials,omitempty" metadata:",optional" validate:"max=20,dive"`
	ConformityCertHashes []string         `json:"conformityCertHashes,omitempty" metadata:",optional" validate:"max=10,dive,sha256"`
}

// Validate checks the fields.
func (r RegisterPartsRequest) Validate() error {
	var c rules.Checker
	c.Struct(r)
	return c.Err()
}

// ValidateSerial is the rule for a serial: the shared code rule.
func ValidateSerial(field, v string) error { return rules.ValidateCode(field, v) }

// Part is the public state of one serial.
type Part struct {
	SchemaVersion        int              `json:"schemaVersion"`
	Serial               string           `json:"serial"`
	PartNumber           string           `json:"partNumber"`
	Batch                string           `json:"batch"`
	Manufacturer         string           `json:"manufacturer"`
	ManufacturedAt       time.Time        `json:"manufacturedAt"`
	RegisteredBy         string           `json:"registeredBy"`
	Materials            []MaterialOrigin `json:"materials"`
	ConformityCertHashes []string         `json:"conformityCertHashes"`
	Holder               string           `json:"holder"`
	Status               string           `json:"status"`
	InTransitTo          string           `json:"inTransitTo,omitempty" metadata:",optional"`
	ShipmentRef          string           `json:"shipmentRef,omitempty" metadata:",optional"`
	VIN                  string           `json:"vin,omitempty" metadata:",optional"`
	Children             []string         `json:"children,omitempty" metadata:",optional"`
	Parent               string           `json:"parent,omitempty" metadata:",optional"`
	RecallID             string           `json:"recallId,omitempty" metadata:",optional"`
	CustodyCount         int64            `json:"custodyCount"`
}

// Custody event types.
const (
	CustodyRegistered = "registered"
	CustodyAssembled  = "assembled"
	CustodyShipped    = "shipped"
	CustodyReceived   = "received"
	CustodyInstalled  = "installed"
	CustodyRemoved    = "removed"
	CustodyScrapped   = "scrapped"
	CustodyRecalled   = "recalled"
)

// CustodyEvent is one step of a serial's trail: who held it when.
type CustodyEvent struct {
	Seq  int64     `json:"seq"`
	Type string    `json:"type"`
	Org  string    `json:"org"`
	To   string    `json:"to,omitempty" metadata:",optional"`
	Ref  string    `json:"ref,omitempty" metadata:",optional"`
	VIN  string    `json:"vin,omitempty" metadata:",optional"`
	TxID string    `json:"txId"`
	At   time.Time `json:"at"`
}

// AssembleRequest makes an assembly from parts the caller holds.
type AssembleRequest struct {
	Serial       string    `json:"serial" validate:"code"`
	PartNumber   string    `json:"partNumber" validate:"code"`
	Batch        string    `json:"batch" validate:"code"`
	Manufacturer string    `json:"manufacturer" validate:"required,max=100"`
	AssembledAt  time.Time `json:"assembledAt" validate:"required"`
	Children     []string  `json:"children" validate:"min=1,max=200"`
}

// Validate checks the fields.
func (r AssembleRequest) Validate() error {
	var c rules.Checker
	c.Struct(r)
	return c.Err()
}

// ShipRequest sends a part to another org.
type ShipRequest struct {
	To          string `json:"to" validate:"msp"`
	ShipmentRef string `json:"shipmentRef" validate:"required,max=64"`
}

// Validate checks the fields.
func (r ShipRequest) Validate() error {
	var c rules.Checker
	c.Struct(r)
	return c.Err()
}

// ReceiveRequest confirms a shipment's arrival.
type ReceiveRequest struct {
	ShipmentRef string `json:"shipmentRef" validate:"required,max=64"`
}

// Validate checks the fields.
func (r ReceiveRequest) Validate() error {
	var c rules.Checker
	c.Struct(r)
	return c.Err()
}

// InstallRequest installs a part into a registered vehicle.
type InstallRequest struct {
	VIN string `json:"vin" validate:"vin"`
}

// Validate checks the fields (the vin tag is the one VIN rule).
func (r InstallRequest) Validate() error {
	var c rules.Checker
	c.Struct(r)
	return c.Err()
}

// ReasonRequest carries the reason of a scrapping.
type ReasonRequest struct {
	Reason string `json:"reason" validate:"required,max=200"`
}

// Validate checks the fields.
func (r ReasonRequest) Validate() error {
	var c rules.Checker
	c.Struct(r)
	return c.Err()
}

// RemoveRequest takes a part out of a car: the caller names the car the
// part is in, so a removal can only be for a car the caller has in front
// of them.
type RemoveRequest struct {
	VIN    string `json:"vin" validate:"vin"`
	Reason string `json:"reason" validate:"required,max=200"`
}

// Validate checks the fields.
func (r RemoveRequest) Validate() error {
	var c rules.Checker
	c.Struct(r)
	return c.Err()
}

// Verification answers part:Verify.
type Verification struct {
	Serial     string `json:"serial"`
	Genuine    bool   `json:"genuine"`
	PartNumber string `json:"partNumber,omitempty" metadata:",optional"`
	Status     string `json:"status,omitempty" metadata:",optional"`
	Holder     string `json:"holder,omitempty" metadata:",optional"`
	VIN        string `json:"vin,omitempty" metadata:",optional"`
	Recalled   bool   `json:"recalled"`
}

// Provenance is a part's custody trail, materials and assembly tree.
type Provenance struct {
	Part       Part           `json:"part"`
	Custody    []CustodyEvent `json:"custody"`
	Components []Provenance   `json:"components"`
}

// RecallRequest recalls a part number over a batch range (inclusive,
// compared as strings: batch codes sort in production order).
type RecallRequest struct {
	RecallID   string `json:"recallId" validate:"code"`
	PartNumber string `json:"partNumber" validate:"code"`
	BatchFrom  string `json:"batchFrom" validate:"code"`
	BatchTo    string `json:"batchTo" validate:"code"`
	Reason     string `json:"reason" validate:"required,max=200"`
}

// Validate checks the fields.
func (r RecallRequest) Validate() error {
	var c rules.Checker
	c.Struct(r)
	if r.BatchTo < r.BatchFrom {
		c.Fail("batchTo", "range", "must not sort before batchFrom")
	}
	return c.Err()
}

// Recall is a recall and how far its application has got.
type Recall struct {
	SchemaVersion int `json:"schemaVersion"`
	RecallRequest
	IssuedBy string    `json:"issuedBy"`
	IssuedAt time.Time `json:"issuedAt"`
	// Cursor is the last batch-index key processed; Complete once every
	// affected part has been flagged.
	Cursor       string `json:"cursor,omitempty" metadata:",optional"`
	Complete     bool   `json:"complete"`
	PartsFlagged int64  `json:"partsFlagged"`
}

// RecallStatus answers part:RecallStatus.
type RecallStatus struct {
	Recall   Recall         `json:"recall"`
	Cars     []RecallCarRef `json:"cars"`
	Affected int            `json:"affected"`
	Remedied int            `json:"remedied"`
}

// RecallCarRef is one affected car.
type RecallCarRef struct {
	VIN    string `json:"vin"`
	Serial string `json:"serial"`
	Open   bool   `json:"open"`
}

// Terms are the commercial terms of a batch between supplier and OEM,
// kept in the oemSupplier collection only. Salt is the client's random
// value (rules.SaltPattern: at least 128 bits), so the hash every peer
// keeps cannot be found by trying likely prices.
type Terms struct {
	UnitPriceMinor int64  `json:"unitPriceMinor" validate:"min=0,max=9007199254740992"`
	Currency       string `json:"currency" validate:"iso4217"`
	LotData        string `json:"lotData" validate:"max=1000"`
	Salt           string `json:"salt" validate:"salt"`
}

// Validate checks the fields.
func (t Terms) Validate() error {
	var c rules.Checker
	c.Struct(t)
	return c.Err()
}

// RegisterResult answers RegisterParts.
type RegisterResult struct {
	PartNumber string `json:"partNumber"`
	Batch      string `json:"batch"`
	Count      int    `json:"count"`
}
