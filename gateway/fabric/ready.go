package fabric

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/autoledger/autoledger/gateway/auth"
	"github.com/autoledger/autoledger/network/fabclient"
	"golang.org/x/sync/singleflight"
	"google.golang.org/grpc/connectivity"
)

// readyFor is how long a successful endorsement probe counts: readiness
// checks come often, an endorsement costs one chaincode call per endorsing
// peer. A dropped peer connection is noticed at once all the same, since the
// connection is checked on every call.
const readyFor = 10 * time.Second

// notReadyFor is how long a failed probe counts. /readyz is anonymous and
// fails exactly while the peers are weakest (restarting, discovery not formed
// yet), so a failure is remembered too, briefly: for as long as /readyz's
// Retry-After asks callers to wait.
const notReadyFor = 2 * time.Second

// probeTimeout bounds one endorsement probe, so /readyz answers promptly.
const probeTimeout = 5 * time.Second

var errNotConnected = errors.New("the connection to the org's peer is not ready")

// SetLog makes the pool log changes of its orgs' readiness, with the reason
// an org is not ready. Call it before serving.
func (p *Pool) SetLog(l *slog.Logger) { p.ready.log = l }

// Ready reports, per served org, whether a write of that org can be
// endorsed now: its peer connection is usable (a connection that is not is
// asked to connect and given wait to get there) and its peer's gateway gets
// a proposal endorsed by peers that satisfy the chaincode's endorsement
// policy, which after a restart takes a few seconds longer than the peer
// takes to answer. Orgs are checked concurrently.
func (p *Pool) Ready(ctx context.Context, wait time.Duration) map[string]bool {
	out := make(map[string]bool, len(p.orgs))
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, org := range p.orgs {
		wg.Go(func() {
			ok := p.ready.check(ctx, org, p.connected(ctx, org, wait))
			mu.Lock()
			out[org] = ok
			mu.Unlock()
		})
	}
	wg.Wait()
	return out
}

// connected reports whether org's peer connection is ready, waiting up to
// wait for it to get there.
func (p *Pool) connected(ctx context.Context, org string, wait time.Duration) bool {
	conn := p.conns[org]
	st := conn.GetState()
	if st != connectivity.Ready {
		conn.Connect()
		wctx, cancel := context.WithTimeout(ctx, wait)
		for st != connectivity.Ready && conn.WaitForStateChange(wctx, st) {
			st = conn.GetState()
		}
		cancel()
	}
	return st == connectivity.Ready
}

// probe gets a harmless proposal endorsed through org's peer as a write of
// org would be (fabclient.ProbeEndorsement), signed by one of org's role
// users: never the org admin.
func (p *Pool) probe(ctx context.Context, org string) error {
	o, err := p.file.Org(org)
	if err != nil {
		return err
	}
	roles := slices.Sorted(maps.Keys(o.Users))
	i := slices.IndexFunc(roles, func(r string) bool { return auth.RoleOf(org, r) })
	if i < 0 {
		return fmt.Errorf("org %s has no role user in the connection file to probe with", org)
	}
	gw, err := p.Gateway(org, roles[i])
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	return fabclient.ProbeEndorsement(ctx, gw.GetNetwork(p.file.Channel).GetContract(p.file.Chaincode))
}

// readiness remembers each org's last probe answer for a while, and runs
// at most one probe per org at a time: callers that find no fresh answer
// share the probe in flight, so concurrent /readyz calls cost the peers one
// endorsement per org and window, not one each.
type readiness struct {
	probe   func(ctx context.Context, org string) error
	ttl     time.Duration // how long a success counts
	failTTL time.Duration // how long a failure counts
	now     func() time.Time
	log     *slog.Logger

	flight singleflight.Group

	mu     sync.Mutex
	answer map[string]answer
	// last is the last answer per org ("" ready), so that only changes are logged.
	last map[string]string
}

// answer is an org's last probe result and until when it counts.
type answer struct {
	ok    bool
	until time.Time
}

func newReadiness(probe func(context.Context, string) error, ttl time.Duration, log *slog.Logger) *readiness {
	return &readiness{probe: probe, ttl: ttl, failTTL: notReadyFor, now: time.Now, log: log,
		answer: map[string]answer{}, last: map[string]string{}}
}

// check answers whether org is ready: never while its peer is not
// connected, else from a probe answer that still counts (a success for ttl,
// a failure for failTTL), else from a probe, shared with every concurrent
// caller. A caller whose ctx ends stops waiting, but not the probe, which
// the others may be waiting for and which probeTimeout bounds.
func (r *readiness) check(ctx context.Context, org string, connected bool) bool {
	if !connected {
		r.mu.Lock()
		defer r.mu.Unlock()
		// The peer may come back without the endorsement working yet: the
		// probe decides then, not an answer from before the drop.
		delete(r.answer, org)
		r.changed(org, fabclient.Describe(errNotConnected))
		return false
	}
	if ok, fresh := r.cached(org); fresh {
		return ok
	}
	ch := r.flight.DoChan(org, func() (any, error) {
		// A probe that ended just before this one started has answered already.
		if ok, fresh := r.cached(org); fresh {
			return ok, nil
		}
		return r.record(org, r.probe(context.WithoutCancel(ctx), org)), nil
	})
	select {
	case res := <-ch:
		return res.Val.(bool)
	case <-ctx.Done():
		return false
	}
}

// cached returns org's last answer and whether it still counts.
func (r *readiness) cached(org string) (ok, fresh bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	a, seen := r.answer[org]
	return a.ok, seen && r.now().Before(a.until)
}

// record remembers org's probe result and returns whether it is ready.
func (r *readiness) record(org string, err error) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err != nil {
		r.answer[org] = answer{ok: false, until: r.now().Add(r.failTTL)}
		r.changed(org, fabclient.Describe(err))
		return false
	}
	r.answer[org] = answer{ok: true, until: r.now().Add(r.ttl)}
	r.changed(org, "")
	return true
}

// changed logs org's new answer when it differs from the last one; r.mu is held.
func (r *readiness) changed(org, reason string) {
	last, seen := r.last[org]
	if seen && last == reason {
		return
	}
	r.last[org] = reason
	if reason == "" {
		r.log.Info("org ready: writes can be endorsed", "org", org)
		return
	}
	r.log.Warn("org not ready: a write cannot be endorsed", "org", org, "reason", reason)
}
