// Package auth turns a request's credentials into a Principal: an API key
// from configuration, or a JWT from a trusted issuer. The principal's org is
// the only org the caller can ever act as, and its role is one of that
// org's roles (chaincode/access.Roles); the chaincode still has the final
// word on what that org and role may do.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/autoledger/autoledger/chaincode/access"
	"github.com/autoledger/autoledger/gateway/config"
	"github.com/lestrrat-go/httprc/v3"
	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jws"
	"github.com/lestrrat-go/jwx/v3/jwt"
)

// Principal is an authenticated caller.
type Principal struct {
	Client string `json:"client"`
	Org    string `json:"org"`
	Role   string `json:"role"`
	// Issuer is the JWT issuer that vouched for Client; empty for an API
	// key (no JWT issuer may be empty).
	Issuer string `json:"issuer,omitempty"`
}

// Caller names the caller across issuers: the (issuer, subject) pair,
// quoted so that no two pairs give one string. Rate limits, idempotency
// keys and stream caps are per Caller, so two issuers' equal subjects
// never share them.
func (p Principal) Caller() string { return strconv.Quote(p.Issuer) + " " + strconv.Quote(p.Client) }

// Error is an authentication failure; the gateway answers 401.
type Error struct{ Reason string }

func (e *Error) Error() string { return "unauthenticated: " + e.Reason }

// ErrNoCredentials is returned when the request carries none.
var ErrNoCredentials = &Error{Reason: "no credentials: send Authorization: Bearer <API key or JWT> or X-API-Key"}

// jwksRefreshFloor is the least time between two fetches of an issuer's
// key set caused by unknown key ids, so that tokens with made-up kids
// cannot make the gateway hammer the issuer.
const jwksRefreshFloor = 10 * time.Second

// Authenticator checks credentials.
type Authenticator struct {
	keys        map[string]Principal // hex SHA-256 of the key -> principal
	audience    string
	leeway      time.Duration
	maxLifetime time.Duration
	issuers     map[string]*issuer
	// jwks fetches and caches the issuers' key sets; nil without a jwksUrl.
	jwks *jwk.Cache
	stop context.CancelFunc
}

type issuer struct {
	cfg config.Issuer
	alg jwa.SignatureAlgorithm
	key any // the static key; nil for a JWKS issuer

	mu          sync.Mutex
	lastRefresh time.Time
	floor       time.Duration
}

// RoleOf reports whether role is one of org's roles. Nothing else can be
// a caller's role: in particular not the Fabric org admin's identity
// ("orgadmin" in a connection file), which no org's role list holds.
func RoleOf(org, role string) bool { return slices.Contains(access.Roles[org], role) }

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

// New builds an authenticator from configuration. An API key whose role is
// not one of its org's roles is a configuration error. Close releases the
// key-set fetcher.
func New(cfg config.Auth) (*Authenticator, error) {
	a := &Authenticator{keys: map[string]Principal{}, audience: cfg.JWT.Audience, leeway: cfg.JWT.Leeway,
		maxLifetime: cfg.JWT.MaxLifetime, issuers: map[string]*issuer{}}
	for _, k := range cfg.APIKeys {
		if !RoleOf(k.Org, k.Role) {
			return nil, fmt.Errorf("api key of %s: role %q is not one of %s's roles %v", k.Client, k.Role, k.Org, access.Roles[k.Org])
		}
		a.keys[strings.TrimPrefix(k.KeyHash, "sha256:")] = Principal{Client: k.Client, Org: k.Org, Role: k.Role}
	}
	if len(cfg.JWT.Issuers) > 0 && (a.maxLifetime <= 0 || a.leeway < 0) {
		return nil, errors.New("jwt: maxLifetime must be positive and leeway not negative")
	}
	if len(cfg.JWT.Issuers) > 0 && a.audience == "" {
		return nil, errors.New(config.AudienceRequired)
	}
	for _, is := range cfg.JWT.Issuers {
		found, err := a.addIssuer(is)
		if err != nil {
			a.Close()
			return nil, fmt.Errorf("jwt issuer %s: %w", is.Issuer, err)
		}
		a.issuers[is.Issuer] = found
	}
	return a, nil
}

// Close stops fetching key sets.
func (a *Authenticator) Close() {
	if a.stop != nil {
		a.stop()
	}
}

func (a *Authenticator) addIssuer(is config.Issuer) (*issuer, error) {
	if is.Issuer == "" {
		return nil, errors.New("issuer is required")
	}
	out := &issuer{cfg: is, floor: jwksRefreshFloor}
	switch is.Algorithm {
	case "HS256":
		out.alg = jwa.HS256()
		if is.KeyFile != "" || is.JWKSURL != "" {
			return nil, errors.New("HS256 takes a secret, not a keyFile or jwksUrl")
		}
		if len(is.Secret) < 32 {
			return nil, errors.New("HS256 secret must be at least 32 bytes")
		}
		out.key = []byte(is.Secret)
		return out, nil
	case "RS256":
		out.alg = jwa.RS256()
	case "ES256":
		out.alg = jwa.ES256()
	default:
		return nil, fmt.Errorf("algorithm %q: want HS256, RS256 or ES256", is.Algorithm)
	}
	switch {
	case is.Secret != "" || (is.KeyFile == "") == (is.JWKSURL == ""):
		return nil, fmt.Errorf("%s takes exactly one of keyFile and jwksUrl", is.Algorithm)
	case is.KeyFile != "":
		pemBytes, err := os.ReadFile(is.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("read key: %w", err)
		}
		key, err := jwk.ParseKey(pemBytes, jwk.WithPEM(true))
		if err != nil {
			return nil, fmt.Errorf("parse key %s: %w", is.KeyFile, err)
		}
		out.key = key
	default:
		if err := config.CheckJWKSURL(is.JWKSURL); err != nil {
			return nil, fmt.Errorf("jwksUrl %w", err)
		}
		if err := a.register(is.JWKSURL); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// register adds url to the key-set cache. The first fetch runs in the
// background: an issuer that is down at start-up delays only its own
// tokens, which are refused until its set arrives.
func (a *Authenticator) register(url string) error {
	if a.jwks == nil {
		ctx, cancel := context.WithCancel(context.Background())
		c, err := jwk.NewCache(ctx, httprc.NewClient())
		if err != nil {
			cancel()
			return fmt.Errorf("start key set cache: %w", err)
		}
		a.jwks, a.stop = c, cancel
	}
	if err := a.jwks.Register(context.Background(), url, jwk.WithWaitReady(false)); err != nil {
		return fmt.Errorf("jwksUrl %s: %w", url, err)
	}
	return nil
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
		return a.token(r.Context(), cred)
	}
	sum := sha256.Sum256([]byte(cred))
	if p, ok := a.keys[hex.EncodeToString(sum[:])]; ok {
		return p, nil
	}
	return Principal{}, &Error{Reason: "unknown API key"}
}

func invalid(format string, args ...any) error {
	return &Error{Reason: "invalid token: " + fmt.Sprintf(format, args...)}
}

// token verifies a JWT: the issuer named in it must be trusted, the
// signature made with that issuer's algorithm and key, the times valid
// within the leeway, the lifetime within the maximum, and the org and role
// ones the issuer may assert.
func (a *Authenticator) token(ctx context.Context, raw string) (Principal, error) {
	// The issuer is read before the signature is checked only to choose
	// the key; nothing else from the unverified token is used.
	unverified, err := jwt.ParseInsecure([]byte(raw))
	if err != nil {
		return Principal{}, invalid("%v", err)
	}
	iss, _ := unverified.Issuer()
	is, ok := a.issuers[iss]
	if !ok {
		return Principal{}, invalid("issuer %q is not trusted", iss)
	}
	key, err := a.keyFor(ctx, is, raw)
	if err != nil {
		return Principal{}, err
	}
	tok, err := jwt.Parse([]byte(raw), jwt.WithKey(is.alg, key), jwt.WithIssuer(iss), jwt.WithAudience(a.audience),
		jwt.WithAcceptableSkew(a.leeway), jwt.WithRequiredClaim(jwt.ExpirationKey), jwt.WithRequiredClaim(jwt.IssuedAtKey))
	if err != nil {
		return Principal{}, invalid("%v", err)
	}
	exp, _ := tok.Expiration()
	iat, _ := tok.IssuedAt()
	if life := exp.Sub(iat); life > a.maxLifetime {
		return Principal{}, invalid("lifetime %s (exp - iat) is over the maximum %s", life, a.maxLifetime)
	}
	sub, _ := tok.Subject()
	var org, role string
	_ = tok.Get("org", &org)
	_ = tok.Get("role", &role)
	switch {
	case sub == "" || org == "" || role == "":
		return Principal{}, &Error{Reason: "token must carry sub, org and role"}
	case !slices.Contains(is.cfg.Orgs, org):
		return Principal{}, &Error{Reason: fmt.Sprintf("issuer %s may not assert org %s", iss, org)}
	case !RoleOf(org, role):
		return Principal{}, &Error{Reason: fmt.Sprintf("role %q is not one of %s's roles", role, org)}
	}
	return Principal{Client: sub, Org: org, Role: role, Issuer: iss}, nil
}

// keyFor returns the key that must have signed raw: the issuer's static
// key, or the key of its set with the token's kid. A kid the cached set
// lacks refetches the set (at most once per floor), so a token signed with
// a key the issuer has just rotated in is accepted.
func (a *Authenticator) keyFor(ctx context.Context, is *issuer, raw string) (any, error) {
	if is.key != nil {
		return is.key, nil
	}
	msg, err := jws.Parse([]byte(raw))
	if err != nil || len(msg.Signatures()) != 1 {
		return nil, invalid("not a compact JWS with one signature")
	}
	kid, _ := msg.Signatures()[0].ProtectedHeaders().KeyID()
	if kid == "" {
		return nil, invalid("issuer %s publishes a key set: the token must name its key (kid)", is.cfg.Issuer)
	}
	url := is.cfg.JWKSURL
	if set, err := a.jwks.Lookup(ctx, url); err == nil {
		if key, ok := set.LookupKeyID(kid); ok {
			return key, nil
		}
	}
	if !is.mayRefresh(time.Now()) {
		return nil, invalid("key %q is not in the key set of %s", kid, is.cfg.Issuer)
	}
	set, err := a.jwks.Refresh(ctx, url)
	if err != nil {
		return nil, invalid("key set of %s unavailable: %v", is.cfg.Issuer, err)
	}
	key, ok := set.LookupKeyID(kid)
	if !ok {
		return nil, invalid("key %q is not in the key set of %s", kid, is.cfg.Issuer)
	}
	return key, nil
}

func (is *issuer) mayRefresh(now time.Time) bool {
	is.mu.Lock()
	defer is.mu.Unlock()
	if !is.lastRefresh.IsZero() && now.Sub(is.lastRefresh) < is.floor {
		return false
	}
	is.lastRefresh = now
	return true
}
