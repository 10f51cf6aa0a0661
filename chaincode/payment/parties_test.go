package payment_test

import (
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/autoledger/autoledger/chaincode/access"
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

// A party's name and SME status are updated by the org that registered it
// (a member by itself), by its finance role, as a new version.
func TestOnlyTheRegistrarUpdatesAParty(t *testing.T) {
	f := setup(t)
	update := func(msp, role, id, name string, sme bool) *mockstub.Result {
		return f.Submit(msp, role, "payment:UpdateParty", id, paymenttypes.PartyUpdate{Name: name, SME: sme})
	}
	// Another org, another role of the member, or no such party: refused.
	for _, msp := range []string{"OemMSP", "DealerMSP", "InsurerMSP"} {
		contractstest.FailsWith(t, update(msp, "finance", "SupplierMSP", "Taken over", false), ccerr.Forbidden)
	}
	for _, role := range []string{"admin", "logistics", "production"} {
		contractstest.FailsWith(t, update("SupplierMSP", role, "SupplierMSP", "Tier-1 Co", false), ccerr.Forbidden)
	}
	contractstest.FailsWith(t, update("SupplierMSP", "finance", "NOBODY", "x", false), ccerr.NotFound)
	e := contractstest.FailsWith(t, update("SupplierMSP", "finance", "SupplierMSP", "", false), ccerr.InvalidArgument)
	assert.Equal(t, "name", e.Fields[0].Field)
	p := contractstest.OK[paymenttypes.Party](t, f.Read("OemMSP", "payment:GetParty", "SupplierMSP"))
	assert.Equal(t, paymenttypes.Party{SchemaVersion: p.SchemaVersion, ID: "SupplierMSP", Name: "Tier-1 Co", SME: true, Member: true,
		RegisteredBy: "SupplierMSP", Version: 1}, p, "refusals change nothing")

	f.Clock.Advance(time.Hour)
	r := update("SupplierMSP", "finance", "SupplierMSP", "Tier-1 Group", false)
	p = contractstest.OK[paymenttypes.Party](t, r)
	assert.Equal(t, paymenttypes.Party{SchemaVersion: p.SchemaVersion, ID: "SupplierMSP", Name: "Tier-1 Group", SME: false, Member: true,
		RegisteredBy: "SupplierMSP", Version: 2, UpdatedAt: f.Clock.Now().UTC(), UpdatedBy: "SupplierMSP", PreviousSME: true}, p)
	require.NotNil(t, r.Event)
	assert.Equal(t, paymenttypes.EvPartyUpdated, r.Event.Name)
	var ev paymenttypes.PartyUpdated
	require.NoError(t, json.Unmarshal(r.Event.Payload, &ev))
	assert.Equal(t, paymenttypes.PartyUpdated{ID: "SupplierMSP", SME: false, PreviousSME: true, UpdatedBy: "SupplierMSP", Version: 2}, ev,
		"the counterparty sees the SME status change, from what, and by whom")
	assert.Equal(t, p, contractstest.OK[paymenttypes.Party](t, f.Read("DealerMSP", "payment:GetParty", "SupplierMSP")))
	assert.Equal(t, 3, contractstest.OK[paymenttypes.Party](t, update("SupplierMSP", "finance", "SupplierMSP", "Tier-1 Group", true)).Version)

	// A sub-supplier is updated by the org that registered it, not by the
	// org that trades with it nor by the sub-supplier's other customers.
	contractstest.OK[paymenttypes.Party](t, f.Submit("DealerMSP", "admin", "payment:RegisterParty", paymenttypes.PartyRequest{ID: "SUB-1", Name: "Cells", SME: true}))
	contractstest.FailsWith(t, update("SupplierMSP", "finance", "SUB-1", "Cells", false), ccerr.Forbidden)
	contractstest.FailsWith(t, update("DealerMSP", "admin", "SUB-1", "Cells", false), ccerr.Forbidden)
	sub := contractstest.OK[paymenttypes.Party](t, update("DealerMSP", "finance", "SUB-1", "Cells Ltd", false))
	assert.Equal(t, [4]any{"Cells Ltd", false, false, 2}, [4]any{sub.Name, sub.SME, sub.Member, sub.Version})
}

// An order keeps the SME status its seller had when it was created: the
// supplier ceasing to be an SME does not lift the 60-day cap of an order
// made while it was one, and becoming one does not impose it on older ones.
func TestOrdersKeepTheSMEStatusTheyWereCreatedUnder(t *testing.T) {
	f := setup(t)           // Monday 2026-03-02; the supplier is an SME
	monday := f.Clock.Now() // expected delivery of both orders
	smeOrder := order("O-SME", 56, monday)
	contractstest.OK[paymenttypes.Order](t, f.Submit("OemMSP", "finance", "payment:CreateOrder", smeOrder))
	contractstest.FailsWith(t, f.Submit("OemMSP", "finance", "payment:CreateOrder", order("O-90", 90, monday)), ccerr.InvalidArgument)

	contractstest.OK[paymenttypes.Party](t, f.Submit("SupplierMSP", "finance", "payment:UpdateParty", "SupplierMSP", paymenttypes.PartyUpdate{Name: "Tier-1 Co", SME: false}))
	o90 := contractstest.OK[paymenttypes.Order](t, f.Submit("OemMSP", "finance", "payment:CreateOrder", order("O-90", 90, monday)))
	assert.False(t, o90.SellerSME, "created after the update")
	assert.True(t, contractstest.OK[paymenttypes.Order](t, f.Read("DealerMSP", "payment:GetOrder", "O-SME")).SellerSME)

	// Delivered on Friday, four days late: accepted when the window closes
	// (Thursday 00:00), 56 days later would be delivery + 62 days. The order
	// made while the supplier was an SME is still capped at delivery + 60.
	f.Clock.Advance(4 * 24 * time.Hour)
	friday := f.Clock.Now()
	for _, id := range []string{"O-SME", "O-90"} {
		contractstest.OK[paymenttypes.Order](t, f.Submit("SupplierMSP", "finance", "payment:Ship", id, paymenttypes.DeliveryRequest{ShipmentRef: "SH-" + id, DeliveryDate: friday}))
	}
	f.Clock.Advance(7 * 24 * time.Hour)
	sme := contractstest.OK[paymenttypes.Order](t, f.Submit("OemMSP", "finance", "payment:ApplyDeadlines", "O-SME"))
	require.Equal(t, paymenttypes.Accepted, sme.Status)
	assert.Equal(t, friday.AddDate(0, 0, paymenttypes.SMEMaxDays), sme.DueDate)
	plain := contractstest.OK[paymenttypes.Order](t, f.Submit("OemMSP", "finance", "payment:ApplyDeadlines", "O-90"))
	assert.Equal(t, plain.AcceptBy.AddDate(0, 0, 90), plain.DueDate, "no cap for an order made after the supplier ceased to be an SME")
}

// An id shaped like an MSP ID is reserved for the org of that MSP: no org
// registers a future member (LogisticsMSP) as a party it would control.
func TestMSPShapedIDsAreReservedForTheirOrg(t *testing.T) {
	f := setup(t)
	for _, id := range []string{"LogisticsMSP", "Bank1MSP"} {
		e := contractstest.FailsWith(t, f.Submit("DealerMSP", "finance", "payment:RegisterParty", paymenttypes.PartyRequest{ID: id, Name: "Logistics Co"}), ccerr.Forbidden)
		require.Len(t, e.Fields, 1)
		assert.Equal(t, "msp_reserved", e.Fields[0].Rule)
		contractstest.FailsWith(t, f.Read("InsurerMSP", "payment:GetParty", id), ccerr.NotFound)
	}
	// Ids not shaped like an MSP ID stay open to every org.
	contractstest.OK[paymenttypes.Party](t, f.Submit("DealerMSP", "finance", "payment:RegisterParty", paymenttypes.PartyRequest{ID: "LOGISTICS-1", Name: "Logistics Co"}))
}

// Whether a party is a member is read from the channel's members when it
// matters, not from the flag stored at registration: once the org of a
// registered id joins, the registrar no longer moves its shares.
func TestMembershipIsReadAtUseTime(t *testing.T) {
	f := setup(t)
	contractstest.OK[paymenttypes.Party](t, f.Submit("DealerMSP", "finance", "payment:RegisterParty", paymenttypes.PartyRequest{ID: "DealerMSP", Name: "Dealer Co"}))
	contractstest.OK[paymenttypes.Party](t, f.Submit("DealerMSP", "finance", "payment:RegisterParty", paymenttypes.PartyRequest{ID: "SUB-7", Name: "Cells"}))
	f.accepted(t, "O-1", 1000)
	rec := contractstest.OK[paymenttypes.Receivable](t, f.Submit("SupplierMSP", "finance", "payment:IssueReceivable", "O-1"))
	rec = contractstest.OK[paymenttypes.Receivable](t, f.Submit("SupplierMSP", "finance", "payment:Split", rec.ReceivableID, "1", paymenttypes.ShareSplitRequest{BP: 4000}))
	contractstest.OK[paymenttypes.Receivable](t, f.Submit("SupplierMSP", "finance", "payment:Transfer", rec.ReceivableID, "2", paymenttypes.ShareTransferRequest{To: "DealerMSP"}))
	contractstest.OK[paymenttypes.Receivable](t, f.Submit("DealerMSP", "finance", "payment:Transfer", rec.ReceivableID, "2", paymenttypes.ShareTransferRequest{To: "SUB-7"}))

	// The org behind SUB-7 joins the channel under that id.
	members := access.Members
	access.Members = append(slices.Clone(members), "SUB-7")
	t.Cleanup(func() { access.Members = members })
	assert.False(t, contractstest.OK[paymenttypes.Party](t, f.Read("InsurerMSP", "payment:GetParty", "SUB-7")).Member, "the stored flag is stale")
	contractstest.FailsWith(t, f.Submit("DealerMSP", "finance", "payment:Transfer", rec.ReceivableID, "2", paymenttypes.ShareTransferRequest{To: "DealerMSP"}), ccerr.Forbidden)
	// And a member receives shares from anyone.
	contractstest.OK[paymenttypes.Receivable](t, f.Submit("SupplierMSP", "finance", "payment:Transfer", rec.ReceivableID, "1", paymenttypes.ShareTransferRequest{To: "SUB-7"}))
}
