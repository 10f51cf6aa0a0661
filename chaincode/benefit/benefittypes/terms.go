// Package benefittypes holds the benefit contract's types and the rules of
// China's household-car repair, replacement and return regulation (SAMR,
// 家用汽车产品修理更换退货责任规定, in force 2022-01-01) as one pure function,
// Entitlements. It imports neither the contract API nor the shim: the
// gateway and the tests compute the very answer the peers compute.
package benefittypes

import (
	"time"

	"github.com/autoledger/autoledger/chaincode/rules"
)

// The statutory minimum periods (Art. 18 and 20 of the 2022 rules); an OEM
// may grant more per model, never less.
const (
	MinWarrantyYears = 3
	MinWarrantyKm    = 60_000
	MinSanbaoYears   = 2
	MinSanbaoKm      = 50_000
)

// ModelTerms are an OEM's warranty terms for one model. Whichever of years and
// km comes first ends a period.
type ModelTerms struct {
	// WarrantyYears and WarrantyKm are the warranty-repair period (包修期).
	WarrantyYears int   `json:"warrantyYears" validate:"min=3,max=30"`
	WarrantyKm    int64 `json:"warrantyKm" validate:"min=60000,max=10000000"`
	// SanbaoYears and SanbaoKm are the replacement/return period (三包有效期).
	SanbaoYears int   `json:"sanbaoYears" validate:"min=2,max=30"`
	SanbaoKm    int64 `json:"sanbaoKm" validate:"min=50000,max=10000000"`
	// BatteryYears and BatteryKm are a longer warranty on the traction
	// battery of an electrified car; both 0 when the model has none.
	BatteryYears int   `json:"batteryYears,omitempty" metadata:",optional" validate:"min=0,max=30"`
	BatteryKm    int64 `json:"batteryKm,omitempty" metadata:",optional" validate:"min=0,max=10000000"`
}

// StatutoryTerms are the legal minimums, which apply to a model whose OEM
// has set no terms.
var StatutoryTerms = ModelTerms{WarrantyYears: MinWarrantyYears, WarrantyKm: MinWarrantyKm, SanbaoYears: MinSanbaoYears, SanbaoKm: MinSanbaoKm}

// Validate checks the tags, then that a battery warranty names both its
// years and km and is no shorter than the car's warranty repair period.
func (t ModelTerms) Validate() error {
	var c rules.Checker
	c.Struct(t)
	t.across(&c, "")
	return c.Err()
}

// across checks the rules across fields, naming each field after prefix.
func (t ModelTerms) across(c *rules.Checker, prefix string) {
	if (t.BatteryYears == 0) != (t.BatteryKm == 0) {
		c.Fail(prefix+"batteryKm", "both_or_neither", "batteryYears and batteryKm are set together or not at all")
	} else if t.BatteryYears > 0 && (t.BatteryYears < t.WarrantyYears || t.BatteryKm < t.WarrantyKm) {
		c.Fail(prefix+"batteryYears", "not_shorter_than_warranty", "a battery warranty may not be shorter than the warranty repair period")
	}
	if t.SanbaoYears > t.WarrantyYears || t.SanbaoKm > t.WarrantyKm {
		c.Fail(prefix+"sanbaoYears", "within_warranty", "the replacement/return period must lie within the warranty repair period")
	}
}

// TermsRequest is the input of benefit:SetWarrantyTerms: the manufacturer
// as on the car's birth record, and its terms for the model.
type TermsRequest struct {
	Manufacturer string     `json:"manufacturer" validate:"required,max=100"`
	Terms        ModelTerms `json:"terms"`
}

// Validate checks the manufacturer and the terms.
func (r TermsRequest) Validate() error {
	var c rules.Checker
	c.Struct(r)
	r.Terms.across(&c, "terms.")
	return c.Err()
}

// WarrantyTerms is the stored terms of one manufacturer's model (public).
type WarrantyTerms struct {
	SchemaVersion int        `json:"schemaVersion"`
	Manufacturer  string     `json:"manufacturer"`
	Model         string     `json:"model"`
	Terms         ModelTerms `json:"terms"`
	SetBy         string     `json:"setBy"`
	SetAt         time.Time  `json:"setAt"`
}
