// Package config loads the gateway's settings from a YAML file with
// environment overrides. The native network's connection file is the only
// required setting; everything else has a default.
package config

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/autoledger/autoledger/chaincode/access"
	"gopkg.in/yaml.v3"
)

// Config is the gateway's configuration.
type Config struct {
	// Listen is the HTTP address; loopback unless an operator decides otherwise.
	Listen string `yaml:"listen"`
	// ConnectionFile is the network's connection file (network/connection).
	ConnectionFile string `yaml:"connectionFile"`
	// Orgs are the MSP IDs this instance serves; empty means every org of
	// the connection file. In production each org runs its own instance.
	Orgs []string `yaml:"orgs"`
	// Store is the bbolt file for receipts, idempotency keys and checkpoints.
	Store     string    `yaml:"store"`
	Timeouts  Timeouts  `yaml:"timeouts"`
	Retention Retention `yaml:"retention"`
	Limits    Limits    `yaml:"limits"`
	Auth      Auth      `yaml:"auth"`
	Webhooks  Webhooks  `yaml:"webhooks"`
	Owner     Owner     `yaml:"owner"`
	// MVCCRetries bounds re-proposals after an MVCC read conflict.
	MVCCRetries int `yaml:"mvccRetries"`
	// Pprof, when set, serves Go's profiler on that (loopback) address.
	Pprof string `yaml:"pprof"`
	// TLS, when its certFile is set, makes the listener HTTPS.
	TLS TLS `yaml:"tls"`
	// MetricsListen, when set, serves GET /metrics on that address (plain
	// HTTP, for a scraper on the host) and no longer on Listen.
	MetricsListen string `yaml:"metricsListen"`
}

// TLS is the listener's certificate and, optionally, the CA whose client
// certificates it accepts. Files are PEM and read once at start: a renewed
// certificate takes effect when the gateway restarts.
type TLS struct {
	CertFile string `yaml:"certFile"`
	KeyFile  string `yaml:"keyFile"`
	// ClientCAFile verifies client certificates: a client that presents
	// one must chain to it. With RequireClientCert, a client without one
	// is refused during the handshake.
	ClientCAFile      string `yaml:"clientCAFile"`
	RequireClientCert bool   `yaml:"requireClientCert"`
}

// Enabled reports whether the listener serves HTTPS.
func (t TLS) Enabled() bool { return t.CertFile != "" }

// Timeouts bound every Fabric call; SyncWait is how long a synchronous
// request waits for its commit before answering 202.
type Timeouts struct {
	Evaluate     time.Duration `yaml:"evaluate"`
	Endorse      time.Duration `yaml:"endorse"`
	Submit       time.Duration `yaml:"submit"`
	CommitStatus time.Duration `yaml:"commitStatus"`
	SyncWait     time.Duration `yaml:"syncWait"`
	Shutdown     time.Duration `yaml:"shutdown"`
}

// Retention is how long the store keeps what it keeps.
type Retention struct {
	IdempotencyKeys time.Duration `yaml:"idempotencyKeys"`
	Receipts        time.Duration `yaml:"receipts"`
}

// Webhooks says where subscriptions may deliver. By default a URL whose
// host is or resolves to anything but a public unicast address (or to one
// of the gateway host's own addresses) is refused, at subscription and at
// every delivery; see webhook.Guard.
type Webhooks struct {
	// Allow admits host names, IP addresses or CIDRs (e.g. "127.0.0.1",
	// "10.20.0.0/16", "hooks.corp.example") that would otherwise be refused.
	Allow []string `yaml:"allow"`
}

// Owner configures the owner endpoints (/v1/owner/...). A car owner is
// no client of the gateway: those endpoints take no credential, and the
// gateway relays the owner's signed statements under one served org's
// owner-services identity. The owner's signature, which the chaincode
// verifies, is what authorises a write; the limits below only keep one
// address from flooding the relay.
type Owner struct {
	// RelayOrg is the served org whose owner-services identity relays
	// statements. Empty picks the first served org, in the channel's
	// member order (access.Members), that has the owner-services role.
	RelayOrg string `yaml:"relayOrg"`
	// RequestsPerMinute and Burst bound the owner requests of one client
	// address (an IPv4 address, an IPv6 /64); past them 429.
	RequestsPerMinute float64 `yaml:"requestsPerMinute"`
	Burst             int     `yaml:"burst"`
	// BodyBytes caps an owner request's body: a statement is at most 2 KiB.
	BodyBytes int64 `yaml:"bodyBytes"`
}

// Relay returns the org that relays owner statements among the orgs
// serves admits: RelayOrg when set and served, else the first served
// member with the owner-services role. ok is false when there is none,
// and the owner endpoints then answer 503.
func (o Owner) Relay(serves func(org string) bool) (org string, ok bool) {
	if o.RelayOrg != "" {
		return o.RelayOrg, serves(o.RelayOrg)
	}
	for _, m := range access.MembersWithRole(access.OwnerServices) {
		if serves(m) {
			return m, true
		}
	}
	return "", false
}

// Limits protect the gateway and the network from one client. A client
// is an (issuer, subject) pair: an API key's client name, or a JWT's sub
// under its iss.
type Limits struct {
	BodyBytes  int64   `yaml:"bodyBytes"`
	RatePerSec float64 `yaml:"ratePerSecond"`
	Burst      int     `yaml:"burst"`
	// AuthFailuresPerMinute and AuthFailureBurst bound failed
	// authentications per remote address; past them a failure answers 429.
	// Only failures count, so valid calls from the address are never slowed.
	AuthFailuresPerMinute float64 `yaml:"authFailuresPerMinute"`
	AuthFailureBurst      int     `yaml:"authFailureBurst"`
	// EventStreams caps the concurrent GET /v1/events streams of one client.
	EventStreams int `yaml:"eventStreams"`
}

// Auth lists the callers the gateway accepts.
type Auth struct {
	APIKeys []APIKey `yaml:"apiKeys"`
	JWT     JWT      `yaml:"jwt"`
}

// APIKey is one client's key, stored as "sha256:<hex>" of the key.
type APIKey struct {
	Client  string `yaml:"client"`
	Org     string `yaml:"org"`
	Role    string `yaml:"role"`
	KeyHash string `yaml:"keyHash"`
}

// JWT configures bearer tokens from trusted issuers.
type JWT struct {
	// Audience every token must carry.
	Audience string `yaml:"audience"`
	// Leeway is the clock skew tolerated on exp, nbf and iat.
	Leeway time.Duration `yaml:"leeway"`
	// MaxLifetime is the longest exp - iat accepted: a token minted to
	// live longer is refused even while it is unexpired.
	MaxLifetime time.Duration `yaml:"maxLifetime"`
	Issuers     []Issuer      `yaml:"issuers"`
}

// Issuer is one trusted token issuer and the orgs it may assert.
type Issuer struct {
	Issuer string   `yaml:"issuer"`
	Orgs   []string `yaml:"orgs"`
	// Algorithm is HS256, RS256 or ES256.
	Algorithm string `yaml:"algorithm"`
	// Exactly one of: Secret, the HS256 key; KeyFile, a PEM public key for
	// RS256/ES256; JWKSURL, the issuer's JSON Web Key Set for RS256/ES256,
	// whose keys are picked by the token's kid (the set is refetched when a
	// kid is unknown, so the issuer can rotate its keys).
	Secret  string `yaml:"secret"`
	KeyFile string `yaml:"keyFile"`
	JWKSURL string `yaml:"jwksUrl"`
}

// Default returns the settings used where the file is silent.
func Default() Config {
	return Config{
		Listen: "127.0.0.1:8080",
		Store:  ".autoledger/gateway.db",
		Timeouts: Timeouts{Evaluate: 10 * time.Second, Endorse: 15 * time.Second, Submit: 10 * time.Second,
			CommitStatus: time.Minute, SyncWait: 20 * time.Second, Shutdown: 30 * time.Second},
		Retention: Retention{IdempotencyKeys: 24 * time.Hour, Receipts: 7 * 24 * time.Hour},
		Limits: Limits{BodyBytes: 1 << 20, RatePerSec: 200, Burst: 400,
			AuthFailuresPerMinute: 30, AuthFailureBurst: 10, EventStreams: 4},
		Owner:       Owner{RequestsPerMinute: 60, Burst: 20, BodyBytes: 16 << 10},
		Auth:        Auth{JWT: JWT{Leeway: 30 * time.Second, MaxLifetime: 24 * time.Hour}},
		MVCCRetries: 3,
	}
}

// Load reads path (if not empty) over the defaults, then applies the
// environment: AUTOLEDGER_GATEWAY_LISTEN, AUTOLEDGER_CONNECTION_FILE,
// AUTOLEDGER_GATEWAY_STORE, AUTOLEDGER_GATEWAY_ORGS (comma-separated),
// AUTOLEDGER_OWNER_RELAY_ORG.
func Load(path string) (Config, error) {
	c := Default()
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return c, fmt.Errorf("read config: %w", err)
		}
		dec := yaml.NewDecoder(strings.NewReader(string(b)))
		dec.KnownFields(true)
		if err := dec.Decode(&c); err != nil {
			return c, fmt.Errorf("config %s: %w", path, err)
		}
	}
	if v := os.Getenv("AUTOLEDGER_GATEWAY_LISTEN"); v != "" {
		c.Listen = v
	}
	if v := os.Getenv("AUTOLEDGER_CONNECTION_FILE"); v != "" {
		c.ConnectionFile = v
	}
	if v := os.Getenv("AUTOLEDGER_GATEWAY_STORE"); v != "" {
		c.Store = v
	}
	if v := os.Getenv("AUTOLEDGER_GATEWAY_ORGS"); v != "" {
		c.Orgs = strings.Split(v, ",")
	}
	if v := os.Getenv("AUTOLEDGER_OWNER_RELAY_ORG"); v != "" {
		c.Owner.RelayOrg = v
	}
	// Added to the file's list, never replacing it: a container's environment can widen the
	// webhook allow-list only where its operator sets this variable.
	if v := os.Getenv("AUTOLEDGER_WEBHOOK_ALLOW"); v != "" {
		c.Webhooks.Allow = append(c.Webhooks.Allow, strings.Split(v, ",")...)
	}
	return c, c.Validate()
}

// Validate reports the first setting that cannot work.
func (c Config) Validate() error {
	switch {
	case c.ConnectionFile == "":
		return errors.New("connectionFile (or AUTOLEDGER_CONNECTION_FILE) is required")
	case c.Listen == "":
		return errors.New("listen is required")
	case c.Store == "":
		return errors.New("store is required")
	case c.Limits.BodyBytes <= 0:
		return errors.New("limits.bodyBytes must be positive")
	case c.Limits.AuthFailuresPerMinute <= 0 || c.Limits.AuthFailureBurst <= 0:
		return errors.New("limits.authFailuresPerMinute and limits.authFailureBurst must be positive")
	case c.Limits.EventStreams <= 0:
		return errors.New("limits.eventStreams must be positive")
	case c.Auth.JWT.Leeway < 0 || c.Auth.JWT.MaxLifetime <= 0:
		return errors.New("auth.jwt.leeway must not be negative and auth.jwt.maxLifetime must be positive")
	case c.TLS.CertFile != "" && c.TLS.KeyFile == "":
		return errors.New("tls.keyFile is required with tls.certFile")
	case c.TLS.KeyFile != "" && c.TLS.CertFile == "":
		return errors.New("tls.certFile is required with tls.keyFile")
	case c.TLS.ClientCAFile != "" && !c.TLS.Enabled():
		return errors.New("tls.clientCAFile needs tls.certFile and tls.keyFile: client certificates are only asked for over HTTPS")
	case c.TLS.RequireClientCert && c.TLS.ClientCAFile == "":
		return errors.New("tls.requireClientCert needs tls.clientCAFile to verify the certificates against")
	case c.MetricsListen != "" && c.MetricsListen == c.Listen:
		return errors.New("metricsListen must differ from listen (leave it empty to serve /metrics on listen)")
	case c.Owner.RelayOrg != "" && !slices.Contains(access.Roles[c.Owner.RelayOrg], access.OwnerServices):
		return fmt.Errorf("owner.relayOrg %q has no %s role: pick one of the orgs that relay owner statements (%s)",
			c.Owner.RelayOrg, access.OwnerServices, strings.Join(access.MembersWithRole(access.OwnerServices), ", "))
	case c.Owner.RequestsPerMinute <= 0 || c.Owner.Burst <= 0:
		return errors.New("owner.requestsPerMinute and owner.burst must be positive")
	case c.Owner.BodyBytes <= 0:
		return errors.New("owner.bodyBytes must be positive")
	}
	for _, k := range c.Auth.APIKeys {
		if k.Client == "" || k.Org == "" || k.Role == "" || !strings.HasPrefix(k.KeyHash, "sha256:") {
			return fmt.Errorf("apiKeys entry %q: client, org, role and keyHash (sha256:<hex>) are required", k.Client)
		}
	}
	if len(c.Auth.JWT.Issuers) > 0 && c.Auth.JWT.Audience == "" {
		return errors.New(AudienceRequired)
	}
	for i, is := range c.Auth.JWT.Issuers {
		if is.Issuer == "" || len(is.Orgs) == 0 {
			return fmt.Errorf("jwt issuer %q: issuer and orgs are required", is.Issuer)
		}
		if is.JWKSURL != "" {
			if err := CheckJWKSURL(is.JWKSURL); err != nil {
				return fmt.Errorf("auth.jwt.issuers[%d].jwksUrl %w", i, err)
			}
		}
	}
	return nil
}

// AudienceRequired refuses JWT issuers without an audience: without one a
// token minted by a trusted issuer for any other service would be accepted
// here too.
const AudienceRequired = "auth.jwt.audience is required when auth.jwt.issuers are set"

// CheckJWKSURL requires https for a key set: over plain http anyone on the
// path could substitute their own keys and mint tokens. http is admitted
// only for a key server on the gateway's own host (127.0.0.1, ::1 or
// localhost), as in tests.
func CheckJWKSURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return errors.New("must be an absolute https URL")
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if h := u.Hostname(); h == "localhost" || h == "127.0.0.1" || h == "::1" {
			return nil
		}
	}
	return errors.New("must be https (http only for 127.0.0.1 or localhost)")
}
