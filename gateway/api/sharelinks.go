package api

import (
	"net/http"
	"time"

	"github.com/autoledger/autoledger/chaincode/owner/ownertypes"
	"github.com/autoledger/autoledger/chaincode/owner/statement"
	"github.com/autoledger/autoledger/chaincode/rules"
	"github.com/autoledger/autoledger/gateway/fabric"
	"github.com/autoledger/autoledger/gateway/report"
	"github.com/autoledger/autoledger/gateway/store"
	"github.com/gin-gonic/gin"
)

// Share links are made by the car's owner, whose device draws the link's
// token and signs a share-link statement naming only its hash (the gateway
// never sees an owner's token), or by a dealer holding the owner's grant
// of scope report, for whom the gateway draws the token and answers it
// once. Anyone holding the token opens the report at /r/{token}
// (report.go).

func init() {
	routeHooks = append(routeHooks, func(s *Server, _ *gin.Engine, owner *gin.RouterGroup) {
		owner.POST("/vehicles/:vin/share-links", s.ownerStatement("owner:CreateShareLink", statement.ShareLink, nil))
		owner.POST("/vehicles/:vin/share-links/revocations", s.ownerStatement("owner:RevokeShareLink", statement.UnshareLink, nil))
	})
	v1Hooks = append(v1Hooks, func(s *Server, v1 *gin.RouterGroup) {
		v1.POST("/vehicles/:vin/share-links", s.dealerShareLink)
	})
}

// DealerShareLinkBody is the REST body of a dealer's share link: the
// owner's grant that covers scope report, and the link's expiry (after
// now, at most 90 days ahead: the chaincode's max_link rule).
type DealerShareLinkBody struct {
	GrantID  string    `json:"grantId" validate:"sha256"`
	NotAfter time.Time `json:"notAfter" validate:"required"`
}

// Validate checks the grant ID's shape and that notAfter is in the
// future and within the links' longest lifetime, as the chaincode will at
// its transaction time.
func (b DealerShareLinkBody) Validate() error {
	var c rules.Checker
	c.Struct(b)
	c.Add(ownertypes.CheckLinkNotAfter("notAfter", b.NotAfter, time.Now()))
	return c.Err()
}

// DealerShareLink answers a dealer's share link: the transaction, and
// the link's token and address, in this answer only (the ledger holds the
// token's hash; the gateway keeps nothing).
type DealerShareLink struct {
	TxView
	// Token is the link's secret: whoever holds it reads the report.
	Token string `json:"token"`
	// Path is the link's path on this gateway (/r/{token}); URL the same
	// with the address the request reached the gateway at.
	Path string `json:"path"`
	URL  string `json:"url"`
	// Link is the token's hash, by which the ledger and owner:ShareLink
	// know the link.
	Link           string    `json:"link"`
	NotAfter       time.Time `json:"notAfter"`
	TokenShownOnce bool      `json:"tokenShownOnce"`
}

// dealerShareLink makes a link for a car's owner under their grant
// (owner:CreateShareLinkForOwner; the chaincode admits DealerMSP sales
// with a live grant covering report, CONSENT_REQUIRED otherwise). Neither
// Idempotency-Key nor Prefer applies: an answer replayed from a receipt
// could not show the token, which is kept nowhere.
func (s *Server) dealerShareLink(c *gin.Context) {
	vin, ok := pathVIN(c)
	if !ok {
		return
	}
	b, _, ok := readBody[DealerShareLinkBody](c)
	if !ok {
		return
	}
	token, err := ownertypes.NewShareLinkToken()
	if err != nil {
		fail(c, err)
		return
	}
	hash, err := ownertypes.ShareLinkHash(token)
	if err != nil {
		fail(c, err)
		return
	}
	notAfter := b.NotAfter.UTC()
	r, ok := s.commit(c, fabric.Request{Function: "owner:CreateShareLinkForOwner",
		Args: []string{vin, hash, notAfter.Format(time.RFC3339Nano), b.GrantID}, SuccessStatus: http.StatusCreated})
	if !ok {
		return
	}
	path := report.Path + "/" + token
	out := DealerShareLink{TxView: view(r), Token: token, Path: path, URL: baseURL(c) + path, Link: hash,
		NotAfter: notAfter, TokenShownOnce: true}
	if r.Status == store.Pending {
		// The link opens once the transaction commits; the answer still
		// carries the token, which nothing else will ever show again.
		c.Header("Location", "/v1/transactions/"+r.TxID)
	}
	s.writeTx(c, r, out)
}
