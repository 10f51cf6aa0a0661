package payment_test

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/autoledger/autoledger/chaincode/contracts/contractstest"
	"github.com/autoledger/autoledger/chaincode/mockstub"
	"github.com/autoledger/autoledger/chaincode/payment/paymenttypes"
	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// amountTx sends fn(args...) as msp's finance user, executed on peer, with
// amountMinor CNY as the transient amount (none when amountMinor is 0).
func (f *fixture) amountTx(msp, peer, fn string, amountMinor int64, args ...string) *mockstub.Result {
	tx := mockstub.Tx{Creator: f.As(msp, "finance"), PeerOrg: peer, Function: fn, Args: args}
	if amountMinor != 0 {
		tx.Transient = map[string][]byte{paymenttypes.AmountTransientKey: fmt.Appendf(nil,
			`{"amountMinor":%d,"currency":"CNY","salt":"0f1e2d3c4b5a69788796a5b4c3d2e1f0"}`, amountMinor)}
	}
	return f.Invoke(tx)
}

// amountOn reads order id's amount as the buyer's finance user.
func (f *fixture) amountOn(t *testing.T, id string) int64 {
	t.Helper()
	r := f.Evaluate(mockstub.Tx{Creator: f.As("OemMSP", "finance"), Function: "payment:GetAmount", Args: []string{id}})
	return contractstest.OK[paymenttypes.Amount](t, r).AmountMinor
}

// accepted creates order id from the OEM to the supplier, records amount
// as the seller, ships and accepts it.
func (f *fixture) accepted(t *testing.T, id string, amount int64) {
	t.Helper()
	contractstest.OK[paymenttypes.Order](t, f.Submit("OemMSP", "finance", "payment:CreateOrder", order(id, 30, f.Clock.Now())))
	require.True(t, f.amountTx("SupplierMSP", "", "payment:PutOrderAmount", amount, id).Committed)
	contractstest.OK[paymenttypes.Order](t, f.Submit("SupplierMSP", "finance", "payment:Ship", id, paymenttypes.DeliveryRequest{ShipmentRef: "SH-" + id, DeliveryDate: f.Clock.Now()}))
	contractstest.OK[paymenttypes.Order](t, f.Submit("OemMSP", "finance", "payment:Accept", id))
}

func TestAmountOnlyByThePairAndOnlyBeforeAcceptance(t *testing.T) {
	f := setup(t)
	contractstest.OK[paymenttypes.Party](t, f.Submit("DealerMSP", "finance", "payment:RegisterParty", paymenttypes.PartyRequest{ID: "DealerMSP", Name: "Dealer Co"}))
	contractstest.OK[paymenttypes.Order](t, f.Submit("OemMSP", "finance", "payment:CreateOrder", order("O-1", 30, f.Clock.Now())))

	// A third org is refused by the contract, even on a pair member's peer,
	// before the collection is touched (a peer would refuse the write itself
	// only with an endorsement failure).
	for _, peer := range []string{"OemMSP", "SupplierMSP", "DealerMSP"} {
		contractstest.FailsWith(t, f.amountTx("DealerMSP", peer, "payment:PutOrderAmount", 1, "O-1"), ccerr.Forbidden)
	}
	contractstest.FailsWith(t, f.Invoke(mockstub.Tx{Creator: f.As("OemMSP", "production"), Function: "payment:PutOrderAmount", Args: []string{"O-1"}}), ccerr.Forbidden)
	r := f.Evaluate(mockstub.Tx{Creator: f.As("DealerMSP", "finance"), PeerOrg: "OemMSP", Function: "payment:GetAmount", Args: []string{"O-1"}})
	contractstest.FailsWith(t, r, ccerr.Forbidden)

	// Before acceptance either side records the amount, and may correct it.
	require.True(t, f.amountTx("SupplierMSP", "", "payment:PutOrderAmount", 1000, "O-1").Committed)
	assert.Equal(t, int64(1000), f.amountOn(t, "O-1"))
	contractstest.OK[paymenttypes.Order](t, f.Submit("SupplierMSP", "finance", "payment:Ship", "O-1", paymenttypes.DeliveryRequest{ShipmentRef: "SH-1", DeliveryDate: f.Clock.Now()}))
	require.True(t, f.amountTx("OemMSP", "", "payment:PutOrderAmount", 900, "O-1").Committed)
	assert.Equal(t, int64(900), f.amountOn(t, "O-1"))
	// The buyer accepts only an amount the seller wrote last.
	e := contractstest.FailsWith(t, f.Submit("OemMSP", "finance", "payment:Accept", "O-1"), ccerr.FailedPrecondition)
	assert.Contains(t, e.Message, "last written by OemMSP")
	require.True(t, f.amountTx("SupplierMSP", "", "payment:PutOrderAmount", 900, "O-1").Committed)

	// From acceptance on, neither side rewrites it, in a dispute included.
	contractstest.OK[paymenttypes.Order](t, f.Submit("OemMSP", "finance", "payment:Accept", "O-1"))
	for _, side := range []string{"OemMSP", "SupplierMSP"} {
		e = contractstest.FailsWith(t, f.amountTx(side, "", "payment:PutOrderAmount", 1, "O-1"), ccerr.FailedPrecondition)
		assert.Contains(t, e.Message, "amendment")
	}
	contractstest.OK[paymenttypes.Order](t, f.Submit("SupplierMSP", "finance", "payment:Dispute", "O-1", paymenttypes.OrderNote{Reason: "price"}))
	contractstest.FailsWith(t, f.amountTx("OemMSP", "", "payment:PutOrderAmount", 1, "O-1"), ccerr.FailedPrecondition)
	assert.Equal(t, int64(900), f.amountOn(t, "O-1"))
}

func TestAmountAmendmentTakesTheOtherSidesAcceptance(t *testing.T) {
	f := setup(t)
	contractstest.OK[paymenttypes.Party](t, f.Submit("DealerMSP", "finance", "payment:RegisterParty", paymenttypes.PartyRequest{ID: "DealerMSP", Name: "Dealer Co"}))
	contractstest.OK[paymenttypes.Order](t, f.Submit("OemMSP", "finance", "payment:CreateOrder", order("O-0", 30, f.Clock.Now())))
	contractstest.FailsWith(t, f.amountTx("OemMSP", "", "payment:ProposeAmountAmendment", 1, "O-0"), ccerr.FailedPrecondition)
	f.accepted(t, "O-1", 1000)

	contractstest.FailsWith(t, f.amountTx("DealerMSP", "OemMSP", "payment:ProposeAmountAmendment", 1, "O-1"), ccerr.Forbidden)
	contractstest.FailsWith(t, f.amountTx("OemMSP", "", "payment:ProposeAmountAmendment", 0, "O-1"), ccerr.MissingTransient)
	r := f.amountTx("OemMSP", "", "payment:ProposeAmountAmendment", 950, "O-1")
	p := contractstest.OK[paymenttypes.AmendmentRef](t, r)
	assert.Equal(t, paymenttypes.AmendmentRef{OrderID: "O-1", ProposalID: r.TxID, Status: paymenttypes.AmendmentProposed,
		ProposedBy: "OemMSP", Collection: "oemSupplier"}, p)
	assert.Equal(t, paymenttypes.EvAmountAmendmentProposed, r.Event.Name)
	// Both name the proposal, a hex transaction ID that may hold the digits.
	public := strings.ReplaceAll(string(r.Event.Payload)+string(r.Payload), p.ProposalID, "")
	assert.NotContains(t, public, "950", "answers and events reach the public block")
	assert.Equal(t, int64(1000), f.amountOn(t, "O-1"), "a proposal alone changes nothing")

	// Only the other side accepts: not the proposer, not a third org.
	e := contractstest.FailsWith(t, f.amountTx("OemMSP", "", "payment:AcceptAmountAmendment", 0, "O-1", p.ProposalID), ccerr.Forbidden)
	assert.Contains(t, e.Message, "other side")
	contractstest.FailsWith(t, f.amountTx("DealerMSP", "SupplierMSP", "payment:AcceptAmountAmendment", 0, "O-1", p.ProposalID), ccerr.Forbidden)
	contractstest.FailsWith(t, f.Invoke(mockstub.Tx{Creator: f.As("SupplierMSP", "logistics"), Function: "payment:AcceptAmountAmendment", Args: []string{"O-1", p.ProposalID}}), ccerr.Forbidden)
	contractstest.FailsWith(t, f.amountTx("SupplierMSP", "", "payment:AcceptAmountAmendment", 0, "O-1", "nope"), ccerr.NotFound)
	r = f.amountTx("SupplierMSP", "", "payment:AcceptAmountAmendment", 0, "O-1", p.ProposalID)
	a := contractstest.OK[paymenttypes.AmendmentRef](t, r)
	assert.Equal(t, paymenttypes.AmendmentAccepted, a.Status)
	assert.Equal(t, "SupplierMSP", a.AcceptedBy)
	assert.Equal(t, paymenttypes.EvAmountAmended, r.Event.Name)
	assert.NotContains(t, strings.ReplaceAll(string(r.Event.Payload)+string(r.Payload), p.ProposalID, ""), "950")
	assert.Equal(t, int64(950), f.amountOn(t, "O-1"))
	contractstest.FailsWith(t, f.amountTx("SupplierMSP", "", "payment:AcceptAmountAmendment", 0, "O-1", p.ProposalID), ccerr.FailedPrecondition)

	// Two open proposals: once one is accepted, the other is superseded.
	f.Clock.Advance(time.Minute)
	p2 := contractstest.OK[paymenttypes.AmendmentRef](t, f.amountTx("OemMSP", "", "payment:ProposeAmountAmendment", 800, "O-1"))
	f.Clock.Advance(time.Minute)
	p3 := contractstest.OK[paymenttypes.AmendmentRef](t, f.amountTx("SupplierMSP", "", "payment:ProposeAmountAmendment", 850, "O-1"))
	contractstest.OK[paymenttypes.AmendmentRef](t, f.amountTx("OemMSP", "", "payment:AcceptAmountAmendment", 0, "O-1", p3.ProposalID))
	e = contractstest.FailsWith(t, f.amountTx("SupplierMSP", "", "payment:AcceptAmountAmendment", 0, "O-1", p2.ProposalID), ccerr.FailedPrecondition)
	assert.Contains(t, e.Message, "superseded")
	assert.Equal(t, int64(850), f.amountOn(t, "O-1"))

	// The history: every proposal, oldest first; an accepted one keeps the amount it replaced.
	hist := contractstest.OK[[]paymenttypes.AmountAmendment](t, f.Evaluate(mockstub.Tx{Creator: f.As("SupplierMSP", "finance"), Function: "payment:GetAmountAmendments", Args: []string{"O-1"}}))
	require.Len(t, hist, 3)
	got := make([][3]any, len(hist))
	for i, h := range hist {
		got[i] = [3]any{h.Amount.AmountMinor, h.Replaces.AmountMinor, h.Status}
	}
	assert.Equal(t, [][3]any{{int64(950), int64(1000), "accepted"}, {int64(800), int64(950), "proposed"}, {int64(850), int64(950), "accepted"}}, got)
	assert.Equal(t, "OemMSP", hist[2].AcceptedBy)
	r = f.Evaluate(mockstub.Tx{Creator: f.As("DealerMSP", "finance"), PeerOrg: "OemMSP", Function: "payment:GetAmountAmendments", Args: []string{"O-1"}})
	contractstest.FailsWith(t, r, ccerr.Forbidden)

	// Paid orders may still be amended; settled ones are final.
	contractstest.OK[paymenttypes.Order](t, f.Submit("OemMSP", "finance", "payment:RecordPayment", "O-1", paymenttypes.PaymentRequest{BankRef: "BK-1", Instrument: "cash"}))
	p4 := contractstest.OK[paymenttypes.AmendmentRef](t, f.amountTx("SupplierMSP", "", "payment:ProposeAmountAmendment", 840, "O-1"))
	contractstest.OK[paymenttypes.Order](t, f.Submit("SupplierMSP", "finance", "payment:ConfirmReceipt", "O-1"))
	contractstest.FailsWith(t, f.amountTx("OemMSP", "", "payment:AcceptAmountAmendment", 0, "O-1", p4.ProposalID), ccerr.FailedPrecondition)
	contractstest.FailsWith(t, f.amountTx("OemMSP", "", "payment:ProposeAmountAmendment", 1, "O-1"), ccerr.FailedPrecondition)
	assert.Equal(t, int64(850), f.amountOn(t, "O-1"))
}

// An amount's salt is the shared salt rule: at least 128 bits as
// lower-case hex, for the first amount and for an amendment alike.
func TestAmountSaltIsAtLeast128Bits(t *testing.T) {
	f := setup(t)
	contractstest.OK[paymenttypes.Order](t, f.Submit("OemMSP", "finance", "payment:CreateOrder", order("O-0", 30, f.Clock.Now())))
	f.accepted(t, "O-1", 1000)
	withSalt := func(fn, id, salt string) *mockstub.Result {
		return f.Invoke(mockstub.Tx{Creator: f.As("OemMSP", "finance"), Function: fn, Args: []string{id},
			Transient: map[string][]byte{paymenttypes.AmountTransientKey: fmt.Appendf(nil, `{"amountMinor":5,"currency":"CNY","salt":%q}`, salt)}})
	}
	for fn, id := range map[string]string{"payment:PutOrderAmount": "O-0", "payment:ProposeAmountAmendment": "O-1"} {
		for _, salt := range []string{"", "0123456789abcdef", strings.Repeat("a", 31), strings.Repeat("A", 32), strings.Repeat("a", 129)} {
			e := contractstest.FailsWith(t, withSalt(fn, id, salt), ccerr.InvalidArgument)
			require.Len(t, e.Fields, 1, fn+" "+salt)
			assert.Equal(t, "salt", e.Fields[0].Field)
			assert.Equal(t, "salt", e.Fields[0].Rule)
			if salt != "" {
				assert.NotContains(t, e.Message+e.Fields[0].Message, salt, "a salt is never echoed")
			}
		}
		require.True(t, withSalt(fn, id, strings.Repeat("3c", 16)).Committed, fn)
	}
	assert.Equal(t, int64(5), f.amountOn(t, "O-0"))
}

// The buyer cannot lower the amount after shipment and accept: acceptance
// needs an amount on record that the seller wrote last, and binds the
// order to that amount's hash.
func TestAcceptBindsToTheSellersAmount(t *testing.T) {
	f := setup(t)
	contractstest.OK[paymenttypes.Order](t, f.Submit("OemMSP", "finance", "payment:CreateOrder", order("O-1", 30, f.Clock.Now())))
	contractstest.OK[paymenttypes.Order](t, f.Submit("SupplierMSP", "finance", "payment:Ship", "O-1", paymenttypes.DeliveryRequest{ShipmentRef: "SH-1", DeliveryDate: f.Clock.Now()}))

	e := contractstest.FailsWith(t, f.Submit("OemMSP", "finance", "payment:Accept", "O-1"), ccerr.FailedPrecondition)
	assert.Contains(t, e.Message, "no amount on record")
	// The buyer alone writes the amount: refused.
	r := f.amountTx("OemMSP", "", "payment:PutOrderAmount", 1, "O-1")
	require.True(t, r.Committed)
	var ev paymenttypes.AmountRecorded
	require.NoError(t, json.Unmarshal(r.Event.Payload, &ev))
	assert.Equal(t, "OemMSP", ev.RecordedBy, "the seller sees who wrote the amount")
	contractstest.FailsWith(t, f.Submit("OemMSP", "finance", "payment:Accept", "O-1"), ccerr.FailedPrecondition)
	// Seller writes, buyer overwrites: refused again.
	require.True(t, f.amountTx("SupplierMSP", "", "payment:PutOrderAmount", 1000, "O-1").Committed)
	require.True(t, f.amountTx("OemMSP", "", "payment:PutOrderAmount", 1, "O-1").Committed)
	contractstest.FailsWith(t, f.Submit("OemMSP", "finance", "payment:Accept", "O-1"), ccerr.FailedPrecondition)
	assert.Equal(t, paymenttypes.Shipped, contractstest.OK[paymenttypes.Order](t, f.Read("InsurerMSP", "payment:GetOrder", "O-1")).Status)

	// The seller re-records it: the buyer accepts that amount, by its hash.
	require.True(t, f.amountTx("SupplierMSP", "", "payment:PutOrderAmount", 1000, "O-1").Committed)
	k, err := shim.CreateCompositeKey("amount", []string{"O-1"})
	require.NoError(t, err)
	want := hex.EncodeToString(f.PrivateDataHash("oemSupplier", k))
	require.NotEmpty(t, want)

	// The hash is read through GetPrivateDataHash (a read in the read set,
	// so a concurrent PutOrderAmount invalidates the acceptance): when it
	// cannot be read, Accept fails instead of accepting unbound.
	down := errors.New("state database unreachable")
	f.FailReads(func(coll, key string) error {
		if coll == "oemSupplier" && key == k {
			return down
		}
		return nil
	})
	contractstest.FailsInternally(t, f.Submit("OemMSP", "finance", "payment:Accept", "O-1"), down.Error())
	f.FailReads(nil)

	o := contractstest.OK[paymenttypes.Order](t, f.Submit("OemMSP", "finance", "payment:Accept", "O-1"))
	assert.Equal(t, want, o.AmountHash)
	a := contractstest.OK[paymenttypes.Amount](t, f.Evaluate(mockstub.Tx{Creator: f.As("OemMSP", "finance"), Function: "payment:GetAmount", Args: []string{"O-1"}}))
	assert.Equal(t, [2]any{int64(1000), "SupplierMSP"}, [2]any{a.AmountMinor, a.RecordedBy})
}

// A recordedBy sent by the client is not believed: the contract sets it.
func TestRecordedByIsTheCaller(t *testing.T) {
	f := setup(t)
	contractstest.OK[paymenttypes.Order](t, f.Submit("OemMSP", "finance", "payment:CreateOrder", order("O-1", 30, f.Clock.Now())))
	contractstest.OK[paymenttypes.Order](t, f.Submit("SupplierMSP", "finance", "payment:Ship", "O-1", paymenttypes.DeliveryRequest{ShipmentRef: "SH-1", DeliveryDate: f.Clock.Now()}))
	require.True(t, f.Invoke(mockstub.Tx{Creator: f.As("OemMSP", "finance"), Function: "payment:PutOrderAmount", Args: []string{"O-1"},
		Transient: map[string][]byte{paymenttypes.AmountTransientKey: []byte(`{"amountMinor":1,"currency":"CNY","salt":"0f1e2d3c4b5a69788796a5b4c3d2e1f0","recordedBy":"SupplierMSP"}`)}}).Committed)
	contractstest.FailsWith(t, f.Submit("OemMSP", "finance", "payment:Accept", "O-1"), ccerr.FailedPrecondition)
	assert.Equal(t, int64(1), f.amountOn(t, "O-1"))
}

// Deemed acceptance at the window's end is the seller's protection and is
// never refused; it binds the amount on record when the seller wrote it.
func TestDeemedAcceptanceBindsTheSellersAmount(t *testing.T) {
	f := setup(t)
	contractstest.OK[paymenttypes.Order](t, f.Submit("OemMSP", "finance", "payment:CreateOrder", order("O-1", 30, f.Clock.Now())))
	require.True(t, f.amountTx("SupplierMSP", "", "payment:PutOrderAmount", 1000, "O-1").Committed)
	contractstest.OK[paymenttypes.Order](t, f.Submit("SupplierMSP", "finance", "payment:Ship", "O-1", paymenttypes.DeliveryRequest{ShipmentRef: "SH-1", DeliveryDate: f.Clock.Now()}))
	f.Clock.Advance(14 * 24 * time.Hour)
	o := contractstest.OK[paymenttypes.Order](t, f.Submit("InsurerMSP", "claims", "payment:ApplyDeadlines", "O-1"))
	require.True(t, o.AutoAccepted)
	k, err := shim.CreateCompositeKey("amount", []string{"O-1"})
	require.NoError(t, err)
	want := hex.EncodeToString(f.PrivateDataHash("oemSupplier", k))
	require.NotEmpty(t, want)
	assert.Equal(t, want, o.AmountHash)
}

// Once the acceptance window has closed, neither side rewrites the amount
// for ApplyDeadlines to bind: the window left the amount as it is.
func TestNoAmountRewriteAfterTheWindow(t *testing.T) {
	f := setup(t)
	contractstest.OK[paymenttypes.Order](t, f.Submit("OemMSP", "finance", "payment:CreateOrder", order("O-1", 30, f.Clock.Now())))
	require.True(t, f.amountTx("SupplierMSP", "", "payment:PutOrderAmount", 1000, "O-1").Committed)
	contractstest.OK[paymenttypes.Order](t, f.Submit("SupplierMSP", "finance", "payment:Ship", "O-1", paymenttypes.DeliveryRequest{ShipmentRef: "SH-1", DeliveryDate: f.Clock.Now()}))
	f.Clock.Advance(14 * 24 * time.Hour)
	for _, side := range []string{"OemMSP", "SupplierMSP"} {
		e := contractstest.FailsWith(t, f.amountTx(side, "", "payment:PutOrderAmount", 1, "O-1"), ccerr.FailedPrecondition)
		assert.Contains(t, e.Message, "acceptance window")
	}
	// A dispute does not reopen the window.
	contractstest.OK[paymenttypes.Order](t, f.Submit("OemMSP", "finance", "payment:Dispute", "O-1", paymenttypes.OrderNote{Reason: "price"}))
	contractstest.FailsWith(t, f.amountTx("OemMSP", "", "payment:PutOrderAmount", 1, "O-1"), ccerr.FailedPrecondition)
	contractstest.OK[paymenttypes.Order](t, f.Submit("OemMSP", "finance", "payment:ResolveDispute", "O-1", paymenttypes.OrderNote{Reason: "agreed"}))

	o := contractstest.OK[paymenttypes.Order](t, f.Submit("OemMSP", "finance", "payment:ApplyDeadlines", "O-1"))
	require.True(t, o.AutoAccepted)
	require.NotEmpty(t, o.AmountHash)
	assert.Equal(t, int64(1000), f.amountOn(t, "O-1"))
}

// The buyer's silence does not make its own figure binding: when the buyer
// wrote the amount last, deemed acceptance still accepts the order (the
// seller's protection) but binds no amount.
func TestDeemedAcceptanceBindsNoBuyersAmount(t *testing.T) {
	f := setup(t)
	contractstest.OK[paymenttypes.Order](t, f.Submit("OemMSP", "finance", "payment:CreateOrder", order("O-1", 30, f.Clock.Now())))
	require.True(t, f.amountTx("SupplierMSP", "", "payment:PutOrderAmount", 1000, "O-1").Committed)
	contractstest.OK[paymenttypes.Order](t, f.Submit("SupplierMSP", "finance", "payment:Ship", "O-1", paymenttypes.DeliveryRequest{ShipmentRef: "SH-1", DeliveryDate: f.Clock.Now()}))
	require.True(t, f.amountTx("OemMSP", "", "payment:PutOrderAmount", 1, "O-1").Committed)
	f.Clock.Advance(14 * 24 * time.Hour)
	o := contractstest.OK[paymenttypes.Order](t, f.Submit("OemMSP", "finance", "payment:ApplyDeadlines", "O-1"))
	require.True(t, o.AutoAccepted)
	assert.Equal(t, paymenttypes.Accepted, o.Status)
	assert.Empty(t, o.AmountHash, "the buyer's own amount is not bound")
	assert.Empty(t, contractstest.OK[paymenttypes.Order](t, f.Read("InsurerMSP", "payment:GetOrder", "O-1")).AmountHash)
}

// Each side has its own cap: one side's proposals never lock the other out.
func TestOpenAmendmentsAreCappedPerSide(t *testing.T) {
	f := setup(t)
	f.accepted(t, "O-1", 1000)
	for i := range 10 {
		f.Clock.Advance(time.Minute)
		contractstest.OK[paymenttypes.AmendmentRef](t, f.amountTx("OemMSP", "", "payment:ProposeAmountAmendment", int64(900+i), "O-1"))
	}
	e := contractstest.FailsWith(t, f.amountTx("OemMSP", "", "payment:ProposeAmountAmendment", 800, "O-1"), ccerr.FailedPrecondition)
	assert.Contains(t, e.Message, "10 open amendment proposals by OemMSP")
	f.Clock.Advance(time.Minute)
	s := contractstest.OK[paymenttypes.AmendmentRef](t, f.amountTx("SupplierMSP", "", "payment:ProposeAmountAmendment", 1100, "O-1"))
	// Accepting one closes it (and supersedes the rest, which stay open
	// in the history): both sides' counts start again.
	contractstest.OK[paymenttypes.AmendmentRef](t, f.amountTx("OemMSP", "", "payment:AcceptAmountAmendment", 0, "O-1", s.ProposalID))
	for i := range 10 {
		f.Clock.Advance(time.Minute)
		contractstest.OK[paymenttypes.AmendmentRef](t, f.amountTx("OemMSP", "", "payment:ProposeAmountAmendment", int64(700+i), "O-1"))
	}
	contractstest.FailsWith(t, f.amountTx("OemMSP", "", "payment:ProposeAmountAmendment", 600, "O-1"), ccerr.FailedPrecondition)
	for i := range 10 {
		f.Clock.Advance(time.Minute)
		contractstest.OK[paymenttypes.AmendmentRef](t, f.amountTx("SupplierMSP", "", "payment:ProposeAmountAmendment", int64(1200+i), "O-1"))
	}
	contractstest.FailsWith(t, f.amountTx("SupplierMSP", "", "payment:ProposeAmountAmendment", 1300, "O-1"), ccerr.FailedPrecondition)
}
