package vehicletypes

import (
	"regexp"
	"time"

	"github.com/autoledger/autoledger/chaincode/ccerr"
)

// AttestedReportFormat names the format of vehicle:AttestedReport's answer.
const AttestedReportFormat = "autoledger-attested-report/v1"

// Challenge bounds: a buyer's random challenge is 32-128 lower-case hex
// characters (128-512 bits).
const (
	MinChallenge = 32
	MaxChallenge = 128
)

var challengeShape = regexp.MustCompile(`^[0-9a-f]{32,128}$`)

// ValidateChallenge checks an attested report's challenge (field
// challenge, rule challenge).
func ValidateChallenge(challenge string) error {
	if !challengeShape.MatchString(challenge) {
		return ccerr.Field(ccerr.InvalidArgument, "challenge", "challenge", "must be %d-%d lower-case hex characters, got %d characters", MinChallenge, MaxChallenge, len(challenge))
	}
	return nil
}

// AttestedReport answers vehicle:AttestedReport: the history report bound
// to the channel and to a challenge the buyer chose, so that a majority
// of member orgs' endorsements over it prove a fresh report of this car on
// this channel (docs/verification.md). Facts name the transaction of each
// life event the report was computed from.
type AttestedReport struct {
	// Format is AttestedReportFormat.
	Format    string `json:"format"`
	Channel   string `json:"channel"`
	VIN       string `json:"vin"`
	Challenge string `json:"challenge"`
	// AsOf is the proposal's timestamp, the time the report is as of.
	AsOf time.Time `json:"asOf"`
	// Report is exactly what vehicle:Report answers at the same time.
	Report Report `json:"report"`
	// Facts are every life event of the car, oldest first (by seq).
	Facts []ReportFact `json:"facts"`
}

// ReportFact is one life event an attested report was computed from: its
// sequence number and type, and the transaction that recorded it.
type ReportFact struct {
	Seq        int64     `json:"seq"`
	Type       string    `json:"type"`
	TxID       string    `json:"txId"`
	RecordedAt time.Time `json:"recordedAt"`
	RecordedBy string    `json:"recordedBy"`
}
