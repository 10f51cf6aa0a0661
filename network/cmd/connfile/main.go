// Command connfile writes the connection file of a network started by
// test-network/network.sh. It finds key material by the run directory's
// layout (documented in docs/operations.md) and takes endpoints as flags:
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
)

type orgFlags []string

func (o *orgFlags) String() string     { return strings.Join(*o, "; ") }
func (o *orgFlags) Set(v string) error { *o = append(*o, v); return nil }

func main() {
	var orgs orgFlags
	run := flag.String("run", "", "run directory")
	out := flag.String("out", "", "connection file to write")
	channel := flag.String("channel", "autoledger", "channel name")
	chaincode := flag.String("chaincode", "autoledger", "chaincode name")
	as := flag.String("as", "", "where the file's reader finds the run directory (default: -run)")
	flag.Var(&orgs, "org", `"NAME MSPID CA_ENDPOINT PEER=ENDPOINT[,PEER=ENDPOINT...]", repeated`)
	flag.Parse()
	f, err := build(*run, *channel, *chaincode, orgs)
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

func build(run, channel, chaincode string, orgs []string) (*connection.File, error) {
	if run == "" {
		return nil, fmt.Errorf("-run is required")
	}
	f := &connection.File{Channel: channel, Chaincode: chaincode}
	for _, spec := range orgs {
		parts := strings.Fields(spec)
		if len(parts) != 4 {
			return nil, fmt.Errorf("-org %q: want NAME MSPID CA_ENDPOINT PEERS", spec)
		}
		name, msp, ca, peers := parts[0], parts[1], parts[2], parts[3]
		dir := filepath.Join(run, "orgs", name)
		o := connection.Org{
			Name: name, MSPID: msp, TLSRootCert: filepath.Join(dir, "ca.pem"),
			ClientTLS: connection.KeyPair{Cert: filepath.Join(dir, "clients", "gateway", "tls", "client.crt"),
				Key: filepath.Join(dir, "clients", "gateway", "tls", "client.key")},
			Users: map[string]connection.KeyPair{},
			CA:    connection.CA{URL: "https://" + ca, Name: "ca-" + name, TLSRootCert: filepath.Join(dir, "ca.pem")},
		}
		for _, p := range strings.Split(peers, ",") {
			pn, ep, ok := strings.Cut(p, "=")
			if !ok {
				return nil, fmt.Errorf("-org %q: peer %q is not NAME=ENDPOINT", spec, p)
			}
			host, _, _ := strings.Cut(ep, ":")
			o.Peers = append(o.Peers, connection.Peer{Name: pn, Endpoint: ep, ServerName: host})
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
