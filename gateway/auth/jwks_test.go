package auth_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/autoledger/autoledger/gateway/auth"
	"github.com/autoledger/autoledger/gateway/config"
	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// jwksServer serves the public halves of whichever keys it holds now.
type jwksServer struct {
	*httptest.Server
	mu      sync.Mutex
	keys    []jwk.Key
	fetches atomic.Int32
}

func newJWKSServer(t *testing.T) *jwksServer {
	s := &jwksServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		s.fetches.Add(1)
		set := jwk.NewSet()
		s.mu.Lock()
		for _, k := range s.keys {
			pub, err := k.PublicKey()
			if err == nil {
				_ = set.AddKey(pub)
			}
		}
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(set)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *jwksServer) publish(keys ...jwk.Key) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keys = keys
}

func ecKey(t *testing.T, kid string) jwk.Key {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	return jwkKey(t, k, kid)
}

func jwksAuth(t *testing.T, url string) *auth.Authenticator {
	a, err := auth.New(config.Auth{JWT: jwtConfig(config.Issuer{Issuer: "idp", Orgs: []string{"OemMSP"}, Algorithm: "ES256", JWKSURL: url})})
	require.NoError(t, err)
	t.Cleanup(a.Close)
	return a
}

// The issuer rotates its key: a token signed with the new key is accepted
// once the key set has it, without restarting the gateway; a kid the set
// does not hold is refused.
func TestJWKSRotation(t *testing.T) {
	srv := newJWKSServer(t)
	old, next := ecKey(t, "2026-01"), ecKey(t, "2026-02")
	srv.publish(old)
	a := jwksAuth(t, srv.URL)
	auth.SetRefreshFloor(a, "idp", 0)

	tok := func(k jwk.Key) string { return sign(t, jwa.ES256(), k, claims("idp", "OemMSP", "quality")) }
	p, err := bearer(a, tok(old))
	require.NoError(t, err)
	assert.Equal(t, auth.Principal{Client: "tool-1", Org: "OemMSP", Role: "quality", Issuer: "idp"}, p)

	_, err = bearer(a, tok(next))
	refused(t, err, "a key the issuer has not published yet")

	srv.publish(next)
	_, err = bearer(a, tok(next))
	assert.NoError(t, err, "the rotated-in key after the set changed")
	_, err = bearer(a, tok(old))
	refused(t, err, "the rotated-out key")

	_, err = bearer(a, tok(ecKey(t, "unknown")))
	refused(t, err, "an unknown kid")
	_, err = bearer(a, tok(jwkKey(t, mustEC(t), "2026-02")))
	refused(t, err, "a known kid with another key behind it")

	expired := sign(t, jwa.ES256(), next, claims("idp", "OemMSP", "quality", func(c map[string]any) {
		c["iat"], c["exp"] = time.Now().Add(-time.Hour), time.Now().Add(-time.Minute)
	}))
	_, err = bearer(a, expired)
	refused(t, err, "expired beyond the leeway")
	long := sign(t, jwa.ES256(), next, claims("idp", "OemMSP", "quality", func(c map[string]any) {
		c["exp"] = time.Now().Add(48 * time.Hour)
	}))
	_, err = bearer(a, long)
	refused(t, err, "a lifetime over the maximum")
}

// Tokens with made-up kids cannot make the gateway fetch the issuer's key
// set more than once per refresh floor.
func TestJWKSUnknownKidsDoNotHammerTheIssuer(t *testing.T) {
	srv := newJWKSServer(t)
	srv.publish(ecKey(t, "k1"))
	a := jwksAuth(t, srv.URL)
	// The first unknown kid may refetch; the others within the floor do not.
	_, _ = bearer(a, sign(t, jwa.ES256(), ecKey(t, "x0"), claims("idp", "OemMSP", "quality")))
	before := srv.fetches.Load()
	for i := range 20 {
		_, err := bearer(a, sign(t, jwa.ES256(), ecKey(t, "x"+string(rune('a'+i))), claims("idp", "OemMSP", "quality")))
		refused(t, err, "an unknown kid")
	}
	assert.Equal(t, before, srv.fetches.Load())
}

// A token for a key-set issuer must name its key.
func TestJWKSTokenWithoutKid(t *testing.T) {
	srv := newJWKSServer(t)
	k := mustEC(t)
	srv.publish(jwkKey(t, k, "k1"))
	a := jwksAuth(t, srv.URL)
	_, err := bearer(a, sign(t, jwa.ES256(), k, claims("idp", "OemMSP", "quality")))
	refused(t, err, "no kid")
}

func mustEC(t *testing.T) *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	return k
}
