package benefit_test

import (
	"encoding/json"
	"testing"
	"time"

	bt "github.com/autoledger/autoledger/chaincode/benefit/benefittypes"
	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/autoledger/autoledger/chaincode/contracts/contractstest"
	"github.com/autoledger/autoledger/chaincode/mockstub"
	"github.com/autoledger/autoledger/chaincode/owner/ownertypes"
	"github.com/autoledger/autoledger/chaincode/vehicle/vehicletypes"
	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	carVIN  = contractstest.BEVVIN
	docHash = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
	model   = "Ledgerline"
	maker   = "AutoLedger Motors"
)

type fixture struct{ *contractstest.Ledger }

// newFixture registers a BEV car. The clock starts at 09:00 UTC, 17:00 in China.
func newFixture(t *testing.T) *fixture {
	f := &fixture{contractstest.New(t, mockstub.DefaultStart)}
	b := vehicletypes.BirthRecord{Manufacturer: maker, Model: model, ModelYear: 2026, Plant: "Hefei-1",
		ProductionDate: mockstub.DefaultStart.Add(-48 * time.Hour), CountryOfOrigin: "CN", Colour: "white", Powertrain: "BEV", BatteryPackID: "PACK-1"}
	contractstest.OK[vehicletypes.Vehicle](t, f.Submit("OemMSP", "production", "vehicle:Register", vehicletypes.RegisterRequest{VIN: carVIN, Birth: b}))
	return f
}

// sell is the first sale, for useType, an hour before the clock.
func (f *fixture) sell(useType string) {
	f.T.Helper()
	code := contractstest.NewClaimCode(f.T)
	contractstest.OK[ownertypes.SaleResult](f.T, f.Submit("DealerMSP", "sales", "owner:SellFromStock", carVIN, ownertypes.SaleRequest{
		SaleDate: f.Clock.Now().Add(-time.Hour), OdometerKm: 10, UseType: useType, ClaimPublicKey: code.PublicKey()}))
}

// repair records a quality repair a minute before the clock; it answers its seq.
func (f *fixture) repair(km int64, w vehicletypes.WarrantyFacts) int64 {
	f.T.Helper()
	return contractstest.OK[vehicletypes.OdometerResult](f.T, f.Submit("DealerMSP", "service", "vehicle:RecordService", carVIN, vehicletypes.ServiceRequest{
		Type: "repair", OdometerKm: km, DocumentHash: docHash, PerformedAt: f.Clock.Now().Add(-time.Minute), WarrantyFacts: w})).Seq
}

func (f *fixture) answer() bt.Answer {
	f.T.Helper()
	return contractstest.OK[bt.Answer](f.T, f.Read("InsurerMSP", "benefit:Entitlements", carVIN))
}

func (f *fixture) claim(rule string, seq int64) *mockstub.Result {
	f.T.Helper()
	return f.Submit("DealerMSP", "service", "benefit:RecordWarrantyClaim", carVIN, bt.ClaimRequest{Rule: rule, ServiceSeq: seq, EvidenceHash: docHash})
}

func rule(t *testing.T, a bt.Answer, id string) bt.Rule {
	t.Helper()
	r := a.Find(id)
	require.NotNil(t, r, id)
	return *r
}

var oemTerms = bt.TermsRequest{Manufacturer: maker, Terms: bt.ModelTerms{WarrantyYears: 4, WarrantyKm: 100_000, SanbaoYears: 2, SanbaoKm: 50_000,
	BatteryYears: 8, BatteryKm: 160_000}}

// A car bought, brake failure at day 20: the 60-day rule gives replacement
// or refund, and a dealer's claim under it for that repair is accepted;
// one under a rule that does not cover it is recorded as refused.
func TestBrakeFailureAtDay20(t *testing.T) {
	f := newFixture(t)
	terms := contractstest.OK[bt.WarrantyTerms](t, f.Submit("OemMSP", "quality", "benefit:SetWarrantyTerms", model, oemTerms))
	assert.Equal(t, "OemMSP", terms.SetBy)
	f.sell("private")
	f.Clock.Advance(20 * 24 * time.Hour)
	seq := f.repair(800, vehicletypes.WarrantyFacts{FaultCode: "C0040", SafetyRelevant: true, DaysOffRoad: 2, MainPartsReplaced: []string{"brakes"}})

	a := f.answer()
	assert.Equal(t, carVIN, a.VIN)
	assert.Equal(t, "oem", a.TermsSource)
	assert.Equal(t, "2026-01-05", a.Start)
	assert.Equal(t, "invoice", a.StartSource)
	assert.Equal(t, int64(800), a.DistanceKm)
	assert.True(t, a.Household)
	r := rule(t, a, bt.Rule60DaySafety)
	assert.True(t, r.Applies, r.Reason)
	assert.Equal(t, []int64{seq}, r.Services)
	assert.Equal(t, &bt.Deadline{Date: "2026-03-06", Km: 3000}, r.Deadline)
	assert.Equal(t, &bt.Deadline{Date: "2034-01-04", Km: 160_000}, rule(t, a, bt.RuleBatteryWarranty).Deadline)
	assert.False(t, rule(t, a, bt.Rule7DayMajorPart).Applies)

	res := f.claim(bt.Rule60DaySafety, seq)
	cl := contractstest.OK[bt.WarrantyClaim](t, res)
	assert.Equal(t, bt.Accepted, cl.Decision)
	assert.Equal(t, bt.EvWarrantyClaimRecorded, res.Event.Name)
	assert.Contains(t, string(res.Event.Payload), `"decision":"accepted"`)

	cl = contractstest.OK[bt.WarrantyClaim](t, f.claim(bt.Rule7DayMajorPart, seq))
	assert.Equal(t, bt.Refused, cl.Decision)
	assert.Contains(t, cl.Reason, "does not cover service")
	assert.Equal(t, bt.Rule7DayMajorPart, cl.Rule)

	// Both claims are public records, under the car.
	assert.Len(t, f.Keys("\x00benefit~claim\x00"+carVIN+"\x00", "\x00benefit~claim\x00"+carVIN+"\x01"), 2)
	key, err := shim.CreateCompositeKey("benefit~claim", []string{carVIN, cl.ID})
	require.NoError(t, err)
	var stored bt.WarrantyClaim
	require.NoError(t, json.Unmarshal(f.State(key), &stored))
	assert.Equal(t, cl, stored)
}

// A claim names a service record of the car and a rule ID; a battery rule
// the model does not grant is refused, not an error.
func TestClaimInputs(t *testing.T) {
	f := newFixture(t)
	f.sell("private")
	seq := f.repair(100, vehicletypes.WarrantyFacts{FaultCode: "B1"})
	e := contractstest.FailsWith(t, f.claim(bt.RuleWarrantyRepair, 1), ccerr.NotFound)
	assert.Equal(t, "serviceSeq", e.Fields[0].Field)
	contractstest.FailsWith(t, f.claim(bt.RuleWarrantyRepair, 99), ccerr.NotFound)
	e = contractstest.FailsWith(t, f.claim("goodwill", seq), ccerr.InvalidArgument)
	assert.Equal(t, "rule", e.Fields[0].Field)
	contractstest.FailsWith(t, f.Submit("DealerMSP", "service", "benefit:RecordWarrantyClaim", carVIN, bt.ClaimRequest{Rule: bt.RuleWarrantyRepair, ServiceSeq: seq, EvidenceHash: "x"}), ccerr.InvalidArgument)

	cl := contractstest.OK[bt.WarrantyClaim](t, f.claim(bt.RuleBatteryWarranty, seq))
	assert.Equal(t, bt.Refused, cl.Decision, "statutory terms carry no battery warranty")
	assert.Contains(t, cl.Reason, "does not apply to this car")
	assert.Equal(t, bt.Accepted, contractstest.OK[bt.WarrantyClaim](t, f.claim(bt.RuleWarrantyRepair, seq)).Decision)
	assert.Equal(t, "statutory-minimum", f.answer().TermsSource)
}

// Delivery is recorded once, between the invoice and today, and then the
// periods run from it.
func TestRecordDelivery(t *testing.T) {
	f := newFixture(t)
	deliver := func(date string) *mockstub.Result {
		return f.Submit("DealerMSP", "sales", "benefit:RecordDelivery", carVIN, date)
	}
	contractstest.FailsWith(t, deliver("2026-01-05"), ccerr.FailedPrecondition)
	contractstest.FailsWith(t, f.Read("OemMSP", "benefit:Entitlements", carVIN), ccerr.FailedPrecondition)
	f.sell("private")
	f.Clock.Advance(5 * 24 * time.Hour)
	for date, rule := range map[string]string{"5 Jan": "date", "2026-01-04": "not_before_invoice", "2026-01-11": "not_after_tx"} {
		e := contractstest.FailsWith(t, deliver(date), ccerr.InvalidArgument)
		require.Len(t, e.Fields, 1)
		assert.Equal(t, ccerr.FieldError{Field: "date", Rule: rule, Message: e.Fields[0].Message}, e.Fields[0], date)
	}
	res := deliver("2026-01-08")
	d := contractstest.OK[bt.Delivery](t, res)
	assert.Equal(t, "2026-01-08", d.Date)
	assert.Equal(t, bt.EvDeliveryRecorded, res.Event.Name)
	contractstest.FailsWith(t, deliver("2026-01-09"), ccerr.AlreadyExists)

	a := f.answer()
	assert.Equal(t, "delivery", a.StartSource)
	assert.Equal(t, "2026-01-08", a.Start)
	assert.Equal(t, &bt.Deadline{Date: "2026-01-15"}, rule(t, a, bt.Rule7DayMajorPart).Deadline)
}

// A rental car has no 三包 and the answer says so; a salvage brand ends
// everything; a rollback-suspected car counts its highest reading.
func TestCarFacts(t *testing.T) {
	t.Run("rental", func(t *testing.T) {
		f := newFixture(t)
		f.sell("rental")
		f.repair(100, vehicletypes.WarrantyFacts{FaultCode: "C0040", SafetyRelevant: true})
		a := f.answer()
		assert.False(t, a.Household)
		r := rule(t, a, bt.Rule60DaySafety)
		assert.False(t, r.Applies)
		assert.Contains(t, r.Reason, "rental, taxi or fleet")
		assert.True(t, rule(t, a, bt.RuleWarrantyRepair).Applies)
	})
	t.Run("salvage", func(t *testing.T) {
		f := newFixture(t)
		f.sell("private")
		contractstest.OK[vehicletypes.Receipt](t, f.Submit("InsurerMSP", "claims", "vehicle:BrandTitle", carVIN,
			vehicletypes.BrandRequest{Brand: "salvage", Date: f.Clock.Now().Add(-time.Minute), ClaimRef: "CLM-1"}))
		a := f.answer()
		assert.Equal(t, "salvage", a.EndedBy)
		assert.False(t, rule(t, a, bt.RuleWarrantyRepair).Applies)
	})
	t.Run("rollback", func(t *testing.T) {
		f := newFixture(t)
		f.sell("private")
		for i, km := range []int64{55_000, 40_000} {
			contractstest.OK[vehicletypes.OdometerResult](t, f.Submit("OemMSP", "telematics", "vehicle:RecordOdometer", carVIN,
				vehicletypes.OdometerRequest{Km: km, Source: "telematics", ObservedAt: f.Clock.Now().Add(time.Duration(i-10) * time.Minute)}))
		}
		a := f.answer()
		assert.Equal(t, int64(55_000), a.DistanceKm)
		assert.Equal(t, "highest-verified-reading", a.DistanceSource)
		assert.False(t, rule(t, a, bt.RuleSanbaoPeriod).Applies)
	})
}

// Every transaction refuses the orgs and roles its rule does not admit,
// and commits nothing.
func TestWrongOrgOrRoleIsRefused(t *testing.T) {
	f := newFixture(t)
	f.sell("private")
	seq := f.repair(100, vehicletypes.WarrantyFacts{FaultCode: "B1"})
	claim := bt.ClaimRequest{Rule: bt.RuleWarrantyRepair, ServiceSeq: seq, EvidenceHash: docHash}
	for _, c := range []struct {
		msp, role, fn string
		args          []any
	}{
		{"OemMSP", "production", "benefit:SetWarrantyTerms", []any{model, oemTerms}},
		{"DealerMSP", "admin", "benefit:SetWarrantyTerms", []any{model, oemTerms}},
		{"SupplierMSP", "admin", "benefit:SetWarrantyTerms", []any{model, oemTerms}},
		{"DealerMSP", "service", "benefit:RecordDelivery", []any{carVIN, "2026-01-05"}},
		{"OemMSP", "admin", "benefit:RecordDelivery", []any{carVIN, "2026-01-05"}},
		{"DealerMSP", "sales", "benefit:RecordWarrantyClaim", []any{carVIN, claim}},
		{"OemMSP", "quality", "benefit:RecordWarrantyClaim", []any{carVIN, claim}},
		{"InsurerMSP", "claims", "benefit:RecordWarrantyClaim", []any{carVIN, claim}},
		{"InsurerMSP", "", "benefit:Entitlements", []any{carVIN}},
	} {
		t.Run(c.msp+"/"+c.role+"/"+c.fn, func(t *testing.T) {
			contractstest.FailsWith(t, f.Submit(c.msp, c.role, c.fn, c.args...), ccerr.Forbidden)
		})
	}
	// The admitted ones.
	contractstest.OK[bt.WarrantyTerms](t, f.Submit("OemMSP", "admin", "benefit:SetWarrantyTerms", model, oemTerms))
	for _, msp := range []string{"OemMSP", "SupplierMSP", "DealerMSP", "InsurerMSP"} {
		contractstest.OK[bt.Answer](t, f.Read(msp, "benefit:Entitlements", carVIN))
	}
}

// Terms are checked with field and rule, the model too.
func TestSetWarrantyTermsValidation(t *testing.T) {
	f := newFixture(t)
	e := contractstest.FailsWith(t, f.Submit("OemMSP", "quality", "benefit:SetWarrantyTerms", "", oemTerms), ccerr.InvalidArgument)
	assert.Equal(t, "model", e.Fields[0].Field)
	bad := oemTerms
	bad.Terms.WarrantyKm = 59_999
	e = contractstest.FailsWith(t, f.Submit("OemMSP", "quality", "benefit:SetWarrantyTerms", model, bad), ccerr.InvalidArgument)
	assert.Equal(t, "terms.warrantyKm", e.Fields[0].Field)
	contractstest.FailsWith(t, f.Read("OemMSP", "benefit:Entitlements", "NOTAVIN"), ccerr.VINInvalid)
}
