// Package vehicletypes holds the vehicle contract's request, response and
// record types, their field rules and its event names. It imports neither
// the contract API nor the shim: the gateway validates requests with these
// very types without linking the chaincode.
package vehicletypes

import (
	"regexp"
	"strings"
	"time"

	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/autoledger/autoledger/chaincode/rules"
	"github.com/autoledger/autoledger/chaincode/vin"
)

// Powertrains (MOBI Vehicle Identity).
var Powertrains = []string{"ICE", "HEV", "PHEV", "BEV", "FCEV"}

// UseTypes of a vehicle after a sale.
var UseTypes = []string{"private", "rental", "taxi", "fleet"}

// OdometerSources are the independent reporters of a reading (Car-Pass).
var OdometerSources = []string{"telematics", "service", "inspection", "sale", "insurance-claim"}

// ServiceTypes of a service record.
var ServiceTypes = []string{"maintenance", "repair", "recall-remedy", "inspection"}

// BatteryStatuses (EU Regulation 2023/1542).
var BatteryStatuses = []string{"original", "repurposed", "reused", "remanufactured", "waste"}

// Severities of an incident.
var Severities = []string{"minor", "moderate", "severe"}

// TitleBrands a title can carry.
var TitleBrands = []string{"salvage", "flood", "rebuilt", "total-loss"}

// Event types of a vehicle's life.
const (
	EventRegistered         = "REGISTERED"
	EventOwnershipTransfer  = "OWNERSHIP_TRANSFER"
	EventOdometer           = "ODOMETER"
	EventClusterReplacement = "CLUSTER_REPLACEMENT"
	EventService            = "SERVICE"
	EventBatteryReport      = "BATTERY_REPORT"
	EventIncident           = "INCIDENT"
	EventTitleBrand         = "TITLE_BRAND"
)

// Limits on fields, so that no record grows without bound.
const (
	MaxName   = 100
	MaxRef    = 64
	MaxSerial = 64
	// MaxPartSerials bounds the part serials of one service record.
	MaxPartSerials = 100
	// MaxKm bounds every odometer figure: ten million km is beyond any car.
	MaxKm = 10_000_000
)

// BirthRecord is the vehicle as built (after MOBI Vehicle Identity).
type BirthRecord struct {
	Manufacturer       string    `json:"manufacturer"`
	Model              string    `json:"model"`
	ModelYear          int       `json:"modelYear"`
	Plant              string    `json:"plant"`
	ProductionDate     time.Time `json:"productionDate"`
	CountryOfOrigin    string    `json:"countryOfOrigin"`
	Colour             string    `json:"colour"`
	Powertrain         string    `json:"powertrain"`
	EngineSerial       string    `json:"engineSerial,omitempty" metadata:",optional"`
	TransmissionSerial string    `json:"transmissionSerial,omitempty" metadata:",optional"`
	BatteryPackID      string    `json:"batteryPackId,omitempty" metadata:",optional"`
}

// Electrified reports whether the car has a traction battery.
func (b BirthRecord) Electrified() bool { return b.Powertrain != "" && b.Powertrain != "ICE" }

// RegisterRequest is the input of vehicle:Register.
type RegisterRequest struct {
	VIN   string      `json:"vin"`
	Birth BirthRecord `json:"birth"`
}

// Validate checks every field that does not depend on the ledger or the
// transaction time. The gateway calls it too, before anything reaches Fabric.
func (r RegisterRequest) Validate() error {
	var c rules.Checker
	_, err := vin.Validate(r.VIN)
	c.Add(err)
	b := r.Birth
	c.Text("birth.manufacturer", b.Manufacturer, MaxName)
	c.Text("birth.model", b.Model, MaxName)
	c.Range("birth.modelYear", int64(b.ModelYear), 1980, 2100)
	c.Text("birth.plant", b.Plant, MaxName)
	c.Time("birth.productionDate", b.ProductionDate)
	c.Country("birth.countryOfOrigin", b.CountryOfOrigin)
	c.Text("birth.colour", b.Colour, MaxName)
	c.OneOf("birth.powertrain", b.Powertrain, Powertrains)
	c.MaxLen("birth.engineSerial", b.EngineSerial, MaxSerial)
	c.MaxLen("birth.transmissionSerial", b.TransmissionSerial, MaxSerial)
	c.MaxLen("birth.batteryPackId", b.BatteryPackID, MaxSerial)
	if (b.Powertrain == "BEV" || b.Powertrain == "PHEV") && b.BatteryPackID == "" {
		c.Fail("birth.batteryPackId", "required_for_powertrain", "is required for a %s", b.Powertrain)
	}
	return c.Err()
}

// TransferRequest is the public part of vehicle:TransferOwnership. The new
// owner's reference travels as transient data (key "owner").
type TransferRequest struct {
	SaleDate   time.Time `json:"saleDate"`
	OdometerKm int64     `json:"odometerKm"`
	UseType    string    `json:"useType"`
}

// Validate checks the fields.
func (r TransferRequest) Validate() error {
	var c rules.Checker
	c.Time("saleDate", r.SaleDate)
	c.Range("odometerKm", r.OdometerKm, 0, MaxKm)
	c.OneOf("useType", r.UseType, UseTypes)
	return c.Err()
}

// OwnerTransientKey is the transient field carrying the owner reference.
const OwnerTransientKey = "owner"

// OwnerRecord is what the "owners" private data collection stores per VIN.
type OwnerRecord struct {
	SchemaVersion int       `json:"schemaVersion"`
	VIN           string    `json:"vin"`
	OwnerRef      string    `json:"ownerRef"`
	Since         time.Time `json:"since"`
	RecordedBy    string    `json:"recordedBy"`
}

var (
	ownerRefShape = regexp.MustCompile(`^[A-Za-z0-9:_.\-]{8,128}$`)
	phoneShape    = regexp.MustCompile(`^\+?[0-9][0-9 ()\-.]{5,}$`)
)

// ValidateOwnerRef accepts only opaque pseudonyms issued by a dealer system
// (a keyed hash, say): 8-128 characters of letters, digits and ":_.-", and
// nothing that looks like an e-mail address or a phone number.
func ValidateOwnerRef(ref string) error {
	const field = "ownerRef"
	switch {
	case strings.Contains(ref, "@"):
		return ccerr.Field(ccerr.PersonalData, field, "pseudonym", "looks like an e-mail address; send an opaque reference instead")
	case phoneShape.MatchString(ref) && digits(ref) >= 6:
		return ccerr.Field(ccerr.PersonalData, field, "pseudonym", "looks like a phone number; send an opaque reference instead")
	case !ownerRefShape.MatchString(ref):
		return ccerr.Field(ccerr.InvalidArgument, field, "pseudonym", "must be 8-128 characters of A-Z, a-z, 0-9 and :_.-")
	}
	return nil
}

func digits(s string) int {
	n := 0
	for _, r := range s {
		if r >= '0' && r <= '9' {
			n++
		}
	}
	return n
}

// OdometerRequest is the input of vehicle:RecordOdometer.
type OdometerRequest struct {
	Km         int64     `json:"km"`
	Source     string    `json:"source"`
	ObservedAt time.Time `json:"observedAt"`
}

// Validate checks the fields.
func (r OdometerRequest) Validate() error {
	var c rules.Checker
	c.Range("km", r.Km, 0, MaxKm)
	c.OneOf("source", r.Source, OdometerSources)
	c.Time("observedAt", r.ObservedAt)
	return c.Err()
}

// OdometerReading is one stored reading.
type OdometerReading struct {
	DisplayedKm int64     `json:"displayedKm"`
	TotalKm     int64     `json:"totalKm"`
	Source      string    `json:"source"`
	ObservedAt  time.Time `json:"observedAt"`
	Rollback    bool      `json:"rollback"`
}

// OdometerResult answers vehicle:RecordOdometer.
type OdometerResult struct {
	VIN               string          `json:"vin"`
	Seq               int64           `json:"seq"`
	Reading           OdometerReading `json:"reading"`
	RollbackSuspected bool            `json:"rollbackSuspected"`
}

// ClusterRequest is the input of vehicle:ReplaceCluster.
type ClusterRequest struct {
	OldClusterFinalKm int64     `json:"oldClusterFinalKm"`
	NewClusterStartKm int64     `json:"newClusterStartKm"`
	EvidenceHash      string    `json:"evidenceHash"`
	ReplacedAt        time.Time `json:"replacedAt"`
}

// Validate checks the fields.
func (r ClusterRequest) Validate() error {
	var c rules.Checker
	c.Range("oldClusterFinalKm", r.OldClusterFinalKm, 0, MaxKm)
	c.Range("newClusterStartKm", r.NewClusterStartKm, 0, MaxKm)
	c.Hash("evidenceHash", r.EvidenceHash)
	c.Time("replacedAt", r.ReplacedAt)
	return c.Err()
}

// ClusterReplacement is the stored replacement.
type ClusterReplacement struct {
	OldClusterFinalKm int64     `json:"oldClusterFinalKm"`
	NewClusterStartKm int64     `json:"newClusterStartKm"`
	EvidenceHash      string    `json:"evidenceHash"`
	ReplacedAt        time.Time `json:"replacedAt"`
	TotalKmBefore     int64     `json:"totalKmBefore"`
}

// ServiceRequest is the input of vehicle:RecordService.
type ServiceRequest struct {
	Type         string    `json:"type"`
	OdometerKm   int64     `json:"odometerKm"`
	DocumentHash string    `json:"documentHash"`
	PartSerials  []string  `json:"partSerials,omitempty" metadata:",optional"`
	PerformedAt  time.Time `json:"performedAt"`
	// RecallID names the recall a recall-remedy closes.
	RecallID string `json:"recallId,omitempty" metadata:",optional"`
}

// Validate checks the fields.
func (r ServiceRequest) Validate() error {
	var c rules.Checker
	c.OneOf("type", r.Type, ServiceTypes)
	c.Range("odometerKm", r.OdometerKm, 0, MaxKm)
	c.Hash("documentHash", r.DocumentHash)
	if len(r.PartSerials) > MaxPartSerials {
		c.Fail("partSerials", "max_items", "must list at most %d serials, got %d", MaxPartSerials, len(r.PartSerials))
	}
	for _, s := range r.PartSerials {
		c.Text("partSerials[]", s, MaxSerial)
	}
	c.Time("performedAt", r.PerformedAt)
	if r.Type == "recall-remedy" {
		c.Text("recallId", r.RecallID, MaxRef)
	} else if r.RecallID != "" {
		c.Fail("recallId", "only_for_recall_remedy", "is only allowed on a recall-remedy")
	}
	return c.Err()
}

// ServiceRecord is the stored service.
type ServiceRecord struct {
	Type         string    `json:"type"`
	OdometerKm   int64     `json:"odometerKm"`
	DocumentHash string    `json:"documentHash"`
	PartSerials  []string  `json:"partSerials"`
	PerformedAt  time.Time `json:"performedAt"`
	RecallID     string    `json:"recallId,omitempty" metadata:",optional"`
}

// BatteryRequest is the input of vehicle:RecordBatteryReport.
type BatteryRequest struct {
	StateOfHealthPct     float64   `json:"stateOfHealthPct"`
	RemainingCapacityKWh float64   `json:"remainingCapacityKWh"`
	CycleCount           int64     `json:"cycleCount"`
	Status               string    `json:"status"`
	ReportedAt           time.Time `json:"reportedAt"`
}

// Validate checks the fields.
func (r BatteryRequest) Validate() error {
	var c rules.Checker
	if r.StateOfHealthPct < 0 || r.StateOfHealthPct > 100 {
		c.Fail("stateOfHealthPct", "range", "must be between 0 and 100, got %g", r.StateOfHealthPct)
	}
	if r.RemainingCapacityKWh < 0 || r.RemainingCapacityKWh > 1000 {
		c.Fail("remainingCapacityKWh", "range", "must be between 0 and 1000, got %g", r.RemainingCapacityKWh)
	}
	c.Range("cycleCount", r.CycleCount, 0, 1_000_000)
	c.OneOf("status", r.Status, BatteryStatuses)
	c.Time("reportedAt", r.ReportedAt)
	return c.Err()
}

// BatteryReport is the stored report; the request's fields as recorded.
type BatteryReport = BatteryRequest

// IncidentRequest is the input of vehicle:RecordIncident.
type IncidentRequest struct {
	Date             time.Time `json:"date"`
	Severity         string    `json:"severity"`
	Airbag           bool      `json:"airbagDeployed"`
	StructuralDamage bool      `json:"structuralDamage"`
	ClaimRef         string    `json:"claimRef"`
}

// Validate checks the fields.
func (r IncidentRequest) Validate() error {
	var c rules.Checker
	c.Time("date", r.Date)
	c.OneOf("severity", r.Severity, Severities)
	c.Text("claimRef", r.ClaimRef, MaxRef)
	return c.Err()
}

// Incident is the stored incident.
type Incident = IncidentRequest

// BrandRequest is the input of vehicle:BrandTitle.
type BrandRequest struct {
	Brand    string    `json:"brand"`
	Date     time.Time `json:"date"`
	ClaimRef string    `json:"claimRef"`
}

// Validate checks the fields.
func (r BrandRequest) Validate() error {
	var c rules.Checker
	c.OneOf("brand", r.Brand, TitleBrands)
	c.Time("date", r.Date)
	c.Text("claimRef", r.ClaimRef, MaxRef)
	return c.Err()
}

// TitleBrand is the stored brand.
type TitleBrand = BrandRequest

// Transfer is the stored public part of an ownership transfer.
type Transfer struct {
	SaleDate   time.Time `json:"saleDate"`
	OdometerKm int64     `json:"odometerKm"`
	UseType    string    `json:"useType"`
	OwnerNo    int       `json:"ownerNo"`
}

// PartChange is a part installed in or removed from the car.
type PartChange struct {
	Serial     string `json:"serial"`
	PartNumber string `json:"partNumber"`
	Batch      string `json:"batch"`
}

// Receipt answers a write that appended one event.
type Receipt struct {
	VIN  string `json:"vin"`
	Seq  int64  `json:"seq"`
	Type string `json:"type"`
}
