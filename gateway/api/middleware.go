package api

import (
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"regexp"
	"strconv"
	"sync"
	"time"

	"github.com/autoledger/autoledger/gateway/auth"
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

// authenticate requires a principal whose org this gateway serves.
func authenticate(a *auth.Authenticator, serves func(string) bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		p, err := a.Authenticate(c.Request)
		if err != nil {
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

func principal(c *gin.Context) auth.Principal { return c.MustGet(principalKey).(auth.Principal) }

// rateLimit gives each client its own token bucket.
type rateLimit struct {
	mu      sync.Mutex
	perSec  rate.Limit
	burst   int
	clients map[string]*rate.Limiter
}

func (rl *rateLimit) handler() gin.HandlerFunc {
	return func(c *gin.Context) {
		pr := principal(c)
		rl.mu.Lock()
		l, ok := rl.clients[pr.Client]
		if !ok {
			l = rate.NewLimiter(rl.perSec, rl.burst)
			rl.clients[pr.Client] = l
		}
		rl.mu.Unlock()
		if !l.Allow() {
			c.Header("Retry-After", "1")
			writeProblem(c, problem(http.StatusTooManyRequests, CodeRateLimited, "rate limit of this client exceeded"))
			return
		}
		c.Next()
	}
}
