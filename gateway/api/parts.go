package api

import (
	"encoding/json"
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

func (s *Server) registerParts(c *gin.Context) {
	var req part.RegisterPartsRequest
	body, ok := decode(c, &req)
	if !ok || !check(c, req) {
		return
	}
	arg, _ := json.Marshal(req)
	s.submit(c, body, fabric.Request{Function: "part:RegisterParts", Args: []string{string(arg)}, SuccessStatus: http.StatusCreated})
}

func (s *Server) assemble(c *gin.Context) {
	var req part.AssembleRequest
	body, ok := decode(c, &req)
	if !ok || !check(c, req) {
		return
	}
	arg, _ := json.Marshal(req)
	s.submit(c, body, fabric.Request{Function: "part:Assemble", Args: []string{string(arg)},
		SuccessStatus: http.StatusCreated, Location: "/v1/parts/" + req.Serial})
}

// partAction handles the POSTs that act on one serial.
func partAction[T interface{ Validate() error }](s *Server, function string) gin.HandlerFunc {
	return keyedWrite[T](s, function, func(c *gin.Context) (string, bool) { return pathCode(c, "serial") })
}

func (s *Server) partQuery(function string) gin.HandlerFunc {
	return func(c *gin.Context) {
		if serial, ok := pathCode(c, "serial"); ok {
			s.evaluate(c, function, serial)
		}
	}
}

// partBatch finds the part number and batch of a serial, which key its terms.
func (s *Server) partBatch(c *gin.Context, serial string) (part.Part, bool) {
	out, err := s.Ledger.Evaluate(c.Request.Context(), principal(c), "part:Get", serial)
	if err != nil {
		fail(c, err)
		return part.Part{}, false
	}
	var p part.Part
	if err := json.Unmarshal(out, &p); err != nil {
		fail(c, err)
		return p, false
	}
	return p, true
}

func (s *Server) putTerms(c *gin.Context) {
	serial, ok := pathCode(c, "serial")
	if !ok {
		return
	}
	var t part.Terms
	body, ok := decode(c, &t)
	if !ok || !check(c, t) {
		return
	}
	p, ok := s.partBatch(c, serial)
	if !ok {
		return
	}
	raw, _ := json.Marshal(t)
	s.submit(c, body, fabric.Request{Function: "part:PutTerms", Args: []string{p.PartNumber, p.Batch},
		Transient: map[string][]byte{part.TermsTransientKey: raw}, Endorsers: termsEndorsers, SuccessStatus: http.StatusCreated})
}

func (s *Server) getTerms(c *gin.Context) {
	serial, ok := pathCode(c, "serial")
	if !ok {
		return
	}
	if p, ok := s.partBatch(c, serial); ok {
		s.evaluate(c, "part:GetTerms", p.PartNumber, p.Batch)
	}
}

func (s *Server) issueRecall(c *gin.Context) {
	var req part.RecallRequest
	body, ok := decode(c, &req)
	if !ok || !check(c, req) {
		return
	}
	arg, _ := json.Marshal(req)
	s.submit(c, body, fabric.Request{Function: "part:IssueRecall", Args: []string{string(arg)},
		SuccessStatus: http.StatusCreated, Location: "/v1/recalls/" + req.RecallID})
}

func (s *Server) applyRecall(c *gin.Context) {
	id, ok := pathCode(c, "id")
	if !ok {
		return
	}
	s.submit(c, nil, fabric.Request{Function: "part:ApplyRecall", Args: []string{id}, SuccessStatus: http.StatusOK})
}

func (s *Server) recallStatus(c *gin.Context) {
	if id, ok := pathCode(c, "id"); ok {
		s.evaluate(c, "part:RecallStatus", id)
	}
}
