package vehicle

// The request, response and record types live in vehicletypes, which the
// gateway imports without linking the chaincode; these aliases keep the
// contract's code and its callers reading vehicle.X.

import (
	"time"

	"github.com/autoledger/autoledger/chaincode/vehicle/vehicletypes"
)

type (
	BirthRecord        = vehicletypes.BirthRecord
	RegisterRequest    = vehicletypes.RegisterRequest
	TransferRequest    = vehicletypes.TransferRequest
	OwnerRecord        = vehicletypes.OwnerRecord
	OdometerRequest    = vehicletypes.OdometerRequest
	OdometerReading    = vehicletypes.OdometerReading
	OdometerResult     = vehicletypes.OdometerResult
	ClusterRequest     = vehicletypes.ClusterRequest
	ClusterReplacement = vehicletypes.ClusterReplacement
	ServiceRequest     = vehicletypes.ServiceRequest
	ServiceRecord      = vehicletypes.ServiceRecord
	BatteryRequest     = vehicletypes.BatteryRequest
	BatteryReport      = vehicletypes.BatteryReport
	IncidentRequest    = vehicletypes.IncidentRequest
	Incident           = vehicletypes.Incident
	BrandRequest       = vehicletypes.BrandRequest
	TitleBrand         = vehicletypes.TitleBrand
	Transfer           = vehicletypes.Transfer
	PartChange         = vehicletypes.PartChange
	Receipt            = vehicletypes.Receipt
)

const (
	EventRegistered         = vehicletypes.EventRegistered
	EventOwnershipTransfer  = vehicletypes.EventOwnershipTransfer
	EventOdometer           = vehicletypes.EventOdometer
	EventClusterReplacement = vehicletypes.EventClusterReplacement
	EventService            = vehicletypes.EventService
	EventBatteryReport      = vehicletypes.EventBatteryReport
	EventIncident           = vehicletypes.EventIncident
	EventTitleBrand         = vehicletypes.EventTitleBrand
	MaxName                 = vehicletypes.MaxName
	MaxRef                  = vehicletypes.MaxRef
	MaxSerial               = vehicletypes.MaxSerial
	MaxPartSerials          = vehicletypes.MaxPartSerials
	MaxKm                   = vehicletypes.MaxKm
	OwnerTransientKey       = vehicletypes.OwnerTransientKey
)

var (
	Powertrains     = vehicletypes.Powertrains
	UseTypes        = vehicletypes.UseTypes
	OdometerSources = vehicletypes.OdometerSources
	ServiceTypes    = vehicletypes.ServiceTypes
	BatteryStatuses = vehicletypes.BatteryStatuses
	Severities      = vehicletypes.Severities
	TitleBrands     = vehicletypes.TitleBrands
)

// Vehicle is the current public state of a VIN. Its life events are stored
// as their own keys; this record keeps the counters and flags a report or
// a rollback check needs without scanning them.
type Vehicle struct {
	SchemaVersion      int         `json:"schemaVersion"`
	VIN                string      `json:"vin"`
	CheckDigitVerified bool        `json:"checkDigitVerified"`
	Birth              BirthRecord `json:"birth"`
	RegisteredAt       time.Time   `json:"registeredAt"`
	RegisteredBy       string      `json:"registeredBy"`
	OwnerCount         int         `json:"ownerCount"`
	UseType            string      `json:"useType,omitempty" metadata:",optional"`
	// Odometer holds the highest reading on record and the cluster baseline.
	Odometer          OdometerState `json:"odometer"`
	RollbackSuspected bool          `json:"rollbackSuspected"`
	TitleBrands       []string      `json:"titleBrands"`
	// OpenRecalls lists the recall IDs open on this car, sorted.
	OpenRecalls []string  `json:"openRecalls,omitempty" metadata:",optional"`
	EventCount  int64     `json:"eventCount"`
	UpdatedAt   time.Time `json:"updatedAt"`
}

// OdometerState is what a new reading is checked against.
type OdometerState struct {
	// MaxTotalKm is the highest total distance on record, observed at MaxObservedAt.
	MaxTotalKm    int64     `json:"maxTotalKm"`
	MaxObservedAt time.Time `json:"maxObservedAt"`
	// LatestObservedAt is the newest observation time of any reading.
	LatestObservedAt time.Time `json:"latestObservedAt"`
	Readings         int64     `json:"readings"`
	// Baselines lists the cluster replacements: from each From on, a
	// displayed reading plus OffsetKm is the total distance.
	Baselines []Baseline `json:"baselines"`
}

// Baseline is the offset in force from one cluster replacement on.
type Baseline struct {
	From     time.Time `json:"from"`
	OffsetKm int64     `json:"offsetKm"`
}

// LifeEvent is one appended fact of a vehicle's life. Exactly one of the
// detail fields is set, matching Type.
type LifeEvent struct {
	SchemaVersion int       `json:"schemaVersion"`
	VIN           string    `json:"vin"`
	Seq           int64     `json:"seq"`
	Type          string    `json:"type"`
	TxID          string    `json:"txId"`
	RecordedAt    time.Time `json:"recordedAt"`
	RecordedBy    string    `json:"recordedBy"`

	Birth    *BirthRecord        `json:"birth,omitempty" metadata:",optional"`
	Transfer *Transfer           `json:"transfer,omitempty" metadata:",optional"`
	Odometer *OdometerReading    `json:"odometer,omitempty" metadata:",optional"`
	Cluster  *ClusterReplacement `json:"cluster,omitempty" metadata:",optional"`
	Service  *ServiceRecord      `json:"service,omitempty" metadata:",optional"`
	Battery  *BatteryReport      `json:"battery,omitempty" metadata:",optional"`
	Incident *Incident           `json:"incident,omitempty" metadata:",optional"`
	Brand    *TitleBrand         `json:"brand,omitempty" metadata:",optional"`
	Recall   *RecallNotice       `json:"recall,omitempty" metadata:",optional"`
	// Part is set by the part contract's installation events.
	Part *PartChange `json:"part,omitempty" metadata:",optional"`
}

// HistoryPage is one page of a vehicle's life events, oldest first.
type HistoryPage struct {
	VIN      string      `json:"vin"`
	Events   []LifeEvent `json:"events"`
	Bookmark string      `json:"bookmark"`
}

// ValidateOwnerRef is vehicletypes.ValidateOwnerRef: the owner reference rule.
func ValidateOwnerRef(ref string) error { return vehicletypes.ValidateOwnerRef(ref) }
