package probe_test

import (
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"encoding/pem"

	"github.com/autoledger/autoledger/network/probe"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestProbe(t *testing.T) {
	ok := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer ok.Close()
	bad := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(503) }))
	defer bad.Close()
	ca := filepath.Join(t.TempDir(), "ca.pem")
	require.NoError(t, os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ok.Certificate().Raw}), 0o600))
	assert.NoError(t, probe.Check{URL: ok.URL, CACert: ca}.Run())
	assert.Error(t, probe.Check{URL: ok.URL}.Run(), "unknown CA")
	badCA := filepath.Join(t.TempDir(), "bad.pem")
	require.NoError(t, os.WriteFile(badCA, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: bad.Certificate().Raw}), 0o600))
	assert.ErrorContains(t, probe.Check{URL: bad.URL, CACert: badCA}.Run(), "503")

	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	assert.NoError(t, probe.Check{TCP: l.Addr().String()}.Run())
	l.Close()
	assert.Error(t, probe.Check{TCP: l.Addr().String()}.Run())
	assert.Error(t, probe.Check{}.Run())
}
