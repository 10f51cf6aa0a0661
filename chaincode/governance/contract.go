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
	"fmt"
	"slices"
	"strings"

	"github.com/autoledger/autoledger/chaincode/access"
	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/autoledger/autoledger/chaincode/governance/governancetypes"
	"github.com/autoledger/autoledger/chaincode/kit"
	"github.com/autoledger/autoledger/chaincode/rules"
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

// Keys: each proposal under its ID, and for each setting, org and scope
// the ID of that org's one open proposal for the scope. Orgs' proposals
// for one scope stand side by side: an org's newer proposal supersedes
// only its own, and the one applied closes the others.
const (
	proposalObject = "gov.proposal"
	openObject     = "gov.open"
)

func proposalKey(id string) (string, error) {
	return shim.CreateCompositeKey(proposalObject, []string{id})
}

func openKey(setting, msp, scope string) (string, error) {
	return shim.CreateCompositeKey(openObject, []string{setting, msp, scope})
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

// closeProposal ends an open proposal and forgets it as its org's open one.
func closeProposal(tx kit.Tx, p *governancetypes.Proposal, status string) error {
	p.Status, p.ClosedAt = status, tx.Time
	k, err := openKey(p.Setting, p.ProposedBy, p.Scope)
	if err != nil {
		return err
	}
	if err := tx.Stub.DelState(k); err != nil {
		return fmt.Errorf("forget open proposal %s: %w", p.ID, err)
	}
	return putProposal(tx.Stub, p)
}

// openIDs returns the IDs of the open proposals of a setting, of one org
// when msp is set, in key order. There are at most MaxOpenPerOrg per org.
func openIDs(stub shim.ChaincodeStubInterface, setting, msp string) ([]string, error) {
	attrs := []string{setting}
	if msp != "" {
		attrs = append(attrs, msp)
	}
	it, err := stub.GetStateByPartialCompositeKey(openObject, attrs)
	if err != nil {
		return nil, fmt.Errorf("list open proposals of %s: %w", setting, err)
	}
	return kit.Collect[string](it)
}

// Propose proposes a new value for a setting; the proposer's org counts as
// its first approval. The org's own open proposal for the same setting and
// scope is superseded: it can no longer be approved. Other orgs' proposals
// are not touched: no org may close another's.
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

	k, err := openKey(p.Setting, p.ProposedBy, p.Scope)
	if err != nil {
		return nil, ccerr.Field(ccerr.InvalidArgument, "value", "scope", "scope %q: %v", scope, err)
	}
	var older string
	found, err := kit.GetJSON(tx.Stub, k, &older)
	if err != nil {
		return nil, err
	}
	mine, err := openIDs(tx.Stub, p.Setting, p.ProposedBy)
	if err != nil {
		return nil, err
	}
	// The proposal this one supersedes does not count against the cap.
	if found {
		mine = slices.DeleteFunc(mine, func(id string) bool { return id == older })
	}
	if len(mine) >= governancetypes.MaxOpenPerOrg {
		return nil, ccerr.New(ccerr.FailedPrecondition, "%s already has %d open proposals for %s, the most an org may have; withdraw one first",
			p.ProposedBy, len(mine), p.Setting)
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
// p is written, every other org's open proposal for the same setting and
// scope is superseded by it, and the event set.
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
	ev := governancetypes.SettingApplied{ID: p.ID, Setting: p.Setting, Scope: p.Scope, ValueHash: p.ValueHash, ApprovedBy: ApprovedBy(*p)}
	// At most MaxOpenPerOrg per org, so this reads a handful of proposals.
	open, err := openIDs(tx.Stub, p.Setting, "")
	if err != nil {
		return false, err
	}
	for _, id := range open {
		if id == p.ID {
			continue
		}
		rival, err := getProposal(tx.Stub, id)
		if err != nil {
			return false, fmt.Errorf("open proposal %s of %s: %w", id, p.Setting, err)
		}
		// Only an open proposal of the same scope is closed: an index entry left by an
		// older layout never turns a decided proposal into a superseded one.
		if rival.Scope != p.Scope || rival.Status != governancetypes.Open {
			continue
		}
		rival.SupersededBy = p.ID
		if err := closeProposal(tx, rival, governancetypes.Superseded); err != nil {
			return false, err
		}
		ev.Superseded = append(ev.Superseded, rival.ID)
	}
	return true, kit.Emit(tx.Stub, governancetypes.EvSettingApplied, ev)
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
		return ccerr.New(ccerr.FailedPrecondition, "proposal %s was superseded by %s", p.ID, p.SupersededBy)
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

// List returns a page of the proposals of a setting ("" for every
// setting) in ID order. pageSize is rules.MinPageSize to
// rules.MaxPageSize; bookmark is "" or the previous page's. The page is
// read before it is filtered by setting, so a page may hold fewer than
// pageSize proposals: read on while the bookmark is not "".
func (c *Contract) List(ctx contractapi.TransactionContextInterface, setting string, pageSize int32, bookmark string) (*governancetypes.ProposalPage, error) {
	if setting != "" && !slices.Contains(governancetypes.Settings, setting) {
		return nil, ccerr.Field(ccerr.InvalidArgument, "setting", "one_of", "must be one of %v, got %q", governancetypes.Settings, setting)
	}
	if pageSize < rules.MinPageSize || pageSize > rules.MaxPageSize {
		return nil, ccerr.Field(ccerr.PageLimitExceeded, "pageSize", "range", "must be between %d and %d, got %d", rules.MinPageSize, rules.MaxPageSize, pageSize)
	}
	stub := ctx.GetStub()
	prefix, err := shim.CreateCompositeKey(proposalObject, nil)
	if err != nil {
		return nil, err
	}
	// The peer starts a page at the bookmark whatever it is; one of other
	// keys would page through them.
	if bookmark != "" && !strings.HasPrefix(bookmark, prefix) {
		return nil, ccerr.Field(ccerr.InvalidArgument, "bookmark", "belongs_to_list", "is not a bookmark of the proposals")
	}
	it, md, err := stub.GetStateByPartialCompositeKeyWithPagination(proposalObject, nil, pageSize, bookmark)
	if err != nil {
		return nil, fmt.Errorf("page proposals: %w", err)
	}
	all, err := kit.Collect[governancetypes.Proposal](it)
	if err != nil {
		return nil, fmt.Errorf("page proposals: %w", err)
	}
	out := slices.DeleteFunc(all, func(p governancetypes.Proposal) bool { return setting != "" && p.Setting != setting })
	return &governancetypes.ProposalPage{Proposals: out, Bookmark: md.GetBookmark()}, nil
}
