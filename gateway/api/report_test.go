package api_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/autoledger/autoledger/chaincode/owner/ownertypes"
	"github.com/autoledger/autoledger/chaincode/owner/statement"
	"github.com/autoledger/autoledger/gateway/api"
	"github.com/autoledger/autoledger/gateway/api/apitest"
	"github.com/autoledger/autoledger/gateway/auth"
	"github.com/autoledger/autoledger/gateway/config"
	"github.com/autoledger/autoledger/gateway/report"
	"github.com/autoledger/autoledger/gateway/report/reporttest"
	"github.com/autoledger/autoledger/gateway/store"
	"github.com/autoledger/autoledger/gateway/verify"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// reportLedger is the fake ledger with the report's network: one car
// whose endorsements and blocks are really signed.
type reportLedger struct {
	*fakeLedger
	net *reporttest.FakeNetwork
}

func (l reportLedger) Evaluate(ctx context.Context, pr auth.Principal, fn string, args ...string) ([]byte, error) {
	l.calls = append(l.calls, pr.Org+" "+fn+" "+strings.Join(args, ","))
	return l.net.Evaluate(ctx, pr, fn, args...)
}

func (l reportLedger) Endorse(ctx context.Context, pr auth.Principal, endorsers []string, fn string, args ...string) (report.Endorsement, error) {
	return l.net.Endorse(ctx, pr, endorsers, fn, args...)
}

func (l reportLedger) ConfigBlock(ctx context.Context, pr auth.Principal) ([]byte, error) {
	return l.net.ConfigBlock(ctx, pr)
}

func (l reportLedger) BlockByTxID(ctx context.Context, pr auth.Principal, txID string) ([]byte, error) {
	return l.net.BlockByTxID(ctx, pr, txID)
}

const linkToken = "q7V1m2n3b4v5c6x7z8l9k0j1h2g3f4d5s6a7p8o9i0u"

// reportEnv is a gateway over the report's fake ledger with a live link
// (linkToken) to its car.
func reportEnv(t *testing.T, owner ...config.Owner) (*env, *reporttest.FakeNetwork) {
	t.Helper()
	f := reporttest.NewFakeNetwork(t, 3, 1)
	f.Link(t, linkToken, true, nil)
	st, err := store.Open(filepath.Join(t.TempDir(), "gw.db"))
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	a, keys := apiKeys(t, auth.Principal{Client: "dms", Org: "DealerMSP", Role: "sales"}, auth.Principal{Client: "erp", Org: "OemMSP", Role: "production"})
	sub := &fakeSubmitter{st: st}
	d := api.Deps{Log: slog.New(slog.DiscardHandler), Limits: config.Default().Limits, Auth: a, Submitter: sub, Store: st,
		SyncWait: time.Second, Channel: reporttest.Channel}
	if len(owner) > 0 {
		d.Owner = owner[0]
	}
	fl := &fakeLedger{ready: true}
	d.Ledger = reportLedger{fakeLedger: fl, net: f}
	srv := httptest.NewServer(api.New(d).Handler())
	t.Cleanup(srv.Close)
	c, err := apitest.NewChecker()
	require.NoError(t, err)
	return &env{t: t, srv: srv, ledger: fl, sub: sub, keys: keys, contract: c}, f
}

func TestShareLinkPageNeedsNoCredential(t *testing.T) {
	e, f := reportEnv(t)
	r := e.do("GET", "/r/"+linkToken, "", "")
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	assert.Equal(t, "text/html; charset=utf-8", r.header.Get("Content-Type"))
	assert.Contains(t, r.header.Get("Content-Security-Policy"), "script-src 'self' 'wasm-unsafe-eval'")
	assert.Equal(t, "no-store", r.header.Get("Cache-Control"))
	assert.Equal(t, "no-referrer", r.header.Get("Referrer-Policy"), "the token in the address goes nowhere else")
	assert.Contains(t, string(r.body), `id="odometer-chart"`)
	assert.Contains(t, string(r.body), `data-vin="`+f.VIN+`"`)
	assert.Contains(t, string(r.body), e.srv.URL+"/r/"+linkToken+"/bundle?challenge=", "the command line names this gateway")

	r = e.do("GET", "/r/"+strings.Repeat("x", 43), "", "")
	assert.Equal(t, http.StatusNotFound, r.status)
	assert.Contains(t, string(r.body), "no such share link")

	gone := strings.Repeat("g", 43)
	f.Link(t, gone, false, func(v *ownertypes.ShareLinkView) { v.RevokedAt = time.Now() })
	r = e.do("GET", "/r/"+gone, "", "")
	assert.Equal(t, http.StatusGone, r.status)
	assert.Contains(t, string(r.body), "revoked")
	assert.Equal(t, "text/html; charset=utf-8", r.header.Get("Content-Type"))
}

func TestShareLinkBundleVerifies(t *testing.T) {
	e, f := reportEnv(t)
	challenge := strings.Repeat("c3", 32)
	r := e.do("GET", "/r/"+linkToken+"/bundle?challenge="+challenge+"&facts="+f.Facts[0].TxID, "", "")
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	var b verify.Bundle
	require.NoError(t, json.Unmarshal(r.body, &b))
	res := verify.Verify(b, f.Net.Roots(), verify.Expect{Channel: reporttest.Channel, VIN: f.VIN, Challenge: challenge, Orderers: []string{"OrdererMSP"}})
	require.True(t, res.OK, res.String())
	assert.NotEmpty(t, b.Facts[0].Block)
	for _, c := range e.ledger.calls {
		assert.True(t, strings.HasPrefix(c, "OemMSP "), "read as the relay: %s", c)
	}

	r = e.do("GET", "/r/"+linkToken+"/bundle?challenge=XYZ", "", "")
	assert.Equal(t, http.StatusUnprocessableEntity, r.status)
	assert.Equal(t, "challenge", r.problem(t).Errors[0].Field)

	expired := strings.Repeat("e", 43)
	f.Link(t, expired, false, func(v *ownertypes.ShareLinkView) { v.NotAfter = time.Now().Add(-time.Hour) })
	r = e.do("GET", "/r/"+expired+"/bundle?challenge="+challenge, "", "")
	assert.Equal(t, http.StatusGone, r.status)
	assert.Equal(t, report.CodeLinkGone, r.problem(t).Code)
	r = e.do("GET", "/r/"+strings.Repeat("u", 43)+"/bundle?challenge="+challenge, "", "")
	assert.Equal(t, http.StatusNotFound, r.status)
	assert.Equal(t, report.CodeLinkNotFound, r.problem(t).Code)

	r = e.do("GET", "/roots.json", "", "")
	require.Equal(t, http.StatusOK, r.status)
	var roots verify.Roots
	require.NoError(t, json.Unmarshal(r.body, &roots))
	assert.Equal(t, f.Net.Roots(), roots)
}

func TestShareLinksAreLimitedPerAddress(t *testing.T) {
	e, _ := reportEnv(t, config.Owner{RequestsPerMinute: 1, Burst: 3})
	challenge := strings.Repeat("c3", 32)
	assert.Equal(t, http.StatusOK, e.do("GET", "/r/"+linkToken, "", "").status)
	// Two fact blocks cost two more tokens: the third is over.
	two := fmt.Sprintf("%064x,%064x", 1, 2)
	r := e.do("GET", "/r/"+linkToken+"/bundle?challenge="+challenge+"&facts="+two, "", "")
	assert.Equal(t, http.StatusTooManyRequests, r.status)
	assert.NotEmpty(t, r.header.Get("Retry-After"))
	assert.Equal(t, http.StatusTooManyRequests, e.do("GET", "/roots.json", "", "").status)
}

func TestOwnerShareLinkRoutes(t *testing.T) {
	e, _ := reportEnv(t)
	o := newOwnerKey(t)
	hash := strings.Repeat("ab", 32)
	notAfter := statement.FormatTime(time.Now().Add(48 * time.Hour).Truncate(time.Second))
	text, sig := o.sign(t, ownerVIN, statement.ShareLink, map[string]string{"link": hash, "notAfter": notAfter})
	r := e.do("POST", "/v1/owner/vehicles/"+ownerVIN+"/share-links", "", envelope(text, sig), "Content-Type", "application/json")
	require.Equal(t, http.StatusCreated, r.status, string(r.body))
	require.Len(t, e.sub.reqs, 1)
	assert.Equal(t, "owner:CreateShareLink", e.sub.reqs[0].Function)
	assert.Equal(t, ownerVIN, e.sub.reqs[0].Args[0])
	assert.Equal(t, relay, e.sub.reqs[0].Principal)

	// A statement of another action costs no endorsement.
	text, sig = o.sign(t, ownerVIN, statement.UnshareLink, map[string]string{"link": hash})
	r = e.do("POST", "/v1/owner/vehicles/"+ownerVIN+"/share-links", "", envelope(text, sig), "Content-Type", "application/json")
	assert.Equal(t, string(ccerr.StatementMismatch), r.problem(t).Code)
	assert.Len(t, e.sub.reqs, 1)

	r = e.do("POST", "/v1/owner/vehicles/"+ownerVIN+"/share-links/revocations", "", envelope(text, sig), "Content-Type", "application/json")
	require.Equal(t, http.StatusCreated, r.status, string(r.body))
	assert.Equal(t, "owner:RevokeShareLink", e.sub.reqs[1].Function)

	r = e.do("POST", "/v1/owner/challenges", "", `{"vin":"`+ownerVIN+`","action":"share-link"}`, "Content-Type", "application/json")
	assert.Equal(t, http.StatusOK, r.status, "a device asks what to sign for a link")
}

func TestDealerShareLink(t *testing.T) {
	e, _ := reportEnv(t)
	e.sub.policy = map[string][]string{"owner:CreateShareLinkForOwner": {"DealerMSP sales"}}
	grant := strings.Repeat("9f", 32)
	notAfter := time.Now().Add(30 * 24 * time.Hour).UTC().Truncate(time.Second)
	body := fmt.Sprintf(`{"grantId":%q,"notAfter":%q}`, grant, notAfter.Format(time.RFC3339))
	r := e.do("POST", "/v1/vehicles/"+ownerVIN+"/share-links", "dms", body)
	require.Equal(t, http.StatusCreated, r.status, string(r.body))
	var out api.DealerShareLink
	require.NoError(t, json.Unmarshal(r.body, &out))
	sum := sha256.Sum256([]byte(out.Token))
	assert.Equal(t, hex.EncodeToString(sum[:]), out.Link)
	_, err := ownertypes.ShareLinkHash(out.Token)
	assert.NoError(t, err, "a token of the chaincode's shape")
	assert.Equal(t, "/r/"+out.Token, out.Path)
	assert.Equal(t, e.srv.URL+out.Path, out.URL)
	assert.True(t, out.TokenShownOnce)
	require.Len(t, e.sub.reqs, 1)
	assert.Equal(t, []string{ownerVIN, out.Link, notAfter.Format(time.RFC3339Nano), grant}, e.sub.reqs[0].Args, "the ledger gets the hash, never the token")

	// The chaincode admits DealerMSP sales alone: another org is refused.
	r = e.do("POST", "/v1/vehicles/"+ownerVIN+"/share-links", "erp", body)
	assert.Equal(t, http.StatusForbidden, r.status)
	// Without a credential: 401, before anything.
	r = e.do("POST", "/v1/vehicles/"+ownerVIN+"/share-links", "", body)
	assert.Equal(t, http.StatusUnauthorized, r.status)

	tooLate := fmt.Sprintf(`{"grantId":%q,"notAfter":%q}`, grant, time.Now().Add(91*24*time.Hour).UTC().Format(time.RFC3339))
	r = e.do("POST", "/v1/vehicles/"+ownerVIN+"/share-links", "dms", tooLate)
	assert.Equal(t, http.StatusUnprocessableEntity, r.status)
	assert.Equal(t, "max_link", r.problem(t).Errors[0].Rule)
	assert.Len(t, e.sub.reqs, 2, "refused before endorsement")
}
