// Package part is the contract for parts provenance: serialized parts and
// their raw materials, who held each serial when, which car it is in, and
// which batches are recalled. Commercial terms stay in the oemSupplier
// private data collection.
package part

import (
	"encoding/hex"
	"fmt"
	"slices"
	"strings"

	"github.com/autoledger/autoledger/chaincode/access"
	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/autoledger/autoledger/chaincode/collections"
	"github.com/autoledger/autoledger/chaincode/kit"
	"github.com/autoledger/autoledger/chaincode/part/parttypes"
	"github.com/autoledger/autoledger/chaincode/rules"
	"github.com/autoledger/autoledger/chaincode/vehicle"
	"github.com/autoledger/autoledger/chaincode/vehicle/vehicletypes"
	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
	"github.com/hyperledger/fabric-protos-go-apiv2/ledger/queryresult"
)

// Name is the contract's name.
const Name = "part"

// TermsCollection holds the commercial terms between supplier and OEM.
const TermsCollection = collections.OemSupplier

// RecallChunk bounds the parts one transaction flags for a recall. A
// writing transaction may not page through a range, so a large recall is
// applied in chunks: IssueRecall does the first, ApplyRecall each next one,
// resuming after the cursor the recall record keeps.
const RecallChunk = 500

var movers = []access.Grant{
	access.Allow(access.SupplierMSP, "logistics", "production"),
	access.Allow(access.OemMSP, "production"),
	access.Allow(access.DealerMSP, "service"),
}

// Policy says who may call each transaction; holder rules are checked in the body.
var Policy = access.Policy{
	"part:RegisterParts": {access.Allow(access.SupplierMSP, "production"), access.Allow(access.OemMSP, "production")},
	"part:Assemble":      {access.Allow(access.SupplierMSP, "production"), access.Allow(access.OemMSP, "production")},
	"part:Ship":          movers,
	"part:Receive":       movers,
	"part:Install":       {access.Allow(access.OemMSP, "production"), access.Allow(access.DealerMSP, "service")},
	"part:Remove":        {access.Allow(access.OemMSP, "production"), access.Allow(access.DealerMSP, "service")},
	"part:Scrap":         {access.Allow(access.SupplierMSP, "production"), access.Allow(access.OemMSP, "production", "quality"), access.Allow(access.DealerMSP, "service")},
	"part:IssueRecall":   {access.Allow(access.OemMSP, "quality")},
	"part:ApplyRecall":   {access.Allow(access.OemMSP, "quality")},
	"part:PutTerms":      {access.Allow(access.SupplierMSP, "finance"), access.Allow(access.OemMSP, "finance")},
	"part:GetTerms":      {access.Allow(access.SupplierMSP, access.AnyRole), access.Allow(access.OemMSP, access.AnyRole)},
	"part:Get":           access.AnyMember(),
	"part:Verify":        access.AnyMember(),
	"part:Provenance":    access.AnyMember(),
	"part:RecallStatus":  access.AnyMember(),
	"part:TermsHash":     access.AnyMember(),
}

// Contract is the part contract.
type Contract struct{ kit.Contract }

// NewContract returns the contract.
func NewContract(opts ...kit.Option) *Contract {
	return &Contract{kit.NewContract(Name, Policy, []string{"Get", "Verify", "Provenance", "RecallStatus", "GetTerms", "TermsHash"}, opts...)}
}

func partKey(serial string) (string, error) {
	return shim.CreateCompositeKey(parttypes.PartObject, []string{serial})
}

// batchKey indexes serials by part number and batch as a simple key, so
// that a recall's batch range is one GetStateByRange (composite keys only
// allow prefix scans). '|' cannot occur in codes.
func batchKey(partNumber, batch, serial string) string {
	return "pb|" + partNumber + "|" + batch + "|" + serial
}

func recallKey(partNumber, id string) (string, error) {
	return shim.CreateCompositeKey("recall", []string{partNumber, id})
}

func recallIDKey(id string) (string, error) {
	return shim.CreateCompositeKey("recall~id", []string{id})
}

func termsKey(partNumber, batch string) (string, error) {
	return shim.CreateCompositeKey("terms", []string{partNumber, batch})
}

// Load returns the part registered under serial, or NOT_FOUND; other
// contracts (payments) check shipments with it.
func Load(stub shim.ChaincodeStubInterface, serial string) (*parttypes.Part, error) {
	return load(stub, serial)
}

func load(stub shim.ChaincodeStubInterface, serial string) (*parttypes.Part, error) {
	return kit.Registered[parttypes.Part](stub, "part", "serial", serial, partKey)
}

// record saves p and appends a custody event to its trail.
func record(stub shim.ChaincodeStubInterface, p *parttypes.Part, e parttypes.CustodyEvent) error {
	ts, err := kit.TxTime(stub)
	if err != nil {
		return err
	}
	p.CustodyCount++
	e.Seq, e.TxID, e.At = p.CustodyCount, stub.GetTxID(), ts
	key, err := shim.CreateCompositeKey("part~custody", []string{p.Serial, fmt.Sprintf("%012d", e.Seq)})
	if err != nil {
		return err
	}
	if err := kit.PutJSON(stub, key, e); err != nil {
		return err
	}
	pk, err := partKey(p.Serial)
	if err != nil {
		return err
	}
	return kit.PutJSON(stub, pk, p)
}

// begin starts a write to the registered part serial: kit.Begin, then the part.
func (c *Contract) begin(ctx contractapi.TransactionContextInterface, serial string, req kit.Validator) (kit.Tx, *parttypes.Part, error) {
	tx, err := c.Config.Begin(ctx, req)
	if err != nil {
		return tx, nil, err
	}
	p, err := load(tx.Stub, serial)
	return tx, p, err
}

// RegisterParts registers serials of one part number and batch, held by the
// caller's org. A serial is registered once, ever.
func (c *Contract) RegisterParts(ctx contractapi.TransactionContextInterface, req parttypes.RegisterPartsRequest) (*parttypes.RegisterResult, error) {
	tx, err := c.Config.BeginObserved(ctx, "manufacturedAt", req.ManufacturedAt, req)
	if err != nil {
		return nil, err
	}
	stub, msp := tx.Stub, tx.Caller.MSP
	materials := req.Materials
	if materials == nil {
		materials = []parttypes.MaterialOrigin{}
	}
	certs := req.ConformityCertHashes
	if certs == nil {
		certs = []string{}
	}
	for _, s := range req.Serials {
		if _, err := load(stub, s); err == nil {
			return nil, ccerr.Field(ccerr.AlreadyExists, "serials[]", "unique", "serial %s is already registered", s)
		} else if ccerr.CodeOf(err) != ccerr.NotFound {
			return nil, err
		}
		p := &parttypes.Part{SchemaVersion: kit.SchemaVersion, Serial: s, PartNumber: req.PartNumber, Batch: req.Batch,
			Manufacturer: req.Manufacturer, ManufacturedAt: req.ManufacturedAt.UTC(), RegisteredBy: msp,
			Materials: materials, ConformityCertHashes: certs, Holder: msp, Status: parttypes.Held}
		if err := record(stub, p, parttypes.CustodyEvent{Type: parttypes.CustodyRegistered, Org: msp}); err != nil {
			return nil, err
		}
		if err := stub.PutState(batchKey(req.PartNumber, req.Batch, s), []byte{1}); err != nil {
			return nil, err
		}
	}
	res := &parttypes.RegisterResult{PartNumber: req.PartNumber, Batch: req.Batch, Count: len(req.Serials)}
	return res, kit.Emit(stub, parttypes.EvPartsRegistered, parttypes.PartsRegistered{PartNumber: req.PartNumber, Batch: req.Batch,
		Serials: req.Serials, Holder: msp})
}

// usable refuses a part msp cannot build with or move: not held by msp, in
// transit, installed, inside an assembly, scrapped or recalled.
func usable(stub shim.ChaincodeStubInterface, p *parttypes.Part, msp string) error {
	if err := heldBy(p, msp); err != nil {
		return err
	}
	if id, err := recalledBy(stub, p); err != nil {
		return err
	} else if id != "" {
		return ccerr.New(ccerr.FailedPrecondition, "part %s is recalled (%s)", p.Serial, id)
	}
	return nil
}

// heldBy refuses a part that msp does not hold, or holds but not as a
// loose part (in transit, installed, inside an assembly, scrapped).
func heldBy(p *parttypes.Part, msp string) error {
	if p.Holder != msp {
		return ccerr.New(ccerr.Forbidden, "part %s is held by %s, not %s", p.Serial, p.Holder, msp)
	}
	if p.Status != parttypes.Held {
		return ccerr.New(ccerr.FailedPrecondition, "part %s is %s", p.Serial, p.Status)
	}
	return nil
}

// recalledBy returns the ID of a recall covering p, "" if none. It reads
// the recalls of p's part number, so a part is refused as soon as a recall
// is issued, before ApplyRecall has reached it.
func recalledBy(stub shim.ChaincodeStubInterface, p *parttypes.Part) (string, error) {
	if p.RecallID != "" {
		return p.RecallID, nil
	}
	it, err := stub.GetStateByPartialCompositeKey("recall", []string{p.PartNumber})
	if err != nil {
		return "", fmt.Errorf("scan recalls of %s: %w", p.PartNumber, err)
	}
	id := ""
	err = kit.Range(it, func(_ string, r parttypes.Recall) (bool, error) {
		if p.Batch >= r.BatchFrom && p.Batch <= r.BatchTo {
			id = r.RecallID
		}
		return id == "", nil
	})
	if err != nil {
		return "", fmt.Errorf("scan recalls of %s: %w", p.PartNumber, err)
	}
	return id, nil
}

// Assemble makes an assembly (a battery pack from modules, say) out of parts
// the caller holds; the assembly is a new serial held by the caller.
func (c *Contract) Assemble(ctx contractapi.TransactionContextInterface, req parttypes.AssembleRequest) (*parttypes.Part, error) {
	tx, err := c.Config.BeginObserved(ctx, "assembledAt", req.AssembledAt, req)
	if err != nil {
		return nil, err
	}
	stub, msp := tx.Stub, tx.Caller.MSP
	if _, err := load(stub, req.Serial); err == nil {
		return nil, ccerr.Field(ccerr.AlreadyExists, "serial", "unique", "serial %s is already registered", req.Serial)
	} else if ccerr.CodeOf(err) != ccerr.NotFound {
		return nil, err // a failed read is a fault, not a free serial
	}
	children := slices.Clone(req.Children)
	slices.Sort(children)
	if len(slices.Compact(slices.Clone(children))) != len(children) {
		return nil, ccerr.Field(ccerr.InvalidArgument, "children", "unique", "a component is listed twice")
	}
	asm := &parttypes.Part{SchemaVersion: kit.SchemaVersion, Serial: req.Serial, PartNumber: req.PartNumber, Batch: req.Batch,
		Manufacturer: req.Manufacturer, ManufacturedAt: req.AssembledAt.UTC(), RegisteredBy: msp,
		Materials: []parttypes.MaterialOrigin{}, ConformityCertHashes: []string{}, Holder: msp, Status: parttypes.Held, Children: children}
	for _, s := range children {
		ch, err := load(stub, s)
		if err != nil {
			return nil, err
		}
		if err := usable(stub, ch, msp); err != nil {
			return nil, err
		}
		ch.Status, ch.Parent = parttypes.Assembled, req.Serial
		if err := record(stub, ch, parttypes.CustodyEvent{Type: parttypes.CustodyAssembled, Org: msp, Ref: req.Serial}); err != nil {
			return nil, err
		}
	}
	if err := record(stub, asm, parttypes.CustodyEvent{Type: parttypes.CustodyAssembled, Org: msp}); err != nil {
		return nil, err
	}
	if err := stub.PutState(batchKey(req.PartNumber, req.Batch, req.Serial), []byte{1}); err != nil {
		return nil, err
	}
	return asm, kit.Emit(stub, parttypes.EvAssemblyCreated, parttypes.AssemblyCreated{Serial: req.Serial, Children: children, Holder: msp})
}

// Ship sends a held part to another member org.
func (c *Contract) Ship(ctx contractapi.TransactionContextInterface, serial string, req parttypes.ShipRequest) (*parttypes.Part, error) {
	tx, err := c.Config.Begin(ctx, req)
	if err != nil {
		return nil, err
	}
	stub, msp := tx.Stub, tx.Caller.MSP
	if !slices.Contains(access.Members, req.To) || req.To == msp {
		return nil, ccerr.Field(ccerr.InvalidArgument, "to", "member", "must be another member org, one of %v", access.Members)
	}
	p, err := load(stub, serial)
	if err != nil {
		return nil, err
	}
	if err := usable(stub, p, msp); err != nil {
		return nil, err
	}
	p.Status, p.InTransitTo, p.ShipmentRef = parttypes.InTransit, req.To, req.ShipmentRef
	if err := record(stub, p, parttypes.CustodyEvent{Type: parttypes.CustodyShipped, Org: msp, To: req.To, Ref: req.ShipmentRef}); err != nil {
		return nil, err
	}
	return p, kit.Emit(stub, parttypes.EvPartShipped, parttypes.PartShipped{Serial: serial, From: msp, To: req.To, ShipmentRef: req.ShipmentRef})
}

// Receive takes a part shipped to the caller's org into its custody.
func (c *Contract) Receive(ctx contractapi.TransactionContextInterface, serial string, req parttypes.ReceiveRequest) (*parttypes.Part, error) {
	tx, p, err := c.begin(ctx, serial, req)
	if err != nil {
		return nil, err
	}
	stub, msp := tx.Stub, tx.Caller.MSP
	if p.Status != parttypes.InTransit || p.InTransitTo != msp {
		return nil, ccerr.New(ccerr.FailedPrecondition, "part %s is not in transit to %s", serial, msp)
	}
	if p.ShipmentRef != req.ShipmentRef {
		return nil, ccerr.Field(ccerr.FailedPrecondition, "shipmentRef", "matches_shipment", "part %s travels under shipment %s", serial, p.ShipmentRef)
	}
	from := p.Holder
	p.Holder, p.Status, p.InTransitTo, p.ShipmentRef = msp, parttypes.Held, "", ""
	if err := record(stub, p, parttypes.CustodyEvent{Type: parttypes.CustodyReceived, Org: msp, Ref: req.ShipmentRef}); err != nil {
		return nil, err
	}
	return p, kit.Emit(stub, parttypes.EvPartReceived, parttypes.PartReceived{Serial: serial, From: from, Holder: msp, ShipmentRef: req.ShipmentRef})
}

// Install puts a held part into a registered vehicle and appends the fact
// to the vehicle's life in the same transaction.
func (c *Contract) Install(ctx contractapi.TransactionContextInterface, serial string, req parttypes.InstallRequest) (*parttypes.Part, error) {
	tx, p, err := c.begin(ctx, serial, req)
	if err != nil {
		return nil, err
	}
	stub, msp := tx.Stub, tx.Caller.MSP
	if err := usable(stub, p, msp); err != nil {
		return nil, err
	}
	v, err := vehicle.Load(stub, req.VIN)
	if err != nil {
		return nil, err
	}
	p.Status, p.VIN = parttypes.Installed, req.VIN
	if err := record(stub, p, parttypes.CustodyEvent{Type: parttypes.CustodyInstalled, Org: msp, VIN: req.VIN}); err != nil {
		return nil, err
	}
	if err := appendChange(stub, v, "PART_INSTALLED", p); err != nil {
		return nil, err
	}
	return p, kit.Emit(stub, parttypes.EvPartInstalled, parttypes.PartInstalled{Serial: serial, VIN: req.VIN, By: msp})
}

// appendChange adds a part fitted or taken out (typ) to the life of car v.
func appendChange(stub shim.ChaincodeStubInterface, v *vehicletypes.Vehicle, typ string, p *parttypes.Part) error {
	change := &vehicletypes.PartChange{Serial: p.Serial, PartNumber: p.PartNumber, Batch: p.Batch}
	return vehicle.Append(stub, v, &vehicletypes.LifeEvent{Type: typ, Part: change})
}

// Remove takes a part out of the car the caller names, into the caller's
// custody; the part must be installed in that very car.
func (c *Contract) Remove(ctx contractapi.TransactionContextInterface, serial string, req parttypes.RemoveRequest) (*parttypes.Part, error) {
	tx, p, err := c.begin(ctx, serial, req)
	if err != nil {
		return nil, err
	}
	stub, msp := tx.Stub, tx.Caller.MSP
	if p.Status != parttypes.Installed {
		return nil, ccerr.New(ccerr.FailedPrecondition, "part %s is %s, not installed", serial, p.Status)
	}
	if p.VIN != req.VIN {
		return nil, ccerr.Field(ccerr.FailedPrecondition, "vin", "installed_in", "part %s is not installed in vehicle %s", serial, req.VIN)
	}
	v, err := vehicle.Load(stub, p.VIN)
	if err != nil {
		return nil, err
	}
	vinCode := p.VIN
	p.Status, p.VIN, p.Holder = parttypes.Held, "", msp
	if err := record(stub, p, parttypes.CustodyEvent{Type: parttypes.CustodyRemoved, Org: msp, VIN: vinCode, Ref: req.Reason}); err != nil {
		return nil, err
	}
	if err := appendChange(stub, v, "PART_REMOVED", p); err != nil {
		return nil, err
	}
	return p, kit.Emit(stub, parttypes.EvPartRemoved, parttypes.PartRemoved{Serial: serial, VIN: vinCode, Holder: msp})
}

// Scrap retires a part the caller holds.
func (c *Contract) Scrap(ctx contractapi.TransactionContextInterface, serial string, req parttypes.ReasonRequest) (*parttypes.Part, error) {
	tx, p, err := c.begin(ctx, serial, req)
	if err != nil {
		return nil, err
	}
	stub, msp := tx.Stub, tx.Caller.MSP
	if err := heldBy(p, msp); err != nil {
		return nil, err
	}
	p.Status = parttypes.Scrapped
	if err := record(stub, p, parttypes.CustodyEvent{Type: parttypes.CustodyScrapped, Org: msp, Ref: req.Reason}); err != nil {
		return nil, err
	}
	return p, kit.Emit(stub, parttypes.EvPartScrapped, parttypes.PartScrapped{Serial: serial, By: msp})
}

// Get returns a part's public state.
func (c *Contract) Get(ctx contractapi.TransactionContextInterface, serial string) (*parttypes.Part, error) {
	return load(ctx.GetStub(), serial)
}

// Verify tells any member whether a serial is genuine and where it is. An
// unknown serial is not an error: it is the answer "not genuine".
func (c *Contract) Verify(ctx contractapi.TransactionContextInterface, serial string) (*parttypes.Verification, error) {
	stub := ctx.GetStub()
	p, err := load(stub, serial)
	if ccerr.CodeOf(err) == ccerr.NotFound {
		return &parttypes.Verification{Serial: serial}, nil
	}
	if err != nil {
		return nil, err
	}
	id, err := recalledBy(stub, p)
	if err != nil {
		return nil, err
	}
	return &parttypes.Verification{Serial: serial, Genuine: true, PartNumber: p.PartNumber, Status: p.Status, Holder: p.Holder,
		VIN: p.VIN, Recalled: id != ""}, nil
}

// maxProvenanceDepth bounds how deep an assembly tree is followed.
const maxProvenanceDepth = parttypes.MaxAssemblyDepth

// Provenance returns the custody trail, material origins and assembly tree.
func (c *Contract) Provenance(ctx contractapi.TransactionContextInterface, serial string) (*parttypes.Provenance, error) {
	return provenance(ctx.GetStub(), serial, 0)
}

func provenance(stub shim.ChaincodeStubInterface, serial string, depth int) (*parttypes.Provenance, error) {
	p, err := load(stub, serial)
	if err != nil {
		return nil, err
	}
	it, err := stub.GetStateByPartialCompositeKey("part~custody", []string{serial})
	if err != nil {
		return nil, fmt.Errorf("scan custody of %s: %w", serial, err)
	}
	custody, err := kit.Collect[parttypes.CustodyEvent](it)
	if err != nil {
		return nil, fmt.Errorf("scan custody of %s: %w", serial, err)
	}
	out := &parttypes.Provenance{Part: *p, Custody: custody, Components: []parttypes.Provenance{}}
	if depth < maxProvenanceDepth {
		for _, ch := range p.Children {
			cp, err := provenance(stub, ch, depth+1)
			if err != nil {
				return nil, err
			}
			out.Components = append(out.Components, *cp)
		}
	}
	return out, nil
}

// IssueRecall recalls a part number over a batch range and applies the
// first chunk of it: affected parts are flagged, and each car carrying one
// gets an open recall until a dealer records the remedy.
func (c *Contract) IssueRecall(ctx contractapi.TransactionContextInterface, req parttypes.RecallRequest) (*parttypes.Recall, error) {
	tx, err := c.Config.Begin(ctx, req)
	if err != nil {
		return nil, err
	}
	stub := tx.Stub
	idKey, err := recallIDKey(req.RecallID)
	if err != nil {
		return nil, err
	}
	if b, err := stub.GetState(idKey); err != nil {
		return nil, err
	} else if b != nil {
		return nil, ccerr.Field(ccerr.AlreadyExists, "recallId", "unique", "recall %s already exists", req.RecallID)
	}
	r := &parttypes.Recall{SchemaVersion: kit.SchemaVersion, RecallRequest: req, IssuedBy: tx.Caller.MSP, IssuedAt: tx.Time}
	if err := stub.PutState(idKey, []byte(req.PartNumber)); err != nil {
		return nil, err
	}
	cars, err := apply(stub, r)
	if err != nil {
		return nil, err
	}
	return r, kit.Emit(stub, parttypes.EvRecallIssued, parttypes.RecallIssued{PartNumber: r.PartNumber,
		BatchFrom: r.BatchFrom, BatchTo: r.BatchTo, RecallApplied: applied(r, cars)})
}

// ApplyRecall flags the next chunk of a recall's parts; harmless once complete.
func (c *Contract) ApplyRecall(ctx contractapi.TransactionContextInterface, recallID string) (*parttypes.Recall, error) {
	tx, err := c.Config.Begin(ctx)
	if err != nil {
		return nil, err
	}
	stub := tx.Stub
	r, err := loadRecall(stub, recallID)
	if err != nil {
		return nil, err
	}
	if r.Complete {
		return r, nil
	}
	cars, err := apply(stub, r)
	if err != nil {
		return nil, err
	}
	return r, kit.Emit(stub, parttypes.EvRecallApplied, applied(r, cars))
}

// applied tells how far recall r has got, and the cars it reached this time.
func applied(r *parttypes.Recall, cars []string) parttypes.RecallApplied {
	return parttypes.RecallApplied{RecallID: r.RecallID, PartsFlagged: r.PartsFlagged, CarsOpened: cars, Complete: r.Complete}
}

func loadRecall(stub shim.ChaincodeStubInterface, id string) (*parttypes.Recall, error) {
	idKey, err := recallIDKey(id)
	if err != nil {
		return nil, err
	}
	pn, err := stub.GetState(idKey)
	if err != nil {
		return nil, err
	}
	if pn == nil {
		return nil, ccerr.New(ccerr.NotFound, "recall %s does not exist", id)
	}
	key, err := recallKey(string(pn), id)
	if err != nil {
		return nil, err
	}
	var r parttypes.Recall
	found, err := kit.GetJSON(stub, key, &r)
	if err != nil {
		return nil, err
	}
	if !found { // the ID index and the record are written together
		return nil, fmt.Errorf("recall %s is indexed under %s but has no record", id, pn)
	}
	return &r, nil
}

// apply flags up to RecallChunk parts after r's cursor and saves r. It
// returns the VINs that got an open recall, in order.
func apply(stub shim.ChaincodeStubInterface, r *parttypes.Recall) ([]string, error) {
	start := batchKey(r.PartNumber, r.BatchFrom, "")
	if r.Cursor != "" {
		start = r.Cursor + "\x00"
	}
	end := batchKey(r.PartNumber, r.BatchTo, "") + "\U0010FFFF"
	it, err := stub.GetStateByRange(start, end)
	if err != nil {
		return nil, fmt.Errorf("scan parts of recall %s: %w", r.RecallID, err)
	}
	vehicles := map[string]*vehicletypes.Vehicle{} // one *Vehicle per car in this transaction
	cars := []string{}
	n := 0
	r.Complete = true
	err = kit.Each(it, func(kv *queryresult.KV) (bool, error) {
		if n == RecallChunk {
			r.Complete = false // this key and any after it are the next chunk's
			return false, nil
		}
		n++
		r.Cursor = kv.Key
		carVIN, err := flag(stub, r, kv.Key[strings.LastIndex(kv.Key, "|")+1:], vehicles)
		if carVIN != "" {
			cars = append(cars, carVIN)
		}
		return err == nil, err
	})
	if err != nil {
		return nil, err
	}
	key, err := recallKey(r.PartNumber, r.RecallID)
	if err != nil {
		return nil, err
	}
	return cars, kit.PutJSON(stub, key, r)
}

// flag marks the part serial as recalled by r, unless a recall has it
// already, and opens the recall on the car it is in. It returns that car's
// VIN, or "" when the part is in none or was flagged before.
func flag(stub shim.ChaincodeStubInterface, r *parttypes.Recall, serial string, vehicles map[string]*vehicletypes.Vehicle) (string, error) {
	p, err := load(stub, serial)
	if err != nil || p.RecallID != "" {
		return "", err
	}
	p.RecallID = r.RecallID
	if err := record(stub, p, parttypes.CustodyEvent{Type: parttypes.CustodyRecalled, Org: r.IssuedBy, Ref: r.RecallID, VIN: p.VIN}); err != nil {
		return "", err
	}
	r.PartsFlagged++
	carVIN, err := carOf(stub, p)
	if err != nil || carVIN == "" {
		return "", err
	}
	v, ok := vehicles[carVIN]
	if !ok {
		if v, err = vehicle.Load(stub, carVIN); err != nil {
			return "", err
		}
		vehicles[carVIN] = v
	}
	return carVIN, vehicle.OpenRecall(stub, v, r.RecallID, serial)
}

// carOf returns the VIN of the car p is in, directly or inside an assembly
// (a module in a pack), or "" when it is in none.
func carOf(stub shim.ChaincodeStubInterface, p *parttypes.Part) (string, error) {
	for depth := 0; depth <= maxProvenanceDepth; depth++ {
		if p.Status == parttypes.Installed {
			return p.VIN, nil
		}
		if p.Parent == "" {
			return "", nil
		}
		parent, err := load(stub, p.Parent)
		if err != nil {
			return "", err
		}
		p = parent
	}
	return "", nil
}

// RecallStatus lists a recall's affected cars and how many are remedied.
func (c *Contract) RecallStatus(ctx contractapi.TransactionContextInterface, recallID string) (*parttypes.RecallStatus, error) {
	stub := ctx.GetStub()
	r, err := loadRecall(stub, recallID)
	if err != nil {
		return nil, err
	}
	cars, err := vehicle.RecallCars(stub, recallID)
	if err != nil {
		return nil, err
	}
	st := &parttypes.RecallStatus{Recall: *r, Cars: []parttypes.RecallCarRef{}, Affected: len(cars)}
	for _, rc := range cars {
		st.Cars = append(st.Cars, parttypes.RecallCarRef{VIN: rc.VIN, Serial: rc.Serial, Open: rc.Open})
		if !rc.Open {
			st.Remedied++
		}
	}
	return st, nil
}

// PutTerms records a batch's commercial terms, from transient data, in the
// oemSupplier collection only. The transaction writes nothing else, so the
// collection's own endorsement policy (OEM and supplier) applies.
func (c *Contract) PutTerms(ctx contractapi.TransactionContextInterface, partNumber, batch string) error {
	tx, err := c.Config.Begin(ctx)
	if err != nil {
		return err
	}
	var terms parttypes.Terms
	if err := kit.TransientJSON(tx.Stub, parttypes.TermsTransientKey, &terms); err != nil {
		return err
	}
	var salt rules.Checker
	salt.SaltNotFromTxID("salt", terms.Salt, tx.Stub.GetTxID())
	if err := salt.Err(); err != nil {
		return err
	}
	key, err := termsKey(partNumber, batch)
	if err != nil {
		return ccerr.Field(ccerr.InvalidArgument, "partNumber", "key", "%v", err)
	}
	if err := kit.PutPrivateJSON(tx.Stub, TermsCollection, key, terms); err != nil {
		return err
	}
	return kit.Emit(tx.Stub, parttypes.EvTermsRecorded, parttypes.TermsRecorded{PartNumber: partNumber, Batch: batch})
}

// GetTerms reads a batch's terms; only the pair's peers hold them.
func (c *Contract) GetTerms(ctx contractapi.TransactionContextInterface, partNumber, batch string) (*parttypes.Terms, error) {
	key, err := termsKey(partNumber, batch)
	if err != nil {
		return nil, err
	}
	var t parttypes.Terms
	found, err := kit.GetPrivateJSON(ctx.GetStub(), TermsCollection, key, &t)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, ccerr.New(ccerr.NotFound, "no terms for %s batch %s", partNumber, batch)
	}
	return &t, nil
}

// TermsHash returns the SHA-256 (hex) of a batch's terms that every peer
// holds, so anyone can check terms shown to them.
func (c *Contract) TermsHash(ctx contractapi.TransactionContextInterface, partNumber, batch string) (string, error) {
	key, err := termsKey(partNumber, batch)
	if err != nil {
		return "", err
	}
	h, err := ctx.GetStub().GetPrivateDataHash(TermsCollection, key)
	if err != nil {
		return "", err
	}
	if h == nil {
		return "", ccerr.New(ccerr.NotFound, "no terms for %s batch %s", partNumber, batch)
	}
	return hex.EncodeToString(h), nil
}
