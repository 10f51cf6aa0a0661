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
	"google.golang.org/grpc/connectivity"
)

// readyFor is how long a successful endorsement probe counts: readiness
// checks come often, an endorsement costs one chaincode call per endorsing
// peer. A dropped peer connection is noticed at once all the same, since the
// connection is checked on every call.
const readyFor = 10 * time.Second

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

// readiness remembers, per org, until when its last successful probe counts.
type readiness struct {
	probe func(ctx context.Context, org string) error
	ttl   time.Duration
	now   func() time.Time
	log   *slog.Logger

	mu      sync.Mutex
	okUntil map[string]time.Time
	// last is the last answer per org ("" ready), so that only changes are logged.
	last map[string]string
}

func newReadiness(probe func(context.Context, string) error, ttl time.Duration, log *slog.Logger) *readiness {
	return &readiness{probe: probe, ttl: ttl, now: time.Now, log: log,
		okUntil: map[string]time.Time{}, last: map[string]string{}}
}

// check answers whether org is ready: never while its peer is not
// connected, from a successful probe younger than ttl, or else from a new
// probe. A failure is never remembered: the next check probes again.
func (r *readiness) check(ctx context.Context, org string, connected bool) bool {
	err := errNotConnected
	if connected {
		r.mu.Lock()
		fresh := r.now().Before(r.okUntil[org])
		r.mu.Unlock()
		if fresh {
			return true
		}
		err = r.probe(ctx, org)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if err != nil {
		delete(r.okUntil, org)
		r.changed(org, fabclient.Describe(err))
		return false
	}
	r.okUntil[org] = r.now().Add(r.ttl)
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
