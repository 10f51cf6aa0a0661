package api

import (
	"encoding/json"
	"net/http"

	payment "github.com/autoledger/autoledger/chaincode/payment/paymenttypes"
	"github.com/autoledger/autoledger/gateway/fabric"
	"github.com/gin-gonic/gin"
)

// bodyWrite handles a POST whose JSON body of type T is the only argument.
func bodyWrite[T interface{ Validate() error }](s *Server, function string, location func(T) string) gin.HandlerFunc {
	return func(c *gin.Context) {
		var req T
		body, ok := decode(c, &req)
		if !ok || !check(c, req) {
			return
		}
		arg, _ := json.Marshal(req)
		loc := ""
		if location != nil {
			loc = location(req)
		}
		s.submit(c, body, fabric.Request{Function: function, Args: []string{string(arg)}, SuccessStatus: http.StatusCreated, Location: loc})
	}
}

func orderID(c *gin.Context) (string, bool) { return pathCode(c, "id") }

// orderStep handles a body-less POST on an order (acceptance, deadlines, ...).
func (s *Server) orderStep(function string) gin.HandlerFunc {
	return func(c *gin.Context) {
		if id, ok := orderID(c); ok {
			s.submit(c, nil, fabric.Request{Function: function, Args: []string{id}, SuccessStatus: http.StatusCreated})
		}
	}
}

// putAmount records an order's amount in the buyer-seller collection,
// endorsed by those two orgs only.
func (s *Server) putAmount(c *gin.Context) {
	id, ok := orderID(c)
	if !ok {
		return
	}
	var a payment.Amount
	body, ok := decode(c, &a)
	if !ok || !check(c, a) {
		return
	}
	out, err := s.Ledger.Evaluate(c.Request.Context(), principal(c), "payment:GetOrder", id)
	if err != nil {
		fail(c, err)
		return
	}
	var o payment.Order
	if err := json.Unmarshal(out, &o); err != nil {
		fail(c, err)
		return
	}
	raw, _ := json.Marshal(a)
	s.submit(c, body, fabric.Request{Function: "payment:PutOrderAmount", Args: []string{id},
		Transient: map[string][]byte{payment.AmountTransientKey: raw}, Endorsers: []string{o.Buyer, o.Seller}, SuccessStatus: http.StatusCreated})
}

// shareAction handles the POSTs on one share of a receivable.
func shareAction[T interface{ Validate() error }](s *Server, function string) gin.HandlerFunc {
	return func(c *gin.Context) {
		id, ok := pathCode(c, "id")
		if !ok {
			return
		}
		var req T
		body, ok := decode(c, &req)
		if !ok || !check(c, req) {
			return
		}
		share := c.Query("share")
		if share == "" {
			share = "1"
		}
		arg, _ := json.Marshal(req)
		s.submit(c, body, fabric.Request{Function: function, Args: []string{id, share, string(arg)}, SuccessStatus: http.StatusCreated})
	}
}

func (s *Server) paymentQuery(function string) gin.HandlerFunc {
	return func(c *gin.Context) {
		if id, ok := pathCode(c, "id"); ok {
			s.evaluate(c, function, id)
		}
	}
}

func (s *Server) paymentRoutes(v1 *gin.RouterGroup) {
	v1.POST("/parties", bodyWrite[payment.PartyRequest](s, "payment:RegisterParty", nil))
	v1.POST("/calendar", bodyWrite[payment.CalendarRequest](s, "payment:SetCalendar", nil))
	v1.POST("/orders", bodyWrite[payment.OrderRequest](s, "payment:CreateOrder", func(r payment.OrderRequest) string { return "/v1/orders/" + r.OrderID }))
	v1.GET("/orders/:id", s.paymentQuery("payment:GetOrder"))
	v1.POST("/orders/:id/amount", s.putAmount)
	v1.POST("/orders/:id/shipments", keyedWrite[payment.DeliveryRequest](s, "payment:Ship", orderID))
	v1.POST("/orders/:id/acceptance", s.orderStep("payment:Accept"))
	v1.POST("/orders/:id/rejection", keyedWrite[payment.OrderNote](s, "payment:Reject", orderID))
	v1.POST("/orders/:id/deadlines", s.orderStep("payment:ApplyDeadlines"))
	v1.POST("/orders/:id/payments", keyedWrite[payment.PaymentRequest](s, "payment:RecordPayment", orderID))
	v1.POST("/orders/:id/receipt-confirmations", s.orderStep("payment:ConfirmReceipt"))
	v1.POST("/orders/:id/disputes", keyedWrite[payment.OrderNote](s, "payment:Dispute", orderID))
	v1.POST("/orders/:id/dispute-resolutions", keyedWrite[payment.OrderNote](s, "payment:ResolveDispute", orderID))
	v1.POST("/orders/:id/receivables", s.orderStep("payment:IssueReceivable"))
	v1.GET("/receivables/:id", s.paymentQuery("payment:GetReceivable"))
	v1.GET("/parties/:id/positions", s.paymentQuery("payment:Positions"))
	v1.POST("/receivables/:id/splits", shareAction[payment.ShareSplitRequest](s, "payment:Split"))
	v1.POST("/receivables/:id/transfers", shareAction[payment.ShareTransferRequest](s, "payment:Transfer"))
}
