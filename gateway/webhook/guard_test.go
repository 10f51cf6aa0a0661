package webhook_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"

	"github.com/autoledger/autoledger/gateway/webhook"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	bolt "go.etcd.io/bbolt"
)

// ownAddr stands for an address of the gateway host: a public one, as a
// cloud VM's interface may carry, so only the own-address rule refuses it.
const ownAddr = "198.51.100.77"

func TestGuardRefusesEverySpecialRange(t *testing.T) {
	refused := map[string]string{
		"loopback":            "127.0.0.1",
		"loopback v6":         "::1",
		"link-local":          "169.254.169.254",
		"link-local v6":       "fe80::1",
		"link-local zoned":    "fe80::1%eth0",
		"private":             "172.18.0.5",
		"ULA":                 "fd00::5",
		"CGNAT":               "100.64.0.1",
		"Alibaba metadata":    "100.100.100.200",
		"CGNAT top":           "100.127.255.254",
		"this-network":        "0.1.2.3",
		"unspecified":         "0.0.0.0",
		"unspecified v6":      "::",
		"IETF protocol":       "192.0.0.170",
		"benchmarking":        "198.18.0.1",
		"benchmarking top":    "198.19.255.254",
		"reserved":            "240.0.0.1",
		"broadcast":           "255.255.255.255",
		"multicast":           "239.1.2.3",
		"multicast v6":        "ff02::1",
		"NAT64 of loopback":   "64:ff9b::7f00:1",
		"NAT64 local-use":     "64:ff9b:1::a00:1",
		"NAT64 local-use pub": "64:ff9b:1:808:8::",
		"NAT64 of own host":   "64:ff9b::" + ownAddr,
		"6to4 of own host":    "2002:c633:644d::1",
		"site-local":          "fec0::1",
		"mapped loopback":     "::ffff:127.0.0.1",
		"mapped CGNAT":        "::ffff:100.100.100.200",
		"mapped metadata":     "::ffff:169.254.169.254",
		"compatible":          "::127.0.0.1",
		"compatible public":   "::93.184.216.34",
		"translated":          "::ffff:0:a00:1",
		"6to4 of loopback":    "2002:7f00:1::1",
		"discard-only":        "100::1",
		"own host":            ownAddr,
		"own host, mapped":    "::ffff:" + ownAddr,
		"own host v6":         "2001:db8:aa::7",
		"own host v6 zoned":   "2001:db8:aa::7%eth0",
		"resolves to CGNAT":   "name:cgnat.evil",
		"resolves to NAT64":   "name:nat64.evil",
		"resolves to own":     "name:self.evil",
		"resolves partially":  "name:mixed.evil",
	}
	dns := &fakeDNS{names: map[string][]string{
		"cgnat.evil":     {"100.100.100.200"},
		"nat64.evil":     {"64:ff9b::a9fe:a9fe"},
		"self.evil":      {ownAddr},
		"mixed.evil":     {"93.184.216.34", "198.18.3.4"},
		"public.example": {"93.184.216.34", "2606:2800:220:1::1"},
		"cgnat.allowed":  {"100.64.9.9"},
	}}
	nn := &noNet{}
	g, err := webhook.NewGuard([]string{"100.99.0.0/16", "cgnat.allowed", "::ffff:198.18.7.7"}, dns, nn.dial)
	require.NoError(t, err)
	g.SetOwnAddrs(ownAddr, "2001:db8:aa::7", "127.0.0.1")
	ctx := context.Background()

	urlOf := func(a string) string {
		if name, ok := strings.CutPrefix(a, "name:"); ok {
			return "http://" + name + "/hook"
		}
		if strings.Contains(a, ":") {
			return "http://[" + strings.Replace(a, "%", "%25", 1) + "]/hook"
		}
		return "http://" + a + "/hook"
	}
	for name, a := range refused {
		assert.ErrorIs(t, g.CheckURL(ctx, urlOf(a)), webhook.ErrRefusedAddress, "%s: %s", name, a)
		_, err := g.DialContext(ctx, "tcp", strings.TrimSuffix(strings.TrimPrefix(urlOf(a), "http://"), "/hook")+":80")
		assert.Error(t, err, "%s: %s is refused at dial time too", name, a)
	}
	assert.Empty(t, nn.calls(), "no refused address is dialled")

	// The allow-list still admits what it names, whatever its class.
	for _, u := range []string{
		"http://100.99.1.1/", "http://[::ffff:100.99.1.1]/", "http://cgnat.allowed/",
		"http://198.18.7.7/", "https://public.example/hook", "http://93.184.216.34/", "http://[2606:2800:220:1::1]/",
		"http://[64:ff9b::5db8:d822]/",
	} {
		assert.NoError(t, g.CheckURL(ctx, u), u)
	}
}

// On an IPv6-only gateway network with DNS64, an IPv4-only receiver
// resolves to 64:ff9b::a.b.c.d: the guard judges the IPv4 address inside
// (and inside a 6to4 address), not the prefix.
func TestGuardJudgesTheIPv4InsideNAT64And6to4(t *testing.T) {
	for _, tc := range []struct {
		addr    string
		refused bool
	}{
		{"64:ff9b::808:808", false},    // 8.8.8.8
		{"64:ff9b::8.8.8.8", false},    // the same, written as RFC 6052 does
		{"64:ff9b::a9fe:a9fe", true},   // 169.254.169.254, cloud metadata
		{"64:ff9b::7f00:1", true},      // 127.0.0.1
		{"64:ff9b::a00:1", true},       // 10.0.0.1
		{"64:ff9b::6464:64c8", true},   // 100.100.100.200, CGNAT
		{"64:ff9b::ffff:ffff", true},   // broadcast
		{"64:ff9b:1::808:808", true},   // local-use NAT64: no fixed place to judge
		{"2002:0808:0808::", false},    // 6to4 of 8.8.8.8
		{"2002:0808:0808:1::1", false}, // a host behind it
		{"2002:7f00:0001::", true},     // 6to4 of 127.0.0.1
		{"2002:a9fe:a9fe::1", true},    // 6to4 of 169.254.169.254
		{"2002:c0a8:0101::1", true},    // 6to4 of 192.168.1.1
	} {
		t.Run(tc.addr, func(t *testing.T) {
			nn := &noNet{}
			dns := &fakeDNS{names: map[string][]string{"receiver.example": {tc.addr}}}
			g, err := webhook.NewGuard(nil, dns, nn.dial)
			require.NoError(t, err)
			g.SetOwnAddrs(ownAddr)
			ctx := context.Background()
			for _, u := range []string{"http://[" + tc.addr + "]/hook", "http://receiver.example/hook"} {
				err := g.CheckURL(ctx, u)
				if tc.refused {
					assert.ErrorIs(t, err, webhook.ErrRefusedAddress, u)
				} else {
					assert.NoError(t, err, u)
				}
			}
			// At delivery: a refused address is never dialled, an admitted
			// one is dialled as the IPv6 address it is.
			_, _ = g.DialContext(ctx, "tcp", "receiver.example:443")
			if tc.refused {
				assert.Empty(t, nn.calls())
			} else {
				assert.Equal(t, []string{"[" + netip.MustParseAddr(tc.addr).String() + "]:443"}, nn.calls())
			}
		})
	}
}

func TestRefusedURLsAnswerTheSameAndTheOperatorLogsWhy(t *testing.T) {
	dns := &fakeDNS{names: map[string][]string{"db.internal": {"172.18.0.5"}}}
	nn := &noNet{}
	g, err := webhook.NewGuard(nil, dns, nn.dial)
	require.NoError(t, err)
	g.SetOwnAddrs()
	var logged bytes.Buffer
	db, err := bolt.Open(filepath.Join(t.TempDir(), "w.db"), 0o600, nil)
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	h, err := webhook.New(db, slog.New(slog.NewTextHandler(io.MultiWriter(&logged), nil)), webhook.WithGuard(g))
	require.NoError(t, err)

	for _, u := range []string{
		"http://db.internal:5432/x?token=t0psecret", "http://nowhere.internal/", "http://100.100.100.200/",
	} {
		err := h.Subscribe(context.Background(), sub("s", "OemMSP", u))
		var fe *webhook.FieldError
		require.ErrorAs(t, err, &fe, u)
		assert.Equal(t, "url", fe.Field)
		assert.Equal(t, webhook.URLRefused, fe.Message, "%s: the answer names no address and no lookup failure", u)
	}
	assert.Contains(t, logged.String(), "172.18.0.5", "the operator sees what the name resolved to")
	assert.Contains(t, logged.String(), "no such host")
	assert.NotContains(t, logged.String(), "t0psecret", "nor the query")
}
