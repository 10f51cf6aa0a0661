package auth_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/autoledger/autoledger/gateway/auth"
	"github.com/autoledger/autoledger/gateway/config"
	"github.com/golang-jwt/jwt/v5"
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

func setup(t *testing.T) (*auth.Authenticator, keys, string) {
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	ek, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	key, err := auth.NewKey()
	require.NoError(t, err)
	a, err := auth.New(config.Auth{
		APIKeys: []config.APIKey{{Client: "oem-erp", Org: "OemMSP", Role: "production", KeyHash: auth.HashKey(key)}},
		JWT: config.JWT{Audience: "autoledger", Issuers: []config.Issuer{
			{Issuer: "hs", Orgs: []string{"DealerMSP"}, Algorithm: "HS256", Secret: secret},
			{Issuer: "rs", Orgs: []string{"InsurerMSP"}, Algorithm: "RS256", KeyFile: pubPEM(t, &rk.PublicKey)},
			{Issuer: "es", Orgs: []string{"OemMSP", "SupplierMSP"}, Algorithm: "ES256", KeyFile: pubPEM(t, &ek.PublicKey)},
		}},
	})
	require.NoError(t, err)
	return a, keys{rsa: rk, ec: ek}, key
}

func claims(iss, org string, mut ...func(*auth.Claims)) *auth.Claims {
	c := &auth.Claims{Org: org, Role: "claims", RegisteredClaims: jwt.RegisteredClaims{
		Issuer: iss, Subject: "tool-1", Audience: jwt.ClaimStrings{"autoledger"},
		ExpiresAt: jwt.NewNumericDate(time.Now().Add(time.Hour)), IssuedAt: jwt.NewNumericDate(time.Now()),
	}}
	for _, m := range mut {
		m(c)
	}
	return c
}

func sign(t *testing.T, m jwt.SigningMethod, key any, c *auth.Claims) string {
	s, err := jwt.NewWithClaims(m, c).SignedString(key)
	require.NoError(t, err)
	return s
}

func call(a *auth.Authenticator, header, value string) (auth.Principal, error) {
	r := httptest.NewRequest("GET", "/", nil)
	if header != "" {
		r.Header.Set(header, value)
	}
	return a.Authenticate(r)
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
	var ae *auth.Error
	assert.True(t, errors.As(err, &ae))
	_, err = call(a, "", "")
	assert.Equal(t, auth.ErrNoCredentials, err)
	_, err = call(a, "Authorization", "Basic abc")
	assert.ErrorContains(t, err, "Bearer")
}

func TestJWTAcceptsEachAlgorithm(t *testing.T) {
	a, k, _ := setup(t)
	for _, tok := range []string{
		sign(t, jwt.SigningMethodHS256, []byte(secret), claims("hs", "DealerMSP")),
		sign(t, jwt.SigningMethodRS256, k.rsa, claims("rs", "InsurerMSP")),
		sign(t, jwt.SigningMethodES256, k.ec, claims("es", "SupplierMSP")),
	} {
		p, err := call(a, "Authorization", "Bearer "+tok)
		require.NoError(t, err)
		assert.Equal(t, "tool-1", p.Client)
		assert.Equal(t, "claims", p.Role)
	}
}

func TestJWTRefusals(t *testing.T) {
	a, _, _ := setup(t)
	none, err := jwt.NewWithClaims(jwt.SigningMethodNone, claims("hs", "DealerMSP")).SignedString(jwt.UnsafeAllowNoneSignatureType)
	require.NoError(t, err)
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	cases := map[string]string{
		"alg none":         none,
		"expired":          sign(t, jwt.SigningMethodHS256, []byte(secret), claims("hs", "DealerMSP", func(c *auth.Claims) { c.ExpiresAt = jwt.NewNumericDate(time.Now().Add(-time.Minute)) })),
		"no expiry":        sign(t, jwt.SigningMethodHS256, []byte(secret), claims("hs", "DealerMSP", func(c *auth.Claims) { c.ExpiresAt = nil })),
		"wrong audience":   sign(t, jwt.SigningMethodHS256, []byte(secret), claims("hs", "DealerMSP", func(c *auth.Claims) { c.Audience = jwt.ClaimStrings{"other"} })),
		"unknown issuer":   sign(t, jwt.SigningMethodHS256, []byte(secret), claims("evil", "DealerMSP")),
		"org not allowed":  sign(t, jwt.SigningMethodHS256, []byte(secret), claims("hs", "OemMSP")),
		"wrong key":        sign(t, jwt.SigningMethodRS256, other, claims("rs", "InsurerMSP")),
		"alg confusion":    sign(t, jwt.SigningMethodHS256, []byte(secret), claims("rs", "InsurerMSP")),
		"no role":          sign(t, jwt.SigningMethodHS256, []byte(secret), claims("hs", "DealerMSP", func(c *auth.Claims) { c.Role = "" })),
		"issued in future": sign(t, jwt.SigningMethodHS256, []byte(secret), claims("hs", "DealerMSP", func(c *auth.Claims) { c.IssuedAt = jwt.NewNumericDate(time.Now().Add(time.Hour)) })),
	}
	for name, tok := range cases {
		_, err := call(a, "Authorization", "Bearer "+tok)
		var ae *auth.Error
		assert.True(t, errors.As(err, &ae), "%s accepted", name)
	}
}

func TestConfigErrors(t *testing.T) {
	_, err := auth.New(config.Auth{JWT: config.JWT{Issuers: []config.Issuer{{Issuer: "x", Orgs: []string{"O"}, Algorithm: "HS256", Secret: "short"}}}})
	assert.ErrorContains(t, err, "32 bytes")
	_, err = auth.New(config.Auth{JWT: config.JWT{Issuers: []config.Issuer{{Issuer: "x", Orgs: []string{"O"}, Algorithm: "none"}}}})
	assert.Error(t, err)
}
