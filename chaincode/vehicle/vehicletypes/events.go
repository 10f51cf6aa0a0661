package vehicletypes

// Event is the payload of every vehicle chaincode event: the car, the
// sequence number and type of the life event the transaction appended,
// whether the car is suspected of an odometer rollback, and the facts of
// the event, typed by F (one of the types below, named after the event).
type Event[F any] struct {
	VIN               string `json:"vin"`
	Seq               int64  `json:"seq"`
	Type              string `json:"type"`
	Facts             F      `json:"facts"`
	RollbackSuspected bool   `json:"rollbackSuspected"`
}

// VehicleRegistered are the facts of EvVehicleRegistered.
type VehicleRegistered struct {
	Manufacturer       string `json:"manufacturer"`
	Model              string `json:"model"`
	ModelYear          int    `json:"modelYear"`
	Powertrain         string `json:"powertrain"`
	CheckDigitVerified bool   `json:"checkDigitVerified"`
}

// OwnershipTransferred are the facts of EvOwnershipTransferred.
type OwnershipTransferred struct {
	OwnerCount      int    `json:"ownerCount"`
	UseType         string `json:"useType"`
	OdometerKm      int64  `json:"odometerKm"`
	ReadingRollback bool   `json:"readingRollback"`
}

// OdometerRecorded are the facts of EvOdometerRecorded, and of
// EvOdometerRollbackSuspected, its name when the reading is a rollback.
type OdometerRecorded struct {
	Km              int64  `json:"km"`
	TotalKm         int64  `json:"totalKm"`
	Source          string `json:"source"`
	ReadingRollback bool   `json:"readingRollback"`
}

// ClusterReplaced are the facts of EvClusterReplaced.
type ClusterReplaced struct {
	TotalKmBefore     int64 `json:"totalKmBefore"`
	NewClusterStartKm int64 `json:"newClusterStartKm"`
}

// ServiceRecorded are the facts of EvServiceRecorded.
type ServiceRecorded struct {
	ServiceType     string   `json:"serviceType"`
	OdometerKm      int64    `json:"odometerKm"`
	PartSerials     []string `json:"partSerials"`
	ReadingRollback bool     `json:"readingRollback"`
}

// BatteryReported are the facts of EvBatteryReported.
type BatteryReported struct {
	StateOfHealthPct float64 `json:"stateOfHealthPct"`
	Status           string  `json:"status"`
}

// IncidentRecorded are the facts of EvIncidentRecorded.
type IncidentRecorded struct {
	Severity         string `json:"severity"`
	AirbagDeployed   bool   `json:"airbagDeployed"`
	StructuralDamage bool   `json:"structuralDamage"`
}

// TitleBranded are the facts of EvTitleBranded.
type TitleBranded struct {
	Brand       string   `json:"brand"`
	TitleBrands []string `json:"titleBrands"`
}
