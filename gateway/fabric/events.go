package fabric

import (
	"context"
	"fmt"

	"github.com/autoledger/autoledger/gateway/auth"
	"github.com/hyperledger/fabric-gateway/pkg/client"
	"github.com/hyperledger/fabric-protos-go-apiv2/common"
	"google.golang.org/protobuf/proto"
)

// Position is where an event stream starts: after transaction TxID of
// Block when TxID is set (a resume), otherwise at the start of Block.
type Position struct {
	Block uint64
	TxID  string
}

// Height returns the channel's block height as pr's peer sees it: the
// number of the next block.
func (p *Pool) Height(ctx context.Context, pr auth.Principal) (uint64, error) {
	n, err := p.Network(pr)
	if err != nil {
		return 0, err
	}
	out, err := n.GetContract("qscc").EvaluateWithContext(ctx, "GetChainInfo", client.WithArguments(p.file.Channel))
	if err != nil {
		return 0, classify(err, "")
	}
	var info common.BlockchainInfo
	if err := proto.Unmarshal(out, &info); err != nil {
		return 0, fmt.Errorf("decode chain info: %w", err)
	}
	return info.GetHeight(), nil
}

// Events streams the chaincode's events from pos, as pr. The stream ends
// (its channel closes) when ctx ends or the connection to the peer breaks;
// the caller resumes from the last event it delivered.
func (p *Pool) Events(ctx context.Context, pr auth.Principal, pos Position) (<-chan *client.ChaincodeEvent, error) {
	n, err := p.Network(pr)
	if err != nil {
		return nil, err
	}
	var opt client.ChaincodeEventsOption
	if pos.TxID != "" {
		cp := &client.InMemoryCheckpointer{}
		cp.CheckpointTransaction(pos.Block, pos.TxID)
		opt = client.WithCheckpoint(cp)
	} else {
		opt = client.WithStartBlock(pos.Block)
	}
	ch, err := n.ChaincodeEvents(ctx, p.file.Chaincode, opt)
	if err != nil {
		return nil, classify(err, "")
	}
	return ch, nil
}
