// Package fabric is the gateway's only door to the network: one gRPC
// connection per peer shared by every identity, one fabric-gateway client
// per (org, role), timeouts on every call, errors classified for HTTP, and
// the submit lifecycle with receipts that survive a restart.
package fabric

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/autoledger/autoledger/gateway/auth"
	"github.com/autoledger/autoledger/gateway/config"
	"github.com/autoledger/autoledger/gateway/metrics"
	"github.com/autoledger/autoledger/network/connection"
	"github.com/autoledger/autoledger/network/fabclient"
	"github.com/hyperledger/fabric-gateway/pkg/client"
	"google.golang.org/grpc"
)

// Pool holds the connections and clients of the orgs this gateway serves.
type Pool struct {
	file     *connection.File
	timeouts config.Timeouts
	orgs     []string

	mu       sync.Mutex
	conns    map[string]*grpc.ClientConn // org MSP ID -> its first peer
	gateways map[[2]string]*client.Gateway

	ready *readiness
}

// NewPool connects to the first peer of every served org. orgs empty
// serves every org of the connection file.
func NewPool(file *connection.File, orgs []string, timeouts config.Timeouts) (*Pool, error) {
	p := &Pool{file: file, timeouts: timeouts, conns: map[string]*grpc.ClientConn{}, gateways: map[[2]string]*client.Gateway{}}
	p.ready = newReadiness(p.probe, readyFor, slog.New(slog.DiscardHandler))
	if len(orgs) == 0 {
		for _, o := range file.Orgs {
			orgs = append(orgs, o.MSPID)
		}
	}
	for _, id := range orgs {
		o, err := file.Org(id)
		if err != nil {
			p.Close()
			return nil, err
		}
		conn, err := fabclient.Dial(o, o.Peers[0])
		if err != nil {
			p.Close()
			return nil, err
		}
		conn.Connect()
		p.conns[o.MSPID] = conn
		p.orgs = append(p.orgs, o.MSPID)
	}
	return p, nil
}

// Orgs are the MSP IDs served.
func (p *Pool) Orgs() []string { return slices.Clone(p.orgs) }

// Channel and Chaincode name what the gateway talks to.
func (p *Pool) Channel() string   { return p.file.Channel }
func (p *Pool) Chaincode() string { return p.file.Chaincode }

// Serves reports whether org is served here.
func (p *Pool) Serves(org string) bool { return slices.Contains(p.orgs, org) }

// Gateway returns the client of (org, role), creating it once.
func (p *Pool) Gateway(org, role string) (*client.Gateway, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	// A second guard behind authentication: a caller's role is one of its org's roles, so the
	// org-admin identity (lifecycle, channel changes) is never signed with for a caller.
	if !auth.RoleOf(org, role) {
		return nil, fmt.Errorf("role %q is not one of %s's roles; the gateway signs only as role users", role, org)
	}
	k := [2]string{org, role}
	if gw, ok := p.gateways[k]; ok {
		return gw, nil
	}
	conn, ok := p.conns[org]
	if !ok {
		return nil, fmt.Errorf("org %s is not served by this gateway", org)
	}
	o, err := p.file.Org(org)
	if err != nil {
		return nil, err
	}
	gw, err := fabclient.Connect(o, role, conn,
		client.WithEvaluateTimeout(p.timeouts.Evaluate), client.WithEndorseTimeout(p.timeouts.Endorse),
		client.WithSubmitTimeout(p.timeouts.Submit), client.WithCommitStatusTimeout(p.timeouts.CommitStatus))
	if err != nil {
		return nil, err
	}
	p.gateways[k] = gw
	return gw, nil
}

func (p *Pool) contract(pr auth.Principal) (*client.Contract, error) {
	gw, err := p.Gateway(pr.Org, pr.Role)
	if err != nil {
		return nil, err
	}
	return gw.GetNetwork(p.file.Channel).GetContract(p.file.Chaincode), nil
}

// Endorse creates req's proposal as req.Principal and gets it endorsed.
// The transaction id is returned even when endorsement fails.
func (p *Pool) Endorse(ctx context.Context, req Request) (string, Endorsed, error) {
	c, err := p.contract(req.Principal)
	if err != nil {
		return "", nil, &Error{Kind: Internal, Err: err}
	}
	opts := []client.ProposalOption{client.WithArguments(req.Args...)}
	if req.Transient != nil {
		opts = append(opts, client.WithTransient(req.Transient))
	}
	if len(req.Endorsers) > 0 {
		opts = append(opts, client.WithEndorsingOrganizations(req.Endorsers...))
	}
	prop, err := c.NewProposal(req.Function, opts...)
	if err != nil {
		return "", nil, &Error{Kind: Internal, Err: err}
	}
	tx, err := prop.EndorseWithContext(ctx)
	if err != nil {
		return prop.TransactionID(), nil, err
	}
	return prop.TransactionID(), endorsed{tx: tx, timeout: p.timeouts.Submit}, nil
}

// endorsed is a fabric-gateway transaction sent with the submit timeout.
type endorsed struct {
	tx      *client.Transaction
	timeout time.Duration
}

func (e endorsed) Result() []byte { return e.tx.Result() }

func (e endorsed) Submit(ctx context.Context) (Commit, error) {
	ctx, cancel := context.WithTimeout(ctx, e.timeout)
	defer cancel()
	c, err := e.tx.SubmitWithContext(ctx)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// Commit rebuilds, as (org, role), the commit of a transaction submitted
// earlier from its Commit.Bytes.
func (p *Pool) Commit(org, role string, b []byte) (Commit, error) {
	gw, err := p.Gateway(org, role)
	if err != nil {
		return nil, err
	}
	c, err := gw.NewCommit(b)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// Evaluate runs a query as pr on pr's org's peer.
func (p *Pool) Evaluate(ctx context.Context, pr auth.Principal, function string, args ...string) ([]byte, error) {
	c, err := p.contract(pr)
	if err != nil {
		return nil, &Error{Kind: Internal, Err: err}
	}
	t0 := time.Now()
	out, err := c.EvaluateWithContext(ctx, function, client.WithArguments(args...))
	metrics.Phase.WithLabelValues("evaluate").Observe(time.Since(t0).Seconds())
	if err != nil {
		return nil, classify(err, "")
	}
	return out, nil
}

// Network returns pr's view of the channel, for event streams.
func (p *Pool) Network(pr auth.Principal) (*client.Network, error) {
	gw, err := p.Gateway(pr.Org, pr.Role)
	if err != nil {
		return nil, err
	}
	return gw.GetNetwork(p.file.Channel), nil
}

// Close closes every client and connection.
func (p *Pool) Close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, gw := range p.gateways {
		gw.Close()
	}
	for _, c := range p.conns {
		c.Close()
	}
}
