package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

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
	f, err := build(run, "autoledger", "autoledger", []string{"oem OemMSP ca.oem.autoledger:7154 peer0=peer0.oem.autoledger:7051"})
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
	f, err := build(run, "autoledger", "autoledger", []string{"oem OemMSP ca:7154 peer0=p:7051"})
	require.NoError(t, err)
	f.Orgs[0].TLSRootCert = "/elsewhere/ca.pem"
	assert.ErrorContains(t, relocate(f, run, "/etc/autoledger"), "/elsewhere/ca.pem is not under")
}
