package contractstest

import (
	"encoding/json"

	"github.com/autoledger/autoledger/chaincode/governance/governancetypes"
	"github.com/stretchr/testify/require"
)

// Govern puts value in force as a consortium setting the way the
// consortium does: OemMSP's admin proposes it (id names the proposal), and
// SupplierMSP's and DealerMSP's admins approve it, which makes a majority
// of the four members. It returns the applied proposal.
func (l *Ledger) Govern(id, setting string, value any) governancetypes.Proposal {
	l.T.Helper()
	v, err := json.Marshal(value)
	require.NoError(l.T, err)
	OK[governancetypes.Proposal](l.T, l.Submit("OemMSP", "admin", "governance:Propose",
		governancetypes.ProposalRequest{ID: id, Setting: setting, Value: string(v)}))
	OK[governancetypes.Proposal](l.T, l.Submit("SupplierMSP", "admin", "governance:Approve", id))
	p := OK[governancetypes.Proposal](l.T, l.Submit("DealerMSP", "admin", "governance:Approve", id))
	require.Equal(l.T, governancetypes.Applied, p.Status, "proposal %s was not applied", id)
	return p
}
