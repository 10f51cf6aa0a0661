package payment_test

import (
	"errors"
	"testing"

	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/autoledger/autoledger/chaincode/contracts/contractstest"
	"github.com/autoledger/autoledger/chaincode/mockstub"
	"github.com/autoledger/autoledger/chaincode/payment/paymenttypes"
	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The dealer registers the id the supplier means for its sub-supplier
// before the supplier does. A share the supplier then sends to that id
// would be the dealer's to move: the transfer is refused instead.
func TestPartySquattingGainsNoShare(t *testing.T) {
	f := setup(t)
	contractstest.OK[paymenttypes.Party](t, f.Submit("DealerMSP", "finance", "payment:RegisterParty", paymenttypes.PartyRequest{ID: "DealerMSP", Name: "Dealer Co"}))
	squat := contractstest.OK[paymenttypes.Party](t, f.Submit("DealerMSP", "finance", "payment:RegisterParty", paymenttypes.PartyRequest{ID: "SUB-7", Name: "Cell maker"}))
	assert.Equal(t, "DealerMSP", squat.RegisteredBy)
	contractstest.FailsWith(t, f.Submit("SupplierMSP", "finance", "payment:RegisterParty", paymenttypes.PartyRequest{ID: "SUB-7", Name: "Cell maker"}), ccerr.AlreadyExists)

	f.accepted(t, "O-1", 1000)
	rec := contractstest.OK[paymenttypes.Receivable](t, f.Submit("SupplierMSP", "finance", "payment:IssueReceivable", "O-1"))
	rec = contractstest.OK[paymenttypes.Receivable](t, f.Submit("SupplierMSP", "finance", "payment:Split", rec.ReceivableID, "1", paymenttypes.ShareSplitRequest{BP: 4000}))

	e := contractstest.FailsWith(t, f.Submit("SupplierMSP", "finance", "payment:Transfer", rec.ReceivableID, "2", paymenttypes.ShareTransferRequest{To: "SUB-7"}), ccerr.Forbidden)
	require.Len(t, e.Fields, 1)
	assert.Equal(t, "represented_by_caller", e.Fields[0].Rule)
	assert.Contains(t, e.Message, "DealerMSP")
	got := contractstest.OK[paymenttypes.Receivable](t, f.Read("InsurerMSP", "payment:GetReceivable", rec.ReceivableID))
	assert.Equal(t, "SupplierMSP", got.Shares[1].Holder, "the share stays with the supplier")
	assert.Empty(t, contractstest.OK[paymenttypes.Positions](t, f.Read("InsurerMSP", "payment:Positions", "SUB-7")).Receivables)

	// The supplier's own sub-supplier, under an id of its own, gets it;
	// the dealer can move neither it nor, once it holds one, send a share
	// on to a party the supplier represents.
	contractstest.OK[paymenttypes.Party](t, f.Submit("SupplierMSP", "finance", "payment:RegisterParty", paymenttypes.PartyRequest{ID: "SUP-SUB-7", Name: "Cell maker"}))
	contractstest.OK[paymenttypes.Receivable](t, f.Submit("SupplierMSP", "finance", "payment:Transfer", rec.ReceivableID, "2", paymenttypes.ShareTransferRequest{To: "SUP-SUB-7"}))
	contractstest.FailsWith(t, f.Submit("DealerMSP", "finance", "payment:Transfer", rec.ReceivableID, "2", paymenttypes.ShareTransferRequest{To: "SUB-7"}), ccerr.Forbidden)
	rec = contractstest.OK[paymenttypes.Receivable](t, f.Submit("SupplierMSP", "finance", "payment:Split", rec.ReceivableID, "1", paymenttypes.ShareSplitRequest{BP: 1000}))
	contractstest.OK[paymenttypes.Receivable](t, f.Submit("SupplierMSP", "finance", "payment:Transfer", rec.ReceivableID, "3", paymenttypes.ShareTransferRequest{To: "DealerMSP"}))
	contractstest.FailsWith(t, f.Submit("DealerMSP", "finance", "payment:Transfer", rec.ReceivableID, "3", paymenttypes.ShareTransferRequest{To: "SUP-SUB-7"}), ccerr.Forbidden)
	// A member passes a share to a party it represents itself.
	rec = contractstest.OK[paymenttypes.Receivable](t, f.Submit("DealerMSP", "finance", "payment:Transfer", rec.ReceivableID, "3", paymenttypes.ShareTransferRequest{To: "SUB-7"}))
	assert.Equal(t, []string{"SupplierMSP", "SUP-SUB-7", "SUB-7"}, []string{rec.Shares[0].Holder, rec.Shares[1].Holder, rec.Shares[2].Holder})
}

// A ledger read that fails is a fault: never "no such party (order) yet",
// so nothing is written over what the read could not see.
func TestFailedReadsAreFaultsNotAbsence(t *testing.T) {
	down := errors.New("state database unreachable")
	prefix := func(object string) string {
		k, err := shim.CreateCompositeKey(object, nil)
		require.NoError(t, err)
		return k
	}

	f := setup(t)
	f.FailReads(mockstub.FailPrefix(prefix("party"), down))
	contractstest.FailsInternally(t, f.Submit("SupplierMSP", "finance", "payment:RegisterParty", paymenttypes.PartyRequest{ID: "SUB-9", Name: "x"}), down.Error())
	contractstest.FailsInternally(t, f.Submit("SupplierMSP", "finance", "payment:RegisterParty", paymenttypes.PartyRequest{ID: "SupplierMSP", Name: "x"}), down.Error())
	f.FailReads(nil)
	contractstest.FailsWith(t, f.Read("InsurerMSP", "payment:GetParty", "SUB-9"), ccerr.NotFound)

	contractstest.OK[paymenttypes.Order](t, f.Submit("OemMSP", "finance", "payment:CreateOrder", order("O-1", 30, f.Clock.Now())))
	f.FailReads(mockstub.FailPrefix(prefix("order"), down))
	again := order("O-1", 14, f.Clock.Now())
	contractstest.FailsInternally(t, f.Submit("OemMSP", "finance", "payment:CreateOrder", again), down.Error())
	f.FailReads(nil)
	assert.Equal(t, 30, contractstest.OK[paymenttypes.Order](t, f.Read("InsurerMSP", "payment:GetOrder", "O-1")).PaymentTermsDays)
}
