package parttypes

// The payload of each part chaincode event, named after it.

// PartsRegistered is the payload of EvPartsRegistered.
type PartsRegistered struct {
	PartNumber string   `json:"partNumber"`
	Batch      string   `json:"batch"`
	Serials    []string `json:"serials"`
	Holder     string   `json:"holder"`
}

// AssemblyCreated is the payload of EvAssemblyCreated.
type AssemblyCreated struct {
	Serial   string   `json:"serial"`
	Children []string `json:"children"`
	Holder   string   `json:"holder"`
}

// PartShipped is the payload of EvPartShipped.
type PartShipped struct {
	Serial      string `json:"serial"`
	From        string `json:"from"`
	To          string `json:"to"`
	ShipmentRef string `json:"shipmentRef"`
}

// PartReceived is the payload of EvPartReceived.
type PartReceived struct {
	Serial      string `json:"serial"`
	From        string `json:"from"`
	Holder      string `json:"holder"`
	ShipmentRef string `json:"shipmentRef"`
}

// PartInstalled is the payload of EvPartInstalled.
type PartInstalled struct {
	Serial string `json:"serial"`
	VIN    string `json:"vin"`
	By     string `json:"by"`
}

// PartRemoved is the payload of EvPartRemoved.
type PartRemoved struct {
	Serial string `json:"serial"`
	VIN    string `json:"vin"`
	Holder string `json:"holder"`
}

// PartScrapped is the payload of EvPartScrapped.
type PartScrapped struct {
	Serial string `json:"serial"`
	By     string `json:"by"`
}

// RecallIssued is the payload of EvRecallIssued: the recall's part number
// and batch range, and its first chunk as RecallApplied tells one.
type RecallIssued struct {
	PartNumber string `json:"partNumber"`
	BatchFrom  string `json:"batchFrom"`
	BatchTo    string `json:"batchTo"`
	RecallApplied
}

// RecallApplied is the payload of EvRecallApplied: the parts flagged so
// far, the cars that got an open recall in this transaction, and whether
// every part of the recall is flagged.
type RecallApplied struct {
	RecallID     string   `json:"recallId"`
	PartsFlagged int64    `json:"partsFlagged"`
	CarsOpened   []string `json:"carsOpened"`
	Complete     bool     `json:"complete"`
}

// TermsRecorded is the payload of EvTermsRecorded.
type TermsRecorded struct {
	PartNumber string `json:"partNumber"`
	Batch      string `json:"batch"`
}
