package benefittypes

import (
	"fmt"
	"slices"
	"time"

	"github.com/autoledger/autoledger/chaincode/vehicle/vehicletypes"
)

// Rule IDs, stable: a claim names one and the answer lists them in this order.
const (
	RuleWarrantyRepair      = "warranty-repair"
	RuleBatteryWarranty     = "traction-battery-warranty"
	RuleSanbaoPeriod        = "sanbao-period"
	Rule7DayMajorPart       = "7-day-major-part"
	Rule60DaySafety         = "60-day-safety"
	Rule30RepairDays        = "30-repair-days"
	RuleRepeatRepairs       = "repeat-repairs"
	RuleSeriousSafetyTwice  = "serious-safety-twice"
	RuleMajorPartTwice      = "major-part-replaced-twice"
	RuleSameMainPartTwice   = "same-main-part-twice"
	RemedyRepair            = "repair"
	RemedyReplacementRefund = "replacement-or-refund"
)

// RuleIDs lists every rule in answer order.
var RuleIDs = []string{RuleWarrantyRepair, RuleBatteryWarranty, RuleSanbaoPeriod, Rule7DayMajorPart, Rule60DaySafety,
	Rule30RepairDays, RuleRepeatRepairs, RuleSeriousSafetyTwice, RuleMajorPartTwice, RuleSameMainPartTwice}

// The figures of the 2022 rules. The 2013 rules' 35 repair days and 5
// repairs of one problem are not used: the 2022 rules lowered them.
const (
	MajorPartDays      = 7
	SafetyDays         = 60
	SafetyKm           = 3000
	MaxRepairDays      = 30 // more than this many days off the road
	MaxRepairsOfFault  = 4  // more than this many repairs of one problem
	SafetyRepairsLimit = 2
	ReplacementsLimit  = 2
)

// MajorParts are the assemblies the 7-day and the major-part rules name.
var MajorParts = []string{"engine", "gearbox", "traction-battery", "drive-motor"}

// EndingBrands are the title brands that end every entitlement: the car is
// no longer the product the warranty covered.
var EndingBrands = []string{"salvage", "flood", "total-loss"}

// China is the calendar the rules' days are counted in (China Standard
// Time has no daylight saving, so a fixed zone is exact and deterministic).
var China = time.FixedZone("CST", 8*3600)

// DateLayout is how a date is written in an answer: a calendar day in China.
const DateLayout = time.DateOnly

// Facts are what the rules are computed from, all read from the ledger.
type Facts struct {
	// InvoiceDate is the first sale's date; DeliveryDate the day the
	// dealer handed the car over, zero when not recorded.
	InvoiceDate  time.Time `json:"invoiceDate"`
	DeliveryDate time.Time `json:"deliveryDate,omitzero" metadata:",optional"`
	// UseTypes are the use types after each sale, oldest first.
	UseTypes []string `json:"useTypes"`
	// Brands are the title brands, oldest first.
	Brands []Brand `json:"brands"`
	// Electrified says the car has a traction battery.
	Electrified bool `json:"electrified"`
	// LatestTotalKm is the newest reading's total distance, MaxTotalKm the
	// highest on record; RollbackSuspected picks which one counts.
	LatestTotalKm     int64 `json:"latestTotalKm"`
	MaxTotalKm        int64 `json:"maxTotalKm"`
	RollbackSuspected bool  `json:"rollbackSuspected"`
	// Services are the car's service records, oldest first.
	Services []Service `json:"services"`
}

// Brand is a title brand and the day it was recorded.
type Brand struct {
	Brand string    `json:"brand"`
	Date  time.Time `json:"date"`
}

// Service is one service record as the rules read it.
type Service struct {
	Seq               int64     `json:"seq"`
	Type              string    `json:"type"`
	PerformedAt       time.Time `json:"performedAt"`
	TotalKm           int64     `json:"totalKm"`
	FaultCode         string    `json:"faultCode,omitempty" metadata:",optional"`
	SafetyRelevant    bool      `json:"safetyRelevant,omitempty" metadata:",optional"`
	DaysOffRoad       int       `json:"daysOffRoad,omitempty" metadata:",optional"`
	MainPartsReplaced []string  `json:"mainPartsReplaced,omitempty" metadata:",optional"`
	Persists          bool      `json:"persists,omitempty" metadata:",optional"`
}

// quality reports whether s repaired a quality problem: a repair or recall
// remedy with a fault code. Older records without one are not counted.
func (s Service) quality() bool {
	return (s.Type == "repair" || s.Type == "recall-remedy") && s.FaultCode != ""
}

// Distance is the distance the periods are measured by: a car suspected of
// rollback is held to its highest verified reading, since a lower latest
// reading would extend the owner's periods on a falsified odometer.
func (f Facts) Distance() (km int64, source string) {
	if f.RollbackSuspected {
		return f.MaxTotalKm, "highest-verified-reading"
	}
	return f.LatestTotalKm, "latest-reading"
}

// Start is the day the periods run from: the invoice date, or delivery
// when that differs (Art. 18 of the 2022 rules).
func (f Facts) Start() (day time.Time, source string) {
	inv := Day(f.InvoiceDate)
	if !f.DeliveryDate.IsZero() && !Day(f.DeliveryDate).Equal(inv) {
		return Day(f.DeliveryDate), "delivery"
	}
	return inv, "invoice"
}

// Day is t's calendar day in China, as midnight UTC of that date so that
// days compare and add exactly.
func Day(t time.Time) time.Time {
	y, m, d := t.In(China).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// Answer is what applies to a car at a time, and why.
type Answer struct {
	VIN string `json:"vin,omitempty" metadata:",optional"`
	// At is the time asked about (the transaction's).
	At time.Time `json:"at"`
	// Start is the day the periods run from and what set it.
	Start       string `json:"start"`
	StartSource string `json:"startSource"`
	// DistanceKm is the distance the km limits are checked against.
	DistanceKm     int64      `json:"distanceKm"`
	DistanceSource string     `json:"distanceSource"`
	Terms          ModelTerms `json:"terms"`
	// TermsSource is "oem" or "statutory-minimum": the contract sets it.
	TermsSource string `json:"termsSource,omitempty" metadata:",optional"`
	// Household is false when the car was ever registered for rental, taxi
	// or fleet use: such a car has no 三包 entitlement.
	Household bool `json:"household"`
	// EndedBy names the title brand that ended every entitlement, if any.
	EndedBy string `json:"endedBy,omitempty" metadata:",optional"`
	Rules   []Rule `json:"rules"`
}

// Rule is one rule's outcome.
type Rule struct {
	ID string `json:"id"`
	// Applies says the owner has the remedy now.
	Applies bool   `json:"applies"`
	Remedy  string `json:"remedy"`
	// Reason says in words why it applies or not.
	Reason  string   `json:"reason"`
	Figures []Figure `json:"figures"`
	// Deadline is when the rule stops applying; nil when it does not run out.
	Deadline *Deadline `json:"deadline,omitempty" metadata:",optional"`
	// Services are the service records (by life-event seq) the rule covers:
	// a warranty claim must name one of them.
	Services []int64 `json:"services"`
}

// Figure is one number a rule used, with the limit it was held to.
type Figure struct {
	Name  string `json:"name"`
	Value int64  `json:"value"`
	Limit int64  `json:"limit"`
}

// Deadline is a day (in China, inclusive) and/or a distance, whichever
// comes first.
type Deadline struct {
	Date string `json:"date,omitempty" metadata:",optional"`
	Km   int64  `json:"km,omitempty" metadata:",optional"`
}

// Find returns the rule with id, or nil.
func (a Answer) Find(id string) *Rule {
	for i := range a.Rules {
		if a.Rules[i].ID == id {
			return &a.Rules[i]
		}
	}
	return nil
}

// period is one run of days and km from the start.
type period struct {
	end time.Time // last day, inclusive
	km  int64
}

func (p period) deadline() *Deadline {
	d := &Deadline{Date: p.end.Format(DateLayout)}
	if p.km > 0 {
		d.Km = p.km
	}
	return d
}

// covers reports whether a day and a distance fall in the period; km 0
// means the period has no distance limit.
func (p period) covers(day time.Time, km int64) bool {
	return !day.After(p.end) && (p.km == 0 || km <= p.km)
}

func years(start time.Time, y int, km int64) period {
	return period{end: start.AddDate(y, 0, 0).AddDate(0, 0, -1), km: km}
}

func days(start time.Time, n int, km int64) period {
	return period{end: start.AddDate(0, 0, n), km: km}
}

// Entitlements computes each rule for a car with facts under terms at at.
// It is pure: the same inputs give the same answer on every peer.
func Entitlements(terms ModelTerms, f Facts, at time.Time) Answer {
	start, startSource := f.Start()
	km, kmSource := f.Distance()
	today := Day(at)
	a := Answer{At: at.UTC(), Start: start.Format(DateLayout), StartSource: startSource, DistanceKm: km, DistanceSource: kmSource,
		Terms: terms, Household: household(f.UseTypes), Rules: []Rule{}}
	for _, b := range f.Brands {
		if slices.Contains(EndingBrands, b.Brand) {
			a.EndedBy = b.Brand
			break
		}
	}
	warranty := years(start, terms.WarrantyYears, terms.WarrantyKm)
	sanbao := years(start, terms.SanbaoYears, terms.SanbaoKm)
	inSanbao := sanbao.covers(today, km)

	e := evaluator{f: f, start: start, today: today, km: km}
	a.Rules = append(a.Rules, e.repairRule(RuleWarrantyRepair, "warranty repair period (包修期)", warranty, nil))
	if terms.BatteryYears > 0 && f.Electrified {
		battery := years(start, terms.BatteryYears, terms.BatteryKm)
		a.Rules = append(a.Rules, e.repairRule(RuleBatteryWarranty, "traction-battery warranty", battery,
			func(s Service) bool { return slices.Contains(s.MainPartsReplaced, "traction-battery") }))
	}
	sb := e.repairRule(RuleSanbaoPeriod, "replacement/return period (三包有效期)", sanbao, nil)
	sb.Remedy = RemedyReplacementRefund
	sb.Reason = fmt.Sprintf("%s; within it the rules below give a choice of replacement or refund", sb.Reason)
	a.Rules = append(a.Rules, sb,
		e.windowRule(Rule7DayMajorPart, days(start, MajorPartDays, 0), "a quality problem needing replacement of the engine, gearbox, traction battery or drive motor",
			func(s Service) bool { return s.quality() && overlaps(s.MainPartsReplaced, MajorParts) }),
		e.windowRule(Rule60DaySafety, days(start, SafetyDays, SafetyKm), "a failure of the steering or braking system, body cracking, fuel leakage or a traction-battery fire",
			func(s Service) bool { return s.quality() && s.SafetyRelevant }),
		e.repairDays(sanbao), e.repeatRepairs(sanbao), e.seriousSafety(sanbao),
		e.replacedTwice(RuleMajorPartTwice, sanbao, MajorParts, false), e.replacedTwice(RuleSameMainPartTwice, sanbao, nil, true))
	for i := range a.Rules {
		r := &a.Rules[i]
		switch {
		case a.EndedBy != "":
			r.Applies, r.Services = false, []int64{}
			r.Reason = fmt.Sprintf("ended: the title is branded %s; %s", a.EndedBy, r.Reason)
		case r.Remedy == RemedyReplacementRefund && !a.Household:
			r.Applies, r.Services = false, []int64{}
			r.Reason = "no 三包 entitlement: the car was registered for rental, taxi or fleet use, not bought for private consumption (the OEM's warranty repair may still apply)"
		case r.Remedy == RemedyReplacementRefund && r.ID != RuleSanbaoPeriod && r.ID != Rule7DayMajorPart && r.ID != Rule60DaySafety && !inSanbao && r.Applies:
			// Counted repairs give a choice only while the 三包 period runs.
			r.Applies = false
			r.Reason = "the replacement/return period has ended; " + r.Reason
		}
	}
	return a
}

// household reports whether every use after a sale was private.
func household(uses []string) bool {
	for _, u := range uses {
		if u != "private" {
			return false
		}
	}
	return true
}

func overlaps(a, b []string) bool {
	for _, x := range a {
		if slices.Contains(b, x) {
			return true
		}
	}
	return false
}

// evaluator holds what every rule reads.
type evaluator struct {
	f     Facts
	start time.Time
	today time.Time
	km    int64
}

// in lists the quality repairs in p that match (nil: every one).
func (e evaluator) in(p period, match func(Service) bool) []Service {
	var out []Service
	for _, s := range e.f.Services {
		d := Day(s.PerformedAt)
		if d.Before(e.start) || !p.covers(d, s.TotalKm) || !s.quality() || (match != nil && !match(s)) {
			continue
		}
		out = append(out, s)
	}
	return out
}

func seqs(ss []Service) []int64 {
	out := []int64{}
	for _, s := range ss {
		out = append(out, s.Seq)
	}
	return out
}

// repairRule is a period in which the owner has repairs for free.
func (e evaluator) repairRule(id, name string, p period, match func(Service) bool) Rule {
	r := Rule{ID: id, Remedy: RemedyRepair, Deadline: p.deadline(), Services: seqs(e.in(p, match)),
		Figures: []Figure{{Name: "daysSinceStart", Value: dayCount(e.start, e.today), Limit: dayCount(e.start, p.end)}, {Name: "distanceKm", Value: e.km, Limit: p.km}}}
	r.Applies = !e.today.Before(e.start) && p.covers(e.today, e.km)
	switch {
	case r.Applies:
		r.Reason = fmt.Sprintf("within the %s until %s or %d km, whichever comes first", name, p.end.Format(DateLayout), p.km)
	case e.today.After(p.end):
		r.Reason = fmt.Sprintf("the %s ended on %s", name, p.end.Format(DateLayout))
	case e.today.Before(e.start):
		r.Reason = fmt.Sprintf("the %s starts on %s", name, e.start.Format(DateLayout))
	default:
		r.Reason = fmt.Sprintf("the %s ended at %d km (the car has %d km)", name, p.km, e.km)
	}
	return r
}

// windowRule gives replacement or refund for a matching quality problem
// in a window from the start: the window's end is the deadline.
func (e evaluator) windowRule(id string, p period, what string, match func(Service) bool) Rule {
	hits := e.in(p, match)
	r := Rule{ID: id, Remedy: RemedyReplacementRefund, Deadline: p.deadline(), Services: seqs(hits), Applies: len(hits) > 0,
		Figures: []Figure{{Name: "days", Value: dayCount(e.start, e.today), Limit: dayCount(e.start, p.end)}}}
	if p.km > 0 {
		r.Figures = append(r.Figures, Figure{Name: "distanceKm", Value: e.km, Limit: p.km})
	}
	limit := fmt.Sprintf("by %s", p.end.Format(DateLayout))
	if p.km > 0 {
		limit += fmt.Sprintf(" or %d km", p.km)
	}
	if r.Applies {
		r.Reason = fmt.Sprintf("%s was repaired %s (service %d)", what, limit, hits[0].Seq)
	} else {
		r.Reason = fmt.Sprintf("no record of %s %s", what, limit)
	}
	return r
}

// repairDays: quality repairs kept the car off the road more than 30 days
// in all within the 三包 period.
func (e evaluator) repairDays(p period) Rule {
	hits := e.in(p, func(s Service) bool { return s.DaysOffRoad > 0 })
	total := int64(0)
	for _, s := range hits {
		total += int64(s.DaysOffRoad)
	}
	r := Rule{ID: Rule30RepairDays, Remedy: RemedyReplacementRefund, Deadline: p.deadline(), Services: seqs(hits), Applies: total > MaxRepairDays,
		Figures: []Figure{{Name: "repairDays", Value: total, Limit: MaxRepairDays}}}
	r.Reason = fmt.Sprintf("quality repairs took %d days in all; more than %d gives the choice", total, MaxRepairDays)
	if !r.Applies {
		r.Services = []int64{}
	}
	return r
}

// repeatRepairs: the same problem (fault code) repaired more than 4 times.
func (e evaluator) repeatRepairs(p period) Rule {
	code, hits := mostRepaired(e.in(p, nil), nil)
	r := Rule{ID: RuleRepeatRepairs, Remedy: RemedyReplacementRefund, Deadline: p.deadline(), Applies: len(hits) > MaxRepairsOfFault,
		Figures: []Figure{{Name: "repairsOfOneProblem", Value: int64(len(hits)), Limit: MaxRepairsOfFault}}, Services: []int64{}}
	if r.Applies {
		r.Services = seqs(hits)
	}
	if code == "" {
		r.Reason = "no quality repair on record"
	} else {
		r.Reason = fmt.Sprintf("fault %s was repaired %d times; more than %d gives the choice", code, len(hits), MaxRepairsOfFault)
	}
	return r
}

// mostRepaired groups services by fault code and answers the code with the
// most (the earliest such code on a tie), with its services.
func mostRepaired(ss []Service, match func(Service) bool) (string, []Service) {
	byCode := map[string][]Service{}
	var order []string
	for _, s := range ss {
		if match != nil && !match(s) {
			continue
		}
		if _, ok := byCode[s.FaultCode]; !ok {
			order = append(order, s.FaultCode)
		}
		byCode[s.FaultCode] = append(byCode[s.FaultCode], s)
	}
	best := ""
	for _, c := range order {
		if len(byCode[c]) > len(byCode[best]) {
			best = c
		}
	}
	return best, byCode[best]
}

// seriousSafety: a serious safety-performance fault repaired twice that
// persists, or a new one appearing after it.
func (e evaluator) seriousSafety(p period) Rule {
	safety := e.in(p, func(s Service) bool { return s.SafetyRelevant })
	r := Rule{ID: RuleSeriousSafetyTwice, Remedy: RemedyReplacementRefund, Deadline: p.deadline(), Services: []int64{},
		Figures: []Figure{{Name: "safetyRepairsOfOneFault", Value: 0, Limit: SafetyRepairsLimit}}}
	byCode := map[string]int{}
	for i, s := range safety {
		byCode[s.FaultCode]++
		n := byCode[s.FaultCode]
		r.Figures[0].Value = max(r.Figures[0].Value, int64(n))
		if n < SafetyRepairsLimit {
			continue
		}
		if s.Persists {
			r.Applies, r.Services = true, seqs(safety[:i+1])
			r.Reason = fmt.Sprintf("safety fault %s was repaired %d times and persists (service %d)", s.FaultCode, n, s.Seq)
			return r
		}
		for _, later := range safety[i+1:] {
			if later.FaultCode != s.FaultCode {
				r.Applies, r.Services = true, seqs(safety)
				r.Reason = fmt.Sprintf("safety fault %s was repaired %d times and a new safety fault %s appeared (service %d)", s.FaultCode, n, later.FaultCode, later.Seq)
				return r
			}
		}
	}
	r.Reason = fmt.Sprintf("no serious safety fault repaired %d times that persists or was followed by a new one", SafetyRepairsLimit)
	return r
}

// replacedTwice: main parts replaced twice for quality problems and still
// not usable (the latest replacement's problem persists). With same, one
// part must be replaced twice; without, any of parts counts together.
func (e evaluator) replacedTwice(id string, p period, parts []string, same bool) Rule {
	if parts == nil {
		parts = vehicletypes.MainParts
	}
	r := Rule{ID: id, Remedy: RemedyReplacementRefund, Deadline: p.deadline(), Services: []int64{},
		Figures: []Figure{{Name: "replacements", Value: 0, Limit: ReplacementsLimit}}}
	count := map[string]int64{}
	var hits []Service
	for _, s := range e.in(p, func(s Service) bool { return overlaps(s.MainPartsReplaced, parts) }) {
		hits = append(hits, s)
		n := int64(0)
		for _, part := range s.MainPartsReplaced {
			if !slices.Contains(parts, part) {
				continue
			}
			key := "any"
			if same {
				key = part
			}
			count[key]++
			n = max(n, count[key])
		}
		r.Figures[0].Value = max(r.Figures[0].Value, n)
		if n >= ReplacementsLimit && s.Persists {
			r.Applies, r.Services = true, seqs(hits)
			r.Reason = fmt.Sprintf("replaced %d times and still not usable (service %d)", n, s.Seq)
			return r
		}
	}
	r.Reason = fmt.Sprintf("no main part replaced %d times that is still not usable", ReplacementsLimit)
	return r
}

// dayCount is the days from a to b.
func dayCount(a, b time.Time) int64 { return int64(b.Sub(a) / (24 * time.Hour)) }
