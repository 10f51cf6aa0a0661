package api

import (
	"net/http"

	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/autoledger/autoledger/chaincode/collections"
	payment "github.com/autoledger/autoledger/chaincode/payment/paymenttypes"
	"github.com/autoledger/autoledger/gateway/fabric"
	"github.com/gin-gonic/gin"
)

// pairOf reads order id and names the orgs whose peers hold its amount
// (its buyer and seller). An order with a non-member has no pair
// collection: that is the answer (409 FAILED_PRECONDITION, as the chaincode
// would give), at once, before any endorser is looked for, since a
// non-member has no peer to endorse.
func (s *Server) pairOf(c *gin.Context, id string) (endorsers []string, ok bool) {
	var o payment.Order
	if !s.evaluateInto(c, &o, "payment:GetOrder", id) {
		return nil, false
	}
	if _, has := collections.ForPair(o.Buyer, o.Seller); !has {
		fail(c, ccerr.New(ccerr.FailedPrecondition, "no private collection for %s and %s: the amount of an order with a non-member stays off chain", o.Buyer, o.Seller))
		return nil, false
	}
	return []string{o.Buyer, o.Seller}, true
}

// amountWrite submits function(id) with the body's Amount as transient
// data, endorsed by the order's buyer and seller only: a write to their
// collection and nothing else.
func (s *Server) amountWrite(function string) gin.HandlerFunc {
	return func(c *gin.Context) {
		id, ok := pathID(c)
		if !ok {
			return
		}
		a, raw, ok := readBody[payment.Amount](c)
		if !ok {
			return
		}
		endorsers, ok := s.pairOf(c, id)
		if !ok {
			return
		}
		s.submit(c, raw, fabric.Request{Function: function, Args: []string{id},
			Transient: map[string][]byte{payment.AmountTransientKey: []byte(jsonArg(a))}, Endorsers: endorsers, SuccessStatus: http.StatusCreated})
	}
}

// acceptAmendment submits the other side's acceptance of an amendment,
// endorsed by the pair.
func (s *Server) acceptAmendment(c *gin.Context) {
	keys, ok := readKeys(c, []keyFunc{pathID, func(c *gin.Context) (string, bool) { return pathCode(c, "proposal") }})
	if !ok {
		return
	}
	endorsers, ok := s.pairOf(c, keys[0])
	if !ok {
		return
	}
	s.submit(c, nil, fabric.Request{Function: "payment:AcceptAmountAmendment", Args: keys,
		Endorsers: endorsers, SuccessStatus: http.StatusCreated})
}

// shareKey reads the ?share= query parameter: the share of the receivable
// acted on, "1" (the whole first share) when absent.
func shareKey(c *gin.Context) (string, bool) {
	if share := c.Query("share"); share != "" {
		return share, true
	}
	return "1", true
}

func (s *Server) paymentRoutes(v1 *gin.RouterGroup) {
	v1.POST("/parties", bodyWrite[payment.PartyRequest](s, "payment:RegisterParty", nil))
	v1.GET("/parties/:id", s.query("payment:GetParty", pathID))
	v1.POST("/parties/:id/updates", keyedWrite[payment.PartyUpdate](s, "payment:UpdateParty", pathID))
	v1.POST("/orders", bodyWrite[payment.OrderRequest](s, "payment:CreateOrder", func(r payment.OrderRequest) string { return "/v1/orders/" + r.OrderID }))
	v1.GET("/orders/:id", s.query("payment:GetOrder", pathID))
	v1.POST("/orders/:id/amount", s.amountWrite("payment:PutOrderAmount"))
	v1.POST("/orders/:id/amount-amendments", s.amountWrite("payment:ProposeAmountAmendment"))
	v1.GET("/orders/:id/amount-amendments", s.query("payment:GetAmountAmendments", pathID))
	v1.POST("/orders/:id/amount-amendments/:proposal/acceptance", s.acceptAmendment)
	v1.POST("/orders/:id/shipments", keyedWrite[payment.DeliveryRequest](s, "payment:Ship", pathID))
	v1.POST("/orders/:id/acceptance", s.step("payment:Accept", pathID, http.StatusCreated))
	v1.POST("/orders/:id/rejection", keyedWrite[payment.OrderNote](s, "payment:Reject", pathID))
	v1.POST("/orders/:id/deadlines", s.step("payment:ApplyDeadlines", pathID, http.StatusCreated))
	v1.POST("/orders/:id/payments", keyedWrite[payment.PaymentRequest](s, "payment:RecordPayment", pathID))
	v1.POST("/orders/:id/receipt-confirmations", s.step("payment:ConfirmReceipt", pathID, http.StatusCreated))
	v1.POST("/orders/:id/disputes", keyedWrite[payment.OrderNote](s, "payment:Dispute", pathID))
	v1.POST("/orders/:id/dispute-resolutions", keyedWrite[payment.OrderNote](s, "payment:ResolveDispute", pathID))
	v1.POST("/orders/:id/receivables", s.step("payment:IssueReceivable", pathID, http.StatusCreated))
	v1.GET("/receivables/:id", s.query("payment:GetReceivable", pathID))
	v1.GET("/parties/:id/positions", s.query("payment:Positions", pathID))
	v1.POST("/receivables/:id/splits", bodyWrite[payment.ShareSplitRequest](s, "payment:Split", nil, pathID, shareKey))
	v1.POST("/receivables/:id/transfers", bodyWrite[payment.ShareTransferRequest](s, "payment:Transfer", nil, pathID, shareKey))
}
