package api

import (
	"errors"
	"net/http"
	"strings"

	"github.com/autoledger/autoledger/chaincode/access"
	"github.com/autoledger/autoledger/gateway/auth"
	"github.com/autoledger/autoledger/gateway/report"
	"github.com/autoledger/autoledger/gateway/verify"
	"github.com/gin-gonic/gin"
)

// Share links (package report): a car's history report page at
// /r/{token}, its bundle at /r/{token}/bundle and the channel's root
// certificates at /roots.json. Like the owner endpoints they take no
// credential, share the owner endpoints' per-address limit and read the
// ledger as the gateway's owner-services relay.

func init() { routeHooks = append(routeHooks, reportRoutes) }

// CodeReportUnavailable answers a share link at a gateway that cannot
// endorse or read blocks (a ledger that is not a Fabric pool).
const CodeReportUnavailable = "REPORT_UNAVAILABLE"

func reportRoutes(s *Server, e *gin.Engine, _ *gin.RouterGroup) {
	svc := s.reportService()
	e.GET(report.StaticPath+"/:file", func(c *gin.Context) { report.ServeStatic(c.Writer, c.Request, c.Param("file")) })
	gate := s.reportGate(svc)
	e.GET(report.Path+"/:token", gate, s.linkPage(svc))
	e.GET(report.Path+"/:token/bundle", gate, s.linkBundle(svc))
	e.GET("/roots.json", gate, s.roots(svc))
}

// reportService is the share links' service over the gateway's ledger: a
// fabric.Pool (which lends its gateways for endorsement and qscc), or a
// ledger that is a report.Network itself (tests). nil when it is neither.
func (s *Server) reportService() *report.Service {
	svc := &report.Service{Channel: s.Channel, Chaincode: verify.Chaincode}
	switch l := s.Ledger.(type) {
	case report.Network:
		svc.Net = l
	case report.Pool:
		svc.Net, svc.Chaincode = report.FabricNetwork{Pool: l}, l.Chaincode()
	default:
		return nil
	}
	return svc
}

// reportGate admits a share-link request as the owner endpoints' gate
// does: within the address's owner limit, read as the relay.
func (s *Server) reportGate(svc *report.Service) gin.HandlerFunc {
	return func(c *gin.Context) {
		report.SetHeaders(c.Writer.Header())
		if !s.chargeOwner(c) {
			return
		}
		org, ok := s.Owner.Relay(s.Ledger.Serves)
		if svc == nil || s.Channel == "" || !ok {
			writeProblem(c, problem(http.StatusServiceUnavailable, CodeReportUnavailable,
				"this gateway cannot serve share links (it holds no "+access.OwnerServices+" identity or does not know its channel); use another member's gateway"))
			return
		}
		c.Set(principalKey, auth.Principal{Client: ownerClient, Org: org, Role: access.OwnerServices})
		c.Next()
	}
}

// linkPage answers the report page of a live link, or a small HTML page
// saying why the link does not open (404 unknown, 410 ended).
func (s *Server) linkPage(svc *report.Service) gin.HandlerFunc {
	return func(c *gin.Context) {
		token := c.Param("token")
		link, err := svc.Link(c.Request.Context(), principal(c), token)
		if err == nil {
			var body []byte
			body, err = svc.Page(c.Request.Context(), principal(c), link, token, baseURL(c), func() error {
				if !s.chargeOwner(c) {
					return errCharged
				}
				return nil
			})
			if err == nil {
				c.Data(http.StatusOK, "text/html; charset=utf-8", body)
				return
			}
		}
		if errors.Is(err, errCharged) {
			return // chargeOwner answered 429
		}
		var le *report.LinkError
		status, detail := 0, ""
		if errors.As(err, &le) {
			status, detail = le.Status, le.Detail
		} else {
			p := problemOf(err)
			status, detail = p.Status, p.Detail
			if p.Status >= 500 {
				logger(c).Error("share link page failed", "status", p.Status, "code", p.Code, "err", err)
			}
		}
		c.Abort()
		c.Data(status, "text/html; charset=utf-8", report.ErrorPage(status, detail))
	}
}

// errCharged is a page's further read refused by the per-address limit,
// whose 429 is already written.
var errCharged = errors.New("over the per-address limit")

// linkBundle answers a live link's bundle for the caller's challenge.
// Each block asked for costs a further token of the caller's limit.
func (s *Server) linkBundle(svc *report.Service) gin.HandlerFunc {
	return func(c *gin.Context) {
		facts, err := report.ParseFacts(c.Query("facts"))
		if err != nil {
			fail(c, err)
			return
		}
		for range facts {
			if !s.chargeOwner(c) {
				return
			}
		}
		link, err := svc.Link(c.Request.Context(), principal(c), c.Param("token"))
		if err != nil {
			s.linkFail(c, err)
			return
		}
		b, err := svc.Bundle(c.Request.Context(), principal(c), link.VIN, c.Query("challenge"), facts)
		if err != nil {
			fail(c, err)
			return
		}
		c.Header("Content-Disposition", `attachment; filename="autoledger-report-`+link.VIN+`.json"`)
		c.JSON(http.StatusOK, b)
	}
}

// linkFail answers a link that does not open with its problem.
func (s *Server) linkFail(c *gin.Context, err error) {
	var le *report.LinkError
	if errors.As(err, &le) {
		writeProblem(c, problem(le.Status, le.Code, le.Detail))
		return
	}
	fail(c, err)
}

// roots answers the root certificates of the channel's MSPs, as its
// configuration holds them: a convenience copy, since a buyer who takes
// the roots from the gateway that also serves the bundle trusts that
// gateway (docs/api.md says where the consortium publishes them).
func (s *Server) roots(svc *report.Service) gin.HandlerFunc {
	return func(c *gin.Context) {
		cfg, err := svc.Config(c.Request.Context(), principal(c))
		if err != nil {
			fail(c, err)
			return
		}
		c.Header("Cache-Control", "no-cache")
		c.JSON(http.StatusOK, cfg.Roots())
	}
}

// baseURL is the gateway's address as the caller reached it, for the
// command lines the page shows.
func baseURL(c *gin.Context) string {
	scheme := "http"
	if c.Request.TLS != nil {
		scheme = "https"
	}
	host := c.Request.Host
	if strings.ContainsAny(host, "/\\ \"'<>") {
		host = "gateway.example"
	}
	return scheme + "://" + host
}
