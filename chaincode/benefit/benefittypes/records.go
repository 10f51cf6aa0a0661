package benefittypes

import (
	"time"

	"github.com/autoledger/autoledger/chaincode/rules"
)

// Rules is the rule tag of a claim: one of the rule IDs.
var Rules = rules.Enum("warrantyrule", RuleIDs...)

// Claim decisions.
const (
	Accepted = "accepted"
	Refused  = "refused"
)

// Event names of the benefit contract.
const (
	EvWarrantyTermsSet      = "WarrantyTermsSet"
	EvDeliveryRecorded      = "DeliveryRecorded"
	EvWarrantyClaimRecorded = "WarrantyClaimRecorded"
)

// ClaimRequest is the input of benefit:RecordWarrantyClaim: the rule a
// dealer claims under, the service record (life-event seq) it claims for,
// and the SHA-256 of its claim document.
type ClaimRequest struct {
	Rule         string `json:"rule" validate:"warrantyrule"`
	ServiceSeq   int64  `json:"serviceSeq" validate:"min=1,max=1000000000"`
	EvidenceHash string `json:"evidenceHash" validate:"sha256"`
}

// Validate checks the fields.
func (r ClaimRequest) Validate() error {
	var c rules.Checker
	c.Struct(r)
	return c.Err()
}

// WarrantyClaim is a recorded claim and its decision (public).
type WarrantyClaim struct {
	SchemaVersion int    `json:"schemaVersion"`
	VIN           string `json:"vin"`
	// ID is the transaction that recorded it.
	ID           string `json:"id"`
	Rule         string `json:"rule"`
	ServiceSeq   int64  `json:"serviceSeq"`
	EvidenceHash string `json:"evidenceHash"`
	// Decision is Accepted or Refused; Reason is the deciding rule's words.
	Decision   string    `json:"decision"`
	Reason     string    `json:"reason"`
	RecordedBy string    `json:"recordedBy"`
	RecordedAt time.Time `json:"recordedAt"`
}

// Delivery is the day the dealer handed a car to its first owner (public).
type Delivery struct {
	SchemaVersion int    `json:"schemaVersion"`
	VIN           string `json:"vin"`
	// Date is the calendar day in China, YYYY-MM-DD.
	Date       string    `json:"date"`
	RecordedBy string    `json:"recordedBy"`
	RecordedAt time.Time `json:"recordedAt"`
}

// ParseDate reads a YYYY-MM-DD calendar day in China; field names it in the error.
func ParseDate(field, s string) (time.Time, error) {
	d, err := time.ParseInLocation(DateLayout, s, China)
	if err != nil {
		var c rules.Checker
		c.Fail(field, "date", "must be a date as YYYY-MM-DD, got %q", s)
		return time.Time{}, c.Err()
	}
	return d, nil
}

// WarrantyTermsSet are the facts of EvWarrantyTermsSet.
type WarrantyTermsSet struct {
	Manufacturer string `json:"manufacturer"`
	Model        string `json:"model"`
}

// DeliveryRecorded are the facts of EvDeliveryRecorded.
type DeliveryRecorded struct {
	VIN  string `json:"vin"`
	Date string `json:"date"`
}

// WarrantyClaimRecorded are the facts of EvWarrantyClaimRecorded.
type WarrantyClaimRecorded struct {
	VIN        string `json:"vin"`
	ID         string `json:"id"`
	Rule       string `json:"rule"`
	ServiceSeq int64  `json:"serviceSeq"`
	Decision   string `json:"decision"`
}
