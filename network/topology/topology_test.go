package topology_test

import (
	"fmt"
	"testing"

	"github.com/autoledger/autoledger/network/topology"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Natively every node listens on 127.0.0.1, so no two may share a port.
func TestEveryPortIsUsedOnce(t *testing.T) {
	used := map[int]string{}
	use := func(port int, what string) {
		t.Helper()
		assert.Positive(t, port, what)
		if other, ok := used[port]; ok {
			t.Errorf("port %d is used by %s and %s", port, other, what)
		}
		used[port] = what
	}
	o := topology.Ordering
	use(o.CAPort, "ca-orderer")
	use(o.CAPort+topology.CAOperationsOffset, "ca-orderer operations")
	for _, n := range o.Orderers {
		use(n.Port, n.Name)
		use(n.AdminPort, n.Name+" admin")
		use(n.OperationsPort, n.Name+" operations")
	}
	for _, org := range topology.Orgs {
		use(org.CAPort, "ca-"+org.Name)
		use(org.CAPort+topology.CAOperationsOffset, "ca-"+org.Name+" operations")
		use(org.GatewayPort, "gateway-"+org.Name)
		for _, p := range org.Peers {
			use(p.Port, p.Name+"."+org.Name)
			use(p.ChaincodePort, p.Name+"."+org.Name+" chaincode")
			use(p.OperationsPort, p.Name+"."+org.Name+" operations")
		}
		for _, cc := range topology.Chaincodes {
			use(org.ChaincodePorts[cc], fmt.Sprintf("%s server of %s", cc, org.Name))
		}
		assert.Len(t, org.ChaincodePorts, len(topology.Chaincodes), "%s: a server per chaincode, no more", org.Name)
	}
}

func TestOrgsAreComplete(t *testing.T) {
	seen := map[string]bool{topology.Ordering.Name: true, topology.Ordering.MSPID: true}
	for _, o := range topology.Orgs {
		for _, id := range []string{o.Name, o.MSPID} {
			assert.False(t, seen[id], "%s is used twice", id)
			seen[id] = true
		}
		assert.Regexp(t, `^[a-z]+$`, o.Name, "the short name is a directory, a host label and an env var suffix")
		assert.Regexp(t, `^[A-Z][A-Za-z]*MSP$`, o.MSPID)
		assert.NotEmpty(t, o.Peers, o.Name)
		assert.Contains(t, o.Roles, "admin", "%s: every org administers its own parties", o.Name)
		peers := map[string]bool{}
		for _, p := range o.Peers {
			assert.False(t, peers[p.Name], "%s: peer %s twice", o.Name, p.Name)
			peers[p.Name] = true
		}
	}
}

func TestHostsAndEndpoints(t *testing.T) {
	o, err := topology.Lookup("DealerMSP")
	require.NoError(t, err)
	assert.Equal(t, "dealer", o.Name)
	assert.Equal(t, "ca.dealer.autoledger", topology.CAHost("dealer"))
	assert.Equal(t, "peer0.dealer.autoledger", topology.PeerHost("dealer", "peer0"))
	assert.Equal(t, "orderer2.autoledger", topology.OrdererHost("orderer2"))
	assert.Equal(t, "autoledger-cc.dealer.autoledger", topology.ChaincodeHost("autoledger", "dealer"))
	assert.Equal(t, "gateway.dealer.autoledger", topology.GatewayHost("dealer"))
	assert.Equal(t, "127.0.0.1:7354", o.CAEndpoint(topology.Native))
	assert.Equal(t, "ca.dealer.autoledger:7354", o.CAEndpoint(topology.Compose))
	assert.Equal(t, "127.0.0.1:9051", o.PeerEndpoint(o.Peers[0], topology.Native))
	assert.Equal(t, "peer0.dealer.autoledger:9051", o.PeerEndpoint(o.Peers[0], topology.Compose))
	_, err = topology.Lookup("NoSuchMSP")
	assert.ErrorContains(t, err, `no org "NoSuchMSP"`)
	ids := topology.MSPIDs()
	require.Len(t, ids, len(topology.Orgs))
	for i, o := range topology.Orgs {
		assert.Equal(t, o.MSPID, ids[i])
	}
}
