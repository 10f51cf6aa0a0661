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
)

// Powertrains (MOBI Vehicle Identity).
var Powertrains = rules.Enum("powertrain", "ICE", "HEV", "PHEV", "BEV", "FCEV")

// UseTypes of a vehicle after a sale.
var UseTypes = rules.Enum("usetype", "private", "rental", "taxi", "fleet")

// OdometerSources are the independent reporters of a reading (Car-Pass).
var OdometerSources = rules.Enum("odometersource", "telematics", "service", "inspection", "sale", "insurance-claim")

// ServiceTypes of a service record.
var ServiceTypes = rules.Enum("servicetype", "maintenance", "repair", "recall-remedy", "inspection")

// MainParts are the systems whose replacement the household-car repair,
// replacement and return rules (SAMR, 2022) count: the first four are the
// ones the 7-day rule names; "transmission" is the drivetrain (传动系统),
// "gearbox" the transmission unit (变速器).
var MainParts = rules.Enum("mainpart", "engine", "gearbox", "traction-battery", "drive-motor",
	"steering", "brakes", "suspension", "transmission", "emission-control", "body")

// MaxDaysOffRoad bounds the days one repair kept a car off the road.
const MaxDaysOffRoad = 365

// BatteryStatuses (EU Regulation 2023/1542).
var BatteryStatuses = rules.Enum("batterystatus", "original", "repurposed", "reused", "remanufactured", "waste")

// Severities of an incident.
var Severities = rules.Enum("severity", "minor", "moderate", "severe")

// TitleBrands a title can carry.
var TitleBrands = rules.Enum("titlebrand", "salvage", "flood", "rebuilt", "total-loss")

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
	// MaxCapacityKWh and MaxCycleCount bound a battery report.
	MaxCapacityKWh = 1000
	MaxCycleCount  = 1_000_000
)

// The validate tags below repeat these limits as literals (a tag cannot
// name a constant); TestTagsMatchTheLimits holds the two together.

// BirthRecord is the vehicle as built (after MOBI Vehicle Identity).
type BirthRecord struct {
	Manufacturer       string    `json:"manufacturer" validate:"required,max=100"`
	Model              string    `json:"model" validate:"required,max=100"`
	ModelYear          int       `json:"modelYear" validate:"min=1980,max=2100"`
	Plant              string    `json:"plant" validate:"required,max=100"`
	ProductionDate     time.Time `json:"productionDate" validate:"required"`
	CountryOfOrigin    string    `json:"countryOfOrigin" validate:"iso3166"`
	Colour             string    `json:"colour" validate:"required,max=100"`
	Powertrain         string    `json:"powertrain" validate:"powertrain"`
	EngineSerial       string    `json:"engineSerial,omitempty" metadata:",optional" validate:"max=64"`
	TransmissionSerial string    `json:"transmissionSerial,omitempty" metadata:",optional" validate:"max=64"`
	BatteryPackID      string    `json:"batteryPackId,omitempty" metadata:",optional" validate:"max=64"`
}

// Electrified reports whether the car has a traction battery.
func (b BirthRecord) Electrified() bool { return b.Powertrain != "" && b.Powertrain != "ICE" }

// RegisterRequest is the input of vehicle:Register.
type RegisterRequest struct {
	VIN   string      `json:"vin" validate:"vin"`
	Birth BirthRecord `json:"birth"`
}

// Validate checks every field that does not depend on the ledger or the
// transaction time: the tags, then the battery pack a powertrain needs.
// The gateway calls it too, before anything reaches Fabric.
func (r RegisterRequest) Validate() error {
	var c rules.Checker
	c.Struct(r)
	if b := r.Birth; (b.Powertrain == "BEV" || b.Powertrain == "PHEV") && b.BatteryPackID == "" {
		c.Fail("birth.batteryPackId", "required_for_powertrain", "is required for a %s", b.Powertrain)
	}
	return c.Err()
}

// TransferRequest is the public facts of a sale, which vehicle.RecordSale
// appends as the OWNERSHIP_TRANSFER life event. The owner contract's sales
// (owner:SellFromStock, owner:Sell) make it from their own requests.
type TransferRequest struct {
	SaleDate   time.Time `json:"saleDate" validate:"required"`
	OdometerKm int64     `json:"odometerKm" validate:"min=0,max=10000000"`
	UseType    string    `json:"useType" validate:"usetype"`
}

// Validate checks the fields: the tags, then the rules across fields.
func (r TransferRequest) Validate() error {
	var c rules.Checker
	c.Struct(r)
	return c.Err()
}

// OwnerTransientKey is the transient field of owner:LinkCustomer carrying
// the dealer's customer reference, a NewOwner as JSON.
const OwnerTransientKey = "owner"

// NewOwner is a dealer's customer reference for an ownership (the owner
// link, owner:LinkCustomer). Every peer and orderer keeps the SHA-256 of
// the owner link, and every other field of that record is public (VIN,
// ownership number, time, org), so without Salt a reference of known shape
// could be found by hashing candidates. Salt is the client's own random value
// (rules.SaltPattern: at least 128 bits), never derived from anything public.
type NewOwner struct {
	OwnerRef string `json:"ownerRef" validate:"ownerref"`
	Salt     string `json:"salt" validate:"salt"`
}

// Validate checks the reference and the salt.
func (o NewOwner) Validate() error {
	var c rules.Checker
	c.Struct(o)
	return c.Err()
}

// OwnerRecord is what the "owners" private data collection stored per VIN
// before ownerships (issue 14).
//
// Deprecated: the owners collection now holds one ownertypes.OwnerLink per
// ownership; this type stays only until the end-to-end suite moves to it.
type OwnerRecord struct {
	SchemaVersion int       `json:"schemaVersion"`
	VIN           string    `json:"vin"`
	OwnerRef      string    `json:"ownerRef"`
	Since         time.Time `json:"since"`
	RecordedBy    string    `json:"recordedBy"`
	// Salt makes the record's public hash unguessable; see NewOwner.
	Salt string `json:"salt"`
}

// OwnerRefPattern is the shape of an owner reference.
const OwnerRefPattern = `^[A-Za-z0-9:_.\-]{8,128}$`

var (
	ownerRefShape = regexp.MustCompile(OwnerRefPattern)
	phoneShape    = regexp.MustCompile(`^\+?[0-9][0-9 ()\-.]{5,}$`)
)

// The ownerref tag is ValidateOwnerRef, for the gateway's transfer body.
func init() {
	rules.Register("ownerref", rules.Tag{Check: ValidateOwnerRef, Facets: map[string]any{"pattern": OwnerRefPattern}})
}

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
	Km         int64     `json:"km" validate:"min=0,max=10000000"`
	Source     string    `json:"source" validate:"odometersource"`
	ObservedAt time.Time `json:"observedAt" validate:"required"`
}

// Validate checks the fields: the tags, then the rules across fields.
func (r OdometerRequest) Validate() error {
	var c rules.Checker
	c.Struct(r)
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
	OldClusterFinalKm int64     `json:"oldClusterFinalKm" validate:"min=0,max=10000000"`
	NewClusterStartKm int64     `json:"newClusterStartKm" validate:"min=0,max=10000000"`
	EvidenceHash      string    `json:"evidenceHash" validate:"sha256"`
	ReplacedAt        time.Time `json:"replacedAt" validate:"required"`
}

// Validate checks the fields: the tags, then the rules across fields.
func (r ClusterRequest) Validate() error {
	var c rules.Checker
	c.Struct(r)
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
	Type         string `json:"type" validate:"servicetype"`
	OdometerKm   int64  `json:"odometerKm" validate:"min=0,max=10000000"`
	DocumentHash string `json:"documentHash" validate:"sha256"`
	// PartSerials are serialised parts the service fitted or worked on:
	// each must be registered and in this car (directly or inside an
	// assembly). Consumables without a serial go in NonSerialisedParts.
	PartSerials        []string      `json:"partSerials,omitempty" metadata:",optional" validate:"max=100,unique,dive,serial"`
	NonSerialisedParts []ServicePart `json:"nonSerialisedParts,omitempty" metadata:",optional" validate:"max=50,dive"`
	PerformedAt        time.Time     `json:"performedAt" validate:"required"`
	// RecallID names the recall a recall-remedy closes.
	RecallID string `json:"recallId,omitempty" metadata:",optional" validate:"max=64"`
	WarrantyFacts
}

// WarrantyFacts are a service's facts the statutory warranty counts
// (benefit:Entitlements). All are optional, so a service recorded before
// they existed, or one with no quality problem, stays valid; a repair
// without a FaultCode is not counted as a quality problem.
type WarrantyFacts struct {
	// FaultCode classifies the quality problem (a DTC or the OEM's code):
	// repairs with the same code are repairs of the same problem.
	FaultCode string `json:"faultCode,omitempty" metadata:",optional" validate:"omitempty,code"`
	// SafetyRelevant marks a fault of the steering or braking system, body
	// cracking, fuel leakage or a traction-battery fire: a serious
	// safety-performance fault.
	SafetyRelevant bool `json:"safetyRelevant,omitempty" metadata:",optional"`
	// DaysOffRoad counts the days the repair kept the car off the road.
	DaysOffRoad int `json:"daysOffRoad,omitempty" metadata:",optional" validate:"min=0,max=365"`
	// MainPartsReplaced lists the main parts (MainParts) the repair replaced.
	MainPartsReplaced []string `json:"mainPartsReplaced,omitempty" metadata:",optional" validate:"max=10,unique,dive,mainpart"`
	// Persists says the problem was still there after this repair.
	Persists bool `json:"persists,omitempty" metadata:",optional"`
}

// ServicePart is a part without a serial (an oil filter, a litre of
// coolant) that a service used, by part number.
type ServicePart struct {
	PartNumber  string `json:"partNumber" validate:"code"`
	Description string `json:"description,omitempty" metadata:",optional" validate:"max=100"`
	Quantity    int64  `json:"quantity" validate:"min=1,max=1000"`
}

// Validate checks the fields: the tags, then the rules across fields.
func (r ServiceRequest) Validate() error {
	var c rules.Checker
	c.Struct(r)
	// A recall remedy names the recall it closes; nothing else may.
	if r.Type == "recall-remedy" {
		c.Required("recallId", r.RecallID)
	} else if r.RecallID != "" {
		c.Fail("recallId", "only_for_recall_remedy", "is only allowed on a recall-remedy")
	}
	// The warranty facts describe a quality problem, which only a repair or
	// a recall remedy fixes, and a replaced part or a lasting problem has
	// one.
	w := r.WarrantyFacts
	if r.Type != "repair" && r.Type != "recall-remedy" && w.any() {
		c.Fail("faultCode", "only_for_repair", "warranty facts are only allowed on a repair or a recall-remedy")
	} else if w.FaultCode == "" && w.any() {
		c.Fail("faultCode", "required_with_warranty_facts", "is required when safetyRelevant, daysOffRoad, mainPartsReplaced or persists is set")
	}
	return c.Err()
}

// ServiceRecord is the stored service.
type ServiceRecord struct {
	Type         string   `json:"type"`
	OdometerKm   int64    `json:"odometerKm"`
	DocumentHash string   `json:"documentHash"`
	PartSerials  []string `json:"partSerials"`
	// NonSerialisedParts is absent on services recorded before it existed.
	NonSerialisedParts []ServicePart `json:"nonSerialisedParts,omitempty" metadata:",optional"`
	PerformedAt        time.Time     `json:"performedAt"`
	RecallID           string        `json:"recallId,omitempty" metadata:",optional"`
	// WarrantyFacts are absent on services recorded before they existed.
	WarrantyFacts
}

// any reports whether any warranty fact is set.
func (w WarrantyFacts) any() bool {
	return w.FaultCode != "" || w.SafetyRelevant || w.DaysOffRoad != 0 || len(w.MainPartsReplaced) > 0 || w.Persists
}

// BatteryRequest is the input of vehicle:RecordBatteryReport.
type BatteryRequest struct {
	StateOfHealthPct     float64   `json:"stateOfHealthPct" validate:"min=0,max=100"`
	RemainingCapacityKWh float64   `json:"remainingCapacityKWh" validate:"min=0,max=1000"`
	CycleCount           int64     `json:"cycleCount" validate:"min=0,max=1000000"`
	Status               string    `json:"status" validate:"batterystatus"`
	ReportedAt           time.Time `json:"reportedAt" validate:"required"`
}

// Validate checks the fields: the tags, then the rules across fields.
func (r BatteryRequest) Validate() error {
	var c rules.Checker
	c.Struct(r)
	return c.Err()
}

// BatteryReport is the stored report; the request's fields as recorded.
type BatteryReport = BatteryRequest

// IncidentRequest is the input of vehicle:RecordIncident.
type IncidentRequest struct {
	Date             time.Time `json:"date" validate:"required"`
	Severity         string    `json:"severity" validate:"severity"`
	Airbag           bool      `json:"airbagDeployed"`
	StructuralDamage bool      `json:"structuralDamage"`
	ClaimRef         string    `json:"claimRef" validate:"required,max=64"`
}

// Validate checks the fields: the tags, then the rules across fields.
func (r IncidentRequest) Validate() error {
	var c rules.Checker
	c.Struct(r)
	return c.Err()
}

// Incident is the stored incident.
type Incident = IncidentRequest

// BrandRequest is the input of vehicle:BrandTitle.
type BrandRequest struct {
	Brand    string    `json:"brand" validate:"titlebrand"`
	Date     time.Time `json:"date" validate:"required"`
	ClaimRef string    `json:"claimRef" validate:"required,max=64"`
}

// Validate checks the fields: the tags, then the rules across fields.
func (r BrandRequest) Validate() error {
	var c rules.Checker
	c.Struct(r)
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
	// Reason is set on a change of owner that is no sale: "repossession"
	// or "court-order" (an exception a majority of the members approved).
	// Such a change has no reading: OdometerKm is 0 and SaleDate is the
	// transaction time.
	Reason string `json:"reason,omitempty" metadata:",optional"`
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
