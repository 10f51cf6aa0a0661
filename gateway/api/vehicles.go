package api

import (
	"strconv"

	"github.com/autoledger/autoledger/chaincode/rules"
	vehicle "github.com/autoledger/autoledger/chaincode/vehicle/vehicletypes"
	"github.com/gin-gonic/gin"
)

func (s *Server) vehicleRoutes(v1 *gin.RouterGroup) {
	v1.POST("/vehicles", bodyWrite[vehicle.RegisterRequest](s, "vehicle:Register", func(r vehicle.RegisterRequest) string { return "/v1/vehicles/" + r.VIN }))
	v1.GET("/vehicles/:vin", s.query("vehicle:Get", pathVIN))
	v1.POST("/vehicles/:vin/sales", s.dealerSale)
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
