package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hyperledger/fabric-gateway/pkg/client"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/autoledger/autoledger/chaincode/owner/statement"
	"github.com/autoledger/autoledger/gateway/api"
	"github.com/autoledger/autoledger/gateway/api/apitest"
	"github.com/autoledger/autoledger/gateway/auth"
	"github.com/autoledger/autoledger/gateway/config"
	"github.com/autoledger/autoledger/gateway/fabric"
	"github.com/autoledger/autoledger/gateway/ownerclient/ownerclienttest"
	"github.com/autoledger/autoledger/gateway/store"
)

// fabricOverLedger is the fake ledger behind the real gateway: its
// Ledger (evaluate) and Submitter (commit at once).
type fabricOverLedger struct {
	l  *ownerclienttest.Ledger
	st *store.Store
	mu sync.Mutex
	// endorsers are the orgs each submitted function was sent to.
	endorsers map[string][]string
	// checked counts the answers held to the OpenAPI document.
	checked int
}

func (f *fabricOverLedger) Evaluate(_ context.Context, _ auth.Principal, fn string, args ...string) ([]byte, error) {
	return f.l.Evaluate(fn, args...)
}
func (f *fabricOverLedger) Serves(org string) bool { return org != "SupplierMSP" }
func (f *fabricOverLedger) Ready(context.Context, time.Duration) map[string]bool {
	return map[string]bool{"OemMSP": true, "DealerMSP": true, "InsurerMSP": true}
}
func (f *fabricOverLedger) Height(context.Context, auth.Principal) (uint64, error) { return 1, nil }
func (f *fabricOverLedger) Events(context.Context, auth.Principal, fabric.Position) (<-chan *client.ChaincodeEvent, error) {
	return nil, &fabric.Error{Kind: fabric.Unavailable}
}

func (f *fabricOverLedger) Submit(_ context.Context, req fabric.Request) (store.Receipt, error) {
	f.mu.Lock()
	f.endorsers[req.Function] = req.Endorsers
	f.mu.Unlock()
	result, err := f.l.Submit(req.Function, req.Args, req.Transient)
	if err != nil {
		cc, _ := ccerr.From(err)
		return store.Receipt{}, &fabric.Error{Kind: fabric.Business, Chaincode: cc}
	}
	id := make([]byte, 32)
	_, _ = rand.Read(id)
	now := time.Now()
	r := store.Receipt{TxID: hex.EncodeToString(id), Status: store.Committed, ValidationCode: "VALID", BlockNumber: 9,
		Function: req.Function, Client: req.Principal.Client, Org: req.Principal.Org, Role: req.Principal.Role,
		SuccessStatus: req.SuccessStatus, SubmittedAt: now, CommittedAt: now, Result: result}
	return r, f.st.PutReceipt(r)
}

func (f *fabricOverLedger) Wait(_ context.Context, txID string) (store.Receipt, error) {
	return f.st.Receipt(txID)
}

// realGateway serves gateway/api over the fake ledger behind a proxy that
// holds every answer to the OpenAPI document. It returns the proxy's URL
// and a dealer sales API key.
func realGateway(t *testing.T, l *ownerclienttest.Ledger) (string, string, *fabricOverLedger) {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "gw.db"))
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	key, err := auth.NewKey()
	require.NoError(t, err)
	a, err := auth.New(config.Auth{APIKeys: []config.APIKey{{Client: "dms", Org: "DealerMSP", Role: "sales", KeyHash: auth.HashKey(key)}}})
	require.NoError(t, err)
	f := &fabricOverLedger{l: l, st: st, endorsers: map[string][]string{}}
	srv := httptest.NewServer(api.New(api.Deps{Log: slog.New(slog.DiscardHandler), Auth: a, Ledger: f, Submitter: f, Store: st,
		Limits: config.Default().Limits, SyncWait: time.Second, Channel: ownerclienttest.Channel}).Handler())
	t.Cleanup(srv.Close)

	contract, err := apitest.NewChecker()
	require.NoError(t, err)
	target, err := url.Parse(srv.URL)
	require.NoError(t, err)
	proxy := httputil.NewSingleHostReverseProxy(target)
	proxy.ModifyResponse = func(res *http.Response) error {
		body, err := io.ReadAll(res.Body)
		if err != nil {
			return err
		}
		res.Body = io.NopCloser(bytes.NewReader(body))
		check, _ := http.NewRequest(res.Request.Method, res.Request.URL.Path, nil)
		assert.NoError(t, contract.Check(check, res.StatusCode, res.Header, body))
		f.mu.Lock()
		f.checked++
		f.mu.Unlock()
		return nil
	}
	front := httptest.NewServer(proxy)
	t.Cleanup(front.Close)
	return front.URL, key, f
}

// The command line against the real gateway (gateway/api) over a ledger
// that checks statements as the chaincode does: the dealer sells from
// stock and the gateway makes the claim code; the owner claims with it,
// grants, revokes, sells to a buyer's key, and the buyer shows the car.
// Every answer matches the OpenAPI document; owner transactions are left
// to Fabric's endorsement plan, except a revocation, which the grantee
// does not endorse.
func TestOwnerCommandsAgainstTheRealGateway(t *testing.T) {
	l := ownerclienttest.NewLedger()
	base, dealerKey, f := realGateway(t, l)

	req, err := http.NewRequest("POST", base+"/v1/vehicles/"+testVIN+"/sales",
		strings.NewReader(`{"saleDate":"2026-11-30T00:00:00Z","odometerKm":12,"useType":"private"}`))
	require.NoError(t, err)
	req.Header.Set("X-API-Key", dealerKey)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	var sale struct{ ClaimCode string }
	require.NoError(t, json.NewDecoder(res.Body).Decode(&sale))
	res.Body.Close()
	require.Equal(t, http.StatusCreated, res.StatusCode)
	require.NotEmpty(t, sale.ClaimCode)

	dir := t.TempDir()
	alice, aliceFP := keygen(t, dir, "alice.pem")
	bob, bobFP := keygen(t, dir, "bob.pem")
	asAlice := map[string]string{envGateway: base, envKey: alice}

	// Typed back by hand: upper case, spaces for dashes.
	typed := strings.ToUpper(strings.ReplaceAll(sale.ClaimCode, "-", " "))
	o := runCLI(t, asAlice, typed+"\n", "owner", "claim", "--vin", testVIN, "--code", "-")
	require.Equal(t, 0, o.code, o.stderr)
	assert.Equal(t, aliceFP, l.Current(testVIN).KeyFingerprint)
	assert.Contains(t, o.stdout, "owner no. 1 (owned)")

	o = runCLI(t, asAlice, "", "owner", "grant", "--vin", testVIN, "--grantee", "InsurerMSP", "--scopes", "driving",
		"--purpose", "usage-based-insurance", "--days", "30")
	require.Equal(t, 0, o.code, o.stderr)
	posted := l.Posted()
	grant := posted[len(posted)-1]
	assert.Equal(t, "consent:Grant", grant.Function)

	o = runCLI(t, asAlice, "", "owner", "revoke", "--vin", testVIN, "--grant", grant.ID)
	require.Equal(t, 0, o.code, o.stderr)
	assert.Contains(t, o.stdout, "purge of the grantee's copies:")

	// A forged revocation: bob signs for alice's car. The ledger refuses it
	// and the command line shows the gateway's problem.
	o = runCLI(t, map[string]string{envGateway: base, envKey: bob}, "", "owner", "revoke", "--vin", testVIN, "--grant", grant.ID)
	assert.Equal(t, exitFailure, o.code)
	assert.Contains(t, o.stderr, string(ccerr.OwnerSignatureInvalid))

	pubFile := filepath.Join(dir, "bob.pub")
	require.Equal(t, 0, runCLI(t, nil, "", "owner", "pubkey", "--key", bob, "--out", pubFile, "--format", "base64").code)
	saleDate := time.Now().Add(-time.Hour).UTC().Truncate(time.Second)
	o = runCLI(t, asAlice, "", "owner", "sign-sale", "--vin", testVIN, "--buyer-key", pubFile, "--odometer-km", "48213",
		"--sale-date", statement.FormatTime(saleDate), "--use-type", "private")
	require.Equal(t, 0, o.code, o.stderr)
	assert.Equal(t, bobFP, l.Current(testVIN).KeyFingerprint)
	posted = l.Posted()
	assert.Equal(t, "owner:Sell", posted[len(posted)-1].Function)
	assert.Equal(t, map[string]string{"buyer": "key:" + bobFP, "odometerKm": "48213", "saleDate": statement.FormatTime(saleDate), "useType": "private"},
		posted[len(posted)-1].Statement.Params)

	o = runCLI(t, map[string]string{envGateway: base, envKey: bob}, "", "owner", "show", "--vin", testVIN)
	require.Equal(t, 0, o.code, o.stderr)
	assert.Contains(t, o.stdout, "2 ownership(s)")
	assert.Contains(t, o.stdout, statement.FormatFingerprint(bobFP)+" (yours)")
	assert.Contains(t, o.stdout, "your key (--key) is the current owner's")
	assert.Contains(t, o.stdout, grant.ID)

	assert.GreaterOrEqual(t, f.checked, 11, "every answer went through the OpenAPI check")
	for _, fn := range []string{"owner:Claim", "consent:Grant", "owner:Sell", "owner:SellFromStock"} {
		_, ok := f.endorsers[fn]
		require.True(t, ok, "control: %s was submitted", fn)
		assert.Nil(t, f.endorsers[fn], fn)
	}
	assert.NotContains(t, f.endorsers["consent:Revoke"], "InsurerMSP")
	assert.Len(t, f.endorsers["consent:Revoke"], 3)
}
