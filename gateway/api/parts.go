package api

import (
	"net/http"

	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/autoledger/autoledger/chaincode/collections"
	part "github.com/autoledger/autoledger/chaincode/part/parttypes"
	"github.com/autoledger/autoledger/chaincode/rules"
	"github.com/autoledger/autoledger/gateway/fabric"
	"github.com/gin-gonic/gin"
)

// termsEndorsers are the members of the oemSupplier collection: terms go to
// these two orgs' peers only, and the pair alone endorses them.
var termsEndorsers = collections.MembersOf(collections.OemSupplier)

// pathCode reads and checks a path parameter (a serial, a recall or order
// ID) with the chaincode's one code rule.
func pathCode(c *gin.Context, name string) (string, bool) {
	v := c.Param(name)
	if err := rules.ValidateCode(name, v); err != nil {
		e, _ := ccerr.From(err)
		writeProblem(c, validationProblem(e.Fields))
		return "", false
	}
	return v, true
}

func pathSerial(c *gin.Context) (string, bool) { return pathCode(c, "serial") }

func pathID(c *gin.Context) (string, bool) { return pathCode(c, "id") }

// partBatch finds the part number and batch of a serial, which key its terms.
func (s *Server) partBatch(c *gin.Context) (part.Part, bool) {
	var p part.Part
	serial, ok := pathSerial(c)
	return p, ok && s.evaluateInto(c, &p, "part:Get", serial)
}

func (s *Server) putTerms(c *gin.Context) {
	if _, ok := pathSerial(c); !ok {
		return
	}
	t, raw, ok := readBody[part.Terms](c)
	if !ok {
		return
	}
	p, ok := s.partBatch(c)
	if !ok {
		return
	}
	s.submit(c, raw, fabric.Request{Function: "part:PutTerms", Args: []string{p.PartNumber, p.Batch},
		Transient: map[string][]byte{part.TermsTransientKey: []byte(jsonArg(t))}, Endorsers: termsEndorsers, SuccessStatus: http.StatusCreated})
}

func (s *Server) getTerms(c *gin.Context) {
	if p, ok := s.partBatch(c); ok {
		s.evaluate(c, "part:GetTerms", p.PartNumber, p.Batch)
	}
}

func (s *Server) partRoutes(v1 *gin.RouterGroup) {
	v1.POST("/parts", bodyWrite[part.RegisterPartsRequest](s, "part:RegisterParts", nil))
	v1.GET("/parts/:serial", s.query("part:Get", pathSerial))
	v1.GET("/parts/:serial/provenance", s.query("part:Provenance", pathSerial))
	v1.GET("/parts/:serial/verify", s.query("part:Verify", pathSerial))
	v1.POST("/parts/:serial/shipments", keyedWrite[part.ShipRequest](s, "part:Ship", pathSerial))
	v1.POST("/parts/:serial/receipts", keyedWrite[part.ReceiveRequest](s, "part:Receive", pathSerial))
	v1.POST("/parts/:serial/installations", keyedWrite[part.InstallRequest](s, "part:Install", pathSerial))
	v1.POST("/parts/:serial/removals", keyedWrite[part.RemoveRequest](s, "part:Remove", pathSerial))
	v1.POST("/parts/:serial/scrap", keyedWrite[part.ReasonRequest](s, "part:Scrap", pathSerial))
	v1.POST("/parts/:serial/terms", s.putTerms)
	v1.GET("/parts/:serial/terms", s.getTerms)
	v1.POST("/assemblies", bodyWrite[part.AssembleRequest](s, "part:Assemble", func(r part.AssembleRequest) string { return "/v1/parts/" + r.Serial }))
	v1.POST("/recalls", bodyWrite[part.RecallRequest](s, "part:IssueRecall", func(r part.RecallRequest) string { return "/v1/recalls/" + r.RecallID }))
	v1.GET("/recalls/:id", s.query("part:RecallStatus", pathID))
	v1.POST("/recalls/:id/applications", s.step("part:ApplyRecall", pathID, http.StatusOK))
}
