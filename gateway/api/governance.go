package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"

	governance "github.com/autoledger/autoledger/chaincode/governance/governancetypes"
	"github.com/autoledger/autoledger/chaincode/rules"
	"github.com/autoledger/autoledger/gateway/fabric"
	"github.com/gin-gonic/gin"
)

// ProposalBody is the REST body of a proposal: the chaincode's
// ProposalRequest with the value as a JSON object rather than JSON text,
// so a client writes {"value": {"year": 2026}}.
type ProposalBody struct {
	ID      string          `json:"id" validate:"code"`
	Setting string          `json:"setting" validate:"setting"`
	Value   json.RawMessage `json:"value" validate:"required"`
}

// request is the chaincode argument: the value compacted to JSON text.
func (b ProposalBody) request() governance.ProposalRequest {
	var v bytes.Buffer
	if json.Compact(&v, b.Value) != nil {
		v.Reset() // not JSON: the chaincode's rules refuse an empty value
	}
	return governance.ProposalRequest{ID: b.ID, Setting: b.Setting, Value: v.String()}
}

// Validate checks the body with the chaincode's rules.
func (b ProposalBody) Validate() error { return b.request().Validate() }

func (s *Server) propose(c *gin.Context) {
	b, raw, ok := readBody[ProposalBody](c)
	if !ok {
		return
	}
	s.submit(c, raw, fabric.Request{Function: "governance:Propose", Args: []string{jsonArg(b.request())},
		SuccessStatus: http.StatusCreated, Location: "/v1/proposals/" + b.ID})
}

type proposalListParams struct {
	PageSize int    `json:"pageSize" validate:"pagesize"`
	Bookmark string `json:"bookmark" validate:"max=1024"`
}

// listProposals answers GET /v1/proposals?setting=...&pageSize=...&bookmark=...,
// a page of every setting's proposals when setting is absent.
func (s *Server) listProposals(c *gin.Context) {
	setting := c.Query("setting")
	if setting != "" && !slices.Contains(governance.Settings, setting) {
		writeProblem(c, validationProblem(fieldErr("setting", "one_of", "must be one of the consortium settings")))
		return
	}
	p := proposalListParams{PageSize: rules.DefaultPageSize, Bookmark: c.Query("bookmark")}
	if q := c.Query("pageSize"); q != "" {
		n, err := strconv.Atoi(q)
		if err != nil {
			writeProblem(c, validationProblem(fieldErr("pageSize", "integer", "must be an integer")))
			return
		}
		p.PageSize = n
	}
	if params(c, &p) {
		s.evaluate(c, "governance:List", setting, strconv.Itoa(p.PageSize), p.Bookmark)
	}
}

func (s *Server) governanceRoutes(v1 *gin.RouterGroup) {
	v1.POST("/proposals", s.propose)
	v1.GET("/proposals", s.listProposals)
	v1.GET("/proposals/:id", s.query("governance:Get", pathID))
	v1.POST("/proposals/:id/approvals", s.step("governance:Approve", pathID, http.StatusCreated))
	v1.POST("/proposals/:id/withdrawal", s.step("governance:Withdraw", pathID, http.StatusCreated))
}
