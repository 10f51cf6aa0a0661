package governance_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/autoledger/autoledger/chaincode/access"
	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/autoledger/autoledger/chaincode/contracts"
	"github.com/autoledger/autoledger/chaincode/contracts/contractstest"
	"github.com/autoledger/autoledger/chaincode/governance"
	gt "github.com/autoledger/autoledger/chaincode/governance/governancetypes"
	"github.com/autoledger/autoledger/chaincode/kit"
	"github.com/autoledger/autoledger/chaincode/mockstub"
	"github.com/autoledger/autoledger/chaincode/payment/paymenttypes"
	"github.com/autoledger/autoledger/chaincode/rules"
	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var cst = time.FixedZone("CST", 8*3600)

// Thursday 2026-04-02 15:00 China time: a delivery now has its acceptance
// window close at the end of Tuesday 7 April, or of Wednesday 8 April when
// Friday 3 April is a holiday.
var (
	delivery   = time.Date(2026, 4, 2, 15, 0, 0, 0, cst).UTC()
	plainEnd   = time.Date(2026, 4, 8, 0, 0, 0, 0, cst).UTC()
	holidayEnd = time.Date(2026, 4, 9, 0, 0, 0, 0, cst).UTC()
)

// holidayCalendar is 2026 with Friday 3 April a holiday, as JSON text.
func holidayCalendar(t *testing.T) string {
	b, err := json.Marshal(paymenttypes.CalendarRequest{Year: 2026, Holidays: []string{"2026-04-03"}})
	require.NoError(t, err)
	return string(b)
}

func propose(id, value string) gt.ProposalRequest {
	return gt.ProposalRequest{ID: id, Setting: gt.SettingPaymentCalendar, Value: value}
}

func newLedger(t *testing.T) *contractstest.Ledger {
	return contractstest.New(t, delivery)
}

// calendar2026 is the 2026 calendar the payment contract reads, or nil.
func calendar2026(t *testing.T, l *contractstest.Ledger) *paymenttypes.Calendar {
	k, err := shim.CreateCompositeKey("calendar", []string{"2026"})
	require.NoError(t, err)
	b := l.State(k)
	if b == nil {
		return nil
	}
	var c paymenttypes.Calendar
	require.NoError(t, json.Unmarshal(b, &c))
	return &c
}

// acceptBy ships a fresh order delivered now and returns when its
// acceptance window closes: what the payment contract makes of the
// calendar in force.
func acceptBy(t *testing.T, l *contractstest.Ledger, id string) time.Time {
	if l.State(mustKey(t, "party", "SupplierMSP")) == nil {
		contractstest.OK[paymenttypes.Party](t, l.Submit("SupplierMSP", "finance", "payment:RegisterParty", paymenttypes.PartyRequest{ID: "SupplierMSP", Name: "Tier-1 Co"}))
	}
	contractstest.OK[paymenttypes.Order](t, l.Submit("OemMSP", "finance", "payment:CreateOrder", paymenttypes.OrderRequest{OrderID: id,
		Seller: "SupplierMSP", Lines: []paymenttypes.Line{{PartNumber: "PACK-75", Quantity: 1}}, PaymentTermsDays: 30, ExpectedDeliveryDate: delivery}))
	o := contractstest.OK[paymenttypes.Order](t, l.Submit("SupplierMSP", "finance", "payment:Ship", id, paymenttypes.DeliveryRequest{ShipmentRef: "SH-" + id, DeliveryDate: delivery}))
	return o.AcceptBy
}

func mustKey(t *testing.T, object string, parts ...string) string {
	k, err := shim.CreateCompositeKey(object, parts)
	require.NoError(t, err)
	return k
}

func TestMajorityIsStrictlyMoreThanHalf(t *testing.T) {
	for members, want := range map[int]int{1: 1, 2: 2, 3: 2, 4: 3, 5: 3, 6: 4} {
		assert.Equal(t, want, governance.Majority(members), "%d members", members)
	}
}

func TestCalendarTakesEffectOnlyWhenAMajorityApproved(t *testing.T) {
	l := newLedger(t)
	p := contractstest.OK[gt.Proposal](t, l.Submit("OemMSP", "admin", "governance:Propose", propose("CAL-1", holidayCalendar(t))))
	assert.Equal(t, gt.Open, p.Status)
	assert.Equal(t, "2026", p.Scope)
	assert.Equal(t, 3, p.Required, "3 of 4 members")
	assert.Equal(t, []gt.Approval{{MSP: "OemMSP", At: delivery}}, p.Approvals, "the proposer's org approves by proposing")
	assert.Equal(t, gt.HashValue([]byte(p.Value)), p.ValueHash)

	// Too few: the proposer and one more org are half of four, not a majority.
	r := l.Submit("SupplierMSP", "admin", "governance:Approve", "CAL-1")
	p = contractstest.OK[gt.Proposal](t, r)
	assert.Equal(t, gt.Open, p.Status)
	assert.Equal(t, gt.EvProposalApproved, r.Event.Name)
	assert.Nil(t, calendar2026(t, l), "two approvals of four put nothing in force")
	assert.Equal(t, plainEnd, acceptBy(t, l, "O-1"), "the windows still ignore the proposed holiday")

	// The third org makes the majority: the calendar is in force in that transaction.
	r = l.Submit("DealerMSP", "admin", "governance:Approve", "CAL-1")
	p = contractstest.OK[gt.Proposal](t, r)
	assert.Equal(t, gt.Applied, p.Status)
	assert.Equal(t, delivery, p.ClosedAt)
	require.NotNil(t, r.Event)
	assert.Equal(t, gt.EvSettingApplied, r.Event.Name)
	var ev gt.SettingApplied
	require.NoError(t, json.Unmarshal(r.Event.Payload, &ev))
	assert.Equal(t, gt.SettingApplied{ID: "CAL-1", Setting: gt.SettingPaymentCalendar, Scope: "2026", ValueHash: p.ValueHash,
		ApprovedBy: []string{"DealerMSP", "OemMSP", "SupplierMSP"}}, ev)
	cal := calendar2026(t, l)
	require.NotNil(t, cal)
	assert.Equal(t, []string{"2026-04-03"}, cal.Holidays)
	assert.Equal(t, "CAL-1", cal.Proposal)
	assert.Equal(t, []string{"DealerMSP", "OemMSP", "SupplierMSP"}, cal.ApprovedBy)
	assert.Equal(t, holidayEnd, acceptBy(t, l, "O-2"), "the windows skip the approved holiday")

	// Once applied, a proposal is closed: the fourth org cannot approve it,
	// and a later proposal for the year starts again from one approval.
	contractstest.FailsWith(t, l.Submit("InsurerMSP", "admin", "governance:Approve", "CAL-1"), ccerr.FailedPrecondition)
	p = contractstest.OK[gt.Proposal](t, l.Submit("InsurerMSP", "admin", "governance:Propose", propose("CAL-2", `{"year":2026}`)))
	assert.Equal(t, gt.Open, p.Status)
	assert.NotNil(t, calendar2026(t, l).Holidays, "the applied calendar stays until a majority approves another")
}

func TestAnOrgApprovesOnce(t *testing.T) {
	l := newLedger(t)
	contractstest.OK[gt.Proposal](t, l.Submit("OemMSP", "admin", "governance:Propose", propose("CAL-1", holidayCalendar(t))))
	// The proposer's org has approved by proposing.
	contractstest.FailsWith(t, l.Submit("OemMSP", "admin", "governance:Approve", "CAL-1"), ccerr.AlreadyExists)
	contractstest.OK[gt.Proposal](t, l.Submit("SupplierMSP", "admin", "governance:Approve", "CAL-1"))
	e := contractstest.FailsWith(t, l.Submit("SupplierMSP", "admin", "governance:Approve", "CAL-1"), ccerr.AlreadyExists)
	assert.Contains(t, e.Message, "SupplierMSP has already approved")
	p := contractstest.OK[gt.Proposal](t, l.Read("InsurerMSP", "governance:Get", "CAL-1"))
	assert.Len(t, p.Approvals, 2, "a refused second approval does not count")
	assert.Equal(t, gt.Open, p.Status)
	assert.Nil(t, calendar2026(t, l))
}

func TestANewerProposalSupersedesTheOrgsOwnOpenOne(t *testing.T) {
	l := newLedger(t)
	contractstest.OK[gt.Proposal](t, l.Submit("OemMSP", "admin", "governance:Propose", propose("CAL-1", holidayCalendar(t))))
	contractstest.OK[gt.Proposal](t, l.Submit("SupplierMSP", "admin", "governance:Approve", "CAL-1"))
	// Another year's calendar is another scope: it supersedes nothing.
	other := contractstest.OK[gt.Proposal](t, l.Submit("OemMSP", "admin", "governance:Propose", propose("CAL-2027", `{"year":2027}`)))
	assert.Equal(t, "2027", other.Scope)
	assert.Equal(t, gt.Open, contractstest.OK[gt.Proposal](t, l.Read("OemMSP", "governance:Get", "CAL-1")).Status)

	l.Clock.Advance(time.Minute)
	r := l.Submit("OemMSP", "admin", "governance:Propose", propose("CAL-2", `{"year":2026,"utcOffset":"+08:00"}`))
	contractstest.OK[gt.Proposal](t, r)
	var ev gt.ProposalCreated
	require.NoError(t, json.Unmarshal(r.Event.Payload, &ev))
	assert.Equal(t, "CAL-1", ev.Supersedes)
	old := contractstest.OK[gt.Proposal](t, l.Read("OemMSP", "governance:Get", "CAL-1"))
	assert.Equal(t, gt.Superseded, old.Status)
	assert.Equal(t, "CAL-2", old.SupersededBy)

	// Approving the superseded proposal is refused, though it would have made the majority.
	e := contractstest.FailsWith(t, l.Submit("DealerMSP", "admin", "governance:Approve", "CAL-1"), ccerr.FailedPrecondition)
	assert.Contains(t, e.Message, "superseded by CAL-2")
	assert.Nil(t, calendar2026(t, l))
	contractstest.FailsWith(t, l.Submit("OemMSP", "admin", "governance:Withdraw", "CAL-1"), ccerr.FailedPrecondition)

	// The newer one goes its own way; the other year's proposal stays open.
	contractstest.OK[gt.Proposal](t, l.Submit("DealerMSP", "admin", "governance:Approve", "CAL-2"))
	p := contractstest.OK[gt.Proposal](t, l.Submit("SupplierMSP", "admin", "governance:Approve", "CAL-2"))
	assert.Equal(t, gt.Applied, p.Status)
	assert.Empty(t, calendar2026(t, l).Holidays)
	assert.Equal(t, gt.Open, contractstest.OK[gt.Proposal](t, l.Read("OemMSP", "governance:Get", "CAL-2027")).Status)
}

// No org can close another org's proposal by proposing for its scope: the
// two stand side by side, and the one applied supersedes the other.
func TestAnotherOrgsProposalDoesNotSupersede(t *testing.T) {
	l := newLedger(t)
	contractstest.OK[gt.Proposal](t, l.Submit("OemMSP", "admin", "governance:Propose", propose("CAL-A", holidayCalendar(t))))
	contractstest.OK[gt.Proposal](t, l.Submit("SupplierMSP", "admin", "governance:Approve", "CAL-A"))
	r := l.Submit("InsurerMSP", "admin", "governance:Propose", propose("CAL-B", `{"year":2026}`))
	contractstest.OK[gt.Proposal](t, r)
	var created gt.ProposalCreated
	require.NoError(t, json.Unmarshal(r.Event.Payload, &created))
	assert.Empty(t, created.Supersedes)
	// The insurer proposes again: that supersedes only its own.
	r = l.Submit("InsurerMSP", "admin", "governance:Propose", propose("CAL-C", `{"year":2026,"holidays":["2026-01-02"]}`))
	contractstest.OK[gt.Proposal](t, r)
	require.NoError(t, json.Unmarshal(r.Event.Payload, &created))
	assert.Equal(t, "CAL-B", created.Supersedes)
	a := contractstest.OK[gt.Proposal](t, l.Read("DealerMSP", "governance:Get", "CAL-A"))
	assert.Equal(t, gt.Open, a.Status, "another org's proposal does not close OemMSP's")
	assert.Len(t, a.Approvals, 2)

	// A's third approval makes the majority: A applies and C is closed in that transaction.
	r = l.Submit("DealerMSP", "admin", "governance:Approve", "CAL-A")
	a = contractstest.OK[gt.Proposal](t, r)
	assert.Equal(t, gt.Applied, a.Status)
	var applied gt.SettingApplied
	require.NoError(t, json.Unmarshal(r.Event.Payload, &applied))
	assert.Equal(t, []string{"CAL-C"}, applied.Superseded)
	assert.Equal(t, []string{"2026-04-03"}, calendar2026(t, l).Holidays)
	c := contractstest.OK[gt.Proposal](t, l.Read("DealerMSP", "governance:Get", "CAL-C"))
	assert.Equal(t, gt.Superseded, c.Status)
	assert.Equal(t, "CAL-A", c.SupersededBy)
	assert.Equal(t, delivery, c.ClosedAt)
	e := contractstest.FailsWith(t, l.Submit("OemMSP", "admin", "governance:Approve", "CAL-C"), ccerr.FailedPrecondition)
	assert.Contains(t, e.Message, "superseded by CAL-A")
	contractstest.FailsWith(t, l.Submit("InsurerMSP", "admin", "governance:Withdraw", "CAL-C"), ccerr.FailedPrecondition)
	assert.Equal(t, []string{"2026-04-03"}, calendar2026(t, l).Holidays, "the refused approval changed nothing")

	// The insurer may propose for the year again, from one approval.
	p := contractstest.OK[gt.Proposal](t, l.Submit("InsurerMSP", "admin", "governance:Propose", propose("CAL-D", `{"year":2026}`)))
	assert.Equal(t, gt.Open, p.Status)
}

// An org has at most MaxOpenPerOrg open proposals per setting; one that
// supersedes its own does not count, and other orgs are not affected.
func TestOpenProposalsPerOrgAreCapped(t *testing.T) {
	l := newLedger(t)
	for i := range gt.MaxOpenPerOrg {
		year := 2030 + i
		contractstest.OK[gt.Proposal](t, l.Submit("OemMSP", "admin", "governance:Propose",
			propose(fmt.Sprintf("CAL-%d", year), fmt.Sprintf(`{"year":%d}`, year))))
	}
	e := contractstest.FailsWith(t, l.Submit("OemMSP", "admin", "governance:Propose", propose("CAL-2040", `{"year":2040}`)), ccerr.FailedPrecondition)
	assert.Contains(t, e.Message, "withdraw one first")
	contractstest.FailsWith(t, l.Read("OemMSP", "governance:Get", "CAL-2040"), ccerr.NotFound)
	// Superseding its own proposal for a year keeps the count.
	contractstest.OK[gt.Proposal](t, l.Submit("OemMSP", "admin", "governance:Propose", propose("CAL-2030-B", `{"year":2030,"holidays":["2030-01-02"]}`)))
	contractstest.OK[gt.Proposal](t, l.Submit("DealerMSP", "admin", "governance:Propose", propose("D-2040", `{"year":2040}`)))
	// A withdrawal frees a place.
	contractstest.OK[gt.Proposal](t, l.Submit("OemMSP", "admin", "governance:Withdraw", "CAL-2031"))
	contractstest.OK[gt.Proposal](t, l.Submit("OemMSP", "admin", "governance:Propose", propose("CAL-2040", `{"year":2040}`)))
}

func TestListIsPaged(t *testing.T) {
	l := newLedger(t)
	for _, id := range []string{"CAL-C", "CAL-A", "CAL-B"} {
		contractstest.OK[gt.Proposal](t, l.Submit("OemMSP", "admin", "governance:Propose", propose(id, holidayCalendar(t))))
	}
	var ids []string
	bookmark := ""
	for pages := 0; ; pages++ {
		require.Less(t, pages, 3)
		page := contractstest.OK[gt.ProposalPage](t, l.Read("SupplierMSP", "governance:List", "", "2", bookmark))
		assert.LessOrEqual(t, len(page.Proposals), 2)
		for _, p := range page.Proposals {
			ids = append(ids, p.ID)
		}
		if bookmark = page.Bookmark; bookmark == "" {
			break
		}
	}
	assert.Equal(t, []string{"CAL-A", "CAL-B", "CAL-C"}, ids, "in ID order")
	page := contractstest.OK[gt.ProposalPage](t, l.Read("SupplierMSP", "governance:List", gt.SettingPaymentCalendar, "1000", ""))
	assert.Len(t, page.Proposals, 3)
	assert.Empty(t, page.Bookmark)
	contractstest.FailsWith(t, l.Read("SupplierMSP", "governance:List", "payment.nothing", "10", ""), ccerr.InvalidArgument)
	contractstest.FailsWith(t, l.Read("SupplierMSP", "governance:List", "", "0", ""), ccerr.PageLimitExceeded)
	contractstest.FailsWith(t, l.Read("SupplierMSP", "governance:List", "", "1001", ""), ccerr.PageLimitExceeded)
	contractstest.FailsWith(t, l.Read("SupplierMSP", "governance:List", "", "10", mustKey(t, "calendar", "2026")), ccerr.InvalidArgument)
}

func TestWithdrawOnlyByTheProposersOrg(t *testing.T) {
	l := newLedger(t)
	contractstest.OK[gt.Proposal](t, l.Submit("OemMSP", "admin", "governance:Propose", propose("CAL-1", holidayCalendar(t))))
	contractstest.OK[gt.Proposal](t, l.Submit("SupplierMSP", "admin", "governance:Approve", "CAL-1"))
	contractstest.FailsWith(t, l.Submit("SupplierMSP", "admin", "governance:Withdraw", "CAL-1"), ccerr.Forbidden)
	r := l.Submit("OemMSP", "admin", "governance:Withdraw", "CAL-1")
	p := contractstest.OK[gt.Proposal](t, r)
	assert.Equal(t, gt.Withdrawn, p.Status)
	assert.Equal(t, gt.EvProposalWithdrawn, r.Event.Name)
	contractstest.FailsWith(t, l.Submit("DealerMSP", "admin", "governance:Approve", "CAL-1"), ccerr.FailedPrecondition)
	assert.Nil(t, calendar2026(t, l))
	// A withdrawn proposal no longer blocks the year: a new one is open on its own.
	p = contractstest.OK[gt.Proposal](t, l.Submit("DealerMSP", "admin", "governance:Propose", propose("CAL-2", holidayCalendar(t))))
	assert.Equal(t, gt.Open, p.Status)
	contractstest.FailsWith(t, l.Submit("DealerMSP", "admin", "governance:Withdraw", "NOPE"), ccerr.NotFound)
}

func TestProposalsAreChecked(t *testing.T) {
	l := newLedger(t)
	contractstest.OK[gt.Proposal](t, l.Submit("OemMSP", "admin", "governance:Propose", propose("CAL-1", holidayCalendar(t))))
	contractstest.FailsWith(t, l.Submit("DealerMSP", "admin", "governance:Propose", propose("CAL-1", holidayCalendar(t))), ccerr.AlreadyExists)
	for name, req := range map[string]gt.ProposalRequest{
		"unknown setting":      {ID: "X", Setting: "payment.nothing", Value: "{}"},
		"not JSON":             propose("X", "{year"),
		"not an object":        propose("X", "[2026]"),
		"empty":                propose("X", ""),
		"unknown field":        propose("X", `{"year":2026,"holiday":["2026-04-03"]}`),
		"calendar rule":        propose("X", `{"year":2026,"holidays":["2027-01-01"]}`),
		"bad id":               propose("bad id!", "{}"),
		"value past the limit": propose("X", `{"year":2026,"utcOffset":"`+string(make([]byte, gt.MaxValueBytes))+`"}`),
	} {
		t.Run(name, func(t *testing.T) {
			contractstest.FailsWith(t, l.Submit("OemMSP", "admin", "governance:Propose", req), ccerr.InvalidArgument)
		})
	}
	contractstest.FailsWith(t, l.Read("OemMSP", "governance:Get", "NOPE"), ccerr.NotFound)
	contractstest.FailsWith(t, l.Submit("OemMSP", "admin", "governance:Approve", "NOPE"), ccerr.NotFound)
}

// Two spellings of one calendar are one value: the same canonical JSON and hash.
func TestCalendarValuesAreCanonical(t *testing.T) {
	l := newLedger(t)
	a := contractstest.OK[gt.Proposal](t, l.Submit("OemMSP", "admin", "governance:Propose",
		propose("A", `{"holidays":["2026-04-03","2026-01-01","2026-04-03"],"year":2026}`)))
	b := contractstest.OK[gt.Proposal](t, l.Submit("OemMSP", "admin", "governance:Propose",
		propose("B", `{"year":2026,"utcOffset":"+08:00","holidays":["2026-01-01","2026-04-03"]}`)))
	assert.Equal(t, a.Value, b.Value)
	assert.Equal(t, a.ValueHash, b.ValueHash)
	assert.JSONEq(t, `{"year":2026,"utcOffset":"+08:00","holidays":["2026-01-01","2026-04-03"]}`, a.Value)
}

// Only org admins propose, approve and withdraw; any member's user reads.
func TestAccess(t *testing.T) {
	l := newLedger(t)
	contractstest.OK[gt.Proposal](t, l.Submit("OemMSP", "admin", "governance:Propose", propose("CAL-1", holidayCalendar(t))))
	for _, c := range []struct{ msp, role, fn string }{
		{"OemMSP", "finance", "governance:Propose"},
		{"SupplierMSP", "finance", "governance:Approve"},
		{"DealerMSP", "service", "governance:Approve"},
		{"InsurerMSP", "claims", "governance:Approve"},
		{"OemMSP", "quality", "governance:Withdraw"},
		{"SupplierMSP", "", "governance:Approve"},
		{"OutsiderMSP", "admin", "governance:Approve"},
		{"OutsiderMSP", "admin", "governance:Get"},
	} {
		arg := any("CAL-1")
		if c.fn == "governance:Propose" {
			arg = propose("CAL-9", holidayCalendar(t))
		}
		contractstest.FailsWith(t, l.Submit(c.msp, c.role, c.fn, arg), ccerr.Forbidden)
	}
	p := contractstest.OK[gt.Proposal](t, l.Read("InsurerMSP", "governance:Get", "CAL-1"))
	assert.Len(t, p.Approvals, 1, "no refused call counted")
}

// Every listed setting has an applier, and NewContract refuses any other.
func TestSettingsAndAppliersAgree(t *testing.T) {
	var names []string
	for _, s := range contracts.Settings() {
		names = append(names, s.Name)
	}
	assert.ElementsMatch(t, gt.Settings, names)
	_, err := governance.NewContract(nil)
	assert.ErrorContains(t, err, "no applier")
	noop := func(kit.Tx, gt.Proposal) error { return nil }
	prep := func(v []byte) ([]byte, string, error) { return v, "", nil }
	_, err = governance.NewContract([]governance.Setting{{Name: "payment.nothing", Prepare: prep, Apply: noop}})
	assert.ErrorContains(t, err, "payment.nothing")
	max, ok := rules.Limit[gt.ProposalRequest]("Value", "max")
	assert.True(t, ok)
	assert.Equal(t, float64(gt.MaxValueBytes), max)
	assert.Len(t, access.Members, 4)
}

// A failed ledger read is a fault, never "no such proposal": Propose does
// not write over a proposal it could not read, nor over an open one.
func TestFailedReadsAreFaults(t *testing.T) {
	l := newLedger(t)
	contractstest.OK[gt.Proposal](t, l.Submit("OemMSP", "admin", "governance:Propose", propose("CAL-1", holidayCalendar(t))))
	disk := errors.New("state database unreachable")
	for _, c := range []struct {
		key string // the prefix of the keys whose reads fail
		tx  func() *mockstub.Result
	}{
		// A new ID whose existence check fails: nothing else stops the write.
		{mustKey(t, "gov.proposal", "CAL-2027"), func() *mockstub.Result {
			return l.Submit("DealerMSP", "admin", "governance:Propose", propose("CAL-2027", `{"year":2027}`))
		}},
		{mustKey(t, "gov.open"), func() *mockstub.Result {
			return l.Submit("DealerMSP", "admin", "governance:Propose", propose("CAL-2", holidayCalendar(t)))
		}},
		{mustKey(t, "gov.proposal"), func() *mockstub.Result { return l.Submit("DealerMSP", "admin", "governance:Approve", "CAL-1") }},
		{mustKey(t, "gov.proposal"), func() *mockstub.Result { return l.Submit("OemMSP", "admin", "governance:Withdraw", "CAL-1") }},
		{mustKey(t, "gov.proposal"), func() *mockstub.Result { return l.Read("OemMSP", "governance:Get", "CAL-1") }},
		{mustKey(t, "gov.proposal"), func() *mockstub.Result { return l.Read("OemMSP", "governance:List", "", "10", "") }},
	} {
		l.FailReads(mockstub.FailPrefix(c.key, disk))
		contractstest.FailsInternally(t, c.tx(), disk.Error())
		l.FailReads(nil)
	}
	p := contractstest.OK[gt.Proposal](t, l.Read("OemMSP", "governance:Get", "CAL-1"))
	assert.Equal(t, gt.Open, p.Status)
	assert.Len(t, p.Approvals, 1)
}

// The approval that applies a proposal reads the other orgs' open ones to
// close them: a failed read there fails the approval, nothing applied.
func TestFailedReadsOfRivalsFailTheApplyingApproval(t *testing.T) {
	l := newLedger(t)
	contractstest.OK[gt.Proposal](t, l.Submit("OemMSP", "admin", "governance:Propose", propose("CAL-1", holidayCalendar(t))))
	contractstest.OK[gt.Proposal](t, l.Submit("SupplierMSP", "admin", "governance:Approve", "CAL-1"))
	contractstest.OK[gt.Proposal](t, l.Submit("InsurerMSP", "admin", "governance:Propose", propose("CAL-R", `{"year":2026}`)))
	disk := errors.New("state database unreachable")
	for _, prefix := range []string{mustKey(t, "gov.open"), mustKey(t, "gov.proposal", "CAL-R")} {
		l.FailReads(mockstub.FailPrefix(prefix, disk))
		contractstest.FailsInternally(t, l.Submit("DealerMSP", "admin", "governance:Approve", "CAL-1"), disk.Error())
		l.FailReads(nil)
	}
	assert.Nil(t, calendar2026(t, l))
	assert.Equal(t, gt.Open, contractstest.OK[gt.Proposal](t, l.Read("OemMSP", "governance:Get", "CAL-R")).Status)
	assert.Equal(t, gt.Applied, contractstest.OK[gt.Proposal](t, l.Submit("DealerMSP", "admin", "governance:Approve", "CAL-1")).Status)
}
