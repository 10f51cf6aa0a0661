package api

import (
	"net/http"
	"strconv"

	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/autoledger/autoledger/chaincode/rules"
	vehicle "github.com/autoledger/autoledger/chaincode/vehicle/vehicletypes"
	"github.com/autoledger/autoledger/gateway/portal"
	"github.com/gin-gonic/gin"
)

// The owner portal: the page and its files at /portal (package portal),
// and what the page shows of a car besides its ownerships and grants, under
// the owner group (no credential, limited per address, read as the relay):
// the history report and the two charts drawn from it.

func init() { routeHooks = append(routeHooks, portalRoutes) }

func portalRoutes(s *Server, e *gin.Engine, owner *gin.RouterGroup) {
	e.GET(portal.Path, func(c *gin.Context) { portal.Serve(c.Writer, c.Request, "") })
	e.GET(portal.Path+"/:file", func(c *gin.Context) { portal.Serve(c.Writer, c.Request, c.Param("file")) })
	owner.GET("/vehicles/:vin/report", s.query("vehicle:Report", pathVIN))
	owner.GET("/vehicles/:vin/odometer.svg", s.odometerChart)
	owner.GET("/vehicles/:vin/battery.svg", s.batteryChart)
}

// odometerChart draws the report's odometer timeline, rollbacks marked.
func (s *Server) odometerChart(c *gin.Context) {
	vin, ok := pathVIN(c)
	if !ok {
		return
	}
	var r vehicle.Report
	if s.evaluateInto(c, &r, "vehicle:Report", vin) {
		writeSVG(c, portal.OdometerSVG(r.Odometer.Timeline))
	}
}

// maxChartPages bounds the history pages a battery chart reads for an
// anonymous caller; each page after the first also costs a token of the
// caller's per-address owner limit (chargeOwner), the first being the
// request's own.
const maxChartPages = 10

// batteryChart draws every battery report in the car's history. The report
// keeps only the latest, so the chart pages through the life events.
func (s *Server) batteryChart(c *gin.Context) {
	vin, ok := pathVIN(c)
	if !ok {
		return
	}
	var reports []vehicle.BatteryReport
	bookmark := ""
	for page := 0; ; page++ {
		if page == maxChartPages {
			fail(c, ccerr.New(ccerr.FailedPrecondition, "vehicle %s has more than %d life events; the chart covers at most that many",
				vin, maxChartPages*rules.MaxPageSize))
			return
		}
		if page > 0 && !s.chargeOwner(c) {
			return
		}
		var p vehicle.HistoryPage
		if !s.evaluateInto(c, &p, "vehicle:History", vin, strconv.Itoa(rules.MaxPageSize), bookmark) {
			return
		}
		for _, e := range p.Events {
			if e.Battery != nil {
				reports = append(reports, *e.Battery)
			}
		}
		if len(p.Events) < rules.MaxPageSize || p.Bookmark == "" || p.Bookmark == bookmark {
			break
		}
		bookmark = p.Bookmark
	}
	writeSVG(c, portal.BatterySVG(reports))
}

func writeSVG(c *gin.Context, svg []byte) {
	portal.SetImageHeaders(c.Writer.Header())
	c.Data(http.StatusOK, portal.SVGContentType, svg)
}
