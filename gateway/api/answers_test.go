package api_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
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

// serveAPI serves the test env's router as the gateway does (gateway/serve):
// an http.Server whose own limit is api.ServerMaxHeaderBytes, over TLS when
// tc is set.
func serveAPI(t *testing.T, e *env, tc *tls.Config) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := &http.Server{Handler: e.srv.Config.Handler, MaxHeaderBytes: api.ServerMaxHeaderBytes,
		ReadHeaderTimeout: 5 * time.Second, TLSConfig: tc}
	go func() {
		if tc != nil {
			_ = srv.ServeTLS(ln, "", "")
			return
		}
		_ = srv.Serve(ln)
	}()
	t.Cleanup(func() { _ = srv.Close() })
	return ln.Addr().String()
}

// withPadding sends a GET whose X-Padding header holds n bytes.
func withPadding(t *testing.T, client *http.Client, url string, n int) resp {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	require.NoError(t, err)
	req.Header.Set("X-Padding", strings.Repeat("a", n))
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

// A header section over the API's limit is a problem, from just past the
// limit up to what net/http itself would refuse in plain text.
func TestAnOversizedHeaderIsAProblem(t *testing.T) {
	e := newEnv(t)
	url := "http://" + serveAPI(t, e, nil) + "/v1/vehicles/1M8GDM9AXKP042788"
	for _, n := range []int{api.MaxHeaderBytes, api.ServerMaxHeaderBytes / 2} {
		assertProblem431(t, e, withPadding(t, http.DefaultClient, url, n))
	}
	// Just under the limit (the key, the padding and the rest) the request is served.
	r := send(t, "GET", url, "", "X-API-Key", e.keys["erp"], "X-Padding", strings.Repeat("a", api.MaxHeaderBytes-1<<10))
	assert.Equal(t, http.StatusOK, r.status, string(r.body))
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
	addr := serveAPI(t, e, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, ForceAttemptHTTP2: true}}
	assertProblem431(t, e, withPadding(t, client, "https://"+addr+"/v1/vehicles/1M8GDM9AXKP042788", api.MaxHeaderBytes))

	req, err := http.NewRequest("GET", "https://"+addr+"/healthz", nil)
	require.NoError(t, err)
	res, err := client.Do(req)
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, http.StatusOK, res.StatusCode)
	assert.Equal(t, "HTTP/2.0", res.Proto, "HTTPS keeps net/http's HTTP/2")
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
