package payment_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/autoledger/autoledger/chaincode/contracts/contractstest"
	"github.com/autoledger/autoledger/chaincode/governance/governancetypes"
	"github.com/autoledger/autoledger/chaincode/mockstub"
	"github.com/autoledger/autoledger/chaincode/part/parttypes"
	"github.com/autoledger/autoledger/chaincode/payment/paymenttypes"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var cst = time.FixedZone("CST", 8*3600)

// fixture is the ledger of every contract, with this package's helpers.
type fixture struct{ *contractstest.Ledger }

func newFixture(t *testing.T, start time.Time) *fixture {
	return &fixture{contractstest.New(t, start)}
}

// setup registers the supplier as an SME party and returns a fixture
// standing on Monday 2026-03-02 10:00 China time.
func setup(t *testing.T) *fixture {
	f := newFixture(t, time.Date(2026, 3, 2, 10, 0, 0, 0, cst).UTC())
	contractstest.OK[paymenttypes.Party](t, f.Submit("SupplierMSP", "finance", "payment:RegisterParty", paymenttypes.PartyRequest{ID: "SupplierMSP", Name: "Tier-1 Co", SME: true}))
	contractstest.OK[paymenttypes.Party](t, f.Submit("OemMSP", "finance", "payment:RegisterParty", paymenttypes.PartyRequest{ID: "OemMSP", Name: "OEM Co"}))
	return f
}

func order(id string, terms int, delivery time.Time) paymenttypes.OrderRequest {
	return paymenttypes.OrderRequest{OrderID: id, Seller: "SupplierMSP", Lines: []paymenttypes.Line{{PartNumber: "PACK-75", Quantity: 10}},
		PaymentTermsDays: terms, ExpectedDeliveryDate: delivery}
}

func TestSMEDueDateNeverLaterThanDeliveryPlus60Days(t *testing.T) {
	f := setup(t)
	delivery := f.Clock.Now() // Monday; the window closes at the end of Thursday
	// 57 days after Friday 00:00 is past delivery + 60 days (the 61st day).
	e := contractstest.FailsWith(t, f.Submit("OemMSP", "finance", "payment:CreateOrder", order("O-57", 57, delivery)), ccerr.InvalidArgument)
	assert.Equal(t, "sme_60_days", e.Fields[0].Rule)
	o := contractstest.OK[paymenttypes.Order](t, f.Submit("OemMSP", "finance", "payment:CreateOrder", order("O-56", 56, delivery)))
	assert.True(t, o.SellerSME)
	assert.Equal(t, "OemMSP", o.Buyer)
	// Terms are refused only for SMEs.
	contractstest.OK[paymenttypes.Party](t, f.Submit("DealerMSP", "finance", "payment:RegisterParty", paymenttypes.PartyRequest{ID: "DealerMSP", Name: "Dealer Co"}))
	big := order("O-D", 90, delivery)
	big.Seller = "DealerMSP"
	contractstest.OK[paymenttypes.Order](t, f.Submit("OemMSP", "finance", "payment:CreateOrder", big))
}

// windowFor ships an order delivered on Thursday 2026-04-02 15:00 under the
// given calendar and returns when its acceptance window closes.
func windowFor(t *testing.T, cal *paymenttypes.CalendarRequest) time.Time {
	f := setup(t)
	if cal != nil {
		f.Govern("CAL", governancetypes.SettingPaymentCalendar, *cal)
	}
	f.Clock.Set(time.Date(2026, 4, 2, 15, 0, 0, 0, cst).UTC())
	contractstest.OK[paymenttypes.Order](t, f.Submit("OemMSP", "finance", "payment:CreateOrder", order("O-1", 30, f.Clock.Now())))
	o := contractstest.OK[paymenttypes.Order](t, f.Submit("SupplierMSP", "finance", "payment:Ship", "O-1", paymenttypes.DeliveryRequest{ShipmentRef: "SH-1", DeliveryDate: f.Clock.Now()}))
	return o.AcceptBy
}

func TestWindowSkipsWeekendAndHolidayAndCountsMakeUpSaturday(t *testing.T) {
	endOf := func(day int) time.Time { return time.Date(2026, 4, day+1, 0, 0, 0, 0, cst).UTC() }
	// Plain week: Fri 3, Mon 6, Tue 7.
	assert.Equal(t, endOf(7), windowFor(t, nil))
	// Friday a holiday: the weekend and the holiday are skipped: Mon 6, Tue 7, Wed 8.
	assert.Equal(t, endOf(8), windowFor(t, &paymenttypes.CalendarRequest{Year: 2026, Holidays: []string{"2026-04-03"}}))
	// And Saturday a make-up working day: Sat 4, Mon 6, Tue 7.
	assert.Equal(t, endOf(7), windowFor(t, &paymenttypes.CalendarRequest{Year: 2026, Holidays: []string{"2026-04-03"}, MakeUpWorkdays: []string{"2026-04-04"}}))
}

func TestAcceptanceAfterTheWindowOnlyThroughApplyDeadlines(t *testing.T) {
	f := setup(t)
	contractstest.OK[paymenttypes.Order](t, f.Submit("OemMSP", "finance", "payment:CreateOrder", order("O-1", 30, f.Clock.Now())))
	contractstest.OK[paymenttypes.Order](t, f.Submit("SupplierMSP", "finance", "payment:Ship", "O-1", paymenttypes.DeliveryRequest{ShipmentRef: "SH-1", DeliveryDate: f.Clock.Now()}))
	f.Clock.Set(time.Date(2026, 3, 6, 0, 0, 1, 0, cst).UTC()) // just after the end of Thursday
	contractstest.FailsWith(t, f.Submit("OemMSP", "finance", "payment:Accept", "O-1"), ccerr.FailedPrecondition)
	contractstest.FailsWith(t, f.Submit("OemMSP", "finance", "payment:Reject", "O-1", paymenttypes.OrderNote{Reason: "late"}), ccerr.FailedPrecondition)
	r := f.Submit("InsurerMSP", "claims", "payment:ApplyDeadlines", "O-1")
	o := contractstest.OK[paymenttypes.Order](t, r)
	assert.Equal(t, paymenttypes.Accepted, o.Status)
	assert.True(t, o.AutoAccepted)
	assert.Equal(t, time.Date(2026, 3, 6, 0, 0, 0, 0, cst).UTC(), o.AcceptedAt)
	assert.Equal(t, paymenttypes.EvPaymentDue, r.Event.Name)
	again := contractstest.OK[paymenttypes.Order](t, f.Submit("DealerMSP", "sales", "payment:ApplyDeadlines", "O-1"))
	assert.Equal(t, o, again, "a duplicate call is harmless")

	// Past the due date, ApplyDeadlines marks the obligation overdue.
	f.Clock.Set(o.DueDate.Add(time.Hour))
	r = f.Submit("OemMSP", "production", "payment:ApplyDeadlines", "O-1")
	assert.True(t, contractstest.OK[paymenttypes.Order](t, r).Overdue)
	assert.Equal(t, paymenttypes.EvPaymentOverdue, r.Event.Name)
}

func TestOrderToSettlementWithSplitReceivable(t *testing.T) {
	f := setup(t)
	contractstest.OK[paymenttypes.Party](t, f.Submit("SupplierMSP", "finance", "payment:RegisterParty", paymenttypes.PartyRequest{ID: "SUB-7", Name: "Cell maker", SME: true}))
	contractstest.FailsWith(t, f.Submit("OemMSP", "production", "payment:CreateOrder", order("O-1", 30, f.Clock.Now())), ccerr.Forbidden)
	contractstest.OK[paymenttypes.Order](t, f.Submit("OemMSP", "finance", "payment:CreateOrder", order("O-1", 30, f.Clock.Now())))

	// The amount goes to the pair's collection only.
	before := f.Keys("", "\U0010FFFF")
	amt := f.Invoke(mockstub.Tx{Creator: f.As("SupplierMSP", "finance"), Function: "payment:PutOrderAmount", Args: []string{"O-1"},
		Transient: map[string][]byte{paymenttypes.AmountTransientKey: []byte(`{"amountMinor":1250000,"currency":"CNY","salt":"0f1e2d3c4b5a69788796a5b4c3d2e1f0"}`)}})
	require.True(t, amt.Committed, amt.Message)
	assert.Equal(t, before, f.Keys("", "\U0010FFFF"))
	read := func(peer string) *mockstub.Result {
		return f.Evaluate(mockstub.Tx{Creator: f.As("OemMSP", "finance"), PeerOrg: peer, Function: "payment:GetAmount", Args: []string{"O-1"}})
	}
	assert.Equal(t, int64(1250000), contractstest.OK[paymenttypes.Amount](t, read("SupplierMSP")).AmountMinor)
	assert.False(t, read("DealerMSP").OK(), "the dealer's peer holds only the hash")
	assert.NotContains(t, string(amt.Event.Payload), "1250000")

	// Serials on the order must have been shipped to the buyer.
	contractstest.OK[parttypes.RegisterResult](t, f.Submit("SupplierMSP", "production", "part:RegisterParts", parttypes.RegisterPartsRequest{PartNumber: "PACK-75",
		Batch: "B1", Manufacturer: "M", ManufacturedAt: f.Clock.Now(), Serials: []string{"PK-1"}}))
	contractstest.FailsWith(t, f.Submit("SupplierMSP", "finance", "payment:Ship", "O-1", paymenttypes.DeliveryRequest{ShipmentRef: "SH-1", DeliveryDate: f.Clock.Now(), Serials: []string{"PK-1"}}), ccerr.FailedPrecondition)
	contractstest.OK[parttypes.Part](t, f.Submit("SupplierMSP", "logistics", "part:Ship", "PK-1", parttypes.ShipRequest{To: "OemMSP", ShipmentRef: "SH-1"}))
	contractstest.FailsWith(t, f.Submit("OemMSP", "finance", "payment:Ship", "O-1", paymenttypes.DeliveryRequest{ShipmentRef: "SH-1", DeliveryDate: f.Clock.Now()}), ccerr.Forbidden)
	contractstest.OK[paymenttypes.Order](t, f.Submit("SupplierMSP", "finance", "payment:Ship", "O-1", paymenttypes.DeliveryRequest{ShipmentRef: "SH-1", DeliveryDate: f.Clock.Now(), Serials: []string{"PK-1"}}))

	f.Clock.Advance(24 * time.Hour)
	contractstest.FailsWith(t, f.Submit("SupplierMSP", "finance", "payment:Accept", "O-1"), ccerr.Forbidden)
	o := contractstest.OK[paymenttypes.Order](t, f.Submit("OemMSP", "finance", "payment:Accept", "O-1"))
	assert.Equal(t, f.Clock.Now().AddDate(0, 0, 30), o.DueDate)

	rec := contractstest.OK[paymenttypes.Receivable](t, f.Submit("SupplierMSP", "finance", "payment:IssueReceivable", "O-1"))
	assert.Equal(t, o.DueDate, rec.MaturesAt)
	rec = contractstest.OK[paymenttypes.Receivable](t, f.Submit("SupplierMSP", "finance", "payment:Split", rec.ReceivableID, "1", paymenttypes.ShareSplitRequest{BP: 4000}))
	contractstest.FailsWith(t, f.Submit("SupplierMSP", "finance", "payment:Split", rec.ReceivableID, "2", paymenttypes.ShareSplitRequest{BP: 4000}), ccerr.FailedPrecondition)
	contractstest.FailsWith(t, f.Submit("OemMSP", "finance", "payment:Transfer", rec.ReceivableID, "2", paymenttypes.ShareTransferRequest{To: "OemMSP"}), ccerr.Forbidden)
	// Share 3 (1,000 bp) goes to the dealer; the supplier cannot pass it on again.
	contractstest.OK[paymenttypes.Party](t, f.Submit("DealerMSP", "admin", "payment:RegisterParty", paymenttypes.PartyRequest{ID: "DealerMSP", Name: "Dealer Co"}))
	rec = contractstest.OK[paymenttypes.Receivable](t, f.Submit("SupplierMSP", "finance", "payment:Split", rec.ReceivableID, "1", paymenttypes.ShareSplitRequest{BP: 1000}))
	rec = contractstest.OK[paymenttypes.Receivable](t, f.Submit("SupplierMSP", "finance", "payment:Transfer", rec.ReceivableID, "3", paymenttypes.ShareTransferRequest{To: "DealerMSP"}))
	contractstest.FailsWith(t, f.Submit("SupplierMSP", "finance", "payment:Transfer", rec.ReceivableID, "3", paymenttypes.ShareTransferRequest{To: "SUB-7"}), ccerr.Forbidden)
	contractstest.FailsWith(t, f.Submit("SupplierMSP", "finance", "payment:Transfer", rec.ReceivableID, "2", paymenttypes.ShareTransferRequest{To: "NOPE"}), ccerr.NotFound)
	// Share 2 (4,000 bp) goes to the sub-supplier, which the supplier registered and acts for.
	rec = contractstest.OK[paymenttypes.Receivable](t, f.Submit("SupplierMSP", "finance", "payment:Transfer", rec.ReceivableID, "2", paymenttypes.ShareTransferRequest{To: "SUB-7"}))
	contractstest.FailsWith(t, f.Submit("SupplierMSP", "finance", "payment:Transfer", rec.ReceivableID, "2", paymenttypes.ShareTransferRequest{To: "SUB-7"}), ccerr.InvalidArgument)
	var sum int64
	for _, s := range rec.Shares {
		sum += s.BP
	}
	assert.Equal(t, int64(paymenttypes.WholeBP), sum)
	assert.Equal(t, "1", rec.Shares[1].Parent)

	pos := contractstest.OK[paymenttypes.Positions](t, f.Read("InsurerMSP", "payment:Positions", "SUB-7"))
	require.Len(t, pos.Receivables, 1)
	assert.Equal(t, paymenttypes.Position{OrderID: "O-1", Counterparty: "OemMSP", DueDate: o.DueDate, ReceivableID: rec.ReceivableID, ShareID: "2", BP: 4000}, pos.Receivables[0])
	pos = contractstest.OK[paymenttypes.Positions](t, f.Read("InsurerMSP", "payment:Positions", "OemMSP"))
	require.Len(t, pos.Payables, 1)
	assert.Equal(t, "SupplierMSP", pos.Payables[0].Counterparty)
	pos = contractstest.OK[paymenttypes.Positions](t, f.Read("InsurerMSP", "payment:Positions", "SupplierMSP"))
	assert.Len(t, pos.Receivables, 1, "share 1 only: the obligation itself is now a voucher")
	contractstest.FailsWith(t, f.Read("InsurerMSP", "payment:Positions", "NOPE"), ccerr.NotFound)

	contractstest.FailsWith(t, f.Submit("OemMSP", "finance", "payment:RecordPayment", "O-1", paymenttypes.PaymentRequest{BankRef: "BK-1", Instrument: "iou"}), ccerr.InvalidArgument)
	contractstest.OK[paymenttypes.Order](t, f.Submit("OemMSP", "finance", "payment:RecordPayment", "O-1", paymenttypes.PaymentRequest{BankRef: "BK-1", Instrument: "cash"}))
	r := f.Submit("SupplierMSP", "finance", "payment:ConfirmReceipt", "O-1")
	assert.Equal(t, paymenttypes.Settled, contractstest.OK[paymenttypes.Order](t, r).Status)
	require.Equal(t, paymenttypes.EvPaymentSettled, r.Event.Name)
	var ev paymenttypes.PaymentSettled
	require.NoError(t, json.Unmarshal(r.Event.Payload, &ev))
	assert.Equal(t, "O-1", ev.OrderID)
	assert.Equal(t, []paymenttypes.Holder{{Party: "SupplierMSP", BP: 5000}, {Party: "SUB-7", BP: 4000}, {Party: "DealerMSP", BP: 1000}}, ev.Holders)
	contractstest.FailsWith(t, f.Submit("SupplierMSP", "finance", "payment:Split", rec.ReceivableID, "1", paymenttypes.ShareSplitRequest{BP: 10}), ccerr.FailedPrecondition)
	for _, p := range []string{"SUB-7", "OemMSP", "SupplierMSP", "DealerMSP"} {
		pos := contractstest.OK[paymenttypes.Positions](t, f.Read("InsurerMSP", "payment:Positions", p))
		assert.Empty(t, pos.Payables, p)
		assert.Empty(t, pos.Receivables, "%s: settled positions are closed", p)
	}
}

func TestDisputeHoldsAndReleases(t *testing.T) {
	f := setup(t)
	contractstest.OK[paymenttypes.Order](t, f.Submit("OemMSP", "finance", "payment:CreateOrder", order("O-1", 30, f.Clock.Now())))
	require.True(t, f.amountTx("SupplierMSP", "", "payment:PutOrderAmount", 1000, "O-1").Committed)
	contractstest.OK[paymenttypes.Order](t, f.Submit("SupplierMSP", "finance", "payment:Ship", "O-1", paymenttypes.DeliveryRequest{ShipmentRef: "SH-1", DeliveryDate: f.Clock.Now()}))
	contractstest.OK[paymenttypes.Order](t, f.Submit("OemMSP", "finance", "payment:Accept", "O-1"))
	contractstest.FailsWith(t, f.Submit("DealerMSP", "finance", "payment:Dispute", "O-1", paymenttypes.OrderNote{Reason: "x"}), ccerr.Forbidden)
	o := contractstest.OK[paymenttypes.Order](t, f.Submit("SupplierMSP", "finance", "payment:Dispute", "O-1", paymenttypes.OrderNote{Reason: "short delivery"}))
	assert.Equal(t, paymenttypes.Disputed, o.Status)
	contractstest.FailsWith(t, f.Submit("OemMSP", "finance", "payment:RecordPayment", "O-1", paymenttypes.PaymentRequest{BankRef: "B", Instrument: "cash"}), ccerr.FailedPrecondition)
	o = contractstest.OK[paymenttypes.Order](t, f.Submit("OemMSP", "finance", "payment:ResolveDispute", "O-1", paymenttypes.OrderNote{Reason: "credited"}))
	assert.Equal(t, paymenttypes.Accepted, o.Status)
}

func TestPartiesAndCalendarRules(t *testing.T) {
	f := setup(t)
	contractstest.FailsWith(t, f.Submit("DealerMSP", "finance", "payment:RegisterParty", paymenttypes.PartyRequest{ID: "OemMSP", Name: "x"}), ccerr.Forbidden)
	contractstest.FailsWith(t, f.Submit("SupplierMSP", "finance", "payment:RegisterParty", paymenttypes.PartyRequest{ID: "SupplierMSP", Name: "x"}), ccerr.AlreadyExists)
	// The calendar is a consortium setting; a proposal is checked with the calendar's own rules.
	badCal := mockstub.JSON(paymenttypes.CalendarRequest{Year: 2026, UTCOffset: "+25:00", Holidays: []string{"2027-01-01"}, MakeUpWorkdays: []string{"soon"}})
	e := contractstest.FailsWith(t, f.Submit("OemMSP", "admin", "governance:Propose", governancetypes.ProposalRequest{ID: "CAL",
		Setting: governancetypes.SettingPaymentCalendar, Value: badCal}), ccerr.InvalidArgument)
	assert.Len(t, e.Fields, 3)
	unknown := order("O-X", 30, f.Clock.Now())
	unknown.Seller = "NOPE"
	contractstest.FailsWith(t, f.Submit("OemMSP", "finance", "payment:CreateOrder", unknown), ccerr.NotFound)
	self := order("O-Y", 30, f.Clock.Now())
	self.Seller = "OemMSP"
	contractstest.FailsWith(t, f.Submit("OemMSP", "finance", "payment:CreateOrder", self), ccerr.InvalidArgument)
}

func TestRejectionQueriesAndAmountRules(t *testing.T) {
	f := setup(t)
	contractstest.OK[paymenttypes.Party](t, f.Submit("InsurerMSP", "admin", "payment:RegisterParty", paymenttypes.PartyRequest{ID: "InsurerMSP", Name: "Ins Co"}))
	contractstest.OK[paymenttypes.Order](t, f.Submit("OemMSP", "finance", "payment:CreateOrder", order("O-1", 30, f.Clock.Now())))
	contractstest.FailsWith(t, f.Submit("OemMSP", "finance", "payment:CreateOrder", order("O-1", 30, f.Clock.Now())), ccerr.AlreadyExists)
	contractstest.FailsWith(t, f.Invoke(mockstub.Tx{Creator: f.As("OemMSP", "finance"), Function: "payment:PutOrderAmount", Args: []string{"O-1"}}), ccerr.MissingTransient)
	bad := f.Invoke(mockstub.Tx{Creator: f.As("OemMSP", "finance"), Function: "payment:PutOrderAmount", Args: []string{"O-1"},
		Transient: map[string][]byte{paymenttypes.AmountTransientKey: []byte(`{"amountMinor":0,"currency":"yuan","salt":"s"}`)}})
	e := contractstest.FailsWith(t, bad, ccerr.InvalidArgument)
	assert.Len(t, e.Fields, 3)
	ins := order("O-2", 30, f.Clock.Now())
	ins.Seller = "InsurerMSP"
	contractstest.OK[paymenttypes.Order](t, f.Submit("OemMSP", "finance", "payment:CreateOrder", ins))
	contractstest.FailsWith(t, f.Invoke(mockstub.Tx{Creator: f.As("OemMSP", "finance"), Function: "payment:PutOrderAmount", Args: []string{"O-2"},
		Transient: map[string][]byte{paymenttypes.AmountTransientKey: []byte(`{"amountMinor":1,"currency":"CNY","salt":"0123456789abcdef0123456789abcdef"}`)}}), ccerr.FailedPrecondition)

	contractstest.FailsWith(t, f.Submit("OemMSP", "finance", "payment:Accept", "O-1"), ccerr.FailedPrecondition)
	contractstest.OK[paymenttypes.Order](t, f.Submit("SupplierMSP", "finance", "payment:Ship", "O-1", paymenttypes.DeliveryRequest{ShipmentRef: "SH-1", DeliveryDate: f.Clock.Now()}))
	contractstest.FailsWith(t, f.Submit("SupplierMSP", "finance", "payment:IssueReceivable", "O-1"), ccerr.FailedPrecondition)
	o := contractstest.OK[paymenttypes.Order](t, f.Submit("OemMSP", "finance", "payment:Reject", "O-1", paymenttypes.OrderNote{Reason: "damaged"}))
	assert.Equal(t, paymenttypes.Rejected, o.Status)

	got := contractstest.OK[paymenttypes.Order](t, f.Read("DealerMSP", "payment:GetOrder", "O-1"))
	assert.Equal(t, "damaged", got.RejectReason)
	assert.True(t, contractstest.OK[paymenttypes.Party](t, f.Read("DealerMSP", "payment:GetParty", "SupplierMSP")).SME)
	contractstest.FailsWith(t, f.Read("DealerMSP", "payment:GetReceivable", "O-1-R"), ccerr.NotFound)
}

func TestReceivableTenorAndCalendarOffset(t *testing.T) {
	f := setup(t)
	contractstest.OK[paymenttypes.Party](t, f.Submit("DealerMSP", "finance", "payment:RegisterParty", paymenttypes.PartyRequest{ID: "DealerMSP", Name: "Dealer Co"}))
	long := order("O-L", 200, f.Clock.Now())
	long.Seller = "DealerMSP"
	contractstest.OK[paymenttypes.Order](t, f.Submit("OemMSP", "finance", "payment:CreateOrder", long))
	contractstest.OK[paymenttypes.Order](t, f.Submit("DealerMSP", "finance", "payment:Ship", "O-L", paymenttypes.DeliveryRequest{ShipmentRef: "SH", DeliveryDate: f.Clock.Now()}))
	require.True(t, f.amountTx("DealerMSP", "", "payment:PutOrderAmount", 1000, "O-L").Committed)
	o := contractstest.OK[paymenttypes.Order](t, f.Submit("OemMSP", "finance", "payment:Accept", "O-L"))
	assert.Equal(t, f.Clock.Now().AddDate(0, 0, 200), o.DueDate, "no SME cap for a non-SME seller")
	e := contractstest.FailsWith(t, f.Submit("DealerMSP", "finance", "payment:IssueReceivable", "O-L"), ccerr.FailedPrecondition)
	assert.Contains(t, e.Message, "180 days")

	// A calendar with its own offset: +05:30 moves the local day boundary.
	p := f.Govern("CAL-2027", governancetypes.SettingPaymentCalendar, paymenttypes.CalendarRequest{Year: 2027, UTCOffset: "+05:30"})
	assert.JSONEq(t, `{"year":2027,"utcOffset":"+05:30"}`, p.Value)
	var cal paymenttypes.Calendar
	require.NoError(t, json.Unmarshal(f.State("\x00calendar\x002027\x00"), &cal))
	assert.Equal(t, 330, cal.OffsetMinutes)
	assert.Equal(t, "CAL-2027", cal.Proposal)
	e = contractstest.FailsWith(t, f.Submit("OemMSP", "finance", "payment:CreateOrder", paymenttypes.OrderRequest{OrderID: "bad id!", Seller: "x|y", Lines: []paymenttypes.Line{}, PaymentTermsDays: -1}), ccerr.InvalidArgument)
	assert.GreaterOrEqual(t, len(e.Fields), 4)
}
