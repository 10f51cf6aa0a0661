package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/autoledger/autoledger/chaincode/owner/ownertypes"
	"github.com/autoledger/autoledger/chaincode/owner/statement"
	"github.com/autoledger/autoledger/gateway/ownerclient"
	"github.com/autoledger/autoledger/gateway/ownerclient/ownerclienttest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeGateway answers the partner routes demo-load calls (recording
// them), makes the dealer's claim codes as the gateway does, and passes
// the owner routes to ownerclienttest's gateway, whose ledger checks every
// statement as the chaincode does.
type fakeGateway struct {
	owners *ownerclienttest.Gateway
	mu     sync.Mutex
	posts  []string
	bodies map[string]map[string]any
	codes  []string
}

func (f *fakeGateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/v1/owner/") {
		u, _ := url.Parse(f.owners.URL)
		httputil.NewSingleHostReverseProxy(u).ServeHTTP(w, r)
		return
	}
	b, _ := io.ReadAll(r.Body)
	var body map[string]any
	_ = json.Unmarshal(b, &body)
	f.mu.Lock()
	f.posts = append(f.posts, r.Header.Get("X-API-Key")+" "+r.URL.Path)
	f.bodies[r.URL.Path] = body
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if vin, ok := strings.CutSuffix(strings.TrimPrefix(r.URL.Path, "/v1/vehicles/"), "/sales"); ok {
		code, err := ownerclient.NewClaimCode()
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		f.mu.Lock()
		f.codes = append(f.codes, code.Code)
		f.mu.Unlock()
		req := ownertypes.SaleRequest{UseType: body["useType"].(string), ClaimPublicKey: code.PublicKeyBase64()}
		req.SaleDate, _ = time.Parse(time.RFC3339, body["saleDate"].(string))
		arg, _ := json.Marshal(req)
		if _, err := f.owners.Ledger.Submit("owner:SellFromStock", []string{vin, string(arg)}, nil); err != nil {
			http.Error(w, err.Error(), 409)
			return
		}
		w.WriteHeader(http.StatusCreated)
		_ = json.NewEncoder(w).Encode(map[string]any{"transactionId": "tx", "status": "committed", "ownerNo": 1, "claimCode": code.Code, "claimCodeShownOnce": true})
		return
	}
	w.WriteHeader(http.StatusCreated)
	_, _ = w.Write([]byte(`{"transactionId":"tx","status":"committed"}`))
}

// The demo's cars are sold by the dealer with a claim code and claimed by
// their owners' keys; the Roadster's resale is its owner's signed release
// to a claim code, which the buyer's own key redeems; the Volt's owner
// grants the insurer driving data, which the OEM then shares. Every
// statement passes the checks the chaincode applies.
func TestTheDemoUsesTheOwnersFlows(t *testing.T) {
	f := &fakeGateway{owners: ownerclienttest.New(), bodies: map[string]map[string]any{}}
	t.Cleanup(f.owners.Close)
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	var out strings.Builder
	l := &loader{url: srv.URL, keys: map[string]string{"OEM_PRODUCTION": "k-oem", "DEALER_SALES": "k-sales", "DEALER_SERVICE": "k-service",
		"OEM_TELEMATICS": "k-tel", "INSURER_CLAIMS": "k-claims"}, now: time.Now().UTC(), ownerKeys: filepath.Join(dir, "keys"), out: &out}
	require.NoError(t, l.run(context.Background()), out.String())

	claims := map[string][]string{}
	var sold, granted []ownerclienttest.Posted
	for _, p := range f.owners.Ledger.Posted() {
		switch p.Function {
		case "owner:Claim":
			claims[p.Statement.VIN] = append(claims[p.Statement.VIN], p.Statement.Params["key"])
		case "owner:Sell":
			sold = append(sold, p)
		case "consent:Grant":
			granted = append(granted, p)
		}
	}
	for _, c := range l.cars() {
		require.NotEmpty(t, claims[c.vin], "%s was claimed", c.vin)
		assert.Contains(t, f.posts, "k-sales /v1/vehicles/"+c.vin+"/sales")
		assert.Equal(t, ownertypes.StatusOwned, f.owners.Ledger.Current(c.vin).Status, c.vin)
		sale := f.bodies["/v1/vehicles/"+c.vin+"/sales"]
		assert.Regexp(t, `^[0-9a-f]{32}$`, sale["ownerSalt"], "a fresh salt with the customer reference")
	}

	const roadster = "1G4AH59H45G118341"
	require.Len(t, sold, 1)
	assert.Equal(t, roadster, sold[0].Statement.VIN)
	assert.Equal(t, statement.ReleaseSale, sold[0].Statement.Action)
	assert.True(t, strings.HasPrefix(sold[0].Statement.Params["buyer"], "claim:"))
	assert.Equal(t, "41000", sold[0].Statement.Params["odometerKm"], "the rollback is the seller's signed word")
	assert.Equal(t, "private", sold[0].Statement.Params["useType"], "the use after the sale is signed too")
	saleDate, err := time.Parse(statement.TimeLayout, sold[0].Statement.Params["saleDate"])
	require.NoError(t, err)
	assert.WithinRange(t, saleDate, time.Now().Add(-statement.MaxLifetime), time.Now(), "inside the ledger's window")
	require.Len(t, claims[roadster], 2, "the buyer claims with the seller's code")
	assert.NotEqual(t, claims[roadster][0], claims[roadster][1], "a new key for the new ownership")
	assert.Equal(t, 2, f.owners.Ledger.Current(roadster).OwnerNo)
	assert.NotContains(t, f.posts, "k-sales /v1/vehicles/"+roadster+"/ownership-transfers")

	require.Len(t, granted, 1)
	g := granted[0]
	assert.Equal(t, "5YJ3E1EA8KF317020", g.Statement.VIN)
	assert.Equal(t, "InsurerMSP", g.Statement.Params["grantee"])
	assert.Equal(t, "driving", g.Statement.Params["scopes"])
	assert.Contains(t, f.posts, "k-tel /v1/consents/5YJ3E1EA8KF317020/"+g.ID+"/shares/driving")

	// One key file per ownership, for the owner only.
	for _, name := range []string{"1HGCM82633A004352-owner1.pem", roadster + "-owner1.pem", roadster + "-owner2.pem"} {
		fi, err := os.Stat(filepath.Join(dir, "keys", name))
		require.NoError(t, err, name)
		assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm(), name)
	}
	require.Len(t, f.codes, 4)
	for _, code := range f.codes {
		assert.NotContains(t, out.String(), code, "no claim code is printed")
	}
}
