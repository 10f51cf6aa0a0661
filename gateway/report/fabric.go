package report

import (
	"context"
	"fmt"

	"github.com/autoledger/autoledger/gateway/auth"
	"github.com/autoledger/autoledger/gateway/fabric"
	"github.com/hyperledger/fabric-gateway/pkg/client"
	"github.com/hyperledger/fabric-protos-go-apiv2/gateway"
	"google.golang.org/protobuf/proto"
)

// Pool is what FabricNetwork needs of *fabric.Pool.
type Pool interface {
	Evaluate(ctx context.Context, pr auth.Principal, function string, args ...string) ([]byte, error)
	Gateway(org, role string) (*client.Gateway, error)
	Channel() string
	Chaincode() string
}

// FabricNetwork is the Network of a gateway's pool. Endorsement reaches
// other orgs' peers through the caller's org's peer: its gateway service
// forwards the proposal to the orgs named (WithEndorsingOrganizations), as
// for the gateway's private data writes, so the gateway needs no
// connection of its own to them.
type FabricNetwork struct{ Pool Pool }

// Evaluate runs a query as pr.
func (f FabricNetwork) Evaluate(ctx context.Context, pr auth.Principal, function string, args ...string) ([]byte, error) {
	return f.Pool.Evaluate(ctx, pr, function, args...)
}

func (f FabricNetwork) network(pr auth.Principal) (*client.Network, error) {
	gw, err := f.Pool.Gateway(pr.Org, pr.Role)
	if err != nil {
		return nil, &fabric.Error{Kind: fabric.Internal, Err: err}
	}
	return gw.GetNetwork(f.Pool.Channel()), nil
}

// Endorse proposes function(args) as pr and collects the endorsements of
// endorsers' peers. The transaction is returned, never submitted: it is
// not signed for the orderer, and no orderer ever sees it.
func (f FabricNetwork) Endorse(ctx context.Context, pr auth.Principal, endorsers []string, function string, args ...string) (Endorsement, error) {
	n, err := f.network(pr)
	if err != nil {
		return Endorsement{}, err
	}
	prop, err := n.GetContract(f.Pool.Chaincode()).NewProposal(function, client.WithArguments(args...), client.WithEndorsingOrganizations(endorsers...))
	if err != nil {
		return Endorsement{}, &fabric.Error{Kind: fabric.Internal, Err: err}
	}
	tx, err := prop.EndorseWithContext(ctx)
	if err != nil {
		return Endorsement{}, fabric.Classify(err, prop.TransactionID())
	}
	// Transaction.Bytes is fabric-gateway's PreparedTransaction: the
	// transaction id and the common.Envelope, which is what any Fabric
	// tool parses, so the bundle carries the envelope alone.
	raw, err := tx.Bytes()
	if err != nil {
		return Endorsement{}, &fabric.Error{Kind: fabric.Internal, Err: err}
	}
	var pt gateway.PreparedTransaction
	if err := proto.Unmarshal(raw, &pt); err != nil {
		return Endorsement{}, &fabric.Error{Kind: fabric.Internal, Err: fmt.Errorf("prepared transaction: %w", err)}
	}
	env, err := proto.Marshal(pt.GetEnvelope())
	if err != nil {
		return Endorsement{}, &fabric.Error{Kind: fabric.Internal, Err: fmt.Errorf("envelope: %w", err)}
	}
	return Endorsement{TxID: tx.TransactionID(), Envelope: env, Result: tx.Result()}, nil
}

// ConfigBlock asks cscc, the configuration system chaincode, for the
// channel's latest configuration block (qscc has no such query).
func (f FabricNetwork) ConfigBlock(ctx context.Context, pr auth.Principal) ([]byte, error) {
	return f.system(ctx, pr, "cscc", "GetConfigBlock", f.Pool.Channel())
}

// BlockByTxID asks qscc for the block holding txID.
func (f FabricNetwork) BlockByTxID(ctx context.Context, pr auth.Principal, txID string) ([]byte, error) {
	return f.system(ctx, pr, "qscc", "GetBlockByTxID", f.Pool.Channel(), txID)
}

// system evaluates a function of a system chaincode (qscc, cscc).
func (f FabricNetwork) system(ctx context.Context, pr auth.Principal, chaincode, function string, args ...string) ([]byte, error) {
	n, err := f.network(pr)
	if err != nil {
		return nil, err
	}
	out, err := n.GetContract(chaincode).EvaluateWithContext(ctx, function, client.WithArguments(args...))
	if err != nil {
		return nil, fabric.Classify(err, "")
	}
	return out, nil
}

// The gateway's pool is what FabricNetwork needs.
var _ Pool = (*fabric.Pool)(nil)
