package connection_test

import (
	"path/filepath"
	"testing"

	"github.com/autoledger/autoledger/network/connection"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func sample() *connection.File {
	return &connection.File{Channel: "autoledger", Chaincode: "autoledger", Orgs: []connection.Org{{
		Name: "oem", MSPID: "OemMSP", TLSRootCert: "/r/ca.pem",
		Peers: []connection.Peer{{Name: "peer0", Endpoint: "127.0.0.1:7051", ServerName: "127.0.0.1"}},
		Users: map[string]connection.KeyPair{"production": {Cert: "c", Key: "k"}},
	}}}
}

func TestWriteLoadRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "connection.json")
	require.NoError(t, sample().Write(path))
	f, err := connection.Load(path)
	require.NoError(t, err)
	assert.Equal(t, sample(), f)
	o, err := f.Org("OemMSP")
	require.NoError(t, err)
	same, err := f.Org("oem")
	require.NoError(t, err)
	assert.Same(t, o, same)
	kp, err := o.User("production")
	require.NoError(t, err)
	assert.Equal(t, "c", kp.Cert)
	_, err = o.User("claims")
	assert.ErrorContains(t, err, `no user for role "claims"`)
	_, err = f.Org("DealerMSP")
	assert.Error(t, err)
}

func TestValidate(t *testing.T) {
	for name, mut := range map[string]func(*connection.File){
		"channel": func(f *connection.File) { f.Channel = "" },
		"orgs":    func(f *connection.File) { f.Orgs = nil },
		"msp":     func(f *connection.File) { f.Orgs[0].MSPID = "" },
		"peers":   func(f *connection.File) { f.Orgs[0].Peers = nil },
		"tls":     func(f *connection.File) { f.Orgs[0].TLSRootCert = "" },
		"users":   func(f *connection.File) { f.Orgs[0].Users = nil },
	} {
		f := sample()
		mut(f)
		assert.Error(t, f.Validate(), name)
		assert.Error(t, f.Write(filepath.Join(t.TempDir(), "c.json")), name)
	}
	_, err := connection.Load(filepath.Join(t.TempDir(), "missing.json"))
	assert.Error(t, err)
}
