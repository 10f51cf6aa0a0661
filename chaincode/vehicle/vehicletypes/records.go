package vehicletypes

import "time"

// EventRecallOpened is the life event of a car that carries a recalled part.
const EventRecallOpened = "RECALL_OPENED"

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

// OffsetAt is the cluster offset in force at t: the offset of the last
// baseline that starts at or before t, or 0 before any replacement.
func (o *OdometerState) OffsetAt(t time.Time) int64 {
	off := int64(0)
	for _, b := range o.Baselines {
		if !t.Before(b.From) {
			off = b.OffsetKm
		}
	}
	return off
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

// RecallCar is one car affected by a recall.
type RecallCar struct {
	RecallID   string    `json:"recallId"`
	VIN        string    `json:"vin"`
	Serial     string    `json:"serial"`
	Open       bool      `json:"open"`
	OpenedAt   time.Time `json:"openedAt"`
	RemediedAt time.Time `json:"remediedAt,omitzero"`
}

// RecallNotice is the life-event detail of an opened recall.
type RecallNotice struct {
	RecallID string `json:"recallId"`
	Serial   string `json:"serial"`
}

// TransferResult is what vehicle.RecordSale appended: the life event, the
// new owner count and the sale's odometer reading.
type TransferResult struct {
	Receipt
	OwnerCount        int             `json:"ownerCount"`
	Reading           OdometerReading `json:"reading"`
	RollbackSuspected bool            `json:"rollbackSuspected"`
}

// Report is the used-car history report, computed from the ledger.
type Report struct {
	VIN                string           `json:"vin"`
	CheckDigitVerified bool             `json:"checkDigitVerified"`
	Manufacturer       string           `json:"manufacturer"`
	Model              string           `json:"model"`
	ModelYear          int              `json:"modelYear"`
	Powertrain         string           `json:"powertrain"`
	RegisteredAt       time.Time        `json:"registeredAt"`
	GeneratedAt        time.Time        `json:"generatedAt"`
	OwnerCount         int              `json:"ownerCount"`
	UseTypes           []string         `json:"useTypes"`
	Odometer           OdometerReport   `json:"odometer"`
	Incidents          []Incident       `json:"incidents"`
	TitleBrands        []TitleBrand     `json:"titleBrands"`
	Services           []ServiceRecord  `json:"services"`
	Battery            *BatteryReport   `json:"battery,omitempty" metadata:",optional"`
	OpenRecalls        []string         `json:"openRecalls"`
	EventCount         int64            `json:"eventCount"`
	Alerts             []string         `json:"alerts"`
	Sources            map[string]int64 `json:"readingsBySource"`
}

// OdometerReport is the odometer timeline with its flags.
type OdometerReport struct {
	LatestTotalKm       int64             `json:"latestTotalKm"`
	MaxTotalKm          int64             `json:"maxTotalKm"`
	RollbackSuspected   bool              `json:"rollbackSuspected"`
	ClusterReplacements int               `json:"clusterReplacements"`
	Timeline            []OdometerReading `json:"timeline"`
}
