package fabric

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// What the peer's gateway answers while discovery cannot yet satisfy the
// endorsement policy (Fabric's internal/pkg/gateway/registry.go).
var errNoPlan = errors.New("rpc error: code = FailedPrecondition desc = no combination of peers can be derived which satisfy the endorsement policy: required chaincodes are not installed on sufficient peers")

// fakeProbe answers from err per org and counts its calls.
type fakeProbe struct {
	mu    sync.Mutex
	err   map[string]error
	calls map[string]int
}

func newFakeProbe() *fakeProbe { return &fakeProbe{err: map[string]error{}, calls: map[string]int{}} }

func (f *fakeProbe) probe(_ context.Context, org string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls[org]++
	return f.err[org]
}

func (f *fakeProbe) set(org string, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.err[org] = err
}

func (f *fakeProbe) count(org string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[org]
}

// clock is a time source the test moves.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func TestReadinessWaitsForAnEndorsementPlan(t *testing.T) {
	var logs bytes.Buffer
	f, c := newFakeProbe(), &clock{t: time.Unix(1e9, 0)}
	r := newReadiness(f.probe, 10*time.Second, slog.New(slog.NewTextHandler(&logs, nil)))
	r.now = c.now
	ctx := context.Background()

	// The peer answers, but its discovery cannot satisfy the policy yet.
	f.set("OemMSP", errNoPlan)
	assert.False(t, r.check(ctx, "OemMSP", true))
	f.set("OemMSP", nil)
	assert.False(t, r.check(ctx, "OemMSP", true), "a failure counts for a moment: not probed again")
	assert.Equal(t, 1, f.count("OemMSP"))
	c.t = c.t.Add(time.Second)
	f.set("OemMSP", errNoPlan)
	assert.False(t, r.check(ctx, "OemMSP", true))
	c.t = c.t.Add(time.Second)
	assert.False(t, r.check(ctx, "OemMSP", true), "after the failure's ttl the probe decides again")
	assert.Equal(t, 2, f.count("OemMSP"))
	assert.Contains(t, logs.String(), "no combination of peers can be derived")
	assert.Equal(t, 1, strings.Count(logs.String(), "org not ready"), "the same reason is logged once")

	f.set("OemMSP", nil)
	c.t = c.t.Add(2 * time.Second)
	assert.True(t, r.check(ctx, "OemMSP", true))
	assert.Contains(t, logs.String(), "org ready")

	// A success counts for the ttl without probing, then is probed again.
	c.t = c.t.Add(9 * time.Second)
	assert.True(t, r.check(ctx, "OemMSP", true))
	assert.Equal(t, 3, f.count("OemMSP"))
	c.t = c.t.Add(2 * time.Second)
	f.set("OemMSP", errNoPlan)
	assert.False(t, r.check(ctx, "OemMSP", true), "after the ttl the probe decides again")
	assert.Equal(t, 4, f.count("OemMSP"))

	// Orgs are independent.
	assert.True(t, r.check(ctx, "DealerMSP", true))
}

func TestReadinessNeverAnswersFromCacheWithoutAConnection(t *testing.T) {
	f := newFakeProbe()
	r := newReadiness(f.probe, time.Hour, slog.New(slog.DiscardHandler))
	ctx := context.Background()
	require.True(t, r.check(ctx, "InsurerMSP", true))

	// The peer stops: not ready at once, though the last probe is fresh.
	assert.False(t, r.check(ctx, "InsurerMSP", false))
	assert.Equal(t, 1, f.count("InsurerMSP"), "no probe without a connection")
	// Back: the old success is gone, so the probe decides (here: no plan yet).
	f.set("InsurerMSP", errNoPlan)
	assert.False(t, r.check(ctx, "InsurerMSP", true))
	assert.Equal(t, 2, f.count("InsurerMSP"))

	// A remembered failure does not outlive a drop either: once back, the
	// probe decides at once.
	f.set("InsurerMSP", nil)
	assert.False(t, r.check(ctx, "InsurerMSP", false))
	assert.True(t, r.check(ctx, "InsurerMSP", true))
	assert.Equal(t, 3, f.count("InsurerMSP"))
}

// gatedProbe is a probe that fails slowly, as an endorser that is down or
// still forming does: each call waits for release, and its calls are counted.
type gatedProbe struct {
	fakeProbe
	started chan string
	release chan struct{}
}

func (g *gatedProbe) probe(ctx context.Context, org string) error {
	err := g.fakeProbe.probe(ctx, org)
	g.started <- org
	<-g.release
	return err
}

// A crowd of anonymous /readyz calls while the endorsers fail costs the
// peers one probe per org and failure window: the calls share the probe in
// flight, and the calls after it share its remembered answer.
func TestReadinessProbesOncePerOrgForConcurrentCallers(t *testing.T) {
	g := &gatedProbe{fakeProbe: *newFakeProbe(), started: make(chan string, 10), release: make(chan struct{})}
	c := &clock{t: time.Unix(1e9, 0)}
	r := newReadiness(g.probe, 10*time.Second, slog.New(slog.DiscardHandler))
	r.now = c.now
	orgs := []string{"OemMSP", "DealerMSP"}
	for _, org := range orgs {
		g.set(org, errNoPlan)
	}

	crowd := func() []bool {
		answers := make([]bool, 100)
		var wg sync.WaitGroup
		for i := range answers {
			wg.Go(func() { answers[i] = r.check(context.Background(), orgs[i%len(orgs)], true) })
		}
		wg.Wait()
		return answers
	}
	var answers []bool
	done := make(chan struct{})
	go func() { answers = crowd(); close(done) }()
	// Hold each org's probe until the whole crowd has had time to arrive.
	for range orgs {
		<-g.started
	}
	time.Sleep(100 * time.Millisecond)
	close(g.release)
	<-done
	assert.NotContains(t, answers, true)
	for _, org := range orgs {
		assert.Equal(t, 1, g.count(org), "one probe for %s", org)
	}

	// Within the failure's window the next crowd is answered without a probe.
	c.t = c.t.Add(notReadyFor - time.Millisecond)
	assert.NotContains(t, crowd(), true)
	// After it, one probe per org again; this one succeeds and counts longer.
	for _, org := range orgs {
		g.set(org, nil)
	}
	c.t = c.t.Add(time.Millisecond)
	assert.NotContains(t, crowd(), false)
	c.t = c.t.Add(readyFor / 2)
	assert.NotContains(t, crowd(), false)
	for _, org := range orgs {
		assert.Equal(t, 2, g.count(org), "one probe for %s per window", org)
	}
}

// A caller that leaves stops waiting, but the shared probe goes on for the
// others: its answer is not "context canceled".
func TestReadinessCallerLeavingDoesNotCancelTheSharedProbe(t *testing.T) {
	g := &gatedProbe{fakeProbe: *newFakeProbe(), started: make(chan string, 1), release: make(chan struct{})}
	r := newReadiness(func(ctx context.Context, org string) error {
		err := g.probe(ctx, org)
		return errors.Join(err, ctx.Err())
	}, time.Minute, slog.New(slog.DiscardHandler))

	ctx, cancel := context.WithCancel(context.Background())
	left := make(chan bool)
	go func() { left <- r.check(ctx, "OemMSP", true) }()
	<-g.started
	stays := make(chan bool)
	go func() { stays <- r.check(context.Background(), "OemMSP", true) }()
	cancel()
	assert.False(t, <-left, "a caller that left is not told ready")
	close(g.release)
	assert.True(t, <-stays)
	assert.Equal(t, 1, g.count("OemMSP"))
}

// Pool.Ready combines each org's connection state with its probe: an org
// whose peer does not answer is not ready and not probed, one whose peer
// answers is ready only once its probe succeeds.
func TestPoolReadyNeedsAConnectionAndAnEndorsement(t *testing.T) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := grpc.NewServer()
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(srv.Stop)
	// A port nothing listens on any more.
	gone, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	goneAddr := gone.Addr().String()
	require.NoError(t, gone.Close())

	dial := func(addr string) *grpc.ClientConn {
		conn, err := grpc.NewClient("passthrough:///"+addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
		require.NoError(t, err)
		t.Cleanup(func() { conn.Close() })
		return conn
	}
	f := newFakeProbe()
	p := &Pool{orgs: []string{"OemMSP", "DealerMSP", "InsurerMSP"}, conns: map[string]*grpc.ClientConn{
		"OemMSP": dial(lis.Addr().String()), "DealerMSP": dial(lis.Addr().String()), "InsurerMSP": dial(goneAddr),
	}}
	p.ready = newReadiness(f.probe, time.Minute, slog.New(slog.DiscardHandler))
	c := &clock{t: time.Unix(1e9, 0)}
	p.ready.now = c.now
	f.set("DealerMSP", errNoPlan)

	got := p.Ready(context.Background(), 500*time.Millisecond)
	assert.Equal(t, map[string]bool{"OemMSP": true, "DealerMSP": false, "InsurerMSP": false}, got)
	assert.Equal(t, 0, f.count("InsurerMSP"), "no probe through a connection that is down")

	f.set("DealerMSP", nil)
	got = p.Ready(context.Background(), 500*time.Millisecond)
	assert.False(t, got["DealerMSP"], "a failure counts for a moment")
	c.t = c.t.Add(notReadyFor)
	got = p.Ready(context.Background(), 500*time.Millisecond)
	assert.Equal(t, map[string]bool{"OemMSP": true, "DealerMSP": true, "InsurerMSP": false}, got)
	assert.Equal(t, 1, f.count("OemMSP"), "a success within the ttl is not probed again")
}
