package vehicle_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/autoledger/autoledger/chaincode/contracts/contractstest"
	"github.com/autoledger/autoledger/chaincode/kit"
	"github.com/autoledger/autoledger/chaincode/mockstub"
	"github.com/autoledger/autoledger/chaincode/rules"
	"github.com/autoledger/autoledger/chaincode/vehicle"
	"github.com/autoledger/autoledger/chaincode/vehicle/vehicletypes"
	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRegister(t *testing.T) {
	f := newFixture(t)
	res := f.invoke("OemMSP", "production", "Register", vehicletypes.RegisterRequest{VIN: usVIN, Birth: birth("ICE")})
	v := contractstest.OK[vehicletypes.Vehicle](t, res)
	assert.True(t, v.CheckDigitVerified)
	assert.Equal(t, "OemMSP", v.RegisteredBy)
	assert.Equal(t, int64(1), v.EventCount)
	assert.Equal(t, 1, v.SchemaVersion)
	require.NotNil(t, res.Event)
	assert.Equal(t, vehicletypes.EvVehicleRegistered, res.Event.Name)
	// The payload as clients have read it since the first release.
	assert.JSONEq(t, `{"vin":"`+usVIN+`","seq":1,"type":"REGISTERED","rollbackSuspected":false,"facts":{
		"manufacturer":"AutoLedger Motors","model":"Ledgerline","modelYear":2026,"powertrain":"ICE","checkDigitVerified":true}}`,
		string(res.Event.Payload))

	got := contractstest.OK[vehicletypes.Vehicle](t, f.evaluate("InsurerMSP", "Get", usVIN))
	assert.Equal(t, v, got)

	eu := f.register(euVIN, "ICE")
	assert.False(t, eu.CheckDigitVerified)

	contractstest.FailsWith(t, f.invoke("OemMSP", "production", "Register", vehicletypes.RegisterRequest{VIN: usVIN, Birth: birth("ICE")}), ccerr.AlreadyExists)
}

func TestRegisterValidation(t *testing.T) {
	f := newFixture(t)
	bad := usVIN[:8] + "5" + usVIN[9:]
	e := contractstest.FailsWith(t, f.invoke("OemMSP", "production", "Register", vehicletypes.RegisterRequest{VIN: bad, Birth: birth("ICE")}), ccerr.VINInvalid)
	assert.Equal(t, "check_digit", e.Fields[0].Rule)

	b := birth("BEV")
	b.BatteryPackID = ""
	e = contractstest.FailsWith(t, f.invoke("OemMSP", "production", "Register", vehicletypes.RegisterRequest{VIN: bevVIN, Birth: b}), ccerr.InvalidArgument)
	assert.Equal(t, "birth.batteryPackId", e.Fields[0].Field)
	assert.Equal(t, "required_for_powertrain", e.Fields[0].Rule)

	b = birth("DIESEL")
	b.CountryOfOrigin = "Germany"
	b.Manufacturer = ""
	e = contractstest.FailsWith(t, f.invoke("OemMSP", "production", "Register", vehicletypes.RegisterRequest{VIN: "WVWZZZ1JZXW00000I", Birth: b}), ccerr.InvalidArgument)
	fields := map[string]string{}
	for _, fe := range e.Fields {
		fields[fe.Field] = fe.Rule
	}
	assert.Equal(t, map[string]string{"vin": "charset", "birth.manufacturer": "required",
		"birth.countryOfOrigin": "iso3166_alpha2", "birth.powertrain": "one_of"}, fields)

	b = birth("ICE")
	b.ProductionDate = f.Clock.Now().Add(time.Hour)
	e = contractstest.FailsWith(t, f.invoke("OemMSP", "production", "Register", vehicletypes.RegisterRequest{VIN: usVIN, Birth: b}), ccerr.InvalidArgument)
	assert.Equal(t, "not_future", e.Fields[0].Rule)
	assert.Nil(t, f.Keys("", ""), "nothing stored")
}

func TestTimestampFarFromPeerClockIsRefused(t *testing.T) {
	f := newFixture(t)
	for _, skew := range []time.Duration{6 * time.Minute, -6 * time.Minute} {
		r := f.Invoke(mockstub.Tx{Creator: f.As("OemMSP", "production"), Function: "vehicle:Register",
			Args: args(vehicletypes.RegisterRequest{VIN: usVIN, Birth: birth("ICE")}), Timestamp: f.Clock.Now().Add(skew)})
		contractstest.FailsWith(t, r, ccerr.TimestampSkew)
	}
	r := f.Invoke(mockstub.Tx{Creator: f.As("OemMSP", "production"), Function: "vehicle:Register",
		Args: args(vehicletypes.RegisterRequest{VIN: usVIN, Birth: birth("ICE")}), Timestamp: f.Clock.Now().Add(4 * time.Minute)})
	assert.True(t, r.Committed, r.Message)
}

// Every write is refused to the wrong org and to the right org with the
// wrong role, and commits nothing.
func TestAccessRulesRefuseWrongOrgAndRole(t *testing.T) {
	f := newFixture(t)
	f.register(bevVIN, "BEV")
	now := f.Clock.Now().Add(-time.Minute)
	reqs := map[string]any{
		"Register":            vehicletypes.RegisterRequest{VIN: usVIN, Birth: birth("ICE")},
		"RecordOdometer":      vehicletypes.OdometerRequest{Km: 10, Source: "service", ObservedAt: now},
		"ReplaceCluster":      vehicletypes.ClusterRequest{OldClusterFinalKm: 10, EvidenceHash: docHash, ReplacedAt: now},
		"RecordService":       vehicletypes.ServiceRequest{Type: "maintenance", OdometerKm: 10, DocumentHash: docHash, PerformedAt: now},
		"RecordBatteryReport": vehicletypes.BatteryRequest{StateOfHealthPct: 97, RemainingCapacityKWh: 70, Status: "original", ReportedAt: now},
		"RecordIncident":      vehicletypes.IncidentRequest{Date: now, Severity: "minor", ClaimRef: "CLM-1"},
		"BrandTitle":          vehicletypes.BrandRequest{Brand: "flood", Date: now, ClaimRef: "CLM-1"},
	}
	cases := []struct{ fn, msp, role string }{
		{"Register", "DealerMSP", "production"}, {"Register", "OemMSP", "telematics"}, {"Register", "OemMSP", ""},
		{"RecordOdometer", "SupplierMSP", "telematics"}, {"RecordOdometer", "OemMSP", "production"},
		{"RecordOdometer", "DealerMSP", "sales"}, {"RecordOdometer", "InsurerMSP", "underwriting"},
		{"ReplaceCluster", "OemMSP", "service"}, {"ReplaceCluster", "DealerMSP", "sales"},
		{"RecordService", "InsurerMSP", "service"}, {"RecordService", "DealerMSP", "sales"},
		{"RecordBatteryReport", "DealerMSP", "telematics"}, {"RecordBatteryReport", "OemMSP", "production"},
		{"RecordIncident", "DealerMSP", "claims"}, {"RecordIncident", "InsurerMSP", "underwriting"},
		{"BrandTitle", "OemMSP", "claims"}, {"BrandTitle", "InsurerMSP", "admin"},
	}
	before := f.BlockHeight()
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s by %s %s", c.fn, c.msp, c.role), func(t *testing.T) {
			in := []any{reqs[c.fn]}
			if c.fn != "Register" {
				in = []any{bevVIN, reqs[c.fn]}
			}
			r := f.Invoke(mockstub.Tx{Creator: f.As(c.msp, c.role), Function: "vehicle:" + c.fn, Args: args(in...)})
			e := contractstest.FailsWith(t, r, ccerr.Forbidden)
			assert.Contains(t, e.Message, c.msp)
		})
	}
	assert.Equal(t, before, f.BlockHeight())

	// Reads are open to every member, and to nobody else.
	for _, fn := range []string{"Get", "Report"} {
		assert.True(t, f.evaluate("SupplierMSP", fn, bevVIN).OK())
		contractstest.FailsWith(t, f.Evaluate(mockstub.Tx{Creator: f.As("OrdererMSP", ""), Function: "vehicle:" + fn, Args: []string{bevVIN}}), ccerr.Forbidden)
	}
	contractstest.FailsWith(t, f.Evaluate(mockstub.Tx{Creator: f.As("OrdererMSP", ""), Function: "vehicle:History", Args: args(bevVIN, 10, "")}), ccerr.Forbidden)
	contractstest.FailsWith(t, f.evaluate("OemMSP", "Destroy", bevVIN), ccerr.UnknownFunction)
}

func TestUnknownAndMalformedVIN(t *testing.T) {
	f := newFixture(t)
	contractstest.FailsWith(t, f.evaluate("DealerMSP", "Get", usVIN), ccerr.NotFound)
	contractstest.FailsWith(t, f.evaluate("DealerMSP", "Report", "NOT-A-VIN"), ccerr.VINInvalid)
	contractstest.FailsWith(t, f.invoke("OemMSP", "telematics", "RecordOdometer", usVIN,
		vehicletypes.OdometerRequest{Km: 1, Source: "telematics", ObservedAt: f.Clock.Now()}), ccerr.NotFound)
}

// A sale (owner:SellFromStock, owner:Sell) appends the car's
// OWNERSHIP_TRANSFER life event through vehicle.RecordSale: the sale's
// reading, the owner count and the use type.
func TestSalesAreOwnershipTransfersWithAReading(t *testing.T) {
	f := newFixture(t)
	f.register(usVIN, "ICE")
	f.odometer(usVIN, 40, f.Clock.Now().Add(-3*time.Hour))
	seller := f.Owned(usVIN, 12) // a sale an hour ago at 12 km: below the 40 km reading before it
	v := contractstest.OK[vehicletypes.Vehicle](t, f.evaluate("OemMSP", "Get", usVIN))
	assert.Equal(t, 1, v.OwnerCount)
	assert.True(t, v.RollbackSuspected, "a sale's reading is checked like any other")
	hist := contractstest.OK[vehicletypes.HistoryPage](t, f.evaluate("OemMSP", "History", usVIN, 10, ""))
	require.Len(t, hist.Events, 3)
	sale := hist.Events[2]
	assert.Equal(t, vehicletypes.EventOwnershipTransfer, sale.Type)
	assert.Equal(t, "DealerMSP", sale.RecordedBy)
	require.NotNil(t, sale.Odometer)
	assert.Equal(t, "sale", sale.Odometer.Source)
	assert.True(t, sale.Odometer.Rollback)
	assert.Equal(t, 1, sale.Transfer.OwnerNo)

	f.Resell(usVIN, seller, 5000, "taxi")
	v = contractstest.OK[vehicletypes.Vehicle](t, f.evaluate("OemMSP", "Get", usVIN))
	assert.Equal(t, 2, v.OwnerCount)
	assert.Equal(t, "taxi", v.UseType)
	assert.Equal(t, int64(5000), v.Odometer.MaxTotalKm)
}

func TestOdometerRollbackIsRecordedAndFlagged(t *testing.T) {
	f := newFixture(t)
	f.register(usVIN, "ICE")
	t0 := f.Clock.Now().Add(-30 * 24 * time.Hour)
	r1 := f.odometer(usVIN, 50000, t0)
	assert.False(t, r1.RollbackSuspected)

	res := f.invoke("DealerMSP", "service", "RecordOdometer", usVIN, vehicletypes.OdometerRequest{Km: 20000, Source: "service", ObservedAt: t0.Add(24 * time.Hour)})
	low := contractstest.OK[vehicletypes.OdometerResult](t, res)
	assert.True(t, low.RollbackSuspected)
	assert.True(t, low.Reading.Rollback)
	assert.Equal(t, vehicletypes.EvOdometerRollbackSuspected, res.Event.Name)

	// The flag is permanent: a higher reading later does not clear it.
	later := f.odometer(usVIN, 60000, t0.Add(48*time.Hour))
	assert.False(t, later.Reading.Rollback)
	assert.True(t, later.RollbackSuspected)

	rep := contractstest.OK[vehicletypes.Report](t, f.evaluate("InsurerMSP", "Report", usVIN))
	assert.True(t, rep.Odometer.RollbackSuspected)
	assert.Contains(t, rep.Alerts, "ODOMETER_ROLLBACK_SUSPECTED")
	require.Len(t, rep.Odometer.Timeline, 3)
	assert.Equal(t, []bool{false, true, false}, []bool{rep.Odometer.Timeline[0].Rollback, rep.Odometer.Timeline[1].Rollback, rep.Odometer.Timeline[2].Rollback})
}

func TestLateReadingsAreCheckedAgainstTheirNeighbours(t *testing.T) {
	f := newFixture(t)
	f.register(usVIN, "ICE")
	t0 := f.Clock.Now().Add(-10 * 24 * time.Hour)
	f.odometer(usVIN, 1000, t0)
	f.odometer(usVIN, 3000, t0.Add(48*time.Hour))
	// An inspection observed in between, reported late, that fits.
	fits := f.odometer(usVIN, 2000, t0.Add(24*time.Hour))
	assert.False(t, fits.RollbackSuspected)
	// One observed in between that is higher than the later reading.
	misfit := f.odometer(usVIN, 9000, t0.Add(36*time.Hour))
	assert.True(t, misfit.Reading.Rollback)
	assert.True(t, misfit.RollbackSuspected)
	v := contractstest.OK[vehicletypes.Vehicle](t, f.evaluate("OemMSP", "Get", usVIN))
	assert.Equal(t, int64(9000), v.Odometer.MaxTotalKm)
}

func TestObservedTimeInTheFutureIsRefused(t *testing.T) {
	f := newFixture(t)
	f.register(usVIN, "ICE")
	e := contractstest.FailsWith(t, f.invoke("OemMSP", "telematics", "RecordOdometer", usVIN,
		vehicletypes.OdometerRequest{Km: 1, Source: "telematics", ObservedAt: f.Clock.Now().Add(time.Minute)}), ccerr.InvalidArgument)
	assert.Equal(t, "observedAt", e.Fields[0].Field)
	e = contractstest.FailsWith(t, f.invoke("OemMSP", "telematics", "RecordOdometer", usVIN,
		vehicletypes.OdometerRequest{Km: -1, Source: "guess", ObservedAt: f.Clock.Now()}), ccerr.InvalidArgument)
	assert.Len(t, e.Fields, 2)
}

func TestClusterReplacementStartsANewBaseline(t *testing.T) {
	f := newFixture(t)
	f.register(usVIN, "ICE")
	t0 := f.Clock.Now().Add(-10 * 24 * time.Hour)
	f.odometer(usVIN, 100000, t0)
	res := contractstest.OK[vehicletypes.OdometerResult](t, f.invoke("DealerMSP", "service", "ReplaceCluster", usVIN,
		vehicletypes.ClusterRequest{OldClusterFinalKm: 100500, NewClusterStartKm: 0, EvidenceHash: docHash, ReplacedAt: t0.Add(24 * time.Hour)}))
	assert.Equal(t, int64(100500), res.Reading.TotalKm)
	after := f.odometer(usVIN, 1000, t0.Add(48*time.Hour))
	assert.False(t, after.RollbackSuspected, "a reading on the new cluster is no rollback")
	assert.Equal(t, int64(101500), after.Reading.TotalKm)
	assert.Equal(t, int64(1000), after.Reading.DisplayedKm)

	rep := contractstest.OK[vehicletypes.Report](t, f.evaluate("DealerMSP", "Report", usVIN))
	assert.Equal(t, 1, rep.Odometer.ClusterReplacements)
	assert.Equal(t, int64(101500), rep.Odometer.LatestTotalKm)
	assert.False(t, rep.Odometer.RollbackSuspected)

	// A replacement cannot be slipped in before readings already counted.
	contractstest.FailsWith(t, f.invoke("DealerMSP", "service", "ReplaceCluster", usVIN,
		vehicletypes.ClusterRequest{OldClusterFinalKm: 1, EvidenceHash: docHash, ReplacedAt: t0}), ccerr.FailedPrecondition)
	e := contractstest.FailsWith(t, f.invoke("DealerMSP", "service", "ReplaceCluster", usVIN,
		vehicletypes.ClusterRequest{OldClusterFinalKm: 1, EvidenceHash: "not-a-hash", ReplacedAt: f.Clock.Now()}), ccerr.InvalidArgument)
	assert.Equal(t, "evidenceHash", e.Fields[0].Field)
}

func TestServiceBatteryIncidentAndBrandInTheReport(t *testing.T) {
	f := newFixture(t)
	f.register(bevVIN, "BEV")
	f.register(usVIN, "ICE")
	f.installPart(bevVIN, "BRK-1")
	f.installPart(bevVIN, "BRK-2")
	day := f.Clock.Now().Add(-5 * 24 * time.Hour)

	svc := f.invoke("DealerMSP", "service", "RecordService", bevVIN, vehicletypes.ServiceRequest{
		Type: "maintenance", OdometerKm: 15000, DocumentHash: docHash, PartSerials: []string{"BRK-1", "BRK-2"}, PerformedAt: day})
	contractstest.OK[vehicletypes.OdometerResult](t, svc)
	assert.Equal(t, vehicletypes.EvServiceRecorded, svc.Event.Name)

	for i, soh := range []float64{98.5, 96} {
		r := f.invoke("OemMSP", "telematics", "RecordBatteryReport", bevVIN, vehicletypes.BatteryRequest{
			StateOfHealthPct: soh, RemainingCapacityKWh: 72.4, CycleCount: int64(100 * (i + 1)), Status: "original", ReportedAt: day.Add(time.Duration(i+1) * time.Hour)})
		contractstest.OK[vehicletypes.Receipt](t, r)
	}
	contractstest.FailsWith(t, f.invoke("OemMSP", "telematics", "RecordBatteryReport", usVIN, vehicletypes.BatteryRequest{
		StateOfHealthPct: 90, Status: "original", ReportedAt: day}), ccerr.NotElectrified)

	contractstest.OK[vehicletypes.Receipt](t, f.invoke("InsurerMSP", "claims", "RecordIncident", bevVIN, vehicletypes.IncidentRequest{
		Date: day.Add(48 * time.Hour), Severity: "severe", Airbag: true, StructuralDamage: true, ClaimRef: "CLM-77"}))
	br := f.invoke("InsurerMSP", "claims", "BrandTitle", bevVIN, vehicletypes.BrandRequest{Brand: "salvage", Date: day.Add(72 * time.Hour), ClaimRef: "CLM-77"})
	contractstest.OK[vehicletypes.Receipt](t, br)
	assert.Equal(t, vehicletypes.EvTitleBranded, br.Event.Name)
	contractstest.OK[vehicletypes.Receipt](t, f.invoke("InsurerMSP", "claims", "BrandTitle", bevVIN, vehicletypes.BrandRequest{Brand: "salvage", Date: day.Add(73 * time.Hour), ClaimRef: "CLM-78"}))

	rep := contractstest.OK[vehicletypes.Report](t, f.evaluate("SupplierMSP", "Report", bevVIN))
	require.Len(t, rep.Services, 1)
	assert.Equal(t, []string{"BRK-1", "BRK-2"}, rep.Services[0].PartSerials)
	require.NotNil(t, rep.Battery)
	assert.Equal(t, 96.0, rep.Battery.StateOfHealthPct)
	require.Len(t, rep.Incidents, 1)
	assert.Len(t, rep.TitleBrands, 2)
	assert.Equal(t, []string{"TITLE_salvage", "STRUCTURAL_DAMAGE", "AIRBAG_DEPLOYED"}, rep.Alerts)
	assert.Equal(t, int64(9), rep.EventCount, "birth, two parts installed, service, two battery reports, incident, two brands")
	assert.Equal(t, map[string]int64{"service": 1}, rep.Sources)
	v := contractstest.OK[vehicletypes.Vehicle](t, f.evaluate("OemMSP", "Get", bevVIN))
	assert.Equal(t, []string{"salvage"}, v.TitleBrands)

	// Another car's report is untouched by these events.
	other := contractstest.OK[vehicletypes.Report](t, f.evaluate("SupplierMSP", "Report", usVIN))
	assert.Empty(t, other.Incidents)
	assert.Equal(t, int64(1), other.EventCount)
}

func TestReportCountsOwnersAndUseTypes(t *testing.T) {
	f := newFixture(t)
	f.register(usVIN, "ICE")
	first := f.Owned(usVIN, 10)
	f.Resell(usVIN, first, 30000, "taxi")
	rep := contractstest.OK[vehicletypes.Report](t, f.evaluate("InsurerMSP", "Report", usVIN))
	assert.Equal(t, 2, rep.OwnerCount)
	assert.Equal(t, []string{"private", "taxi"}, rep.UseTypes)
	assert.Equal(t, int64(30000), rep.Odometer.LatestTotalKm)
	assert.Equal(t, map[string]int64{"sale": 2}, rep.Sources)
	assert.Equal(t, f.Clock.Now(), rep.GeneratedAt)
}

func TestHistoryPages(t *testing.T) {
	f := newFixture(t)
	f.register(usVIN, "ICE")
	f.register(euVIN, "ICE")
	base := f.Clock.Now().Add(-24 * time.Hour)
	for i := range 4 {
		f.odometer(usVIN, int64(100*(i+1)), base.Add(time.Duration(i)*time.Minute))
	}
	var seqs []int64
	bookmark := ""
	for pages := 0; ; pages++ {
		require.Less(t, pages, 5)
		p := contractstest.OK[vehicletypes.HistoryPage](t, f.evaluate("DealerMSP", "History", usVIN, 2, bookmark))
		for _, e := range p.Events {
			assert.Equal(t, usVIN, e.VIN)
			seqs = append(seqs, e.Seq)
		}
		if p.Bookmark == "" {
			break
		}
		bookmark = p.Bookmark
	}
	assert.Equal(t, []int64{1, 2, 3, 4, 5}, seqs)

	first := contractstest.OK[vehicletypes.HistoryPage](t, f.evaluate("DealerMSP", "History", usVIN, 1, ""))
	assert.Equal(t, vehicletypes.EventRegistered, first.Events[0].Type)
	e := contractstest.FailsWith(t, f.evaluate("DealerMSP", "History", euVIN, 1, first.Bookmark), ccerr.InvalidArgument)
	assert.Equal(t, "bookmark", e.Fields[0].Field)
	contractstest.FailsWith(t, f.evaluate("DealerMSP", "History", usVIN, 0, ""), ccerr.PageLimitExceeded)
	contractstest.FailsWith(t, f.evaluate("DealerMSP", "History", usVIN, rules.MaxPageSize+1, ""), ccerr.PageLimitExceeded)
}

// appender stands for a later contract (parts, say) that appends to a
// vehicle's life in its own transaction through the Go API.
type appender struct{ contractapi.Contract }

func (a *appender) InstallTwo(ctx contractapi.TransactionContextInterface, vinCode string) error {
	v, err := vehicle.Load(ctx.GetStub(), vinCode)
	if err != nil {
		return err
	}
	for range 2 {
		if err := vehicle.Append(ctx.GetStub(), v, &vehicletypes.LifeEvent{Type: "PART_INSTALLED"}); err != nil {
			return err
		}
	}
	return nil
}

// Two appends in one transaction share one *Vehicle and get consecutive
// sequence numbers, although the transaction cannot read its own writes.
func TestGoAPIAppendsInOneTransaction(t *testing.T) {
	clock := mockstub.NewClock(mockstub.DefaultStart)
	a := &appender{}
	a.Name = "appender"
	cc, err := contractapi.NewChaincode(vehicle.NewContract(kit.WithPeerClock(clock.Now)), a)
	require.NoError(t, err)
	l := mockstub.New(t, cc, mockstub.WithClock(clock))
	oem := mockstub.NewIdentity("OemMSP", mockstub.WithRole("production"))
	r := l.Invoke(mockstub.Tx{Creator: oem, Function: "vehicle:Register", Args: args(vehicletypes.RegisterRequest{VIN: usVIN, Birth: birth("ICE")})})
	require.True(t, r.Committed, r.Message)
	r = l.Invoke(mockstub.Tx{Creator: oem, Function: "appender:InstallTwo", Args: []string{usVIN}})
	require.True(t, r.Committed, r.Message)

	p := contractstest.OK[vehicletypes.HistoryPage](t, l.Evaluate(mockstub.Tx{Creator: oem, Function: "vehicle:History", Args: args(usVIN, 10, "")}))
	require.Len(t, p.Events, 3)
	assert.Equal(t, []int64{1, 2, 3}, []int64{p.Events[0].Seq, p.Events[1].Seq, p.Events[2].Seq})
	assert.Equal(t, "PART_INSTALLED", p.Events[2].Type)
	assert.Equal(t, r.TxID, p.Events[2].TxID)
	assert.Equal(t, "OemMSP", p.Events[2].RecordedBy)
}
