// Package vehicle is the contract that keeps each VIN's tamper-evident life:
// birth, pseudonymous owners, odometer readings that cannot be silently
// rolled back, services, battery health, incidents and title brands.
package vehicle

import (
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/autoledger/autoledger/chaincode/access"
	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/autoledger/autoledger/chaincode/collections"
	"github.com/autoledger/autoledger/chaincode/kit"
	"github.com/autoledger/autoledger/chaincode/rules"
	"github.com/autoledger/autoledger/chaincode/vehicle/vehicletypes"
	"github.com/autoledger/autoledger/chaincode/vin"
	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
)

// Name is the contract's name: its transactions are "vehicle:Register" and so on.
const Name = "vehicle"

// OwnersCollection holds the owner links, the selling dealer's customer
// references per ownership (collections.Owners: OemMSP and DealerMSP).
const OwnersCollection = collections.Owners

// Policy says who may call each transaction.
var Policy = access.Policy{
	"vehicle:Register":            {access.Allow(access.OemMSP, "production")},
	"vehicle:RecordOdometer":      {access.Allow(access.OemMSP, "telematics"), access.Allow(access.DealerMSP, "service"), access.Allow(access.InsurerMSP, "claims")},
	"vehicle:ReplaceCluster":      {access.Allow(access.DealerMSP, "service")},
	"vehicle:RecordService":       {access.Allow(access.DealerMSP, "service")},
	"vehicle:RecordBatteryReport": {access.Allow(access.OemMSP, "telematics")},
	"vehicle:RecordIncident":      {access.Allow(access.InsurerMSP, "claims")},
	"vehicle:BrandTitle":          {access.Allow(access.InsurerMSP, "claims")},
	"vehicle:Get":                 access.AnyMember(),
	"vehicle:History":             access.AnyMember(),
	"vehicle:Report":              access.AnyMember(),
	"vehicle:AttestedReport":      access.AnyMember(),
	"vehicle:OwnerRecordHash":     access.AnyMember(),
}

// Contract is the vehicle contract.
type Contract struct{ kit.Contract }

// NewContract returns the contract; opts set the peer clock and tolerance.
func NewContract(opts ...kit.Option) *Contract {
	return &Contract{kit.NewContract(Name, Policy, []string{"Get", "History", "Report", "AttestedReport", "OwnerRecordHash"}, opts...)}
}

// emit sets the event name for life event e of v, with its facts.
func emit[F any](stub shim.ChaincodeStubInterface, name string, v *vehicletypes.Vehicle, e *vehicletypes.LifeEvent, facts F) error {
	return kit.Emit(stub, name, vehicletypes.Event[F]{VIN: v.VIN, Seq: e.Seq, Type: e.Type, Facts: facts, RollbackSuspected: v.RollbackSuspected})
}

// appendEvent appends e to v's life, emits name with facts and answers
// with the receipt: the end of every write that records one fact.
func appendEvent[F any](stub shim.ChaincodeStubInterface, v *vehicletypes.Vehicle, e *vehicletypes.LifeEvent, name string, facts F) (*vehicletypes.Receipt, error) {
	if err := Append(stub, v, e); err != nil {
		return nil, err
	}
	return &vehicletypes.Receipt{VIN: v.VIN, Seq: e.Seq, Type: e.Type}, emit(stub, name, v, e, facts)
}

// load validates the VIN's form, then loads the vehicle.
func load(ctx contractapi.TransactionContextInterface, vinCode string) (*vehicletypes.Vehicle, error) {
	if _, err := vin.Validate(vinCode); err != nil {
		return nil, err
	}
	return Load(ctx.GetStub(), vinCode)
}

// begin starts a write to a registered vehicle: kit.Begin, then the time
// the request says something was observed, which may not be later than the
// transaction, then the vehicle.
func (c *Contract) begin(ctx contractapi.TransactionContextInterface, vinCode string, req kit.Validator, observedField string, observed time.Time) (kit.Tx, *vehicletypes.Vehicle, error) {
	tx, err := c.Config.BeginObserved(ctx, observedField, observed, req)
	if err != nil {
		return tx, nil, err
	}
	v, err := load(ctx, vinCode)
	return tx, v, err
}

// Register records a new vehicle's birth.
func (c *Contract) Register(ctx contractapi.TransactionContextInterface, req vehicletypes.RegisterRequest) (*vehicletypes.Vehicle, error) {
	tx, err := c.Config.BeginObserved(ctx, "birth.productionDate", req.Birth.ProductionDate, req)
	if err != nil {
		return nil, err
	}
	verified, _ := vin.Validate(req.VIN)
	if _, err := Load(tx.Stub, req.VIN); err == nil {
		return nil, ccerr.New(ccerr.AlreadyExists, "vehicle %s is already registered", req.VIN)
	} else if ccerr.CodeOf(err) != ccerr.NotFound {
		return nil, err
	}
	birth := req.Birth
	birth.ProductionDate = birth.ProductionDate.UTC()
	v := &vehicletypes.Vehicle{
		SchemaVersion: kit.SchemaVersion, VIN: req.VIN, CheckDigitVerified: verified, Birth: birth,
		RegisteredAt: tx.Time, RegisteredBy: tx.Caller.MSP, TitleBrands: []string{},
		Odometer: vehicletypes.OdometerState{Baselines: []vehicletypes.Baseline{}},
	}
	e := &vehicletypes.LifeEvent{Type: vehicletypes.EventRegistered, Birth: &birth}
	if err := Append(tx.Stub, v, e); err != nil {
		return nil, err
	}
	return v, emit(tx.Stub, vehicletypes.EvVehicleRegistered, v, e, vehicletypes.VehicleRegistered{
		Manufacturer: birth.Manufacturer, Model: birth.Model, ModelYear: birth.ModelYear,
		Powertrain: birth.Powertrain, CheckDigitVerified: verified,
	})
}

// RecordSale appends the OWNERSHIP_TRANSFER life event of a sale to v in
// the caller's transaction: the sale's odometer reading (source "sale"),
// the next owner number and the use type, and sets the
// OwnershipTransferred event. The owner contract's sales call it after
// their own checks (the owner's release, the claim code's hash): it is the
// one way a car changes hands with a reading. saleDate must already be
// checked against the transaction time.
func RecordSale(stub shim.ChaincodeStubInterface, v *vehicletypes.Vehicle, sale vehicletypes.TransferRequest) (*vehicletypes.TransferResult, error) {
	reading, err := addReading(stub, v, sale.OdometerKm, "sale", sale.SaleDate.UTC(), v.EventCount+1)
	if err != nil {
		return nil, err
	}
	v.OwnerCount++
	v.UseType = sale.UseType
	e := &vehicletypes.LifeEvent{Type: vehicletypes.EventOwnershipTransfer, Odometer: &reading, Transfer: &vehicletypes.Transfer{
		SaleDate: sale.SaleDate.UTC(), OdometerKm: sale.OdometerKm, UseType: sale.UseType, OwnerNo: v.OwnerCount,
	}}
	if err := Append(stub, v, e); err != nil {
		return nil, err
	}
	res := &vehicletypes.TransferResult{Receipt: vehicletypes.Receipt{VIN: v.VIN, Seq: e.Seq, Type: e.Type}, OwnerCount: v.OwnerCount, Reading: reading, RollbackSuspected: v.RollbackSuspected}
	return res, emit(stub, vehicletypes.EvOwnershipTransferred, v, e, vehicletypes.OwnershipTransferred{
		OwnerCount: v.OwnerCount, UseType: sale.UseType, OdometerKm: sale.OdometerKm, ReadingRollback: reading.Rollback,
	})
}

// RecordOwnerChange appends the OWNERSHIP_TRANSFER life event of a change
// of owner that is no sale (a repossession, a court order: reason) to v in
// the caller's transaction. No one read the odometer, so the event carries
// no reading; the use type stays. It sets no chaincode event: the caller's
// transaction has its own.
func RecordOwnerChange(stub shim.ChaincodeStubInterface, v *vehicletypes.Vehicle, reason string) (*vehicletypes.Receipt, error) {
	ts, err := kit.TxTime(stub)
	if err != nil {
		return nil, err
	}
	v.OwnerCount++
	e := &vehicletypes.LifeEvent{Type: vehicletypes.EventOwnershipTransfer, Transfer: &vehicletypes.Transfer{
		SaleDate: ts, UseType: v.UseType, OwnerNo: v.OwnerCount, Reason: reason,
	}}
	if err := Append(stub, v, e); err != nil {
		return nil, err
	}
	return &vehicletypes.Receipt{VIN: v.VIN, Seq: e.Seq, Type: e.Type}, nil
}

// ownerLinkObject keys the owners collection's records: one per ownership.
const ownerLinkObject = "ownerlink"

// OwnerLinkKey is the key of ownership ownerNo's owner link in the owners
// collection (written by the owner contract). Fabric hashes private keys
// without a salt, so the key holds only public facts: the VIN and the
// ownership's number.
func OwnerLinkKey(vinCode string, ownerNo int) (string, error) {
	return shim.CreateCompositeKey(ownerLinkObject, []string{vinCode, fmt.Sprintf(OwnerNoFormat, ownerNo)})
}

// OwnerNoFormat renders an ownership number in keys so that they sort in
// order under a range scan.
const OwnerNoFormat = "%06d"

// OwnerRecordHash returns the SHA-256 (hex) of the owner link of the car's
// current ownership as every peer holds it, members of the owners
// collection or not, so a holder of the record can prove it and anyone can
// check it is salted.
func (c *Contract) OwnerRecordHash(ctx contractapi.TransactionContextInterface, vinCode string) (string, error) {
	v, err := load(ctx, vinCode)
	if err != nil {
		return "", err
	}
	if v.OwnerCount == 0 {
		return "", ccerr.New(ccerr.NotFound, "vehicle %s has no owner on record", vinCode)
	}
	key, err := OwnerLinkKey(vinCode, v.OwnerCount)
	if err != nil {
		return "", err
	}
	h, err := ctx.GetStub().GetPrivateDataHash(OwnersCollection, key)
	if err != nil {
		return "", fmt.Errorf("read owner record hash of %s: %w", vinCode, err)
	}
	if h == nil {
		return "", ccerr.New(ccerr.NotFound, "vehicle %s has no owner on record for ownership %d", vinCode, v.OwnerCount)
	}
	return hex.EncodeToString(h), nil
}

// RecordOdometer stores a reading. A reading lower than one observed before
// it is stored all the same, and marks the vehicle, for good, as suspected
// of a rollback.
func (c *Contract) RecordOdometer(ctx contractapi.TransactionContextInterface, vinCode string, req vehicletypes.OdometerRequest) (*vehicletypes.OdometerResult, error) {
	tx, v, err := c.begin(ctx, vinCode, req, "observedAt", req.ObservedAt)
	if err != nil {
		return nil, err
	}
	reading, err := addReading(tx.Stub, v, req.Km, req.Source, req.ObservedAt.UTC(), v.EventCount+1)
	if err != nil {
		return nil, err
	}
	e := &vehicletypes.LifeEvent{Type: vehicletypes.EventOdometer, Odometer: &reading}
	if err := Append(tx.Stub, v, e); err != nil {
		return nil, err
	}
	name := vehicletypes.EvOdometerRecorded
	if reading.Rollback {
		name = vehicletypes.EvOdometerRollbackSuspected
	}
	res := &vehicletypes.OdometerResult{VIN: v.VIN, Seq: e.Seq, Reading: reading, RollbackSuspected: v.RollbackSuspected}
	return res, emit(tx.Stub, name, v, e, vehicletypes.OdometerRecorded{
		Km: reading.DisplayedKm, TotalKm: reading.TotalKm, Source: reading.Source, ReadingRollback: reading.Rollback,
	})
}

// ReplaceCluster records an instrument-cluster replacement with its
// evidence. The old cluster's final reading is recorded; readings observed
// from then on count from a new baseline, so the total distance stays right.
func (c *Contract) ReplaceCluster(ctx contractapi.TransactionContextInterface, vinCode string, req vehicletypes.ClusterRequest) (*vehicletypes.OdometerResult, error) {
	tx, v, err := c.begin(ctx, vinCode, req, "replacedAt", req.ReplacedAt)
	if err != nil {
		return nil, err
	}
	at := req.ReplacedAt.UTC()
	if at.Before(v.Odometer.LatestObservedAt) {
		return nil, ccerr.New(ccerr.FailedPrecondition, "replacedAt %s is before the latest reading on record (%s); a replacement cannot be inserted before readings already counted from the old cluster",
			at.Format(time.RFC3339), v.Odometer.LatestObservedAt.Format(time.RFC3339))
	}
	final, err := addReading(tx.Stub, v, req.OldClusterFinalKm, "service", at, v.EventCount+1)
	if err != nil {
		return nil, err
	}
	v.Odometer.Baselines = append(v.Odometer.Baselines, vehicletypes.Baseline{From: at, OffsetKm: final.TotalKm - req.NewClusterStartKm})
	e := &vehicletypes.LifeEvent{Type: vehicletypes.EventClusterReplacement, Odometer: &final, Cluster: &vehicletypes.ClusterReplacement{
		OldClusterFinalKm: req.OldClusterFinalKm, NewClusterStartKm: req.NewClusterStartKm,
		EvidenceHash: req.EvidenceHash, ReplacedAt: at, TotalKmBefore: final.TotalKm,
	}}
	if err := Append(tx.Stub, v, e); err != nil {
		return nil, err
	}
	res := &vehicletypes.OdometerResult{VIN: v.VIN, Seq: e.Seq, Reading: final, RollbackSuspected: v.RollbackSuspected}
	return res, emit(tx.Stub, vehicletypes.EvClusterReplaced, v, e, vehicletypes.ClusterReplaced{
		TotalKmBefore: final.TotalKm, NewClusterStartKm: req.NewClusterStartKm,
	})
}

// RecordService records a service; its odometer value is also a reading.
func (c *Contract) RecordService(ctx contractapi.TransactionContextInterface, vinCode string, req vehicletypes.ServiceRequest) (*vehicletypes.OdometerResult, error) {
	tx, v, err := c.begin(ctx, vinCode, req, "performedAt", req.PerformedAt)
	if err != nil {
		return nil, err
	}
	if err := partsInCar(tx.Stub, v.VIN, req.PartSerials); err != nil {
		return nil, err
	}
	at := req.PerformedAt.UTC()
	reading, err := addReading(tx.Stub, v, req.OdometerKm, "service", at, v.EventCount+1)
	if err != nil {
		return nil, err
	}
	parts := slices.Clone(req.PartSerials)
	if parts == nil {
		parts = []string{}
	}
	if req.RecallID != "" {
		if err := remedy(tx.Stub, v, req.RecallID, at); err != nil {
			return nil, err
		}
	}
	e := &vehicletypes.LifeEvent{Type: vehicletypes.EventService, Odometer: &reading, Service: &vehicletypes.ServiceRecord{
		Type: req.Type, OdometerKm: req.OdometerKm, DocumentHash: req.DocumentHash, PartSerials: parts,
		NonSerialisedParts: slices.Clone(req.NonSerialisedParts), PerformedAt: at,
		RecallID: req.RecallID, WarrantyFacts: warrantyFacts(req.WarrantyFacts),
	}}
	if err := Append(tx.Stub, v, e); err != nil {
		return nil, err
	}
	res := &vehicletypes.OdometerResult{VIN: v.VIN, Seq: e.Seq, Reading: reading, RollbackSuspected: v.RollbackSuspected}
	return res, emit(tx.Stub, vehicletypes.EvServiceRecorded, v, e, vehicletypes.ServiceRecorded{
		ServiceType: req.Type, OdometerKm: req.OdometerKm, PartSerials: parts, ReadingRollback: reading.Rollback,
	})
}

// warrantyFacts is a copy of w that shares no slice with the request.
func warrantyFacts(w vehicletypes.WarrantyFacts) vehicletypes.WarrantyFacts {
	w.MainPartsReplaced = slices.Clone(w.MainPartsReplaced)
	return w
}

// RecordBatteryReport records the traction battery's health; electrified cars only.
func (c *Contract) RecordBatteryReport(ctx contractapi.TransactionContextInterface, vinCode string, req vehicletypes.BatteryRequest) (*vehicletypes.Receipt, error) {
	tx, v, err := c.begin(ctx, vinCode, req, "reportedAt", req.ReportedAt)
	if err != nil {
		return nil, err
	}
	if !v.Birth.Electrified() {
		return nil, ccerr.New(ccerr.NotElectrified, "vehicle %s has powertrain %s and no traction battery", v.VIN, v.Birth.Powertrain)
	}
	rep := req
	rep.ReportedAt = rep.ReportedAt.UTC()
	e := &vehicletypes.LifeEvent{Type: vehicletypes.EventBatteryReport, Battery: &rep}
	return appendEvent(tx.Stub, v, e, vehicletypes.EvBatteryReported, vehicletypes.BatteryReported{
		StateOfHealthPct: rep.StateOfHealthPct, Status: rep.Status,
	})
}

// RecordIncident records an accident or other damage from an insurance claim.
func (c *Contract) RecordIncident(ctx contractapi.TransactionContextInterface, vinCode string, req vehicletypes.IncidentRequest) (*vehicletypes.Receipt, error) {
	tx, v, err := c.begin(ctx, vinCode, req, "date", req.Date)
	if err != nil {
		return nil, err
	}
	inc := req
	inc.Date = inc.Date.UTC()
	e := &vehicletypes.LifeEvent{Type: vehicletypes.EventIncident, Incident: &inc}
	return appendEvent(tx.Stub, v, e, vehicletypes.EvIncidentRecorded, vehicletypes.IncidentRecorded{
		Severity: inc.Severity, AirbagDeployed: inc.Airbag, StructuralDamage: inc.StructuralDamage,
	})
}

// BrandTitle adds a title brand (salvage, flood, rebuilt, total-loss).
// Brands are permanent: a later brand adds to the list.
func (c *Contract) BrandTitle(ctx contractapi.TransactionContextInterface, vinCode string, req vehicletypes.BrandRequest) (*vehicletypes.Receipt, error) {
	tx, v, err := c.begin(ctx, vinCode, req, "date", req.Date)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(v.TitleBrands, req.Brand) {
		v.TitleBrands = append(v.TitleBrands, req.Brand)
	}
	b := req
	b.Date = b.Date.UTC()
	e := &vehicletypes.LifeEvent{Type: vehicletypes.EventTitleBrand, Brand: &b}
	return appendEvent(tx.Stub, v, e, vehicletypes.EvTitleBranded, vehicletypes.TitleBranded{Brand: b.Brand, TitleBrands: v.TitleBrands})
}

// Get returns the vehicle's current public state.
func (c *Contract) Get(ctx contractapi.TransactionContextInterface, vinCode string) (*vehicletypes.Vehicle, error) {
	return load(ctx, vinCode)
}

// History returns a page of the vehicle's life events, oldest first.
// pageSize is rules.MinPageSize to rules.MaxPageSize; bookmark is "" or the previous page's.
func (c *Contract) History(ctx contractapi.TransactionContextInterface, vinCode string, pageSize int32, bookmark string) (*vehicletypes.HistoryPage, error) {
	if pageSize < rules.MinPageSize || pageSize > rules.MaxPageSize {
		return nil, ccerr.Field(ccerr.PageLimitExceeded, "pageSize", "range", "must be between %d and %d, got %d", rules.MinPageSize, rules.MaxPageSize, pageSize)
	}
	if _, err := load(ctx, vinCode); err != nil {
		return nil, err
	}
	stub := ctx.GetStub()
	prefix, err := stub.CreateCompositeKey(eventObject, []string{vinCode})
	if err != nil {
		return nil, err
	}
	// The peer starts a page at the bookmark whatever it is; one from
	// another vehicle would page through that vehicle's events.
	if bookmark != "" && !strings.HasPrefix(bookmark, prefix) {
		return nil, ccerr.Field(ccerr.InvalidArgument, "bookmark", "belongs_to_vin", "is not a bookmark of vehicle %s", vinCode)
	}
	it, md, err := stub.GetStateByPartialCompositeKeyWithPagination(eventObject, []string{vinCode}, pageSize, bookmark)
	if err != nil {
		return nil, fmt.Errorf("page events of %s: %w", vinCode, err)
	}
	events, err := kit.Collect[vehicletypes.LifeEvent](it)
	if err != nil {
		return nil, fmt.Errorf("page events of %s: %w", vinCode, err)
	}
	return &vehicletypes.HistoryPage{VIN: vinCode, Events: events, Bookmark: md.GetBookmark()}, nil
}
