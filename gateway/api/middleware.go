package api

import (
	"container/list"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"math"
	"net/http"
	"net/netip"
	"regexp"
	"strconv"
	"sync"
	"time"

	"github.com/autoledger/autoledger/gateway/auth"
	"github.com/autoledger/autoledger/gateway/config"
	"github.com/autoledger/autoledger/gateway/metrics"
	"github.com/gin-gonic/gin"
	"golang.org/x/time/rate"
)

const (
	requestIDKey = "requestID"
	principalKey = "principal"
	loggerKey    = "logger"
)

var requestIDShape = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,128}$`)

// requestID echoes a sane X-Request-ID or makes one, and gives the request
// a logger that carries it.
func requestID(log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		id := c.GetHeader("X-Request-ID")
		if !requestIDShape.MatchString(id) {
			b := make([]byte, 12)
			_, _ = rand.Read(b)
			id = hex.EncodeToString(b)
		}
		c.Set(requestIDKey, id)
		c.Set(loggerKey, log.With("requestId", id))
		c.Header("X-Request-ID", id)
		c.Next()
	}
}

func logger(c *gin.Context) *slog.Logger {
	if l, ok := c.Get(loggerKey); ok {
		return l.(*slog.Logger)
	}
	return slog.Default()
}

// observe logs and measures every request by its route template.
func observe() gin.HandlerFunc {
	return func(c *gin.Context) {
		t0 := time.Now()
		c.Next()
		route := c.FullPath()
		if route == "" {
			route = "unmatched"
		}
		d := time.Since(t0)
		metrics.Requests.WithLabelValues(route, c.Request.Method, strconv.Itoa(c.Writer.Status())).Inc()
		metrics.Latency.WithLabelValues(route, c.Request.Method).Observe(d.Seconds())
		attrs := []any{"method", c.Request.Method, "route", route, "status", c.Writer.Status(), "durationMs", d.Milliseconds()}
		if p, ok := c.Get(principalKey); ok {
			pr := p.(auth.Principal)
			attrs = append(attrs, "client", pr.Client, "org", pr.Org)
		}
		logger(c).Info("request", attrs...)
	}
}

// limitBody caps request bodies; a larger one fails decoding with 413.
func limitBody(n int64) gin.HandlerFunc {
	return func(c *gin.Context) {
		if c.Request.Body != nil {
			c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, n)
		}
		c.Next()
	}
}

// authenticate requires a principal whose org this gateway serves. Failed
// authentications are counted per remote address (the connection's, not a
// forwarded header a client could forge); past the limit a failure answers
// 429 instead of 401. Only failures count: a valid credential from the same
// address is never slowed by someone else's bad key.
func authenticate(a *auth.Authenticator, serves func(string) bool, fails *failureLimit) gin.HandlerFunc {
	return func(c *gin.Context) {
		p, err := a.Authenticate(c.Request)
		if err != nil {
			if wait, over := fails.fail(c.RemoteIP(), time.Now()); over {
				tooMany(c, wait, "too many failed authentications from this address")
				return
			}
			c.Header("WWW-Authenticate", `Bearer realm="autoledger"`)
			fail(c, err)
			return
		}
		if !serves(p.Org) {
			writeProblem(c, problem(http.StatusForbidden, CodeOrgNotServed, "this gateway does not hold identities of "+p.Org))
			return
		}
		c.Set(principalKey, p)
		c.Next()
	}
}

// tooMany answers 429 with the whole seconds to wait.
func tooMany(c *gin.Context, wait time.Duration, detail string) {
	c.Header("Retry-After", strconv.Itoa(max(1, int(math.Ceil(wait.Seconds())))))
	writeProblem(c, problem(http.StatusTooManyRequests, CodeRateLimited, detail))
}

// failureLimit is a token bucket per remote address that only failures
// draw from. It remembers at most max addresses, in the order of their
// last failure, so memory is bounded and a request does O(1) work under
// the lock: a new address takes the place of the least recent one when
// that one's bucket has refilled (it is forgiven anyway); otherwise every
// address is still being limited and the newcomer shares one overflow
// bucket with the other newcomers, which a flood from many addresses
// drains at once.
type failureLimit struct {
	mu       sync.Mutex
	perSec   rate.Limit
	burst    int
	max      int
	buckets  map[string]*list.Element // of *failureBucket
	order    *list.List               // most recent failure first
	overflow *rate.Limiter
}

type failureBucket struct {
	key string
	l   *rate.Limiter
}

// maxTracked bounds the addresses a limiter remembers.
const maxTracked = 10000

func newFailureLimit(l config.Limits) *failureLimit {
	return newFailureLimitOf(l, maxTracked)
}

func newFailureLimitOf(l config.Limits, capacity int) *failureLimit {
	return newAddressLimit(l.AuthFailuresPerMinute, l.AuthFailureBurst, capacity)
}

// newAddressLimit is a failureLimit for any event counted per address:
// each call of fail draws a token. The owner endpoints, which take no
// credential to limit by, draw one per request.
func newAddressLimit(perMinute float64, burst, capacity int) *failureLimit {
	perSec := rate.Limit(perMinute / 60)
	return &failureLimit{perSec: perSec, burst: burst, max: capacity,
		buckets: map[string]*list.Element{}, order: list.New(), overflow: rate.NewLimiter(perSec, burst)}
}

// addressKey is the unit limited: an IPv4 address, or an IPv6 /64 (what
// one site or host is usually given, so rotating within it gains nothing).
func addressKey(addr string) string {
	a, err := netip.ParseAddr(addr)
	if err != nil {
		return addr
	}
	a = a.Unmap()
	if a.Is6() {
		return netip.PrefixFrom(a, 64).Masked().String()
	}
	return a.String()
}

// fail records a failure from addr and reports whether addr is over the
// limit, with how long until its next failure would be allowed.
func (f *failureLimit) fail(addr string, now time.Time) (time.Duration, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	l := f.bucket(addressKey(addr), now)
	if l.AllowN(now, 1) {
		return 0, false
	}
	r := l.ReserveN(now, 1)
	defer r.CancelAt(now)
	return r.DelayFrom(now), true
}

// bucket returns key's bucket; f.mu is held.
func (f *failureLimit) bucket(key string, now time.Time) *rate.Limiter {
	if e, ok := f.buckets[key]; ok {
		f.order.MoveToFront(e)
		return e.Value.(*failureBucket).l
	}
	if f.order.Len() >= f.max {
		oldest := f.order.Back()
		b := oldest.Value.(*failureBucket)
		if b.l.TokensAt(now) < float64(f.burst) {
			return f.overflow
		}
		f.order.Remove(oldest)
		delete(f.buckets, b.key)
	}
	b := &failureBucket{key: key, l: rate.NewLimiter(f.perSec, f.burst)}
	f.buckets[key] = f.order.PushFront(b)
	return b.l
}

func principal(c *gin.Context) auth.Principal { return c.MustGet(principalKey).(auth.Principal) }

// rateLimit gives each caller (issuer, subject) its own token bucket. A
// bucket that has refilled is the same as a new one, so such idle buckets
// are dropped once a minute; the map never holds more than max callers
// (maxTracked when 0): a newcomer beyond that, while every caller kept is
// still being limited, shares one overflow bucket with the other
// newcomers, as in failureLimit.
type rateLimit struct {
	mu        sync.Mutex
	perSec    rate.Limit
	burst     int
	max       int
	clients   map[string]*rate.Limiter
	overflow  *rate.Limiter
	lastSweep time.Time
}

// rateSweepEvery is how often idle buckets are dropped.
const rateSweepEvery = time.Minute

func (rl *rateLimit) handler() gin.HandlerFunc {
	return func(c *gin.Context) {
		now := time.Now()
		if !rl.limiter(principal(c).Caller(), now).AllowN(now, 1) {
			c.Header("Retry-After", "1")
			writeProblem(c, problem(http.StatusTooManyRequests, CodeRateLimited, "rate limit of this client exceeded"))
			return
		}
		c.Next()
	}
}

// limiter returns caller's bucket, dropping idle ones when due.
func (rl *rateLimit) limiter(caller string, now time.Time) *rate.Limiter {
	rl.mu.Lock()
	defer rl.mu.Unlock()
	if rl.clients == nil {
		rl.clients = map[string]*rate.Limiter{}
	}
	if l, ok := rl.clients[caller]; ok {
		return l
	}
	limit := rl.max
	if limit <= 0 {
		limit = maxTracked
	}
	if now.Sub(rl.lastSweep) >= rateSweepEvery || len(rl.clients) >= limit {
		rl.sweep(now)
	}
	if len(rl.clients) >= limit {
		if rl.overflow == nil {
			rl.overflow = rate.NewLimiter(rl.perSec, rl.burst)
		}
		return rl.overflow
	}
	l := rate.NewLimiter(rl.perSec, rl.burst)
	rl.clients[caller] = l
	return l
}

// sweep drops the buckets that have refilled; rl.mu is held.
func (rl *rateLimit) sweep(now time.Time) {
	rl.lastSweep = now
	for k, l := range rl.clients {
		if l.TokensAt(now) >= float64(rl.burst) {
			delete(rl.clients, k)
		}
	}
}

// streamCap bounds the concurrent event streams of each caller.
type streamCap struct {
	mu   sync.Mutex
	max  int
	open map[string]int
}

func newStreamCap(n int) *streamCap { return &streamCap{max: n, open: map[string]int{}} }

// handler admits a stream while the caller has fewer than max open, and
// counts it until the handler returns.
func (sc *streamCap) handler() gin.HandlerFunc {
	return func(c *gin.Context) {
		caller := principal(c).Caller()
		sc.mu.Lock()
		if sc.open[caller] >= sc.max {
			sc.mu.Unlock()
			tooMany(c, streamRetryAfter, "this client already has "+strconv.Itoa(sc.max)+" event streams open")
			return
		}
		sc.open[caller]++
		sc.mu.Unlock()
		defer func() {
			sc.mu.Lock()
			defer sc.mu.Unlock()
			if sc.open[caller]--; sc.open[caller] == 0 {
				delete(sc.open, caller)
			}
		}()
		c.Next()
	}
}

// streamRetryAfter is a guess: a stream ends when its client leaves.
const streamRetryAfter = 5 * time.Second
