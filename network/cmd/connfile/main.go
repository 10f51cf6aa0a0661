// Command connfile writes the connection file of a network started by
// test-network/network.sh. It finds key material by the run directory's
// layout (documented in docs/operations.md). The orgs and their endpoints
// come from package topology:
//
//	connfile -run DIR -out FILE                                  # every org, native endpoints
//	connfile -run DIR -out FILE -hosts compose -only oem -as /etc/autoledger
//
// or, overriding the topology, from -org flags:
//
//	connfile -run DIR -out FILE -org "oem OemMSP 127.0.0.1:7154 peer0=127.0.0.1:7051" ...
//
// With -as PATH the file names key material as a reader sees it when the run
// directory's orgs/ tree is mounted at PATH/orgs (a gateway in a container).
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/autoledger/autoledger/network/connection"
	"github.com/autoledger/autoledger/network/topology"
)

type orgFlags []string

func (o *orgFlags) String() string     { return strings.Join(*o, "; ") }
func (o *orgFlags) Set(v string) error { *o = append(*o, v); return nil }

// orgSpec is what the file says of an org besides its key material.
type orgSpec struct {
	name, msp, ca string
	peers         []connection.Peer
}

func main() {
	var orgs orgFlags
	run := flag.String("run", "", "run directory")
	out := flag.String("out", "", "connection file to write")
	channel := flag.String("channel", topology.Channel, "channel name")
	chaincode := flag.String("chaincode", topology.Chaincode, "chaincode name")
	as := flag.String("as", "", "where the file's reader finds the run directory (default: -run)")
	hosts := flag.String("hosts", "native", "endpoints of the topology's orgs: native (127.0.0.1) or compose (container names)")
	only := flag.String("only", "", "comma-separated short names: only these of the topology's orgs (default: all)")
	flag.Var(&orgs, "org", `"NAME MSPID CA_ENDPOINT PEER=ENDPOINT[,PEER=ENDPOINT...]", repeated; replaces the topology`)
	flag.Parse()
	specs, err := orgSpecs(orgs, *hosts, *only)
	var f *connection.File
	if err == nil {
		f, err = build(*run, *channel, *chaincode, specs)
	}
	if err == nil && *as != "" {
		err = relocate(f, *run, *as)
	}
	if err == nil {
		err = f.Write(*out)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "connfile:", err)
		os.Exit(1)
	}
}

// orgSpecs parses the -org flags, or without any takes the orgs from the topology.
func orgSpecs(flags []string, hosts, only string) ([]orgSpec, error) {
	if len(flags) > 0 {
		specs := make([]orgSpec, len(flags))
		for i, f := range flags {
			s, err := parseSpec(f)
			if err != nil {
				return nil, err
			}
			specs[i] = s
		}
		return specs, nil
	}
	var mode topology.Mode
	switch hosts {
	case "native":
		mode = topology.Native
	case "compose":
		mode = topology.Compose
	default:
		return nil, fmt.Errorf("-hosts %q: want native or compose", hosts)
	}
	orgs := topology.Orgs
	if only != "" {
		orgs = nil
		for _, name := range strings.Split(only, ",") {
			o, err := topology.Lookup(name)
			if err != nil {
				return nil, err
			}
			orgs = append(orgs, o)
		}
	}
	specs := make([]orgSpec, len(orgs))
	for i, o := range orgs {
		specs[i] = topologySpec(o, mode)
	}
	return specs, nil
}

func topologySpec(o topology.Org, mode topology.Mode) orgSpec {
	s := orgSpec{name: o.Name, msp: o.MSPID, ca: o.CAEndpoint(mode)}
	for _, p := range o.Peers {
		ep := o.PeerEndpoint(p, mode)
		host, _, _ := strings.Cut(ep, ":")
		s.peers = append(s.peers, connection.Peer{Name: p.Name, Endpoint: ep, ServerName: host})
	}
	return s
}

func parseSpec(spec string) (orgSpec, error) {
	parts := strings.Fields(spec)
	if len(parts) != 4 {
		return orgSpec{}, fmt.Errorf("-org %q: want NAME MSPID CA_ENDPOINT PEERS", spec)
	}
	s := orgSpec{name: parts[0], msp: parts[1], ca: parts[2]}
	for _, p := range strings.Split(parts[3], ",") {
		pn, ep, ok := strings.Cut(p, "=")
		if !ok {
			return orgSpec{}, fmt.Errorf("-org %q: peer %q is not NAME=ENDPOINT", spec, p)
		}
		host, _, _ := strings.Cut(ep, ":")
		s.peers = append(s.peers, connection.Peer{Name: pn, Endpoint: ep, ServerName: host})
	}
	return s, nil
}

func build(run, channel, chaincode string, specs []orgSpec) (*connection.File, error) {
	if run == "" {
		return nil, fmt.Errorf("-run is required")
	}
	f := &connection.File{Channel: channel, Chaincode: chaincode}
	for _, s := range specs {
		name := s.name
		dir := filepath.Join(run, "orgs", name)
		// ca.pem is the root of the org's TLS CA, which issued its nodes' TLS
		// certificates; the CA server's own listener is the org CA's.
		o := connection.Org{
			Name: name, MSPID: s.msp, TLSRootCert: filepath.Join(dir, "ca.pem"),
			ClientTLS: connection.KeyPair{Cert: filepath.Join(dir, "clients", "gateway", "tls", "client.crt"),
				Key: filepath.Join(dir, "clients", "gateway", "tls", "client.key")},
			Users: map[string]connection.KeyPair{},
			CA:    connection.CA{URL: "https://" + s.ca, Name: "ca-" + name, TLSRootCert: filepath.Join(dir, "msp", "cacerts", "ca.pem")},
			Peers: s.peers,
		}
		users, err := os.ReadDir(filepath.Join(dir, "users"))
		if err != nil {
			return nil, fmt.Errorf("org %s: %w", name, err)
		}
		for _, u := range users {
			msp := filepath.Join(dir, "users", u.Name(), "msp")
			keys, _ := filepath.Glob(filepath.Join(msp, "keystore", "*_sk"))
			if len(keys) != 1 {
				return nil, fmt.Errorf("org %s user %s: want one key in %s/keystore, found %d", name, u.Name(), msp, len(keys))
			}
			o.Users[u.Name()] = connection.KeyPair{Cert: filepath.Join(msp, "signcerts", "cert.pem"), Key: keys[0]}
		}
		f.Orgs = append(f.Orgs, o)
	}
	return f, nil
}

// relocate rewrites every file path of f from under run to under as.
func relocate(f *connection.File, run, as string) error {
	var bad error
	move := func(p *string) {
		rel, err := filepath.Rel(run, *p)
		if err != nil || strings.HasPrefix(rel, "..") {
			bad = fmt.Errorf("%s is not under %s", *p, run)
			return
		}
		*p = filepath.Join(as, rel)
	}
	for i := range f.Orgs {
		o := &f.Orgs[i]
		move(&o.TLSRootCert)
		move(&o.ClientTLS.Cert)
		move(&o.ClientTLS.Key)
		move(&o.CA.TLSRootCert)
		for r, kp := range o.Users {
			move(&kp.Cert)
			move(&kp.Key)
			o.Users[r] = kp
		}
	}
	return bad
}
