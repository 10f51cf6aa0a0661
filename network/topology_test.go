package network_test

// The files that restate the topology for their tools, held to package
// topology: the shell variables of test-network/scripts/common.sh (and the
// gateway ports of compose.sh), network/configtx.yaml, the members of
// chaincode/access and the collections. docker-compose.yaml is checked in
// compose_test.go. Adding an org to the topology makes these tests name
// each place still missing it.

import (
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/autoledger/autoledger/chaincode/access"
	"github.com/autoledger/autoledger/chaincode/collections"
	"github.com/autoledger/autoledger/network/topology"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
)

// shellTopology prints what the scripts know of the topology, one fact a
// line, by sourcing them as network.sh does.
const shellTopology = `
set -eu
source test-network/scripts/common.sh
source test-network/scripts/compose.sh
echo "domain $DOMAIN"
echo "channel $CHANNEL chaincode $CHAINCODE"
echo "orgs ${ORGS[*]}"
for o in orderer "${ORGS[@]}"; do echo "org $o ${MSP[$o]} ${CA_PORT[$o]} $(node_host ca "" "$o")"; done
for o in "${ORGS[@]}"; do
	echo "roles $o ${ROLES[$o]}"
	echo "gateway $o ${GATEWAY_PORT[$o]} $(node_host gateway "" "$o")"
done
for l in "${PEERS[@]}"; do read -r o n p c x <<<"$l"; echo "peer $o $n $p $c $x $(node_host peer "$n" "$o")"; done
for l in "${ORDERERS[@]}"; do read -r n p a x <<<"$l"; echo "orderer $n $p $a $x $(node_host orderer "$n")"; done
for l in "${CC_SERVERS[@]}"; do read -r c o p <<<"$l"; echo "ccserver $c $o $p $(node_host chaincode "$c" "$o")"; done
for v in MSP CA_PORT ROLES GATEWAY_PORT; do declare -n a=$v; k=("${!a[@]}"); echo "keys $v $(printf '%s\n' "${k[@]}" | sort | tr '\n' ' ')"; done
`

// topologyFacts is what shellTopology must print.
func topologyFacts() []string {
	o := topology.Ordering
	facts := []string{"domain " + topology.Domain, fmt.Sprintf("channel %s chaincode %s", topology.Channel, topology.Chaincode)}
	names := []string{}
	for _, org := range topology.Orgs {
		names = append(names, org.Name)
	}
	facts = append(facts, "orgs "+strings.Join(names, " "))
	facts = append(facts, fmt.Sprintf("org %s %s %d %s", o.Name, o.MSPID, o.CAPort, topology.CAHost(o.Name)))
	for _, org := range topology.Orgs {
		facts = append(facts, fmt.Sprintf("org %s %s %d %s", org.Name, org.MSPID, org.CAPort, topology.CAHost(org.Name)))
	}
	for _, org := range topology.Orgs {
		facts = append(facts, fmt.Sprintf("roles %s %s", org.Name, strings.Join(org.Roles, " ")),
			fmt.Sprintf("gateway %s %d %s", org.Name, org.GatewayPort, topology.GatewayHost(org.Name)))
	}
	for _, org := range topology.Orgs {
		for _, p := range org.Peers {
			facts = append(facts, fmt.Sprintf("peer %s %s %d %d %d %s", org.Name, p.Name, p.Port, p.ChaincodePort, p.OperationsPort,
				topology.PeerHost(org.Name, p.Name)))
		}
	}
	for _, n := range o.Orderers {
		facts = append(facts, fmt.Sprintf("orderer %s %d %d %d %s", n.Name, n.Port, n.AdminPort, n.OperationsPort, topology.OrdererHost(n.Name)))
	}
	for _, cc := range topology.Chaincodes {
		for _, org := range topology.Orgs {
			facts = append(facts, fmt.Sprintf("ccserver %s %s %d %s", cc, org.Name, org.ChaincodePorts[cc], topology.ChaincodeHost(cc, org.Name)))
		}
	}
	sortedNames := slices.Sorted(slices.Values(names))
	keys := func(v string, ns []string) string { return "keys " + v + " " + strings.Join(ns, " ") + " " }
	withOrderer := slices.Sorted(slices.Values(append([]string{o.Name}, names...)))
	facts = append(facts, keys("MSP", withOrderer), keys("CA_PORT", withOrderer), keys("ROLES", sortedNames), keys("GATEWAY_PORT", sortedNames))
	return facts
}

func TestShellScriptsMatchTopology(t *testing.T) {
	cmd := exec.Command("bash", "-c", shellTopology)
	cmd.Dir = ".."
	// A caller's AUTOLEDGER_MODE or run directory must not change what is read.
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	got := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	assert.Equal(t, strings.Join(topologyFacts(), "\n"), strings.Join(got, "\n"),
		"test-network/scripts/common.sh (or GATEWAY_PORT in compose.sh) differs from network/topology (- topology, + scripts)")
}

type configtxPolicy struct {
	Type string `yaml:"Type"`
	Rule string `yaml:"Rule"`
}

type configtxOrg struct {
	Name             string                    `yaml:"Name"`
	ID               string                    `yaml:"ID"`
	MSPDir           string                    `yaml:"MSPDir"`
	Policies         map[string]configtxPolicy `yaml:"Policies"`
	OrdererEndpoints []string                  `yaml:"OrdererEndpoints"`
	AnchorPeers      []any                     `yaml:"AnchorPeers"`
}

type configtx struct {
	Organizations []configtxOrg `yaml:"Organizations"`
	Orderer       struct {
		EtcdRaft struct {
			Consenters []struct {
				Host          string `yaml:"Host"`
				Port          int    `yaml:"Port"`
				ClientTLSCert string `yaml:"ClientTLSCert"`
				ServerTLSCert string `yaml:"ServerTLSCert"`
			} `yaml:"Consenters"`
		} `yaml:"EtcdRaft"`
	} `yaml:"Orderer"`
	Application struct {
		Policies map[string]configtxPolicy `yaml:"Policies"`
	} `yaml:"Application"`
	Profiles map[string]struct {
		Orderer struct {
			Organizations []configtxOrg `yaml:"Organizations"`
		} `yaml:"Orderer"`
		Application struct {
			Organizations []configtxOrg `yaml:"Organizations"`
		} `yaml:"Application"`
	} `yaml:"Profiles"`
}

func orgNames(orgs []configtxOrg) []string {
	ns := make([]string, len(orgs))
	for i, o := range orgs {
		ns[i] = o.ID
	}
	return ns
}

func sig(rule string) configtxPolicy { return configtxPolicy{Type: "Signature", Rule: rule} }

func TestConfigtxMatchesTopology(t *testing.T) {
	b, err := os.ReadFile("configtx.yaml")
	require.NoError(t, err)
	var c configtx
	require.NoError(t, yaml.Unmarshal(b, &c))

	o := topology.Ordering
	want := []string{o.MSPID}
	want = append(want, topology.MSPIDs()...)
	require.Equal(t, want, orgNames(c.Organizations), "configtx.yaml Organizations (an org of the topology needs an entry)")
	byID := map[string]configtxOrg{}
	for _, org := range c.Organizations {
		byID[org.ID] = org
	}

	ord := byID[o.MSPID]
	assert.Equal(t, o.MSPID, ord.Name)
	assert.Equal(t, "${RUN}/orgs/"+o.Name+"/msp", ord.MSPDir)
	assert.Equal(t, map[string]configtxPolicy{
		"Readers": sig(fmt.Sprintf("OR('%s.member')", o.MSPID)),
		"Writers": sig(fmt.Sprintf("OR('%s.member')", o.MSPID)),
		"Admins":  sig(fmt.Sprintf("OR('%s.admin')", o.MSPID)),
	}, ord.Policies, o.MSPID)
	var endpoints []string
	for _, n := range o.Orderers {
		endpoints = append(endpoints, fmt.Sprintf("${%s_HOST}:%d", strings.ToUpper(n.Name), n.Port))
	}
	assert.Equal(t, endpoints, ord.OrdererEndpoints, "orderer endpoints")
	require.Len(t, c.Orderer.EtcdRaft.Consenters, len(o.Orderers), "one Raft consenter per orderer")
	for i, n := range o.Orderers {
		cs := c.Orderer.EtcdRaft.Consenters[i]
		cert := fmt.Sprintf("${RUN}/orgs/%s/orderers/%s/tls/server.crt", o.Name, n.Name)
		assert.Equal(t, fmt.Sprintf("${%s_HOST}", strings.ToUpper(n.Name)), cs.Host, n.Name)
		assert.Equal(t, n.Port, cs.Port, n.Name)
		assert.Equal(t, cert, cs.ClientTLSCert, n.Name)
		assert.Equal(t, cert, cs.ServerTLSCert, n.Name)
	}

	for _, org := range topology.Orgs {
		got := byID[org.MSPID]
		m := org.MSPID
		assert.Equal(t, m, got.Name)
		assert.Equal(t, "${RUN}/orgs/"+org.Name+"/msp", got.MSPDir, m)
		assert.Equal(t, map[string]configtxPolicy{
			"Readers":     sig(fmt.Sprintf("OR('%s.admin', '%s.peer', '%s.client')", m, m, m)),
			"Writers":     sig(fmt.Sprintf("OR('%s.admin', '%s.client')", m, m)),
			"Admins":      sig(fmt.Sprintf("OR('%s.admin')", m)),
			"Endorsement": sig(fmt.Sprintf("OR('%s.peer')", m)),
		}, got.Policies, m)
		assert.Empty(t, got.AnchorPeers, "%s: anchor peers are set by config updates after the channel exists (see configtx.yaml)", m)
	}

	assert.Equal(t, configtxPolicy{Type: "ImplicitMeta", Rule: "MAJORITY Endorsement"}, c.Application.Policies["Endorsement"],
		"the chaincode's endorsement policy; TestCollectionsFitTheTopology relies on it")
	p, ok := c.Profiles["AutoLedgerChannel"]
	require.True(t, ok, "profile AutoLedgerChannel")
	assert.Equal(t, []string{o.MSPID}, orgNames(p.Orderer.Organizations))
	assert.Equal(t, topology.MSPIDs(), orgNames(p.Application.Organizations), "the channel's application orgs")
}

// The chaincode's member list is the channel's application orgs, in order:
// AnyMember() grants and payment's per-member grants follow it.
func TestAccessMembersAreTheTopologysOrgs(t *testing.T) {
	assert.Equal(t, topology.MSPIDs(), access.Members, "chaincode/access Members (and its MSP ID constants)")
}

// The roles the network enrols users for are the roles the chaincode
// admits: a role missing from chaincode/access would be refused everywhere,
// one missing from the topology could never be enrolled.
func TestAccessRolesAreTheTopologysRoles(t *testing.T) {
	want := map[string][]string{}
	for _, org := range topology.Orgs {
		want[org.MSPID] = org.Roles
	}
	assert.Equal(t, want, access.Roles, "chaincode/access Roles")
}

// Every collection member is an org of the channel, and a collection
// cannot ask for more peers than its other members have.
func TestCollectionsFitTheTopology(t *testing.T) {
	for _, c := range collections.All {
		others := -1
		for _, m := range c.Members {
			org, err := topology.Lookup(m)
			if !assert.NoError(t, err, "collection %s", c.Name) {
				continue
			}
			others += len(org.Peers)
		}
		assert.LessOrEqual(t, c.RequiredPeerCount, others, "collection %s requires more peers than its members have", c.Name)
		// The chaincode's policy is the channel's MAJORITY Endorsement
		// (TestConfigtxMatchesTopology), and a write to such a collection
		// is endorsed by its members only (the gateway picks them): they
		// must be a majority of the channel's orgs. A sixth org breaks owners.
		if c.EndorsementPolicy() == "" {
			assert.Greater(t, 2*len(c.Members), len(topology.Orgs),
				"collection %s follows the chaincode's MAJORITY policy but its %d members are no majority of %d orgs: give it an endorsement policy",
				c.Name, len(c.Members), len(topology.Orgs))
		}
	}
}
