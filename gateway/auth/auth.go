// Package auth turns a request's credentials into a Principal: an API key
// from configuration, or a JWT from a trusted issuer. The principal's org is
// the only org the caller can ever act as; the chaincode still has the final
// word on what that org and role may do.
package auth

import (
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strings"

	"github.com/autoledger/autoledger/gateway/config"
	"github.com/golang-jwt/jwt/v5"
)

// Principal is an authenticated caller.
type Principal struct {
	Client string `json:"client"`
	Org    string `json:"org"`
	Role   string `json:"role"`
}

// Error is an authentication failure; the gateway answers 401.
type Error struct{ Reason string }

func (e *Error) Error() string { return "unauthenticated: " + e.Reason }

// ErrNoCredentials is returned when the request carries none.
var ErrNoCredentials = &Error{Reason: "no credentials: send Authorization: Bearer <API key or JWT> or X-API-Key"}

// Authenticator checks credentials.
type Authenticator struct {
	keys     map[string]Principal // hex SHA-256 of the key -> principal
	audience string
	issuers  map[string]issuer
}

type issuer struct {
	cfg config.Issuer
	key any
}

// HashKey returns the form an API key is stored in: "sha256:<hex>".
func HashKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return "sha256:" + hex.EncodeToString(sum[:])
}

// NewKey returns a fresh random API key.
func NewKey() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("generate API key: %w", err)
	}
	return "al_" + base64.RawURLEncoding.EncodeToString(b), nil
}

// New builds an authenticator from configuration.
func New(cfg config.Auth) (*Authenticator, error) {
	a := &Authenticator{keys: map[string]Principal{}, audience: cfg.JWT.Audience, issuers: map[string]issuer{}}
	for _, k := range cfg.APIKeys {
		a.keys[strings.TrimPrefix(k.KeyHash, "sha256:")] = Principal{Client: k.Client, Org: k.Org, Role: k.Role}
	}
	for _, is := range cfg.JWT.Issuers {
		key, err := verificationKey(is)
		if err != nil {
			return nil, fmt.Errorf("jwt issuer %s: %w", is.Issuer, err)
		}
		a.issuers[is.Issuer] = issuer{cfg: is, key: key}
	}
	return a, nil
}

func verificationKey(is config.Issuer) (any, error) {
	switch is.Algorithm {
	case "HS256":
		if len(is.Secret) < 32 {
			return nil, errors.New("HS256 secret must be at least 32 bytes")
		}
		return []byte(is.Secret), nil
	case "RS256", "ES256":
		pemBytes, err := os.ReadFile(is.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("read key: %w", err)
		}
		var key crypto.PublicKey
		if is.Algorithm == "RS256" {
			key, err = jwt.ParseRSAPublicKeyFromPEM(pemBytes)
		} else {
			key, err = jwt.ParseECPublicKeyFromPEM(pemBytes)
		}
		return key, err
	}
	return nil, fmt.Errorf("algorithm %q: want HS256, RS256 or ES256", is.Algorithm)
}

// Authenticate returns the caller of r.
func (a *Authenticator) Authenticate(r *http.Request) (Principal, error) {
	cred := r.Header.Get("X-API-Key")
	if cred == "" {
		if h := r.Header.Get("Authorization"); h != "" {
			scheme, rest, ok := strings.Cut(h, " ")
			if !ok || !strings.EqualFold(scheme, "Bearer") {
				return Principal{}, &Error{Reason: "Authorization must use the Bearer scheme"}
			}
			cred = strings.TrimSpace(rest)
		}
	}
	if cred == "" {
		return Principal{}, ErrNoCredentials
	}
	if strings.Count(cred, ".") == 2 {
		return a.token(cred)
	}
	sum := sha256.Sum256([]byte(cred))
	if p, ok := a.keys[hex.EncodeToString(sum[:])]; ok {
		return p, nil
	}
	return Principal{}, &Error{Reason: "unknown API key"}
}

// Claims are the JWT claims the gateway reads: sub names the client, org
// and role say whom it acts for.
type Claims struct {
	Org  string `json:"org"`
	Role string `json:"role"`
	jwt.RegisteredClaims
}

func (a *Authenticator) token(raw string) (Principal, error) {
	var claims Claims
	var is issuer
	_, err := jwt.ParseWithClaims(raw, &claims, func(t *jwt.Token) (any, error) {
		iss, err := t.Claims.GetIssuer()
		if err != nil {
			return nil, err
		}
		found, ok := a.issuers[iss]
		if !ok {
			return nil, fmt.Errorf("issuer %q is not trusted", iss)
		}
		if t.Method.Alg() != found.cfg.Algorithm {
			return nil, fmt.Errorf("algorithm %s is not the one configured for %s", t.Method.Alg(), iss)
		}
		is = found
		return found.key, nil
	}, jwt.WithValidMethods([]string{"HS256", "RS256", "ES256"}), jwt.WithAudience(a.audience),
		jwt.WithExpirationRequired(), jwt.WithIssuedAt())
	if err != nil {
		return Principal{}, &Error{Reason: "invalid token: " + err.Error()}
	}
	if claims.Subject == "" || claims.Org == "" || claims.Role == "" {
		return Principal{}, &Error{Reason: "token must carry sub, org and role"}
	}
	if !slices.Contains(is.cfg.Orgs, claims.Org) {
		return Principal{}, &Error{Reason: fmt.Sprintf("issuer %s may not assert org %s", is.cfg.Issuer, claims.Org)}
	}
	return Principal{Client: claims.Subject, Org: claims.Org, Role: claims.Role}, nil
}
