package governancetypes

// Event names, one per transaction: the name of the chaincode event a
// governance transaction sets, which the gateway streams and delivers to
// webhooks.
const (
	EvProposalCreated   = "ProposalCreated"
	EvProposalApproved  = "ProposalApproved"
	EvSettingApplied    = "SettingApplied"
	EvProposalWithdrawn = "ProposalWithdrawn"
)

// ProposalCreated is the payload of EvProposalCreated. Supersedes names
// the proposer's own open proposal for the same setting and scope that
// this one replaced.
type ProposalCreated struct {
	ID         string `json:"id"`
	Setting    string `json:"setting"`
	Scope      string `json:"scope"`
	ValueHash  string `json:"valueHash"`
	By         string `json:"by"`
	Supersedes string `json:"supersedes,omitempty"`
}

// ProposalApproved is the payload of EvProposalApproved: an approval that
// did not yet make a majority.
type ProposalApproved struct {
	ID        string `json:"id"`
	By        string `json:"by"`
	Approvals int    `json:"approvals"`
	Required  int    `json:"required"`
}

// SettingApplied is the payload of EvSettingApplied: the approval that made
// the majority, and the value now in force. Superseded names the other
// orgs' open proposals for the same setting and scope, closed by it.
type SettingApplied struct {
	ID         string   `json:"id"`
	Setting    string   `json:"setting"`
	Scope      string   `json:"scope"`
	ValueHash  string   `json:"valueHash"`
	ApprovedBy []string `json:"approvedBy"`
	Superseded []string `json:"superseded,omitempty"`
}

// ProposalWithdrawn is the payload of EvProposalWithdrawn.
type ProposalWithdrawn struct {
	ID string `json:"id"`
	By string `json:"by"`
}
