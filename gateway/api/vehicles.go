package api

import (
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

// TransferBody is the REST body of an ownership transfer: the public facts
// plus the new owner's opaque reference and the client's random salt,
// which travel as transient data. The gateway makes no salt of its own:
// the client chooses it, so only the client and the owners collection's
// members ever know it.
type TransferBody struct {
	vehicle.TransferRequest
	vehicle.NewOwner
}

func (b TransferBody) public() vehicle.TransferRequest { return b.TransferRequest }

// Validate checks the public part, the owner reference and the salt.
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
	b, raw, ok := readBody[TransferBody](c)
	if !ok {
		return
	}
	s.submit(c, raw, fabric.Request{Function: "vehicle:TransferOwnership", Args: []string{v, jsonArg(b.public())},
		Transient: map[string][]byte{vehicle.OwnerTransientKey: []byte(jsonArg(b.NewOwner))}, Endorsers: ownersEndorsers,
		SuccessStatus: http.StatusCreated})
}

func (s *Server) vehicleRoutes(v1 *gin.RouterGroup) {
	v1.POST("/vehicles", bodyWrite[vehicle.RegisterRequest](s, "vehicle:Register", func(r vehicle.RegisterRequest) string { return "/v1/vehicles/" + r.VIN }))
	v1.GET("/vehicles/:vin", s.query("vehicle:Get", pathVIN))
	v1.POST("/vehicles/:vin/ownership-transfers", s.transferOwnership)
	v1.POST("/vehicles/:vin/odometer-readings", keyedWrite[vehicle.OdometerRequest](s, "vehicle:RecordOdometer", pathVIN))
	v1.POST("/vehicles/:vin/cluster-replacements", keyedWrite[vehicle.ClusterRequest](s, "vehicle:ReplaceCluster", pathVIN))
	v1.POST("/vehicles/:vin/service-records", keyedWrite[vehicle.ServiceRequest](s, "vehicle:RecordService", pathVIN))
	v1.POST("/vehicles/:vin/battery-reports", keyedWrite[vehicle.BatteryRequest](s, "vehicle:RecordBatteryReport", pathVIN))
	v1.POST("/vehicles/:vin/incidents", keyedWrite[vehicle.IncidentRequest](s, "vehicle:RecordIncident", pathVIN))
	v1.POST("/vehicles/:vin/title-brands", keyedWrite[vehicle.BrandRequest](s, "vehicle:BrandTitle", pathVIN))
	v1.GET("/vehicles/:vin/history", s.history)
	v1.GET("/vehicles/:vin/report", s.query("vehicle:Report", pathVIN))
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
