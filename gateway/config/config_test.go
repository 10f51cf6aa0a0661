package config_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/autoledger/autoledger/gateway/config"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The environment widens the file's webhook allow-list and never replaces it.
func TestWebhookAllowFromTheEnvironmentIsAdded(t *testing.T) {
	path := filepath.Join(t.TempDir(), "gateway.yaml")
	require.NoError(t, os.WriteFile(path, []byte("connectionFile: c.json\nwebhooks:\n  allow: [hooks.example]\n"), 0o600))

	t.Setenv("AUTOLEDGER_WEBHOOK_ALLOW", "")
	c, _ := config.Load(path)
	require.Equal(t, []string{"hooks.example"}, c.Webhooks.Allow)

	t.Setenv("AUTOLEDGER_WEBHOOK_ALLOW", "172.16.0.0/12,192.168.0.0/16")
	c, _ = config.Load(path)
	require.Equal(t, []string{"hooks.example", "172.16.0.0/12", "192.168.0.0/16"}, c.Webhooks.Allow)
}

// A TLS or metrics setting that cannot work is refused at load, naming the
// field the operator must fix.
func TestTLSAndMetricsListenSettingsThatCannotWorkAreRefused(t *testing.T) {
	for _, tc := range []struct{ yaml, field string }{
		{"tls: {certFile: s.crt}", "tls.keyFile"},
		{"tls: {keyFile: s.key}", "tls.certFile"},
		{"tls: {clientCAFile: ca.pem}", "tls.clientCAFile"},
		{"tls: {certFile: s.crt, keyFile: s.key, requireClientCert: true}", "tls.requireClientCert"},
		{"metricsListen: 127.0.0.1:8080", "metricsListen"},
	} {
		path := filepath.Join(t.TempDir(), "gateway.yaml")
		require.NoError(t, os.WriteFile(path, []byte("connectionFile: c.json\nlisten: 127.0.0.1:8080\n"+tc.yaml+"\n"), 0o600))
		_, err := config.Load(path)
		require.Error(t, err, tc.yaml)
		require.True(t, strings.HasPrefix(err.Error(), tc.field+" "), "%s: %v", tc.yaml, err)
	}
	for _, ok := range []string{
		"tls: {certFile: s.crt, keyFile: s.key}",
		"tls: {certFile: s.crt, keyFile: s.key, clientCAFile: ca.pem}",
		"tls: {certFile: s.crt, keyFile: s.key, clientCAFile: ca.pem, requireClientCert: true}",
		"metricsListen: 127.0.0.1:9090",
	} {
		path := filepath.Join(t.TempDir(), "gateway.yaml")
		require.NoError(t, os.WriteFile(path, []byte("connectionFile: c.json\nlisten: 127.0.0.1:8080\n"+ok+"\n"), 0o600))
		_, err := config.Load(path)
		require.NoError(t, err, ok)
	}
}

// JWT issuers without an audience, or with a key set fetched over plain
// http from another host, are refused at load, naming the field.
func TestJWTSettingsThatCannotBeTrustedAreRefused(t *testing.T) {
	const base = "connectionFile: c.json\nauth:\n  jwt:\n"
	issuer := func(jwks string) string {
		return "    issuers:\n      - {issuer: idp, orgs: [OemMSP], algorithm: ES256, jwksUrl: \"" + jwks + "\"}\n"
	}
	for _, tc := range []struct{ yaml, field string }{
		{issuer("https://idp.example/jwks.json"), "auth.jwt.audience"},
		{"    audience: autoledger\n" + issuer("http://idp.example/jwks.json"), "auth.jwt.issuers[0].jwksUrl"},
		{"    audience: autoledger\n" + issuer("http://10.0.0.5/jwks.json"), "auth.jwt.issuers[0].jwksUrl"},
		{"    audience: autoledger\n" + issuer("http://localhost.evil.example/jwks"), "auth.jwt.issuers[0].jwksUrl"},
		{"    audience: autoledger\n" + issuer("ftp://idp.example/jwks.json"), "auth.jwt.issuers[0].jwksUrl"},
		{"    audience: autoledger\n" + issuer("/jwks.json"), "auth.jwt.issuers[0].jwksUrl"},
	} {
		path := filepath.Join(t.TempDir(), "gateway.yaml")
		require.NoError(t, os.WriteFile(path, []byte(base+tc.yaml), 0o600))
		_, err := config.Load(path)
		require.Error(t, err, tc.yaml)
		require.True(t, strings.HasPrefix(err.Error(), tc.field+" "), "%s: %v", tc.yaml, err)
	}
	for _, jwks := range []string{"https://idp.example/jwks.json", "http://127.0.0.1:4321/jwks", "http://localhost/jwks", "http://[::1]:80/jwks"} {
		path := filepath.Join(t.TempDir(), "gateway.yaml")
		require.NoError(t, os.WriteFile(path, []byte(base+"    audience: autoledger\n"+issuer(jwks)), 0o600))
		_, err := config.Load(path)
		require.NoError(t, err, jwks)
	}
}

// The owner relay defaults to the first served member with the
// owner-services role, never the supplier (which relays no owner
// statement); a configured relay without that role is refused at load.
func TestOwnerRelay(t *testing.T) {
	serving := func(orgs ...string) func(string) bool {
		return func(o string) bool { return slices.Contains(orgs, o) }
	}
	for _, tc := range []struct {
		relay  string
		served []string
		want   string
		ok     bool
	}{
		{"", []string{"SupplierMSP", "DealerMSP", "OemMSP"}, "OemMSP", true},
		{"", []string{"SupplierMSP", "InsurerMSP"}, "InsurerMSP", true},
		{"", []string{"SupplierMSP"}, "", false},
		{"DealerMSP", []string{"OemMSP", "DealerMSP"}, "DealerMSP", true},
		{"DealerMSP", []string{"OemMSP"}, "DealerMSP", false},
	} {
		got, ok := config.Owner{RelayOrg: tc.relay}.Relay(serving(tc.served...))
		assert.Equal(t, tc.want, got, "%s %v", tc.relay, tc.served)
		assert.Equal(t, tc.ok, ok, "%s %v", tc.relay, tc.served)
	}

	for _, tc := range []struct{ yaml, field string }{
		{"owner: {relayOrg: SupplierMSP}", "owner.relayOrg"},
		{"owner: {relayOrg: NoSuchMSP}", "owner.relayOrg"},
		{"owner: {requestsPerMinute: 0}", "owner.requestsPerMinute"},
		{"owner: {bodyBytes: -1}", "owner.bodyBytes"},
	} {
		path := filepath.Join(t.TempDir(), "gateway.yaml")
		require.NoError(t, os.WriteFile(path, []byte("connectionFile: c.json\n"+tc.yaml+"\n"), 0o600))
		_, err := config.Load(path)
		require.Error(t, err, tc.yaml)
		require.True(t, strings.HasPrefix(err.Error(), tc.field+" "), "%s: %v", tc.yaml, err)
	}
	path := filepath.Join(t.TempDir(), "gateway.yaml")
	require.NoError(t, os.WriteFile(path, []byte("connectionFile: c.json\nowner: {relayOrg: InsurerMSP}\n"), 0o600))
	t.Setenv("AUTOLEDGER_OWNER_RELAY_ORG", "DealerMSP")
	c, err := config.Load(path)
	require.NoError(t, err)
	assert.Equal(t, "DealerMSP", c.Owner.RelayOrg, "the environment overrides the file")
	assert.Equal(t, config.Default().Owner.Burst, c.Owner.Burst, "unset keys keep their defaults")
}
