package api_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/autoledger/autoledger/gateway/api"
	"github.com/autoledger/autoledger/gateway/auth"
	"github.com/autoledger/autoledger/gateway/config"
	"github.com/autoledger/autoledger/gateway/fabric"
	"github.com/autoledger/autoledger/gateway/store"
	"github.com/hyperledger/fabric-gateway/pkg/client"
	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwt"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	hsSecretA = "issuer-a-0123456789abcdef0123456789abcdef"
	hsSecretB = "issuer-b-0123456789abcdef0123456789abcdef"
)

// streamingLedger opens event streams that stay open until the client leaves.
type streamingLedger struct{ fakeLedger }

func (*streamingLedger) Events(ctx context.Context, _ auth.Principal, _ fabric.Position) (<-chan *client.ChaincodeEvent, error) {
	ch := make(chan *client.ChaincodeEvent)
	go func() { <-ctx.Done(); close(ch) }()
	return ch, nil
}

type limitsEnv struct {
	t      *testing.T
	url    string
	sub    *fakeSubmitter
	apiKey string // of client "erp", OemMSP production
}

// newLimitsEnv serves the API with API key "erp" and two JWT issuers: "a"
// (OemMSP and DealerMSP) and "b" (OemMSP).
func newLimitsEnv(t *testing.T, lim config.Limits) *limitsEnv {
	st, err := store.Open(filepath.Join(t.TempDir(), "gw.db"))
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	key, err := auth.NewKey()
	require.NoError(t, err)
	j := config.Default().Auth.JWT
	j.Audience = "autoledger"
	j.Issuers = []config.Issuer{
		{Issuer: "a", Orgs: []string{"OemMSP", "DealerMSP"}, Algorithm: "HS256", Secret: hsSecretA},
		{Issuer: "b", Orgs: []string{"OemMSP"}, Algorithm: "HS256", Secret: hsSecretB},
	}
	a, err := auth.New(config.Auth{JWT: j,
		APIKeys: []config.APIKey{{Client: "erp", Org: "OemMSP", Role: "production", KeyHash: auth.HashKey(key)}}})
	require.NoError(t, err)
	t.Cleanup(a.Close)
	ledger := &streamingLedger{fakeLedger{evalOut: []byte(vehicleJSON), ready: true}}
	sub := &fakeSubmitter{st: st}
	s := api.New(api.Deps{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Auth: a, Ledger: ledger, Submitter: sub,
		Store: st, Limits: lim, SyncWait: time.Second})
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return &limitsEnv{t: t, url: srv.URL, sub: sub, apiKey: key}
}

// token is a JWT of issuer "a" or "b" for sub acting for org as role.
func (e *limitsEnv) token(iss, sub, org, role string) string {
	secret := map[string]string{"a": hsSecretA, "b": hsSecretB}[iss]
	tok, err := jwt.NewBuilder().Issuer(iss).Subject(sub).Audience([]string{"autoledger"}).IssuedAt(time.Now()).
		Expiration(time.Now().Add(time.Hour)).Claim("org", org).Claim("role", role).Build()
	require.NoError(e.t, err)
	b, err := jwt.Sign(tok, jwt.WithKey(jwa.HS256(), []byte(secret)))
	require.NoError(e.t, err)
	return "Bearer " + string(b)
}

func (e *limitsEnv) do(method, path, authorization, body string, headers ...string) resp {
	e.t.Helper()
	if authorization != "" {
		headers = append([]string{"Authorization", authorization}, headers...)
	}
	return send(e.t, method, e.url+path, body, headers...)
}

func retryAfter(t *testing.T, r resp) {
	t.Helper()
	n, err := strconv.Atoi(r.header.Get("Retry-After"))
	assert.NoError(t, err, "Retry-After %q", r.header.Get("Retry-After"))
	assert.Positive(t, n)
}

// Two issuers' equal subjects, and an API key client of the same name, are
// three callers with three buckets.
func TestRateLimitIsPerIssuerAndSubject(t *testing.T) {
	lim := config.Default().Limits
	lim.RatePerSec, lim.Burst = 0.001, 1
	e := newLimitsEnv(t, lim)
	asA, asB := e.token("a", "erp", "OemMSP", "quality"), e.token("b", "erp", "OemMSP", "quality")
	require.Equal(t, http.StatusOK, e.do("GET", "/v1/vehicles/1M8GDM9AXKP042788", asA, "").status)
	r := e.do("GET", "/v1/vehicles/1M8GDM9AXKP042788", asA, "")
	require.Equal(t, http.StatusTooManyRequests, r.status)
	retryAfter(t, r)
	assert.Equal(t, http.StatusOK, e.do("GET", "/v1/vehicles/1M8GDM9AXKP042788", asB, "").status, "issuer b's erp has its own bucket")
	assert.Equal(t, http.StatusOK, e.do("GET", "/v1/vehicles/1M8GDM9AXKP042788", "Bearer "+e.apiKey, "").status, "the API key erp has its own bucket")
}

// An issuer that asserts two orgs for one subject: the subject's
// Idempotency-Key acting for one org is not the same key acting for the
// other, so the other org never gets the first org's receipt.
func TestIdempotencyKeyIsPerCallerAndOrg(t *testing.T) {
	e := newLimitsEnv(t, config.Default().Limits)
	asOem, asDealer := e.token("a", "tool-1", "OemMSP", "production"), e.token("a", "tool-1", "DealerMSP", "sales")
	first := e.do("POST", "/v1/vehicles", asOem, register, "Idempotency-Key", "k1")
	require.Equal(t, http.StatusCreated, first.status, string(first.body))
	other := e.do("POST", "/v1/vehicles", asDealer, register, "Idempotency-Key", "k1")
	assert.Empty(t, other.header.Get("Idempotent-Replayed"), "the dealer got the OEM's answer: %s", other.body)
	var a, b api.TxView
	require.NoError(t, json.Unmarshal(first.body, &a))
	require.NoError(t, json.Unmarshal(other.body, &b))
	assert.NotEqual(t, a.TransactionID, b.TransactionID)
	require.Len(t, e.sub.reqs, 2)
	assert.Equal(t, "DealerMSP", e.sub.reqs[1].Principal.Org)

	// Another issuer's subject of the same name is another caller too.
	asB := e.token("b", "tool-1", "OemMSP", "production")
	third := e.do("POST", "/v1/vehicles", asB, register, "Idempotency-Key", "k1")
	assert.Empty(t, third.header.Get("Idempotent-Replayed"))
	assert.Len(t, e.sub.reqs, 3)

	// The caller itself still gets its replay.
	again := e.do("POST", "/v1/vehicles", asOem, register, "Idempotency-Key", "k1")
	assert.Equal(t, "true", again.header.Get("Idempotent-Replayed"))
	assert.Len(t, e.sub.reqs, 3)
}

// Failed authentications from one address are limited; valid credentials
// from the same address go through before, during and after.
func TestAuthFailuresLimitedPerAddress(t *testing.T) {
	lim := config.Default().Limits
	lim.AuthFailuresPerMinute, lim.AuthFailureBurst = 1, 3
	e := newLimitsEnv(t, lim)
	good := "Bearer " + e.apiKey
	for i := range 3 {
		r := e.do("GET", "/v1/vehicles/1M8GDM9AXKP042788", "Bearer al_wrong", "")
		assert.Equal(t, http.StatusUnauthorized, r.status, "failure %d", i+1)
		assert.Equal(t, http.StatusOK, e.do("GET", "/v1/vehicles/1M8GDM9AXKP042788", good, "").status)
	}
	r := e.do("GET", "/v1/vehicles/1M8GDM9AXKP042788", "Bearer al_wrong", "")
	require.Equal(t, http.StatusTooManyRequests, r.status)
	retryAfter(t, r)
	assert.Equal(t, api.CodeRateLimited, r.problem(t).Code)
	r = e.do("GET", "/v1/vehicles/1M8GDM9AXKP042788", "", "")
	assert.Equal(t, http.StatusTooManyRequests, r.status, "no credentials is a failure too")
	for range 5 {
		assert.Equal(t, http.StatusOK, e.do("GET", "/v1/vehicles/1M8GDM9AXKP042788", good, "").status,
			"a valid key from the same address is never slowed")
	}
}

// Each caller may hold at most limits.eventStreams streams at once.
func TestEventStreamsCappedPerCaller(t *testing.T) {
	lim := config.Default().Limits
	lim.EventStreams = 2
	e := newLimitsEnv(t, lim)
	asA := e.token("a", "tool-1", "OemMSP", "quality")
	open := func(authorization string) (*http.Response, context.CancelFunc) {
		ctx, cancel := context.WithCancel(context.Background())
		req, err := http.NewRequestWithContext(ctx, "GET", e.url+"/v1/events", nil)
		require.NoError(t, err)
		req.Header.Set("Authorization", authorization)
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		t.Cleanup(func() { cancel(); res.Body.Close() })
		return res, cancel
	}
	first, closeFirst := open(asA)
	require.Equal(t, http.StatusOK, first.StatusCode)
	second, _ := open(asA)
	require.Equal(t, http.StatusOK, second.StatusCode)
	third, _ := open(asA)
	assert.Equal(t, http.StatusTooManyRequests, third.StatusCode)
	n, err := strconv.Atoi(third.Header.Get("Retry-After"))
	assert.NoError(t, err)
	assert.Positive(t, n)

	other, _ := open(e.token("b", "tool-1", "OemMSP", "quality"))
	assert.Equal(t, http.StatusOK, other.StatusCode, "another issuer's tool-1 is another caller")

	// A closed stream frees its place.
	closeFirst()
	assert.Eventually(t, func() bool {
		res, cancel := open(asA)
		defer cancel()
		return res.StatusCode == http.StatusOK
	}, 5*time.Second, 50*time.Millisecond)
}
