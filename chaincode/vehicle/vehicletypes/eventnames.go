package vehicletypes

// Event names, one per transaction.
const (
	EvVehicleRegistered         = "VehicleRegistered"
	EvOwnershipTransferred      = "OwnershipTransferred"
	EvOdometerRecorded          = "OdometerRecorded"
	EvOdometerRollbackSuspected = "OdometerRollbackSuspected"
	EvClusterReplaced           = "ClusterReplaced"
	EvServiceRecorded           = "ServiceRecorded"
	EvBatteryReported           = "BatteryReported"
	EvIncidentRecorded          = "IncidentRecorded"
	EvTitleBranded              = "TitleBranded"
)
