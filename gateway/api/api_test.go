package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/autoledger/autoledger/gateway/api"
	"github.com/autoledger/autoledger/gateway/api/apitest"
	"github.com/autoledger/autoledger/gateway/auth"
	"github.com/autoledger/autoledger/gateway/config"
	"github.com/autoledger/autoledger/gateway/fabric"
	"github.com/autoledger/autoledger/gateway/store"
	"github.com/hyperledger/fabric-gateway/pkg/client"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeLedger stands in for Fabric in unit tests; the e2e suite runs the
// same routes against real peers.
type fakeLedger struct {
	evalOut []byte
	evalErr error
	// out answers a function instead of evalOut.
	out   map[string][]byte
	ready bool
	calls []string
	// notServed are orgs the gateway holds no identity of (SupplierMSP
	// when nil).
	notServed []string
	// answer, when set, answers the calls it knows (ok) before out.
	answer func(fn string, args []string) (out []byte, ok bool)
}

func (f *fakeLedger) Evaluate(_ context.Context, pr auth.Principal, fn string, args ...string) ([]byte, error) {
	f.calls = append(f.calls, pr.Org+" "+fn+" "+strings.Join(args, ","))
	if f.answer != nil {
		if out, ok := f.answer(fn, args); ok {
			return out, nil
		}
	}
	if out, ok := f.out[fn]; ok && f.evalErr == nil {
		return out, nil
	}
	return f.evalOut, f.evalErr
}
func (f *fakeLedger) Serves(org string) bool {
	if f.notServed == nil {
		return org != "SupplierMSP"
	}
	return !slices.Contains(f.notServed, org)
}
func (f *fakeLedger) Ready(context.Context, time.Duration) map[string]bool {
	return map[string]bool{"OemMSP": f.ready}
}
func (f *fakeLedger) Height(context.Context, auth.Principal) (uint64, error) { return 5, nil }
func (f *fakeLedger) Events(context.Context, auth.Principal, fabric.Position) (<-chan *client.ChaincodeEvent, error) {
	return nil, &fabric.Error{Kind: fabric.Unavailable}
}

// fakeSubmitter records submissions and commits them at once unless told otherwise.
type fakeSubmitter struct {
	st      *store.Store
	mu      sync.Mutex
	reqs    []fabric.Request
	err     error
	pending bool
	code    string
	// results answer a function instead of {"ok":true}.
	results map[string]string
	// fail refuses the functions it names with its error (a chaincode
	// refusal of that transaction alone).
	fail map[string]error
	// policy, for the functions it names, admits only these "Org role"
	// callers and refuses the others FORBIDDEN, as the chaincode does.
	policy map[string][]string
}

func (f *fakeSubmitter) Submit(_ context.Context, req fabric.Request) (store.Receipt, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reqs = append(f.reqs, req)
	if f.err != nil {
		return store.Receipt{}, f.err
	}
	if err := f.fail[req.Function]; err != nil {
		return store.Receipt{}, err
	}
	if allowed, ok := f.policy[req.Function]; ok && !slices.Contains(allowed, req.Principal.Org+" "+req.Principal.Role) {
		return store.Receipt{}, &fabric.Error{Kind: fabric.Business, Chaincode: ccerr.New(ccerr.Forbidden, "caller %s with role %s may not call %s",
			req.Principal.Org, req.Principal.Role, req.Function)}
	}
	result := json.RawMessage(`{"ok":true}`)
	if out, ok := f.results[req.Function]; ok {
		result = json.RawMessage(out)
	}
	r := store.Receipt{TxID: "tx" + string(rune('a'+len(f.reqs))), Status: store.Pending, Function: req.Function,
		Client: req.Principal.Client, Org: req.Principal.Org, Role: req.Principal.Role,
		SuccessStatus: req.SuccessStatus, Location: req.Location, SubmittedAt: time.Now(), Result: result}
	if !f.pending {
		r.Status, r.ValidationCode, r.BlockNumber = store.Committed, "VALID", 7
		if f.code != "" {
			r.Status, r.ValidationCode = store.Invalid, f.code
		}
	}
	return r, f.st.PutReceipt(r)
}

func (f *fakeSubmitter) Wait(_ context.Context, txID string) (store.Receipt, error) {
	return f.st.Receipt(txID)
}

type env struct {
	t        *testing.T
	srv      *httptest.Server
	ledger   *fakeLedger
	sub      *fakeSubmitter
	keys     map[string]string
	contract *apitest.Checker
}

// apiKeys makes a new API key for each of ps: an authenticator that knows
// them all, and each client's key by client name.
func apiKeys(t *testing.T, ps ...auth.Principal) (*auth.Authenticator, map[string]string) {
	t.Helper()
	keys := map[string]string{}
	var cfg config.Auth
	for _, p := range ps {
		k, err := auth.NewKey()
		require.NoError(t, err)
		keys[p.Client] = k
		cfg.APIKeys = append(cfg.APIKeys, config.APIKey{Client: p.Client, Org: p.Org, Role: p.Role, KeyHash: auth.HashKey(k)})
	}
	a, err := auth.New(cfg)
	require.NoError(t, err)
	return a, keys
}

func newEnv(t *testing.T, limits ...config.Limits) *env {
	lim := config.Default().Limits
	if len(limits) > 0 {
		lim = limits[0]
	}
	return newEnvWith(t, api.Deps{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Limits: lim}, &fakeLedger{evalOut: []byte(vehicleJSON), ready: true})
}

// testChannel is the channel the test gateway says it is on.
const testChannel = "autoledger"

// newEnvWith builds the test gateway from d (its Log, Limits and Owner)
// over ledger, with an API key for each test client.
func newEnvWith(t *testing.T, d api.Deps, ledger *fakeLedger) *env {
	st, err := store.Open(filepath.Join(t.TempDir(), "gw.db"))
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	a, keys := apiKeys(t, auth.Principal{Client: "erp", Org: "OemMSP", Role: "production"}, auth.Principal{Client: "dms", Org: "DealerMSP", Role: "sales"},
		auth.Principal{Client: "sup", Org: "SupplierMSP", Role: "logistics"}, auth.Principal{Client: "tel", Org: "OemMSP", Role: "telematics"},
		auth.Principal{Client: "uw", Org: "InsurerMSP", Role: "underwriting"}, auth.Principal{Client: "svc", Org: "DealerMSP", Role: "service"})
	sub := &fakeSubmitter{st: st}
	d.Auth, d.Ledger, d.Submitter, d.Store, d.SyncWait, d.Channel = a, ledger, sub, st, time.Second, testChannel
	s := api.New(d)
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	c, err := apitest.NewChecker()
	require.NoError(t, err)
	return &env{t: t, srv: srv, ledger: ledger, sub: sub, keys: keys, contract: c}
}

type resp struct {
	status int
	header http.Header
	body   []byte
}

func (r resp) problem(t *testing.T) api.Problem {
	var p api.Problem
	require.NoError(t, json.Unmarshal(r.body, &p), string(r.body))
	assert.Equal(t, "application/problem+json", r.header.Get("Content-Type"))
	return p
}

// do sends a request as client (or anonymously with "") and checks the
// response against the OpenAPI document.
func (e *env) do(method, path, client, body string, headers ...string) resp {
	e.t.Helper()
	if client != "" {
		headers = append([]string{"X-API-Key", e.keys[client]}, headers...)
	}
	r := send(e.t, method, e.srv.URL+path, body, headers...)
	check, _ := http.NewRequest(method, path, nil)
	if r.status != http.StatusMethodNotAllowed && !strings.HasPrefix(path, "/nope") {
		assert.NoError(e.t, e.contract.Check(check, r.status, r.header, r.body))
	}
	return r
}

// send makes one request to url with headers (name, value, ...) and reads
// the whole response.
func send(t testing.TB, method, url, body string, headers ...string) resp {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	require.NoError(t, err)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return resp{status: res.StatusCode, header: res.Header, body: b}
}

const vehicleJSON = `{"schemaVersion":1,"vin":"1M8GDM9AXKP042788","checkDigitVerified":true,"birth":{"manufacturer":"A",` +
	`"model":"B","modelYear":2026,"plant":"P","productionDate":"2026-01-01T00:00:00Z","countryOfOrigin":"US","colour":"red",` +
	`"powertrain":"ICE"},"ownerCount":0,"rollbackSuspected":false,"titleBrands":[],"eventCount":1}`

const register = `{"vin":"1M8GDM9AXKP042788","birth":{"manufacturer":"A","model":"B","modelYear":2026,"plant":"P",` +
	`"productionDate":"2026-01-01T00:00:00Z","countryOfOrigin":"US","colour":"red","powertrain":"ICE"}}`

func TestRoutesAndOpenAPIAgree(t *testing.T) {
	e := newEnv(t)
	s := api.New(api.Deps{Log: slog.Default(), Auth: &auth.Authenticator{}, Ledger: e.ledger, Submitter: e.sub, Limits: config.Default().Limits})
	var documented []string
	for path, item := range e.contract.Doc().Paths.Map() {
		for method := range item.Operations() {
			documented = append(documented, method+" "+path)
		}
	}
	routes := s.Routes()
	slices.Sort(routes)
	slices.Sort(documented)
	assert.Equal(t, documented, routes)

	r := e.do("GET", "/openapi.json", "", "")
	assert.Equal(t, http.StatusOK, r.status)
	assert.Contains(t, string(r.body), `"openapi":"3.1.0"`)
}

func TestRegisterCommitsAndAnswersCreated(t *testing.T) {
	e := newEnv(t)
	r := e.do("POST", "/v1/vehicles", "erp", register)
	require.Equal(t, http.StatusCreated, r.status, string(r.body))
	assert.Equal(t, "/v1/vehicles/1M8GDM9AXKP042788", r.header.Get("Location"))
	var v api.TxView
	require.NoError(t, json.Unmarshal(r.body, &v))
	assert.Equal(t, "committed", v.Status)
	assert.Equal(t, uint64(7), v.BlockNumber)
	require.Len(t, e.sub.reqs, 1)
	assert.Equal(t, "vehicle:Register", e.sub.reqs[0].Function)
	assert.Equal(t, auth.Principal{Client: "erp", Org: "OemMSP", Role: "production"}, e.sub.reqs[0].Principal)
	assert.NotEmpty(t, r.header.Get("X-Request-ID"))
}

func TestBadInputNeverReachesFabric(t *testing.T) {
	e := newEnv(t)
	bad := strings.Replace(register, "1M8GDM9AXKP042788", "1M8GDM95XKP042788", 1)
	r := e.do("POST", "/v1/vehicles", "erp", bad)
	assert.Equal(t, http.StatusUnprocessableEntity, r.status)
	p := r.problem(t)
	assert.Equal(t, string(ccerr.VINInvalid), p.Code)
	assert.Equal(t, "check_digit", p.Errors[0].Rule)

	r = e.do("GET", "/v1/vehicles/1M8GDM9AXKP04278O", "erp", "")
	assert.Equal(t, http.StatusUnprocessableEntity, r.status)
	assert.Equal(t, "charset", r.problem(t).Errors[0].Rule)

	r = e.do("POST", "/v1/vehicles", "erp", `{"vin":`)
	assert.Equal(t, http.StatusBadRequest, r.status)
	assert.Equal(t, api.CodeMalformed, r.problem(t).Code)

	r = e.do("POST", "/v1/vehicles", "erp", `{"vin":"1M8GDM9AXKP042788","birth":{},"colour":"x"}`)
	assert.Equal(t, http.StatusUnprocessableEntity, r.status)
	assert.Equal(t, "unknown_field", r.problem(t).Errors[0].Rule)

	r = e.do("POST", "/v1/vehicles", "erp", `{"vin":17}`)
	assert.Equal(t, http.StatusUnprocessableEntity, r.status)
	assert.Equal(t, "vin", r.problem(t).Errors[0].Field)

	r = e.do("POST", "/v1/vehicles/1M8GDM9AXKP042788/sales", "dms",
		`{"saleDate":"2026-01-01T00:00:00Z","odometerKm":5,"useType":"private","ownerRef":"jane@example.com","ownerSalt":"`+testSalt+`"}`)
	assert.Equal(t, http.StatusUnprocessableEntity, r.status)
	assert.Equal(t, string(ccerr.PersonalData), r.problem(t).Code)

	r = e.do("GET", "/v1/vehicles/1M8GDM9AXKP042788/history?pageSize=0", "erp", "")
	assert.Equal(t, http.StatusUnprocessableEntity, r.status)
	assert.Equal(t, "pageSize", r.problem(t).Errors[0].Field)

	assert.Empty(t, e.sub.reqs)
	assert.Empty(t, e.ledger.calls)
}

func TestBodyLimit(t *testing.T) {
	lim := config.Default().Limits
	lim.BodyBytes = 100
	e := newEnv(t, lim)
	r := e.do("POST", "/v1/vehicles", "erp", register)
	assert.Equal(t, http.StatusRequestEntityTooLarge, r.status)
	assert.Equal(t, api.CodeTooLarge, r.problem(t).Code)
}

func TestAuthentication(t *testing.T) {
	e := newEnv(t)
	r := e.do("GET", "/v1/vehicles/1M8GDM9AXKP042788", "", "")
	assert.Equal(t, http.StatusUnauthorized, r.status)
	assert.Equal(t, api.CodeUnauthenticated, r.problem(t).Code)
	assert.NotEmpty(t, r.header.Get("WWW-Authenticate"))
	r = e.do("GET", "/v1/vehicles/1M8GDM9AXKP042788", "", "", "X-API-Key", "al_wrong")
	assert.Equal(t, http.StatusUnauthorized, r.status)
	r = e.do("GET", "/v1/vehicles/1M8GDM9AXKP042788", "sup", "")
	assert.Equal(t, http.StatusForbidden, r.status)
	assert.Equal(t, api.CodeOrgNotServed, r.problem(t).Code)
	assert.Empty(t, e.ledger.calls)
}

func TestFabricErrorsMapToHTTP(t *testing.T) {
	cases := []struct {
		err    error
		status int
		code   string
	}{
		{&fabric.Error{Kind: fabric.Business, Chaincode: ccerr.New(ccerr.NotFound, "no")}, 404, "NOT_FOUND"},
		{&fabric.Error{Kind: fabric.Business, Chaincode: ccerr.New(ccerr.AlreadyExists, "dup")}, 409, "ALREADY_EXISTS"},
		{&fabric.Error{Kind: fabric.Business, Chaincode: ccerr.New(ccerr.FailedPrecondition, "x")}, 409, "FAILED_PRECONDITION"},
		{&fabric.Error{Kind: fabric.Business, Chaincode: ccerr.New(ccerr.Forbidden, "x")}, 403, "FORBIDDEN"},
		{&fabric.Error{Kind: fabric.Business, Chaincode: ccerr.New(ccerr.TimestampSkew, "x")}, 422, "TIMESTAMP_SKEW"},
		{&fabric.Error{Kind: fabric.AccessDenied}, 403, "FORBIDDEN"},
		{&fabric.Error{Kind: fabric.Unavailable}, 503, api.CodeUnavailable},
		{&fabric.Error{Kind: fabric.Timeout}, 504, api.CodeTimeout},
		{&fabric.Error{Kind: fabric.Internal, Err: io.ErrUnexpectedEOF}, 500, api.CodeInternal},
	}
	for _, c := range cases {
		e := newEnv(t)
		e.ledger.evalErr = c.err
		r := e.do("GET", "/v1/vehicles/1M8GDM9AXKP042788", "erp", "")
		assert.Equal(t, c.status, r.status, c.code)
		p := r.problem(t)
		assert.Equal(t, c.code, p.Code)
		assert.NotContains(t, string(r.body), "unexpected EOF", "internal error text must not leak")
		if c.status == 503 {
			assert.NotEmpty(t, r.header.Get("Retry-After"))
		}
	}
}

func TestCommitOutcomes(t *testing.T) {
	for code, status := range map[string]int{"ENDORSEMENT_POLICY_FAILURE": 502, "MVCC_READ_CONFLICT": 409, "BAD_PAYLOAD": 500} {
		e := newEnv(t)
		e.sub.code = code
		r := e.do("POST", "/v1/vehicles", "erp", register)
		assert.Equal(t, status, r.status, code)
		assert.NotEmpty(t, r.problem(t).TransactionID)
	}
	e := newEnv(t)
	e.sub.pending = true
	r := e.do("POST", "/v1/vehicles", "erp", register)
	assert.Equal(t, http.StatusAccepted, r.status, "commit unknown within the sync wait")
	assert.True(t, strings.HasPrefix(r.header.Get("Location"), "/v1/transactions/"))
}

func TestAsyncAndStatus(t *testing.T) {
	e := newEnv(t)
	e.sub.pending = true
	r := e.do("POST", "/v1/vehicles", "erp", register, "Prefer", "respond-async")
	require.Equal(t, http.StatusAccepted, r.status)
	assert.Equal(t, "respond-async", r.header.Get("Preference-Applied"))
	loc := r.header.Get("Location")
	r = e.do("GET", loc, "erp", "")
	require.Equal(t, http.StatusOK, r.status)
	var v api.TxView
	require.NoError(t, json.Unmarshal(r.body, &v))
	assert.Equal(t, "pending", v.Status)
	r = e.do("GET", loc, "dms", "")
	assert.Equal(t, http.StatusNotFound, r.status, "another org cannot see the transaction")
}

func TestIdempotencyKey(t *testing.T) {
	e := newEnv(t)
	first := e.do("POST", "/v1/vehicles", "erp", register, "Idempotency-Key", "k1")
	require.Equal(t, http.StatusCreated, first.status)
	again := e.do("POST", "/v1/vehicles", "erp", register, "Idempotency-Key", "k1")
	assert.Equal(t, http.StatusCreated, again.status)
	assert.Equal(t, "true", again.header.Get("Idempotent-Replayed"))
	assert.JSONEq(t, string(first.body), string(again.body))
	assert.Len(t, e.sub.reqs, 1, "no second transaction")

	other := e.do("POST", "/v1/vehicles", "erp", strings.Replace(register, `"red"`, `"blue"`, 1), "Idempotency-Key", "k1")
	assert.Equal(t, http.StatusUnprocessableEntity, other.status)
	assert.Equal(t, api.CodeIdempotencyReuse, other.problem(t).Code)

	// Another client's key space is its own.
	e.do("POST", "/v1/vehicles/1M8GDM9AXKP042788/odometer-readings", "dms",
		`{"km":5,"source":"sale","observedAt":"2026-01-01T00:00:00Z"}`, "Idempotency-Key", "k1")
	assert.Len(t, e.sub.reqs, 2)

	// A business refusal is final: replayed, not retried.
	e.sub.err = &fabric.Error{Kind: fabric.Business, Chaincode: ccerr.New(ccerr.AlreadyExists, "dup")}
	r := e.do("POST", "/v1/vehicles", "erp", register, "Idempotency-Key", "k2")
	assert.Equal(t, http.StatusConflict, r.status)
	r = e.do("POST", "/v1/vehicles", "erp", register, "Idempotency-Key", "k2")
	assert.Equal(t, http.StatusConflict, r.status)
	assert.Equal(t, "true", r.header.Get("Idempotent-Replayed"))
	assert.Len(t, e.sub.reqs, 3)

	// Unavailable means nothing was ordered: the key is released for a retry.
	e.sub.err = &fabric.Error{Kind: fabric.Unavailable}
	r = e.do("POST", "/v1/vehicles", "erp", register, "Idempotency-Key", "k3")
	assert.Equal(t, http.StatusServiceUnavailable, r.status)
	e.sub.err = nil
	r = e.do("POST", "/v1/vehicles", "erp", register, "Idempotency-Key", "k3")
	assert.Equal(t, http.StatusCreated, r.status)
	assert.Len(t, e.sub.reqs, 5)
}

func TestRateLimitPerClient(t *testing.T) {
	lim := config.Default().Limits
	lim.RatePerSec, lim.Burst = 0.001, 2
	e := newEnv(t, lim)
	for range 2 {
		assert.Equal(t, http.StatusOK, e.do("GET", "/v1/vehicles/1M8GDM9AXKP042788", "erp", "").status)
	}
	r := e.do("GET", "/v1/vehicles/1M8GDM9AXKP042788", "erp", "")
	assert.Equal(t, http.StatusTooManyRequests, r.status)
	assert.Equal(t, api.CodeRateLimited, r.problem(t).Code)
	assert.Equal(t, http.StatusOK, e.do("GET", "/v1/vehicles/1M8GDM9AXKP042788", "dms", "").status, "other clients unaffected")
}

func TestOperations(t *testing.T) {
	e := newEnv(t)
	assert.Equal(t, http.StatusOK, e.do("GET", "/healthz", "", "").status)
	assert.Equal(t, http.StatusOK, e.do("GET", "/readyz", "", "").status)
	e.ledger.ready = false
	r := e.do("GET", "/readyz", "", "")
	assert.Equal(t, http.StatusServiceUnavailable, r.status)
	e.do("GET", "/v1/vehicles/1M8GDM9AXKP042788", "erp", "")
	r = e.do("GET", "/metrics", "", "")
	assert.Contains(t, string(r.body), `autoledger_gateway_http_requests_total{method="GET",route="/v1/vehicles/:vin",status="200"}`)
	r = e.do("GET", "/nope", "", "")
	assert.Equal(t, http.StatusNotFound, r.status)
	r = e.do("GET", "/v1/events", "erp", "")
	assert.Equal(t, http.StatusServiceUnavailable, r.status)
	r = e.do("GET", "/v1/events", "erp", "", "Last-Event-ID", "garbage")
	assert.Equal(t, http.StatusUnprocessableEntity, r.status)
}

func TestPartsInputIsCheckedBeforeFabric(t *testing.T) {
	e := newEnv(t)
	many := make([]string, 1001)
	for i := range many {
		many[i] = fmt.Sprintf("S%d", i)
	}
	body, _ := json.Marshal(map[string]any{"partNumber": "P", "batch": "B", "manufacturer": "M",
		"manufacturedAt": "2026-01-01T00:00:00Z", "serials": many})
	r := e.do("POST", "/v1/parts", "erp", string(body))
	assert.Equal(t, http.StatusUnprocessableEntity, r.status)
	assert.Equal(t, "count", r.problem(t).Errors[0].Rule)

	r = e.do("POST", "/v1/parts/bad%7Cserial/shipments", "erp", `{"to":"DealerMSP","shipmentRef":"S"}`)
	assert.Equal(t, http.StatusUnprocessableEntity, r.status)
	assert.Equal(t, "serial", r.problem(t).Errors[0].Field)

	r = e.do("POST", "/v1/parts/S1/installations", "erp", `{"vin":"1M8GDM9AXKP04278Q"}`)
	assert.Equal(t, http.StatusUnprocessableEntity, r.status)
	assert.Equal(t, string(ccerr.VINInvalid), r.problem(t).Code)

	r = e.do("POST", "/v1/parts/S1/terms", "erp", `{"unitPriceMinor":1,"currency":"euro","salt":"short"}`)
	assert.Equal(t, http.StatusUnprocessableEntity, r.status)
	assert.Len(t, r.problem(t).Errors, 2)

	r = e.do("POST", "/v1/recalls", "erp", `{"recallId":"R1","partNumber":"P","batchFrom":"B9","batchTo":"B1","reason":"x"}`)
	assert.Equal(t, http.StatusUnprocessableEntity, r.status)
	assert.Equal(t, "batchTo", r.problem(t).Errors[0].Field)
	assert.Empty(t, e.sub.reqs)
	assert.Empty(t, e.ledger.calls)

	r = e.do("POST", "/v1/parts/S1/shipments", "erp", `{"to":"DealerMSP","shipmentRef":"SH-1"}`)
	assert.Equal(t, http.StatusCreated, r.status)
	require.Len(t, e.sub.reqs, 1)
	assert.Equal(t, []string{"S1", `{"to":"DealerMSP","shipmentRef":"SH-1"}`}, e.sub.reqs[0].Args)
}

func TestTermsGoToThePairOnly(t *testing.T) {
	e := newEnv(t)
	e.ledger.evalOut = []byte(`{"serial":"S1","partNumber":"P7","batch":"B2","holder":"OemMSP","status":"held","materials":[],"custodyCount":1}`)
	r := e.do("POST", "/v1/parts/S1/terms", "erp", `{"unitPriceMinor":100,"currency":"EUR","lotData":"x","salt":"`+testSalt+`"}`)
	require.Equal(t, http.StatusCreated, r.status, string(r.body))
	req := e.sub.reqs[0]
	assert.Equal(t, "part:PutTerms", req.Function)
	assert.Equal(t, []string{"P7", "B2"}, req.Args)
	assert.Equal(t, []string{"OemMSP", "SupplierMSP"}, req.Endorsers)
	assert.JSONEq(t, `{"unitPriceMinor":100,"currency":"EUR","lotData":"x","salt":"`+testSalt+`"}`, string(req.Transient["terms"]))
}
