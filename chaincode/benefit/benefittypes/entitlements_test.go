package benefittypes_test

import (
	"testing"
	"time"

	bt "github.com/autoledger/autoledger/chaincode/benefit/benefittypes"
	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sold is the invoice time: 10:00 in China on 2026-03-02.
var sold = time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC)

// day is noon in China on the n-th day after the start.
func day(n int) time.Time { return sold.AddDate(0, 0, n).Add(2 * time.Hour) }

func facts(services ...bt.Service) bt.Facts {
	return bt.Facts{InvoiceDate: sold, UseTypes: []string{"private"}, LatestTotalKm: 1000, MaxTotalKm: 1000, Services: services}
}

// repair is a quality repair of fault at day n and km.
func repair(seq int64, n int, km int64, fault string) bt.Service {
	return bt.Service{Seq: seq, Type: "repair", PerformedAt: day(n), TotalKm: km, FaultCode: fault}
}

func with(s bt.Service, f func(*bt.Service)) bt.Service { f(&s); return s }

func safety(s *bt.Service)   { s.SafetyRelevant = true }
func persists(s *bt.Service) { s.Persists = true }
func parts(p ...string) func(*bt.Service) {
	return func(s *bt.Service) { s.MainPartsReplaced = p }
}
func off(n int) func(*bt.Service) { return func(s *bt.Service) { s.DaysOffRoad = n } }

func rule(t *testing.T, a bt.Answer, id string) bt.Rule {
	t.Helper()
	r := a.Find(id)
	require.NotNil(t, r, id)
	return *r
}

// Each rule at each of its boundaries, on a private car asked at day 100.
func TestRulesAtTheirBoundaries(t *testing.T) {
	at := day(100)
	cases := []struct {
		name    string
		rule    string
		applies bool
		facts   bt.Facts
	}{
		{"engine replaced on day 7", bt.Rule7DayMajorPart, true, facts(with(repair(3, 7, 200, "P0300"), parts("engine")))},
		{"engine replaced on day 8", bt.Rule7DayMajorPart, false, facts(with(repair(3, 8, 200, "P0300"), parts("engine")))},
		{"brakes replaced on day 7 is no major part", bt.Rule7DayMajorPart, false, facts(with(repair(3, 7, 200, "C0040"), parts("brakes")))},
		{"a major part without a fault code is no quality repair", bt.Rule7DayMajorPart, false, facts(with(repair(3, 7, 200, ""), parts("engine")))},
		{"brake failure on day 60", bt.Rule60DaySafety, true, facts(with(repair(3, 60, 2000, "C0040"), safety))},
		{"brake failure on day 61", bt.Rule60DaySafety, false, facts(with(repair(3, 61, 2000, "C0040"), safety))},
		{"brake failure at 2,999 km", bt.Rule60DaySafety, true, facts(with(repair(3, 20, 2999, "C0040"), safety))},
		{"brake failure at 3,001 km", bt.Rule60DaySafety, false, facts(with(repair(3, 20, 3001, "C0040"), safety))},
		{"a repair that is not safety-relevant", bt.Rule60DaySafety, false, facts(repair(3, 20, 2000, "C0040"))},
		{"30 repair days", bt.Rule30RepairDays, false, facts(with(repair(3, 20, 2000, "A"), off(20)), with(repair(4, 50, 2500, "B"), off(10)))},
		{"31 repair days", bt.Rule30RepairDays, true, facts(with(repair(3, 20, 2000, "A"), off(20)), with(repair(4, 50, 2500, "B"), off(11)))},
		{"4 repairs of one problem", bt.RuleRepeatRepairs, false, facts(repair(1, 10, 10, "P1"), repair(2, 20, 20, "P1"), repair(3, 30, 30, "P2"),
			repair(4, 40, 40, "P1"), repair(5, 50, 50, "P1"))},
		{"5 repairs of one problem", bt.RuleRepeatRepairs, true, facts(repair(1, 10, 10, "P1"), repair(2, 20, 20, "P1"), repair(3, 30, 30, "P1"),
			repair(4, 40, 40, "P1"), repair(5, 50, 50, "P1"))},
		{"safety fault repaired twice and persisting", bt.RuleSeriousSafetyTwice, true, facts(with(repair(1, 10, 10, "S1"), safety), with(with(repair(2, 20, 20, "S1"), safety), persists))},
		{"safety fault repaired twice, fixed", bt.RuleSeriousSafetyTwice, false, facts(with(repair(1, 10, 10, "S1"), safety), with(repair(2, 20, 20, "S1"), safety))},
		{"safety fault repaired once and persisting", bt.RuleSeriousSafetyTwice, false, facts(with(with(repair(1, 10, 10, "S1"), safety), persists))},
		{"safety fault repaired twice, then a new one", bt.RuleSeriousSafetyTwice, true, facts(with(repair(1, 10, 10, "S1"), safety), with(repair(2, 20, 20, "S1"), safety),
			with(repair(3, 30, 30, "S2"), safety))},
		{"gearbox then engine replaced, still not usable", bt.RuleMajorPartTwice, true, facts(with(repair(1, 10, 10, "G"), parts("gearbox")), with(with(repair(2, 20, 20, "E"), parts("engine")), persists))},
		{"gearbox replaced twice, now usable", bt.RuleMajorPartTwice, false, facts(with(repair(1, 10, 10, "G"), parts("gearbox")), with(repair(2, 20, 20, "G"), parts("gearbox")))},
		{"engine replaced once, not usable", bt.RuleMajorPartTwice, false, facts(with(with(repair(1, 10, 10, "E"), parts("engine")), persists))},
		{"suspension replaced twice, still not usable", bt.RuleSameMainPartTwice, true, facts(with(repair(1, 10, 10, "U"), parts("suspension")), with(with(repair(2, 20, 20, "U"), parts("suspension")), persists))},
		{"suspension then steering, still not usable", bt.RuleSameMainPartTwice, false, facts(with(repair(1, 10, 10, "U"), parts("suspension")), with(with(repair(2, 20, 20, "U"), parts("steering")), persists))},
		{"suspension twice is no major part", bt.RuleMajorPartTwice, false, facts(with(repair(1, 10, 10, "U"), parts("suspension")), with(with(repair(2, 20, 20, "U"), parts("suspension")), persists))},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := bt.Entitlements(bt.StatutoryTerms, c.facts, at)
			r := rule(t, a, c.rule)
			assert.Equal(t, c.applies, r.Applies, r.Reason)
			assert.Equal(t, bt.RemedyReplacementRefund, r.Remedy)
			if c.applies {
				assert.NotEmpty(t, r.Services, "an applying rule names the services it covers")
			}
		})
	}
}

// The deadlines: day 7, day 60 or 3,000 km, and the two periods, with
// whichever comes first; the answer lists every rule in a fixed order.
func TestDeadlinesAndOrder(t *testing.T) {
	terms := bt.ModelTerms{WarrantyYears: 4, WarrantyKm: 100_000, SanbaoYears: 2, SanbaoKm: 50_000, BatteryYears: 8, BatteryKm: 160_000}
	f := facts()
	f.Electrified = true
	a := bt.Entitlements(terms, f, day(10))
	var ids []string
	for _, r := range a.Rules {
		ids = append(ids, r.ID)
	}
	assert.Equal(t, bt.RuleIDs, ids)
	assert.Equal(t, "2026-03-02", a.Start)
	assert.Equal(t, &bt.Deadline{Date: "2026-03-09"}, rule(t, a, bt.Rule7DayMajorPart).Deadline)
	assert.Equal(t, &bt.Deadline{Date: "2026-05-01", Km: 3000}, rule(t, a, bt.Rule60DaySafety).Deadline)
	assert.Equal(t, &bt.Deadline{Date: "2030-03-01", Km: 100_000}, rule(t, a, bt.RuleWarrantyRepair).Deadline)
	assert.Equal(t, &bt.Deadline{Date: "2028-03-01", Km: 50_000}, rule(t, a, bt.RuleSanbaoPeriod).Deadline)
	assert.Equal(t, &bt.Deadline{Date: "2034-03-01", Km: 160_000}, rule(t, a, bt.RuleBatteryWarranty).Deadline)
	assert.True(t, rule(t, a, bt.RuleWarrantyRepair).Applies)

	// An ICE car has no battery rule.
	f.Electrified = false
	assert.Nil(t, bt.Entitlements(terms, f, day(10)).Find(bt.RuleBatteryWarranty))
}

// A period ends on its last day or at its km, whichever comes first.
func TestPeriodsEndAtDateOrKm(t *testing.T) {
	for _, c := range []struct {
		name    string
		at      time.Time
		km      int64
		warrant bool
		sanbao  bool
	}{
		{"last day of 三包", sold.AddDate(2, 0, -1), 10_000, true, true},
		{"day after 三包", sold.AddDate(2, 0, 0), 10_000, true, false},
		{"50,000 km", day(30), 50_000, true, true},
		{"50,001 km", day(30), 50_001, true, false},
		{"60,001 km", day(30), 60_001, false, false},
		{"day after warranty", sold.AddDate(3, 0, 0), 10_000, false, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := facts()
			f.LatestTotalKm, f.MaxTotalKm = c.km, c.km
			a := bt.Entitlements(bt.StatutoryTerms, f, c.at)
			assert.Equal(t, c.warrant, rule(t, a, bt.RuleWarrantyRepair).Applies, rule(t, a, bt.RuleWarrantyRepair).Reason)
			assert.Equal(t, c.sanbao, rule(t, a, bt.RuleSanbaoPeriod).Applies, rule(t, a, bt.RuleSanbaoPeriod).Reason)
		})
	}
}

// Five repairs of one problem give the choice only while 三包 runs.
func TestCountedRepairsGiveTheChoiceOnlyWithinSanbao(t *testing.T) {
	f := facts(repair(1, 10, 10, "P1"), repair(2, 20, 20, "P1"), repair(3, 30, 30, "P1"), repair(4, 40, 40, "P1"), repair(5, 50, 50, "P1"))
	assert.True(t, rule(t, bt.Entitlements(bt.StatutoryTerms, f, day(100)), bt.RuleRepeatRepairs).Applies)
	r := rule(t, bt.Entitlements(bt.StatutoryTerms, f, sold.AddDate(2, 0, 1)), bt.RuleRepeatRepairs)
	assert.False(t, r.Applies)
	assert.Contains(t, r.Reason, "replacement/return period has ended")
}

// A rental car (or one ever used as a taxi or in a fleet) has no 三包
// rule, and the answer says so; warranty repair still applies.
func TestRentalCarHasNoSanbao(t *testing.T) {
	f := facts(with(repair(3, 20, 2000, "C0040"), safety))
	f.UseTypes = []string{"rental"}
	a := bt.Entitlements(bt.StatutoryTerms, f, day(30))
	assert.False(t, a.Household)
	assert.True(t, rule(t, a, bt.RuleWarrantyRepair).Applies)
	for _, r := range a.Rules {
		if r.Remedy == bt.RemedyReplacementRefund {
			assert.False(t, r.Applies, r.ID)
			assert.Contains(t, r.Reason, "rental, taxi or fleet", r.ID)
			assert.Empty(t, r.Services)
		}
	}
	f.UseTypes = []string{"private", "taxi"}
	assert.False(t, rule(t, bt.Entitlements(bt.StatutoryTerms, f, day(30)), bt.Rule60DaySafety).Applies)
	// It follows the car on a private resale.
	f.UseTypes = []string{"private", "private"}
	assert.True(t, rule(t, bt.Entitlements(bt.StatutoryTerms, f, day(30)), bt.Rule60DaySafety).Applies)
}

// Salvage, flood and total-loss brands end every entitlement; rebuilt does not.
func TestEndingBrands(t *testing.T) {
	for _, brand := range []string{"salvage", "flood", "total-loss"} {
		f := facts(with(repair(3, 20, 2000, "C0040"), safety))
		f.Brands = []bt.Brand{{Brand: brand, Date: day(25)}}
		a := bt.Entitlements(bt.StatutoryTerms, f, day(30))
		assert.Equal(t, brand, a.EndedBy)
		for _, r := range a.Rules {
			assert.False(t, r.Applies, "%s: %s", brand, r.ID)
			assert.Contains(t, r.Reason, "branded "+brand)
		}
	}
	f := facts(with(repair(3, 20, 2000, "C0040"), safety))
	f.Brands = []bt.Brand{{Brand: "rebuilt", Date: day(25)}}
	assert.True(t, rule(t, bt.Entitlements(bt.StatutoryTerms, f, day(30)), bt.Rule60DaySafety).Applies)
}

// A rollback-suspected car is held to its highest verified reading.
func TestRollbackSuspectedUsesTheHighestReading(t *testing.T) {
	f := facts()
	f.LatestTotalKm, f.MaxTotalKm = 40_000, 55_000
	a := bt.Entitlements(bt.StatutoryTerms, f, day(100))
	assert.Equal(t, int64(40_000), a.DistanceKm)
	assert.True(t, rule(t, a, bt.RuleSanbaoPeriod).Applies)

	f.RollbackSuspected = true
	a = bt.Entitlements(bt.StatutoryTerms, f, day(100))
	assert.Equal(t, int64(55_000), a.DistanceKm)
	assert.Equal(t, "highest-verified-reading", a.DistanceSource)
	r := rule(t, a, bt.RuleSanbaoPeriod)
	assert.False(t, r.Applies)
	assert.Contains(t, r.Reason, "ended at 50000 km")
	assert.True(t, rule(t, a, bt.RuleWarrantyRepair).Applies)
}

// The periods run from delivery when it differs from the invoice date,
// in China's calendar.
func TestInvoiceOrDeliveryStart(t *testing.T) {
	f := facts(with(repair(3, 9, 200, "P0300"), parts("engine")))
	a := bt.Entitlements(bt.StatutoryTerms, f, day(30))
	assert.Equal(t, "invoice", a.StartSource)
	assert.False(t, rule(t, a, bt.Rule7DayMajorPart).Applies, "day 9 after the invoice")

	f.DeliveryDate = day(3)
	a = bt.Entitlements(bt.StatutoryTerms, f, day(30))
	assert.Equal(t, "delivery", a.StartSource)
	assert.Equal(t, "2026-03-05", a.Start)
	assert.True(t, rule(t, a, bt.Rule7DayMajorPart).Applies, "day 6 after delivery")

	// Delivery later the same day in China is no different start.
	f.DeliveryDate = sold.Add(10 * time.Hour) // 20:00 in China
	assert.Equal(t, "invoice", bt.Entitlements(bt.StatutoryTerms, f, day(30)).StartSource)
	// 23:30 UTC on 1 March is 07:30 on 2 March in China.
	assert.Equal(t, "2026-03-02", bt.Day(time.Date(2026, 3, 1, 23, 30, 0, 0, time.UTC)).Format(bt.DateLayout))
}

// A service before the start (a pre-delivery inspection repair) counts for nothing.
func TestServicesBeforeTheStartDoNotCount(t *testing.T) {
	f := facts(with(repair(3, -2, 5, "P0300"), parts("engine")))
	assert.False(t, rule(t, bt.Entitlements(bt.StatutoryTerms, f, day(3)), bt.Rule7DayMajorPart).Applies)
}

func TestTermsValidation(t *testing.T) {
	ok := bt.ModelTerms{WarrantyYears: 3, WarrantyKm: 60_000, SanbaoYears: 2, SanbaoKm: 50_000}
	require.NoError(t, ok.Validate())
	for _, c := range []struct {
		name, field, rule string
		edit              func(*bt.ModelTerms)
	}{
		{"warranty below the law", "warrantyYears", "range", func(t *bt.ModelTerms) { t.WarrantyYears = 2 }},
		{"三包 km below the law", "sanbaoKm", "range", func(t *bt.ModelTerms) { t.SanbaoKm = 49_999 }},
		{"battery years without km", "batteryKm", "both_or_neither", func(t *bt.ModelTerms) { t.BatteryYears = 8 }},
		{"battery shorter than warranty", "batteryYears", "not_shorter_than_warranty", func(t *bt.ModelTerms) { t.BatteryYears, t.BatteryKm = 3, 50_000 }},
		{"三包 longer than warranty", "sanbaoYears", "within_warranty", func(t *bt.ModelTerms) { t.SanbaoYears = 4 }},
	} {
		t.Run(c.name, func(t *testing.T) {
			terms := ok
			c.edit(&terms)
			e, isCC := ccerr.From(terms.Validate())
			require.True(t, isCC)
			require.NotEmpty(t, e.Fields)
			assert.Equal(t, c.field, e.Fields[0].Field)
			assert.Equal(t, c.rule, e.Fields[0].Rule)
			req := bt.TermsRequest{Manufacturer: "AutoLedger Motors", Terms: terms}
			e, _ = ccerr.From(req.Validate())
			require.NotNil(t, e)
			assert.Equal(t, "terms."+c.field, e.Fields[0].Field)
		})
	}
}
