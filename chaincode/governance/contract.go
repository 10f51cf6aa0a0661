// Package governance is the contract for consortium-wide settings: values
// no single org may change, such as the business calendar that decides
// every pair's acceptance windows and due dates. A member org's admin
// proposes a value, the admins of other orgs approve it, and when a
// majority of the member orgs approved the same proposal the setting's
// applier puts the value in force in that same transaction.
//
// Each setting is registered with the contract (Setting): how to check a
// proposed value and what part of the setting it replaces, and how to apply
// it. Later consortium-wide settings reuse the same proposals, approvals
// and rules by adding a Setting.
package governance

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/autoledger/autoledger/chaincode/access"
	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/autoledger/autoledger/chaincode/governance/governancetypes"
	"github.com/autoledger/autoledger/chaincode/kit"
	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
)

// Name is the contract's name.
const Name = "governance"

// admins grants the admin of every member org.
var admins = access.EveryMember("admin")

// Policy says who may call each transaction. Only org admins propose,
// approve and withdraw; that a withdrawal comes from the proposer's org is
// checked in the body.
var Policy = access.Policy{
	"governance:Propose":  admins,
	"governance:Approve":  admins,
	"governance:Withdraw": admins,
	"governance:Get":      access.AnyMember(),
	"governance:List":     access.AnyMember(),
}

// Setting is one consortium-wide setting and how it changes.
type Setting struct {
	// Name is the setting's name, one of governancetypes.Settings.
	Name string
	// Prepare checks a proposed value with the setting's own rules and
	// returns its canonical JSON (the form whose hash is approved, so
	// that two spellings of one value are one value) and its scope: the
	// part of the setting the value replaces. It must be deterministic.
	Prepare func(value []byte) (canonical []byte, scope string, err error)
	// Apply puts an approved proposal's value in force. It runs in the
	// approving transaction; an error fails that transaction, approval
	// included.
	Apply func(tx kit.Tx, p governancetypes.Proposal) error
}

// Contract is the governance contract.
type Contract struct {
	kit.Contract
	settings map[string]Setting
}

// NewContract returns the contract with the settings it may change. Every
// name in governancetypes.Settings needs one, and no other is accepted:
// a proposal for a setting nobody can apply would wait for good.
func NewContract(settings []Setting, opts ...kit.Option) (*Contract, error) {
	c := &Contract{Contract: kit.NewContract(Name, Policy, []string{"Get", "List"}, opts...), settings: map[string]Setting{}}
	for _, s := range settings {
		if !slices.Contains(governancetypes.Settings, s.Name) || s.Prepare == nil || s.Apply == nil {
			return nil, fmt.Errorf("governance: setting %q is not in governancetypes.Settings or lacks Prepare or Apply", s.Name)
		}
		if _, dup := c.settings[s.Name]; dup {
			return nil, fmt.Errorf("governance: setting %q registered twice", s.Name)
		}
		c.settings[s.Name] = s
	}
	for _, name := range governancetypes.Settings {
		if _, ok := c.settings[name]; !ok {
			return nil, fmt.Errorf("governance: no applier for setting %q", name)
		}
	}
	return c, nil
}

// Majority is how many of members orgs make a majority: strictly more
// than half (3 of 4, 3 of 5).
func Majority(members int) int { return members/2 + 1 }

// Keys: each proposal under its ID, and for each setting and scope the ID
// of its one open proposal (a newer proposal supersedes an open one, so
// there is never more than one).
const (
	proposalObject = "gov.proposal"
	openObject     = "gov.open"
)

func proposalKey(id string) (string, error) {
	return shim.CreateCompositeKey(proposalObject, []string{id})
}

func openKey(setting, scope string) (string, error) {
	return shim.CreateCompositeKey(openObject, []string{setting, scope})
}

func getProposal(stub shim.ChaincodeStubInterface, id string) (*governancetypes.Proposal, error) {
	return kit.Registered[governancetypes.Proposal](stub, "proposal", "id", id, func(id string) (string, error) {
		if err := governancetypes.ValidateProposalID("id", id); err != nil {
			return "", err
		}
		return proposalKey(id)
	})
}

func putProposal(stub shim.ChaincodeStubInterface, p *governancetypes.Proposal) error {
	k, err := proposalKey(p.ID)
	if err != nil {
		return err
	}
	return kit.PutJSON(stub, k, p)
}

// closeProposal ends an open proposal and forgets it as its setting's open one.
func closeProposal(tx kit.Tx, p *governancetypes.Proposal, status string) error {
	p.Status, p.ClosedAt = status, tx.Time
	k, err := openKey(p.Setting, p.Scope)
	if err != nil {
		return err
	}
	if err := tx.Stub.DelState(k); err != nil {
		return fmt.Errorf("forget open proposal %s: %w", p.ID, err)
	}
	return putProposal(tx.Stub, p)
}

// Propose proposes a new value for a setting; the proposer's org counts as
// its first approval. An open proposal for the same setting and scope is
// superseded: it can no longer be approved.
func (c *Contract) Propose(ctx contractapi.TransactionContextInterface, req governancetypes.ProposalRequest) (*governancetypes.Proposal, error) {
	tx, err := c.Config.Begin(ctx, req)
	if err != nil {
		return nil, err
	}
	s, ok := c.settings[req.Setting]
	if !ok { // NewContract registers every listed setting
		return nil, ccerr.Field(ccerr.InvalidArgument, "setting", "one_of", "no setting %q", req.Setting)
	}
	if _, err := getProposal(tx.Stub, req.ID); err == nil {
		return nil, ccerr.Field(ccerr.AlreadyExists, "id", "unique", "proposal %s already exists", req.ID)
	} else if ccerr.CodeOf(err) != ccerr.NotFound {
		return nil, err
	}
	canonical, scope, err := s.Prepare([]byte(req.Value))
	if err != nil {
		return nil, err
	}
	p := &governancetypes.Proposal{SchemaVersion: kit.SchemaVersion, ID: req.ID, Setting: req.Setting, Scope: scope,
		Value: string(canonical), ValueHash: governancetypes.HashValue(canonical), ProposedBy: tx.Caller.MSP, ProposedAt: tx.Time,
		Approvals: []governancetypes.Approval{{MSP: tx.Caller.MSP, At: tx.Time}}, Status: governancetypes.Open}
	ev := governancetypes.ProposalCreated{ID: p.ID, Setting: p.Setting, Scope: p.Scope, ValueHash: p.ValueHash, By: tx.Caller.MSP}

	k, err := openKey(p.Setting, p.Scope)
	if err != nil {
		return nil, ccerr.Field(ccerr.InvalidArgument, "value", "scope", "scope %q: %v", scope, err)
	}
	var older string
	found, err := kit.GetJSON(tx.Stub, k, &older)
	if err != nil {
		return nil, err
	}
	if found {
		old, err := getProposal(tx.Stub, older)
		if err != nil {
			return nil, fmt.Errorf("open proposal %s of %s %s: %w", older, p.Setting, p.Scope, err)
		}
		old.SupersededBy = p.ID
		if err := closeProposal(tx, old, governancetypes.Superseded); err != nil {
			return nil, err
		}
		ev.Supersedes = old.ID
	}
	if applied, err := c.decide(tx, s, p); err != nil || applied {
		return p, err
	}
	if err := kit.PutJSON(tx.Stub, k, p.ID); err != nil {
		return nil, err
	}
	if err := putProposal(tx.Stub, p); err != nil {
		return nil, err
	}
	return p, kit.Emit(tx.Stub, governancetypes.EvProposalCreated, ev)
}

// beginOn begins a transaction that acts on the stored proposal id.
func (c *Contract) beginOn(ctx contractapi.TransactionContextInterface, id string) (kit.Tx, *governancetypes.Proposal, error) {
	tx, err := c.Config.Begin(ctx)
	if err != nil {
		return kit.Tx{}, nil, err
	}
	p, err := getProposal(tx.Stub, id)
	return tx, p, err
}

// Approve approves an open proposal for the caller's org. Each org approves
// once: a second approval by the same org is refused (ALREADY_EXISTS) and
// never counts twice. The approval that makes a majority of the member
// orgs applies the value in this transaction.
func (c *Contract) Approve(ctx contractapi.TransactionContextInterface, id string) (*governancetypes.Proposal, error) {
	tx, p, err := c.beginOn(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := stillOpen(p); err != nil {
		return nil, err
	}
	if p.Approved(tx.Caller.MSP) {
		return nil, ccerr.New(ccerr.AlreadyExists, "%s has already approved proposal %s; an org approves once", tx.Caller.MSP, id)
	}
	s, ok := c.settings[p.Setting]
	if !ok {
		return nil, ccerr.New(ccerr.FailedPrecondition, "proposal %s sets %q, which this chaincode no longer applies", id, p.Setting)
	}
	p.Approvals = append(p.Approvals, governancetypes.Approval{MSP: tx.Caller.MSP, At: tx.Time})
	if applied, err := c.decide(tx, s, p); err != nil || applied {
		return p, err
	}
	if err := putProposal(tx.Stub, p); err != nil {
		return nil, err
	}
	return p, kit.Emit(tx.Stub, governancetypes.EvProposalApproved, governancetypes.ProposalApproved{ID: p.ID, By: tx.Caller.MSP,
		Approvals: len(p.Approvals), Required: p.Required})
}

// decide sets the approvals p needs, a majority of today's members, and
// applies p once it has them; applied says whether it did, in which case
// p is written and the event set.
func (c *Contract) decide(tx kit.Tx, s Setting, p *governancetypes.Proposal) (applied bool, err error) {
	p.Required = Majority(len(access.Members))
	if countMembers(p) < p.Required {
		return false, nil
	}
	if err := s.Apply(tx, *p); err != nil {
		return false, err
	}
	if err := closeProposal(tx, p, governancetypes.Applied); err != nil {
		return false, err
	}
	return true, kit.Emit(tx.Stub, governancetypes.EvSettingApplied, governancetypes.SettingApplied{ID: p.ID, Setting: p.Setting,
		Scope: p.Scope, ValueHash: p.ValueHash, ApprovedBy: ApprovedBy(*p)})
}

// countMembers counts the approvals of orgs that are members today.
func countMembers(p *governancetypes.Proposal) int {
	n := 0
	for _, a := range p.Approvals {
		if slices.Contains(access.Members, a.MSP) {
			n++
		}
	}
	return n
}

// ApprovedBy lists the orgs that approved p, sorted.
func ApprovedBy(p governancetypes.Proposal) []string {
	out := make([]string, len(p.Approvals))
	for i, a := range p.Approvals {
		out[i] = a.MSP
	}
	slices.Sort(out)
	return out
}

func stillOpen(p *governancetypes.Proposal) error {
	switch p.Status {
	case governancetypes.Open:
		return nil
	case governancetypes.Superseded:
		return ccerr.New(ccerr.FailedPrecondition, "proposal %s was superseded by %s; approve that one instead", p.ID, p.SupersededBy)
	default:
		return ccerr.New(ccerr.FailedPrecondition, "proposal %s is %s, not open", p.ID, p.Status)
	}
}

// Withdraw withdraws an open proposal; only the proposer's org may.
func (c *Contract) Withdraw(ctx contractapi.TransactionContextInterface, id string) (*governancetypes.Proposal, error) {
	tx, p, err := c.beginOn(ctx, id)
	if err != nil {
		return nil, err
	}
	if p.ProposedBy != tx.Caller.MSP {
		return nil, ccerr.New(ccerr.Forbidden, "only %s, which proposed %s, may withdraw it", p.ProposedBy, id)
	}
	if err := stillOpen(p); err != nil {
		return nil, err
	}
	if err := closeProposal(tx, p, governancetypes.Withdrawn); err != nil {
		return nil, err
	}
	return p, kit.Emit(tx.Stub, governancetypes.EvProposalWithdrawn, governancetypes.ProposalWithdrawn{ID: p.ID, By: tx.Caller.MSP})
}

// Get returns a proposal.
func (c *Contract) Get(ctx contractapi.TransactionContextInterface, id string) (*governancetypes.Proposal, error) {
	return getProposal(ctx.GetStub(), id)
}

// List returns the proposals of a setting ("" for every setting), oldest
// first. Proposals are made by people, a handful a year, so the list is
// read whole.
func (c *Contract) List(ctx contractapi.TransactionContextInterface, setting string) ([]governancetypes.Proposal, error) {
	if setting != "" && !slices.Contains(governancetypes.Settings, setting) {
		return nil, ccerr.Field(ccerr.InvalidArgument, "setting", "one_of", "must be one of %v, got %q", governancetypes.Settings, setting)
	}
	it, err := ctx.GetStub().GetStateByPartialCompositeKey(proposalObject, nil)
	if err != nil {
		return nil, fmt.Errorf("list proposals: %w", err)
	}
	all, err := kit.Collect[governancetypes.Proposal](it)
	if err != nil {
		return nil, err
	}
	out := slices.DeleteFunc(all, func(p governancetypes.Proposal) bool { return setting != "" && p.Setting != setting })
	slices.SortStableFunc(out, func(a, b governancetypes.Proposal) int {
		return cmp.Or(a.ProposedAt.Compare(b.ProposedAt), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}
