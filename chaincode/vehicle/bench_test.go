package vehicle_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/autoledger/autoledger/chaincode/contracts/contractstest"
	"github.com/autoledger/autoledger/chaincode/mockstub"
	"github.com/autoledger/autoledger/chaincode/owner/ownertypes"
	"github.com/autoledger/autoledger/chaincode/owner/statement"
	"github.com/autoledger/autoledger/chaincode/vehicle/vehicletypes"
)

// Benchmarks run each transaction once (no determinism double-run), as one
// endorsing peer would, on the mock stub.

// vinFor returns a distinct EU-style VIN (check digit not enforced) for i.
func vinFor(i int) string { return fmt.Sprintf("WVWZZZ1JZ%08d", i) }

func benchFixture(b *testing.B) *fixture {
	return newFixture(b, mockstub.WithoutDeterminismCheck())
}

func mustOK(b *testing.B, r *mockstub.Result) {
	if !r.OK() {
		b.Fatal(r.Message)
	}
}

func BenchmarkRegister(b *testing.B) {
	f := benchFixture(b)
	id := f.As("OemMSP", "production")
	for i := 0; b.Loop(); i++ {
		mustOK(b, f.Invoke(mockstub.Tx{Creator: id, Function: "vehicle:Register",
			Args: args(vehicletypes.RegisterRequest{VIN: vinFor(i), Birth: birth("BEV")})}))
	}
}

// BenchmarkResale is a car changing hands: owner:Sell with the owner's
// signed release to the buyer's key (the owner signs outside the timer).
func BenchmarkResale(b *testing.B) {
	f := benchFixture(b)
	f.register(usVIN, "ICE")
	seller := f.Owned(usVIN, 0)
	id := f.As("DealerMSP", "owner-services")
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		buyer := f.NewOwnerKey()
		env := seller.Sign(f.Ledger, f.Statement(usVIN, statement.ReleaseSale,
			contractstest.SaleParams("key:"+buyer.Fingerprint(), int64(i+1), f.Clock.Now(), "private")))
		req := ownertypes.SellRequest{Envelope: env, BuyerPublicKey: buyer.SPKI()}
		b.StartTimer()
		mustOK(b, f.Invoke(mockstub.Tx{Creator: id, Function: "owner:Sell", Args: args(usVIN, req)}))
		seller = buyer
	}
}

// writeBench times one write per iteration on a car with a growing
// history; setup runs once the car is registered.
func writeBench(b *testing.B, msp, role, fn string, powertrain string, req func(i int, at time.Time) any, setup ...func(*fixture)) {
	f := benchFixture(b)
	f.register(bevVIN, powertrain)
	for _, s := range setup {
		s(f)
	}
	start := f.Clock.Now().Add(-4 * time.Minute)
	id := f.As(msp, role)
	for i := 0; b.Loop(); i++ {
		at := start.Add(time.Duration(i) * time.Microsecond)
		mustOK(b, f.Invoke(mockstub.Tx{Creator: id, Function: "vehicle:" + fn, Args: args(bevVIN, req(i, at))}))
	}
}

func BenchmarkRecordOdometer(b *testing.B) {
	writeBench(b, "OemMSP", "telematics", "RecordOdometer", "BEV", func(i int, at time.Time) any {
		return vehicletypes.OdometerRequest{Km: int64(i), Source: "telematics", ObservedAt: at}
	})
}

func BenchmarkReplaceCluster(b *testing.B) {
	writeBench(b, "DealerMSP", "service", "ReplaceCluster", "BEV", func(i int, at time.Time) any {
		return vehicletypes.ClusterRequest{OldClusterFinalKm: int64(i), NewClusterStartKm: 0, EvidenceHash: docHash, ReplacedAt: at}
	})
}

func BenchmarkRecordService(b *testing.B) {
	writeBench(b, "DealerMSP", "service", "RecordService", "BEV", func(i int, at time.Time) any {
		return vehicletypes.ServiceRequest{Type: "maintenance", OdometerKm: int64(i), DocumentHash: docHash, PartSerials: []string{"P-1"}, PerformedAt: at}
	}, func(f *fixture) { f.installPart(bevVIN, "P-1") })
}

func BenchmarkRecordBatteryReport(b *testing.B) {
	writeBench(b, "OemMSP", "telematics", "RecordBatteryReport", "BEV", func(i int, at time.Time) any {
		return vehicletypes.BatteryRequest{StateOfHealthPct: 95, RemainingCapacityKWh: 70, CycleCount: int64(i), Status: "original", ReportedAt: at}
	})
}

func BenchmarkRecordIncident(b *testing.B) {
	writeBench(b, "InsurerMSP", "claims", "RecordIncident", "BEV", func(i int, at time.Time) any {
		return vehicletypes.IncidentRequest{Date: at, Severity: "minor", ClaimRef: fmt.Sprintf("CLM-%d", i)}
	})
}

func BenchmarkBrandTitle(b *testing.B) {
	writeBench(b, "InsurerMSP", "claims", "BrandTitle", "BEV", func(i int, at time.Time) any {
		return vehicletypes.BrandRequest{Brand: "flood", Date: at, ClaimRef: fmt.Sprintf("CLM-%d", i)}
	})
}

// loaded returns a fixture whose BEV has n life events of mixed kinds.
func loaded(b *testing.B, n int) *fixture {
	f := benchFixture(b)
	f.register(bevVIN, "BEV")
	start := f.Clock.Now().Add(-4 * time.Minute)
	tel, svc := f.As("OemMSP", "telematics"), f.As("DealerMSP", "service")
	for i := 1; i < n; i++ {
		at := start.Add(time.Duration(i) * time.Millisecond)
		var tx mockstub.Tx
		switch i % 10 {
		case 0:
			tx = mockstub.Tx{Creator: svc, Function: "vehicle:RecordService", Args: args(bevVIN, vehicletypes.ServiceRequest{
				Type: "maintenance", OdometerKm: int64(i * 10), DocumentHash: docHash, PerformedAt: at})}
		case 5:
			tx = mockstub.Tx{Creator: tel, Function: "vehicle:RecordBatteryReport", Args: args(bevVIN, vehicletypes.BatteryRequest{
				StateOfHealthPct: 95, RemainingCapacityKWh: 70, CycleCount: int64(i), Status: "original", ReportedAt: at})}
		default:
			tx = mockstub.Tx{Creator: tel, Function: "vehicle:RecordOdometer", Args: args(bevVIN, vehicletypes.OdometerRequest{
				Km: int64(i * 10), Source: "telematics", ObservedAt: at})}
		}
		mustOK(b, f.Invoke(tx))
	}
	return f
}

func BenchmarkGet(b *testing.B) {
	f := loaded(b, 100)
	id := f.As("InsurerMSP", "claims")
	for b.Loop() {
		mustOK(b, f.Evaluate(mockstub.Tx{Creator: id, Function: "vehicle:Get", Args: []string{bevVIN}}))
	}
}

func BenchmarkHistoryPage100(b *testing.B) {
	f := loaded(b, 1000)
	id := f.As("InsurerMSP", "claims")
	for b.Loop() {
		mustOK(b, f.Evaluate(mockstub.Tx{Creator: id, Function: "vehicle:History", Args: args(bevVIN, 100, "")}))
	}
}

// BenchmarkReport10k is the bounded-work goal: a report over 10,000 events.
func BenchmarkReport10k(b *testing.B) {
	f := loaded(b, 10000)
	id := f.As("InsurerMSP", "claims")
	var r *mockstub.Result
	for b.Loop() {
		r = f.Evaluate(mockstub.Tx{Creator: id, Function: "vehicle:Report", Args: []string{bevVIN}})
		mustOK(b, r)
	}
	var rep vehicletypes.Report
	if err := r.Decode(&rep); err != nil || rep.EventCount != 10000 {
		b.Fatalf("report covers %d events (%v)", rep.EventCount, err)
	}
}
