// Package topology describes the AutoLedger network once: its orgs, their
// MSP IDs, CAs, peers, chaincode servers and gateways, the orderers, and the
// names and ports they have. The connection files clients use are produced
// from it (network/cmd/connfile); the files that restate it for other tools
// (test-network/scripts/common.sh, docker-compose.yaml, network/configtx.yaml,
// network/collections_config.json, and the member list of chaincode/access)
// are tested against it in package network, so that a change made in one
// place and not the others fails a unit test naming what is missing.
//
// docs/topology.md explains how to add an org.
package topology

import (
	"fmt"
	"slices"
)

// Domain is the DNS suffix of every node on the compose network; node TLS
// certificates carry these names too.
const Domain = "autoledger"

// Channel and Chaincode are the channel's name and the chaincode's on it.
const (
	Channel   = "autoledger"
	Chaincode = "autoledger"
)

// Chaincodes are the chaincodes each org runs a chaincode server for
// (chaincode as a service); only Chaincode runs in compose.
var Chaincodes = []string{Chaincode, "conformance"}

// CAOperationsOffset is added to a CA's port for its operations endpoint.
const CAOperationsOffset = 10000

// Org is one application organisation.
type Org struct {
	// Name is the short name: directories, container names, CA name ca-<Name>.
	Name  string
	MSPID string
	// CAPort is the Fabric CA's port.
	CAPort int
	// Roles are the roles the org's users are enrolled for (the role
	// attribute of their certificates), one user per role.
	Roles []string
	// Peers are the org's peers; the first is its anchor peer and, in
	// compose, the one the org's other peers bootstrap gossip from.
	Peers []Peer
	// ChaincodePorts is the port of the org's server of each of Chaincodes.
	ChaincodePorts map[string]int
	// GatewayPort is where the org's REST gateway is published in compose
	// (the container listens on 8080).
	GatewayPort int
}

// Peer is one peer of an org.
type Peer struct {
	Name string
	// Port serves clients and gossip, ChaincodePort the chaincode listener,
	// OperationsPort /healthz and /metrics.
	Port, ChaincodePort, OperationsPort int
}

// OrdererOrg is the ordering service's organisation.
type OrdererOrg struct {
	Name     string
	MSPID    string
	CAPort   int
	Orderers []Orderer
}

// Orderer is one Raft orderer.
type Orderer struct {
	Name string
	// Port serves clients and cluster traffic, AdminPort the channel
	// participation API (osnadmin), OperationsPort /healthz.
	Port, AdminPort, OperationsPort int
}

// Ordering is the ordering service.
var Ordering = OrdererOrg{
	Name: "orderer", MSPID: "OrdererMSP", CAPort: 7054,
	Orderers: []Orderer{
		{Name: "orderer1", Port: 7050, AdminPort: 7053, OperationsPort: 8441},
		{Name: "orderer2", Port: 7060, AdminPort: 7063, OperationsPort: 8442},
		{Name: "orderer3", Port: 7070, AdminPort: 7073, OperationsPort: 8443},
	},
}

// Orgs are the channel's application orgs, in the order every file lists them.
var Orgs = []Org{
	{
		Name: "oem", MSPID: "OemMSP", CAPort: 7154,
		Roles:          []string{"production", "telematics", "quality", "finance", "admin", "owner-services"},
		Peers:          []Peer{{Name: "peer0", Port: 7051, ChaincodePort: 7052, OperationsPort: 9441}},
		ChaincodePorts: map[string]int{Chaincode: 9991, "conformance": 9995},
		GatewayPort:    8081,
	},
	{
		Name: "supplier", MSPID: "SupplierMSP", CAPort: 7254,
		Roles:          []string{"production", "logistics", "finance", "admin"},
		Peers:          []Peer{{Name: "peer0", Port: 8051, ChaincodePort: 8052, OperationsPort: 9442}},
		ChaincodePorts: map[string]int{Chaincode: 9992, "conformance": 9996},
		GatewayPort:    8082,
	},
	{
		Name: "dealer", MSPID: "DealerMSP", CAPort: 7354,
		Roles:          []string{"sales", "service", "finance", "admin", "owner-services"},
		Peers:          []Peer{{Name: "peer0", Port: 9051, ChaincodePort: 9052, OperationsPort: 9443}},
		ChaincodePorts: map[string]int{Chaincode: 9993, "conformance": 9997},
		GatewayPort:    8083,
	},
	{
		Name: "insurer", MSPID: "InsurerMSP", CAPort: 7454,
		Roles:          []string{"claims", "underwriting", "admin", "owner-services"},
		Peers:          []Peer{{Name: "peer0", Port: 10051, ChaincodePort: 10052, OperationsPort: 9444}},
		ChaincodePorts: map[string]int{Chaincode: 9994, "conformance": 9998},
		GatewayPort:    8084,
	},
}

// MSPIDs returns the application orgs' MSP IDs in order.
func MSPIDs() []string {
	ids := make([]string, len(Orgs))
	for i, o := range Orgs {
		ids[i] = o.MSPID
	}
	return ids
}

// Lookup returns the application org with the given short name or MSP ID.
func Lookup(id string) (Org, error) {
	i := slices.IndexFunc(Orgs, func(o Org) bool { return o.Name == id || o.MSPID == id })
	if i < 0 {
		return Org{}, fmt.Errorf("no org %q in the topology", id)
	}
	return Orgs[i], nil
}

// CAHost is the host name of an org's CA ("orderer" for the ordering service's).
func CAHost(org string) string { return "ca." + org + "." + Domain }

// PeerHost is the host name of a peer.
func PeerHost(org, peer string) string { return peer + "." + org + "." + Domain }

// OrdererHost is the host name of an orderer.
func OrdererHost(orderer string) string { return orderer + "." + Domain }

// ChaincodeHost is the host name of an org's server of chaincode cc.
func ChaincodeHost(cc, org string) string { return cc + "-cc." + org + "." + Domain }

// GatewayHost is the host name of an org's REST gateway.
func GatewayHost(org string) string { return "gateway." + org + "." + Domain }

// Mode says how nodes reach each other.
type Mode int

const (
	// Native nodes are processes on 127.0.0.1.
	Native Mode = iota
	// Compose nodes are containers named by their host names.
	Compose
)

// CAEndpoint is host:port of the org's CA as a client in mode m dials it.
func (o Org) CAEndpoint(m Mode) string { return endpoint(m, CAHost(o.Name), o.CAPort) }

// PeerEndpoint is host:port of peer p of the org as a client in mode m dials it.
func (o Org) PeerEndpoint(p Peer, m Mode) string {
	return endpoint(m, PeerHost(o.Name, p.Name), p.Port)
}

func endpoint(m Mode, host string, port int) string {
	if m == Native {
		host = "127.0.0.1"
	}
	return fmt.Sprintf("%s:%d", host, port)
}
