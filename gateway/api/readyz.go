package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
)

// readyz answers 200 only when every served org can get a write endorsed
// now (Ledger.Ready: its peer answers and the peer's discovery can satisfy
// the chaincode's endorsement policy), else 503 with Retry-After. The body
// names each org's answer; why an org is not ready goes to the log, not to
// anonymous callers. It is anonymous and not rate-limited, so its cost to the
// peers is bounded by Ledger.Ready instead: fabric.Pool runs at most one
// endorsement probe per org at a time, shared by concurrent callers, and
// remembers a success for 10 s and a failure for 2 s (the Retry-After).
func (s *Server) readyz(c *gin.Context) {
	orgs := s.Ledger.Ready(c.Request.Context(), 500*time.Millisecond)
	ready := len(orgs) > 0
	for _, ok := range orgs {
		ready = ready && ok
	}
	if !ready {
		c.Header("Retry-After", "2")
		c.JSON(http.StatusServiceUnavailable, gin.H{"status": "unavailable", "orgs": orgs})
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ready", "orgs": orgs})
}
