package webhook_test

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/autoledger/autoledger/gateway/webhook"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeDNS answers from a table the test can change; unknown names fail.
type fakeDNS struct {
	mu    sync.Mutex
	names map[string][]string
}

func (f *fakeDNS) set(host string, ips ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.names[host] = ips
}

func (f *fakeDNS) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []netip.Addr
	for _, s := range f.names[host] {
		out = append(out, netip.MustParseAddr(s))
	}
	if out == nil {
		return nil, errors.New("no such host")
	}
	return out, nil
}

// noNet records what would be dialled and dials nothing: these tests never
// send a packet to a non-loopback address.
type noNet struct {
	mu     sync.Mutex
	dialed []string
}

func (n *noNet) dial(_ context.Context, _, addr string) (net.Conn, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.dialed = append(n.dialed, addr)
	return nil, errors.New("no network in unit tests")
}

func (n *noNet) calls() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]string(nil), n.dialed...)
}

func guarded(t *testing.T, allow []string, dns *fakeDNS, nn *noNet, opts ...webhook.Option) *webhook.Hub {
	g, err := webhook.NewGuard(allow, dns, nn.dial)
	require.NoError(t, err)
	return hub(t, append(opts, webhook.WithGuard(g))...)
}

func sub(id, org, url string) webhook.Subscription {
	return webhook.Subscription{ID: id, Org: org, URL: url, Events: []string{"OrderCreated"}, Secret: secret}
}

func created(id string) webhook.Event {
	return webhook.Event{ID: id, Name: "OrderCreated", Payload: json.RawMessage(`{"orderId":"O-1"}`)}
}

func TestSubscriptionURLsThatLeadInwardAreRefused(t *testing.T) {
	dns := &fakeDNS{names: map[string][]string{
		"localhost":       {"::1", "127.0.0.1"},
		"metadata.evil":   {"169.254.169.254"},
		"lan.evil":        {"192.168.1.10"},
		"mixed.evil":      {"93.184.216.34", "10.0.0.7"},
		"public.example":  {"93.184.216.34"},
		"hooks.internal":  {"10.9.9.9"},
		"ula.evil":        {"fd00::5"},
		"mapped.evil":     {"::ffff:127.0.0.1"},
		"multicast.evil":  {"239.1.2.3"},
		"unspecified.evl": {"0.0.0.0"},
	}}
	nn := &noNet{}
	h := guarded(t, []string{"10.1.0.0/16", "hooks.internal"}, dns, nn)
	ctx := context.Background()
	for _, u := range []string{
		"http://127.0.0.1:8080/", "http://localhost/", "http://169.254.169.254/latest/meta-data/",
		"http://metadata.evil/", "http://10.0.0.5/", "http://172.16.0.1/", "http://lan.evil/", "http://mixed.evil/",
		"http://[::1]/", "http://[fe80::1]/", "http://ula.evil/", "http://mapped.evil/", "http://0.0.0.0/", "http://[::]/",
		"http://unspecified.evl/", "http://224.0.0.1/", "http://multicast.evil/", "http://10.2.0.1/", "http://nowhere.evil/",
	} {
		err := h.Subscribe(ctx, sub("s", "OemMSP", u))
		var fe *webhook.FieldError
		if assert.ErrorAs(t, err, &fe, u) {
			assert.Equal(t, "url", fe.Field, u)
		}
	}
	for _, u := range []string{"https://public.example/hook", "http://10.1.2.3/", "http://hooks.internal:9000/x"} {
		assert.NoError(t, h.Subscribe(ctx, sub("ok-"+u, "OemMSP", u)), "public, or admitted by the allow-list: %s", u)
	}
	assert.Empty(t, nn.calls(), "subscribing dials nothing")
	_, err := webhook.NewGuard([]string{"http://x/"}, dns, nn.dial)
	assert.Error(t, err, "an allow-list entry must be a host, an address or a CIDR")
}

func TestEveryDeliveryChecksTheAddressItDials(t *testing.T) {
	dns := &fakeDNS{names: map[string][]string{"flip.example": {"93.184.216.34"}}}
	nn := &noNet{}
	h := guarded(t, nil, dns, nn, webhook.WithMaxAttempts(1))
	ctx := context.Background()
	require.NoError(t, h.Subscribe(ctx, sub("s1", "OemMSP", "http://flip.example:8443/hook")))

	_, err := h.Accept(created("1-a"))
	require.NoError(t, err)
	h.DeliverDue(ctx)
	h.Wait()
	assert.Equal(t, []string{"93.184.216.34:8443"}, nn.calls(), "the checked address is the one dialled")

	dns.set("flip.example", "169.254.169.254") // the name now points at the metadata service
	_, err = h.Accept(created("2-b"))
	require.NoError(t, err)
	h.DeliverDue(ctx)
	h.Wait()
	assert.Equal(t, []string{"93.184.216.34:8443"}, nn.calls(), "the internal address is never dialled")
	dead, err := h.DeadLetters("OemMSP")
	require.NoError(t, err)
	require.Len(t, dead, 2)
	assert.Equal(t, "post http://flip.example:8443/hook: refused: "+webhook.URLRefused, dead[1].LastError,
		"the org reads the kind of failure, never the address its name resolved to")
}

func TestRedirectsAreNotFollowedAndErrorsHideCredentials(t *testing.T) {
	var elsewhere atomic.Int32
	target := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { elsewhere.Add(1) }))
	defer target.Close()
	redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL+"/internal", http.StatusTemporaryRedirect)
	}))
	defer redirect.Close()
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close() // nothing listens there any more: the connection is refused

	h := hub(t, webhook.WithMaxAttempts(1))
	ctx := context.Background()
	withSecrets := func(base string) string {
		return strings.Replace(base, "http://", "http://alice:pa55word@", 1) + "/hook?token=t0psecret&x=1"
	}
	require.NoError(t, h.Subscribe(ctx, sub("s1", "OemMSP", withSecrets(redirect.URL))))
	require.NoError(t, h.Subscribe(ctx, sub("s2", "OemMSP", withSecrets(closed.URL))))
	_, err := h.Accept(created("1-a"))
	require.NoError(t, err)
	h.DeliverDue(ctx)
	h.Wait()

	assert.Zero(t, elsewhere.Load(), "the redirect was not followed")
	dead, err := h.DeadLetters("OemMSP")
	require.NoError(t, err)
	require.Len(t, dead, 2)
	assert.Contains(t, dead[0].LastError, "307")
	for _, d := range dead {
		assert.Contains(t, d.LastError, "/hook", "the error says where")
		for _, s := range []string{"t0psecret", "token", "pa55word", "alice"} {
			assert.NotContains(t, d.LastError, s)
		}
	}
}

func TestDeadLettersAreListedAndReplayedPerOrg(t *testing.T) {
	rcv := &receiver{fail: true}
	srv := httptest.NewServer(rcv)
	defer srv.Close()
	h := hub(t, webhook.WithMaxAttempts(1))
	ctx := context.Background()
	require.NoError(t, h.Subscribe(ctx, sub("s1", "SupplierMSP", srv.URL)))
	_, err := h.Accept(created("1-a"))
	require.NoError(t, err)
	h.DeliverDue(ctx)
	h.Wait()

	other, err := h.DeadLetters("OemMSP")
	require.NoError(t, err)
	assert.Empty(t, other, "another org's dead letters are not listed")
	mine, err := h.DeadLetters("SupplierMSP")
	require.NoError(t, err)
	require.Len(t, mine, 1)
	assert.ErrorIs(t, h.Replay("OemMSP", mine[0].ID), webhook.ErrNotFound, "another org's id is not found")
	assert.ErrorIs(t, h.Replay("SupplierMSP", "nope"), webhook.ErrNotFound)
	require.NoError(t, h.Replay("SupplierMSP", mine[0].ID))
	assert.ErrorIs(t, h.Replay("SupplierMSP", mine[0].ID), webhook.ErrNotDead)
}

func TestUnsubscribeIsPerOrgAndDropsTheQueue(t *testing.T) {
	h := hub(t)
	ctx := context.Background()
	require.NoError(t, h.Subscribe(ctx, sub("s1", "SupplierMSP", "http://127.0.0.1:1/")))
	_, err := h.Accept(created("1-a"))
	require.NoError(t, err)
	require.Len(t, h.Notes(), 1)

	assert.ErrorIs(t, h.Unsubscribe("OemMSP", "s1"), webhook.ErrNotFound, "another org's subscription")
	assert.ErrorIs(t, h.Unsubscribe("SupplierMSP", "s9"), webhook.ErrNotFound)
	require.NoError(t, h.Unsubscribe("SupplierMSP", "s1"))
	subs, err := h.Subscriptions("SupplierMSP")
	require.NoError(t, err)
	assert.Empty(t, subs)
	assert.Empty(t, h.Notes(), "its notifications went with it")
	n, err := h.Accept(created("2-b"))
	require.NoError(t, err)
	assert.Zero(t, n)
}

func TestRotatedSecretsBothSignDuringTheGracePeriod(t *testing.T) {
	var clock atomic.Int64
	clock.Store(time.Now().UnixNano())
	now := func() time.Time { return time.Unix(0, clock.Load()) }
	var mu sync.Mutex
	var headers []string
	var bodies [][]byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b := make([]byte, r.ContentLength)
		_, _ = r.Body.Read(b)
		mu.Lock()
		defer mu.Unlock()
		headers = append(headers, r.Header.Get("X-AutoLedger-Signature"))
		bodies = append(bodies, b)
	}))
	defer srv.Close()
	h := hub(t, webhook.WithClock(now), webhook.WithLimits(webhook.Limits{SecretGrace: time.Hour}))
	ctx := context.Background()
	require.NoError(t, h.Subscribe(ctx, sub("s1", "SupplierMSP", srv.URL)))
	const fresh = "the-new-secret-0123456789"

	_, err := h.RotateSecret("OemMSP", "s1", fresh)
	assert.ErrorIs(t, err, webhook.ErrNotFound, "another org's subscription")
	_, err = h.RotateSecret("SupplierMSP", "s1", "short")
	var fe *webhook.FieldError
	assert.ErrorAs(t, err, &fe)
	s, err := h.RotateSecret("SupplierMSP", "s1", fresh)
	require.NoError(t, err)
	assert.Empty(t, s.Public().Secret+s.Public().PreviousSecret, "secrets are not shown")
	assert.Equal(t, now().Add(time.Hour).UTC(), s.PreviousSecretUntil)

	deliver := func(id string) (string, []byte) {
		_, err := h.Accept(created(id))
		require.NoError(t, err)
		h.DeliverDue(ctx)
		h.Wait()
		mu.Lock()
		defer mu.Unlock()
		require.NotEmpty(t, headers)
		return headers[len(headers)-1], bodies[len(bodies)-1]
	}
	hd, body := deliver("1-a")
	assert.Equal(t, 2, strings.Count(hd, "v1="), hd)
	assert.True(t, webhook.Verify(fresh, hd, body, time.Minute, now()), "the new secret verifies")
	assert.True(t, webhook.Verify(secret, hd, body, time.Minute, now()), "the old one too, during the grace period")

	clock.Add(int64(time.Hour + time.Second))
	hd, body = deliver("2-b")
	assert.Equal(t, 1, strings.Count(hd, "v1="), hd)
	assert.True(t, webhook.Verify(fresh, hd, body, time.Minute, now()))
	assert.False(t, webhook.Verify(secret, hd, body, time.Minute, now()), "the old secret no longer signs")
}

// blackHole accepts connections and never answers.
func blackHole(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return "http://" + l.Addr().String() + "/"
}

// appliedAt records when ApplyDeadlines was called.
type appliedAt struct{ at atomic.Int64 }

func (a *appliedAt) ApplyDeadlines(context.Context, string) error {
	a.at.CompareAndSwap(0, time.Now().UnixNano())
	return nil
}

func TestASubscriberThatNeverAnswersDelaysNobody(t *testing.T) {
	rcv := &receiver{}
	srv := httptest.NewServer(rcv)
	defer srv.Close()
	h := hub(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer func() { cancel(); h.Wait() }()
	// "s-a" sorts first: a dispatcher going in order meets the black hole first.
	require.NoError(t, h.Subscribe(ctx, sub("s-a", "OemMSP", blackHole(t))))
	require.NoError(t, h.Subscribe(ctx, sub("s-b", "OemMSP", srv.URL)))
	_, err := h.Accept(created("1-a"))
	require.NoError(t, err)
	_, err = h.Accept(webhook.Event{ID: "2-b", Name: "OrderShipped",
		Payload: json.RawMessage(`{"orderId":"O-2","acceptBy":"2020-01-01T00:00:00Z"}`)})
	require.NoError(t, err)

	// The dispatcher calls DeliverDue on every tick; the test ticks too, because a round that
	// finds the other subscriber's worker still finishing its last delivery skips it (one worker
	// per subscriber). A serial dispatcher would serve the other subscriber only after the black
	// hole's deliveryTimeout (10 s); waiting up to half of it tells the two apart without timing
	// the machine.
	const patience = 5 * time.Second
	delivered := func(n int) func() bool {
		return func() bool {
			h.DeliverDue(ctx)
			rcv.mu.Lock()
			defer rcv.mu.Unlock()
			return len(rcv.bodies) >= n
		}
	}
	a := &appliedAt{}
	start := time.Now()
	h.DeliverDue(ctx)
	h.ApplyDue(ctx, a)
	require.NotZero(t, a.at.Load())
	require.Less(t, time.Since(start), patience, "deadlines are applied without waiting for any delivery")
	require.Eventually(t, delivered(1), patience, 10*time.Millisecond, "the other subscriber is served while the black hole hangs")

	// The next round, with the black hole's worker still stuck, serves the other again.
	_, err = h.Accept(created("3-c"))
	require.NoError(t, err)
	require.Eventually(t, delivered(2), patience, 10*time.Millisecond)
}

func TestQueuesAndSubscriptionsAreCappedAndDeliveredArePruned(t *testing.T) {
	var clock atomic.Int64
	clock.Store(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC).UnixNano())
	now := func() time.Time { return time.Unix(0, clock.Load()) }
	h := hub(t, webhook.WithClock(now), webhook.WithLimits(webhook.Limits{SubscriptionsPerOrg: 2, PendingPerSubscription: 2}))
	ctx := context.Background()
	require.NoError(t, h.Subscribe(ctx, sub("s1", "OemMSP", "http://127.0.0.1:1/")))
	require.NoError(t, h.Subscribe(ctx, sub("s2", "OemMSP", "http://127.0.0.1:1/")))
	assert.ErrorIs(t, h.Subscribe(ctx, sub("s3", "OemMSP", "http://127.0.0.1:1/")), webhook.ErrLimit)
	require.NoError(t, h.Subscribe(ctx, sub("s4", "DealerMSP", "http://127.0.0.1:1/")), "another org has its own cap")
	require.NoError(t, h.Unsubscribe("OemMSP", "s2"))
	require.NoError(t, h.Unsubscribe("DealerMSP", "s4"))

	for _, id := range []string{"1-a", "2-b", "3-c"} {
		_, err := h.Accept(created(id))
		require.NoError(t, err)
	}
	dead, err := h.DeadLetters("OemMSP")
	require.NoError(t, err)
	require.Len(t, dead, 1, "the third notification finds the queue full")
	assert.Equal(t, "3-c:s1", dead[0].ID)
	assert.Contains(t, dead[0].LastError, "queue full")
	assert.ErrorIs(t, h.Replay("OemMSP", "3-c:s1"), webhook.ErrLimit, "no replay into a full queue")

	// Delivered notifications are kept for the retention (7 days), then pruned.
	rcv := &receiver{}
	srv := httptest.NewServer(rcv)
	defer srv.Close()
	require.NoError(t, h.Unsubscribe("OemMSP", "s1"))
	require.NoError(t, h.Subscribe(ctx, sub("s5", "OemMSP", srv.URL)))
	_, err = h.Accept(created("4-d"))
	require.NoError(t, err)
	h.DeliverDue(ctx)
	h.Wait()
	require.Len(t, h.Notes(), 1)
	assert.Equal(t, webhook.Delivered, h.Notes()[0].State)
	clock.Add(int64(webhook.DefaultLimits.DeliveredRetention - time.Minute))
	h.DeliverDue(ctx)
	assert.Len(t, h.Notes(), 1, "kept within the retention")
	clock.Add(int64(2 * time.Minute))
	h.DeliverDue(ctx)
	assert.Empty(t, h.Notes(), "pruned after it")
}
