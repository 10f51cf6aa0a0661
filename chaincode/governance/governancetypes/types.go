// Package governancetypes holds the governance contract's plain types:
// what a client sends and what the ledger keeps, free of the shim so that
// the gateway can use them.
package governancetypes

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"

	"github.com/autoledger/autoledger/chaincode/rules"
)

// The consortium-wide settings that change only by proposal and majority
// approval. Each has an applier registered with the governance contract; a
// test holds this list and the registered appliers equal.
const (
	// SettingPaymentCalendar is one year's business calendar
	// (paymenttypes.CalendarRequest): the working days that decide every
	// pair's acceptance windows and due dates.
	SettingPaymentCalendar = "payment.calendar"
)

// Settings are the names a proposal may set.
var Settings = rules.Enum("setting", SettingPaymentCalendar)

// MaxValueBytes bounds a proposed value's JSON.
const MaxValueBytes = 65536

// MaxOpenPerOrg bounds the open proposals one org may have for one setting
// (one per scope), so that no org can fill the ledger with proposals.
const MaxOpenPerOrg = 5

// The states of a proposal. Only an open proposal can be approved or
// withdrawn; the others are final.
const (
	Open       = "open"
	Applied    = "applied"
	Superseded = "superseded"
	Withdrawn  = "withdrawn"
)

// ProposalRequest proposes a new value for a setting.
type ProposalRequest struct {
	// ID is the proposal's ID, chosen by the proposer (unique for good).
	ID      string `json:"id" validate:"code"`
	Setting string `json:"setting" validate:"setting"`
	// Value is the setting's new value as JSON text: for payment.calendar a
	// CalendarRequest. The setting's own rules check it.
	Value string `json:"value" validate:"required,max=65536"`
}

// Validate checks the fields; a value must be a JSON object.
func (r ProposalRequest) Validate() error {
	var c rules.Checker
	c.Struct(r)
	if v := bytes.TrimSpace([]byte(r.Value)); len(v) > 0 && (v[0] != '{' || !json.Valid(v)) {
		c.Fail("value", "json_object", "must be a JSON object")
	}
	return c.Err()
}

// ValidateProposalID is the rule for a proposal ID (the shared code rule);
// the gateway checks the {id} path parameter with it.
func ValidateProposalID(field, v string) error { return rules.ValidateCode(field, v) }

// Approval is one member org's approval of a proposal.
type Approval struct {
	MSP string    `json:"msp"`
	At  time.Time `json:"at"`
}

// Proposal is a proposed value of a setting and the member orgs that
// approved it. The proposer's org approves by proposing. It takes effect
// when Required orgs (a majority of the members) approved it.
type Proposal struct {
	SchemaVersion int    `json:"schemaVersion"`
	ID            string `json:"id"`
	Setting       string `json:"setting"`
	// Scope is the part of the setting the value replaces ("2027" for that
	// year's calendar): a newer proposal by the same org for the same
	// setting and scope supersedes that org's open one, and the one that is
	// applied supersedes every other org's open one.
	Scope string `json:"scope"`
	// Value is the value in its canonical JSON form; ValueHash its SHA-256
	// (hex), which every approval is an approval of.
	Value      string     `json:"value"`
	ValueHash  string     `json:"valueHash"`
	ProposedBy string     `json:"proposedBy"`
	ProposedAt time.Time  `json:"proposedAt"`
	Approvals  []Approval `json:"approvals"`
	Required   int        `json:"required"`
	Status     string     `json:"status"`
	// SupersededBy names the proposal that superseded this one: the
	// proposer's newer one, or another org's that was applied.
	SupersededBy string `json:"supersededBy,omitempty" metadata:",optional"`
	// ClosedAt is when the proposal was applied, superseded or withdrawn.
	ClosedAt time.Time `json:"closedAt,omitzero" metadata:",optional"`
}

// Approved reports whether msp's org has approved p.
func (p Proposal) Approved(msp string) bool {
	for _, a := range p.Approvals {
		if a.MSP == msp {
			return true
		}
	}
	return false
}

// HashValue is the SHA-256 of a canonical value, as hex.
func HashValue(canonical []byte) string {
	sum := sha256.Sum256(canonical)
	return hex.EncodeToString(sum[:])
}

// ProposalPage is one page of proposals in ID order. Bookmark is "" after
// the last page.
type ProposalPage struct {
	Proposals []Proposal `json:"proposals"`
	Bookmark  string     `json:"bookmark"`
}
