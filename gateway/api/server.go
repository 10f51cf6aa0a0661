// Package api is the gateway's REST surface: thin gin handlers that decode
// and validate, call one service function, and map the result to JSON or
// to an RFC 9457 problem.
package api

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/autoledger/autoledger/gateway/auth"
	"github.com/autoledger/autoledger/gateway/config"
	"github.com/autoledger/autoledger/gateway/fabric"
	"github.com/autoledger/autoledger/gateway/metrics"
	"github.com/autoledger/autoledger/gateway/store"
	"github.com/autoledger/autoledger/gateway/webhook"
	"github.com/gin-gonic/gin"
	"github.com/hyperledger/fabric-gateway/pkg/client"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"golang.org/x/time/rate"
)

// Ledger is what the handlers need from Fabric (fabric.Pool in production).
type Ledger interface {
	Evaluate(ctx context.Context, pr auth.Principal, function string, args ...string) ([]byte, error)
	Serves(org string) bool
	Ready(ctx context.Context, wait time.Duration) map[string]bool
	Height(ctx context.Context, pr auth.Principal) (uint64, error)
	Events(ctx context.Context, pr auth.Principal, from fabric.Position) (<-chan *client.ChaincodeEvent, error)
}

// Submitter runs transactions (fabric.Submitter in production).
type Submitter interface {
	Submit(ctx context.Context, req fabric.Request) (store.Receipt, error)
	Wait(ctx context.Context, txID string) (store.Receipt, error)
}

// Deps are the server's collaborators.
type Deps struct {
	Log       *slog.Logger
	Auth      *auth.Authenticator
	Ledger    Ledger
	Submitter Submitter
	Store     *store.Store
	Limits    config.Limits
	SyncWait  time.Duration
	// Hub delivers webhooks; nil disables the subscription routes (503).
	Hub *webhook.Hub
	// MetricsElsewhere leaves GET /metrics out of Handler: the gateway
	// serves it on its own listener (config metricsListen).
	MetricsElsewhere bool
	// Owner configures the owner endpoints; zero fields take config's
	// defaults. Channel is the channel owner statements are made for.
	Owner   config.Owner
	Channel string
}

// Server holds the handlers.
type Server struct {
	Deps
	engine *gin.Engine
	// ownerLimit is the per-address limit of the owner routes (ownerGate).
	ownerLimit *failureLimit
}

// New builds the router.
func New(d Deps) *Server {
	gin.SetMode(gin.ReleaseMode)
	d.Owner = ownerDefaults(d.Owner)
	s := &Server{Deps: d, engine: gin.New()}
	e := s.engine
	e.HandleMethodNotAllowed = true
	e.Use(requestID(d.Log), observe(), limitHeaders, gin.CustomRecovery(func(c *gin.Context, err any) {
		logger(c).Error("panic", "err", err)
		writeProblem(c, problem(http.StatusInternalServerError, CodeInternal, "internal error"))
	}))
	e.NoRoute(func(c *gin.Context) {
		writeProblem(c, problem(http.StatusNotFound, CodeRouteNotFound, "no route "+c.Request.Method+" "+c.Request.URL.Path))
	})
	e.NoMethod(func(c *gin.Context) {
		writeProblem(c, problem(http.StatusMethodNotAllowed, CodeRouteNotFound, "method "+c.Request.Method+" not allowed here"))
	})

	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	if !d.MetricsElsewhere {
		e.GET("/metrics", gin.WrapH(MetricsHandler()))
	}
	e.GET("/openapi.json", s.openapi)

	rl := &rateLimit{perSec: rate.Limit(d.Limits.RatePerSec), burst: d.Limits.Burst, clients: map[string]*rate.Limiter{}}
	v1 := e.Group("/v1", limitBody(d.Limits.BodyBytes), authenticate(d.Auth, d.Ledger.Serves, newFailureLimit(d.Limits)), rl.handler())
	s.vehicleRoutes(v1)
	s.partRoutes(v1)
	s.paymentRoutes(v1)
	s.governanceRoutes(v1)
	s.consentRoutes(v1)
	v1.POST("/subscriptions", s.subscribe)
	v1.GET("/subscriptions", s.subscriptions)
	v1.DELETE("/subscriptions/:id", s.unsubscribe)
	v1.POST("/subscriptions/:id/secret", s.rotateSecret)
	v1.GET("/dead-letters", s.deadLetters)
	v1.POST("/dead-letters/:id/replay", s.replayDeadLetter)
	v1.GET("/transactions/:txId", s.transaction)
	v1.GET("/events", newStreamCap(d.Limits.EventStreams).handler(), s.events)
	for _, add := range v1Hooks {
		add(s, v1)
	}

	// The owner endpoints take no credential: their own group, limited per
	// address, relayed under the gateway's owner-services identity.
	owner := e.Group("/v1/owner", s.ownerGate())
	s.ownerRoutes(owner)
	for _, add := range routeHooks {
		add(s, e, owner)
	}
	return s
}

// routeHooks add the routes of other files of this package that need the
// engine or the owner group (the owner portal, portal.go, registers itself
// here from an init function), so that each file keeps its own routes.
var routeHooks []func(s *Server, e *gin.Engine, owner *gin.RouterGroup)

// v1Hooks add routes of other files to the authenticated /v1 group (the
// dealer's share links, sharelinks.go).
var v1Hooks []func(s *Server, v1 *gin.RouterGroup)

// MetricsHandler serves the gateway's Prometheus metrics.
func MetricsHandler() http.Handler {
	return promhttp.HandlerFor(metrics.Registry, promhttp.HandlerOpts{})
}

// Handler is the HTTP handler.
func (s *Server) Handler() http.Handler { return s.engine }

// Routes lists "METHOD /path" of every route, with {param} placeholders.
func (s *Server) Routes() []string {
	var out []string
	for _, r := range s.engine.Routes() {
		out = append(out, r.Method+" "+openAPIPath(r.Path))
	}
	return out
}

func (s *Server) healthz(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) }
