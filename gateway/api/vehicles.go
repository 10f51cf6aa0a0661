package api

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/autoledger/autoledger/chaincode/collections"
	"github.com/autoledger/autoledger/chaincode/rules"
	vehicle "github.com/autoledger/autoledger/chaincode/vehicle/vehicletypes"
	"github.com/autoledger/autoledger/gateway/fabric"
	"github.com/gin-gonic/gin"
)

// ownersEndorsers are the members of the owners collection: a transfer's
// transient owner reference must reach these orgs' peers and no other.
var ownersEndorsers = collections.MembersOf(collections.Owners)

func (s *Server) registerVehicle(c *gin.Context) {
	var req vehicle.RegisterRequest
	body, ok := decode(c, &req)
	if !ok || !check(c, req) {
		return
	}
	arg, _ := json.Marshal(req)
	s.submit(c, body, fabric.Request{Function: "vehicle:Register", Args: []string{string(arg)},
		SuccessStatus: http.StatusCreated, Location: "/v1/vehicles/" + req.VIN})
}

// TransferBody is the REST body of an ownership transfer: the public facts
// plus the new owner's opaque reference, which travels as transient data.
type TransferBody struct {
	vehicle.TransferRequest
	OwnerRef string `json:"ownerRef" validate:"ownerref"`
}

func (b TransferBody) public() vehicle.TransferRequest { return b.TransferRequest }

// Validate checks the public part and the owner reference.
func (b TransferBody) Validate() error {
	var c rules.Checker
	c.Struct(b)
	return c.Err()
}

func (s *Server) transferOwnership(c *gin.Context) {
	v, ok := pathVIN(c)
	if !ok {
		return
	}
	var b TransferBody
	body, ok := decode(c, &b)
	if !ok || !check(c, b) {
		return
	}
	arg, _ := json.Marshal(b.public())
	s.submit(c, body, fabric.Request{Function: "vehicle:TransferOwnership", Args: []string{v, string(arg)},
		Transient: map[string][]byte{vehicle.OwnerTransientKey: []byte(b.OwnerRef)}, Endorsers: ownersEndorsers,
		SuccessStatus: http.StatusCreated})
}

// keyedWrite handles a POST that acts on the resource named in the path (a
// VIN, a serial) with a JSON body of type T: decode, validate with the
// chaincode's rules, submit function(key, body).
func keyedWrite[T interface{ Validate() error }](s *Server, function string, key func(*gin.Context) (string, bool)) gin.HandlerFunc {
	return func(c *gin.Context) {
		k, ok := key(c)
		if !ok {
			return
		}
		var req T
		body, ok := decode(c, &req)
		if !ok || !check(c, req) {
			return
		}
		arg, _ := json.Marshal(req)
		s.submit(c, body, fabric.Request{Function: function, Args: []string{k, string(arg)}, SuccessStatus: http.StatusCreated})
	}
}

// appendEvent handles the POSTs that add one life event to a vehicle.
func appendEvent[T interface{ Validate() error }](s *Server, function string) gin.HandlerFunc {
	return keyedWrite[T](s, function, pathVIN)
}

func (s *Server) recordOdometer(c *gin.Context) {
	appendEvent[vehicle.OdometerRequest](s, "vehicle:RecordOdometer")(c)
}

func (s *Server) replaceCluster(c *gin.Context) {
	appendEvent[vehicle.ClusterRequest](s, "vehicle:ReplaceCluster")(c)
}

func (s *Server) recordService(c *gin.Context) {
	appendEvent[vehicle.ServiceRequest](s, "vehicle:RecordService")(c)
}

func (s *Server) recordBattery(c *gin.Context) {
	appendEvent[vehicle.BatteryRequest](s, "vehicle:RecordBatteryReport")(c)
}

func (s *Server) recordIncident(c *gin.Context) {
	appendEvent[vehicle.IncidentRequest](s, "vehicle:RecordIncident")(c)
}

func (s *Server) brandTitle(c *gin.Context) {
	appendEvent[vehicle.BrandRequest](s, "vehicle:BrandTitle")(c)
}

// evaluate answers a query with the chaincode's JSON as it is.
func (s *Server) evaluate(c *gin.Context, function string, args ...string) {
	out, err := s.Ledger.Evaluate(c.Request.Context(), principal(c), function, args...)
	if err != nil {
		fail(c, err)
		return
	}
	c.Data(http.StatusOK, "application/json", out)
}

func (s *Server) getVehicle(c *gin.Context) {
	if v, ok := pathVIN(c); ok {
		s.evaluate(c, "vehicle:Get", v)
	}
}

func (s *Server) report(c *gin.Context) {
	if v, ok := pathVIN(c); ok {
		s.evaluate(c, "vehicle:Report", v)
	}
}

type historyParams struct {
	VIN      string `json:"vin" validate:"vin"`
	PageSize int    `json:"pageSize" validate:"pagesize"`
	Bookmark string `json:"bookmark" validate:"max=1024"`
}

func (s *Server) history(c *gin.Context) {
	p := historyParams{VIN: c.Param("vin"), PageSize: rules.DefaultPageSize, Bookmark: c.Query("bookmark")}
	if q := c.Query("pageSize"); q != "" {
		n, err := strconv.Atoi(q)
		if err != nil {
			writeProblem(c, validationProblem(fieldErr("pageSize", "integer", "must be an integer")))
			return
		}
		p.PageSize = n
	}
	if params(c, &p) {
		s.evaluate(c, "vehicle:History", p.VIN, strconv.Itoa(p.PageSize), p.Bookmark)
	}
}
