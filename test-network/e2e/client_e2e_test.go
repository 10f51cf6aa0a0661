//go:build e2e

package e2e

import (
	"testing"
	"time"

	"github.com/autoledger/autoledger/network/connection"
	"github.com/autoledger/autoledger/network/fabclient"
	"github.com/hyperledger/fabric-gateway/pkg/client"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
)

// orgClient is a user of one org connected through that org's first peer.
type orgClient struct {
	org     *connection.Org
	gw      *client.Gateway
	network *client.Network
}

var conns = map[string]*grpc.ClientConn{}

// connect returns a gateway for role of org (MSP ID or short name),
// sharing one gRPC connection per peer across identities.
func connect(t testing.TB, org, role string) *orgClient {
	t.Helper()
	o, err := netFile.Org(org)
	require.NoError(t, err)
	conn, ok := conns[o.MSPID]
	if !ok {
		conn, err = fabclient.Dial(o, o.Peers[0])
		require.NoError(t, err)
		conns[o.MSPID] = conn
	}
	gw, err := fabclient.Connect(o, role, conn,
		client.WithEvaluateTimeout(30*time.Second), client.WithEndorseTimeout(30*time.Second),
		client.WithSubmitTimeout(30*time.Second), client.WithCommitStatusTimeout(time.Minute))
	require.NoError(t, err)
	t.Cleanup(func() { gw.Close() })
	return &orgClient{org: o, gw: gw, network: gw.GetNetwork(netFile.Channel)}
}

func (c *orgClient) contract(chaincode string) *client.Contract {
	return c.network.GetContract(chaincode)
}
