package vehicle_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/autoledger/autoledger/chaincode/contracts"
	"github.com/autoledger/autoledger/chaincode/kit"
	"github.com/autoledger/autoledger/chaincode/mockstub"
	"github.com/autoledger/autoledger/chaincode/vehicle"
	"github.com/stretchr/testify/require"
)

const (
	usVIN  = "1M8GDM9AXKP042788"
	euVIN  = "WVWZZZ1JZXW000001"
	bevVIN = "1HGCM82633A004352"
)

type fixture struct {
	t      testing.TB
	ledger *mockstub.Ledger
	clock  *mockstub.Clock
	ids    map[[2]string]*mockstub.Identity
}

func newFixture(t testing.TB, opts ...mockstub.Option) *fixture {
	clock := mockstub.NewClock(mockstub.DefaultStart)
	cc, err := contracts.New(kit.WithPeerClock(clock.Now))
	require.NoError(t, err)
	var colls []mockstub.Collection
	for name, members := range contracts.Collections {
		colls = append(colls, mockstub.Collection{Name: name, Members: members, MemberOnlyRead: true, MemberOnlyWrite: true})
	}
	opts = append([]mockstub.Option{mockstub.WithClock(clock), mockstub.WithCollections(colls...)}, opts...)
	return &fixture{t: t, ledger: mockstub.New(t, cc, opts...), clock: clock, ids: map[[2]string]*mockstub.Identity{}}
}

func (f *fixture) id(msp, role string) *mockstub.Identity {
	k := [2]string{msp, role}
	if f.ids[k] == nil {
		var opts []mockstub.IdentityOption
		if role != "" {
			opts = append(opts, mockstub.WithRole(role))
		}
		f.ids[k] = mockstub.NewIdentity(msp, opts...)
	}
	return f.ids[k]
}

// args encodes each argument: strings as they are, anything else as JSON.
func args(in ...any) []string {
	out := make([]string, len(in))
	for i, a := range in {
		if s, ok := a.(string); ok {
			out[i] = s
		} else {
			out[i] = mockstub.JSON(a)
		}
	}
	return out
}

func (f *fixture) invoke(msp, role, fn string, in ...any) *mockstub.Result {
	f.t.Helper()
	return f.ledger.Invoke(mockstub.Tx{Creator: f.id(msp, role), Function: "vehicle:" + fn, Args: args(in...)})
}

func (f *fixture) evaluate(msp, fn string, in ...any) *mockstub.Result {
	f.t.Helper()
	return f.ledger.Evaluate(mockstub.Tx{Creator: f.id(msp, "reader"), Function: "vehicle:" + fn, Args: args(in...)})
}

// ok requires success and decodes the payload into a fresh T.
func ok[T any](t testing.TB, r *mockstub.Result) T {
	t.Helper()
	var v T
	require.True(t, r.OK(), "transaction failed: %s", r.Message)
	require.NoError(t, json.Unmarshal(r.Payload, &v))
	return v
}

// failsWith requires the transaction to fail with code and commit nothing.
func failsWith(t testing.TB, r *mockstub.Result, code ccerr.Code) *ccerr.Error {
	t.Helper()
	require.False(t, r.OK(), "expected %s, transaction succeeded", code)
	require.False(t, r.Committed)
	e, ok := ccerr.Decode(r.Message)
	require.True(t, ok, "error without code: %s", r.Message)
	require.Equal(t, code, e.Code, e.Message)
	return e
}

func birth(powertrain string) vehicle.BirthRecord {
	b := vehicle.BirthRecord{
		Manufacturer: "AutoLedger Motors", Model: "Ledgerline", ModelYear: 2026, Plant: "Wolfsburg-2",
		ProductionDate: mockstub.DefaultStart.Add(-48 * time.Hour), CountryOfOrigin: "DE", Colour: "blue",
		Powertrain: powertrain, EngineSerial: "E-1",
	}
	if powertrain == "BEV" || powertrain == "PHEV" {
		b.BatteryPackID = "PACK-0001"
	}
	return b
}

func (f *fixture) register(vinCode, powertrain string) vehicle.Vehicle {
	f.t.Helper()
	return ok[vehicle.Vehicle](f.t, f.invoke("OemMSP", "production", "Register", vehicle.RegisterRequest{VIN: vinCode, Birth: birth(powertrain)}))
}

func (f *fixture) odometer(vinCode string, km int64, observed time.Time) vehicle.OdometerResult {
	f.t.Helper()
	return ok[vehicle.OdometerResult](f.t, f.invoke("OemMSP", "telematics", "RecordOdometer", vinCode,
		vehicle.OdometerRequest{Km: km, Source: "telematics", ObservedAt: observed}))
}

func (f *fixture) transfer(vinCode string, km int64, ref string) *mockstub.Result {
	f.t.Helper()
	return f.ledger.Invoke(mockstub.Tx{
		Creator: f.id("DealerMSP", "sales"), Function: "vehicle:TransferOwnership",
		Args:      args(vinCode, vehicle.TransferRequest{SaleDate: f.clock.Now().Add(-time.Hour), OdometerKm: km, UseType: "private"}),
		Transient: map[string][]byte{vehicle.OwnerTransientKey: []byte(ref)},
	})
}

const docHash = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
