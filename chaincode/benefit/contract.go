// Package benefit is the contract for the owner's benefits computed from
// verified records. It holds the statutory warranty of China's household
// cars (SAMR repair, replacement and return rules, in force 2022-01-01):
// the OEM's terms per model, the delivery date, what a car is entitled to
// now (benefittypes.Entitlements) and dealers' warranty claims checked
// against it.
package benefit

import (
	"fmt"
	"slices"
	"time"

	"github.com/autoledger/autoledger/chaincode/access"
	"github.com/autoledger/autoledger/chaincode/benefit/benefittypes"
	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/autoledger/autoledger/chaincode/kit"
	"github.com/autoledger/autoledger/chaincode/rules"
	"github.com/autoledger/autoledger/chaincode/vehicle"
	"github.com/autoledger/autoledger/chaincode/vehicle/vehicletypes"
	"github.com/autoledger/autoledger/chaincode/vin"
	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
)

// Name is the contract's name.
const Name = "benefit"

// Composite key object types; every record is public.
const (
	termsObject    = "benefit~terms"
	deliveryObject = "benefit~delivery"
	claimObject    = "benefit~claim"
)

// Policy says who may call each transaction.
var Policy = access.Policy{
	"benefit:SetWarrantyTerms":    {access.Allow(access.OemMSP, "quality", "admin")},
	"benefit:RecordDelivery":      {access.Allow(access.DealerMSP, "sales")},
	"benefit:RecordWarrantyClaim": {access.Allow(access.DealerMSP, "service")},
	"benefit:Entitlements":        access.AnyMember(),
}

// Contract is the benefit contract.
type Contract struct{ kit.Contract }

// NewContract returns the contract.
func NewContract(opts ...kit.Option) *Contract {
	return &Contract{kit.NewContract(Name, Policy, []string{"Entitlements"}, opts...)}
}

func termsKey(manufacturer, model string) (string, error) {
	return shim.CreateCompositeKey(termsObject, []string{manufacturer, model})
}

func deliveryKey(vinCode string) (string, error) {
	return shim.CreateCompositeKey(deliveryObject, []string{vinCode})
}

func claimKey(vinCode, id string) (string, error) {
	return shim.CreateCompositeKey(claimObject, []string{vinCode, id})
}

// modelRequest is the model argument with the terms, checked together.
type modelRequest struct {
	model string
	req   benefittypes.TermsRequest
}

func (m modelRequest) Validate() error {
	var c rules.Checker
	c.Text("model", m.model, vehicletypes.MaxName)
	c.Add(m.req.Validate())
	return c.Err()
}

// SetWarrantyTerms sets (or replaces) the OEM's warranty terms for one of
// its models; a car whose model has none gets the statutory minimums.
// Replacing terms changes the answer for every car of the model, which is
// why only the OEM's quality or admin role may.
func (c *Contract) SetWarrantyTerms(ctx contractapi.TransactionContextInterface, model string, req benefittypes.TermsRequest) (*benefittypes.WarrantyTerms, error) {
	tx, err := c.Config.Begin(ctx, modelRequest{model: model, req: req})
	if err != nil {
		return nil, err
	}
	key, err := termsKey(req.Manufacturer, model)
	if err != nil {
		return nil, err
	}
	t := &benefittypes.WarrantyTerms{SchemaVersion: kit.SchemaVersion, Manufacturer: req.Manufacturer, Model: model, Terms: req.Terms,
		SetBy: tx.Caller.MSP, SetAt: tx.Time}
	if err := kit.PutJSON(tx.Stub, key, t); err != nil {
		return nil, err
	}
	return t, kit.Emit(tx.Stub, benefittypes.EvWarrantyTermsSet, benefittypes.WarrantyTermsSet{Manufacturer: req.Manufacturer, Model: model})
}

// RecordDelivery records the day the selling dealer handed the car to its
// first owner, once: the periods run from it when it differs from the
// invoice date. It may not precede the invoice or follow today.
func (c *Contract) RecordDelivery(ctx contractapi.TransactionContextInterface, vinCode, date string) (*benefittypes.Delivery, error) {
	tx, err := c.Config.Begin(ctx)
	if err != nil {
		return nil, err
	}
	day, err := benefittypes.ParseDate("date", date)
	if err != nil {
		return nil, err
	}
	v, err := load(tx.Stub, vinCode)
	if err != nil {
		return nil, err
	}
	key, err := deliveryKey(v.VIN)
	if err != nil {
		return nil, err
	}
	var old benefittypes.Delivery
	if found, err := kit.GetJSON(tx.Stub, key, &old); err != nil {
		return nil, err
	} else if found {
		return nil, ccerr.New(ccerr.AlreadyExists, "vehicle %s was delivered on %s; a delivery is recorded once", v.VIN, old.Date)
	}
	f, err := facts(tx.Stub, v)
	if err != nil {
		return nil, err
	}
	switch d := benefittypes.Day(day); {
	case d.Before(benefittypes.Day(f.InvoiceDate)):
		return nil, ccerr.Field(ccerr.InvalidArgument, "date", "not_before_invoice", "the delivery cannot precede the invoice date %s", benefittypes.Day(f.InvoiceDate).Format(benefittypes.DateLayout))
	case d.After(benefittypes.Day(tx.Time)):
		return nil, ccerr.Field(ccerr.InvalidArgument, "date", "not_after_tx", "the delivery cannot be later than today, %s", benefittypes.Day(tx.Time).Format(benefittypes.DateLayout))
	}
	rec := &benefittypes.Delivery{SchemaVersion: kit.SchemaVersion, VIN: v.VIN, Date: day.Format(benefittypes.DateLayout), RecordedBy: tx.Caller.MSP, RecordedAt: tx.Time}
	if err := kit.PutJSON(tx.Stub, key, rec); err != nil {
		return nil, err
	}
	return rec, kit.Emit(tx.Stub, benefittypes.EvDeliveryRecorded, benefittypes.DeliveryRecorded{VIN: v.VIN, Date: rec.Date})
}

// Entitlements answers what the statutory warranty gives the car now (the
// transaction's time): each rule, the figures it used, its deadline.
func (c *Contract) Entitlements(ctx contractapi.TransactionContextInterface, vinCode string) (*benefittypes.Answer, error) {
	stub := ctx.GetStub()
	at, err := kit.TxTime(stub)
	if err != nil {
		return nil, err
	}
	v, err := load(stub, vinCode)
	if err != nil {
		return nil, err
	}
	a, _, err := entitlements(stub, v, at)
	return a, err
}

// RecordWarrantyClaim records a dealer's warranty claim for a service of
// the car under a rule, accepted when the rule covers that service now and
// refused otherwise, with the deciding rule's reason. A refusal is a
// record, not an error: the refusal is what the owner and the OEM read.
func (c *Contract) RecordWarrantyClaim(ctx contractapi.TransactionContextInterface, vinCode string, req benefittypes.ClaimRequest) (*benefittypes.WarrantyClaim, error) {
	tx, err := c.Config.Begin(ctx, req)
	if err != nil {
		return nil, err
	}
	v, err := load(tx.Stub, vinCode)
	if err != nil {
		return nil, err
	}
	a, f, err := entitlements(tx.Stub, v, tx.Time)
	if err != nil {
		return nil, err
	}
	if !slices.ContainsFunc(f.Services, func(s benefittypes.Service) bool { return s.Seq == req.ServiceSeq }) {
		return nil, ccerr.Field(ccerr.NotFound, "serviceSeq", "service_record", "vehicle %s has no service record with seq %d", v.VIN, req.ServiceSeq)
	}
	cl := &benefittypes.WarrantyClaim{SchemaVersion: kit.SchemaVersion, VIN: v.VIN, ID: tx.Stub.GetTxID(), Rule: req.Rule,
		ServiceSeq: req.ServiceSeq, EvidenceHash: req.EvidenceHash, Decision: benefittypes.Refused, RecordedBy: tx.Caller.MSP, RecordedAt: tx.Time}
	switch r := a.Find(req.Rule); {
	case r == nil:
		cl.Reason = fmt.Sprintf("rule %s does not apply to this car (no traction-battery warranty for its model, or no traction battery)", req.Rule)
	case slices.Contains(r.Services, req.ServiceSeq):
		cl.Decision = benefittypes.Accepted
		cl.Reason = r.Reason
	default:
		cl.Reason = fmt.Sprintf("rule %s does not cover service %d: %s", req.Rule, req.ServiceSeq, r.Reason)
	}
	key, err := claimKey(v.VIN, cl.ID)
	if err != nil {
		return nil, err
	}
	if err := kit.PutJSON(tx.Stub, key, cl); err != nil {
		return nil, err
	}
	return cl, kit.Emit(tx.Stub, benefittypes.EvWarrantyClaimRecorded, benefittypes.WarrantyClaimRecorded{
		VIN: v.VIN, ID: cl.ID, Rule: cl.Rule, ServiceSeq: cl.ServiceSeq, Decision: cl.Decision})
}

// load validates the VIN's form, then loads the vehicle.
func load(stub shim.ChaincodeStubInterface, vinCode string) (*vehicletypes.Vehicle, error) {
	if _, err := vin.Validate(vinCode); err != nil {
		return nil, err
	}
	return vehicle.Load(stub, vinCode)
}

// entitlements reads the car's terms, facts and delivery and computes the
// answer at at; it returns the facts too.
func entitlements(stub shim.ChaincodeStubInterface, v *vehicletypes.Vehicle, at time.Time) (*benefittypes.Answer, benefittypes.Facts, error) {
	f, err := facts(stub, v)
	if err != nil {
		return nil, f, err
	}
	key, err := termsKey(v.Birth.Manufacturer, v.Birth.Model)
	if err != nil {
		return nil, f, err
	}
	terms, source := benefittypes.StatutoryTerms, "statutory-minimum"
	var t benefittypes.WarrantyTerms
	if found, err := kit.GetJSON(stub, key, &t); err != nil {
		return nil, f, err
	} else if found {
		terms, source = t.Terms, "oem"
	}
	a := benefittypes.Entitlements(terms, f, at)
	a.VIN, a.TermsSource = v.VIN, source
	return &a, f, nil
}

// facts reads what the rules need from the car's history: the first sale
// (the invoice), each sale's use type, title brands, readings and service
// records, and the recorded delivery. A car never sold has no entitlement
// yet: FAILED_PRECONDITION.
func facts(stub shim.ChaincodeStubInterface, v *vehicletypes.Vehicle) (benefittypes.Facts, error) {
	f := benefittypes.Facts{UseTypes: []string{}, Brands: []benefittypes.Brand{}, Services: []benefittypes.Service{},
		Electrified: v.Birth.Electrified(), MaxTotalKm: v.Odometer.MaxTotalKm, RollbackSuspected: v.RollbackSuspected}
	if v.OwnerCount == 0 {
		return f, ccerr.New(ccerr.FailedPrecondition, "vehicle %s was never sold: its warranty starts at the first sale (owner:SellFromStock)", v.VIN)
	}
	var latest time.Time
	err := vehicle.EachEvent(stub, v, func(e *vehicletypes.LifeEvent) {
		if r := e.Odometer; r != nil && !r.ObservedAt.Before(latest) {
			latest, f.LatestTotalKm = r.ObservedAt, r.TotalKm
		}
		switch {
		case e.Transfer != nil:
			if e.Transfer.OwnerNo == 1 {
				f.InvoiceDate = e.Transfer.SaleDate
			}
			if e.Transfer.Reason == "" {
				f.UseTypes = append(f.UseTypes, e.Transfer.UseType)
			}
		case e.Brand != nil:
			f.Brands = append(f.Brands, benefittypes.Brand{Brand: e.Brand.Brand, Date: e.Brand.Date})
		case e.Service != nil:
			s := e.Service
			km := s.OdometerKm
			if e.Odometer != nil {
				km = e.Odometer.TotalKm
			}
			f.Services = append(f.Services, benefittypes.Service{Seq: e.Seq, Type: s.Type, PerformedAt: s.PerformedAt, TotalKm: km,
				FaultCode: s.FaultCode, SafetyRelevant: s.SafetyRelevant, DaysOffRoad: s.DaysOffRoad,
				MainPartsReplaced: slices.Clone(s.MainPartsReplaced), Persists: s.Persists})
		}
	})
	if err != nil {
		return f, err
	}
	key, err := deliveryKey(v.VIN)
	if err != nil {
		return f, err
	}
	var d benefittypes.Delivery
	if found, err := kit.GetJSON(stub, key, &d); err != nil {
		return f, err
	} else if found {
		if f.DeliveryDate, err = benefittypes.ParseDate("date", d.Date); err != nil {
			return f, fmt.Errorf("stored delivery of %s: %w", v.VIN, err)
		}
	}
	return f, nil
}
