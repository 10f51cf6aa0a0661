package api_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	governance "github.com/autoledger/autoledger/chaincode/governance/governancetypes"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const proposalJSON = `{"schemaVersion":1,"id":"CAL-2026","setting":"payment.calendar","scope":"2026","value":"{\"year\":2026}",` +
	`"valueHash":"4c0e7d5c3b4a1f6e8d2c9b0a7f6e5d4c3b2a1f0e9d8c7b6a5f4e3d2c1b0a9f8e","proposedBy":"OemMSP","proposedAt":"2026-03-02T02:00:00Z",` +
	`"approvals":[{"msp":"OemMSP","at":"2026-03-02T02:00:00Z"}],"required":3,"status":"open"}`

func TestProposalBodyReachesTheChaincodeAsJSONText(t *testing.T) {
	e := newEnv(t)
	r := e.do("POST", "/v1/proposals", "erp", `{"id":"CAL-2026","setting":"payment.calendar",
		"value":{ "year": 2026, "holidays": [ "2026-10-01" ] }}`)
	require.Equal(t, http.StatusCreated, r.status, string(r.body))
	assert.Equal(t, "/v1/proposals/CAL-2026", r.header.Get("Location"))
	require.Len(t, e.sub.reqs, 1)
	assert.Equal(t, "governance:Propose", e.sub.reqs[0].Function)
	var req governance.ProposalRequest
	require.NoError(t, json.Unmarshal([]byte(e.sub.reqs[0].Args[0]), &req))
	assert.Equal(t, governance.ProposalRequest{ID: "CAL-2026", Setting: "payment.calendar", Value: `{"year":2026,"holidays":["2026-10-01"]}`}, req)
}

func TestBadProposalsNeverReachFabric(t *testing.T) {
	e := newEnv(t)
	for name, body := range map[string]string{
		"value not an object": `{"id":"C","setting":"payment.calendar","value":[2026]}`,
		"value null":          `{"id":"C","setting":"payment.calendar","value":null}`,
		"no value":            `{"id":"C","setting":"payment.calendar"}`,
		"unknown setting":     `{"id":"C","setting":"payment.nothing","value":{}}`,
		"bad id":              `{"id":"C C","setting":"payment.calendar","value":{}}`,
	} {
		r := e.do("POST", "/v1/proposals", "erp", body)
		assert.Equal(t, http.StatusUnprocessableEntity, r.status, "%s: %s", name, r.body)
	}
	for _, q := range []string{"setting=payment.nothing", "pageSize=0", "pageSize=1001", "pageSize=ten", "bookmark=" + strings.Repeat("k", 1025)} {
		r := e.do("GET", "/v1/proposals?"+q, "erp", "")
		assert.Equal(t, http.StatusUnprocessableEntity, r.status, "%s: %s", q, r.body)
	}
	assert.Empty(t, e.sub.reqs)
	assert.Empty(t, e.ledger.calls)
}

func TestProposalRoutes(t *testing.T) {
	e := newEnv(t)
	for path, fn := range map[string]string{
		"/v1/proposals/CAL-2026/approvals":  "governance:Approve",
		"/v1/proposals/CAL-2026/withdrawal": "governance:Withdraw",
	} {
		e.sub.reqs = nil
		r := e.do("POST", path, "dms", "")
		require.Equal(t, http.StatusCreated, r.status, string(r.body))
		require.Len(t, e.sub.reqs, 1)
		assert.Equal(t, fn, e.sub.reqs[0].Function)
		assert.Equal(t, []string{"CAL-2026"}, e.sub.reqs[0].Args)
	}
	e.ledger.evalOut = []byte(proposalJSON)
	r := e.do("GET", "/v1/proposals/CAL-2026", "dms", "")
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	e.ledger.evalOut = []byte(`{"proposals":[` + proposalJSON + `],"bookmark":"b"}`)
	r = e.do("GET", "/v1/proposals?setting=payment.calendar&pageSize=1000&bookmark=b", "dms", "")
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	r = e.do("GET", "/v1/proposals", "dms", "")
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	assert.Equal(t, []string{"DealerMSP governance:Get CAL-2026", "DealerMSP governance:List payment.calendar,1000,b", "DealerMSP governance:List ,100,"}, e.ledger.calls)
}
