//go:build e2e

package e2e

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	gov "github.com/autoledger/autoledger/chaincode/governance/governancetypes"
	"github.com/autoledger/autoledger/gateway/api"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// proposalSeen waits until every org's peer shows the proposal holding
// want: the next approval's endorsers must have the last one.
func proposalSeen(t *testing.T, id, want string) {
	t.Helper()
	seen(t, "/v1/proposals/"+id, want, "OEM_ADMIN", "SUPPLIER_ADMIN", "DEALER_ADMIN", "INSURER_ADMIN")
}

// proposalResult submits a governance step and returns the proposal the
// committed transaction answered.
func proposalResult(t *testing.T, who, path, body string) gov.Proposal {
	t.Helper()
	status, _, out := call(t, who, "POST", path, body)
	require.Equal(t, 201, status, string(out))
	var tx api.TxView
	require.NoError(t, json.Unmarshal(out, &tx))
	var p gov.Proposal
	require.NoError(t, json.Unmarshal(tx.Result, &p), string(out))
	return p
}

// The calendar changes only when admins of a majority of the orgs approved
// the same proposal, through each org's own gateway and peers. A year no
// other test uses keeps the payment tests' windows as they are.
func TestE2EGovernanceCalendarNeedsAMajority(t *testing.T) {
	startGateway(t)
	run := fmt.Sprint(time.Now().UnixNano())
	id := "CAL-2099-" + run
	value := `{"year":2099,"holidays":["2099-01-01"]}`

	p := proposalResult(t, "OEM_ADMIN", "/v1/proposals", fmt.Sprintf(`{"id":%q,"setting":"payment.calendar","value":%s}`, id, value))
	assert.Equal(t, gov.Open, p.Status)
	assert.Equal(t, 3, p.Required)
	proposalSeen(t, id, `"status":"open"`)

	// Not an admin: refused by the chaincode.
	status, _, out := call(t, "OEM_FINANCE", "POST", "/v1/proposals/"+id+"/approvals", "")
	require.Equal(t, 403, status, string(out))

	p = proposalResult(t, "SUPPLIER_ADMIN", "/v1/proposals/"+id+"/approvals", "")
	assert.Equal(t, gov.Open, p.Status, "two approvals of four are not a majority")
	proposalSeen(t, id, `"msp":"SupplierMSP"`)

	// A second approval by the same org is refused and not counted.
	status, _, out = call(t, "SUPPLIER_ADMIN", "POST", "/v1/proposals/"+id+"/approvals", "")
	require.Equal(t, 409, status, string(out))
	assert.Equal(t, "ALREADY_EXISTS", codeOf(t, out))

	p = proposalResult(t, "DEALER_ADMIN", "/v1/proposals/"+id+"/approvals", "")
	assert.Equal(t, gov.Applied, p.Status)
	assert.Len(t, p.Approvals, 3)
	proposalSeen(t, id, `"status":"applied"`)

	// Another org's proposal for the year does not close an open one; the
	// proposer's own newer one does, and approving the superseded one is
	// refused. Every proposal is closed at the end: an org may have only
	// 5 open per setting, and the ledger outlives this run.
	older, newer, rival := "CAL-2099-A-"+run, "CAL-2099-B-"+run, "CAL-2099-R-"+run
	proposalResult(t, "OEM_ADMIN", "/v1/proposals", fmt.Sprintf(`{"id":%q,"setting":"payment.calendar","value":{"year":2099}}`, older))
	proposalSeen(t, older, `"status":"open"`)
	proposalResult(t, "INSURER_ADMIN", "/v1/proposals", fmt.Sprintf(`{"id":%q,"setting":"payment.calendar","value":{"year":2099}}`, rival))
	proposalSeen(t, rival, `"status":"open"`)
	proposalSeen(t, older, `"status":"open"`)
	proposalResult(t, "OEM_ADMIN", "/v1/proposals", fmt.Sprintf(`{"id":%q,"setting":"payment.calendar","value":{"year":2099}}`, newer))
	proposalSeen(t, older, `"status":"superseded"`)
	status, _, out = call(t, "DEALER_ADMIN", "POST", "/v1/proposals/"+older+"/approvals", "")
	require.Equal(t, 409, status, string(out))
	assert.Equal(t, "FAILED_PRECONDITION", codeOf(t, out))
	proposalResult(t, "OEM_ADMIN", "/v1/proposals/"+newer+"/withdrawal", "")
	proposalResult(t, "INSURER_ADMIN", "/v1/proposals/"+rival+"/withdrawal", "")

	// The list is paged.
	status, _, out = call(t, "DEALER_ADMIN", "GET", "/v1/proposals?setting=payment.calendar&pageSize=1", "")
	require.Equal(t, 200, status, string(out))
	var page gov.ProposalPage
	require.NoError(t, json.Unmarshal(out, &page), string(out))
	assert.LessOrEqual(t, len(page.Proposals), 1)
	assert.NotEmpty(t, page.Bookmark, "this run alone made 4 proposals")
}
