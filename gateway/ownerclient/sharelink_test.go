package ownerclient_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
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

// linkGateway answers challenges and records the statements posted.
type linkGateway struct {
	mu     sync.Mutex
	posted map[string]ownerclient.Envelope // path -> body
}

func (g *linkGateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/v1/owner/challenges" {
		var q struct{ VIN, Action string }
		_ = json.NewDecoder(r.Body).Decode(&q)
		_ = json.NewEncoder(w).Encode(ownerclient.Challenge{Domain: statement.Domain, Channel: "autoledger", VIN: q.VIN, Action: q.Action,
			Nonce: strings.Repeat("0a", 16), Expires: statement.FormatTime(time.Now().Add(10 * time.Minute))})
		return
	}
	var env ownerclient.Envelope
	_ = json.NewDecoder(r.Body).Decode(&env)
	g.mu.Lock()
	g.posted[r.URL.Path] = env
	g.mu.Unlock()
	w.WriteHeader(http.StatusCreated)
	_, _ = w.Write([]byte(`{"transactionId":"tx1","status":"committed"}`))
}

func TestShareLinkSignsOnlyTheTokensHash(t *testing.T) {
	g := &linkGateway{posted: map[string]ownerclient.Envelope{}}
	srv := httptest.NewServer(g)
	defer srv.Close()
	cl, err := ownerclient.New(srv.URL, ownerclient.Options{})
	require.NoError(t, err)
	k, err := ownerclient.GenerateKey()
	require.NoError(t, err)
	o := &ownerclient.Owner{Client: cl, Key: k}

	notAfter := time.Now().Add(7 * 24 * time.Hour)
	r, err := o.ShareLink(t.Context(), testVIN, notAfter)
	require.NoError(t, err)
	assert.Equal(t, srv.URL+"/r/"+r.Token, r.URL)
	hash, err := ownertypes.ShareLinkHash(r.Token)
	require.NoError(t, err)
	assert.Equal(t, hash, r.Link)

	env := g.posted["/v1/owner/vehicles/"+testVIN+"/share-links"]
	assert.NotContains(t, env.Statement, r.Token, "the token never leaves this computer")
	st, err := statement.Decode([]byte(env.Statement))
	require.NoError(t, err)
	assert.Equal(t, statement.ShareLink, st.Action)
	assert.Equal(t, hash, st.Params["link"])
	assert.Equal(t, statement.FormatTime(notAfter.UTC().Truncate(time.Second)), st.Params["notAfter"])
	sig, err := base64.StdEncoding.DecodeString(env.Signature)
	require.NoError(t, err)
	pub, err := ownerclient.PublicKey(k)
	require.NoError(t, err)
	_, _, err = statement.Check([]byte(env.Statement), sig, statement.Expect{Channel: "autoledger", VIN: testVIN, Action: statement.ShareLink, Key: pub, TxTime: time.Now()})
	assert.NoError(t, err, "the owner's key signed it")

	// A link is revoked by its URL, its token or its hash alike.
	for _, l := range []string{r.URL, r.Token, strings.ToUpper(hash)} {
		_, err := o.RevokeShareLink(t.Context(), testVIN, l)
		require.NoError(t, err, l)
		env := g.posted["/v1/owner/vehicles/"+testVIN+"/share-links/revocations"]
		st, err := statement.Decode([]byte(env.Statement))
		require.NoError(t, err)
		assert.Equal(t, statement.UnshareLink, st.Action)
		assert.Equal(t, hash, st.Params["link"], l)
	}
	for _, bad := range []string{"", "short", "https://gw.example/portal", "not a token!"} {
		_, err := ownerclient.LinkHash(bad)
		assert.Error(t, err, bad)
	}
}
