package api

import (
	"net/http"

	payment "github.com/autoledger/autoledger/chaincode/payment/paymenttypes"
	"github.com/autoledger/autoledger/gateway/fabric"
	"github.com/gin-gonic/gin"
)

// putAmount records an order's amount in the buyer-seller collection,
// endorsed by those two orgs only.
func (s *Server) putAmount(c *gin.Context) {
	id, ok := pathID(c)
	if !ok {
		return
	}
	a, raw, ok := readBody[payment.Amount](c)
	if !ok {
		return
	}
	var o payment.Order
	if !s.evaluateInto(c, &o, "payment:GetOrder", id) {
		return
	}
	s.submit(c, raw, fabric.Request{Function: "payment:PutOrderAmount", Args: []string{id},
		Transient: map[string][]byte{payment.AmountTransientKey: []byte(jsonArg(a))}, Endorsers: []string{o.Buyer, o.Seller}, SuccessStatus: http.StatusCreated})
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
	v1.POST("/orders", bodyWrite[payment.OrderRequest](s, "payment:CreateOrder", func(r payment.OrderRequest) string { return "/v1/orders/" + r.OrderID }))
	v1.GET("/orders/:id", s.query("payment:GetOrder", pathID))
	v1.POST("/orders/:id/amount", s.putAmount)
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
