package auth_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/autoledger/autoledger/gateway/auth"
	"github.com/autoledger/autoledger/gateway/config"
	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jwt"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const secret = "0123456789abcdef0123456789abcdef-hs256"

func pubPEM(t *testing.T, pub any) string {
	der, err := x509.MarshalPKIXPublicKey(pub)
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "key.pem")
	require.NoError(t, os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), 0o600))
	return path
}

type keys struct {
	rsa *rsa.PrivateKey
	ec  *ecdsa.PrivateKey
}

func jwtConfig(issuers ...config.Issuer) config.JWT {
	j := config.Default().Auth.JWT
	j.Audience = "autoledger"
	j.Issuers = issuers
	return j
}

func setup(t *testing.T) (*auth.Authenticator, keys, string) {
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	ek, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	key, err := auth.NewKey()
	require.NoError(t, err)
	a, err := auth.New(config.Auth{
		APIKeys: []config.APIKey{{Client: "oem-erp", Org: "OemMSP", Role: "production", KeyHash: auth.HashKey(key)}},
		JWT: jwtConfig(
			config.Issuer{Issuer: "hs", Orgs: []string{"DealerMSP"}, Algorithm: "HS256", Secret: secret},
			config.Issuer{Issuer: "rs", Orgs: []string{"InsurerMSP"}, Algorithm: "RS256", KeyFile: pubPEM(t, &rk.PublicKey)},
			config.Issuer{Issuer: "es", Orgs: []string{"OemMSP", "SupplierMSP"}, Algorithm: "ES256", KeyFile: pubPEM(t, &ek.PublicKey)},
		),
	})
	require.NoError(t, err)
	t.Cleanup(a.Close)
	return a, keys{rsa: rk, ec: ek}, key
}

// claims are a valid token's claims for org; each mutation changes one.
func claims(iss, org, role string, mut ...func(map[string]any)) map[string]any {
	now := time.Now()
	c := map[string]any{"iss": iss, "sub": "tool-1", "aud": []string{"autoledger"}, "org": org, "role": role,
		"exp": now.Add(time.Hour), "iat": now}
	for _, m := range mut {
		m(c)
	}
	return c
}

// sign signs c with key (a raw key or a jwk.Key, whose kid goes in the header).
func sign(t *testing.T, alg jwa.SignatureAlgorithm, key any, c map[string]any) string {
	tok := jwt.New()
	for k, v := range c {
		require.NoError(t, tok.Set(k, v))
	}
	b, err := jwt.Sign(tok, jwt.WithKey(alg, key))
	require.NoError(t, err)
	return string(b)
}

func call(a *auth.Authenticator, header, value string) (auth.Principal, error) {
	r := httptest.NewRequest("GET", "/", nil)
	if header != "" {
		r.Header.Set(header, value)
	}
	return a.Authenticate(r)
}

func bearer(a *auth.Authenticator, tok string) (auth.Principal, error) {
	return call(a, "Authorization", "Bearer "+tok)
}

func refused(t *testing.T, err error, what string) {
	t.Helper()
	var ae *auth.Error
	assert.True(t, errors.As(err, &ae), "%s accepted (err %v)", what, err)
}

func TestAPIKeys(t *testing.T) {
	a, _, key := setup(t)
	p, err := call(a, "X-API-Key", key)
	require.NoError(t, err)
	assert.Equal(t, auth.Principal{Client: "oem-erp", Org: "OemMSP", Role: "production"}, p)
	p, err = call(a, "Authorization", "Bearer "+key)
	require.NoError(t, err)
	assert.Equal(t, "oem-erp", p.Client)

	_, err = call(a, "X-API-Key", key+"x")
	refused(t, err, "wrong key")
	_, err = call(a, "", "")
	assert.Equal(t, auth.ErrNoCredentials, err)
	_, err = call(a, "Authorization", "Basic abc")
	assert.ErrorContains(t, err, "Bearer")
}

func TestJWTAcceptsEachAlgorithm(t *testing.T) {
	a, k, _ := setup(t)
	for _, tok := range []string{
		sign(t, jwa.HS256(), []byte(secret), claims("hs", "DealerMSP", "sales")),
		sign(t, jwa.RS256(), k.rsa, claims("rs", "InsurerMSP", "claims")),
		sign(t, jwa.ES256(), k.ec, claims("es", "SupplierMSP", "logistics")),
	} {
		p, err := bearer(a, tok)
		require.NoError(t, err)
		assert.Equal(t, "tool-1", p.Client)
		assert.NotEmpty(t, p.Role)
		assert.NotEmpty(t, p.Issuer)
	}
}

func unsigned(t *testing.T, c map[string]any) string {
	h, err := json.Marshal(map[string]string{"alg": "none", "typ": "JWT"})
	require.NoError(t, err)
	p, err := json.Marshal(map[string]any{"iss": c["iss"], "sub": c["sub"], "aud": c["aud"], "org": c["org"], "role": c["role"],
		"exp": c["exp"].(time.Time).Unix(), "iat": c["iat"].(time.Time).Unix()})
	require.NoError(t, err)
	return base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(p) + "."
}

func TestJWTRefusals(t *testing.T) {
	a, _, _ := setup(t)
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	hs := func(mut ...func(map[string]any)) string {
		return sign(t, jwa.HS256(), []byte(secret), claims("hs", "DealerMSP", "sales", mut...))
	}
	ago := func(d time.Duration) time.Time { return time.Now().Add(-d) }
	cases := map[string]string{
		"alg none":        unsigned(t, claims("hs", "DealerMSP", "sales")),
		"expired":         hs(func(c map[string]any) { c["exp"], c["iat"] = ago(2*time.Minute), ago(time.Hour) }),
		"no expiry":       hs(func(c map[string]any) { delete(c, "exp") }),
		"no issued-at":    hs(func(c map[string]any) { delete(c, "iat") }),
		"wrong audience":  hs(func(c map[string]any) { c["aud"] = []string{"other"} }),
		"unknown issuer":  sign(t, jwa.HS256(), []byte(secret), claims("evil", "DealerMSP", "sales")),
		"org not allowed": sign(t, jwa.HS256(), []byte(secret), claims("hs", "OemMSP", "production")),
		"wrong key":       sign(t, jwa.RS256(), other, claims("rs", "InsurerMSP", "claims")),
		"alg confusion":   sign(t, jwa.HS256(), []byte(secret), claims("rs", "InsurerMSP", "claims")),
		"no role":         hs(func(c map[string]any) { delete(c, "role") }),
		"no subject":      hs(func(c map[string]any) { delete(c, "sub") }),
		"issued in future": hs(func(c map[string]any) {
			c["iat"], c["exp"] = time.Now().Add(time.Hour), time.Now().Add(2*time.Hour)
		}),
		// A role must be one of the org's roles: another org's role, a
		// made-up one, and the Fabric org admin's identity are none.
		"another org's role": hs(func(c map[string]any) { c["role"] = "claims" }),
		"made-up role":       hs(func(c map[string]any) { c["role"] = "reader" }),
		"org admin":          hs(func(c map[string]any) { c["role"] = "orgadmin" }),
	}
	for name, tok := range cases {
		_, err := bearer(a, tok)
		refused(t, err, name)
	}
}

// Expiry and issue time tolerate the configured leeway, no more; a token
// minted to live longer than the maximum lifetime is refused even while
// it is unexpired.
func TestJWTLeewayAndLifetime(t *testing.T) {
	j := jwtConfig(config.Issuer{Issuer: "hs", Orgs: []string{"DealerMSP"}, Algorithm: "HS256", Secret: secret})
	j.Leeway, j.MaxLifetime = 30*time.Second, time.Hour
	a, err := auth.New(config.Auth{JWT: j})
	require.NoError(t, err)
	now := time.Now()
	tok := func(iat, exp time.Time) string {
		return sign(t, jwa.HS256(), []byte(secret), claims("hs", "DealerMSP", "sales", func(c map[string]any) { c["iat"], c["exp"] = iat, exp }))
	}
	_, err = bearer(a, tok(now.Add(-30*time.Minute), now.Add(-10*time.Second)))
	assert.NoError(t, err, "expired 10 s ago is within a 30 s leeway")
	_, err = bearer(a, tok(now.Add(-30*time.Minute), now.Add(-time.Minute)))
	refused(t, err, "expired a minute ago, beyond the leeway")
	_, err = bearer(a, tok(now.Add(10*time.Second), now.Add(30*time.Minute)))
	assert.NoError(t, err, "issued 10 s ahead is within the leeway")

	_, err = bearer(a, tok(now, now.Add(time.Hour)))
	assert.NoError(t, err, "a lifetime of exactly the maximum")
	_, err = bearer(a, tok(now, now.Add(time.Hour+time.Minute)))
	refused(t, err, "a lifetime over the maximum")
	_, err = bearer(a, tok(now.Add(-time.Hour), now.Add(365*24*time.Hour)))
	refused(t, err, "a year-long token")
}

// API keys may only carry one of their org's roles: a key configured with
// the org admin's identity or another org's role does not start the gateway.
func TestAPIKeyRoleMustBeTheOrgs(t *testing.T) {
	for _, role := range []string{"orgadmin", "claims", "reader", ""} {
		_, err := auth.New(config.Auth{APIKeys: []config.APIKey{{Client: "c", Org: "OemMSP", Role: role, KeyHash: auth.HashKey("k")}}})
		assert.ErrorContains(t, err, "not one of OemMSP's roles", "role %q", role)
	}
	_, err := auth.New(config.Auth{APIKeys: []config.APIKey{{Client: "c", Org: "NotAMemberMSP", Role: "admin", KeyHash: auth.HashKey("k")}}})
	assert.Error(t, err, "an org that is no member has no roles")
}

// Two issuers' equal subjects are two callers.
func TestCallerIsIssuerAndSubject(t *testing.T) {
	a := auth.Principal{Client: "tool-1", Issuer: "hs"}
	b := auth.Principal{Client: "tool-1", Issuer: "es"}
	key := auth.Principal{Client: "tool-1"}
	assert.NotEqual(t, a.Caller(), b.Caller())
	assert.NotEqual(t, a.Caller(), key.Caller())
	// Quoting keeps a separator inside a name from forging another pair.
	assert.NotEqual(t, auth.Principal{Issuer: `a" "b`, Client: "c"}.Caller(), auth.Principal{Issuer: "a", Client: `b" "c`}.Caller())
}

func TestConfigErrors(t *testing.T) {
	for name, is := range map[string]config.Issuer{
		"short secret":       {Issuer: "x", Orgs: []string{"O"}, Algorithm: "HS256", Secret: "short"},
		"alg none":           {Issuer: "x", Orgs: []string{"O"}, Algorithm: "none"},
		"no key":             {Issuer: "x", Orgs: []string{"O"}, Algorithm: "RS256"},
		"keyFile and jwks":   {Issuer: "x", Orgs: []string{"O"}, Algorithm: "RS256", KeyFile: "k.pem", JWKSURL: "http://127.0.0.1:1/jwks"},
		"HS256 with jwksUrl": {Issuer: "x", Orgs: []string{"O"}, Algorithm: "HS256", Secret: secret, JWKSURL: "http://127.0.0.1:1/jwks"},
		"jwks over http":     {Issuer: "x", Orgs: []string{"O"}, Algorithm: "ES256", JWKSURL: "http://idp.example/jwks"},
	} {
		_, err := auth.New(config.Auth{JWT: jwtConfig(is)})
		assert.Error(t, err, name)
	}
	j := jwtConfig(config.Issuer{Issuer: "x", Orgs: []string{"O"}, Algorithm: "HS256", Secret: secret})
	j.MaxLifetime = 0
	_, err := auth.New(config.Auth{JWT: j})
	assert.ErrorContains(t, err, "maxLifetime")

	j = jwtConfig(config.Issuer{Issuer: "x", Orgs: []string{"O"}, Algorithm: "HS256", Secret: secret})
	j.Audience = ""
	_, err = auth.New(config.Auth{JWT: j})
	assert.ErrorContains(t, err, "auth.jwt.audience", "without an audience a token minted for any other service would pass")
}

// jwkKey is key as a JWK with kid.
func jwkKey(t *testing.T, key any, kid string) jwk.Key {
	k, err := jwk.Import(key)
	require.NoError(t, err)
	require.NoError(t, k.Set(jwk.KeyIDKey, kid))
	return k
}
