package api_test

import (
	"bufio"
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/autoledger/autoledger/gateway/api"
	"github.com/autoledger/autoledger/gateway/fabric"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A VIN in the path is held to the VIN rule with the code a body VIN gets.
func TestAPathVINThatFailsTheRuleIsVINInvalid(t *testing.T) {
	e := newEnv(t)
	for _, c := range []struct{ method, path, client, body string }{
		{"GET", "/v1/vehicles/1M8GDM9A5KP042788", "erp", ""}, // check digit
		{"GET", "/v1/vehicles/SHORT", "erp", ""},
		{"POST", "/v1/vehicles/1M8GDM9AIKP042788/odometer-readings", "erp", `{"km":5,"readAt":"2026-01-01T00:00:00Z"}`}, // I
	} {
		r := e.do(c.method, c.path, c.client, c.body)
		require.Equal(t, http.StatusUnprocessableEntity, r.status, "%s %s: %s", c.method, c.path, r.body)
		p := r.problem(t)
		assert.Equal(t, "VIN_INVALID", p.Code, c.path)
		require.NotEmpty(t, p.Errors)
		assert.Equal(t, "vin", p.Errors[0].Field)
	}
	assert.Empty(t, e.ledger.calls, "nothing reached the ledger")
	assert.Empty(t, e.sub.reqs)
}

// Every refusal keeps its meaning; only a genuine endorsement mismatch is
// answered "retry".
func TestRefusalsAreNotAnsweredRetry(t *testing.T) {
	cases := []struct {
		err    error
		status int
		code   string
		detail string
	}{
		{&fabric.Error{Kind: fabric.AccessDenied, Access: "write", Collection: "amountsOemDealer"}, 403, "FORBIDDEN", "may not write the private data collection amountsOemDealer"},
		{&fabric.Error{Kind: fabric.AccessDenied, Access: "read", Collection: "owners"}, 403, "FORBIDDEN", "may not read the private data collection owners"},
		{&fabric.Error{Kind: fabric.Internal, Err: io.ErrUnexpectedEOF}, 500, api.CodeInternal, "internal error"},
		{&fabric.Error{Kind: fabric.Conflict, Validation: "ENDORSEMENT_MISMATCH"}, 409, "ENDORSEMENT_MISMATCH", "retry"},
	}
	for _, c := range cases {
		e := newEnv(t)
		e.sub.err = c.err
		r := e.do("POST", "/v1/vehicles", "erp", register)
		require.Equal(t, c.status, r.status, string(r.body))
		p := r.problem(t)
		assert.Equal(t, c.code, p.Code)
		assert.Contains(t, p.Detail, c.detail)
	}
}

// encoding/json turns invalid UTF-8 into U+FFFD without an error: such a
// body used to be committed with text the client never sent.
func TestABodyThatIsNotUTF8IsRefused(t *testing.T) {
	e := newEnv(t)
	body := strings.Replace(register, `"colour":"red"`, "\"colour\":\"r\xffd\"", 1)
	r := e.do("POST", "/v1/vehicles", "erp", body, "Content-Type", "application/json")
	require.Equal(t, http.StatusBadRequest, r.status, string(r.body))
	p := r.problem(t)
	assert.Equal(t, api.CodeMalformed, p.Code)
	assert.Contains(t, p.Detail, "UTF-8")
	assert.Empty(t, e.sub.reqs, "nothing was submitted")
}

func TestABodyThatIsNotJSONIsUnsupportedMediaType(t *testing.T) {
	e := newEnv(t)
	for _, ct := range []string{"text/plain", "application/x-www-form-urlencoded", "application/json; charset=iso-8859-1", "application/xml", "json"} {
		r := e.do("POST", "/v1/vehicles", "erp", register, "Content-Type", ct)
		require.Equal(t, http.StatusUnsupportedMediaType, r.status, "%s: %s", ct, r.body)
		assert.Equal(t, api.CodeMediaType, r.problem(t).Code)
	}
	assert.Empty(t, e.sub.reqs)
	for _, ct := range []string{"application/json", "application/json; charset=UTF-8", "Application/JSON", "application/problem+json"} {
		r := e.do("POST", "/v1/vehicles", "erp", register, "Content-Type", ct)
		assert.Equal(t, http.StatusCreated, r.status, "%s: %s", ct, r.body)
	}
	r := e.do("POST", "/v1/vehicles", "erp", register)
	assert.Equal(t, http.StatusCreated, r.status, "no Content-Type: taken as JSON")
}

// serveAPI serves the test env's router as the gateway does: an
// http.Server with MaxHeaderBytes on api.Listener (TLS when tc is set).
func serveAPI(t *testing.T, e *env, tc *tls.Config, log *slog.Logger) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := &http.Server{Handler: e.srv.Config.Handler, MaxHeaderBytes: api.MaxHeaderBytes, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(api.Listener(ln, tc, log)) }()
	t.Cleanup(func() { _ = srv.Close() })
	return ln.Addr().String()
}

// oversized sends a GET whose header section is over api.MaxHeaderBytes.
func oversized(t *testing.T, client *http.Client, url string) resp {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	require.NoError(t, err)
	req.Header.Set("X-Padding", strings.Repeat("a", api.MaxHeaderBytes+8<<10))
	res, err := client.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return resp{status: res.StatusCode, header: res.Header, body: b}
}

func assertProblem431(t *testing.T, e *env, r resp) {
	t.Helper()
	require.Equal(t, http.StatusRequestHeaderFieldsTooLarge, r.status, string(r.body))
	p := r.problem(t)
	assert.Equal(t, api.CodeHeadersTooLarge, p.Code)
	check, _ := http.NewRequest("GET", "/v1/vehicles/1M8GDM9AXKP042788", nil)
	assert.NoError(t, e.contract.Check(check, r.status, r.header, r.body))
}

// net/http answers an oversized header section itself, before any
// handler, in plain text; the gateway's listener sends problem+json.
func TestAnOversizedHeaderIsAProblem(t *testing.T) {
	e := newEnv(t)
	addr := serveAPI(t, e, nil, nil)
	assertProblem431(t, e, oversized(t, http.DefaultClient, "http://"+addr+"/v1/vehicles/1M8GDM9AXKP042788"))

	r := send(t, "GET", "http://"+addr+"/v1/vehicles/1M8GDM9AXKP042788", "", "X-API-Key", e.keys["erp"])
	assert.Equal(t, http.StatusOK, r.status, "other requests pass unchanged")

	// Without the listener: what net/http writes, byte for byte, and what
	// the listener recognises. A Go release that changes it fails here.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	bare := &http.Server{Handler: e.srv.Config.Handler, MaxHeaderBytes: api.MaxHeaderBytes}
	go func() { _ = bare.Serve(ln) }()
	t.Cleanup(func() { _ = bare.Close() })
	c, err := net.Dial("tcp", ln.Addr().String())
	require.NoError(t, err)
	defer c.Close()
	_, err = io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Padding: "+strings.Repeat("a", api.MaxHeaderBytes+8<<10)+"\r\n\r\n")
	require.NoError(t, err)
	got, err := io.ReadAll(bufio.NewReader(c))
	require.NoError(t, err)
	assert.Equal(t, "HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n431 Request Header Fields Too Large", string(got))
}

// The documents name the limit the code sets.
func TestTheHeaderLimitIsDocumented(t *testing.T) {
	e := newEnv(t)
	kib := strconv.Itoa(api.MaxHeaderBytes>>10) + " KiB"
	assert.Contains(t, *e.contract.Doc().Components.Responses["HeaderFieldsTooLarge"].Value.Description, kib)
	doc, err := os.ReadFile("../../docs/api.md")
	require.NoError(t, err)
	assert.Contains(t, string(doc), "header section over "+kib)
}

func TestAnOversizedHeaderIsAProblemOverTLS(t *testing.T) {
	e := newEnv(t)
	cert, pool := selfSigned(t)
	var logged logSink
	addr := serveAPI(t, e, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12},
		slog.New(slog.NewTextHandler(&logged, nil)))
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	assertProblem431(t, e, oversized(t, client, "https://"+addr+"/v1/vehicles/1M8GDM9AXKP042788"))

	req, err := http.NewRequest("GET", "https://"+addr+"/healthz", nil)
	require.NoError(t, err)
	res, err := client.Do(req)
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, http.StatusOK, res.StatusCode)
	assert.Equal(t, "HTTP/1.1", res.Proto)

	// Plain HTTP to the HTTPS listener: a problem, and a log line.
	r := send(t, "GET", "http://"+addr+"/healthz", "")
	assert.Equal(t, http.StatusBadRequest, r.status)
	assert.Equal(t, api.CodeMalformed, r.problem(t).Code)
	assert.Eventually(t, func() bool { return strings.Contains(logged.String(), "HTTP request to an HTTPS server") }, time.Second, 10*time.Millisecond)
}

// selfSigned is a throwaway certificate for 127.0.0.1, made for the test.
func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "gateway"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	leaf, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

// logSink is a log sink safe for the server's goroutines.
type logSink struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *logSink) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *logSink) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
