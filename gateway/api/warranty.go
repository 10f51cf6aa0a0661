package api

import (
	"net/http"

	"github.com/autoledger/autoledger/chaincode/benefit/benefittypes"
	"github.com/autoledger/autoledger/chaincode/rules"
	vehicle "github.com/autoledger/autoledger/chaincode/vehicle/vehicletypes"
	"github.com/autoledger/autoledger/gateway/fabric"
	"github.com/gin-gonic/gin"
)

// The statutory warranty (docs/benefits.md): the benefit contract computes
// every answer and decides every claim; these handlers only check the
// input with its rules and pass it on. Who may call what is the
// chaincode's (a wrong role is its FORBIDDEN, answered 403).

func init() {
	v1Hooks = append(v1Hooks, func(s *Server, v1 *gin.RouterGroup) {
		v1.GET("/vehicles/:vin/entitlements", s.query("benefit:Entitlements", pathVIN))
		v1.POST("/vehicles/:vin/delivery", s.recordDelivery)
		v1.POST("/vehicles/:vin/warranty-claims", keyedWrite[benefittypes.ClaimRequest](s, "benefit:RecordWarrantyClaim", pathVIN))
		v1.PUT("/warranty-terms/:manufacturer/:model", s.setWarrantyTerms)
	})
}

// DeliveryBody is the REST body of benefit:RecordDelivery, whose one
// argument after the VIN is the date: a calendar day in China.
type DeliveryBody struct {
	Date string `json:"date" validate:"required"`
}

// Validate reads the date as the chaincode does.
func (b DeliveryBody) Validate() error {
	_, err := benefittypes.ParseDate("date", b.Date)
	return err
}

func (s *Server) recordDelivery(c *gin.Context) {
	vin, ok := pathVIN(c)
	if !ok {
		return
	}
	b, raw, ok := readBody[DeliveryBody](c)
	if !ok {
		return
	}
	s.submit(c, raw, fabric.Request{Function: "benefit:RecordDelivery", Args: []string{vin, b.Date}, SuccessStatus: http.StatusCreated})
}

// setWarrantyTerms sets (or replaces) one model's terms: the resource is
// the manufacturer's model, named in the path, so a PUT; the body is the
// chaincode's ModelTerms, and the two make its TermsRequest.
func (s *Server) setWarrantyTerms(c *gin.Context) {
	terms, raw, ok := readBody[benefittypes.ModelTerms](c)
	if !ok {
		return
	}
	model := c.Param("model")
	req := benefittypes.TermsRequest{Manufacturer: c.Param("manufacturer"), Terms: terms}
	// The terms passed: what the request's rules still refuse is the
	// manufacturer; the model is checked as the contract checks it.
	var ch rules.Checker
	ch.Add(req.Validate())
	ch.Text("model", model, vehicle.MaxName)
	if !valid(c, ch.Err()) {
		return
	}
	s.submit(c, raw, fabric.Request{Function: "benefit:SetWarrantyTerms", Args: []string{model, jsonArg(req)}, SuccessStatus: http.StatusOK})
}
