package vehicle_test

import (
	"testing"
	"time"

	"github.com/autoledger/autoledger/chaincode/contracts/contractstest"
	"github.com/autoledger/autoledger/chaincode/mockstub"
	"github.com/autoledger/autoledger/chaincode/vehicle/vehicletypes"
)

const (
	usVIN  = contractstest.USVIN
	euVIN  = contractstest.EUVIN
	bevVIN = contractstest.BEVVIN
)

// fixture is the ledger of every contract, with this package's helpers.
type fixture struct{ *contractstest.Ledger }

func newFixture(t testing.TB, opts ...mockstub.Option) *fixture {
	return &fixture{contractstest.New(t, mockstub.DefaultStart, opts...)}
}

func args(in ...any) []string { return contractstest.Args(in...) }

func (f *fixture) invoke(msp, role, fn string, in ...any) *mockstub.Result {
	f.T.Helper()
	return f.Submit(msp, role, "vehicle:"+fn, in...)
}

func (f *fixture) evaluate(msp, fn string, in ...any) *mockstub.Result {
	f.T.Helper()
	return f.Read(msp, "vehicle:"+fn, in...)
}

func birth(powertrain string) vehicletypes.BirthRecord {
	b := vehicletypes.BirthRecord{
		Manufacturer: "AutoLedger Motors", Model: "Ledgerline", ModelYear: 2026, Plant: "Wolfsburg-2",
		ProductionDate: mockstub.DefaultStart.Add(-48 * time.Hour), CountryOfOrigin: "DE", Colour: "blue",
		Powertrain: powertrain, EngineSerial: "E-1",
	}
	if powertrain == "BEV" || powertrain == "PHEV" {
		b.BatteryPackID = "PACK-0001"
	}
	return b
}

func (f *fixture) register(vinCode, powertrain string) vehicletypes.Vehicle {
	f.T.Helper()
	return contractstest.OK[vehicletypes.Vehicle](f.T, f.invoke("OemMSP", "production", "Register", vehicletypes.RegisterRequest{VIN: vinCode, Birth: birth(powertrain)}))
}

func (f *fixture) odometer(vinCode string, km int64, observed time.Time) vehicletypes.OdometerResult {
	f.T.Helper()
	return contractstest.OK[vehicletypes.OdometerResult](f.T, f.invoke("OemMSP", "telematics", "RecordOdometer", vinCode,
		vehicletypes.OdometerRequest{Km: km, Source: "telematics", ObservedAt: observed}))
}

const docHash = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
