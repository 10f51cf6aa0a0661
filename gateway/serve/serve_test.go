package serve_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/autoledger/autoledger/gateway/api"
	"github.com/autoledger/autoledger/gateway/auth"
	"github.com/autoledger/autoledger/gateway/config"
	"github.com/autoledger/autoledger/gateway/fabric"
	"github.com/autoledger/autoledger/gateway/serve"
	"github.com/hyperledger/fabric-gateway/pkg/client"
	"github.com/stretchr/testify/require"
)

// ledger is enough of a Fabric network for /healthz and /readyz.
type ledger struct{}

func (ledger) Evaluate(context.Context, auth.Principal, string, ...string) ([]byte, error) {
	return nil, nil
}
func (ledger) Serves(string) bool { return true }
func (ledger) Ready(context.Context, time.Duration) map[string]bool {
	return map[string]bool{"OemMSP": true}
}
func (ledger) Height(context.Context, auth.Principal) (uint64, error) { return 0, nil }
func (ledger) Events(context.Context, auth.Principal, fabric.Position) (<-chan *client.ChaincodeEvent, error) {
	return nil, nil
}

// ca is a throw-away certificate authority.
type ca struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pem  []byte
}

func newCA(t *testing.T, name string) ca {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Minute), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	return ca{cert: cert, key: key, pem: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})}
}

// issue returns a PEM certificate and key for a server (on 127.0.0.1 and
// localhost) or a client.
func (c ca) issue(t *testing.T, name string, usage x509.ExtKeyUsage) (certPEM, keyPEM []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Minute), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{usage}}
	if usage == x509.ExtKeyUsageServerAuth {
		tmpl.IPAddresses, tmpl.DNSNames = []net.IP{net.IPv4(127, 0, 0, 1)}, []string{"localhost"}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, c.cert, &key.PublicKey, c.key)
	require.NoError(t, err)
	k, err := x509.MarshalPKCS8PrivateKey(key)
	require.NoError(t, err)
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: k})
}

func write(t *testing.T, dir, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(p, b, 0o600))
	return p
}

// start serves the gateway's API with cfg on a free loopback port and
// stops it when the test ends.
func start(t *testing.T, cfg config.Config) *serve.Servers {
	t.Helper()
	cfg.Listen = "127.0.0.1:0"
	authn, err := auth.New(config.Auth{})
	require.NoError(t, err)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	s, err := serve.Listen(cfg, api.Deps{Log: log, Auth: authn, Ledger: ledger{}, Limits: config.Default().Limits})
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() { done <- s.Serve() }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		require.NoError(t, s.Shutdown(ctx))
		require.NoError(t, <-done, "Serve after Shutdown")
	})
	return s
}

// tlsClient trusts roots and, given a certificate, always presents it (Go's
// client would otherwise withhold one the server's CA list does not name).
func tlsClient(roots []byte, cert ...tls.Certificate) *http.Client {
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(roots)
	tc := &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	if len(cert) > 0 {
		tc.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return &cert[0], nil }
	}
	return &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: tc}}
}

func get(c *http.Client, url string) (int, error) {
	res, err := c.Get(url)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, res.Body)
	return res.StatusCode, nil
}

// serverTLS writes a server certificate from a fresh CA and returns the
// config pointing at it and the CA's PEM.
func serverTLS(t *testing.T, dir string) (config.TLS, []byte) {
	srvCA := newCA(t, "server CA")
	cert, key := srvCA.issue(t, "gateway", x509.ExtKeyUsageServerAuth)
	return config.TLS{CertFile: write(t, dir, "server.crt", cert), KeyFile: write(t, dir, "server.key", key)}, srvCA.pem
}

func TestHTTPSServesTLSClientsAndRefusesPlainHTTP(t *testing.T) {
	cfg := config.Default()
	var root []byte
	cfg.TLS, root = serverTLS(t, t.TempDir())
	s := start(t, cfg)
	require.True(t, s.HTTPS())

	code, err := get(tlsClient(root), "https://"+s.Addr()+"/healthz")
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, code)

	// Go's server answers a plaintext request on a TLS port with 400 and closes.
	code, err = get(&http.Client{Timeout: 5 * time.Second}, "http://"+s.Addr()+"/healthz")
	if err == nil {
		require.Equal(t, http.StatusBadRequest, code, "plain HTTP must not be served")
	}

	// A client that does not trust the server's CA refuses it.
	_, err = get(tlsClient(newCA(t, "other").pem), "https://"+s.Addr()+"/healthz")
	require.ErrorContains(t, err, "certificate")
}

func TestTLS12IsTheMinimum(t *testing.T) {
	cfg := config.Default()
	var root []byte
	cfg.TLS, root = serverTLS(t, t.TempDir())
	s := start(t, cfg)
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(root)
	c := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{
		RootCAs: pool, MinVersion: tls.VersionTLS11, MaxVersion: tls.VersionTLS11}}}
	_, err := get(c, "https://"+s.Addr()+"/healthz")
	require.Error(t, err, "a TLS 1.1 client must be refused")
}

func TestRequiredClientCertificatesMustComeFromTheClientCA(t *testing.T) {
	dir := t.TempDir()
	cfg := config.Default()
	var root []byte
	cfg.TLS, root = serverTLS(t, dir)
	clientCA := newCA(t, "client CA")
	cfg.TLS.ClientCAFile = write(t, dir, "client-ca.pem", clientCA.pem)
	cfg.TLS.RequireClientCert = true
	s := start(t, cfg)
	url := "https://" + s.Addr() + "/healthz"

	_, err := get(tlsClient(root), url)
	require.Error(t, err, "a client without a certificate must be refused")

	stranger, strangerKey := newCA(t, "another CA").issue(t, "mallory", x509.ExtKeyUsageClientAuth)
	kp, err := tls.X509KeyPair(stranger, strangerKey)
	require.NoError(t, err)
	_, err = get(tlsClient(root, kp), url)
	require.Error(t, err, "a certificate from another CA must be refused")

	cert, key := clientCA.issue(t, "partner", x509.ExtKeyUsageClientAuth)
	kp, err = tls.X509KeyPair(cert, key)
	require.NoError(t, err)
	code, err := get(tlsClient(root, kp), url)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, code)
}

// Without requireClientCert a client CA only checks certificates that are sent.
func TestOptionalClientCertificatesAreVerifiedWhenSent(t *testing.T) {
	dir := t.TempDir()
	cfg := config.Default()
	var root []byte
	cfg.TLS, root = serverTLS(t, dir)
	cfg.TLS.ClientCAFile = write(t, dir, "client-ca.pem", newCA(t, "client CA").pem)
	s := start(t, cfg)
	url := "https://" + s.Addr() + "/healthz"

	code, err := get(tlsClient(root), url)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, code)

	stranger, strangerKey := newCA(t, "another CA").issue(t, "mallory", x509.ExtKeyUsageClientAuth)
	kp, err := tls.X509KeyPair(stranger, strangerKey)
	require.NoError(t, err)
	_, err = get(tlsClient(root, kp), url)
	require.Error(t, err)
}

func TestMetricsMoveToTheirOwnListener(t *testing.T) {
	cfg := config.Default()
	cfg.MetricsListen = "127.0.0.1:0"
	s := start(t, cfg)
	require.NotEmpty(t, s.MetricsAddr())
	c := &http.Client{Timeout: 5 * time.Second}

	res, err := c.Get("http://" + s.MetricsAddr() + "/metrics")
	require.NoError(t, err)
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Contains(t, string(b), "go_goroutines")

	res, err = c.Get("http://" + s.Addr() + "/metrics")
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusNotFound, res.StatusCode, "/metrics must leave the API listener")
	require.True(t, strings.HasPrefix(res.Header.Get("Content-Type"), "application/problem+json"))

	// Only /metrics is on the metrics listener.
	code, err := get(c, "http://"+s.MetricsAddr()+"/healthz")
	require.NoError(t, err)
	require.Equal(t, http.StatusNotFound, code)
	code, err = get(c, "http://"+s.Addr()+"/healthz")
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, code)
}

func TestMetricsStayOnTheAPIListenerByDefault(t *testing.T) {
	s := start(t, config.Default())
	require.Empty(t, s.MetricsAddr())
	code, err := get(&http.Client{Timeout: 5 * time.Second}, "http://"+s.Addr()+"/metrics")
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, code)
}

func TestUnreadableKeyMaterialIsAClearError(t *testing.T) {
	dir := t.TempDir()
	cfg := config.Default()
	cfg.Listen = "127.0.0.1:0"
	cfg.TLS = config.TLS{CertFile: filepath.Join(dir, "missing.crt"), KeyFile: filepath.Join(dir, "missing.key")}
	_, err := serve.Listen(cfg, api.Deps{Log: slog.Default(), Ledger: ledger{}, Limits: config.Default().Limits})
	require.ErrorContains(t, err, "tls.certFile")

	cfg.TLS, _ = serverTLS(t, dir)
	cfg.TLS.ClientCAFile = write(t, dir, "empty.pem", []byte("not a certificate"))
	_, err = serve.Listen(cfg, api.Deps{Log: slog.Default(), Ledger: ledger{}, Limits: config.Default().Limits})
	require.ErrorContains(t, err, "tls.clientCAFile")
}
