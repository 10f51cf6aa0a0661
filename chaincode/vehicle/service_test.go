package vehicle_test

import (
	"errors"
	"testing"
	"time"

	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/autoledger/autoledger/chaincode/contracts/contractstest"
	"github.com/autoledger/autoledger/chaincode/mockstub"
	"github.com/autoledger/autoledger/chaincode/part/parttypes"
	"github.com/autoledger/autoledger/chaincode/vehicle/vehicletypes"
	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// registerPart registers serial as an OEM-held part.
func (f *fixture) registerPart(serial string) {
	f.T.Helper()
	contractstest.OK[parttypes.RegisterResult](f.T, f.Submit("OemMSP", "production", "part:RegisterParts", parttypes.RegisterPartsRequest{
		PartNumber: "BRK-PAD", Batch: "B1", Manufacturer: "Brakes Inc", ManufacturedAt: f.Clock.Now().Add(-time.Hour), Serials: []string{serial}}))
}

// installPart registers serial and installs it in car vinCode.
func (f *fixture) installPart(vinCode, serial string) {
	f.T.Helper()
	f.registerPart(serial)
	contractstest.OK[parttypes.Part](f.T, f.Submit("OemMSP", "production", "part:Install", serial, parttypes.InstallRequest{VIN: vinCode}))
}

func service(at time.Time, serials ...string) vehicletypes.ServiceRequest {
	return vehicletypes.ServiceRequest{Type: "repair", OdometerKm: 100, DocumentHash: docHash, PartSerials: serials, PerformedAt: at}
}

// A service lists only serials that are registered parts in that car;
// each other serial gets its own field error, and parts without a serial
// go in nonSerialisedParts.
func TestServiceListsOnlyPartsInTheCar(t *testing.T) {
	f := newFixture(t)
	f.register(bevVIN, "BEV")
	f.register(usVIN, "ICE")
	f.installPart(bevVIN, "PAD-1")
	f.installPart(usVIN, "PAD-2")
	f.registerPart("PAD-3") // registered, in no car
	at := f.Clock.Now().Add(-time.Minute)

	e := contractstest.FailsWith(t, f.invoke("DealerMSP", "service", "RecordService", bevVIN,
		service(at, "PAD-1", "GHOST-9", "PAD-2", "PAD-3")), ccerr.FailedPrecondition)
	require.Len(t, e.Fields, 3)
	assert.Equal(t, ccerr.FieldError{Field: "partSerials[1]", Rule: "registered",
		Message: "part GHOST-9 is not registered; list a part without a serial in nonSerialisedParts"}, e.Fields[0])
	assert.Equal(t, ccerr.FieldError{Field: "partSerials[2]", Rule: "installed_here",
		Message: "part PAD-2 is not installed in vehicle " + bevVIN}, e.Fields[1])
	assert.Equal(t, "partSerials[3]", e.Fields[2].Field)
	assert.Equal(t, "installed_here", e.Fields[2].Rule)

	req := service(at, "PAD-1")
	req.NonSerialisedParts = []vehicletypes.ServicePart{{PartNumber: "OIL-5W30", Description: "engine oil, litres", Quantity: 5}}
	contractstest.OK[vehicletypes.OdometerResult](t, f.invoke("DealerMSP", "service", "RecordService", bevVIN, req))
	rep := contractstest.OK[vehicletypes.Report](t, f.evaluate("InsurerMSP", "Report", bevVIN))
	require.Len(t, rep.Services, 1)
	assert.Equal(t, []string{"PAD-1"}, rep.Services[0].PartSerials)
	assert.Equal(t, req.NonSerialisedParts, rep.Services[0].NonSerialisedParts)
}

// A module inside a pack installed in the car is in the car.
func TestServiceAcceptsAPartInsideAnInstalledAssembly(t *testing.T) {
	f := newFixture(t)
	f.register(bevVIN, "BEV")
	f.registerPart("CELL-1")
	contractstest.OK[parttypes.Part](t, f.Submit("OemMSP", "production", "part:Assemble", parttypes.AssembleRequest{Serial: "PACK-7",
		PartNumber: "PACK", Batch: "B1", Manufacturer: "CellCo", AssembledAt: f.Clock.Now(), Children: []string{"CELL-1"}}))
	at := f.Clock.Now()
	contractstest.FailsWith(t, f.invoke("DealerMSP", "service", "RecordService", bevVIN, service(at, "CELL-1")), ccerr.FailedPrecondition)
	contractstest.OK[parttypes.Part](t, f.Submit("OemMSP", "production", "part:Install", "PACK-7", parttypes.InstallRequest{VIN: bevVIN}))
	contractstest.OK[vehicletypes.OdometerResult](t, f.invoke("DealerMSP", "service", "RecordService", bevVIN, service(at, "CELL-1", "PACK-7")))
}

// A part record that cannot be read is a fault, not an unregistered part.
func TestServiceFailsWhenAPartCannotBeRead(t *testing.T) {
	f := newFixture(t)
	f.register(bevVIN, "BEV")
	f.installPart(bevVIN, "PAD-1")
	key, err := shim.CreateCompositeKey(parttypes.PartObject, []string{"PAD-1"})
	require.NoError(t, err)
	f.FailReads(mockstub.FailPrefix(key, errors.New("state database unreachable")))
	defer f.FailReads(nil)
	r := f.invoke("DealerMSP", "service", "RecordService", bevVIN, service(f.Clock.Now(), "PAD-1"))
	contractstest.FailsInternally(t, r, "state database unreachable")
}
