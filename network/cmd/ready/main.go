// Command ready waits until a write of every org of a connection file can be
// endorsed. Through each org's first peer it gets a proposal endorsed, and
// does not submit it (fabclient.ProbeEndorsement): once by the peers the
// peer's gateway picks through discovery to satisfy the chaincode's
// endorsement policy, once by a peer of every org, as writes that name their
// endorsers (private data) need. A peer answers queries a few seconds before
// its discovery can do either after a restart, and writes fail with "no
// combination of peers can be derived" meanwhile; network.sh runs this after
// up and deploy so that they return only when writes work.
//
//	ready -connection FILE [-chaincode NAME] [-timeout 60s]
//
// It exits 1 naming every org that is not ready, with its peer's last answer.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/autoledger/autoledger/network/connection"
	"github.com/autoledger/autoledger/network/fabclient"
	"github.com/hyperledger/fabric-gateway/pkg/client"
)

// probeTimeout bounds one probe, so that a peer that hangs is asked again.
const probeTimeout = 5 * time.Second

func main() {
	path := flag.String("connection", os.Getenv("AUTOLEDGER_CONNECTION_FILE"), "connection file")
	chaincode := flag.String("chaincode", "", "chaincode to probe (default: the connection file's)")
	timeout := flag.Duration("timeout", time.Minute, "how long to wait for every org")
	flag.Parse()
	if err := run(*path, *chaincode, *timeout); err != nil {
		fmt.Fprintln(os.Stderr, "ready:", err)
		os.Exit(1)
	}
}

func run(path, chaincode string, timeout time.Duration) error {
	f, err := connection.Load(path)
	if err != nil {
		return err
	}
	if chaincode != "" {
		f.Chaincode = chaincode
	}
	var orgs []string
	contracts := map[string]*client.Contract{}
	for i := range f.Orgs {
		o := &f.Orgs[i]
		c, closeOrg, err := contract(f, o)
		if err != nil {
			return err
		}
		defer closeOrg()
		orgs = append(orgs, o.MSPID)
		contracts[o.MSPID] = c
	}
	probe := func(ctx context.Context, org string) error {
		if err := fabclient.ProbeEndorsement(ctx, contracts[org]); err != nil {
			return fmt.Errorf("endorsement by peers that satisfy the endorsement policy: %w", err)
		}
		if err := fabclient.ProbeEndorsement(ctx, contracts[org], orgs...); err != nil {
			return fmt.Errorf("endorsement by a peer of every org: %w", err)
		}
		return nil
	}
	t0 := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if err := waitAll(ctx, orgs, probe, 500*time.Millisecond); err != nil {
		return fmt.Errorf("chaincode %s after %s:\n%w", f.Chaincode, timeout, err)
	}
	fmt.Fprintf(os.Stderr, "ready: a write of every org (%s) can be endorsed for chaincode %s (%.1fs)\n",
		strings.Join(orgs, ", "), f.Chaincode, time.Since(t0).Seconds())
	return nil
}

// contract connects to o's first peer as one of o's role users (not its
// Fabric admin: the probe is what an application's write would do).
func contract(f *connection.File, o *connection.Org) (*client.Contract, func(), error) {
	roles := slices.DeleteFunc(slices.Sorted(maps.Keys(o.Users)), func(r string) bool { return r == "orgadmin" })
	if len(roles) == 0 {
		return nil, nil, fmt.Errorf("org %s has no role user in the connection file", o.MSPID)
	}
	conn, err := fabclient.Dial(o, o.Peers[0])
	if err != nil {
		return nil, nil, err
	}
	gw, err := fabclient.Connect(o, roles[0], conn)
	if err != nil {
		conn.Close()
		return nil, nil, err
	}
	return gw.GetNetwork(f.Channel).GetContract(f.Chaincode), func() { gw.Close(); conn.Close() }, nil
}

// waitAll probes every org, concurrently, every interval until its probe
// succeeds or ctx ends. The error names each org that never succeeded, with
// its last answer.
func waitAll(ctx context.Context, orgs []string, probe func(context.Context, string) error, every time.Duration) error {
	errs := make([]error, len(orgs))
	var wg sync.WaitGroup
	for i, org := range orgs {
		wg.Go(func() { errs[i] = waitOne(ctx, org, probe, every) })
	}
	wg.Wait()
	return errors.Join(errs...)
}

func waitOne(ctx context.Context, org string, probe func(context.Context, string) error, every time.Duration) error {
	var last error
	for {
		pctx, cancel := context.WithTimeout(ctx, probeTimeout)
		err := probe(pctx, org)
		cancel()
		if err == nil {
			return nil
		}
		// A probe that ctx cut short says nothing about the peer: the answer before it does.
		if ctx.Err() == nil || last == nil {
			last = err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s: a write cannot be endorsed yet: %s", org, fabclient.Describe(last))
		case <-time.After(every):
		}
	}
}
