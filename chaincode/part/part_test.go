package part_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/autoledger/autoledger/chaincode/contracts/contractstest"
	"github.com/autoledger/autoledger/chaincode/mockstub"
	"github.com/autoledger/autoledger/chaincode/part"
	"github.com/autoledger/autoledger/chaincode/part/parttypes"
	"github.com/autoledger/autoledger/chaincode/vehicle/vehicletypes"
	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	vin1  = contractstest.USVIN
	vin2  = contractstest.USVIN2
	hashA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
)

// fixture is the ledger of every contract, with this package's helpers.
type fixture struct{ *contractstest.Ledger }

func newFixture(t testing.TB, opts ...mockstub.Option) *fixture {
	return &fixture{contractstest.New(t, mockstub.DefaultStart, opts...)}
}

func (f *fixture) register(msp, pn, batch string, serials ...string) {
	f.T.Helper()
	contractstest.OK[parttypes.RegisterResult](f.T, f.Submit(msp, "production", "part:RegisterParts", parttypes.RegisterPartsRequest{
		PartNumber: pn, Batch: batch, Manufacturer: "CellCo", ManufacturedAt: f.Clock.Now().Add(-24 * time.Hour), Serials: serials,
		Materials: []parttypes.MaterialOrigin{{Material: "cobalt", Country: "CD", Source: "Kamoto refinery", AuditCertHash: hashA}},
	}))
}

func (f *fixture) car(v string) {
	f.T.Helper()
	r := f.Submit("OemMSP", "production", "vehicle:Register", vehicletypes.RegisterRequest{VIN: v, Birth: vehicletypes.BirthRecord{
		Manufacturer: "A", Model: "B", ModelYear: 2026, Plant: "P", ProductionDate: f.Clock.Now().Add(-time.Hour),
		CountryOfOrigin: "US", Colour: "red", Powertrain: "BEV", BatteryPackID: "PACK-1"}})
	require.True(f.T, r.Committed, r.Message)
}

func serials(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s-%04d", prefix, i)
	}
	return out
}

func TestRegisterOnceEver(t *testing.T) {
	f := newFixture(t)
	f.register("SupplierMSP", "MOD-7", "B1", "S1", "S2")
	p := contractstest.OK[parttypes.Part](t, f.Read("DealerMSP", "part:Get", "S1"))
	assert.Equal(t, "SupplierMSP", p.Holder)
	assert.Equal(t, parttypes.Held, p.Status)
	assert.Equal(t, "cobalt", p.Materials[0].Material)

	r := f.Submit("OemMSP", "production", "part:RegisterParts", parttypes.RegisterPartsRequest{PartNumber: "X", Batch: "B", Manufacturer: "M",
		ManufacturedAt: f.Clock.Now(), Serials: []string{"S3", "S2"}})
	contractstest.FailsWith(t, r, ccerr.AlreadyExists)
	contractstest.FailsWith(t, f.Read("DealerMSP", "part:Get", "S3"), ccerr.NotFound)

	e := contractstest.FailsWith(t, f.Submit("SupplierMSP", "production", "part:RegisterParts", parttypes.RegisterPartsRequest{PartNumber: "X", Batch: "B",
		Manufacturer: "M", ManufacturedAt: f.Clock.Now(), Serials: serials("Z", parttypes.MaxSerialsPerCall+1)}), ccerr.InvalidArgument)
	assert.Equal(t, "count", e.Fields[0].Rule)
	e = contractstest.FailsWith(t, f.Submit("SupplierMSP", "production", "part:RegisterParts", parttypes.RegisterPartsRequest{PartNumber: "X|Y", Batch: "B",
		Manufacturer: "M", ManufacturedAt: f.Clock.Now(), Serials: []string{"A", "A"}}), ccerr.InvalidArgument)
	assert.Len(t, e.Fields, 2)
}

func TestThousandSerialsInOneCall(t *testing.T) {
	f := newFixture(t, mockstub.WithoutDeterminismCheck())
	f.register("SupplierMSP", "MOD-7", "B1", serials("K", parttypes.MaxSerialsPerCall)...)
	v := contractstest.OK[parttypes.Verification](t, f.Read("InsurerMSP", "part:Verify", "K-0999"))
	assert.True(t, v.Genuine)
}

func TestAccessRulesRefuseWrongOrgAndRole(t *testing.T) {
	f := newFixture(t)
	f.register("SupplierMSP", "MOD-7", "B1", "S1")
	cases := []struct {
		msp, role, fn string
		in            []any
	}{
		{"DealerMSP", "production", "part:RegisterParts", []any{parttypes.RegisterPartsRequest{PartNumber: "X", Batch: "B", Manufacturer: "M", ManufacturedAt: f.Clock.Now(), Serials: []string{"N1"}}}},
		{"SupplierMSP", "finance", "part:RegisterParts", []any{parttypes.RegisterPartsRequest{PartNumber: "X", Batch: "B", Manufacturer: "M", ManufacturedAt: f.Clock.Now(), Serials: []string{"N1"}}}},
		{"InsurerMSP", "claims", "part:Assemble", []any{parttypes.AssembleRequest{Serial: "A1", PartNumber: "P", Batch: "B", Manufacturer: "M", AssembledAt: f.Clock.Now(), Children: []string{"S1"}}}},
		{"SupplierMSP", "finance", "part:Ship", []any{"S1", parttypes.ShipRequest{To: "OemMSP", ShipmentRef: "SH1"}}},
		{"InsurerMSP", "claims", "part:Receive", []any{"S1", parttypes.ReceiveRequest{ShipmentRef: "SH1"}}},
		{"SupplierMSP", "production", "part:Install", []any{"S1", parttypes.InstallRequest{VIN: vin1}}},
		{"DealerMSP", "sales", "part:Remove", []any{"S1", parttypes.RemoveRequest{VIN: vin1, Reason: "x"}}},
		{"SupplierMSP", "production", "part:Remove", []any{"S1", parttypes.RemoveRequest{VIN: vin1, Reason: "x"}}},
		{"InsurerMSP", "claims", "part:Scrap", []any{"S1", parttypes.ReasonRequest{Reason: "x"}}},
		{"OemMSP", "production", "part:IssueRecall", []any{parttypes.RecallRequest{RecallID: "R1", PartNumber: "MOD-7", BatchFrom: "B1", BatchTo: "B1", Reason: "x"}}},
		{"DealerMSP", "quality", "part:ApplyRecall", []any{"R1"}},
		{"DealerMSP", "finance", "part:PutTerms", []any{"MOD-7", "B1"}},
		{"SupplierMSP", "production", "part:PutTerms", []any{"MOD-7", "B1"}},
	}
	for _, c := range cases {
		e := contractstest.FailsWith(t, f.Submit(c.msp, c.role, c.fn, c.in...), ccerr.Forbidden)
		assert.Contains(t, e.Message, c.msp, c.fn)
	}
	contractstest.FailsWith(t, f.Read("DealerMSP", "part:GetTerms", "MOD-7", "B1"), ccerr.Forbidden)
	contractstest.FailsWith(t, f.Evaluate(mockstub.Tx{Creator: f.As("OrdererMSP", ""), Function: "part:Verify", Args: []string{"S1"}}), ccerr.Forbidden)
}

func TestCustodyShipReceiveInstall(t *testing.T) {
	f := newFixture(t)
	f.car(vin1)
	f.register("SupplierMSP", "PACK-9", "B1", "P1")

	// Only the holder ships; in transit it can be neither shipped nor installed.
	contractstest.FailsWith(t, f.Submit("OemMSP", "production", "part:Ship", "P1", parttypes.ShipRequest{To: "DealerMSP", ShipmentRef: "SH-1"}), ccerr.Forbidden)
	contractstest.FailsWith(t, f.Submit("SupplierMSP", "logistics", "part:Ship", "P1", parttypes.ShipRequest{To: "SupplierMSP", ShipmentRef: "SH-1"}), ccerr.InvalidArgument)
	r := f.Submit("SupplierMSP", "logistics", "part:Ship", "P1", parttypes.ShipRequest{To: "OemMSP", ShipmentRef: "SH-1"})
	p := contractstest.OK[parttypes.Part](t, r)
	assert.Equal(t, parttypes.InTransit, p.Status)
	assert.Equal(t, parttypes.EvPartShipped, r.Event.Name)
	assert.JSONEq(t, `{"serial":"P1","from":"SupplierMSP","to":"OemMSP","shipmentRef":"SH-1"}`, string(r.Event.Payload))
	contractstest.FailsWith(t, f.Submit("SupplierMSP", "logistics", "part:Ship", "P1", parttypes.ShipRequest{To: "DealerMSP", ShipmentRef: "SH-2"}), ccerr.FailedPrecondition)
	contractstest.FailsWith(t, f.Submit("OemMSP", "production", "part:Install", "P1", parttypes.InstallRequest{VIN: vin1}), ccerr.Forbidden)
	contractstest.FailsWith(t, f.Submit("DealerMSP", "service", "part:Receive", "P1", parttypes.ReceiveRequest{ShipmentRef: "SH-1"}), ccerr.FailedPrecondition)
	contractstest.FailsWith(t, f.Submit("OemMSP", "production", "part:Receive", "P1", parttypes.ReceiveRequest{ShipmentRef: "SH-X"}), ccerr.FailedPrecondition)
	p = contractstest.OK[parttypes.Part](t, f.Submit("OemMSP", "production", "part:Receive", "P1", parttypes.ReceiveRequest{ShipmentRef: "SH-1"}))
	assert.Equal(t, "OemMSP", p.Holder)

	contractstest.FailsWith(t, f.Submit("OemMSP", "production", "part:Install", "P1", parttypes.InstallRequest{VIN: vin2}), ccerr.NotFound)
	r = f.Submit("OemMSP", "production", "part:Install", "P1", parttypes.InstallRequest{VIN: vin1})
	p = contractstest.OK[parttypes.Part](t, r)
	assert.Equal(t, parttypes.Installed, p.Status)
	assert.Equal(t, vin1, p.VIN)
	// One car at a time.
	f.car(vin2)
	contractstest.FailsWith(t, f.Submit("OemMSP", "production", "part:Install", "P1", parttypes.InstallRequest{VIN: vin2}), ccerr.FailedPrecondition)

	hist := contractstest.OK[vehicletypes.HistoryPage](t, f.Read("InsurerMSP", "vehicle:History", vin1, 10, ""))
	last := hist.Events[len(hist.Events)-1]
	assert.Equal(t, "PART_INSTALLED", last.Type)
	assert.Equal(t, "P1", last.Part.Serial)

	v := contractstest.OK[parttypes.Verification](t, f.Read("InsurerMSP", "part:Verify", "P1"))
	assert.Equal(t, parttypes.Verification{Serial: "P1", Genuine: true, PartNumber: "PACK-9", Status: parttypes.Installed, Holder: "OemMSP", VIN: vin1}, v)
	assert.False(t, contractstest.OK[parttypes.Verification](t, f.Read("InsurerMSP", "part:Verify", "FAKE-1")).Genuine)

	// A dealer removes it at a repair, then scraps it.
	contractstest.FailsWith(t, f.Submit("DealerMSP", "service", "part:Scrap", "P1", parttypes.ReasonRequest{Reason: "worn"}), ccerr.Forbidden)
	// The removal names the car the part is in, and no other.
	e := contractstest.FailsWith(t, f.Submit("DealerMSP", "service", "part:Remove", "P1", parttypes.RemoveRequest{VIN: vin2, Reason: "worn"}), ccerr.FailedPrecondition)
	assert.Equal(t, []ccerr.FieldError{{Field: "vin", Rule: "installed_in", Message: "part P1 is not installed in vehicle " + vin2}}, e.Fields)
	e = contractstest.FailsWith(t, f.Submit("DealerMSP", "service", "part:Remove", "P1", parttypes.RemoveRequest{Reason: "worn"}), ccerr.VINInvalid)
	assert.Equal(t, "vin", e.Fields[0].Field)
	p = contractstest.OK[parttypes.Part](t, f.Submit("DealerMSP", "service", "part:Remove", "P1", parttypes.RemoveRequest{VIN: vin1, Reason: "worn"}))
	assert.Equal(t, "DealerMSP", p.Holder)
	assert.Empty(t, p.VIN)
	p = contractstest.OK[parttypes.Part](t, f.Submit("DealerMSP", "service", "part:Scrap", "P1", parttypes.ReasonRequest{Reason: "worn"}))
	assert.Equal(t, parttypes.Scrapped, p.Status)
	contractstest.FailsWith(t, f.Submit("DealerMSP", "service", "part:Install", "P1", parttypes.InstallRequest{VIN: vin2}), ccerr.FailedPrecondition)
	contractstest.FailsWith(t, f.Submit("DealerMSP", "service", "part:Remove", "P1", parttypes.RemoveRequest{VIN: vin1, Reason: "again"}), ccerr.FailedPrecondition)

	prov := contractstest.OK[parttypes.Provenance](t, f.Read("DealerMSP", "part:Provenance", "P1"))
	var trail []string
	for _, e := range prov.Custody {
		trail = append(trail, e.Type+"@"+e.Org)
	}
	assert.Equal(t, []string{"registered@SupplierMSP", "shipped@SupplierMSP", "received@OemMSP", "installed@OemMSP",
		"removed@DealerMSP", "scrapped@DealerMSP"}, trail)
}

func TestAssemblyProvenanceIncludesChildren(t *testing.T) {
	f := newFixture(t)
	f.register("SupplierMSP", "MOD-7", "B1", "M1", "M2")
	f.register("OemMSP", "MOD-7", "B1", "M3")
	req := parttypes.AssembleRequest{Serial: "PACK-1", PartNumber: "PACK-9", Batch: "B1", Manufacturer: "CellCo", AssembledAt: f.Clock.Now(), Children: []string{"M2", "M1"}}
	contractstest.FailsWith(t, f.Submit("SupplierMSP", "production", "part:Assemble", parttypes.AssembleRequest{Serial: "PACK-0", PartNumber: "PACK-9", Batch: "B1",
		Manufacturer: "C", AssembledAt: f.Clock.Now(), Children: []string{"M1", "M3"}}), ccerr.Forbidden)
	asm := contractstest.OK[parttypes.Part](t, f.Submit("SupplierMSP", "production", "part:Assemble", req))
	assert.Equal(t, []string{"M1", "M2"}, asm.Children)
	m1 := contractstest.OK[parttypes.Part](t, f.Read("OemMSP", "part:Get", "M1"))
	assert.Equal(t, parttypes.Assembled, m1.Status)
	assert.Equal(t, "PACK-1", m1.Parent)
	// A component already in an assembly cannot be used again.
	contractstest.FailsWith(t, f.Submit("SupplierMSP", "production", "part:Assemble", parttypes.AssembleRequest{Serial: "PACK-2", PartNumber: "PACK-9", Batch: "B1",
		Manufacturer: "C", AssembledAt: f.Clock.Now(), Children: []string{"M1"}}), ccerr.FailedPrecondition)

	prov := contractstest.OK[parttypes.Provenance](t, f.Read("InsurerMSP", "part:Provenance", "PACK-1"))
	require.Len(t, prov.Components, 2)
	assert.Equal(t, "cobalt", prov.Components[0].Part.Materials[0].Material)
	assert.Equal(t, "M1", prov.Components[0].Part.Serial)

	// A recall of a module reaches the car its pack is in.
	f.car(vin1)
	contractstest.OK[parttypes.Part](t, f.Submit("SupplierMSP", "logistics", "part:Ship", "PACK-1", parttypes.ShipRequest{To: "OemMSP", ShipmentRef: "SH-P"}))
	contractstest.OK[parttypes.Part](t, f.Submit("OemMSP", "production", "part:Receive", "PACK-1", parttypes.ReceiveRequest{ShipmentRef: "SH-P"}))
	contractstest.OK[parttypes.Part](t, f.Submit("OemMSP", "production", "part:Install", "PACK-1", parttypes.InstallRequest{VIN: vin1}))
	contractstest.OK[parttypes.Recall](t, f.Submit("OemMSP", "quality", "part:IssueRecall", parttypes.RecallRequest{RecallID: "RC-M", PartNumber: "MOD-7", BatchFrom: "B1", BatchTo: "B1", Reason: "cells"}))
	st := contractstest.OK[parttypes.RecallStatus](t, f.Read("DealerMSP", "part:RecallStatus", "RC-M"))
	require.Len(t, st.Cars, 1)
	assert.Equal(t, vin1, st.Cars[0].VIN)
	assert.Equal(t, []string{"RC-M"}, contractstest.OK[vehicletypes.Report](t, f.Read("InsurerMSP", "vehicle:Report", vin1)).OpenRecalls)
}

func TestRecallReachesCarsAndRemedyClosesIt(t *testing.T) {
	f := newFixture(t)
	f.car(vin1)
	f.car(vin2)
	f.register("OemMSP", "MOD-7", "B2", "R1", "R2")
	f.register("OemMSP", "MOD-7", "B5", "R3")
	contractstest.OK[parttypes.Part](t, f.Submit("OemMSP", "production", "part:Install", "R1", parttypes.InstallRequest{VIN: vin1}))
	contractstest.OK[parttypes.Part](t, f.Submit("OemMSP", "production", "part:Install", "R3", parttypes.InstallRequest{VIN: vin2}))

	r := f.Submit("OemMSP", "quality", "part:IssueRecall", parttypes.RecallRequest{RecallID: "RC-1", PartNumber: "MOD-7", BatchFrom: "B1", BatchTo: "B3", Reason: "cell defect"})
	rec := contractstest.OK[parttypes.Recall](t, r)
	assert.True(t, rec.Complete)
	assert.Equal(t, int64(2), rec.PartsFlagged)
	assert.Equal(t, parttypes.EvRecallIssued, r.Event.Name)
	assert.JSONEq(t, `{"recallId":"RC-1","partNumber":"MOD-7","batchFrom":"B1","batchTo":"B3","partsFlagged":2,
		"carsOpened":["`+vin1+`"],"complete":true}`, string(r.Event.Payload))
	contractstest.FailsWith(t, f.Submit("OemMSP", "quality", "part:IssueRecall", parttypes.RecallRequest{RecallID: "RC-1", PartNumber: "MOD-7", BatchFrom: "B1", BatchTo: "B1", Reason: "x"}), ccerr.AlreadyExists)

	st := contractstest.OK[parttypes.RecallStatus](t, f.Read("DealerMSP", "part:RecallStatus", "RC-1"))
	assert.Equal(t, 1, st.Affected)
	assert.Equal(t, []parttypes.RecallCarRef{{VIN: vin1, Serial: "R1", Open: true}}, st.Cars)
	rep := contractstest.OK[vehicletypes.Report](t, f.Read("InsurerMSP", "vehicle:Report", vin1))
	assert.Equal(t, []string{"RC-1"}, rep.OpenRecalls)
	assert.Contains(t, rep.Alerts, "OPEN_RECALL")
	assert.Empty(t, contractstest.OK[vehicletypes.Report](t, f.Read("InsurerMSP", "vehicle:Report", vin2)).OpenRecalls, "batch B5 is outside the recall")

	// A recalled part cannot be installed.
	contractstest.FailsWith(t, f.Submit("OemMSP", "production", "part:Install", "R2", parttypes.InstallRequest{VIN: vin2}), ccerr.FailedPrecondition)
	assert.True(t, contractstest.OK[parttypes.Verification](t, f.Read("InsurerMSP", "part:Verify", "R2")).Recalled)

	// The dealer's remedy closes it for that car.
	svc := vehicletypes.ServiceRequest{Type: "recall-remedy", OdometerKm: 100, DocumentHash: hashA, PerformedAt: f.Clock.Now(), RecallID: "RC-2"}
	contractstest.FailsWith(t, f.Submit("DealerMSP", "service", "vehicle:RecordService", vin1, svc), ccerr.FailedPrecondition)
	svc.RecallID = "RC-1"
	contractstest.OK[vehicletypes.OdometerResult](t, f.Submit("DealerMSP", "service", "vehicle:RecordService", vin1, svc))
	st = contractstest.OK[parttypes.RecallStatus](t, f.Read("DealerMSP", "part:RecallStatus", "RC-1"))
	assert.Equal(t, 1, st.Remedied)
	assert.Empty(t, contractstest.OK[vehicletypes.Report](t, f.Read("InsurerMSP", "vehicle:Report", vin1)).OpenRecalls)
	svc.RecallID = ""
	contractstest.FailsWith(t, f.Submit("DealerMSP", "service", "vehicle:RecordService", vin1, svc), ccerr.InvalidArgument)
}

// A recall over more parts than one transaction handles is applied in
// bounded chunks.
func TestLargeRecallIsAppliedInChunks(t *testing.T) {
	f := newFixture(t, mockstub.WithoutDeterminismCheck())
	f.register("SupplierMSP", "MOD-7", "B1", serials("C", part.RecallChunk+100)...)
	rec := contractstest.OK[parttypes.Recall](t, f.Submit("OemMSP", "quality", "part:IssueRecall", parttypes.RecallRequest{RecallID: "BIG", PartNumber: "MOD-7", BatchFrom: "B1", BatchTo: "B1", Reason: "x"}))
	assert.False(t, rec.Complete)
	assert.Equal(t, int64(part.RecallChunk), rec.PartsFlagged)
	// Parts the first chunk did not reach are refused all the same.
	assert.True(t, contractstest.OK[parttypes.Verification](t, f.Read("OemMSP", "part:Verify", fmt.Sprintf("C-%04d", part.RecallChunk+50))).Recalled)
	rec = contractstest.OK[parttypes.Recall](t, f.Submit("OemMSP", "quality", "part:ApplyRecall", "BIG"))
	assert.True(t, rec.Complete)
	assert.Equal(t, int64(part.RecallChunk+100), rec.PartsFlagged)
	again := contractstest.OK[parttypes.Recall](t, f.Submit("OemMSP", "quality", "part:ApplyRecall", "BIG"))
	assert.Equal(t, rec.PartsFlagged, again.PartsFlagged, "a duplicate call is harmless")
	contractstest.FailsWith(t, f.Submit("OemMSP", "quality", "part:ApplyRecall", "NOPE"), ccerr.NotFound)
}

func TestTermsStayBetweenThePair(t *testing.T) {
	f := newFixture(t)
	f.register("SupplierMSP", "MOD-7", "B1", "S1")
	before := f.Keys("", "\U0010FFFF")
	terms := parttypes.Terms{UnitPriceMinor: 125000, Currency: "EUR", LotData: "lot 7/line 3", Salt: "9c1f0e7a5b3d2c4e8f6a0b1c2d3e4f50"}
	raw, _ := json.Marshal(terms)
	put := func(msp string, peer string, body []byte) *mockstub.Result {
		return f.Invoke(mockstub.Tx{Creator: f.As(msp, "finance"), PeerOrg: peer, Function: "part:PutTerms",
			Args: []string{"MOD-7", "B1"}, Transient: map[string][]byte{parttypes.TermsTransientKey: body}})
	}
	r := put("SupplierMSP", "SupplierMSP", raw)
	require.True(t, r.Committed, r.Message)
	assert.NotContains(t, string(r.Event.Payload), "125000")
	assert.Equal(t, before, f.Keys("", "\U0010FFFF"), "no public key is written")

	got := contractstest.OK[parttypes.Terms](t, f.Evaluate(mockstub.Tx{Creator: f.As("OemMSP", "finance"), PeerOrg: "OemMSP", Function: "part:GetTerms", Args: []string{"MOD-7", "B1"}}))
	assert.Equal(t, terms, got)
	// The dealer's peer has only the hash.
	res := f.Evaluate(mockstub.Tx{Creator: f.As("OemMSP", "finance"), PeerOrg: "DealerMSP", Function: "part:GetTerms", Args: []string{"MOD-7", "B1"}})
	assert.False(t, res.OK())
	hash := f.Evaluate(mockstub.Tx{Creator: f.As("DealerMSP", "sales"), Function: "part:TermsHash", Args: []string{"MOD-7", "B1"}})
	require.True(t, hash.OK(), hash.Message)
	stored, _ := json.Marshal(got)
	sum := sha256.Sum256(stored)
	assert.Equal(t, hex.EncodeToString(sum[:]), string(hash.Payload))

	contractstest.FailsWith(t, put("SupplierMSP", "SupplierMSP", []byte(`{"unitPriceMinor":1,"currency":"euro","salt":"x"}`)), ccerr.InvalidArgument)
	// 64 bits, which the old rule let through, is too few.
	e := contractstest.FailsWith(t, put("SupplierMSP", "SupplierMSP", []byte(`{"unitPriceMinor":1,"currency":"EUR","salt":"9c1f0e7a5b3d2c4e"}`)), ccerr.InvalidArgument)
	assert.Equal(t, "salt", e.Fields[0].Field)
	contractstest.FailsWith(t, f.Invoke(mockstub.Tx{Creator: f.As("SupplierMSP", "finance"), Function: "part:PutTerms", Args: []string{"MOD-7", "B1"}}), ccerr.MissingTransient)
	contractstest.FailsWith(t, f.Evaluate(mockstub.Tx{Creator: f.As("DealerMSP", "sales"), Function: "part:TermsHash", Args: []string{"MOD-7", "B9"}}), ccerr.NotFound)
}

// BenchmarkProvenance100Hops is the scale goal: the provenance of a part
// that changed hands 100 times.
func BenchmarkProvenance100Hops(b *testing.B) {
	f := newFixture(b, mockstub.WithoutDeterminismCheck())
	f.register("SupplierMSP", "MOD-7", "B1", "H1")
	orgs := [][2]string{{"SupplierMSP", "logistics"}, {"OemMSP", "production"}}
	for i := range 50 {
		from, to := orgs[i%2], orgs[(i+1)%2]
		ref := fmt.Sprintf("SH-%d", i)
		require.True(b, f.Submit(from[0], from[1], "part:Ship", "H1", parttypes.ShipRequest{To: to[0], ShipmentRef: ref}).OK())
		require.True(b, f.Submit(to[0], to[1], "part:Receive", "H1", parttypes.ReceiveRequest{ShipmentRef: ref}).OK())
	}
	var prov parttypes.Provenance
	for b.Loop() {
		prov = contractstest.OK[parttypes.Provenance](b, f.Read("InsurerMSP", "part:Provenance", "H1"))
	}
	require.Len(b, prov.Custody, 101)
}

func TestValidateSerial(t *testing.T) {
	assert.NoError(t, parttypes.ValidateSerial("serial", "PK-1_a.b:c"))
	for _, bad := range []string{"", "has space", "pipe|d", string(make([]byte, 65))} {
		err := parttypes.ValidateSerial("serial", bad)
		e, found := ccerr.From(err)
		require.True(t, found, bad)
		assert.Equal(t, "serial", e.Fields[0].Field)
	}
}

// Every part record of a call copies the materials and certificate hashes:
// at their limits, with each text at its longest in 4-byte characters, a
// record stays under MaxPartRecordBytes, which bounds a call's write set.
func TestPartRecordAtTheListLimitsStaysBounded(t *testing.T) {
	f := newFixture(t)
	long := func(n int) string { return strings.Repeat("\U0001F50B", n) } // 4 bytes each
	req := parttypes.RegisterPartsRequest{PartNumber: strings.Repeat("P", 64), Batch: strings.Repeat("B", 64),
		Manufacturer: long(100), ManufacturedAt: f.Clock.Now(), Serials: []string{strings.Repeat("S", 64)}}
	for range parttypes.MaxMaterials {
		req.Materials = append(req.Materials, parttypes.MaterialOrigin{Material: long(64), Country: "CD", Source: long(100), AuditCertHash: hashA})
	}
	for range parttypes.MaxCertHashes {
		req.ConformityCertHashes = append(req.ConformityCertHashes, hashA)
	}
	contractstest.OK[parttypes.RegisterResult](t, f.Submit("SupplierMSP", "production", "part:RegisterParts", req))
	key, err := shim.CreateCompositeKey(parttypes.PartObject, req.Serials)
	require.NoError(t, err)
	size := len(f.State(key))
	assert.Positive(t, size)
	assert.Less(t, size, parttypes.MaxPartRecordBytes, "a part record at the list limits")
	t.Logf("part record at the limits: %d bytes", size)
}
