package part_test

import (
	"errors"
	"testing"

	"github.com/autoledger/autoledger/chaincode/contracts/contractstest"
	"github.com/autoledger/autoledger/chaincode/mockstub"
	"github.com/autoledger/autoledger/chaincode/part/parttypes"
	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/stretchr/testify/require"
)

var errUnreachable = errors.New("state database unreachable")

// failPart makes every read of serial's part record fail.
func (f *fixture) failPart(serial string) {
	f.T.Helper()
	key, err := shim.CreateCompositeKey(parttypes.PartObject, []string{serial})
	require.NoError(f.T, err)
	f.FailReads(mockstub.FailPrefix(key, errUnreachable))
}

// A serial whose record cannot be read is not a free serial: the
// registration and the assembly fail as faults and write nothing.
func TestFailedReadOfANewSerialIsAFault(t *testing.T) {
	f := newFixture(t)
	f.register("SupplierMSP", "MOD-7", "B1", "M1")
	defer f.FailReads(nil)

	f.failPart("N1")
	contractstest.FailsInternally(t, f.Submit("SupplierMSP", "production", "part:RegisterParts", parttypes.RegisterPartsRequest{
		PartNumber: "MOD-7", Batch: "B2", Manufacturer: "CellCo", ManufacturedAt: f.Clock.Now(), Serials: []string{"N1"}}), errUnreachable.Error())

	f.failPart("PACK-1")
	contractstest.FailsInternally(t, f.Submit("SupplierMSP", "production", "part:Assemble", parttypes.AssembleRequest{Serial: "PACK-1",
		PartNumber: "PACK-9", Batch: "B1", Manufacturer: "CellCo", AssembledAt: f.Clock.Now(), Children: []string{"M1"}}), errUnreachable.Error())
}

// A part that cannot be read is never taken for an unregistered one.
func TestFailedReadOfAPartIsAFault(t *testing.T) {
	f := newFixture(t)
	f.car(vin1)
	f.register("OemMSP", "MOD-7", "B1", "P1")
	contractstest.OK[parttypes.Part](t, f.Submit("OemMSP", "production", "part:Install", "P1", parttypes.InstallRequest{VIN: vin1}))
	f.failPart("P1")
	defer f.FailReads(nil)

	contractstest.FailsInternally(t, f.Read("InsurerMSP", "part:Verify", "P1"), errUnreachable.Error())
	contractstest.FailsInternally(t, f.Submit("DealerMSP", "service", "part:Remove", "P1", parttypes.RemoveRequest{VIN: vin1, Reason: "worn"}), errUnreachable.Error())
}

// A recall whose record cannot be read is not "no such recall".
func TestFailedReadOfARecallIsAFault(t *testing.T) {
	f := newFixture(t)
	f.register("OemMSP", "MOD-7", "B1", "P1")
	contractstest.OK[parttypes.Recall](t, f.Submit("OemMSP", "quality", "part:IssueRecall", parttypes.RecallRequest{RecallID: "RC-1",
		PartNumber: "MOD-7", BatchFrom: "B1", BatchTo: "B1", Reason: "x"}))
	recalls, err := shim.CreateCompositeKey("recall", nil)
	require.NoError(t, err)
	f.FailReads(mockstub.FailPrefix(recalls, errUnreachable))
	defer f.FailReads(nil)
	contractstest.FailsInternally(t, f.Read("DealerMSP", "part:RecallStatus", "RC-1"), errUnreachable.Error())
	contractstest.FailsInternally(t, f.Submit("OemMSP", "quality", "part:ApplyRecall", "RC-1"), errUnreachable.Error())
}
