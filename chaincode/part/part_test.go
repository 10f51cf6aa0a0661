package part_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/autoledger/autoledger/chaincode/contracts/contractstest"
	"github.com/autoledger/autoledger/chaincode/mockstub"
	"github.com/autoledger/autoledger/chaincode/part"
	"github.com/autoledger/autoledger/chaincode/part/parttypes"
	"github.com/autoledger/autoledger/chaincode/vehicle/vehicletypes"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	vin1  = "1M8GDM9AXKP042788"
	vin2  = "1G4AH59H45G118341"
	hashA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
)

type fixture struct {
	t      testing.TB
	l      *contractstest.Ledger
	ledger *mockstub.Ledger
	clock  *mockstub.Clock
}

func newFixture(t testing.TB, opts ...mockstub.Option) *fixture {
	l := contractstest.New(t, mockstub.DefaultStart, opts...)
	return &fixture{t: t, l: l, ledger: l.Ledger, clock: l.Clock}
}

func (f *fixture) id(msp, role string) *mockstub.Identity { return f.l.As(msp, role) }

func args(in ...any) []string { return contractstest.Args(in...) }

func (f *fixture) tx(msp, role, fn string, in ...any) *mockstub.Result {
	f.t.Helper()
	return f.l.Submit(msp, role, fn, in...)
}

func (f *fixture) query(msp, fn string, in ...any) *mockstub.Result {
	return f.l.Query(msp, contractstest.Reader(msp), fn, in...)
}

func ok[T any](t testing.TB, r *mockstub.Result) T {
	t.Helper()
	return contractstest.OK[T](t, r)
}

func failsWith(t testing.TB, r *mockstub.Result, code ccerr.Code) *ccerr.Error {
	t.Helper()
	return contractstest.FailsWith(t, r, code)
}

func (f *fixture) register(msp, pn, batch string, serials ...string) {
	f.t.Helper()
	ok[parttypes.RegisterResult](f.t, f.tx(msp, "production", "part:RegisterParts", parttypes.RegisterPartsRequest{
		PartNumber: pn, Batch: batch, Manufacturer: "CellCo", ManufacturedAt: f.clock.Now().Add(-24 * time.Hour), Serials: serials,
		Materials: []parttypes.MaterialOrigin{{Material: "cobalt", Country: "CD", Source: "Kamoto refinery", AuditCertHash: hashA}},
	}))
}

func (f *fixture) car(v string) {
	f.t.Helper()
	r := f.tx("OemMSP", "production", "vehicle:Register", vehicletypes.RegisterRequest{VIN: v, Birth: vehicletypes.BirthRecord{
		Manufacturer: "A", Model: "B", ModelYear: 2026, Plant: "P", ProductionDate: f.clock.Now().Add(-time.Hour),
		CountryOfOrigin: "US", Colour: "red", Powertrain: "BEV", BatteryPackID: "PACK-1"}})
	require.True(f.t, r.Committed, r.Message)
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
	p := ok[parttypes.Part](t, f.query("DealerMSP", "part:Get", "S1"))
	assert.Equal(t, "SupplierMSP", p.Holder)
	assert.Equal(t, parttypes.Held, p.Status)
	assert.Equal(t, "cobalt", p.Materials[0].Material)

	r := f.tx("OemMSP", "production", "part:RegisterParts", parttypes.RegisterPartsRequest{PartNumber: "X", Batch: "B", Manufacturer: "M",
		ManufacturedAt: f.clock.Now(), Serials: []string{"S3", "S2"}})
	failsWith(t, r, ccerr.AlreadyExists)
	failsWith(t, f.query("DealerMSP", "part:Get", "S3"), ccerr.NotFound)

	e := failsWith(t, f.tx("SupplierMSP", "production", "part:RegisterParts", parttypes.RegisterPartsRequest{PartNumber: "X", Batch: "B",
		Manufacturer: "M", ManufacturedAt: f.clock.Now(), Serials: serials("Z", parttypes.MaxSerialsPerCall+1)}), ccerr.InvalidArgument)
	assert.Equal(t, "max_items", e.Fields[0].Rule)
	e = failsWith(t, f.tx("SupplierMSP", "production", "part:RegisterParts", parttypes.RegisterPartsRequest{PartNumber: "X|Y", Batch: "B",
		Manufacturer: "M", ManufacturedAt: f.clock.Now(), Serials: []string{"A", "A"}}), ccerr.InvalidArgument)
	assert.Len(t, e.Fields, 2)
}

func TestThousandSerialsInOneCall(t *testing.T) {
	f := newFixture(t, mockstub.WithoutDeterminismCheck())
	f.register("SupplierMSP", "MOD-7", "B1", serials("K", parttypes.MaxSerialsPerCall)...)
	v := ok[parttypes.Verification](t, f.query("InsurerMSP", "part:Verify", "K-0999"))
	assert.True(t, v.Genuine)
}

func TestAccessRulesRefuseWrongOrgAndRole(t *testing.T) {
	f := newFixture(t)
	f.register("SupplierMSP", "MOD-7", "B1", "S1")
	cases := []struct {
		msp, role, fn string
		in            []any
	}{
		{"DealerMSP", "production", "part:RegisterParts", []any{parttypes.RegisterPartsRequest{PartNumber: "X", Batch: "B", Manufacturer: "M", ManufacturedAt: f.clock.Now(), Serials: []string{"N1"}}}},
		{"SupplierMSP", "finance", "part:RegisterParts", []any{parttypes.RegisterPartsRequest{PartNumber: "X", Batch: "B", Manufacturer: "M", ManufacturedAt: f.clock.Now(), Serials: []string{"N1"}}}},
		{"InsurerMSP", "claims", "part:Assemble", []any{parttypes.AssembleRequest{Serial: "A1", PartNumber: "P", Batch: "B", Manufacturer: "M", AssembledAt: f.clock.Now(), Children: []string{"S1"}}}},
		{"SupplierMSP", "finance", "part:Ship", []any{"S1", parttypes.ShipRequest{To: "OemMSP", ShipmentRef: "SH1"}}},
		{"InsurerMSP", "claims", "part:Receive", []any{"S1", parttypes.ReceiveRequest{ShipmentRef: "SH1"}}},
		{"SupplierMSP", "production", "part:Install", []any{"S1", parttypes.InstallRequest{VIN: vin1}}},
		{"DealerMSP", "sales", "part:Remove", []any{"S1", parttypes.ReasonRequest{Reason: "x"}}},
		{"InsurerMSP", "claims", "part:Scrap", []any{"S1", parttypes.ReasonRequest{Reason: "x"}}},
		{"OemMSP", "production", "part:IssueRecall", []any{parttypes.RecallRequest{RecallID: "R1", PartNumber: "MOD-7", BatchFrom: "B1", BatchTo: "B1", Reason: "x"}}},
		{"DealerMSP", "quality", "part:ApplyRecall", []any{"R1"}},
		{"DealerMSP", "finance", "part:PutTerms", []any{"MOD-7", "B1"}},
		{"SupplierMSP", "production", "part:PutTerms", []any{"MOD-7", "B1"}},
	}
	for _, c := range cases {
		e := failsWith(t, f.tx(c.msp, c.role, c.fn, c.in...), ccerr.Forbidden)
		assert.Contains(t, e.Message, c.msp, c.fn)
	}
	failsWith(t, f.query("DealerMSP", "part:GetTerms", "MOD-7", "B1"), ccerr.Forbidden)
	failsWith(t, f.ledger.Evaluate(mockstub.Tx{Creator: f.id("OrdererMSP", ""), Function: "part:Verify", Args: []string{"S1"}}), ccerr.Forbidden)
}

func TestCustodyShipReceiveInstall(t *testing.T) {
	f := newFixture(t)
	f.car(vin1)
	f.register("SupplierMSP", "PACK-9", "B1", "P1")

	// Only the holder ships; in transit it can be neither shipped nor installed.
	failsWith(t, f.tx("OemMSP", "production", "part:Ship", "P1", parttypes.ShipRequest{To: "DealerMSP", ShipmentRef: "SH-1"}), ccerr.Forbidden)
	failsWith(t, f.tx("SupplierMSP", "logistics", "part:Ship", "P1", parttypes.ShipRequest{To: "SupplierMSP", ShipmentRef: "SH-1"}), ccerr.InvalidArgument)
	r := f.tx("SupplierMSP", "logistics", "part:Ship", "P1", parttypes.ShipRequest{To: "OemMSP", ShipmentRef: "SH-1"})
	p := ok[parttypes.Part](t, r)
	assert.Equal(t, parttypes.InTransit, p.Status)
	assert.Equal(t, parttypes.EvPartShipped, r.Event.Name)
	assert.JSONEq(t, `{"serial":"P1","from":"SupplierMSP","to":"OemMSP","shipmentRef":"SH-1"}`, string(r.Event.Payload))
	failsWith(t, f.tx("SupplierMSP", "logistics", "part:Ship", "P1", parttypes.ShipRequest{To: "DealerMSP", ShipmentRef: "SH-2"}), ccerr.FailedPrecondition)
	failsWith(t, f.tx("OemMSP", "production", "part:Install", "P1", parttypes.InstallRequest{VIN: vin1}), ccerr.Forbidden)
	failsWith(t, f.tx("DealerMSP", "service", "part:Receive", "P1", parttypes.ReceiveRequest{ShipmentRef: "SH-1"}), ccerr.FailedPrecondition)
	failsWith(t, f.tx("OemMSP", "production", "part:Receive", "P1", parttypes.ReceiveRequest{ShipmentRef: "SH-X"}), ccerr.FailedPrecondition)
	p = ok[parttypes.Part](t, f.tx("OemMSP", "production", "part:Receive", "P1", parttypes.ReceiveRequest{ShipmentRef: "SH-1"}))
	assert.Equal(t, "OemMSP", p.Holder)

	failsWith(t, f.tx("OemMSP", "production", "part:Install", "P1", parttypes.InstallRequest{VIN: vin2}), ccerr.NotFound)
	r = f.tx("OemMSP", "production", "part:Install", "P1", parttypes.InstallRequest{VIN: vin1})
	p = ok[parttypes.Part](t, r)
	assert.Equal(t, parttypes.Installed, p.Status)
	assert.Equal(t, vin1, p.VIN)
	// One car at a time.
	f.car(vin2)
	failsWith(t, f.tx("OemMSP", "production", "part:Install", "P1", parttypes.InstallRequest{VIN: vin2}), ccerr.FailedPrecondition)

	hist := ok[vehicletypes.HistoryPage](t, f.query("InsurerMSP", "vehicle:History", vin1, 10, ""))
	last := hist.Events[len(hist.Events)-1]
	assert.Equal(t, "PART_INSTALLED", last.Type)
	assert.Equal(t, "P1", last.Part.Serial)

	v := ok[parttypes.Verification](t, f.query("InsurerMSP", "part:Verify", "P1"))
	assert.Equal(t, parttypes.Verification{Serial: "P1", Genuine: true, PartNumber: "PACK-9", Status: parttypes.Installed, Holder: "OemMSP", VIN: vin1}, v)
	assert.False(t, ok[parttypes.Verification](t, f.query("InsurerMSP", "part:Verify", "FAKE-1")).Genuine)

	// A dealer removes it at a repair, then scraps it.
	failsWith(t, f.tx("DealerMSP", "service", "part:Scrap", "P1", parttypes.ReasonRequest{Reason: "worn"}), ccerr.Forbidden)
	p = ok[parttypes.Part](t, f.tx("DealerMSP", "service", "part:Remove", "P1", parttypes.ReasonRequest{Reason: "worn"}))
	assert.Equal(t, "DealerMSP", p.Holder)
	assert.Empty(t, p.VIN)
	p = ok[parttypes.Part](t, f.tx("DealerMSP", "service", "part:Scrap", "P1", parttypes.ReasonRequest{Reason: "worn"}))
	assert.Equal(t, parttypes.Scrapped, p.Status)
	failsWith(t, f.tx("DealerMSP", "service", "part:Install", "P1", parttypes.InstallRequest{VIN: vin2}), ccerr.FailedPrecondition)

	prov := ok[parttypes.Provenance](t, f.query("DealerMSP", "part:Provenance", "P1"))
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
	req := parttypes.AssembleRequest{Serial: "PACK-1", PartNumber: "PACK-9", Batch: "B1", Manufacturer: "CellCo", AssembledAt: f.clock.Now(), Children: []string{"M2", "M1"}}
	failsWith(t, f.tx("SupplierMSP", "production", "part:Assemble", parttypes.AssembleRequest{Serial: "PACK-0", PartNumber: "PACK-9", Batch: "B1",
		Manufacturer: "C", AssembledAt: f.clock.Now(), Children: []string{"M1", "M3"}}), ccerr.Forbidden)
	asm := ok[parttypes.Part](t, f.tx("SupplierMSP", "production", "part:Assemble", req))
	assert.Equal(t, []string{"M1", "M2"}, asm.Children)
	m1 := ok[parttypes.Part](t, f.query("OemMSP", "part:Get", "M1"))
	assert.Equal(t, parttypes.Assembled, m1.Status)
	assert.Equal(t, "PACK-1", m1.Parent)
	// A component already in an assembly cannot be used again.
	failsWith(t, f.tx("SupplierMSP", "production", "part:Assemble", parttypes.AssembleRequest{Serial: "PACK-2", PartNumber: "PACK-9", Batch: "B1",
		Manufacturer: "C", AssembledAt: f.clock.Now(), Children: []string{"M1"}}), ccerr.FailedPrecondition)

	prov := ok[parttypes.Provenance](t, f.query("InsurerMSP", "part:Provenance", "PACK-1"))
	require.Len(t, prov.Components, 2)
	assert.Equal(t, "cobalt", prov.Components[0].Part.Materials[0].Material)
	assert.Equal(t, "M1", prov.Components[0].Part.Serial)

	// A recall of a module reaches the car its pack is in.
	f.car(vin1)
	ok[parttypes.Part](t, f.tx("SupplierMSP", "logistics", "part:Ship", "PACK-1", parttypes.ShipRequest{To: "OemMSP", ShipmentRef: "SH-P"}))
	ok[parttypes.Part](t, f.tx("OemMSP", "production", "part:Receive", "PACK-1", parttypes.ReceiveRequest{ShipmentRef: "SH-P"}))
	ok[parttypes.Part](t, f.tx("OemMSP", "production", "part:Install", "PACK-1", parttypes.InstallRequest{VIN: vin1}))
	ok[parttypes.Recall](t, f.tx("OemMSP", "quality", "part:IssueRecall", parttypes.RecallRequest{RecallID: "RC-M", PartNumber: "MOD-7", BatchFrom: "B1", BatchTo: "B1", Reason: "cells"}))
	st := ok[parttypes.RecallStatus](t, f.query("DealerMSP", "part:RecallStatus", "RC-M"))
	require.Len(t, st.Cars, 1)
	assert.Equal(t, vin1, st.Cars[0].VIN)
	assert.Equal(t, []string{"RC-M"}, ok[vehicletypes.Report](t, f.query("InsurerMSP", "vehicle:Report", vin1)).OpenRecalls)
}

func TestRecallReachesCarsAndRemedyClosesIt(t *testing.T) {
	f := newFixture(t)
	f.car(vin1)
	f.car(vin2)
	f.register("OemMSP", "MOD-7", "B2", "R1", "R2")
	f.register("OemMSP", "MOD-7", "B5", "R3")
	ok[parttypes.Part](t, f.tx("OemMSP", "production", "part:Install", "R1", parttypes.InstallRequest{VIN: vin1}))
	ok[parttypes.Part](t, f.tx("OemMSP", "production", "part:Install", "R3", parttypes.InstallRequest{VIN: vin2}))

	r := f.tx("OemMSP", "quality", "part:IssueRecall", parttypes.RecallRequest{RecallID: "RC-1", PartNumber: "MOD-7", BatchFrom: "B1", BatchTo: "B3", Reason: "cell defect"})
	rec := ok[parttypes.Recall](t, r)
	assert.True(t, rec.Complete)
	assert.Equal(t, int64(2), rec.PartsFlagged)
	assert.Equal(t, parttypes.EvRecallIssued, r.Event.Name)
	assert.JSONEq(t, `{"recallId":"RC-1","partNumber":"MOD-7","batchFrom":"B1","batchTo":"B3","partsFlagged":2,
		"carsOpened":["`+vin1+`"],"complete":true}`, string(r.Event.Payload))
	failsWith(t, f.tx("OemMSP", "quality", "part:IssueRecall", parttypes.RecallRequest{RecallID: "RC-1", PartNumber: "MOD-7", BatchFrom: "B1", BatchTo: "B1", Reason: "x"}), ccerr.AlreadyExists)

	st := ok[parttypes.RecallStatus](t, f.query("DealerMSP", "part:RecallStatus", "RC-1"))
	assert.Equal(t, 1, st.Affected)
	assert.Equal(t, []parttypes.RecallCarRef{{VIN: vin1, Serial: "R1", Open: true}}, st.Cars)
	rep := ok[vehicletypes.Report](t, f.query("InsurerMSP", "vehicle:Report", vin1))
	assert.Equal(t, []string{"RC-1"}, rep.OpenRecalls)
	assert.Contains(t, rep.Alerts, "OPEN_RECALL")
	assert.Empty(t, ok[vehicletypes.Report](t, f.query("InsurerMSP", "vehicle:Report", vin2)).OpenRecalls, "batch B5 is outside the recall")

	// A recalled part cannot be installed.
	failsWith(t, f.tx("OemMSP", "production", "part:Install", "R2", parttypes.InstallRequest{VIN: vin2}), ccerr.FailedPrecondition)
	assert.True(t, ok[parttypes.Verification](t, f.query("InsurerMSP", "part:Verify", "R2")).Recalled)

	// The dealer's remedy closes it for that car.
	svc := vehicletypes.ServiceRequest{Type: "recall-remedy", OdometerKm: 100, DocumentHash: hashA, PerformedAt: f.clock.Now(), RecallID: "RC-2"}
	failsWith(t, f.tx("DealerMSP", "service", "vehicle:RecordService", vin1, svc), ccerr.FailedPrecondition)
	svc.RecallID = "RC-1"
	ok[vehicletypes.OdometerResult](t, f.tx("DealerMSP", "service", "vehicle:RecordService", vin1, svc))
	st = ok[parttypes.RecallStatus](t, f.query("DealerMSP", "part:RecallStatus", "RC-1"))
	assert.Equal(t, 1, st.Remedied)
	assert.Empty(t, ok[vehicletypes.Report](t, f.query("InsurerMSP", "vehicle:Report", vin1)).OpenRecalls)
	svc.RecallID = ""
	failsWith(t, f.tx("DealerMSP", "service", "vehicle:RecordService", vin1, svc), ccerr.InvalidArgument)
}

// A recall over more parts than one transaction handles is applied in
// bounded chunks.
func TestLargeRecallIsAppliedInChunks(t *testing.T) {
	f := newFixture(t, mockstub.WithoutDeterminismCheck())
	f.register("SupplierMSP", "MOD-7", "B1", serials("C", part.RecallChunk+100)...)
	rec := ok[parttypes.Recall](t, f.tx("OemMSP", "quality", "part:IssueRecall", parttypes.RecallRequest{RecallID: "BIG", PartNumber: "MOD-7", BatchFrom: "B1", BatchTo: "B1", Reason: "x"}))
	assert.False(t, rec.Complete)
	assert.Equal(t, int64(part.RecallChunk), rec.PartsFlagged)
	// Parts the first chunk did not reach are refused all the same.
	assert.True(t, ok[parttypes.Verification](t, f.query("OemMSP", "part:Verify", fmt.Sprintf("C-%04d", part.RecallChunk+50))).Recalled)
	rec = ok[parttypes.Recall](t, f.tx("OemMSP", "quality", "part:ApplyRecall", "BIG"))
	assert.True(t, rec.Complete)
	assert.Equal(t, int64(part.RecallChunk+100), rec.PartsFlagged)
	again := ok[parttypes.Recall](t, f.tx("OemMSP", "quality", "part:ApplyRecall", "BIG"))
	assert.Equal(t, rec.PartsFlagged, again.PartsFlagged, "a duplicate call is harmless")
	failsWith(t, f.tx("OemMSP", "quality", "part:ApplyRecall", "NOPE"), ccerr.NotFound)
}

func TestTermsStayBetweenThePair(t *testing.T) {
	f := newFixture(t)
	f.register("SupplierMSP", "MOD-7", "B1", "S1")
	before := f.ledger.Keys("", "\U0010FFFF")
	terms := parttypes.Terms{UnitPriceMinor: 125000, Currency: "EUR", LotData: "lot 7/line 3", Salt: "9c1f0e7a5b3d2c4e8f6a"}
	raw, _ := json.Marshal(terms)
	put := func(msp string, peer string, body []byte) *mockstub.Result {
		return f.ledger.Invoke(mockstub.Tx{Creator: f.id(msp, "finance"), PeerOrg: peer, Function: "part:PutTerms",
			Args: []string{"MOD-7", "B1"}, Transient: map[string][]byte{parttypes.TermsTransientKey: body}})
	}
	r := put("SupplierMSP", "SupplierMSP", raw)
	require.True(t, r.Committed, r.Message)
	assert.NotContains(t, string(r.Event.Payload), "125000")
	assert.Equal(t, before, f.ledger.Keys("", "\U0010FFFF"), "no public key is written")

	got := ok[parttypes.Terms](t, f.ledger.Evaluate(mockstub.Tx{Creator: f.id("OemMSP", "finance"), PeerOrg: "OemMSP", Function: "part:GetTerms", Args: []string{"MOD-7", "B1"}}))
	assert.Equal(t, terms, got)
	// The dealer's peer has only the hash.
	res := f.ledger.Evaluate(mockstub.Tx{Creator: f.id("OemMSP", "finance"), PeerOrg: "DealerMSP", Function: "part:GetTerms", Args: []string{"MOD-7", "B1"}})
	assert.False(t, res.OK())
	hash := f.ledger.Evaluate(mockstub.Tx{Creator: f.id("DealerMSP", "sales"), Function: "part:TermsHash", Args: []string{"MOD-7", "B1"}})
	require.True(t, hash.OK(), hash.Message)
	stored, _ := json.Marshal(got)
	sum := sha256.Sum256(stored)
	assert.Equal(t, hex.EncodeToString(sum[:]), string(hash.Payload))

	failsWith(t, put("SupplierMSP", "SupplierMSP", []byte(`{"unitPriceMinor":1,"currency":"euro","salt":"x"}`)), ccerr.InvalidArgument)
	failsWith(t, f.ledger.Invoke(mockstub.Tx{Creator: f.id("SupplierMSP", "finance"), Function: "part:PutTerms", Args: []string{"MOD-7", "B1"}}), ccerr.MissingTransient)
	failsWith(t, f.ledger.Evaluate(mockstub.Tx{Creator: f.id("DealerMSP", "sales"), Function: "part:TermsHash", Args: []string{"MOD-7", "B9"}}), ccerr.NotFound)
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
		require.True(b, f.tx(from[0], from[1], "part:Ship", "H1", parttypes.ShipRequest{To: to[0], ShipmentRef: ref}).OK())
		require.True(b, f.tx(to[0], to[1], "part:Receive", "H1", parttypes.ReceiveRequest{ShipmentRef: ref}).OK())
	}
	var prov parttypes.Provenance
	for b.Loop() {
		prov = ok[parttypes.Provenance](b, f.query("InsurerMSP", "part:Provenance", "H1"))
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
