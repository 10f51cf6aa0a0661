package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/autoledger/autoledger/chaincode/owner/ownertypes"
	"github.com/autoledger/autoledger/chaincode/owner/statement"
	"github.com/autoledger/autoledger/gateway/ownerclient"
)

// linkGateway answers challenges and records the share-link statements.
type linkGateway struct {
	mu     sync.Mutex
	posted map[string]statement.Statement
}

func (g *linkGateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/v1/owner/challenges" {
		var q struct{ VIN, Action string }
		_ = json.NewDecoder(r.Body).Decode(&q)
		_ = json.NewEncoder(w).Encode(ownerclient.Challenge{Domain: statement.Domain, Channel: "autoledger", VIN: q.VIN, Action: q.Action,
			Nonce: strings.Repeat("0b", 16), Expires: statement.FormatTime(time.Now().Add(10 * time.Minute))})
		return
	}
	var env ownerclient.Envelope
	_ = json.NewDecoder(r.Body).Decode(&env)
	st, _ := statement.Decode([]byte(env.Statement))
	g.mu.Lock()
	g.posted[r.URL.Path] = st
	g.mu.Unlock()
	w.WriteHeader(http.StatusCreated)
	_, _ = w.Write([]byte(`{"transactionId":"tx1","status":"committed"}`))
}

func TestShareAndUnshare(t *testing.T) {
	g := &linkGateway{posted: map[string]statement.Statement{}}
	srv := httptest.NewServer(g)
	defer srv.Close()
	key, _ := keygen(t, t.TempDir(), "owner.pem")
	vars := map[string]string{envGateway: srv.URL, envKey: key}

	o := runCLI(t, vars, "", "owner", "share", "--vin", testVIN, "--days", "14")
	require.Equal(t, 0, o.code, o.stderr)
	m := regexp.MustCompile(`share link: (\S+)/r/([A-Za-z0-9_-]+)\n`).FindStringSubmatch(o.stdout)
	require.Len(t, m, 3, o.stdout)
	assert.Equal(t, srv.URL, m[1])
	hash, err := ownertypes.ShareLinkHash(m[2])
	require.NoError(t, err)
	st := g.posted["/v1/owner/vehicles/"+testVIN+"/share-links"]
	assert.Equal(t, hash, st.Params["link"], "the statement names the printed token's hash")
	notAfter, err := time.Parse(statement.TimeLayout, st.Params["notAfter"])
	require.NoError(t, err)
	assert.WithinDuration(t, time.Now().Add(14*24*time.Hour), notAfter, time.Minute)

	o = runCLI(t, vars, "", "owner", "unshare", "--vin", testVIN, "--link", m[1]+"/r/"+m[2])
	require.Equal(t, 0, o.code, o.stderr)
	assert.Equal(t, map[string]string{"link": hash}, g.posted["/v1/owner/vehicles/"+testVIN+"/share-links/revocations"].Params)

	for _, bad := range [][]string{
		{"owner", "share", "--vin", testVIN, "--days", "91"},
		{"owner", "share", "--vin", testVIN, "--days", "0"},
		{"owner", "unshare", "--vin", testVIN, "--link", "nope"},
	} {
		o := runCLI(t, vars, "", bad...)
		assert.Equal(t, exitUsage, o.code, bad)
		assert.Contains(t, o.stderr, bad[4]+":", bad)
	}
}
