package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/autoledger/autoledger/network/topology"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// runDir lays out one org the way network.sh does, with one user.
func runDir(t *testing.T) string {
	run := t.TempDir()
	msp := filepath.Join(run, "orgs", "oem", "users", "production", "msp")
	require.NoError(t, os.MkdirAll(filepath.Join(msp, "keystore"), 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(msp, "keystore", "abc_sk"), []byte("k"), 0o600))
	return run
}

func TestRelocateMovesEveryPathUnderTheMountPoint(t *testing.T) {
	run := runDir(t)
	specs, err := orgSpecs(nil, "compose", "oem")
	require.NoError(t, err)
	f, err := build(run, "autoledger", "autoledger", specs)
	require.NoError(t, err)
	require.NoError(t, relocate(f, run, "/etc/autoledger"))
	o := f.Orgs[0]
	paths := []string{o.TLSRootCert, o.ClientTLS.Cert, o.ClientTLS.Key, o.CA.TLSRootCert,
		o.Users["production"].Cert, o.Users["production"].Key}
	for _, p := range paths {
		assert.True(t, strings.HasPrefix(p, "/etc/autoledger/orgs/oem/"), p)
	}
	assert.Equal(t, "/etc/autoledger/orgs/oem/users/production/msp/keystore/abc_sk", o.Users["production"].Key)
	assert.Equal(t, "peer0.oem.autoledger", o.Peers[0].ServerName, "TLS is verified against the container's name")
}

func TestRelocateRefusesAPathOutsideTheRunDirectory(t *testing.T) {
	run := runDir(t)
	specs, err := orgSpecs([]string{"oem OemMSP ca:7154 peer0=p:7051"}, "", "")
	require.NoError(t, err)
	f, err := build(run, "autoledger", "autoledger", specs)
	require.NoError(t, err)
	f.Orgs[0].TLSRootCert = "/elsewhere/ca.pem"
	assert.ErrorContains(t, relocate(f, run, "/etc/autoledger"), "/elsewhere/ca.pem is not under")
}

// Without -org flags the orgs come from the topology: natively every org on
// 127.0.0.1, in compose by container name, as network.sh's flags said.
func TestTopologyGivesTheFlagsNetworkShGave(t *testing.T) {
	all, err := orgSpecs(nil, "native", "")
	require.NoError(t, err)
	assert.Len(t, all, len(topology.Orgs))
	native, err := orgSpecs(nil, "native", "oem,insurer")
	require.NoError(t, err)
	flags, err := orgSpecs([]string{
		"oem OemMSP 127.0.0.1:7154 peer0=127.0.0.1:7051",
		"insurer InsurerMSP 127.0.0.1:7454 peer0=127.0.0.1:10051",
	}, "", "")
	require.NoError(t, err)
	assert.Equal(t, flags, native)
	compose, err := orgSpecs(nil, "compose", "dealer")
	require.NoError(t, err)
	flags, err = orgSpecs([]string{"dealer DealerMSP ca.dealer.autoledger:7354 peer0=peer0.dealer.autoledger:9051"}, "", "")
	require.NoError(t, err)
	assert.Equal(t, flags, compose)
}

func TestBadTopologySelectionsAreRefused(t *testing.T) {
	_, err := orgSpecs(nil, "native", "oem,nobody")
	assert.ErrorContains(t, err, `no org "nobody"`)
	_, err = orgSpecs(nil, "kubernetes", "")
	assert.ErrorContains(t, err, "want native or compose")
	_, err = orgSpecs([]string{"oem OemMSP ca:7154"}, "", "")
	assert.ErrorContains(t, err, "want NAME MSPID CA_ENDPOINT PEERS")
}
