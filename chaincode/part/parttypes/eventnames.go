package parttypes

// Event names, one per transaction: the name of the chaincode event a
// transaction sets, which the gateway streams and delivers to webhooks.
const (
	EvPartsRegistered = "PartsRegistered"
	EvAssemblyCreated = "AssemblyCreated"
	EvPartShipped     = "PartShipped"
	EvPartReceived    = "PartReceived"
	EvPartInstalled   = "PartInstalled"
	EvPartRemoved     = "PartRemoved"
	EvPartScrapped    = "PartScrapped"
	EvRecallIssued    = "RecallIssued"
	EvRecallApplied   = "RecallApplied"
	EvTermsRecorded   = "TermsRecorded"
)
