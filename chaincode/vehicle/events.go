package vehicle

import (
	"fmt"

	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/autoledger/autoledger/chaincode/vehicle/vehicletypes"
	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
)

// EachEvent calls fn for each life event of v in order, in the caller's
// transaction, so that another contract (benefit) computes from a car's
// history without a key layout of its own. It refuses a history longer than
// a report may read, and one it could not read in full.
func EachEvent(stub shim.ChaincodeStubInterface, v *vehicletypes.Vehicle, fn func(*vehicletypes.LifeEvent)) error {
	if v.EventCount > MaxReportEvents {
		return ccerr.New(ccerr.FailedPrecondition, "vehicle %s has %d events; at most %d are read (the peer's query limit)", v.VIN, v.EventCount, MaxReportEvents)
	}
	n, err := eachEvent(stub, v.VIN, fn)
	if err != nil {
		return err
	}
	if n != v.EventCount {
		return fmt.Errorf("vehicle %s: read %d of %d events", v.VIN, n, v.EventCount)
	}
	return nil
}
